#!/usr/bin/env bash
# The Python package's speed, side by side in one run (issue 15; results in BENCHMARKS.md):
#   - scanning N GOST certificates (bench/openssl_gost.c's corpus, 100,000 by default) from
#     Python: pyca/cryptography in a Python loop, bankkey objects in a Python loop,
#     bankkey.scan() on one thread and on every core (the group counts must agree);
#   - the Python layer's cost over the Rust calls it wraps (inspect, GOST verify).
# Builds the release wheel into a fresh virtual environment (minutes on 2 cores).
#   bash scripts/bench-python.sh              # BENCH_CERTS=100000 BENCH_ROUNDS=3
#   bash scripts/bench-python.sh --smoke      # 300 certificates, one round, the dev wheel
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
smoke=0
[ "${1:-}" = --smoke ] && smoke=1
die() { echo "bench-python: $*" >&2; exit 1; }

# shellcheck source=env.sh
. scripts/env.sh
out="$root/target/bench-python"
mkdir -p "$out"
if [ "$smoke" = 1 ]; then
    ncerts=300 rounds=1 profile=dev
else
    ncerts="${BENCH_CERTS:-100000}" rounds="${BENCH_ROUNDS:-3}" profile=release
fi

# The corpus, made by the C harness of bench-vs-openssl (OpenSSL's gost engine signs them).
gcc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror bench/openssl_gost.c -o "$out/openssl_gost" \
    $(pkg-config --cflags --libs libcrypto) -lm
corpus="$out/certs-$ncerts.bin"
if [ ! -s "$corpus" ] || [ "$corpus" -ot bench/openssl_gost.c ]; then
    echo "bench-python: making $ncerts certificates ($corpus)" >&2
    "$out/openssl_gost" --make-certs "$ncerts" "$corpus.tmp" || die "making the corpus failed"
    mv "$corpus.tmp" "$corpus"
fi

venv="$out/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.9,<2" "cryptography>=42" "tqdm>=4.60"
rm -rf "$out/wheels"
"$venv/bin/maturin" build --quiet -m python/Cargo.toml --profile "$profile" \
    -i "$venv/bin/python" -o "$out/wheels"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --force-reinstall "$out"/wheels/bankkey-*.whl

cd "$out"
BENCH_ROUNDS="$rounds" BANKKEY_FIXTURES="$root/core/tests/fixtures/openssl" \
    "$venv/bin/python" "$root/bench/python/bench_scan.py" "$corpus"
