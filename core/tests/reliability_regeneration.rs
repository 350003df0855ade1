//! Regeneration under load (issue 13): 8 threads, and 2 processes, run the whole remote
//! regeneration (start, sign, send, the bank's receive, bank status, the bank's issue,
//! receive, activate) again and again on one file container, one journal and one bank
//! registry. Every worker is the same subscriber on the same medium, so they contend for the
//! one request that may be in progress: each picks up whatever request is in progress and
//! takes it one step further, or starts one. Every error must be a documented refusal
//! (another request in progress, a step another worker already made, a journal append another
//! worker beat); afterwards the journal replays, exactly one key set is in use and it is the
//! one the bank issued last, every activated request's new key is there with its
//! certificate (retired unless in use), no key of a cancelled or undone start stays, and the
//! registry has one subscriber.
//!
//! CI runs a few seconds (`BANKKEY_LOAD_SECONDS`, default 3); `scripts/load-test.sh` runs a
//! minute and prints the figures RELIABILITY.md quotes.

mod lifecycle_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bankkey::ErrorKind;
use bankkey::bank::{Bank, Registry};
use bankkey::lifecycle::{Client, Flow, RequestStatus, SqliteJournal};
use bankkey::pki::Certificate;
use lifecycle_common::*;
use time::OffsetDateTime;

const DIR_ENV: &str = "BANKKEY_REGEN_DIR";
const SECONDS_ENV: &str = "BANKKEY_LOAD_SECONDS";

fn seconds() -> u64 {
    std::env::var(SECONDS_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

/// "Now" of the workers: within the first certificate's life, so the remote flow applies.
fn at() -> OffsetDateTime {
    t0() + time::Duration::days(30)
}

fn open_client(dir: &Path) -> bankkey::Result<Client> {
    let store = reopen_container(&dir.join("container"));
    let journal = SqliteJournal::open(dir.join("journal.sqlite"))?;
    Client::open_at(Box::new(store), Box::new(journal), at())
}

fn open_bank(dir: &Path) -> Bank {
    let ca = TestCa::load(dir);
    Bank::new(
        Registry::open(dir.join("bank.sqlite")).unwrap(),
        ca.cert,
        Box::new(ca.key),
    )
    .unwrap()
}

/// The shared set-up: a CA (the bank's), a container with the subscriber's certified key,
/// the bank's registry knowing that certificate.
fn setup(dir: &Path) {
    let ca = TestCa::new();
    ca.save(dir);
    let store = container(&dir.join("container"));
    let set = certified_key(&store, &ca, t0(), 365);
    let cert = Certificate::from_der(set.certificate.as_deref().unwrap()).unwrap();
    let mut bank = open_bank(dir);
    bank.register_subscriber(&cert, t0()).unwrap();
}

/// What one worker did.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    steps: u64,
    activated: u64,
    refusals: u64,
}

/// A documented refusal of a worker that lost a race: another request in progress or
/// already a step further (`PreconditionFailed`, `WrongState`), or a journal append another
/// worker beat (`Storage` on `seq`).
fn refusal(e: &bankkey::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::PreconditionFailed | ErrorKind::WrongState
    ) || (e.kind() == ErrorKind::Storage && e.field() == Some("seq"))
}

/// One worker's loop: takes the request in progress one step further, or starts one.
fn work(dir: &Path, secs: u64) -> Tally {
    let mut t = Tally::default();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut bank = open_bank(dir);
    while Instant::now() < deadline {
        let mut client = match open_client(dir) {
            Ok(c) => c,
            Err(e) if refusal(&e) => {
                t.refusals += 1;
                continue;
            }
            Err(e) => panic!("open: {e}"),
        };
        let step = match client.in_progress() {
            None => client
                .start(Flow::Remote, ALG, &subscriber(), at())
                .map(|_| ()),
            Some(r) => {
                let id = r.id().to_owned();
                match r.status() {
                    RequestStatus::New => client.sign(&id, &Vec::new(), at()).map(|_| ()),
                    RequestStatus::Signed => client.send(&id, at()).map(|_| ()),
                    RequestStatus::Sent => {
                        // Sending the same bytes again gets the bank's record back: accepted,
                        // or already certified by another worker's `issue` (the bank has
                        // accepted it either way).
                        let bytes = r.outgoing().unwrap().to_vec();
                        let received = bank
                            .receive(Flow::Remote, &bytes, at())
                            .unwrap_or_else(|e| panic!("bank receive: {e}"));
                        assert_eq!(received.rejection, None, "the bank rejects: {received:?}");
                        client
                            .bank_status(&id, RequestStatus::AcceptedByBank, None, at())
                            .map(|_| ())
                    }
                    RequestStatus::AcceptedByBank => {
                        // The bank issues once; a worker that asks again is refused and
                        // leaves receiving to the one that got the certificate — or, when
                        // that one lost its receive to a refusal, reads it from the bank.
                        let bytes = r.outgoing().unwrap().to_vec();
                        let request_id = bankkey::bank::request_id(Flow::Remote, &bytes);
                        let cert = match bank.issue(&request_id, at()) {
                            Ok(cert) => Ok(cert.to_der()),
                            Err(e) if refusal(&e) => bank
                                .registry()
                                .issued_certificate(&request_id)
                                .map(|c| c.map(|c| c.to_der()).unwrap_or_default()),
                            Err(e) => panic!("bank issue: {e}"),
                        };
                        cert.and_then(|cert| client.receive_certificate(&id, &cert, at()))
                            .map(|_| ())
                    }
                    RequestStatus::CertificateIssued => client.activate(&id, at()).map(|r| {
                        assert_eq!(r.status(), RequestStatus::Activated);
                        t.activated += 1;
                    }),
                    other => panic!("a request in progress in state {other:?}"),
                }
            }
        };
        match step {
            Ok(()) => t.steps += 1,
            Err(e) if refusal(&e) => t.refusals += 1,
            Err(e) => panic!(
                "a step failed with an undocumented error: {e} ({:?})",
                e.kind()
            ),
        }
    }
    t
}

/// After the workers: the journal replays; one key set in use, the bank's last certificate;
/// every activated key there; no leftover key of a start that did not finish; one subscriber.
fn check(dir: &Path, tallies: &[Tally], what: &str) {
    let client = open_client(dir).unwrap();
    let regenerations = client.regenerations();
    let activated: Vec<_> = regenerations
        .iter()
        .filter(|r| r.status() == RequestStatus::Activated)
        .collect();
    let counted: u64 = tallies.iter().map(|t| t.activated).sum();
    assert_eq!(activated.len() as u64, counted, "{what}: activations");
    let sets = client.store().key_sets().unwrap();
    for s in &sets {
        assert!(!s.is_damaged(), "{what}: {:?}", s.damage);
    }
    let current = client.current_key_set().unwrap().expect("a key set in use");
    if let Some(last) = activated.last() {
        assert_eq!(
            current.id,
            last.new_key_id().unwrap(),
            "{what}: the last activated"
        );
        assert_eq!(current.certificate.as_deref(), last.certificate_der());
    }
    for r in &activated {
        let set = sets
            .iter()
            .find(|s| Some(&s.id[..]) == r.new_key_id())
            .unwrap_or_else(|| panic!("{what}: the key of activated request {} is lost", r.id()));
        assert!(set.has_private_key && set.certificate.is_some(), "{what}");
        assert_eq!(set.retired, set.id != current.id, "{what}: retired");
        client.store().signer(&set.id).unwrap();
    }
    // Every key set is the first one, an activated request's, or the one in progress.
    let in_progress = client
        .in_progress()
        .and_then(|r| r.new_key_id().map(<[u8]>::to_vec));
    for s in &sets {
        let known = s.label.trim_start_matches(bankkey::store::RETIRED_PREFIX) == "current"
            || activated.iter().any(|r| r.new_key_id() == Some(&s.id[..]))
            || in_progress.as_deref() == Some(&s.id[..]);
        assert!(
            known,
            "{what}: a leftover key set {} labelled {:?}",
            s.id_hex(),
            s.label
        );
    }
    // The bank: one subscriber, its current certificate the client's key in use.
    let bank = open_bank(dir);
    let cert = Certificate::from_der(current.certificate.as_deref().unwrap()).unwrap();
    bank.registry().subscriber(1).unwrap();
    assert!(
        bank.registry().subscriber(2).is_err(),
        "{what}: one subscriber"
    );
    // The bank makes a certificate current when it issues it; the client switches when it
    // activates. So the bank's may be one step ahead: the certificate of the request still in
    // progress (issued, not yet received or activated), never anything else.
    let registered = bank.registry().current_certificate(1).unwrap().unwrap();
    let registered_key = registered.public_key().unwrap().key_id().to_vec();
    let in_progress_key = client
        .in_progress()
        .and_then(|r| r.new_key_id().map(<[u8]>::to_vec));
    assert!(
        registered == cert || Some(registered_key) == in_progress_key,
        "{what}: the bank's current certificate is the client's, or the one just issued for the request in progress"
    );
    let steps: u64 = tallies.iter().map(|t| t.steps).sum();
    let refusals: u64 = tallies.iter().map(|t| t.refusals).sum();
    eprintln!(
        "REGEN {what}: {steps} steps, {counted} regenerations activated, {refusals} documented refusals, {} key sets",
        sets.len()
    );
}

#[test]
fn eight_threads_regenerate_on_one_container_journal_and_registry() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let secs = seconds();
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| work(tmp.path(), secs))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    check(tmp.path(), &tallies, &format!("8 threads, {secs} s"));
}

#[test]
#[ignore = "run by the regeneration load test in child processes"]
fn child_regeneration_worker() {
    let dir = PathBuf::from(std::env::var(DIR_ENV).expect("run by the parent test"));
    let t = work(&dir, seconds());
    println!("TALLY {} {} {}", t.steps, t.activated, t.refusals);
}

#[test]
fn two_processes_regenerate_on_one_container_journal_and_registry() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "child_regeneration_worker",
                    "--nocapture",
                ])
                .env(DIR_ENV, tmp.path())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let tallies: Vec<Tally> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "a worker failed:\n{text}");
            let line = text.lines().find(|l| l.starts_with("TALLY ")).unwrap();
            let n: Vec<u64> = line[6..].split(' ').map(|v| v.parse().unwrap()).collect();
            Tally {
                steps: n[0],
                activated: n[1],
                refusals: n[2],
            }
        })
        .collect();
    check(
        tmp.path(),
        &tallies,
        &format!("2 processes, {} s", seconds()),
    );
}
