//! Documents: the act of recognition, the certificate application and the QES confirmation
//! statement, rendered by the core as text, HTML and PDF.

use bankkey::documents::{self as bkdocs, DocumentDetails, Person};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::{BkError, invalid_argument};
use crate::pki::{Certificate, CertificateRequest};

/// The host's part of a document: bank, date (a `datetime.date`), place, CIPF, request
/// number, KPP, the head who signs beside the owner, copies.
#[allow(clippy::too_many_arguments)]
fn details(
    bank: &str,
    date: &Bound<'_, PyAny>,
    place: Option<String>,
    cipf: Option<String>,
    request_number: Option<String>,
    kpp: Option<String>,
    head: Option<(String, Option<String>)>,
    copies: Option<u8>,
) -> PyResult<DocumentDetails> {
    let (y, m, d): (i32, u8, u8) = (
        date.getattr("year")?.extract()?,
        date.getattr("month")?.extract()?,
        date.getattr("day")?.extract()?,
    );
    let month = time::Month::try_from(m).map_err(|_| invalid_argument("date", "bad month"))?;
    let date = time::Date::from_calendar_date(y, month, d)
        .map_err(|e| invalid_argument("date", e.to_string()))?;
    let mut details = DocumentDetails::new(bank, date);
    details.place = place;
    details.cipf = cipf;
    details.request_number = request_number;
    details.kpp = kpp;
    details.head = head.map(|(name, position)| Person::new(name, position.as_deref()));
    details.copies = copies;
    Ok(details)
}

/// A document ready to render.
enum Doc {
    Act(bkdocs::Act),
    Application(bkdocs::CertificateApplication),
    Qes(bkdocs::QesStatement),
}

/// A document of the flows, rendered as `text()`, `html()` or `pdf()` (bytes).
#[pyclass(frozen, module = "bankkey._native", name = "Document")]
pub struct Document {
    inner: Doc,
}

#[pymethods]
impl Document {
    /// Which document: `"act"`, `"application"` or `"qes_statement"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.inner {
            Doc::Act(_) => "act",
            Doc::Application(_) => "application",
            Doc::Qes(_) => "qes_statement",
        }
    }

    /// Plain text (UTF-8, at most 80 columns, one copy).
    fn text(&self) -> String {
        match &self.inner {
            Doc::Act(d) => d.to_text(),
            Doc::Application(d) => d.to_text(),
            Doc::Qes(d) => d.to_text(),
        }
    }

    /// One HTML file with print CSS (A4, each copy on its own page).
    fn html(&self) -> String {
        match &self.inner {
            Doc::Act(d) => d.to_html(),
            Doc::Application(d) => d.to_html(),
            Doc::Qes(d) => d.to_html(),
        }
    }

    /// PDF bytes (fonts embedded; deterministic). The GIL is released meanwhile.
    fn pdf<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let pdf = py
            .detach(|| match &self.inner {
                Doc::Act(d) => d.to_pdf(),
                Doc::Application(d) => d.to_pdf(),
                Doc::Qes(d) => d.to_pdf(),
            })
            .map_err(BkError)?;
        Ok(PyBytes::new(py, &pdf))
    }

    /// The bytes the owner and the head sign (QES statement only).
    fn signed_content<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        match &self.inner {
            Doc::Qes(d) => Ok(PyBytes::new(py, &d.signed_content())),
            _ => Err(invalid_argument("kind", "only a QES statement is signed")),
        }
    }
}

/// «Акт признания открытого ключа (сертификата)» for a request or a certificate.
#[pyfunction]
#[pyo3(signature = (source, *, bank, date, place=None, cipf=None, request_number=None,
    kpp=None, head=None, copies=None))]
#[allow(clippy::too_many_arguments)]
pub fn act(
    source: &Bound<'_, PyAny>,
    bank: &str,
    date: &Bound<'_, PyAny>,
    place: Option<String>,
    cipf: Option<String>,
    request_number: Option<String>,
    kpp: Option<String>,
    head: Option<(String, Option<String>)>,
    copies: Option<u8>,
) -> PyResult<Document> {
    let d = details(bank, date, place, cipf, request_number, kpp, head, copies)?;
    let act = if let Ok(r) = source.cast::<CertificateRequest>() {
        bkdocs::Act::from_request(&r.get().inner, &d)
    } else if let Ok(c) = source.cast::<Certificate>() {
        bkdocs::Act::from_certificate(&c.get().inner, &d)
    } else {
        return Err(invalid_argument(
            "source",
            "source must be a CertificateRequest or a Certificate",
        ));
    }
    .map_err(BkError)?;
    Ok(Document {
        inner: Doc::Act(act),
    })
}

/// «Заявление на изготовление сертификата ключа подписи» for a request.
#[pyfunction]
#[pyo3(signature = (request, *, bank, date, place=None, cipf=None, request_number=None,
    kpp=None, head=None, copies=None))]
#[allow(clippy::too_many_arguments)]
pub fn application(
    request: &CertificateRequest,
    bank: &str,
    date: &Bound<'_, PyAny>,
    place: Option<String>,
    cipf: Option<String>,
    request_number: Option<String>,
    kpp: Option<String>,
    head: Option<(String, Option<String>)>,
    copies: Option<u8>,
) -> PyResult<Document> {
    let d = details(bank, date, place, cipf, request_number, kpp, head, copies)?;
    let app = bkdocs::CertificateApplication::from_request(&request.inner, &d).map_err(BkError)?;
    Ok(Document {
        inner: Doc::Application(app),
    })
}

/// «Заявление о подтверждении использования ЭП» for a qualified certificate (seed 004).
#[pyfunction]
#[pyo3(signature = (certificate, *, bank, date, head=None, place=None, copies=None))]
pub fn qes_statement(
    certificate: &Certificate,
    bank: &str,
    date: &Bound<'_, PyAny>,
    head: Option<(String, Option<String>)>,
    place: Option<String>,
    copies: Option<u8>,
) -> PyResult<Document> {
    let d = details(bank, date, place, None, None, None, None, copies)?;
    let owner = Person::from_subject(certificate.inner.subject()).map_err(BkError)?;
    let head = head.map(|(name, position)| Person::new(name, position.as_deref()));
    let s = bkdocs::QesStatement::new(&certificate.inner, &owner, head.as_ref(), &d)
        .map_err(BkError)?;
    Ok(Document { inner: Doc::Qes(s) })
}

/// Whether the key typed in from a paper act (any grouping, spaces, case) is the key of
/// `request`: raises `KeyMismatchError` (or `InvalidInputError` for text holding no key).
#[pyfunction]
pub fn check_act_key(text: &str, request: &CertificateRequest) -> PyResult<()> {
    bkdocs::Act::check_key_text(text, &request.inner).map_err(|e| BkError(e).into())
}
