//! Key stores: PKCS#11 modules and tokens, the file container, their key sets, and signers
//! from them. Tokens and containers are context managers; PINs and passwords arrive as `str`
//! or `bytes` and go straight into a `SecretString`, never kept by the Python object.

use std::sync::{Arc, Mutex};

use bankkey::key::{KeyAlgorithm, Signer};
use bankkey::store::pkcs11::{self as p11, diagnosis};
use bankkey::store::{FileContainer as BkFileContainer, KeySet as BkKeySet, KeyStore};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use secrecy::SecretString;

use crate::closable::{closed, poisoned};
use crate::convert::{at_or_now, secret_bytes};
use crate::errors::{BkError, invalid_argument};
use crate::keys::SoftwareKey;
use crate::pki::{Certificate, PublicKey};

/// A PIN or password as a `SecretString` (UTF-8).
pub fn secret(value: &Bound<'_, PyAny>, field: &str) -> PyResult<SecretString> {
    let bytes = secret_bytes(value, field)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| invalid_argument(field, format!("{field} is not UTF-8 text")))?;
    Ok(SecretString::from(text.to_owned()))
}

/// A key set: a private key, its public key and certificate, tied by one identifier.
#[pyclass(frozen, module = "bankkey._native", name = "KeySet")]
pub struct KeySet {
    pub inner: BkKeySet,
}

#[pymethods]
impl KeySet {
    /// The identifier (CKA_ID on a token; by default SHA-1 of the public key bits).
    #[getter]
    fn id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.id)
    }

    /// The identifier in lower-case hex.
    #[getter]
    fn id_hex(&self) -> String {
        self.inner.id_hex()
    }

    /// The label.
    #[getter]
    fn label(&self) -> String {
        self.inner.label.clone()
    }

    /// Whether the private key is in the store.
    #[getter]
    fn has_private_key(&self) -> bool {
        self.inner.has_private_key
    }

    /// Whether the set is retired (kept, no longer in use).
    #[getter]
    fn retired(&self) -> bool {
        self.inner.retired
    }

    /// `"complete"`, `"key_without_certificate"`, `"certificate_without_key"` or
    /// `"public_key_only"`.
    #[getter]
    fn kind(&self) -> &'static str {
        use bankkey::store::KeySetKind as K;
        match self.inner.kind() {
            K::Complete => "complete",
            K::KeyWithoutCertificate => "key_without_certificate",
            K::CertificateWithoutKey => "certificate_without_key",
            K::PublicKeyOnly => "public_key_only",
        }
    }

    /// The public key, when known.
    #[getter]
    fn public_key(&self) -> PyResult<Option<PublicKey>> {
        Ok(self
            .inner
            .public_key()
            .map_err(BkError)?
            .map(|inner| PublicKey { inner }))
    }

    /// The certificate, once installed.
    #[getter]
    fn certificate(&self) -> PyResult<Option<Certificate>> {
        match &self.inner.certificate {
            Some(der) => Ok(Some(Certificate::new(
                bankkey::pki::Certificate::from_der(der).map_err(BkError)?,
            ))),
            None => Ok(None),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<KeySet {} «{}» {}>",
            self.inner.id_hex(),
            self.inner.label,
            self.kind()
        )
    }
}

/// A signer taken from a key store (a token key, a container key).
#[pyclass(frozen, module = "bankkey._native", name = "StoreSigner")]
pub struct StoreSigner {
    pub inner: Arc<dyn Signer>,
}

#[pymethods]
impl StoreSigner {
    /// The public key.
    #[getter]
    fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }

    /// The algorithm id.
    #[getter]
    fn algorithm(&self) -> String {
        self.inner.public_key().algorithm().id().into_owned()
    }

    /// Signs `message` with the store's key (the GIL is released: a token may wait for its
    /// PIN pad).
    fn sign<'py>(&self, py: Python<'py>, message: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let sig = py.detach(|| self.inner.sign(message)).map_err(BkError)?;
        Ok(PyBytes::new(py, &sig))
    }

    fn __repr__(&self) -> String {
        format!(
            "<StoreSigner {} {}>",
            self.inner.public_key().algorithm().id(),
            hex::encode_upper(self.inner.public_key().key_id())
        )
    }
}

/// The store inside a `Token` or `FileContainer`, for the lifecycle client.
pub enum AnyStore {
    Token(Arc<p11::Pkcs11Token>),
    File(Arc<BkFileContainer>),
    /// A CryptoPro container opened with its PIN (read-only; `keyfile.rs`).
    CryptoPro(Arc<bankkey::cryptopro::CryptoProStore>),
}

impl AnyStore {
    pub fn as_store(&self) -> Box<dyn KeyStore> {
        match self {
            AnyStore::Token(t) => Box::new(t.clone()),
            AnyStore::File(f) => Box::new(f.clone()),
            AnyStore::CryptoPro(c) => Box::new(c.clone()),
        }
    }

    pub fn store(&self) -> &dyn KeyStore {
        match self {
            AnyStore::Token(t) => &**t,
            AnyStore::File(f) => &**f,
            AnyStore::CryptoPro(c) => &**c,
        }
    }
}

pub fn key_sets(py: Python<'_>, store: &dyn KeyStore) -> PyResult<Vec<KeySet>> {
    let sets = py.detach(|| store.key_sets()).map_err(BkError)?;
    Ok(sets.into_iter().map(|inner| KeySet { inner }).collect())
}

/// A key id given as a `KeySet`, bytes or hex text.
pub fn id_arg(id: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(k) = id.cast::<KeySet>() {
        return Ok(k.get().inner.id.clone());
    }
    if let Ok(b) = id.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = id.extract::<String>() {
        return hex::decode(s.trim()).map_err(|_| invalid_argument("id", "id is not hex"));
    }
    Err(invalid_argument(
        "id",
        "id must be a KeySet, bytes or hex text",
    ))
}

/// The `#[pymethods]` of a store: its own methods and the operations both stores share,
/// written once (pyo3 allows one `#[pymethods]` block per class).
macro_rules! store_methods {
    ($t:ty { $($own:tt)* }) => {
        #[pymethods]
        impl $t {
            $($own)*

            /// Every key set, complete or not.
            fn key_sets(&self, py: Python<'_>) -> PyResult<Vec<KeySet>> {
                let store = self.store()?;
                key_sets(py, store.store())
            }

            /// Generates a key pair of `algorithm` (an id) labelled `label`.
            fn generate(&self, py: Python<'_>, algorithm: &str, label: &str) -> PyResult<KeySet> {
                let alg = KeyAlgorithm::parse(algorithm).map_err(BkError)?;
                let store = self.store()?;
                let inner = py
                    .detach(|| store.store().generate(alg, label))
                    .map_err(BkError)?;
                Ok(KeySet { inner })
            }

            /// Installs `certificate` beside its key (the set `id`, or the one holding its key).
            #[pyo3(signature = (certificate, id=None))]
            fn install_certificate(
                &self,
                py: Python<'_>,
                certificate: &Certificate,
                id: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<KeySet> {
                let id = id.map(id_arg).transpose()?;
                let der = certificate.inner.der().to_vec();
                let store = self.store()?;
                let inner = py
                    .detach(|| store.store().install_certificate(&der, id.as_deref()))
                    .map_err(BkError)?;
                Ok(KeySet { inner })
            }

            /// A signer for the key set `id` (a `KeySet`, its id bytes or hex).
            fn signer(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<StoreSigner> {
                let id = id_arg(id)?;
                let store = self.store()?;
                let inner = py.detach(|| store.store().signer(&id)).map_err(BkError)?;
                Ok(StoreSigner {
                    inner: Arc::from(inner),
                })
            }

            /// Marks the key set `id` retired (kept, no longer in use).
            fn retire(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<()> {
                let id = id_arg(id)?;
                let store = self.store()?;
                py.detach(|| store.store().retire(&id)).map_err(|e| BkError(e).into())
            }

            /// Deletes the key set `id`, every part of it.
            fn delete(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<()> {
                let id = id_arg(id)?;
                let store = self.store()?;
                py.detach(|| store.store().delete(&id)).map_err(|e| BkError(e).into())
            }

            /// Warnings about the medium as a whole (several qualified keys, seed 004).
            fn warnings(&self, py: Python<'_>) -> PyResult<Vec<String>> {
                let store = self.store()?;
                py.detach(|| store.store().warnings()).map_err(|e| BkError(e).into())
            }

            /// Imports the one key of the PFX `data` (bytes) with its certificate as a key
            /// set labelled `label` (a token keeps it sensitive and non-extractable). A wrong
            /// `password` is `WrongPasswordError`, an altered file `ContentAlteredError`;
            /// if the certificate cannot be installed the key is removed again.
            fn import_pfx(
                &self,
                py: Python<'_>,
                data: &Bound<'_, PyAny>,
                password: &Bound<'_, PyAny>,
                label: &str,
            ) -> PyResult<KeySet> {
                let store = self.store()?;
                crate::keyfile::import_pfx(py, store.store(), data, password, label)
            }

            /// Imports the key of a CryptoPro container (a `CryptoProContainer` or its
            /// folder), opened with `pin`, and the certificate stored with it, as `label`.
            fn import_cryptopro(
                &self,
                py: Python<'_>,
                container: &Bound<'_, PyAny>,
                pin: &Bound<'_, PyAny>,
                label: &str,
            ) -> PyResult<KeySet> {
                let store = self.store()?;
                crate::keyfile::import_cryptopro(py, store.store(), container, pin, label)
            }

            /// What the medium is, in words.
            #[getter]
            fn description(&self) -> PyResult<String> {
                Ok(self.store()?.store().description())
            }
        }
    };
}
pub(crate) use store_methods;

// ------------------------------------------------------------------------------------------
// PKCS#11
// ------------------------------------------------------------------------------------------

/// A PKCS#11 module (a token's driver library), loaded once per process.
#[pyclass(frozen, module = "bankkey._native", name = "Pkcs11Module")]
pub struct Pkcs11Module {
    inner: Mutex<Option<p11::Pkcs11Module>>,
}

fn token_info_dict<'py>(py: Python<'py>, t: &p11::TokenInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("slot_id", t.slot_id)?;
    d.set_item("label", &t.label)?;
    d.set_item("serial", &t.serial)?;
    d.set_item("model", &t.model)?;
    d.set_item("manufacturer", &t.manufacturer)?;
    d.set_item("pin_state", t.pin_state.as_str())?;
    d.set_item("initialized", t.flags.token_initialized)?;
    d.set_item("pin_pad", t.flags.protected_authentication_path)?;
    d.set_item("write_protected", t.flags.write_protected)?;
    Ok(d)
}

fn slot_dict<'py>(py: Python<'py>, s: &p11::SlotInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("slot_id", s.slot_id)?;
    d.set_item("description", &s.description)?;
    d.set_item("manufacturer", &s.manufacturer)?;
    d.set_item("token_present", s.token_present)?;
    d.set_item("removable", s.removable)?;
    d.set_item("hardware", s.hardware)?;
    Ok(d)
}

fn finding_dict<'py>(py: Python<'py>, f: &diagnosis::Finding) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("finding", f.kind.as_str())?;
    d.set_item("severity", f.kind.severity().as_str())?;
    d.set_item("ru", f.kind.ru())?;
    d.set_item("en", f.kind.en())?;
    d.set_item("key_id", f.key_id.as_ref().map(hex::encode))?;
    d.set_item("detail", f.detail.as_deref())?;
    Ok(d)
}

impl Pkcs11Module {
    fn with<T>(&self, f: impl FnOnce(&p11::Pkcs11Module) -> PyResult<T>) -> PyResult<T> {
        let guard = self.inner.lock().map_err(|_| poisoned())?;
        match guard.as_ref() {
            Some(m) => f(m),
            None => Err(closed("module")),
        }
    }
}

#[pymethods]
impl Pkcs11Module {
    /// Loads the module at `path` (`/usr/lib/softhsm/libsofthsm2.so`, `librtpkcs11ecp.so`).
    #[new]
    fn new(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Pkcs11Module> {
        let m = py
            .detach(|| p11::Pkcs11Module::load(&path))
            .map_err(BkError)?;
        Ok(Pkcs11Module {
            inner: Mutex::new(Some(m)),
        })
    }

    /// The library's description: `(manufacturer, description, version)`.
    fn library_info(&self) -> PyResult<(String, String, String)> {
        self.with(|m| m.library_info().map_err(|e| BkError(e).into()))
    }

    /// The slots (readers) as dicts.
    fn slots<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let slots = self.with(|m| m.slots().map_err(|e| BkError(e).into()))?;
        slots.iter().map(|s| slot_dict(py, s)).collect()
    }

    /// The tokens present, as dicts (`slot_id`, `label`, `serial`, `model`, `manufacturer`,
    /// `pin_state`, ...).
    fn tokens<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let tokens = self.with(|m| m.tokens().map_err(|e| BkError(e).into()))?;
        tokens.iter().map(|t| token_info_dict(py, t)).collect()
    }

    /// Opens a token: by `serial` (the reliable way), `label` or `slot`; with none, the only
    /// token present.
    ///
    /// Key generation reads every flag of a new pair back: a token that did not keep the
    /// template (a signing key that can also decrypt, unwrap or derive; a private key that can
    /// leave the token) gets the pair destroyed and `generate` raises `Pkcs11Error` whose
    /// `.field` names the attribute (`"CKA_DECRYPT"`, ...). `accept_extra_key_usages=True`
    /// keeps pairs with extra usages, for a token known to force them; it never lets through
    /// a private key that is extractable, not sensitive, readable without the PIN or not on
    /// the token.
    #[pyo3(signature = (*, serial=None, label=None, slot=None, accept_extra_key_usages=false))]
    fn open_token(
        &self,
        py: Python<'_>,
        serial: Option<String>,
        label: Option<String>,
        slot: Option<u64>,
        accept_extra_key_usages: bool,
    ) -> PyResult<Token> {
        let selector = match (serial, label, slot) {
            (Some(s), None, None) => p11::TokenSelector::Serial(s),
            (None, Some(l), None) => p11::TokenSelector::Label(l),
            (None, None, Some(id)) => p11::TokenSelector::Slot(id),
            (None, None, None) => p11::TokenSelector::Only,
            _ => {
                return Err(invalid_argument(
                    "serial",
                    "choose by one of serial, label, slot",
                ));
            }
        };
        let token = self.with(|m| {
            py.detach(|| m.open_token(&selector))
                .map_err(|e| BkError(e).into())
        })?;
        if accept_extra_key_usages {
            token.set_accept_extra_key_usages(true);
        }
        Ok(Token {
            inner: Mutex::new(Some(Arc::new(token))),
        })
    }

    /// What is wrong with the tokens (see `bankkey.stores.diagnose`), as plain data.
    #[pyo3(signature = (*, pin=None, at=None, window_days=30))]
    fn diagnose<'py>(
        &self,
        py: Python<'py>,
        pin: Option<&Bound<'py, PyAny>>,
        at: Option<&Bound<'py, PyAny>>,
        window_days: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        let pin = pin
            .filter(|p| !p.is_none())
            .map(|p| secret(p, "pin"))
            .transpose()?;
        let at = at_or_now(at)?;
        let d = self.with(|m| {
            py.detach(|| diagnosis::diagnose(m, pin.as_ref(), at, window_days))
                .map_err(|e| BkError(e).into())
        })?;
        let out = PyDict::new(py);
        out.set_item(
            "slots",
            d.slots
                .iter()
                .map(|s| slot_dict(py, s))
                .collect::<PyResult<Vec<_>>>()?,
        )?;
        out.set_item(
            "findings",
            d.findings
                .iter()
                .map(|f| finding_dict(py, f))
                .collect::<PyResult<Vec<_>>>()?,
        )?;
        let tokens = PyList::empty(py);
        for t in &d.tokens {
            let td = token_info_dict(py, &t.info)?;
            td.set_item("pin_state", t.pin_state.as_str())?;
            td.set_item("pin_state_ru", t.pin_state.ru())?;
            td.set_item("pin_state_en", t.pin_state.en())?;
            td.set_item("logged_in", t.logged_in)?;
            td.set_item(
                "key_sets",
                t.key_sets
                    .iter()
                    .map(|k| Py::new(py, KeySet { inner: k.clone() }))
                    .collect::<PyResult<Vec<_>>>()?,
            )?;
            td.set_item(
                "findings",
                t.findings
                    .iter()
                    .map(|f| finding_dict(py, f))
                    .collect::<PyResult<Vec<_>>>()?,
            )?;
            tokens.append(td)?;
        }
        out.set_item("tokens", tokens)?;
        out.set_item("worst", d.worst().map(|s| s.as_str()))?;
        Ok(out)
    }

    /// Unloads the module when no token of it is open any more.
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
}

/// A token: PIN state, login, key sets; a context manager that logs out on exit.
#[pyclass(frozen, module = "bankkey._native", name = "Token")]
pub struct Token {
    inner: Mutex<Option<Arc<p11::Pkcs11Token>>>,
}

impl Token {
    fn token(&self) -> PyResult<Arc<p11::Pkcs11Token>> {
        self.inner
            .lock()
            .map_err(|_| poisoned())?
            .clone()
            .ok_or_else(|| closed("token"))
    }

    fn store(&self) -> PyResult<AnyStore> {
        Ok(AnyStore::Token(self.token()?))
    }

    /// The token as a store for the client.
    pub fn any_store(&self) -> PyResult<AnyStore> {
        self.store()
    }
}

store_methods!(Token {
    /// The token's description (`slot_id`, `label`, `serial`, `model`, `manufacturer`, ...).
    #[getter]
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = self.token()?;
        let info = py.detach(|| t.refresh_info()).map_err(BkError)?;
        token_info_dict(py, &info)
    }

    /// The user PIN state: `"ok"`, `"to_be_changed"`, `"count_low"`, `"final_try"`,
    /// `"locked"`, `"not_initialized"`.
    #[getter]
    fn pin_state(&self, py: Python<'_>) -> PyResult<&'static str> {
        let t = self.token()?;
        Ok(py.detach(|| t.pin_state()).map_err(BkError)?.as_str())
    }

    /// Logs in with `pin` (str or bytes; not kept). Refused without trying on a locked PIN
    /// (`PinLockedError`) and on the final try (`PinFinalTryError`) unless
    /// `insist_on_final_try` (ask the user first). A wrong PIN is `PinIncorrectError`.
    #[pyo3(signature = (pin, *, insist_on_final_try=false))]
    fn login(&self, py: Python<'_>, pin: &Bound<'_, PyAny>, insist_on_final_try: bool) -> PyResult<()> {
        let pin = secret(pin, "pin")?;
        let t = self.token()?;
        py.detach(|| {
            t.login(
                &pin,
                p11::LoginOptions {
                    insist_on_final_try,
                },
            )
        })
        .map_err(|e| BkError(e).into())
    }

    /// Logs out (idempotent).
    fn logout(&self, py: Python<'_>) -> PyResult<()> {
        let t = self.token()?;
        py.detach(|| t.logout()).map_err(|e| BkError(e).into())
    }

    /// Changes the user PIN; the new one may not be a factory PIN.
    fn change_pin(&self, py: Python<'_>, old: &Bound<'_, PyAny>, new: &Bound<'_, PyAny>) -> PyResult<()> {
        let (old, new) = (secret(old, "old")?, secret(new, "new")?);
        let t = self.token()?;
        py.detach(|| t.change_pin(&old, &new))
            .map_err(|e| BkError(e).into())
    }

    /// Logs out and releases the token.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let t = self.inner.lock().map_err(|_| poisoned())?.take();
        if let Some(t) = t {
            py.detach(|| t.logout()).map_err(BkError)?;
        }
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _t: &Bound<'_, PyAny>,
        _v: &Bound<'_, PyAny>,
        _tb: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.close(py)
    }
});

/// The file container: password-encrypted keys and certificates in a directory (a flash
/// drive). A context manager; the password is not kept by the Python object.
#[pyclass(frozen, module = "bankkey._native", name = "FileContainer")]
pub struct FileContainer {
    inner: Mutex<Option<Arc<BkFileContainer>>>,
}

impl FileContainer {
    fn container(&self) -> PyResult<Arc<BkFileContainer>> {
        self.inner
            .lock()
            .map_err(|_| poisoned())?
            .clone()
            .ok_or_else(|| closed("container"))
    }

    fn store(&self) -> PyResult<AnyStore> {
        Ok(AnyStore::File(self.container()?))
    }

    /// The container as a store for the client.
    pub fn any_store(&self) -> PyResult<AnyStore> {
        self.store()
    }

    fn wrap(c: BkFileContainer) -> FileContainer {
        FileContainer {
            inner: Mutex::new(Some(Arc::new(c))),
        }
    }
}

store_methods!(FileContainer {
    /// Opens the container in `path` (the password is checked when a key is used:
    /// `WrongPasswordError`). `kdf_iterations` sets the PBKDF2 rounds of keys written from now
    /// on (600,000 by default).
    #[staticmethod]
    #[pyo3(signature = (path, password, *, kdf_iterations=None))]
    fn open(
        py: Python<'_>,
        path: std::path::PathBuf,
        password: &Bound<'_, PyAny>,
        kdf_iterations: Option<u32>,
    ) -> PyResult<FileContainer> {
        let pw = secret(password, "password")?;
        let mut c = py
            .detach(|| BkFileContainer::open(&path, pw))
            .map_err(BkError)?;
        if let Some(n) = kdf_iterations {
            c.set_kdf_iterations(n);
        }
        Ok(Self::wrap(c))
    }

    /// Creates a container in `path` (created if missing; it must be empty).
    #[staticmethod]
    #[pyo3(signature = (path, password, *, kdf_iterations=None))]
    fn create(
        py: Python<'_>,
        path: std::path::PathBuf,
        password: &Bound<'_, PyAny>,
        kdf_iterations: Option<u32>,
    ) -> PyResult<FileContainer> {
        let pw = secret(password, "password")?;
        let mut c = py
            .detach(|| BkFileContainer::create(&path, pw))
            .map_err(BkError)?;
        if let Some(n) = kdf_iterations {
            c.set_kdf_iterations(n);
        }
        Ok(Self::wrap(c))
    }

    /// The directory.
    #[getter]
    fn path(&self) -> PyResult<std::path::PathBuf> {
        Ok(self.container()?.path().to_path_buf())
    }

    /// Imports a software key, labelled `label`.
    fn import_key(&self, py: Python<'_>, key: &SoftwareKey, label: &str) -> PyResult<KeySet> {
        let c = self.container()?;
        let k = key.inner.clone();
        let inner = py.detach(|| c.import(&k, label)).map_err(BkError)?;
        Ok(KeySet { inner })
    }

    /// The key set `id` (its key and certificate) as a PFX under `password` (bytes, DER),
    /// in the profile CryptoPro CSP (`certmgr -install -pfx`), OpenSSL and GnuTLS read
    /// (GOST: Р 50.1.112-2016). `iterations`: PBKDF2 iterations (default 2000, the
    /// standard's and CryptoPro's); `friendly_name`: the name CryptoPro shows on import.
    #[pyo3(signature = (id, password, *, iterations=None, friendly_name=None))]
    fn export_pfx<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
        password: &Bound<'py, PyAny>,
        iterations: Option<u32>,
        friendly_name: Option<String>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let id = id_arg(id)?;
        let pw = secret(password, "password")?;
        let c = self.container()?;
        let mut options = bankkey::pfx::PfxOptions {
            friendly_name,
            ..Default::default()
        };
        if let Some(n) = iterations {
            options.iterations = n;
        }
        let der = py
            .detach(|| {
                use secrecy::ExposeSecret;
                bankkey::pfx::Pfx::export(&c, &id, pw.expose_secret(), &options)
            })
            .map_err(BkError)?;
        Ok(PyBytes::new(py, &der))
    }

    /// Copies the container into the empty directory `dest` (every file read back) and
    /// returns the copy (same password).
    fn backup_to(&self, py: Python<'_>, dest: std::path::PathBuf) -> PyResult<FileContainer> {
        let c = self.container()?;
        let copy = py.detach(|| c.backup_to(&dest)).map_err(BkError)?;
        Ok(Self::wrap(copy))
    }

    /// Releases the container (the password in memory is wiped).
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
