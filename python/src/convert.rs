//! Conversions at the boundary: aware datetimes ↔ `OffsetDateTime`, bytes-or-text input,
//! JSON values → Python objects (for report dicts), files of certificates.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};
use time::OffsetDateTime;

use crate::errors::invalid_argument;

static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn datetime_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    Ok(DATETIME
        .get_or_try_init(py, || -> PyResult<_> {
            Ok(py.import("datetime")?.getattr("datetime")?.unbind())
        })?
        .bind(py))
}

fn epoch(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    Ok(EPOCH
        .get_or_try_init(py, || -> PyResult<_> {
            let dt = py.import("datetime")?;
            let utc = dt.getattr("timezone")?.getattr("utc")?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("tzinfo", utc)?;
            Ok(dt
                .getattr("datetime")?
                .call((1970, 1, 1), Some(&kwargs))?
                .unbind())
        })?
        .bind(py))
}

fn timedelta(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    Ok(TIMEDELTA
        .get_or_try_init(py, || -> PyResult<_> {
            Ok(py.import("datetime")?.getattr("timedelta")?.unbind())
        })?
        .bind(py))
}

/// An aware `datetime` as an `OffsetDateTime` (UTC). A naive datetime is refused with
/// `InvalidInputError` naming `field`: whether 12:00 is Moscow or UTC decides seed 004's
/// "not before 12:00 the next business day", so the library never guesses a zone.
pub fn to_offset(value: &Bound<'_, PyAny>, field: &str) -> PyResult<OffsetDateTime> {
    let py = value.py();
    if !value.is_instance(datetime_class(py)?)? {
        return Err(invalid_argument(
            field,
            format!("{field} must be a datetime with a time zone"),
        ));
    }
    if value.call_method0("utcoffset")?.is_none() {
        return Err(invalid_argument(
            field,
            format!(
                "{field} is a naive datetime: give it a time zone \
                 (datetime.timezone.utc or ZoneInfo(\"Europe/Moscow\"))"
            ),
        ));
    }
    let delta = value.sub(epoch(py)?)?;
    let days: i64 = delta.getattr("days")?.extract()?;
    let seconds: i64 = delta.getattr("seconds")?.extract()?;
    let micros: i64 = delta.getattr("microseconds")?.extract()?;
    let t = OffsetDateTime::from_unix_timestamp(days * 86_400 + seconds)
        .map_err(|e| invalid_argument(field, format!("{field}: {e}")))?;
    Ok(t + time::Duration::microseconds(micros))
}

/// `None`, one `T` or an iterable of them (a list of anchors, of CRLs), each mapped by `get`;
/// anything else is `InvalidInputError` naming `field`.
pub fn one_or_many<T, U>(
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
    get: impl Fn(&T) -> U,
) -> PyResult<Vec<U>>
where
    T: pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Sync,
{
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    let what = T::NAME;
    if let Ok(one) = value.cast::<T>() {
        return Ok(vec![get(one.get())]);
    }
    let wrong = || invalid_argument(field, format!("{field} must be a {what} or a list of them"));
    let mut out = Vec::new();
    for item in value.try_iter().map_err(|_| wrong())? {
        let item = item?;
        out.push(get(item.cast::<T>().map_err(|_| wrong())?.get()));
    }
    Ok(out)
}

/// `at=None` → now; else [`to_offset`].
pub fn at_or_now(at: Option<&Bound<'_, PyAny>>) -> PyResult<OffsetDateTime> {
    match at {
        Some(v) if !v.is_none() => to_offset(v, "at"),
        _ => Ok(OffsetDateTime::now_utc()),
    }
}

/// An optional `at=`.
pub fn at_opt(at: Option<&Bound<'_, PyAny>>) -> PyResult<Option<OffsetDateTime>> {
    match at {
        Some(v) if !v.is_none() => to_offset(v, "at").map(Some),
        _ => Ok(None),
    }
}

/// An `OffsetDateTime` as an aware UTC `datetime`.
pub fn to_datetime(py: Python<'_>, t: OffsetDateTime) -> PyResult<Bound<'_, PyAny>> {
    let seconds = t.unix_timestamp();
    let micros = i64::from(t.microsecond());
    let kwargs = PyDict::new(py);
    kwargs.set_item("seconds", seconds)?;
    kwargs.set_item("microseconds", micros)?;
    let delta = timedelta(py)?.call((), Some(&kwargs))?;
    epoch(py)?.add(delta)
}

/// Bytes given as `bytes`, `bytearray` or `str` (PEM text, UTF-8).
pub fn input_bytes<'a>(value: &'a Bound<'_, PyAny>, field: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Cow::Owned(s.to_cow()?.as_bytes().to_vec()));
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    Err(invalid_argument(
        field,
        format!(
            "{field} must be bytes (DER or PEM) or str (PEM), not {}",
            value.get_type().name()?
        ),
    ))
}

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A value serialisable by serde as plain Python objects, through its JSON text and
/// `json.loads`, so that dict keys keep the order the core writes them in (serde_json's own
/// `Value` would sort them).
pub fn serde_to_py<'py, T: serde::Serialize>(
    py: Python<'py>,
    v: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    json_loads(py, &text)
}

/// `json.loads(text)`.
pub fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    JSON_LOADS
        .get_or_try_init(py, || -> PyResult<_> {
            Ok(py.import("json")?.getattr("loads")?.unbind())
        })?
        .bind(py)
        .call1((text,))
}

/// A password or PIN given as `str` (UTF-8) or `bytes`, copied straight into a buffer that is
/// wiped when dropped. The Python object itself cannot be wiped; it is never kept.
pub fn secret_bytes(
    value: &Bound<'_, PyAny>,
    field: &str,
) -> PyResult<zeroize::Zeroizing<Vec<u8>>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(zeroize::Zeroizing::new(s.to_cow()?.as_bytes().to_vec()));
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(zeroize::Zeroizing::new(b.as_bytes().to_vec()));
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        return Ok(zeroize::Zeroizing::new(b.to_vec()));
    }
    Err(invalid_argument(
        field,
        format!("{field} must be str or bytes"),
    ))
}
