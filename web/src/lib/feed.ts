// SPDX-License-Identifier: Apache-2.0
// WebSocket client for /ws/lottery: reconnects with exponential backoff and jitter, keeps the
// connection alive with application pings, drops a silent connection, and reports its status so
// the UI can show "live" / "reconnecting" and fall back to REST meanwhile.

import type { ServerMessage } from "./api";

export type FeedStatus = "connecting" | "live" | "reconnecting" | "stopped";

/// The part of the browser WebSocket the client uses (a fake one in tests).
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /// Monotonic milliseconds.
  now(): number;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, factor: 2 };

/// Delay before reconnect attempt number `attempt` (0-based): initial·factor^attempt capped at
/// max, then scaled by a jitter factor in [0.5, 1) so many clients do not reconnect in lockstep.
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const base = Math.min(options.maxMs, options.initialMs * Math.pow(options.factor, Math.max(0, attempt)));
  const jitter = 0.5 + Math.min(Math.max(random(), 0), 0.999999) / 2;
  return Math.round(base * jitter);
}

export interface StatusInfo {
  status: FeedStatus;
  /// Failed connection attempts since the last healthy connection.
  attempt: number;
  /// When reconnecting: delay before the next attempt.
  retryInMs?: number;
}

export interface FeedOptions {
  url: string;
  onMessage(message: ServerMessage): void;
  onStatus?(info: StatusInfo): void;
  /// Called for each {"type":"pong"} (which may carry the chain time in `timestamp`).
  onPong?(message: ServerMessage): void;
  createSocket?: (url: string) => SocketLike;
  timers?: Timers;
  random?: () => number;
  backoff?: BackoffOptions;
  /// Interval of {"type":"ping"} messages while connected.
  pingIntervalMs?: number;
  /// A connection with no message for this long is considered dead and replaced.
  idleTimeoutMs?: number;
}

const OPEN = 1;

const browserTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

export class FeedClient {
  private socket: SocketLike | undefined;
  private statusValue: FeedStatus = "stopped";
  private attempt = 0;
  private retryTimer: unknown;
  private pingTimer: unknown;
  private lastMessageAt = 0;
  private readonly timers: Timers;
  private readonly backoff: BackoffOptions;
  private readonly pingIntervalMs: number;
  private readonly idleTimeoutMs: number;
  /// Messages that were not valid JSON objects with a string `type` (ignored).
  malformed = 0;

  constructor(private readonly options: FeedOptions) {
    this.timers = options.timers ?? browserTimers;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.pingIntervalMs = options.pingIntervalMs ?? 15_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 40_000;
  }

  get status(): FeedStatus {
    return this.statusValue;
  }

  /// Opens the connection (no-op when already started).
  start(): void {
    if (this.statusValue !== "stopped") return;
    this.setStatus("connecting");
    this.open();
  }

  /// Closes the connection and cancels every timer; start() may be called again.
  stop(): void {
    this.clearTimers();
    this.setStatus("stopped");
    this.dropSocket(1000, "client stopped");
  }

  /// Skips the remaining backoff and reconnects at once (e.g. the browser came back online).
  reconnectNow(): void {
    if (this.statusValue !== "reconnecting") return;
    this.clearTimers();
    this.open();
  }

  /// Sends a JSON message when connected; returns false otherwise.
  send(message: object): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private open(): void {
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let socket: SocketLike;
    try {
      socket = create(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.lastMessageAt = this.timers.now();
      this.schedulePing();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.lastMessageAt = this.timers.now();
      this.handleData(ev.data);
    };
    socket.onerror = () => {
      // Always followed by onclose, which reconnects.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.scheduleReconnect();
    };
  }

  private handleData(data: unknown): void {
    let message: ServerMessage;
    try {
      if (typeof data !== "string") throw new Error("binary");
      const parsed: unknown = JSON.parse(data);
      if (typeof parsed !== "object" || parsed === null || typeof (parsed as ServerMessage).type !== "string") {
        throw new Error("shape");
      }
      message = parsed as ServerMessage;
    } catch {
      this.malformed += 1;
      return;
    }
    if (message.type === "snapshot") {
      // A full state arrived: the connection is healthy, so the backoff starts over.
      this.attempt = 0;
      this.setStatus("live");
    } else if (this.statusValue !== "live" && message.type !== "pong") {
      this.setStatus("live");
    }
    if (message.type === "pong") {
      this.options.onPong?.(message);
      return;
    }
    this.options.onMessage(message);
  }

  private schedulePing(): void {
    this.timers.clearTimeout(this.pingTimer);
    this.pingTimer = this.timers.setTimeout(() => {
      if (!this.socket) return;
      if (this.timers.now() - this.lastMessageAt >= this.idleTimeoutMs) {
        // Silent for too long (half-open TCP, suspended laptop): replace the connection.
        this.dropSocket(4000, "idle timeout");
        this.scheduleReconnect();
        return;
      }
      this.send({ type: "ping" });
      this.schedulePing();
    }, Math.min(this.pingIntervalMs, this.idleTimeoutMs));
  }

  private scheduleReconnect(): void {
    if (this.statusValue === "stopped") return;
    this.clearTimers();
    const delay = backoffDelay(this.attempt, this.backoff, this.options.random ?? Math.random);
    this.attempt += 1;
    this.setStatus("reconnecting", delay);
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, delay);
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(code, reason);
    } catch {
      // already closed
    }
  }

  private clearTimers(): void {
    this.timers.clearTimeout(this.retryTimer);
    this.timers.clearTimeout(this.pingTimer);
    this.retryTimer = undefined;
    this.pingTimer = undefined;
  }

  private setStatus(status: FeedStatus, retryInMs?: number): void {
    const changed = status !== this.statusValue || retryInMs !== undefined;
    this.statusValue = status;
    if (changed) {
      this.options.onStatus?.({ status, attempt: this.attempt, ...(retryInMs !== undefined ? { retryInMs } : {}) });
    }
  }
}
