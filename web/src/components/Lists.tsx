// SPDX-License-Identifier: Apache-2.0
// Participants table and activity feed.
import type { Activity } from "../lib/api";
import { shortAddress, shortHash, timeAgo } from "../lib/format";
import type { ParticipantRow } from "../lib/state";
import { formatEth } from "../lib/wei";

export function ParticipantsPanel({ rows }: { rows: ParticipantRow[] }) {
  return (
    <section className="card" aria-labelledby="players-title">
      <h2 id="players-title">Players ({rows.length})</h2>
      {rows.length === 0 ? (
        <p className="muted">No bets yet in this round.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="participants">
            <thead>
              <tr>
                <th scope="col">Player</th>
                <th scope="col" className="num">
                  Stake (ETH)
                </th>
                <th scope="col" className="num">
                  Chance
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.address} className={row.mine ? "mine" : undefined} data-address={row.address.toLowerCase()}>
                  <td>
                    <span title={row.address}>{shortAddress(row.address)}</span>
                    {row.mine && <span className="you"> (you)</span>}
                  </td>
                  <td className="num">{formatEth(row.stakeWei)}</td>
                  <td className="num">{row.chance} %</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ActivityPanel({ activities, chainNow }: { activities: Activity[]; chainNow: number | undefined }) {
  return (
    <section className="card" aria-labelledby="feed-title">
      <h2 id="feed-title">Live activity</h2>
      {activities.length === 0 ? (
        <p className="muted">Nothing has happened yet.</p>
      ) : (
        <ol className="feed" data-testid="activity-feed" aria-live="polite" aria-relevant="additions">
          {activities.map((a) => (
            <li key={String(a.activity_id)} className={`feed-item type-${a.activity_type}`}>
              <span className="msg">{a.message}</span>
              <span className="meta">
                {chainNow !== undefined ? timeAgo(a.timestamp, chainNow) : ""} · block {a.block_number}
                {a.tx_hash && (
                  <>
                    {" "}
                    · <code title={a.tx_hash}>{shortHash(a.tx_hash)}</code>
                  </>
                )}
                {!a.final && <span className="unconfirmed"> · unconfirmed</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
