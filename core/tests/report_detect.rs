//! `inspect` reads as DER what it reads as PEM, and says what unrecognised bytes look like
//! (issue 13, defects 6 and 7); CMS DigestedData is verified and EnvelopedData recognised
//! (issue 12), with OpenSSL's gost engine making the inputs.

mod common;

use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::pki::Certificate;
use bankkey::pki::pem;
use bankkey::report::{self, ObjectKind, Options, Reason};
use common::{TempDir, fixture, fixture_path, openssl};

const CONTENT: &[u8] = b"\xd0\x9f\xd0\xbb\xd0\xb0\xd1\x82\xd1\x91\xd0\xb6 \xe2\x84\x96 7\r\n";

fn der_of_pem(text: &[u8]) -> Vec<u8> {
    pem::blocks(text).unwrap()[0].der.clone()
}

fn p(path: std::path::PathBuf) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn inspect_reads_as_der_what_it_reads_as_pem() {
    let Some(ossl) = openssl() else { return };
    let tmp = TempDir::new("detect");
    let content = tmp.write("content.bin", CONTENT);
    let ca = Certificate::from_pem(&fixture("gost2012_256-A/ca.pem")).unwrap();
    let with_ca = Options {
        trust: vec![ca],
        content: Some(CONTENT.to_vec()),
        ..Options::default()
    };
    // A BER CMS message: indefinite lengths and the content in chunks (-stream).
    for (out, form) in [("ber.der", "DER"), ("ber.pem", "PEM")] {
        ossl.run(&[
            "cms",
            "-sign",
            "-engine",
            "gost",
            "-stream",
            "-nodetach",
            "-binary",
            "-signer",
            &p(fixture_path("gost2012_256-A/cert.pem")),
            "-inkey",
            &p(fixture_path("gost2012_256-A/key.pem")),
            "-in",
            &content,
            "-outform",
            form,
            "-out",
            &p(tmp.path(out)),
        ]);
    }
    let der = tmp.read("ber.der");
    assert_eq!(
        &der[..2],
        &[0x30, 0x80],
        "indefinite length, as -stream writes"
    );
    for input in [der, tmp.read("ber.pem")] {
        let r = report::inspect(&input, &with_ca);
        assert_eq!(r.kind, ObjectKind::SignedData);
        assert!(r.is_valid(), "{}", r.to_json());
    }
    // GOST-encrypted PKCS#8 keys (GOST 28147-89 and Kuznyechik), PEM and DER.
    let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256B)).unwrap();
    let plain = tmp.write("key.pem", key.to_pkcs8_pem().as_bytes());
    let with_password = Options {
        password: Some(zeroize::Zeroizing::new("пароль".as_bytes().to_vec())),
        ..Options::default()
    };
    for (cipher, prf) in [
        ("gost89", "1.2.643.7.1.1.4.1"),
        ("kuznyechik-ctr-acpkm", "1.2.643.7.1.1.4.2"),
    ] {
        let out = p(tmp.path(&format!("{cipher}.pem")));
        ossl.run(&[
            "pkcs8",
            "-engine",
            "gost",
            "-topk8",
            "-in",
            &plain,
            "-passout",
            "pass:пароль",
            "-v2",
            cipher,
            "-v2prf",
            prf,
            "-out",
            &out,
        ]);
        let pem_text = tmp.read(&format!("{cipher}.pem"));
        for input in [der_of_pem(&pem_text), pem_text] {
            let r = report::inspect(&input, &with_password);
            assert_eq!(r.kind, ObjectKind::PrivateKey, "{cipher}");
            assert!(r.is_valid(), "{cipher}: {}", r.to_json());
        }
    }
}

#[test]
fn an_unrecognised_file_is_named_for_what_it_looks_like() {
    let req = der_of_pem(&fixture("gost2012_256-A/req.pem"));
    let cert = der_of_pem(&fixture("gost2012_256-A/cert.pem"));
    let ca = Certificate::from_pem(&fixture("gost2012_256-A/ca.pem")).unwrap();
    let key = SoftwareKey::from_pkcs8_pem(&common::fixture_str("gost2012_256-A/key.pem")).unwrap();
    let cms = bankkey::cms::sign(
        CONTENT,
        &[(&key, &Certificate::from_der(&cert).unwrap())],
        &Default::default(),
    )
    .unwrap();
    let _ = ca;
    for (whole, kind, name) in [
        (&req, ObjectKind::CertificateRequest, "certificate request"),
        (&cert, ObjectKind::Certificate, "certificate"),
        (&cms, ObjectKind::SignedData, "ContentInfo"),
    ] {
        let truncated = &whole[..whole.len() * 2 / 3];
        let r = report::inspect(truncated, &Options::default());
        assert_eq!(r.kind, kind, "{}", r.to_json());
        assert_eq!(r.reason, Some(Reason::Malformed));
        let msg = r.message.unwrap();
        assert!(msg.contains(name), "{msg}");
        assert!(!msg.contains("not a certificate, request"), "{msg}");
    }
    // Bytes of no known shape say so, without blaming the certificate parser.
    let r = report::inspect(&[0x30, 0x03, 0x02, 0x01, 0x00], &Options::default());
    assert_eq!(r.kind, ObjectKind::Unknown);
    assert!(!r.message.unwrap().starts_with("certificate"));
}

#[test]
fn digested_data_is_verified_and_enveloped_data_recognised() {
    let Some(ossl) = openssl() else { return };
    let tmp = TempDir::new("digested");
    let content = tmp.write("content.bin", CONTENT);
    for md in ["md_gost12_256", "md_gost12_512"] {
        let out = p(tmp.path(&format!("{md}.der")));
        ossl.run(&[
            "cms",
            "-digest_create",
            "-engine",
            "gost",
            "-md",
            md,
            "-binary",
            "-in",
            &content,
            "-outform",
            "DER",
            "-out",
            &out,
        ]);
        let der = tmp.read(&format!("{md}.der"));
        let r = report::inspect(&der, &Options::default());
        assert_eq!(r.kind, ObjectKind::DigestedData);
        assert!(r.is_valid(), "{md}: {}", r.to_json());
        // The content changed under its digest: content-altered.
        let at = der
            .windows(CONTENT.len())
            .position(|w| w == CONTENT)
            .unwrap();
        let mut altered = der.clone();
        altered[at] ^= 1;
        let r = report::inspect(&altered, &Options::default());
        assert_eq!(r.reason, Some(Reason::ContentAltered), "{}", r.to_json());
    }
    // EnvelopedData for a GOST 2012 recipient (GOST 28147-89, Kuznyechik): recognised, its
    // recipient named, never valid.
    let cert = Certificate::from_pem(&fixture("gost2012_256-A/cert.pem")).unwrap();
    for cipher in ["-gost89", "-kuznyechik-ctr-acpkm"] {
        let out = p(tmp.path("env.der"));
        ossl.run(&[
            "cms",
            "-encrypt",
            "-engine",
            "gost",
            "-binary",
            "-in",
            &content,
            "-outform",
            "DER",
            "-out",
            &out,
            cipher,
            &p(fixture_path("gost2012_256-A/cert.pem")),
        ]);
        let r = report::inspect(&tmp.read("env.der"), &Options::default());
        assert_eq!(r.kind, ObjectKind::EnvelopedData, "{}", r.to_json());
        assert!(!r.is_valid());
        assert_eq!(r.reason, Some(Reason::NotVerifiable));
        assert_eq!(r.recipients.len(), 1, "{cipher}");
        assert_eq!(
            r.recipients[0].serial.as_deref(),
            Some(cert.serial_hex().as_str())
        );
    }
}
