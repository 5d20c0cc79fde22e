// SPDX-License-Identifier: Apache-2.0
import type { Wallet } from "../hooks/useWallet";
import { shortAddress } from "../lib/format";
import { formatEth } from "../lib/wei";

interface Props {
  wallet: Wallet;
  expectedChainId: number | undefined;
}

export function chainName(chainId: number | undefined): string {
  switch (chainId) {
    case undefined:
      return "unknown network";
    case 1:
      return "Ethereum mainnet";
    case 11155111:
      return "Sepolia";
    case 17000:
      return "Holesky";
    case 31337:
      return "local Anvil (31337)";
    default:
      return `chain ${chainId}`;
  }
}

export function WalletBar({ wallet, expectedChainId }: Props) {
  const wrongChain =
    wallet.status === "connected" &&
    expectedChainId !== undefined &&
    wallet.chainId !== undefined &&
    wallet.chainId !== expectedChainId;

  return (
    <section className="wallet" aria-label="Wallet">
      {wallet.status === "none" && (
        <p className="notice" role="status" data-testid="no-wallet">
          No Ethereum wallet found in this browser. Install MetaMask (or open this page in a wallet app) to
          bet — you can still watch the lottery.
        </p>
      )}
      {(wallet.status === "disconnected" || wallet.status === "connecting") && (
        <button
          type="button"
          className="primary"
          onClick={() => void wallet.connect()}
          disabled={wallet.status === "connecting"}
        >
          {wallet.status === "connecting" ? "Check your wallet…" : "Connect wallet"}
        </button>
      )}
      {wallet.status === "connected" && wallet.address && (
        <div className="account">
          <span className="addr" title={wallet.address} data-testid="wallet-address">
            {shortAddress(wallet.address)}
          </span>
          <span className="balance" data-testid="wallet-balance">
            {wallet.balanceWei === undefined ? "…" : `${formatEth(wallet.balanceWei, 4)} ETH`}
          </span>
          <button type="button" onClick={wallet.disconnect}>
            Disconnect
          </button>
        </div>
      )}
      {wrongChain && (
        <div className="alert warn" role="alert" data-testid="wrong-chain">
          <p>
            Your wallet is on {chainName(wallet.chainId)}, but this lottery runs on {chainName(expectedChainId)}.
          </p>
          <button
            type="button"
            className="primary"
            disabled={wallet.switching}
            onClick={() => expectedChainId !== undefined && void wallet.switchChain(expectedChainId)}
          >
            {wallet.switching ? "Switching…" : `Switch to ${chainName(expectedChainId)}`}
          </button>
        </div>
      )}
      {wallet.error && (
        <p className="alert error" role="alert" data-testid="wallet-error">
          {wallet.error}
        </p>
      )}
    </section>
  );
}
