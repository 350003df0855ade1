//! The token diagnosis (`store::pkcs11::diagnosis`) on Debian's SoftHSM2: each usual fault made
//! for real on a fresh token and found, and a diagnosis that never spends the final PIN try.
//!
//! Needs `eval "$(bash scripts/hsm.sh)"`; skips with a message otherwise, fails under
//! REQUIRE_HSM=1. Tests are serialised by one lock.

mod common;

use std::path::PathBuf;

use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::pki::{
    CertificateBuilder, IdentificationKind, IssuerSignTool, RequestBuilder, SignToolClass,
};
use bankkey::store::KeyStore;
use bankkey::store::pkcs11::diagnosis::{FindingKind, Severity, diagnose};
use bankkey::store::pkcs11::{LoginOptions, Pkcs11Module};
use bankkey::subject::{AttributeType as A, Subject};
use common::hsm::*;
use time::{Duration, OffsetDateTime};

fn softhsm() -> Option<PathBuf> {
    softhsm_module(
        "BANKKEY_SOFTHSM_MODULE",
        "SoftHSM2 not set up: run `eval \"$(bash scripts/hsm.sh)\"` first",
    )
}

fn kinds(d: &bankkey::store::pkcs11::diagnosis::TokenDiagnosis) -> Vec<FindingKind> {
    d.findings.iter().map(|f| f.kind).collect()
}

fn person() -> Subject {
    Subject::new()
        .with(A::CommonName, "Иванов Иван Иванович")
        .with(A::Surname, "Иванов")
        .with(A::GivenName, "Иван Иванович")
        .with(A::Country, "RU")
        .with(A::Inn, "500100732259")
        .with(A::Snils, "11223344595")
}

#[test]
fn every_usual_fault_is_found() {
    let Some(path) = softhsm() else { return };
    let _guard = lock();
    let module = Pkcs11Module::load(&path).unwrap();
    let label = unique("diag");
    let token = fresh_token(&module, &label, USER_PIN);
    let now = OffsetDateTime::now_utc();
    let of_ours = |d: &bankkey::store::pkcs11::diagnosis::Diagnosis| {
        d.tokens
            .iter()
            .find(|t| t.info.label == label)
            .cloned()
            .expect("our token is diagnosed")
    };

    // Empty, PIN right.
    let d = of_ours(&diagnose(&module, Some(&pin(USER_PIN)), now, 30).unwrap());
    assert!(
        kinds(&d).contains(&FindingKind::PinCorrect),
        "{:?}",
        kinds(&d)
    );
    assert!(kinds(&d).contains(&FindingKind::Empty));
    assert!(!token.is_logged_in(), "the diagnosis logs out again");

    // A key without a certificate, then two qualified keys due for replacement.
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    let ca_key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let ca = CertificateBuilder::new(
        &Subject::new().with(A::CommonName, "diagnosis CA"),
        &ca_key.public_key(),
    )
    .unwrap()
    .validity(now - Duration::days(1), now + Duration::days(400))
    .ca(None)
    .sign(None, &ca_key)
    .unwrap();
    let mut ids = Vec::new();
    for name in ["first", "second"] {
        let set = token.generate(KeyAlgorithm::EcdsaP256, name).unwrap();
        ids.push(set.id.clone());
        let signer = token.signer(&set.id).unwrap();
        let req = RequestBuilder::new(person())
            .sign_tool_class(SignToolClass::Kc1)
            .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
            .identification_kind(IdentificationKind::InPerson)
            .build(&signer)
            .unwrap();
        let cert = CertificateBuilder::from_request(&req)
            .unwrap()
            .validity(now - Duration::days(1), now + Duration::days(20))
            .issuer_sign_tool(IssuerSignTool {
                sign_tool: "ПАК".into(),
                ca_tool: "ПАК".into(),
                sign_tool_cert: "СФ/1".into(),
                ca_tool_cert: "СФ/2".into(),
            })
            .sign(Some(&ca), &ca_key)
            .unwrap();
        assert!(cert.is_qualified(), "{:?}", cert.qualification());
        KeyStore::install_certificate(&token, cert.der(), Some(&set.id)).unwrap();
    }
    let lone = token.generate(KeyAlgorithm::EcdsaP256, "lone").unwrap();
    token.logout().unwrap();
    let d = of_ours(&diagnose(&module, Some(&pin(USER_PIN)), now, 30).unwrap());
    let k = kinds(&d);
    assert!(k.contains(&FindingKind::SeveralQualifiedKeys), "{k:?}");
    assert_eq!(
        k.iter()
            .filter(|x| **x == FindingKind::ReplacementDue)
            .count(),
        2
    );
    let lone_finding = d
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::KeyWithoutCertificate)
        .expect("the lone key is found");
    assert_eq!(lone_finding.key_id.as_deref(), Some(lone.id.as_slice()));
    // Worst first.
    assert_eq!(d.findings[0].kind.severity(), Severity::Warning);

    // Without a PIN: private keys are not looked at, and no certificate is called keyless.
    let d = of_ours(&diagnose(&module, None, now, 30).unwrap());
    let k = kinds(&d);
    assert!(k.contains(&FindingKind::NotLoggedIn));
    assert!(!k.contains(&FindingKind::CertificateWithoutKey), "{k:?}");

    // Later: both certificates expired. Then a wrong PIN.
    let later = now + Duration::days(25);
    let d = of_ours(&diagnose(&module, Some(&pin(USER_PIN)), later, 30).unwrap());
    let k = kinds(&d);
    assert_eq!(
        k.iter()
            .filter(|x| **x == FindingKind::CertificateExpired)
            .count(),
        2,
        "{k:?}"
    );
    assert_eq!(d.findings[0].kind.severity(), Severity::Error);
    let d = of_ours(&diagnose(&module, Some(&pin("00000000")), now, 30).unwrap());
    assert!(kinds(&d).contains(&FindingKind::PinIncorrect));
    assert!(!d.logged_in && d.key_sets.iter().all(|s| !s.has_private_key));
}

/// PKCS#11 logins belong to the application: a diagnosis while this process holds the login
/// through another handle neither claims the PIN checked nor ends that login.
#[test]
fn a_login_held_elsewhere_in_the_process_is_shared_not_ended() {
    let Some(path) = softhsm() else { return };
    let _guard = lock();
    let module = Pkcs11Module::load(&path).unwrap();
    let label = unique("diag-shared");
    let token = fresh_token(&module, &label, USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    assert!(!token.login_is_shared());
    let set = token.generate(KeyAlgorithm::EcdsaP256, "held").unwrap();
    let now = OffsetDateTime::now_utc();

    // A wrong PIN is not checked while the login is held: no "pin correct" claimed.
    let d = diagnose(&module, Some(&pin("00000000")), now, 30).unwrap();
    let d = d.tokens.iter().find(|t| t.info.label == label).unwrap();
    assert!(
        d.logged_in,
        "the held login lets the diagnosis see private keys"
    );
    assert!(
        !kinds(d).contains(&FindingKind::PinCorrect),
        "{:?}",
        kinds(d)
    );
    assert!(
        !kinds(d).contains(&FindingKind::PinIncorrect),
        "{:?}",
        kinds(d)
    );
    assert!(
        d.key_sets
            .iter()
            .any(|s| s.id == set.id && s.has_private_key)
    );

    // The first handle is still logged in and signs.
    assert!(token.is_logged_in());
    let signer = token.signer(&set.id).unwrap();
    bankkey::key::Signer::sign(&signer, b"still logged in").unwrap();

    // A second handle shares the login; letting it go leaves the first one's in place.
    let second = module
        .open_token(&bankkey::store::pkcs11::TokenSelector::Label(label.clone()))
        .unwrap();
    second
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    assert!(second.login_is_shared());
    second.logout().unwrap();
    drop(second);
    bankkey::key::Signer::sign(&signer, b"still logged in").unwrap();
    token.logout().unwrap();
}

#[test]
fn the_vocabulary_is_complete() {
    for k in FindingKind::ALL {
        assert_eq!(FindingKind::from_code(k.code()), Some(k));
        assert_eq!(FindingKind::parse(k.as_str()).unwrap(), k);
        assert!(!k.ru().is_empty() && !k.en().is_empty());
    }
}
