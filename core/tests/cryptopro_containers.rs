//! CryptoPro file containers written by the test-only writer (the reader's inverse, from the
//! same description; the container CryptoPro CSP itself wrote is read in the unit tests of
//! `cryptopro`): 256- and 512-bit keys, PINs in each candidate encoding, the reserve copy,
//! and every typed refusal — wrong PIN, damaged and missing files, a 2001 key, a certificate
//! of another key. Then the key in use: a read-only store, an import into a file container.

use std::path::Path;

use bankkey::ErrorKind;
use bankkey::cryptopro::writer::{ContainerSpec, PinEncodingChoice, write};
use bankkey::cryptopro::{CryptoProContainer, CryptoProKeyUsage};
use bankkey::gost::{ParamSet, SigningKey};
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::oid;
use bankkey::pki::{Certificate, CertificateBuilder};
use bankkey::store::{FileContainer, KeySetKind, KeyStore};
use bankkey::subject::{AttributeType as A, Subject};
use secrecy::SecretString;

fn certificate_for(key: &SoftwareKey) -> Certificate {
    let subject = Subject::new()
        .with(A::CommonName, "Иванов Иван Иванович")
        .with(A::Country, "RU");
    // Self-signed (so a CA, as the builder checks its own signature).
    CertificateBuilder::new(&subject, &key.public_key())
        .unwrap()
        .ca(None)
        .sign(None, key)
        .unwrap()
}

struct Made {
    dir: tempfile::TempDir,
    key: SoftwareKey,
    cert: Certificate,
}

fn make(ps: ParamSet, pin: &str, encoding: PinEncodingChoice, reserve: bool) -> Made {
    let dir = tempfile::tempdir().unwrap();
    let gost = SigningKey::generate(ps).unwrap();
    let key = SoftwareKey::from_gost(gost.clone()).unwrap();
    let cert = certificate_for(&key);
    write(
        dir.path(),
        &ContainerSpec {
            key: &gost,
            pin,
            pin_encoding: encoding,
            name: "le-a1b2c3d4-5e6f",
            certificate: Some(&cert.to_der()),
            reserve,
            key_algorithm: None,
        },
    )
    .unwrap();
    Made { dir, key, cert }
}

#[test]
fn containers_open_with_their_pin_and_give_the_key() {
    for (ps, pin) in [
        (ParamSet::Tc26_256A, "12345678"),
        (ParamSet::CryptoProXchA, ""),
        (ParamSet::Tc26_512A, "пароль-123"),
    ] {
        let m = make(ps, pin, PinEncodingChoice::Utf32, true);
        let c = CryptoProContainer::open(m.dir.path()).unwrap();
        assert_eq!(c.name(), Some("le-a1b2c3d4-5e6f"));
        assert_eq!(c.param_set(), ps);
        assert_eq!(c.usage(), CryptoProKeyUsage::Exchange); // the writer marks pkaExchange
        assert_eq!(c.certificate().unwrap().to_der(), m.cert.to_der());
        let (key, how) = c.private_key(pin).unwrap();
        assert_eq!(key.public_key(), m.key.public_key(), "{ps:?}");
        assert!(!how.from_reserve);
        let e = c.private_key("87654321").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::WrongPassword, "{ps:?}");
    }
}

/// A Cyrillic PIN opens whichever of the three candidate encodings it was written in (the
/// open question of how CryptoPro spreads it is answered by trying each: the fingerprint
/// says which one is right).
#[test]
fn a_cyrillic_pin_opens_in_each_candidate_encoding() {
    for (encoding, name) in [
        (PinEncodingChoice::Utf32, "UTF-32"),
        (PinEncodingChoice::Utf8Bytes, "UTF-8 bytes"),
        (PinEncodingChoice::Cp1251Bytes, "windows-1251 bytes"),
    ] {
        let m = make(ParamSet::Tc26_256B, "Пароль", encoding, false);
        let c = CryptoProContainer::open(m.dir.path()).unwrap();
        let (key, how) = c.private_key("Пароль").unwrap();
        assert_eq!(key.public_key(), m.key.public_key());
        assert_eq!(how.pin_encoding, name);
        assert_eq!(
            c.private_key("пароль").unwrap_err().kind(),
            ErrorKind::WrongPassword
        );
    }
}

fn corrupt(dir: &Path, file: &str, bytes: &[u8]) {
    std::fs::write(dir.join(file), bytes).unwrap();
}

#[test]
fn damaged_and_missing_files_are_named() {
    let m = make(ParamSet::Tc26_256A, "1234", PinEncodingChoice::Utf32, false);
    let d = m.dir.path();

    // A damaged primary.key without a reserve copy: the file is named, not the PIN blamed.
    let good = std::fs::read(d.join("primary.key")).unwrap();
    corrupt(d, "primary.key", b"\x30\x05\x04\x03abc");
    let c = CryptoProContainer::open(d).unwrap();
    let e = c.private_key("1234").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{e}");
    assert_eq!(e.field(), Some("primary.key"));
    corrupt(d, "primary.key", &good);

    // A damaged header.key: refused on open, by name.
    let header = std::fs::read(d.join("header.key")).unwrap();
    corrupt(d, "header.key", &header[..header.len() / 2]);
    let e = CryptoProContainer::open(d).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedEncoding);
    assert_eq!(e.field(), Some("header.key"));
    corrupt(d, "header.key", &header);

    // header.key altered inside (a byte of the fingerprint): its MAC no longer matches.
    let mut altered = header.clone();
    let n = altered.len();
    altered[n - 8] ^= 1;
    corrupt(d, "header.key", &altered);
    let e = CryptoProContainer::open(d).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{e}");
    assert_eq!(e.field(), Some("header.key"));
    assert!(e.message().contains("MAC"), "{e}");
    corrupt(d, "header.key", &header);

    // masks.key's salt altered: its MAC no longer matches, and without a reserve copy the
    // file is named rather than the PIN blamed.
    let masks = std::fs::read(d.join("masks.key")).unwrap();
    let mut altered = masks.clone();
    let n = altered.len();
    altered[n - 8] ^= 1;
    corrupt(d, "masks.key", &altered);
    let c = CryptoProContainer::open(d).unwrap();
    let e = c.private_key("1234").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{e}");
    assert_eq!(e.field(), Some("masks.key"));
    corrupt(d, "masks.key", &masks);
    assert!(c.private_key("1234").is_ok());

    // masks.key missing: not a (complete) container.
    std::fs::remove_file(d.join("masks.key")).unwrap();
    let e = CryptoProContainer::open(d).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage);
    assert_eq!(e.field(), Some("masks.key"));

    // Every truncation of every file: an error or a reading, never a panic.
    let m = make(ParamSet::Tc26_256A, "1234", PinEncodingChoice::Utf32, true);
    let d = m.dir.path();
    for file in [
        "header.key",
        "primary.key",
        "masks.key",
        "primary2.key",
        "name.key",
    ] {
        let bytes = std::fs::read(d.join(file)).unwrap();
        for len in 0..bytes.len() {
            corrupt(d, file, &bytes[..len]);
            if let Ok(c) = CryptoProContainer::open(d) {
                let _ = c.private_key("1234");
            }
        }
        corrupt(d, file, &bytes);
    }
}

/// The main copy altered (a bit flipped: the fingerprint does not match), the reserve copy
/// opens; both altered, the PIN cannot be told from the damage and the answer is the PIN's.
#[test]
fn the_reserve_copy_stands_in_for_a_damaged_main_copy() {
    let m = make(ParamSet::Tc26_256A, "1234", PinEncodingChoice::Utf32, true);
    let d = m.dir.path();
    let mut primary = std::fs::read(d.join("primary.key")).unwrap();
    let n = primary.len();
    primary[n - 3] ^= 0x10;
    corrupt(d, "primary.key", &primary);
    let c = CryptoProContainer::open(d).unwrap();
    let (key, how) = c.private_key("1234").unwrap();
    assert!(how.from_reserve);
    assert_eq!(key.public_key(), m.key.public_key());
    let mut reserve = std::fs::read(d.join("primary2.key")).unwrap();
    reserve[n - 3] ^= 0x10;
    corrupt(d, "primary2.key", &reserve);
    assert_eq!(
        c.private_key("1234").unwrap_err().kind(),
        ErrorKind::WrongPassword
    );

    // A masks.key whose MAC fails is passed over for the reserve copy too.
    let m = make(ParamSet::Tc26_512A, "1234", PinEncodingChoice::Utf32, true);
    let d = m.dir.path();
    let mut masks = std::fs::read(d.join("masks.key")).unwrap();
    let n = masks.len();
    masks[n - 1] ^= 1;
    corrupt(d, "masks.key", &masks);
    let (key, how) = CryptoProContainer::open(d)
        .unwrap()
        .private_key("1234")
        .unwrap();
    assert!(how.from_reserve);
    assert_eq!(key.public_key(), m.key.public_key());
}

#[test]
fn a_2001_key_and_a_foreign_certificate_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let gost = SigningKey::generate(ParamSet::CryptoProA).unwrap();
    fn spec<'a>(
        gost: &'a SigningKey,
        alg: der::asn1::ObjectIdentifier,
        cert: Option<&'a [u8]>,
    ) -> ContainerSpec<'a> {
        ContainerSpec {
            key: gost,
            pin: "1",
            pin_encoding: PinEncodingChoice::Utf32,
            name: "old",
            certificate: cert,
            reserve: false,
            key_algorithm: Some(alg),
        }
    }
    write(dir.path(), &spec(&gost, oid::GOST3410_2001_AGREEMENT, None)).unwrap();
    let e = CryptoProContainer::open(dir.path()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm);
    assert!(e.message().contains("2001"), "{e}");

    let other = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::CryptoProA)).unwrap();
    let foreign = certificate_for(&other).to_der();
    write(
        dir.path(),
        &spec(&gost, oid::GOST3410_12_256, Some(&foreign)),
    )
    .unwrap();
    let c = CryptoProContainer::open(dir.path()).unwrap();
    assert_eq!(
        c.private_key("1").unwrap_err().kind(),
        ErrorKind::KeyMismatch
    );
}

/// The container as a read-only key store, and its key imported into a file container: the
/// key in use of a bankkey client.
#[test]
fn the_key_serves_read_only_and_imports() {
    let m = make(ParamSet::Tc26_256A, "1234", PinEncodingChoice::Utf32, true);
    let c = CryptoProContainer::open(m.dir.path()).unwrap();
    let store = c.unlock("1234").unwrap();
    let sets = store.key_sets().unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].kind(), KeySetKind::Complete);
    assert_eq!(sets[0].label, "le-a1b2c3d4-5e6f");
    let signer = store.signer(&sets[0].id).unwrap();
    let sig = signer.sign(b"x").unwrap();
    m.cert
        .public_key()
        .unwrap()
        .verify(&signer.signature_algorithm(), b"x", &sig)
        .unwrap();
    for e in [
        store.generate(KeyAlgorithm::EcdsaP256, "x").unwrap_err(),
        store.delete(&sets[0].id).unwrap_err(),
        store.retire(&sets[0].id).unwrap_err(),
        store.import_key(&m.key, "x").unwrap_err(),
        store
            .install_certificate(&m.cert.to_der(), None)
            .unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::PreconditionFailed, "{e}");
    }
    assert!(
        store
            .find_by_certificate(&m.cert.to_der())
            .unwrap()
            .is_some()
    );

    let dir = tempfile::tempdir().unwrap();
    let mut target =
        FileContainer::create(dir.path().join("c"), SecretString::from("pw".to_string())).unwrap();
    target.set_kdf_iterations(1000);
    let set = target.import_key(store.key(), "из КриптоПро").unwrap();
    let set = target
        .install_certificate(&m.cert.to_der(), Some(&set.id))
        .unwrap();
    assert_eq!(set.kind(), KeySetKind::Complete);
    assert_eq!(
        target.software_key(&set.id).unwrap().public_key(),
        m.key.public_key()
    );
}
