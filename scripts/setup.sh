#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs everything the build, the tests and the demo need on a fresh Debian 12
# machine: system packages (apt) and the npm tooling from the committed lockfiles.
# Idempotent: a second run installs nothing and takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build clang clang-format clang-tidy libclang-rt-14-dev
  libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsecp256k1-dev libcrypto++-dev libcli11-dev libhiredis-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nodejs npm chromium redis-server ca-certificates curl file jq git wrk nginx-light
  python3 python3-cryptography
  buildah debootstrap shellcheck docker-compose iproute2 procps util-linux
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  # nodejs/npm may come from another source (e.g. a newer Node already on PATH).
  if [[ $pkg == nodejs && -x "$(command -v node)" ]]; then continue; fi
  if [[ $pkg == npm && -x "$(command -v npm)" ]]; then continue; fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm tooling (solc, anvil, cast, viem, playwright-core, tsx) from the committed lockfile.
# A stamp keyed on the lockfile skips the install when nothing changed.
npm_install() {
  local dir=$1
  local stamp="$dir/node_modules/.lottery-lock-stamp"
  local sum
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$sum" ]]; then return; fi
  echo "setup: npm ci in ${dir}"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$sum" >"$stamp"
}
npm_install .
if [[ -f web/package-lock.json ]]; then npm_install web; fi

echo "setup: done"
