//! CMS SignedData and the signed regeneration request.

use bankkey::cms::{self as bkcms, VerifyOptions};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::convert::{at_opt, at_or_now, input_bytes, serde_to_py, to_datetime};
use crate::errors::{BkError, invalid_argument};
use crate::pki::{Certificate, CertificateRequest, certificates_arg};

/// A CMS SignedData (RFC 5652), attached or detached, read from DER, BER or PEM.
#[pyclass(frozen, module = "bankkey._native", name = "SignedData")]
pub struct SignedData {
    pub inner: bkcms::SignedData,
}

fn signer_dict<'py>(py: Python<'py>, si: &bkcms::SignerInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match si.sid() {
        bkcms::SignerId::IssuerAndSerial { issuer_der, serial } => {
            let issuer = bankkey::subject::Subject::from_der(issuer_der)
                .map(|s| s.to_string())
                .unwrap_or_default();
            d.set_item("issuer", issuer)?;
            d.set_item("serial", hex::encode_upper(serial))?;
            d.set_item("key_id", py.None())?;
        }
        bkcms::SignerId::KeyIdentifier(id) => {
            d.set_item("issuer", py.None())?;
            d.set_item("serial", py.None())?;
            d.set_item("key_id", hex::encode_upper(id))?;
        }
    }
    d.set_item("digest_algorithm", si.digest_algorithm().oid.to_string())?;
    d.set_item(
        "signature_algorithm",
        si.signature_algorithm().oid.to_string(),
    )?;
    match si.signing_time() {
        Some(t) => d.set_item("signing_time", to_datetime(py, t)?)?,
        None => d.set_item("signing_time", py.None())?,
    }
    Ok(d)
}

#[pymethods]
impl SignedData {
    /// Reads a SignedData (`ContentInfo`) from DER, BER or PEM (`CMS`/`PKCS7`).
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<SignedData> {
        let bytes = input_bytes(data, "data")?;
        Ok(SignedData {
            inner: bkcms::SignedData::from_der_or_pem(&bytes).map_err(BkError)?,
        })
    }

    /// The DER ContentInfo.
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_der())
    }

    /// PEM (`CMS`).
    fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// The eContentType OID (dotted).
    #[getter]
    fn content_type(&self) -> String {
        self.inner.content_type().to_string()
    }

    /// The signed content, or `None` for a detached signature.
    #[getter]
    fn content<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.content().map(|c| PyBytes::new(py, c))
    }

    /// Whether the content is left out.
    #[getter]
    fn is_detached(&self) -> bool {
        self.inner.is_detached()
    }

    /// The certificates carried.
    #[getter]
    fn certificates(&self) -> Vec<Certificate> {
        self.inner
            .certificates()
            .iter()
            .cloned()
            .map(Certificate::new)
            .collect()
    }

    /// The signers as dicts: `issuer`, `serial` or `key_id` (how the signer is named),
    /// `digest_algorithm`, `signature_algorithm`, `signing_time`.
    #[getter]
    fn signers<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .signers()
            .iter()
            .map(|si| signer_dict(py, si))
            .collect()
    }

    /// Verifies every signer's signature and its certificate's path to `trust` (anchors), at
    /// `at` or else each signer's signingTime; returns the signers' certificates. `content`
    /// is the content of a detached signature; `certificates` more certificates to look in.
    /// The GIL is released meanwhile.
    #[pyo3(signature = (trust, *, content=None, at=None, certificates=None))]
    fn verify(
        &self,
        py: Python<'_>,
        trust: &Bound<'_, PyAny>,
        content: Option<&Bound<'_, PyAny>>,
        at: Option<&Bound<'_, PyAny>>,
        certificates: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Certificate>> {
        let options = VerifyOptions {
            content: match content.filter(|c| !c.is_none()) {
                Some(c) => Some(input_bytes(c, "content")?.into_owned()),
                None => None,
            },
            anchors: certificates_arg(Some(trust), "trust")?,
            certificates: certificates_arg(certificates, "certificates")?,
            at: at_opt(at)?,
        };
        if options.anchors.is_empty() {
            return Err(invalid_argument("trust", "no trust anchors given"));
        }
        let verified = py.detach(|| self.inner.verify(&options)).map_err(BkError)?;
        Ok(verified
            .into_iter()
            .map(|v| Certificate::new(v.certificate))
            .collect())
    }

    /// The report `inspect` prints, as a dict.
    #[pyo3(signature = (*, at=None, trust=None, content=None))]
    fn report<'py>(
        &self,
        py: Python<'py>,
        at: Option<&Bound<'py, PyAny>>,
        trust: Option<&Bound<'py, PyAny>>,
        content: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = crate::report::options(at, trust, None, content, None)?;
        let r = py.detach(|| bankkey::report::signed_data(&self.inner, &options));
        serde_to_py(py, &r)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<SignedData>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.to_der().hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        format!(
            "<SignedData signers={} detached={}>",
            self.inner.signers().len(),
            self.inner.is_detached()
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let der = PyBytes::new(py, &slf.get().inner.to_der());
        Ok((
            py.get_type::<SignedData>().getattr("from_bytes")?,
            PyTuple::new(py, [der])?,
        ))
    }
}

/// The remote regeneration request: a PKCS#10 request inside an attached SignedData signed
/// with the subscriber's current key (seed 002).
#[pyclass(frozen, module = "bankkey._native", name = "SignedRequest")]
pub struct SignedRequest {
    pub inner: bkcms::SignedRequest,
}

#[pymethods]
impl SignedRequest {
    /// Reads a signed request (DER or PEM `CMS`/`PKCS7`): attached, one signer.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<SignedRequest> {
        let bytes = input_bytes(data, "data")?;
        Ok(SignedRequest {
            inner: bkcms::SignedRequest::from_der_or_pem(&bytes).map_err(BkError)?,
        })
    }

    /// The DER ContentInfo.
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_der())
    }

    /// PEM (`CMS`).
    fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// The request inside, read but not verified.
    #[getter]
    fn request(&self) -> PyResult<CertificateRequest> {
        Ok(CertificateRequest::new(
            self.inner.request().map_err(BkError)?,
        ))
    }

    /// The SignedData around the request.
    #[getter]
    fn signed_data(&self) -> SignedData {
        SignedData {
            inner: self.inner.signed_data().clone(),
        }
    }

    /// Verifies the CMS signature, the signer's certificate valid at `at` (default now: the
    /// time the request is received) and chaining to `trust`, and the request's own
    /// self-signature. Returns `(request, signer_certificate)`.
    #[pyo3(signature = (trust, *, at=None))]
    fn verify(
        &self,
        py: Python<'_>,
        trust: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(CertificateRequest, Certificate)> {
        let anchors = certificates_arg(Some(trust), "trust")?;
        let at = at_or_now(at)?;
        let (request, signer) = py
            .detach(|| self.inner.verify(&anchors, at))
            .map_err(BkError)?;
        Ok((CertificateRequest::new(request), Certificate::new(signer)))
    }

    fn __repr__(&self) -> String {
        match self.inner.request() {
            Ok(r) => format!("<SignedRequest subject=\"{}\">", r.subject()),
            Err(_) => "<SignedRequest>".to_owned(),
        }
    }
}
