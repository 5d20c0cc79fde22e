#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the EIF on the parent instance and the host side of its networking:
#   - egress: AWS's vsock-proxy listens on vsock port LOCAL_PORT and connects to
#     RPC_HOST:443 only -- the allow-list deploy/enclave/vsock-proxy.yaml refuses every other
#     destination; the enclave's init.sh forwards 127.0.0.1:LOCAL_PORT to it;
#   - ingress: socat forwards the parent's TCP 6080 to the enclave's vsock port 6080 (put TLS
#     in front: a load balancer or a reverse proxy on the parent);
#   - the enclave: nitro-cli run-enclave with a fixed CID, production mode (no
#     --debug-mode: debug enclaves attest with zero PCRs, which every verifier rejects).
#
#   deploy/enclave/run-enclave.sh --eif build/enclave/lottery.eif --rpc-host rpc.example.org \
#       [--cid 16] [--cpus 2] [--memory 1024] [--local-port 8001] [--listen 6080]
# Then inject the key from the operator's machine: lottery inject-key --url ... --attest.
# Needs nitro-cli, vsock-proxy (aws-nitro-enclaves-cli) and socat on a Nitro-enabled EC2
# instance; outside EC2 it can only be checked with shellcheck.
set -euo pipefail
cd "$(dirname "$0")"

EIF="" RPC_HOST="" CID=16 CPUS=2 MEMORY=1024 LOCAL_PORT=8001 LISTEN=6080
while (($#)); do
  case $1 in
    --eif) EIF=$2; shift 2 ;;
    --rpc-host) RPC_HOST=$2; shift 2 ;;
    --cid) CID=$2; shift 2 ;;
    --cpus) CPUS=$2; shift 2 ;;
    --memory) MEMORY=$2; shift 2 ;;
    --local-port) LOCAL_PORT=$2; shift 2 ;;
    --listen) LISTEN=$2; shift 2 ;;
    -h | --help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-enclave: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -f $EIF && -n $RPC_HOST ]] || { echo "run-enclave: --eif FILE and --rpc-host HOST are required" >&2; exit 2; }
for tool in nitro-cli vsock-proxy socat; do
  command -v "$tool" >/dev/null || { echo "run-enclave: $tool not found" >&2; exit 1; }
done
grep -q "address: $RPC_HOST," vsock-proxy.yaml ||
  { echo "run-enclave: $RPC_HOST is not in vsock-proxy.yaml's allow-list" >&2; exit 1; }

pids=()
stop() {
  nitro-cli terminate-enclave --all >/dev/null 2>&1 || true
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop EXIT INT TERM

vsock-proxy "$LOCAL_PORT" "$RPC_HOST" 443 --config "$PWD/vsock-proxy.yaml" &
pids+=($!)
socat "TCP-LISTEN:$LISTEN,fork,reuseaddr" "VSOCK-CONNECT:$CID:6080" &
pids+=($!)

nitro-cli run-enclave --eif-path "$EIF" --cpu-count "$CPUS" --memory "$MEMORY" --enclave-cid "$CID"
nitro-cli describe-enclaves
echo "run-enclave: serving on :$LISTEN; Ctrl-C terminates the enclave and the proxies"
wait
