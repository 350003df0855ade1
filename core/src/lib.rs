//! # bankkey
//!
//! The signing-key lifecycle of Russian remote banking ("Банк-Клиент" / "Клиент-Банк"):
//! GOST R 34.10-2012 keys and signatures, Russian identifiers and certificate subjects,
//! PKCS#10 requests and X.509 certificates, key stores, and the regeneration flows.
//!
//! The architecture is described in `docs/ARCHITECTURE.md`; every fallible call returns
//! [`Error`] with a stable [`ErrorKind`] code shared with the C and Python bindings.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod asn1;
pub mod bank;
pub mod calendar;
pub mod cms;
#[cfg(feature = "cryptopro")]
pub mod cryptopro;
mod detect;
pub mod documents;
pub mod error;
pub mod gost;
pub mod ident;
pub mod key;
pub mod lifecycle;
pub mod oid;
pub mod pfx;
pub mod pki;
pub mod report;
pub mod scan;
mod sqlite;
pub mod store;
pub mod subject;
mod vocab;
pub mod xml;
pub mod xmldsig;

pub use error::{Error, ErrorKind, Result};
/// The SQLite VFS the journal and the registry open their files through, chosen by a test
/// (cargo feature `failpoints` only; see `sqlite_vfs::use_vfs`).
#[cfg(feature = "failpoints")]
pub use sqlite::test_vfs as sqlite_vfs;
