// SPDX-License-Identifier: Apache-2.0
import { beforeEach, describe, expect, it } from "vitest";
import type { ServerMessage } from "../src/lib/api";
import { backoffDelay, DEFAULT_BACKOFF, FeedClient, type SocketLike, type StatusInfo, type Timers } from "../src/lib/feed";

/// Deterministic timers: time only moves with advance().
class FakeTimers implements Timers {
  time = 0;
  private nextId = 1;
  private pending = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  now(): number {
    return this.time;
  }
  /// Runs due timers in order, including ones scheduled while advancing.
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }
  get count(): number {
    return this.pending.size;
  }
}

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closedWith: number | undefined;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number): void {
    this.closedWith = code ?? 1000;
    this.readyState = 3;
  }
  // Server side of the fake:
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(data: unknown): void {
    this.onmessage?.({ data: typeof data === "string" ? data : JSON.stringify(data) });
  }
  drop(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({});
  }
}

const snapshot = { type: "snapshot", payload: { round: { round_id: 1 } }, timestamp: 1000 };

describe("backoffDelay", () => {
  it("grows exponentially up to the cap", () => {
    const max = () => 0.999999; // jitter factor just under 1
    const delays = [0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, DEFAULT_BACKOFF, max));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });
  it("jitters between half and the full delay", () => {
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 0)).toBe(1000);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 0.5)).toBe(1500);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 7)).toBe(2000); // clamped
  });
});

describe("FeedClient", () => {
  let timers: FakeTimers;
  let sockets: FakeSocket[];
  let messages: ServerMessage[];
  let statuses: StatusInfo[];
  let client: FeedClient;

  const last = () => sockets[sockets.length - 1]!;

  beforeEach(() => {
    timers = new FakeTimers();
    sockets = [];
    messages = [];
    statuses = [];
    client = new FeedClient({
      url: "ws://service/ws/lottery",
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      timers,
      random: () => 0.999999,
      pingIntervalMs: 10_000,
      idleTimeoutMs: 25_000,
      onMessage: (m) => messages.push(m),
      onStatus: (s) => statuses.push(s),
    });
  });

  it("connects, goes live on the snapshot and delivers messages in order", () => {
    client.start();
    expect(client.status).toBe("connecting");
    expect(sockets).toHaveLength(1);
    expect(last().url).toBe("ws://service/ws/lottery");
    last().open();
    expect(client.status).toBe("connecting");
    last().receive(snapshot);
    expect(client.status).toBe("live");
    last().receive({ type: "round_update", payload: { round_id: 1 }, timestamp: 1001 });
    expect(messages.map((m) => m.type)).toEqual(["snapshot", "round_update"]);
    expect(statuses.map((s) => s.status)).toEqual(["connecting", "live"]);
  });

  it("reconnects with growing backoff and starts over after a healthy connection", () => {
    client.start();
    last().drop();
    expect(client.status).toBe("reconnecting");
    expect(statuses.at(-1)).toMatchObject({ status: "reconnecting", attempt: 1, retryInMs: 500 });

    timers.advance(499);
    expect(sockets).toHaveLength(1);
    timers.advance(1);
    expect(sockets).toHaveLength(2);
    last().drop();
    expect(statuses.at(-1)).toMatchObject({ attempt: 2, retryInMs: 1000 });
    timers.advance(1000);
    expect(sockets).toHaveLength(3);
    last().drop();
    expect(statuses.at(-1)).toMatchObject({ attempt: 3, retryInMs: 2000 });
    timers.advance(2000);
    expect(sockets).toHaveLength(4);

    // An open that never delivers a snapshot does not reset the backoff…
    last().open();
    last().drop();
    expect(statuses.at(-1)).toMatchObject({ attempt: 4, retryInMs: 4000 });
    timers.advance(4000);

    // …a snapshot does.
    last().open();
    last().receive(snapshot);
    expect(client.status).toBe("live");
    last().drop();
    expect(statuses.at(-1)).toMatchObject({ status: "reconnecting", attempt: 1, retryInMs: 500 });
  });

  it("ignores malformed messages without disconnecting", () => {
    client.start();
    last().open();
    last().receive(snapshot);
    last().receive("not json");
    last().receive("[1,2]");
    last().receive({ payload: {} });
    last().onmessage?.({ data: new ArrayBuffer(4) });
    last().receive({ type: "activity", payload: { activity_id: 1 } });
    expect(client.malformed).toBe(4);
    expect(messages.map((m) => m.type)).toEqual(["snapshot", "activity"]);
    expect(client.status).toBe("live");
  });

  it("pings while connected and hands pongs to onPong only", () => {
    const pongs: ServerMessage[] = [];
    client = new FeedClient({
      url: "ws://service/ws/lottery",
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      timers,
      pingIntervalMs: 10_000,
      idleTimeoutMs: 25_000,
      onMessage: (m) => messages.push(m),
      onPong: (m) => pongs.push(m),
    });
    client.start();
    last().open();
    last().receive(snapshot);
    timers.advance(10_000);
    expect(last().sent).toEqual([JSON.stringify({ type: "ping" })]);
    last().receive({ type: "pong", timestamp: 1234 });
    expect(pongs).toEqual([{ type: "pong", timestamp: 1234 }]);
    timers.advance(10_000);
    expect(last().sent).toHaveLength(2);
    expect(messages.map((m) => m.type)).toEqual(["snapshot"]);
  });

  it("replaces a connection that stays silent past the idle timeout", () => {
    client.start();
    const first = last();
    first.open();
    first.receive(snapshot);
    timers.advance(10_000); // ping 1
    timers.advance(10_000); // ping 2
    expect(first.closedWith).toBeUndefined();
    timers.advance(10_000); // 30 s silent > 25 s
    expect(first.closedWith).toBe(4000);
    expect(client.status).toBe("reconnecting");
    timers.advance(500);
    expect(sockets).toHaveLength(2);
    // Events of the abandoned socket no longer reach the client.
    first.onmessage?.({ data: JSON.stringify({ type: "activity", payload: { activity_id: 9 } }) });
    expect(messages.map((m) => m.type)).toEqual(["snapshot"]);
  });

  it("reconnectNow skips the remaining backoff only while reconnecting", () => {
    client.start();
    client.reconnectNow();
    expect(sockets).toHaveLength(1);
    last().drop();
    timers.advance(100);
    client.reconnectNow();
    expect(sockets).toHaveLength(2);
    // The cancelled retry timer does not open a third socket later.
    timers.advance(10_000);
    expect(sockets).toHaveLength(2);
  });

  it("stop closes the socket and cancels every timer", () => {
    client.start();
    last().open();
    last().receive(snapshot);
    client.stop();
    expect(last().closedWith).toBe(1000);
    expect(client.status).toBe("stopped");
    expect(timers.count).toBe(0);
    expect(client.send({ type: "ping" })).toBe(false);
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
    // and it can start again
    client.start();
    expect(sockets).toHaveLength(2);
  });

  it("retries when the socket cannot even be created", () => {
    let fail = true;
    const c = new FeedClient({
      url: "ws://x",
      createSocket: (url) => {
        if (fail) throw new Error("SecurityError");
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      timers,
      random: () => 0,
      onMessage: () => undefined,
    });
    c.start();
    expect(c.status).toBe("reconnecting");
    fail = false;
    timers.advance(250);
    expect(sockets).toHaveLength(1);
  });
});
