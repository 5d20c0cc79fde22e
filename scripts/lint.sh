#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# clang-format on every C++ file; clang-tidy on the C++ sources changed since
# LINT_BASE (default: the previous commit) plus uncommitted changes.
# Needs a build directory with compile_commands.json (LINT_BUILD_DIR, default build/asan).
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t all_files < <(git ls-files --cached --others --exclude-standard -- \
  'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'fuzz/*.cpp' | sort -u)
existing=()
for f in "${all_files[@]}"; do [[ -f $f ]] && existing+=("$f"); done
echo "lint: clang-format on ${#existing[@]} files"
clang-format --dry-run --Werror "${existing[@]}"

build_dir=${LINT_BUILD_DIR:-build/asan}
if [[ ! -f $build_dir/compile_commands.json ]]; then
  echo "lint: no $build_dir/compile_commands.json; configure a build first (scripts/test.sh does)" >&2
  exit 1
fi
base=${LINT_BASE:-$(git rev-parse -q --verify HEAD~1 || git hash-object -t tree /dev/null)}
mapfile -t changed < <( { git diff --name-only "$base" -- 'src/*.cpp'; \
  git ls-files --others --exclude-standard -- 'src/*.cpp'; } | sort -u)
tidy=()
for f in "${changed[@]}"; do [[ -f $f ]] && tidy+=("$f"); done
if ((${#tidy[@]} == 0)); then
  echo "lint: clang-tidy: no changed sources since $base"
  exit 0
fi
echo "lint: clang-tidy on ${#tidy[@]} changed sources since $base"
# xargs exits non-zero when any clang-tidy run reported an error.
if ! printf '%s\n' "${tidy[@]}" | xargs -P "$(nproc)" -n 1 clang-tidy -quiet -p "$build_dir" \
  --extra-arg=-Wno-unknown-warning-option; then
  echo "lint: clang-tidy found problems (see above)" >&2
  exit 1
fi
echo "lint: ok"
