//! `bankkey._native`: the compiled part of the `bankkey` Python package.
//!
//! A thin layer over the `bankkey` crate: conversions, ownership and errors only; every rule
//! lives in the core, so Rust, C and Python see one behaviour. The public Python API is the
//! hand-written package around it (`python/bankkey/`); this module is private.

mod cms;
mod convert;
mod errors;
mod pki;
mod report;

use pyo3::prelude::*;

/// The compiled module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(errors::error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_raise_error, m)?)?;
    m.add_class::<pki::Name>()?;
    m.add_class::<pki::PublicKey>()?;
    m.add_class::<pki::Certificate>()?;
    m.add_class::<pki::CertificateRequest>()?;
    m.add_class::<cms::SignedData>()?;
    m.add_class::<cms::SignedRequest>()?;
    m.add_class::<report::Report>()?;
    m.add_function(wrap_pyfunction!(report::inspect, m)?)?;
    Ok(())
}
