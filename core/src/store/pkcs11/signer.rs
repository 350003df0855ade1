//! Signing with a token key.
//!
//! The bytes returned are the ones that go into an X.509 BIT STRING or a CMS signature:
//! GOST s‖r (big-endian halves, as PKCS#11 CKM_GOSTR3410 returns them), RSA PKCS#1 v1.5,
//! ECDSA as DER `Ecdsa-Sig-Value` (PKCS#11 returns r‖s; we encode).

use der::Encode;
use der::asn1::UintRef;
use sha2::{Digest, Sha256};

use super::gost;
use super::keygen::TokenKeySpec;
use super::quirks::{GostSignPath, RsaSignPath};
use super::token::Pkcs11Token;
use crate::store::KeySet;
use crate::{Error, ErrorKind, Result};

/// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// A key on a token, ready to sign. Holds the token (and so its sessions and login), not a
/// session: each signature takes a session from the token's pool, so one `TokenKey` signs from
/// several threads at once. `Send + Sync`.
#[derive(Debug, Clone)]
pub struct TokenKey {
    token: Pkcs11Token,
    id: Vec<u8>,
    spki: Vec<u8>,
    spec: TokenKeySpec,
}

impl TokenKey {
    /// The key set's CKA_ID.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The public key, SubjectPublicKeyInfo DER.
    pub fn public_key_spki(&self) -> &[u8] {
        &self.spki
    }

    /// What kind of key it is.
    pub fn spec(&self) -> TokenKeySpec {
        self.spec
    }

    /// Signs `msg` (the whole message; hashing is done here or on the token).
    pub fn sign_message(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let token = &self.token;
        let inner = &token.inner;
        inner.require_login()?;
        let q = &inner.quirks;
        let (mechanism, data): (u64, Vec<u8>) = match self.spec {
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
                        use digest::Digest as _;
                        let digest = if bits == 512 {
                            streebog::Streebog512::digest(msg).to_vec()
                        } else {
                            streebog::Streebog256::digest(msg).to_vec()
                        };
                        (raw_mech as u64, digest)
                    }
                }
            }
        };
        let raw = &inner.module.raw;
        let sig = inner.with_session(|s| {
            let key = token.private_key(s, &self.id)?;
            raw.sign(s.handle(), mechanism as _, key.handle(), &data)
        })?;
        match self.spec {
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
    if sig.is_empty() || sig.len() % 2 != 0 {
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
    /// A signer for the key set `id` (its private key must be on the token; log in first).
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
            spki,
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
