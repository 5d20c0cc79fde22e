// SPDX-License-Identifier: Apache-2.0
// Starts a throw-away Anvil (the pinned npm build) on a free 127.0.0.1 port, waits until it answers
// JSON-RPC and stops it by PID. Used by the contract tests, the gas report and (through
// anvil-cli.ts) by the C++ integration tests and the demo.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface AnvilOptions {
  /// Chain id (default 31337).
  chainId?: number;
  /// Seconds between blocks; omitted = automine (a block per transaction).
  blockTime?: number;
  /// Number of funded dev accounts (default 10).
  accounts?: number;
  /// Ether per dev account (default 10000).
  balance?: number;
  /// Block gas limit (default Anvil's 30,000,000).
  gasLimit?: bigint;
  /// Genesis block timestamp (unix seconds).
  timestamp?: number;
  /// EVM hardfork name (default Anvil's latest).
  hardfork?: string;
  /// Anything else to pass through verbatim.
  extraArgs?: string[];
  /// How long to wait for the node to answer (default 20 s).
  startTimeoutMs?: number;
}

export interface AnvilInstance {
  rpcUrl: string;
  wsUrl: string;
  port: number;
  pid: number;
  chainId: number;
  /// Funded dev accounts and their private keys, in Anvil's order (from its start-up banner).
  accounts: string[];
  privateKeys: string[];
  /// Sends SIGTERM to the PID, waits for exit (SIGKILL after 5 s). Safe to call twice.
  stop(): Promise<void>;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/// The pinned binary from node_modules, or $ANVIL_BIN when set.
export function anvilBinary(): string {
  const fromEnv = process.env.ANVIL_BIN;
  if (fromEnv) return fromEnv;
  const local = join(repoRoot, "node_modules", ".bin", "anvil");
  if (!existsSync(local)) {
    throw new Error(`anvil not found at ${local}; run scripts/setup.sh (npm ci) first`);
  }
  return local;
}

const running = new Set<ChildProcess>();
// A crashed test run must not leave nodes behind: kill what this process started, by PID.
process.once("exit", () => {
  for (const child of running) {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
});

async function rpcAnswers(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number(BigInt(body.result)) : undefined;
  } catch {
    return undefined;
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/// Reads the "Available Accounts" and "Private Keys" sections Anvil prints before listening.
export function parseBanner(banner: string): { accounts: string[]; privateKeys: string[] } {
  const section = (title: string): string[] => {
    const start = banner.indexOf(title);
    if (start < 0) return [];
    const lines = banner.slice(start).split("\n").slice(2);
    const out: string[] = [];
    for (const line of lines) {
      const m = /^\((\d+)\) (0x[0-9a-fA-F]+)/.exec(line.trim());
      if (m) out.push(m[2]);
      else if (out.length > 0 || line.trim() !== "") break;
    }
    return out;
  };
  return { accounts: section("Available Accounts"), privateKeys: section("Private Keys") };
}

/// Starts Anvil with `--port 0` (the OS picks a free port, Anvil prints it), then polls
/// `eth_chainId` until the node answers.
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilInstance> {
  const args = ["--host", "127.0.0.1", "--port", "0"];
  args.push("--chain-id", String(options.chainId ?? 31337));
  if (options.blockTime !== undefined) args.push("--block-time", String(options.blockTime));
  if (options.accounts !== undefined) args.push("--accounts", String(options.accounts));
  if (options.balance !== undefined) args.push("--balance", String(options.balance));
  if (options.gasLimit !== undefined) args.push("--gas-limit", options.gasLimit.toString());
  if (options.timestamp !== undefined) args.push("--timestamp", String(options.timestamp));
  if (options.hardfork !== undefined) args.push("--hardfork", options.hardfork);
  if (options.extraArgs) args.push(...options.extraArgs);

  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const pid = child.pid;
  if (pid === undefined) throw new Error("failed to spawn anvil");

  let output = "";
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      return;
    }
    if (!(await waitForExit(child, 5000))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // exited in between
      }
      await waitForExit(child, 5000);
    }
  };

  const timeoutMs = options.startTimeoutMs ?? 20_000;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`anvil did not report a port within ${timeoutMs} ms`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          child.stdout?.off("data", onData);
          // Keep draining so a chatty node never blocks on a full pipe.
          child.stdout?.resume();
          resolve(Number(m[1]));
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`anvil exited early (code ${code}, signal ${signal}):\n${output}`));
      });
    });
    const rpcUrl = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + timeoutMs;
    let chainId: number | undefined;
    while ((chainId = await rpcAnswers(rpcUrl)) === undefined) {
      if (Date.now() > deadline) throw new Error(`anvil at ${rpcUrl} did not answer eth_chainId`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const { accounts, privateKeys } = parseBanner(output);
    return { rpcUrl, wsUrl: `ws://127.0.0.1:${port}`, port, pid, chainId, accounts, privateKeys, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
