#!/usr/bin/env bash
# Runs every test of the project (and installs what the tests need first):
#   dependencies, rustfmt, clippy, unit + integration + doc tests (criterion benches run once),
#   the constant-time check of GOST signing (callgrind), the cbindgen header check and the
#   C ABI's tests and examples (scripts/test-c.sh).
# REQUIRE_ORACLES=1 (set by .ci/run) makes the OpenSSL/GnuTLS interop tests fail instead of
# skipping when the oracles are missing; REQUIRE_HSM=1 does the same for the PKCS#11 tests
# (SoftHSM2, SoftHSM2 with GOST, opencryptoki).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

start=$(date +%s)

step() { printf '== [%4ss] %s\n' "$(( $(date +%s) - start ))" "$*"; }

step "install dependencies"
bash scripts/install-deps.sh
# shellcheck source=env.sh
. scripts/env.sh
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --quiet --workspace --all-targets -- -D warnings

step "PKCS#11 test modules (SoftHSM2, SoftHSM2 with GOST, opencryptoki)"
hsm_down() {
    bash scripts/opencryptoki.sh stop || true
    if [ -n "${BANKKEY_HSM_DIR:-}" ]; then rm -rf "$BANKKEY_HSM_DIR"; fi
}
trap hsm_down EXIT
if hsm_env="$(bash scripts/hsm.sh)"; then
    eval "$hsm_env"
elif [ "${REQUIRE_HSM:-}" = 1 ]; then
    echo "SoftHSM2 setup failed (REQUIRE_HSM=1)" >&2; exit 1
else
    echo "warning: SoftHSM2 setup failed; token tests will skip" >&2
fi
if ock_env="$(bash scripts/opencryptoki.sh start)"; then
    eval "$ock_env"
elif [ "${REQUIRE_HSM:-}" = 1 ]; then
    echo "opencryptoki setup failed (REQUIRE_HSM=1)" >&2; exit 1
else
    echo "warning: opencryptoki setup failed; PIN lifecycle tests will skip" >&2
fi

step "cargo test (unit, integration, examples)"
cargo test --quiet --workspace --all-targets

step "fuzz replay: the committed corpora and regression inputs through every fuzz target"
bash scripts/fuzz-replay.sh

step "C ABI: header as C11/C++17, install + pkg-config, tests and examples under valgrind and ASan"
bash scripts/test-c.sh

step "bankkey as a dependency: a crate outside the workspace without our lock file; cargo package"
bash scripts/test-dependents.sh

step "the main job: demo (three flows; file container and SoftHSM); its outputs checked by inspect and pdftotext"
bash scripts/check-demo.sh
step "Python: wheel, stubtest, mypy, pytest (python/tests, SoftHSM and OpenSSL), examples"
bash scripts/test-python.sh
hsm_down
trap - EXIT

# Doc tests of every library that has them enabled (`doctest = false` is honoured: the ffi
# crate's lib is also named `bankkey`, which rustdoc cannot tell from the core crate).
doc_pkgs=$(cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys
m = json.load(sys.stdin)
for p in m["packages"]:
    if any("lib" in t["kind"] and t.get("doctest") for t in p["targets"]):
        print(p["name"])
')
step "cargo test --doc ($(echo $doc_pkgs))"
for pkg in $doc_pkgs; do
    cargo test --quiet -p "$pkg" --doc
done

# The criterion benches need no step of their own: `cargo test --all-targets` above builds
# them in the test profile and runs every benchmark body once (criterion's test mode), which
# is the smoke run they need; `cargo bench -- --test` would only add a release build.

step "bench-vs-openssl smoke (the C harness and bankkey_gost build and print every item)"
bash scripts/bench-vs-openssl.sh --smoke >/dev/null

step "constant time of GOST signing: the same instruction count on every call under callgrind (release build)"
bash scripts/ct-check.sh

step "C header is up to date (cbindgen)"
bash scripts/gen-header.sh --check

step "all tests passed in $(( $(date +%s) - start ))s"
