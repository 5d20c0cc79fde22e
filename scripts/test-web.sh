#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Tests the players' web UI (web/):
#   type-check (tsc --noEmit) → Vitest unit tests → production build (web/dist)
#   → end-to-end in Debian's chromium against the real service, when LOTTERY_BIN is set.
# The dependencies come from web/package-lock.json (scripts/setup.sh runs `npm ci` in web/).
# Env: LOTTERY_BIN   path to the `lottery` binary; without it the e2e is skipped (and says why)
#      CHROMIUM_BIN  browser for the e2e (default /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d web/node_modules ]]; then
  echo "test-web: web/node_modules is missing; run scripts/setup.sh first" >&2
  exit 1
fi

step() { echo "--- web: $*"; }

step "type-check"
(cd web && node_modules/.bin/tsc --noEmit -p tsconfig.json)
# The e2e suite runs under the root tooling (tsx, playwright-core, viem).
node_modules/.bin/tsc --noEmit -p tests/e2e/tsconfig.json

step "unit tests (vitest)"
(cd web && node_modules/.bin/vitest run)

step "build (vite → web/dist)"
(cd web && node_modules/.bin/vite build --logLevel warn)

if [[ -z ${LOTTERY_BIN:-} ]]; then
  step "end-to-end SKIPPED: LOTTERY_BIN is not set (point it at build/<preset>/src/app/lottery)"
  exit 0
fi
if [[ ! -x $LOTTERY_BIN ]]; then
  step "end-to-end SKIPPED: LOTTERY_BIN=$LOTTERY_BIN is not an executable file"
  exit 0
fi
chromium=${CHROMIUM_BIN:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
  echo "test-web: $chromium not found; scripts/setup.sh installs Debian's chromium" >&2
  exit 1
fi
step "end-to-end (chromium, service $LOTTERY_BIN, real Anvil and contract); artefacts in build/e2e/"
mkdir -p build/e2e
node --import tsx --test --test-reporter=spec tests/e2e/web.e2e.ts
