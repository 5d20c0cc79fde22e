// SPDX-License-Identifier: Apache-2.0
import { useEffect, useMemo, useRef } from "react";
import { AttestationPanel } from "./components/AttestationPanel";
import { BetPanel } from "./components/BetPanel";
import { HistoryPanel } from "./components/HistoryPanel";
import { ActivityPanel, ParticipantsPanel } from "./components/Lists";
import { RoundPanel } from "./components/RoundPanel";
import { WalletBar } from "./components/WalletBar";
import { useLottery } from "./hooks/useLottery";
import { useWallet } from "./hooks/useWallet";
import { roundTiming } from "./lib/countdown";
import { formatDuration } from "./lib/format";
import { participantRows } from "./lib/state";
import { weiOrZero } from "./lib/wei";

export function App() {
  const { data, feed, backendOnline, chainNow, retryNow } = useLottery();
  const wallet = useWallet();
  const rows = useMemo(() => participantRows(data, wallet.address), [data, wallet.address]);
  const timing = roundTiming(data.round, chainNow);
  const configView = data.config;
  const expectedChainId = configView?.chain_id || undefined;
  const minBetWei = configView?.config ? weiOrZero(configView.config.minBet) : undefined;

  // New bets and finished rounds move the player's balance: refresh it when they happen.
  const refreshBalance = wallet.refreshBalance;
  const lastActivity = data.activities[0]?.activity_id;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    refreshBalance();
  }, [lastActivity, refreshBalance]);

  const status =
    feed.status === "live" ? "live" : !backendOnline ? "offline" : feed.status === "connecting" ? "connecting" : "reconnecting";

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <h1>Enclave Lottery</h1>
        <span className={`pill ${status}`} role="status" data-testid="feed-status">
          {status === "live" && "● Live"}
          {status === "connecting" && "Connecting…"}
          {status === "reconnecting" &&
            `Reconnecting${feed.retryInMs ? ` in ${formatDuration(Math.ceil(feed.retryInMs / 1000))}` : "…"} (REST fallback)`}
          {status === "offline" && "Offline"}
        </span>
      </header>
      {!backendOnline && (
        <div className="banner" role="alert" data-testid="offline-banner">
          <span>The lottery service is unreachable. Showing the last known state; retrying automatically.</span>
          <button type="button" onClick={retryNow}>
            Retry now
          </button>
        </div>
      )}
      <main id="main">
        <WalletBar wallet={wallet} expectedChainId={expectedChainId} />
        <div className="grid">
          <RoundPanel data={data} chainNow={chainNow} rows={rows} connected={wallet.status === "connected"} />
          <BetPanel
            wallet={wallet}
            timing={timing}
            minBetWei={minBetWei}
            contract={configView?.contract_address}
            chainId={expectedChainId}
          />
          <ParticipantsPanel rows={rows} />
          <ActivityPanel activities={data.activities} chainNow={chainNow} />
          <HistoryPanel rounds={data.history} summary={data.summary} me={wallet.address} />
          <AttestationPanel />
        </div>
      </main>
      <footer className="muted small">
        {configView?.contract_address && (
          <>
            Contract <code>{configView.contract_address}</code> on chain {configView.chain_id} ·{" "}
          </>
        )}
        The chain is the source of truth; every draw can be re-checked from its seed.
      </footer>
    </>
  );
}
