#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the enclave image file (EIF) on a Nitro-enabled EC2 parent instance:
#   1. the service image (scripts/build-image.sh);
#   2. its enclave variant (deploy/enclave/Dockerfile) with this deployment's settings baked
#      in -- they become part of the measurement;
#   3. `nitro-cli build-enclave`, which prints PCR0/1/2; they are saved next to the EIF.
# Publish lottery.eif's PCRs with the release: they are what players and the operator
# compare with `lottery verify-attestation` (README.md here).
#
#   deploy/enclave/build-eif.sh --rpc-host rpc.example.org --chain-id 1 \
#       --contract 0x... --operator 0x... [--out build/enclave]
# Needs: docker (BuildKit) and nitro-cli (aws-nitro-enclaves-cli); neither runs outside EC2
# here, so this script is checked with shellcheck only.
set -euo pipefail
cd "$(dirname "$0")/../.."

RPC_HOST="" CHAIN_ID="" CONTRACT="" OPERATOR="" OUT=build/enclave LOCAL_PORT=8001
while (($#)); do
  case $1 in
    --rpc-host) RPC_HOST=$2; shift 2 ;;
    --chain-id) CHAIN_ID=$2; shift 2 ;;
    --contract) CONTRACT=$2; shift 2 ;;
    --operator) OPERATOR=$2; shift 2 ;;
    --local-port) LOCAL_PORT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h | --help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-eif: unknown argument $1" >&2; exit 2 ;;
  esac
done
for v in RPC_HOST CHAIN_ID CONTRACT OPERATOR; do
  [[ -n ${!v} ]] || { echo "build-eif: --${v,,} is required (see --help)" >&2; exit 2; }
done
command -v nitro-cli >/dev/null || { echo "build-eif: nitro-cli not found (aws-nitro-enclaves-cli)" >&2; exit 1; }
mkdir -p "$OUT"

VERSION=$(sed -n 's/^project(enclave_lottery VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
APP=enclave-lottery:$VERSION
ENCLAVE=enclave-lottery-enclave:$VERSION

IMAGE_ENGINE=docker ./scripts/build-image.sh --tag "$APP"
DOCKER_BUILDKIT=1 docker build -f deploy/enclave/Dockerfile -t "$ENCLAVE" \
  --build-arg "APP_IMAGE=$APP" \
  --build-arg "RPC_HOSTS=$RPC_HOST:$LOCAL_PORT" \
  --build-arg "BLOCKCHAIN_RPC_URL=https://$RPC_HOST:$LOCAL_PORT/" \
  --build-arg "BLOCKCHAIN_CHAIN_ID=$CHAIN_ID" \
  --build-arg "BLOCKCHAIN_CONTRACT_ADDRESS=$CONTRACT" \
  --build-arg "BLOCKCHAIN_OPERATOR_ADDRESS=$OPERATOR" .

nitro-cli build-enclave --docker-uri "$ENCLAVE" --output-file "$OUT/lottery.eif" | tee "$OUT/measurements.json"
echo "build-eif: $OUT/lottery.eif; publish the PCRs above (saved in $OUT/measurements.json)"
