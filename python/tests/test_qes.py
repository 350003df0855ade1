"""Qualified signatures on the bank's side (seed 004): CRLs (made by pyca `cryptography`, an
independent encoder), the accredited-CA list, `check_qualified` with every outcome the check
relies on, and the bank's registration and confirmation of a client's QES."""

from __future__ import annotations

import base64
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import bankkey
from bankkey import bank, pki

UTC = timezone.utc
MOSCOW = timezone(timedelta(hours=3))
NOW = datetime.now(UTC).replace(microsecond=0)
STATEMENT = "Заявление о подтверждении использования ЭП".encode()


def xs(t: datetime) -> str:
    """xs:dateTime as the Ministry writes it: Moscow time, no zone."""
    return t.astimezone(MOSCOW).strftime("%Y-%m-%dT%H:%M:%S")


def tsl(version: int, date: datetime, ca: bankkey.Certificate, statuses: List[Tuple[str, datetime]]) -> bytes:
    data = base64.b64encode(ca.to_der()).decode()
    key_id = ca.subject_key_id
    assert key_id is not None
    history = "".join(
        f"<СтатусАккредитации><ДействуетС>{xs(t)}</ДействуетС><Статус>{s}</Статус></СтатусАккредитации>"
        for s, t in statuses
    )
    status, since = statuses[-1]
    return f"""<?xml version="1.0" encoding="utf-8"?>
<АккредитованныеУдостоверяющиеЦентры>
  <Версия>{version}</Версия>
  <Дата>{xs(date)}</Дата>
  <УдостоверяющийЦентр>
    <Название>ООО «Тестовый аккредитованный УЦ»</Название>
    <ИНН>7707083893</ИНН>
    <ОГРН>1027700132195</ОГРН>
    <РеестровыйНомер>999</РеестровыйНомер>
    <ПрограммноАппаратныеКомплексы><ПрограммноАппаратныйКомплекс><КлючиУполномоченныхЛиц>
      <Ключ>
        <Сертификаты><ДанныеСертификата><Данные>{data}</Данные></ДанныеСертификата></Сертификаты>
        <ИдентификаторКлюча>{key_id.hex()}</ИдентификаторКлюча>
      </Ключ>
    </КлючиУполномоченныхЛиц></ПрограммноАппаратныйКомплекс></ПрограммноАппаратныеКомплексы>
    <СтатусАккредитации><Статус>{status}</Статус><ДействуетС>{xs(since)}</ДействуетС></СтатусАккредитации>
    <ИсторияСтатусовАккредитации>{history}</ИсторияСтатусовАккредитации>
  </УдостоверяющийЦентр>
</АккредитованныеУдостоверяющиеЦентры>
""".encode()


class Ca:
    """A CA whose key pyca can use too (ECDSA P-256), so that pyca makes its CRLs."""

    def __init__(self, cn: str, since: datetime) -> None:
        self.key = bankkey.generate_key("ecdsa-p256")
        self.cert = pki.issue_certificate([("CN", cn), ("O", cn)], self.key, ca=True,
                                          not_before=since, not_after=since + timedelta(days=3650))
        self.pyca_key = serialization.load_pem_private_key(self.key.to_pkcs8_pem().encode(), None)
        assert isinstance(self.pyca_key, ec.EllipticCurvePrivateKey)

    def crl(self, this: datetime, next_: Optional[datetime], revoked: List[Tuple[int, datetime]] = []) -> bankkey.Crl:
        issuer = x509.load_der_x509_certificate(self.cert.to_der())
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        b = (x509.CertificateRevocationListBuilder()
             .issuer_name(issuer.subject)
             .last_update(this)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
             .add_extension(x509.CRLNumber(1), False))
        b = b.next_update(next_ or this + timedelta(days=1))
        for serial, at in revoked:
            b = b.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(at).build())
        der = b.sign(self.pyca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        return bankkey.load_crl(der)

    def user(self, cn: str, snils: str, days_ago: int, qualified: bool = True) -> Tuple[bankkey.SoftwareKey, bankkey.Certificate]:
        key = bankkey.generate_key("gost2012-256-cryptopro-a")
        subject = bankkey.make_name(common_name=cn, surname=cn.split()[0], given_name="Иван Иванович",
                                    country="RU", inn="500100732259", snils=snils)
        extra = dict(sign_tool_class="КС1", sign_tool="СКЗИ «КриптоПро CSP» (версия 5.0)",
                     identification_kind=0) if qualified else {}
        req = bankkey.build_request(key, subject, key_usage=["digitalSignature", "nonRepudiation"],
                                    **extra)  # type: ignore[arg-type]
        start = NOW - timedelta(days=days_ago)
        cert = pki.issue_certificate(
            req, self.key, issuer=self.cert, not_before=start, not_after=start + timedelta(days=365),
            issuer_sign_tool=("ПАК «УЦ»", "ПАК «УЦ»", "СФ/1", "СФ/2") if qualified else None)
        return key, cert


@pytest.fixture(scope="module")
def world() -> Tuple[Ca, bankkey.Certificate, bank.TrustedList, bankkey.Crl]:
    ca = Ca("Тестовый аккредитованный УЦ", NOW - timedelta(days=1000))
    _, qes = ca.user("Иванов Иван Иванович", "11223344595", 30)
    assert qes.is_qualified, qes.qualification_missing
    xml = tsl(41, NOW - timedelta(days=1), ca.cert, [("Действует", NOW - timedelta(days=900))])
    lst = bank.TrustedList.from_unsigned_xml(xml)
    return ca, qes, lst, ca.crl(NOW - timedelta(hours=1), NOW + timedelta(days=1))


def test_a_crl_made_by_pyca_reads_and_verifies(world: Tuple[Ca, bankkey.Certificate, bank.TrustedList, bankkey.Crl]) -> None:
    ca, qes, _, _ = world
    revoked_at = (NOW - timedelta(hours=2)).replace(microsecond=0)
    crl = ca.crl(NOW - timedelta(hours=1), NOW + timedelta(days=1), [(qes.serial_number, revoked_at)])
    assert crl.issuer == ca.cert.subject
    assert crl.revoked == [(qes.serial_number, revoked_at)]
    assert crl.revocation_of(qes) == revoked_at
    assert crl.revocation_of(ca.cert) is None
    assert crl.authority_key_id == ca.cert.subject_key_id
    assert crl.is_fresh(at=NOW) and not crl.is_fresh(at=NOW + timedelta(days=2))
    crl.verify_issued_by(ca.cert)
    other = Ca("Другой УЦ", NOW - timedelta(days=10))
    with pytest.raises(bankkey.WrongIssuerError):
        crl.verify_issued_by(other.cert)
    assert bankkey.load_crl(crl.to_der()) == crl and hash(crl) == hash(bankkey.Crl.from_bytes(crl.to_der()))
    pem = x509.load_der_x509_crl(crl.to_der()).public_bytes(serialization.Encoding.PEM)
    assert bankkey.load_crl(pem) == crl
    with pytest.raises(bankkey.MalformedEncodingError):
        bankkey.load_crl(b"\x30\x03\x02\x01\x00")


def test_the_list_reads_and_finds_the_key(world: Tuple[Ca, bankkey.Certificate, bank.TrustedList, bankkey.Crl]) -> None:
    ca, _, lst, _ = world
    assert lst.version == 41 and not lst.signed
    [entry] = lst.cas
    assert entry["name"] == "ООО «Тестовый аккредитованный УЦ»" and entry["inn"] == "7707083893"
    assert entry["status"]["active"] and entry["key_ids"] == [ca.cert.subject_key_id]
    assert lst.find_key(ca.cert.subject_key_id) == entry
    assert lst.find_key("00" * 20) is None
    with pytest.raises(bankkey.MalformedEncodingError) as e:
        bank.TrustedList.from_unsigned_xml("<АккредитованныеУдостоверяющиеЦентры/>".encode())
    assert e.value.field == "Версия"
    # A list presented as signed but carrying no signature.
    with pytest.raises(bankkey.BankKeyError):
        bank.TrustedList.from_signed_xml(tsl(1, NOW, ca.cert, [("Действует", NOW)]), ca.cert)


def test_check_qualified_every_outcome(world: Tuple[Ca, bankkey.Certificate, bank.TrustedList, bankkey.Crl]) -> None:
    ca, qes, lst, crl = world
    ok = bank.check_qualified(qes, list=lst, crls=[crl], at=NOW, trust_unsigned_list=True)
    assert ok["ca_name"] == "ООО «Тестовый аккредитованный УЦ»" and ok["list_version"] == 41
    assert ok["ca_certificate"] == ca.cert and ok["accreditation"]["active"]
    # An unverified list is refused unless the caller vouches for it.
    with pytest.raises(bankkey.PreconditionFailedError) as e:
        bank.check_qualified(qes, list=lst, crls=[crl], at=NOW)
    assert e.value.field == "list"
    # No list, no fresh CRL: «Ошибка при работе с сервисом проверки сторонних сертификатов».
    with pytest.raises(bankkey.VerificationUnavailableError) as u:
        bank.check_qualified(qes, list=None, crls=[crl], at=NOW, trust_unsigned_list=True)
    assert "сторонних сертификатов" in str(u.value)
    with pytest.raises(bankkey.VerificationUnavailableError):
        bank.check_qualified(qes, list=lst, crls=[], at=NOW, trust_unsigned_list=True)
    stale = ca.crl(NOW - timedelta(days=3), NOW - timedelta(days=2))
    with pytest.raises(bankkey.VerificationUnavailableError):
        bank.check_qualified(qes, list=lst, crls=stale, at=NOW, trust_unsigned_list=True)
    # A list older than the policy allows.
    with pytest.raises(bankkey.VerificationUnavailableError):
        bank.check_qualified(qes, list=lst, crls=[crl], at=NOW, trust_unsigned_list=True,
                             max_list_age_days=0)
    # Revoked.
    revoked = ca.crl(NOW - timedelta(hours=1), NOW + timedelta(days=1), [(qes.serial_number, NOW - timedelta(hours=2))])
    with pytest.raises(bankkey.RevokedError):
        bank.check_qualified(qes, list=lst, crls=[revoked], at=NOW, trust_unsigned_list=True)
    # A CA not on the list; a certificate not in the qualified form.
    stranger = Ca("Чужой УЦ", NOW - timedelta(days=100))
    _, theirs = stranger.user("Петров Пётр Петрович", "11223344595", 5)
    with pytest.raises(bankkey.UntrustedIssuerError):
        bank.check_qualified(theirs, list=lst, crls=[stranger.crl(NOW - timedelta(hours=1), None)],
                             at=NOW, trust_unsigned_list=True)
    _, plain = ca.user("Сидоров Сидор Сидорович", "11223344595", 5, qualified=False)
    with pytest.raises(bankkey.PreconditionFailedError) as p:
        bank.check_qualified(plain, list=lst, crls=[crl], at=NOW, trust_unsigned_list=True)
    assert p.value.field == "certificate"
    # An accreditation ended before the certificate was issued.
    ended = bank.TrustedList.from_unsigned_xml(tsl(42, NOW - timedelta(days=1), ca.cert, [
        ("Действует", NOW - timedelta(days=900)), ("Прекращена", NOW - timedelta(days=60))]))
    with pytest.raises(bankkey.UntrustedIssuerError):
        bank.check_qualified(qes, list=ended, crls=[crl], at=NOW, trust_unsigned_list=True)
    with pytest.raises(bankkey.InvalidInputError):
        bank.check_qualified(qes, list=lst, crls=[crl], at=datetime(2027, 1, 1), trust_unsigned_list=True)
    with pytest.raises(bankkey.InvalidInputError) as bad:
        bank.check_qualified(qes, list=lst, crls=[crl, qes], at=NOW)  # type: ignore[list-item]
    assert bad.value.field == "crls" and "Crl" in str(bad.value)


XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
GOST_256 = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256"
STREEBOG_256 = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"


def xmlsec_signed(xmlsec1: Tuple[str, Dict[str, str]], tmp: Path, body: bytes,
                  key: bankkey.SoftwareKey, cert: bankkey.Certificate) -> bytes:
    """`body` signed by xmlsec1 as the Ministry signs TSLExt.xml: one enveloped GOST R
    34.10-2012 signature over the whole document (URI=""), inclusive C14N, the signer's
    certificate in KeyInfo."""
    tool, env = xmlsec1
    template = (
        f'<Signature xmlns="{XMLDSIG}"><SignedInfo><CanonicalizationMethod Algorithm="{C14N}"/>'
        f'<SignatureMethod Algorithm="{GOST_256}"/><Reference URI=""><Transforms>'
        f'<Transform Algorithm="{XMLDSIG}enveloped-signature"/></Transforms>'
        f'<DigestMethod Algorithm="{STREEBOG_256}"/><DigestValue></DigestValue></Reference>'
        f'</SignedInfo><SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature>\n'
    ).encode()
    end = body.rindex(b"</")
    (tmp / "tmpl.xml").write_bytes(body[:end] + template + body[end:])
    (tmp / "key.pem").write_text(key.to_pkcs8_pem())
    (tmp / "cert.pem").write_text(cert.to_pem())
    subprocess.run([tool, "--sign", "--privkey-pem", f"{tmp / 'key.pem'},{tmp / 'cert.pem'}",
                    "--output", str(tmp / "signed.xml"), str(tmp / "tmpl.xml")],
                   env=env, check=True, capture_output=True)
    return (tmp / "signed.xml").read_bytes()


def test_a_list_the_ministry_signed_reads_with_its_signer_and_revocation(
    tmp_path: Path, xmlsec1: Tuple[str, Dict[str, str]],
    world: Tuple[Ca, bankkey.Certificate, bank.TrustedList, bankkey.Crl],
) -> None:
    ca, qes, _, crl = world
    # The Ministry's root (P-256, so that pyca makes its CRLs) certifies a GOST list-signing key.
    ministry = Ca("Минцифры России (тест)", NOW - timedelta(days=1000))
    key = bankkey.generate_key("gost2012-256-tc26-a")
    signer = pki.issue_certificate([("CN", "Подпись списка УЦ"), ("O", "Минцифры России (тест)")],
                                   ministry.key, issuer=ministry.cert, public_key=key.public_key,
                                   key_usage=["digitalSignature"], not_before=NOW - timedelta(days=1),
                                   not_after=NOW + timedelta(days=30))
    xml = tsl(41, NOW - timedelta(days=1), ca.cert, [("Действует", NOW - timedelta(days=900))])
    signed = xmlsec_signed(xmlsec1, tmp_path, xml, key, signer)

    lst = bank.TrustedList.from_signed_xml(signed, ministry.cert, at=NOW)
    assert lst.signed and lst.version == 41 and "unsigned" not in repr(lst)
    assert lst.signer == signer and lst.signing_path == [signer, ministry.cert]
    [entry] = lst.cas
    assert lst.find_key(ca.cert.subject_key_id) == entry
    # The QES check takes a verified list without being told to trust it.
    ok = bank.check_qualified(qes, list=lst, crls=[crl], at=NOW)
    assert ok["list_version"] == 41 and ok["ca_certificate"] == ca.cert

    # The signer's revocation, in the Ministry's CRLs: the fresh one relied on is returned.
    fresh = ministry.crl(NOW - timedelta(hours=1), NOW + timedelta(days=7))
    older = ministry.crl(NOW - timedelta(days=3), NOW + timedelta(days=4))
    assert lst.check_revocation([older, fresh], at=NOW) == [fresh]
    assert lst.check_revocation(fresh, at=NOW) == [fresh]
    revoked = ministry.crl(NOW - timedelta(hours=1), NOW + timedelta(days=7),
                           [(signer.serial_number, NOW - timedelta(minutes=30))])
    with pytest.raises(bankkey.RevokedError):
        lst.check_revocation([revoked], at=NOW)
    with pytest.raises(bankkey.RevokedError):  # a CRL that lists it wins over one that does not
        lst.check_revocation([fresh, revoked], at=NOW)
    assert lst.check_revocation([revoked], at=NOW - timedelta(minutes=45)) == [revoked]
    stale = ministry.crl(NOW - timedelta(days=10), NOW - timedelta(days=3))
    foreign = Ca("Другой УЦ", NOW - timedelta(days=10)).crl(NOW - timedelta(hours=1), None)
    for crls in ([], [stale], [foreign]):
        with pytest.raises(bankkey.VerificationUnavailableError):
            lst.check_revocation(crls, at=NOW)
    with pytest.raises(bankkey.InvalidInputError):
        lst.check_revocation([signer], at=NOW)  # type: ignore[list-item]

    # The signing certificate pinned itself: nothing below it to look up.
    pinned = bank.TrustedList.from_signed_xml(signed, signer, at=NOW)
    assert pinned.signing_path == [signer] and pinned.check_revocation([], at=NOW) == []
    # Changed after signing; signed by a key the Ministry did not certify; no signature.
    with pytest.raises(bankkey.ContentAlteredError):
        bank.TrustedList.from_signed_xml(signed.replace("Действует".encode(), "Прекращена".encode(), 1),
                                         ministry.cert, at=NOW)
    with pytest.raises(bankkey.UntrustedIssuerError):
        bank.TrustedList.from_signed_xml(signed, Ca("Не Минцифры", NOW - timedelta(days=10)).cert, at=NOW)
    unsigned = bank.TrustedList.from_unsigned_xml(xml)
    assert unsigned.signer is None and unsigned.signing_path == []
    with pytest.raises(bankkey.PreconditionFailedError):
        unsigned.check_revocation([fresh], at=NOW)


def test_the_bank_registers_and_confirms_a_qes(tmp_path: Path, world: Tuple[Ca, bankkey.Certificate, bank.TrustedList, bankkey.Crl]) -> None:
    accredited, _, lst, crl = world
    owner_qes_key, qes = accredited.user("Иванов Иван Иванович", "11223344595", 30)
    bank_key = bankkey.generate_key("gost2012-256-cryptopro-a")
    bank_ca = pki.issue_certificate([("CN", "Банк УЦ")], bank_key, ca=True,
                                    not_before=NOW - timedelta(days=400), not_after=NOW + timedelta(days=3650))

    def client(cn: str, snils: str) -> Tuple[bankkey.SoftwareKey, bankkey.Certificate]:
        k = bankkey.generate_key("gost2012-256-cryptopro-a")
        subject = bankkey.make_name(common_name=cn, surname=cn.split()[0], given_name="И. И.",
                                    country="RU", inn="500100732259", snils=snils)
        c = pki.issue_certificate(subject, bank_key, issuer=bank_ca, public_key=k.public_key,
                                  not_before=NOW - timedelta(days=100), not_after=NOW + timedelta(days=265))
        return k, c

    (ik, ic), (pk, pc) = client("Иванов Иван Иванович", "11223344595"), client("Петров Пётр Петрович", "08765430300")
    with bank.Bank(tmp_path / "bank.db", bank_ca, bank_key, trust_unsigned_list=True) as b:
        ivanov = b.register_subscriber(ic, at=NOW - timedelta(days=100))
        b.register_subscriber(pc, at=NOW - timedelta(days=100))
        assert b.qes(qes) is None
        reg = b.register_qes(qes, list=lst, crls=[crl], at=NOW)
        assert reg["status"] == "not_confirmed" and reg["subscriber_id"] == ivanov
        assert reg["status_ru"] == "Электронная подпись не подтверждена"
        alone = bankkey.cms_sign(STATEMENT, [(ik, ic)], detached=True, signing_time=NOW)
        with pytest.raises(bankkey.PreconditionFailedError):
            b.confirm_qes(qes, STATEMENT, alone, list=lst, crls=[crl], at=NOW)
        both = bankkey.cms_sign(STATEMENT, [(ik, ic), (pk, pc)], detached=True, signing_time=NOW)
        with pytest.raises(bankkey.ContentAlteredError):
            b.confirm_qes(qes, b"another text", both, list=lst, crls=[crl], at=NOW)
        with pytest.raises(bankkey.VerificationUnavailableError):
            b.confirm_qes(qes, STATEMENT, both, list=None, crls=[crl], at=NOW)
        assert b.qes(qes)["status"] == "not_confirmed"  # type: ignore[index]
        done = b.confirm_qes(qes, STATEMENT, both, list=lst, crls=[crl], at=NOW)
        assert done["status"] == "confirmed" and done["loaded_not_before"] > NOW
        assert b.qes(qes)["status"] == "confirmed"  # type: ignore[index]
    del owner_qes_key
    # A bank that does not vouch for unsigned lists refuses this one.
    with bank.Bank(tmp_path / "bank2.db", bank_ca, bank_key) as strict:
        with pytest.raises(bankkey.PreconditionFailedError):
            strict.register_qes(qes, list=lst, crls=[crl], at=NOW)
