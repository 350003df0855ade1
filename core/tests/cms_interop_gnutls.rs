//! CMS SignedData against GnuTLS `certtool --p7-sign/--p7-verify` for the three GOST keys in
//! `fixtures/openssl/gnutls/`: GnuTLS writes the GOST *signature* OID in signatureAlgorithm
//! (OpenSSL writes the key OID) and, without `--p7-time`, no signed attributes at all.

mod common;

use bankkey::ErrorKind;
use bankkey::cms::{SignOptions, SignedData, VerifyOptions, sign};
use bankkey::key::{Signer, SoftwareKey};
use bankkey::pki::Certificate;
use common::{TempDir, fixture, fixture_str, fixtures};

const SETS: &[&str] = &["CryptoPro-A", "TC26-256-B", "TC26-512-A"];

const CONTENT: &[u8] =
    b"\xd0\x97\xd0\xb0\xd1\x8f\xd0\xb2\xd0\xbb\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5\n";

fn file(set: &str, suffix: &str) -> String {
    fixtures()
        .join("gnutls")
        .join(format!("{set}.{suffix}"))
        .to_string_lossy()
        .into_owned()
}

#[test]
fn we_verify_what_certtool_signs() {
    let Some(certtool) = common::certtool() else {
        return;
    };
    for set in SETS {
        let tmp = TempDir::new("cms-certtool-signs");
        let content = tmp.write("content.bin", CONTENT);
        let ca = Certificate::from_pem(&fixture(&format!("gnutls/{set}.cert.pem"))).unwrap();
        for (extra, detached, with_attrs) in [
            (&[][..], false, false),
            (&["--p7-time"][..], false, true),
            (&["--p7-time", "--p7-detached-sign"][..], true, true),
        ] {
            let out = tmp.path("sig.der").to_string_lossy().into_owned();
            let (k, c) = (file(set, "key.pem"), file(set, "cert.pem"));
            let mut args = vec![
                "--p7-sign",
                "--load-privkey",
                &k,
                "--load-certificate",
                &c,
                "--infile",
                &content,
                "--outder",
                "--outfile",
                &out,
            ];
            args.extend_from_slice(extra);
            certtool.run(&args);
            let sd = SignedData::from_der(&tmp.read("sig.der")).unwrap();
            let si = &sd.signers()[0];
            assert_eq!(si.has_signed_attributes(), with_attrs, "{set} {extra:?}");
            let sig_oid = si.signature_algorithm().oid;
            assert!(
                sig_oid == bankkey::oid::SIGN_WITH_DIGEST_GOST3410_12_256
                    || sig_oid == bankkey::oid::SIGN_WITH_DIGEST_GOST3410_12_512,
                "{set}: {sig_oid}"
            );
            let opts = VerifyOptions {
                content: detached.then(|| CONTENT.to_vec()),
                anchors: vec![ca.clone()],
                ..VerifyOptions::default()
            };
            let v = sd
                .verify(&opts)
                .unwrap_or_else(|e| panic!("{set} {extra:?}: {e}"));
            assert_eq!(v[0].certificate, ca);
            let mut bad = CONTENT.to_vec();
            bad[1] ^= 4;
            let e = sd
                .verify(&VerifyOptions {
                    content: Some(bad),
                    ..opts.clone()
                })
                .unwrap_err();
            // Given content must be the content carried; without signed attributes a changed
            // detached content can only show as a bad signature.
            let want = if detached && !with_attrs {
                ErrorKind::BadSignature
            } else {
                ErrorKind::ContentAltered
            };
            assert_eq!(e.kind(), want, "{set} {extra:?}: {e}");
        }
    }
}

#[test]
fn certtool_verifies_what_we_sign() {
    let Some(certtool) = common::certtool() else {
        return;
    };
    for set in SETS {
        let tmp = TempDir::new("cms-we-sign-certtool");
        let key = SoftwareKey::from_pkcs8_pem(&fixture_str(&format!("gnutls/{set}.key.pem")))
            .unwrap_or_else(|e| panic!("{set}: {e}"));
        let signer: &dyn Signer = &key;
        let cert = Certificate::from_pem(&fixture(&format!("gnutls/{set}.cert.pem"))).unwrap();
        let ca = file(set, "cert.pem");
        let content = tmp.write("content.bin", CONTENT);
        let mut bad = CONTENT.to_vec();
        bad[0] ^= 1;
        let bad = tmp.write("bad.bin", bad);
        for detached in [false, true] {
            let der = sign(
                CONTENT,
                &[(signer, &cert)],
                &SignOptions {
                    detached,
                    ..SignOptions::default()
                },
            )
            .unwrap();
            let sig = tmp.write("sig.der", &der);
            let verify = |data: Option<&str>| {
                let mut args = vec![
                    "--p7-verify",
                    "--inder",
                    "--infile",
                    &sig,
                    "--load-ca-certificate",
                    &ca,
                ];
                if let Some(d) = data {
                    args.extend(["--load-data", d]);
                }
                certtool.try_run(&args)
            };
            let ok = verify(detached.then_some(content.as_str()));
            assert!(
                ok.status.success(),
                "{set} detached={detached}: certtool --p7-verify failed:\n{}{}",
                String::from_utf8_lossy(&ok.stdout),
                String::from_utf8_lossy(&ok.stderr)
            );
            if detached {
                assert!(!verify(Some(&bad)).status.success(), "{set}: tampered");
            }
        }
    }
}
