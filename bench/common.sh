# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the bench/run-*.sh scripts (sourced, not run).
# BUILD selects the build directory (default build/h-bench-rel, a static
# Release build with -DLOTTERY_BENCH=ON); SERVER_CPU / LOAD_CPU the two cores.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-$ROOT/build/h-bench-rel}"
[[ $BUILD = /* ]] || BUILD="$ROOT/$BUILD"
LOTTERY="${LOTTERY:-$BUILD/src/app/lottery}"
BENCH_BIN="$BUILD/bench"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
SMOKE=0
for arg in "$@"; do [[ $arg == --smoke ]] && SMOKE=1; done

BENCH_TMP="$(mktemp -d /tmp/lottery-bench.XXXXXX)"
BENCH_PIDS=()

# Stops only what this script started (by PID), then removes its temp dir.
bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT

need() {
  local f
  for f in "$@"; do
    if [[ ! -x $f ]]; then
      echo "missing $f: build it with" >&2
      echo "  cmake -S . -B build/h-bench-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOTTERY_STATIC=ON -DLOTTERY_TESTS=OFF -DLOTTERY_BENCH=ON" >&2
      echo "  ninja -C build/h-bench-rel lottery load_chain load_ws_broadcast_server load_ws_client load_tcp_floor" >&2
      exit 2
    fi
  done
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for_file FILE SECONDS
wait_for_file() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [[ -s $1 ]] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

# Starts Anvil with the contract and a live round (load_chain env) on LOAD_CPU;
# sets RPC_URL, WS_URL, CONTRACT.
start_chain() {
  local out="$BENCH_TMP/chain.json"
  taskset -c "$LOAD_CPU" "$BENCH_BIN/load_chain" env --out "$out" --bets "${1:-3}" \
    >"$BENCH_TMP/chain.log" 2>&1 &
  BENCH_PIDS+=($!)
  wait_for_file "$out" 60 || { cat "$BENCH_TMP/chain.log" >&2; exit 1; }
  RPC_URL=$(jq -r .rpc_url "$out")
  WS_URL=$(jq -r .ws_url "$out")
  CONTRACT=$(jq -r .contract "$out")
}

machine_note() {
  echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
}
