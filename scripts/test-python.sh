#!/usr/bin/env bash
# The Python package's tests (issue 15): builds the abi3 wheel with maturin, installs it into
# a fresh virtual environment with the test tools, checks the stubs against the compiled module
# (mypy.stubtest) and the package with mypy --strict, then runs pytest (python/tests/) with the
# SoftHSM token and OpenSSL's gost engine as the Rust tests use them, and the Python examples.
#
#   bash scripts/test-python.sh            # the wheel in the dev profile (what CI runs)
#   PROFILE=release bash scripts/test-python.sh
#
# The dev profile is chosen for CI on purpose: the release wheel costs a full optimised build
# of the core on 2 cores (minutes), the dev one reuses the dependencies `cargo test` built
# (docs/ARCHITECTURE.md, "Python"). Benchmarks use the release wheel.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
profile="${PROFILE:-dev}"
python="${PYTHON:-python3}"

# shellcheck source=env.sh
. scripts/env.sh

work="$(mktemp -d)"
hsm_dir=""
cleanup() { rm -rf "$work"; if [ -n "$hsm_dir" ]; then rm -rf "$hsm_dir"; fi; }
trap cleanup EXIT

# The PKCS#11 test modules, as the Rust tests use them; test-all.sh has set them up already.
if [ -z "${SOFTHSM2_CONF:-}" ]; then
    if hsm_env="$(bash scripts/hsm.sh)"; then
        eval "$hsm_env"
        hsm_dir="${BANKKEY_HSM_DIR:-}"
    elif [ "${REQUIRE_HSM:-}" = 1 ]; then
        echo "test-python: SoftHSM2 setup failed (REQUIRE_HSM=1)" >&2; exit 1
    fi
fi

"$python" -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.9,<2" "pytest>=7" "mypy>=1.10" "cryptography>=42" "tqdm>=4.60"

"$work/venv/bin/maturin" build --quiet -m python/Cargo.toml --profile "$profile" \
    -i "$py" -o "$work/wheels"
"$py" -m pip install --quiet --disable-pip-version-check --no-deps "$work"/wheels/bankkey-*.whl

# The Rust `inspect` example, whose JSON `bankkey inspect --json` must equal.
cargo build --quiet -p bankkey --example inspect -p bankkey-pkcs11-fault
export BANKKEY_INSPECT="$root/target/debug/examples/inspect"
# The fault-injecting PKCS#11 module (a token that does not keep the template; test_token.py).
export BANKKEY_FAULT_MODULE="$root/target/debug/libbankkey_pkcs11_fault.so"

# Outside the source tree, so that the installed package is the one checked and tested.
cd "$work"
"$py" -m mypy.stubtest bankkey._native
"$py" -m mypy --strict -p bankkey
"$py" -m pytest -q -p no:cacheprovider "$root/python/tests"
