#!/usr/bin/env bash
# Runs the main job (the demo example, test profile) and checks what it did: every status of
# the three flows printed, the token run done when SoftHSM is configured (required with
# REQUIRE_HSM=1), the files written, the act's PDF readable with its Russian text (pdftotext),
# and the bank-side report (inspect) of the request, the signed request and the certificate
# valid — and invalid, exit code 1, once a byte is altered; the signed list of accredited CAs
# checked by the tsl example (valid; altered or older, refused). Called by test-all.sh, inside
# its SoftHSM environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ex="$(mktemp -d)"
trap 'rm -rf "$ex"' EXIT
out="$ex/out"
fail() { echo "check-demo: $*" >&2; exit 1; }

cargo build --quiet -p bankkey --example demo --example inspect --example tsl
bin=target/debug/examples
"$bin/demo" "$out" >"$ex/demo.log" || { cat "$ex/demo.log" >&2; fail "the demo failed"; }

for s in "Необходима начальная генерация" "Принят банком" "Ожидаются документы на бумаге" \
         "Получен новый сертификат" "Вы переведены на работу с новым комплектом ключей" \
         "Необходима плановая замена сертификата" "precondition_failed" \
         "Электронная подпись не подтверждена" "verification_unavailable" \
         "Электронная подпись подтверждена"; do
    grep -q -- "$s" "$ex/demo.log" || { cat "$ex/demo.log" >&2; fail "no \"$s\" in the demo's output"; }
done
if [ -n "${SOFTHSM2_CONF:-}" ]; then
    grep -q "SoftHSM2" "$ex/demo.log" || fail "SoftHSM is configured but the token run did not happen"
elif [ "${REQUIRE_HSM:-}" = 1 ]; then
    fail "REQUIRE_HSM=1 but SoftHSM is not configured"
fi

fc="$out/file-container"
for f in bank/ca.pem file-container/1-paper-acts/request.p10.pem \
         file-container/1-paper-acts/act.txt file-container/1-paper-acts/act.html \
         file-container/1-paper-acts/act.pdf file-container/1-paper-acts/certificate.pem \
         file-container/2-remote/signed-request.p7s file-container/2-remote/certificate.pem \
         file-container/3-qes/statement.pdf file-container/3-qes/statement.p7s README.txt; do
    [ -s "$out/$f" ] || fail "$f was not written"
done
# Flow 4: the key moved by PFX. OpenSSL's gost engine reads the PFX the demo exported (the
# standard profile CryptoPro imports) and our inspect reports it valid with its password.
pfx="$fc/4-pfx/current-key.p12"
[ -s "$pfx" ] || fail "4-pfx/current-key.p12 was not written"
openssl pkcs12 -engine gost -in "$pfx" -passin "pass:Пароль для PFX" -nodes -out "$ex/pfx.pem" 2>"$ex/pfx.err" \
    || { cat "$ex/pfx.err" >&2; fail "openssl cannot read the exported PFX"; }
grep -q "BEGIN PRIVATE KEY" "$ex/pfx.pem" && grep -q "BEGIN CERTIFICATE" "$ex/pfx.pem" \
    || fail "the exported PFX lacks its key or certificate"
"$bin/inspect" "$pfx" --password "Пароль для PFX" >"$ex/pfx.json" || { cat "$ex/pfx.json" >&2; fail "inspect of the PFX is not valid"; }
[ -s "$fc/4-pfx/signed-request.p7s" ] || fail "no remote regeneration from the imported key"
pdftotext "$fc/1-paper-acts/act.pdf" "$ex/act.txt"
grep -q "АКТ ПРИЗНАНИЯ ОТКРЫТОГО КЛЮЧА" "$ex/act.txt" || fail "act.pdf: no Russian text"
grep -q "Экземпляр 2 из 2" "$ex/act.txt" || fail "act.pdf: not two copies"

verdict() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$1"; }
inspect() { "$bin/inspect" "$@"; }
for f in 1-paper-acts/request.p10.pem 2-remote/signed-request.p7s 2-remote/certificate.pem; do
    inspect "$fc/$f" --trust "$out/bank/ca.pem" >"$ex/r.json" || fail "inspect $f failed"
    [ "$(verdict "$ex/r.json")" = valid ] || { cat "$ex/r.json" >&2; fail "$f is not valid"; }
done

# One byte of the signed request's content altered: the bank's report says so, exit code 1.
python3 - "$fc/2-remote/signed-request.p7s" "$ex/altered.p7s" <<'PY'
import sys
der = bytearray(open(sys.argv[1], "rb").read())
# The subject's "Ромашка" inside the PKCS#10 inside the CMS content.
i = der.find("Ромашка".encode())
assert i > 0
der[i] ^= 1
open(sys.argv[2], "wb").write(der)
PY
rc=0; inspect "$ex/altered.p7s" --trust "$out/bank/ca.pem" >"$ex/altered.json" || rc=$?
[ "$rc" = 1 ] || fail "inspect of an altered signed request exited $rc, expected 1"
grep -q '"content-altered"' "$ex/altered.json" || { cat "$ex/altered.json" >&2; fail "altered signed request not reported as content-altered"; }

# The accredited-CA list as a bank checks it (example tsl): the demo's signed list is valid
# against the Ministry's root, its signer not revoked by the Ministry's CRL; one digit of a CA's INN changed, it is content_altered; as an
# older version than one loaded before, invalid_input; each exit code 1.
q="$fc/3-qes"
tsl() { "$bin/tsl" "$@"; }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
tsl "$q/TSLExt.xml" --ministry "$q/ministry-root.pem" --crl "$q/ministry.crl" >"$ex/tsl.json" \
    || { cat "$ex/tsl.json" >&2; fail "tsl: the demo's signed list is not usable"; }
[ "$(field "$ex/tsl.json" verdict)" = valid ] || { cat "$ex/tsl.json" >&2; fail "tsl: verdict not valid"; }
[ "$(field "$ex/tsl.json" warnings)" = "[]" ] || { cat "$ex/tsl.json" >&2; fail "tsl: the signer's revocation not checked"; }
sed 's#<ИНН>7702070139</ИНН>#<ИНН>7702070138</ИНН>#' "$q/TSLExt.xml" >"$ex/altered-tsl.xml"
cmp -s "$q/TSLExt.xml" "$ex/altered-tsl.xml" && fail "tsl: the CA's INN was not found to alter"
tsl_refused() { # FILE REASON [OPTION...]
    local file="$1" reason="$2" rc=0
    shift 2
    tsl "$file" --ministry "$q/ministry-root.pem" "$@" >"$ex/tsl-bad.json" || rc=$?
    [ "$rc" = 1 ] && [ "$(field "$ex/tsl-bad.json" reason)" = "$reason" ] \
        || { cat "$ex/tsl-bad.json" >&2; fail "tsl $file $*: exit $rc, expected 1 and $reason"; }
}
tsl_refused "$ex/altered-tsl.xml" content_altered
tsl_refused "$q/TSLExt.xml" invalid_input --previous-version 1043

echo "check-demo: the three flows ran; outputs valid, altered input refused"
