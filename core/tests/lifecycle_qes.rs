//! QES registration, client side (seed 004), on a real file container and SQLite journal: a
//! qualified certificate issued elsewhere for a key already on the medium is registered
//! («Электронная подпись не подтверждена»), the confirmation statement is signed by the owner
//! and the head of the organisation, the bank confirms.

mod lifecycle_common;

use std::path::Path;

use bankkey::ErrorKind;
use bankkey::cms::{SignedData, VerifyOptions};
use bankkey::documents::{DocumentDetails, Person, QesStatement};
use bankkey::key::SoftwareKey;
use bankkey::lifecycle::{Client, EventKind, QesStatus, SqliteJournal};
use lifecycle_common::*;
use time::Duration;

fn open(dir: &Path) -> Client {
    let store = reopen_container(&dir.join("container"));
    let journal = SqliteJournal::open(dir.join("journal.sqlite")).unwrap();
    Client::open_at(Box::new(store), Box::new(journal), t0()).unwrap()
}

#[test]
fn a_qualified_signature_is_registered_confirmed_by_two_signers_and_journalled() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let accredited = TestCa::new();
    let store = container(&dir.join("container"));
    let qes_cert = qualified(&store, &accredited);
    drop(store);
    let mut client = open(dir);

    let r = client.register_qes(&qes_cert.to_der(), t0()).unwrap();
    assert_eq!(r.status(), QesStatus::NotConfirmed);
    assert_eq!(r.status().ru(), "Электронная подпись не подтверждена");
    assert!(r.warnings().is_empty());
    let id = r.id().to_owned();
    // Installed beside its key.
    let set = client
        .store()
        .find_by_certificate(&qes_cert.to_der())
        .unwrap()
        .unwrap();
    assert_eq!(set.certificate.as_deref(), Some(qes_cert.der()));
    assert_eq!(set.id, r.key_id());
    // Registering again changes nothing.
    assert_eq!(client.register_qes(&qes_cert.to_der(), t0()).unwrap(), r);

    // The head of the organisation signs with a key of their own.
    let bank_ca = TestCa::new();
    let head = SoftwareKey::generate(ALG).unwrap();
    let head_cert = bank_ca.issue_for(&subscriber(), &head, t0() - Duration::days(1), 365);
    // The statement as the documents module writes it; its text is what both sign.
    let statement = QesStatement::new(
        &qes_cert,
        &Person::from_subject(qes_cert.subject()).unwrap(),
        Some(&Person::new(
            "Петров Пётр Петрович",
            Some("Генеральный директор"),
        )),
        &DocumentDetails::new("АО «Банк»", t0().date()),
    )
    .unwrap();
    let signed_content = statement.signed_content();
    let content = signed_content.as_slice();
    assert!(String::from_utf8_lossy(content).contains("Заявление"));
    let e = client
        .qes_statement(&id, b"", &head, &head_cert, t0())
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("content"))
    );
    let der = client
        .qes_statement(&id, content, &head, &head_cert, t0())
        .unwrap();
    let sd = SignedData::from_der(&der).unwrap();
    assert_eq!(sd.content(), Some(content));
    let signers = sd
        .verify(&VerifyOptions {
            anchors: vec![accredited.cert.clone(), bank_ca.cert.clone()],
            at: Some(t0()),
            ..VerifyOptions::default()
        })
        .unwrap();
    // Two signers (SignerInfos is a SET: DER order, not signing order).
    let mut serials: Vec<String> = signers.iter().map(|s| s.certificate.serial_hex()).collect();
    serials.sort();
    let mut expected = vec![qes_cert.serial_hex(), head_cert.serial_hex()];
    expected.sort();
    assert_eq!(serials, expected, "the owner and the head both signed");
    // A head's certificate that has expired.
    let old_head = bank_ca.issue_for(&subscriber(), &head, t0() - Duration::days(400), 365);
    let e = client
        .qes_statement(&id, content, &head, &old_head, t0())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired);

    let r = client.qes_confirmed(&id, t0() + Duration::days(1)).unwrap();
    assert_eq!(r.status(), QesStatus::Confirmed);
    assert_eq!(r.statement_der(), Some(der.as_slice()));
    let e = client.qes_confirmed(&id, t0()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongState);
    let e = client
        .qes_statement(&id, content, &head, &head_cert, t0())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongState);

    let qes_events = client
        .events()
        .unwrap()
        .iter()
        .filter(|e| e.kind == EventKind::Qes)
        .count();
    assert_eq!(qes_events, 3, "registered, statement signed, confirmed");
    let again = open(dir);
    assert_eq!(again.qes_registrations(), client.qes_registrations());
}

#[test]
fn registration_refuses_what_it_must_and_warns_of_two_qualified_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ca = TestCa::new();
    let store = container(&dir.join("container"));
    let first = qualified(&store, &ca);
    let second = qualified(&store, &ca);
    // Not qualified: a plain certificate for a key on the medium.
    let plain = certified_key(&store, &ca, t0(), 365);
    drop(store);
    let mut client = open(dir);

    let e = client
        .register_qes(plain.certificate.as_deref().unwrap(), t0())
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("certificate"))
    );
    // Its key is elsewhere.
    let elsewhere = tempfile::tempdir().unwrap();
    let other_store = container(&elsewhere.path().join("c"));
    let foreign = qualified(&other_store, &ca);
    let e = client.register_qes(&foreign.to_der(), t0()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
    let e = client
        .register_qes(&first.to_der(), t0() + Duration::days(400))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired);
    assert!(client.qes_registrations().is_empty());

    let r = client.register_qes(&first.to_der(), t0()).unwrap();
    assert!(r.warnings().is_empty());
    let r = client.register_qes(&second.to_der(), t0()).unwrap();
    assert_eq!(r.warnings().len(), 1, "two qualified keys on one medium");
    assert!(r.warnings()[0].contains("qualified"), "{:?}", r.warnings());
    assert_eq!(open(dir).qes_registrations(), client.qes_registrations());
}
