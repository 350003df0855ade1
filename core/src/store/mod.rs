//! Key stores: where the subscriber's keys live (DESIGN.md §2, issue 3).
//!
//! - [`KeyStore`]: the one interface the lifecycle uses, whatever the medium.
//! - [`pkcs11`]: tokens over PKCS#11 (keys never leave the token).
//! - [`FileContainer`]: password-encrypted PKCS#8 keys and certificates in a directory (the
//!   flash drive of seed 003, and the embedded default of the demo and the tests).
//!
//! Both stores hold *key sets*: a private key, its public key and (once the bank has issued
//! it) its certificate, tied together by one identifier (the CKA_ID on a token), by default
//! the SHA-1 of the public key bits.

mod file;
pub mod pkcs11;

pub use file::FileContainer;
pub use file::trace as file_trace;

use crate::key::{KeyAlgorithm, PublicKey, Signer, SoftwareKey};
use crate::{Error, ErrorKind, Result};

/// Where keys live: the same operations on a token and on a file container.
///
/// Object-safe (`&dyn KeyStore`, `Box<dyn KeyStore>`), `Send + Sync`. Key sets are named by
/// their identifier ([`KeySet::id`]). Authentication (a token's PIN, a container's password)
/// happens before, on the concrete store.
pub trait KeyStore: Send + Sync {
    /// A human-readable description of the medium ("token «label» (serial …)", a path).
    fn description(&self) -> String;

    /// Generates a key pair in the store; returns its key set (no certificate yet).
    fn generate(&self, algorithm: KeyAlgorithm, label: &str) -> Result<KeySet>;

    /// Imports an existing private key (the client's current key, brought from a PFX or a
    /// CryptoPro container) as a new key set labelled `label`, identified as generated keys
    /// are. A file container keeps it encrypted under its password; a token stores it
    /// sensitive and non-extractable.
    ///
    /// Errors: [`ErrorKind::PreconditionFailed`] when the key is already in the store, and
    /// from stores that take no imported keys (the default: read-only stores).
    fn import_key(&self, key: &SoftwareKey, label: &str) -> Result<KeySet> {
        let _ = (key, label);
        Err(Error::new(
            ErrorKind::PreconditionFailed,
            format!("{} does not take imported keys", self.description()),
        ))
    }

    /// Every key set in the store, complete or not.
    fn key_sets(&self) -> Result<Vec<KeySet>>;

    /// A signer for the key set `id`.
    fn signer(&self, id: &[u8]) -> Result<Box<dyn Signer>>;

    /// Installs a certificate beside its key (found by `id`, or by the certificate's public
    /// key); [`crate::ErrorKind::KeyMismatch`] when the certificate does not hold that key.
    fn install_certificate(&self, cert_der: &[u8], id: Option<&[u8]>) -> Result<KeySet>;

    /// The key set holding this certificate or its public key.
    fn find_by_certificate(&self, cert_der: &[u8]) -> Result<Option<KeySet>>;

    /// Marks a key set retired (kept, no longer the one in use).
    fn retire(&self, id: &[u8]) -> Result<()>;

    /// Deletes a key set (every part of it).
    fn delete(&self, id: &[u8]) -> Result<()>;

    /// Warnings about the medium as a whole (see [`medium_warnings`]).
    fn warnings(&self) -> Result<Vec<String>> {
        Ok(medium_warnings(&self.key_sets()?))
    }
}

/// A shared store is a store: a binding keeps `Arc<FileContainer>` or `Arc<Pkcs11Token>` (a
/// C handle, a Python object that also answers PIN calls) and hands `Box::new(arc.clone())`
/// to `lifecycle::Client::open`, so no handle is ever consumed.
impl<T: KeyStore + ?Sized> KeyStore for std::sync::Arc<T> {
    fn description(&self) -> String {
        (**self).description()
    }

    fn generate(&self, algorithm: KeyAlgorithm, label: &str) -> Result<KeySet> {
        (**self).generate(algorithm, label)
    }

    fn import_key(&self, key: &SoftwareKey, label: &str) -> Result<KeySet> {
        (**self).import_key(key, label)
    }

    fn key_sets(&self) -> Result<Vec<KeySet>> {
        (**self).key_sets()
    }

    fn signer(&self, id: &[u8]) -> Result<Box<dyn Signer>> {
        (**self).signer(id)
    }

    fn install_certificate(&self, cert_der: &[u8], id: Option<&[u8]>) -> Result<KeySet> {
        (**self).install_certificate(cert_der, id)
    }

    fn find_by_certificate(&self, cert_der: &[u8]) -> Result<Option<KeySet>> {
        (**self).find_by_certificate(cert_der)
    }

    fn retire(&self, id: &[u8]) -> Result<()> {
        (**self).retire(id)
    }

    fn delete(&self, id: &[u8]) -> Result<()> {
        (**self).delete(id)
    }

    fn warnings(&self) -> Result<Vec<String>> {
        (**self).warnings()
    }
}

/// The key set a certificate is to be installed beside, on a medium described by `medium`
/// ("in the container", "on the token"): the set named by `id`, which must hold the
/// certificate's key, or else the first set with a private key that holds it. `holds` says
/// whether a set's public key is the certificate's. [`ErrorKind::KeyMismatch`] when no such
/// key is there; [`ErrorKind::InvalidInput`] naming `id` when `id` names no set.
pub(crate) fn install_target<'a>(
    sets: &'a [KeySet],
    id: Option<&[u8]>,
    holds: impl Fn(&KeySet) -> bool,
    medium: &str,
) -> Result<&'a KeySet> {
    match id {
        Some(id) => {
            let set = sets.iter().find(|k| k.id == id).ok_or_else(|| {
                Error::invalid_field("id", format!("no key set with this identifier {medium}"))
            })?;
            if !holds(set) {
                return Err(Error::new(
                    ErrorKind::KeyMismatch,
                    "the certificate's public key is not the key of this key set",
                ));
            }
            Ok(set)
        }
        None => sets
            .iter()
            .find(|k| k.has_private_key && holds(k))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::KeyMismatch,
                    format!("no private key {medium} matches the certificate's public key"),
                )
            }),
    }
}

/// Imports `key` into `store` as a key set labelled `label` and installs `certificate` (when
/// given) beside it under the same identifier; if the certificate cannot be installed, the key
/// is deleted again, so the store is left as it was. What PFX and CryptoPro imports share.
///
/// Errors: the store's ([`ErrorKind::PreconditionFailed`] when the key is already there or
/// the store takes no imported keys); the install's, with context.
pub fn import_key_set(
    store: &dyn KeyStore,
    key: &SoftwareKey,
    certificate: Option<&crate::pki::Certificate>,
    label: &str,
) -> Result<KeySet> {
    let set = store.import_key(key, label)?;
    let Some(cert) = certificate else {
        return Ok(set);
    };
    match store.install_certificate(&cert.to_der(), Some(&set.id)) {
        Ok(set) => Ok(set),
        Err(e) => {
            // Leave the store as it was; the first error is the one to report.
            let _ = store.delete(&set.id);
            Err(e.context("installing the certificate beside the imported key"))
        }
    }
}

/// Warnings about what a medium holds: every damaged key set, one line per damaged part
/// (see [`KeySet::damage`]). Seed 004: «Во избежание сбоев, желательно иметь на
/// одном устройстве (флешке, токене) только один ключ КЭП» — more than one usable qualified
/// key (not retired, private key and qualified certificate present) is reported.
pub fn medium_warnings(sets: &[KeySet]) -> Vec<String> {
    let qualified = sets
        .iter()
        .filter(|k| k.has_private_key && !k.retired && !k.is_damaged())
        .filter(|k| {
            k.certificate
                .as_deref()
                .and_then(|c| crate::pki::Certificate::from_der(c).ok())
                .is_some_and(|c| c.is_qualified())
        })
        .count();
    let mut out: Vec<String> = sets
        .iter()
        .flat_map(|k| {
            k.damage.iter().map(move |d| {
                format!(
                    "key set {} («{}») is damaged and not used: {d}",
                    k.id_hex(),
                    k.label
                )
            })
        })
        .collect();
    if qualified > 1 {
        out.push(format!(
            "the medium holds {qualified} qualified keys; keep one qualified key per medium \
             (retire or move the others)"
        ));
    }
    out
}

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
    /// What is wrong with the set's stored parts, one line each naming the part (a file of
    /// the container, an object on the token) and the problem: a certificate that does not
    /// parse or holds another key, metadata that does not read (label and retired flag
    /// unknown), a public key that does not parse. Empty when every part reads. A damaged
    /// set is listed with what could be read, never hidden and never silently repaired; it is
    /// reported by [`KeyStore::warnings`] and never chosen as the key set in use by the
    /// lifecycle (issue 13, defect 8: one bad file used to disable a whole container).
    pub damage: Vec<String>,
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
    /// Whether a stored part of the set does not read ([`damage`](Self::damage)).
    pub fn is_damaged(&self) -> bool {
        !self.damage.is_empty()
    }

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

    /// The public key, when known.
    pub fn public_key(&self) -> Result<Option<PublicKey>> {
        self.public_key_spki
            .as_deref()
            .map(PublicKey::from_spki_der)
            .transpose()
    }
}
