#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks the deployment files without running them (called by scripts/test-image.sh with the
# image's own binary; runnable alone with any built `lottery`):
#   - shellcheck of the image, deploy and enclave scripts;
#   - deploy/compose.yaml: valid for docker-compose (both profiles) and the project's rules;
#   - deploy/k8s: every object against the Kubernetes schema, kustomizations, rules; and the
#     validator must reject a known-bad manifest;
#   - .env.example equals what `lottery config --describe` says.
#
#   scripts/test-deploy.sh [PATH/TO/lottery]     (default build/release/src/app/lottery)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/src/app/lottery}

failed=0
step() {
  local what=$1
  shift
  if "$@"; then echo "  ok    $what"; else echo "  FAIL  $what"; failed=$((failed + 1)); fi
}

step "shellcheck" shellcheck scripts/build-image.sh scripts/test-image.sh scripts/test-deploy.sh deploy/enclave/*.sh

compose() { docker-compose -f deploy/compose.yaml "$@"; }
step "compose: default profile valid" compose config -q
step "compose: replicated profile valid" compose --profile replicated config -q
compose_rules() { compose --profile replicated config | node tests/deploy/validate_compose.mjs; }
step "compose: rules (profiles, non-root, read-only, limits, health-gated order, Redis replicas)" compose_rules

compose_rejects_bad() {
  local err want
  if err=$(node tests/deploy/validate_compose.mjs <tests/deploy/fixtures/bad-compose.yaml 2>&1); then
    echo "validate_compose accepted a bad config" >&2
    return 1
  fi
  for want in "anvil: third-party image must be pinned by digest" "lottery: read_only must be true" \
    "lottery: must run as 10001:10001" "lottery: cpu and memory limits missing" \
    "lottery: must wait for a healthy anvil" "lottery: key must come from a secret file" \
    "lottery: single service must not use Redis" "lottery-1: service missing" \
    "deployer: must run \`lottery deploy\`" "default services are anvil, deployer, lottery, redis"; do
    grep -qF "$want" <<<"$err" || { echo "validate_compose did not report: $want" >&2; return 1; }
  done
}
step "compose: the validator rejects a bad config for each rule" compose_rejects_bad

step ".env.example matches lottery config --describe" node tests/deploy/env_example.mjs --bin "$BIN"
step "k8s: schema, kustomizations and rules" node tests/deploy/validate_k8s.mjs --env-example .env.example deploy/k8s
rejects_bad() {
  local err
  if err=$(node tests/deploy/validate_k8s.mjs --env-example .env.example tests/deploy/fixtures/bad-k8s 2>&1); then
    echo "validate_k8s accepted a bad manifest" >&2
    return 1
  fi
  local want
  for want in "spec/replicas must be integer" "runAsNonRoot must be true" "readOnlyRootFilesystem" \
    "capabilities.drop" "resources.limits.memory missing" "livenessProbe must GET /health" \
    "readinessProbe must GET /api/ready" "unknown port name web" "SERVER_PROT is not a setting" \
    "selector matches no Deployment"; do
    grep -qF "$want" <<<"$err" || { echo "validate_k8s did not report: $want" >&2; return 1; }
  done
}
step "k8s: the validator rejects a bad manifest for each rule" rejects_bad

echo "test-deploy: $failed failed"
((failed == 0))
