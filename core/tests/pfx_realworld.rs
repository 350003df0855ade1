//! PFX and GOST PKCS#8 made by others (tests/realworld/): the Р 50.1.112-2016 example
//! (GnuTLS's copy, the standard's own bytes), its 2001 sibling, and the CryptoPro-style
//! keys GnuTLS tests with (masked, PBES2 with the GOST R 34.11-94 PRF). Password «Пароль для
//! PFX».

use bankkey::ErrorKind;
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::pfx::Pfx;

const PASSWORD: &str = "Пароль для PFX";

fn realworld(rel: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/realworld")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn pem_der(rel: &str) -> Vec<u8> {
    let text = String::from_utf8(realworld(rel)).unwrap();
    bankkey::pki::pem::blocks(text.as_bytes())
        .unwrap()
        .into_iter()
        .next()
        .map(|mut b| std::mem::take(&mut b.der))
        .unwrap()
}

/// The standard's example: its MAC verifies, its masked key comes out as the key its
/// certificate holds, and the certificate is the one the standard prints.
#[test]
fn the_r_50_1_112_example_reads() {
    let pfx = Pfx::from_der(&realworld("pfx/gnutls_gost12.p12"), PASSWORD).unwrap();
    assert_eq!(pfx.integrity().mac.as_deref(), Some("Streebog-512"));
    assert_eq!(pfx.integrity().iterations, Some(2000));
    let (key, cert) = pfx.single_key().unwrap();
    let cert = cert.expect("the key's certificate");
    assert!(cert.holds_key(&key.key.public_key()));
    assert_eq!(
        key.key.algorithm(),
        KeyAlgorithm::Gost(ParamSet::CryptoProA)
    );
    assert_eq!(key.local_key_id.as_deref(), Some(&[1u8, 0, 0, 0][..]));
    assert!(
        cert.subject()
            .to_string()
            .contains("Test certificate 1 (PKCS#12 example)"),
        "{}",
        cert.subject()
    );
    assert_eq!(pfx.certificates().len(), 1);
    assert_eq!(pfx.encryption().len(), 2, "{:?}", pfx.encryption());
    assert!(
        pfx.encryption()
            .iter()
            .all(|e| e.contains("Streebog-512") && e.contains("GOST 28147-89 CFB (param-Z)")),
        "{:?}",
        pfx.encryption()
    );
    // The key signs, and the certificate's key verifies it.
    let sig = bankkey::key::Signer::sign(&key.key, b"bankkey").unwrap();
    cert.public_key()
        .unwrap()
        .verify(&key.key.algorithm().signature_algorithm(), b"bankkey", &sig)
        .unwrap();
}

#[test]
fn a_wrong_password_and_an_altered_file_are_told_apart() {
    let der = realworld("pfx/gnutls_gost12.p12");
    let e = Pfx::from_der(&der, "Пароль для PFx").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongPassword, "{e}");
    assert_eq!(
        Pfx::from_der(&der, "").unwrap_err().kind(),
        ErrorKind::WrongPassword
    );

    // One byte of the MAC changed: the password still opens the contents.
    let mut altered = der.clone();
    let last = altered.len() - 40;
    altered[last] ^= 1;
    let e = Pfx::from_der(&altered, PASSWORD).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentAltered, "{e}");

    // One byte of the certificates' ciphertext changed (the key still decrypts).
    let mut altered = der.clone();
    let at = altered.len() - 200;
    altered[at] ^= 0x20;
    let e = Pfx::from_der(&altered, PASSWORD).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentAltered, "{e}");

    // Truncations: never a panic, always an error.
    for len in (0..der.len()).step_by(7) {
        assert!(Pfx::from_der(&der[..len], PASSWORD).is_err());
    }
}

/// The 2001 example: the password is right (MAC with GOST R 34.11-94, PBES2 with the
/// HMAC-GOST R 34.11-94 PRF and the CryptoPro-A S-box all work), the key is refused as a
/// 2001 key, by name.
#[test]
fn the_2001_example_opens_and_its_key_is_refused_by_name() {
    let der = realworld("pfx/gnutls_gost01.p12");
    let e = Pfx::from_der(&der, PASSWORD).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm, "{e}");
    assert!(e.message().contains("2001"), "{e}");
    assert_eq!(
        Pfx::from_der(&der, "wrong").unwrap_err().kind(),
        ErrorKind::WrongPassword
    );
}

/// GnuTLS's CryptoPro-style keys: the masked 2012 key (key‖mask) plain and PBES2-encrypted
/// (HMAC-Streebog-512, GOST 28147-89 param-Z) is the example's key; the 512-bit key reads;
/// the 2001 keys decrypt (HMAC-GOST R 34.11-94 PRF) and are refused as 2001 keys.
#[test]
fn the_cryptopro_style_keys_read() {
    let pfx = Pfx::from_der(&realworld("pfx/gnutls_gost12.p12"), PASSWORD).unwrap();
    let example = pfx.single_key().unwrap().0.key.public_key();

    let masked = SoftwareKey::from_pkcs8_der(&pem_der("keys/gnutls_key-gost12-256-2.p8")).unwrap();
    assert_eq!(masked.public_key(), example);
    let encrypted = SoftwareKey::from_encrypted_pkcs8_der(
        &pem_der("keys/gnutls_key-gost12-256-2-enc.p8"),
        PASSWORD.as_bytes(),
    )
    .unwrap();
    assert_eq!(encrypted.public_key(), example);
    assert_eq!(
        SoftwareKey::from_encrypted_pkcs8_der(
            &pem_der("keys/gnutls_key-gost12-256-2-enc.p8"),
            b"wrong"
        )
        .unwrap_err()
        .kind(),
        ErrorKind::WrongPassword
    );

    let k512 = SoftwareKey::from_pkcs8_der(&pem_der("keys/gnutls_key-gost12-512.p8")).unwrap();
    assert_eq!(k512.algorithm(), KeyAlgorithm::Gost(ParamSet::Tc26_512B));

    for (file, encrypted) in [
        ("keys/gnutls_key-gost01-2.p8", false),
        ("keys/gnutls_key-gost01-2-enc.p8", true),
    ] {
        let der = pem_der(file);
        let e = if encrypted {
            SoftwareKey::from_encrypted_pkcs8_der(&der, PASSWORD.as_bytes()).unwrap_err()
        } else {
            SoftwareKey::from_pkcs8_der(&der).unwrap_err()
        };
        assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm, "{file}: {e}");
        assert!(e.message().contains("2001"), "{file}: {e}");
    }
    let e = SoftwareKey::from_encrypted_pkcs8_der(
        &pem_der("keys/gnutls_key-gost01-2-enc.p8"),
        b"wrong",
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongPassword, "{e}");
}
