// SPDX-License-Identifier: Apache-2.0
// The UI's copy of the service's state and how WebSocket messages and REST reads update it.
// Pure functions: the React layer only stores the result.

import type {
  Activity,
  ConfigView,
  FinishedRound,
  HistorySummary,
  HistoryView,
  OperatorStatus,
  Participant,
  ParticipantsView,
  RoundStatus,
  ServerMessage,
  SnapshotPayload,
} from "./api";
import { sameAddress } from "./format";
import { percentOf, weiOrZero } from "./wei";

export const MAX_ACTIVITIES = 50;
export const MAX_HISTORY = 50;

export interface LotteryData {
  round?: RoundStatus;
  participants?: ParticipantsView;
  history: FinishedRound[];
  summary?: HistorySummary;
  activities: Activity[];
  config?: ConfigView;
  operator?: OperatorStatus;
  /// Latest chain time seen in any message (unix seconds).
  chainTime?: number;
  /// Set by a `reorg` message: the UI should re-read everything over REST.
  stale: boolean;
}

export const EMPTY_DATA: LotteryData = { history: [], activities: [], stale: false };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function maxTime(a: number | undefined, b: unknown): number | undefined {
  if (typeof b !== "number" || !Number.isFinite(b) || b <= 0) return a;
  return a === undefined || b > a ? b : a;
}

/// Merges finished rounds into a list, newest round first, without duplicates (a round id that
/// appears again replaces the old entry: after a reorg the same round may finish differently).
export function mergeHistory(current: FinishedRound[], incoming: FinishedRound[]): FinishedRound[] {
  const byId = new Map<number, FinishedRound>();
  for (const r of current) byId.set(r.round_id, r);
  for (const r of incoming) if (isObject(r) && typeof r.round_id === "number") byId.set(r.round_id, r);
  return [...byId.values()].sort((a, b) => b.round_id - a.round_id).slice(0, MAX_HISTORY);
}

/// Adds one feed item at the top, or replaces the item with the same id in place (an event
/// that became final is sent again with `final: true`).
export function addActivity(current: Activity[], item: Activity): Activity[] {
  const index = current.findIndex((a) => String(a.activity_id) === String(item.activity_id));
  if (index >= 0) {
    const next = current.slice();
    next[index] = item;
    return next;
  }
  return [item, ...current].slice(0, MAX_ACTIVITIES);
}

function historyRounds(payload: unknown): FinishedRound[] | undefined {
  if (isObject(payload) && Array.isArray(payload.rounds)) return payload.rounds as FinishedRound[];
  if (Array.isArray(payload)) return payload as FinishedRound[];
  if (isObject(payload) && typeof payload.round_id === "number") return [payload as unknown as FinishedRound];
  return undefined;
}

/// Replaces everything with a full state (WS `snapshot` or the REST fallback).
export function applySnapshot(data: LotteryData, payload: SnapshotPayload, timestamp?: number): LotteryData {
  const history = payload.history;
  return {
    round: payload.round,
    participants: payload.participants,
    history: mergeHistory([], historyRounds(history) ?? []),
    ...(history?.summary ? { summary: history.summary } : data.summary ? { summary: data.summary } : {}),
    activities: Array.isArray(payload.activities) ? payload.activities.slice(0, MAX_ACTIVITIES) : [],
    config: payload.config,
    operator: payload.operator,
    chainTime: maxTime(maxTime(data.chainTime, timestamp), payload.round?.chain_time),
    stale: false,
  };
}

/// Applies one server message; unknown types and malformed payloads leave the state unchanged
/// (apart from the chain time every message carries).
export function applyMessage(data: LotteryData, message: ServerMessage): LotteryData {
  const payload = message.payload;
  const chainTime = maxTime(data.chainTime, message.timestamp);
  switch (message.type) {
    case "snapshot":
      if (!isObject(payload)) return data;
      return applySnapshot(data, payload as unknown as SnapshotPayload, message.timestamp);
    case "round_update":
      if (!isObject(payload) || typeof payload.round_id !== "number") break;
      return {
        ...data,
        round: payload as unknown as RoundStatus,
        chainTime: maxTime(chainTime, payload.chain_time),
      };
    case "participants_update":
      if (!isObject(payload) || !Array.isArray(payload.participants)) break;
      return { ...data, participants: payload as unknown as ParticipantsView, chainTime };
    case "history_update": {
      const rounds = historyRounds(payload);
      if (!rounds) break;
      const view = payload as HistoryView;
      return {
        ...data,
        history: mergeHistory(data.history, rounds),
        ...(isObject(payload) && view.summary ? { summary: view.summary } : {}),
        chainTime,
      };
    }
    case "activity":
      if (!isObject(payload) || payload.activity_id === undefined) break;
      return { ...data, activities: addActivity(data.activities, payload as unknown as Activity), chainTime };
    case "config_update":
      if (!isObject(payload) || !("config" in payload)) break;
      return { ...data, config: payload as unknown as ConfigView, chainTime };
    case "operator_status":
      if (!isObject(payload) || typeof payload.status !== "string") break;
      return { ...data, operator: payload as unknown as OperatorStatus, chainTime };
    case "reorg":
      return { ...data, stale: true, chainTime };
    default:
      break;
  }
  return chainTime === data.chainTime ? data : { ...data, chainTime };
}

export interface ParticipantRow {
  address: string;
  stakeWei: bigint;
  /// Win chance in percent with two decimals ("33.33").
  chance: string;
  mine: boolean;
}

/// The current round's players by stake (largest first) with their win chances. Participants
/// of another round than the current one (a stale list during a round change) are dropped.
export function participantRows(data: LotteryData, me: string | undefined): ParticipantRow[] {
  const view = data.participants;
  if (!view || !data.round || view.round_id !== data.round.round_id) return [];
  const list: Participant[] = view.participants ?? [];
  const total = list.reduce((sum, p) => sum + weiOrZero(p.totalAmountWei), 0n);
  return list
    .map((p) => {
      const stakeWei = weiOrZero(p.totalAmountWei);
      return { address: p.address, stakeWei, chance: percentOf(stakeWei, total), mine: sameAddress(p.address, me) };
    })
    .sort((a, b) => (a.stakeWei === b.stakeWei ? 0 : a.stakeWei > b.stakeWei ? -1 : 1));
}

/// The pot of the current round: the round's own total, or the participants' sum when the
/// participants list is newer.
export function currentPot(data: LotteryData): bigint {
  const fromRound = weiOrZero(data.round?.total_pot);
  const view = data.participants;
  if (view && data.round && view.round_id === data.round.round_id) {
    const fromList = weiOrZero(view.total_amount_wei);
    return fromList > fromRound ? fromList : fromRound;
  }
  return fromRound;
}
