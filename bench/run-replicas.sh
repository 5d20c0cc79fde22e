#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Replica fan-out: N WebSocket clients on one process (load_ws_broadcast_server) versus the same
# N spread over three replicas (load_ws_replica_server: leader + 2 followers, one redis-server,
# the leader's commits relayed through Redis pub/sub to every replica's clients). All servers on
# SERVER_CPU, clients and Redis on LOAD_CPU; 10 Hz round_update for 10 s.
#   bench/run-replicas.sh [--smoke] [--clients "3000"]
set -euo pipefail
source "$(dirname "$0")/common.sh"
need "$BENCH_BIN/load_ws_broadcast_server" "$BENCH_BIN/load_ws_replica_server" \
  "$BENCH_BIN/load_ws_client"
REDIS_SERVER="${REDIS_SERVER:-/usr/bin/redis-server}"
CLIENTS="3000"
MESSAGES=100
prev=""
for arg in "$@"; do
  [[ $prev == --clients ]] && CLIENTS="$arg"
  prev="$arg"
done
if ((SMOKE)); then
  CLIENTS="30"
  MESSAGES=10
fi
ulimit -n "$(ulimit -Hn)"
machine_note

port_of() {
  local i p
  for ((i = 0; i < 100; i++)); do
    p=$(awk '/^port / {print $2}' "$1" 2>/dev/null || true)
    [[ -n $p ]] && { echo "$p"; return 0; }
    sleep 0.1
  done
  echo "no port in $1" >&2
  return 1
}

summary() {  # summary LABEL FILE...
  local label=$1
  shift
  jq -s --arg l "$label" '{
      label: $l,
      delivered_pct: ((map(.delivered) | add) * 100 / (map(.expected) | add)),
      p50_ms: (map(.latency_ms.p50) | max), p99_ms: (map(.latency_ms.p99) | max),
      max_ms: (map(.latency_ms.max) | max), connect_s: (map(.connect_s) | max)}' "$@"
}

REDIS_PORT=$(free_port)
taskset -c "$LOAD_CPU" "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
  --appendonly no >"$BENCH_TMP/redis.log" 2>&1 &
BENCH_PIDS+=($!)
sleep 0.5

for n in $CLIENTS; do
  # ---- one process
  taskset -c "$SERVER_CPU" "$BENCH_BIN/load_ws_broadcast_server" --wait-clients "$n" \
    --messages "$MESSAGES" --rate 10 --threads 1 >"$BENCH_TMP/single-$n.out" 2>&1 &
  pid=$!
  BENCH_PIDS+=($pid)
  port=$(port_of "$BENCH_TMP/single-$n.out")
  taskset -c "$LOAD_CPU" "$BENCH_BIN/load_ws_client" --port "$port" --clients "$n" \
    --messages "$MESSAGES" --server-pid "$pid" --timeout-s 5 >"$BENCH_TMP/single-$n.json" || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "raw single ($n): $(cat "$BENCH_TMP/single-$n.json")"

  # ---- three replicas
  third=$((n / 3))
  prefix="bench$n"
  pids=()
  ports=()
  for role in leader follower follower; do
    i=${#pids[@]}
    args=(--redis "redis://127.0.0.1:$REDIS_PORT" --role "$role" --prefix "$prefix"
      --messages "$MESSAGES" --rate 10 --threads 1)
    [[ $role == leader ]] && args+=(--wait-clients "$third")
    taskset -c "$SERVER_CPU" "$BENCH_BIN/load_ws_replica_server" "${args[@]}" \
      >"$BENCH_TMP/replica-$n-$i.out" 2>&1 &
    pids+=($!)
    BENCH_PIDS+=($!)
    ports+=("$(port_of "$BENCH_TMP/replica-$n-$i.out")")
  done
  # Followers first, so the leader (waiting for its own share) starts once everyone is in.
  cpids=()
  for i in 2 1 0; do
    taskset -c "$LOAD_CPU" "$BENCH_BIN/load_ws_client" --port "${ports[$i]}" --clients "$third" \
      --messages "$MESSAGES" --server-pid "${pids[$i]}" --timeout-s 10 \
      >"$BENCH_TMP/replica-$n-$i.json" &
    cpids+=($!)
    sleep 1
  done
  for p in "${cpids[@]}"; do wait "$p" || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for i in 0 1 2; do echo "raw replica $i ($n/3): $(cat "$BENCH_TMP/replica-$n-$i.json")"; done
  echo "leader: $(grep '^{' "$BENCH_TMP/replica-$n-0.out" || true)"
  echo "RESULT $(summary "1 process, $n clients" "$BENCH_TMP/single-$n.json" | jq -c .)"
  echo "RESULT $(summary "3 replicas + Redis, $n clients" "$BENCH_TMP"/replica-"$n"-?.json | jq -c .)"
done
