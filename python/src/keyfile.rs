//! The client's current key from elsewhere (issue 16): a PFX imported into a store or written
//! from a file container, and CryptoPro CSP file containers — read without their PIN, opened
//! with it as a read-only store (which signs, so a `Client` can start the remote
//! regeneration from it), imported into a file container or a token.

use std::sync::{Arc, Mutex};

use bankkey::cryptopro::{
    CryptoProContainer as BkContainer, CryptoProKeyUsage, CryptoProStore as BkCryptoProStore,
};
use bankkey::key::KeyAlgorithm;
use bankkey::pfx::Pfx;
use bankkey::store::KeyStore;
use pyo3::prelude::*;
use secrecy::ExposeSecret;

use crate::closable::{closed, poisoned};
use crate::convert::input_bytes;
use crate::errors::BkError;
use crate::pki::Certificate;
use crate::stores::{AnyStore, KeySet, StoreSigner, id_arg, key_sets, secret};

/// Imports the one key of the PFX `data` (with its certificate) into `store` as `label`.
pub fn import_pfx(
    py: Python<'_>,
    store: &dyn KeyStore,
    data: &Bound<'_, PyAny>,
    password: &Bound<'_, PyAny>,
    label: &str,
) -> PyResult<KeySet> {
    let der = input_bytes(data, "data")?.into_owned();
    let pw = secret(password, "password")?;
    let inner = py
        .detach(|| Pfx::from_der(&der, pw.expose_secret())?.import_into(store, label))
        .map_err(BkError)?;
    Ok(KeySet { inner })
}

/// The container argument: a `CryptoProContainer` or a folder path.
fn container_arg(container: &Bound<'_, PyAny>) -> PyResult<BkContainer> {
    if let Ok(c) = container.cast::<CryptoProContainer>() {
        return Ok(c.get().inner.clone());
    }
    let path: std::path::PathBuf = container.extract().map_err(|_| {
        crate::errors::invalid_argument(
            "container",
            "container must be a CryptoProContainer or a folder path",
        )
    })?;
    BkContainer::open(path).map_err(|e| BkError(e).into())
}

/// Imports the key of a CryptoPro container (opened with `pin`) and the certificate stored
/// with it into `store` as `label`.
pub fn import_cryptopro(
    py: Python<'_>,
    store: &dyn KeyStore,
    container: &Bound<'_, PyAny>,
    pin: &Bound<'_, PyAny>,
    label: &str,
) -> PyResult<KeySet> {
    let container = container_arg(container)?;
    let pin = secret(pin, "pin")?;
    let inner = py
        .detach(|| {
            container
                .unlock(pin.expose_secret())?
                .import_into(store, label)
        })
        .map_err(BkError)?;
    Ok(KeySet { inner })
}

/// A CryptoPro CSP file container folder (`xxxxxxxx.000`), read without its PIN: name,
/// algorithm, the certificate stored in it, the fingerprint. `unlock(pin)` opens it as a
/// read-only store. What the reader is and is not (and the rules to check before taking a
/// key out of its CryptoPro container): the project's README.
#[pyclass(frozen, module = "bankkey._native", name = "CryptoProContainer")]
pub struct CryptoProContainer {
    inner: BkContainer,
}

#[pymethods]
impl CryptoProContainer {
    /// Opens the folder `path` and reads what needs no PIN. A missing file is `StorageError`,
    /// a damaged one `MalformedEncodingError` naming it (`field`), a GOST R 34.10-2001 key
    /// `UnsupportedAlgorithmError`.
    #[new]
    fn new(py: Python<'_>, path: std::path::PathBuf) -> PyResult<CryptoProContainer> {
        let inner = py.detach(|| BkContainer::open(&path)).map_err(BkError)?;
        Ok(CryptoProContainer { inner })
    }

    /// The folder.
    #[getter]
    fn path(&self) -> std::path::PathBuf {
        self.inner.path().to_path_buf()
    }

    /// The container's name (name.key) as CryptoPro shows it, or `None`.
    #[getter]
    fn name(&self) -> Option<String> {
        self.inner.name().map(str::to_owned)
    }

    /// The key algorithm id (`"gost2012-256-A"`, ...).
    #[getter]
    fn algorithm(&self) -> String {
        KeyAlgorithm::Gost(self.inner.param_set()).id().into_owned()
    }

    /// `"signature"` (AT_SIGNATURE) or `"exchange"` (AT_KEYEXCHANGE, which signs too).
    #[getter]
    fn usage(&self) -> &'static str {
        match self.inner.usage() {
            CryptoProKeyUsage::Signature => "signature",
            CryptoProKeyUsage::Exchange => "exchange",
        }
    }

    /// Whether CryptoPro marked the key exportable (reading does not depend on it).
    #[getter]
    fn exportable(&self) -> bool {
        self.inner.exportable()
    }

    /// The certificate stored in the container, or `None`.
    #[getter]
    fn certificate(&self) -> Option<Certificate> {
        self.inner.certificate().cloned().map(Certificate::new)
    }

    /// The fingerprint (the first 8 bytes of the public key's x, little-endian), upper-case
    /// hex.
    #[getter]
    fn fingerprint(&self) -> String {
        hex::encode_upper(self.inner.fingerprint())
    }

    /// Whether the reserve copy (primary2.key, masks2.key) is there.
    #[getter]
    fn has_reserve_copy(&self) -> bool {
        self.inner.has_reserve_copy()
    }

    /// The private key's validity recorded by CryptoPro, `(not_before, not_after)` as
    /// GeneralizedTime text, each `None` when absent.
    #[getter]
    fn key_validity(&self) -> (Option<String>, Option<String>) {
        let (a, b) = self.inner.key_validity();
        (a.map(str::to_owned), b.map(str::to_owned))
    }

    /// Opens the container with its PIN (`""` for none) as a read-only store: one key set,
    /// which signs. A wrong PIN is `WrongPasswordError`; a key that opens but is not the
    /// stored certificate's, `KeyMismatchError`.
    fn unlock(&self, py: Python<'_>, pin: &Bound<'_, PyAny>) -> PyResult<CryptoProStore> {
        let pin = secret(pin, "pin")?;
        let store = py
            .detach(|| self.inner.unlock(pin.expose_secret()))
            .map_err(BkError)?;
        Ok(CryptoProStore {
            inner: Mutex::new(Some(Arc::new(store))),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<CryptoProContainer «{}» {} {}>",
            self.inner.name().unwrap_or("?"),
            self.algorithm(),
            self.fingerprint()
        )
    }
}

/// A CryptoPro container opened with its PIN: a read-only store of one key set, which signs
/// (a `Client` over it starts the remote regeneration from the client's current key).
/// Generating, installing, retiring, deleting and importing are `PreconditionFailedError`:
/// import the key into a `FileContainer` or a `Token` to manage it. A context manager; the
/// key in memory is wiped when the store is closed and no signer holds it.
#[pyclass(frozen, module = "bankkey._native", name = "CryptoProStore")]
pub struct CryptoProStore {
    inner: Mutex<Option<Arc<BkCryptoProStore>>>,
}

impl CryptoProStore {
    fn opened(&self) -> PyResult<Arc<BkCryptoProStore>> {
        self.inner
            .lock()
            .map_err(|_| poisoned())?
            .clone()
            .ok_or_else(|| closed("container"))
    }

    fn store(&self) -> PyResult<AnyStore> {
        Ok(AnyStore::CryptoPro(self.opened()?))
    }

    /// The container as a store for the client.
    pub fn any_store(&self) -> PyResult<AnyStore> {
        self.store()
    }
}

crate::stores::store_methods!(CryptoProStore {
    /// The container it was opened from.
    #[getter]
    fn container(&self) -> PyResult<CryptoProContainer> {
        Ok(CryptoProContainer {
            inner: self.opened()?.container().clone(),
        })
    }

    /// Whether the reserve copy opened (the main copy is damaged).
    #[getter]
    fn opened_from_reserve_copy(&self) -> PyResult<bool> {
        Ok(self.opened()?.unlocked().from_reserve)
    }

    /// Releases the key (wiped once no signer holds it).
    fn close(&self) -> PyResult<()> {
        self.inner.lock().map_err(|_| poisoned())?.take();
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        _t: &Bound<'_, PyAny>,
        _v: &Bound<'_, PyAny>,
        _tb: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.close()
    }
});
