#!/usr/bin/env bash
# Sets up PKCS#11 modules for the tests and prints the environment to use (shell `export`
# lines on stdout; logs on stderr). Use it as
#
#   eval "$(bash scripts/hsm.sh)"            # SoftHSM2 (Debian) + SoftHSM2 with GOST (built)
#   eval "$(bash scripts/hsm.sh --no-gost)"  # skip the GOST build
#
# SoftHSM2: a fresh token directory per run (a new temporary directory, SOFTHSM2_CONF pointing
# at its config), with one token initialised by softhsm2-util (label "bankkey", SO PIN and user
# PIN exported below) for manual work; the tests initialise their own tokens beside it.
#
# Exported:
#   SOFTHSM2_CONF                   the run's SoftHSM2 config (token directory inside)
#   BANKKEY_SOFTHSM_MODULE          Debian's libsofthsm2.so (RSA, ECDSA)
#   BANKKEY_SOFTHSM_GOST_MODULE     libsofthsm2.so built with --enable-gost (scripts/softhsm-gost.sh)
#   BANKKEY_SOFTHSM_SO_PIN, BANKKEY_SOFTHSM_PIN   the PINs of the "bankkey" token
#   BANKKEY_HSM_DIR                 the run's directory (remove it when done)
# For opencryptoki (PIN lifecycle tests) see scripts/opencryptoki.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "hsm: $*" >&2; }
die() { log "$*"; exit 1; }

gost=1
for arg in "$@"; do
    case "$arg" in
        --no-gost) gost=0 ;;
        *) die "unknown argument: $arg" ;;
    esac
done

find_module() {
    for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*-linux-gnu/softhsm/libsofthsm2.so \
             /usr/local/lib/softhsm/libsofthsm2.so; do
        [ -f "$m" ] && { echo "$m"; return 0; }
    done
    return 1
}
module="$(find_module)" || die "libsofthsm2.so not found (package softhsm2)"
command -v softhsm2-util >/dev/null 2>&1 || die "softhsm2-util not found (package softhsm2)"

dir="$(mktemp -d "${TMPDIR:-/tmp}/bankkey-hsm.XXXXXX")"
mkdir -p "$dir/tokens"
cat >"$dir/softhsm2.conf" <<CONF
# bankkey test run: one token directory per run
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF="$dir/softhsm2.conf"

so_pin=87654321
pin=24681357
softhsm2-util --module "$module" --init-token --free --label bankkey \
    --so-pin "$so_pin" --pin "$pin" >/dev/null || die "softhsm2-util --init-token failed"

echo "export BANKKEY_HSM_DIR='$dir'"
echo "export SOFTHSM2_CONF='$SOFTHSM2_CONF'"
echo "export BANKKEY_SOFTHSM_MODULE='$module'"
echo "export BANKKEY_SOFTHSM_SO_PIN='$so_pin'"
echo "export BANKKEY_SOFTHSM_PIN='$pin'"
if [ "$gost" = 1 ]; then
    gost_module="$(bash "$here/softhsm-gost.sh")" || die "building SoftHSM with GOST failed"
    echo "export BANKKEY_SOFTHSM_GOST_MODULE='$gost_module'"
fi
log "SoftHSM2 token directory $dir/tokens (token \"bankkey\" initialised)"
