#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# O1: the first block whose timestamp opens the draw window -> the operator's
# drawWinner transaction at the node (Anvil's newPendingTransactions), with the
# node followed over ws. Service on SERVER_CPU; Anvil and the harness on LOAD_CPU.
#   bench/run-o1.sh [--smoke]
set -euo pipefail
source "$(dirname "$0")/common.sh"
need "$LOTTERY" "$BENCH_BIN/load_chain"
ROUNDS=30
((SMOKE)) && ROUNDS=2
machine_note
taskset -c "$LOAD_CPU" "$BENCH_BIN/load_chain" o1 --lottery "$LOTTERY" --rounds "$ROUNDS" \
  --server-cpu "$SERVER_CPU" | tee "$BENCH_TMP/o1.txt" | grep -v '^{'
p99=$(grep '^{' "$BENCH_TMP/o1.txt" | jq .reaction.p99_ms)
echo "O1: p99 $p99 ms -> $(awk -v p="$p99" 'BEGIN{print (p < 100) ? "met" : "not met"}') (target < 100 ms)"
