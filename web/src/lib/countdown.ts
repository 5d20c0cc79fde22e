// SPDX-License-Identifier: Apache-2.0
// Countdowns from chain time. The contract decides with block timestamps, so the UI anchors its
// clock on the chain time the service reports (every message carries it) and only uses the
// browser's monotonic clock to advance between reports. A wrong browser clock cannot move it.

import { RoundState, type RoundStatus } from "./api";

/// Estimates the current chain time from the last reported block time.
export class ChainClock {
  private anchorChain: number | undefined;
  private anchorLocalMs = 0;

  /// Reports that are behind the current estimate by at most this much are ignored, so the
  /// countdown never ticks backwards when a slightly stale message arrives; a larger gap (the
  /// chain really is behind, e.g. a stalled dev chain) resets the estimate.
  constructor(private readonly maxBackwardsSeconds = 30) {}

  /// Records that the chain's latest block time was `chainTime` (unix seconds) at local
  /// monotonic time `localMs` (e.g. performance.now()).
  observe(chainTime: number, localMs: number): void {
    if (!Number.isFinite(chainTime) || chainTime <= 0) return;
    const estimate = this.now(localMs);
    if (estimate === undefined || chainTime > estimate || estimate - chainTime > this.maxBackwardsSeconds) {
      this.anchorChain = chainTime;
      this.anchorLocalMs = localMs;
    }
  }

  /// Estimated chain time in whole seconds, or undefined before the first report.
  now(localMs: number): number | undefined {
    if (this.anchorChain === undefined) return undefined;
    return this.anchorChain + Math.max(0, Math.floor((localMs - this.anchorLocalMs) / 1000));
  }
}

export type Phase =
  | "unknown"
  | "waiting" // no bets yet: the first bet starts the round
  | "betting" // bets accepted until end_time
  | "closed" // betting over, draw window not open yet
  | "drawing" // draw window open: the operator draws
  | "expired" // draw window passed: anyone may refund
  | "finished"; // DRAWING/COMPLETED/REFUNDED (only seen inside a closing transaction)

export interface RoundTiming {
  phase: Phase;
  /// What the countdown counts down to, for the UI.
  label: string;
  /// Seconds left until the next phase (undefined when nothing is scheduled).
  secondsLeft: number | undefined;
  /// Seconds until the draw window opens (undefined when not applicable).
  drawOpensIn: number | undefined;
  /// Whether a bet sent now should be accepted by the contract.
  bettingOpen: boolean;
}

/// Where a round is in its life at chain time `now` (contract rules: bets while
/// start_time <= t <= end_time; draw in [min_draw_time, max_draw_time]).
export function roundTiming(round: RoundStatus | undefined, now: number | undefined): RoundTiming {
  const none = { secondsLeft: undefined, drawOpensIn: undefined };
  if (!round || now === undefined) {
    return { phase: "unknown", label: "Waiting for the chain…", bettingOpen: false, ...none };
  }
  switch (round.state) {
    case RoundState.WAITING:
      return { phase: "waiting", label: "The first bet starts the round", bettingOpen: true, ...none };
    case RoundState.BETTING:
      break;
    default:
      return { phase: "finished", label: "Round is closing", bettingOpen: false, ...none };
  }
  if (now <= round.end_time) {
    return {
      phase: "betting",
      label: "Betting closes in",
      secondsLeft: round.end_time - now + 1,
      drawOpensIn: round.min_draw_time - now,
      // A bet is mined in a later block; still allow it, the contract has the final word.
      bettingOpen: now >= round.start_time,
    };
  }
  if (now < round.min_draw_time) {
    return {
      phase: "closed",
      label: "Draw window opens in",
      secondsLeft: round.min_draw_time - now,
      drawOpensIn: round.min_draw_time - now,
      bettingOpen: false,
    };
  }
  if (now <= round.max_draw_time) {
    return {
      phase: "drawing",
      label: "Drawing — window closes in",
      secondsLeft: round.max_draw_time - now + 1,
      drawOpensIn: 0,
      bettingOpen: false,
    };
  }
  return { phase: "expired", label: "Draw window passed — refund due", bettingOpen: false, ...none };
}
