//! `bankkey::Error` → the Python exception of its kind.
//!
//! The exception classes are written in Python (`bankkey/exceptions.py`, as pyca/cryptography
//! does), one per `ErrorKind`; this module looks the class up by the stable code and raises
//! it with the message, the field and the CKR. The message is the core's, which never holds
//! a secret.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

/// The core's error on its way to Python (`?` turns it into the exception of its kind).
pub struct BkError(pub bankkey::Error);

impl From<bankkey::Error> for BkError {
    fn from(e: bankkey::Error) -> Self {
        BkError(e)
    }
}

impl From<BkError> for PyErr {
    fn from(e: BkError) -> PyErr {
        Python::attach(|py| to_pyerr(py, &e.0))
    }
}

/// `bankkey.exceptions.exception_for_code`, imported once.
static LOOKUP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception for a core error.
pub fn to_pyerr(py: Python<'_>, e: &bankkey::Error) -> PyErr {
    match build(py, e) {
        Ok(err) => err,
        // The package's own module failed to import: say so rather than lose the error.
        Err(import_error) => import_error,
    }
}

fn build(py: Python<'_>, e: &bankkey::Error) -> PyResult<PyErr> {
    let lookup = LOOKUP.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("bankkey.exceptions")?
            .getattr("exception_for_code")?
            .unbind())
    })?;
    let class = lookup.bind(py).call1((e.code(),))?;
    let class = class.cast_into::<PyType>()?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", e.code())?;
    kwargs.set_item("field", e.field())?;
    kwargs.set_item("ckr", e.ckr())?;
    kwargs.set_item("message", e.message())?;
    let value = class.call((e.to_string(),), Some(&kwargs))?;
    let err = PyErr::from_value(value);
    // An exception a Python signing callable raised on the way becomes the cause.
    if let Some(cause) = crate::keys::take_callback_error() {
        err.set_cause(py, Some(cause));
    }
    Ok(err)
}

/// An `InvalidInputError` naming the argument (for checks made by the binding itself, such
/// as a naive datetime).
pub fn invalid_argument(field: &str, message: impl Into<String>) -> PyErr {
    BkError(bankkey::Error::invalid_field(field, message)).into()
}

/// The stable codes and names of every kind, for `bankkey.exceptions` and the tests that
/// compare it with the core: `[(code, name, description)]`.
#[pyfunction]
pub fn error_kinds() -> Vec<(u32, &'static str, &'static str)> {
    bankkey::ErrorKind::ALL
        .iter()
        .map(|k| (k.code(), k.name(), k.description()))
        .collect()
}

/// Raises the exception of `code` with `message` (tests and the callable signer use it to
/// check the mapping from the Rust side).
#[pyfunction]
#[pyo3(signature = (code, message, field=None))]
pub fn _raise_error(code: u32, message: &str, field: Option<&str>) -> PyResult<()> {
    let kind = bankkey::ErrorKind::from_code(code).unwrap_or(bankkey::ErrorKind::Internal);
    let mut e = bankkey::Error::new(kind, message);
    if let Some(f) = field {
        e = e.with_field(f);
    }
    Err(BkError(e).into())
}
