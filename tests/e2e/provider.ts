// SPDX-License-Identifier: Apache-2.0
// An EIP-1193 provider injected into the page in place of MetaMask. Wallet methods
// (accounts, chain switching) are answered in the page like a wallet would; every other call is
// forwarded through a Playwright binding to the real Anvil node, whose dev accounts are unlocked,
// so eth_sendTransaction is signed and mined by Anvil itself.

export interface InjectedWalletConfig {
  /// The account the wallet exposes.
  account: string;
  /// The chain the wallet starts on.
  chainId: number;
  /// Chains the wallet knows (wallet_switchEthereumChain to others fails with 4902).
  knownChains: number[];
  /// The first eth_requestAccounts is rejected with 4001 (the player clicks "Cancel").
  rejectFirstConnect?: boolean;
  /// The chain id of the node the binding forwards to.
  nodeChainId: number;
  /// Name of the binding that forwards JSON-RPC to the node.
  binding: string;
}

export interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/// Runs in the page (serialised by Playwright's addInitScript): no closures over Node values.
export function installInjectedWallet(cfg: InjectedWalletConfig): void {
  type Listener = (arg: unknown) => void;
  const w = window as unknown as Record<string, unknown>;
  const listeners = new Map<string, Set<Listener>>();
  const known = new Set(cfg.knownChains);
  let chainId = cfg.chainId;
  let authorized = false;
  let rejectNext = cfg.rejectFirstConnect === true;
  const calls: string[] = [];
  w.__walletCalls = calls;

  const hex = (n: number) => `0x${n.toString(16)}`;
  const fail = (code: number, message: string, data?: unknown) => Object.assign(new Error(message), { code, data });
  const emit = (event: string, arg: unknown) => {
    // Wallets emit asynchronously, after the request that caused the event has resolved.
    setTimeout(() => listeners.get(event)?.forEach((fn) => fn(arg)), 0);
  };
  const forward = w[cfg.binding] as (method: string, params: unknown) => Promise<RpcAnswer>;

  const provider = {
    isE2EWallet: true,
    async request(args: { method: string; params?: unknown }): Promise<unknown> {
      const { method } = args;
      const params = (args.params ?? []) as unknown[];
      calls.push(method);
      switch (method) {
        case "eth_requestAccounts":
          if (rejectNext) {
            rejectNext = false;
            throw fail(4001, "User rejected the request.");
          }
          authorized = true;
          return [cfg.account];
        case "eth_accounts":
          return authorized ? [cfg.account] : [];
        case "eth_chainId":
          return hex(chainId);
        case "net_version":
          return String(chainId);
        case "wallet_revokePermissions":
          authorized = false;
          return null;
        case "wallet_switchEthereumChain": {
          const id = Number.parseInt((params[0] as { chainId: string }).chainId, 16);
          if (!known.has(id)) throw fail(4902, `Unrecognized chain ID "${hex(id)}". Try adding the chain first.`);
          if (id !== chainId) {
            chainId = id;
            emit("chainChanged", hex(id));
          }
          return null;
        }
        case "wallet_addEthereumChain": {
          const id = Number.parseInt((params[0] as { chainId: string }).chainId, 16);
          known.add(id);
          if (id !== chainId) {
            chainId = id;
            emit("chainChanged", hex(id));
          }
          return null;
        }
        case "eth_sendTransaction": {
          if (!authorized) throw fail(4100, "The requested account has not been authorized by the user.");
          const tx = params[0] as { from?: string };
          if (!tx.from || tx.from.toLowerCase() !== cfg.account.toLowerCase()) throw fail(4100, "Unknown sender.");
          // The node behind this wallet is the test's Anvil: a UI that sends while the wallet is
          // on another chain is a bug, and a real wallet would send it to the wrong network.
          if (chainId !== cfg.nodeChainId) throw fail(4901, `The wallet is on chain ${chainId}, not ${cfg.nodeChainId}.`);
          break;
        }
        default:
          break;
      }
      const answer = await forward(method, params);
      if (answer.error) throw fail(answer.error.code, answer.error.message, answer.error.data);
      return answer.result;
    },
    on(event: string, fn: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(fn);
    },
    removeListener(event: string, fn: Listener) {
      listeners.get(event)?.delete(fn);
    },
  };
  w.ethereum = provider;
}

/// The init script for a page: the provider source plus a shim for the `__name` helper that the
/// TypeScript loader may insert into serialised functions.
export function injectedWalletScript(cfg: InjectedWalletConfig): string {
  return `var __name = (fn) => fn;\n(${installInjectedWallet.toString()})(${JSON.stringify(cfg)});`;
}
