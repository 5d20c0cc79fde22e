#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# E1: a bet mined on Anvil -> `participants_update` on a WebSocket client of
# `lottery serve`, with the node followed over a ws subscription and over http
# polling (EVENTMGR_POLL_INTERVAL_SECONDS=1). Service on SERVER_CPU; Anvil and
# the harness on LOAD_CPU.
#   bench/run-e1.sh [--smoke]
set -euo pipefail
source "$(dirname "$0")/common.sh"
need "$LOTTERY" "$BENCH_BIN/load_chain"
BETS=50
((SMOKE)) && BETS=3
POLL=1
machine_note
for transport in ws http; do
  taskset -c "$LOAD_CPU" "$BENCH_BIN/load_chain" e1 --lottery "$LOTTERY" --transport "$transport" \
    --bets "$BETS" --poll-s "$POLL" --server-cpu "$SERVER_CPU" | tee "$BENCH_TMP/e1-$transport.txt" | grep -v '^{'
  p99=$(grep '^{' "$BENCH_TMP/e1-$transport.txt" | jq .from_mine_request.p99_ms)
  limit=50
  [[ $transport == http ]] && limit=$((POLL * 1000 + 50))
  echo "E1 ($transport): p99 $p99 ms -> $(awk -v p="$p99" -v l="$limit" 'BEGIN{print (p < l) ? "met" : "not met"}') (target < $limit ms)"
done
