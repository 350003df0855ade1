//! The parts of the Rust API that the C ABI and the Python package stand on: shared stores
//! and signers (no handle consumed), one `from_der_or_pem` for every parser, the verifying
//! signer for host callbacks, the read-only registry, the bank's paper-act check by key text,
//! and `verify_request` from `bankkey::bank`.

use std::sync::Arc;

use bankkey::ErrorKind;
use bankkey::bank::{Bank, Crl, Registry, verify_request};
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, PublicKey, Signer, SoftwareKey, VerifyingSigner};
use bankkey::lifecycle::{Client, Flow, RequestStatus, SqliteJournal};
use bankkey::pki::{
    Certificate, CertificateBuilder, CertificateRequest, CrlBuilder, RequestBuilder,
};
use bankkey::store::{FileContainer, KeyStore};
use bankkey::subject::{AttributeType as A, Subject};
use secrecy::SecretString;
use spki::AlgorithmIdentifierOwned;
use time::{Duration, OffsetDateTime, macros::datetime};

fn t0() -> OffsetDateTime {
    datetime!(2026-03-02 09:00 UTC)
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

fn ca() -> (SoftwareKey, Certificate) {
    let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256B)).unwrap();
    let subject = Subject::new()
        .with(A::CommonName, "Test CA")
        .with(A::Organization, "bankkey tests")
        .with(A::Country, "RU");
    let cert = CertificateBuilder::new(&subject, &key.public_key())
        .unwrap()
        .ca(None)
        .sign(None, &key)
        .unwrap();
    (key, cert)
}

#[test]
fn shared_stores_and_signers_are_not_consumed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = FileContainer::create(tmp.path().join("c"), SecretString::from("pw")).unwrap();
    c.set_kdf_iterations(1000);
    let store = Arc::new(c);
    // The binding's handle and the client's box are the same container.
    let journal = SqliteJournal::open(tmp.path().join("journal.db")).unwrap();
    let client = Client::open(Box::new(store.clone()), Box::new(journal)).unwrap();
    let set = store
        .generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A), "k")
        .unwrap();
    assert_eq!(client.store().key_sets().unwrap(), vec![set.clone()]);
    drop(client);
    assert_eq!(store.key_sets().unwrap().len(), 1);

    let signer: Arc<dyn Signer> = Arc::from(store.signer(&set.id).unwrap());
    let (ca_key, ca_cert) = ca();
    let shared_ca: Arc<dyn Signer> = Arc::new(ca_key);
    let bank = Bank::new(
        Registry::in_memory().unwrap(),
        ca_cert,
        Box::new(shared_ca.clone()),
    )
    .unwrap();
    drop(bank);
    // Both handles still sign.
    for s in [&signer, &shared_ca] {
        let sig = s.sign(b"message").unwrap();
        s.public_key()
            .verify(&s.signature_algorithm(), b"message", &sig)
            .unwrap();
    }
}

#[test]
fn every_parser_reads_der_and_pem_under_one_name() {
    let (ca_key, ca_cert) = ca();
    let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A)).unwrap();
    let req = RequestBuilder::new(person()).build(&key).unwrap();
    let crl_der = CrlBuilder::new(t0(), t0() + Duration::days(7), 1)
        .sign(&ca_cert, &ca_key)
        .unwrap();
    let crl = Crl::from_der(&crl_der).unwrap();

    let cert_pem = ca_cert.to_pem();
    for input in [ca_cert.der(), cert_pem.as_bytes()] {
        assert_eq!(Certificate::from_der_or_pem(input).unwrap(), ca_cert);
    }
    let req_pem = req.to_pem();
    for input in [&req.to_der()[..], req_pem.as_bytes()] {
        assert_eq!(CertificateRequest::from_der_or_pem(input).unwrap(), req);
    }
    assert_eq!(crl.der(), crl_der);
    let crl_pem = bankkey::pki::pem::encode("X509 CRL", &crl_der);
    for input in [&crl_der[..], crl_pem.as_bytes()] {
        assert_eq!(Crl::from_der_or_pem(input).unwrap().der(), crl_der);
    }
    let public = key.public_key();
    let pub_pem = public.to_pem();
    for input in [&public.to_spki_der()[..], pub_pem.as_bytes()] {
        assert_eq!(PublicKey::from_der_or_pem(input).unwrap(), public);
    }
    for bad in [&b""[..], b"\xff\xfe", b"hello", b"\x30\x03\x02\x01"] {
        assert_eq!(
            Certificate::from_der_or_pem(bad).unwrap_err().kind(),
            ErrorKind::MalformedEncoding
        );
        assert_eq!(
            PublicKey::from_der_or_pem(bad).unwrap_err().kind(),
            ErrorKind::MalformedEncoding
        );
    }
}

/// What a host does to a good signature.
type Mangle = fn(Vec<u8>) -> Vec<u8>;

/// A host signer that gets the byte order or the halves wrong, as C callbacks do.
struct Host {
    key: SoftwareKey,
    mangle: Mangle,
}

impl Signer for Host {
    fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        self.key.signature_algorithm()
    }
    fn sign(&self, msg: &[u8]) -> bankkey::Result<Vec<u8>> {
        Ok((self.mangle)(self.key.sign(msg)?))
    }
}

#[test]
fn a_verifying_signer_refuses_a_bad_host_signature_and_says_why() {
    fn reverse(mut v: Vec<u8>) -> Vec<u8> {
        v.reverse();
        v
    }
    fn swap(v: Vec<u8>) -> Vec<u8> {
        let h = v.len() / 2;
        [&v[h..], &v[..h]].concat()
    }
    fn flip(mut v: Vec<u8>) -> Vec<u8> {
        v[3] ^= 1;
        v
    }
    let cases: [(Mangle, &str); 3] = [
        (reverse, "reverse order"),
        (swap, "r‖s"),
        (flip, "another key"),
    ];
    for ps in [ParamSet::Tc26_256A, ParamSet::Tc26_512A] {
        let key = SoftwareKey::generate(KeyAlgorithm::Gost(ps)).unwrap();
        let good = VerifyingSigner::new(Host {
            key: SoftwareKey::from_pkcs8_der(&key.to_pkcs8_der()).unwrap(),
            mangle: |v| v,
        });
        let sig = good.sign(b"msg").unwrap();
        key.public_key()
            .verify(&key.signature_algorithm(), b"msg", &sig)
            .unwrap();
        for (mangle, hint) in cases {
            let bad = VerifyingSigner::new(Host {
                key: SoftwareKey::from_pkcs8_der(&key.to_pkcs8_der()).unwrap(),
                mangle,
            });
            let e = bad.sign(b"msg").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::BadSignature);
            assert_eq!(e.field(), Some("signature"));
            assert!(e.message().contains(hint), "{hint}: {e}");
        }
    }
    // ECDSA as raw r‖s.
    let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let raw = VerifyingSigner::new(Host {
        key,
        mangle: |der| {
            let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
            sig.to_bytes().to_vec()
        },
    });
    let e = raw.sign(b"msg").unwrap_err();
    assert!(e.message().contains("raw r‖s"), "{e}");
}

#[test]
fn a_read_only_registry_never_appears_from_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("registry.db");
    let e = Registry::open_read_only(&path).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.message().contains("registry.db"), "{e}");
    assert!(!path.exists(), "opening read-only created the file");

    drop(Registry::open(&path).unwrap());
    let r = Registry::open_read_only(&path).unwrap();
    assert!(r.expiring_within(30, t0()).unwrap().is_empty());

    std::fs::write(tmp.path().join("not.db"), b"not a database").unwrap();
    let e = Registry::open_read_only(tmp.path().join("not.db")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage);
}

#[test]
fn the_bank_checks_a_paper_act_by_its_printed_key() {
    let (ca_key, ca_cert) = ca();
    let mut bank = Bank::new(Registry::in_memory().unwrap(), ca_cert, Box::new(ca_key)).unwrap();
    bank.preregister(&person(), t0()).unwrap();
    // The key's hex as an operator types it off the paper.
    let act_text = |k: &SoftwareKey| {
        bankkey::documents::KeyDescription::from_spki_der(&k.public_key().to_spki_der())
            .unwrap()
            .public_key_lines()
            .join("\n")
    };
    let new_key = || SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A)).unwrap();
    let (first_key, second_key) = (new_key(), new_key());
    let first_req = RequestBuilder::new(person()).build(&first_key).unwrap();
    let first = bank
        .receive(Flow::PaperActs, &first_req.to_der(), t0())
        .unwrap();
    assert_eq!(first.status, RequestStatus::AwaitingPaperDocuments);
    // Another key printed on the paper: rejected, with the reason recorded.
    let r = bank
        .check_paper_act(&first.request_id, &act_text(&new_key()), t0())
        .unwrap();
    assert_eq!(r.status, RequestStatus::Rejected);
    assert_eq!(
        r.rejection.unwrap().reason,
        bankkey::bank::RejectReason::PaperActMismatch
    );
    // The request's own key: it may be issued.
    let second_req = RequestBuilder::new(person()).build(&second_key).unwrap();
    let second = bank
        .receive(Flow::PaperActs, &second_req.to_der(), t0())
        .unwrap();
    // The act's whole text, as rendered (or as pdftotext or a scanner gives it back).
    let details = bankkey::documents::DocumentDetails::new("АО «Банк»", t0().date());
    let act = bankkey::documents::Act::from_request(&second_req, &details)
        .unwrap()
        .to_text();
    let r = bank
        .check_paper_act(&second.request_id, &act, t0())
        .unwrap();
    assert_eq!(r.status, RequestStatus::AwaitingPaperDocuments, "{r:?}");
    bank.issue(&second.request_id, t0()).unwrap();
    // Checked again: wrong state.
    let e = bank
        .check_paper_act(&second.request_id, &act_text(&second_key), t0())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongState);
}

#[test]
fn verify_request_is_reachable_from_the_bank_module() {
    let registry = Registry::in_memory().unwrap();
    let out = verify_request(
        Flow::Remote,
        b"not a request",
        &registry,
        &[],
        &Default::default(),
        t0(),
    )
    .unwrap();
    let failed = out.unwrap_err();
    assert_eq!(
        failed.rejection.reason,
        bankkey::bank::RejectReason::Malformed
    );
}
