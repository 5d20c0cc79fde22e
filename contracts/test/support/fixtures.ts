// SPDX-License-Identifier: Apache-2.0
// Compiles contracts/test/fixtures/*.sol (test-only player contracts) with the pinned solc and
// deploys them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeFunctionResult, encodeDeployData, encodeFunctionData, getAddress, type Abi, type Address, type Hex } from "viem";
import type { Chain, TxOptions, TxResult } from "./chain.ts";

const require = createRequire(import.meta.url);
const solc = require("solc") as { compile(input: string): string };
const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

let cache: Record<string, Artifact> | undefined;

export function fixtureArtifacts(): Record<string, Artifact> {
  if (cache) return cache;
  const input = {
    language: "Solidity",
    sources: { "Players.sol": { content: readFileSync(join(fixturesDir, "Players.sol"), "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  assert.equal(errors.length, 0, JSON.stringify(errors));
  cache = {};
  for (const [name, c] of Object.entries(output.contracts["Players.sol"] as Record<string, any>)) {
    cache[name] = { abi: c.abi as Abi, bytecode: `0x${c.evm.bytecode.object}` as Hex };
  }
  return cache;
}

/// A deployed fixture contract with a typed-enough `call`.
export class Fixture {
  constructor(
    readonly chain: Chain,
    readonly address: Address,
    readonly abi: Abi,
  ) {}

  static async deploy(chain: Chain, from: Address, name: string, args: unknown[]): Promise<Fixture> {
    const art = fixtureArtifacts()[name];
    assert.ok(art, `no fixture ${name}`);
    const { receipt } = await chain.send(from, null, encodeDeployData({ abi: art.abi, bytecode: art.bytecode, args }));
    assert.equal(receipt.status, "0x1");
    assert.ok(receipt.contractAddress);
    return new Fixture(chain, getAddress(receipt.contractAddress), art.abi);
  }

  async read<T = unknown>(functionName: string, args: unknown[] = []): Promise<T> {
    const data = encodeFunctionData({ abi: this.abi, functionName, args });
    const raw = await this.chain.rpc<Hex>("eth_call", [{ to: this.address, data }, "latest"]);
    return decodeFunctionResult({ abi: this.abi, functionName, data: raw }) as T;
  }

  async call(from: Address, functionName: string, args: unknown[] = [], opts: TxOptions = {}): Promise<TxResult> {
    const result = await this.chain.send(from, this.address, encodeFunctionData({ abi: this.abi, functionName, args }), opts);
    if (result.receipt.status !== "0x1") {
      assert.fail(`${functionName} reverted: ${await this.chain.revertReason(result.receipt.transactionHash)}`);
    }
    return result;
  }
}
