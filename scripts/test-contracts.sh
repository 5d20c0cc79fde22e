#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Contract checks: the committed ABI/bytecode match a fresh compile, the TypeScript type-checks, and
# the contract test suite passes against a real Anvil (each test file starts its own node on a free
# port and stops it by PID). Needs the npm tooling from scripts/setup.sh (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x node_modules/.bin/anvil || ! -d node_modules/solc ]]; then
  echo "test-contracts: node_modules is missing the pinned tooling; run scripts/setup.sh first" >&2
  exit 1
fi

echo "== contracts: recompile and compare with contracts/out"
node contracts/build.mjs --check

echo "== contracts: type-check"
node_modules/.bin/tsc -p contracts

echo "== contracts: tests against Anvil"
node --import tsx --test --test-reporter=spec contracts/test/*.test.ts
