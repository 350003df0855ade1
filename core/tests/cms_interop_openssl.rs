//! CMS SignedData against `openssl cms` (with the gost engine), both ways: what we sign,
//! OpenSSL verifies (attached and detached, tampered content refused); what OpenSSL signs, we
//! verify (tampered content refused as ContentAltered).

mod common;

use bankkey::ErrorKind;
use bankkey::cms::{SignOptions, SignedData, VerifyOptions, sign};
use bankkey::key::{Signer, SoftwareKey};
use bankkey::pki::Certificate;
use common::{Oracle, TempDir, fixture, fixture_str, fixtures};

/// One fixture folder and the digest OpenSSL signs with for it.
struct Case {
    dir: &'static str,
    md: &'static str,
}

const fn case(dir: &'static str, md: &'static str) -> Case {
    Case { dir, md }
}

/// Every fixture key type: we sign with each, and OpenSSL signs with each.
const CASES: &[Case] = &[
    case("rsa2048", "sha256"),
    case("ec-p256", "sha256"),
    case("gost2012_256-A", "md_gost12_256"),
    case("gost2012_256-B", "md_gost12_256"),
    case("gost2012_256-C", "md_gost12_256"),
    case("gost2012_256-XA", "md_gost12_256"),
    case("gost2012_256-XB", "md_gost12_256"),
    case("gost2012_256-TCA", "md_gost12_256"),
    case("gost2012_256-TCB", "md_gost12_256"),
    case("gost2012_256-TCC", "md_gost12_256"),
    case("gost2012_256-TCD", "md_gost12_256"),
    case("gost2012_512-A", "md_gost12_512"),
    case("gost2012_512-B", "md_gost12_512"),
    case("gost2012_512-C", "md_gost12_512"),
];

/// A fixture folder whose CA did not issue `case`'s certificate.
fn other(case: &Case) -> &'static Case {
    if case.dir == "rsa2048" {
        &CASES[1]
    } else {
        &CASES[0]
    }
}

const CONTENT: &[u8] = b"\xd0\x9f\xd0\xbb\xd0\xb0\xd1\x82\xd1\x91\xd0\xb6\xd0\xbd\xd0\xbe\xd0\xb5 \
\xd0\xbf\xd0\xbe\xd1\x80\xd1\x83\xd1\x87\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5 \xe2\x84\x96 42\r\n\x00\xff";

fn path(case: &Case, file: &str) -> String {
    fixtures()
        .join(case.dir)
        .join(file)
        .to_string_lossy()
        .into_owned()
}

fn cert(case: &Case, file: &str) -> Certificate {
    Certificate::from_pem(&fixture(&format!("{}/{file}", case.dir))).unwrap()
}

fn key(case: &Case) -> SoftwareKey {
    SoftwareKey::from_pkcs8_pem(&fixture_str(&format!("{}/key.pem", case.dir))).unwrap()
}

fn openssl_verify(ossl: &Oracle, case: &Case, sig: &str, content: Option<&str>, out: &str) -> bool {
    let ca = path(case, "ca.pem");
    let mut args = vec![
        "cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER", "-in", sig, "-CAfile",
        &ca, "-out", out,
    ];
    if let Some(c) = content {
        args.extend(["-content", c]);
    }
    ossl.try_run(&args).status.success()
}

#[test]
fn openssl_verifies_what_we_sign() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    for case in CASES {
        let tmp = TempDir::new("cms-we-sign");
        let key = key(case);
        let signer: &dyn Signer = &key;
        let c = cert(case, "cert.pem");
        for detached in [false, true] {
            let der = sign(
                CONTENT,
                &[(signer, &c)],
                &SignOptions {
                    detached,
                    ..SignOptions::default()
                },
            )
            .unwrap();
            if case.dir.starts_with("gost") {
                let sd = SignedData::from_der(&der).unwrap();
                let si = &sd.signers()[0];
                let want = if case.md == "md_gost12_256" {
                    bankkey::oid::SIGN_WITH_DIGEST_GOST3410_12_256
                } else {
                    bankkey::oid::SIGN_WITH_DIGEST_GOST3410_12_512
                };
                assert_eq!(si.signature_algorithm().oid, want, "{}", case.dir);
            }
            let sig = tmp.write("sig.der", &der);
            let content = tmp.write("content.bin", CONTENT);
            let out = tmp.path("out.bin").to_string_lossy().into_owned();
            let given = detached.then_some(content.as_str());
            assert!(
                openssl_verify(&ossl, case, &sig, given, &out),
                "{} detached={detached}: openssl cms -verify failed:\n{}",
                case.dir,
                String::from_utf8_lossy(
                    &ossl
                        .try_run(&[
                            "cms",
                            "-verify",
                            "-engine",
                            "gost",
                            "-binary",
                            "-inform",
                            "DER",
                            "-in",
                            &sig,
                            "-CAfile",
                            &path(case, "ca.pem"),
                            "-content",
                            &content
                        ])
                        .stderr
                )
            );
            assert_eq!(tmp.read("out.bin"), CONTENT, "{}", case.dir);
            // Tampered content is refused.
            if detached {
                let mut bad = CONTENT.to_vec();
                bad[3] ^= 1;
                let bad = tmp.write("bad.bin", bad);
                assert!(
                    !openssl_verify(&ossl, case, &sig, Some(&bad), &out),
                    "{}",
                    case.dir
                );
            } else {
                let mut bad = der.clone();
                let i = bad
                    .windows(CONTENT.len())
                    .position(|w| w == CONTENT)
                    .unwrap();
                bad[i + 3] ^= 1;
                let bad = tmp.write("bad.der", bad);
                assert!(
                    !openssl_verify(&ossl, case, &bad, None, &out),
                    "{}",
                    case.dir
                );
            }
            // Another CA is not trusted.
            assert!(
                !openssl_verify(&ossl, other(case), &sig, given, &out),
                "{}",
                case.dir
            );
        }
    }
}

fn openssl_sign(
    ossl: &Oracle,
    case: &Case,
    tmp: &TempDir,
    detached: bool,
    extra: &[&str],
) -> Vec<u8> {
    let content = tmp.write("content.bin", CONTENT);
    let out = tmp.path("sig.der").to_string_lossy().into_owned();
    let (c, k) = (path(case, "cert.pem"), path(case, "key.pem"));
    let mut args = vec![
        "cms", "-sign", "-engine", "gost", "-binary", "-md", case.md, "-signer", &c, "-inkey", &k,
        "-in", &content, "-outform", "DER", "-out", &out,
    ];
    if !detached {
        args.push("-nodetach");
    }
    args.extend_from_slice(extra);
    ossl.run(&args);
    tmp.read("sig.der")
}

#[test]
fn we_verify_what_openssl_signs() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    for case in CASES {
        let tmp = TempDir::new("cms-openssl-signs");
        let anchors = vec![cert(case, "ca.pem")];
        let leaf = cert(case, "cert.pem");
        for (detached, extra) in [(false, &[][..]), (true, &[][..]), (false, &["-keyid"][..])] {
            let der = openssl_sign(&ossl, case, &tmp, detached, extra);
            let sd = SignedData::from_der(&der).unwrap();
            assert_eq!(sd.is_detached(), detached);
            let opts = VerifyOptions {
                content: detached.then(|| CONTENT.to_vec()),
                anchors: anchors.clone(),
                ..VerifyOptions::default()
            };
            let v = sd
                .verify(&opts)
                .unwrap_or_else(|e| panic!("{} {extra:?}: {e}", case.dir));
            assert_eq!(v[0].certificate, leaf);
            // OpenSSL's convention: the GOST key OID in signatureAlgorithm (we write the
            // signature OID; both are read).
            if case.dir.starts_with("gost2012_256") {
                let si = &sd.signers()[0];
                assert_eq!(si.signature_algorithm().oid, bankkey::oid::GOST3410_12_256);
                assert_eq!(si.digest_algorithm().oid, bankkey::oid::STREEBOG_256);
            } else if case.dir.starts_with("gost2012_512") {
                let si = &sd.signers()[0];
                assert_eq!(si.signature_algorithm().oid, bankkey::oid::GOST3410_12_512);
                assert_eq!(si.digest_algorithm().oid, bankkey::oid::STREEBOG_512);
            }
            assert!(v[0].signing_time.is_some());
            if !detached {
                assert_eq!(sd.content(), Some(CONTENT));
            }
            // Tampered content.
            let mut bad = CONTENT.to_vec();
            bad[0] ^= 0x80;
            let e = if detached {
                sd.verify(&VerifyOptions {
                    content: Some(bad),
                    ..opts.clone()
                })
                .unwrap_err()
            } else {
                let mut der = der.clone();
                let i = der
                    .windows(CONTENT.len())
                    .position(|w| w == CONTENT)
                    .unwrap();
                der[i] ^= 0x80;
                SignedData::from_der(&der)
                    .unwrap()
                    .verify(&opts)
                    .unwrap_err()
            };
            assert_eq!(e.kind(), ErrorKind::ContentAltered, "{}: {e}", case.dir);
            // Untrusted without the right anchor.
            let e = sd
                .verify(&VerifyOptions {
                    anchors: vec![
                        Certificate::from_pem(&fixture(&format!("{}/ca.pem", other(case).dir)))
                            .unwrap(),
                    ],
                    ..opts.clone()
                })
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UntrustedIssuer, "{}: {e}", case.dir);
        }
        // PEM output reads too.
        let der = openssl_sign(&ossl, case, &tmp, false, &[]);
        let pem_path = tmp.path("sig.pem").to_string_lossy().into_owned();
        let sig_path = tmp.path("sig.der").to_string_lossy().into_owned();
        ossl.run(&[
            "cms", "-cmsout", "-inform", "DER", "-in", &sig_path, "-outform", "PEM", "-out",
            &pem_path,
        ]);
        let from_pem = SignedData::from_pem(&tmp.read("sig.pem")).unwrap();
        assert_eq!(from_pem.to_der(), der);
    }
}

/// `openssl cms -sign -stream` writes BER (indefinite lengths, the content as a chunked OCTET
/// STRING, always attached in DER output); we read it, verify it, and refuse it once the
/// content is altered; the DER we make of it, OpenSSL verifies too.
#[test]
fn we_verify_openssl_streaming_ber() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    // Larger than OpenSSL's 4 KiB chunk, so the content really arrives in several chunks.
    let content: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    for case in CASES {
        let tmp = TempDir::new("cms-openssl-stream");
        let input = tmp.write("content.bin", &content);
        let out = tmp.path("sig.ber").to_string_lossy().into_owned();
        let (c, k) = (path(case, "cert.pem"), path(case, "key.pem"));
        ossl.run(&[
            "cms",
            "-sign",
            "-engine",
            "gost",
            "-binary",
            "-stream",
            "-nodetach",
            "-md",
            case.md,
            "-signer",
            &c,
            "-inkey",
            &k,
            "-in",
            &input,
            "-outform",
            "DER",
            "-out",
            &out,
        ]);
        let ber = tmp.read("sig.ber");
        // Really BER: the outer SEQUENCE has an indefinite length.
        assert_eq!(&ber[..2], &[0x30, 0x80], "{}", case.dir);
        let sd = SignedData::from_der(&ber).unwrap_or_else(|e| panic!("{}: {e}", case.dir));
        assert_ne!(sd.to_der(), ber);
        assert!(!sd.is_detached());
        assert_eq!(sd.content(), Some(&content[..]));
        let opts = VerifyOptions {
            anchors: vec![cert(case, "ca.pem")],
            ..VerifyOptions::default()
        };
        let v = sd
            .verify(&opts)
            .unwrap_or_else(|e| panic!("{}: {e}", case.dir));
        assert_eq!(v[0].certificate, cert(case, "cert.pem"));

        let mut bad = ber.clone();
        let i = content.len() / 2;
        let j = bad
            .windows(64)
            .position(|w| w == &content[i..i + 64])
            .unwrap();
        bad[j] ^= 1;
        let e = SignedData::from_der(&bad)
            .unwrap()
            .verify(&opts)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ContentAltered, "{}: {e}", case.dir);

        let der_path = tmp.write("sig.der", sd.to_der());
        let verified_out = tmp.path("out.bin").to_string_lossy().into_owned();
        assert!(
            openssl_verify(&ossl, case, &der_path, None, &verified_out),
            "{}: OpenSSL refuses the DER form of its own BER",
            case.dir
        );
        assert_eq!(tmp.read("out.bin"), content);
    }
}
