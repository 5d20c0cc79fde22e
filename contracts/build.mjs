// SPDX-License-Identifier: Apache-2.0
// Compiles contracts/Lottery.sol with the pinned npm `solc` (standard JSON, fixed settings) and
// writes contracts/out/Lottery.abi (JSON) and contracts/out/Lottery.bin (creation bytecode hex).
//
//   node contracts/build.mjs            write the artifacts
//   node contracts/build.mjs --check    recompile and fail (exit 1) when the committed ones differ
//
// Every setting that shapes the bytecode is fixed here. The appended metadata hash depends only on
// the source text, the compiler version and these settings, so the output is byte-reproducible on
// any machine with the same solc package.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const solc = require("solc");

const kExpectedSolc = "0.8.28";
const kSourceName = "Lottery.sol";
const kContractName = "Lottery";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "out");

/// Standard-JSON input; every field that influences the bytecode is spelled out.
export function compilerInput(source) {
  return {
    language: "Solidity",
    sources: { [kSourceName]: { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      viaIR: false,
      metadata: { bytecodeHash: "ipfs", appendCBOR: true },
      outputSelection: { [kSourceName]: { [kContractName]: ["abi", "evm.bytecode.object"] } },
    },
  };
}

/// Compiles the contract; returns `{ abi: string, bin: string }` exactly as they are written to disk.
export function compile() {
  const version = solc.version();
  if (!version.startsWith(kExpectedSolc + "+")) {
    throw new Error(`solc ${version} found, ${kExpectedSolc} expected (run scripts/setup.sh)`);
  }
  const source = readFileSync(join(here, kSourceName), "utf8");
  const output = JSON.parse(solc.compile(JSON.stringify(compilerInput(source))));
  const diagnostics = output.errors ?? [];
  const errors = diagnostics.filter((d) => d.severity === "error");
  for (const d of diagnostics) process.stderr.write(d.formattedMessage + "\n");
  if (errors.length > 0) throw new Error(`compilation failed with ${errors.length} error(s)`);
  if (diagnostics.length > 0) throw new Error("compilation produced warnings; the contract must compile cleanly");
  const contract = output.contracts[kSourceName][kContractName];
  return {
    abi: JSON.stringify(contract.abi, null, 2) + "\n",
    bin: contract.evm.bytecode.object + "\n",
  };
}

function main(args) {
  const check = args.includes("--check");
  const built = compile();
  const files = { "Lottery.abi": built.abi, "Lottery.bin": built.bin };
  if (check) {
    const stale = [];
    for (const [name, content] of Object.entries(files)) {
      let committed = "";
      try {
        committed = readFileSync(join(outDir, name), "utf8");
      } catch {
        committed = "";
      }
      if (committed !== content) stale.push(name);
    }
    if (stale.length > 0) {
      process.stderr.write(
        `contracts/out is stale: ${stale.join(", ")} does not match a fresh compile; run: npm run contracts:build\n`,
      );
      process.exit(1);
    }
    process.stdout.write(`contracts/out matches a fresh compile (solc ${solc.version()})\n`);
    return;
  }
  mkdirSync(outDir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(outDir, name), content);
  process.stdout.write(`wrote contracts/out/Lottery.abi and Lottery.bin (solc ${solc.version()})\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2));
}
