//! Password-encrypted PKCS#8 (`EncryptedPrivateKeyInfo`, RFC 5958 §3) with PBES2 (RFC 8018
//! §6.2).
//!
//! ```text
//! EncryptedPrivateKeyInfo ::= SEQUENCE {
//!     encryptionAlgorithm  AlgorithmIdentifier {{ PBES2 }},
//!     encryptedData        OCTET STRING }
//! PBES2-params ::= SEQUENCE {
//!     keyDerivationFunc AlgorithmIdentifier {{ PBKDF2 }},
//!     encryptionScheme  AlgorithmIdentifier }
//! PBKDF2-params ::= SEQUENCE {
//!     salt            CHOICE { specified OCTET STRING, ... },
//!     iterationCount  INTEGER (1..MAX),
//!     keyLength       INTEGER (1..MAX) OPTIONAL,
//!     prf             AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
//! ```
//!
//! Read: PRF HMAC-SHA1, HMAC-SHA-256, HMAC-Streebog-256/512; ciphers AES-128/192/256-CBC,
//! Kuznyechik CTR-ACPKM and GOST 28147-89 CFB (what the OpenSSL gost engine writes, parameters
//! `SEQUENCE { iv OCTET STRING [, encryptionParamSet OID] }`). Written: PBKDF2 with
//! HMAC-SHA-256 and AES-256-CBC, which every tool reads.

use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::ciphers::{self, Gost89Sbox};
use crate::key::kdf::{self, Prf};
use crate::{Error, ErrorKind, Result, oid};

/// The PBKDF2 iteration count we write by default: OWASP's 2023 figure for
/// PBKDF2-HMAC-SHA-256 (0.16 s to derive a key here in a release build). Reading and writing
/// are bounded by [`kdf_iteration_limit`](crate::key::kdf_iteration_limit).
pub const DEFAULT_PBKDF2_ITERATIONS: u32 = 600_000;

#[derive(Sequence)]
struct EncryptedPrivateKeyInfo {
    encryption_algorithm: AlgorithmIdentifierOwned,
    encrypted_data: OctetString,
}

#[derive(Sequence)]
struct Pbes2Params {
    key_derivation_func: AlgorithmIdentifierOwned,
    encryption_scheme: AlgorithmIdentifierOwned,
}

#[derive(Sequence)]
struct Pbkdf2Params {
    salt: OctetString,
    iteration_count: u32,
    #[asn1(optional = "true")]
    key_length: Option<u32>,
    #[asn1(optional = "true")]
    prf: Option<AlgorithmIdentifierOwned>,
}

/// The parameters of the GOST ciphers: `SEQUENCE { iv OCTET STRING, encryptionParamSet OID
/// OPTIONAL }` (the OID is present for GOST 28147-89 only).
#[derive(Sequence)]
struct GostCipherParams {
    iv: OctetString,
    #[asn1(optional = "true")]
    param_set: Option<ObjectIdentifier>,
}

enum Scheme {
    AesCbc { key_len: usize, iv: [u8; 16] },
    KuznyechikCtrAcpkm { counter: [u8; 16] },
    Gost89Cfb { sbox: Gost89Sbox, iv: [u8; 8] },
}

impl Scheme {
    fn key_len(&self) -> usize {
        match self {
            Scheme::AesCbc { key_len, .. } => *key_len,
            Scheme::KuznyechikCtrAcpkm { .. } | Scheme::Gost89Cfb { .. } => 32,
        }
    }
}

fn malformed(field: &str, msg: impl Into<String>) -> Error {
    Error::malformed(msg).with_field(field)
}

fn wrong_password() -> Error {
    Error::new(
        ErrorKind::WrongPassword,
        "the password does not decrypt the key (or the encrypted key is corrupt)",
    )
}

fn parse_scheme(alg: &AlgorithmIdentifierOwned) -> Result<Scheme> {
    let field = "encryptionScheme";
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| malformed(field, format!("{} without parameters", alg.oid)))?;
    let aes_len = match alg.oid {
        o if o == oid::AES_128_CBC => Some(16),
        o if o == oid::AES_192_CBC => Some(24),
        o if o == oid::AES_256_CBC => Some(32),
        _ => None,
    };
    if let Some(key_len) = aes_len {
        let iv: OctetString = params
            .decode_as()
            .map_err(|e| malformed(field, format!("AES-CBC IV: {e}")))?;
        let iv: [u8; 16] = iv
            .as_bytes()
            .try_into()
            .map_err(|_| malformed(field, "the AES-CBC IV is not 16 bytes"))?;
        return Ok(Scheme::AesCbc { key_len, iv });
    }
    if alg.oid == oid::KUZNYECHIK_CTR_ACPKM || alg.oid == oid::GOST28147_89 {
        let p: GostCipherParams = params
            .decode_as()
            .map_err(|e| malformed(field, format!("GOST cipher parameters: {e}")))?;
        let iv = p.iv.as_bytes();
        if alg.oid == oid::KUZNYECHIK_CTR_ACPKM {
            // The engine writes the whole initial counter block IV‖0^64; accept the bare IV too.
            let mut counter = [0u8; 16];
            match iv.len() {
                8 | 16 => counter[..iv.len()].copy_from_slice(iv),
                n => return Err(malformed(field, format!("a CTR-ACPKM IV of {n} bytes"))),
            }
            return Ok(Scheme::KuznyechikCtrAcpkm { counter });
        }
        let iv: [u8; 8] = iv
            .try_into()
            .map_err(|_| malformed(field, "the GOST 28147-89 IV is not 8 bytes"))?;
        let sbox = match p.param_set {
            Some(o) if o == oid::GOST28147_PARAM_Z => Gost89Sbox::Tc26Z,
            Some(o) if o == oid::GOST28147_CRYPTOPRO_A => Gost89Sbox::CryptoProA,
            Some(o) if o == oid::GOST28147_CRYPTOPRO_B => Gost89Sbox::CryptoProB,
            Some(o) if o == oid::GOST28147_CRYPTOPRO_C => Gost89Sbox::CryptoProC,
            Some(o) if o == oid::GOST28147_CRYPTOPRO_D => Gost89Sbox::CryptoProD,
            Some(o) => {
                return Err(
                    Error::unsupported(format!("GOST 28147-89 parameter set {o}"))
                        .with_field(field),
                );
            }
            None => return Err(malformed(field, "GOST 28147-89 without its parameter set")),
        };
        return Ok(Scheme::Gost89Cfb { sbox, iv });
    }
    Err(Error::unsupported(format!("PBES2 encryption scheme {}", alg.oid)).with_field(field))
}

/// Decrypts an `EncryptedPrivateKeyInfo`, returning the `PrivateKeyInfo` DER inside.
///
/// [`ErrorKind::WrongPassword`] when the padding is wrong or the result is not a
/// `PrivateKeyInfo` (CTR and CFB have no padding: a wrong password shows only there).
pub(crate) fn decrypt(der: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let info = EncryptedPrivateKeyInfo::from_der(der)
        .map_err(|e| Error::malformed(format!("EncryptedPrivateKeyInfo: {e}")))?;
    let alg = &info.encryption_algorithm;
    if alg.oid != oid::PBES2 {
        return Err(Error::unsupported(format!(
            "key encryption {} (only PBES2 is supported)",
            alg.oid
        ))
        .with_field("encryptionAlgorithm"));
    }
    let pbes2: Pbes2Params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| malformed("PBES2-params", "PBES2 without parameters"))?
        .decode_as()
        .map_err(|e: der::Error| malformed("PBES2-params", e.to_string()))?;
    let kdf = &pbes2.key_derivation_func;
    if kdf.oid != oid::PBKDF2 {
        return Err(Error::unsupported(format!(
            "key derivation {} (only PBKDF2 is supported)",
            kdf.oid
        ))
        .with_field("keyDerivationFunc"));
    }
    let params: Pbkdf2Params = kdf
        .parameters
        .as_ref()
        .ok_or_else(|| malformed("PBKDF2-params", "PBKDF2 without parameters"))?
        .decode_as()
        .map_err(|e: der::Error| malformed("PBKDF2-params", e.to_string()))?;
    let iterations = kdf::check_read(params.iteration_count.into(), "iterationCount")?;
    let prf = Prf::from_algorithm(params.prf.as_ref())?;
    let scheme = parse_scheme(&pbes2.encryption_scheme)?;
    if let Some(len) = params.key_length
        && len as usize != scheme.key_len()
    {
        return Err(malformed(
            "keyLength",
            format!(
                "keyLength {len} does not fit the cipher ({} bytes)",
                scheme.key_len()
            ),
        ));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    let key = &mut key[..scheme.key_len()];
    kdf::pbkdf2(prf, password, params.salt.as_bytes(), iterations, key)?;

    let mut data = Zeroizing::new(info.encrypted_data.as_bytes().to_vec());
    let plain_len = match scheme {
        Scheme::AesCbc { key_len, iv } => {
            if data.is_empty() || data.len() % 16 != 0 {
                return Err(malformed(
                    "encryptedData",
                    "AES-CBC data is not a whole number of blocks",
                ));
            }
            aes_cbc_decrypt(key_len, key, &iv, &mut data)?
        }
        Scheme::KuznyechikCtrAcpkm { counter } => {
            let k: &[u8; 32] = (&*key).try_into().map_err(|_| wrong_password())?;
            ciphers::kuznyechik_ctr_acpkm(k, &counter, ciphers::ACPKM_SECTION, &mut data);
            data.len()
        }
        Scheme::Gost89Cfb { sbox, iv } => {
            if data.len() > ciphers::GOST89_MESHING_LIMIT {
                return Err(Error::unsupported(
                    "GOST 28147-89 data longer than 1024 bytes (CryptoPro key meshing)",
                )
                .with_field("encryptedData"));
            }
            let k: &[u8; 32] = (&*key).try_into().map_err(|_| wrong_password())?;
            ciphers::gost89_cfb_apply(sbox, k, &iv, &mut data, true);
            data.len()
        }
    };
    data.truncate(plain_len);
    // A wrong password gives random bytes: whatever does not parse is reported as that.
    if pkcs8::PrivateKeyInfoRef::from_der(&data).is_err() {
        return Err(wrong_password());
    }
    Ok(data)
}

fn aes_cbc_decrypt(key_len: usize, key: &[u8], iv: &[u8; 16], data: &mut [u8]) -> Result<usize> {
    use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
    fn run<C>(key: &[u8], iv: &[u8; 16], data: &mut [u8]) -> Result<usize>
    where
        C: cbc::cipher::BlockCipherDecrypt + cbc::cipher::KeyInit,
        cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
    {
        let dec = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| wrong_password())?;
        dec.decrypt_padded::<Pkcs7>(data)
            .map(|p| p.len())
            .map_err(|_| wrong_password())
    }
    match key_len {
        16 => run::<aes::Aes128>(key, iv, data),
        24 => run::<aes::Aes192>(key, iv, data),
        _ => run::<aes::Aes256>(key, iv, data),
    }
}

/// Encrypts a `PrivateKeyInfo` with PBES2: PBKDF2-HMAC-SHA-256 (`iterations`, 16-byte random
/// salt) and AES-256-CBC (random IV).
pub(crate) fn encrypt(plain: &[u8], password: &[u8], iterations: u32) -> Result<Vec<u8>> {
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
    kdf::check_write(iterations)?;
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    getrandom::fill(&mut salt)
        .and_then(|_| getrandom::fill(&mut iv))
        .map_err(|e| Error::new(ErrorKind::Internal, format!("OS random source: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    kdf::pbkdf2(Prf::Sha256, password, &salt, iterations, &mut key[..])?;

    let mut buf = Zeroizing::new(vec![0u8; plain.len() + 16]);
    buf[..plain.len()].copy_from_slice(plain);
    let enc = cbc::Encryptor::<aes::Aes256>::new(&(*key).into(), &iv.into());
    let ct_len = enc
        .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
        .map_err(|_| Error::new(ErrorKind::Internal, "AES-CBC padding buffer too small"))?
        .len();

    let any = |der: Vec<u8>| Any::from_der(&der);
    let null = || Some(Any::null());
    let kdf_params = Pbkdf2Params {
        salt: OctetString::new(salt.to_vec())?,
        iteration_count: iterations,
        key_length: None,
        prf: Some(AlgorithmIdentifierOwned {
            oid: oid::HMAC_WITH_SHA256,
            parameters: null(),
        }),
    };
    let pbes2 = Pbes2Params {
        key_derivation_func: AlgorithmIdentifierOwned {
            oid: oid::PBKDF2,
            parameters: Some(any(kdf_params.to_der()?)?),
        },
        encryption_scheme: AlgorithmIdentifierOwned {
            oid: oid::AES_256_CBC,
            parameters: Some(any(OctetString::new(iv.to_vec())?.to_der()?)?),
        },
    };
    let info = EncryptedPrivateKeyInfo {
        encryption_algorithm: AlgorithmIdentifierOwned {
            oid: oid::PBES2,
            parameters: Some(any(pbes2.to_der()?)?),
        },
        encrypted_data: OctetString::new(buf[..ct_len].to_vec())?,
    };
    Ok(info.to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let pbes2: Pbes2Params = info
            .encryption_algorithm
            .parameters
            .unwrap()
            .decode_as()
            .unwrap();
        let mut kdf_params: Pbkdf2Params = pbes2
            .key_derivation_func
            .parameters
            .unwrap()
            .decode_as()
            .unwrap();
        kdf_params.iteration_count = 10_000_000;
        let pbes2 = Pbes2Params {
            key_derivation_func: AlgorithmIdentifierOwned {
                oid: oid::PBKDF2,
                parameters: Some(Any::from_der(&kdf_params.to_der().unwrap()).unwrap()),
            },
            encryption_scheme: pbes2.encryption_scheme,
        };
        der = EncryptedPrivateKeyInfo {
            encryption_algorithm: AlgorithmIdentifierOwned {
                oid: oid::PBES2,
                parameters: Some(Any::from_der(&pbes2.to_der().unwrap()).unwrap()),
            },
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
