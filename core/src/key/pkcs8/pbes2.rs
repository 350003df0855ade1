//! PBES2 (RFC 8018 §6.2) with the GOST profiles of RFC 9337 and Р 50.1.112-2016: the
//! parameters, decryption of any content (a PKCS#8 key, a PFX's encrypted SafeContents), and
//! the two profiles we write.
//!
//! ```text
//! PBES2-params ::= SEQUENCE {
//!     keyDerivationFunc AlgorithmIdentifier {{ PBKDF2 }},
//!     encryptionScheme  AlgorithmIdentifier }
//! PBKDF2-params ::= SEQUENCE {
//!     salt            CHOICE { specified OCTET STRING, ... },
//!     iterationCount  INTEGER (1..MAX),
//!     keyLength       INTEGER (1..MAX) OPTIONAL,
//!     prf             AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
//! Gost28147-89-Parameters ::= SEQUENCE {       -- RFC 4357 §10.1 (CFB, with key meshing)
//!     iv                   OCTET STRING (SIZE (8)),
//!     encryptionParamSet   OBJECT IDENTIFIER }
//! Gost3412-15-Encryption-Parameters ::= SEQUENCE {   -- RFC 9337
//!     ukm OCTET STRING }                       -- 16 bytes (Kuznyechik), 12 (Magma)
//! ```
//!
//! Read: PRF HMAC-SHA-1/SHA-256/Streebog-256/512 and HMAC-GOST R 34.11-94; AES-128/192/256-CBC,
//! GOST 28147-89 CFB (any length, CryptoPro key meshing every 1024 bytes), Kuznyechik and
//! Magma CTR-ACPKM with and without OMAC. OpenSSL's gost engine writes the CTR-ACPKM ukm as
//! IV‖0…0; it is read as any other ukm.

use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::ciphers::{self, Gost89Sbox};
use super::gost2015::{self, Cipher2015};
use crate::key::kdf::{self, Prf};
use crate::{Error, ErrorKind, Result, oid};

#[derive(Sequence)]
struct Pbes2Params {
    key_derivation_func: AlgorithmIdentifierOwned,
    encryption_scheme: AlgorithmIdentifierOwned,
}

#[derive(Sequence)]
struct Pbkdf2Params {
    salt: OctetString,
    iteration_count: u64,
    #[asn1(optional = "true")]
    key_length: Option<u32>,
    #[asn1(optional = "true")]
    prf: Option<AlgorithmIdentifierOwned>,
}

/// The GOST 28147-89 parameters, or (without the OID) RFC 9337's ukm.
#[derive(Sequence)]
struct GostCipherParams {
    iv: OctetString,
    #[asn1(optional = "true")]
    param_set: Option<ObjectIdentifier>,
}

/// An encryption scheme with its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// AES-CBC with PKCS#7 padding.
    AesCbc { key_len: usize, iv: [u8; 16] },
    /// GOST 28147-89 CFB with CryptoPro key meshing.
    Gost89Cfb { sbox: Gost89Sbox, iv: [u8; 8] },
    /// Kuznyechik or Magma CTR-ACPKM, with OMAC or without.
    CtrAcpkm {
        cipher: Cipher2015,
        omac: bool,
        ukm: Vec<u8>,
    },
}

impl Scheme {
    fn key_len(&self) -> usize {
        match self {
            Scheme::AesCbc { key_len, .. } => *key_len,
            _ => 32,
        }
    }

    /// A short name for reports ("GOST 28147-89 CFB (param-Z)").
    pub(crate) fn name(&self) -> String {
        match self {
            Scheme::AesCbc { key_len, .. } => format!("AES-{}-CBC", key_len * 8),
            Scheme::Gost89Cfb { sbox, .. } => format!("GOST 28147-89 CFB ({})", sbox.name()),
            Scheme::CtrAcpkm { cipher, omac, .. } => format!(
                "{} CTR-ACPKM{}",
                match cipher {
                    Cipher2015::Kuznyechik => "Kuznyechik",
                    Cipher2015::Magma => "Magma",
                },
                if *omac { "-OMAC" } else { "" }
            ),
        }
    }
}

/// PBES2 parameters as read from (or written to) an AlgorithmIdentifier.
#[derive(Clone, Debug)]
pub(crate) struct Pbes2 {
    pub prf: Prf,
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub scheme: Scheme,
}

fn malformed(field: &str, msg: impl Into<String>) -> Error {
    Error::malformed(msg).with_field(field)
}

pub(crate) fn wrong_password(what: &str) -> Error {
    Error::new(
        ErrorKind::WrongPassword,
        format!("the password does not decrypt the {what} (or it is corrupt)"),
    )
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("OS random source: {e}")))?;
    Ok(out)
}

impl Pbes2 {
    /// Reads PBES2 parameters; the iteration count is checked against the limit here, before
    /// anything is derived.
    pub(crate) fn from_algorithm(alg: &AlgorithmIdentifierOwned) -> Result<Pbes2> {
        if alg.oid != oid::PBES2 {
            return Err(Error::unsupported(format!(
                "password-based encryption {} (only PBES2 is supported{})",
                alg.oid,
                if alg.oid == oid::CRYPTOPRO_PFX_PBE {
                    "; this is CryptoPro's own PFX key encryption, read inside a PFX \
                     (bankkey::pfx), not as a lone PKCS#8 file"
                } else {
                    ""
                }
            ))
            .with_field("encryptionAlgorithm"));
        }
        let pbes2: Pbes2Params = alg
            .parameters
            .as_ref()
            .ok_or_else(|| malformed("PBES2-params", "PBES2 without parameters"))?
            .decode_as()
            .map_err(|e: der::Error| malformed("PBES2-params", e.to_string()))?;
        let kdf_alg = &pbes2.key_derivation_func;
        if kdf_alg.oid != oid::PBKDF2 {
            return Err(Error::unsupported(format!(
                "key derivation {} (only PBKDF2 is supported)",
                kdf_alg.oid
            ))
            .with_field("keyDerivationFunc"));
        }
        let params: Pbkdf2Params = kdf_alg
            .parameters
            .as_ref()
            .ok_or_else(|| malformed("PBKDF2-params", "PBKDF2 without parameters"))?
            .decode_as()
            .map_err(|e: der::Error| malformed("PBKDF2-params", e.to_string()))?;
        let iterations = kdf::check_read(params.iteration_count, "iterationCount")?;
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
        Ok(Pbes2 {
            prf,
            salt: params.salt.as_bytes().to_vec(),
            iterations,
            scheme,
        })
    }

    /// PBKDF2-HMAC-SHA-256 and AES-256-CBC, random 16-byte salt and IV: what every tool reads.
    pub(crate) fn aes256(iterations: u32) -> Result<Pbes2> {
        kdf::check_write(iterations)?;
        Ok(Pbes2 {
            prf: Prf::Sha256,
            salt: random::<16>()?.to_vec(),
            iterations,
            scheme: Scheme::AesCbc {
                key_len: 32,
                iv: random()?,
            },
        })
    }

    /// Р 50.1.112-2016's profile: PBKDF2-HMAC-Streebog-512 with a 32-byte salt, GOST 28147-89
    /// CFB with the TC26 param-Z S-box and a random IV.
    pub(crate) fn gost89(iterations: u32) -> Result<Pbes2> {
        kdf::check_write(iterations)?;
        Ok(Pbes2 {
            prf: Prf::Streebog512,
            salt: random::<32>()?.to_vec(),
            iterations,
            scheme: Scheme::Gost89Cfb {
                sbox: Gost89Sbox::Tc26Z,
                iv: random()?,
            },
        })
    }

    /// The key from the password.
    fn key(&self, password: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        let mut key = Zeroizing::new([0u8; 32]);
        let len = self.scheme.key_len();
        kdf::pbkdf2(
            self.prf,
            password,
            &self.salt,
            self.iterations,
            &mut key[..len],
        )?;
        Ok(key)
    }

    /// Decrypts `data`. `what` names the content in errors ("key", "certificates").
    ///
    /// [`ErrorKind::WrongPassword`] for a bad padding or OMAC tag; CFB and CTR without OMAC
    /// cannot tell, so the caller checks that the result parses.
    pub(crate) fn decrypt(
        &self,
        password: &[u8],
        data: &[u8],
        what: &str,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let key = self.key(password)?;
        let mut buf = Zeroizing::new(data.to_vec());
        match &self.scheme {
            Scheme::AesCbc { key_len, iv } => {
                if buf.is_empty() || !buf.len().is_multiple_of(16) {
                    return Err(malformed(
                        "encryptedData",
                        "AES-CBC data is not a whole number of blocks",
                    ));
                }
                let len = aes_cbc_decrypt(*key_len, &key[..*key_len], iv, &mut buf)
                    .ok_or_else(|| wrong_password(what))?;
                buf.truncate(len);
                Ok(buf)
            }
            Scheme::Gost89Cfb { sbox, iv } => {
                ciphers::gost89_cfb_apply(*sbox, &key, iv, &mut buf, true);
                Ok(buf)
            }
            Scheme::CtrAcpkm {
                cipher,
                omac: false,
                ukm,
            } => {
                gost2015::ctr_acpkm(*cipher, &key, ukm, cipher.section(), &mut buf);
                Ok(buf)
            }
            Scheme::CtrAcpkm {
                cipher,
                omac: true,
                ukm,
            } => {
                gost2015::decrypt_omac(*cipher, &key, ukm, data).ok_or_else(|| wrong_password(what))
            }
        }
    }

    /// Encrypts `plain` (the ciphertext is not secret).
    pub(crate) fn encrypt(&self, password: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
        use cbc::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
        let key = self.key(password)?;
        match &self.scheme {
            Scheme::AesCbc { key_len, iv } => {
                if *key_len != 32 {
                    return Err(Error::new(ErrorKind::Internal, "we write AES-256 only"));
                }
                let mut buf = Zeroizing::new(vec![0u8; plain.len() + 16]);
                buf[..plain.len()].copy_from_slice(plain);
                let enc = cbc::Encryptor::<aes::Aes256>::new(&(*key).into(), &(*iv).into());
                let len = enc
                    .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
                    .map_err(|_| Error::new(ErrorKind::Internal, "AES-CBC padding buffer"))?
                    .len();
                Ok(buf[..len].to_vec())
            }
            Scheme::Gost89Cfb { sbox, iv } => {
                let mut buf = Zeroizing::new(plain.to_vec());
                ciphers::gost89_cfb_apply(*sbox, &key, iv, &mut buf, false);
                Ok(buf.to_vec())
            }
            Scheme::CtrAcpkm {
                cipher,
                omac: false,
                ukm,
            } => {
                let mut buf = Zeroizing::new(plain.to_vec());
                gost2015::ctr_acpkm(*cipher, &key, ukm, cipher.section(), &mut buf);
                Ok(buf.to_vec())
            }
            Scheme::CtrAcpkm {
                cipher,
                omac: true,
                ukm,
            } => Ok(gost2015::encrypt_omac(*cipher, &key, ukm, plain)),
        }
    }

    /// The AlgorithmIdentifier (PBES2 with its parameters).
    pub(crate) fn to_algorithm(&self) -> Result<AlgorithmIdentifierOwned> {
        let any = |der: Vec<u8>| Any::from_der(&der);
        let prf_oid = match self.prf {
            Prf::Sha1 => oid::HMAC_WITH_SHA1,
            Prf::Sha256 => oid::HMAC_WITH_SHA256,
            Prf::Streebog256 => oid::HMAC_STREEBOG_256,
            Prf::Streebog512 => oid::HMAC_STREEBOG_512,
            Prf::Gost94 => oid::HMAC_GOST3411_94,
        };
        let kdf_params = Pbkdf2Params {
            salt: OctetString::new(self.salt.clone())?,
            iteration_count: self.iterations.into(),
            key_length: None,
            prf: Some(AlgorithmIdentifierOwned {
                oid: prf_oid,
                parameters: Some(Any::null()),
            }),
        };
        let scheme = match &self.scheme {
            Scheme::AesCbc { key_len, iv } => AlgorithmIdentifierOwned {
                oid: match key_len {
                    16 => oid::AES_128_CBC,
                    24 => oid::AES_192_CBC,
                    _ => oid::AES_256_CBC,
                },
                parameters: Some(any(OctetString::new(iv.to_vec())?.to_der()?)?),
            },
            Scheme::Gost89Cfb { sbox, iv } => AlgorithmIdentifierOwned {
                oid: oid::GOST28147_89,
                parameters: Some(any(GostCipherParams {
                    iv: OctetString::new(iv.to_vec())?,
                    param_set: Some(sbox.oid()),
                }
                .to_der()?)?),
            },
            Scheme::CtrAcpkm { cipher, omac, ukm } => AlgorithmIdentifierOwned {
                oid: match (cipher, omac) {
                    (Cipher2015::Kuznyechik, false) => oid::KUZNYECHIK_CTR_ACPKM,
                    (Cipher2015::Kuznyechik, true) => oid::KUZNYECHIK_CTR_ACPKM_OMAC,
                    (Cipher2015::Magma, false) => oid::MAGMA_CTR_ACPKM,
                    (Cipher2015::Magma, true) => oid::MAGMA_CTR_ACPKM_OMAC,
                },
                parameters: Some(any(GostCipherParams {
                    iv: OctetString::new(ukm.clone())?,
                    param_set: None,
                }
                .to_der()?)?),
            },
        };
        let params = Pbes2Params {
            key_derivation_func: AlgorithmIdentifierOwned {
                oid: oid::PBKDF2,
                parameters: Some(any(kdf_params.to_der()?)?),
            },
            encryption_scheme: scheme,
        };
        Ok(AlgorithmIdentifierOwned {
            oid: oid::PBES2,
            parameters: Some(any(params.to_der()?)?),
        })
    }
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
    let ctr = match alg.oid {
        o if o == oid::KUZNYECHIK_CTR_ACPKM => Some((Cipher2015::Kuznyechik, false)),
        o if o == oid::KUZNYECHIK_CTR_ACPKM_OMAC => Some((Cipher2015::Kuznyechik, true)),
        o if o == oid::MAGMA_CTR_ACPKM => Some((Cipher2015::Magma, false)),
        o if o == oid::MAGMA_CTR_ACPKM_OMAC => Some((Cipher2015::Magma, true)),
        _ => None,
    };
    if ctr.is_none() && alg.oid != oid::GOST28147_89 {
        return Err(
            Error::unsupported(format!("PBES2 encryption scheme {}", alg.oid)).with_field(field),
        );
    }
    let p: GostCipherParams = params
        .decode_as()
        .map_err(|e| malformed(field, format!("GOST cipher parameters: {e}")))?;
    let iv = p.iv.as_bytes();
    if let Some((cipher, omac)) = ctr {
        // RFC 9337: the ukm is n/2 bits of IV and 64 bits of KDF seed. Without OMAC only the
        // IV is used, and the bare IV is accepted too.
        let ok = iv.len() == cipher.ukm_len() || (!omac && iv.len() == cipher.block() / 2);
        if !ok {
            return Err(malformed(
                field,
                format!("a CTR-ACPKM ukm of {} bytes", iv.len()),
            ));
        }
        return Ok(Scheme::CtrAcpkm {
            cipher,
            omac,
            ukm: iv.to_vec(),
        });
    }
    let iv: [u8; 8] = iv
        .try_into()
        .map_err(|_| malformed(field, "the GOST 28147-89 IV is not 8 bytes"))?;
    let sbox = match p.param_set {
        Some(o) => Gost89Sbox::from_oid(&o).ok_or_else(|| {
            Error::unsupported(format!("GOST 28147-89 parameter set {o}")).with_field(field)
        })?,
        None => return Err(malformed(field, "GOST 28147-89 without its parameter set")),
    };
    Ok(Scheme::Gost89Cfb { sbox, iv })
}

fn aes_cbc_decrypt(key_len: usize, key: &[u8], iv: &[u8; 16], data: &mut [u8]) -> Option<usize> {
    use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
    fn run<C>(key: &[u8], iv: &[u8; 16], data: &mut [u8]) -> Option<usize>
    where
        C: cbc::cipher::BlockCipherDecrypt + cbc::cipher::KeyInit,
        cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
    {
        let dec = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
        dec.decrypt_padded::<Pkcs7>(data).ok().map(|p| p.len())
    }
    match key_len {
        16 => run::<aes::Aes128>(key, iv, data),
        24 => run::<aes::Aes192>(key, iv, data),
        _ => run::<aes::Aes256>(key, iv, data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_round_trip_through_der() {
        for p in [
            Pbes2::aes256(1000).unwrap(),
            Pbes2::gost89(2000).unwrap(),
            Pbes2 {
                prf: Prf::Streebog256,
                salt: vec![1; 8],
                iterations: 5,
                scheme: Scheme::CtrAcpkm {
                    cipher: Cipher2015::Magma,
                    omac: true,
                    ukm: vec![2; 12],
                },
            },
        ] {
            let back = Pbes2::from_algorithm(&p.to_algorithm().unwrap()).unwrap();
            assert_eq!(back.prf, p.prf);
            assert_eq!(back.salt, p.salt);
            assert_eq!(back.iterations, p.iterations);
            assert_eq!(back.scheme, p.scheme);
            let plain: Vec<u8> = (0..3000).map(|i| i as u8).collect();
            let enc = p.encrypt(b"pw", &plain).unwrap();
            assert_eq!(*back.decrypt(b"pw", &enc, "test").unwrap(), plain);
        }
    }

    #[test]
    fn other_schemes_are_refused_by_name() {
        let alg = AlgorithmIdentifierOwned {
            oid: oid::CRYPTOPRO_PFX_PBE,
            parameters: None,
        };
        let e = Pbes2::from_algorithm(&alg).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm);
        assert!(e.message().contains("CryptoPro"), "{e}");
    }
}
