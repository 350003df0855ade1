"""Keys, the callable signer, building requests and certificates, CMS; checked by OpenSSL's
gost engine and by pyca/cryptography both ways."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest
from conftest import FIXTURES

import bankkey
from bankkey import pki

UTC = timezone.utc
AT = datetime(2030, 6, 1, tzinfo=UTC)

PERSON: Dict[str, Any] = dict(
    common_name="Иванов Иван Иванович",
    surname="Иванов",
    given_name="Иван Иванович",
    country="RU",
    inn="500100732259",
    snils="11223344595",
)
ENTITY: Dict[str, Any] = dict(
    common_name="ООО «Ромашка»",
    surname="Иванов",
    given_name="Иван Иванович",
    title="Генеральный директор",
    organization="ООО «Ромашка»",
    locality="г. Москва",
    state="77 г. Москва",
    country="RU",
    innle="7707083893",
    ogrn="1027700132195",
    snils="11223344595",
)


def ca(algorithm: str = "gost2012-256-cryptopro-a") -> Tuple[bankkey.SoftwareKey, bankkey.Certificate]:
    key = bankkey.generate_key(algorithm)
    cert = pki.issue_certificate(
        [("CN", "Тестовый УЦ"), ("O", "bankkey"), ("C", "RU")],
        key,
        ca=True,
        not_before=AT - timedelta(days=365),
        not_after=AT + timedelta(days=3650),
    )
    return key, cert


@pytest.mark.parametrize(
    "algorithm",
    [a for a in bankkey.KEY_ALGORITHMS if a.startswith("gost")] + ["ecdsa-p256", "rsa-2048"],
)
def test_request_and_certificate_for_every_algorithm(algorithm: str) -> None:
    ca_key, ca_cert = ca()
    key = bankkey.generate_key(algorithm)
    assert key.algorithm == algorithm
    req = bankkey.build_request(
        key,
        bankkey.make_name(**ENTITY),
        key_usage=["digitalSignature", "nonRepudiation"],
        extended_key_usage=["1.3.6.1.5.5.7.3.2"],
        sign_tool_class="КС1",
        sign_tool="СКЗИ «КриптоПро CSP» (версия 5.0)",
        identification_kind=0,
    )
    req.verify()
    assert req.public_key == key.public_key
    assert req.subject.innle == "7707083893"
    assert req.sign_tool_classes == ["КС1"]
    cert = pki.issue_certificate(
        req,
        ca_key,
        issuer=ca_cert,
        serial=0x7A01,
        not_before=AT,
        not_after=AT + timedelta(days=365),
        issuer_sign_tool=("ПАК «УЦ»", "ПАК «УЦ»", "СФ/1", "СФ/2"),
    )
    assert cert.serial == "7A01"
    assert cert.verify(ca_cert, at=AT + timedelta(days=1)) == [cert, ca_cert]
    assert cert.is_qualified, cert.qualification_missing
    assert cert.sign_tool == "СКЗИ «КриптоПро CSP» (версия 5.0)"
    msg = b"payment order 1"
    cert.public_key.verify(key.sign(msg), msg)


def test_field_named_errors() -> None:
    key = bankkey.generate_key("gost2012-256-tc26-a")
    bad = dict(PERSON, snils="11223344596")
    with pytest.raises(bankkey.InvalidInputError) as info:
        bankkey.build_request(key, bankkey.make_name(**bad))
    assert info.value.field == "SNILS"
    no_ogrn = {k: v for k, v in ENTITY.items() if k != "ogrn"}
    with pytest.raises(bankkey.InvalidInputError) as info:
        bankkey.build_request(key, bankkey.make_name(**no_ogrn), kind="legal-entity")
    assert info.value.field == "OGRN"
    with pytest.raises(bankkey.InvalidInputError) as info:
        bankkey.build_request(key, bankkey.make_name(**PERSON), key_usage=["flying"])
    assert info.value.field == "key_usage"
    with pytest.raises(bankkey.UnsupportedAlgorithmError) as alg:
        bankkey.generate_key("gost2001")
    assert alg.value.field == "algorithm"


def test_pkcs8_round_trip_and_a_wrong_password() -> None:
    key = bankkey.generate_key("gost2012-512-tc26-b")
    plain = key.to_pkcs8_pem()
    assert bankkey.load_private_key(plain).public_key == key.public_key
    secret = "Пароль-не-для-сообщений-42"
    enc = key.to_pkcs8_pem(secret, iterations=1000)
    assert "ENCRYPTED PRIVATE KEY" in enc
    assert bankkey.load_private_key(enc, secret).public_key == key.public_key
    assert bankkey.load_private_key(enc, secret.encode()).public_key == key.public_key
    with pytest.raises(bankkey.WrongPasswordError) as info:
        bankkey.load_private_key(enc, "wrong " + secret)
    assert secret not in str(info.value)
    with pytest.raises(bankkey.InvalidInputError) as needs:
        bankkey.load_private_key(enc)
    assert needs.value.field == "password"


def test_openssl_fixture_keys_load(openssl: str) -> None:
    for name in ("gost2012_256-A", "gost2012_512-C", "rsa2048", "ec-p256"):
        key = bankkey.load_private_key(FIXTURES / name / "key.pem")
        assert key.public_key == bankkey.load_public_key(FIXTURES / name / "pub.pem")
    enc = FIXTURES / "encrypted" / "gost2012_256-A.kuznyechik-ctr-acpkm.hmac-streebog512.pem"
    key = bankkey.load_private_key(enc, "bankkey-test")
    assert key.public_key == bankkey.load_public_key(FIXTURES / "gost2012_256-A" / "pub.pem")


def test_openssl_verifies_what_we_build(openssl: str, tmp_path: Path) -> None:
    ca_key, ca_cert = ca("gost2012-256-tc26-b")
    key = bankkey.generate_key("gost2012-512-tc26-a")
    req = bankkey.build_request(key, bankkey.make_name(**PERSON))
    (tmp_path / "req.pem").write_text(req.to_pem())
    r = subprocess.run(
        [openssl, "req", "-engine", "gost", "-in", str(tmp_path / "req.pem"), "-verify", "-noout"],
        capture_output=True, text=True, check=False,
    )
    assert r.returncode == 0 and "verify OK" in (r.stdout + r.stderr), r.stderr
    now = datetime.now(UTC)
    cert = pki.issue_certificate(
        req, ca_key, issuer=ca_cert, not_before=now - timedelta(days=1), not_after=now + timedelta(days=30)
    )
    ca_now = pki.issue_certificate(
        [("CN", "Тестовый УЦ"), ("O", "bankkey"), ("C", "RU")], ca_key,
        ca=True, not_before=now - timedelta(days=2), not_after=now + timedelta(days=60),
    )
    cert = pki.issue_certificate(
        req, ca_key, issuer=ca_now, not_before=now - timedelta(days=1), not_after=now + timedelta(days=30)
    )
    (tmp_path / "ca.pem").write_text(ca_now.to_pem())
    (tmp_path / "cert.pem").write_text(cert.to_pem())
    r = subprocess.run(
        [openssl, "verify", "-engine", "gost", "-CAfile", str(tmp_path / "ca.pem"), str(tmp_path / "cert.pem")],
        capture_output=True, text=True, check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    # CMS: openssl verifies a detached GOST signature we made.
    sd = pki.cms_sign(b"document", [(key, cert)], detached=True)
    (tmp_path / "sig.p7s").write_bytes(sd.to_der())
    (tmp_path / "doc").write_bytes(b"document")
    r = subprocess.run(
        [openssl, "cms", "-engine", "gost", "-verify", "-binary", "-inform", "DER",
         "-in", str(tmp_path / "sig.p7s"), "-content", str(tmp_path / "doc"),
         "-CAfile", str(tmp_path / "ca.pem"), "-out", "/dev/null"],
        capture_output=True, text=True, check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert sd.verify(ca_now, content=b"document") == [cert]
    with pytest.raises(bankkey.ContentAlteredError):
        sd.verify(ca_now, content=b"Document")


def test_callable_signer_over_pyca_p256_and_the_bank_side_checks() -> None:
    ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    theirs = ec.generate_private_key(ec.SECP256R1())
    spki = theirs.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    calls = []

    def sign(message: bytes) -> bytes:
        calls.append(len(message))
        return theirs.sign(message, ec.ECDSA(hashes.SHA256()))

    signer = bankkey.CallableSigner(bankkey.PublicKey.from_bytes(spki), sign)
    req = bankkey.build_request(signer, bankkey.make_name(**PERSON))
    req.verify()
    assert calls
    # A signature by another key: refused at once, before anyone sees it.
    other = ec.generate_private_key(ec.SECP256R1())
    wrong = bankkey.CallableSigner(
        bankkey.PublicKey.from_bytes(spki), lambda m: other.sign(m, ec.ECDSA(hashes.SHA256()))
    )
    with pytest.raises(bankkey.BadSignatureError):
        bankkey.build_request(wrong, bankkey.make_name(**PERSON))


def test_callable_signer_names_reversed_gost_signatures() -> None:
    key = bankkey.generate_key("gost2012-256-cryptopro-a")
    reversed_bytes = bankkey.CallableSigner(key.public_key, lambda m: key.sign(m)[::-1])
    with pytest.raises(bankkey.BadSignatureError) as info:
        reversed_bytes.sign(b"x")
    assert "reverse" in str(info.value)
    assert info.value.field == "signature"
    good = bankkey.CallableSigner(key.public_key, key.sign)
    key.public_key.verify(good.sign(b"x"), b"x")


def test_callable_signer_exceptions_come_through() -> None:
    key = bankkey.generate_key("gost2012-256-cryptopro-a")

    def pin_wrong(_: bytes) -> bytes:
        raise bankkey.PinIncorrectError("CSP: wrong PIN, 2 tries left", field="pin")

    with pytest.raises(bankkey.PinIncorrectError) as pin:
        bankkey.build_request(bankkey.CallableSigner(key.public_key, pin_wrong), bankkey.make_name(**PERSON))
    assert pin.value.field == "pin" and "2 tries left" in pin.value.message

    def broken(_: bytes) -> bytes:
        raise ValueError("the CSP is not installed")

    with pytest.raises(bankkey.InternalError) as info:
        bankkey.CallableSigner(key.public_key, broken).sign(b"x")
    assert isinstance(info.value.__cause__, ValueError)
    assert "ValueError" in str(info.value)
    with pytest.raises(bankkey.InternalError):
        bankkey.CallableSigner(key.public_key, lambda m: "text").sign(b"x")  # type: ignore[arg-type,return-value]


def test_pyca_reads_what_we_write_and_we_read_what_it_writes() -> None:
    x509 = pytest.importorskip("cryptography.x509")
    ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    from cryptography.x509.oid import NameOID

    # Ours → pyca: P-256 certificate verified by pyca; keys; a GOST certificate parsed.
    ca_key, ca_cert = ca("ecdsa-p256")
    key = bankkey.generate_key("ecdsa-p256")
    req = bankkey.build_request(key, bankkey.make_name(**PERSON))
    cert = pki.issue_certificate(req, ca_key, issuer=ca_cert, not_before=AT, not_after=AT + timedelta(days=10))
    theirs = x509.load_der_x509_certificate(cert.to_der())
    theirs.verify_directly_issued_by(x509.load_pem_x509_certificate(ca_cert.to_pem().encode()))
    assert theirs.serial_number == cert.serial_number
    assert theirs.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == PERSON["common_name"]
    csr = x509.load_pem_x509_csr(req.to_pem().encode())
    assert csr.is_signature_valid
    for k in (key, bankkey.generate_key("rsa-2048")):
        pk = serialization.load_pem_private_key(k.to_pkcs8_pem("pw", iterations=1000).encode(), b"pw")
        spki = pk.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        assert bankkey.PublicKey.from_bytes(spki) == k.public_key
    gost = x509.load_pem_x509_certificate((FIXTURES / "gost2012_256-A" / "cert.pem").read_bytes())
    assert gost.serial_number == bankkey.load_certificate(FIXTURES / "gost2012_256-A" / "cert.pem").serial_number

    # pyca → ours: its RSA and P-256 keys, request and certificate.
    for their_key in (ec.generate_private_key(ec.SECP256R1()), rsa.generate_private_key(65537, 2048)):
        pem = their_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
        ours = bankkey.load_private_key(pem, b"secret")
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pyca")])
        csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(their_key, hashes.SHA256())
        our_req = bankkey.load_request(csr.public_bytes(serialization.Encoding.PEM))
        our_req.verify()
        assert our_req.public_key == ours.public_key
        built = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(their_key.public_key())
            .serial_number(42)
            .not_valid_before(AT)
            .not_valid_after(AT + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(their_key, hashes.SHA256())
        )
        our_cert = bankkey.load_certificate(built.public_bytes(serialization.Encoding.DER))
        assert our_cert.serial_number == 42 and our_cert.holds_key(ours.public_key)
        assert our_cert.verify(our_cert, at=AT) == [our_cert]
