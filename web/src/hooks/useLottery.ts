// SPDX-License-Identifier: Apache-2.0
// The live state of the service: the WebSocket feed, with REST reads while it reconnects, and
// whether the backend is reachable at all.

import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import {
  feedUrl,
  fetchSnapshot,
  getJson,
  RoundState,
  type RoundStatus,
  type ServerMessage,
  type SnapshotPayload,
} from "../lib/api";
import { ChainClock } from "../lib/countdown";
import { FeedClient, type StatusInfo } from "../lib/feed";
import { applyMessage, applySnapshot, EMPTY_DATA, type LotteryData } from "../lib/state";

type Action = { kind: "message"; message: ServerMessage } | { kind: "rest"; payload: SnapshotPayload };

function reducer(data: LotteryData, action: Action): LotteryData {
  return action.kind === "message" ? applyMessage(data, action.message) : applySnapshot(data, action.payload);
}

/// How often the REST fallback polls while the WebSocket is down.
const REST_POLL_MS = 3000;

export interface LotteryFeed {
  data: LotteryData;
  feed: StatusInfo;
  /// False when neither the WebSocket nor REST reaches the service.
  backendOnline: boolean;
  /// Estimated chain time now (unix seconds), ticking every second.
  chainNow: number | undefined;
  retryNow(): void;
}

export function useLottery(): LotteryFeed {
  const [data, dispatch] = useReducer(reducer, EMPTY_DATA);
  const [feed, setFeed] = useState<StatusInfo>({ status: "connecting", attempt: 0 });
  const [backendOnline, setBackendOnline] = useState(true);
  const [chainNow, setChainNow] = useState<number | undefined>(undefined);
  const clock = useRef(new ChainClock());
  const client = useRef<FeedClient | undefined>(undefined);
  const offline = useRef(false);

  const observe = useCallback((chainTime: unknown) => {
    if (typeof chainTime === "number") {
      clock.current.observe(chainTime, performance.now());
      setChainNow(clock.current.now(performance.now()));
    }
  }, []);

  useEffect(() => {
    const c = new FeedClient({
      url: feedUrl(window.location),
      onMessage: (message) => {
        observe(message.timestamp);
        const payload = message.payload as { chain_time?: unknown; round?: { chain_time?: unknown } } | undefined;
        observe(payload?.chain_time ?? payload?.round?.chain_time);
        dispatch({ kind: "message", message });
      },
      onPong: (message) => observe(message.timestamp),
      onStatus: (info) => {
        setFeed(info);
        if (info.status === "live") {
          offline.current = false;
          setBackendOnline(true);
        }
      },
    });
    client.current = c;
    c.start();
    const online = () => c.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      c.stop();
      client.current = undefined;
    };
  }, [observe]);

  const live = feed.status === "live";

  // REST fallback: poll while the socket is not live; also tells "reconnecting" from "offline".
  useEffect(() => {
    if (live) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const payload = await fetchSnapshot();
        if (cancelled) return;
        observe(payload.round.chain_time);
        dispatch({ kind: "rest", payload });
        setBackendOnline(true);
        // The service is back after an outage: do not wait out the socket's backoff. (While
        // only the socket fails, its backoff applies: REST success alone is no reason to retry.)
        if (offline.current) client.current?.reconnectNow();
        offline.current = false;
      } catch {
        if (!cancelled) {
          offline.current = true;
          setBackendOnline(false);
        }
      }
      if (!cancelled) timer = setTimeout(() => void poll(), REST_POLL_MS);
    };
    // Give a fresh socket a moment before falling back.
    timer = setTimeout(() => void poll(), feed.status === "connecting" ? 1500 : 0);
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [live, feed.status, observe]);

  // A reorg invalidates what we hold: re-read everything once.
  useEffect(() => {
    if (!data.stale) return;
    let cancelled = false;
    fetchSnapshot()
      .then((payload) => {
        if (!cancelled) dispatch({ kind: "rest", payload });
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [data.stale]);

  // The feed only speaks when something changes, so on a quiet chain nothing re-anchors the
  // clock. While a round runs (when time matters) re-read the round every 30 s: one small,
  // pre-serialised response that also carries the chain time.
  const betting = data.round?.state === RoundState.BETTING;
  useEffect(() => {
    if (!live || !betting) return;
    const id = setInterval(() => {
      getJson<RoundStatus>("/api/round/status")
        .then((round) => {
          observe(round.chain_time);
          dispatch({ kind: "message", message: { type: "round_update", payload: round, timestamp: round.chain_time } });
        })
        .catch(() => undefined);
    }, 30_000);
    return () => clearInterval(id);
  }, [live, betting, observe]);

  useEffect(() => {
    const id = setInterval(() => setChainNow(clock.current.now(performance.now())), 1000);
    return () => clearInterval(id);
  }, []);

  const retryNow = useCallback(() => client.current?.reconnectNow(), []);
  return { data, feed, backendOnline, chainNow, retryNow };
}
