//! Password-encrypted PKCS#8 (`EncryptedPrivateKeyInfo`, RFC 5958 §3) with PBES2 (RFC 8018
//! §6.2; the schemes are in [`super::pbes2`]).
//!
//! ```text
//! EncryptedPrivateKeyInfo ::= SEQUENCE {
//!     encryptionAlgorithm  AlgorithmIdentifier {{ PBES2 }},
//!     encryptedData        OCTET STRING }
//! ```
//!
//! Written: PBKDF2 with HMAC-SHA-256 and AES-256-CBC, which every tool reads.

use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::pbes2::{self, Pbes2};
use crate::{Error, Result};

/// The PBKDF2 iteration count we write by default: OWASP's 2023 figure for
/// PBKDF2-HMAC-SHA-256 (0.16 s to derive a key here in a release build). Reading and writing
/// are bounded by [`kdf_iteration_limit`](crate::key::kdf_iteration_limit).
pub const DEFAULT_PBKDF2_ITERATIONS: u32 = 600_000;

#[derive(Sequence)]
struct EncryptedPrivateKeyInfo {
    encryption_algorithm: AlgorithmIdentifierOwned,
    encrypted_data: OctetString,
}

/// Decrypts an `EncryptedPrivateKeyInfo`, returning the `PrivateKeyInfo` DER inside.
///
/// [`ErrorKind::WrongPassword`](crate::ErrorKind::WrongPassword) when the padding or tag is
/// wrong or the result is not a `PrivateKeyInfo` (CTR and CFB have no padding: a wrong
/// password shows only there).
pub(crate) fn decrypt(der: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let info = EncryptedPrivateKeyInfo::from_der(der)
        .map_err(|e| Error::malformed(format!("EncryptedPrivateKeyInfo: {e}")))?;
    let pbes2 = Pbes2::from_algorithm(&info.encryption_algorithm)?;
    let data = pbes2.decrypt(password, info.encrypted_data.as_bytes(), "key")?;
    // A wrong password gives random bytes: whatever does not parse is reported as that.
    if pkcs8::PrivateKeyInfoRef::from_der(&data).is_err() {
        return Err(pbes2::wrong_password("key"));
    }
    Ok(data)
}

/// Encrypts a `PrivateKeyInfo` with PBES2: PBKDF2-HMAC-SHA-256 (`iterations`, 16-byte random
/// salt) and AES-256-CBC (random IV).
pub(crate) fn encrypt(plain: &[u8], password: &[u8], iterations: u32) -> Result<Vec<u8>> {
    let pbes2 = Pbes2::aes256(iterations)?;
    let info = EncryptedPrivateKeyInfo {
        encryption_algorithm: pbes2.to_algorithm()?,
        encrypted_data: OctetString::new(pbes2.encrypt(password, plain)?)?,
    };
    Ok(info.to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openssl");
    const PASSWORD: &[u8] = b"bankkey-test";

    fn pem_der(path: &str, label: &str) -> Vec<u8> {
        let text = std::fs::read_to_string(format!("{FIXTURES}/{path}")).unwrap();
        crate::key::pem::decode(&text, &[label]).unwrap().to_vec()
    }

    /// Every encrypted fixture decrypts to exactly the plain key.pem OpenSSL started from.
    #[test]
    fn openssl_encrypted_fixtures_decrypt_to_their_keys() {
        for set in ["gost2012_256-A", "gost2012_512-A"] {
            let plain = pem_der(&format!("{set}/key.pem"), "PRIVATE KEY");
            for form in [
                "kuznyechik-ctr-acpkm.hmac-streebog512",
                "gost89.hmac-streebog512",
                "aes-256-cbc.hmac-sha256",
            ] {
                let enc = pem_der(
                    &format!("encrypted/{set}.{form}.pem"),
                    "ENCRYPTED PRIVATE KEY",
                );
                let got = decrypt(&enc, PASSWORD).unwrap_or_else(|e| panic!("{set} {form}: {e}"));
                assert_eq!(*got, plain, "{set} {form}");
                let err = decrypt(&enc, b"bankkey-tesT").unwrap_err();
                assert_eq!(err.kind(), ErrorKind::WrongPassword, "{set} {form}");
            }
        }
    }

    #[test]
    fn our_encryption_round_trips() {
        let plain = pem_der("ec-p256/key.pem", "PRIVATE KEY");
        let enc = encrypt(&plain, b"secret", 1000).unwrap();
        assert_eq!(*decrypt(&enc, b"secret").unwrap(), plain);
        assert_eq!(
            decrypt(&enc, b"Secret").unwrap_err().kind(),
            ErrorKind::WrongPassword
        );
        // Fresh salt and IV each time.
        assert_ne!(encrypt(&plain, b"secret", 1000).unwrap(), enc);
    }

    #[test]
    fn iteration_counts_are_bounded() {
        let plain = pem_der("ec-p256/key.pem", "PRIVATE KEY");
        assert_eq!(
            encrypt(&plain, b"p", 0).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            encrypt(&plain, b"p", crate::key::kdf_iteration_limit() + 1)
                .unwrap_err()
                .kind(),
            ErrorKind::LimitExceeded
        );
    }

    /// Issue 13, defect 5: a 280-byte key asking for 10,000,000 iterations of
    /// HMAC-Streebog-512 (16 s of CPU per attempt) is refused before any derivation, with
    /// its own kind (the file may be genuine: the host can raise the limit).
    #[test]
    fn a_hostile_iteration_count_is_refused_before_deriving() {
        let mut der = crate::key::pem::decode(
            &std::fs::read_to_string(format!(
                "{FIXTURES}/encrypted/gost2012_256-A.gost89.hmac-streebog512.pem"
            ))
            .unwrap(),
            &["ENCRYPTED PRIVATE KEY"],
        )
        .unwrap()
        .to_vec();
        let info = EncryptedPrivateKeyInfo::from_der(&der).unwrap();
        let mut params = Pbes2::from_algorithm(&info.encryption_algorithm).unwrap();
        params.iterations = 10_000_000;
        der = EncryptedPrivateKeyInfo {
            encryption_algorithm: params.to_algorithm().unwrap(),
            encrypted_data: info.encrypted_data,
        }
        .to_der()
        .unwrap();
        assert!(der.len() < 300, "{} bytes", der.len());
        let e = decrypt(&der, PASSWORD).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert_eq!(e.field(), Some("iterationCount"));
        assert!(e.message().contains("10000000"), "{e}");
    }
}
