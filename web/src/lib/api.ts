// SPDX-License-Identifier: Apache-2.0
// Shapes of the service's REST and WebSocket payloads (SPEC §5, §6) and the REST client.
// Field names are the service's own; wei amounts are decimal strings, times unix seconds.

export const RoundState = {
  WAITING: 0,
  BETTING: 1,
  DRAWING: 2,
  COMPLETED: 3,
  REFUNDED: 4,
} as const;

/// GET /api/round/status (WS `round_update`, snapshot `round`).
export interface RoundStatus {
  round_id: number;
  state: number;
  state_name: string;
  state_label: string;
  start_time: number;
  end_time: number;
  min_draw_time: number;
  max_draw_time: number;
  total_pot: string;
  participant_count: number;
  winner: string | null;
  publisher_commission: string;
  winner_prize: string;
  participants: string[];
  chain_time: number;
}

export interface Participant {
  address: string;
  totalAmountWei: string;
}

/// GET /api/round/participants (WS `participants_update`, snapshot `participants`).
export interface ParticipantsView {
  round_id: number;
  round_state: string;
  participants: Participant[];
  total_participants: number;
  total_amount_wei: string;
  timestamp: number;
}

/// One entry of GET /api/history.
export interface FinishedRound {
  event_type: "RoundCompleted" | "RoundRefunded" | string;
  round_id: number;
  participant_count: number;
  total_pot_wei: string;
  finished_at: number;
  winner: string | null;
  winner_prize_wei: string;
  publisher_commission_wei: string;
  random_seed: string | null;
  refund_reason: string | null;
  tx_hash: string;
  block_number: number;
}

export interface HistorySummary {
  total_rounds: number;
  completed_rounds: number;
  refunded_rounds: number;
  total_volume_wei: string;
}

/// GET /api/history (WS `history_update`, snapshot `history`).
export interface HistoryView {
  rounds: FinishedRound[];
  summary?: HistorySummary;
  pagination?: { limit: number; returned: number };
  timestamp?: number;
}

/// One feed item (WS `activity`, GET /api/activities).
export interface Activity {
  activity_id: string | number;
  activity_type: string;
  message: string;
  details: Record<string, unknown>;
  timestamp: number;
  block_number: number;
  tx_hash: string;
  final: boolean;
}

export interface ContractConfig {
  publisherAddr: string;
  operatorAddr: string;
  publisherCommission: number;
  minBet: string;
  bettingDuration: number;
  minDrawDelay: number;
  maxDrawDelay: number;
  minEndTimeExtension: number;
  minParticipants: number;
  maxParticipants?: number;
}

/// GET /api/contract/config (WS `config_update`, snapshot `config`).
export interface ConfigView {
  config: ContractConfig | null;
  contract_address: string;
  chain_id: number;
  timestamp?: number;
}

/// /api/health components.operator (WS `operator_status`, snapshot `operator`).
export interface OperatorStatus {
  status: string;
  address: string | null;
  balance_wei: string;
  pending_tx: string | null;
  low_balance?: boolean;
}

/// GET /api/verify/{round_id}.
export interface VerifyResult {
  round_id: number;
  random_seed: string;
  total_pot_wei: string;
  expected_winner: string | null;
  onchain_winner: string;
  match: boolean;
  bets_complete?: boolean;
}

/// GET /api/attestation?nonce=…
export interface Attestation {
  attestation_document: string;
  pcrs: Record<string, string> | string[];
  user_data: unknown;
  public_key: string;
  nonce: string;
  dev: boolean;
}

export interface SnapshotPayload {
  round: RoundStatus;
  participants: ParticipantsView;
  history: HistoryView;
  activities: Activity[];
  config: ConfigView;
  operator: OperatorStatus;
}

/// Every server → client WebSocket message: {type, payload, timestamp (chain time)}.
export interface ServerMessage {
  type: string;
  payload?: unknown;
  timestamp?: number;
}

/// An HTTP error from the service: status plus its {"error", "message"} body when present.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/// GETs a JSON document from the service (same origin); throws ApiError on a non-2xx status
/// and TypeError (from fetch) when the service cannot be reached.
export async function getJson<T>(path: string, timeoutMs = 5000, base = ""): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(timeoutMs),
    cache: "no-store",
  });
  if (!res.ok) {
    let code = `http_${res.status}`;
    let message = `${res.status} ${res.statusText}`.trim();
    try {
      const body = (await res.json()) as { error?: string; message?: string };
      if (body.error) code = body.error;
      if (body.message) message = body.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, code, message);
  }
  return (await res.json()) as T;
}

/// The REST equivalent of the WebSocket snapshot, used while the socket reconnects.
export async function fetchSnapshot(base = ""): Promise<SnapshotPayload> {
  const [round, participants, history, activities, config] = await Promise.all([
    getJson<RoundStatus>("/api/round/status", 5000, base),
    getJson<ParticipantsView>("/api/round/participants?limit=200", 5000, base),
    getJson<HistoryView>("/api/history?limit=20", 5000, base),
    getJson<{ activities: Activity[] }>("/api/activities?limit=30", 5000, base),
    getJson<ConfigView>("/api/contract/config", 5000, base),
  ]);
  // The operator status lives in /api/health; it is informational, so a failure is not fatal.
  let operator: OperatorStatus = { status: "unknown", address: null, balance_wei: "0", pending_tx: null };
  try {
    const health = await getJson<{ components?: { operator?: OperatorStatus } }>("/api/health", 5000, base);
    if (health.components?.operator) operator = health.components.operator;
  } catch {
    // keep "unknown"
  }
  return { round, participants, history, activities: activities.activities, config, operator };
}

/// The WebSocket URL of the service serving this page.
export function feedUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/ws/lottery`;
}
