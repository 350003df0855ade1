#!/usr/bin/env bash
# Makes Debian's source package SRC fetchable with `apt-get source` and installs the packages
# named after it: what the scripts that rebuild a Debian package with GOST need
# (scripts/softhsm-gost.sh, scripts/xmlsec-gost.sh). The deb-src entry is derived from the apt
# sources already configured, so the source matches the binaries (same suite, same snapshot).
# Needs root (or sudo) when something is missing; logs go to stderr.
#
#   bash scripts/debian-build-deps.sh SRC [PACKAGE...]
set -euo pipefail

log() { echo "debian-build-deps: $*" >&2; }
die() { log "$*"; exit 1; }

[ $# -ge 1 ] || die "usage: debian-build-deps.sh SRC [PACKAGE...]"
src="$1"
shift

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "needs root or sudo to install build dependencies"
    SUDO=(sudo)
fi

missing=()
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done

need_update=0
if [ -z "$(apt-cache showsrc "$src" 2>/dev/null)" ]; then
    src_list=/etc/apt/sources.list.d/bankkey-deb-src
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed -n 's/^Types: deb$/Types: deb-src/; p' /etc/apt/sources.list.d/debian.sources \
            | "${SUDO[@]}" tee "$src_list.sources" >/dev/null
    elif [ -f /etc/apt/sources.list ]; then
        grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
            | "${SUDO[@]}" tee "$src_list.list" >/dev/null
    else
        die "no apt sources found to derive a deb-src entry from"
    fi
    need_update=1
fi
if [ "$need_update" = 1 ] || [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
fi
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || die "apt-get install failed"
fi
