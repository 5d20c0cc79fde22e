# shellcheck shell=sh
# SPDX-License-Identifier: Apache-2.0
# PID 1 of the enclave (run by the static busybox of deploy/enclave/Dockerfile):
#   1. loopback up (an enclave boots with lo down and has no other interface);
#   2. /etc/hosts: every RPC host name -> 127.0.0.1, nothing else resolves;
#   3. egress forwarders: 127.0.0.1:<port> -> vsock CID 3 (the parent) port <port>, where the
#      parent's vsock-proxy connects to that host only (its allow-list);
#   4. ingress forwarder: vsock port $ENCLAVE_INGRESS_VSOCK_PORT -> 127.0.0.1:$SERVER_PORT;
#   5. the service as uid 10001 in the foreground; when it exits, the enclave ends.
set -eu
bb=/enclave/busybox
port=${SERVER_PORT:-6080}

$bb ip link set lo up
$bb ip addr add 127.0.0.1/8 dev lo 2>/dev/null || true

hosts="127.0.0.1 localhost"
for entry in ${ENCLAVE_RPC_HOSTS:-}; do
  host=${entry%:*}
  local_port=${entry##*:}
  hosts="$hosts $host"
  /usr/bin/socat "TCP-LISTEN:${local_port},bind=127.0.0.1,fork,reuseaddr" "VSOCK-CONNECT:3:${local_port}" &
done
echo "$hosts" >/etc/hosts
echo "hosts: files" >/etc/nsswitch.conf

/usr/bin/socat "VSOCK-LISTEN:${ENCLAVE_INGRESS_VSOCK_PORT:-6080},fork,reuseaddr" "TCP:127.0.0.1:${port}" &

cd /app
exec $bb start-stop-daemon -S -c lottery:lottery -x /app/lottery -- serve
