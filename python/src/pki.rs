//! Names, certificates, requests and public keys as frozen Python objects.
//!
//! Each wraps the core's owned value (behind an `Arc`, so other native calls share it without
//! a copy); equality, hashing and pickling go through the DER the object was read from.

use std::sync::Arc;

use bankkey::pki::{self as bkpki};
use bankkey::subject::{AttributeType, Subject};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::convert::{at_or_now, input_bytes, one_or_many, serde_to_py, to_datetime};
use crate::errors::{BkError, invalid_argument};

pub fn hash_bytes(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

pub fn compare<T: PartialEq>(a: &T, b: Option<&T>, op: CompareOp, py: Python<'_>) -> Py<PyAny> {
    match (op, b) {
        (CompareOp::Eq, Some(b)) => (a == b)
            .into_pyobject(py)
            .unwrap()
            .to_owned()
            .into_any()
            .unbind(),
        (CompareOp::Ne, Some(b)) => (a != b)
            .into_pyobject(py)
            .unwrap()
            .to_owned()
            .into_any()
            .unbind(),
        _ => py.NotImplemented(),
    }
}

// ------------------------------------------------------------------------------------------
// Name
// ------------------------------------------------------------------------------------------

/// A subject or issuer name: its attributes in the order stored (the first RDN first).
///
/// `name["CN"]` is the first value of an attribute (labels as in Russian certificates: CN,
/// SN, G, T, O, OU, L, ST, STREET, C, E, INN, INNLE, OGRN, OGRNIP, SNILS; or a dotted OID);
/// the properties give the usual ones, `None` when absent. Values are as read: an INN with a
/// wrong check digit is still shown (`identifiers` says what is wrong with it).
#[pyclass(frozen, module = "bankkey._native", name = "Name")]
pub struct Name {
    pub inner: Subject,
}

impl Name {
    fn value_of(&self, t: AttributeType) -> Option<String> {
        self.inner.get(&t).map(str::to_owned)
    }
}

fn attribute_type(label: &str) -> PyResult<AttributeType> {
    AttributeType::from_label(label).ok_or_else(|| {
        pyo3::exceptions::PyKeyError::new_err(format!(
            "{label:?} is not an attribute label (CN, SN, G, T, O, OU, L, ST, STREET, C, E, \
             INN, INNLE, OGRN, OGRNIP, SNILS) nor a dotted OID"
        ))
    })
}

#[pymethods]
impl Name {
    /// The attributes as `(label, value)` pairs, in order.
    #[getter]
    fn attributes(&self) -> Vec<(String, String)> {
        self.inner
            .attributes()
            .iter()
            .map(|a| (a.kind.label(), a.value.clone()))
            .collect()
    }

    /// The attributes as the report lists them: dicts with `oid`, `label`, `type` (the ASN.1
    /// string type) and `value`.
    fn to_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &self.inner)
    }

    /// The first value of the attribute `label`, or `default`.
    #[pyo3(signature = (label, default=None))]
    fn get(&self, label: &str, default: Option<String>) -> PyResult<Option<String>> {
        Ok(self
            .inner
            .get(&attribute_type(label)?)
            .map(str::to_owned)
            .or(default))
    }

    /// Every value of the attribute `label` (OU may repeat).
    fn get_all(&self, label: &str) -> PyResult<Vec<String>> {
        let t = attribute_type(label)?;
        Ok(self
            .inner
            .attributes()
            .iter()
            .filter(|a| a.kind == t)
            .map(|a| a.value.clone())
            .collect())
    }

    fn __getitem__(&self, label: &str) -> PyResult<String> {
        let t = attribute_type(label)?;
        self.inner
            .get(&t)
            .map(str::to_owned)
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(label.to_owned()))
    }

    fn __contains__(&self, label: &str) -> bool {
        AttributeType::from_label(label).is_some_and(|t| self.inner.get(&t).is_some())
    }

    fn __len__(&self) -> usize {
        self.inner.attributes().len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyList::new(py, self.attributes())?
            .try_iter()
            .map(Bound::into_any)
    }

    /// commonName (CN).
    #[getter]
    fn common_name(&self) -> Option<String> {
        self.value_of(AttributeType::CommonName)
    }

    /// surname (SN).
    #[getter]
    fn surname(&self) -> Option<String> {
        self.value_of(AttributeType::Surname)
    }

    /// givenName (G): in Russian certificates the given name and patronymic.
    #[getter]
    fn given_name(&self) -> Option<String> {
        self.value_of(AttributeType::GivenName)
    }

    /// title (T): the position in the organisation.
    #[getter]
    fn title(&self) -> Option<String> {
        self.value_of(AttributeType::Title)
    }

    /// organizationName (O).
    #[getter]
    fn organization(&self) -> Option<String> {
        self.value_of(AttributeType::Organization)
    }

    /// countryName (C).
    #[getter]
    fn country(&self) -> Option<String> {
        self.value_of(AttributeType::Country)
    }

    /// emailAddress (E).
    #[getter]
    fn email(&self) -> Option<String> {
        self.value_of(AttributeType::Email)
    }

    /// The INN attribute (a person's 12 digits; old certificates: an entity's "00"+10).
    #[getter]
    fn inn(&self) -> Option<String> {
        self.value_of(AttributeType::Inn)
    }

    /// The INNLE attribute (a legal entity's 10 digits).
    #[getter]
    fn innle(&self) -> Option<String> {
        self.value_of(AttributeType::InnLe)
    }

    /// OGRN.
    #[getter]
    fn ogrn(&self) -> Option<String> {
        self.value_of(AttributeType::Ogrn)
    }

    /// OGRNIP.
    #[getter]
    fn ogrnip(&self) -> Option<String> {
        self.value_of(AttributeType::Ogrnip)
    }

    /// SNILS.
    #[getter]
    fn snils(&self) -> Option<String> {
        self.value_of(AttributeType::Snils)
    }

    /// What the subject is, from its identifiers: `"legal-entity"`,
    /// `"individual-entrepreneur"` or `"natural-person"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.inner.kind() {
            bankkey::subject::SubjectKind::LegalEntity => "legal-entity",
            bankkey::subject::SubjectKind::IndividualEntrepreneur => "individual-entrepreneur",
            bankkey::subject::SubjectKind::NaturalPerson => "natural-person",
        }
    }

    /// The check of every identifier attribute (INN, INNLE, OGRN, OGRNIP, SNILS), as the
    /// report lists them: dicts with `label`, `value`, `valid` and `problem`.
    #[getter]
    fn identifiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &self.inner.check_identifiers())
    }

    /// Whether every identifier present has correct check digits.
    #[getter]
    fn identifiers_valid(&self) -> bool {
        self.inner.identifiers_valid()
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        let other = other.cast::<Name>().ok().map(|o| o.get().inner.clone());
        compare(&self.inner, other.as_ref(), op, py)
    }

    fn __hash__(&self) -> u64 {
        hash_bytes(self.inner.to_string().as_bytes())
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("<Name {}>", self.inner)
    }
}

pub fn name_object(
    py: Python<'_>,
    cell: &PyOnceLock<Py<Name>>,
    subject: &Subject,
) -> PyResult<Py<Name>> {
    cell.get_or_try_init(py, || {
        Py::new(
            py,
            Name {
                inner: subject.clone(),
            },
        )
    })
    .map(|n| n.clone_ref(py))
}

// ------------------------------------------------------------------------------------------
// PublicKey
// ------------------------------------------------------------------------------------------

/// A public key (a SubjectPublicKeyInfo): GOST R 34.10-2012, RSA or ECDSA P-256.
#[pyclass(frozen, module = "bankkey._native", name = "PublicKey")]
pub struct PublicKey {
    pub inner: bankkey::key::PublicKey,
}

#[pymethods]
impl PublicKey {
    /// Reads a public key from DER (SubjectPublicKeyInfo) or PEM (`PUBLIC KEY`).
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<PublicKey> {
        let bytes = input_bytes(data, "data")?;
        Ok(PublicKey {
            inner: bankkey::key::PublicKey::from_der_or_pem(&bytes).map_err(BkError)?,
        })
    }

    /// The algorithm in words ("GOST R 34.10-2012 256 id-tc26-gost-3410-12-256-paramSetB").
    #[getter]
    fn algorithm_name(&self) -> String {
        self.inner.algorithm().name()
    }

    /// The key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1),
    /// what the certificate's subjectKeyIdentifier and a token's CKA_ID usually are.
    #[getter]
    fn key_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.key_id())
    }

    /// The subjectPublicKey bits (for GOST the OCTET STRING around little-endian X‖Y): the
    /// bytes the act of recognition prints.
    #[getter]
    fn key_bits<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.key_bits())
    }

    /// The DER SubjectPublicKeyInfo.
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_spki_der())
    }

    /// PEM (`PUBLIC KEY`).
    fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// Verifies `signature` over `message` with the signature algorithm this key signs with
    /// (GOST: Streebog and s‖r; RSA: PKCS#1 v1.5 SHA-256; ECDSA: SHA-256, DER). Raises
    /// `BadSignatureError` when it does not verify. The GIL is released meanwhile.
    fn verify(&self, py: Python<'_>, signature: &[u8], message: &[u8]) -> PyResult<()> {
        let alg = self.inner.algorithm().signature_algorithm();
        py.detach(|| self.inner.verify(&alg, message, signature))
            .map_err(|e| BkError(e).into())
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        let other = other
            .cast::<PublicKey>()
            .ok()
            .map(|o| o.get().inner.clone());
        compare(&self.inner, other.as_ref(), op, py)
    }

    fn __hash__(&self) -> u64 {
        hash_bytes(&self.inner.key_id())
    }

    fn __repr__(&self) -> String {
        format!(
            "<PublicKey {} {}>",
            self.inner.algorithm().name(),
            hex::encode_upper(self.inner.key_id())
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let der = PyBytes::new(py, &slf.get().inner.to_spki_der());
        Ok((
            py.get_type::<PublicKey>().getattr("from_bytes")?,
            PyTuple::new(py, [der])?,
        ))
    }
}

/// A serial number's content octets as a Python int (big-endian, unsigned).
pub fn serial_int<'py>(py: Python<'py>, serial: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    py.get_type::<pyo3::types::PyInt>()
        .call_method1("from_bytes", (PyBytes::new(py, serial), "big"))
}

// ------------------------------------------------------------------------------------------
// Certificate
// ------------------------------------------------------------------------------------------

/// An X.509 certificate, read from DER or PEM; keeps the bytes it was read from.
#[pyclass(frozen, module = "bankkey._native", name = "Certificate")]
pub struct Certificate {
    pub inner: Arc<bkpki::Certificate>,
    subject: PyOnceLock<Py<Name>>,
    issuer: PyOnceLock<Py<Name>>,
}

impl Certificate {
    pub fn new(inner: bkpki::Certificate) -> Certificate {
        Certificate::from_arc(Arc::new(inner))
    }

    pub fn from_arc(inner: Arc<bkpki::Certificate>) -> Certificate {
        Certificate {
            inner,
            subject: PyOnceLock::new(),
            issuer: PyOnceLock::new(),
        }
    }
}

/// Extracts certificates from a `Certificate` or a sequence of them.
pub fn certificates_arg(
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
) -> PyResult<Vec<bkpki::Certificate>> {
    one_or_many(value, field, |c: &Certificate| (*c.inner).clone())
}

/// A `PublicKey`, or the key of a `Certificate` or `CertificateRequest`.
pub fn public_key_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<bankkey::key::PublicKey> {
    if let Ok(k) = value.cast::<PublicKey>() {
        return Ok(k.get().inner.clone());
    }
    if let Ok(c) = value.cast::<Certificate>() {
        return c.get().inner.public_key().map_err(|e| BkError(e).into());
    }
    if let Ok(r) = value.cast::<CertificateRequest>() {
        return r.get().inner.public_key().map_err(|e| BkError(e).into());
    }
    Err(invalid_argument(
        field,
        format!("{field} must be a PublicKey, Certificate or CertificateRequest"),
    ))
}

#[pymethods]
impl Certificate {
    /// Reads a certificate from DER or PEM (`bytes`, or PEM as `str`; text around the PEM
    /// block is ignored).
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Certificate> {
        let bytes = input_bytes(data, "data")?;
        Ok(Certificate::new(
            bkpki::Certificate::from_der_or_pem(&bytes).map_err(BkError)?,
        ))
    }

    /// Every certificate in the input: one DER certificate, or each `CERTIFICATE` block of
    /// a PEM bundle, in order.
    #[staticmethod]
    fn all_from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Vec<Certificate>> {
        let bytes = input_bytes(data, "data")?;
        let certs = if bytes.first() == Some(&0x30) {
            vec![bkpki::Certificate::from_der(&bytes).map_err(BkError)?]
        } else {
            bkpki::Certificate::all_from_pem(&bytes).map_err(BkError)?
        };
        Ok(certs.into_iter().map(Certificate::new).collect())
    }

    /// The DER encoding, as read.
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.der())
    }

    /// PEM (`CERTIFICATE`).
    fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// The version (1 to 3).
    #[getter]
    fn version(&self) -> u8 {
        self.inner.version()
    }

    /// The serial number as an int.
    #[getter]
    fn serial_number<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serial_int(py, self.inner.serial())
    }

    /// The serial number in uppercase hex, as the report and the registry show it.
    #[getter]
    fn serial(&self) -> String {
        self.inner.serial_hex()
    }

    /// The subject name.
    #[getter]
    fn subject(&self, py: Python<'_>) -> PyResult<Py<Name>> {
        name_object(py, &self.subject, self.inner.subject())
    }

    /// The issuer name.
    #[getter]
    fn issuer(&self, py: Python<'_>) -> PyResult<Py<Name>> {
        name_object(py, &self.issuer, self.inner.issuer())
    }

    /// notBefore, an aware UTC datetime.
    #[getter]
    fn not_before<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_datetime(py, self.inner.not_before())
    }

    /// notAfter, an aware UTC datetime.
    #[getter]
    fn not_after<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_datetime(py, self.inner.not_after())
    }

    /// Whole days from `at` (an aware datetime; default now) to notAfter, rounded down;
    /// negative once expired.
    #[pyo3(signature = (at=None))]
    fn days_left(&self, at: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
        Ok(self.inner.days_to_expiry(at_or_now(at)?))
    }

    /// Raises `NotYetValidError` or `ExpiredError` when `at` (default now) is outside the
    /// validity period.
    #[pyo3(signature = (at=None))]
    fn check_validity(&self, at: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.inner
            .check_validity_at(at_or_now(at)?)
            .map_err(|e| BkError(e).into())
    }

    /// The public key.
    #[getter]
    fn public_key(&self) -> PyResult<PublicKey> {
        Ok(PublicKey {
            inner: self.inner.public_key().map_err(BkError)?,
        })
    }

    /// The key identifier of the certified key (SHA-1 of its bits), uppercase hex.
    #[getter]
    fn key_id(&self) -> String {
        hex::encode_upper(self.inner.key_info().key_id)
    }

    /// Whether the certificate holds `key` (a PublicKey, or the key of a request or another
    /// certificate).
    fn holds_key(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.holds_key(&public_key_arg(key, "key")?))
    }

    /// The signature algorithm OID (dotted).
    #[getter]
    fn signature_algorithm(&self) -> String {
        self.inner.signature_algorithm().oid.to_string()
    }

    /// keyUsage bits set, by name ("digitalSignature", ...); `None` without the extension.
    #[getter]
    fn key_usage(&self) -> Option<Vec<&'static str>> {
        self.inner
            .key_usage()
            .map(|bits| bits.iter().map(|b| b.name()).collect())
    }

    /// extendedKeyUsage purposes (dotted OIDs); `None` without the extension.
    #[getter]
    fn extended_key_usage(&self) -> Option<Vec<String>> {
        self.inner
            .extended_key_usage()
            .map(|p| p.iter().map(ToString::to_string).collect())
    }

    /// certificatePolicies (dotted OIDs); `None` without the extension.
    #[getter]
    fn policies(&self) -> Option<Vec<String>> {
        self.inner
            .policies()
            .map(|p| p.iter().map(ToString::to_string).collect())
    }

    /// The signature tool classes in certificatePolicies ("КС1" … "КА1").
    #[getter]
    fn sign_tool_classes(&self) -> Vec<&'static str> {
        self.inner
            .sign_tool_classes()
            .into_iter()
            .map(|c| c.name())
            .collect()
    }

    /// subjectSignTool: the subscriber's signature tool (СКЗИ) in words, or `None`.
    #[getter]
    fn sign_tool(&self) -> Option<String> {
        self.inner.subject_sign_tool().map(str::to_owned)
    }

    /// issuerSignTool as a dict (`sign_tool`, `ca_tool`, `sign_tool_cert`, `ca_tool_cert`),
    /// or `None`.
    #[getter]
    fn issuer_sign_tool(&self) -> Option<std::collections::BTreeMap<&'static str, String>> {
        self.inner.issuer_sign_tool().map(|t| {
            [
                ("sign_tool", t.sign_tool.clone()),
                ("ca_tool", t.ca_tool.clone()),
                ("sign_tool_cert", t.sign_tool_cert.clone()),
                ("ca_tool_cert", t.ca_tool_cert.clone()),
            ]
            .into_iter()
            .collect()
        })
    }

    /// identificationKind (0 in person, 1 by a qualified signature, 2 biometric passport,
    /// 3 unified biometric system), or `None`.
    #[getter]
    fn identification_kind(&self) -> Option<i64> {
        self.inner.identification_kind().map(|k| k.value())
    }

    /// subjectKeyIdentifier, or `None`.
    #[getter]
    fn subject_key_id<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.subject_key_id().map(|b| PyBytes::new(py, b))
    }

    /// authorityKeyIdentifier's keyIdentifier, or `None`.
    #[getter]
    fn authority_key_id<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.authority_key_id().map(|b| PyBytes::new(py, b))
    }

    /// Whether basicConstraints says cA.
    #[getter]
    fn is_ca(&self) -> bool {
        self.inner.is_ca()
    }

    /// Whether the issuer and subject names are the same.
    #[getter]
    fn is_self_issued(&self) -> bool {
        self.inner.is_self_issued()
    }

    /// Whether the certificate is qualified (a КЭП: sign tool classes, subjectSignTool,
    /// issuerSignTool, identificationKind since 2021-09-01, and the subject's identifiers).
    #[getter]
    fn is_qualified(&self) -> bool {
        self.inner.is_qualified()
    }

    /// What keeps the certificate from being qualified, in words (empty when qualified).
    #[getter]
    fn qualification_missing(&self) -> Vec<String> {
        self.inner.qualification().missing
    }

    /// Verifies that `issuer` issued this certificate (names, key identifiers, the issuer's
    /// right to sign certificates, the signature); validity is not checked. Raises
    /// `WrongIssuerError` or `BadSignatureError`.
    fn verify_issued_by(&self, py: Python<'_>, issuer: &Certificate) -> PyResult<()> {
        let issuer = issuer.inner.clone();
        py.detach(|| self.inner.verify_issued_by(&issuer))
            .map_err(|e| BkError(e).into())
    }

    /// Builds and checks the path to one of `trust` (a Certificate or a list: the trust
    /// anchors) at `at` (aware datetime, default now), through `intermediates`; returns the
    /// chain, leaf first. Raises `UntrustedIssuerError`, `BadSignatureError`,
    /// `WrongIssuerError`, `ExpiredError` or `NotYetValidError`.
    #[pyo3(signature = (trust, *, at=None, intermediates=None))]
    fn verify(
        &self,
        py: Python<'_>,
        trust: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        intermediates: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Certificate>> {
        let anchors = certificates_arg(Some(trust), "trust")?;
        if anchors.is_empty() {
            return Err(invalid_argument("trust", "no trust anchors given"));
        }
        let intermediates = certificates_arg(intermediates, "intermediates")?;
        let at = at_or_now(at)?;
        let chain = py
            .detach(|| bkpki::build_chain(&self.inner, &intermediates, &anchors, at))
            .map_err(BkError)?;
        Ok(chain
            .certificates()
            .iter()
            .cloned()
            .map(Certificate::new)
            .collect())
    }

    /// The report `inspect` prints, as a dict: fields, checks and the verdict. `trust` gives
    /// the anchors (without them the verdict is `invalid`, `untrusted`: the path was not
    /// checked), `key` the key the certificate must hold.
    #[pyo3(signature = (*, at=None, trust=None, key=None))]
    fn report<'py>(
        &self,
        py: Python<'py>,
        at: Option<&Bound<'py, PyAny>>,
        trust: Option<&Bound<'py, PyAny>>,
        key: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = crate::report::options(at, trust, key, None, None)?;
        let r = py.detach(|| bankkey::report::certificate(&self.inner, &options));
        serde_to_py(py, &r)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        let other = other
            .cast::<Certificate>()
            .ok()
            .map(|o| o.get().inner.der().to_vec());
        compare(&self.inner.der().to_vec(), other.as_ref(), op, py)
    }

    fn __hash__(&self) -> u64 {
        hash_bytes(self.inner.der())
    }

    fn __repr__(&self) -> String {
        format!(
            "<Certificate serial={} subject=\"{}\" not_after={}>",
            self.inner.serial_hex(),
            self.inner.subject(),
            bkpki::rfc3339(self.inner.not_after())
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let der = PyBytes::new(py, slf.get().inner.der());
        Ok((
            py.get_type::<Certificate>().getattr("from_bytes")?,
            PyTuple::new(py, [der])?,
        ))
    }
}

// ------------------------------------------------------------------------------------------
// CertificateRequest
// ------------------------------------------------------------------------------------------

/// A PKCS#10 certificate request, read from DER or PEM, or built by `build_request`.
#[pyclass(frozen, module = "bankkey._native", name = "CertificateRequest")]
pub struct CertificateRequest {
    pub inner: Arc<bkpki::CertificateRequest>,
    subject: PyOnceLock<Py<Name>>,
}

impl CertificateRequest {
    pub fn new(inner: bkpki::CertificateRequest) -> CertificateRequest {
        CertificateRequest {
            inner: Arc::new(inner),
            subject: PyOnceLock::new(),
        }
    }
}

#[pymethods]
impl CertificateRequest {
    /// Reads a request from DER or PEM (`CERTIFICATE REQUEST`).
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<CertificateRequest> {
        let bytes = input_bytes(data, "data")?;
        Ok(CertificateRequest::new(
            bkpki::CertificateRequest::from_der_or_pem(&bytes).map_err(BkError)?,
        ))
    }

    /// The DER encoding, as read.
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.der())
    }

    /// PEM (`CERTIFICATE REQUEST`).
    fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// The subject name.
    #[getter]
    fn subject(&self, py: Python<'_>) -> PyResult<Py<Name>> {
        name_object(py, &self.subject, self.inner.subject())
    }

    /// The public key.
    #[getter]
    fn public_key(&self) -> PyResult<PublicKey> {
        Ok(PublicKey {
            inner: self.inner.public_key().map_err(BkError)?,
        })
    }

    /// The key identifier of the requested key (SHA-1 of its bits), uppercase hex.
    #[getter]
    fn key_id(&self) -> String {
        hex::encode_upper(self.inner.key_info().key_id)
    }

    /// The signature algorithm OID (dotted).
    #[getter]
    fn signature_algorithm(&self) -> String {
        self.inner.signature_algorithm().oid.to_string()
    }

    /// Requested keyUsage bits by name; `None` when not requested.
    #[getter]
    fn key_usage(&self) -> Option<Vec<&'static str>> {
        self.inner
            .extensions()
            .key_usage()
            .map(|bits| bits.iter().map(|b| b.name()).collect())
    }

    /// Requested extendedKeyUsage purposes (dotted OIDs); `None` when not requested.
    #[getter]
    fn extended_key_usage(&self) -> Option<Vec<String>> {
        self.inner
            .extensions()
            .extended_key_usage()
            .map(|p| p.iter().map(ToString::to_string).collect())
    }

    /// Requested signature tool classes ("КС1" … "КА1").
    #[getter]
    fn sign_tool_classes(&self) -> Vec<&'static str> {
        self.inner
            .extensions()
            .sign_tool_classes()
            .into_iter()
            .map(|c| c.name())
            .collect()
    }

    /// The requested subjectSignTool, or `None`.
    #[getter]
    fn sign_tool(&self) -> Option<String> {
        self.inner
            .extensions()
            .subject_sign_tool()
            .map(str::to_owned)
    }

    /// Verifies the request's self-signature (raises `BadSignatureError`).
    fn verify(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.verify())
            .map_err(|e| BkError(e).into())
    }

    /// The report `inspect` prints, as a dict; `key` is the key the request must hold.
    #[pyo3(signature = (*, key=None))]
    fn report<'py>(
        &self,
        py: Python<'py>,
        key: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = crate::report::options(None, None, key, None, None)?;
        let r = py.detach(|| bankkey::report::request_with(&self.inner, &options));
        serde_to_py(py, &r)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        let other = other
            .cast::<CertificateRequest>()
            .ok()
            .map(|o| o.get().inner.der().to_vec());
        compare(&self.inner.der().to_vec(), other.as_ref(), op, py)
    }

    fn __hash__(&self) -> u64 {
        hash_bytes(self.inner.der())
    }

    fn __repr__(&self) -> String {
        format!(
            "<CertificateRequest subject=\"{}\" key_id={}>",
            self.inner.subject(),
            hex::encode_upper(self.inner.key_info().key_id)
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let der = PyBytes::new(py, slf.get().inner.der());
        Ok((
            py.get_type::<CertificateRequest>().getattr("from_bytes")?,
            PyTuple::new(py, [der])?,
        ))
    }
}
