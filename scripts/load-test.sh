#!/usr/bin/env bash
# The load figures of RELIABILITY.md: 2 and 4 processes, and 8 threads, working one file
# container, one journal, one bank registry and one SoftHSM token for SECONDS (default 60)
# each (core/tests/reliability_load.rs), the regeneration flow in 8 threads and 2 processes on
# one container, journal and registry (core/tests/reliability_regeneration.rs), then SIGKILL at random moments inside the
# container's, the journal's and the registry's writes (core/tests/reliability_kill.rs).
# Prints the LOAD, REGEN and KILL lines the tests write. CI runs the same tests for 3 s
# (scripts/test-reliability.sh).
#   bash scripts/load-test.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs="${1:-60}"
. scripts/env.sh
hsm_env="$(bash scripts/hsm.sh --no-gost)"
eval "$hsm_env"
trap 'rm -rf "$BANKKEY_HSM_DIR"' EXIT
cargo test --quiet -p bankkey --test reliability_load --no-run
for t in two_processes four_processes eight_threads; do
    BANKKEY_LOAD_SECONDS="$secs" cargo test --quiet -p bankkey --test reliability_load -- \
        --exact "$t" --nocapture 2>&1 | grep -E '^LOAD|panicked|FAILED' || true
done
for t in eight_threads two_processes; do
    BANKKEY_LOAD_SECONDS="$secs" cargo test --quiet -p bankkey --test reliability_regeneration -- \
        "$t" --nocapture 2>&1 | grep -E '^REGEN|panicked|FAILED' || true
done
BANKKEY_KILLS="${KILLS:-100}" cargo test --quiet -p bankkey --test reliability_kill -- \
    --exact kills_inside_writes_lose_nothing --nocapture 2>&1 | grep -E '^KILL|panicked|FAILED' || true
