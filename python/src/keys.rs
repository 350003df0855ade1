//! Keys and signers: software keys, a Python callable as a signer, and the one conversion
//! every signing call uses (`signer_arg`).

use std::cell::RefCell;
use std::sync::Arc;

use bankkey::key::{self as bkkey, KeyAlgorithm, Signer, VerifyingSigner};
use bankkey::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use spki::AlgorithmIdentifierOwned;

use crate::convert::{input_bytes, secret_bytes};
use crate::errors::{BkError, invalid_argument};
use crate::pki::PublicKey;

/// Every key algorithm id (`"gost2012-256-tc26-a"`, …, `"rsa-2048"`, `"ecdsa-p256"`).
#[pyfunction]
pub fn key_algorithms() -> Vec<String> {
    KeyAlgorithm::ALL
        .iter()
        .map(|a| a.id().into_owned())
        .collect()
}

/// A private key held in memory (GOST R 34.10-2012, RSA or ECDSA P-256), wiped when dropped.
#[pyclass(frozen, module = "bankkey._native", name = "SoftwareKey")]
pub struct SoftwareKey {
    pub inner: Arc<bkkey::SoftwareKey>,
}

#[pymethods]
impl SoftwareKey {
    /// A new random key of `algorithm` (an id: `"gost2012-256-tc26-a"`, `"rsa-2048"`, ...).
    /// RSA generation takes seconds; the GIL is released meanwhile.
    #[staticmethod]
    fn generate(py: Python<'_>, algorithm: &str) -> PyResult<SoftwareKey> {
        let alg = KeyAlgorithm::parse(algorithm).map_err(BkError)?;
        let key = py
            .detach(|| bkkey::SoftwareKey::generate(alg))
            .map_err(BkError)?;
        Ok(SoftwareKey {
            inner: Arc::new(key),
        })
    }

    /// Reads a PKCS#8 key, DER or PEM, plain or encrypted (then `password`, str or bytes,
    /// is needed; it is not kept). PBKDF2 runs without the GIL.
    #[staticmethod]
    #[pyo3(signature = (data, password=None))]
    fn from_pkcs8(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<SoftwareKey> {
        let bytes = zeroize::Zeroizing::new(input_bytes(data, "data")?.into_owned());
        let password = match password.filter(|p| !p.is_none()) {
            Some(p) => Some(secret_bytes(p, "password")?),
            None => None,
        };
        let key = py
            .detach(|| read_pkcs8(&bytes, password.as_deref().map(|p| &p[..])))
            .map_err(BkError)?;
        Ok(SoftwareKey {
            inner: Arc::new(key),
        })
    }

    /// The key as PKCS#8 PEM: encrypted with `password` (PBES2, PBKDF2-SHA-256, AES-256-CBC,
    /// `iterations` rounds, 600,000 by default), or plain when `password` is `None`.
    #[pyo3(signature = (password=None, *, iterations=None))]
    fn to_pkcs8_pem(
        &self,
        py: Python<'_>,
        password: Option<&Bound<'_, PyAny>>,
        iterations: Option<u32>,
    ) -> PyResult<String> {
        match password.filter(|p| !p.is_none()) {
            None => Ok(self.inner.to_pkcs8_pem().to_string()),
            Some(p) => {
                let pw = secret_bytes(p, "password")?;
                let iterations = iterations.unwrap_or(bkkey::DEFAULT_PBKDF2_ITERATIONS);
                py.detach(|| {
                    self.inner
                        .to_encrypted_pkcs8_pem_with_iterations(&pw, iterations)
                })
                .map_err(|e| BkError(e).into())
            }
        }
    }

    /// The algorithm id.
    #[getter]
    fn algorithm(&self) -> String {
        self.inner.algorithm().id().into_owned()
    }

    /// The public key.
    #[getter]
    fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }

    /// Signs `message` (the key hashes it): GOST s‖r, RSA PKCS#1 v1.5 SHA-256, ECDSA DER.
    fn sign<'py>(&self, py: Python<'py>, message: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let sig = py
            .detach(|| Signer::sign(&*self.inner, message))
            .map_err(BkError)?;
        Ok(PyBytes::new(py, &sig))
    }

    fn __repr__(&self) -> String {
        format!(
            "<SoftwareKey {} {}>",
            self.inner.algorithm().id(),
            hex::encode_upper(self.inner.public_key().key_id())
        )
    }
}

/// PKCS#8 in any of its four forms: DER or PEM, plain or encrypted (which needs `password`).
fn read_pkcs8(data: &[u8], password: Option<&[u8]>) -> bankkey::Result<bkkey::SoftwareKey> {
    let pem = data.first() != Some(&0x30);
    let encrypted = if pem {
        let label: &[u8] = b"-----BEGIN ENCRYPTED PRIVATE KEY-----";
        data.windows(label.len()).any(|w| w == label)
    } else {
        bkkey::SoftwareKey::from_pkcs8_der(data).is_err()
    };
    match (encrypted, password, pem) {
        (false, _, false) => bkkey::SoftwareKey::from_pkcs8_der(data),
        (false, _, true) => bkkey::SoftwareKey::from_pkcs8_pem(&String::from_utf8_lossy(data)),
        (true, None, _) => Err(Error::invalid_field(
            "password",
            "the key is encrypted: a password is needed",
        )),
        (true, Some(pw), false) => bkkey::SoftwareKey::from_encrypted_pkcs8_der(data, pw),
        (true, Some(pw), true) => {
            bkkey::SoftwareKey::from_encrypted_pkcs8_pem(&String::from_utf8_lossy(data), pw)
        }
    }
}

thread_local! {
    /// The exception a Python signing callable raised, kept for the binding call that
    /// brought it about: it becomes the `__cause__` of the exception raised there.
    static CALLBACK_ERROR: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// The exception a signing callable raised on this thread, if any (taken).
pub fn take_callback_error() -> Option<PyErr> {
    CALLBACK_ERROR.with(|c| c.borrow_mut().take())
}

/// The Rust side of `CallableSigner`: calls the Python function with the message.
struct PyCallable {
    public_key: bkkey::PublicKey,
    callable: Py<PyAny>,
}

impl Signer for PyCallable {
    fn public_key(&self) -> bkkey::PublicKey {
        self.public_key.clone()
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        self.public_key.algorithm().signature_algorithm()
    }

    fn sign(&self, msg: &[u8]) -> bankkey::Result<Vec<u8>> {
        Python::attach(|py| {
            let result = self
                .callable
                .bind(py)
                .call1((PyBytes::new(py, msg),))
                .and_then(|r| match r.cast::<PyBytes>() {
                    Ok(b) => Ok(b.as_bytes().to_vec()),
                    Err(_) => Err(pyo3::exceptions::PyTypeError::new_err(format!(
                        "the signing callable must return bytes, not {}",
                        r.get_type()
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    ))),
                });
            match result {
                Ok(sig) => Ok(sig),
                Err(e) => {
                    let err = callback_error(py, &e);
                    CALLBACK_ERROR.with(|c| *c.borrow_mut() = Some(e));
                    Err(err)
                }
            }
        })
    }
}

/// A core error for an exception raised by a signing callable: a `BankKeyError` keeps its
/// code, field and message (a CSP's wrong PIN stays `PinIncorrectError`); anything else is
/// `InternalError` naming the exception type, with the exception as its `__cause__`.
fn callback_error(py: Python<'_>, e: &PyErr) -> Error {
    let value = e.value(py);
    let code = value
        .getattr("code")
        .ok()
        .and_then(|c| c.extract::<u32>().ok())
        .and_then(ErrorKind::from_code);
    let text = value.str().map(|s| s.to_string()).unwrap_or_default();
    match code {
        Some(kind) if e.get_type(py).name().is_ok() && is_bankkey_error(py, e) => {
            let message = value
                .getattr("message")
                .ok()
                .and_then(|m| m.extract::<String>().ok())
                .unwrap_or(text);
            let mut err = Error::new(kind, message);
            if let Some(field) = value
                .getattr("field")
                .ok()
                .and_then(|f| f.extract::<Option<String>>().ok())
                .flatten()
            {
                err = err.with_field(field);
            }
            err
        }
        _ => {
            let type_name = e
                .get_type(py)
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "exception".to_owned());
            Error::new(
                ErrorKind::Internal,
                format!("the signing callable raised {type_name}: {text}"),
            )
            .with_field("signer")
        }
    }
}

fn is_bankkey_error(py: Python<'_>, e: &PyErr) -> bool {
    py.import("bankkey.exceptions")
        .and_then(|m| m.getattr("BankKeyError"))
        .map(|base| e.get_type(py).is_subclass(&base).unwrap_or(false))
        .unwrap_or(false)
}

/// A Python callable as a signer, for keys the library cannot reach itself (a CSP, an HSM
/// service): `sign(message: bytes) -> bytes` returns the signature over the whole message as
/// the key's algorithm makes it (GOST s‖r, RSA PKCS#1 v1.5 SHA-256, ECDSA DER).
///
/// Every signature is verified against `public_key` before use: one with its bytes or halves
/// reversed (CryptoAPI writes little-endian) is `BadSignatureError` with a hint saying so,
/// at once rather than a rejection by the bank the next day. An exception raised by the
/// callable comes out of the call that signed: a `BankKeyError` as itself, anything else as
/// `InternalError` with the original as `__cause__`.
#[pyclass(frozen, module = "bankkey._native", name = "CallableSigner")]
pub struct CallableSigner {
    inner: Arc<VerifyingSigner<PyCallable>>,
}

#[pymethods]
impl CallableSigner {
    #[new]
    fn new(public_key: &Bound<'_, PyAny>, sign: &Bound<'_, PyAny>) -> PyResult<CallableSigner> {
        let public_key = crate::pki::public_key_arg(public_key, "public_key")?;
        if !sign.is_callable() {
            return Err(invalid_argument("sign", "sign must be callable"));
        }
        Ok(CallableSigner {
            inner: Arc::new(VerifyingSigner::new(PyCallable {
                public_key,
                callable: sign.clone().unbind(),
            })),
        })
    }

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

    /// Calls the callable and verifies the signature (see the class).
    fn sign<'py>(&self, py: Python<'py>, message: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let sig = py.detach(|| self.inner.sign(message)).map_err(BkError)?;
        Ok(PyBytes::new(py, &sig))
    }

    fn __repr__(&self) -> String {
        format!(
            "<CallableSigner {} {}>",
            self.inner.public_key().algorithm().id(),
            hex::encode_upper(self.inner.public_key().key_id())
        )
    }
}

/// Any signer the binding knows, as the core's `Signer`: a `SoftwareKey`, a `CallableSigner`
/// or a key from a store (`StoreSigner`). New signer classes (a PFX or CryptoPro import) add
/// a branch here.
pub fn signer_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Arc<dyn Signer>> {
    if let Ok(k) = value.cast::<SoftwareKey>() {
        return Ok(k.get().inner.clone());
    }
    if let Ok(s) = value.cast::<CallableSigner>() {
        return Ok(s.get().inner.clone());
    }
    if let Ok(s) = value.cast::<crate::stores::StoreSigner>() {
        return Ok(s.get().inner.clone());
    }
    Err(invalid_argument(
        field,
        format!(
            "{field} must be a SoftwareKey, CallableSigner or StoreSigner, not {}",
            value
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ),
    ))
}
