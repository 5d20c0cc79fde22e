#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# W1: the real server (load_ws_broadcast_server, on SERVER_CPU) broadcasting a
# ~500-byte round_update at 10 Hz for 10 s to N WebSocket clients
# (load_ws_client, one thread on LOAD_CPU): delivery, latency, connect time,
# server RSS. Runs 1,000 and 10,000 clients. For each, load_tcp_floor first
# measures the kernel's floor: one plain send() per connection from the same
# core, no WebSocket and no server (the least any one-core server can take).
#   bench/run-w1.sh [--smoke] [--clients "1000 10000"]
set -euo pipefail
source "$(dirname "$0")/common.sh"
need "$BENCH_BIN/load_ws_broadcast_server" "$BENCH_BIN/load_ws_client" "$BENCH_BIN/load_tcp_floor"
CLIENTS="1000 10000"
MESSAGES=100  # 10 s at 10 Hz
prev=""
for arg in "$@"; do
  [[ $prev == --clients ]] && CLIENTS="$arg"
  prev="$arg"
done
if ((SMOKE)); then
  CLIENTS="20"
  MESSAGES=10
fi
ulimit -n "$(ulimit -Hn)"
machine_note

for n in $CLIENTS; do
  floor_messages=30
  ((SMOKE)) && floor_messages=3
  F="$BENCH_TMP/floor-$n.json"
  "$BENCH_BIN/load_tcp_floor" --clients "$n" --messages "$floor_messages" \
    --send-cpu "$SERVER_CPU" --receive-cpu "$LOAD_CPU" >"$F"
  echo "W1 raw floor ($n): $(cat "$F")"
  echo "W1 floor $n connections (plain send() from one core, no server): $(jq -r .send_us "$F") us per send, a round takes $(jq -r .round_ms.p50 "$F") ms; delivery p50 $(jq -r .latency_ms.p50 "$F") ms, p99 $(jq -r .latency_ms.p99 "$F") ms"
  taskset -c "$SERVER_CPU" "$BENCH_BIN/load_ws_broadcast_server" --wait-clients "$n" \
    --messages "$MESSAGES" --rate 10 >"$BENCH_TMP/server-$n.out" 2>"$BENCH_TMP/server-$n.err" &
  SERVER_PID=$!
  BENCH_PIDS+=($SERVER_PID)
  wait_for_file "$BENCH_TMP/server-$n.out" 10
  for ((i = 0; i < 50; i++)); do
    PORT=$(awk '/^port / {print $2}' "$BENCH_TMP/server-$n.out")
    [[ -n $PORT ]] && break
    sleep 0.1
  done
  # More than one source address once a single one's ephemeral ports get tight.
  SOURCES=$(((n + 19999) / 20000))
  set +e
  taskset -c "$LOAD_CPU" "$BENCH_BIN/load_ws_client" --port "$PORT" --clients "$n" \
    --messages "$MESSAGES" --sources "$SOURCES" --server-pid "$SERVER_PID" --timeout-s 5 \
    >"$BENCH_TMP/client-$n.json"
  set -e
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  C="$BENCH_TMP/client-$n.json"
  S=$(grep '^{' "$BENCH_TMP/server-$n.out" || echo '{}')
  echo "W1 raw client ($n): $(cat "$C")"
  echo "W1 raw server ($n): $S"
  p99=$(jq .latency_ms.p99 "$C")
  p50=$(jq .latency_ms.p50 "$C")
  pmax=$(jq .latency_ms.max "$C")
  pct=$(jq .delivered_pct "$C")
  conn=$(jq .connect_s "$C")
  hwm=$(jq .server_vm_hwm_kib "$C")
  rate=$(echo "$S" | jq .achieved_hz)
  limit=25
  ((n <= 1000)) && limit=5
  verdict=$(awk -v p="$p99" -v d="$pct" -v c="$conn" -v m="$hwm" -v l="$limit" -v n="$n" \
    'BEGIN { ok = (d >= 100 && p < l); if (n >= 10000) ok = ok && c < 5 && m < 65536; print ok ? "met" : "not met" }')
  echo "W1 $n clients: delivered $pct% (broadcast ${rate} Hz), latency p50 $p50 ms, p99 $p99 ms, max $pmax ms, connect ${conn} s, server RSS peak $(awk -v k="$hwm" 'BEGIN{printf "%.1f", k/1024}') MB -> $verdict (p99 < $limit ms$( ((n >= 10000)) && echo ', connect < 5 s, RSS < 64 MB'))"
done
