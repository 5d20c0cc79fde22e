#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# S1: exec of `lottery serve` -> first 200 on /health, with the node reachable
# (Anvil with the contract) and unreachable (a closed port). M1: idle RSS.
# The service runs on SERVER_CPU (through taskset, counted in the time), the
# poller on LOAD_CPU.
#   bench/run-startup.sh [--smoke]
set -euo pipefail
source "$(dirname "$0")/common.sh"
need "$LOTTERY" "$BENCH_BIN/load_chain"
RUNS=20
IDLE=5
((SMOKE)) && RUNS=2 && IDLE=1
machine_note
start_chain 1
for node in reachable unreachable; do
  args=()
  [[ $node == reachable ]] && args=(--rpc-url "$RPC_URL" --contract "$CONTRACT")
  taskset -c "$LOAD_CPU" "$BENCH_BIN/load_chain" startup --lottery "$LOTTERY" --runs "$RUNS" \
    --idle-s "$IDLE" --server-cpu "$SERVER_CPU" "${args[@]}" | tee "$BENCH_TMP/startup-$node.txt" | grep -v '^{'
  json=$(grep '^{' "$BENCH_TMP/startup-$node.txt")
  p99=$(echo "$json" | jq .startup.p99_ms)
  rss=$(echo "$json" | jq .idle_rss_kib)
  echo "S1 ($node): p99 $p99 ms -> $(awk -v p="$p99" 'BEGIN{print (p < 20) ? "met" : "not met"}') (target < 20 ms)"
  echo "M1 ($node): idle RSS $(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}') MB -> $(awk -v k="$rss" 'BEGIN{print (k < 12288) ? "met" : "not met"}') (target < 12 MB)"
done
