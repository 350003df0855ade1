//! Keys against OpenSSL (with the gost engine): our PKCS#8 read by `openssl pkey`, our
//! signatures verified by `openssl pkeyutl`, OpenSSL's keys and signatures read and verified
//! by us.

mod common;

use bankkey::ErrorKind;
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, PublicKey, Signer, SoftwareKey};
use common::{Oracle, TempDir, fixture, fixture_str};

/// One key type: how OpenSSL names its digest, and which fixture folder holds its keys.
struct Case {
    dir: String,
    algorithm: KeyAlgorithm,
    /// `openssl dgst` option for the digest the signature is made over.
    dgst: &'static str,
    /// Extra `pkeyutl` options (RSA needs the digest named for PKCS#1 v1.5 DigestInfo).
    pkeyutl: &'static [&'static str],
    /// `-engine gost` for GOST keys.
    engine: &'static [&'static str],
}

fn gost_case(ps: ParamSet) -> Case {
    let size = if ps.is_512() { 512 } else { 256 };
    Case {
        dir: format!("gost2012_{size}-{}", ps.openssl_name()),
        algorithm: KeyAlgorithm::Gost(ps),
        dgst: if ps.is_512() {
            "-md_gost12_512"
        } else {
            "-md_gost12_256"
        },
        pkeyutl: &[],
        engine: &["-engine", "gost"],
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            dir: "rsa2048".into(),
            algorithm: KeyAlgorithm::Rsa { bits: 2048 },
            dgst: "-sha256",
            pkeyutl: &["-pkeyopt", "digest:sha256"],
            engine: &[],
        },
        Case {
            dir: "ec-p256".into(),
            algorithm: KeyAlgorithm::EcdsaP256,
            dgst: "-sha256",
            pkeyutl: &[],
            engine: &[],
        },
    ]
}

fn args<'a>(engine: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = Vec::new();
    v.extend_from_slice(&rest[..1]);
    v.extend_from_slice(engine);
    v.extend_from_slice(&rest[1..]);
    v
}

/// `openssl dgst` of a file, as raw bytes.
fn digest(ossl: &Oracle, case: &Case, tmp: &TempDir, msg_file: &str, out: &str) -> String {
    let out_path = tmp.path(out).to_string_lossy().into_owned();
    ossl.run(&args(
        case.engine,
        &["dgst", case.dgst, "-binary", "-out", &out_path, msg_file],
    ));
    out_path
}

fn openssl_verifies(ossl: &Oracle, case: &Case, pub_pem: &str, digest: &str, sig: &str) -> bool {
    let mut a = args(
        case.engine,
        &[
            "pkeyutl", "-verify", "-pubin", "-inkey", pub_pem, "-in", digest, "-sigfile", sig,
        ],
    );
    a.extend_from_slice(case.pkeyutl);
    let out = ossl.try_run(&a);
    // pkeyutl prints the verdict on stdout; the exit code alone has fooled people before.
    let said = String::from_utf8_lossy(&out.stdout);
    out.status.success() && said.contains("Signature Verified Successfully")
}

fn check_case(ossl: &Oracle, case: &Case) {
    let tmp = TempDir::new(&case.dir);
    let msg = b"bankkey interop message \xd0\xbf\xd0\xbb\xd0\xb0\xd1\x82\xd1\x91\xd0\xb6";
    let msg_file = tmp.write("msg.bin", msg);
    let digest_file = digest(ossl, case, &tmp, &msg_file, "msg.dgst");

    // 1. Our key, exported as PKCS#8 PEM, is read by OpenSSL; its public key equals ours.
    let ours = SoftwareKey::generate(case.algorithm).unwrap();
    let key_pem = tmp.write("ours.key.pem", ours.to_pkcs8_pem().as_bytes());
    let pub_pem = tmp.path("ours.pub.pem").to_string_lossy().into_owned();
    ossl.run(&args(
        case.engine,
        &["pkey", "-in", &key_pem, "-pubout", "-out", &pub_pem],
    ));
    let theirs_view =
        PublicKey::from_pem(&String::from_utf8(tmp.read("ours.pub.pem")).unwrap()).unwrap();
    assert_eq!(
        theirs_view,
        ours.public_key(),
        "{}: public key via openssl",
        case.dir
    );
    // And OpenSSL reads the public key we write.
    let our_pub_pem = tmp.write("ours.pub2.pem", ours.public_key().to_pem());
    ossl.run(&args(
        case.engine,
        &["pkey", "-pubin", "-in", &our_pub_pem, "-noout"],
    ));

    // 2. Our signature is verified by OpenSSL (over the digest, as pkeyutl takes it); a
    //    corrupted one is not.
    let sig = Signer::sign(&ours, msg).unwrap();
    let sig_file = tmp.write("ours.sig", &sig);
    assert!(
        openssl_verifies(ossl, case, &our_pub_pem, &digest_file, &sig_file),
        "{}: openssl does not verify our signature",
        case.dir
    );
    let mut bad = sig.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x01;
    let bad_file = tmp.write("bad.sig", &bad);
    assert!(
        !openssl_verifies(ossl, case, &our_pub_pem, &digest_file, &bad_file),
        "{}: openssl verifies a corrupted signature",
        case.dir
    );

    // 3. OpenSSL's fixture key: we load it and get the public key of pub.pem.
    let fixture_key =
        SoftwareKey::from_pkcs8_pem(&fixture_str(&format!("{}/key.pem", case.dir))).unwrap();
    let fixture_pub = PublicKey::from_pem(&fixture_str(&format!("{}/pub.pem", case.dir))).unwrap();
    assert_eq!(
        fixture_key.public_key(),
        fixture_pub,
        "{}: fixture key",
        case.dir
    );
    assert_eq!(fixture_key.algorithm(), case.algorithm);

    // 4. OpenSSL's signatures verify with us: the fixture one over msg.bin, and a fresh one.
    let alg = case.algorithm.signature_algorithm();
    let fixture_sig = fixture(&format!("{}/msg.sig", case.dir));
    fixture_pub
        .verify(&alg, &fixture("msg.bin"), &fixture_sig)
        .unwrap();
    let fixture_key_path = common::fixtures().join(&case.dir).join("key.pem");
    let fresh_sig = tmp.path("fresh.sig").to_string_lossy().into_owned();
    let fixture_key_path = fixture_key_path.to_string_lossy().into_owned();
    let mut a = args(
        case.engine,
        &[
            "pkeyutl",
            "-sign",
            "-inkey",
            &fixture_key_path,
            "-in",
            &digest_file,
            "-out",
            &fresh_sig,
        ],
    );
    a.extend_from_slice(case.pkeyutl);
    ossl.run(&a);
    let fresh = tmp.read("fresh.sig");
    fixture_pub.verify(&alg, msg, &fresh).unwrap();
    let err = fixture_pub.verify(&alg, b"other", &fresh).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadSignature);

    // 5. Our fixture-key signature is verified by OpenSSL with the fixture pub.pem.
    let sig = Signer::sign(&fixture_key, msg).unwrap();
    let sig_file = tmp.write("fixture-key.sig", &sig);
    let pub_path = common::fixtures().join(&case.dir).join("pub.pem");
    assert!(openssl_verifies(
        ossl,
        case,
        &pub_path.to_string_lossy(),
        &digest_file,
        &sig_file
    ));
}

#[test]
fn rsa_and_p256_keys_and_signatures_interoperate_with_openssl() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    for case in cases() {
        check_case(&ossl, &case);
    }
}

#[test]
fn gost_keys_and_signatures_interoperate_with_openssl_on_every_parameter_set() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    for ps in ParamSet::ALL {
        check_case(&ossl, &gost_case(ps));
    }
}

/// Our encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA-256, AES-256-CBC) is read by `openssl pkey
/// -passin`, and gives our public key; a wrong password is refused by OpenSSL too.
#[test]
fn openssl_reads_our_encrypted_keys() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    let tmp = TempDir::new("enc");
    let algs = [
        KeyAlgorithm::Gost(ParamSet::CryptoProA),
        KeyAlgorithm::Gost(ParamSet::Tc26_512A),
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::Rsa { bits: 2048 },
    ];
    for (i, alg) in algs.into_iter().enumerate() {
        let key = SoftwareKey::generate(alg).unwrap();
        let pem = key
            .to_encrypted_pkcs8_pem_with_iterations(b"bankkey-test", 2048)
            .unwrap();
        let enc = tmp.write(&format!("{i}.enc.pem"), &pem);
        let out = tmp
            .path(&format!("{i}.pub.pem"))
            .to_string_lossy()
            .into_owned();
        ossl.run(&[
            "pkey",
            "-engine",
            "gost",
            "-in",
            &enc,
            "-passin",
            "pass:bankkey-test",
            "-pubout",
            "-out",
            &out,
        ]);
        let public =
            PublicKey::from_pem(&String::from_utf8(tmp.read(&format!("{i}.pub.pem"))).unwrap())
                .unwrap();
        assert_eq!(public, key.public_key(), "{alg}");
        let wrong = ossl.try_run(&[
            "pkey",
            "-engine",
            "gost",
            "-in",
            &enc,
            "-passin",
            "pass:bankkey-tesT",
            "-noout",
        ]);
        assert!(
            !wrong.status.success(),
            "{alg}: openssl accepted a wrong password"
        );
    }
}

/// Keys OpenSSL encrypts now (Kuznyechik CTR-ACPKM and GOST 28147-89 CFB with
/// PBKDF2-HMAC-Streebog, AES-256-CBC with HMAC-SHA-256) decrypt with us. (The fixtures in
/// `encrypted/` are checked by the unit tests of `SoftwareKey`.)
#[test]
fn we_read_openssl_encrypted_keys() {
    let Some(ossl) = common::openssl() else {
        return;
    };
    let tmp = TempDir::new("enc-fresh");
    for (i, ps) in [ParamSet::Tc26_256B, ParamSet::Tc26_512C]
        .into_iter()
        .enumerate()
    {
        let key = SoftwareKey::generate(KeyAlgorithm::Gost(ps)).unwrap();
        let plain = tmp.write(&format!("{i}.key.pem"), key.to_pkcs8_pem().as_bytes());
        for (cipher, prf) in [
            ("kuznyechik-ctr-acpkm", "1.2.643.7.1.1.4.2"),
            ("gost89", "1.2.643.7.1.1.4.1"),
            ("aes-256-cbc", "hmacWithSHA256"),
        ] {
            let out = tmp
                .path(&format!("{i}.{cipher}.pem"))
                .to_string_lossy()
                .into_owned();
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
            let text = String::from_utf8(tmp.read(&format!("{i}.{cipher}.pem"))).unwrap();
            let again = SoftwareKey::from_encrypted_pkcs8_pem(&text, "пароль".as_bytes())
                .unwrap_or_else(|e| panic!("{ps:?} {cipher}: {e}"));
            assert_eq!(again.public_key(), key.public_key(), "{ps:?} {cipher}");
        }
    }
}
