//! The bank's registry on disk: it survives reopening, refuses a newer schema, and keeps
//! subscribers, certificates and keys apart.

mod bank_support;

use bank_support::*;
use bankkey::ErrorKind;
use bankkey::bank::registry::SCHEMA_VERSION;
use bankkey::bank::{Bank, Identity, Registry};
use bankkey::lifecycle::{Flow, RequestStatus};
use time::Duration;

#[test]
fn a_file_registry_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank.sqlite");
    let ca = make_ca("Банк УЦ");
    let old_key = key();
    let old_cert = user_cert(&ca, &ivanov(), &old_key, t0() - Duration::days(300), 365);
    let request_id;
    {
        let mut bank = Bank::new(
            Registry::open(&path).unwrap(),
            ca.1.clone(),
            Box::new(copy(&ca.0)),
        )
        .unwrap();
        bank.register_subscriber(&old_cert, t0() - Duration::days(300))
            .unwrap();
        let req = request(&ivanov(), &key());
        let cms = bankkey::cms::sign(
            req.der(),
            &[(&old_key as &dyn bankkey::key::Signer, &old_cert)],
            &bankkey::cms::SignOptions {
                signing_time: Some(t0()),
                ..Default::default()
            },
        )
        .unwrap();
        let r = bank.receive(Flow::Remote, &cms, t0()).unwrap();
        assert_eq!(r.status, RequestStatus::AcceptedByBank);
        request_id = r.request_id;
    }
    let reg = Registry::open(&path).unwrap();
    assert_eq!(reg.schema_version().unwrap(), SCHEMA_VERSION);
    let rec = reg.request(&request_id).unwrap().unwrap();
    assert_eq!(rec.status, RequestStatus::AcceptedByBank);
    assert_eq!(rec.flow, Flow::Remote);
    assert_eq!(rec.received_at, t0());
    let sub = reg.subscriber(rec.subscriber_id.unwrap()).unwrap();
    assert_eq!(sub.identity, Identity::of(&ivanov()));
    assert_eq!(
        reg.current_certificate(sub.id).unwrap(),
        Some(old_cert.clone())
    );
    assert_eq!(reg.request_history(&request_id).unwrap().len(), 2);
    // Issue after reopening: the bank carries on where it stopped.
    let mut bank = Bank::new(reg, ca.1.clone(), Box::new(copy(&ca.0))).unwrap();
    let cert = bank.issue(&request_id, t0()).unwrap();
    assert_eq!(
        bank.registry().issued_certificate(&request_id).unwrap(),
        Some(cert)
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank.sqlite");
    drop(Registry::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let e = Registry::open(&path).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage);
    assert!(e.message().contains("schema version"), "{e}");
    // A file that is not SQLite at all.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(
        &junk,
        b"this is not a database, just text long enough to look like one....",
    )
    .unwrap();
    assert_eq!(
        Registry::open(&junk).unwrap_err().kind(),
        ErrorKind::Storage
    );
}

#[test]
fn subscribers_certificates_and_keys() {
    let mut reg = Registry::open(":memory:").unwrap();
    let ca = make_ca("Банк УЦ");
    let id = Identity::of(&ivanov());
    let s = reg
        .add_subscriber(&id, &ivanov().to_der().unwrap(), false, t0())
        .unwrap();
    assert_eq!(
        reg.add_subscriber(&id, &ivanov().to_der().unwrap(), false, t0())
            .unwrap_err()
            .kind(),
        ErrorKind::PreconditionFailed
    );
    let k = key();
    let c1 = user_cert(&ca, &ivanov(), &k, t0(), 365);
    reg.add_certificate(s, &c1, t0()).unwrap();
    // Again: nothing changes.
    reg.add_certificate(s, &c1, t0()).unwrap();
    assert_eq!(reg.certificates(s).unwrap().len(), 1);
    let rec = reg.key(&k.public_key().key_id()).unwrap().unwrap();
    assert_eq!(rec.subscriber_id, Some(s));
    assert_eq!(rec.source, "certificate");
    assert_eq!(
        reg.subscriber_by_key(&k.public_key().key_id())
            .unwrap()
            .unwrap()
            .id,
        s
    );
    // Another subscriber may not take this certificate or this key.
    let p = reg
        .add_subscriber(
            &Identity::of(&petrov()),
            &petrov().to_der().unwrap(),
            false,
            t0(),
        )
        .unwrap();
    assert_eq!(
        reg.add_certificate(p, &c1, t0()).unwrap_err().kind(),
        ErrorKind::PreconditionFailed
    );
    let same_key = user_cert(&ca, &petrov(), &k, t0(), 365);
    assert_eq!(
        reg.add_certificate(p, &same_key, t0()).unwrap_err().kind(),
        ErrorKind::PreconditionFailed
    );
    // By identifier: both work for the same organisation.
    assert_eq!(
        reg.subscribers_by_identifier("7707083893").unwrap().len(),
        2
    );
    assert_eq!(
        reg.subscribers_by_identifier("12345678964").unwrap().len(),
        1
    );
    assert!(reg.subscribers_by_identifier("0000").unwrap().is_empty());
    assert_eq!(
        reg.subscriber(999).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert!(reg.request("RQ-NONE").unwrap().is_none());
}

#[test]
fn a_request_left_undecided_by_a_crash_is_decided_when_received_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank.sqlite");
    let ca = make_ca("Банк УЦ");
    let mut bank = Bank::new(
        Registry::open(&path).unwrap(),
        ca.1.clone(),
        Box::new(copy(&ca.0)),
    )
    .unwrap();
    bank.preregister(&petrov(), t0()).unwrap();
    let bytes = request(&petrov(), &key()).to_der();
    let id = bankkey::bank::request_id(Flow::PaperActs, &bytes);
    // What a crash right after recording the receipt leaves: the request `Sent`, undecided.
    bank.registry_mut()
        .insert_request(&bankkey::bank::RequestRecord {
            id: id.clone(),
            flow: Flow::PaperActs,
            subscriber_id: None,
            status: RequestStatus::Sent,
            received_at: t0(),
            received_der: bytes.clone(),
            request_der: None,
            key_id: None,
            paper_check_by: None,
            paper_act_ok: false,
            rejection: None,
        })
        .unwrap();
    drop(bank);
    let mut bank = Bank::new(
        Registry::open(&path).unwrap(),
        ca.1.clone(),
        Box::new(copy(&ca.0)),
    )
    .unwrap();
    let r = bank.receive(Flow::PaperActs, &bytes, t0()).unwrap();
    assert_eq!(r.request_id, id);
    assert_eq!(
        r.status,
        RequestStatus::AwaitingPaperDocuments,
        "{:?}",
        r.rejection
    );
    let sent = bank
        .request_history(&id)
        .unwrap()
        .into_iter()
        .filter(|e| e.to.as_deref() == Some("sent"))
        .count();
    assert_eq!(sent, 1, "the receipt is recorded once");
    // And once decided, receiving again changes nothing.
    assert_eq!(bank.receive(Flow::PaperActs, &bytes, t0()).unwrap(), r);
    assert_eq!(bank.request_history(&id).unwrap().len(), 3);
}

#[test]
fn support_rows_are_json_lines() {
    use bankkey::bank::registry::json;
    let ca = make_ca("Банк УЦ");
    let mut bank = Bank::new(
        Registry::in_memory().unwrap(),
        ca.1.clone(),
        Box::new(copy(&ca.0)),
    )
    .unwrap();
    let old_cert = user_cert(&ca, &ivanov(), &key(), t0() - Duration::days(350), 365);
    let sub = bank.register_subscriber(&old_cert, t0()).unwrap();
    let req = request(&ivanov(), &key());
    let r = bank.receive(Flow::PaperActs, req.der(), t0()).unwrap();
    assert_eq!(r.status, RequestStatus::AwaitingPaperDocuments);

    let parse = |line: String| -> serde_json::Value {
        assert!(!line.contains('\n'), "one line: {line}");
        serde_json::from_str(&line).unwrap()
    };
    let expiring = bank.expiring_within(30, t0()).unwrap();
    let e = parse(json::expiring(&expiring[0]));
    assert_eq!(e["subscriber_id"], sub);
    assert_eq!(e["serial"], old_cert.serial_hex());
    assert_eq!(e["days_left"], 15);
    assert_eq!(e["not_after_unix"], old_cert.not_after().unix_timestamp());
    assert_eq!(e["not_after"], bankkey::pki::rfc3339(old_cert.not_after()));

    let waiting = bank.awaiting_paper().unwrap();
    let a = parse(json::awaiting_paper(&waiting[0]));
    assert_eq!(a["request_id"], r.request_id);
    assert_eq!(a["received_at_unix"], t0().unix_timestamp());
    assert_eq!(
        a["paper_check_by"],
        r.paper_check_by.unwrap().to_string(),
        "YYYY-MM-DD"
    );

    let rec = bank.request(&r.request_id).unwrap();
    let q = parse(json::request(&rec));
    assert_eq!(q["status"], "awaiting_paper_documents");
    assert_eq!(q["flow"], "paper_acts");
    assert_eq!(q["rejection"], serde_json::Value::Null);
    let refused = bank.reject(&r.request_id, "no act", t0()).unwrap();
    assert_eq!(refused.status, RequestStatus::Rejected);
    let q = parse(json::request(&bank.request(&r.request_id).unwrap()));
    assert_eq!(q["rejection"]["reason"], "refused_by_operator");
    assert_eq!(q["rejection"]["detail"], "no act");

    let history = bank.request_history(&r.request_id).unwrap();
    let lines: Vec<serde_json::Value> = history.iter().map(|h| parse(json::history(h))).collect();
    assert_eq!(lines.last().unwrap()["to"], "rejected");
    assert!(
        lines
            .iter()
            .all(|l| l["request_id"] == r.request_id.as_str())
    );
}
