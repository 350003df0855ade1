//! The regeneration lifecycle (DESIGN §1–2): key-set assessment, the request state machine,
//! the QES registration, and the journal that makes them survive a crash.

mod status;

pub use status::{Flow, KeySetStatus, QesStatus, RequestStatus};
