//! Certificate revocation lists as frozen Python objects (the core's `bank::Crl`).

use std::sync::Arc;

use bankkey::bank::Crl as BkCrl;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyTuple};

use crate::convert::{at_or_now, input_bytes, one_or_many, to_datetime};
use crate::errors::BkError;
use crate::pki::{Certificate, Name, compare, hash_bytes, name_object, serial_int};

/// A CRL (RFC 5280), as read: its issuer, thisUpdate/nextUpdate, the revoked serials.
/// `verify_issued_by(ca)` checks the issuer's signature; `revocation_of(cert)` and `is_fresh`
/// are what the QES check relies on.
#[pyclass(frozen, module = "bankkey._native", name = "Crl")]
pub struct Crl {
    pub inner: Arc<BkCrl>,
    issuer: PyOnceLock<Py<Name>>,
}

impl Crl {
    pub fn new(inner: BkCrl) -> Crl {
        Crl {
            inner: Arc::new(inner),
            issuer: PyOnceLock::new(),
        }
    }
}

/// Extracts CRLs from a `Crl` or a sequence of them (`None`: none).
pub fn crls_arg(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Vec<BkCrl>> {
    one_or_many(value, field, |c: &Crl| (*c.inner).clone())
}

#[pymethods]
impl Crl {
    /// Reads a CRL from DER or PEM (`X509 CRL`; `bytes`, or PEM as `str`).
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Crl> {
        let bytes = input_bytes(data, "data")?;
        Ok(Crl::new(BkCrl::from_der_or_pem(&bytes).map_err(BkError)?))
    }

    /// The DER encoding, as read.
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.der())
    }

    /// The issuer's name.
    #[getter]
    fn issuer(&self, py: Python<'_>) -> PyResult<Py<Name>> {
        name_object(py, &self.issuer, self.inner.issuer())
    }

    /// thisUpdate, an aware UTC datetime.
    #[getter]
    fn this_update<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_datetime(py, self.inner.this_update())
    }

    /// nextUpdate, or `None` when the CRL has none (then it is never fresh).
    #[getter]
    fn next_update<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .next_update()
            .map(|t| to_datetime(py, t))
            .transpose()
    }

    /// The authorityKeyIdentifier's key identifier, when present.
    #[getter]
    fn authority_key_id<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.authority_key_id().map(|id| PyBytes::new(py, id))
    }

    /// The revoked certificates: `(serial number as int, revocation time)` pairs, in order.
    #[getter]
    fn revoked<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
        self.inner
            .revoked()
            .iter()
            .map(|r| Ok((serial_int(py, &r.serial)?, to_datetime(py, r.revoked_at)?)))
            .collect()
    }

    /// Whether the CRL may be relied on at `at` (default now): thisUpdate ≤ at ≤ nextUpdate.
    #[pyo3(signature = (at=None))]
    fn is_fresh(&self, at: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        Ok(self.inner.is_fresh_at(at_or_now(at)?))
    }

    /// When `certificate` was revoked, if this CRL lists its serial number; else `None`.
    /// (Whether this CRL is the issuer's is `verify_issued_by`'s question.)
    fn revocation_of<'py>(
        &self,
        py: Python<'py>,
        certificate: &Certificate,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .revocation_of(certificate.inner.serial())
            .map(|t| to_datetime(py, t))
            .transpose()
    }

    /// Checks that `issuer` issued this CRL: the names (and key identifiers) match, it may
    /// sign CRLs, no critical extension we do not understand, and its signature verifies.
    /// Raises `WrongIssuerError`, `UnsupportedAlgorithmError`, `BadSignatureError`.
    fn verify_issued_by(&self, py: Python<'_>, issuer: &Certificate) -> PyResult<()> {
        let crl = self.inner.clone();
        let issuer = issuer.inner.clone();
        py.detach(|| crl.verify_issued_by(&issuer))
            .map_err(|e| BkError(e).into())
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        let other = other.cast::<Crl>().ok().map(|o| o.get().inner.clone());
        compare(
            &self.inner.der(),
            other.as_ref().map(|o| o.der()).as_ref(),
            op,
            py,
        )
    }

    fn __hash__(&self) -> u64 {
        hash_bytes(self.inner.der())
    }

    fn __repr__(&self) -> String {
        format!(
            "<Crl {} thisUpdate={} revoked={}>",
            self.inner.issuer(),
            self.inner.this_update(),
            self.inner.revoked().len()
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let der = PyBytes::new(py, slf.get().inner.der());
        let ctor = py.get_type::<Crl>().getattr("from_bytes")?;
        Ok((ctor, PyTuple::new(py, [der])?))
    }
}
