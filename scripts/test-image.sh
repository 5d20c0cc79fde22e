#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the runtime image (scripts/build-image.sh) and tests it as a container, run by
# .ci/run after scripts/test.sh:
#   1. deployment files: scripts/test-deploy.sh (shellcheck, compose, k8s, .env.example
#      against the image's own binary);
#   2. the image: size, layers, non-root USER, HEALTHCHECK, OCI labels, EXPOSE, no config or
#      secret in its environment, no shell / package manager / compiler / package database,
#      one static executable, the SBOM;
#   3. the container against a real Anvil: `lottery deploy` from the image (as compose's
#      deployer does), then `lottery serve` with a read-only root filesystem as uid 10001
#      without capabilities; it must answer /health and /api/ready, serve the UI and the ABI,
#      pass its own HEALTHCHECK, and follow a round to the draw it sends itself.
#
# No container engine is needed: the image's root filesystem (buildah mount) is bound
# read-only into private mount, PID and network namespaces and the image's entrypoint runs
# chrooted there with the image's user, working directory and environment -- what a runtime
# does, minus cgroups. Anvil runs in the same network namespace (so port 6080, which the
# HEALTHCHECK probes, is always free). Needs root (CI runs as root).
#
# Options: --no-build tests the image already tagged (IMAGE_TAG, default enclave-lottery:test).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TAG=${IMAGE_TAG:-enclave-lottery:test}
BUILD=1
for arg in "$@"; do
  case $arg in
    --no-build) BUILD=0 ;;
    -h | --help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-image: unknown option $arg" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "test-image: needs root (namespaces, chroot, buildah)" >&2; exit 1; }

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok    $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL  $*"; }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
stage() { echo; echo "=== test-image: $* ==="; }
not() { ! "$@"; }

./scripts/setup.sh
export IMAGE_OUT=${IMAGE_OUT:-build/image}
if ((BUILD)); then
  stage "build"
  # IMAGE_CONTEXT: build another tree than this one (e.g. a `git archive HEAD` while the work
  # tree holds half-done edits).
  ./scripts/build-image.sh --tag "$TAG" ${IMAGE_CONTEXT:+--context "$IMAGE_CONTEXT"}
fi
OUT=$IMAGE_OUT
fig() { sed -n "s/^$1=//p" "$OUT/figures.env"; }
image_bytes=$(fig image_bytes)
layers=$(fig layers)
context_bytes=$(fig context_bytes)
build_seconds=$(fig build_seconds)
BUILDAH=(buildah --storage-driver="$(buildah info 2>/dev/null | jq -r '.store.GraphDriverName // "overlay"')")
"${BUILDAH[@]}" inspect --type image "$TAG" >/dev/null

WORK=$(mktemp -d /tmp/lottery-image-test.XXXXXX)
CTR=""
NETNS_PID=""
PIDS=()
# unshare ignores SIGTERM while it waits for its child: stop a container or the network
# namespace holder by signalling the process inside; unshare then exits with it.
stop_tree() { # stop_tree PID: PID's children, then PID
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill "$child" 2>/dev/null || true; done
  kill "$1" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_tree "$pid"; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n $NETNS_PID ]]; then stop_tree "$NETNS_PID"; wait "$NETNS_PID" 2>/dev/null || true; fi
  if [[ -n $CTR ]]; then
    "${BUILDAH[@]}" umount "$CTR" >/dev/null 2>&1 || true
    "${BUILDAH[@]}" rm "$CTR" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- the image's configuration and filesystem ----------------------------------------------
CONFIG=$("${BUILDAH[@]}" inspect --type image "$TAG" | jq '.Docker.config')
cfg() { jq -r "$1" <<<"$CONFIG"; }
CTR=$("${BUILDAH[@]}" from --pull=false "$TAG")
RFS=$("${BUILDAH[@]}" mount "$CTR")

stage "deployment files"
check "scripts/test-deploy.sh" ./scripts/test-deploy.sh "$RFS/app/lottery"

stage "image"
check "image under 20 MB ($image_bytes bytes, $layers layers)" test "$image_bytes" -lt 20000000
check "build context under 2 MiB ($context_bytes bytes)" test "$context_bytes" -lt 2097152
check "USER is the non-root 10001:10001" test "$(cfg .User)" = "10001:10001"
check "passwd names uid 10001" grep -q '^lottery:x:10001:10001:' "$RFS/etc/passwd"
check "no root login in passwd" not grep -q '^root:' "$RFS/etc/passwd"
check "HEALTHCHECK runs lottery healthcheck" \
  test "$(cfg '.Healthcheck.Test[0:3] | join(" ")')" = "CMD /app/lottery healthcheck"
check "EXPOSE 6080/tcp" test "$(cfg '.ExposedPorts | keys | join(",")')" = "6080/tcp"
check "ENTRYPOINT /app/lottery, CMD serve" test "$(cfg '(.Entrypoint + .Cmd) | join(" ")')" = "/app/lottery serve"
for label in version revision source created; do
  check "OCI label $label" test -n "$(cfg ".Labels[\"org.opencontainers.image.$label\"] // empty")"
done
# The commit build-image.sh built (HEAD when this script built the image).
check "revision label is the built commit" test "$(cfg '.Labels["org.opencontainers.image.revision"]')" = "$(fig revision)"
if ((BUILD)); then
  check "built commit is HEAD" test "$(fig revision)" = "$(git rev-parse HEAD 2>/dev/null || echo unknown)"
fi
# The binary knows its commit too (the Dockerfile passes it to CMake: no .git in the context).
version_line="lottery $(cfg '.Labels["org.opencontainers.image.version"]') ($(fig revision))"
check "lottery --version prints the built commit ($version_line)" \
  test "$("$RFS/app/lottery" --version 2>&1)" = "$version_line"
check "no key, RPC or contract baked into the environment" \
  not grep -Eq '^(BLOCKCHAIN_|REDIS_|DEPLOYER_)|KEY' <(cfg '.Env[]')
find "$RFS" -mindepth 1 \( -type f -o -type l \) -printf '/%P\n' | sort >"$WORK/files"
check "files: binary, UI, ABI + bytecode, CA bundle, passwd/group only" not grep -Ev \
  '^/app/lottery$|^/app/web/|^/app/Lottery\.(abi|bin)$|^/etc/ssl/certs/ca-certificates.crt$|^/etc/(passwd|group)$' "$WORK/files"
check "no shell" not grep -Eq '/(sh|bash|dash|ash|zsh|busybox)$' "$WORK/files"
check "no package manager or package database" \
  not grep -Eq '/(apt|apt-get|dpkg|apk|rpm|yum|dnf|pip|npm)$|^/var/lib/(dpkg|apt|rpm)/' "$WORK/files"
check "no compiler, linker or interpreter" \
  not grep -Eq '/(cc|gcc|g\+\+|c\+\+|clang|ld|as|cpp|node|python3?|perl)$' "$WORK/files"
elfs=$(while read -r f; do
  if [[ -f $RFS$f ]] && head -c4 "$RFS$f" | grep -q 'ELF'; then echo "$f"; fi
done <"$WORK/files")
check "one executable, /app/lottery" test "$elfs" = "/app/lottery"
static_stripped() { local f; f=$(file -L "$RFS/app/lottery"); [[ $f == *"statically linked"* && $f == *", stripped"* ]]; }
check "/app/lottery is static and stripped" static_stripped
ui_built() { test -f "$RFS/app/web/index.html" && compgen -G "$RFS/app/web/assets/*.js" >/dev/null; }
check "UI built in (index.html + assets)" ui_built
check "ABI is the committed one" cmp -s "$RFS/app/Lottery.abi" "${IMAGE_CONTEXT:-.}/contracts/out/Lottery.abi"
check "SBOM: SPDX 2.3 with static Debian libs and bundled npm packages" jq -e '
  .spdxVersion == "SPDX-2.3"
  and ([.packages[] | select(.name == "libssl-dev" or .name == "libc6-dev" or .name == "libstdc++-12-dev")] | length) == 3
  and ([.packages[] | select(.name == "react" or .name == "viem")] | length) == 2
  and ([.packages[] | select(.name == "vite" or .name == "typescript")] | length) == 0
  and ([.relationships[] | select(.relationshipType == "STATIC_LINK")] | length) >= 5' "$OUT/sbom.spdx.json" >/dev/null

# --- running the container -----------------------------------------------------------------
stage "container against Anvil"
# A network namespace of our own: loopback only; Anvil, the container and curl share it.
unshare --net --fork --kill-child sleep infinity </dev/null >/dev/null 2>&1 &
NETNS_PID=$!
sleep 0.2
innet() { nsenter --net="/proc/$NETNS_PID/ns/net" -- "$@"; }
innet ip link set lo up

# Mountpoints a runtime creates in the container's own writable layer (never in the image).
mkdir -p "$RFS/proc" "$RFS/dev" "$RFS/run/secrets"

# The launcher: private mount + PID namespace, the image root bound read-only, /proc and a
# minimal /dev, optional read-only binds (secrets), then chroot, chdir to WorkingDir, drop
# to the image's user (no groups, no capabilities, no_new_privs) and exec with exactly the
# image's environment plus the given variables.
cat >"$WORK/launch.sh" <<'EOF'
#!/bin/bash
set -euo pipefail
rfs=$1 spec=$2
root=$(mktemp -d /tmp/lottery-ctr-root.XXXXXX)
mount --bind "$rfs" "$root"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o nosuid,noexec,mode=0755,size=64k tmpfs "$root/dev"
for d in null zero random urandom; do
  touch "$root/dev/$d"
  mount --bind "/dev/$d" "$root/dev/$d"
done
while IFS= read -r bind; do
  [[ -n $bind ]] || continue
  mount --bind "${bind%%:*}" "$root${bind#*:}"
  mount -o remount,bind,ro "$root${bind#*:}"
done < <(jq -r '.binds[]' "$spec")
mount -o remount,bind,ro "$root"
exec setpriv --no-new-privs /usr/bin/python3 -c '
import json, os, sys
root, spec = sys.argv[1], json.load(open(sys.argv[2]))
os.chroot(root)
os.chdir(spec["workdir"] or "/")
uid, gid = (int(x) for x in spec["user"].split(":"))
os.setgroups([])
os.setgid(gid)
os.setuid(uid)
env = dict(e.split("=", 1) for e in spec["env"])
os.execve(spec["argv"][0], spec["argv"], env)
' "$root" "$spec"
EOF
chmod +x "$WORK/launch.sh"

# ctr NAME [-e K=V]... [-v SRC:DST]... -- ARGV...: run ARGV in the container, in the
# background; its stdout/stderr go to $WORK/NAME.out / .err and its PID to $WORK/NAME.pid.
ctr() {
  local name=$1
  shift
  local envs=() binds=()
  while [[ $1 != -- ]]; do
    case $1 in
      -e) envs+=("$2"); shift 2 ;;
      -v) binds+=("$2"); shift 2 ;;
      *) echo "ctr: bad option $1" >&2; return 2 ;;
    esac
  done
  shift
  local spec=$WORK/$name.json
  printf '%s\0' "${envs[@]}" >"$WORK/$name.env0"
  printf '%s\0' "${binds[@]}" >"$WORK/$name.binds0"
  printf '%s\0' "$@" >"$WORK/$name.argv0"
  jq -n --argjson cfg "$CONFIG" --rawfile e "$WORK/$name.env0" --rawfile b "$WORK/$name.binds0" \
    --rawfile a "$WORK/$name.argv0" 'def list: split("\u0000") | map(select(length > 0));
    {user: $cfg.User, workdir: $cfg.WorkingDir, env: ($cfg.Env + ($e | list)),
     binds: ($b | list), argv: ($a | list)}' >"$spec"
  # Not through innet(): $! must be unshare itself (nsenter execs it), whose child is the
  # container's process.
  nsenter --net="/proc/$NETNS_PID/ns/net" -- unshare --mount --propagation private --pid --fork \
    --kill-child=SIGTERM "$WORK/launch.sh" "$RFS" "$spec" </dev/null >"$WORK/$name.out" 2>"$WORK/$name.err" &
  echo $! >"$WORK/$name.pid"
}
# The process inside (the child of unshare): its host PID.
inner_pid() { pgrep -P "$(cat "$WORK/$1.pid")" | head -1; }
wait_ctr() { wait "$(cat "$WORK/$1.pid")"; }
mapfile -t ENTRY < <(cfg '(.Entrypoint // [])[]')

# Anvil: the test key of account #0 deploys, #1 operates, #2 and #3 play.
ANVIL=$ROOT/node_modules/.bin/anvil
CAST=$ROOT/node_modules/.bin/cast
KEYS=()
for i in 0 1 2 3; do
  KEYS+=("$("$CAST" wallet private-key --mnemonic "test test test test test test test test test test test junk" \
    --mnemonic-index "$i")")
done
OPERATOR=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
RPC=http://127.0.0.1:8545
nsenter --net="/proc/$NETNS_PID/ns/net" -- "$ANVIL" --host 127.0.0.1 --port 8545 --chain-id 31337 \
  --block-time 1 --silent </dev/null >"$WORK/anvil.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do innet "$CAST" block-number --rpc-url "$RPC" >/dev/null 2>&1 && break; sleep 0.2; done
anvil_answers() { innet "$CAST" block-number --rpc-url "$RPC" >/dev/null; }
check "anvil answers" anvil_answers

# 1. The compose deployer: the image's `lottery deploy`, key from a read-only secret file.
printf '%s\n' "${KEYS[0]}" >"$WORK/deployer.key"
chmod 0644 "$WORK/deployer.key"
touch "$RFS/run/secrets/deployer_key" "$RFS/run/secrets/operator_key"
ctr deploy -e DEPLOYER_PRIVATE_KEY_FILE=/run/secrets/deployer_key -v "$WORK/deployer.key:/run/secrets/deployer_key" \
  -- "${ENTRY[@]}" deploy --rpc-url="$RPC" --chain-id=31337 --operator="$OPERATOR"
if wait_ctr deploy; then ok "lottery deploy in the container"; else bad "lottery deploy in the container"; cat "$WORK/deploy.err"; fi
CONTRACT=$(tr -d '[:space:]' <"$WORK/deploy.out")
check "deployed at the address compose expects ($CONTRACT)" \
  test "${CONTRACT,,}" = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
# Short rounds for the test (only the operator may, while the round waits; before the
# service starts so their nonces cannot collide).
innet "$CAST" send -q --rpc-url "$RPC" --private-key "${KEYS[1]}" "$CONTRACT" 'updateBettingDuration(uint256)' 10 >/dev/null

# 2. The service: entrypoint + default CMD, settings as compose gives them.
printf '%s\n' "${KEYS[1]}" >"$WORK/operator.key"
chmod 0644 "$WORK/operator.key"
mapfile -t CMD < <(cfg '(.Cmd // [])[]')
ctr serve -e BLOCKCHAIN_RPC_URL="$RPC" -e BLOCKCHAIN_CHAIN_ID=31337 -e BLOCKCHAIN_CONTRACT_ADDRESS="$CONTRACT" \
  -e EVENTMGR_CONFIRMATIONS=0 -e BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE=/run/secrets/operator_key \
  -v "$WORK/operator.key:/run/secrets/operator_key" -- "${ENTRY[@]}" "${CMD[@]}"
PIDS+=("$(cat "$WORK/serve.pid")")
URL=http://127.0.0.1:6080
get() { innet curl -fsS -m 5 "$URL$1"; }
started=$SECONDS
until get /api/ready >/dev/null 2>&1; do
  if ((SECONDS - started > 60)) || ! kill -0 "$(cat "$WORK/serve.pid")" 2>/dev/null; then break; fi
  sleep 0.5
done
if get /api/ready >/dev/null 2>&1; then
  ok "ready after $((SECONDS - started)) s with a read-only root filesystem"
else
  bad "service not ready"
  tail -30 "$WORK/serve.err"
fi
SVC=$(inner_pid serve || true)
svc_status() { [[ -n $SVC ]] && grep -Eq "$1" "/proc/$SVC/status"; }
check "runs as uid 10001" svc_status '^Uid:\s+10001\s+10001\s+10001\s+10001$'
check "holds no capabilities" svc_status '^CapEff:\s+0+$'
root_ro() { [[ -n $SVC ]] && awk '$5 == "/" {print $6}' "/proc/$SVC/mountinfo" | grep -q '^ro'; }
check "root filesystem is read-only" root_ro
health_ok() { get /health | jq -e '.status == "ok"' >/dev/null; }
check "/health ok" health_ok
ui_served() { get / | grep -qi '<html'; }
check "/ serves the UI" ui_served
asset=$(get / | grep -o '/assets/[^"]*\.js' | head -1 || true)
asset_served() { [[ -n $asset ]] && get "$asset" >/dev/null; }
check "UI asset $asset served" asset_served
abi_served() { diff <(get /contracts/abi/Lottery.abi | jq -S .) <(jq -S . "${IMAGE_CONTEXT:-.}/contracts/out/Lottery.abi") >/dev/null; }
check "ABI served from the image" abi_served

# The image's own HEALTHCHECK command, as the runtime runs it (same container, no entrypoint).
mapfile -t HC < <(cfg '.Healthcheck.Test[1:][]')
ctr health -- "${HC[@]}"
check "HEALTHCHECK passes" wait_ctr health

# 3. A round: two players bet; the service must draw it (operator key from the secret file).
for k in "${KEYS[2]}" "${KEYS[3]}"; do
  innet "$CAST" send -q --rpc-url "$RPC" --private-key "$k" --value 0.001ether "$CONTRACT" 'placeBet()' >/dev/null
done
started=$SECONDS
drawn=""
while ((SECONDS - started < 90)); do
  drawn=$(get '/api/history?limit=1' 2>/dev/null | jq -r '.rounds[0] | select(.event_type == "RoundCompleted") | .winner' || true)
  [[ -n $drawn ]] && break
  sleep 1
done
is_player() { [[ ${drawn,,} == 0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc || ${drawn,,} == 0x90f79bf6eb2c4f870365e785982e1f101e93b906 ]]; }
check "round drawn by the container's operator after $((SECONDS - started)) s (winner $drawn)" is_player

# Footprint after following a round (informational; docs/operations.md quotes it).
if [[ -n $SVC && -r /proc/$SVC/status ]]; then
  echo "  info  service memory: $(awk '/^VmRSS/ {print $2 " " $3}' "/proc/$SVC/status") resident, $(awk '/^Threads/ {print $2}' "/proc/$SVC/status") threads"
fi

# The healthcheck fails once the service is gone (SIGTERM to the service: a clean stop).
stop_tree "$(cat "$WORK/serve.pid")"
serve_rc=0
wait "$(cat "$WORK/serve.pid")" 2>/dev/null || serve_rc=$?
check "service exits 0 on SIGTERM (got $serve_rc)" test "$serve_rc" -eq 0
ctr health2 -- "${HC[@]}"
check "HEALTHCHECK fails without the service" not wait_ctr health2
check "service stopped cleanly on SIGTERM" not grep -Eiq 'terminate called|segmentation|abort' "$WORK/serve.err"

echo
echo "test-image: $passed passed, $failed failed"
echo "  image $TAG: $image_bytes bytes ($layers layers), context $context_bytes bytes, build ${build_seconds} s"
((failed == 0))
