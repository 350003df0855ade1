//! PFX both ways with the oracles: OpenSSL (gost engine) writes, we read; we write, OpenSSL
//! reads it back to the same key and certificate, and GnuTLS `certtool --p12-info` verifies
//! its MAC and lists its bags. GOST keys in Р 50.1.112-2016's profile (`-keypbe gost89
//! -certpbe gost89 -macalg md_gost12_512`), with a chain long enough for the CryptoPro key
//! meshing of GOST 28147-89 CFB; RSA and ECDSA in OpenSSL 3's default profile; the engine's
//! CTR-ACPKM PBES2 schemes.

mod common;

use bankkey::ErrorKind;
use bankkey::key::SoftwareKey;
use bankkey::pfx::{Pfx, PfxOptions};
use bankkey::pki::Certificate;
use common::{TempDir, fixture, fixture_path, fixture_str};

const PASSWORD: &str = "Пароль для PFX";

fn cert(rel: &str) -> Certificate {
    Certificate::from_pem(&fixture(rel)).unwrap()
}

fn key(dir: &str) -> SoftwareKey {
    SoftwareKey::from_pkcs8_pem(&fixture_str(&format!("{dir}/key.pem"))).unwrap()
}

/// The fixture folders and the engine arguments they need.
const CASES: &[(&str, bool)] = &[
    ("gost2012_256-A", true),
    ("gost2012_256-TCA", true),
    ("gost2012_512-C", true),
    ("rsa2048", false),
    ("ec-p256", false),
];

fn engine(gost: bool) -> Vec<&'static str> {
    if gost {
        vec!["-engine", "gost"]
    } else {
        vec![]
    }
}

/// `openssl pkcs12 -export` of the fixture key of `dir`, its certificate and its CA under
/// [`PASSWORD`] (named "bankkey test"), with `extra` arguments; the PFX's bytes.
fn openssl_export(
    ossl: &common::Oracle,
    tmp: &TempDir,
    dir: &str,
    gost: bool,
    extra: &[&str],
) -> Vec<u8> {
    let out = tmp.path(&format!("{dir}.p12"));
    let path = |f: &str| {
        fixture_path(&format!("{dir}/{f}"))
            .to_string_lossy()
            .into_owned()
    };
    let mut args = vec!["pkcs12".to_string()];
    args.extend(engine(gost).into_iter().map(String::from));
    args.extend(
        [
            "-export",
            "-inkey",
            &path("key.pem"),
            "-in",
            &path("cert.pem"),
            "-certfile",
            &path("ca.pem"),
            "-name",
            "bankkey test",
            "-passout",
            &format!("pass:{PASSWORD}"),
            "-out",
            &out.to_string_lossy(),
        ]
        .map(String::from),
    );
    args.extend(extra.iter().map(|a| a.to_string()));
    ossl.run(&args);
    std::fs::read(&out).unwrap()
}

/// OpenSSL writes a PFX of the fixture key, its certificate and its CA (the chain makes the
/// certificates' plaintext longer than 1024 bytes: CryptoPro key meshing in CFB); we read
/// the same key and both certificates, and a wrong password is refused as such.
#[test]
fn openssl_pfx_reads() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    let tmp = TempDir::new("pfx-ossl");
    for &(dir, gost) in CASES {
        let extra: &[&str] = if gost {
            &[
                "-keypbe",
                "gost89",
                "-certpbe",
                "gost89",
                "-macalg",
                "md_gost12_512",
            ]
        } else {
            &[]
        };
        let der = openssl_export(&ossl, &tmp, dir, gost, extra);
        let pfx = Pfx::from_der(&der, PASSWORD).unwrap_or_else(|e| panic!("{dir}: {e}"));
        let (k, c) = pfx.single_key().unwrap();
        assert_eq!(k.key.public_key(), key(dir).public_key(), "{dir}");
        assert_eq!(
            c.unwrap().to_der(),
            cert(&format!("{dir}/cert.pem")).to_der(),
            "{dir}"
        );
        assert_eq!(pfx.certificates().len(), 2, "{dir}");
        assert_eq!(pfx.chain_of(k).len(), 1, "{dir}");
        assert_eq!(k.friendly_name.as_deref(), Some("bankkey test"), "{dir}");
        if gost {
            assert_eq!(pfx.integrity().mac.as_deref(), Some("Streebog-512"));
            assert!(pfx.encryption().iter().all(|e| e.contains("GOST 28147-89")));
        } else {
            assert_eq!(pfx.integrity().mac.as_deref(), Some("SHA-256"));
            assert!(pfx.encryption().iter().all(|e| e.contains("AES-256-CBC")));
        }
        assert_eq!(
            Pfx::from_der(&der, "not it").unwrap_err().kind(),
            ErrorKind::WrongPassword,
            "{dir}"
        );
    }
}

/// OpenSSL 3's `-legacy` profile, the PKCS#12 PBEs of RFC 7292 appendix C as older Windows
/// and CryptoPro CSP 5 write them: the key under pbeWithSHAAnd3-KeyTripleDES-CBC, the
/// certificates under pbeWithSHAAnd40BitRC2-CBC, a SHA-1 MAC by the PKCS#12 KDF.
#[test]
fn openssl_legacy_pfx_reads() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    let tmp = TempDir::new("pfx-legacy");
    for &(dir, gost) in CASES {
        let der = openssl_export(&ossl, &tmp, dir, gost, &["-legacy"]);
        let pfx = Pfx::from_der(&der, PASSWORD).unwrap_or_else(|e| panic!("{dir}: {e}"));
        let (k, c) = pfx.single_key().unwrap();
        assert_eq!(k.key.public_key(), key(dir).public_key(), "{dir}");
        assert_eq!(
            c.unwrap().to_der(),
            cert(&format!("{dir}/cert.pem")).to_der(),
            "{dir}"
        );
        assert_eq!(pfx.certificates().len(), 2, "{dir}");
        assert_eq!(pfx.integrity().mac.as_deref(), Some("SHA-1"), "{dir}");
        assert_eq!(
            k.protection, "PKCS#12 PBE: SHA-1, 3-key triple DES CBC, 2048 iterations",
            "{dir}"
        );
        assert!(
            pfx.encryption().contains(
                &"certificates: PKCS#12 PBE: SHA-1, 40-bit RC2 CBC, 2048 iterations".into()
            ),
            "{dir}: {:?}",
            pfx.encryption()
        );
        assert_eq!(
            Pfx::from_der(&der, "not it").unwrap_err().kind(),
            ErrorKind::WrongPassword,
            "{dir}"
        );
        // A byte of the certificates' ciphertext changed: the password still opens the key.
        let mut altered = der.clone();
        let at = altered.len() / 3;
        altered[at] ^= 0x20;
        assert!(Pfx::from_der(&altered, PASSWORD).is_err(), "{dir}");
    }
}

/// OpenSSL's CTR-ACPKM PBES2 (Kuznyechik and Magma; the engine pairs them with an
/// HMAC-SHA-256 PRF) as a PFX's key and certificate encryption.
#[test]
fn openssl_ctr_acpkm_pfx_reads() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    let tmp = TempDir::new("pfx-acpkm");
    let dir = "gost2012_256-A";
    for cipher in ["kuznyechik-ctr-acpkm", "magma-ctr-acpkm"] {
        let out = tmp
            .path(&format!("{cipher}.p12"))
            .to_string_lossy()
            .into_owned();
        ossl.run(&[
            "pkcs12",
            "-engine",
            "gost",
            "-export",
            "-inkey",
            &fixture_path(&format!("{dir}/key.pem")).to_string_lossy(),
            "-in",
            &fixture_path(&format!("{dir}/cert.pem")).to_string_lossy(),
            "-keypbe",
            cipher,
            "-certpbe",
            cipher,
            "-macalg",
            "md_gost12_256",
            "-passout",
            &format!("pass:{PASSWORD}"),
            "-out",
            &out,
        ]);
        let pfx = Pfx::from_der(&std::fs::read(&out).unwrap(), PASSWORD)
            .unwrap_or_else(|e| panic!("{cipher}: {e}"));
        let (k, c) = pfx.single_key().unwrap();
        assert_eq!(k.key.public_key(), key(dir).public_key(), "{cipher}");
        assert!(c.is_some(), "{cipher}");
        assert_eq!(pfx.integrity().mac.as_deref(), Some("Streebog-256"));
    }
}

/// Our PFX, read back by OpenSSL: the same private key (its public half compared) and the
/// same certificates; `certtool --p12-info` verifies the MAC and lists the bags.
#[test]
fn our_pfx_reads_in_openssl_and_gnutls() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    let Some(certtool) = common::certtool() else {
        return;
    };
    let tmp = TempDir::new("pfx-ours");
    for &(dir, gost) in CASES {
        let k = key(dir);
        let c = cert(&format!("{dir}/cert.pem"));
        let ca = cert(&format!("{dir}/ca.pem"));
        let der = Pfx::write(&k, Some(&c), &[ca], PASSWORD, &PfxOptions::default()).unwrap();
        let p12 = tmp.write(&format!("{dir}.p12"), &der);
        let out = tmp
            .path(&format!("{dir}.pem"))
            .to_string_lossy()
            .into_owned();
        let mut args: Vec<&str> = vec!["pkcs12"];
        args.extend(engine(gost));
        let pass = format!("pass:{PASSWORD}");
        args.extend(["-in", &p12, "-nodes", "-passin", &pass, "-out", &out]);
        ossl.run(&args);
        let text = std::fs::read(&out).unwrap();
        let back = SoftwareKey::from_pkcs8_pem(std::str::from_utf8(&text).unwrap()).unwrap();
        assert_eq!(back.public_key(), k.public_key(), "{dir}");
        let certs = Certificate::all_from_pem(&text).unwrap();
        assert_eq!(certs.len(), 2, "{dir}");
        assert!(certs.iter().any(|x| x.to_der() == c.to_der()), "{dir}");

        let info = certtool.run(&[
            "--p12-info",
            "--inder",
            "--infile",
            &p12,
            "--password",
            PASSWORD,
        ]);
        let info = String::from_utf8_lossy(&info.stdout).into_owned()
            + &String::from_utf8_lossy(&info.stderr);
        assert!(info.contains("PKCS #8 Encrypted key"), "{dir}: {info}");
        assert!(info.contains("Certificate"), "{dir}: {info}");
        if gost {
            assert!(info.contains("Iteration count: 2000"), "{dir}: {info}");
        }
        // A wrong password is refused by certtool too (the MAC).
        let wrong = certtool.try_run(&[
            "--p12-info",
            "--inder",
            "--infile",
            &p12,
            "--password",
            "wrong",
        ]);
        assert!(!wrong.status.success(), "{dir}");
    }
}

/// A PFX only holds a key with its own certificate.
#[test]
fn a_certificate_of_another_key_is_refused() {
    let k = key("gost2012_256-A");
    let other = cert("gost2012_256-B/cert.pem");
    let e = Pfx::write(&k, Some(&other), &[], PASSWORD, &PfxOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
}
