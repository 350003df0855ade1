//! Requests and certificates built by bankkey: read back, verified by us, by OpenSSL
//! (`openssl req -verify`, `openssl verify`, with the gost engine) and read by GnuTLS certtool;
//! the report's verdicts for bad identifiers and unknown critical extensions.

mod common;

use std::path::Path;
use std::process::Command;

use bankkey::ErrorKind;
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::oid;
use bankkey::pki::{
    Certificate, CertificateBuilder, CertificateRequest, CrlBuilder, Extension, ExtensionValue,
    IdentificationKind, IssuerSignTool, KeyUsageBit, RequestBuilder, RevocationReason,
    SignToolClass, build_chain, pem,
};
use bankkey::report::{self, Options, Reason};
use bankkey::subject::{AttributeType as A, Subject};
use time::{Duration, OffsetDateTime};

fn algorithms() -> Vec<KeyAlgorithm> {
    let mut v: Vec<KeyAlgorithm> = bankkey::gost::ParamSet::ALL
        .into_iter()
        .map(KeyAlgorithm::Gost)
        .collect();
    v.extend([KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa { bits: 2048 }]);
    v
}

fn legal_entity() -> Subject {
    Subject::new()
        .with(A::CommonName, "ООО «Ромашка»")
        .with(A::Surname, "Иванов")
        .with(A::GivenName, "Иван Иванович")
        .with(A::Title, "Генеральный директор")
        .with(A::Organization, "ООО «Ромашка»")
        .with(A::Locality, "г. Москва")
        .with(A::State, "77 г. Москва")
        .with(A::Country, "RU")
        .with(A::Street, "ул. Тверская, д. 1")
        .with(A::Email, "ivanov@example.ru")
        .with(A::InnLe, "7707083893")
        .with(A::Ogrn, "1027700132195")
        .with(A::Snils, "11223344595")
        .with(A::Inn, "500100732259")
}

fn ca_subject(name: &str) -> Subject {
    Subject::new()
        .with(A::CommonName, name)
        .with(A::Organization, "bankkey tests")
        .with(A::Country, "RU")
}

fn issuer_tool() -> IssuerSignTool {
    IssuerSignTool {
        sign_tool: "ПАК «Тестовый УЦ»".into(),
        ca_tool: "ПАК «Тестовый УЦ» версии 1.0".into(),
        sign_tool_cert: "Сертификат соответствия № 1".into(),
        ca_tool_cert: "Сертификат соответствия № 2".into(),
    }
}

fn full_request(subject: Subject, key: &dyn Signer) -> CertificateRequest {
    let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
    RequestBuilder::new(subject)
        .key_usage(&[
            KeyUsageBit::DigitalSignature,
            KeyUsageBit::NonRepudiation,
            KeyUsageBit::KeyEncipherment,
        ])
        .extended_key_usage(&[oid::KP_CLIENT_AUTH, oid::KP_EMAIL_PROTECTION])
        .sign_tool_class(SignToolClass::Kc1)
        .sign_tool_class(SignToolClass::Kc2)
        .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
        .identification_kind(IdentificationKind::InPerson)
        .private_key_usage_period(Some(t), Some(t + Duration::days(455)))
        .extension(
            Extension::raw(
                const_oid::ObjectIdentifier::new_unwrap("1.2.643.100.999"),
                false,
                vec![0x0C, 0x02, b'o', b'k'],
            )
            .unwrap(),
        )
        .build(key)
        .unwrap()
}

/// A CA key and its self-signed certificate.
fn make_ca(alg: KeyAlgorithm, name: &str) -> (SoftwareKey, Certificate) {
    let key = SoftwareKey::generate(alg).unwrap();
    let now = OffsetDateTime::now_utc();
    let cert = CertificateBuilder::new(&ca_subject(name), &key.public_key())
        .unwrap()
        .serial(&[1])
        .validity(now - Duration::days(1), now + Duration::days(3650))
        .ca(Some(0))
        .sign(None, &key)
        .unwrap();
    (key, cert)
}

fn issue(req: &CertificateRequest, ca: &Certificate, ca_key: &dyn Signer) -> Certificate {
    let now = OffsetDateTime::now_utc();
    CertificateBuilder::from_request(req)
        .unwrap()
        .validity(now - Duration::hours(1), now + Duration::days(365))
        .issuer_sign_tool(issuer_tool())
        .sign(Some(ca), ca_key)
        .unwrap()
}

/// Runs a tool; `None` (with a message) when it is missing and oracles are not required.
fn run(tool: &str, args: &[&str]) -> Option<(bool, String)> {
    let mut cmd = Command::new(tool);
    cmd.args(args);
    match cmd.output() {
        Ok(o) => Some((
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )),
        Err(e) => {
            assert!(!common::oracles_required(), "{tool} is required: {e}");
            eprintln!("skipping the {tool} check: {e}");
            None
        }
    }
}

fn openssl(args: &[&str], gost: bool) -> Option<(bool, String)> {
    let mut a: Vec<&str> = vec![args[0]];
    if gost {
        a.extend(["-engine", "gost"]);
    }
    a.extend(&args[1..]);
    run("openssl", &a)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn requests_and_certificates_for_every_algorithm_interoperate() {
    let dir = std::env::temp_dir().join(format!("bankkey-pki-build-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for alg in algorithms() {
        let gost = matches!(alg, KeyAlgorithm::Gost(_));
        let tag = alg.name().replace(' ', "_");
        let key = SoftwareKey::generate(alg).unwrap();
        let req = full_request(legal_entity(), &key);

        // Read back: every requested extension, typed.
        let again = CertificateRequest::from_pem(req.to_pem().as_bytes()).unwrap();
        again.verify().unwrap();
        assert!(again.public_key().unwrap() == key.public_key(), "{tag}");
        let ext = again.extensions();
        assert_eq!(
            ext.key_usage().unwrap(),
            &[
                KeyUsageBit::DigitalSignature,
                KeyUsageBit::NonRepudiation,
                KeyUsageBit::KeyEncipherment
            ]
        );
        assert_eq!(
            ext.sign_tool_classes(),
            vec![SignToolClass::Kc1, SignToolClass::Kc2]
        );
        assert_eq!(
            ext.subject_sign_tool(),
            Some("СКЗИ «КриптоПро CSP» (версия 5.0)")
        );
        assert_eq!(
            ext.identification_kind(),
            Some(IdentificationKind::InPerson)
        );
        assert!(ext.private_key_usage_period().is_some());
        assert_eq!(ext.iter().count(), 7);
        assert_eq!(again.subject(), &legal_entity(), "{tag}");
        let r = report::request(&again);
        assert!(r.is_valid(), "{tag}: {}", r.to_json());

        // OpenSSL verifies the request (its exit code is 0 either way: read the message).
        let req_path = write(&dir, &format!("{tag}.req.pem"), &req.to_pem());
        if let Some((_, out)) = openssl(&["req", "-in", &req_path, "-verify", "-noout"], gost) {
            assert!(
                out.contains("verify OK"),
                "{tag}: openssl req -verify: {out}"
            );
            assert!(!out.contains("failure"), "{tag}: {out}");
        }

        // A CA of the same algorithm issues the certificate; we and OpenSSL verify it.
        let (ca_key, ca) = make_ca(alg, &format!("Тестовый УЦ {tag}"));
        let cert = issue(&req, &ca, &ca_key);
        cert.verify_issued_by(&ca).unwrap();
        assert!(cert.holds_key(&key.public_key()));
        assert!(cert.is_qualified(), "{tag}: {:?}", cert.qualification());
        assert_eq!(cert.subject_der(), req.subject_der());
        assert_eq!(cert.subject_key_id(), Some(&key.public_key().key_id()[..]));
        assert_eq!(cert.authority_key_id(), ca.subject_key_id());
        assert_eq!(cert.issuer_sign_tool(), Some(&issuer_tool()));
        build_chain(
            &cert,
            &[],
            std::slice::from_ref(&ca),
            OffsetDateTime::now_utc(),
        )
        .unwrap();
        let ca_path = write(&dir, &format!("{tag}.ca.pem"), &ca.to_pem());
        let cert_path = write(&dir, &format!("{tag}.cert.pem"), &cert.to_pem());
        if let Some((ok, out)) = openssl(&["verify", "-CAfile", &ca_path, &cert_path], gost) {
            assert!(ok && out.contains(": OK"), "{tag}: openssl verify: {out}");
        }
        if let Some((ok, out)) = run("certtool", &["-i", "--infile", &cert_path]) {
            assert!(ok, "{tag}: certtool -i: {out}");
            assert!(
                out.contains("Issuer Signing Tool") && out.contains("KC1"),
                "{tag}: {out}"
            );
        }
        if let Some((ok, out)) = run("certtool", &["--crq-info", "--infile", &req_path]) {
            assert!(ok, "{tag}: certtool --crq-info: {out}");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_builder_refuses_what_it_must() {
    let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    // A bad check digit names the field.
    let bad = legal_entity();
    let mut s = Subject::new();
    for a in bad.attributes() {
        let v = if a.kind == A::InnLe {
            "7707083894".to_owned()
        } else {
            a.value.clone()
        };
        s.push(a.kind.clone(), v);
    }
    let e = RequestBuilder::new(s).build(&key).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.field(), Some("INNLE"));
    // A mandatory attribute missing.
    let e = RequestBuilder::new(
        Subject::new()
            .with(A::CommonName, "x")
            .with(A::Ogrn, "1027700132195"),
    )
    .build(&key)
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    // The same extension twice.
    let e = RequestBuilder::new(legal_entity())
        .key_usage(&[KeyUsageBit::DigitalSignature])
        .extension(
            Extension::new(
                ExtensionValue::KeyUsage(vec![KeyUsageBit::KeyAgreement]),
                true,
            )
            .unwrap(),
        )
        .build(&key)
        .unwrap_err();
    assert_eq!(e.field(), Some("keyUsage"));
    // An empty subjectSignTool.
    let e = RequestBuilder::new(legal_entity())
        .subject_sign_tool("")
        .build(&key)
        .unwrap_err();
    assert_eq!(e.field(), Some("subjectSignTool"));
    // A CA certificate signed with a key other than the issuer's.
    let (_, ca) = make_ca(KeyAlgorithm::EcdsaP256, "УЦ");
    let req = full_request(legal_entity(), &key);
    let e = CertificateBuilder::from_request(&req)
        .unwrap()
        .sign(Some(&ca), &key)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
}

/// A certificate with `attr` = `value` in an otherwise valid subject, issued without the
/// request builder's validation (CertificateBuilder::new writes the subject as given).
fn cert_with(attr: A, value: &str) -> (Certificate, Certificate) {
    let (ca_key, ca) = make_ca(KeyAlgorithm::EcdsaP256, "УЦ");
    let mut s = Subject::new();
    for a in legal_entity().attributes() {
        let v = if a.kind == attr {
            value.to_owned()
        } else {
            a.value.clone()
        };
        s.push(a.kind.clone(), v);
    }
    let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let now = OffsetDateTime::now_utc();
    let cert = CertificateBuilder::new(&s, &key.public_key())
        .unwrap()
        .validity(now - Duration::hours(1), now + Duration::days(30))
        .sign(Some(&ca), &ca_key)
        .unwrap();
    (ca, cert)
}

#[test]
fn bad_identifier_checksums_are_the_verdict() {
    for (attr, value, reason) in [
        (A::InnLe, "7707083894", Reason::BadInnChecksum),
        (A::Inn, "500100732258", Reason::BadInnChecksum),
        (A::Snils, "11223344596", Reason::BadSnilsChecksum),
        (A::Ogrn, "1027700132196", Reason::BadOgrnChecksum),
    ] {
        let (ca, cert) = cert_with(attr.clone(), value);
        let options = Options {
            trust: vec![ca],
            ..Default::default()
        };
        let r = report::certificate(&cert, &options);
        assert_eq!(r.reason, Some(reason), "{attr}: {}", r.to_json());
        assert!(!cert.is_qualified() || attr == A::Inn, "{attr}");
        let bad: Vec<_> = r.identifiers.iter().filter(|c| !c.valid).collect();
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].value, value);
    }
    let (ca, cert) = cert_with(A::Snils, "11223344595");
    let r = report::certificate(
        &cert,
        &Options {
            trust: vec![ca],
            ..Default::default()
        },
    );
    assert!(r.is_valid(), "{}", r.to_json());
}

#[test]
fn unknown_critical_extensions_are_rejected() {
    let (ca_key, ca) = make_ca(KeyAlgorithm::EcdsaP256, "УЦ");
    let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let now = OffsetDateTime::now_utc();
    let o = const_oid::ObjectIdentifier::new_unwrap("1.2.3.4.5");
    let cert = CertificateBuilder::new(&legal_entity(), &key.public_key())
        .unwrap()
        .validity(now - Duration::hours(1), now + Duration::days(30))
        .extension(Extension::raw(o, true, vec![0x05, 0x00]).unwrap())
        .sign(Some(&ca), &ca_key)
        .unwrap();
    // The signature is fine; the extension is not understood.
    cert.verify_issued_by(&ca).unwrap();
    let e = build_chain(&cert, &[], std::slice::from_ref(&ca), now).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UntrustedIssuer);
    assert!(e.message().contains("1.2.3.4.5"), "{e}");
    let r = report::certificate(
        &cert,
        &Options {
            trust: vec![ca],
            ..Default::default()
        },
    );
    assert_eq!(r.reason, Some(Reason::Untrusted));
    let r = report::certificate(&cert, &Options::default());
    assert_eq!(r.reason, Some(Reason::Untrusted));
}

#[test]
fn intermediates_path_length_and_validity() {
    let now = OffsetDateTime::now_utc();
    // The root allows one intermediate CA below it (RFC 5280 §4.2.1.9: the leaf is not
    // counted).
    let root_key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let root = CertificateBuilder::new(&ca_subject("Корневой УЦ"), &root_key.public_key())
        .unwrap()
        .validity(now - Duration::days(1), now + Duration::days(3650))
        .ca(Some(1))
        .sign(None, &root_key)
        .unwrap();
    let sub_key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let sub = CertificateBuilder::new(&ca_subject("Подчинённый УЦ"), &sub_key.public_key())
        .unwrap()
        .validity(now - Duration::days(1), now + Duration::days(365))
        .ca(None)
        .sign(Some(&root), &root_key)
        .unwrap();
    let sub2_key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let sub2 = CertificateBuilder::new(&ca_subject("Второй УЦ"), &sub2_key.public_key())
        .unwrap()
        .validity(now - Duration::days(1), now + Duration::days(365))
        .ca(None)
        .sign(Some(&sub), &sub_key)
        .unwrap();
    let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let req = full_request(legal_entity(), &key);
    let leaf = issue(&req, &sub, &sub_key);
    let chain = build_chain(
        &leaf,
        std::slice::from_ref(&sub),
        std::slice::from_ref(&root),
        now,
    )
    .unwrap();
    assert_eq!(chain.certificates().len(), 3);
    // root has pathLen 1: sub2 under sub under root is one intermediate too many.
    let leaf2 = issue(&req, &sub2, &sub2_key);
    let e = build_chain(
        &leaf2,
        &[sub.clone(), sub2.clone()],
        std::slice::from_ref(&root),
        now,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UntrustedIssuer, "{e}");
    // Expired intermediate.
    let later = now + Duration::days(400);
    let e = build_chain(
        &leaf,
        std::slice::from_ref(&sub),
        std::slice::from_ref(&root),
        later,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired);
    // A leaf cannot issue.
    let e = leaf2.verify_issued_by(&leaf).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongIssuer);
}

#[test]
fn utc_time_and_generalized_time_both_read_back() {
    let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let nb = OffsetDateTime::from_unix_timestamp(1_764_460_800).unwrap(); // 2025-11-30, UTCTime
    let na = OffsetDateTime::from_unix_timestamp(2_711_145_600).unwrap(); // 2055-11-30, GeneralizedTime
    let cert = CertificateBuilder::new(&ca_subject("Долгий УЦ"), &key.public_key())
        .unwrap()
        .validity(nb, na)
        .ca(None)
        .sign(None, &key)
        .unwrap();
    assert_eq!(cert.not_before(), nb);
    assert_eq!(cert.not_after(), na);
    // UTCTime is tag 0x17 "251130000000Z", GeneralizedTime tag 0x18 "20551130000000Z".
    let der = cert.to_der();
    assert!(der.windows(15).any(|w| w == b"\x17\x0d251130000000Z"));
    assert!(der.windows(17).any(|w| w == b"\x18\x0f20551130000000Z"));
    let at = OffsetDateTime::from_unix_timestamp(2_600_000_000).unwrap(); // 2052
    build_chain(&cert, &[], std::slice::from_ref(&cert), at).unwrap();
    assert_eq!(cert.days_to_expiry(na - Duration::days(10)), 10);
}

/// Our CRLs, for every algorithm: `openssl verify -crl_check` checks a certificate against
/// them (the CRL's signature verified with the CA's key: revoked, or OK when another serial is
/// listed), and `openssl crl -text` reads the serials, reasons, cRLNumber and AKI.
#[test]
fn openssl_reads_and_verifies_our_crls() {
    let dir = std::env::temp_dir().join(format!("bankkey-pki-crl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for alg in algorithms() {
        let gost = matches!(alg, KeyAlgorithm::Gost(_));
        let tag = alg.name().replace(' ', "_");
        let (ca_key, ca) = make_ca(alg, "УЦ списков отзыва");
        let key = SoftwareKey::generate(alg).unwrap();
        let leaf = issue(&full_request(legal_entity(), &key), &ca, &ca_key);
        let now = OffsetDateTime::now_utc();
        let crl_listing = |serial: &[u8]| {
            let der = CrlBuilder::new(now - Duration::minutes(5), now + Duration::days(7), 7)
                .revoke(
                    serial,
                    now - Duration::minutes(2),
                    Some(RevocationReason::KeyCompromise),
                )
                .revoke(&[0x7f], now - Duration::minutes(1), None)
                .sign(&ca, &ca_key)
                .unwrap();
            pem::encode("X509 CRL", &der)
        };
        let ca_path = write(&dir, &format!("{tag}.ca.pem"), &ca.to_pem());
        let leaf_path = write(&dir, &format!("{tag}.leaf.pem"), &leaf.to_pem());
        let revoked = write(
            &dir,
            &format!("{tag}.revoked.crl"),
            &crl_listing(leaf.serial()),
        );
        let other = write(
            &dir,
            &format!("{tag}.other.crl"),
            &crl_listing(&[0x12, 0x34, 0x56]),
        );
        let verify = |crl: &str| {
            openssl(
                &[
                    "verify",
                    "-crl_check",
                    "-CAfile",
                    &ca_path,
                    "-CRLfile",
                    crl,
                    &leaf_path,
                ],
                gost,
            )
        };
        if let Some((ok, out)) = verify(&revoked) {
            assert!(!ok && out.contains("certificate revoked"), "{tag}: {out}");
        }
        if let Some((ok, out)) = verify(&other) {
            assert!(ok && out.contains(": OK"), "{tag}: {out}");
        }
        if let Some((ok, out)) = openssl(&["crl", "-in", &other, "-noout", "-text"], false) {
            assert!(ok, "{tag}: {out}");
            assert!(out.contains("Serial Number: 123456"), "{tag}: {out}");
            assert!(out.contains("Serial Number: 7F"), "{tag}: {out}");
            assert!(out.contains("Key Compromise"), "{tag}: {out}");
            assert!(out.contains("X509v3 CRL Number"), "{tag}: {out}");
            let aki = hex::encode_upper(ca.subject_key_id().unwrap());
            assert!(
                out.replace(':', "").contains(&aki),
                "{tag}: no AKI {aki}: {out}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
