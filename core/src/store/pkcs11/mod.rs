//! PKCS#11 tokens (Rutoken, JaCarta, eToken, SoftHSM, opencryptoki) over `cryptoki`.
//!
//! Layers, bottom up:
//! - [`raw`]: the few numeric calls `cryptoki` 0.12 cannot make (GOST mechanisms, unknown
//!   mechanism types, CKA_GOSTR3410_PARAMS); the crate's only `unsafe`.
//! - [`gost`]: the GOST table (key types, mechanisms, attributes, parameter sets).
//! - [`quirks`]: what differs between tokens, decided in one place.
//! - [`Pkcs11Module`] (loading once per process, slots, tokens) and [`Pkcs11Token`] (PIN state,
//!   login, sessions, presence), then key generation, key sets and signing on top.
//! - [`diagnosis`]: what is wrong with a module's tokens, in the terms support staff act on
//!   (the `bankkey token` command, Python's `stores.diagnose`).
//!
//! Seeds: 000/001 (factory PIN must be changed; plug the token in only for the operation),
//! 004 (one qualified key per medium).

// CK_ULONG is u64 on Linux but u32 on Windows: the casts between it and u64 are needed there.
#![allow(clippy::unnecessary_cast)]

pub mod diagnosis;
mod error;
pub mod gost;
mod import;
mod keygen;
mod module;
mod objects;
mod pin;
mod pubkey;
pub mod quirks;
mod raw;
mod signer;
mod store;
mod token;

pub use keygen::TokenKeySpec;
pub use module::{Pkcs11Module, SlotInfo, TokenFlags, TokenInfo, TokenSelector};
pub use pin::{FACTORY_PINS, LoginOptions, PinState, is_factory_pin};
pub use pubkey::key_id;
pub use raw::RawAttribute;
pub use signer::{TokenKey, ecdsa_raw_to_der};
pub use token::Pkcs11Token;
