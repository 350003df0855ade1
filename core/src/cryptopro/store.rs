//! An unlocked CryptoPro container as a read-only [`KeyStore`]: one key set (the key, the
//! certificate stored with it), which signs; everything that would write is refused.

use std::sync::Arc;

use spki::AlgorithmIdentifierOwned;

use super::{CryptoProContainer, Unlocked};
use crate::key::{PublicKey, Signer, SoftwareKey};
use crate::pki::Certificate;
use crate::store::{KeySet, KeyStore};
use crate::{Error, ErrorKind, Result};

/// A CryptoPro container opened with its PIN: its key set, signing in memory. Read-only
/// (generate, install, retire, delete and import are refused with
/// [`ErrorKind::PreconditionFailed`]); to keep using the key, import it into a file container
/// or a token ([`crate::store::KeyStore::import_key`] of either, with [`Self::key`]).
pub struct CryptoProStore {
    container: CryptoProContainer,
    key: Arc<SoftwareKey>,
    unlocked: Unlocked,
}

impl std::fmt::Debug for CryptoProStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CryptoProStore")
            .field("container", &self.container.path())
            .field("key", &self.key)
            .finish()
    }
}

/// A signer sharing the store's key.
struct SharedKey(Arc<SoftwareKey>);

impl Signer for SharedKey {
    fn public_key(&self) -> PublicKey {
        self.0.public_key()
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        Signer::signature_algorithm(&*self.0)
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        Signer::sign(&*self.0, msg)
    }
}

fn read_only() -> Error {
    Error::new(
        ErrorKind::PreconditionFailed,
        "a CryptoPro container is read here, never written: import its key into a file \
         container or a token to manage it",
    )
}

impl CryptoProStore {
    pub(super) fn new(
        container: CryptoProContainer,
        key: SoftwareKey,
        unlocked: Unlocked,
    ) -> CryptoProStore {
        CryptoProStore {
            container,
            key: Arc::new(key),
            unlocked,
        }
    }

    /// The container.
    pub fn container(&self) -> &CryptoProContainer {
        &self.container
    }

    /// The recovered private key (to import it elsewhere).
    pub fn key(&self) -> &SoftwareKey {
        &self.key
    }

    /// Which copy opened, with which PIN encoding.
    pub fn unlocked(&self) -> &Unlocked {
        &self.unlocked
    }

    /// Imports the key into `store` (a file container or a token) as a key set labelled
    /// `label`, with the certificate stored in the container beside it; the store is left as
    /// it was if the certificate cannot be installed
    /// ([`import_key_set`](crate::store::import_key_set)).
    pub fn import_into(&self, store: &dyn KeyStore, label: &str) -> Result<KeySet> {
        crate::store::import_key_set(store, &self.key, self.container.certificate(), label)
    }

    fn key_set(&self) -> KeySet {
        let public = self.key.public_key();
        let label = self
            .container
            .name()
            .map(str::to_string)
            .unwrap_or_else(|| self.container.path().display().to_string());
        KeySet {
            id: public.key_id().to_vec(),
            label,
            public_key_spki: Some(public.to_spki_der()),
            has_private_key: true,
            certificate: self.container.certificate().map(Certificate::to_der),
            retired: false,
            damage: Vec::new(),
        }
    }
}

impl KeyStore for CryptoProStore {
    fn description(&self) -> String {
        format!(
            "CryptoPro container «{}» ({}, read-only)",
            self.container.name().unwrap_or("?"),
            self.container.path().display()
        )
    }

    fn generate(&self, _algorithm: crate::key::KeyAlgorithm, _label: &str) -> Result<KeySet> {
        Err(read_only())
    }

    fn key_sets(&self) -> Result<Vec<KeySet>> {
        Ok(vec![self.key_set()])
    }

    fn signer(&self, id: &[u8]) -> Result<Box<dyn Signer>> {
        if id != self.key.public_key().key_id() {
            return Err(Error::invalid_field(
                "id",
                "no key set with this identifier in the container",
            ));
        }
        Ok(Box::new(SharedKey(self.key.clone())))
    }

    fn install_certificate(&self, _cert_der: &[u8], _id: Option<&[u8]>) -> Result<KeySet> {
        Err(read_only())
    }

    fn find_by_certificate(&self, cert_der: &[u8]) -> Result<Option<KeySet>> {
        let public = Certificate::from_der(cert_der)?.public_key()?;
        let set = self.key_set();
        Ok((public == self.key.public_key()).then_some(set))
    }

    fn retire(&self, _id: &[u8]) -> Result<()> {
        Err(read_only())
    }

    fn delete(&self, _id: &[u8]) -> Result<()> {
        Err(read_only())
    }
}
