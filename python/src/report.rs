//! `inspect`: the core's report of any object, with the same JSON as the Rust example.

use bankkey::report::{self as bkreport, Options};
use pyo3::prelude::*;

use crate::convert::{at_opt, input_bytes, json_loads};
use crate::pki::{certificates_arg, public_key_arg};

/// Builds the core's report options from the keyword arguments every report takes.
pub fn options(
    at: Option<&Bound<'_, PyAny>>,
    trust: Option<&Bound<'_, PyAny>>,
    key: Option<&Bound<'_, PyAny>>,
    content: Option<&Bound<'_, PyAny>>,
    password: Option<&Bound<'_, PyAny>>,
) -> PyResult<Options> {
    let mut o = Options {
        at: at_opt(at)?,
        trust: certificates_arg(trust, "trust")?,
        ..Options::default()
    };
    if let Some(k) = key.filter(|k| !k.is_none()) {
        o.expected_key = Some(public_key_arg(k, "key")?);
    }
    if let Some(c) = content.filter(|c| !c.is_none()) {
        o.content = Some(input_bytes(c, "content")?.into_owned());
    }
    if let Some(p) = password.filter(|p| !p.is_none()) {
        o.password = Some(crate::convert::secret_bytes(p, "password")?);
    }
    Ok(o)
}

/// A report of one object: what it is, its fields, the checks made and the verdict.
///
/// `verdict` is `"valid"` only when every check the object's authenticity rests on was made
/// and passed; `reason` then is `None`. `to_dict()` is the JSON of `inspect` as plain Python
/// objects, `to_json()` that JSON text (byte for byte the Rust `inspect` example's).
#[pyclass(frozen, module = "bankkey._native", name = "Report")]
pub struct Report {
    pub inner: bkreport::Report,
}

#[pymethods]
impl Report {
    /// What was inspected: `"certificate"`, `"certificate-request"`, `"private-key"`,
    /// `"public-key"`, `"signed-data"` or `"unknown"`.
    #[getter]
    fn kind(&self) -> String {
        self.inner.kind.as_str().to_owned()
    }

    /// `"valid"` or `"invalid"`.
    #[getter]
    fn verdict(&self) -> String {
        self.inner.verdict.as_str().to_owned()
    }

    /// Why invalid (`"bad-signature"`, `"untrusted"`, `"expired"`, `"bad-inn-checksum"`, …),
    /// or `None` when valid.
    #[getter]
    fn reason(&self) -> Option<String> {
        self.inner.reason.map(|r| r.as_str().to_owned())
    }

    /// The failed check's detail, or `None`.
    #[getter]
    fn message(&self) -> Option<String> {
        self.inner.message.clone()
    }

    /// Whether the verdict is `valid`.
    #[getter]
    fn is_valid(&self) -> bool {
        self.inner.is_valid()
    }

    /// The report as plain Python objects (dicts keep the JSON's key order).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.to_json(false))
    }

    /// The report as JSON text: pretty-printed (the Rust `inspect` example's output, byte for
    /// byte) or, with `pretty=False`, on one line (for JSON lines).
    #[pyo3(signature = (pretty=true))]
    fn to_json(&self, pretty: bool) -> String {
        if pretty {
            self.inner.to_json()
        } else {
            self.inner.to_json_compact()
        }
    }

    fn __repr__(&self) -> String {
        match &self.inner.reason {
            Some(r) => format!(
                "<Report {} invalid: {}>",
                self.inner.kind.as_str(),
                r.as_str()
            ),
            None => format!("<Report {} valid>", self.inner.kind.as_str().to_owned()),
        }
    }
}

/// Reports whatever `data` holds — a certificate, request, PKCS#8 key (plain or encrypted:
/// `password`), public key or CMS SignedData, DER or PEM — as the Rust `inspect` does.
///
/// `at` (aware datetime, default now) is when validity is judged; `trust` the anchors (a
/// Certificate or a list); `key` the key the object must hold; `content` the content of a
/// detached signature. Never raises for bad bytes: the report says `malformed`.
#[pyfunction]
#[pyo3(signature = (data, *, at=None, trust=None, key=None, content=None, password=None))]
pub fn inspect(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    at: Option<&Bound<'_, PyAny>>,
    trust: Option<&Bound<'_, PyAny>>,
    key: Option<&Bound<'_, PyAny>>,
    content: Option<&Bound<'_, PyAny>>,
    password: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let bytes = input_bytes(data, "data")?;
    let options = options(at, trust, key, content, password)?;
    let inner = py.detach(|| bkreport::inspect(&bytes, &options));
    Ok(Report { inner })
}

/// Like `inspect` for a path: a file, or a CryptoPro container folder (`password` is then
/// its PIN; the report says what the container holds and whether the PIN opens the key,
/// never the key or the PIN). Never raises for bad input: an unreadable path is a report
/// with reason `malformed`.
#[pyfunction]
#[pyo3(signature = (path, *, at=None, trust=None, key=None, content=None, password=None))]
pub fn inspect_path(
    py: Python<'_>,
    path: std::path::PathBuf,
    at: Option<&Bound<'_, PyAny>>,
    trust: Option<&Bound<'_, PyAny>>,
    key: Option<&Bound<'_, PyAny>>,
    content: Option<&Bound<'_, PyAny>>,
    password: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let options = options(at, trust, key, content, password)?;
    let inner = py.detach(|| bkreport::inspect_path(&path, &options));
    Ok(Report { inner })
}

/// A report reason (`"expired"`, `"bad-inn-checksum"`, ...) in words, Russian (`lang="ru"`)
/// or English; an unknown reason is `InvalidInputError`.
#[pyfunction]
#[pyo3(signature = (reason, lang="en"))]
pub fn reason_text(reason: &str, lang: &str) -> PyResult<&'static str> {
    let r = bkreport::Reason::parse(reason).map_err(crate::errors::BkError)?;
    Ok(if lang == "ru" { r.ru() } else { r.en() })
}
