//! The PFX MAC (RFC 7292 §4, `MacData`): an HMAC over the AuthenticatedSafe's octets.
//!
//! The key: for the GOST digests, PBKDF2 with the HMAC of the MAC's own digest over the UTF-8
//! password, 96 bytes, of which the last 32 (Р 50.1.112-2016 §5.2; RFC 9548 §3; OpenSSL's
//! `pkcs12_gen_gost_mac_key`, which applies it to GOST R 34.11-94 and Streebog-256 as well);
//! for the others, the PKCS#12 KDF (RFC 7292 appendix B.2, ID = 3) over the BMPString
//! password, as long as the digest.

use der::asn1::{Any, OctetString};
use hmac::{KeyInit, Mac};
use spki::AlgorithmIdentifierOwned;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::PfxIntegrity;
use super::asn1::{DigestInfo, MacData};
use crate::key::kdf::{self, Prf};
use crate::{Error, Result, oid};

/// The outcome of checking a MAC.
pub(super) struct Check {
    pub matches: bool,
    pub integrity: PfxIntegrity,
}

#[derive(Clone, Copy)]
enum Digest {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Streebog256,
    Streebog512,
    Gost94,
}

impl Digest {
    fn from_algorithm(alg: &AlgorithmIdentifierOwned) -> Result<Digest> {
        crate::key::params_absent_or_null(alg, "mac")?;
        Ok(match alg.oid {
            o if o == oid::SHA1 => Digest::Sha1,
            o if o == oid::SHA256 => Digest::Sha256,
            o if o == oid::SHA384 => Digest::Sha384,
            o if o == oid::SHA512 => Digest::Sha512,
            o if o == oid::STREEBOG_256 => Digest::Streebog256,
            o if o == oid::STREEBOG_512 => Digest::Streebog512,
            o if o == oid::GOST3411_94 => Digest::Gost94,
            o => {
                return Err(Error::unsupported(format!("PFX MAC digest {o}")).with_field("mac"));
            }
        })
    }

    fn name(self) -> &'static str {
        match self {
            Digest::Sha1 => "SHA-1",
            Digest::Sha256 => "SHA-256",
            Digest::Sha384 => "SHA-384",
            Digest::Sha512 => "SHA-512",
            Digest::Streebog256 => "Streebog-256",
            Digest::Streebog512 => "Streebog-512",
            Digest::Gost94 => "GOST R 34.11-94",
        }
    }

    /// The PBKDF2 PRF of the GOST rule, for the GOST digests.
    fn gost_prf(self) -> Option<Prf> {
        match self {
            Digest::Streebog256 => Some(Prf::Streebog256),
            Digest::Streebog512 => Some(Prf::Streebog512),
            Digest::Gost94 => Some(Prf::Gost94),
            _ => None,
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        use crate::gost::streebog::rustcrypto::{Streebog256, Streebog512};
        fn run<D>(key: &[u8], data: &[u8]) -> Vec<u8>
        where
            hmac::Hmac<D>: KeyInit + Mac,
            D: hmac::EagerHash,
        {
            // HMAC takes keys of any length.
            match <hmac::Hmac<D> as KeyInit>::new_from_slice(key) {
                Ok(mut mac) => {
                    mac.update(data);
                    mac.finalize().into_bytes().to_vec()
                }
                Err(_) => Vec::new(),
            }
        }
        match self {
            Digest::Sha1 => run::<sha1::Sha1>(key, data),
            Digest::Sha256 => run::<sha2::Sha256>(key, data),
            Digest::Sha384 => run::<sha2::Sha384>(key, data),
            Digest::Sha512 => run::<sha2::Sha512>(key, data),
            Digest::Streebog256 => run::<Streebog256>(key, data),
            Digest::Streebog512 => run::<Streebog512>(key, data),
            Digest::Gost94 => kdf::hmac_gost94(key, data),
        }
    }

    /// The MAC key.
    fn key(
        self,
        password_utf8: &[u8],
        password_bmp: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> Result<Zeroizing<Vec<u8>>> {
        if let Some(prf) = self.gost_prf() {
            let mut out = Zeroizing::new([0u8; 96]);
            kdf::pbkdf2(prf, password_utf8, salt, iterations, &mut out[..])?;
            return Ok(Zeroizing::new(out[64..].to_vec()));
        }
        let len = match self {
            Digest::Sha1 => 20,
            Digest::Sha256 => 32,
            Digest::Sha384 => 48,
            _ => 64,
        };
        let mut key = Zeroizing::new(vec![0u8; len]);
        let hash = match self {
            Digest::Sha1 => kdf::Pkcs12Hash::Sha1,
            Digest::Sha256 => kdf::Pkcs12Hash::Sha256,
            Digest::Sha384 => kdf::Pkcs12Hash::Sha384,
            _ => kdf::Pkcs12Hash::Sha512,
        };
        kdf::pkcs12(hash, password_bmp, salt, 3, iterations, &mut key)?;
        Ok(key)
    }

    fn oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            Digest::Sha1 => oid::SHA1,
            Digest::Sha256 => oid::SHA256,
            Digest::Sha384 => oid::SHA384,
            Digest::Sha512 => oid::SHA512,
            Digest::Streebog256 => oid::STREEBOG_256,
            Digest::Streebog512 => oid::STREEBOG_512,
            Digest::Gost94 => oid::GOST3411_94,
        }
    }
}

/// Checks `mac_data` over `auth_safe`.
pub(super) fn verify(
    mac_data: &MacData,
    auth_safe: &[u8],
    password_utf8: &[u8],
    password_bmp: &[u8],
) -> Result<Check> {
    let digest = Digest::from_algorithm(&mac_data.mac.digest_algorithm)?;
    let iterations = kdf::check_read(mac_data.iterations, "macData.iterations")?;
    let key = digest.key(
        password_utf8,
        password_bmp,
        mac_data.mac_salt.as_bytes(),
        iterations,
    )?;
    let mac = digest.hmac(&key, auth_safe);
    let matches = !mac.is_empty() && bool::from(mac.ct_eq(mac_data.mac.digest.as_bytes()));
    Ok(Check {
        matches,
        integrity: PfxIntegrity {
            mac: Some(digest.name().into()),
            mac_key_derivation: Some(
                if digest.gost_prf().is_some() {
                    "PBKDF2, 96 bytes, the last 32 (Р 50.1.112-2016)"
                } else {
                    "PKCS#12 KDF (RFC 7292 B.2)"
                }
                .into(),
            ),
            iterations: Some(iterations),
        },
    })
}

/// A MacData over `auth_safe`: Streebog-512 with a 32-byte salt for GOST PFX, SHA-256 with
/// an 8-byte salt (as OpenSSL 3) for the others.
pub(super) fn create(
    auth_safe: &[u8],
    gost: bool,
    password_utf8: &[u8],
    password_bmp: &[u8],
    iterations: u32,
) -> Result<MacData> {
    kdf::check_write(iterations)?;
    let (digest, salt_len) = if gost {
        (Digest::Streebog512, 32)
    } else {
        (Digest::Sha256, 8)
    };
    let mut salt = vec![0u8; salt_len];
    getrandom::fill(&mut salt)
        .map_err(|e| Error::new(crate::ErrorKind::Internal, format!("OS random source: {e}")))?;
    let key = digest.key(password_utf8, password_bmp, &salt, iterations)?;
    let mac = digest.hmac(&key, auth_safe);
    Ok(MacData {
        mac: DigestInfo {
            digest_algorithm: AlgorithmIdentifierOwned {
                oid: digest.oid(),
                // The Р 50.1.112 example writes the GOST digest without parameters; OpenSSL
                // writes NULL for SHA-256.
                parameters: if gost { None } else { Some(Any::null()) },
            },
            digest: OctetString::new(mac)?,
        },
        mac_salt: OctetString::new(salt)?,
        iterations: iterations.into(),
    })
}
