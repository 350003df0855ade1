#!/usr/bin/env bash
# Builds SoftHSM 2 with GOST support from Debian's own source package and prints the path of
# the built PKCS#11 module (libsofthsm2.so) on stdout.
#
# Debian's softhsm2 binary package is configured without GOST. The same source, configured with
# --enable-gost against OpenSSL 3 and Debian's gost engine (libengine-gost-openssl), offers
# CKK_GOSTR3410 and CKM_GOSTR3410 / CKM_GOSTR3410_WITH_GOSTR3411 (GOST R 34.10-2001 style,
# 256-bit keys with the CryptoPro parameter sets) — enough to exercise our GOST token path on a
# real PKCS#11 module.
#
# The result is cached under ${XDG_CACHE_HOME:-~/.cache}/bankkey/softhsm-gost/<version>/, so a
# rerun only prints the path. Needs root (or sudo) the first time: it adds a deb-src entry for
# the mirror already configured and installs the build dependencies.
#
#   module="$(bash scripts/softhsm-gost.sh)"       # build or reuse; logs go to stderr
set -euo pipefail

log() { echo "softhsm-gost: $*" >&2; }
die() { log "$*"; exit 1; }

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/bankkey/softhsm-gost"

# The Debian version of the source we build (same as the binary package, when apt knows it).
version="$(apt-cache policy softhsm2 2>/dev/null | awk '/Candidate:/ {print $2; exit}')"
[ -n "$version" ] && [ "$version" != "(none)" ] || version="unknown"
prefix="$cache_root/$version"
module="$prefix/lib/softhsm/libsofthsm2.so"

if [ -f "$module" ] && [ -f "$prefix/.complete" ]; then
    echo "$module"
    exit 0
fi

start=$(date +%s)
deps=(dpkg-dev autoconf automake libtool pkg-config g++ make libssl-dev libsqlite3-dev
      libengine-gost-openssl openssl)
bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/debian-build-deps.sh" softhsm2 "${deps[@]}" \
    || die "preparing the build of softhsm2 failed"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
log "apt-get source softhsm2 (Debian $version)"
# --download-only, then unpack ourselves: some mirrors (and caching proxies) serve the .dsc and
# the upstream tarball but not the .debian.tar.xz. Debian's packaging only adds build glue and
# small patches; GOST support is upstream code, so the upstream tarball Debian ships is enough.
apt-get source --download-only -qq softhsm2 >"$work/source.log" 2>&1 || true
orig="$(find "$work" -maxdepth 1 -name 'softhsm2_*.orig.tar.*' -print -quit)"
[ -n "$orig" ] || { cat "$work/source.log" >&2; die "apt-get source softhsm2 fetched no source"; }
dsc="$(find "$work" -maxdepth 1 -name 'softhsm2_*.dsc' -print -quit)"
if [ -n "$dsc" ] && [ -n "$(find "$work" -maxdepth 1 -name 'softhsm2_*.debian.tar.*' -print -quit)" ]; then
    dpkg-source --no-check -x "$dsc" "$work/softhsm2" >"$work/unpack.log" 2>&1 \
        || { cat "$work/unpack.log" >&2; die "dpkg-source -x failed"; }
    srcdir="$work/softhsm2"
    patched=1
else
    log "the mirror has no Debian packaging tarball for $version: building the upstream tarball it ships ($(basename "$orig"))"
    tar -xf "$orig" -C "$work"
    srcdir="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'softhsm2-*' -print -quit)"
    patched=0
fi
[ -n "$srcdir" ] || die "source directory not found after unpacking"
cd "$srcdir"

if [ "$patched" = 1 ]; then
    # Debian's patches may touch the autotools inputs; regenerate like dh_autoreconf does.
    log "autoreconf"
    autoreconf -fi >"$work/autoreconf.log" 2>&1 || { tail -30 "$work/autoreconf.log" >&2; die "autoreconf failed"; }
fi

log "configure --enable-gost"
./configure --prefix="$prefix" --sysconfdir="$prefix/etc" --localstatedir="$prefix/var" \
    --with-crypto-backend=openssl --enable-gost --enable-ecc --enable-eddsa \
    --disable-p11-kit --disable-dependency-tracking --disable-static >"$work/configure.log" 2>&1 \
    || { tail -40 "$work/configure.log" >&2; die "configure failed"; }
grep -q '^checking for GOST support... yes' "$work/configure.log" \
    || { grep -i gost "$work/configure.log" >&2; die "configure did not enable GOST (is libengine-gost-openssl installed?)"; }

log "make (src/lib, src/bin/util)"
jobs="$(nproc 2>/dev/null || echo 2)"
# Only the library and the token utility (shared only: --disable-static halves the compile
# time); the test suites are not needed here.
{ make -j"$jobs" -C src/lib && make -j"$jobs" -C src/bin; } >"$work/make.log" 2>&1 \
    || { tail -40 "$work/make.log" >&2; die "make failed"; }
rm -rf "$prefix"
{ make -C src/lib install && make -C src/bin install; } >"$work/install.log" 2>&1 \
    || { tail -40 "$work/install.log" >&2; die "make install failed"; }
[ -f "$module" ] || die "built, but $module is missing"
# Record the configuration next to the module (which features were found).
grep -iE 'gost|ecc|eddsa|backend' "$work/configure.log" >"$prefix/configure-summary.txt" || true
touch "$prefix/.complete"
log "built in $(( $(date +%s) - start ))s: $module"
echo "$module"
