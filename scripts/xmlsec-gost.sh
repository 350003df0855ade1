#!/usr/bin/env bash
# Builds xmlsec1 (the XML Security Library's command-line tool) with GOST R 34.10-2012 from
# Debian's own source package and prints the path of the built `xmlsec1` on stdout. It is the
# independent producer and verifier of XML signatures the tests compare ours with
# (core/tests/xmldsig_xmlsec.rs).
#
# Debian's xmlsec1 binary package is configured without GOST. The same source (1.2.37 on
# Debian 12), configured with --enable-gost --enable-gost2012 for its OpenSSL backend, signs and
# verifies gostr34102012-gostr34112012-256/512 and digests gostr34112012-256/512 through
# OpenSSL 3 and Debian's gost engine (libengine-gost-openssl) — the URIs CryptoPro uses for
# the Ministry's list of accredited CAs. The engine must be loaded by OpenSSL's configuration
# (scripts/openssl-gost.cnf, default_algorithms = ALL): the tests set OPENSSL_CONF for it.
#
# The result is cached under ${XDG_CACHE_HOME:-~/.cache}/bankkey/xmlsec-gost/<version>/, so a
# rerun only prints the path. Needs root (or sudo) the first time: it adds a deb-src entry for
# the mirror already configured (as scripts/softhsm-gost.sh does) and installs the build
# dependencies.
#
#   xmlsec1="$(bash scripts/xmlsec-gost.sh)"       # build or reuse; logs go to stderr
set -euo pipefail

log() { echo "xmlsec-gost: $*" >&2; }
die() { log "$*"; exit 1; }

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/bankkey/xmlsec-gost"
version="$(apt-cache policy xmlsec1 2>/dev/null | awk '/Candidate:/ {print $2; exit}')"
[ -n "$version" ] && [ "$version" != "(none)" ] || version="unknown"
prefix="$cache_root/$version"
tool="$prefix/bin/xmlsec1"

if [ -x "$tool" ] && [ -f "$prefix/.complete" ]; then
    echo "$tool"
    exit 0
fi
# Tests run in parallel may all ask at once: one builds, the others wait and reuse.
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
if [ -x "$tool" ] && [ -f "$prefix/.complete" ]; then
    echo "$tool"
    exit 0
fi

start=$(date +%s)
deps=(dpkg-dev pkg-config gcc make libxml2-dev libssl-dev libengine-gost-openssl openssl)
bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/debian-build-deps.sh" xmlsec1 "${deps[@]}" \
    || die "preparing the build of xmlsec1 failed"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
log "apt-get source xmlsec1 (Debian $version)"
# The upstream tarball is enough: GOST support is upstream code (Debian's patches are build glue).
apt-get source --download-only -qq xmlsec1 >"$work/source.log" 2>&1 || true
orig="$(find "$work" -maxdepth 1 -name 'xmlsec1_*.orig.tar.*' -print -quit)"
[ -n "$orig" ] || { cat "$work/source.log" >&2; die "apt-get source xmlsec1 fetched no source"; }
tar -xf "$orig" -C "$work"
srcdir="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'xmlsec1-*' -print -quit)"
[ -n "$srcdir" ] || die "source directory not found after unpacking"
cd "$srcdir"

log "configure --enable-gost --enable-gost2012 (OpenSSL backend only)"
./configure --prefix="$prefix" --enable-gost --enable-gost2012 --with-openssl \
    --without-nss --without-gnutls --without-gcrypt --without-libxslt \
    --disable-crypto-dl --disable-apps-crypto-dl --disable-static \
    --disable-dependency-tracking >"$work/configure.log" 2>&1 \
    || { tail -40 "$work/configure.log" >&2; die "configure failed"; }

log "make"
jobs="$(nproc 2>/dev/null || echo 2)"
make -j"$jobs" >"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; die "make failed"; }
rm -rf "$prefix"
make install >"$work/install.log" 2>&1 || { tail -40 "$work/install.log" >&2; die "make install failed"; }
[ -x "$tool" ] || die "built, but $tool is missing"
"$tool" --list-transforms 2>/dev/null | grep -q 'gostr34102012-gostr34112012-256' \
    || die "built without the GOST R 34.10-2012 transforms"
touch "$prefix/.complete"
log "built in $(( $(date +%s) - start ))s: $tool"
echo "$tool"
