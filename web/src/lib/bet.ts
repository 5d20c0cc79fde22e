// SPDX-License-Identifier: Apache-2.0
// The placeBet transaction through viem. Loaded on demand (dynamic import) so the first page
// load does not carry viem.

import { createPublicClient, createWalletClient, custom, defineChain, type Address, type Chain, type Hash } from "viem";
import { KNOWN_CHAINS, type Eip1193Provider } from "./wallet";

export const LOTTERY_ABI = [
  { type: "function", name: "placeBet", stateMutability: "payable", inputs: [], outputs: [] },
  {
    type: "function",
    name: "getMinBetAmount",
    stateMutability: "view",
    inputs: [],
    outputs: [{ name: "", type: "uint256" }],
  },
] as const;

function chainFor(chainId: number): Chain {
  const known = KNOWN_CHAINS[chainId];
  return defineChain({
    id: chainId,
    name: known?.name ?? `Chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: known ? [known.rpc] : [] } },
  });
}

export interface BetRequest {
  account: Address;
  contract: Address;
  chainId: number;
  valueWei: bigint;
}

export interface BetReceipt {
  hash: Hash;
  status: "success" | "reverted";
  blockNumber: bigint;
}

/// Sends placeBet{value} from the wallet: simulates first (so a bet the contract would refuse
/// fails with its reason before the wallet asks for a signature), calls `onHash` as soon as the
/// wallet returns the transaction hash, then waits for the receipt. Throws on rejection or on a
/// failed simulation; a mined but reverted transaction resolves with status "reverted".
export async function placeBet(
  provider: Eip1193Provider,
  bet: BetRequest,
  onHash: (hash: Hash) => void,
): Promise<BetReceipt> {
  const chain = chainFor(bet.chainId);
  const transport = custom(provider as Parameters<typeof custom>[0]);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 1000 });
  const walletClient = createWalletClient({ chain, transport, account: bet.account });
  const { request } = await publicClient.simulateContract({
    address: bet.contract,
    abi: LOTTERY_ABI,
    functionName: "placeBet",
    value: bet.valueWei,
    account: bet.account,
  });
  const hash = await walletClient.writeContract(request);
  onHash(hash);
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 1000, timeout: 180_000 });
  return { hash, status: receipt.status, blockNumber: receipt.blockNumber };
}
