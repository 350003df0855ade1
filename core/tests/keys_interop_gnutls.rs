//! GOST keys against GnuTLS certtool: certtool reads our keys (plain and encrypted) and
//! verifies our signatures; we read its keys (plain and encrypted) and verify its signatures.
//! certtool knows CryptoPro-A, CryptoPro-XchA, TC26-256-B and TC26-512-A.

mod common;

use std::str::FromStr;

use bankkey::ErrorKind;
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, PublicKey, SignatureBytes, SoftwareKey};
use common::{Oracle, TempDir};
use der::{Decode, DecodePem, Encode, EncodePem};
use x509_cert::builder::Builder;

const SETS: [(ParamSet, &str, &str); 4] = [
    (ParamSet::CryptoProA, "gost12-256", "CryptoPro-A"),
    (ParamSet::CryptoProXchA, "gost12-256", "CryptoPro-XchA"),
    (ParamSet::Tc26_256B, "gost12-256", "TC26-256-B"),
    (ParamSet::Tc26_512A, "gost12-512", "TC26-512-A"),
];

fn read_pub(tmp: &TempDir, name: &str) -> PublicKey {
    PublicKey::from_pem(&String::from_utf8(tmp.read(name)).unwrap()).unwrap()
}

fn certtool_public_key(
    ct: &Oracle,
    tmp: &TempDir,
    key_file: &str,
    extra: &[&str],
    out: &str,
) -> PublicKey {
    let out_path = tmp.path(out).to_string_lossy().into_owned();
    let mut args = vec![
        "--load-privkey",
        key_file,
        "--pubkey-info",
        "--no-text",
        "--outfile",
        &out_path,
    ];
    args.extend_from_slice(extra);
    ct.run(&args);
    read_pub(tmp, out)
}

#[test]
fn certtool_reads_our_gost_keys_and_verifies_our_signatures() {
    let Some(ct) = common::certtool() else { return };
    let tmp = TempDir::new("gnutls-ours");
    for (ps, _, curve) in SETS {
        let key = SoftwareKey::generate(KeyAlgorithm::Gost(ps)).unwrap();
        // Plain PKCS#8.
        let plain = tmp.write(&format!("{curve}.key.pem"), key.to_pkcs8_pem().as_bytes());
        let public = certtool_public_key(&ct, &tmp, &plain, &[], &format!("{curve}.pub.pem"));
        assert_eq!(public, key.public_key(), "{curve}: plain");
        // Encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA-256, AES-256-CBC).
        let enc_pem = key
            .to_encrypted_pkcs8_pem_with_iterations(b"bankkey-test", 2048)
            .unwrap();
        let enc = tmp.write(&format!("{curve}.enc.pem"), &enc_pem);
        let public = certtool_public_key(
            &ct,
            &tmp,
            &enc,
            &["--password", "bankkey-test"],
            &format!("{curve}.pub2.pem"),
        );
        assert_eq!(public, key.public_key(), "{curve}: encrypted");

        // A PKCS#10 request signed by our key through the RustCrypto builder: certtool checks
        // its self-signature; a corrupted copy fails.
        let subject = x509_cert::name::Name::from_str("CN=bankkey gnutls").unwrap();
        let req = x509_cert::request::RequestBuilder::new(subject)
            .unwrap()
            .build::<_, SignatureBytes>(&key)
            .unwrap();
        let good = tmp.write(
            &format!("{curve}.req.pem"),
            req.to_pem(der::pem::LineEnding::LF).unwrap(),
        );
        let out = ct.run(&["--crq-info", "--infile", &good]);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("Self signature: verified"), "{curve}: {said}");
        let mut der = req.to_der().unwrap();
        let n = der.len();
        der[n - 5] ^= 0x01; // inside the signature BIT STRING
        let bad = x509_cert::request::CertReq::from_der(&der).unwrap();
        let bad = tmp.write(
            &format!("{curve}.bad.pem"),
            bad.to_pem(der::pem::LineEnding::LF).unwrap(),
        );
        let out = ct.try_run(&["--crq-info", "--infile", &bad]);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            !said.contains("Self signature: verified"),
            "{curve}: corrupted request verified"
        );
    }
}

#[test]
fn we_read_certtool_gost_keys_and_verify_its_signatures() {
    // The fixtures first (no tool needed).
    for (_, _, curve) in [SETS[0], SETS[2], SETS[3]] {
        let key =
            SoftwareKey::from_pkcs8_pem(&common::fixture_str(&format!("gnutls/{curve}.key.pem")))
                .unwrap();
        let public =
            PublicKey::from_pem(&common::fixture_str(&format!("gnutls/{curve}.pub.pem"))).unwrap();
        assert_eq!(key.public_key(), public, "{curve}");
        let cert =
            x509_cert::Certificate::from_pem(common::fixture(&format!("gnutls/{curve}.cert.pem")))
                .unwrap();
        verify_self_signed(&cert, &public, curve);
    }

    let Some(ct) = common::certtool() else { return };
    let tmp = TempDir::new("gnutls-theirs");
    let template = tmp.write(
        "cert.tmpl",
        "cn = \"bankkey gnutls\"\nserial = 7\nexpiration_days = 30\nsigning_key\n",
    );
    for (ps, ktype, curve) in SETS {
        let key_file = tmp
            .path(&format!("{curve}.key.pem"))
            .to_string_lossy()
            .into_owned();
        ct.run(&[
            "--generate-privkey",
            &format!("--key-type={ktype}"),
            &format!("--curve={curve}"),
            "--no-text",
            "--outfile",
            &key_file,
        ]);
        let theirs_pub =
            certtool_public_key(&ct, &tmp, &key_file, &[], &format!("{curve}.pub.pem"));
        let key = SoftwareKey::from_pkcs8_pem(
            &String::from_utf8(tmp.read(&format!("{curve}.key.pem"))).unwrap(),
        )
        .unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::Gost(ps), "{curve}");
        assert_eq!(key.public_key(), theirs_pub, "{curve}");

        // certtool's signature (a self-signed certificate: GnuTLS writes the signature OID).
        let cert_file = tmp
            .path(&format!("{curve}.cert.pem"))
            .to_string_lossy()
            .into_owned();
        ct.run(&[
            "--generate-self-signed",
            "--load-privkey",
            &key_file,
            "--template",
            &template,
            "--no-text",
            "--outfile",
            &cert_file,
        ]);
        let cert =
            x509_cert::Certificate::from_pem(tmp.read(&format!("{curve}.cert.pem"))).unwrap();
        verify_self_signed(&cert, &theirs_pub, curve);

        // certtool's encrypted PKCS#8: GOST 28147-89 CFB with the TC26 Z S-box and
        // PBKDF2-HMAC-Streebog-512, and AES-256-CBC with HMAC-SHA-256.
        // (600,000 Streebog PBKDF2 iterations each way: the GOST form on two sets only.)
        let ciphers: &[&str] = if matches!(ps, ParamSet::Tc26_256B | ParamSet::Tc26_512A) {
            &["gost28147-tc26z", "aes-256"]
        } else {
            &["aes-256"]
        };
        for &cipher in ciphers {
            let out = tmp
                .path(&format!("{curve}.{cipher}.pem"))
                .to_string_lossy()
                .into_owned();
            ct.run(&[
                "--to-p8",
                "--load-privkey",
                &key_file,
                "--password",
                "пароль",
                &format!("--pkcs-cipher={cipher}"),
                "--outfile",
                &out,
            ]);
            let text = String::from_utf8(tmp.read(&format!("{curve}.{cipher}.pem"))).unwrap();
            let again = SoftwareKey::from_encrypted_pkcs8_pem(&text, "пароль".as_bytes())
                .unwrap_or_else(|e| panic!("{curve} {cipher}: {e}"));
            assert_eq!(again.public_key(), theirs_pub, "{curve} {cipher}");
            if cipher == "aes-256" {
                let err = SoftwareKey::from_encrypted_pkcs8_pem(&text, b"parol").unwrap_err();
                assert_eq!(err.kind(), ErrorKind::WrongPassword, "{curve} {cipher}");
            }
        }
    }
}

fn verify_self_signed(cert: &x509_cert::Certificate, public: &PublicKey, what: &str) {
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    assert_eq!(&PublicKey::from_spki_der(&spki).unwrap(), public, "{what}");
    let tbs = cert.tbs_certificate().to_der().unwrap();
    let sig = cert.signature().as_bytes().unwrap();
    public
        .verify(cert.signature_algorithm(), &tbs, sig)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut bad = sig.to_vec();
    bad[0] ^= 1;
    let err = public
        .verify(cert.signature_algorithm(), &tbs, &bad)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadSignature, "{what}");
}
