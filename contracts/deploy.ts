// SPDX-License-Identifier: Apache-2.0
// Deploys the committed Lottery artifacts (contracts/out) to any JSON-RPC node with a private key,
// optionally hands the operator role to another address, and prints the result as one JSON line.
//
//   DEPLOYER_PRIVATE_KEY=0x… node --import tsx contracts/deploy.ts --rpc-url http://127.0.0.1:8545 \
//       [--commission 500] [--operator 0x…]
//
// `--private-key 0x…` also works but leaks the key into the process list; prefer the environment.
// Used by the C++ integration tests, the demo and compose's deployer.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  isAddress,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "out");

export interface DeployOptions {
  rpcUrl: string;
  privateKey: Hex;
  /// Publisher commission in basis points (0..1000). Default 500 (5%).
  commissionRate?: bigint;
  /// When set, `setOperator(operator)` is sent after deployment (the deployer stays PUBLISHER).
  operator?: Address;
}

export interface Deployment {
  address: Address;
  deployer: Address;
  operator: Address;
  commissionRate: string;
  chainId: number;
  txHash: Hex;
  blockNumber: string;
}

export function loadArtifacts(): { abi: Abi; bytecode: Hex } {
  return {
    abi: JSON.parse(readFileSync(join(outDir, "Lottery.abi"), "utf8")) as Abi,
    bytecode: `0x${readFileSync(join(outDir, "Lottery.bin"), "utf8").trim()}` as Hex,
  };
}

/// Deploys and waits for the receipts; throws with a clear message on any failure.
export async function deployLottery(options: DeployOptions): Promise<Deployment> {
  const commissionRate = options.commissionRate ?? 500n;
  if (commissionRate < 0n || commissionRate > 1000n) {
    throw new Error(`commission ${commissionRate} is out of range: use 0..1000 basis points`);
  }
  const transport = http(options.rpcUrl, { retryCount: 2 });
  const probe = createPublicClient({ transport });
  const chainId = await probe.getChainId();
  const chain = defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  const account = privateKeyToAccount(options.privateKey);
  const wallet = createWalletClient({ account, chain, transport });
  const client = createPublicClient({ chain, transport, pollingInterval: 200 });
  const { abi, bytecode } = loadArtifacts();

  const txHash = await wallet.deployContract({ abi, bytecode, args: [commissionRate] });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash, timeout: 120_000 });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new Error(`deployment transaction ${txHash} failed`);
  }
  const address = getAddress(receipt.contractAddress);
  let operator: Address = account.address;
  if (options.operator && getAddress(options.operator) !== account.address) {
    const hash = await wallet.writeContract({ address, abi, functionName: "setOperator", args: [options.operator] });
    const r = await client.waitForTransactionReceipt({ hash, timeout: 120_000 });
    if (r.status !== "success") throw new Error(`setOperator transaction ${hash} failed`);
    operator = getAddress(options.operator);
  }
  return {
    address,
    deployer: account.address,
    operator,
    commissionRate: commissionRate.toString(),
    chainId,
    txHash,
    blockNumber: receipt.blockNumber.toString(),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "rpc-url": { type: "string" },
      "private-key": { type: "string" },
      commission: { type: "string" },
      operator: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(
      "usage: DEPLOYER_PRIVATE_KEY=0x… node --import tsx contracts/deploy.ts --rpc-url URL [--commission BPS] [--operator ADDR]\n",
    );
    return;
  }
  const rpcUrl = values["rpc-url"] ?? process.env.BLOCKCHAIN_RPC_URL;
  const privateKey = values["private-key"] ?? process.env.DEPLOYER_PRIVATE_KEY;
  if (!rpcUrl) throw new Error("--rpc-url (or BLOCKCHAIN_RPC_URL) is required");
  if (!privateKey || !/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new Error("DEPLOYER_PRIVATE_KEY (or --private-key) must be 0x followed by 64 hex digits");
  }
  if (values.operator !== undefined && !isAddress(values.operator)) {
    throw new Error(`--operator ${values.operator} is not an address`);
  }
  if (values.commission !== undefined && !/^\d+$/.test(values.commission)) {
    throw new Error(`--commission ${values.commission} is not a whole number of basis points`);
  }
  const deployment = await deployLottery({
    rpcUrl,
    privateKey: privateKey as Hex,
    commissionRate: values.commission !== undefined ? BigInt(values.commission) : undefined,
    operator: values.operator as Address | undefined,
  });
  process.stdout.write(JSON.stringify(deployment) + "\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`deploy failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
