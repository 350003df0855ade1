//! The C ABI of bankkey: `libbankkey.so` / `libbankkey.a` and `include/bankkey.h`.
//!
//! The rules (docs/ARCHITECTURE.md, "C ABI"), in the manner of rustls-ffi:
//! - names `bk_<noun>_<verb>`; opaque handles with a type tag, freed by `bk_<noun>_free`
//!   (NULL is a no-op);
//! - every fallible function returns a `bk_status` (0 or the `ErrorKind` code) and writes its
//!   out-parameters only on success; the detail of a failure (message, field, CKR) is kept per
//!   thread ([`error`]);
//! - every body runs inside a panic boundary; a panic is `BK_INTERNAL`, never an unwind into C;
//! - bytes with explicit lengths, strings NUL-terminated UTF-8, times Unix seconds (UTC),
//!   PINs and passwords bytes with a length ([`buf`]);
//! - the thread-safety of each handle type is stated on it.
//!
//! The crate is thin on purpose: conversion, ownership and errors. Every rule lives in the
//! core crate, so C, Python and Rust see one behaviour.

#![allow(non_camel_case_types)]
// Every exported function checks its pointers itself (NULL → BK_NULL_PARAMETER) and is
// documented in the header; the unsafe contract is the C one, stated per function.
#![allow(clippy::missing_safety_doc)]

pub mod bank;
pub mod buf;
pub mod client;
pub mod cms;
pub mod diagnosis;
pub mod documents;
pub mod error;
mod handle;
pub mod keyfile;
pub mod pki;
pub mod report;
pub mod request;
pub mod scan;
pub mod signer;
pub mod status;
pub mod store;
mod text;
pub mod view;
pub mod vocab;

pub use buf::*;
pub use error::*;
pub use status::*;
