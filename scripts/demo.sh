#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the whole lottery on a local dev chain with the web UI: installs what is
# missing (scripts/setup.sh), builds the static release binary (incrementally;
# an existing build/release is reused), builds the web UI when web/dist is
# missing, then hands over to 'lottery demo'. Arguments go to 'lottery demo',
# e.g. scripts/demo.sh --round-seconds 30 --players 5 --port 8080.
# Ctrl-C stops everything the demo started.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

if [[ ! -f build/release/CMakeCache.txt ]]; then
  echo "demo: configuring the release build (build/release)"
  cmake --preset release >/dev/null
fi
echo "demo: building the lottery binary"
cmake --build --preset release

if [[ -f web/package.json && ! -f web/dist/index.html ]]; then
  echo "demo: building the web UI (web/dist)"
  npm --prefix web run build
fi

exec build/release/src/app/lottery demo "$@"
