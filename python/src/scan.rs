//! Bulk work without the GIL: `scan` (certificates) and `verify_many` (signatures), over the
//! core's `bankkey::scan`.

use bankkey::scan::{self as bkscan, ScanOptions, SignatureItem};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyString};

use crate::convert::{at_or_now, serde_to_py};
use crate::errors::{BkError, invalid_argument, to_pyerr};
use crate::pki::{Certificate, PublicKey, certificates_arg};

/// One certificate found by `scan`, judged: its group, key-set status, days left, the worst
/// problem. `input` is the index of the input it came from (a PEM bundle or a CMS gives
/// several entries; an unreadable input one entry without a certificate).
#[pyclass(frozen, module = "bankkey._native", name = "ScanEntry")]
pub struct ScanEntry {
    input: usize,
    /// The certificate's DER; it is parsed on first use of `certificate` (the scan itself
    /// keeps no parsed certificate: see `ScanOptions::keep_certificates`).
    der: Option<Box<[u8]>>,
    certificate: PyOnceLock<Py<Certificate>>,
    group: bkscan::Group,
    status: Option<bankkey::lifecycle::KeySetStatus>,
    days_left: Option<i64>,
    identifiers: Vec<bankkey::subject::IdentifierCheck>,
    chain_checked: bool,
    reason: Option<bankkey::report::Reason>,
    message: Option<String>,
    error_code: Option<u32>,
}

#[pymethods]
impl ScanEntry {
    /// The index of the input the certificate came from.
    #[getter]
    fn input(&self) -> usize {
        self.input
    }

    /// The certificate, or `None` for an unreadable input.
    #[getter]
    fn certificate(&self, py: Python<'_>) -> PyResult<Option<Py<Certificate>>> {
        let Some(der) = &self.der else {
            return Ok(None);
        };
        let cert = self.certificate.get_or_try_init(py, || {
            let parsed = bankkey::pki::Certificate::from_der(der).map_err(BkError)?;
            Py::new(py, Certificate::new(parsed))
        })?;
        Ok(Some(cert.clone_ref(py)))
    }

    /// The group, worst first: `"unreadable"`, `"untrusted"`, `"expired"`,
    /// `"not-yet-valid"`, `"bad-identifiers"`, `"replacement-due"`, `"fine"`.
    #[getter]
    fn group(&self) -> &'static str {
        self.group.as_str()
    }

    /// The key-set status the certificate gives (`"active"`,
    /// `"scheduled_replacement_required"`, `"expired"`: the machine names of the core), or
    /// `None`.
    #[getter]
    fn status(&self) -> Option<&'static str> {
        self.status.map(|s| s.as_str())
    }

    /// Whole days to notAfter, rounded down; negative once expired; `None` when unreadable.
    #[getter]
    fn days_left(&self) -> Option<i64> {
        self.days_left
    }

    /// The identifier checks as dicts (`label`, `value`, `valid`, `problem`).
    #[getter]
    fn identifiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &self.identifiers)
    }

    /// Whether the path to the trust anchors was checked.
    #[getter]
    fn chain_checked(&self) -> bool {
        self.chain_checked
    }

    /// The worst problem as a report reason (`"expired"`, `"bad-inn-checksum"`, ...), or
    /// `None`.
    #[getter]
    fn reason(&self) -> Option<String> {
        self.reason.map(|r| r.as_str().to_owned())
    }

    /// The worst problem's detail, or `None`.
    #[getter]
    fn message(&self) -> Option<String> {
        self.message.clone()
    }

    /// The error code when the input was unreadable (1001 malformed, ...), else `None`.
    #[getter]
    fn error_code(&self) -> Option<u32> {
        self.error_code
    }

    fn __repr__(&self) -> String {
        match self.days_left {
            Some(days) => format!(
                "<ScanEntry {} input={} days_left={days}>",
                self.group.as_str(),
                self.input
            ),
            None => format!("<ScanEntry {} input={}>", self.group.as_str(), self.input),
        }
    }
}

fn byte_inputs(inputs: &Bound<'_, PyAny>) -> PyResult<Vec<PyBackedBytes>> {
    let mut out = Vec::new();
    for item in inputs.try_iter()? {
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            out.push(PyBytes::new(item.py(), s.to_cow()?.as_bytes()).extract()?);
            continue;
        }
        out.push(item.extract().map_err(|_| {
            invalid_argument("inputs", "inputs must be bytes (DER or PEM) or str (PEM)")
        })?);
    }
    Ok(out)
}

/// Reads and judges every certificate of every input (bytes: DER, PEM, a PEM bundle or a CMS
/// with certificates) at `at`, with the replacement window `window_days`, against `trust`
/// when given, on `threads` threads (default every core), without the GIL. Returns the
/// entries in input order.
#[pyfunction]
#[pyo3(signature = (inputs, *, at=None, window_days=30, trust=None, threads=None))]
pub fn scan(
    py: Python<'_>,
    inputs: &Bound<'_, PyAny>,
    at: Option<&Bound<'_, PyAny>>,
    window_days: u32,
    trust: Option<&Bound<'_, PyAny>>,
    threads: Option<usize>,
) -> PyResult<Vec<ScanEntry>> {
    let data = byte_inputs(inputs)?;
    let options = ScanOptions {
        at: at_or_now(at)?,
        window_days,
        trust: certificates_arg(trust, "trust")?,
        threads,
        keep_certificates: false,
    };
    let entries = py.detach(|| {
        let slices: Vec<&[u8]> = data.iter().map(|b| b.as_ref()).collect();
        bkscan::scan(&slices, &options)
    });
    Ok(entries
        .into_iter()
        .map(|e| ScanEntry {
            input: e.input,
            der: e
                .der
                .or_else(|| e.certificate.map(|c| c.into_der()))
                .map(Vec::into_boxed_slice),
            certificate: PyOnceLock::new(),
            group: e.group,
            status: e.status,
            days_left: e.days_left,
            identifiers: e.identifiers,
            chain_checked: e.chain_checked,
            reason: e.reason,
            message: e.message,
            error_code: e.error.map(|e| e.code()),
        })
        .collect())
}

/// Verifies every `(public_key, message, signature)` on `threads` threads (default every
/// core), without the GIL. Returns, per item, `None` when it verifies or the exception it
/// fails with (`BadSignatureError`, ...), in order: one bad signature does not hide the rest.
#[pyfunction]
#[pyo3(signature = (items, *, threads=None))]
pub fn verify_many(
    py: Python<'_>,
    items: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<Vec<Option<Py<PyAny>>>> {
    let mut keys = Vec::new();
    let mut blobs: Vec<(PyBackedBytes, PyBackedBytes)> = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        let (key, message, signature): (Bound<'_, PyAny>, PyBackedBytes, PyBackedBytes) =
            item.extract().map_err(|_| {
                invalid_argument(
                    "items",
                    "items must be (PublicKey, message bytes, signature bytes) tuples",
                )
            })?;
        let key = key
            .cast::<PublicKey>()
            .map_err(|_| invalid_argument("items", "the first element must be a PublicKey"))?;
        keys.push(key.get().inner.clone());
        blobs.push((message, signature));
    }
    let results = py.detach(|| {
        let work: Vec<SignatureItem<'_>> = keys
            .iter()
            .zip(&blobs)
            .map(|(key, (m, s))| SignatureItem {
                key,
                message: m.as_ref(),
                signature: s.as_ref(),
            })
            .collect();
        bkscan::verify_many(&work, threads)
    });
    Ok(results
        .into_iter()
        .map(|r| r.err().map(|e| to_pyerr(py, &e).into_value(py).into_any()))
        .collect())
}

/// The scan groups' machine names, worst first.
#[pyfunction]
pub fn scan_groups() -> Vec<&'static str> {
    bkscan::Group::ALL.iter().map(|g| g.as_str()).collect()
}

/// A scan group in words, Russian (`lang="ru"`) or English.
#[pyfunction]
#[pyo3(signature = (group, lang="en"))]
pub fn scan_group_text(group: &str, lang: &str) -> PyResult<&'static str> {
    let g = bkscan::Group::parse(group).map_err(BkError)?;
    Ok(if lang == "ru" { g.ru() } else { g.en() })
}
