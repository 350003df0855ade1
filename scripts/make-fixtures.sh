#!/usr/bin/env bash
# Makes the OpenSSL/GnuTLS fixtures in core/tests/fixtures/openssl/ with the oracles themselves
# (OpenSSL 3 + Debian's gost engine, GnuTLS certtool): keys, CAs, requests with a Russian
# subject and extensions, issued certificates, raw signatures over msg.bin, encrypted PKCS#8,
# and openssl's text dumps beside each object. Keys are random: rerunning replaces everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=core/tests/fixtures/openssl
# shellcheck source=env.sh
. scripts/env.sh

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
work="$tmp/out"
mkdir -p "$work"

PASSWORD=bankkey-test
NAMEOPT="RFC2253,-esc_msb,utf8"

# Runs openssl quietly; on failure shows its stderr and stops.
ossl() {
    if ! openssl "$@" 2>"$tmp/err"; then
        echo "make-fixtures: openssl $* failed:" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
}
ctool() {
    if ! certtool "$@" >"$tmp/cterr" 2>&1; then
        echo "make-fixtures: certtool $* failed:" >&2
        cat "$tmp/cterr" >&2
        exit 1
    fi
}

# The fixed message signed by every key.
printf 'bankkey fixture message: подпись ГОСТ Р 34.10-2012\n' >"$work/msg.bin"
ossl dgst -engine gost -md_gost12_256 -binary -out "$work/msg.streebog256" "$work/msg.bin"
ossl dgst -engine gost -md_gost12_512 -binary -out "$work/msg.streebog512" "$work/msg.bin"
ossl dgst -sha256 -binary -out "$work/msg.sha256" "$work/msg.bin"

# Request configuration: Russian subject of a legal entity's officer and the Russian extensions.
cat >"$work/req.cnf" <<'EOF'
# Configuration of the fixture requests (scripts/make-fixtures.sh).
oid_section = new_oids

[new_oids]
INNLE = 1.2.643.100.4
identificationKind = 1.2.643.100.114

[req]
prompt = no
utf8 = yes
string_mask = utf8only
distinguished_name = dn
req_extensions = req_ext

[dn]
CN = ООО «Ромашка»
SN = Иванов
GN = Иван Иванович
title = Генеральный директор
O = ООО «Ромашка»
L = г. Москва
ST = 77 г. Москва
C = RU
street = ул. Тверская, д. 1
emailAddress = ivanov@example.ru
INN = 500301234503
INNLE = 7707083893
OGRN = 1027700132195
SNILS = 11223344595

[req_ext]
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment
extendedKeyUsage = clientAuth, emailProtection
certificatePolicies = 1.2.643.100.113.1
subjectSignTool = ASN1:FORMAT:UTF8,UTF8String:СКЗИ «КриптоПро CSP» (версия 5.0)
identificationKind = ASN1:INTEGER:0

# The self-signed fixture CAs (openssl req -x509 -extensions ca_cert).
[ca_cert]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
EOF

# Extensions the CA adds when it issues the certificate (the request's are copied).
cat >"$work/cert-ext.cnf" <<'EOF'
# Extensions added by the fixture CA (scripts/make-fixtures.sh); the request's are copied.
[usr_cert]
basicConstraints = critical, CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
issuerSignTool = ASN1:SEQUENCE:issuer_sign_tool

[issuer_sign_tool]
signTool = FORMAT:UTF8,UTF8String:ПАК «Удостоверяющий центр КриптоПро УЦ» версии 2.0
cATool = FORMAT:UTF8,UTF8String:ПАК «КриптоПро УЦ» версии 2.0
signToolCert = FORMAT:UTF8,UTF8String:Сертификат соответствия № СФ/124-3966 от 15.01.2021
cAToolCert = FORMAT:UTF8,UTF8String:Сертификат соответствия № СФ/128-3868 от 23.07.2020
EOF

# make_set DIR ENGINE_ARGS GENKEY_ARGS DIGEST_OPT DIGEST_FILE SERIAL
make_set() {
    local dir="$work/$1" digest="$4" dfile="$5" serial="$6"
    local -a eng gen
    read -r -a eng <<<"$2"
    read -r -a gen <<<"$3"
    mkdir -p "$dir"
    ossl genpkey "${eng[@]}" "${gen[@]}" -out "$dir/key.pem"
    ossl pkey "${eng[@]}" -in "$dir/key.pem" -pubout -out "$dir/pub.pem"
    ossl pkey "${eng[@]}" -in "$dir/key.pem" -noout -text -out "$dir/key.txt"
    # CA
    ossl genpkey "${eng[@]}" "${gen[@]}" -out "$dir/ca-key.pem"
    ossl req "${eng[@]}" -x509 -new -key "$dir/ca-key.pem" "$digest" -utf8 \
        -subj "/C=RU/O=bankkey fixtures/CN=Тестовый УЦ $1" -set_serial 1 -days 7300 \
        -config "$work/req.cnf" -extensions ca_cert \
        -out "$dir/ca.pem"
    ossl x509 "${eng[@]}" -in "$dir/ca.pem" -noout -text -nameopt "$NAMEOPT" -out "$dir/ca.txt"
    # Request
    ossl req "${eng[@]}" -new -config "$work/req.cnf" -key "$dir/key.pem" "$digest" -out "$dir/req.pem"
    ossl req "${eng[@]}" -in "$dir/req.pem" -noout -text -nameopt "$NAMEOPT" -out "$dir/req.txt"
    ossl req "${eng[@]}" -in "$dir/req.pem" -noout -subject -nameopt "$NAMEOPT" -out "$dir/req.subject.txt"
    ossl asn1parse -in "$dir/req.pem" >"$dir/req.asn1.txt"
    # Certificate issued by the CA for the request
    ossl x509 "${eng[@]}" -req -in "$dir/req.pem" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
        "$digest" -set_serial "$serial" -days 3650 -copy_extensions copy \
        -extfile "$work/cert-ext.cnf" -extensions usr_cert -out "$dir/cert.pem"
    ossl x509 "${eng[@]}" -in "$dir/cert.pem" -noout -text -nameopt "$NAMEOPT" -out "$dir/cert.txt"
    ossl x509 "${eng[@]}" -in "$dir/cert.pem" -noout -serial -dates -subject -issuer \
        -nameopt "$NAMEOPT" -out "$dir/cert.fields.txt"
    # Detached raw signature over msg.bin (the signer is given the digest).
    ossl pkeyutl "${eng[@]}" -sign -inkey "$dir/key.pem" -in "$work/$dfile" -out "$dir/msg.sig" \
        ${7:+$7}
    ossl pkeyutl "${eng[@]}" -verify -pubin -inkey "$dir/pub.pem" -in "$work/$dfile" \
        -sigfile "$dir/msg.sig" ${7:+$7} -out "$tmp/verify"
    grep -q 'Signature Verified Successfully' "$tmp/verify"
    ossl req "${eng[@]}" -in "$dir/req.pem" -verify -noout
    grep -q 'verify OK' "$tmp/err"
    ossl verify "${eng[@]}" -CAfile "$dir/ca.pem" "$dir/cert.pem" >/dev/null
}

serial=4096
for ps in A B C XA XB TCA TCB TCC TCD; do
    serial=$((serial + 1))
    make_set "gost2012_256-$ps" "-engine gost" "-algorithm gost2012_256 -pkeyopt paramset:$ps" \
        -md_gost12_256 msg.streebog256 "$(printf '0x7a%08x' "$serial")"
done
for ps in A B C; do
    serial=$((serial + 1))
    make_set "gost2012_512-$ps" "-engine gost" "-algorithm gost2012_512 -pkeyopt paramset:$ps" \
        -md_gost12_512 msg.streebog512 "$(printf '0x7a%08x' "$serial")"
done
make_set rsa2048 "" "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" -sha256 msg.sha256 0x5a000001 \
    "-pkeyopt digest:sha256"
make_set ec-p256 "" "-algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve" \
    -sha256 msg.sha256 0x5a000002

# Encrypted PKCS#8 (password in README.md).
enc="$work/encrypted"
mkdir -p "$enc"
for set in gost2012_256-A gost2012_512-A; do
    key="$work/$set/key.pem"
    ossl pkcs8 -engine gost -topk8 -in "$key" -passout "pass:$PASSWORD" \
        -v2 kuznyechik-ctr-acpkm -v2prf 1.2.643.7.1.1.4.2 -out "$enc/$set.kuznyechik-ctr-acpkm.hmac-streebog512.pem"
    ossl pkcs8 -engine gost -topk8 -in "$key" -passout "pass:$PASSWORD" \
        -v2 gost89 -v2prf 1.2.643.7.1.1.4.2 -out "$enc/$set.gost89.hmac-streebog512.pem"
    ossl pkcs8 -engine gost -topk8 -in "$key" -passout "pass:$PASSWORD" \
        -v2 aes-256-cbc -v2prf hmacWithSHA256 -out "$enc/$set.aes-256-cbc.hmac-sha256.pem"
    for f in "$enc/$set".*.pem; do
        ossl asn1parse -in "$f" >"${f%.pem}.asn1.txt"
        ossl pkcs8 -engine gost -in "$f" -passin "pass:$PASSWORD" -out "$tmp/dec.pem"
        cmp -s "$tmp/dec.pem" "$key" || { echo "make-fixtures: $f does not decrypt to $key" >&2; exit 1; }
    done
done

# GnuTLS certtool: its three GOST sets, a key and a self-signed certificate each.
gt="$work/gnutls"
mkdir -p "$gt"
for spec in "gost12-256 CryptoPro-A" "gost12-256 TC26-256-B" "gost12-512 TC26-512-A"; do
    read -r ktype curve <<<"$spec"
    cat >"$tmp/gt.tmpl" <<EOF
cn = "GnuTLS $curve"
organization = "bankkey fixtures"
country = RU
serial = 1
expiration_days = 7300
ca
signing_key
cert_signing_key
EOF
    ctool --generate-privkey --key-type="$ktype" --curve="$curve" --no-text --outfile "$gt/$curve.key.pem"
    ctool --generate-self-signed --load-privkey "$gt/$curve.key.pem" --template "$tmp/gt.tmpl" \
        --no-text --outfile "$gt/$curve.cert.pem"
    ctool --load-privkey "$gt/$curve.key.pem" --pubkey-info --no-text --outfile "$gt/$curve.pub.pem"
    ossl x509 -engine gost -in "$gt/$curve.cert.pem" -noout -text -nameopt "$NAMEOPT" -out "$gt/$curve.cert.txt"
    ossl verify -engine gost -CAfile "$gt/$curve.cert.pem" "$gt/$curve.cert.pem" >/dev/null
done

# Tool versions for the README.
{
    echo "- $(openssl version)"
    echo "- gost engine: Debian libengine-gost-openssl $(dpkg-query -W -f='${Version}' libengine-gost-openssl 2>/dev/null || echo '?')"
    echo "- $(certtool --version | head -1) (Debian gnutls-bin $(dpkg-query -W -f='${Version}' gnutls-bin 2>/dev/null || echo '?'))"
} >"$work/VERSIONS.md"

# Replace the fixtures, keeping the hand-written README.md.
mkdir -p "$out"
if [ -f "$out/README.md" ]; then cp "$out/README.md" "$work/README.md"; fi
find "$out" -mindepth 1 -delete
cp -r "$work"/. "$out"/
