//! The bank's side: the registry and its support queries (opened read-only for support), the
//! verification of an incoming request, and the bank that accepts and issues.

use bankkey::bank::{self as bkbank, Registry as BkRegistry, VerifyPolicy};
use bankkey::lifecycle::Flow;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::build::subject_from_pairs;
use crate::closable::Closable;
use crate::cms::SignedData;
use crate::convert::{at_or_now, input_bytes, to_datetime};
use crate::crl::crls_arg;
use crate::errors::{BkError, invalid_argument};
use crate::keys::signer_arg;
use crate::pki::{Certificate, CertificateRequest, certificates_arg};
use crate::qes::TrustedList;

fn date_py<'py>(py: Python<'py>, d: time::Date) -> PyResult<Bound<'py, PyAny>> {
    py.import("datetime")?
        .getattr("date")?
        .call1((d.year(), u8::from(d.month()), d.day()))
}

fn rejection_dict<'py>(py: Python<'py>, r: &bkbank::Rejection) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("reason", r.reason.as_str())?;
    d.set_item("code", r.reason.code())?;
    d.set_item("ru", r.reason.ru())?;
    d.set_item("en", r.reason.en())?;
    d.set_item("detail", &r.detail)?;
    d.set_item("field", r.field.as_deref())?;
    Ok(d)
}

fn subscriber_dict<'py>(py: Python<'py>, s: &bkbank::Subscriber) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", s.id)?;
    d.set_item("name", s.identity.name.as_deref())?;
    d.set_item("inn", s.identity.inn.as_deref())?;
    d.set_item("innle", s.identity.inn_le.as_deref())?;
    d.set_item("ogrn", s.identity.ogrn.as_deref())?;
    d.set_item("ogrnip", s.identity.ogrnip.as_deref())?;
    d.set_item("snils", s.identity.snils.as_deref())?;
    d.set_item("preregistered", s.preregistered)?;
    d.set_item("registered_at", to_datetime(py, s.registered_at)?)?;
    Ok(d)
}

fn request_dict<'py>(py: Python<'py>, r: &bkbank::RequestRecord) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &r.id)?;
    d.set_item("flow", r.flow.as_str())?;
    d.set_item("subscriber_id", r.subscriber_id)?;
    d.set_item("status", r.status.as_str())?;
    d.set_item("status_ru", r.status.ru())?;
    d.set_item("status_en", r.status.en())?;
    d.set_item("received_at", to_datetime(py, r.received_at)?)?;
    d.set_item("key_id", r.key_id.as_deref())?;
    d.set_item(
        "paper_check_by",
        r.paper_check_by.map(|x| date_py(py, x)).transpose()?,
    )?;
    d.set_item("paper_act_ok", r.paper_act_ok)?;
    d.set_item(
        "rejection",
        r.rejection
            .as_ref()
            .map(|x| rejection_dict(py, x))
            .transpose()?,
    )?;
    d.set_item(
        "request",
        match &r.request_der {
            Some(der) => Some(CertificateRequest::new(
                bankkey::pki::CertificateRequest::from_der(der).map_err(BkError)?,
            )),
            None => None,
        },
    )?;
    Ok(d)
}

fn event_dict<'py>(py: Python<'py>, e: &bkbank::HistoryEvent) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("seq", e.seq)?;
    d.set_item("at", to_datetime(py, e.at)?)?;
    d.set_item("subscriber_id", e.subscriber_id)?;
    d.set_item("request_id", e.request_id.as_deref())?;
    d.set_item("what", &e.what)?;
    d.set_item("from", e.from.as_deref())?;
    d.set_item("to", e.to.as_deref())?;
    d.set_item("note", e.note.as_deref())?;
    Ok(d)
}

fn expiring_dict<'py>(py: Python<'py>, e: &bkbank::Expiring) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("subscriber_id", e.subscriber_id)?;
    d.set_item("name", e.name.as_deref())?;
    d.set_item("serial", &e.serial)?;
    d.set_item("not_after", to_datetime(py, e.not_after)?)?;
    d.set_item("days_left", e.days_left)?;
    Ok(d)
}

fn awaiting_dict<'py>(py: Python<'py>, a: &bkbank::AwaitingPaper) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("request_id", &a.request_id)?;
    d.set_item("subscriber_id", a.subscriber_id)?;
    d.set_item("name", a.name.as_deref())?;
    d.set_item("received_at", to_datetime(py, a.received_at)?)?;
    d.set_item(
        "paper_check_by",
        a.paper_check_by.map(|x| date_py(py, x)).transpose()?,
    )?;
    Ok(d)
}

fn received_dict<'py>(py: Python<'py>, r: &bkbank::Received) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("request_id", &r.request_id)?;
    d.set_item("status", r.status.as_str())?;
    d.set_item("status_ru", r.status.ru())?;
    d.set_item("status_en", r.status.en())?;
    d.set_item(
        "rejection",
        r.rejection
            .as_ref()
            .map(|x| rejection_dict(py, x))
            .transpose()?,
    )?;
    d.set_item(
        "paper_check_by",
        r.paper_check_by.map(|x| date_py(py, x)).transpose()?,
    )?;
    Ok(d)
}

fn qes_record_dict<'py>(py: Python<'py>, q: &bkbank::QesRecord) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", q.id)?;
    d.set_item("subscriber_id", q.subscriber_id)?;
    d.set_item("certificate", Certificate::new(q.certificate.clone()))?;
    d.set_item("status", q.status.as_str())?;
    d.set_item("status_ru", q.status.ru())?;
    d.set_item("status_en", q.status.en())?;
    d.set_item("registered_at", to_datetime(py, q.registered_at)?)?;
    d.set_item(
        "loaded_not_before",
        q.loaded_not_before
            .map(|t| to_datetime(py, t))
            .transpose()?,
    )?;
    Ok(d)
}

fn flow(name: &str) -> PyResult<Flow> {
    Flow::parse(name).map_err(|e| BkError(e).into())
}

/// The bank's registry (SQLite): subscribers, certificates, keys, requests and their history.
/// `Registry.open_read_only(path)` is what support scripts use: a missing file is an error
/// naming the path, never an empty registry, and nothing can be written.
#[pyclass(frozen, module = "bankkey._native", name = "Registry")]
pub struct Registry {
    inner: Closable<BkRegistry>,
}

impl Registry {
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&BkRegistry) -> bankkey::Result<T> + Send,
    ) -> PyResult<T> {
        self.inner.run(py, |r| f(r))
    }
}

#[pymethods]
impl Registry {
    /// Opens (creating when missing) the registry at `path`, for writing.
    #[staticmethod]
    fn open(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Registry> {
        let r = py.detach(|| BkRegistry::open(&path)).map_err(BkError)?;
        Ok(Registry {
            inner: Closable::new(r, "registry"),
        })
    }

    /// Opens the registry at `path` read-only; a missing file is `StorageError`/`IoError`
    /// naming the path.
    #[staticmethod]
    fn open_read_only(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Registry> {
        let r = py
            .detach(|| BkRegistry::open_read_only(&path))
            .map_err(BkError)?;
        Ok(Registry {
            inner: Closable::new(r, "registry"),
        })
    }

    /// Current certificates expiring within `days` of `at`: who needs scheduled replacement.
    #[pyo3(signature = (days=30, *, at=None))]
    fn expiring_within<'py>(
        &self,
        py: Python<'py>,
        days: u32,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let at = at_or_now(at)?;
        let rows = self.run(py, |r| r.expiring_within(days, at))?;
        rows.iter().map(|e| expiring_dict(py, e)).collect()
    }

    /// Requests waiting for their paper act, with the day each check is due.
    fn awaiting_paper<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let rows = self.run(py, |r| r.awaiting_paper())?;
        rows.iter().map(|a| awaiting_dict(py, a)).collect()
    }

    /// A subscriber's history, found by an identifier (INN, INNLE, OGRN, OGRNIP, SNILS) or a
    /// key id (40 hex digits), in recording order.
    fn history<'py>(&self, py: Python<'py>, who: &str) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let rows = self.run(py, |r| r.history_of(who))?;
        rows.iter().map(|e| event_dict(py, e)).collect()
    }

    /// The rows of a support query as the core's JSON lines, the same text the C ABI gives
    /// (`bk_registry_*_json`): `query` is `"due"` (within `days` of `at`),
    /// `"awaiting-paper"` or `"history"` (of `who`). Times RFC 3339 with a `_unix` twin.
    #[pyo3(signature = (query, *, days=30, at=None, who=None))]
    fn json_lines(
        &self,
        py: Python<'_>,
        query: &str,
        days: u32,
        at: Option<&Bound<'_, PyAny>>,
        who: Option<&str>,
    ) -> PyResult<Vec<String>> {
        use bkbank::registry::json;
        let at = at_or_now(at)?;
        match (query, who) {
            ("due", _) => self.run(py, |r| {
                Ok(r.expiring_within(days, at)?
                    .iter()
                    .map(json::expiring)
                    .collect())
            }),
            ("awaiting-paper", _) => self.run(py, |r| {
                Ok(r.awaiting_paper()?
                    .iter()
                    .map(json::awaiting_paper)
                    .collect())
            }),
            ("history", Some(who)) => self.run(py, |r| {
                Ok(r.history_of(who)?.iter().map(json::history).collect())
            }),
            ("history", None) => Err(invalid_argument("who", "history needs who=")),
            _ => Err(invalid_argument(
                "query",
                "query is \"due\", \"awaiting-paper\" or \"history\"",
            )),
        }
    }

    /// The subscribers having an identifier (INN, INNLE, OGRN, OGRNIP, SNILS).
    fn subscribers<'py>(
        &self,
        py: Python<'py>,
        identifier: &str,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let rows = self.run(py, |r| r.subscribers_by_identifier(identifier))?;
        rows.iter().map(|s| subscriber_dict(py, s)).collect()
    }

    /// The incoming request `id` as recorded, or `None`.
    fn request<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        let rec = self.run(py, |r| r.request(id))?;
        rec.map(|x| request_dict(py, &x)).transpose()
    }

    /// The history of request `id`.
    fn request_history<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let rows = self.run(py, |r| r.request_history(id))?;
        rows.iter().map(|e| event_dict(py, e)).collect()
    }

    /// Closes the registry.
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

/// The bank's verification of an incoming request, without recording anything (the
/// registry is only read): a dict with `accepted`, and either the request and subscriber or
/// the `rejection` (`reason`, `ru`, `en`, `detail`, `field`). `flow` is `"remote"` (a CMS
/// signed with the current key, checked against `trust`) or `"paper_acts"` (a PKCS#10).
#[pyfunction]
#[pyo3(signature = (data, *, registry, trust=None, flow="remote", at=None))]
pub fn verify_request<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    registry: &Registry,
    trust: Option<&Bound<'py, PyAny>>,
    flow: &str,
    at: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let bytes = input_bytes(data, "data")?.into_owned();
    let roots = certificates_arg(trust, "trust")?;
    let flow = self::flow(flow)?;
    let at = at_or_now(at)?;
    let policy = VerifyPolicy::default();
    let outcome = registry.run(py, |r| {
        bkbank::verify_request(flow, &bytes, r, &roots, &policy, at)
    })?;
    let d = PyDict::new(py);
    match outcome {
        Ok(v) => {
            d.set_item("accepted", true)?;
            d.set_item("rejection", py.None())?;
            d.set_item("request", CertificateRequest::new(v.request))?;
            d.set_item("subscriber", subscriber_dict(py, &v.subscriber)?)?;
            d.set_item("current", v.current.map(Certificate::new))?;
        }
        Err(f) => {
            d.set_item("accepted", false)?;
            d.set_item("rejection", rejection_dict(py, &f.rejection)?)?;
            d.set_item("request", f.request.map(CertificateRequest::new))?;
            d.set_item(
                "subscriber",
                f.subscriber
                    .as_ref()
                    .map(|s| subscriber_dict(py, s))
                    .transpose()?,
            )?;
            d.set_item("current", py.None())?;
        }
    }
    Ok(d)
}

/// The bank: verifies incoming requests, records them, checks paper acts, issues
/// certificates with its CA key (`signer`, holding the key of `ca`), over the registry at
/// `registry` (created when missing). A context manager.
#[pyclass(frozen, module = "bankkey._native", name = "Bank")]
pub struct Bank {
    inner: Closable<bkbank::Bank>,
}

impl Bank {
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut bkbank::Bank) -> bankkey::Result<T> + Send,
    ) -> PyResult<T> {
        self.inner.run(py, f)
    }
}

#[pymethods]
impl Bank {
    #[new]
    #[pyo3(signature = (registry, ca, signer, *, roots=None, trust_unsigned_list=false, max_list_age_days=7))]
    fn new(
        py: Python<'_>,
        registry: std::path::PathBuf,
        ca: &Certificate,
        signer: &Bound<'_, PyAny>,
        roots: Option<&Bound<'_, PyAny>>,
        trust_unsigned_list: bool,
        max_list_age_days: i64,
    ) -> PyResult<Bank> {
        let signer = signer_arg(signer, "signer")?;
        let ca = (*ca.inner).clone();
        let roots = certificates_arg(roots, "roots")?;
        let qes_policy = crate::qes::policy(trust_unsigned_list, max_list_age_days)?;
        let bank = py
            .detach(|| -> bankkey::Result<bkbank::Bank> {
                let r = BkRegistry::open(&registry)?;
                let mut b = bkbank::Bank::new(r, ca, Box::new(signer))?.with_qes_policy(qes_policy);
                if !roots.is_empty() {
                    b = b.with_roots(roots);
                }
                Ok(b)
            })
            .map_err(BkError)?;
        Ok(Bank {
            inner: Closable::new(bank, "bank"),
        })
    }

    /// The bank CA's certificate.
    #[getter]
    fn ca_certificate(&self, py: Python<'_>) -> PyResult<Certificate> {
        Ok(Certificate::new(
            self.run(py, |b| Ok(b.ca_certificate().clone()))?,
        ))
    }

    /// Registers a subscriber by its current certificate; returns its id.
    #[pyo3(signature = (certificate, *, at=None))]
    fn register_subscriber(
        &self,
        py: Python<'_>,
        certificate: &Certificate,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<i64> {
        let cert = certificate.inner.clone();
        let at = at_or_now(at)?;
        self.run(py, |b| b.register_subscriber(&cert, at))
    }

    /// Registers a new client before it has a certificate (initial generation).
    #[pyo3(signature = (subject, *, at=None))]
    fn preregister(
        &self,
        py: Python<'_>,
        subject: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<i64> {
        let subject = subject_from_pairs(subject)?;
        let at = at_or_now(at)?;
        self.run(py, |b| b.preregister(&subject, at))
    }

    /// Receives a request (`flow` `"remote"`: the CMS; `"paper_acts"`: the PKCS#10): verifies
    /// and records it. Returns a dict: `request_id`, `status` (`accepted_by_bank`,
    /// `awaiting_paper_documents` or `rejected`), `rejection`, `paper_check_by`. A bad request
    /// is a rejection, not an exception.
    #[pyo3(signature = (data, *, flow="remote", at=None))]
    fn receive<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        flow: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let bytes = input_bytes(data, "data")?.into_owned();
        let flow = self::flow(flow)?;
        let at = at_or_now(at)?;
        let r = self.run(py, |b| b.receive(flow, &bytes, at))?;
        received_dict(py, &r)
    }

    /// The paper act of request `request_id` arrived: `key_text` is the key as printed on it
    /// (typed in, any grouping). A mismatch rejects the request.
    #[pyo3(signature = (request_id, key_text, *, at=None))]
    fn check_paper_act<'py>(
        &self,
        py: Python<'py>,
        request_id: &str,
        key_text: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let at = at_or_now(at)?;
        let r = self.run(py, |b| b.check_paper_act(request_id, key_text, at))?;
        received_dict(py, &r)
    }

    /// Issues the certificate of an accepted request.
    #[pyo3(signature = (request_id, *, at=None))]
    fn issue(
        &self,
        py: Python<'_>,
        request_id: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Certificate> {
        let at = at_or_now(at)?;
        Ok(Certificate::new(self.run(py, |b| b.issue(request_id, at))?))
    }

    /// Rejects a request with a note.
    #[pyo3(signature = (request_id, note, *, at=None))]
    fn reject<'py>(
        &self,
        py: Python<'py>,
        request_id: &str,
        note: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let at = at_or_now(at)?;
        let r = self.run(py, |b| b.reject(request_id, note, at))?;
        received_dict(py, &r)
    }

    /// The request `request_id` as recorded.
    fn request<'py>(&self, py: Python<'py>, request_id: &str) -> PyResult<Bound<'py, PyDict>> {
        let rec = self.run(py, |b| b.request(request_id))?;
        request_dict(py, &rec)
    }

    /// Current certificates expiring within `days` of `at`.
    #[pyo3(signature = (days=30, *, at=None))]
    fn expiring_within<'py>(
        &self,
        py: Python<'py>,
        days: u32,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let at = at_or_now(at)?;
        let rows = self.run(py, |b| b.expiring_within(days, at))?;
        rows.iter().map(|e| expiring_dict(py, e)).collect()
    }

    /// Requests waiting for their paper act.
    fn awaiting_paper<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let rows = self.run(py, |b| b.awaiting_paper())?;
        rows.iter().map(|a| awaiting_dict(py, a)).collect()
    }

    /// A subscriber's history by identifier or key id.
    fn history<'py>(&self, py: Python<'py>, who: &str) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let rows = self.run(py, |b| b.history(who))?;
        rows.iter().map(|e| event_dict(py, e)).collect()
    }

    /// Registers a client's qualified certificate (seed 004: its first login with it) after
    /// the QES check (`check_qualified`, with the bank's policy) against `list` and `crls` at
    /// `at`; the status is `not_confirmed` until `confirm_qes`. Returns the record (a dict).
    #[pyo3(signature = (certificate, *, list, crls=None, at=None))]
    fn register_qes<'py>(
        &self,
        py: Python<'py>,
        certificate: &Certificate,
        list: Option<&TrustedList>,
        crls: Option<&Bound<'py, PyAny>>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let cert = certificate.inner.clone();
        let list = list.map(|l| l.inner.clone());
        let crls = crls_arg(crls, "crls")?;
        let at = at_or_now(at)?;
        let q = self.run(py, |b| b.register_qes(&cert, list.as_deref(), &crls, at))?;
        qes_record_dict(py, &q)
    }

    /// Confirms a client's QES: the check again, then the confirmation statement
    /// («Заявление о подтверждении использования ЭП»): `signed` (a `SignedData` or its
    /// bytes), a CMS over `statement` signed by the owner and the head of the organisation. The record becomes `confirmed`
    /// with `loaded_not_before`, 12:00 Moscow time of the next business day. Nothing is
    /// recorded when a check fails (the error says which).
    #[pyo3(signature = (certificate, statement, signed, *, list, crls=None, at=None))]
    #[allow(clippy::too_many_arguments)]
    fn confirm_qes<'py>(
        &self,
        py: Python<'py>,
        certificate: &Certificate,
        statement: &Bound<'py, PyAny>,
        signed: &Bound<'py, PyAny>,
        list: Option<&TrustedList>,
        crls: Option<&Bound<'py, PyAny>>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let cert = certificate.inner.clone();
        let statement = input_bytes(statement, "statement")?.into_owned();
        let signed = match signed.cast::<SignedData>() {
            Ok(sd) => sd.get().inner.to_der(),
            Err(_) => input_bytes(signed, "signed")?.into_owned(),
        };
        let list = list.map(|l| l.inner.clone());
        let crls = crls_arg(crls, "crls")?;
        let at = at_or_now(at)?;
        let q = self.run(py, |b| {
            b.confirm_qes(&cert, &statement, &signed, list.as_deref(), &crls, at)
        })?;
        qes_record_dict(py, &q)
    }

    /// The QES record of `certificate`, or `None` when it was never registered.
    fn qes<'py>(
        &self,
        py: Python<'py>,
        certificate: &Certificate,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let cert = certificate.inner.clone();
        let q = self.run(py, |b| b.registry().qes(&cert))?;
        q.map(|q| qes_record_dict(py, &q)).transpose()
    }

    /// Closes the bank and its registry.
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
