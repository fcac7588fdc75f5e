#!/usr/bin/env bash
# Build the metevo images without a Docker engine, with buildah, and exercise each one.
#
#   containers/build-offline.sh [FAMILY ...]     (default: every image the modules use)
#
# Needs root, buildah and debootstrap (apt-get install -y buildah debootstrap). The recipe is
# the one of the project's containers-offline notes: a Debian base image made with
# debootstrap (built once and reused), then `buildah bud` on each Dockerfile with
# BASE=localhost/debian:bookworm-slim and the host's CA bundle for pip, then
# `metevo --version` run inside the image. Image names are those of the modules' `container`
# directives (containers/build.py --list), so Nextflow finds what this builds.
#
# Environment: DEBIAN_MIRROR (default: the mirror apt uses here), PIP_CA_BUNDLE (default: the
# certificate bundle pip is configured with, else the system bundle).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="localhost/debian:bookworm-slim"
bah=(buildah --storage-driver vfs)

for tool in buildah debootstrap python3; do
    command -v "$tool" >/dev/null || { echo "build-offline: $tool not found (apt-get install -y buildah debootstrap)" >&2; exit 1; }
done

mirror="${DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
    mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
    [[ -n "$mirror" ]] || mirror="$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
    [[ -n "$mirror" ]] || mirror="http://deb.debian.org/debian"
fi

ca="${PIP_CA_BUNDLE:-}"
if [[ -z "$ca" ]]; then
    ca="$(python3 -m pip config get global.cert 2>/dev/null || true)"
    [[ -f "$ca" ]] || ca="/etc/ssl/certs/ca-certificates.crt"
fi
[[ -f "$ca" ]] || { echo "build-offline: no CA bundle found (set PIP_CA_BUNDLE)" >&2; exit 1; }

if ! "${bah[@]}" inspect --type image "$base" >/dev/null 2>&1; then
    echo "== base image $base from $mirror"
    rootfs="$(mktemp -d)"
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
    ctr="$("${bah[@]}" from scratch)"
    mnt="$("${bah[@]}" mount "$ctr")"
    cp -a "$rootfs"/. "$mnt"/
    "${bah[@]}" umount "$ctr" >/dev/null
    "${bah[@]}" commit --quiet "$ctr" "$base" >/dev/null
    "${bah[@]}" rm "$ctr" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
fi

mapfile -t images < <(python3 "$root/containers/build.py" --list "$@")
for line in "${images[@]}"; do
    family="${line%%$'\t'*}"
    reference="${line#*$'\t'}"
    echo "== $reference (containers/$family/Dockerfile)"
    context="$(mktemp -d)"
    python3 "$root/containers/build.py" --export-context "$context" "$family"
    start=$SECONDS
    "${bah[@]}" bud --pull=never --isolation chroot --layers \
        -v "$ca:/etc/ssl/host-ca.crt:ro" \
        --build-arg PIP_CERT=/etc/ssl/host-ca.crt \
        --build-arg BASE="$base" \
        -f "$context/containers/$family/Dockerfile" \
        -t "$reference" "$context"
    rm -rf "$context"
    ctr="$("${bah[@]}" from "$reference")"
    "${bah[@]}" run --isolation chroot "$ctr" -- metevo --version
    "${bah[@]}" run --isolation chroot "$ctr" -- ps --version >/dev/null
    "${bah[@]}" rm "$ctr" >/dev/null
    echo "== $reference built and checked in $((SECONDS - start)) s"
done
