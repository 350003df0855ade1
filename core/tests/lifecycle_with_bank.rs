//! The client and the bank module in one process, on a real file container, SQLite journal
//! and bank registry: what the client sends is what the bank accepts, what the bank issues
//! is what the client activates, and a request the bank rejects leaves the client on its old
//! key set.

mod lifecycle_common;

use std::path::Path;

use bankkey::bank::{Bank, Registry};
use bankkey::lifecycle::{Client, Flow, KeySetStatus, RequestStatus, SqliteJournal};
use bankkey::pki::Certificate;
use bankkey::subject::AttributeType as A;
use lifecycle_common::*;
use time::{Duration, OffsetDateTime};

fn open(dir: &Path, at: OffsetDateTime) -> Client {
    let store = reopen_container(&dir.join("container"));
    let journal = SqliteJournal::open(dir.join("journal.sqlite")).unwrap();
    Client::open_at(Box::new(store), Box::new(journal), at).unwrap()
}

/// A bank whose CA issued the subscriber's current certificate; the container holding it.
fn bank_and_subscriber(dir: &Path) -> (Bank, Vec<u8>) {
    let ca = TestCa::new();
    let store = container(&dir.join("container"));
    let set = certified_key(&store, &ca, t0(), 365);
    let cert = Certificate::from_der(set.certificate.as_deref().unwrap()).unwrap();
    let mut bank = Bank::new(Registry::in_memory().unwrap(), ca.cert, Box::new(ca.key)).unwrap();
    bank.register_subscriber(&cert, t0()).unwrap();
    (bank, set.id)
}

#[test]
fn the_bank_accepts_what_the_client_sends_and_the_client_activates_what_it_issues() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut bank, old_id) = bank_and_subscriber(tmp.path());
    let at = t0() + Duration::days(340);
    let mut client = open(tmp.path(), at);

    let id = client
        .start(Flow::Remote, ALG, &subscriber(), at)
        .unwrap()
        .id()
        .to_owned();
    client.sign(&id, &Vec::new(), at).unwrap();
    let bytes = client.send(&id, at).unwrap();
    let received = bank.receive(Flow::Remote, &bytes, at).unwrap();
    assert_eq!(received.rejection, None);
    assert_eq!(received.status, RequestStatus::AcceptedByBank);
    client.bank_status(&id, received.status, None, at).unwrap();
    let cert = bank.issue(&received.request_id, at).unwrap();
    client.receive_certificate(&id, &cert.to_der(), at).unwrap();
    let r = client.activate(&id, at).unwrap();
    assert_eq!(r.status(), RequestStatus::Activated);
    let a = client.assess(at, 30).unwrap();
    assert_eq!(a.status, KeySetStatus::Active);
    assert_ne!(a.key_set.unwrap().id, old_id);
}

#[test]
fn a_paper_request_waits_for_its_act_and_a_rejected_one_keeps_the_old_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut bank, old_id) = bank_and_subscriber(tmp.path());
    let at = t0() + Duration::days(340);
    let mut client = open(tmp.path(), at);

    // Paper flow: the bank answers "awaiting the paper act" at once.
    let id = client
        .start(Flow::PaperActs, ALG, &subscriber(), at)
        .unwrap()
        .id()
        .to_owned();
    client.sign(&id, &Vec::new(), at).unwrap();
    let received = bank
        .receive(Flow::PaperActs, &client.send(&id, at).unwrap(), at)
        .unwrap();
    assert_eq!(received.status, RequestStatus::AwaitingPaperDocuments);
    assert!(received.paper_check_by.is_some());
    let r = client.bank_status(&id, received.status, None, at).unwrap();
    assert_eq!(r.status(), RequestStatus::AwaitingPaperDocuments);
    client.cancel(&id, at).unwrap();

    // Another organisation's INN, which the bank does not know.
    let mut other = bankkey::subject::Subject::new();
    for a in subscriber().attributes() {
        let mut a = a.clone();
        if a.kind == A::InnLe {
            a.value = "7736050003".into();
        }
        other.push_attribute(a);
    }
    // The client refuses to ask for another identity by the remote flow itself...
    let e = client.start(Flow::Remote, ALG, &other, at).unwrap_err();
    assert_eq!(e.field(), Some("INNLE"));
    // ...a paper request for it is sent, and the bank refuses the unknown organisation.
    let id = client
        .start(Flow::PaperActs, ALG, &other, at)
        .unwrap()
        .id()
        .to_owned();
    client.sign(&id, &Vec::new(), at).unwrap();
    let received = bank
        .receive(Flow::PaperActs, &client.send(&id, at).unwrap(), at)
        .unwrap();
    assert_eq!(received.status, RequestStatus::Rejected, "{received:?}");
    let reason = received.rejection.unwrap();
    let r = client
        .bank_status(&id, received.status, Some(reason.reason.ru()), at)
        .unwrap();
    assert_eq!(r.reason(), Some(reason.reason.ru()));
    assert!(r.new_key_removed());
    assert_eq!(client.assess(at, 30).unwrap().key_set.unwrap().id, old_id);
}
