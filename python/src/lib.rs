//! `bankkey._native`: the compiled part of the `bankkey` Python package.
//!
//! A thin layer over the `bankkey` crate: conversions, ownership and errors only; every rule
//! lives in the core, so Rust, C and Python see one behaviour. The public Python API is the
//! hand-written package around it (`python/bankkey/`); this module is private.

mod bank;
mod baseline;
mod build;
mod closable;
mod cms;
mod convert;
mod crl;
mod documents;
mod errors;
mod keyfile;
mod keys;
mod lifecycle;
mod pki;
mod qes;
mod report;
mod scan;
mod stores;

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
    m.add_function(wrap_pyfunction!(report::inspect_path, m)?)?;
    m.add_function(wrap_pyfunction!(report::reason_text, m)?)?;
    m.add_class::<scan::ScanEntry>()?;
    m.add_function(wrap_pyfunction!(scan::scan, m)?)?;
    m.add_function(wrap_pyfunction!(scan::scan_groups, m)?)?;
    m.add_function(wrap_pyfunction!(scan::scan_group_text, m)?)?;
    m.add_function(wrap_pyfunction!(scan::verify_many, m)?)?;
    m.add_function(wrap_pyfunction!(keys::key_algorithms, m)?)?;
    m.add_class::<keys::SoftwareKey>()?;
    m.add_class::<keys::CallableSigner>()?;
    m.add_function(wrap_pyfunction!(build::name_from_attributes, m)?)?;
    m.add_function(wrap_pyfunction!(build::build_request, m)?)?;
    m.add_function(wrap_pyfunction!(build::issue_certificate, m)?)?;
    m.add_function(wrap_pyfunction!(build::cms_sign, m)?)?;
    m.add_function(wrap_pyfunction!(build::sign_request, m)?)?;
    m.add_function(wrap_pyfunction!(baseline::_rust_baseline, m)?)?;
    m.add_class::<stores::KeySet>()?;
    m.add_class::<stores::StoreSigner>()?;
    m.add_class::<stores::Pkcs11Module>()?;
    m.add_class::<stores::Token>()?;
    m.add_class::<stores::FileContainer>()?;
    m.add_class::<keyfile::CryptoProContainer>()?;
    m.add_class::<keyfile::CryptoProStore>()?;
    m.add_function(wrap_pyfunction!(lifecycle::vocabulary, m)?)?;
    m.add_class::<lifecycle::Regeneration>()?;
    m.add_class::<lifecycle::Client>()?;
    m.add_class::<bank::Registry>()?;
    m.add_class::<bank::Bank>()?;
    m.add_function(wrap_pyfunction!(bank::verify_request, m)?)?;
    m.add_class::<crl::Crl>()?;
    m.add_class::<qes::TrustedList>()?;
    m.add_function(wrap_pyfunction!(qes::check_qualified, m)?)?;
    m.add_class::<documents::Document>()?;
    m.add_function(wrap_pyfunction!(documents::act, m)?)?;
    m.add_function(wrap_pyfunction!(documents::application, m)?)?;
    m.add_function(wrap_pyfunction!(documents::qes_statement, m)?)?;
    m.add_function(wrap_pyfunction!(documents::check_act_key, m)?)?;
    Ok(())
}
