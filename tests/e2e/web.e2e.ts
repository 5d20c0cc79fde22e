// SPDX-License-Identifier: Apache-2.0
// End-to-end test of the players' web UI: Debian's chromium (driven by playwright-core) against
// the real service (`$LOTTERY_BIN serve`) following a real Anvil with the real Lottery contract.
// Wallets are injected EIP-1193 providers backed by Anvil's unlocked dev accounts.
//
//   LOTTERY_BIN=build/asan/src/app/lottery node --import tsx --test tests/e2e/web.e2e.ts
//
// Needs web/dist (vite build). Screenshots and the service log go to build/e2e/.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from "playwright-core";
import { createPublicClient, http, parseAbi, type Address, type Hex } from "viem";
import { deployLottery } from "../../contracts/deploy.ts";
import { startAnvil, type AnvilInstance } from "../../contracts/test/support/anvil.ts";
import { injectedWalletScript, type InjectedWalletConfig, type RpcAnswer } from "./provider.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outDir = join(root, "build", "e2e");
const distDir = join(root, "web", "dist");
const lotteryBin = process.env.LOTTERY_BIN ? resolve(process.env.LOTTERY_BIN) : "";
const chromiumPath = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const CHAIN_ID = 31337;
const BINDING = "__lotteryE2eRpc";
// Chromium must not reach the network: no background services, no QUIC, no sync, and every
// request that is not for the local service is aborted by a route below.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--metrics-recording-only",
  "--no-default-browser-check",
];

const lotteryAbi = parseAbi([
  "struct Round { uint256 roundId; uint256 startTime; uint256 endTime; uint256 minDrawTime; uint256 maxDrawTime; uint256 totalPot; uint256 participantCount; address winner; uint256 publisherCommission; uint256 winnerPrize; uint8 state; }",
  "function getLastRound() view returns (Round)",
  "function getRound() view returns (Round)",
]);

function log(message: string): void {
  process.stdout.write(`# e2e: ${message}\n`);
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error(`stopped waiting for ${what}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`);
}

/// The service under test, started and stopped by PID.
class Service {
  private child: ChildProcess | undefined;
  private starts = 0;
  constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.starts += 1;
    const logFile = createWriteStream(join(outDir, `service-${this.starts}.log`));
    const child = spawn(lotteryBin, ["serve"], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.pipe(logFile);
    child.stderr?.pipe(logFile);
    this.child = child;
    const gone = new AbortController();
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) => {
        gone.abort();
        reject(new Error(`service exited early (code ${code}, signal ${signal}); see build/e2e/service-${this.starts}.log`));
      }),
    );
    exited.catch(() => undefined);
    const ready = waitFor(
      "GET /api/ready = 200",
      90_000,
      async () => {
        const res = await fetch(`${this.url}/api/ready`, { signal: AbortSignal.timeout(2000) });
        return res.status === 200 ? true : undefined;
      },
      gone.signal,
    );
    ready.catch(() => undefined);
    await Promise.race([exited, ready]);
    log(`service ready on ${this.url} (pid ${child.pid})`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((r) => child.once("exit", () => r()));
    process.kill(child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
    }, 10_000);
    await done;
    clearTimeout(timer);
  }
}

interface Player {
  name: string;
  account: Address;
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
}

describe("web UI end to end", { timeout: 600_000 }, () => {
  let anvil: AnvilInstance;
  let service: Service;
  let browser: Browser;
  let contract: Address;
  let profileDir: string;
  const players: Player[] = [];
  // Browser-level errors expected while the service is deliberately down.
  let backendDown = false;

  async function rpc(method: string, params: unknown): Promise<RpcAnswer> {
    const res = await fetch(anvil.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await res.json()) as RpcAnswer;
    return body.error ? { error: body.error } : { result: body.result };
  }

  async function openPlayer(
    name: string,
    wallet: Omit<InjectedWalletConfig, "binding" | "nodeChainId"> | undefined,
    account?: Address,
    setup?: (context: BrowserContext) => Promise<void>,
  ): Promise<Player> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Only the local service may be reached.
    await context.route(
      (url) => !/^(127\.0\.0\.1|localhost)$/.test(url.hostname),
      (route) => route.abort("blockedbyclient"),
    );
    await context.exposeBinding(BINDING, (_source, method: string, params: unknown) => rpc(method, params));
    if (wallet) await context.addInitScript({ content: injectedWalletScript({ ...wallet, binding: BINDING, nodeChainId: CHAIN_ID }) });
    if (setup) await setup(context);
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on("console", (msg: ConsoleMessage) => {
      if (msg.type() !== "error") return;
      const where = msg.location().url;
      const text = where ? `${msg.text()} (${where})` : msg.text();
      // While the service is down the browser itself reports the refused connections.
      if (backendDown && /ERR_CONNECTION_REFUSED|WebSocket connection to .* failed|Failed to load resource/.test(text)) return;
      consoleErrors.push(`${name}: ${text}`);
    });
    page.on("pageerror", (err) => consoleErrors.push(`${name}: uncaught ${err.message}`));
    await page.goto(service.url);
    const player: Player = { name, account: account ?? ("0x" as Address), context, page, consoleErrors };
    players.push(player);
    return player;
  }

  const testId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

  async function expectText(page: Page, selector: string, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    await page.locator(selector).filter({ hasText: pattern }).first().waitFor({ state: "visible", timeout: timeoutMs });
  }

  async function connect(player: Player): Promise<void> {
    await player.page.getByRole("button", { name: "Connect wallet" }).click();
    const short = `${player.account.slice(0, 6)}…${player.account.slice(-4)}`;
    await expectText(player.page, '[data-testid="wallet-address"]', new RegExp(short.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    await expectText(player.page, '[data-testid="wallet-balance"]', /ETH$/);
  }

  /// Resolves when a bet outcome other than `previous` is on screen: "confirmed" or the failure text.
  async function betOutcome(page: Page, previous: string | null): Promise<string> {
    const handle = await page.waitForFunction(
      (prev) => {
        const text = document.querySelector('[data-testid="bet-status"]')?.textContent ?? "";
        if (text === prev) return undefined;
        if (document.querySelector('[data-testid="bet-confirmed"]')) return "confirmed";
        const failed = document.querySelector('[data-testid="bet-failed"]');
        return failed ? failed.textContent ?? "failed" : undefined;
      },
      previous,
      { timeout: 30_000, polling: 100 },
    );
    return (await handle.jsonValue()) as string;
  }

  async function bet(player: Player, amountEth: string, submit: "click" | "enter" = "click"): Promise<void> {
    const previous = await testId(player.page, "bet-status").textContent();
    await testId(player.page, "bet-amount").fill(amountEth);
    const button = testId(player.page, "bet-submit");
    try {
      await player.page.waitForFunction(
        () => !(document.querySelector('[data-testid="bet-submit"]') as HTMLButtonElement | null)?.disabled,
        undefined,
        { timeout: 20_000 },
      );
    } catch {
      const why = await testId(player.page, "bet-blocker").textContent().catch(() => null);
      throw new Error(`${player.name} cannot bet: the Bet button stays disabled (${why ?? "no reason shown"})`);
    }
    if (submit === "click") await button.click();
    else await testId(player.page, "bet-amount").press("Enter");
    const outcome = await betOutcome(player.page, previous);
    assert.equal(outcome, "confirmed", `${player.name}'s bet of ${amountEth} ETH`);
  }

  async function secondsLeft(page: Page): Promise<number> {
    const text = (await page.locator('[data-testid="countdown"] [role="timer"]').textContent()) ?? "";
    const [m, sec] = text.split(":").map(Number);
    return (m ?? 0) * 60 + (sec ?? 0);
  }

  function participantRow(page: Page, account: Address) {
    return page.locator(`[data-testid="participants"] tr[data-address="${account.toLowerCase()}"]`);
  }

  before(async () => {
    assert.ok(lotteryBin && existsSync(lotteryBin), "LOTTERY_BIN must point to the lottery binary");
    assert.ok(existsSync(join(distDir, "index.html")), "web/dist is missing: run `npm run build` in web/ first");
    mkdirSync(outDir, { recursive: true });

    anvil = await startAnvil({ chainId: CHAIN_ID });
    const deployment = await deployLottery({
      rpcUrl: anvil.rpcUrl,
      privateKey: anvil.privateKeys[0] as Hex,
      commissionRate: 500n,
      operator: anvil.accounts[1] as Address,
    });
    contract = deployment.address;
    log(`anvil ${anvil.rpcUrl}, contract ${contract} (block ${deployment.blockNumber})`);

    const port = await freePort();
    service = new Service(
      {
        SERVER_HOST: "127.0.0.1",
        SERVER_PORT: String(port),
        SERVER_STATIC_DIR: distDir,
        BLOCKCHAIN_RPC_URL: anvil.rpcUrl,
        BLOCKCHAIN_CHAIN_ID: String(CHAIN_ID),
        BLOCKCHAIN_CONTRACT_ADDRESS: contract,
        BLOCKCHAIN_OPERATOR_PRIVATE_KEY: anvil.privateKeys[1] as string,
        EVENTMGR_CONFIRMATIONS: "0",
        EVENTMGR_POLL_INTERVAL_SECONDS: "1",
        EVENTMGR_START_BLOCK: deployment.blockNumber,
        APP_LOG_LEVEL: "info",
      },
      port,
    );
    await service.start();

    profileDir = mkdtempSync(join(tmpdir(), "lottery-e2e-chromium-"));
    // launch() gives every run a fresh temporary profile (Playwright's own --user-data-dir).
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, HOME: profileDir },
    });
    log(`chromium ${browser.version()}`);
  });

  after(async () => {
    for (const p of players) await p.context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    await anvil?.stop().catch(() => undefined);
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it("two players connect, bet, and see each other's bets live", async () => {
    const alice = await openPlayer("alice", { account: anvil.accounts[2]!, chainId: CHAIN_ID, knownChains: [CHAIN_ID] }, anvil.accounts[2] as Address);
    const bob = await openPlayer("bob", { account: anvil.accounts[3]!, chainId: CHAIN_ID, knownChains: [CHAIN_ID] }, anvil.accounts[3] as Address);
    for (const p of [alice, bob]) {
      await expectText(p.page, '[data-testid="feed-status"]', /Live/);
      await expectText(p.page, '[data-testid="round-state"]', /WAITING/);
    }
    await connect(alice);
    await connect(bob);

    await bet(alice, "0.01");
    // Bob sees Alice's bet without a reload, over the WebSocket.
    for (const p of [alice, bob]) {
      await participantRow(p.page, alice.account).waitFor({ timeout: 20_000 });
      await expectText(p.page, '[data-testid="round-state"]', /BETTING/);
      await expectText(p.page, '[data-testid="countdown"]', /Betting closes in\s*\d+:\d\d/);
    }
    await bet(bob, "0.02");
    for (const p of [alice, bob]) {
      await participantRow(p.page, bob.account).waitFor({ timeout: 20_000 });
      await expectText(p.page, '[data-testid="pot"]', /^0\.03 ETH$/);
      await participantRow(p.page, alice.account).filter({ hasText: "33.33 %" }).waitFor({ timeout: 10_000 });
      await participantRow(p.page, bob.account).filter({ hasText: "66.67 %" }).waitFor({ timeout: 10_000 });
      await expectText(p.page, '[data-testid="activity-feed"]', /./);
    }
    await expectText(alice.page, '[data-testid="my-stake"]', /^0\.01 ETH$/);
    await expectText(alice.page, '[data-testid="my-chance"]', /^33\.33 %$/);
    await expectText(bob.page, '[data-testid="my-chance"]', /^66\.67 %$/);
    // The countdown runs between chain reports (anchored on chain time, advanced locally).
    const before = await secondsLeft(alice.page);
    await alice.page.waitForTimeout(3000);
    const later = await secondsLeft(alice.page);
    assert.ok(before - later >= 2 && before - later <= 4, `countdown went from ${before} to ${later} s in 3 s`);
    // The bet's transaction hash is shown in full.
    await expectText(alice.page, '[data-testid="bet-hash"]', /^0x[0-9a-f]{64}$/);
    // Outside an enclave the attestation is a dev document, and the panel says so.
    await expectText(alice.page, '[data-testid="attestation-dev"]', /Development mode — NOT verified/);
    await expectText(alice.page, '[data-testid="attestation"]', /echoes our fresh nonce ✓/);

    // Screenshots of the main page with a running round, phone and desktop width.
    await alice.page.setViewportSize({ width: 375, height: 812 });
    // Let the layout settle at the new width before measuring it.
    await alice.page.waitForFunction(() => window.innerWidth === 375);
    await alice.page.waitForTimeout(200);
    const overflow = await alice.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    // Name the elements that stick out, so a failure says what to fix.
    const offenders = await alice.page.evaluate(() =>
      Array.from(document.querySelectorAll("body *"))
        .filter(
          (el) =>
            el.getBoundingClientRect().right > window.innerWidth + 1 ||
            (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible"),
        )
        .slice(0, 5)
        .map(
          (el) =>
            `${el.tagName.toLowerCase()}.${el.className} (right ${Math.round(el.getBoundingClientRect().right)}, scroll ${el.scrollWidth}/${el.clientWidth}: ${(el.textContent ?? "").slice(0, 60)})`,
        ),
    );
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 375px phone screen: ${offenders.join(", ")}`);
    await alice.page.screenshot({ path: join(outDir, "main-375.png"), fullPage: true });
    await alice.page.setViewportSize({ width: 1280, height: 900 });
    await alice.page.screenshot({ path: join(outDir, "main-1280.png"), fullPage: true });
  });

  it("refuses a bet below the minimum with a clear message", async () => {
    const alice = players[0]!;
    await testId(alice.page, "bet-amount").fill("0.0005");
    await testId(alice.page, "bet-submit").click();
    await expectText(alice.page, '[data-testid="bet-validation"]', /The minimum bet is 0\.001 ETH\./);
    assert.equal(await testId(alice.page, "bet-validation").getAttribute("role"), "alert");
    // Nothing was sent: the stake is unchanged.
    await expectText(alice.page, '[data-testid="my-stake"]', /^0\.01 ETH$/);
    // The form is keyboard operable: type a valid amount and submit with Enter.
    await bet(alice, "0.001", "enter");
    await expectText(players[1]!.page, '[data-testid="pot"]', /^0\.031 ETH$/);
  });

  it("time moves, the operator draws, and both players see the winner and a successful verify", async () => {
    const [alice, bob] = [players[0]!, players[1]!];
    // Past endTime + 5 s: the draw window is open; mining a block lets the service see it.
    assert.equal((await rpc("evm_increaseTime", [190])).error, undefined);
    assert.equal((await rpc("evm_mine", [])).error, undefined);

    const client = createPublicClient({ transport: http(anvil.rpcUrl) });
    const last = await waitFor("the operator's draw on chain", 60_000, async () => {
      const r = await client.readContract({ address: contract, abi: lotteryAbi, functionName: "getLastRound" });
      return r.roundId === 1n && r.state === 3 ? r : undefined;
    });
    const winner = last.winner;
    assert.ok([alice.account.toLowerCase(), bob.account.toLowerCase()].includes(winner.toLowerCase()));
    log(`round 1 won by ${winner}`);
    const short = `${winner.slice(0, 6)}…${winner.slice(-4)}`;
    for (const p of [alice, bob]) {
      const item = p.page.locator('[data-testid="history"] li[data-round="1"]');
      await item.waitFor({ timeout: 30_000 });
      await item.locator('[data-testid="history-winner"]').filter({ hasText: short }).waitFor({ timeout: 10_000 });
      await item.locator('[data-testid="verify-ok"]').waitFor({ timeout: 20_000 });
      // The next round waits for its first bet.
      await expectText(p.page, '[data-testid="round-state"]', /WAITING/);
    }
    const winnerPage = winner.toLowerCase() === alice.account.toLowerCase() ? alice : bob;
    await expectText(winnerPage.page, '[data-testid="history"] li[data-round="1"]', /that's you!/);
  });

  it("no wallet, a rejected request and the wrong chain are explained; switching adds the chain", async () => {
    const nobody = await openPlayer("no-wallet", undefined);
    await expectText(nobody.page, '[data-testid="no-wallet"]', /No Ethereum wallet found/);

    const carol = await openPlayer(
      "carol",
      { account: anvil.accounts[4]!, chainId: 1, knownChains: [1], rejectFirstConnect: true },
      anvil.accounts[4] as Address,
    );
    await expectText(carol.page, '[data-testid="feed-status"]', /Live/);
    await carol.page.getByRole("button", { name: "Connect wallet" }).click();
    await expectText(carol.page, '[data-testid="wallet-error"]', /You rejected the request in your wallet\./);
    await connect(carol);
    await expectText(carol.page, '[data-testid="wrong-chain"]', /Your wallet is on Ethereum mainnet, but this lottery runs on local Anvil \(31337\)/);
    await expectText(carol.page, '[data-testid="bet-blocker"]', /Switch your wallet/);
    await carol.page.getByRole("button", { name: /Switch to local Anvil/ }).click();
    await testId(carol.page, "wrong-chain").waitFor({ state: "detached", timeout: 10_000 });
    const calls = (await carol.page.evaluate(() => (window as unknown as { __walletCalls: string[] }).__walletCalls)) as string[];
    assert.ok(calls.includes("wallet_switchEthereumChain"), "the UI asked the wallet to switch");
    assert.ok(calls.includes("wallet_addEthereumChain"), "after 4902 the UI asked the wallet to add the chain");
    assert.ok(!calls.includes("eth_sendTransaction"), "nothing was sent on the wrong chain");
    // On the right chain Carol can bet (and starts round 2).
    await bet(carol, "0.002");
    await participantRow(players[0]!.page, carol.account).waitFor({ timeout: 20_000 });
  });

  it("while the socket is down the UI says 'reconnecting' and reads REST, then goes live", async () => {
    let blockSocket = true;
    const dave = await openPlayer("dave", undefined, undefined, async (context) => {
      await context.routeWebSocket(/\/ws(\/lottery)?$/, (ws) => {
        if (blockSocket) {
          void ws.close({ code: 1011, reason: "e2e: socket blocked" });
          return;
        }
        ws.connectToServer();
      });
    });
    await expectText(dave.page, '[data-testid="feed-status"]', /Reconnecting.*REST fallback/);
    // REST fills the page meanwhile, and the service is not reported offline.
    await participantRow(dave.page, players[3]!.account).waitFor({ timeout: 20_000 });
    await expectText(dave.page, '[data-testid="round-state"]', /BETTING/);
    await dave.page.locator('[data-testid="history"] li[data-round="1"] [data-testid="verify-ok"]').waitFor({ timeout: 20_000 });
    assert.equal(await testId(dave.page, "offline-banner").count(), 0);
    blockSocket = false;
    await expectText(dave.page, '[data-testid="feed-status"]', /Live/, 40_000);
  });

  it("a backend restart shows the offline banner and recovers", async () => {
    const [alice, bob] = [players[0]!, players[1]!];
    backendDown = true;
    await service.stop();
    for (const p of [alice, bob]) {
      await testId(p.page, "offline-banner").waitFor({ timeout: 20_000 });
      await expectText(p.page, '[data-testid="feed-status"]', /Offline/);
    }
    // The last known state stays on screen.
    await participantRow(alice.page, players[3]!.account).waitFor({ timeout: 1000 });
    await alice.page.screenshot({ path: join(outDir, "offline-1280.png") });
    // The countdown keeps running from the last known chain time.
    const before = await secondsLeft(alice.page);
    await alice.page.waitForTimeout(2000);
    const later = await secondsLeft(alice.page);
    log(`offline countdown ${before} -> ${later}`);
    assert.ok(before - later >= 1 && before - later <= 3, `offline countdown went from ${before} to ${later} s in 2 s`);

    await service.start();
    for (const p of [alice, bob]) {
      await testId(p.page, "offline-banner").waitFor({ state: "detached", timeout: 30_000 });
      await expectText(p.page, '[data-testid="feed-status"]', /Live/, 30_000);
    }
    backendDown = false;
    // Live again: a new bet reaches both pages without reload.
    await bet(bob, "0.003");
    await participantRow(alice.page, bob.account).waitFor({ timeout: 20_000 });
    await alice.page.locator('[data-testid="history"] li[data-round="1"] [data-testid="verify-ok"]').waitFor({ timeout: 20_000 });
  });

  it("logged no console errors", () => {
    const errors = players.flatMap((p) => p.consoleErrors);
    assert.deepEqual(errors, []);
  });
});
