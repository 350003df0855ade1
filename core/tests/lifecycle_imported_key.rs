//! Seed 002 for a client arriving with its current key from elsewhere: the key and its
//! certificate come out of a PFX (as CryptoPro CSP exports them) or a CryptoPro container,
//! are imported into a file container, and the remote regeneration starts from them — the
//! request signed by the imported key, verified by the bank against its CA.

mod lifecycle_common;

use std::path::Path;

use bankkey::cms::SignedRequest;
use bankkey::cryptopro::CryptoProContainer;
use bankkey::cryptopro::writer::{ContainerSpec, PinEncodingChoice, write};
use bankkey::gost::{ParamSet, SigningKey};
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::lifecycle::{Client, Flow, KeySetStatus, SqliteJournal};
use bankkey::pfx::{Pfx, PfxOptions};
use lifecycle_common::*;
use time::Duration;

/// The remote flow from the key set in use: started, signed, what the bank receives verifies
/// and was signed by `cert`'s key.
fn remote_regeneration_from(dir: &Path, ca: &TestCa, cert: &bankkey::pki::Certificate) {
    let at = t0() + Duration::days(340);
    let store = reopen_container(&dir.join("container"));
    let journal = SqliteJournal::open(dir.join("journal.sqlite")).unwrap();
    let mut client = Client::open_at(Box::new(store), Box::new(journal), at).unwrap();
    let a = client.assess(at, 30).unwrap();
    assert_eq!(a.status, KeySetStatus::ScheduledReplacementRequired);
    assert_eq!(
        a.key_set.as_ref().unwrap().certificate.as_deref(),
        Some(&cert.to_der()[..])
    );
    let r = client.start(Flow::Remote, ALG, &subscriber(), at).unwrap();
    let id = r.id().to_owned();
    client.sign(&id, &Vec::<String>::new(), at).unwrap();
    let sent = client.send(&id, at).unwrap();
    let (_, signer) = SignedRequest::from_der_or_pem(&sent)
        .unwrap()
        .verify(std::slice::from_ref(&ca.cert), at)
        .unwrap();
    assert_eq!(signer.to_der(), cert.to_der());
}

/// The client's key, certified by the bank's CA a year before "now" (valid 365 days).
fn certified_elsewhere(ca: &TestCa, alg: KeyAlgorithm) -> (SoftwareKey, bankkey::pki::Certificate) {
    let key = SoftwareKey::generate(alg).unwrap();
    let cert = ca.issue_for(&subscriber(), &key, t0(), 365);
    (key, cert)
}

#[test]
fn the_remote_flow_starts_from_a_key_out_of_a_pfx() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ca = TestCa::new();
    let (key, cert) = certified_elsewhere(&ca, ALG);
    let options = PfxOptions {
        iterations: 100,
        friendly_name: Some("ООО «Ромашка»".into()),
    };
    let der = Pfx::write(
        &key,
        Some(&cert),
        std::slice::from_ref(&ca.cert),
        "экспорт",
        &options,
    )
    .unwrap();

    let store = container(&dir.join("container"));
    let pfx = Pfx::from_der(&der, "экспорт").unwrap();
    let set = pfx.import_into(&store, "текущий ключ").unwrap();
    assert_eq!(set.certificate.as_deref(), Some(&cert.to_der()[..]));
    drop(store);
    remote_regeneration_from(dir, &ca, &cert);
}

#[test]
fn the_remote_flow_starts_from_a_key_out_of_a_cryptopro_container() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ca = TestCa::new();
    let gost = SigningKey::generate(ParamSet::Tc26_256A).unwrap();
    let key = SoftwareKey::from_gost(gost.clone()).unwrap();
    let cert = ca.issue_for(&subscriber(), &key, t0(), 365);
    let folder = dir.join("abcdef01.000");
    std::fs::create_dir(&folder).unwrap();
    write(
        &folder,
        &ContainerSpec {
            key: &gost,
            pin: "12345678",
            pin_encoding: PinEncodingChoice::Utf32,
            name: "ООО Ромашка 2027",
            certificate: Some(&cert.to_der()),
            reserve: true,
            key_algorithm: None,
        },
    )
    .unwrap();

    let container = CryptoProContainer::open(&folder).unwrap();
    let unlocked = container.unlock("12345678").unwrap();
    let store = lifecycle_common::container(&dir.join("container"));
    let set = unlocked.import_into(&store, "текущий ключ").unwrap();
    assert_eq!(set.certificate.as_deref(), Some(&cert.to_der()[..]));
    drop(store);
    remote_regeneration_from(dir, &ca, &cert);
}
