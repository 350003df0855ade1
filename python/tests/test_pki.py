"""Certificates, requests, names and public keys read from the OpenSSL/GnuTLS fixtures and
the real-world artefacts, checked against what OpenSSL printed when it made them."""

from __future__ import annotations

import pickle
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import FIXTURES, GOST_TYPES, KEY_TYPES, REALWORLD

import bankkey

UTC = timezone.utc


def fields(key_type: str) -> dict:  # type: ignore[type-arg]
    out = {}
    for line in (FIXTURES / key_type / "cert.fields.txt").read_text().splitlines():
        k, _, v = line.partition("=")
        out[k] = v
    return out


def openssl_time(text: str) -> datetime:
    return datetime.strptime(text, "%b %d %H:%M:%S %Y GMT").replace(tzinfo=UTC)


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_certificate_fields_as_openssl_printed_them(key_type: str) -> None:
    cert = bankkey.load_certificate(FIXTURES / key_type / "cert.pem")
    f = fields(key_type)
    assert cert.serial == f["serial"]
    assert cert.serial_number == int(f["serial"], 16)
    assert cert.not_before == openssl_time(f["notBefore"])
    assert cert.not_after == openssl_time(f["notAfter"])
    assert cert.not_after.tzinfo is not None
    s = cert.subject
    assert s.common_name == "ООО «Ромашка»"
    assert s["CN"] == s.common_name
    assert s.inn == "500301234503"
    assert s.innle == "7707083893"
    assert s.ogrn == "1027700132195"
    assert s.snils == "11223344595"
    assert s.kind == "legal-entity"
    assert s.identifiers_valid
    assert "INN" in s and "OGRNIP" not in s
    assert s.get("OGRNIP") is None
    with pytest.raises(KeyError):
        s["OGRNIP"]
    assert cert.issuer.common_name == f"Тестовый УЦ {key_type}"
    assert cert.version == 3
    assert cert.version == 3
    assert not cert.is_ca
    ca = bankkey.load_certificate(FIXTURES / key_type / "ca.pem")
    assert ca.is_ca and ca.is_self_issued
    cert.verify_issued_by(ca)


@pytest.mark.parametrize("key_type", GOST_TYPES)
def test_gost_public_key_verifies_the_openssl_signature(key_type: str) -> None:
    pub = bankkey.load_public_key(FIXTURES / key_type / "pub.pem")
    msg = (FIXTURES / "msg.bin").read_bytes()
    sig = (FIXTURES / key_type / "msg.sig").read_bytes()
    pub.verify(sig, msg)
    with pytest.raises(bankkey.BadSignatureError):
        pub.verify(sig, msg + b"!")
    cert = bankkey.load_certificate(FIXTURES / key_type / "cert.pem")
    assert cert.public_key == pub
    assert cert.holds_key(pub)
    assert cert.key_id == pub.key_id.hex().upper()
    assert pickle.loads(pickle.dumps(pub)) == pub


def test_days_left_and_validity_at() -> None:
    cert = bankkey.load_certificate(FIXTURES / "gost2012_256-A" / "cert.pem")
    na = cert.not_after
    assert cert.days_left(at=na - timedelta(days=30)) == 30
    assert cert.days_left(at=na - timedelta(days=30, seconds=-1)) == 29
    assert cert.days_left(at=na + timedelta(seconds=1)) == -1
    cert.check_validity(at=na)
    with pytest.raises(bankkey.ExpiredError):
        cert.check_validity(at=na + timedelta(seconds=1))
    with pytest.raises(bankkey.NotYetValidError):
        cert.check_validity(at=cert.not_before - timedelta(seconds=1))
    moscow = timezone(timedelta(hours=3))
    assert cert.days_left(at=na.astimezone(moscow)) == 0


def test_a_naive_datetime_is_refused() -> None:
    cert = bankkey.load_certificate(FIXTURES / "gost2012_256-A" / "cert.pem")
    with pytest.raises(bankkey.InvalidInputError) as info:
        cert.days_left(at=datetime(2030, 1, 1))
    assert info.value.field == "at"
    with pytest.raises(bankkey.InvalidInputError):
        bankkey.inspect(cert.to_der(), at=datetime(2030, 1, 1))
    with pytest.raises(bankkey.InvalidInputError):
        cert.days_left(at="2030-01-01")  # type: ignore[arg-type]


def test_verify_with_trust_anchors_and_at() -> None:
    d = FIXTURES / "gost2012_512-C"
    cert = bankkey.load_certificate(d / "cert.pem")
    ca = bankkey.load_certificate(d / "ca.pem")
    chain = cert.verify([ca], at=cert.not_before + timedelta(days=1))
    assert chain == [cert, ca]
    with pytest.raises(bankkey.ExpiredError):
        cert.verify(ca, at=cert.not_after + timedelta(days=1))
    other = bankkey.load_certificate(FIXTURES / "gost2012_256-B" / "ca.pem")
    with pytest.raises(bankkey.UntrustedIssuerError):
        cert.verify(other)
    with pytest.raises(bankkey.InvalidInputError):
        cert.verify([])


def test_der_pem_round_trip_equality_hash_pickle() -> None:
    pem = (FIXTURES / "gost2012_256-TCA" / "cert.pem").read_text()
    a = bankkey.load_certificate(pem)
    b = bankkey.load_certificate(a.to_der())
    c = bankkey.load_certificate(a.to_pem().encode())
    assert a == b == c and hash(a) == hash(b)
    assert len({a, b, c}) == 1
    assert a != bankkey.load_certificate(FIXTURES / "gost2012_256-TCA" / "ca.pem")
    assert pickle.loads(pickle.dumps(a)) == a
    assert a.subject == b.subject and hash(a.subject) == hash(b.subject)
    assert (a == "x") is False


def test_str_is_pem_text_and_a_path_is_a_file() -> None:
    path = FIXTURES / "rsa2048" / "cert.pem"
    assert bankkey.load_certificate(path) == bankkey.load_certificate(path.read_text())
    with pytest.raises(bankkey.MalformedEncodingError):
        bankkey.load_certificate(str(path))
    with pytest.raises(bankkey.InvalidInputError):
        bankkey.Certificate.from_bytes(12)  # type: ignore[arg-type]


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_request(key_type: str) -> None:
    req = bankkey.load_request(FIXTURES / key_type / "req.pem")
    req.verify()
    cert = bankkey.load_certificate(FIXTURES / key_type / "cert.pem")
    assert req.public_key == cert.public_key
    assert req.subject.inn == "500301234503"
    assert req.key_id == cert.key_id
    assert req.report()["verdict"] == "valid"
    assert req.report(key=bankkey.load_certificate(FIXTURES / key_type / "ca.pem"))[
        "reason"
    ] == "key-mismatch"
    assert pickle.loads(pickle.dumps(req)) == req


def test_a_tampered_request_is_a_bad_signature() -> None:
    der = bytearray(bankkey.load_request(FIXTURES / "gost2012_256-A" / "req.pem").to_der())
    i = der.find("Иванов".encode())
    der[i + 1] ^= 0x01
    req = bankkey.CertificateRequest.from_bytes(bytes(der))
    with pytest.raises(bankkey.BadSignatureError):
        req.verify()


def test_russian_extensions_agree_with_the_report() -> None:
    cert = bankkey.load_certificate(FIXTURES / "gost2012_256-A" / "cert.pem")
    ext = {e["name"]: e["value"] for e in cert.report()["extensions"]}
    assert cert.sign_tool == ext["subjectSignTool"]
    assert "КриптоПро" in (cert.sign_tool or "")
    assert cert.issuer_sign_tool == ext["issuerSignTool"]
    assert cert.key_usage == ext["keyUsage"]
    assert cert.sign_tool_classes == [p["name"] for p in ext["certificatePolicies"]]
    assert cert.extended_key_usage == [p["oid"] for p in ext["extendedKeyUsage"]]
    assert cert.identification_kind == ext["identificationKind"]["value"]
    assert (cert.subject_key_id or b"").hex().upper() == ext["subjectKeyIdentifier"]
    assert cert.is_qualified == (cert.qualification_missing == [])
    assert cert.is_qualified == cert.report()["qualified"]["qualified"]


@pytest.mark.parametrize("path", sorted((REALWORLD / "certs").iterdir()), ids=lambda p: p.name)
def test_every_real_world_certificate_reads_or_fails_typed(path: Path) -> None:
    try:
        cert = bankkey.load_certificate(path)
    except bankkey.BankKeyError as e:
        assert e.code in (1001, 1002)
        return
    r = cert.report()
    assert r["serial"] == cert.serial
    assert cert.not_before <= cert.not_after
    assert re.fullmatch(r"[0-9A-F]+", cert.serial)


def test_signed_data_from_the_tc26_examples() -> None:
    sd = bankkey.load_signed_data(REALWORLD / "cms" / "tc26_signed_a111.pem")
    assert not sd.is_detached
    assert sd.signers and "signing_time" in sd.signers[0]
    r = sd.report()
    assert r["kind"] == "signed-data"
    assert r["verdict"] == "invalid"  # no trust anchors: untrusted at best
    assert pickle.loads(pickle.dumps(sd)) == sd
