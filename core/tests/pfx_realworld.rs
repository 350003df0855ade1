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
    assert_signs(&key.key, cert);
}

/// `key` signs, and `cert`'s key verifies the signature.
fn assert_signs(key: &SoftwareKey, cert: &bankkey::pki::Certificate) {
    let sig = bankkey::key::Signer::sign(key, b"bankkey").unwrap();
    cert.public_key()
        .unwrap()
        .verify(&key.algorithm().signature_algorithm(), b"bankkey", &sig)
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

/// A PFX CryptoPro CSP exported (`tests/realworld/pfx/cryptopro_corefx_*.pfx`, from
/// CryptoPro's own .NET tests; empty password): the key bag under CryptoPro's key encryption
/// 1.2.840.113549.1.12.1.80, the certificates under pbeWithSHAAnd3-KeyTripleDES-CBC, a SHA-1
/// MAC. The key comes out as the one its certificate holds and signs.
#[test]
fn cryptopro_exports_read() {
    for (file, ps) in [
        ("pfx/cryptopro_corefx_2012_256.pfx", ParamSet::CryptoProXchA),
        ("pfx/cryptopro_corefx_2012_512.pfx", ParamSet::Tc26_512A),
    ] {
        let pfx = Pfx::from_der(&realworld(file), "").unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(pfx.integrity().mac.as_deref(), Some("SHA-1"), "{file}");
        assert_eq!(pfx.integrity().iterations, Some(2000), "{file}");
        let (key, cert) = pfx.single_key().unwrap();
        let cert = cert.expect("the key's certificate");
        assert_eq!(key.key.algorithm(), KeyAlgorithm::Gost(ps), "{file}");
        assert!(cert.holds_key(&key.key.public_key()));
        assert!(
            key.friendly_name
                .as_deref()
                .is_some_and(|n| n.starts_with("0000_tinyCA_")),
            "{:?}",
            key.friendly_name
        );
        assert!(
            key.protection.contains("CryptoPro key export"),
            "{}",
            key.protection
        );
        assert!(
            pfx.encryption()
                .iter()
                .any(|e| e.starts_with("certificates: PKCS#12 PBE: SHA-1, 3-key triple DES")),
            "{:?}",
            pfx.encryption()
        );
        assert_signs(&key.key, cert);
    }
}

/// The offset of the key bag's encrypted data in a CryptoPro PFX (after its parameters'
/// iteration count, 2000, and the OCTET STRING header).
fn cryptopro_key_data(der: &[u8]) -> usize {
    let at = der
        .windows(6)
        .position(|w| w == [0x02, 0x02, 0x07, 0xD0, 0x04, 0x81])
        .unwrap();
    at + 7
}

#[test]
fn cryptopro_exports_tell_a_wrong_password_from_an_altered_file() {
    let der = realworld("pfx/cryptopro_corefx_2012_256.pfx");
    for wrong in ["x", "пароль", " "] {
        let e = Pfx::from_der(&der, wrong).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::WrongPassword, "{wrong}: {e}");
    }
    // The MAC changed: the contents still open.
    let mut altered = der.clone();
    let n = altered.len();
    altered[n - 30] ^= 1;
    let e = Pfx::from_der(&altered, "").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentAltered, "{e}");
    // A byte of the wrapped key changed: the key no longer matches its own MAC (CEK_MAC).
    let mut altered = der.clone();
    altered[cryptopro_key_data(&der) + 60] ^= 0x10;
    let e = Pfx::from_der(&altered, "").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentAltered, "{e}");
    // Truncations and single-byte changes anywhere: an error or the file as it was, never a
    // panic.
    for len in (0..der.len()).step_by(5) {
        assert!(Pfx::from_der(&der[..len], "").is_err());
    }
    for at in (0..der.len()).step_by(3) {
        let mut changed = der.clone();
        changed[at] ^= 0x5A;
        let _ = Pfx::from_der(&changed, "");
    }
}

/// The 2001 export opens (the key blob decrypts) and its key is refused as a 2001 key.
#[test]
fn cryptopro_2001_export_is_refused_by_name() {
    let der = realworld("pfx/cryptopro_corefx_2001.pfx");
    let e = Pfx::from_der(&der, "").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm, "{e}");
    assert!(e.message().contains("2001"), "{e}");
    assert_eq!(
        Pfx::from_der(&der, "x").unwrap_err().kind(),
        ErrorKind::WrongPassword
    );
}
