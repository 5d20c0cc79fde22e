#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# All server benchmarks of issue #5 (H1, W1, S1/M1, E1, O1), one after the
# other, with a summary of the verdict lines at the end. Run it on a quiet
# machine; every script starts its own processes on free ports and stops them.
#   bench/run-all.sh [--smoke]     (--smoke: tiny counts, ~15 s, for CI: scripts/test.sh)
set -uo pipefail
DIR="$(cd "$(dirname "$0")" && pwd)"
LOG="$(mktemp /tmp/lottery-bench-all.XXXXXX)"
trap 'rm -f "$LOG"' EXIT
failed=0
for script in run-h1.sh run-w1.sh run-startup.sh run-e1.sh run-o1.sh; do
  echo "== $script $*"
  if ! "$DIR/$script" "$@" 2>&1 | tee -a "$LOG"; then
    echo "!! $script failed"
    failed=1
  fi
done
echo "== summary"
grep -E '^(H1 ratio|W1 [0-9]|S1 \(|M1 \(|E1 \(|O1:)' "$LOG" | grep -- '->'
exit $failed
