#!/usr/bin/env bash
# The C ABI's tests and examples (issue 14), run by scripts/test-all.sh:
#  1. the header compiles as C11 and C++17 with -Wall -Wextra -Wpedantic -Werror;
#  2. libbankkey is installed into a temporary prefix by scripts/install-c.sh (the debug build
#     cargo test made, so nothing is compiled twice), and every C test and example is built
#     against the *installed* library through pkg-config; one test is linked statically
#     (pkg-config --static) against libbankkey.a;
#  3. every test and example runs plainly, under valgrind (no definite leak, no invalid access:
#     exit code 99 otherwise; tests/c/valgrind.supp excuses only opencryptoki's own leaks and the test fault module's call log),
#     then once more built with AddressSanitizer + UBSan; runs without a token two at a time;
#  4. `openssl cms -verify -engine gost` checks the host signer's signed request.
# The token runs use the environment of scripts/hsm.sh (SoftHSM2, SoftHSM2 with GOST) and
# scripts/opencryptoki.sh start; REQUIRE_HSM=1 makes a missing module a failure, not a skip.
# Usage: scripts/test-c.sh [--no-valgrind] [--no-asan]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
valgrind=1
asan=1
for a in "$@"; do
    case "$a" in
        --no-valgrind) valgrind=0 ;;
        --no-asan) asan=0 ;;
        *) echo "test-c: unknown option $a" >&2; exit 2 ;;
    esac
done

# shellcheck source=env.sh
. scripts/env.sh
start=$(date +%s)
note() { printf '   [%4ss] %s\n' "$(( $(date +%s) - start ))" "$*"; }

cargo build --quiet -p bankkey-ffi -p bankkey-pkcs11-fault
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
fault_module="$target_dir/debug/libbankkey_pkcs11_fault.so"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

warn=(-Wall -Wextra -Wpedantic -Werror)
note "the header as C11 and C++17"
printf '#include "bankkey.h"\nint main(void) { return bk_version() == 0; }\n' >"$tmp/h.c"
cp "$tmp/h.c" "$tmp/h.cpp"
gcc -std=c11 "${warn[@]}" -I include -c "$tmp/h.c" -o "$tmp/h_c.o"
g++ -std=c++17 "${warn[@]}" -I include -c "$tmp/h.cpp" -o "$tmp/h_cpp.o"

prefix="$tmp/prefix"
bash scripts/install-c.sh --debug --no-build --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
cflags=$(pkg-config --cflags bankkey)
libs=$(pkg-config --libs bankkey)
libdir=$(pkg-config --variable=libdir bankkey)
version=$(pkg-config --modversion bankkey)
[ -L "$libdir/libbankkey.so" ] && [ -f "$libdir/libbankkey.a" ] || { echo "test-c: install incomplete" >&2; exit 1; }

python3 tests/c/gen_contract.py include/bankkey.h >"$tmp/test_contract.c"

# What is built: name|source|language|extra flags|extra libraries.
programs=(
    "test_status|tests/c/test_status.c|c|-DBANKKEY_EXPECTED_VERSION=\"$version\""
    "test_objects|tests/c/test_objects.c|c|"
    "test_keyfile|tests/c/test_keyfile.c|c|"
    "test_contract|$tmp/test_contract.c|c|"
    "remote_regeneration|examples/c/remote_regeneration.c|c|"
    "bank_desk|examples/c/bank_desk.c|c|"
    "cryptopro_signer|examples/c/cryptopro_signer.c|c||-lcrypto"
    "token_doctor|examples/c/token_doctor.c|c|"
    "test_threads|tests/c/test_threads.c|c|"
    "test_callbacks|tests/c/test_callbacks.c|c|"
    "test_qes|tests/c/test_qes.c|c|"
    "test_lifecycle|tests/c/test_lifecycle.c|c|"
    "test_batch|tests/c/test_batch.c|c|"
    "test_template|tests/c/test_template.c|c|"
    "paper_acts|examples/cpp/paper_acts.cpp|cpp|"
)
# What is run: label|program|token. Runs without a token go two at a time (the machine's two
# cores); runs on a token go one by one (they initialise and log in to shared tokens).
# Arguments come from args_of (fresh work directories each run).
runs=(
    "test_status|test_status|"
    "test_objects|test_objects|"
    "test_keyfile|test_keyfile|"
    "test_contract|test_contract|"
    "remote_regeneration (file container)|remote_regeneration|"
    "bank_desk|bank_desk|"
    "cryptopro_signer|cryptopro_signer|"
    "test_threads|test_threads|"
    "test_callbacks|test_callbacks|"
    "test_qes|test_qes|"
    "test_lifecycle|test_lifecycle|"
    "test_batch|test_batch|"
    "paper_acts (C++)|paper_acts|"
)
need_module() { # variable description
    if [ -n "${!1:-}" ]; then
        return 0
    elif [ "${REQUIRE_HSM:-}" = 1 ]; then
        echo "test-c: $1 is not set (REQUIRE_HSM=1): $2" >&2
        exit 1
    fi
    echo "test-c: warning: $1 is not set; the runs on $2 are skipped" >&2
    return 1
}
if need_module BANKKEY_SOFTHSM_GOST_MODULE "SoftHSM with GOST (scripts/hsm.sh)"; then
    runs+=("remote_regeneration (SoftHSM GOST token)|remote_regeneration|token")
fi
if need_module BANKKEY_SOFTHSM_MODULE "SoftHSM (scripts/hsm.sh)"; then
    runs+=("token_doctor (SoftHSM)|token_doctor|token")
    runs+=("test_template (fault module before SoftHSM)|test_template|token")
fi
if need_module BANKKEY_OPENCRYPTOKI_MODULE "opencryptoki (scripts/opencryptoki.sh start)"; then
    runs+=("token_doctor --exercise (opencryptoki: PIN lifecycle)|token_doctor|token")
fi
fixtures="$root/core/tests/fixtures/openssl"
fresh() { mktemp -u "$tmp/work.XXXXXX"; }
args_of() { # label
    case "$1" in
        test_objects | test_batch) echo "$fixtures" ;;
        test_keyfile) echo "$root/tests/realworld $(fresh)" ;;
        "remote_regeneration (file container)") echo "$fixtures/gost2012_256-A $(fresh)" ;;
        "remote_regeneration (SoftHSM GOST token)")
            echo "$fixtures/gost2012_256-A $(fresh) $BANKKEY_SOFTHSM_GOST_MODULE 87654321" ;;
        "test_template"*) echo "$fault_module $BANKKEY_SOFTHSM_MODULE $BANKKEY_SOFTHSM_PIN $(fresh)" ;;
        "token_doctor (SoftHSM)") echo "$BANKKEY_SOFTHSM_MODULE ${BANKKEY_SOFTHSM_PIN:-}" ;;
        "token_doctor --exercise"*)
            echo "$BANKKEY_OPENCRYPTOKI_MODULE --exercise $BANKKEY_OPENCRYPTOKI_SLOT $BANKKEY_OPENCRYPTOKI_SO_PIN" ;;
        bank_desk | cryptopro_signer | test_threads | test_lifecycle | "paper_acts (C++)")
            echo "$fixtures/gost2012_256-A $(fresh)" ;;
        test_callbacks) echo "$fixtures/gost2012_256-A" ;;
        test_qes) echo "$fixtures $(fresh)" ;;
        *) echo "" ;;
    esac
}

build() { # name src lang flags extra-libs outdir [extra cc flags...]
    local name="$1" src="$2" lang="$3" flags="$4" extra_libs="$5" out="$6"; shift 6
    local cc=gcc std=-std=c11
    if [ "$lang" = cpp ]; then cc=g++; std=-std=c++17; fi
    # shellcheck disable=SC2086
    $cc $std "${warn[@]}" -g $flags $cflags -I tests/c "$@" "$src" -o "$out/$name" \
        $libs $extra_libs -Wl,-rpath,"$libdir" -lpthread
}

mkdir -p "$tmp/plain" "$tmp/asan"
note "build against the installed library (pkg-config)"
for p in "${programs[@]}"; do
    IFS='|' read -r name src lang flags extra_libs <<<"$p"
    build "$name" "$src" "$lang" "$flags" "$extra_libs" "$tmp/plain"
done

note "static link against libbankkey.a (pkg-config --static)"
static_libs=$(pkg-config --static --libs bankkey | sed -e 's/-lbankkey//' -e 's/-L[^ ]*//g')
# shellcheck disable=SC2086
gcc -std=c11 "${warn[@]}" $cflags -DBANKKEY_EXPECTED_VERSION="\"$version\"" tests/c/test_status.c \
    "$libdir/libbankkey.a" $static_libs -o "$tmp/test_status_static"
"$tmp/test_status_static" >/dev/null

# Runs every entry of `runs` as PREFIX-wrapped program from DIR: those without a token two at a
# time, then those on a token one by one. A failure prints its log and stops.
run_all() { # phase dir [wrapper...]
    local phase="$1" dir="$2"; shift 2
    local pids=() labels=() logs=() i=0 r label name token
    finish() { # index
        local k="$1" summary
        if ! wait "${pids[$k]}"; then
            kill "${pids[@]}" 2>/dev/null || true
            wait 2>/dev/null || true
            cat "${logs[$k]}" >&2
            echo "test-c: $phase ${labels[$k]} failed" >&2
            exit 1
        fi
        summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "${logs[$k]}" | tail -1 || true)
        note "$phase ${labels[$k]}: ${summary:-$(tail -1 "${logs[$k]}")}"
    }
    for r in "${runs[@]}"; do
        IFS='|' read -r label name token <<<"$r"
        [ -z "$token" ] || continue
        logs[i]="$tmp/log.$phase.$i"
        labels[i]="$label"
        # shellcheck disable=SC2046
        "$@" "$dir/$name" $(args_of "$label") >"${logs[i]}" 2>&1 &
        pids[i]=$!
        if [ "$i" -ge 1 ]; then finish $((i - 1)); fi
        i=$((i + 1))
    done
    if [ "$i" -ge 1 ]; then finish $((i - 1)); fi
    for r in "${runs[@]}"; do
        IFS='|' read -r label name token <<<"$r"
        [ -n "$token" ] || continue
        logs[i]="$tmp/log.$phase.$i"
        labels[i]="$label"
        local wrap=("$@")
        if [ "$phase" = asan ] && [[ "$label" == *opencryptoki* || "$label" == test_template* ]]; then
            # opencryptoki never frees what its C_Initialize allocates (nor does the test fault
            # module its call log), and LeakSanitizer cannot name a module once it is unloaded:
            # their leaks are judged by valgrind (tests/c/valgrind.supp, narrowly); here only
            # the invalid accesses.
            wrap=(env ASAN_OPTIONS="detect_leaks=0:halt_on_error=1" "$@")
        fi
        # shellcheck disable=SC2046
        "${wrap[@]}" "$dir/$name" $(args_of "$label") >"${logs[i]}" 2>&1 &
        pids[i]=$!
        finish "$i"
        i=$((i + 1))
    done
}

run_all run "$tmp/plain"

# The host signer's signed request, checked by the independent oracle: OpenSSL's CMS verifier.
oracle_work="$(fresh)"
"$tmp/plain/cryptopro_signer" "$fixtures/gost2012_256-A" "$oracle_work" >/dev/null
if ! openssl cms -verify -engine gost -inform DER -in "$oracle_work/signed-request.der" -binary \
    -CAfile "$fixtures/gost2012_256-A/ca.pem" -attime 1811808000 -out /dev/null >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2
    echo "test-c: openssl cms -verify refused the host signer's signed request" >&2
    exit 1
fi
note "openssl cms -verify -engine gost accepts the host signer's signed request"

if [ "$valgrind" = 1 ]; then
    command -v valgrind >/dev/null || { echo "test-c: valgrind missing (scripts/install-deps.sh)" >&2; exit 1; }
    run_all valgrind "$tmp/plain" valgrind -q --keep-debuginfo=yes --leak-check=full \
        --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=99 \
        --suppressions="$root/tests/c/valgrind.supp"
fi

if [ "$asan" = 1 ]; then
    note "build with AddressSanitizer + UBSan"
    for p in "${programs[@]}"; do
        IFS='|' read -r name src lang flags extra_libs <<<"$p"
        build "$name" "$src" "$lang" "$flags" "$extra_libs" "$tmp/asan" -fsanitize=address,undefined \
            -fno-sanitize-recover=all -fno-omit-frame-pointer
    done
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    run_all asan "$tmp/asan"
fi
note "C ABI tests and examples passed"
