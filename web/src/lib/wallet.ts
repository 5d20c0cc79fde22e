// SPDX-License-Identifier: Apache-2.0
// EIP-1193 wallet access (MetaMask and friends) and the placeBet transaction through viem.

// viem (and its size) is only loaded when a bet is sent: see bet.ts.

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): void;
  removeListener?(event: string, listener: (...args: unknown[]) => void): void;
}

/// The wallet the browser injected, if any.
export function injectedProvider(): Eip1193Provider | undefined {
  const eth = (globalThis as { ethereum?: Eip1193Provider }).ethereum;
  return eth && typeof eth.request === "function" ? eth : undefined;
}

/// EIP-1193 / EIP-1474 error codes the UI tells apart.
export const ErrorCode = {
  userRejected: 4001,
  unauthorized: 4100,
  unsupportedMethod: 4200,
  disconnected: 4900,
  chainDisconnected: 4901,
  unknownChain: 4902,
  requestPending: -32002,
} as const;

function codeOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "number") return code;
  // Some wallets nest the original error.
  const inner = (err as { data?: { originalError?: unknown }; cause?: unknown }).data?.originalError;
  return inner ? codeOf(inner) : undefined;
}

/// Finds an EIP-1193 error code anywhere in an error chain (viem wraps provider errors).
export function providerErrorCode(err: unknown): number | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current; depth += 1) {
    const code = codeOf(current);
    if (code !== undefined && code !== 0) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/// One sentence a player can act on, for any error a wallet or the contract returns.
export function walletErrorMessage(err: unknown): string {
  const code = providerErrorCode(err);
  if (code === ErrorCode.userRejected) return "You rejected the request in your wallet.";
  if (code === ErrorCode.requestPending) {
    return "Your wallet already has a request open for this site — finish it in the wallet first.";
  }
  if (code === ErrorCode.unauthorized) return "The wallet has not authorised this site. Connect again.";
  if (code === ErrorCode.unknownChain) return "Your wallet does not know this network yet.";
  if (code === ErrorCode.disconnected || code === ErrorCode.chainDisconnected) {
    return "Your wallet is disconnected from the network.";
  }
  // viem errors (BaseError and subclasses) are recognised by shape so this module does not
  // have to load viem: `walk` the cause chain for a revert reason, else use `shortMessage`.
  const chain = causes(err);
  for (const e of chain) {
    const reason = (e as { reason?: unknown }).reason;
    if ((e as { name?: unknown }).name === "ContractFunctionRevertedError" && typeof reason === "string" && reason) {
      return `The contract refused the bet: ${reason}.`;
    }
  }
  const texts = chain.flatMap((e) => [(e as { details?: unknown }).details, (e as { message?: unknown }).message]);
  for (const text of texts) {
    if (typeof text !== "string") continue;
    const reverted = /execution reverted:?\s*([^\n]+)/i.exec(text);
    if (reverted?.[1] && !/^\s*$/.test(reverted[1])) {
      return `The contract refused the bet: ${reverted[1].trim().replace(/\.$/, "")}.`;
    }
    if (/insufficient funds/i.test(text)) return "Your balance is too low for this bet and its gas.";
  }
  const first = chain[0] as { shortMessage?: unknown; message?: unknown } | undefined;
  if (typeof first?.shortMessage === "string" && first.shortMessage) return first.shortMessage;
  if (typeof first?.message === "string" && first.message) return first.message;
  return typeof err === "string" && err ? err : "The wallet request failed.";
}

/// The error and its `cause` chain (at most 8 deep).
function causes(err: unknown): object[] {
  const out: object[] = [];
  let current: unknown = err;
  while (typeof current === "object" && current !== null && out.length < 8) {
    out.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

/// Well-known networks' display data for wallet_addEthereumChain.
export const KNOWN_CHAINS: Record<number, { name: string; rpc: string; explorer?: string }> = {
  1: { name: "Ethereum", rpc: "https://ethereum-rpc.publicnode.com", explorer: "https://etherscan.io" },
  11155111: { name: "Sepolia", rpc: "https://ethereum-sepolia-rpc.publicnode.com", explorer: "https://sepolia.etherscan.io" },
  17000: { name: "Holesky", rpc: "https://ethereum-holesky-rpc.publicnode.com", explorer: "https://holesky.etherscan.io" },
  31337: { name: "Anvil (local)", rpc: "http://127.0.0.1:8545" },
};

export function hexChainId(chainId: number): `0x${string}` {
  return `0x${chainId.toString(16)}`;
}

/// Parameters for wallet_addEthereumChain. `rpcUrl` (VITE_CHAIN_RPC_URL at build time) wins
/// over the built-in defaults.
export function addChainParams(chainId: number, rpcUrl?: string): Record<string, unknown> {
  const known = KNOWN_CHAINS[chainId];
  const rpc = rpcUrl || known?.rpc;
  return {
    chainId: hexChainId(chainId),
    chainName: known?.name ?? `Chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: rpc ? [rpc] : [],
    ...(known?.explorer ? { blockExplorerUrls: [known.explorer] } : {}),
  };
}

/// Asks the wallet to switch to `chainId`; when it does not know the chain (4902), asks it to
/// add the chain (which also switches). Throws the wallet's error otherwise.
export async function switchToChain(provider: Eip1193Provider, chainId: number, rpcUrl?: string): Promise<void> {
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: hexChainId(chainId) }] });
  } catch (err) {
    if (providerErrorCode(err) !== ErrorCode.unknownChain) throw err;
    await provider.request({ method: "wallet_addEthereumChain", params: [addChainParams(chainId, rpcUrl)] });
  }
}

/// Parses eth_chainId's answer ("0x7a69") to a number.
export function parseChainId(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value !== "string") return undefined;
  try {
    const n = Number(BigInt(value));
    return Number.isSafeInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export async function getBalance(provider: Eip1193Provider, account: string): Promise<bigint> {
  const value = await provider.request({ method: "eth_getBalance", params: [account, "latest"] });
  return BigInt(value as string);
}
