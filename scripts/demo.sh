#!/usr/bin/env bash
# The main job: the three flows of the bank instructions (paper acts with initial generation,
# remote regeneration, qualified-signature registration), client and bank in one process, on
# the built-in file container and, when SoftHSM2 is installed, on a SoftHSM token too. Prints
# every status in Russian and English and writes the request, the signed request, the act
# (text, HTML, PDF), the certificates and the rest into OUTDIR (default demo-out/, replaced),
# then shows the bank-side report of the signed request and of the new certificate.
#
#   bash scripts/demo.sh [OUTDIR]
#
# SoftHSM: Debian's softhsm2 gives an ECDSA P-256 token run; when the SoftHSM build with GOST
# is cached (scripts/softhsm-gost.sh, made by the test run), the token run uses GOST.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-demo-out}"

if command -v softhsm2-util >/dev/null 2>&1; then
    gost=--no-gost
    if compgen -G "${XDG_CACHE_HOME:-$HOME/.cache}/bankkey/softhsm-gost/*/.complete" >/dev/null; then
        gost=
    fi
    eval "$(bash scripts/hsm.sh $gost)"
    trap 'rm -rf "$BANKKEY_HSM_DIR"' EXIT
else
    echo "demo: softhsm2 is not installed: the token run is skipped (apt-get install softhsm2)" >&2
fi

cargo build --quiet --release -p bankkey --example demo --example inspect
target/release/examples/demo "$out"

echo
echo "== Банк проверяет запрос на удалённую регенерацию / the bank's report of the signed request"
target/release/examples/inspect "$out/file-container/2-remote/signed-request.p7s" \
    --trust "$out/bank/ca.pem"
echo "== Новый сертификат / the new certificate"
target/release/examples/inspect "$out/file-container/2-remote/certificate.pem" \
    --trust "$out/bank/ca.pem"
