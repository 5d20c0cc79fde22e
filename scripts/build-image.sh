#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the runtime container image from deploy/docker/Dockerfile (context: the repo root)
# with `docker build` when a Docker engine answers, else with `buildah` (chroot isolation,
# no daemon). Writes the image's SPDX SBOM next to the figures and prints: build context
# size, image size, layer count and build time.
#
#   scripts/build-image.sh                       build enclave-lottery:latest (+ SBOM)
#   scripts/build-image.sh --tag NAME:TAG        another tag
#   scripts/build-image.sh --bench               clean full build (no layer cache, empty
#                                                compiler/build caches), then a rebuild after
#                                                changing one source file; writes the figures
#                                                into docs/benchmarks.md
#   scripts/build-image.sh --push REG/NAME:TAG   tag and push after the build (the registry
#                                                must be reachable and logged in to)
#   scripts/build-image.sh --context DIR         build another tree (e.g. `git archive HEAD`
#                                                unpacked) with this Dockerfile; default: here
#
# Environment: IMAGE_OUT (default build/image: SBOM, figures), IMAGE_ENGINE (docker|buildah,
# default: docker when `docker info` works), STORAGE_DRIVER (buildah: overlay when the kernel
# allows it here, else vfs), DEBIAN_MIRROR (for local bases, default deb.debian.org).
#
# Offline machines: when the Dockerfile's pinned bases can neither be found locally nor
# pulled, equivalent local bases are made once -- a debootstrap'ed Debian bookworm root as
# docker.io/library/debian:bookworm-slim, plus this machine's Node (>= 20) on top of it as
# docker.io/library/node:20-bookworm-slim -- and passed with --build-arg. The Dockerfile
# stays the one a normal Docker machine builds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TAG=enclave-lottery:latest
BENCH=0
PUSH=""
CONTEXT=$ROOT
while (($#)); do
  case $1 in
    --tag) TAG=$2; shift 2 ;;
    --bench) BENCH=1; shift ;;
    --push) PUSH=$2; shift 2 ;;
    --context) CONTEXT=$(cd "$2" && pwd); shift 2 ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

OUT=${IMAGE_OUT:-build/image}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DOCKERFILE=deploy/docker/Dockerfile
VERSION=$(sed -n 's/^project(enclave_lottery VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
# The commit: the OCI revision label and, through the build stage's REVISION argument
# (-DLOTTERY_GIT_REVISION), what `lottery --version` prints -- the context has no .git.
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE=$(git remote get-url origin 2>/dev/null || echo unknown)
CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log() { echo "build-image: $*" >&2; }
human() { numfmt --to=iec-i --suffix=B --format='%.2f' "$1"; }

# --- engine -------------------------------------------------------------------------------
ENGINE=${IMAGE_ENGINE:-}
if [[ -z $ENGINE ]]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then ENGINE=docker
  elif command -v buildah >/dev/null; then ENGINE=buildah
  else
    echo "build-image: neither a Docker engine nor buildah; run scripts/setup.sh (installs buildah)" >&2
    exit 1
  fi
fi

BUILDAH=()
if [[ $ENGINE == buildah ]]; then
  export BUILDAH_ISOLATION=chroot
  # Cache mounts live under $TMPDIR/buildah-cache-<uid>: a directory of our own, so --bench
  # can empty exactly them.
  export TMPDIR=${IMAGE_TMPDIR:-/var/tmp/lottery-image}
  mkdir -p "$TMPDIR"
  driver=${STORAGE_DRIVER:-}
  if [[ -z $driver ]]; then
    driver=vfs
    probe=$(mktemp -d)
    mkdir -p "$probe"/{l,u,w,m}
    if mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" 2>/dev/null; then
      umount "$probe/m"
      driver=overlay
    fi
    rm -rf "$probe"
    # A store made with one driver cannot be opened with the other.
    if [[ -d /var/lib/containers/storage/vfs-images && ! -d /var/lib/containers/storage/overlay-images ]]; then driver=vfs; fi
  fi
  BUILDAH=(buildah --storage-driver="$driver")
  log "engine buildah $(buildah --version | cut -d' ' -f3), storage $driver, isolation chroot"
else
  log "engine $(docker version -f '{{.Server.Version}}' 2>/dev/null | sed 's/^/docker /')"
fi

# --- base images --------------------------------------------------------------------------
pinned() { sed -n "s/^ARG $1=//p" "$DOCKERFILE"; }
DEBIAN_PINNED=$(pinned DEBIAN_IMAGE)
NODE_PINNED=$(pinned NODE_IMAGE)
DEBIAN_LOCAL=docker.io/library/debian:bookworm-slim
NODE_LOCAL=docker.io/library/node:20-bookworm-slim

image_exists() {
  if [[ $ENGINE == docker ]]; then docker image inspect "$1" >/dev/null 2>&1
  else "${BUILDAH[@]}" inspect --type image "$1" >/dev/null 2>&1; fi
}
try_pull() {
  # Registry reachable at all? (A failing pull would otherwise retry for minutes.)
  curl -fsS -m 5 -o /dev/null -w '' https://registry-1.docker.io/v2/ 2>/dev/null ||
    [[ $(curl -s -m 5 -o /dev/null -w '%{http_code}' https://registry-1.docker.io/v2/ 2>/dev/null) == 401 ]] || return 1
  if [[ $ENGINE == docker ]]; then docker pull -q "$1" >/dev/null
  else "${BUILDAH[@]}" pull -q "$1" >/dev/null; fi
}

make_debian_base() {
  log "creating local base $DEBIAN_LOCAL (debootstrap bookworm, minbase)"
  command -v debootstrap >/dev/null || { echo "build-image: debootstrap missing (scripts/setup.sh)" >&2; exit 1; }
  local rootfs
  rootfs=$(mktemp -d "$TMPDIR/debian-rootfs.XXXXXX")
  debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$OUT/debootstrap.log" 2>&1 ||
    { tail -20 "$OUT/debootstrap.log" >&2; exit 1; }
  # As in the official slim image: bookworm + its security and updates suites, no caches.
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb ${DEBIAN_MIRROR:-http://deb.debian.org/debian} bookworm main
deb ${DEBIAN_MIRROR:-http://deb.debian.org/debian} bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  echo 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };' >"$rootfs/etc/apt/apt.conf.d/docker-clean"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
  local ctr mnt
  ctr=$("${BUILDAH[@]}" from scratch)
  mnt=$("${BUILDAH[@]}" mount "$ctr")
  tar -C "$rootfs" -cf - . | tar -C "$mnt" -xf -
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
  "${BUILDAH[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd bash --label "org.opencontainers.image.description=local stand-in for $DEBIAN_PINNED" "$ctr"
  "${BUILDAH[@]}" commit -q "$ctr" "$DEBIAN_LOCAL" >/dev/null
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
  rm -rf "$rootfs"
}

make_node_base() {
  log "creating local base $NODE_LOCAL (local Debian base + this machine's Node)"
  local node npm_dir major
  node=$(readlink -f "$(command -v node)")
  major=$("$node" -p 'process.versions.node.split(".")[0]')
  ((major >= 20)) || { echo "build-image: need Node >= 20 on this machine for the local node base (have $major)" >&2; exit 1; }
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [[ -f $npm_dir/package.json ]] || { echo "build-image: npm package not found at $npm_dir" >&2; exit 1; }
  local ctr mnt
  ctr=$("${BUILDAH[@]}" from --pull=false "$DEBIAN_LOCAL")
  mnt=$("${BUILDAH[@]}" mount "$ctr")
  install -D -m 0755 "$node" "$mnt/usr/local/bin/node"
  mkdir -p "$mnt/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$mnt/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  local env=(--env "NODE_VERSION=$("$node" -p process.versions.node)")
  # A machine whose HTTPS goes through a TLS-inspecting proxy trusts its CA through
  # NODE_EXTRA_CA_CERTS; the local stand-in base trusts the same (the pinned one never does).
  if [[ -n ${NODE_EXTRA_CA_CERTS:-} && -f $NODE_EXTRA_CA_CERTS ]]; then
    install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$mnt/usr/local/share/ca-certificates/build-host-extra.crt"
    env+=(--env NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/build-host-extra.crt)
    log "local node base trusts this machine's NODE_EXTRA_CA_CERTS"
  fi
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
  "${BUILDAH[@]}" config "${env[@]}" --cmd node \
    --label "org.opencontainers.image.description=local stand-in for $NODE_PINNED" "$ctr"
  "${BUILDAH[@]}" commit -q "$ctr" "$NODE_LOCAL" >/dev/null
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
}

BASE_ARGS=()
if image_exists "$DEBIAN_PINNED" && image_exists "$NODE_PINNED"; then
  log "pinned base images present"
elif try_pull "$DEBIAN_PINNED" && try_pull "$NODE_PINNED"; then
  log "pinned base images pulled"
else
  [[ $ENGINE == buildah ]] || { echo "build-image: cannot pull the pinned bases; load them (docker load) first" >&2; exit 1; }
  log "pinned bases unavailable (registry unreachable): using local equivalents"
  image_exists "$DEBIAN_LOCAL" || make_debian_base
  image_exists "$NODE_LOCAL" || make_node_base
  BASE_ARGS=(--build-arg "DEBIAN_IMAGE=$DEBIAN_LOCAL" --build-arg "NODE_IMAGE=$NODE_LOCAL")
fi

# --- build --------------------------------------------------------------------------------
# build CONTEXT TARGET [extra engine args...]: the image build; prints nothing but errors and
# the engine's own step log into $OUT/build.log.
build() {
  local context=$1 target=$2
  shift 2
  local common=(-f "$ROOT/$DOCKERFILE" --target "$target" "${BASE_ARGS[@]}"
    --build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION"
    --build-arg "CREATED=$CREATED" --build-arg "SOURCE=$SOURCE")
  if [[ $ENGINE == docker ]]; then
    DOCKER_BUILDKIT=1 docker build --progress=plain "${common[@]}" "$@" "$context"
  else
    "${BUILDAH[@]}" build --format docker --layers --pull=false "${common[@]}" "$@" "$context"
  fi
}

# Seconds (with decimals) taken by a command; its output goes to $OUT/build.log.
timed() {
  local start end
  start=$(date +%s.%N)
  if ! "$@" >>"$OUT/build.log" 2>&1; then
    tail -40 "$OUT/build.log" >&2
    echo "build-image: build failed (full log: $OUT/build.log)" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.1f", $2 - $1}'
}

# Exactly what the engine receives as context: copy it into a scratch image through the
# same .dockerignore and measure that.
context_bytes() {
  local context=$1
  if [[ $ENGINE == docker ]]; then
    # BuildKit logs "transferring context: 1.23MB"; the file count is not reported.
    local size
    size=$(sed -n 's/.*transferring context: \([0-9.]*\)\([kMG]\{0,1\}\)B.*/\1\2/p' "$OUT/build.log" | tail -1 | tr k K)
    echo "? $(numfmt --from=si "${size:-0}")"
    return
  fi
  local df ctr mnt size
  df=$(mktemp "$TMPDIR/context.XXXXXX")
  printf 'FROM scratch\nCOPY . /context/\n' >"$df"
  "${BUILDAH[@]}" build -q --layers=false -f "$df" -t localhost/lottery-context-probe "$context" >/dev/null
  ctr=$("${BUILDAH[@]}" from localhost/lottery-context-probe)
  mnt=$("${BUILDAH[@]}" mount "$ctr")
  size=$(du -sb --apparent-size "$mnt/context" | cut -f1)
  echo "$(find "$mnt/context" -type f | wc -l) $size"
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
  "${BUILDAH[@]}" rmi localhost/lottery-context-probe >/dev/null
  rm -f "$df"
}

# "uncompressed compressed layers": uncompressed = the sum of the layer tars (what `docker
# images` shows); compressed = gzip layers + config + manifest (what a registry transfers).
image_facts() {
  if [[ $ENGINE == docker ]]; then
    local size layers
    read -r size layers < <(docker image inspect -f '{{.Size}} {{len .RootFS.Layers}}' "$TAG")
    echo "$size $(docker save "$TAG" | gzip -c | wc -c) $layers"
    return
  fi
  local dir layers raw=0 blob
  dir=$(mktemp -d "$TMPDIR/oci.XXXXXX")
  "${BUILDAH[@]}" push -q --format oci --compression-format gzip "$TAG" "oci:$dir/image" >/dev/null
  layers=$("${BUILDAH[@]}" inspect --type image -f '{{len .OCIv1.RootFS.DiffIDs}}' "$TAG")
  for blob in $(jq -r '.layers[].digest | sub("sha256:"; "")' \
    "$dir/image/blobs/sha256/$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$dir/image/index.json")"); do
    raw=$((raw + $(gzip -dc "$dir/image/blobs/sha256/$blob" | wc -c)))
  done
  echo "$raw $(du -sb "$dir/image/blobs" | cut -f1) $layers"
  rm -rf "$dir"
}

# buildah (1.28) reuses a cached LABEL step even when the build arguments in it changed
# (BuildKit does not): when every layer came from the cache of a build at another commit, the
# image would keep that commit's revision and date. Then set them afresh (this commits one
# empty layer on top; a build where any layer changed never needs it).
refresh_labels() {
  [[ $ENGINE == buildah ]] || return 0
  local have
  have=$("${BUILDAH[@]}" inspect --type image -f '{{index .Docker.Config.Labels "org.opencontainers.image.revision"}}' "$TAG")
  [[ $have != "$REVISION" ]] || return 0
  log "cached image carries revision ${have:0:12}: relabelling"
  local ctr
  ctr=$("${BUILDAH[@]}" from --pull=false "$TAG")
  "${BUILDAH[@]}" config --label "org.opencontainers.image.revision=$REVISION" \
    --label "org.opencontainers.image.created=$CREATED" --label "org.opencontainers.image.version=$VERSION" \
    --label "org.opencontainers.image.source=$SOURCE" "$ctr"
  "${BUILDAH[@]}" commit -q --format docker "$ctr" "$TAG" >/dev/null
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
}

write_sbom() {
  local context=$1
  rm -rf "$OUT/sbom"
  timed build "$context" sbom-out --output "type=local,dest=$OUT/sbom" >/dev/null
  mv "$OUT/sbom/sbom.spdx.json" "$OUT/sbom.spdx.json"
  rm -rf "$OUT/sbom"
}

: >"$OUT/build.log"
if ((BENCH)); then
  # A staging copy of the context: the one-file change for the rebuild is made there, never
  # in the work tree. The .dockerignore filters it exactly like the real context.
  stage="$TMPDIR/context"
  rm -rf "$stage"
  mkdir -p "$stage"
  tar -C "$CONTEXT" --exclude=./.git --exclude=./build --exclude=node_modules --exclude=./web/dist -cf - . |
    tar -C "$stage" -xf -
  log "bench: emptying the layer cache and the compiler/build cache mounts"
  if [[ $ENGINE == docker ]]; then
    docker builder prune -f --filter type=exec.cachemount >/dev/null
  else
    rm -rf "$TMPDIR"/buildah-cache*
  fi
  log "bench: full build (no cache) ..."
  full=$(timed build "$stage" runtime -t "$TAG" --no-cache)
  log "bench: full build ${full} s"
  # A real code change, not a comment: ccache hashes the preprocessed source, so a comment
  # would be a cache hit and measure only the link.
  probe=${BENCH_FILE:-src/server/api.cpp}
  printf '\n[[maybe_unused]] static constexpr long kRebuildProbe = %s;\n' "$(date +%s%N)" >>"$stage/$probe"
  log "bench: rebuild after changing $probe ..."
  rebuild=$(timed build "$stage" runtime -t "$TAG")
  log "bench: rebuild ${rebuild} s"
  read -r ctx_files ctx_bytes < <(context_bytes "$stage")
  write_sbom "$stage"
else
  log "building $TAG ..."
  full=$(timed build "$CONTEXT" runtime -t "$TAG")
  refresh_labels
  rebuild=""
  read -r ctx_files ctx_bytes < <(context_bytes "$CONTEXT")
  write_sbom "$CONTEXT"
fi

read -r img_bytes gz_bytes layers < <(image_facts)
static_libs=$(grep -c '"relationshipType": "STATIC_LINK"' "$OUT/sbom.spdx.json" || true)
npm_pkgs=$(grep -c '"SPDXID": "SPDXRef-Npm-' "$OUT/sbom.spdx.json" || true)

{
  echo "engine=$ENGINE"
  echo "tag=$TAG"
  echo "revision=$REVISION"
  echo "context_files=$ctx_files"
  echo "context_bytes=$ctx_bytes"
  echo "image_bytes=$img_bytes"
  echo "image_compressed_bytes=$gz_bytes"
  echo "layers=$layers"
  echo "build_seconds=$full"
  echo "rebuild_seconds=$rebuild"
  echo "sbom_static_packages=$static_libs"
  echo "sbom_npm_packages=$npm_pkgs"
} >"$OUT/figures.env"

echo "image            $TAG ($ENGINE)"
echo "build context    $(human "$ctx_bytes") in $ctx_files files"
echo "image size       $(human "$img_bytes") uncompressed, $(human "$gz_bytes") compressed, $layers layers"
if ((BENCH)); then
  ratio=$(awk -v a="$full" -v b="$rebuild" 'BEGIN{printf "%.1f", a / b}')
  echo "full build       ${full} s (no layer cache, empty compiler cache)"
  echo "rebuild          ${rebuild} s after changing one source file, $probe (${ratio}x faster)"
else
  echo "build time       ${full} s (with whatever cache this machine has)"
fi
echo "SBOM             $OUT/sbom.spdx.json ($static_libs static Debian packages, $npm_pkgs npm packages)"

if ((BENCH)); then
  cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  block=$(mktemp)
  {
    echo "<!-- image-figures:begin (written by scripts/build-image.sh --bench; do not edit) -->"
    echo "| Figure | Value | Target |"
    echo "|---|---|---|"
    echo "| Build context | $(human "$ctx_bytes") ($ctx_files files) | < 2 MiB |"
    echo "| Runtime image, uncompressed | $(human "$img_bytes") | < 20 MB |"
    echo "| Runtime image, compressed (registry transfer) | $(human "$gz_bytes") | |"
    echo "| Layers | $layers | |"
    echo "| Full build (no layer cache, empty compiler cache) | ${full} s | |"
    echo "| Rebuild after a code change in one source file ($probe) | ${rebuild} s (${ratio}x faster) | >= 5x faster |"
    echo "| Packages with a shell in the image | 0 (FROM scratch, no package database) | 0 |"
    echo "| SBOM | $static_libs statically linked Debian packages, $npm_pkgs bundled npm packages | |"
    echo ""
    echo "Measured $(date -u +%Y-%m-%d) with $ENGINE ($(nproc) vCPU $cpu, shared: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end), revision ${REVISION:0:12}."
    echo "<!-- image-figures:end -->"
  } >"$block"
  if grep -q '<!-- image-figures:begin' docs/benchmarks.md 2>/dev/null; then
    # Replace only our block: others write other sections of the same file.
    awk -v blockfile="$block" '
      /<!-- image-figures:begin/ { while ((getline line < blockfile) > 0) print line; skip = 1; next }
      /<!-- image-figures:end -->/ { skip = 0; next }
      !skip { print }' docs/benchmarks.md >"$block.new"
    cat "$block.new" >docs/benchmarks.md
    rm -f "$block.new"
    log "figures written to docs/benchmarks.md"
  else
    log "docs/benchmarks.md has no image-figures markers; figures not written there"
  fi
  rm -f "$block"
fi

if [[ -n $PUSH ]]; then
  log "pushing $PUSH"
  if [[ $ENGINE == docker ]]; then
    docker tag "$TAG" "$PUSH" && docker push "$PUSH"
  else
    "${BUILDAH[@]}" push --format docker "$TAG" "docker://$PUSH"
  fi
fi
