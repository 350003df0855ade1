#!/usr/bin/env bash
# Constant-time check of GOST signing, by instruction counts under callgrind.
#
# For every GOST parameter set, runs the release `bankkey_gost` (keygen and sign with fresh
# random keys, nonces and messages) under `valgrind --tool=callgrind`, dumping the instruction
# count of each call of
#   - `sign::public_point` (d·G of key generation: the comb, the Edwards map, the inversion), and
#   - `sign::sign_digest` (the whole signature of a digest: the hedged nonce, k·G, r and s);
# both are `#[inline(never)]` for this (an inlined function has no calls to count).
# and fails unless every call after the first executed exactly the same number of
# instructions. (The first call of sign_digest may also run getrandom's one-time set-up; it is
# printed, not compared.) An instruction count that depends on the key or the nonce means a
# branch or a loop bound that depends on them.
#
# What it covers: the code valgrind runs. Valgrind 3.19 emulates neither AVX-512 nor ADX, so
# under it CPU detection picks the portable field products and the portable Streebog; the
# x86-64 assembly products (straight-line by construction) are not covered. Memory addresses
# are not compared either (the comb scans every table entry by construction).
#
# Usage: bash scripts/ct-check.sh [SET...]   (default: all twelve sets)
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "ct-check: $*" >&2; exit 1; }
command -v valgrind >/dev/null || die "valgrind is not installed (bash scripts/install-deps.sh)"

cargo build --quiet --release -p bankkey-benchmark
bin=target/release/bankkey_gost
out=target/ct-check
rm -rf "$out"
mkdir -p "$out"

if [ $# -gt 0 ]; then
    SETS=("$@")
else
    SETS=(gost2012_256-A gost2012_256-B gost2012_256-C gost2012_256-XA gost2012_256-XB
          gost2012_256-TCA gost2012_256-TCB gost2012_256-TCC gost2012_256-TCD
          gost2012_512-A gost2012_512-B gost2012_512-C)
fi
FUNCS=('bankkey::gost::sign::public_point' 'bankkey::gost::sign::sign_digest')

echo "| set | function | calls compared | instructions per call | first call |"
echo "|---|---|--:|--:|--:|"
failed=0
for set in "${SETS[@]}"; do
    case "$set" in gost2012_512-*) time_s=0.3 ;; *) time_s=0.15 ;; esac
    for i in "${!FUNCS[@]}"; do
        fn="${FUNCS[$i]}"
        dir="$out/$set-$i"
        mkdir -p "$dir"
        valgrind --tool=callgrind --callgrind-out-file="$dir/cg" --toggle-collect="$fn" \
            --dump-after="$fn" "$bin" --time "$time_s" --only "$set" >/dev/null 2>"$dir/valgrind.log" \
            || die "valgrind failed on $set (see $dir/valgrind.log)"
        # one dump per call (cg.1, cg.2, ...), in call order; cg itself is the empty rest
        mapfile -t counts < <(for f in $(ls "$dir" | grep -E '^cg\.[0-9]+$' | sort -t. -k2n); do
            sed -n 's/^summary: //p' "$dir/$f"; done)
        n=$(( ${#counts[@]} - 1 ))
        short="${fn##*::}"
        if [ "$n" -lt 5 ]; then
            echo "ct-check: $set $short: only $((n + 1)) calls recorded (is the name still $fn?)" >&2
            failed=1
            continue
        fi
        distinct="$(printf '%s\n' "${counts[@]:1}" | sort -u)"
        if [ "$(printf '%s\n' "$distinct" | wc -l)" != 1 ]; then
            echo "ct-check: $set $short: calls differ: $(printf '%s\n' "${counts[@]:1}" | sort | uniq -c | tr -s ' \n' ' ')" >&2
            failed=1
            continue
        fi
        echo "| $set | \`$short\` | $n | $distinct | ${counts[0]} |"
    done
done
[ "$failed" = 0 ] || die "instruction counts differ between calls (see above)"
echo "ct-check: every call of every set executed the same number of instructions" >&2
