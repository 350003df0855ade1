//! The client state machine on a real file container and a real SQLite journal: both flows
//! end to end, every guard, cancellation, and activations that fail for real half-way.

mod lifecycle_common;

use std::path::Path;

use bankkey::ErrorKind;
use bankkey::cms::SignedRequest;
use bankkey::key::SoftwareKey;
use bankkey::lifecycle::{Client, Flow, KeySetStatus, RequestStatus, SqliteJournal, key_label};
use bankkey::pki::{Certificate, CertificateBuilder};
use bankkey::subject::AttributeType as A;
use lifecycle_common::*;
use time::{Duration, OffsetDateTime};

fn open(dir: &Path, at: OffsetDateTime) -> Client {
    let store = reopen_container(&dir.join("container"));
    let journal = SqliteJournal::open(dir.join("journal.sqlite")).unwrap();
    Client::open_at(Box::new(store), Box::new(journal), at).unwrap()
}

/// A container with a certified key set (valid from t0 for a year) and its CA.
fn subscriber_with_key(dir: &Path) -> (TestCa, Vec<u8>, Certificate) {
    let ca = TestCa::new();
    let store = container(&dir.join("container"));
    let set = certified_key(&store, &ca, t0(), 365);
    let cert = Certificate::from_der(set.certificate.as_deref().unwrap()).unwrap();
    (ca, set.id, cert)
}

fn signs(client: &Client, id: &[u8], cert: &Certificate) {
    let signer = client.store().signer(id).unwrap();
    let sig = signer.sign(b"payment order").unwrap();
    cert.public_key()
        .unwrap()
        .verify(&signer.signature_algorithm(), b"payment order", &sig)
        .unwrap();
}

/// Reopening gives exactly the same state.
fn same_after_reopen(client: &Client, dir: &Path, at: OffsetDateTime) {
    let again = open(dir, at);
    assert_eq!(again.regenerations(), client.regenerations());
    assert_eq!(again.events().unwrap(), client.events().unwrap());
}

fn none() -> Vec<String> {
    Vec::new()
}

#[test]
fn paper_flow_from_a_new_medium_to_the_new_key_set() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    container(&dir.join("container"));
    let ca = TestCa::new();
    let at = t0();
    let mut client = open(dir, at);
    assert_eq!(
        client.assess(at, 30).unwrap().status,
        KeySetStatus::InitialGenerationRequired
    );

    let r = client
        .start(Flow::PaperActs, ALG, &subscriber(), at)
        .unwrap();
    assert_eq!((r.status(), r.old_key_id()), (RequestStatus::New, None));
    let req = r.request().unwrap();
    req.verify().unwrap();
    assert_eq!(req.subject().get(&A::InnLe), Some("7707083893"));
    assert_eq!(r.outgoing(), None);
    let id = r.id().to_owned();
    let sets = client.store().key_sets().unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].label, key_label(&id));
    same_after_reopen(&client, dir, at);

    assert_eq!(
        client.sign(&id, &none(), at).unwrap().status(),
        RequestStatus::Signed
    );
    let sent = client.send(&id, at).unwrap();
    assert_eq!(
        sent,
        r.request_der(),
        "the paper flow sends the PKCS#10 itself"
    );
    client
        .bank_status(&id, RequestStatus::AcceptedByBank, None, at)
        .unwrap();
    same_after_reopen(&client, dir, at);
    // Paper flow: the certificate comes only after the paper act.
    let cert = ca.issue(&req, at + Duration::days(1), 365);
    let e = client
        .receive_certificate(&id, &cert.to_der(), at)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongState);
    client
        .bank_status(&id, RequestStatus::AwaitingPaperDocuments, None, at)
        .unwrap();
    let r = client
        .receive_certificate(&id, &cert.to_der(), at + Duration::days(1))
        .unwrap();
    assert_eq!(r.certificate_der(), Some(cert.der()));
    // Not in use until activated.
    assert_eq!(
        client.assess(at, 30).unwrap().status,
        KeySetStatus::InitialGenerationRequired
    );
    let r = client.activate(&id, at + Duration::days(1)).unwrap();
    assert_eq!(r.status(), RequestStatus::Activated);
    let a = client.assess(at + Duration::days(1), 30).unwrap();
    assert_eq!((a.status, a.days_left), (KeySetStatus::Active, Some(365)));
    signs(&client, r.new_key_id().unwrap(), &cert);
    same_after_reopen(&client, dir, at);
    let statuses: Vec<_> = client
        .events()
        .unwrap()
        .iter()
        .filter(|e| e.kind == bankkey::lifecycle::EventKind::Transition)
        .map(|e| e.to)
        .collect();
    use RequestStatus::*;
    assert_eq!(
        statuses,
        [
            New,
            Signed,
            Sent,
            AcceptedByBank,
            AwaitingPaperDocuments,
            CertificateIssued,
            Activated
        ]
    );
}

#[test]
fn remote_flow_signs_with_the_current_key_and_retires_it_at_activation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (ca, old_id, old_cert) = subscriber_with_key(dir);
    let at = t0() + Duration::days(340);
    let mut client = open(dir, at);
    let a = client.assess(at, 30).unwrap();
    assert_eq!(
        (a.status, a.days_left),
        (KeySetStatus::ScheduledReplacementRequired, Some(25))
    );

    let r = client.start(Flow::Remote, ALG, &subscriber(), at).unwrap();
    let id = r.id().to_owned();
    assert_eq!(r.old_key_id(), Some(old_id.as_slice()));
    let r = client.sign(&id, &none(), at).unwrap();
    let sent = client.send(&id, at).unwrap();
    assert_eq!(Some(sent.as_slice()), r.signed_request_der());
    // What the bank gets: the request, signed by the current certificate.
    let signed = SignedRequest::from_der_or_pem(&sent).unwrap();
    let (req, signer) = signed.verify(std::slice::from_ref(&ca.cert), at).unwrap();
    assert_eq!(signer, old_cert);
    assert_eq!(req.der(), r.request_der());
    assert_eq!(
        signed.signed_data().signers()[0].signing_time(),
        Some(at),
        "the signing time is the time passed in"
    );
    // The old key keeps working until activation.
    signs(&client, &old_id, &old_cert);
    client
        .bank_status(&id, RequestStatus::AcceptedByBank, None, at)
        .unwrap();
    let cert = ca.issue(&req, at, 365);
    client.receive_certificate(&id, &cert.to_der(), at).unwrap();
    assert_eq!(client.assess(at, 30).unwrap().key_set.unwrap().id, old_id);
    let r = client.activate(&id, at).unwrap();
    assert!(r.old_key_retired());
    let a = client.assess(at, 30).unwrap();
    assert_eq!(a.key_set.unwrap().id, r.new_key_id().unwrap());
    assert_eq!(a.status, KeySetStatus::Active);
    // Retired, not deleted: it still signs, until the user asks to delete it.
    let old = client.store().key_sets().unwrap();
    assert!(
        old.iter()
            .any(|k| k.id == old_id && k.retired && k.has_private_key)
    );
    signs(&client, &old_id, &old_cert);
    same_after_reopen(&client, dir, at);
    let r = client.delete_old_key(&id, at).unwrap();
    assert!(r.old_key_deleted());
    assert!(
        !client
            .store()
            .key_sets()
            .unwrap()
            .iter()
            .any(|k| k.id == old_id)
    );
    signs(&client, r.new_key_id().unwrap(), &cert);
    same_after_reopen(&client, dir, at);
}

#[test]
fn guards_refuse_with_typed_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (ca, _old_id, _) = subscriber_with_key(dir);
    let at = t0() + Duration::days(340);
    let mut client = open(dir, at);

    // Remote flow: the identity must stay, the current certificate must be valid.
    let mut moved = subscriber();
    moved = moved.with(A::Street, "ул. Новая, д. 2");
    let changed = bankkey::subject::Subject::new();
    let mut other = subscriber().attributes().to_vec();
    for a in &mut other {
        if a.kind == A::InnLe {
            a.value = "7736050003".into();
        }
    }
    let mut changed = changed;
    for a in other {
        changed.push_attribute(a);
    }
    let e = client.start(Flow::Remote, ALG, &changed, at).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("INNLE"))
    );
    let late = t0() + Duration::days(366);
    let e = client
        .start(Flow::Remote, ALG, &subscriber(), late)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired);
    assert_eq!(
        client.store().key_sets().unwrap().len(),
        1,
        "nothing generated"
    );
    assert!(client.regenerations().is_empty());

    // A street is not identity.
    let r = client.start(Flow::Remote, ALG, &moved, at).unwrap();
    let id = r.id().to_owned();
    let e = client
        .start(Flow::PaperActs, ALG, &subscriber(), at)
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::PreconditionFailed,
        "one request at a time"
    );
    let e = client.send(&id, at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongState);
    let docs = vec!["платёжное поручение № 15".to_string(), "№ 16".to_string()];
    let e = client.sign(&id, &docs, at).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::PreconditionFailed, Some("outgoing_documents"))
    );
    assert!(
        e.message().contains("№ 15") && e.message().contains("№ 16"),
        "{e}"
    );
    // The current key expires between start and signing.
    let e = client.sign(&id, &none(), late).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired);
    assert_eq!(
        client.regeneration(&id).unwrap().status(),
        RequestStatus::New
    );
    client.sign(&id, &none(), at).unwrap();
    client.send(&id, at).unwrap();
    let e = client
        .bank_status(&id, RequestStatus::Activated, None, at)
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("status"))
    );
    let e = client
        .bank_status(&id, RequestStatus::AwaitingPaperDocuments, None, at)
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::WrongState,
        "no paper in the remote flow"
    );
    client
        .bank_status(&id, RequestStatus::AcceptedByBank, None, at)
        .unwrap();

    let req = client.regeneration(&id).unwrap().request().unwrap();
    // A certificate for another key.
    let stranger = SoftwareKey::generate(ALG).unwrap();
    let wrong_key = ca.issue_for(&moved, &stranger, at, 365);
    let e = client
        .receive_certificate(&id, &wrong_key.to_der(), at)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
    // The right key under another person's SNILS.
    let mut someone = bankkey::subject::Subject::new();
    for a in moved.attributes() {
        let mut a = a.clone();
        if a.kind == A::Snils {
            a.value = "08765430300".into();
        }
        someone.push_attribute(a);
    }
    let renamed = CertificateBuilder::new(&someone, &req.public_key().unwrap())
        .unwrap()
        .validity(at, at + Duration::days(365))
        .sign(Some(&ca.cert), &ca.key)
        .unwrap();
    let e = client
        .receive_certificate(&id, &renamed.to_der(), at)
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("SNILS"))
    );
    // Expired on arrival.
    let stale = ca.issue(&req, at - Duration::days(400), 365);
    let e = client
        .receive_certificate(&id, &stale.to_der(), at)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired);
    // Not from the bank's CA, when anchors are set.
    let other_ca = TestCa::new();
    client.set_trust_anchors(vec![ca.cert.clone()]);
    let foreign = other_ca.issue(&req, at, 365);
    let e = client
        .receive_certificate(&id, &foreign.to_der(), at)
        .unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::UntrustedIssuer | ErrorKind::WrongIssuer
        ),
        "{e}"
    );
    let e = client.receive_certificate(&id, b"garbage", at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedEncoding);
    assert_eq!(
        client.regeneration(&id).unwrap().status(),
        RequestStatus::AcceptedByBank
    );
    client
        .receive_certificate(&id, &ca.issue(&req, at, 365).to_der(), at)
        .unwrap();
    let e = client.cancel(&id, at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongState, "too late to cancel");
    let e = client.regeneration("nope").unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("id")));
}

#[test]
fn remote_flow_needs_a_key_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    container(&dir.join("container"));
    let mut client = open(dir, t0());
    let e = client
        .start(Flow::Remote, ALG, &subscriber(), t0())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PreconditionFailed);
    assert!(client.store().key_sets().unwrap().is_empty());
}

#[test]
fn cancelling_removes_the_new_key_and_never_the_old() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (_ca, old_id, old_cert) = subscriber_with_key(dir);
    let at = t0() + Duration::days(340);
    let mut client = open(dir, at);
    let r = client
        .start(Flow::PaperActs, ALG, &subscriber(), at)
        .unwrap();
    let id = r.id().to_owned();
    client.sign(&id, &none(), at).unwrap();
    client.send(&id, at).unwrap();
    let r = client.cancel(&id, at).unwrap();
    assert_eq!(r.status(), RequestStatus::Cancelled);
    assert!(r.new_key_removed());
    let sets = client.store().key_sets().unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].id, old_id);
    assert!(!sets[0].retired);
    signs(&client, &old_id, &old_cert);
    assert_eq!(client.assess(at, 30).unwrap().key_set.unwrap().id, old_id);
    same_after_reopen(&client, dir, at);
    // A new request may follow.
    client.start(Flow::Remote, ALG, &subscriber(), at).unwrap();
    assert_eq!(client.regenerations().len(), 2);
}

/// A subscriber whose remote request has reached CertificateIssued, ready to activate.
struct Issued {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    at: OffsetDateTime,
    client: Client,
    old_id: Vec<u8>,
    old_cert: Certificate,
    id: String,
    new_id: Vec<u8>,
    cert: Certificate,
}

impl Issued {
    fn new() -> Issued {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let (ca, old_id, old_cert) = subscriber_with_key(&dir);
        let at = t0() + Duration::days(340);
        let mut client = open(&dir, at);
        let r = client.start(Flow::Remote, ALG, &subscriber(), at).unwrap();
        let id = r.id().to_owned();
        let new_id = r.new_key_id().unwrap().to_vec();
        client.sign(&id, &none(), at).unwrap();
        client.send(&id, at).unwrap();
        client
            .bank_status(&id, RequestStatus::AcceptedByBank, None, at)
            .unwrap();
        let cert = ca.issue(&r.request().unwrap(), at, 365);
        client.receive_certificate(&id, &cert.to_der(), at).unwrap();
        Issued {
            _tmp: tmp,
            dir,
            at,
            client,
            old_id,
            old_cert,
            id,
            new_id,
            cert,
        }
    }

    /// A file of the container.
    fn file(&self, id: &[u8], ext: &str) -> std::path::PathBuf {
        self.dir
            .join("container")
            .join(format!("{}.{ext}", hex::encode(id)))
    }

    /// After a failed activation: still CertificateIssued, the old set in use, unretired,
    /// signing; the same state after reopening.
    fn check_rolled_back(&self) {
        let r = self.client.regeneration(&self.id).unwrap();
        assert_eq!(r.status(), RequestStatus::CertificateIssued);
        assert!(!r.old_key_retired());
        let in_use = self.client.assess(self.at, 30).unwrap().key_set.unwrap();
        assert_eq!(in_use.id, self.old_id);
        assert!(!in_use.retired);
        signs(&self.client, &self.old_id, &self.old_cert);
        same_after_reopen(&self.client, &self.dir, self.at);
    }
}

#[test]
fn a_failed_test_signature_rolls_the_activation_back() {
    let mut t = Issued::new();
    // The new key's file now holds another key (a damaged medium): the certificate installs
    // (it matches the public key file) but the test signature does not verify.
    let key_file = t.file(&t.new_id, "key");
    let good = std::fs::read(&key_file).unwrap();
    let other = SoftwareKey::generate(ALG)
        .unwrap()
        .to_encrypted_pkcs8_pem_with_iterations(PASSWORD.as_bytes(), 1000)
        .unwrap();
    std::fs::write(&key_file, other).unwrap();
    let e = t.client.activate(&t.id, t.at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");
    t.check_rolled_back();

    // Repaired: the activation is repeated and succeeds.
    std::fs::write(&key_file, good).unwrap();
    let r = t.client.activate(&t.id, t.at).unwrap();
    assert_eq!(r.status(), RequestStatus::Activated);
    signs(&t.client, &t.new_id, &t.cert);
}

#[test]
fn a_certificate_that_cannot_be_written_rolls_the_activation_back() {
    let mut t = Issued::new();
    // Where the certificate goes, a directory that cannot be replaced (root ignores
    // read-only permissions, so the write is made to fail this way).
    let crt = t.file(&t.new_id, "crt");
    std::fs::create_dir(&crt).unwrap();
    std::fs::write(crt.join("x"), b"x").unwrap();
    let e = t.client.activate(&t.id, t.at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    t.check_rolled_back();
    std::fs::remove_dir_all(&crt).unwrap();
    t.client.activate(&t.id, t.at).unwrap();
}

#[test]
fn an_old_set_that_cannot_be_retired_is_retired_at_the_next_open() {
    let mut t = Issued::new();
    // The old set's metadata cannot be rewritten.
    let meta = t.file(&t.old_id, "json");
    let saved = std::fs::read(&meta).unwrap();
    std::fs::remove_file(&meta).unwrap();
    std::fs::create_dir(&meta).unwrap();
    std::fs::write(meta.join("x"), b"x").unwrap();
    let r = t.client.activate(&t.id, t.at).unwrap();
    assert_eq!(r.status(), RequestStatus::Activated);
    assert!(!r.old_key_retired());
    assert_eq!(
        t.client.assess(t.at, 30).unwrap().key_set.unwrap().id,
        t.new_id,
        "the journal knows the new set is in use"
    );
    std::fs::remove_dir_all(&meta).unwrap();
    std::fs::write(&meta, saved).unwrap();
    let client = open(&t.dir, t.at);
    assert!(client.regeneration(&t.id).unwrap().old_key_retired());
    let sets = client.store().key_sets().unwrap();
    assert!(sets.iter().any(|k| k.id == t.old_id && k.retired));
}

#[test]
fn the_client_and_its_data_cross_threads() {
    fn send<T: Send + 'static>() {}
    send::<Client>();
    send::<bankkey::lifecycle::Regeneration>();
    send::<bankkey::lifecycle::Event>();
    send::<bankkey::lifecycle::QesRegistration>();
    // Moved to another thread and used there.
    let tmp = tempfile::tempdir().unwrap();
    container(&tmp.path().join("container"));
    let client = open(tmp.path(), t0());
    let status = std::thread::spawn(move || client.assess(t0(), 30).unwrap().status)
        .join()
        .unwrap();
    assert_eq!(status, KeySetStatus::InitialGenerationRequired);
}
