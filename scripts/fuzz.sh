#!/usr/bin/env bash
# Coverage-guided fuzzing of bankkey with libFuzzer (RELIABILITY.md, "Fuzzing").
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [--asan] [TARGET...]   run each target N s (default 60)
#   scripts/fuzz.sh --seed                                          write the seed corpora
#   scripts/fuzz.sh --minimise [TARGET...]                          merge each corpus into a minimal one
#   scripts/fuzz.sh --list                                          the targets
#
# The targets are in fuzz/ (a workspace of its own). They are built with the stable
# toolchain: coverage by LLVM's SanitizerCoverage pass (-Cpasses=sancov-module, stable
# flags), libFuzzer from the libfuzzer-sys crate, the fuzz profile (optimised, debug
# assertions and overflow checks on). No sanitizer by default: the code under test is safe
# Rust but for the GOST field and scan modules; --asan adds AddressSanitizer, which needs
# -Zsanitizer and so RUSTC_BOOTSTRAP=1 for this build only (never for the product).
#
# Each run goes to fuzz/corpus/TARGET (new inputs are kept: run --minimise before
# committing) and crashes to fuzz/artifacts/TARGET/. Runs under `nice -n 19`. A summary line
# per target (executions, coverage, features, crashes) is printed at the end and appended to
# fuzz/runs.log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
fuzz="$root/fuzz"

seconds=60
jobs=1
asan=0
mode=run
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --asan) asan=1; shift ;;
        --seed) mode=seed; shift ;;
        --minimise|--minimize) mode=minimise; shift ;;
        --list) mode=list; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done

all_targets() { (cd "$fuzz/fuzz_targets" && ls -- *.rs | sed 's/\.rs$//'); }
if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets < <(all_targets); fi
for t in "${targets[@]}"; do
    [ -f "$fuzz/fuzz_targets/$t.rs" ] || { echo "no target $t (scripts/fuzz.sh --list)" >&2; exit 2; }
done

case "$mode" in
    list) all_targets; exit 0 ;;
    seed)
        # The dev build shares the workspace's target directory (and its dependencies).
        CARGO_TARGET_DIR="$root/target" cargo run --quiet --manifest-path "$fuzz/Cargo.toml" --bin seeds
        exit 0 ;;
esac

host=$(rustc -vV | sed -n 's/^host: //p')
flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters"
flags+=" -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares"
flags+=" --cfg fuzzing -Cforce-frame-pointers=yes"
target_dir="$root/target/fuzz"
if [ "$asan" = 1 ]; then
    flags+=" -Zsanitizer=address"
    export RUSTC_BOOTSTRAP=1
    target_dir="$root/target/fuzz-asan"
fi
# --target: RUSTFLAGS then apply to the fuzzed code only, not to build scripts and proc
# macros (which would fail to link without libFuzzer's callbacks).
echo "building the fuzz targets (target/${target_dir##*/target/})..." >&2
RUSTFLAGS="$flags" CARGO_TARGET_DIR="$target_dir" nice -n 19 cargo build --quiet \
    --manifest-path "$fuzz/Cargo.toml" --target "$host" --profile fuzz --features libfuzzer \
    $(printf -- '--bin %s ' "${targets[@]}")
bin="$target_dir/$host/fuzz"

# The file-system targets' scratch files, in memory when /dev/shm is there; removed at exit.
scratch_base=/dev/shm; [ -d "$scratch_base" ] || scratch_base="${TMPDIR:-/tmp}"
BANKKEY_FUZZ_TMP="$(mktemp -d "$scratch_base/bankkey-fuzz.XXXXXX")"
export BANKKEY_FUZZ_TMP
trap 'rm -rf "$BANKKEY_FUZZ_TMP"' EXIT

if [ "$mode" = minimise ]; then
    for t in "${targets[@]}"; do
        new="$fuzz/corpus/$t.min"
        rm -rf "$new"; mkdir -p "$new"
        # -merge=1 keeps the smallest set of inputs with the same coverage; without counters
        # and value profiles that is the same edges, a corpus small enough to commit.
        from=("$fuzz/corpus/$t")
        if [ -d "$fuzz/regressions/$t" ]; then from+=("$fuzz/regressions/$t"); fi
        nice -n 19 "$bin/$t" -merge=1 -use_counters=0 -use_value_profile=0 -rss_limit_mb=2048 \
            -timeout=10 "$new" "${from[@]}" 2>&1 \
            | grep -E 'MERGE-OUTER: [0-9]+ new files' || true
        rm -rf "$fuzz/corpus/$t"; mv "$new" "$fuzz/corpus/$t"
        echo "$t: $(ls "$fuzz/corpus/$t" | wc -l) inputs, $(du -sk "$fuzz/corpus/$t" | cut -f1) KiB"
    done
    exit 0
fi

mkdir -p "$fuzz/artifacts"
summary=()
for t in "${targets[@]}"; do
    mkdir -p "$fuzz/corpus/$t" "$fuzz/artifacts/$t"
    log="$fuzz/artifacts/$t/last-run.log"
    echo "== $t: ${seconds}s" >&2
    # -max_len: the largest seed is a few KB; room for growth, not megabytes.
    # -timeout: an input taking 10 s is a hang (the slowest seeds take milliseconds).
    # With --jobs J, J fuzzing processes share the corpus (-fork: libFuzzer restarts a crashed
    # one and keeps going); their output is merged into the log.
    parallel=()
    if [ "$jobs" -gt 1 ]; then parallel=(-fork="$jobs" -ignore_crashes=1); fi
    set +e
    nice -n 19 "$bin/$t" "$fuzz/corpus/$t" -max_total_time="$seconds" "${parallel[@]}" \
        -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$fuzz/artifacts/$t/" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
    last=$(grep -E '#[0-9]+.*(pulse|NEW|REDUCE|DONE|INITED)' "$log" | tail -1)
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
    crashes=$(find "$fuzz/artifacts/$t" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
    line="$(date -u +%FT%TZ) $t seconds=$seconds execs=$execs cov=${cov:-?} ft=${ft:-?} corpus=$(ls "$fuzz/corpus/$t" | wc -l) artifacts=$crashes rc=$rc"
    echo "$line" >>"$fuzz/runs.log"
    summary+=("$line")
done
printf '%s\n' "${summary[@]}"
