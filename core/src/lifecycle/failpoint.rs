//! Crash points for the crash test (cargo feature `failpoints`, off by default; without it
//! the `failpoint!` calls expand to nothing).
//!
//! When the environment variable `BANKKEY_FAILPOINT` names the point reached, the process
//! writes `bankkey failpoint reached: NAME` on a line of its standard error and stops there;
//! the test that started it kills it with SIGKILL (`std::process::Child::kill`), so the state
//! on disk is exactly the state at that point. A process nobody kills aborts after a minute.

use std::io::Write;

/// The environment variable naming the crash point.
pub const ENV: &str = "BANKKEY_FAILPOINT";

/// Every crash point, in the order a flow reaches them.
pub const FAILPOINTS: &[&str] = &[
    "start:intent",
    "start:generated",
    "start:done",
    "sign:built",
    "sign:done",
    "send:done",
    "bank_status:done",
    "receive:done",
    "activate:intent",
    "activate:installed",
    "activate:tested",
    "activate:done",
    "activate:retired",
    "cancel:done",
    "cancel:removed",
    "qes:installed",
];

/// The marker line written when a point is reached.
pub fn marker(name: &str) -> String {
    format!("bankkey failpoint reached: {name}")
}

/// Stops the process at `name` when `BANKKEY_FAILPOINT` says so.
pub(crate) fn hit(name: &str) {
    if std::env::var(ENV).as_deref() != Ok(name) {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", marker(name));
    let _ = err.flush();
    std::thread::sleep(std::time::Duration::from_secs(60));
    std::process::abort();
}
