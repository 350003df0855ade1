#!/usr/bin/env bash
# Replays the committed fuzz corpora and regression inputs (fuzz/corpus, fuzz/regressions)
# through every fuzz target, as a regression test: a plain `cargo test` of the fuzz crate in
# the dev profile, without libFuzzer and without coverage instrumentation, sharing the
# workspace's target directory (RELIABILITY.md, "Fuzzing"). A CI step of test-all.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CARGO_TARGET_DIR="$PWD/target" cargo test --quiet --manifest-path fuzz/Cargo.toml --test replay \
    -- --nocapture
