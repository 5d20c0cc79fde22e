#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds and runs every test on this machine, installing what is missing first:
#   setup → ASan+UBSan build (g++) → lint → unit + integration tests (ctest, real Anvil)
#   → contract tests (real Anvil) → web UI tests → fuzz smoke (clang/libFuzzer)
#   → static release binary check → benchmark smoke (micro-benchmarks)
#   → load benchmark smoke (bench/run-all.sh --smoke: the server benchmarks' harnesses).
# Options: --quick skips the fuzz smoke, the release build and both benchmark smokes.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)

quick=0
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    -h | --help) sed -n '3,9p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

jobs=${LOTTERY_JOBS:-$(nproc)}
passed=0
failed=0
failed_names=()

stage() {
  local name=$1
  shift
  echo
  echo "=== ${name} ==="
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== ${name}: passed ($((SECONDS - start)) s) ==="
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "=== ${name}: FAILED ($((SECONDS - start)) s) ==="
  fi
}

build_preset() {
  cmake --preset "$1" >/dev/null && cmake --build --preset "$1" -j "$jobs"
}

run_ctest() {
  ctest --preset asan -j "$jobs" --timeout 600
}

run_fuzz_smoke() {
  cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j "$jobs" --target lottery_fuzzers || return 1
  local ok=0 harness name corpus
  for harness in build/fuzz/fuzz/fuzz_*; do
    [[ -x $harness ]] || continue
    name=$(basename "$harness")
    corpus=$(mktemp -d)
    [[ -d fuzz/corpus/$name ]] && cp -r "fuzz/corpus/$name/." "$corpus/"
    echo "fuzz: $name for ${FUZZ_SECONDS:-10} s"
    if ! "$harness" -max_total_time="${FUZZ_SECONDS:-10}" -print_final_stats=0 "$corpus" \
      >"build/fuzz/$name.log" 2>&1; then
      echo "fuzz: $name found a crash:" >&2
      tail -40 "build/fuzz/$name.log" >&2
      ok=1
    fi
    rm -rf "$corpus"
  done
  return $ok
}

run_bench_smoke() {
  local ok=0 bench
  for bench in build/asan/bench/bench_*; do
    [[ -x $bench ]] || continue
    echo "bench: $(basename "$bench") (smoke run)"
    "$bench" --benchmark_min_time=0.001 >/dev/null || ok=1
  done
  return $ok
}

# The server benchmarks (bench/run-*.sh: H1, W1, S1/M1, E1, O1) at tiny counts, ~15 s: this
# fails only when a harness or a script breaks, never on a figure (CI machines are shared).
# The load programs are the ASan build's (built above with everything else: no extra build,
# and a harness's memory error fails the stage); the service is the static release binary, the
# one the benchmarks measure. Server and load on two CPUs of this process's affinity mask (one
# CPU: both on it) unless SERVER_CPU / LOAD_CPU say otherwise.
run_load_smoke() {
  local cpus
  read -r -a cpus < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')
  BUILD=build/asan LOTTERY="$root/build/release/src/app/lottery" \
    SERVER_CPU="${SERVER_CPU:-${cpus[0]}}" LOAD_CPU="${LOAD_CPU:-${cpus[1]:-${cpus[0]}}}" \
    bench/run-all.sh --smoke
}

check_release_binary() {
  build_preset release || return 1
  local bin=build/release/src/app/lottery
  file "$bin" | grep -q "statically linked" || { echo "release: $bin is not static" >&2; return 1; }
  "$bin" --version
}

stage "setup" scripts/setup.sh
stage "build (ASan+UBSan)" build_preset asan
stage "lint" env LINT_BUILD_DIR=build/asan scripts/lint.sh
stage "unit and integration tests" run_ctest
if [[ -x scripts/test-contracts.sh ]]; then
  stage "contract tests" scripts/test-contracts.sh
fi
if [[ -x scripts/test-web.sh ]]; then
  # The browser end-to-end test drives the real service built above.
  stage "web UI tests" env LOTTERY_BIN="$root/build/asan/src/app/lottery" scripts/test-web.sh
fi
if ((quick == 0)); then
  stage "fuzz smoke" run_fuzz_smoke
  stage "static release binary" check_release_binary
  stage "benchmark smoke" run_bench_smoke
  stage "load benchmark smoke" run_load_smoke
fi

echo
if ((failed)); then echo "failed stages: ${failed_names[*]}"; fi
echo "stages: ${passed} passed, ${failed} failed"
((failed == 0))
