//! What a script opens and closes (a client, a registry, a bank): the core's value behind a
//! lock, gone once closed, used without the GIL.

use std::sync::Mutex;

use pyo3::prelude::*;

use crate::errors::BkError;

/// `PreconditionFailed`: the object was closed (its `close()` or the end of its `with`).
pub fn closed(what: &str) -> PyErr {
    BkError(bankkey::Error::new(
        bankkey::ErrorKind::PreconditionFailed,
        format!("the {what} is closed"),
    ))
    .into()
}

/// `Internal`: a panic poisoned a lock (the core does not panic on input; this is a bug).
pub fn poisoned() -> PyErr {
    BkError(bankkey::Error::new(
        bankkey::ErrorKind::Internal,
        "a lock was poisoned by a panic",
    ))
    .into()
}

/// A value until `close()`; `what` names it in the error after that.
pub struct Closable<T> {
    inner: Mutex<Option<T>>,
    what: &'static str,
}

impl<T: Send> Closable<T> {
    /// Holds `value`.
    pub fn new(value: T, what: &'static str) -> Closable<T> {
        Closable {
            inner: Mutex::new(Some(value)),
            what,
        }
    }

    /// Runs `f` on the value without the GIL. The lock is taken inside, so that a Python
    /// callable called back from the core (a signer) can take the GIL while another thread
    /// waits for the lock.
    pub fn run<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut T) -> bankkey::Result<R> + Send,
    ) -> PyResult<R> {
        let r: PyResult<bankkey::Result<R>> = py.detach(|| {
            let mut guard = self.inner.lock().map_err(|_| poisoned())?;
            match guard.as_mut() {
                Some(v) => Ok(f(v)),
                None => Err(closed(self.what)),
            }
        });
        r?.map_err(|e| BkError(e).into())
    }

    /// Drops the value (closing files and databases); later calls fail with `closed`.
    pub fn close(&self) -> PyResult<()> {
        self.inner.lock().map_err(|_| poisoned())?.take();
        Ok(())
    }
}
