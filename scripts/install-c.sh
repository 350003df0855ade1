#!/usr/bin/env bash
# Installs libbankkey like a C library, in one command:
#
#   bash scripts/install-c.sh --prefix /usr/local        # release build, then install
#
# into PREFIX (default /usr/local):
#   include/bankkey.h
#   LIBDIR/libbankkey.so.X.Y.Z, libbankkey.so.SONAME-VERSION -> it, libbankkey.so -> that
#   LIBDIR/libbankkey.a
#   LIBDIR/pkgconfig/bankkey.pc          (pkg-config --cflags --libs bankkey; --static too)
# LIBDIR is PREFIX/lib unless --libdir is given. The SONAME is libbankkey.so.0.Y while the
# version is 0.x (each 0.x minor may change the ABI), libbankkey.so.X from 1.0 (ffi/build.rs).
#
# Options: --prefix DIR, --libdir DIR, --destdir DIR (staging root, as DESTDIR for packagers),
# --debug (install the debug build: what CI's C tests use, to reuse the test build),
# --no-build (install what target/ holds).
#
# Why not cargo-c (`cargo cinstall`), the ecosystem's tool: it does the same (soname, .pc,
# header) but is not packaged in Debian 12, and `cargo install cargo-c` compiles much of cargo
# (measured in docs/ARCHITECTURE.md, "C ABI") on every fresh CI machine; this script needs only
# cargo and a shell. The layout is cargo-c's, so a packager may use either.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

prefix=/usr/local
libdir=""
destdir=""
profile=release
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#*=}"; shift ;;
        --libdir) libdir="$2"; shift 2 ;;
        --libdir=*) libdir="${1#*=}"; shift ;;
        --destdir) destdir="$2"; shift 2 ;;
        --destdir=*) destdir="${1#*=}"; shift ;;
        --debug) profile=debug; shift ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "install-c: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
libdir="${libdir:-$prefix/lib}"

version=$(awk -F'"' '/^\[workspace.package\]/{p=1} p && /^version *=/{print $2; exit}' Cargo.toml)
[ -n "$version" ] || { echo "install-c: no version in Cargo.toml" >&2; exit 1; }
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
if [ "$major" = 0 ]; then soversion="0.$minor"; else soversion="$major"; fi

if [ "$build" = 1 ]; then
    if [ "$profile" = release ]; then
        cargo build --quiet --release -p bankkey-ffi
    else
        cargo build --quiet -p bankkey-ffi
    fi
fi
target="${CARGO_TARGET_DIR:-target}/$profile"
for f in libbankkey.so libbankkey.a; do
    [ -f "$target/$f" ] || { echo "install-c: $target/$f is missing (build first)" >&2; exit 1; }
done
if ! readelf -d "$target/libbankkey.so" 2>/dev/null | grep -q "SONAME.*libbankkey.so.$soversion\b"; then
    echo "install-c: $target/libbankkey.so has no SONAME libbankkey.so.$soversion" >&2
    exit 1
fi

inc="$destdir$prefix/include"
lib="$destdir$libdir"
install -d "$inc" "$lib" "$lib/pkgconfig"
install -m 0644 include/bankkey.h "$inc/bankkey.h"
install -m 0755 "$target/libbankkey.so" "$lib/libbankkey.so.$version"
ln -sf "libbankkey.so.$version" "$lib/libbankkey.so.$soversion"
ln -sf "libbankkey.so.$soversion" "$lib/libbankkey.so"
install -m 0644 "$target/libbankkey.a" "$lib/libbankkey.a"
# What a program linking libbankkey.a statically needs besides (rustc --print
# native-static-libs for the Linux std, libloading's dl, bundled SQLite's math).
libs_private="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
sed -e "s|@PREFIX@|$prefix|" -e "s|@LIBDIR@|$libdir|" -e "s|@VERSION@|$version|" \
    -e "s|@LIBS_PRIVATE@|$libs_private|" ffi/bankkey.pc.in >"$lib/pkgconfig/bankkey.pc"
echo "install-c: bankkey $version ($profile) installed under $destdir$prefix (SONAME libbankkey.so.$soversion)"
