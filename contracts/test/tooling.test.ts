// SPDX-License-Identifier: Apache-2.0
// The Anvil helper, the deploy script and the Anvil CLI that other test suites and the demo reuse.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { getAddress, type Address, type Hex } from "viem";
import { deployLottery } from "../deploy.ts";
import { parseBanner, startAnvil } from "./support/anvil.ts";
import { Chain, Lottery } from "./support/chain.ts";

const here = dirname(fileURLToPath(import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("startAnvil picks a free port, answers with the chain id, and stop() ends the PID", async () => {
  const [a, b] = await Promise.all([startAnvil({ chainId: 4242 }), startAnvil({ chainId: 4243, blockTime: 1 })]);
  try {
    assert.notEqual(a.port, b.port);
    assert.equal(a.chainId, 4242);
    assert.equal(b.chainId, 4243);
    assert.equal(await new Chain(a.rpcUrl).rpc("eth_chainId"), "0x1092");
    assert.equal(a.accounts.length, 10);
    assert.equal(a.privateKeys.length, 10);
    assert.equal(a.accounts[0], "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "Anvil's well-known first dev account");
    assert.ok(alive(a.pid) && alive(b.pid));
  } finally {
    await a.stop();
    await b.stop();
  }
  assert.ok(!alive(a.pid), "anvil A stopped");
  assert.ok(!alive(b.pid), "anvil B stopped");
  await a.stop(); // idempotent
});

test("parseBanner reads accounts and keys and ignores the rest", () => {
  const banner = [
    "Available Accounts",
    "==================",
    "",
    "(0) 0x00000000000000000000000000000000000000A1 (1.0 ETH)",
    "(1) 0x00000000000000000000000000000000000000a2 (1.0 ETH)",
    "",
    "Private Keys",
    "==================",
    "",
    "(0) 0x" + "11".repeat(32),
    "(1) 0x" + "22".repeat(32),
    "",
    "Wallet",
  ].join("\n");
  assert.deepEqual(parseBanner(banner), {
    accounts: ["0x00000000000000000000000000000000000000A1", "0x00000000000000000000000000000000000000a2"],
    privateKeys: ["0x" + "11".repeat(32), "0x" + "22".repeat(32)],
  });
  assert.deepEqual(parseBanner("nothing here"), { accounts: [], privateKeys: [] });
});

test("deployLottery deploys with a private key and hands over the operator role", async () => {
  const anvil = await startAnvil({ chainId: 31337 });
  try {
    const d = await deployLottery({
      rpcUrl: anvil.rpcUrl,
      privateKey: anvil.privateKeys[0] as Hex,
      commissionRate: 250n,
      operator: anvil.accounts[1] as Address,
    });
    assert.equal(d.deployer, getAddress(anvil.accounts[0]));
    assert.equal(d.operator, getAddress(anvil.accounts[1]));
    assert.equal(d.chainId, 31337);
    const lottery = new Lottery(new Chain(anvil.rpcUrl), d.address);
    const config = await lottery.read<unknown[]>("getConfig");
    assert.deepEqual(config.slice(0, 3), [d.deployer, d.operator, 250n]);
    await assert.rejects(
      deployLottery({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0] as Hex, commissionRate: 1001n }),
      /out of range/,
    );
  } finally {
    await anvil.stop();
  }
});

test("anvil-cli prints one JSON line with a deployed contract and stops Anvil on SIGTERM", async () => {
  const cli = spawn(
    process.execPath,
    ["--import", "tsx", join(here, "support", "anvil-cli.ts"), "--deploy", "--chain-id", "1337", "--commission", "100"],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  let out = "";
  cli.stdout.on("data", (c: Buffer) => (out += c.toString()));
  while (!out.includes("\n")) {
    await Promise.race([once(cli.stdout, "data"), once(cli, "exit").then(() => assert.fail("anvil-cli exited early"))]);
  }
  const info = JSON.parse(out.split("\n")[0]) as {
    rpcUrl: string;
    pid: number;
    cliPid: number;
    chainId: number;
    contract: { address: Address; operator: Address };
  };
  assert.equal(info.cliPid, cli.pid);
  assert.equal(info.chainId, 1337);
  const lottery = new Lottery(new Chain(info.rpcUrl), info.contract.address);
  assert.equal(await lottery.read("PUBLISHER_COMMISSION_RATE"), 100n);
  assert.equal(await lottery.read("operator"), info.contract.operator);
  assert.ok(alive(info.pid));
  const exited = once(cli, "exit");
  process.kill(info.cliPid, "SIGTERM");
  await exited;
  assert.ok(!alive(info.pid), "anvil stopped with the CLI");
});
