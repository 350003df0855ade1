//! Key stores: where the subscriber's keys live (DESIGN.md §2, issue 3).
//!
//! - [`pkcs11`]: tokens over PKCS#11 (keys never leave the token).
//!
//! Both stores hold *key sets*: a private key, its public key and (once the bank has issued
//! it) its certificate, tied together by one identifier (the CKA_ID on a token), by default
//! the SHA-1 of the public key bits.

pub mod pkcs11;

/// Label prefix of a retired key set: kept (the old set keeps working until the new one is
/// proven) but no longer the one in use.
pub const RETIRED_PREFIX: &str = "[retired] ";

/// A key set in a store. Owned data only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySet {
    /// The identifier tying the parts together (CKA_ID on a token).
    pub id: Vec<u8>,
    /// The label.
    pub label: String,
    /// The public key as SubjectPublicKeyInfo DER, when known (from the public key or the
    /// certificate).
    pub public_key_spki: Option<Vec<u8>>,
    /// The private key is in the store.
    pub has_private_key: bool,
    /// The certificate (DER), once installed.
    pub certificate: Option<Vec<u8>>,
    /// Retired (see [`RETIRED_PREFIX`]).
    pub retired: bool,
}

/// What a key set is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySetKind {
    /// A private key with its certificate: usable.
    Complete,
    /// A private key without a certificate (waiting for the bank).
    KeyWithoutCertificate,
    /// A certificate without its private key (someone else's, or the key was deleted).
    CertificateWithoutKey,
    /// Only a public key.
    PublicKeyOnly,
}

impl KeySet {
    /// What the key set is made of.
    pub fn kind(&self) -> KeySetKind {
        match (self.has_private_key, self.certificate.is_some()) {
            (true, true) => KeySetKind::Complete,
            (true, false) => KeySetKind::KeyWithoutCertificate,
            (false, true) => KeySetKind::CertificateWithoutKey,
            (false, false) => KeySetKind::PublicKeyOnly,
        }
    }

    /// The identifier in lower-case hex (file names, messages).
    pub fn id_hex(&self) -> String {
        hex::encode(&self.id)
    }
}
