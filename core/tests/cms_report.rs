//! The inspect report of CMS SignedData: signers, signatures, chain, and the CMS verdicts.

use bankkey::cms::{SignOptions, sign};
use bankkey::key::{Signer, SoftwareKey};
use bankkey::pki::Certificate;
use bankkey::report::{self, ObjectKind, Options, Reason};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openssl");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).unwrap()
}

#[test]
fn reports_signed_data() {
    for dir in ["gost2012_256-A", "ec-p256"] {
        let key = SoftwareKey::from_pkcs8_pem(
            &String::from_utf8(read(&format!("{dir}/key.pem"))).unwrap(),
        )
        .unwrap();
        let signer: &dyn Signer = &key;
        let cert = Certificate::from_pem(&read(&format!("{dir}/cert.pem"))).unwrap();
        let ca = Certificate::from_pem(&read(&format!("{dir}/ca.pem"))).unwrap();
        let content = b"payment order".to_vec();
        let attached = sign(&content, &[(signer, &cert)], &SignOptions::default()).unwrap();
        let detached = sign(
            &content,
            &[(signer, &cert)],
            &SignOptions {
                detached: true,
                ..SignOptions::default()
            },
        )
        .unwrap();
        let trusted = Options {
            trust: vec![ca.clone()],
            ..Options::default()
        };

        let r = report::inspect(&attached, &trusted);
        assert_eq!(r.kind, ObjectKind::SignedData);
        assert!(r.is_valid(), "{dir}: {}", r.to_json());
        assert_eq!(r.signers.len(), 1);
        assert_eq!(
            r.signers[0].serial.as_deref(),
            Some(cert.serial_hex().as_str())
        );
        assert_eq!(r.signers[0].signed_attributes.len(), 4);
        assert_eq!(r.detached, Some(false));
        assert!(r.chain.is_some());

        // PEM reads too; without anchors the signatures verify but the chain is skipped, and
        // a signature nobody vouches for is not valid: untrusted.
        let pem = bankkey::cms::SignedData::from_der(&attached)
            .unwrap()
            .to_pem();
        let r = report::inspect(pem.as_bytes(), &Options::default());
        assert!(!r.is_valid(), "{}", r.to_json());
        assert_eq!(r.reason, Some(Reason::Untrusted), "{}", r.to_json());
        assert_eq!(r.checks[0].outcome, report::Outcome::Passed);
        assert_eq!(r.checks[1].outcome, report::Outcome::Skipped);

        // Detached without content: no signature verified, so never valid, even with a full
        // chain (which is still judged); valid with the content, content-altered with another.
        let r = report::inspect(&detached, &trusted);
        assert!(!r.is_valid(), "{}", r.to_json());
        assert_eq!(r.reason, Some(Reason::ContentMissing), "{}", r.to_json());
        assert!(r.message.as_deref().unwrap().contains("--content"));
        assert!(r.chain.is_some(), "{}", r.to_json());
        let r = report::inspect(&detached, &Options::default());
        assert_eq!(r.reason, Some(Reason::ContentMissing), "{}", r.to_json());
        let expired = Options {
            at: Some(cert.not_after() + time::Duration::days(1)),
            trust: vec![ca.clone()],
            ..Options::default()
        };
        let r = report::inspect(&detached, &expired);
        assert_eq!(r.reason, Some(Reason::ContentMissing), "{}", r.to_json());
        assert!(
            r.checks
                .iter()
                .any(|c| c.name == "chain" && c.reason == Some(Reason::Expired)),
            "{}",
            r.to_json()
        );
        let with = Options {
            content: Some(content.clone()),
            trust: vec![ca.clone()],
            ..Options::default()
        };
        assert!(report::inspect(&detached, &with).is_valid());
        let altered = Options {
            content: Some(b"payment order!".to_vec()),
            ..with
        };
        let r = report::inspect(&detached, &altered);
        assert_eq!(r.reason, Some(Reason::ContentAltered), "{}", r.to_json());

        // Another CA: untrusted.
        let other = Certificate::from_pem(&read("rsa2048/ca.pem")).unwrap();
        let r = report::inspect(
            &attached,
            &Options {
                trust: vec![other],
                ..Options::default()
            },
        );
        assert_eq!(r.reason, Some(Reason::Untrusted), "{}", r.to_json());
    }
}

#[test]
fn bad_signature_is_reported() {
    let dir = "rsa2048";
    let key =
        SoftwareKey::from_pkcs8_pem(&String::from_utf8(read(&format!("{dir}/key.pem"))).unwrap())
            .unwrap();
    let signer: &dyn Signer = &key;
    let cert = Certificate::from_pem(&read(&format!("{dir}/cert.pem"))).unwrap();
    let signed = sign(b"x", &[(signer, &cert)], &SignOptions::default()).unwrap();
    // The DER ends with the signature: flipping its last octet keeps the structure.
    let mut bad = signed.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    let r = report::inspect(&bad, &Options::default());
    assert_eq!(r.reason, Some(Reason::BadSignature), "{}", r.to_json());
}
