//! Signing with a token key.
//!
//! The bytes returned are the ones that go into an X.509 BIT STRING or a CMS signature:
//! GOST s‖r (big-endian halves, as PKCS#11 CKM_GOSTR3410 returns them), RSA PKCS#1 v1.5,
//! ECDSA as DER `Ecdsa-Sig-Value` (PKCS#11 returns r‖s; we encode).

use cryptoki::object::{Attribute, ObjectClass};
use der::Encode;
use der::asn1::UintRef;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;

use super::error::from_cryptoki;
use super::gost;
use super::keygen::{TokenKeySpec, read_spki};
use super::quirks::{GostSignPath, RsaSignPath};
use super::token::Pkcs11Token;
use crate::key::{PublicKey, Signer};
use crate::store::KeySet;
use crate::{Error, ErrorKind, Result, oid};

/// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// A key on a token, ready to sign. Holds the token (and so its sessions and login), not a
/// session: each signature takes a session from the token's pool, so one `TokenKey` signs from
/// several threads at once. `Send + Sync`.
#[derive(Clone)]
pub struct TokenKey {
    token: Pkcs11Token,
    id: Vec<u8>,
    spec: TokenKeySpec,
    public_key: PublicKey,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey")
            .field("token", &self.token)
            .field("id", &hex::encode(&self.id))
            .field("spec", &self.spec)
            .finish()
    }
}

impl TokenKey {
    /// The key set's CKA_ID.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// What kind of key it is.
    pub fn spec(&self) -> TokenKeySpec {
        self.spec
    }

    /// Signs `msg` (the whole message; hashing is done here or on the token).
    pub fn sign_message(&self, msg: &[u8]) -> Result<Vec<u8>> {
        self.token.sign_with(&self.spec, &self.id, msg)
    }
}

impl Signer for TokenKey {
    fn public_key(&self) -> PublicKey {
        self.public_key.clone()
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        signature_algorithm(&self.spec, &self.public_key)
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        self.sign_message(msg)
    }
}

/// The signature AlgorithmIdentifier for a token key: GOST R 34.10-2012 with Streebog
/// (parameters absent, RFC 9215 §3), else what the key's algorithm says.
fn signature_algorithm(spec: &TokenKeySpec, public_key: &PublicKey) -> AlgorithmIdentifierOwned {
    match spec {
        TokenKeySpec::Gost { param_set } => AlgorithmIdentifierOwned {
            oid: if gost::params_for(param_set).map(|p| p.bits) == Ok(512) {
                oid::SIGN_WITH_DIGEST_GOST3410_12_512
            } else {
                oid::SIGN_WITH_DIGEST_GOST3410_12_256
            },
            parameters: None,
        },
        _ => public_key.algorithm().signature_algorithm(),
    }
}

impl Pkcs11Token {
    /// Signs `msg` with the private key of key set `id` (log in first). The key's algorithm is
    /// read from its public key object.
    pub fn sign(&self, id: &[u8], msg: &[u8]) -> Result<Vec<u8>> {
        let inner = &self.inner;
        let spki = inner.with_session(|s| {
            let h = s
                .find_objects(&[
                    Attribute::Token(true),
                    Attribute::Class(ObjectClass::PUBLIC_KEY),
                    Attribute::Id(id.to_vec()),
                ])
                .map_err(|e| from_cryptoki(e, "finding the public key"))?
                .into_iter()
                .next()
                .ok_or_else(|| Error::invalid_field("id", "no public key with this CKA_ID"))?;
            read_spki(inner, s, h.handle())
        })?;
        self.sign_with(&TokenKeySpec::from_spki(&spki)?, id, msg)
    }

    pub(crate) fn sign_with(&self, spec: &TokenKeySpec, id: &[u8], msg: &[u8]) -> Result<Vec<u8>> {
        let token = self;
        let inner = &token.inner;
        inner.require_login()?;
        let q = &inner.quirks;
        let (mechanism, data): (u64, Vec<u8>) = match *spec {
            TokenKeySpec::Rsa { .. } => match q.rsa_sign {
                RsaSignPath::Combined => (cryptoki_sys::CKM_SHA256_RSA_PKCS as u64, msg.to_vec()),
                RsaSignPath::HostDigestInfo => {
                    let mut di = SHA256_DIGEST_INFO.to_vec();
                    di.extend_from_slice(&Sha256::digest(msg));
                    (cryptoki_sys::CKM_RSA_PKCS as u64, di)
                }
            },
            TokenKeySpec::EcdsaP256 => {
                (cryptoki_sys::CKM_ECDSA as u64, Sha256::digest(msg).to_vec())
            }
            TokenKeySpec::Gost { param_set } => {
                let bits = gost::params_for(&param_set)?.bits;
                let (_, _, raw_mech, combined) = gost::mechanisms(bits);
                let path = if bits == 512 {
                    q.gost512_sign
                } else {
                    q.gost256_sign
                };
                match path {
                    GostSignPath::Combined => (combined as u64, msg.to_vec()),
                    GostSignPath::HostHash => {
                        let digest = if bits == 512 {
                            crate::gost::streebog512(msg).to_vec()
                        } else {
                            crate::gost::streebog256(msg).to_vec()
                        };
                        (raw_mech as u64, digest)
                    }
                }
            }
        };
        let raw = &inner.module.raw;
        let sig = inner.with_session(|s| {
            let key = token.private_key(s, id)?;
            raw.sign(s.handle(), mechanism as _, key.handle(), &data)
        })?;
        match *spec {
            TokenKeySpec::EcdsaP256 => ecdsa_raw_to_der(&sig),
            TokenKeySpec::Gost { param_set } => {
                let len = if gost::params_for(&param_set)?.bits == 512 {
                    128
                } else {
                    64
                };
                if sig.len() != len {
                    return Err(Error::new(
                        ErrorKind::Pkcs11,
                        format!("the token returned a {}-byte GOST signature", sig.len()),
                    ));
                }
                Ok(sig)
            }
            TokenKeySpec::Rsa { .. } => Ok(sig),
        }
    }
}

/// PKCS#11 ECDSA r‖s (two equal halves) → DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER,
/// s INTEGER }` (RFC 3279 §2.2.3).
pub fn ecdsa_raw_to_der(sig: &[u8]) -> Result<Vec<u8>> {
    if sig.is_empty() || !sig.len().is_multiple_of(2) {
        return Err(Error::malformed(
            "ECDSA signature from the token has an odd length",
        ));
    }
    let (r, s) = sig.split_at(sig.len() / 2);
    let strip = |b: &[u8]| -> Vec<u8> {
        let first = b.iter().position(|&x| x != 0).unwrap_or(b.len() - 1);
        b[first..].to_vec()
    };
    let (r, s) = (strip(r), strip(s));
    let seq = EcdsaSig {
        r: UintRef::new(&r)?,
        s: UintRef::new(&s)?,
    };
    Ok(seq.to_der()?)
}

#[derive(der::Sequence)]
struct EcdsaSig<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

impl Pkcs11Token {
    /// A [`Signer`] for the key set `id` (its private key must be on the token; log in first),
    /// for the request and certificate builders and CMS.
    pub fn signer(&self, id: &[u8]) -> Result<TokenKey> {
        let set: KeySet = self
            .key_sets()?
            .into_iter()
            .find(|k| k.id == id)
            .ok_or_else(|| Error::invalid_field("id", "no key set with this CKA_ID"))?;
        if !set.has_private_key {
            return Err(Error::new(
                ErrorKind::KeyMismatch,
                "this key set has no private key on the token (log in to see private keys)",
            ));
        }
        let spki = set.public_key_spki.ok_or_else(|| {
            Error::new(
                ErrorKind::Pkcs11,
                "the key set has neither a public key object nor a certificate",
            )
        })?;
        Ok(TokenKey {
            token: self.clone(),
            id: id.to_vec(),
            spec: TokenKeySpec::from_spki(&spki)?,
            public_key: PublicKey::from_spki_der(&spki)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_der_pads_and_strips() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r has its high bit set: needs a 0x00 pad
        raw[63] = 0x05; // s is 5 after leading zeros are removed
        let der = ecdsa_raw_to_der(&raw).unwrap();
        assert_eq!(&der[..4], &[0x30, 0x26, 0x02, 0x21]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x05]);
        assert!(ecdsa_raw_to_der(&[1, 2, 3]).is_err());
        assert!(ecdsa_raw_to_der(&[]).is_err());
    }
}
