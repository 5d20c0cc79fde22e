// SPDX-License-Identifier: Apache-2.0
// Finished rounds with their winner, prize, seed and the service's re-computation of the draw,
// plus a small chart of recent pots.
import { useEffect, useState } from "react";
import { getJson, type FinishedRound, type HistorySummary, type VerifyResult } from "../lib/api";
import { formatUtc, sameAddress, shortAddress, shortHash } from "../lib/format";
import { formatEth, weiOrZero } from "../lib/wei";

type VerifyState = { kind: "loading" } | { kind: "done"; result: VerifyResult } | { kind: "error"; message: string };

// Finished rounds never change (short of a reorg, which changes the round's tx hash), so a
// result is cached per round and transaction for the page's lifetime.
const verifyCache = new Map<string, VerifyResult>();

function useVerify(round: FinishedRound): [VerifyState, () => void] {
  const key = `${round.round_id}:${round.tx_hash}`;
  const cached = verifyCache.get(key);
  const [state, setState] = useState<VerifyState>(cached ? { kind: "done", result: cached } : { kind: "loading" });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (verifyCache.has(key)) {
      setState({ kind: "done", result: verifyCache.get(key)! });
      return;
    }
    let cancelled = false;
    setState({ kind: "loading" });
    getJson<VerifyResult>(`/api/verify/${round.round_id}`)
      .then((result) => {
        verifyCache.set(key, result);
        if (!cancelled) setState({ kind: "done", result });
      })
      .catch((err: unknown) => {
        if (!cancelled) setState({ kind: "error", message: err instanceof Error ? err.message : String(err) });
      });
    return () => {
      cancelled = true;
    };
  }, [key, round.round_id, attempt]);
  return [state, () => setAttempt((n) => n + 1)];
}

function VerifyBadge({ round }: { round: FinishedRound }) {
  const [state, retry] = useVerify(round);
  if (state.kind === "loading") return <span className="verify muted">verifying…</span>;
  if (state.kind === "error") {
    return (
      <span className="verify warn">
        verify unavailable ({state.message}){" "}
        <button type="button" className="link" onClick={retry}>
          retry
        </button>
      </span>
    );
  }
  const r = state.result;
  if (r.match && sameAddress(r.expected_winner, round.winner)) {
    return (
      <span className="verify ok" data-testid="verify-ok" title={`Seed ${r.random_seed} over ${formatEth(weiOrZero(r.total_pot_wei))} ETH picks ${r.expected_winner ?? ""}`}>
        ✓ verified: the seed picks this winner
      </span>
    );
  }
  return (
    <span className="verify bad" data-testid="verify-mismatch">
      ✗ mismatch: seed picks {shortAddress(r.expected_winner)}, chain says {shortAddress(r.onchain_winner)}
      {r.bets_complete === false && " (the service does not know all bets of this round)"}
    </span>
  );
}

export function PotChart({ rounds }: { rounds: FinishedRound[] }) {
  const recent = rounds.slice(0, 12).reverse();
  if (recent.length === 0) return null;
  const pots = recent.map((r) => weiOrZero(r.total_pot_wei));
  const max = pots.reduce((m, p) => (p > m ? p : m), 0n);
  const width = 300;
  const height = 80;
  const slot = width / recent.length;
  const label = `Pots of the last ${recent.length} rounds: ${recent
    .map((r, i) => `round ${r.round_id} ${formatEth(pots[i] ?? 0n, 4)} ETH`)
    .join(", ")}`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height + 14}`} role="img" aria-label={label} preserveAspectRatio="none">
        {recent.map((r, i) => {
          const pot = pots[i] ?? 0n;
          // Ratio in thousandths from bigints; only the bar height is a float.
          const ratio = max > 0n ? Number((pot * 1000n) / max) / 1000 : 0;
          const h = Math.max(2, ratio * height);
          return (
            <g key={r.round_id}>
              <rect
                x={i * slot + slot * 0.15}
                y={height - h}
                width={slot * 0.7}
                height={h}
                className={r.event_type === "RoundCompleted" ? "bar" : "bar refunded"}
              >
                <title>{`Round ${r.round_id}: ${formatEth(pot)} ETH`}</title>
              </rect>
              <text x={i * slot + slot / 2} y={height + 12} textAnchor="middle" className="axis">
                {r.round_id}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small">Pot per round (ETH), oldest left · max {formatEth(max, 4)} ETH</figcaption>
    </figure>
  );
}

export function HistoryPanel({ rounds, summary, me }: { rounds: FinishedRound[]; summary: HistorySummary | undefined; me: string | undefined }) {
  return (
    <section className="card history" aria-labelledby="history-title">
      <h2 id="history-title">Finished rounds</h2>
      {summary && (
        <p className="muted small">
          {summary.completed_rounds} drawn · {summary.refunded_rounds} refunded · volume{" "}
          {formatEth(weiOrZero(summary.total_volume_wei), 4)} ETH
        </p>
      )}
      <PotChart rounds={rounds} />
      {rounds.length === 0 ? (
        <p className="muted">No finished rounds yet.</p>
      ) : (
        <ol className="rounds" data-testid="history">
          {rounds.slice(0, 20).map((r) => (
            <li key={`${r.round_id}:${r.tx_hash}`} data-round={r.round_id}>
              <div className="round-head">
                <strong>Round #{r.round_id}</strong>
                <span className="muted small">{formatUtc(r.finished_at)}</span>
              </div>
              {r.event_type === "RoundCompleted" ? (
                <>
                  <p>
                    Winner{" "}
                    <span title={r.winner ?? ""} data-testid="history-winner">
                      {shortAddress(r.winner)}
                    </span>
                    {sameAddress(r.winner, me) && <strong className="you"> — that's you!</strong>} won{" "}
                    <strong>{formatEth(weiOrZero(r.winner_prize_wei))} ETH</strong> of a{" "}
                    {formatEth(weiOrZero(r.total_pot_wei))} ETH pot ({r.participant_count} players).
                  </p>
                  <p className="small">
                    Seed <code title={r.random_seed ?? ""}>{shortHash(r.random_seed)}</code> · <VerifyBadge round={r} />
                  </p>
                </>
              ) : (
                <p>
                  Refunded {formatEth(weiOrZero(r.total_pot_wei))} ETH to {r.participant_count} players
                  {r.refund_reason ? ` — ${r.refund_reason}` : ""}.
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
