//! The client's regeneration state machine (`bankkey::lifecycle::Client`) over a token or a
//! file container, journalled in SQLite; the shared vocabulary of statuses.

use bankkey::key::KeyAlgorithm;
use bankkey::lifecycle::{self as lc, Flow, RequestStatus, SqliteJournal};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::build::subject_from_pairs;
use crate::closable::Closable;
use crate::cms::SignedData;
use crate::convert::{at_or_now, to_datetime};
use crate::errors::{BkError, invalid_argument};
use crate::keys::signer_arg;
use crate::pki::{Certificate, CertificateRequest, certificates_arg};
use crate::stores::{AnyStore, FileContainer, KeySet, Token};

/// `(name, code, ru, en)` of every value of a vocabulary the bindings show: `"flow"`,
/// `"request_status"`, `"key_set_status"`, `"qes_status"`, `"pin_state"`, `"reject_reason"`,
/// `"reason"` (report reasons), `"scan_group"`, `"finding"` (token diagnosis).
#[pyfunction]
pub fn vocabulary(kind: &str) -> PyResult<Vec<(&'static str, u32, &'static str, &'static str)>> {
    use bankkey::bank::RejectReason;
    use bankkey::lifecycle::{KeySetStatus, QesStatus};
    use bankkey::report::Reason;
    use bankkey::scan::Group;
    use bankkey::store::pkcs11::{PinState, diagnosis::FindingKind};
    macro_rules! list {
        ($t:ty) => {
            <$t>::ALL
                .iter()
                .map(|v| (v.as_str(), v.code(), v.ru(), v.en()))
                .collect()
        };
    }
    Ok(match kind {
        "flow" => list!(Flow),
        "request_status" => list!(RequestStatus),
        "key_set_status" => list!(KeySetStatus),
        "qes_status" => list!(QesStatus),
        "pin_state" => list!(PinState),
        "reject_reason" => list!(RejectReason),
        "reason" => list!(Reason),
        "scan_group" => list!(Group),
        "finding" => list!(FindingKind),
        _ => {
            return Err(invalid_argument(
                "kind",
                format!("unknown vocabulary {kind:?}"),
            ));
        }
    })
}

/// A regeneration request as the client's journal knows it (a snapshot).
#[pyclass(frozen, module = "bankkey._native", name = "Regeneration")]
pub struct Regeneration {
    inner: lc::Regeneration,
}

#[pymethods]
impl Regeneration {
    /// The request id (16 hex digits).
    #[getter]
    fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// `"paper_acts"` or `"remote"`.
    #[getter]
    fn flow(&self) -> &'static str {
        self.inner.flow().as_str()
    }

    /// The status's machine name (`"new"`, `"signed"`, `"sent"`, `"accepted_by_bank"`, ...).
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status().as_str()
    }

    /// The PKCS#10 request.
    #[getter]
    fn request(&self) -> PyResult<CertificateRequest> {
        Ok(CertificateRequest::new(
            self.inner.request().map_err(BkError)?,
        ))
    }

    /// What is sent to the bank once signed: the CMS (remote flow) or the PKCS#10 DER.
    #[getter]
    fn outgoing<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.outgoing().map(|b| PyBytes::new(py, b))
    }

    /// The signed request (remote flow), once signed.
    #[getter]
    fn signed_request(&self) -> PyResult<Option<SignedData>> {
        match self.inner.signed_request_der() {
            Some(der) => Ok(Some(SignedData {
                inner: bankkey::cms::SignedData::from_der(der).map_err(BkError)?,
            })),
            None => Ok(None),
        }
    }

    /// The certificate received, once issued.
    #[getter]
    fn certificate(&self) -> PyResult<Option<Certificate>> {
        match self.inner.certificate_der() {
            Some(der) => Ok(Some(Certificate::new(
                bankkey::pki::Certificate::from_der(der).map_err(BkError)?,
            ))),
            None => Ok(None),
        }
    }

    /// The key set in use when the request started (hex), if any.
    #[getter]
    fn old_key_id(&self) -> Option<String> {
        self.inner.old_key_id().map(hex_lower)
    }

    /// The new key set (hex).
    #[getter]
    fn new_key_id(&self) -> Option<String> {
        self.inner.new_key_id().map(hex_lower)
    }

    /// The bank's reason (rejected) or why a step was undone.
    #[getter]
    fn reason(&self) -> Option<String> {
        self.inner.reason().map(str::to_owned)
    }

    /// When the request started.
    #[getter]
    fn started_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_datetime(py, self.inner.started_at())
    }

    /// When it last changed.
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_datetime(py, self.inner.updated_at())
    }

    /// Whether the old key set was retired (after activation).
    #[getter]
    fn old_key_retired(&self) -> bool {
        self.inner.old_key_retired()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Regeneration {} {} {}>",
            self.inner.id(),
            self.inner.flow().as_str(),
            self.inner.status().as_str()
        )
    }
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn store_of(store: &Bound<'_, PyAny>) -> PyResult<AnyStore> {
    if let Ok(t) = store.cast::<Token>() {
        return t.get().any_store();
    }
    if let Ok(f) = store.cast::<FileContainer>() {
        return f.get().any_store();
    }
    if let Ok(c) = store.cast::<crate::keyfile::CryptoProStore>() {
        return c.get().any_store();
    }
    Err(invalid_argument(
        "store",
        "store must be a Token, a FileContainer or an unlocked CryptoProContainer",
    ))
}

/// The client side of the three flows: assessment, start, sign, send, the bank's answers,
/// the certificate, activation (with a test signature and rollback), cancel; the QES
/// registration. Every step is journalled in SQLite at `journal` before it counts, so a
/// crash at any point recovers on the next open. A context manager.
#[pyclass(frozen, module = "bankkey._native", name = "Client")]
pub struct Client {
    inner: Closable<lc::Client>,
}

impl Client {
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut lc::Client) -> bankkey::Result<T> + Send,
    ) -> PyResult<T> {
        self.inner.run(py, f)
    }
}

fn flow(name: &str) -> PyResult<Flow> {
    Flow::parse(name).map_err(|e| BkError(e).into())
}

#[pymethods]
impl Client {
    /// Opens the client over `store` (a `Token`, logged in, or a `FileContainer`) with its
    /// journal at `journal` (created if missing), recovering any step a crash left half done
    /// (recovery events dated `at`, default now). `trust`: anchors issued certificates must
    /// chain to.
    #[new]
    #[pyo3(signature = (store, journal, *, at=None, trust=None))]
    fn new(
        py: Python<'_>,
        store: &Bound<'_, PyAny>,
        journal: std::path::PathBuf,
        at: Option<&Bound<'_, PyAny>>,
        trust: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Client> {
        let store = store_of(store)?.as_store();
        let at = at_or_now(at)?;
        let anchors = certificates_arg(trust, "trust")?;
        let client = py
            .detach(|| -> bankkey::Result<lc::Client> {
                let j = SqliteJournal::open(&journal)?;
                let mut c = lc::Client::open_at(store, Box::new(j), at)?;
                if !anchors.is_empty() {
                    c.set_trust_anchors(anchors);
                }
                Ok(c)
            })
            .map_err(BkError)?;
        Ok(Client {
            inner: Closable::new(client, "client"),
        })
    }

    /// The medium's status at `at`: a dict with `status` (machine name), `ru`, `en`,
    /// `days_left` and `key_set`.
    #[pyo3(signature = (*, at=None, window_days=30))]
    fn assess<'py>(
        &self,
        py: Python<'py>,
        at: Option<&Bound<'py, PyAny>>,
        window_days: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        let at = at_or_now(at)?;
        let a = self.run(py, |c| c.assess(at, window_days))?;
        let d = PyDict::new(py);
        d.set_item("status", a.status.as_str())?;
        d.set_item("ru", a.status.ru())?;
        d.set_item("en", a.status.en())?;
        d.set_item("days_left", a.days_left)?;
        d.set_item("key_set", a.key_set.map(|inner| KeySet { inner }))?;
        Ok(d)
    }

    /// The key set in use (the journal decides: a request's new set counts once activated).
    fn current_key_set(&self, py: Python<'_>) -> PyResult<Option<KeySet>> {
        Ok(self
            .run(py, |c| c.current_key_set())?
            .map(|inner| KeySet { inner }))
    }

    /// Starts a regeneration (`flow`: `"paper_acts"` or `"remote"`): a new key pair of
    /// `algorithm` next to the set in use, and the request for `subject` → `new`.
    #[pyo3(signature = (flow, algorithm, subject, *, at=None))]
    fn start(
        &self,
        py: Python<'_>,
        flow: &str,
        algorithm: &str,
        subject: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Regeneration> {
        let flow = self::flow(flow)?;
        let alg = KeyAlgorithm::parse(algorithm).map_err(BkError)?;
        let subject = subject_from_pairs(subject)?;
        let at = at_or_now(at)?;
        let inner = self.run(py, |c| c.start(flow, alg, &subject, at))?;
        Ok(Regeneration { inner })
    }

    /// Signs the request → `signed`. `outgoing`: the host's outgoing documents that are
    /// signed and not sent; any there is `PreconditionFailedError` naming them (seed 002).
    #[pyo3(signature = (id, *, outgoing=Vec::new(), at=None))]
    fn sign(
        &self,
        py: Python<'_>,
        id: &str,
        outgoing: Vec<String>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Regeneration> {
        let at = at_or_now(at)?;
        let inner = self.run(py, |c| c.sign(id, &outgoing, at))?;
        Ok(Regeneration { inner })
    }

    /// Marks the request sent → `sent`; returns the bytes to hand to the bank.
    #[pyo3(signature = (id, *, at=None))]
    fn send<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let at = at_or_now(at)?;
        let bytes = self.run(py, |c| c.send(id, at))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Records the bank's answer: `"accepted_by_bank"`, `"awaiting_paper_documents"` or
    /// `"rejected"` (with `reason`).
    #[pyo3(signature = (id, status, *, reason=None, at=None))]
    fn bank_status(
        &self,
        py: Python<'_>,
        id: &str,
        status: &str,
        reason: Option<String>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Regeneration> {
        let status = RequestStatus::parse(status).map_err(BkError)?;
        let at = at_or_now(at)?;
        let inner = self.run(py, |c| c.bank_status(id, status, reason.as_deref(), at))?;
        Ok(Regeneration { inner })
    }

    /// Receives the issued certificate → `certificate_issued` (it must hold the request's
    /// key, keep the identity, chain to the trust anchors when set).
    #[pyo3(signature = (id, certificate, *, at=None))]
    fn receive_certificate(
        &self,
        py: Python<'_>,
        id: &str,
        certificate: &Certificate,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Regeneration> {
        let der = certificate.inner.der().to_vec();
        let at = at_or_now(at)?;
        let inner = self.run(py, |c| c.receive_certificate(id, &der, at))?;
        Ok(Regeneration { inner })
    }

    /// Installs the certificate beside the new key, proves it with a test signature and
    /// switches → `activated` («Вы переведены на работу с новым комплектом ключей»); on a
    /// failure nothing is switched and the old set keeps working.
    #[pyo3(signature = (id, *, at=None))]
    fn activate(
        &self,
        py: Python<'_>,
        id: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Regeneration> {
        let at = at_or_now(at)?;
        let inner = self.run(py, |c| c.activate(id, at))?;
        Ok(Regeneration { inner })
    }

    /// Cancels the request → `cancelled`; its new key set is removed, never the old one.
    #[pyo3(signature = (id, *, at=None))]
    fn cancel(
        &self,
        py: Python<'_>,
        id: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Regeneration> {
        let at = at_or_now(at)?;
        let inner = self.run(py, |c| c.cancel(id, at))?;
        Ok(Regeneration { inner })
    }

    /// Deletes the old key set of an activated request (never before).
    #[pyo3(signature = (id, *, at=None))]
    fn delete_old_key(
        &self,
        py: Python<'_>,
        id: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Regeneration> {
        let at = at_or_now(at)?;
        let inner = self.run(py, |c| c.delete_old_key(id, at))?;
        Ok(Regeneration { inner })
    }

    /// Every regeneration the journal knows, oldest first.
    fn regenerations(&self, py: Python<'_>) -> PyResult<Vec<Regeneration>> {
        Ok(self
            .run(py, |c| Ok(c.regenerations()))?
            .into_iter()
            .map(|inner| Regeneration { inner })
            .collect())
    }

    /// The regeneration `id`.
    fn regeneration(&self, py: Python<'_>, id: &str) -> PyResult<Regeneration> {
        let inner = self.run(py, |c| c.regeneration(id))?;
        Ok(Regeneration { inner })
    }

    /// The request in progress, if any.
    fn in_progress(&self, py: Python<'_>) -> PyResult<Option<Regeneration>> {
        Ok(self
            .run(py, |c| Ok(c.in_progress()))?
            .map(|inner| Regeneration { inner }))
    }

    /// Registers a qualified certificate from an accredited CA (seed 004) →
    /// `not_confirmed`; returns a dict (`id`, `status`, `warnings`).
    #[pyo3(signature = (certificate, *, at=None))]
    fn register_qes<'py>(
        &self,
        py: Python<'py>,
        certificate: &Certificate,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let der = certificate.inner.der().to_vec();
        let at = at_or_now(at)?;
        let q = self.run(py, |c| c.register_qes(&der, at))?;
        qes_dict(py, &q)
    }

    /// Signs the confirmation statement `content` (`Document.signed_content()` of the
    /// statement) by the owner's registered key and the head's (`head` a signer,
    /// `head_certificate` its certificate); returns the CMS to send to the bank.
    #[pyo3(signature = (id, content, head, head_certificate, *, at=None))]
    fn qes_statement(
        &self,
        py: Python<'_>,
        id: &str,
        content: &[u8],
        head: &Bound<'_, PyAny>,
        head_certificate: &Certificate,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<SignedData> {
        let head = signer_arg(head, "head")?;
        let head_cert = head_certificate.inner.clone();
        let at = at_or_now(at)?;
        let content = content.to_vec();
        let der = self.run(py, |c| {
            c.qes_statement(id, &content, &*head, &head_cert, at)
        })?;
        Ok(SignedData {
            inner: bankkey::cms::SignedData::from_der(&der).map_err(BkError)?,
        })
    }

    /// Records that the bank confirmed the QES → `confirmed`.
    #[pyo3(signature = (id, *, at=None))]
    fn qes_confirmed<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let at = at_or_now(at)?;
        let q = self.run(py, |c| c.qes_confirmed(id, at))?;
        qes_dict(py, &q)
    }

    /// Closes the journal.
    fn close(&self) -> PyResult<()> {
        self.inner.close()
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

fn qes_dict<'py>(py: Python<'py>, q: &lc::QesRegistration) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", q.id())?;
    d.set_item("status", q.status().as_str())?;
    d.set_item("key_id", hex_lower(q.key_id()))?;
    d.set_item("warnings", q.warnings().to_vec())?;
    d.set_item("statement", q.statement_der().map(|b| PyBytes::new(py, b)))?;
    Ok(d)
}
