//! The regeneration lifecycle (DESIGN §1–2): key-set assessment, the request state machine,
//! the QES registration, and the journal that makes them survive a crash.
//!
//! - [`assess`] / [`assess_store`]: what the system tells the user about a medium.
//! - [`Journal`] / [`SqliteJournal`]: the durable record of every transition.

mod assess;
mod journal;
mod status;

pub use assess::{Assessment, DEFAULT_REPLACEMENT_WINDOW_DAYS, assess, assess_store};
pub use journal::{Event, EventKind, Journal, SqliteJournal};
pub use status::{Flow, KeySetStatus, QesStatus, RequestStatus};
