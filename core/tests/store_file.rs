//! The file container: round trips, certificates, wrong password, crash safety, backup,
//! and the KeyStore operations it shares with tokens.

use std::fs;

use bankkey::ErrorKind;
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::pki::{
    Certificate, CertificateBuilder, IdentificationKind, IssuerSignTool, RequestBuilder,
    SignToolClass,
};
use bankkey::store::{FileContainer, KeySetKind, KeyStore, RETIRED_PREFIX};
use bankkey::subject::{AttributeType as A, Subject};
use secrecy::SecretString;

const PASSWORD: &str = "correct horse battery";

fn pw(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

/// A container with a low KDF cost (keys are still PBES2-encrypted; only slower to attack
/// in production).
fn container(dir: &std::path::Path) -> FileContainer {
    let mut c = FileContainer::create(dir, pw(PASSWORD)).unwrap();
    c.set_kdf_iterations(1000);
    c
}

fn person(cn: &str) -> Subject {
    Subject::new()
        .with(A::CommonName, cn)
        .with(A::Surname, "Иванов")
        .with(A::GivenName, "Иван Иванович")
        .with(A::Country, "RU")
        .with(A::Inn, "500100732259")
        .with(A::Snils, "11223344595")
}

struct Ca {
    key: SoftwareKey,
    cert: Certificate,
}

fn ca() -> Ca {
    let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let subject = Subject::new()
        .with(A::CommonName, "Test CA")
        .with(A::Organization, "bankkey tests")
        .with(A::Country, "RU");
    let cert = CertificateBuilder::new(&subject, &key.public_key())
        .unwrap()
        .ca(None)
        .sign(None, &key)
        .unwrap();
    Ca { key, cert }
}

/// A (qualified, when `qualified`) certificate issued for the key behind `signer`, from a
/// request built through it.
fn issue(ca: &Ca, signer: &dyn Signer, cn: &str, qualified: bool) -> Vec<u8> {
    let mut rb = RequestBuilder::new(person(cn));
    if qualified {
        rb = rb
            .sign_tool_class(SignToolClass::Kc1)
            .subject_sign_tool("СКЗИ «Тест»")
            .identification_kind(IdentificationKind::InPerson);
    }
    let request = rb.build(signer).unwrap();
    let mut cb = CertificateBuilder::from_request(&request).unwrap();
    if qualified {
        cb = cb.issuer_sign_tool(IssuerSignTool {
            sign_tool: "ПАК «Тест»".into(),
            ca_tool: "ПАК «Тестовый УЦ»".into(),
            sign_tool_cert: "№ 1".into(),
            ca_tool_cert: "№ 2".into(),
        });
    }
    let cert = cb.sign(Some(&ca.cert), &ca.key).unwrap();
    assert_eq!(cert.is_qualified(), qualified, "{:?}", cert.qualification());
    cert.to_der()
}

#[test]
fn generate_sign_reopen_for_every_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    let c = container(dir.path());
    let algorithms = [
        KeyAlgorithm::Gost(ParamSet::Tc26_256A),
        KeyAlgorithm::Gost(ParamSet::CryptoProA),
        KeyAlgorithm::Gost(ParamSet::Tc26_512A),
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::Rsa { bits: 2048 },
    ];
    let mut ids = Vec::new();
    for alg in algorithms {
        let set = c.generate(alg, &alg.name()).unwrap();
        let public = set.public_key().unwrap().unwrap();
        assert_eq!(
            set.id,
            public.key_id().to_vec(),
            "id = SHA-1 of the key bits"
        );
        assert_eq!(set.kind(), KeySetKind::KeyWithoutCertificate);
        ids.push((set.id, alg));
    }
    // The private key is encrypted on disk: no plain PKCS#8 anywhere.
    for e in fs::read_dir(dir.path()).unwrap() {
        let text = fs::read_to_string(e.unwrap().path()).unwrap_or_default();
        assert!(!text.contains("BEGIN PRIVATE KEY"));
    }
    drop(c);
    let c = FileContainer::open(dir.path(), pw(PASSWORD)).unwrap();
    let sets = c.key_sets().unwrap();
    assert_eq!(sets.len(), algorithms.len());
    for (id, alg) in ids {
        let set = sets.iter().find(|k| k.id == id).unwrap();
        assert_eq!(set.label, alg.name());
        let signer = c.signer(&id).unwrap();
        assert_eq!(signer.public_key(), set.public_key().unwrap().unwrap());
        let sig = signer.sign(b"payment order").unwrap();
        signer
            .public_key()
            .verify(&signer.signature_algorithm(), b"payment order", &sig)
            .unwrap();
    }
}

#[test]
fn wrong_password_lists_but_does_not_sign() {
    let dir = tempfile::tempdir().unwrap();
    let set = container(dir.path())
        .generate(KeyAlgorithm::Gost(ParamSet::Tc26_256B), "k")
        .unwrap();
    let c = FileContainer::open(dir.path(), pw("wrong")).unwrap();
    assert_eq!(c.key_sets().unwrap().len(), 1, "listing needs no password");
    let e = c.signer(&set.id).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::WrongPassword);
    assert!(
        !e.message().contains("wrong"),
        "no password in messages: {e}"
    );
    assert!(!format!("{c:?}").contains("wrong"));
    // Not a container / empty password.
    let other = tempfile::tempdir().unwrap();
    assert_eq!(
        FileContainer::open(other.path(), pw(PASSWORD))
            .unwrap_err()
            .kind(),
        ErrorKind::Storage
    );
    assert_eq!(
        FileContainer::create(other.path(), pw(""))
            .unwrap_err()
            .field(),
        Some("password")
    );
    // Creating over a non-empty directory is refused.
    assert_eq!(
        FileContainer::create(dir.path(), pw(PASSWORD))
            .unwrap_err()
            .kind(),
        ErrorKind::Storage
    );
}

#[test]
fn certificates_install_find_retire_delete_and_the_one_qualified_key_rule() {
    let dir = tempfile::tempdir().unwrap();
    let c = container(dir.path());
    let ca = ca();
    let a = c
        .generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A), "a")
        .unwrap();
    let b = c.generate(KeyAlgorithm::EcdsaP256, "b").unwrap();
    let cert_a = issue(&ca, c.signer(&a.id).unwrap().as_ref(), "A", true);
    let cert_b = issue(&ca, c.signer(&b.id).unwrap().as_ref(), "B", true);
    // A certificate for another key set's key is refused.
    let e = c.install_certificate(&cert_b, Some(&a.id)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
    // A certificate for a key that is not here at all is refused.
    let stranger = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let cert_s = issue(&ca, &stranger, "S", false);
    assert_eq!(
        c.install_certificate(&cert_s, None).unwrap_err().kind(),
        ErrorKind::KeyMismatch
    );
    let installed = c.install_certificate(&cert_a, None).unwrap();
    assert_eq!(
        (installed.id.clone(), installed.kind()),
        (a.id.clone(), KeySetKind::Complete)
    );
    assert!(c.warnings().unwrap().is_empty(), "one qualified key");
    c.install_certificate(&cert_b, Some(&b.id)).unwrap();
    let w = c.warnings().unwrap();
    assert_eq!(w.len(), 1, "two qualified keys on one medium (seed 004)");
    assert!(w[0].contains("2 qualified keys"));
    assert_eq!(c.find_by_certificate(&cert_b).unwrap().unwrap().id, b.id);
    assert!(c.find_by_certificate(&cert_s).unwrap().is_none());
    // Retiring one clears the warning; the key stays and still signs.
    c.retire(&a.id).unwrap();
    let ra = c.find_by_certificate(&cert_a).unwrap().unwrap();
    assert!(ra.retired && ra.label.starts_with(RETIRED_PREFIX) && ra.has_private_key);
    assert!(c.warnings().unwrap().is_empty());
    c.signer(&a.id).unwrap().sign(b"still works").unwrap();
    // Delete removes every part.
    c.delete(&a.id).unwrap();
    assert!(c.find_by_certificate(&cert_a).unwrap().is_none());
    assert_eq!(c.key_sets().unwrap().len(), 1);
    assert_eq!(c.delete(&a.id).unwrap_err().field(), Some("id"));
}

#[test]
fn a_pulled_drive_never_leaves_a_half_written_key() {
    let dir = tempfile::tempdir().unwrap();
    let c = container(dir.path());
    let set = c.generate(KeyAlgorithm::EcdsaP256, "k").unwrap();
    let key_file = dir.path().join(format!("{}.key", set.id_hex()));
    let good = fs::read(&key_file).unwrap();
    // What a write interrupted before its rename leaves: a temporary file holding the first
    // half of the new content. The key file itself is untouched, so the key still loads.
    let partial = dir
        .path()
        .join(format!(".tmp-0011223344556677-{}.key", set.id_hex()));
    fs::write(&partial, &good[..good.len() / 2]).unwrap();
    assert_eq!(
        c.key_sets().unwrap().len(),
        1,
        "temporaries are not key sets"
    );
    c.signer(&set.id).unwrap().sign(b"m").unwrap();
    // Reopening cleans the temporaries up.
    let c = FileContainer::open(dir.path(), pw(PASSWORD)).unwrap();
    assert!(!partial.exists());
    assert_eq!(fs::read(&key_file).unwrap(), good);
    c.signer(&set.id).unwrap().sign(b"m").unwrap();
    // A truncated key file (written by something else, not by us) is an error, not a panic.
    fs::write(&key_file, &good[..good.len() / 2]).unwrap();
    assert!(c.signer(&set.id).is_err());
}

#[test]
fn backup_copies_everything_and_the_copy_signs() {
    let dir = tempfile::tempdir().unwrap();
    let c = container(dir.path());
    let ca = ca();
    let set = c
        .generate(KeyAlgorithm::Gost(ParamSet::CryptoProA), "k")
        .unwrap();
    let cert = issue(&ca, c.signer(&set.id).unwrap().as_ref(), "K", false);
    c.install_certificate(&cert, None).unwrap();
    let backup_dir = tempfile::tempdir().unwrap();
    let dest = backup_dir.path().join("copy");
    let copy = c.backup_to(&dest).unwrap();
    assert_eq!(copy.key_sets().unwrap(), c.key_sets().unwrap());
    let signer = copy.signer(&set.id).unwrap();
    let sig = signer.sign(b"from the copy").unwrap();
    signer
        .public_key()
        .verify(&signer.signature_algorithm(), b"from the copy", &sig)
        .unwrap();
    // Never over a non-empty directory.
    assert_eq!(c.backup_to(&dest).unwrap_err().kind(), ErrorKind::Storage);
}

/// Issue 13, defect 8: one damaged file must not disable the container, nor be read as a
/// default state. Each kind of damage is listed on its key set, naming the file; the other
/// sets stay usable; the assessment never picks a damaged set; `warnings()` names each one.
#[test]
fn a_damaged_file_is_reported_on_its_key_set_and_the_others_stay_usable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c");
    let c = container(&path);
    let ca = ca();
    let mut ids = Vec::new();
    for i in 0..5 {
        let set = c
            .generate(KeyAlgorithm::EcdsaP256, &format!("set {i}"))
            .unwrap();
        let signer = c.signer(&set.id).unwrap();
        let cert = issue(&ca, signer.as_ref(), &format!("Владелец {i}"), false);
        c.install_certificate(&cert, Some(&set.id)).unwrap();
        ids.push(set.id_hex());
    }
    // 0: the healthy one. 1: a truncated certificate. 2: another set's certificate.
    // 3: metadata that does not parse, on a retired set. 4: metadata removed by hand.
    let file = |i: usize, ext: &str| path.join(format!("{}.{ext}", ids[i]));
    let pem = fs::read(file(1, "crt")).unwrap();
    fs::write(file(1, "crt"), &pem[..pem.len() / 2]).unwrap();
    fs::copy(file(0, "crt"), file(2, "crt")).unwrap();
    c.retire(&hex::decode(&ids[3]).unwrap()).unwrap();
    fs::write(file(3, "json"), b"{\"label\": \"set 3\", \"retir").unwrap();
    fs::remove_file(file(4, "json")).unwrap();

    let sets = c.key_sets().unwrap();
    assert_eq!(sets.len(), 5, "every set is listed");
    let by = |i: usize| sets.iter().find(|s| s.id_hex() == ids[i]).unwrap();
    assert!(!by(0).is_damaged(), "{:?}", by(0).damage);
    for (i, ext) in [(1, "crt"), (2, "crt"), (3, "json"), (4, "json")] {
        let d = &by(i).damage;
        assert_eq!(d.len(), 1, "set {i}: {d:?}");
        assert!(
            d[0].contains(&format!("{}.{ext}", ids[i])),
            "set {i}: {d:?}"
        );
    }
    assert!(
        by(2).damage[0].contains("another key"),
        "{:?}",
        by(2).damage
    );
    assert!(by(3).damage[0].contains("retired flag unknown"));
    // A damaged certificate is not given out as the set's certificate.
    assert_eq!(by(1).certificate, None);
    assert_eq!(by(2).certificate, None);

    let warnings = c.warnings().unwrap();
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    for id in &ids[1..] {
        assert!(warnings.iter().any(|w| w.contains(id)), "{warnings:#?}");
    }
    // The assessment works and picks the healthy set only, although sets 3 and 4 still have
    // a key and a valid certificate (set 3 was retired: its state is unknown now).
    let a = bankkey::lifecycle::assess_store(&c, time::OffsetDateTime::now_utc(), 30).unwrap();
    assert_eq!(a.key_set.unwrap().id_hex(), ids[0]);
    // The healthy set signs; a damaged one's key is still there and still signs (nothing
    // was deleted or rewritten by listing).
    c.signer(&hex::decode(&ids[0]).unwrap())
        .unwrap()
        .sign(b"x")
        .unwrap();
    c.signer(&hex::decode(&ids[1]).unwrap())
        .unwrap()
        .sign(b"x")
        .unwrap();
    assert_eq!(fs::read(file(1, "crt")).unwrap(), &pem[..pem.len() / 2]);
    // Installing the right certificate again repairs the set.
    let signer = c.signer(&hex::decode(&ids[1]).unwrap()).unwrap();
    let cert = issue(&ca, signer.as_ref(), "Владелец 1", false);
    c.install_certificate(&cert, Some(&hex::decode(&ids[1]).unwrap()))
        .unwrap();
    let sets = c.key_sets().unwrap();
    assert!(
        !sets
            .iter()
            .find(|s| s.id_hex() == ids[1])
            .unwrap()
            .is_damaged()
    );
}
