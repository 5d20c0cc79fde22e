// SPDX-License-Identifier: Apache-2.0
// Thin, fast test harness over an Anvil node: raw JSON-RPC, transactions from Anvil's unlocked dev
// accounts (no local signing), exact block timestamps, typed Lottery calls and decoded events.
// Transactions are sent with an explicit gas limit so a reverting one is mined (not rejected by
// estimation) at exactly the timestamp the test chose; its revert reason comes from a call trace.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  decodeEventLog,
  decodeFunctionResult,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  type Abi,
  type Address,
  type Hex,
} from "viem";

const contractsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// LOTTERY_OUT_DIR lets a mutation check run the suite against another build of the contract.
const outDir = process.env.LOTTERY_OUT_DIR ?? join(contractsDir, "out");

export const lotteryAbi = JSON.parse(readFileSync(join(outDir, "Lottery.abi"), "utf8")) as Abi;
export const lotteryBytecode = `0x${readFileSync(join(outDir, "Lottery.bin"), "utf8").trim()}` as Hex;

export const RoundState = { WAITING: 0, BETTING: 1, DRAWING: 2, COMPLETED: 3, REFUNDED: 4 } as const;

export interface Receipt {
  transactionHash: Hex;
  status: "0x1" | "0x0";
  blockNumber: Hex;
  gasUsed: Hex;
  effectiveGasPrice: Hex;
  contractAddress: Address | null;
  logs: { address: Address; topics: [Hex, ...Hex[]]; data: Hex; logIndex: Hex }[];
}

export interface DecodedEvent {
  eventName: string;
  args: Record<string, unknown>;
  address: Address;
}

export interface TxResult {
  receipt: Receipt;
  events: DecodedEvent[];
  gasUsed: bigint;
  /// Wei the sender paid for gas.
  fee: bigint;
  timestamp: bigint;
}

export interface TxOptions {
  value?: bigint;
  gas?: bigint;
  /// Mine the transaction in a block with exactly this timestamp.
  at?: bigint;
}

const kDefaultGas = 16_000_000n;

let nextId = 1;

export class Chain {
  constructor(readonly rpcUrl: string) {}

  async rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const res = await fetch(this.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string; data?: unknown } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }

  async accounts(): Promise<Address[]> {
    return this.rpc<Address[]>("eth_accounts");
  }

  async latestTimestamp(): Promise<bigint> {
    const block = await this.rpc<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
    return BigInt(block.timestamp);
  }

  async setNextTimestamp(t: bigint): Promise<void> {
    await this.rpc("evm_setNextBlockTimestamp", [Number(t)]);
  }

  /// Mines an empty block, optionally at timestamp `t`.
  async mine(t?: bigint): Promise<void> {
    if (t !== undefined) await this.setNextTimestamp(t);
    await this.rpc("evm_mine", []);
  }

  async balance(addr: Address): Promise<bigint> {
    return BigInt(await this.rpc<Hex>("eth_getBalance", [addr, "latest"]));
  }

  async balances(addrs: readonly Address[]): Promise<bigint[]> {
    return (await this.rpcBatch<Hex>("eth_getBalance", addrs.map((a) => [a, "latest"]))).map((b) => BigInt(b));
  }

  async setBalance(addr: Address, wei: bigint): Promise<void> {
    await this.rpc("anvil_setBalance", [addr, `0x${wei.toString(16)}`]);
  }

  async impersonate(addr: Address): Promise<void> {
    await this.rpc("anvil_impersonateAccount", [addr]);
  }

  /// Queues a transaction without waiting for a block (for use with `evm_setAutomine false`).
  async sendQueued(from: Address, to: Address, data: Hex, value = 0n, gas = kDefaultGas): Promise<Hex> {
    const txn: Record<string, string> = { from, to, data, gas: `0x${gas.toString(16)}` };
    if (value) txn.value = `0x${value.toString(16)}`;
    return this.rpc<Hex>("eth_sendTransaction", [txn]);
  }

  /// One HTTP request carrying many calls of the same method; results in order.
  async rpcBatch<T = unknown>(method: string, paramsList: unknown[][]): Promise<T[]> {
    if (paramsList.length === 0) return [];
    const first = nextId;
    nextId += paramsList.length;
    const res = await fetch(this.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(paramsList.map((params, i) => ({ jsonrpc: "2.0", id: first + i, method, params }))),
    });
    const body = (await res.json()) as { id: number; result?: T; error?: { message: string } }[];
    const byId = new Map(body.map((r) => [r.id, r]));
    return paramsList.map((_, i) => {
      const r = byId.get(first + i);
      if (!r || r.error) throw new Error(`${method}: ${r?.error?.message ?? "missing response"}`);
      return r.result as T;
    });
  }

  /// Mines many transactions in as few blocks as they fit (automine paused meanwhile), optionally
  /// starting at timestamp `at`; asserts every one succeeded and returns the receipts in order.
  async bulk(txns: { from: Address; to: Address | null; data: Hex; value?: bigint; gas?: bigint }[], at?: bigint): Promise<Receipt[]> {
    await this.rpc("evm_setAutomine", [false]);
    try {
      const hashes: Hex[] = [];
      for (const t of txns) {
        const txn: Record<string, string> = { from: t.from, data: t.data, gas: `0x${(t.gas ?? 1_000_000n).toString(16)}` };
        if (t.to) txn.to = t.to;
        if (t.value) txn.value = `0x${t.value.toString(16)}`;
        hashes.push(await this.rpc<Hex>("eth_sendTransaction", [txn]));
      }
      if (at !== undefined) await this.setNextTimestamp(at);
      let receipts: (Receipt | null)[] = [];
      for (let blocks = 0; blocks <= txns.length; ++blocks) {
        await this.rpc("evm_mine", []);
        receipts = await this.rpcBatch<Receipt | null>("eth_getTransactionReceipt", hashes.map((h) => [h]));
        if (receipts.every((r) => r !== null)) break;
      }
      receipts.forEach((r, i) => {
        assert.ok(r, `transaction ${i} of the bulk was never mined`);
        assert.equal(r.status, "0x1", `transaction ${i} of the bulk reverted`);
      });
      return receipts as Receipt[];
    } finally {
      await this.rpc("evm_setAutomine", [true]);
    }
  }

  async receipt(hash: Hex): Promise<Receipt> {
    const receipt = await this.rpc<Receipt | null>("eth_getTransactionReceipt", [hash]);
    assert.ok(receipt, `no receipt for ${hash}`);
    return receipt;
  }

  /// Sends a transaction from an unlocked (or impersonated) account and returns its receipt
  /// (relies on automine).
  async send(from: Address, to: Address | null, data: Hex, opts: TxOptions = {}): Promise<TxResult> {
    if (opts.at !== undefined) await this.setNextTimestamp(opts.at);
    const txn: Record<string, string> = { from, data, gas: `0x${(opts.gas ?? kDefaultGas).toString(16)}` };
    if (to) txn.to = to;
    if (opts.value) txn.value = `0x${opts.value.toString(16)}`;
    const hash = await this.rpc<Hex>("eth_sendTransaction", [txn]);
    // Automine seals the block right after the call returns; the receipt shows up a moment later.
    let receipt: Receipt | null = null;
    for (let attempt = 0; attempt < 2000 && !receipt; ++attempt) {
      receipt = await this.rpc<Receipt | null>("eth_getTransactionReceipt", [hash]);
      if (!receipt) await new Promise((r) => setTimeout(r, attempt < 20 ? 1 : 10));
    }
    assert.ok(receipt, `no receipt for ${hash} (is automine on?)`);
    const block = await this.rpc<{ timestamp: Hex }>("eth_getBlockByNumber", [receipt.blockNumber, false]);
    const gasUsed = BigInt(receipt.gasUsed);
    return {
      receipt,
      events: decodeLogs(receipt.logs),
      gasUsed,
      fee: gasUsed * BigInt(receipt.effectiveGasPrice),
      timestamp: BigInt(block.timestamp),
    };
  }

  /// The revert reason of a mined, failed transaction (from Anvil's call tracer).
  async revertReason(hash: Hex): Promise<string | undefined> {
    const trace = await this.rpc<{ revertReason?: string; error?: string }>("debug_traceTransaction", [
      hash,
      { tracer: "callTracer" },
    ]);
    return trace.revertReason ?? trace.error;
  }
}

/// Decodes Lottery logs (other contracts' logs are returned with eventName "unknown").
export function decodeLogs(logs: Receipt["logs"], abi: Abi = lotteryAbi): DecodedEvent[] {
  return logs.map((log) => {
    try {
      const decoded = decodeEventLog({ abi, data: log.data, topics: log.topics }) as {
        eventName: string;
        args?: Record<string, unknown>;
      };
      return { eventName: decoded.eventName, args: decoded.args ?? {}, address: log.address };
    } catch {
      return { eventName: "unknown", args: {}, address: log.address };
    }
  });
}

export interface RoundView {
  roundId: bigint;
  startTime: bigint;
  endTime: bigint;
  minDrawTime: bigint;
  maxDrawTime: bigint;
  totalPot: bigint;
  participantCount: bigint;
  winner: Address;
  publisherCommission: bigint;
  winnerPrize: bigint;
  state: number;
}

/// Typed access to one deployed Lottery.
export class Lottery {
  constructor(
    readonly chain: Chain,
    readonly address: Address,
  ) {}

  static async deploy(chain: Chain, from: Address, commissionRate: bigint): Promise<Lottery> {
    const data = encodeDeployData({ abi: lotteryAbi, bytecode: lotteryBytecode, args: [commissionRate] });
    const { receipt } = await chain.send(from, null, data);
    assert.equal(receipt.status, "0x1", "deployment failed");
    assert.ok(receipt.contractAddress);
    return new Lottery(chain, getAddress(receipt.contractAddress));
  }

  async read<T = unknown>(functionName: string, args: unknown[] = []): Promise<T> {
    const data = encodeFunctionData({ abi: lotteryAbi, functionName, args });
    const raw = await this.chain.rpc<Hex>("eth_call", [{ to: this.address, data }, "latest"]);
    return decodeFunctionResult({ abi: lotteryAbi, functionName, data: raw }) as T;
  }

  /// Sends `functionName(args)` and asserts it succeeded.
  async write(from: Address, functionName: string, args: unknown[] = [], opts: TxOptions = {}): Promise<TxResult> {
    const result = await this.chain.send(from, this.address, encodeFunctionData({ abi: lotteryAbi, functionName, args }), opts);
    if (result.receipt.status !== "0x1") {
      const reason = await this.chain.revertReason(result.receipt.transactionHash);
      assert.fail(`${functionName} from ${from} reverted: ${reason}`);
    }
    return result;
  }

  /// Sends `functionName(args)` and asserts it was mined but reverted with exactly `reason`.
  async expectRevert(
    from: Address,
    functionName: string,
    args: unknown[],
    reason: string,
    opts: TxOptions = {},
  ): Promise<TxResult> {
    const result = await this.chain.send(from, this.address, encodeFunctionData({ abi: lotteryAbi, functionName, args }), {
      gas: 1_000_000n,
      ...opts,
    });
    assert.equal(result.receipt.status, "0x0", `${functionName} from ${from} was expected to revert with "${reason}"`);
    assert.equal(await this.chain.revertReason(result.receipt.transactionHash), reason, `revert reason of ${functionName}`);
    return result;
  }

  async bet(from: Address, value: bigint, at?: bigint): Promise<TxResult> {
    return this.write(from, "placeBet", [], { value, at });
  }

  async getRound(): Promise<RoundView> {
    return this.read<RoundView>("getRound");
  }

  async getLastRound(): Promise<RoundView> {
    return this.read<RoundView>("getLastRound");
  }

  async pending(addr: Address): Promise<bigint> {
    return this.read<bigint>("pendingWithdrawals", [addr]);
  }
}

/// Event names and args of a transaction, for exact sequence assertions (address dropped).
export function eventList(events: DecodedEvent[]): { name: string; args: Record<string, unknown> }[] {
  return events.map((e) => ({ name: e.eventName, args: e.args }));
}

/// The draw rule, computed off-chain: first participant (first-bet order) whose cumulative stake
/// exceeds `seed % totalPot`.
export function expectedWinner(seed: bigint, players: readonly Address[], stakes: readonly bigint[]): Address {
  const total = stakes.reduce((a, b) => a + b, 0n);
  const target = seed % total;
  let cumulative = 0n;
  for (let i = 0; i < players.length; ++i) {
    cumulative += stakes[i];
    if (cumulative > target) return players[i];
  }
  throw new Error("no winner: empty stakes");
}

export { parseEther as ether } from "viem";
