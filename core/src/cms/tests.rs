//! Unit tests: round trips with the RSA and P-256 fixture keys, every failure kind, and
//! never-panic properties of the reader.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData as RawSignedData;
use der::{Any, Decode, Encode};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime, macros::datetime};

use super::*;
use crate::ErrorKind;
use crate::key::{KeyAlgorithm, SoftwareKey};
use crate::pki::{Certificate, CertificateRequest};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openssl");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).unwrap()
}

struct Party {
    key: SoftwareKey,
    cert: Certificate,
    ca: Certificate,
}

fn party(dir: &str) -> Party {
    Party {
        key: SoftwareKey::from_pkcs8_pem(
            &String::from_utf8(read(&format!("{dir}/key.pem"))).unwrap(),
        )
        .unwrap(),
        cert: Certificate::from_pem(&read(&format!("{dir}/cert.pem"))).unwrap(),
        ca: Certificate::from_pem(&read(&format!("{dir}/ca.pem"))).unwrap(),
    }
}

fn at() -> OffsetDateTime {
    datetime!(2027-06-01 12:00 UTC)
}

fn options(detached: bool) -> SignOptions {
    SignOptions {
        detached,
        signing_time: Some(at()),
        ..SignOptions::default()
    }
}

fn verify_opts(anchors: &[&Party], content: Option<&[u8]>) -> VerifyOptions {
    VerifyOptions {
        content: content.map(<[u8]>::to_vec),
        anchors: anchors.iter().map(|p| p.ca.clone()).collect(),
        ..VerifyOptions::default()
    }
}

const MSG: &[u8] = b"\xd0\x9f\xd0\xbb\xd0\xb0\xd1\x82\xd1\x91\xd0\xb6 \xe2\x84\x96 1";

#[test]
fn attached_and_detached_round_trip() {
    for (dir, digest) in [
        ("rsa2048", DigestAlgorithm::Sha256),
        ("ec-p256", DigestAlgorithm::Sha256),
        ("gost2012_256-A", DigestAlgorithm::Streebog256),
        ("gost2012_256-TCA", DigestAlgorithm::Streebog256),
        ("gost2012_512-A", DigestAlgorithm::Streebog512),
        ("gost2012_512-C", DigestAlgorithm::Streebog512),
    ] {
        let p = party(dir);
        for detached in [false, true] {
            let der = sign(MSG, &[(&p.key, &p.cert)], &options(detached)).unwrap();
            let sd = SignedData::from_der(&der).unwrap();
            assert_eq!(sd.is_detached(), detached);
            assert_eq!(sd.content_type(), crate::oid::CT_DATA);
            assert_eq!(sd.certificates(), std::slice::from_ref(&p.cert));
            let si = &sd.signers()[0];
            assert_eq!(si.signing_time(), Some(at()));
            assert_eq!(si.digest_algorithm().oid, digest.oid());
            assert_eq!(si.message_digest().unwrap(), digest.digest(MSG));
            let scv2 = si.signing_certificate_v2().unwrap();
            assert!(scv2[0].matches(&p.cert).unwrap());
            assert_eq!(scv2[0].hash_algorithm, digest.oid());
            let content = detached.then_some(MSG);
            let v = sd.verify(&verify_opts(&[&p], content)).unwrap();
            assert_eq!(v.len(), 1);
            assert_eq!(v[0].certificate, p.cert);
            assert_eq!(v[0].checked_at, at());
            assert_eq!(v[0].chain.anchor(), &p.ca);
            // PEM round trip.
            let again = SignedData::from_pem(sd.to_pem().as_bytes()).unwrap();
            assert_eq!(again, sd);
            if detached {
                let e = sd.verify(&verify_opts(&[&p], None)).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::InvalidInput);
            } else {
                assert_eq!(sd.content(), Some(MSG));
            }
        }
    }
}

#[test]
fn tampered_content_is_content_altered() {
    let p = party("ec-p256");
    let der = sign(MSG, &[(&p.key, &p.cert)], &options(true)).unwrap();
    let sd = SignedData::from_der(&der).unwrap();
    let e = sd.verify(&verify_opts(&[&p], Some(b"other"))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentAltered);
    assert_eq!(e.field(), Some("signerInfos[0]"));

    // Attached: change one octet of the content inside the DER.
    let der = sign(MSG, &[(&p.key, &p.cert)], &options(false)).unwrap();
    let at_msg = der.windows(MSG.len()).position(|w| w == MSG).unwrap();
    let mut bad = der.clone();
    bad[at_msg] ^= 1;
    let e = SignedData::from_der(&bad)
        .unwrap()
        .verify(&verify_opts(&[&p], None))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentAltered);
    // Given content that differs from the content carried.
    let e = SignedData::from_der(&der)
        .unwrap()
        .verify(&verify_opts(&[&p], Some(b"x")))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentAltered);
}

/// Re-encodes a SignedData after `edit` (for tests that need a structure we never write).
fn edit(der: &[u8], f: impl FnOnce(&mut RawSignedData)) -> Vec<u8> {
    let mut ci = ContentInfo::from_der(der).unwrap();
    let mut sd: RawSignedData = ci.content.decode_as().unwrap();
    f(&mut sd);
    ci.content = Any::encode_from(&sd).unwrap();
    ci.to_der().unwrap()
}

#[test]
fn bad_signature_missing_certificate_untrusted_expired() {
    let p = party("rsa2048");
    let other = party("ec-p256");
    let der = sign(MSG, &[(&p.key, &p.cert)], &options(false)).unwrap();

    let bad = edit(&der, |sd| {
        let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
        let mut sig = infos[0].signature.as_bytes().to_vec();
        sig[10] ^= 0x40;
        infos[0].signature = der::asn1::OctetString::new(sig).unwrap();
        sd.signer_infos.0 = infos.try_into().unwrap();
    });
    let e = SignedData::from_der(&bad)
        .unwrap()
        .verify(&verify_opts(&[&p], None))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");

    let bare = edit(&der, |sd| sd.certificates = None);
    let sd = SignedData::from_der(&bare).unwrap();
    let e = sd.verify(&verify_opts(&[&p], None)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SignerCertificateMissing, "{e}");
    // Given from outside, the certificate is found.
    let mut opts = verify_opts(&[&p], None);
    opts.certificates = vec![p.cert.clone()];
    sd.verify(&opts).unwrap();
    // The wrong certificate given is still missing.
    assert_eq!(
        sd.verify_signatures(None, std::slice::from_ref(&other.cert))
            .unwrap_err()
            .kind(),
        ErrorKind::SignerCertificateMissing
    );

    let sd = SignedData::from_der(&der).unwrap();
    let e = sd.verify(&verify_opts(&[&other], None)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UntrustedIssuer, "{e}");
    let e = sd.verify(&verify_opts(&[], None)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UntrustedIssuer, "{e}");

    let mut late = verify_opts(&[&p], None);
    late.at = Some(p.cert.not_after() + Duration::days(1));
    assert_eq!(sd.verify(&late).unwrap_err().kind(), ErrorKind::Expired);
    let mut early = verify_opts(&[&p], None);
    early.at = Some(p.cert.not_before() - Duration::days(1));
    assert_eq!(
        sd.verify(&early).unwrap_err().kind(),
        ErrorKind::NotYetValid
    );
    // The signing time decides when no time is given.
    let old = sign(
        MSG,
        &[(&p.key, &p.cert)],
        &SignOptions {
            signing_time: Some(p.cert.not_after() + Duration::days(3)),
            ..SignOptions::default()
        },
    )
    .unwrap();
    let e = SignedData::from_der(&old)
        .unwrap()
        .verify(&verify_opts(&[&p], None))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired);
}

#[test]
fn several_signers_and_key_identifiers() {
    let a = party("rsa2048");
    let b = party("ec-p256");
    let opts = SignOptions {
        by_key_identifier: true,
        ..options(false)
    };
    let der = sign(MSG, &[(&a.key, &a.cert), (&b.key, &b.cert)], &opts).unwrap();
    let sd = SignedData::from_der(&der).unwrap();
    assert_eq!(sd.signers().len(), 2);
    assert!(
        sd.signers()
            .iter()
            .all(|s| matches!(s.sid(), SignerId::KeyIdentifier(_)))
    );
    let v = sd.verify(&verify_opts(&[&a, &b], None)).unwrap();
    let mut got: Vec<_> = v.iter().map(|s| s.certificate.clone()).collect();
    got.sort_by_key(|c| c.der().to_vec());
    let mut want = vec![a.cert.clone(), b.cert.clone()];
    want.sort_by_key(|c| c.der().to_vec());
    assert_eq!(got, want);
    // One anchor missing: the other signer is untrusted.
    let e = sd.verify(&verify_opts(&[&a], None)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UntrustedIssuer);
}

#[test]
fn signer_and_certificate_must_match() {
    let a = party("rsa2048");
    let b = party("ec-p256");
    let e = sign(MSG, &[(&a.key, &b.cert)], &options(false)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
    assert_eq!(e.field(), Some("signers[0]"));
    let e = sign(MSG, &[], &options(false)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[test]
fn signed_request_round_trip() {
    let p = party("ec-p256");
    let request = CertificateRequest::from_pem(&read("rsa2048/req.pem")).unwrap();
    let signed = SignedRequest::new(&request, &p.key, &p.cert).unwrap();
    let read_back = SignedRequest::from_der_or_pem(signed.to_pem().as_bytes()).unwrap();
    let (req, signer) = read_back.verify(std::slice::from_ref(&p.ca), at()).unwrap();
    assert_eq!(req, request);
    assert_eq!(signer, p.cert);
    let late = p.cert.not_after() + Duration::days(1);
    assert_eq!(
        read_back
            .verify(std::slice::from_ref(&p.ca), late)
            .unwrap_err()
            .kind(),
        ErrorKind::Expired
    );
    let other = party("rsa2048");
    assert_eq!(
        read_back.verify(&[other.ca], at()).unwrap_err().kind(),
        ErrorKind::UntrustedIssuer
    );
    // Content that is not a request: signed fine, refused as a request.
    let der = sign(b"not a request", &[(&p.key, &p.cert)], &options(false)).unwrap();
    let sr = SignedRequest::from_der_or_pem(&der).unwrap();
    assert_eq!(
        sr.verify(std::slice::from_ref(&p.ca), at())
            .unwrap_err()
            .kind(),
        ErrorKind::MalformedEncoding
    );
    // Detached is refused.
    let der = sign(request.der(), &[(&p.key, &p.cert)], &options(true)).unwrap();
    assert_eq!(
        SignedRequest::from_der_or_pem(&der).unwrap_err().kind(),
        ErrorKind::MalformedEncoding
    );
    // The signingTime as given, not the clock's.
    let dated = SignedRequest::new_at(&request, &p.key, &p.cert, at()).unwrap();
    assert_eq!(dated.signed_data().signers()[0].signing_time(), Some(at()));
    dated.verify(std::slice::from_ref(&p.ca), at()).unwrap();
    // A freshly generated key signs too.
    let fresh = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let e = SignedRequest::new(&request, &fresh, &p.cert).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
}

#[test]
fn signature_algorithm_conventions() {
    use crate::oid;
    let check = |o, d| {
        DigestAlgorithm::signature_algorithm_for(
            &spki::AlgorithmIdentifierOwned {
                oid: o,
                parameters: Some(Any::null()),
            },
            d,
        )
        .map(|a| a.oid)
    };
    let g256 = DigestAlgorithm::Streebog256;
    let g512 = DigestAlgorithm::Streebog512;
    let sha = DigestAlgorithm::Sha256;
    assert_eq!(
        check(oid::GOST3410_12_256, g256).unwrap(),
        oid::SIGN_WITH_DIGEST_GOST3410_12_256
    );
    assert_eq!(
        check(oid::SIGN_WITH_DIGEST_GOST3410_12_256, g256).unwrap(),
        oid::SIGN_WITH_DIGEST_GOST3410_12_256
    );
    assert_eq!(
        check(oid::GOST3410_12_512, g512).unwrap(),
        oid::SIGN_WITH_DIGEST_GOST3410_12_512
    );
    assert_eq!(
        check(oid::RSA_ENCRYPTION, sha).unwrap(),
        oid::SHA256_WITH_RSA
    );
    assert_eq!(
        check(oid::GOST3410_12_256, sha).unwrap_err().kind(),
        ErrorKind::UnsupportedAlgorithm
    );
    assert_eq!(
        check(oid::GOST3410_12_512, g256).unwrap_err().kind(),
        ErrorKind::UnsupportedAlgorithm
    );
    assert_eq!(
        check(oid::SHA256, sha).unwrap_err().kind(),
        ErrorKind::UnsupportedAlgorithm
    );
    assert!(same_serial(&[0, 0x80], &[0x80]));
    assert!(same_serial(&[0], &[0]));
    assert!(!same_serial(&[1], &[2]));
}

fn feed(bytes: &[u8]) {
    if let Ok(sd) = SignedData::from_der(bytes) {
        let _ = sd.verify_signatures(Some(MSG), &[]);
        let _ = sd.verify(&VerifyOptions::default());
    }
    let _ = SignedData::from_pem(bytes);
    let _ = SignedRequest::from_der_or_pem(bytes);
}

fn sample() -> Vec<u8> {
    let p = party("ec-p256");
    sign(MSG, &[(&p.key, &p.cert)], &options(false)).unwrap()
}

#[test]
fn every_truncation_is_an_error() {
    let der = sample();
    for len in 0..der.len() {
        assert!(SignedData::from_der(&der[..len]).is_err(), "length {len}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        feed(&bytes);
        let mut prefixed = vec![0x30, 0x82];
        prefixed.extend_from_slice(&bytes);
        feed(&prefixed);
    }

    #[test]
    fn flipped_bits_never_panic(at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut der = sample();
        let i = at.index(der.len());
        der[i] ^= 1 << bit;
        feed(&der);
        // Every flip of a signed message is refused, or verifies only as the same message.
        if let Ok(sd) = SignedData::from_der(&der) {
            let p = party("ec-p256");
            if let Ok(v) = sd.verify(&verify_opts(&[&p], None)) {
                prop_assert_eq!(sd.content(), Some(MSG));
                prop_assert_eq!(&v[0].certificate, &p.cert);
            }
        }
    }
}

#[test]
fn a_certificate_without_a_signing_key_usage_is_refused() {
    use crate::pki::{CertificateBuilder, KeyUsageBit};
    use crate::subject::{AttributeType, Subject};
    let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let ca_key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let validity = (at() - Duration::days(1), at() + Duration::days(1));
    let ca = CertificateBuilder::new(
        &Subject::new().with(AttributeType::CommonName, "test CA"),
        &ca_key.public_key(),
    )
    .unwrap()
    .validity(validity.0, validity.1)
    .ca(None)
    .key_usage(&[KeyUsageBit::KeyCertSign, KeyUsageBit::CrlSign])
    .sign(None, &ca_key)
    .unwrap();
    let subject = Subject::new().with(AttributeType::CommonName, "subscriber");
    let make = |bits: &[KeyUsageBit]| {
        CertificateBuilder::new(&subject, &key.public_key())
            .unwrap()
            .validity(validity.0, validity.1)
            .key_usage(bits)
            .sign(Some(&ca), &ca_key)
            .unwrap()
    };
    let check = |cert: &Certificate| {
        let der = sign(MSG, &[(&key, cert)], &options(false)).unwrap();
        SignedData::from_der(&der).unwrap().verify(&VerifyOptions {
            anchors: vec![ca.clone()],
            ..VerifyOptions::default()
        })
    };
    let e = check(&make(&[
        KeyUsageBit::KeyEncipherment,
        KeyUsageBit::KeyAgreement,
    ]))
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyUsageNotAllowed, "{e}");
    assert_eq!(e.field(), Some("signerInfos[0]"));
    check(&make(&[KeyUsageBit::NonRepudiation])).unwrap();
    check(&make(&[KeyUsageBit::DigitalSignature])).unwrap();
}
