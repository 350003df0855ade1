//! The regeneration lifecycle (DESIGN §1–2): key-set assessment, the request state machine,
//! the QES registration, and the journal that makes them survive a crash.
//!
//! - [`assess`] / [`assess_store`]: what the system tells the user about a medium.
//! - [`Journal`] / [`SqliteJournal`]: the durable record of every transition.
//! - [`Client`]: the regeneration state machine over a [`KeyStore`](crate::store::KeyStore)
//!   and a journal, crash-safe (see the `client` module docs for the order of writes), and
//!   the QES registration ([`QesRegistration`]).

/// Crash points of the crash test (feature `failpoints`): with the environment variable
/// `BANKKEY_FAILPOINT` naming one, the process stops there (see `failpoint`). Without the
/// feature it expands to nothing.
macro_rules! failpoint {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        super::failpoint::hit($name);
    };
}

mod assess;
mod client;
#[cfg(feature = "failpoints")]
pub mod failpoint;
mod journal;
mod qes;
mod status;

pub use assess::{Assessment, DEFAULT_REPLACEMENT_WINDOW_DAYS, assess, assess_store};
pub use client::{
    Client, OutgoingDocuments, Regeneration, STEP_NEW_REMOVED, STEP_OLD_DELETED, STEP_OLD_RETIRED,
    key_label,
};
pub use journal::{Event, EventKind, Journal, SqliteJournal};
pub use qes::QesRegistration;
pub use status::{Flow, KeySetStatus, QesStatus, RequestStatus};
