//! The regeneration lifecycle on a real PKCS#11 token (Debian's SoftHSM2, ECDSA P-256 keys):
//! the remote flow from the key in use to the new one, the old key retired on the token,
//! the state restored after the module is unloaded and loaded again.
//!
//! Needs `eval "$(bash scripts/hsm.sh --no-gost)"`; without it the test prints why and
//! passes, unless REQUIRE_HSM=1 (CI), where it fails.

mod common;
mod lifecycle_common;

use bankkey::cms::SignedRequest;
use bankkey::key::KeyAlgorithm;
use bankkey::lifecycle::{Client, Flow, KeySetStatus, RequestStatus, SqliteJournal};
use bankkey::store::KeyStore;
use bankkey::store::pkcs11::{LoginOptions, Pkcs11Module, Pkcs11Token, TokenSelector};
use common::hsm::*;
use lifecycle_common::*;
use time::Duration;

const P256: KeyAlgorithm = KeyAlgorithm::EcdsaP256;

fn logged_in(module: &Pkcs11Module, label: &str) -> Pkcs11Token {
    let token = module
        .open_token(&TokenSelector::Label(label.into()))
        .unwrap();
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    token
}

#[test]
fn remote_regeneration_on_a_token() {
    let _g = lock();
    let Some(path) = softhsm_module(
        "BANKKEY_SOFTHSM_MODULE",
        "SoftHSM not set up: run `eval \"$(bash scripts/hsm.sh --no-gost)\"` first",
    ) else {
        return;
    };
    let label = unique("lifecycle");
    let ca = TestCa::new();
    let at = t0() + Duration::days(340);
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("journal.sqlite");

    let module = Pkcs11Module::load(&path).unwrap();
    let token = fresh_token(&module, &label, USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    let old = token.generate(P256, "current").unwrap();
    let signer = KeyStore::signer(&token, &old.id).unwrap();
    let old_cert = ca.issue_for(&subscriber(), signer.as_ref(), t0(), 365);
    KeyStore::install_certificate(&token, &old_cert.to_der(), Some(&old.id)).unwrap();

    let journal = SqliteJournal::open(&journal_path).unwrap();
    let mut client = Client::open_at(Box::new(token), Box::new(journal), at).unwrap();
    assert_eq!(
        client.assess(at, 30).unwrap().status,
        KeySetStatus::ScheduledReplacementRequired
    );
    let r = client.start(Flow::Remote, P256, &subscriber(), at).unwrap();
    let id = r.id().to_owned();
    client.sign(&id, &Vec::new(), at).unwrap();
    let sent = client.send(&id, at).unwrap();
    // Signed on the token by the key in use; the bank's view of it verifies.
    let (req, signer) = SignedRequest::from_der_or_pem(&sent)
        .unwrap()
        .verify(std::slice::from_ref(&ca.cert), at)
        .unwrap();
    assert_eq!(signer, old_cert);
    client
        .bank_status(&id, RequestStatus::AcceptedByBank, None, at)
        .unwrap();
    let cert = ca.issue(&req, at, 365);
    client.receive_certificate(&id, &cert.to_der(), at).unwrap();
    let r = client.activate(&id, at).unwrap();
    assert!(r.old_key_retired());
    let regenerations = client.regenerations();
    drop(client);
    drop(module);

    // The module loaded again: the token and the journal tell the same story.
    let module = Pkcs11Module::load(&path).unwrap();
    let token = logged_in(&module, &label);
    let sets = token.key_sets().unwrap();
    let old_set = sets.iter().find(|k| k.id == old.id).unwrap();
    assert!(old_set.retired && old_set.has_private_key, "retired, kept");
    let new_set = sets
        .iter()
        .find(|k| Some(k.id.as_slice()) == r.new_key_id())
        .unwrap();
    assert_eq!(new_set.certificate.as_deref(), Some(cert.der()));
    let journal = SqliteJournal::open(&journal_path).unwrap();
    let client = Client::open_at(Box::new(token), Box::new(journal), at).unwrap();
    assert_eq!(client.regenerations(), regenerations);
    let a = client.assess(at, 30).unwrap();
    assert_eq!(
        (a.status, a.key_set.unwrap().id),
        (KeySetStatus::Active, new_set.id.clone())
    );
    let signer = client.store().signer(&new_set.id).unwrap();
    let sig = signer.sign(b"payment order").unwrap();
    cert.public_key()
        .unwrap()
        .verify(&signer.signature_algorithm(), b"payment order", &sig)
        .unwrap();
}
