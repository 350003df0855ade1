#!/usr/bin/env bash
# Regenerates include/bankkey.h from ffi/src with cbindgen (ffi/cbindgen.toml).
# With --check: regenerates into a temporary file and fails if it differs from the checked-in one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=include/bankkey.h
if [ "${1:-}" = "--check" ]; then
    tmp="$(mktemp)"
    trap 'rm -f "$tmp"' EXIT
    cbindgen --quiet --config ffi/cbindgen.toml --crate bankkey-ffi --output "$tmp" ffi
    if ! diff -u "$out" "$tmp"; then
        echo "gen-header: $out is out of date; run scripts/gen-header.sh and commit it" >&2
        exit 1
    fi
else
    mkdir -p include
    cbindgen --quiet --config ffi/cbindgen.toml --crate bankkey-ffi --output "$out" ffi
fi
