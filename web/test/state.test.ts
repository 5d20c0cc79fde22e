// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from "vitest";
import type { Activity, FinishedRound, RoundStatus, SnapshotPayload } from "../src/lib/api";
import { addActivity, applyMessage, currentPot, EMPTY_DATA, MAX_ACTIVITIES, mergeHistory, participantRows } from "../src/lib/state";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function round(id: number, extra: Partial<RoundStatus> = {}): RoundStatus {
  return {
    round_id: id,
    state: 1,
    state_name: "betting",
    state_label: "BETTING",
    start_time: 1000,
    end_time: 1180,
    min_draw_time: 1185,
    max_draw_time: 1360,
    total_pot: "3000000000000000",
    participant_count: 2,
    winner: null,
    publisher_commission: "0",
    winner_prize: "0",
    participants: [A, B],
    chain_time: 1010,
    ...extra,
  };
}

function finished(id: number, extra: Partial<FinishedRound> = {}): FinishedRound {
  return {
    event_type: "RoundCompleted",
    round_id: id,
    participant_count: 2,
    total_pot_wei: "3000000000000000",
    finished_at: 2000 + id,
    winner: A,
    winner_prize_wei: "2850000000000000",
    publisher_commission_wei: "150000000000000",
    random_seed: `0x${"11".repeat(32)}`,
    refund_reason: null,
    tx_hash: `0x${id.toString(16).padStart(64, "0")}`,
    block_number: 10 + id,
    ...extra,
  };
}

function activity(id: number, final = true): Activity {
  return {
    activity_id: id,
    activity_type: "BetPlaced",
    message: `bet ${id}`,
    details: {},
    timestamp: 1000 + id,
    block_number: id,
    tx_hash: `0x${"00".repeat(32)}`,
    final,
  };
}

const snapshotPayload: SnapshotPayload = {
  round: round(1),
  participants: {
    round_id: 1,
    round_state: "betting",
    participants: [
      { address: B, totalAmountWei: "2000000000000000" },
      { address: A, totalAmountWei: "1000000000000000" },
    ],
    total_participants: 2,
    total_amount_wei: "3000000000000000",
    timestamp: 1010,
  },
  history: {
    rounds: [finished(0)],
    summary: { total_rounds: 1, completed_rounds: 1, refunded_rounds: 0, total_volume_wei: "3000000000000000" },
  },
  activities: [activity(2), activity(1)],
  config: { config: null, contract_address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", chain_id: 31337 },
  operator: { status: "running", address: A, balance_wei: "1", pending_tx: null },
};

describe("applyMessage", () => {
  it("replaces everything on a snapshot", () => {
    const data = applyMessage(EMPTY_DATA, { type: "snapshot", payload: snapshotPayload, timestamp: 1010 });
    expect(data.round?.round_id).toBe(1);
    expect(data.participants?.participants).toHaveLength(2);
    expect(data.history.map((r) => r.round_id)).toEqual([0]);
    expect(data.summary?.completed_rounds).toBe(1);
    expect(data.activities.map((a) => a.activity_id)).toEqual([2, 1]);
    expect(data.config?.chain_id).toBe(31337);
    expect(data.operator?.status).toBe("running");
    expect(data.chainTime).toBe(1010);
    expect(data.stale).toBe(false);
  });

  it("applies incremental updates", () => {
    let data = applyMessage(EMPTY_DATA, { type: "snapshot", payload: snapshotPayload, timestamp: 1010 });
    data = applyMessage(data, { type: "round_update", payload: round(2, { state: 0, chain_time: 1400 }), timestamp: 1400 });
    expect(data.round?.round_id).toBe(2);
    expect(data.chainTime).toBe(1400);
    data = applyMessage(data, { type: "history_update", payload: { rounds: [finished(1), finished(0)] }, timestamp: 1400 });
    expect(data.history.map((r) => r.round_id)).toEqual([1, 0]);
    data = applyMessage(data, { type: "activity", payload: activity(3), timestamp: 1400 });
    expect(data.activities.map((a) => a.activity_id)).toEqual([3, 2, 1]);
    data = applyMessage(data, { type: "operator_status", payload: { status: "no_key", address: null, balance_wei: "0", pending_tx: null } });
    expect(data.operator?.status).toBe("no_key");
    data = applyMessage(data, {
      type: "config_update",
      payload: { config: null, contract_address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", chain_id: 5 },
    });
    expect(data.config?.chain_id).toBe(5);
    data = applyMessage(data, {
      type: "participants_update",
      payload: { ...snapshotPayload.participants, round_id: 2, participants: [], total_amount_wei: "0" },
    });
    expect(data.participants?.round_id).toBe(2);
  });

  it("accepts a history_update carrying a single round", () => {
    const data = applyMessage(EMPTY_DATA, { type: "history_update", payload: finished(7) });
    expect(data.history.map((r) => r.round_id)).toEqual([7]);
  });

  it("marks the state stale on a reorg", () => {
    const data = applyMessage(EMPTY_DATA, { type: "reorg", payload: { from_block: 5, to_block: 7 }, timestamp: 1500 });
    expect(data.stale).toBe(true);
    expect(data.chainTime).toBe(1500);
  });

  it("ignores unknown types and malformed payloads but keeps the chain time", () => {
    const before = applyMessage(EMPTY_DATA, { type: "snapshot", payload: snapshotPayload, timestamp: 1010 });
    expect(applyMessage(before, { type: "nonsense", payload: {} })).toBe(before);
    expect(applyMessage(before, { type: "round_update", payload: "x" })).toBe(before);
    expect(applyMessage(before, { type: "participants_update", payload: { participants: 3 } })).toBe(before);
    expect(applyMessage(before, { type: "activity", payload: null })).toBe(before);
    expect(applyMessage(before, { type: "snapshot", payload: [] })).toBe(before);
    const later = applyMessage(before, { type: "nonsense", timestamp: 2000 });
    expect(later.chainTime).toBe(2000);
    expect(later.round).toBe(before.round);
    // chain time never goes backwards
    expect(applyMessage(later, { type: "nonsense", timestamp: 1500 }).chainTime).toBe(2000);
  });
});

describe("mergeHistory and addActivity", () => {
  it("sorts newest first, replaces a re-finished round and caps the list", () => {
    const merged = mergeHistory([finished(1), finished(3)], [finished(2), finished(3, { tx_hash: "0xnew" })]);
    expect(merged.map((r) => r.round_id)).toEqual([3, 2, 1]);
    expect(merged[0]?.tx_hash).toBe("0xnew");
    const many = mergeHistory([], Array.from({ length: 80 }, (_, i) => finished(i)));
    expect(many).toHaveLength(50);
    expect(many[0]?.round_id).toBe(79);
  });

  it("updates an activity in place when it becomes final, and caps the feed", () => {
    let list = addActivity([], activity(1, false));
    list = addActivity(list, activity(2));
    list = addActivity(list, activity(1, true));
    expect(list.map((a) => [a.activity_id, a.final])).toEqual([
      [2, true],
      [1, true],
    ]);
    for (let i = 3; i < 100; i += 1) list = addActivity(list, activity(i));
    expect(list).toHaveLength(MAX_ACTIVITIES);
    expect(list[0]?.activity_id).toBe(99);
  });
});

describe("participantRows and currentPot", () => {
  const data = applyMessage(EMPTY_DATA, { type: "snapshot", payload: snapshotPayload, timestamp: 1010 });

  it("computes exact chances and marks the player", () => {
    const rows = participantRows(data, A.toLowerCase());
    expect(rows.map((r) => [r.address, r.stakeWei, r.chance, r.mine])).toEqual([
      [B, 2_000_000_000_000_000n, "66.67", false],
      [A, 1_000_000_000_000_000n, "33.33", true],
    ]);
    expect(currentPot(data)).toBe(3_000_000_000_000_000n);
  });

  it("drops participants of another round", () => {
    const next = applyMessage(data, { type: "round_update", payload: round(2, { state: 0, total_pot: "0" }) });
    expect(participantRows(next, A)).toEqual([]);
    expect(currentPot(next)).toBe(0n);
  });

  it("uses the participants' total when it is ahead of the round", () => {
    const ahead = applyMessage(data, {
      type: "participants_update",
      payload: {
        ...snapshotPayload.participants,
        participants: [...snapshotPayload.participants.participants, { address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", totalAmountWei: "1000000000000000" }],
        total_amount_wei: "4000000000000000",
      },
    });
    expect(currentPot(ahead)).toBe(4_000_000_000_000_000n);
    expect(participantRows(ahead, undefined).map((r) => r.chance)).toEqual(["50.00", "25.00", "25.00"]);
  });
});
