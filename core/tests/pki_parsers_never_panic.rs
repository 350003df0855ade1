//! Any byte string fed to the PKI and CMS parsers returns an error (or a value), never a panic:
//! random bytes, truncations and byte changes of valid DER, BER (CMS) and PEM.

mod common;

use bankkey::cms::{self, SignOptions, SignedData, SignedRequest};
use bankkey::key::SoftwareKey;
use bankkey::pki::{Certificate, CertificateRequest, Extension, KeyInfo, pem};
use bankkey::report::{self, Options};
use proptest::prelude::*;

fn samples() -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    for f in ["gost2012_256-A", "gost2012_512-C", "rsa2048", "ec-p256"] {
        for name in ["cert.pem", "req.pem", "ca.pem", "pub.pem", "key.pem"] {
            v.push(common::fixture(&format!("{f}/{name}")));
        }
    }
    v.push(common::fixture(
        "encrypted/gost2012_256-A.aes-256-cbc.hmac-sha256.pem",
    ));
    v
}

/// CMS SignedData made with a fixture key: DER, and the same with the outer SEQUENCE and the
/// content in BER (indefinite lengths), as streaming signers write it.
fn cms_samples() -> Vec<Vec<u8>> {
    let key = SoftwareKey::from_pkcs8_pem(&common::fixture_str("gost2012_256-A/key.pem")).unwrap();
    let cert = Certificate::from_pem(&common::fixture("gost2012_256-A/cert.pem")).unwrap();
    let der = cms::sign(b"content", &[(&key, &cert)], &SignOptions::default()).unwrap();
    // 30 82 hi lo <body>  ->  30 80 <body> 00 00
    assert_eq!(&der[..2], &[0x30, 0x82]);
    let mut ber = vec![0x30, 0x80];
    ber.extend_from_slice(&der[4..]);
    ber.extend_from_slice(&[0, 0]);
    assert_eq!(SignedData::from_der(&ber).unwrap().to_der(), der);
    vec![der, ber]
}

fn ders() -> Vec<Vec<u8>> {
    samples()
        .iter()
        .flat_map(|s| pem::blocks(s).unwrap())
        .map(|mut b| std::mem::take(&mut b.der))
        .collect()
}

const EXTENSION_OIDS: &[&str] = &[
    "2.5.29.15",
    "2.5.29.37",
    "2.5.29.32",
    "1.2.643.100.111",
    "1.2.643.100.112",
    "1.2.643.100.114",
    "2.5.29.16",
    "2.5.29.19",
    "2.5.29.14",
    "2.5.29.35",
];

/// Every parser over `bytes`; the results are dropped, only panics matter.
fn feed(bytes: &[u8]) {
    let _ = Certificate::from_der(bytes);
    let _ = Certificate::from_pem(bytes);
    let _ = Certificate::all_from_pem(bytes);
    let _ = CertificateRequest::from_der(bytes);
    let _ = CertificateRequest::from_pem(bytes);
    let _ = KeyInfo::from_spki_der(bytes);
    let _ = pem::blocks(bytes);
    let _ = SignedData::from_der_or_pem(bytes);
    let _ = SignedRequest::from_der_or_pem(bytes);
    for o in EXTENSION_OIDS {
        let _ = Extension::decode(const_oid::ObjectIdentifier::new_unwrap(o), false, bytes);
    }
    let options = Options {
        password: Some(zeroize::Zeroizing::new(b"bankkey-test".to_vec())),
        ..Default::default()
    };
    let r = report::inspect(bytes, &options);
    let _ = r.to_json();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        feed(&bytes);
        // Random bytes behind a valid-looking start.
        let mut with_seq = vec![0x30, 0x82, 0x01, 0x00];
        with_seq.extend_from_slice(&bytes);
        feed(&with_seq);
    }

    #[test]
    fn truncated_and_changed(sample in 0usize..64, cut in any::<prop::sample::Index>(),
                             at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let all: Vec<Vec<u8>> = samples().into_iter().chain(ders()).chain(cms_samples()).collect();
        let s = &all[sample % all.len()];
        let cut = cut.index(s.len() + 1);
        feed(&s[..cut]);
        let mut changed = s.clone();
        if !changed.is_empty() {
            let i = at.index(changed.len());
            changed[i] = byte;
        }
        feed(&changed);
    }
}

#[test]
fn every_truncation_of_every_der_is_an_error() {
    for der in ders() {
        for cut in 0..der.len() {
            let t = &der[..cut];
            assert!(Certificate::from_der(t).is_err());
            assert!(CertificateRequest::from_der(t).is_err());
            let r = report::inspect(t, &Options::default());
            assert!(!r.is_valid());
        }
    }
}
