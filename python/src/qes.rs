//! Qualified signatures (63-ФЗ, seed 004): the list of accredited CAs and the QES check.

use std::sync::Arc;

use bankkey::bank::tsl::{AccreditationStatus, AccreditedCa};
use bankkey::bank::{QesCheck, QesPolicy, TrustedList as BkTrustedList, check_qualified_with};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::convert::{at_or_now, input_bytes, to_datetime};
use crate::crl::{Crl, crls_arg};
use crate::errors::{BkError, invalid_argument};
use crate::pki::{Certificate, certificates_arg};

/// The Ministry's list of accredited CAs (`TSLExt.xml`). Read it with `from_signed_xml` (its
/// XMLDSig verified against the Ministry's certificate); `from_unsigned_xml` reads one
/// without verifying, which the QES check refuses unless told the list was authenticated
/// otherwise (`trust_unsigned_list=True`).
#[pyclass(frozen, module = "bankkey._native", name = "TrustedList")]
pub struct TrustedList {
    pub inner: Arc<BkTrustedList>,
}

fn status_dict<'py>(py: Python<'py>, s: &AccreditationStatus) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("status", &s.status)?;
    d.set_item("since", to_datetime(py, s.since)?)?;
    d.set_item("active", s.is_active())?;
    Ok(d)
}

fn ca_dict<'py>(py: Python<'py>, ca: &AccreditedCa) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", &ca.name)?;
    d.set_item("short_name", ca.short_name.as_deref())?;
    d.set_item("inn", ca.inn.as_deref())?;
    d.set_item("ogrn", ca.ogrn.as_deref())?;
    d.set_item("registry_number", ca.registry_number.as_deref())?;
    d.set_item(
        "status",
        ca.status.as_ref().map(|s| status_dict(py, s)).transpose()?,
    )?;
    d.set_item(
        "key_ids",
        ca.keys
            .iter()
            .map(|k| PyBytes::new(py, &k.key_id))
            .collect::<Vec<_>>(),
    )?;
    Ok(d)
}

#[pymethods]
impl TrustedList {
    /// Reads the list and verifies its enveloped XMLDSig against `ministry` (the Ministry's
    /// certificate, or a list of them) at `at` (default now). Raises `BadSignatureError`,
    /// `UntrustedIssuerError`, `MalformedEncodingError` (naming the element), … .
    #[staticmethod]
    #[pyo3(signature = (data, ministry, *, at=None))]
    fn from_signed_xml(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        ministry: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<TrustedList> {
        let xml = input_bytes(data, "data")?.into_owned();
        let anchors = certificates_arg(Some(ministry), "ministry")?;
        if anchors.is_empty() {
            return Err(invalid_argument(
                "ministry",
                "the Ministry's certificate is needed",
            ));
        }
        let at = at_or_now(at)?;
        let list = py
            .detach(|| BkTrustedList::from_signed_xml(&xml, &anchors, at))
            .map_err(BkError)?;
        Ok(TrustedList {
            inner: Arc::new(list),
        })
    }

    /// Reads the list **without verifying its signature** (see the class).
    #[staticmethod]
    fn from_unsigned_xml(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<TrustedList> {
        let xml = input_bytes(data, "data")?.into_owned();
        let list = py
            .detach(|| BkTrustedList::from_xml(&xml))
            .map_err(BkError)?;
        Ok(TrustedList {
            inner: Arc::new(list),
        })
    }

    /// `Версия`: grows with every publication.
    #[getter]
    fn version(&self) -> u64 {
        self.inner.version
    }

    /// `Дата`, when the list was formed, or `None`.
    #[getter]
    fn date<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.date.map(|t| to_datetime(py, t)).transpose()
    }

    /// Whether the list's signature was verified when it was read.
    #[getter]
    fn signed(&self) -> bool {
        self.inner.signature().is_some()
    }

    /// The certificate that signed the list (the first of its path to the Ministry's
    /// certificate), or `None` for a list read without verifying.
    #[getter]
    fn signer(&self) -> Option<Certificate> {
        let signature = self.inner.signature()?;
        signature.chain.first().map(|c| Certificate::new(c.clone()))
    }

    /// The signer's certificate path: the signer first, the Ministry's certificate (the one
    /// given to `from_signed_xml` that it chains to) last; empty for a list read without
    /// verifying.
    #[getter]
    fn signing_path(&self) -> Vec<Certificate> {
        self.inner.signature().map_or_else(Vec::new, |s| {
            s.chain
                .iter()
                .map(|c| Certificate::new(c.clone()))
                .collect()
        })
    }

    /// Checks that no certificate on the signing path is revoked at `at` (default now): each
    /// is looked up in the CRLs its issuer signed (`crls`: the Ministry's CRLs, from the
    /// signer certificate's CRL distribution point). The Ministry's certificate itself is
    /// trusted by being given, not looked up. Returns the CRL relied on for each certificate
    /// below it, signer first (empty when the signer itself was given as the Ministry's).
    ///
    /// Raises `PreconditionFailedError` for a list read without verifying, `RevokedError`,
    /// and `VerificationUnavailableError` when no fresh CRL of an issuer on the path that
    /// verifies under it was given (fetch it and call again). The QES check does not make
    /// this check: it is the caller's, on its own schedule.
    #[pyo3(signature = (crls, *, at=None))]
    fn check_revocation(
        &self,
        py: Python<'_>,
        crls: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Crl>> {
        let crls = crls_arg(Some(crls), "crls")?;
        let at = at_or_now(at)?;
        let signature = self.inner.signature().ok_or_else(|| {
            BkError(bankkey::Error::new(
                bankkey::ErrorKind::PreconditionFailed,
                "the list was read without verifying its signature (from_unsigned_xml): \
                 read it with from_signed_xml",
            ))
        })?;
        let relied = py
            .detach(|| {
                signature
                    .check_revocation(&crls, at)
                    .map(|r| r.into_iter().cloned().collect::<Vec<_>>())
            })
            .map_err(BkError)?;
        Ok(relied.into_iter().map(Crl::new).collect())
    }

    /// The CAs: dicts with `name`, `short_name`, `inn`, `ogrn`, `registry_number`, `status`
    /// (`status`, `since`, `active`) and `key_ids` (bytes).
    #[getter]
    fn cas<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner.cas.iter().map(|ca| ca_dict(py, ca)).collect()
    }

    /// The CA holding the key `key_id` (hex or bytes: a certificate's authority key id), or
    /// `None`.
    fn find_key<'py>(
        &self,
        py: Python<'py>,
        key_id: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let id = crate::stores::id_arg(key_id)?;
        self.inner
            .find_key(&id)
            .map(|(ca, _)| ca_dict(py, ca))
            .transpose()
    }

    fn __repr__(&self) -> String {
        format!(
            "<TrustedList version={} cas={}{}>",
            self.inner.version,
            self.inner.cas.len(),
            if self.signed() { "" } else { " unsigned" }
        )
    }
}

/// The bank's QES policy from keyword arguments.
pub fn policy(trust_unsigned_list: bool, max_list_age_days: i64) -> PyResult<QesPolicy> {
    if max_list_age_days < 0 {
        return Err(invalid_argument(
            "max_list_age_days",
            "max_list_age_days must not be negative",
        ));
    }
    Ok(QesPolicy {
        max_list_age: time::Duration::days(max_list_age_days),
        trust_unsigned_list,
    })
}

fn check_dict<'py>(py: Python<'py>, c: QesCheck) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("ca_name", &c.ca_name)?;
    d.set_item("ca_inn", c.ca_inn.as_deref())?;
    d.set_item("ca_ogrn", c.ca_ogrn.as_deref())?;
    d.set_item("ca_registry_number", c.ca_registry_number.as_deref())?;
    d.set_item("ca_key_id", PyBytes::new(py, &c.ca_key_id))?;
    d.set_item("ca_certificate", Certificate::new(c.ca_certificate))?;
    d.set_item("accreditation", status_dict(py, &c.accreditation)?)?;
    d.set_item("list_version", c.list_version)?;
    d.set_item("crl_this_update", to_datetime(py, c.crl_this_update)?)?;
    d.set_item(
        "crl_next_update",
        c.crl_next_update.map(|t| to_datetime(py, t)).transpose()?,
    )?;
    Ok(d)
}

/// Checks that `certificate` is a qualified certificate valid at `at` (63-ФЗ art. 11): its
/// form, the accredited-CA list (`list`, signed unless `trust_unsigned_list`, no older than
/// `max_list_age_days`), the CA key in it and its signature, the accreditation in force when
/// the certificate was issued, its validity, and a fresh CRL of that CA among `crls`. Returns
/// what the check relied on (a dict); raises the failing check's error
/// (`VerificationUnavailableError` — «Ошибка при работе с сервисом проверки сторонних
/// сертификатов» — when the list or a fresh CRL is missing, `RevokedError`, …).
#[pyfunction]
#[pyo3(signature = (certificate, *, list, crls=None, at=None, trust_unsigned_list=false, max_list_age_days=7))]
pub fn check_qualified<'py>(
    py: Python<'py>,
    certificate: &Certificate,
    list: Option<&TrustedList>,
    crls: Option<&Bound<'py, PyAny>>,
    at: Option<&Bound<'py, PyAny>>,
    trust_unsigned_list: bool,
    max_list_age_days: i64,
) -> PyResult<Bound<'py, PyDict>> {
    let crls = crls_arg(crls, "crls")?;
    let at = at_or_now(at)?;
    let policy = policy(trust_unsigned_list, max_list_age_days)?;
    let cert = certificate.inner.clone();
    let list = list.map(|l| l.inner.clone());
    let checked = py
        .detach(|| check_qualified_with(&cert, list.as_deref(), &crls, at, &policy))
        .map_err(BkError)?;
    check_dict(py, checked)
}
