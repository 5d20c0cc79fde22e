// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from "vitest";
import type { RoundStatus } from "../src/lib/api";
import { ChainClock, roundTiming } from "../src/lib/countdown";

function round(overrides: Partial<RoundStatus>): RoundStatus {
  return {
    round_id: 1,
    state: 1,
    state_name: "betting",
    state_label: "BETTING",
    start_time: 1000,
    end_time: 1180,
    min_draw_time: 1185,
    max_draw_time: 1360,
    total_pot: "0",
    participant_count: 0,
    winner: null,
    publisher_commission: "0",
    winner_prize: "0",
    participants: [],
    chain_time: 1000,
    ...overrides,
  };
}

describe("ChainClock", () => {
  it("is unknown before the first report", () => {
    expect(new ChainClock().now(5000)).toBeUndefined();
  });

  it("advances from the reported chain time with the local monotonic clock", () => {
    const clock = new ChainClock();
    clock.observe(1000, 50_000);
    expect(clock.now(50_000)).toBe(1000);
    expect(clock.now(50_999)).toBe(1000);
    expect(clock.now(51_000)).toBe(1001);
    expect(clock.now(110_000)).toBe(1060);
  });

  it("ignores the browser's wall clock entirely", () => {
    // The anchor is chain time: a local clock that is days off changes nothing.
    const clock = new ChainClock();
    clock.observe(1_700_000_000, 0);
    expect(clock.now(3000)).toBe(1_700_000_003);
  });

  it("jumps forward when the chain is ahead (evm_increaseTime, slow ticks)", () => {
    const clock = new ChainClock();
    clock.observe(1000, 0);
    clock.observe(1200, 2000);
    expect(clock.now(2000)).toBe(1200);
  });

  it("does not tick backwards for slightly stale reports", () => {
    const clock = new ChainClock(30);
    clock.observe(1000, 0);
    clock.observe(1005, 10_000); // estimate was 1010
    expect(clock.now(10_000)).toBe(1010);
  });

  it("resets when the chain is far behind the estimate (stalled chain)", () => {
    const clock = new ChainClock(30);
    clock.observe(1000, 0);
    clock.observe(1001, 100_000); // estimate 1100, chain says 1001
    expect(clock.now(100_000)).toBe(1001);
  });

  it("ignores nonsense", () => {
    const clock = new ChainClock();
    clock.observe(0, 0);
    clock.observe(Number.NaN, 0);
    expect(clock.now(0)).toBeUndefined();
  });
});

describe("roundTiming", () => {
  it("is unknown without a round or a clock", () => {
    expect(roundTiming(undefined, 1000).phase).toBe("unknown");
    expect(roundTiming(round({}), undefined).phase).toBe("unknown");
    expect(roundTiming(undefined, undefined).bettingOpen).toBe(false);
  });

  it("accepts the first bet while waiting", () => {
    const t = roundTiming(round({ state: 0, start_time: 0, end_time: 0, min_draw_time: 0, max_draw_time: 0 }), 5000);
    expect(t).toMatchObject({ phase: "waiting", bettingOpen: true, secondsLeft: undefined });
  });

  it("counts down to the end of betting, inclusive of end_time", () => {
    expect(roundTiming(round({}), 1000)).toMatchObject({ phase: "betting", bettingOpen: true, secondsLeft: 181, drawOpensIn: 185 });
    expect(roundTiming(round({}), 1179)).toMatchObject({ phase: "betting", secondsLeft: 2 });
    expect(roundTiming(round({}), 1180)).toMatchObject({ phase: "betting", bettingOpen: true, secondsLeft: 1 });
  });

  it("closes betting after end_time and counts down to the draw window", () => {
    expect(roundTiming(round({}), 1181)).toMatchObject({ phase: "closed", bettingOpen: false, secondsLeft: 4, drawOpensIn: 4 });
    expect(roundTiming(round({}), 1184)).toMatchObject({ phase: "closed", secondsLeft: 1 });
  });

  it("shows the draw window from min_draw_time to max_draw_time inclusive", () => {
    expect(roundTiming(round({}), 1185)).toMatchObject({ phase: "drawing", secondsLeft: 176, drawOpensIn: 0 });
    expect(roundTiming(round({}), 1360)).toMatchObject({ phase: "drawing", secondsLeft: 1 });
    expect(roundTiming(round({}), 1361)).toMatchObject({ phase: "expired", bettingOpen: false, secondsLeft: undefined });
  });

  it("does not accept bets before start_time", () => {
    expect(roundTiming(round({}), 999)).toMatchObject({ phase: "betting", bettingOpen: false });
  });

  it("treats the closing states as finished", () => {
    for (const state of [2, 3, 4]) {
      expect(roundTiming(round({ state }), 1100)).toMatchObject({ phase: "finished", bettingOpen: false });
    }
  });
});
