// SPDX-License-Identifier: Apache-2.0
import { roundTiming } from "../lib/countdown";
import { describeSeconds, formatDuration, formatUtc } from "../lib/format";
import { currentPot, type LotteryData, type ParticipantRow } from "../lib/state";
import { formatEth, percentOf, weiOrZero } from "../lib/wei";

interface Props {
  data: LotteryData;
  chainNow: number | undefined;
  rows: ParticipantRow[];
  connected: boolean;
}

export function RoundPanel({ data, chainNow, rows, connected }: Props) {
  const round = data.round;
  const timing = roundTiming(round, chainNow);
  const pot = currentPot(data);
  const mine = rows.find((r) => r.mine);
  const config = data.config?.config ?? undefined;
  const minBet = config ? weiOrZero(config.minBet) : undefined;

  return (
    <section className="card round" aria-labelledby="round-title">
      <h2 id="round-title">
        {round ? `Round #${round.round_id}` : "Current round"}{" "}
        <span className={`badge state-${timing.phase}`} data-testid="round-state">
          {round?.state_label ?? "…"}
        </span>
      </h2>

      <div className="countdown" aria-live="polite" data-testid="countdown">
        <span className="label">{timing.label}</span>
        {timing.secondsLeft !== undefined && (
          <span className="time" role="timer">
            {formatDuration(timing.secondsLeft)}
          </span>
        )}
      </div>
      {timing.phase === "betting" && timing.drawOpensIn !== undefined && (
        <p className="muted small">Draw window opens in {formatDuration(timing.drawOpensIn)}</p>
      )}
      {timing.phase === "waiting" && config && (
        <p className="muted small">Betting then stays open for {describeSeconds(config.bettingDuration)}.</p>
      )}

      <dl className="stats">
        <div>
          <dt>Pot</dt>
          <dd data-testid="pot">{formatEth(pot)} ETH</dd>
        </div>
        <div>
          <dt>Players</dt>
          <dd data-testid="player-count">{round?.participant_count ?? 0}</dd>
        </div>
        <div>
          <dt>My stake</dt>
          <dd data-testid="my-stake">{connected ? `${formatEth(mine?.stakeWei ?? 0n)} ETH` : "—"}</dd>
        </div>
        <div>
          <dt>My chance</dt>
          <dd data-testid="my-chance">{connected ? `${percentOf(mine?.stakeWei ?? 0n, pot)} %` : "—"}</dd>
        </div>
      </dl>
      <p className="muted small">
        {minBet !== undefined && <>Minimum bet {formatEth(minBet)} ETH · </>}
        {config && <>commission {(config.publisherCommission / 100).toFixed(2)} % · </>}
        chain time {chainNow !== undefined ? formatUtc(chainNow) : "—"}
      </p>
    </section>
  );
}
