//! The signature of the list of accredited CAs (issue 12): lists we sign ourselves as the
//! Ministry signs TSLExt.xml, read back with their XMLDSig verified against the Ministry's
//! root; every kind of tampering refused with its own error, XML signature wrapping included;
//! the QES check refusing a list whose signature was not verified; the older ETSI-style list
//! refused for what it is.

mod bank_support;

use bank_support::*;
use bankkey::ErrorKind;
use bankkey::bank::Crl;
use bankkey::bank::qes::{QesPolicy, check_qualified, check_qualified_with};
use bankkey::bank::tsl::TrustedList;
use bankkey::gost::ParamSet;
use bankkey::gost::streebog::Streebog;
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::pki::{CertificateBuilder, CrlBuilder, KeyUsageBit, RevocationReason};
use bankkey::xml::c14n::{Method, canonicalize};
use bankkey::xmldsig::{self, SignOptions};
use base64ct::Encoding;
use time::{Duration, OffsetDateTime};

fn list_xml() -> (String, (SoftwareKey, bankkey::pki::Certificate)) {
    let ca = accredited_ca("Тестовый аккредитованный УЦ");
    let xml = tsl(
        41,
        now() - Duration::days(1),
        &ca.1,
        &[("Действует", now() - Duration::days(900))],
    );
    (xml, ca)
}

fn read(signed: &[u8], m: &Ministry) -> bankkey::Result<TrustedList> {
    TrustedList::from_signed_xml(signed, &m.anchors(), now())
}

fn kind(r: bankkey::Result<TrustedList>) -> ErrorKind {
    match r {
        Ok(_) => panic!("accepted"),
        Err(e) => e.kind(),
    }
}

#[test]
fn a_list_signed_by_the_ministry_reads_with_its_signature() {
    let m = ministry();
    let (xml, ca) = list_xml();
    let signed = m.sign(&xml);
    let list = read(&signed, &m).unwrap();
    // The content is the list's, the signature is recorded with its path to the root.
    let unverified = TrustedList::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(list.cas, unverified.cas);
    assert_eq!((list.version, list.date), (41, unverified.date));
    assert!(unverified.signature().is_none());
    let sig = list.signature().unwrap();
    assert_eq!(sig.verified.signer, m.signer.1);
    assert_eq!(sig.chain, [m.signer.1.clone(), m.root.1.clone()]);
    assert_eq!(sig.verified.reference_uri, "");
    assert_eq!(sig.verified.signature_method, xmldsig::GOSTR34102012_256);
    assert!(list.find_key(ca.1.subject_key_id().unwrap()).is_some());
    // The signing certificate itself may be the pinned anchor.
    TrustedList::from_signed_xml(&signed, std::slice::from_ref(&m.signer.1), now()).unwrap();
    // Streaming from a file, read twice.
    let dir = bank_support::common::TempDir::new("bank-tsl-signed");
    let path = dir.write("TSLExt.xml", &signed);
    assert_eq!(
        TrustedList::load_signed(&path, &m.anchors(), now()).unwrap(),
        list
    );
    // Read without verifying, the signed list gives the same content and no signature.
    let plain = TrustedList::from_xml(&signed).unwrap();
    assert_eq!(plain.cas, list.cas);
    assert!(plain.signature().is_none());
}

#[test]
fn exclusive_canonicalization_and_512_bit_keys_verify() {
    let root = ca_from("Минцифры России (тест)", now() - Duration::days(1000));
    let (xml, _) = list_xml();
    for (ps, c14n) in [
        (ParamSet::Tc26_256A, Method::exclusive()),
        (ParamSet::Tc26_512A, Method::c14n()),
        (ParamSet::Tc26_512C, Method::exclusive()),
    ] {
        let k = SoftwareKey::generate(KeyAlgorithm::Gost(ps)).unwrap();
        let cert = CertificateBuilder::new(&ca_subject("Подпись списка"), &k.public_key())
            .unwrap()
            .validity(now() - Duration::days(1), now() + Duration::days(30))
            .sign(Some(&root.1), &root.0)
            .unwrap();
        let options = SignOptions {
            canonicalization: c14n.clone(),
            ..SignOptions::default()
        };
        let signed = xmldsig::sign_enveloped(xml.as_bytes(), &k, &cert, &options).unwrap();
        let list = TrustedList::from_signed_xml(&signed, std::slice::from_ref(&root.1), now())
            .unwrap_or_else(|e| panic!("{ps:?} {c14n:?}: {e}"));
        let v = &list.signature().unwrap().verified;
        assert_eq!(v.canonicalization, c14n.uri());
        assert_eq!(
            v.digest_method,
            if ps.is_512() {
                xmldsig::GOSTR34112012_512
            } else {
                xmldsig::GOSTR34112012_256
            }
        );
    }
}

#[test]
fn changed_content_is_content_altered() {
    let m = ministry();
    let (xml, _) = list_xml();
    let signed = String::from_utf8(m.sign(&xml)).unwrap();
    for (what, changed) in [
        ("version", signed.replace("<Версия>41<", "<Версия>42<")),
        (
            "a status",
            signed.replacen("<Статус>Действует</Статус>", "<Статус>Прекращена</Статус>", 1),
        ),
        ("white space", signed.replacen("  <УдостоверяющийЦентр>", " <УдостоверяющийЦентр>", 1)),
        (
            "an added CA",
            signed.replacen(
                "<Версия>",
                "<УдостоверяющийЦентр><Название>Поддельный</Название></УдостоверяющийЦентр><Версия>",
                1,
            ),
        ),
        (
            "a name as a character reference",
            signed.replacen("Тестовый УЦ", "&#1058;естовый УЦ-2", 1),
        ),
    ] {
        assert_ne!(changed, signed, "{what}");
        let e = read(changed.as_bytes(), &m).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ContentAltered, "{what}: {e}");
    }
    // What canonical XML does not see is not a change: a comment, another quote, attribute
    // order, an empty element written in full, line ends.
    for (what, same) in [
        (
            "a comment",
            signed.replacen("<Версия>", "<!-- примечание --><Версия>", 1),
        ),
        ("quotes", signed.replacen("a=\"1\"", "a='1'", 1)),
        (
            "an empty tag",
            signed.replacen(
                "<НеизвестноеПоле a=\"1\"/>",
                "<НеизвестноеПоле a=\"1\"></НеизвестноеПоле>",
                1,
            ),
        ),
        ("CRLF", signed.replace('\n', "\r\n")),
        (
            "a character reference",
            signed.replacen("Тестовый УЦ", "&#1058;естовый УЦ", 1),
        ),
    ] {
        assert_ne!(same, signed, "{what}");
        read(same.as_bytes(), &m).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}

#[test]
fn changed_signed_info_or_value_is_a_bad_signature() {
    let m = ministry();
    let (xml, _) = list_xml();
    let signed = String::from_utf8(m.sign(&xml)).unwrap();
    let digest_at = signed.find("<DigestValue>").unwrap() + "<DigestValue>".len();
    let value_at = signed.find("<SignatureValue>").unwrap() + "<SignatureValue>".len();
    let flip = |s: &str, at: usize| {
        let mut b = s.as_bytes().to_vec();
        b[at] = if b[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    };
    for (what, changed) in [
        ("DigestValue", flip(&signed, digest_at)),
        ("SignatureValue", flip(&signed, value_at + 3)),
        (
            "the canonicalisation named",
            signed.replacen(
                "REC-xml-c14n-20010315\"",
                "REC-xml-c14n-20010315#WithComments\"",
                1,
            ),
        ),
        (
            "an Id added to SignedInfo",
            signed.replacen("<SignedInfo>", "<SignedInfo Id=\"si\">", 1),
        ),
    ] {
        let e = read(changed.as_bytes(), &m).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadSignature, "{what}: {e}");
    }
    // Another Ministry's key.
    let other = ministry();
    let e = read(other.sign(&xml).as_slice(), &m).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::UntrustedIssuer | ErrorKind::WrongIssuer
        ),
        "{e}"
    );
    // The certificate in KeyInfo swapped for another: its key does not verify.
    let b64 = |c: &bankkey::pki::Certificate| base64ct::Base64::encode_string(c.der());
    let swapped = signed.replace(&b64(&m.signer.1), &b64(&other.signer.1));
    assert_eq!(kind(read(swapped.as_bytes(), &m)), ErrorKind::BadSignature);
    // No signature at all.
    let e = read(xml.as_bytes(), &m).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");
    assert!(e.message().contains("not signed"), "{e}");
}

#[test]
fn the_signer_must_chain_to_the_ministry_and_may_sign() {
    let m = ministry();
    let (xml, _) = list_xml();
    let signed = m.sign(&xml);
    // Checked at a time the signing certificate had expired.
    let e = TrustedList::from_signed_xml(&signed, &m.anchors(), now() + Duration::days(400))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired, "{e}");
    // A certificate whose keyUsage forbids signing data.
    let k = key();
    let cert = CertificateBuilder::new(&ca_subject("Только шифрование"), &k.public_key())
        .unwrap()
        .key_usage(&[KeyUsageBit::KeyEncipherment])
        .validity(now() - Duration::days(1), now() + Duration::days(30))
        .sign(Some(&m.root.1), &m.root.0)
        .unwrap();
    let signed =
        xmldsig::sign_enveloped(xml.as_bytes(), &k, &cert, &SignOptions::default()).unwrap();
    assert_eq!(kind(read(&signed, &m)), ErrorKind::KeyUsageNotAllowed);
    // A certificate that is not the key's is refused when signing.
    let e = xmldsig::sign_enveloped(xml.as_bytes(), &k, &m.signer.1, &SignOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
    // A list already signed is not signed again.
    let e = xmldsig::sign_enveloped(
        &m.sign(&xml),
        &m.signer.0,
        &m.signer.1,
        &SignOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[test]
fn the_signers_revocation_is_checked_against_the_ministrys_crls() {
    let m = ministry();
    let list = m.read(&list_xml().0);
    let sig = list.signature().unwrap();
    let crl = |issuer: &(SoftwareKey, bankkey::pki::Certificate),
               revoked: Option<OffsetDateTime>,
               this: OffsetDateTime,
               next: OffsetDateTime| {
        let mut b = CrlBuilder::new(this, next, 7);
        if let Some(at) = revoked {
            b = b.revoke(
                m.signer.1.serial(),
                at,
                Some(RevocationReason::KeyCompromise),
            );
        }
        Crl::from_der(&b.sign(&issuer.1, &issuer.0).unwrap()).unwrap()
    };
    let fresh = |revoked| {
        crl(
            &m.root,
            revoked,
            now() - Duration::hours(1),
            now() + Duration::days(7),
        )
    };
    // A fresh CRL of the root that does not list the signer: the CRL relied on is returned.
    let good = fresh(None);
    let older = crl(
        &m.root,
        None,
        now() - Duration::days(3),
        now() + Duration::days(4),
    );
    let crls = [older.clone(), good.clone()];
    assert_eq!(sig.check_revocation(&crls, now()).unwrap(), [&good]);
    // Revoked before `at`: Revoked; revoked after it: not yet.
    let revoked = fresh(Some(now() - Duration::minutes(30)));
    let e = sig
        .check_revocation(std::slice::from_ref(&revoked), now())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Revoked, "{e}");
    assert!(e.message().contains("list's signing path"), "{e}");
    // A fresh CRL that lists it wins over one that does not.
    let e = sig
        .check_revocation(&[good.clone(), revoked.clone()], now())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Revoked, "{e}");
    let later = fresh(Some(now() + Duration::minutes(30)));
    sig.check_revocation(std::slice::from_ref(&later), now())
        .unwrap();
    // No CRL, a stale one, one signed by another CA, one whose signature was altered: the
    // check cannot be made.
    let other = ca_from("Другой УЦ", now() - Duration::days(10));
    let mut altered = good.der().to_vec();
    let n = altered.len();
    altered[n - 5] ^= 1;
    let altered = Crl::from_der(&altered).unwrap();
    for crls in [
        vec![],
        vec![crl(
            &m.root,
            None,
            now() - Duration::days(10),
            now() - Duration::days(3),
        )],
        vec![crl(
            &other,
            None,
            now() - Duration::hours(1),
            now() + Duration::days(7),
        )],
        vec![altered],
    ] {
        let e = sig.check_revocation(&crls, now()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::VerificationUnavailable, "{e}");
    }
    // The signing certificate pinned itself: nothing below the anchor to look up.
    let pinned = TrustedList::from_signed_xml(
        &m.sign(&list_xml().0),
        std::slice::from_ref(&m.signer.1),
        now(),
    )
    .unwrap();
    assert!(
        pinned
            .signature()
            .unwrap()
            .check_revocation(&[], now())
            .unwrap()
            .is_empty()
    );
}

/// A signature made "by hand" in the test: `SignedInfo` with one reference to `uri` whose
/// digest covers `covered` (canonicalised on its own), signed with the Ministry's key, put as
/// the last child of the root of `doc`.
fn hand_signed(m: &Ministry, doc: &str, uri: &str, covered: &str) -> String {
    let digest = Streebog::<32>::digest(canonicalize(covered.as_bytes(), &Method::c14n()).unwrap());
    let ns = xmldsig::NS;
    let signed_info = format!(
        "<SignedInfo xmlns=\"{ns}\"><CanonicalizationMethod Algorithm=\"{}\"></CanonicalizationMethod>\
         <SignatureMethod Algorithm=\"{}\"></SignatureMethod><Reference URI=\"{uri}\"><Transforms>\
         <Transform Algorithm=\"{}\"></Transform></Transforms><DigestMethod Algorithm=\"{}\">\
         </DigestMethod><DigestValue>{}</DigestValue></Reference></SignedInfo>",
        Method::c14n().uri(),
        xmldsig::GOSTR34102012_256,
        xmldsig::ENVELOPED_SIGNATURE,
        xmldsig::GOSTR34112012_256,
        base64ct::Base64::encode_string(&digest)
    );
    let value = m
        .signer
        .0
        .sign(&canonicalize(signed_info.as_bytes(), &Method::c14n()).unwrap())
        .unwrap();
    let signature = format!(
        "<Signature xmlns=\"{ns}\">{}<SignatureValue>{}</SignatureValue><KeyInfo><X509Data>\
         <X509Certificate>{}</X509Certificate></X509Data></KeyInfo></Signature>",
        signed_info.replacen(&format!(" xmlns=\"{ns}\""), "", 1),
        base64ct::Base64::encode_string(&value),
        base64ct::Base64::encode_string(m.signer.1.der())
    );
    let end = doc.rfind("</").unwrap();
    format!("{}{signature}{}", &doc[..end], &doc[end..])
}

#[test]
fn signature_wrapping_is_refused() {
    let m = ministry();
    let (xml, ca) = list_xml();
    // The test's own signer agrees with the library's: a reference to the root by its Id.
    let with_id = xml.replacen(
        "<АккредитованныеУдостоверяющиеЦентры>",
        "<АккредитованныеУдостоверяющиеЦентры Id=\"tsl\">",
        1,
    );
    let body = with_id[with_id
        .find("<АккредитованныеУдостоверяющиеЦентры")
        .unwrap()..]
        .to_string();
    let good = hand_signed(&m, &with_id, "#tsl", &body);
    let list = read(good.as_bytes(), &m).unwrap();
    assert_eq!(list.signature().unwrap().verified.reference_uri, "#tsl");

    // 1. A valid signature over one CA only: the rest of the list could be anything.
    let one = xml.replacen(
        "<УдостоверяющийЦентр>\n    <ПрограммноАппаратныеКомплексы>",
        "<УдостоверяющийЦентр Id=\"ca\">\n    <ПрограммноАппаратныеКомплексы>",
        1,
    );
    let start = one.find("<УдостоверяющийЦентр Id=\"ca\">").unwrap();
    let end = one[start..].find("</УдостоверяющийЦентр>").unwrap()
        + start
        + "</УдостоверяющийЦентр>".len();
    let partial = hand_signed(&m, &one, "#ca", &one[start..end]);
    let e = read(partial.as_bytes(), &m).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{e}");
    assert!(e.message().contains("not the root element"), "{e}");

    // 2. A second element with the root's Id (which one did the signer mean?).
    let twice = good.replacen("<Версия>", "<Копия Id=\"tsl\"/><Версия>", 1);
    let e = read(twice.as_bytes(), &m).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::MalformedEncoding | ErrorKind::ContentAltered
        ),
        "{e}"
    );

    // 3. A second Signature, anywhere.
    let signed = String::from_utf8(m.sign(&xml)).unwrap();
    let sig =
        &signed[signed.find("<Signature").unwrap()..signed.find("</Signature>").unwrap() + 12];
    let second = signed.replacen("<Версия>", &format!("{sig}<Версия>"), 1);
    let e = read(second.as_bytes(), &m).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{e}");
    assert!(e.message().contains("second Signature"), "{e}");

    // 4. The signature moved inside a CA: not a signature of the document.
    let moved = signed.replacen(sig, "", 1).replacen(
        "<КраткоеНазвание>",
        &format!("{sig}<КраткоеНазвание>"),
        1,
    );
    let e = read(moved.as_bytes(), &m).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{e}");

    // 5. Data hidden inside the Signature (its Object is not covered by the digest): the
    //    signature still verifies, and the hidden CA is not read.
    let forged = accredited_ca("Поддельный УЦ");
    let hidden_list = tsl(
        99,
        now(),
        &forged.1,
        &[("Действует", now() - Duration::days(900))],
    );
    let hidden_body = &hidden_list[hidden_list
        .find("<АккредитованныеУдостоверяющиеЦентры>")
        .unwrap()..];
    let hidden = signed.replacen(
        "</Signature>",
        &format!("<Object>{hidden_body}</Object></Signature>"),
        1,
    );
    let list = read(hidden.as_bytes(), &m).unwrap();
    assert_eq!(list.version, 41);
    assert_eq!(list.cas.len(), 2);
    assert!(list.find_key(forged.1.subject_key_id().unwrap()).is_none());
    assert!(list.find_key(ca.1.subject_key_id().unwrap()).is_some());
    let plain = TrustedList::from_xml(hidden.as_bytes()).unwrap();
    assert_eq!((plain.version, plain.cas.len()), (41, 2));

    // 6. References and transforms outside the profile.
    for (what, changed, want) in [
        (
            "an XPointer reference",
            signed.replacen("URI=\"\"", "URI=\"#xpointer(/)\"", 1),
            ErrorKind::UnsupportedAlgorithm,
        ),
        (
            "an external reference",
            signed.replacen("URI=\"\"", "URI=\"http://example.ru/list.xml\"", 1),
            ErrorKind::UnsupportedAlgorithm,
        ),
        (
            "no enveloped-signature transform",
            signed.replacen(
                xmldsig::ENVELOPED_SIGNATURE,
                "http://www.w3.org/TR/1999/REC-xpath-19991116",
                1,
            ),
            ErrorKind::UnsupportedAlgorithm,
        ),
        (
            "RSA",
            signed.replacen(
                xmldsig::GOSTR34102012_256,
                "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                1,
            ),
            ErrorKind::UnsupportedAlgorithm,
        ),
        (
            "SHA-256",
            signed.replacen(
                xmldsig::GOSTR34112012_256,
                "http://www.w3.org/2001/04/xmlenc#sha256",
                1,
            ),
            ErrorKind::UnsupportedAlgorithm,
        ),
        (
            "two references",
            signed.replacen(
                "</SignedInfo>",
                &format!(
                    "{}</SignedInfo>",
                    &signed[signed.find("<Reference").unwrap()
                        ..signed.find("</Reference>").unwrap() + 12]
                ),
                1,
            ),
            ErrorKind::MalformedEncoding,
        ),
    ] {
        let e = read(changed.as_bytes(), &m).unwrap_err();
        assert_eq!(e.kind(), want, "{what}: {e}");
    }
}

#[test]
fn hostile_xml_is_refused_before_anything_expands() {
    let m = ministry();
    let (xml, _) = list_xml();
    let signed = String::from_utf8(m.sign(&xml)).unwrap();
    let laughs = signed.replacen(
        "<АккредитованныеУдостоверяющиеЦентры>",
        "<!DOCTYPE a [<!ENTITY l \"lol\"><!ENTITY l2 \"&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;\">]>\
         <АккредитованныеУдостоверяющиеЦентры>",
        1,
    );
    for doc in [laughs.as_str(), &signed.replacen("Тестовый УЦ", "&l2;", 1)] {
        let e = read(doc.as_bytes(), &m).unwrap_err();
        assert!(
            matches!(
                e.kind(),
                ErrorKind::UnsupportedAlgorithm | ErrorKind::MalformedEncoding
            ),
            "{e}"
        );
        assert!(TrustedList::from_xml(doc.as_bytes()).is_err());
    }
    let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    assert_eq!(
        kind(read(deep.as_bytes(), &m)),
        ErrorKind::MalformedEncoding
    );
    let cp1251 = signed.replacen("encoding=\"utf-8\"", "encoding=\"windows-1251\"", 1);
    assert_eq!(
        kind(read(cp1251.as_bytes(), &m)),
        ErrorKind::UnsupportedAlgorithm
    );
}

#[test]
fn the_qes_check_wants_a_verified_list() {
    let ca = accredited_ca("Тестовый аккредитованный УЦ");
    let good = qualified(&ca, &ivanov(), 30);
    let crls = [fresh_crl(&ca)];
    let xml = tsl(
        41,
        now() - Duration::days(1),
        &ca.1,
        &[("Действует", now() - Duration::days(900))],
    );
    let unverified = TrustedList::from_xml(xml.as_bytes()).unwrap();
    let e = check_qualified(&good, Some(&unverified), &crls, now()).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::PreconditionFailed, Some("list"))
    );
    // The host that authenticated the list otherwise says so.
    let trusting = QesPolicy {
        trust_unsigned_list: true,
        ..QesPolicy::default()
    };
    check_qualified_with(&good, Some(&unverified), &crls, now(), &trusting).unwrap();
    // A verified list passes, and the bank's registration uses the same rule.
    let verified = ministry().read(&xml);
    check_qualified(&good, Some(&verified), &crls, now()).unwrap();
    let mut bank = bank(&make_ca("Банк"));
    let e = bank
        .register_qes(&good, Some(&unverified), &crls, now())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PreconditionFailed);
    bank.register_qes(&good, Some(&verified), &crls, now())
        .unwrap();
    let mut bank = bank.with_qes_policy(trusting);
    bank.register_qes(&good, Some(&unverified), &crls, now())
        .unwrap();
    // No list at all stays "verification unavailable".
    assert_eq!(
        check_qualified(&good, None, &crls, now())
            .unwrap_err()
            .kind(),
        ErrorKind::VerificationUnavailable
    );
}

#[test]
fn the_older_etsi_list_is_recognised_and_refused() {
    // tests/realworld/tsl: «Список доверенных удостоверяющих центров ОГИЦ», ETSI TS 102 231
    // v1.2.1, sequence 56 of 2011-09-14: no certificate, status or signature in it.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/realworld/tsl/and-rom_tsl_manager_TSL.xml"
    );
    let bytes = std::fs::read(path).unwrap();
    let m = ministry();
    for e in [
        TrustedList::from_xml(&bytes).unwrap_err(),
        TrustedList::load(path).unwrap_err(),
        TrustedList::from_signed_xml(&bytes, &m.anchors(), now()).unwrap_err(),
        TrustedList::load_signed(path, &m.anchors(), now()).unwrap_err(),
    ] {
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::UnsupportedAlgorithm, Some("root")),
            "{e}"
        );
        for part in [
            "ETSI TS 102 231",
            "sequence 56",
            "2011-09-14T12:00:00",
            "ОГИЦ",
        ] {
            assert!(e.message().contains(part), "{part}: {e}");
        }
    }
    // Its canonical form is libxml2's (checked by the interop test); it carries no signature.
    assert!(
        xmldsig::verify_enveloped(&bytes, &[])
            .unwrap_err()
            .message()
            .contains("not signed")
    );
}
