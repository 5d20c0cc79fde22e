#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# H1: GET /api/round/status throughput of `lottery serve` (live round on Anvil)
# against Debian's nginx serving the same JSON as a static file. Both servers
# run on SERVER_CPU (nginx with one worker), wrk (1 thread, 64 connections)
# on LOAD_CPU.
#   bench/run-h1.sh [--smoke]     (--smoke: 1 s runs)
set -euo pipefail
source "$(dirname "$0")/common.sh"
need "$LOTTERY" "$BENCH_BIN/load_chain"
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup.sh)" >&2; exit 2; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
DURATION=10s
((SMOKE)) && DURATION=1s

start_chain 3
PORT=$(free_port)
BLOCKCHAIN_RPC_URL="$RPC_URL" BLOCKCHAIN_CONTRACT_ADDRESS="$CONTRACT" OPERATOR_ENABLED=false \
  SERVER_HOST=127.0.0.1 SERVER_PORT="$PORT" SERVER_STATIC_DIR=/nonexistent APP_LOG_LEVEL=warn \
  EVENTMGR_CONFIRMATIONS=0 taskset -c "$SERVER_CPU" "$LOTTERY" serve >"$BENCH_TMP/serve.log" 2>&1 &
SERVE_PID=$!
BENCH_PIDS+=($SERVE_PID)
URL="http://127.0.0.1:$PORT/api/round/status"
for ((i = 0; i < 200; i++)); do
  if curl -fsS "$URL" -o "$BENCH_TMP/round.json" 2>/dev/null &&
    [[ $(jq .participant_count "$BENCH_TMP/round.json") -ge 1 ]]; then
    break
  fi
  sleep 0.1
done
[[ $(jq .participant_count "$BENCH_TMP/round.json" 2>/dev/null || echo 0) -ge 1 ]] ||
  { echo "no live round served" >&2; cat "$BENCH_TMP/serve.log" >&2; exit 1; }

# nginx: the same body as a static file, one worker, no access log.
NGINX_PORT=$(free_port)
mkdir -p "$BENCH_TMP/nginx/www/api/round" "$BENCH_TMP/nginx/tmp"
chmod 755 "$BENCH_TMP"  # nginx workers started by root run as nobody
cp "$BENCH_TMP/round.json" "$BENCH_TMP/nginx/www/api/round/status"
cat >"$BENCH_TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $BENCH_TMP/nginx/nginx.pid;
error_log $BENCH_TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $BENCH_TMP/nginx/tmp;
  proxy_temp_path $BENCH_TMP/nginx/tmp;
  fastcgi_temp_path $BENCH_TMP/nginx/tmp;
  uwsgi_temp_path $BENCH_TMP/nginx/tmp;
  scgi_temp_path $BENCH_TMP/nginx/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $BENCH_TMP/nginx/www;
    location / { default_type application/json; }
  }
}
CONF
taskset -c "$SERVER_CPU" "$NGINX" -c "$BENCH_TMP/nginx/nginx.conf" -p "$BENCH_TMP/nginx" \
  >"$BENCH_TMP/nginx.log" 2>&1 &
NGINX_PID=$!
BENCH_PIDS+=($NGINX_PID)
for ((i = 0; i < 100; i++)); do
  curl -fsS "http://127.0.0.1:$NGINX_PORT/api/round/status" -o /dev/null 2>/dev/null && break
  sleep 0.1
done
cmp -s <(curl -fsS "http://127.0.0.1:$NGINX_PORT/api/round/status") "$BENCH_TMP/round.json" ||
  { echo "nginx does not serve the same body" >&2; cat "$BENCH_TMP/nginx.log" >&2; exit 1; }

# run_wrk NAME URL -> "rps p99_ms"
run_wrk() {
  local out="$BENCH_TMP/wrk-$1.txt"
  taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"$DURATION" --latency "$2" >"$out"
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' "$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$out")
  [[ -z $errors ]] || echo "  $1: $errors" >&2
  echo "$rps $p99"
}

BYTES=$(stat -c %s "$BENCH_TMP/round.json")
machine_note
read -r L_RPS L_P99 < <(run_wrk lottery "$URL")
read -r N_RPS N_P99 < <(run_wrk nginx "http://127.0.0.1:$NGINX_PORT/api/round/status")
RATIO=$(awk -v a="$L_RPS" -v b="$N_RPS" 'BEGIN { printf "%.2f", a / b }')
VERDICT=$(awk -v r="$L_RPS" -v p="$L_P99" -v n="$N_RPS" \
  'BEGIN { print (r >= 35000 && p < 3.5 && r >= n) ? "met" : "not met" }')
echo "H1 lottery /api/round/status ($BYTES-byte body): $L_RPS req/s, p99 $L_P99 ms"
echo "H1 nginx static file (same body): $N_RPS req/s, p99 $N_P99 ms"
echo "H1 ratio lottery/nginx: $RATIO  (target: >= 35000 req/s, p99 < 3.5 ms, >= nginx) -> $VERDICT"
