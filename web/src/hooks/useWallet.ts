// SPDX-License-Identifier: Apache-2.0
// The player's wallet: connection, account, chain and balance, with readable errors.

import { useCallback, useEffect, useState } from "react";
import {
  getBalance,
  injectedProvider,
  parseChainId,
  switchToChain,
  walletErrorMessage,
  type Eip1193Provider,
} from "../lib/wallet";

export type WalletStatus = "none" | "disconnected" | "connecting" | "connected";

export interface WalletState {
  provider: Eip1193Provider | undefined;
  status: WalletStatus;
  address: string | undefined;
  chainId: number | undefined;
  balanceWei: bigint | undefined;
  error: string | undefined;
  switching: boolean;
}

export interface Wallet extends WalletState {
  connect(): Promise<void>;
  disconnect(): void;
  switchChain(chainId: number): Promise<void>;
  refreshBalance(): void;
}

const DISCONNECTED_KEY = "lottery.wallet.disconnected";
const RPC_URL_HINT = import.meta.env.VITE_CHAIN_RPC_URL as string | undefined;

function rememberDisconnected(value: boolean): void {
  try {
    if (value) localStorage.setItem(DISCONNECTED_KEY, "1");
    else localStorage.removeItem(DISCONNECTED_KEY);
  } catch {
    // storage disabled: nothing to remember
  }
}

function wasDisconnected(): boolean {
  try {
    return localStorage.getItem(DISCONNECTED_KEY) === "1";
  } catch {
    return false;
  }
}

export function useWallet(): Wallet {
  const [state, setState] = useState<WalletState>(() => {
    const provider = injectedProvider();
    return {
      provider,
      status: provider ? "disconnected" : "none",
      address: undefined,
      chainId: undefined,
      balanceWei: undefined,
      error: undefined,
      switching: false,
    };
  });
  const { provider, address } = state;

  // Wallets may inject after the page script runs (MetaMask announces it with this event).
  useEffect(() => {
    if (provider) return;
    const found = () => {
      const p = injectedProvider();
      if (p) setState((s) => ({ ...s, provider: p, status: "disconnected" }));
    };
    window.addEventListener("ethereum#initialized", found, { once: true });
    const timer = setTimeout(found, 1000);
    return () => {
      window.removeEventListener("ethereum#initialized", found);
      clearTimeout(timer);
    };
  }, [provider]);

  const readChain = useCallback(async (p: Eip1193Provider) => {
    const chainId = parseChainId(await p.request({ method: "eth_chainId" }));
    setState((s) => ({ ...s, chainId }));
  }, []);

  const adoptAccounts = useCallback(
    (accounts: unknown) => {
      const list = Array.isArray(accounts) ? (accounts as string[]) : [];
      const first = list[0];
      setState((s) =>
        first
          ? { ...s, address: first, status: "connected", error: undefined }
          : { ...s, address: undefined, balanceWei: undefined, status: s.provider ? "disconnected" : "none" },
      );
    },
    [],
  );

  // Restore a connection the wallet already authorised (unless the player disconnected here),
  // and follow account and chain changes made in the wallet.
  useEffect(() => {
    if (!provider) return;
    if (!wasDisconnected()) {
      provider
        .request({ method: "eth_accounts" })
        .then((accounts) => {
          adoptAccounts(accounts);
          if (Array.isArray(accounts) && accounts.length) return readChain(provider);
          return undefined;
        })
        .catch(() => undefined);
    }
    const onAccounts = (accounts: unknown) => {
      if (wasDisconnected()) return;
      adoptAccounts(accounts);
    };
    const onChain = (chainId: unknown) => setState((s) => ({ ...s, chainId: parseChainId(chainId), error: undefined }));
    provider.on?.("accountsChanged", onAccounts);
    provider.on?.("chainChanged", onChain);
    return () => {
      provider.removeListener?.("accountsChanged", onAccounts);
      provider.removeListener?.("chainChanged", onChain);
    };
  }, [provider, adoptAccounts, readChain]);

  const refreshBalance = useCallback(() => {
    if (!provider || !address) return;
    getBalance(provider, address)
      .then((balanceWei) => setState((s) => (s.address === address ? { ...s, balanceWei } : s)))
      .catch(() => undefined);
  }, [provider, address]);

  useEffect(() => {
    refreshBalance();
  }, [refreshBalance, state.chainId]);

  const connect = useCallback(async () => {
    if (!provider) {
      setState((s) => ({ ...s, error: "No wallet found. Install MetaMask or another Ethereum wallet to bet." }));
      return;
    }
    setState((s) => ({ ...s, status: "connecting", error: undefined }));
    try {
      const accounts = await provider.request({ method: "eth_requestAccounts" });
      rememberDisconnected(false);
      adoptAccounts(accounts);
      if (!Array.isArray(accounts) || accounts.length === 0) {
        setState((s) => ({ ...s, status: "disconnected", error: "The wallet shared no account." }));
        return;
      }
      await readChain(provider);
    } catch (err) {
      setState((s) => ({ ...s, status: "disconnected", error: walletErrorMessage(err) }));
    }
  }, [provider, adoptAccounts, readChain]);

  const disconnect = useCallback(() => {
    rememberDisconnected(true);
    // Wallets that support it forget the permission too; the others just stop being used here.
    provider
      ?.request({ method: "wallet_revokePermissions", params: [{ eth_accounts: {} }] })
      .catch(() => undefined);
    setState((s) => ({
      ...s,
      status: s.provider ? "disconnected" : "none",
      address: undefined,
      balanceWei: undefined,
      error: undefined,
    }));
  }, [provider]);

  const switchChain = useCallback(
    async (chainId: number) => {
      if (!provider) return;
      setState((s) => ({ ...s, switching: true, error: undefined }));
      try {
        await switchToChain(provider, chainId, RPC_URL_HINT);
        await readChain(provider);
        setState((s) => ({ ...s, switching: false }));
      } catch (err) {
        setState((s) => ({ ...s, switching: false, error: walletErrorMessage(err) }));
      }
    },
    [provider, readChain],
  );

  return { ...state, connect, disconnect, switchChain, refreshBalance };
}
