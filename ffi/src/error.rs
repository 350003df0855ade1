//! The error detail of the last failed call, per thread, and the boundary every exported
//! function runs inside.
//!
//! Why per thread (docs/ARCHITECTURE.md, "C ABI"): the status code decides, as in
//! rustls-ffi; the detail (message, the field it names, the CKR) costs nothing on success,
//! needs no allocation the host could leak, and works for constructors, which have no handle
//! to hang an error on. Each fallible call sets the detail when it fails and clears it when it
//! succeeds, at the moment it returns, so a host callback that calls back into bankkey cannot
//! clobber the outer call's detail.

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::status::*;

/// A failure on its way to C: the status and its detail.
#[derive(Debug)]
pub(crate) struct Fail {
    pub status: bk_status,
    pub message: String,
    pub field: Option<String>,
    pub ckr: Option<u64>,
}

/// What exported bodies return.
pub(crate) type Result<T, E = Fail> = std::result::Result<T, E>;

impl From<bankkey::Error> for Fail {
    fn from(e: bankkey::Error) -> Fail {
        Fail {
            status: e.code(),
            message: e.message().to_owned(),
            field: e.field().map(str::to_owned),
            ckr: e.ckr(),
        }
    }
}

impl Fail {
    /// A failure with a status and a message.
    pub fn new(status: bk_status, message: impl Into<String>) -> Fail {
        Fail {
            status,
            message: message.into(),
            field: None,
            ckr: None,
        }
    }

    /// `BK_NULL_PARAMETER` naming the parameter.
    pub fn null(param: &str) -> Fail {
        Fail::new(BK_NULL_PARAMETER, format!("{param} is NULL")).field(param)
    }

    /// `BK_INVALID_INPUT` naming the parameter.
    pub fn invalid(param: &str, message: impl Into<String>) -> Fail {
        Fail::new(BK_INVALID_INPUT, message).field(param)
    }

    /// Names the field or parameter.
    pub fn field(mut self, field: &str) -> Fail {
        self.field = Some(field.to_owned());
        self
    }
}

struct LastError {
    status: bk_status,
    message: CString,
    field: Option<CString>,
    ckr: Option<u64>,
}

thread_local! {
    static LAST: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// A C string of `s`; a NUL inside (a certificate value may hold one) becomes U+FFFD.
pub(crate) fn cstring_lossy(s: &str) -> CString {
    CString::new(s)
        .unwrap_or_else(|_| CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default())
}

fn set_last(fail: Option<Fail>) {
    let last = fail.map(|f| LastError {
        status: f.status,
        message: cstring_lossy(&f.message),
        field: f.field.as_deref().map(cstring_lossy),
        ckr: f.ckr,
    });
    // try_with: a call during thread teardown must not panic over the boundary.
    let _ = LAST.try_with(|l| *l.borrow_mut() = last);
}

/// The detail of the last failed call on this thread, when its status is `status`: what a host
/// callback that returns a status it got from a nested bankkey call is passing on.
pub(crate) fn last_detail(status: bk_status) -> Option<(String, Option<String>)> {
    LAST.try_with(|l| {
        l.borrow().as_ref().filter(|e| e.status == status).map(|e| {
            (
                e.message.to_string_lossy().into_owned(),
                e.field.as_ref().map(|f| f.to_string_lossy().into_owned()),
            )
        })
    })
    .ok()
    .flatten()
}

/// Runs an exported function's body: catches a panic (which becomes `BK_INTERNAL`, "panic
/// in NAME"), records the error detail of a failure or clears it on success, and returns the
/// status.
pub(crate) fn boundary(name: &'static str, body: impl FnOnce() -> Result<()>) -> bk_status {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Fail::new(BK_INTERNAL, format!("panic in {name}: {what}")))
    });
    match outcome {
        Ok(()) => {
            set_last(None);
            BK_OK
        }
        Err(f) => {
            let status = f.status;
            set_last(Some(f));
            status
        }
    }
}

/// Runs the body of a function that cannot report a status (`_free`, getters returning a
/// value): a panic is swallowed and `fallback` returned. The error detail is left as it was.
pub(crate) fn quiet<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Panics inside the boundary with `message`: how the C tests prove that a panic comes back as
/// `BK_INTERNAL` and the process goes on, also from inside a host callback. Debug builds only
/// (the header declares it when `BANKKEY_DEBUG_HOOKS` is defined); never in a release library.
#[cfg(debug_assertions)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_debug_panic(message: *const c_char) -> crate::status::bk_status {
    boundary("bk_debug_panic", || {
        let m = unsafe { crate::buf::string(message, "message") }?;
        panic!("{m}")
    })
}

/// The status of the last fallible call on this thread: `BK_OK` when it succeeded.
#[unsafe(no_mangle)]
pub extern "C" fn bk_last_error_status() -> bk_status {
    quiet(BK_INTERNAL, || {
        LAST.try_with(|l| l.borrow().as_ref().map_or(BK_OK, |e| e.status))
            .unwrap_or(BK_OK)
    })
}

/// The message of the last failed call on this thread (UTF-8, NUL-terminated, English, never
/// a PIN, password or key), or "" when the last call succeeded. Valid until the next bankkey
/// call on this thread; copy it to keep it. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn bk_last_error_message() -> *const c_char {
    quiet(c"".as_ptr(), || {
        LAST.try_with(|l| {
            l.borrow()
                .as_ref()
                .map_or(c"".as_ptr(), |e| e.message.as_ptr())
        })
        .unwrap_or(c"".as_ptr())
    })
}

/// The field the last failed call on this thread is about — a subject attribute ("INN",
/// "SNILS"), a parameter name ("pin", "data"), a document field ("outgoing_documents") — or
/// NULL when it names none. Valid until the next bankkey call on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn bk_last_error_field() -> *const c_char {
    quiet(std::ptr::null(), || {
        LAST.try_with(|l| {
            l.borrow()
                .as_ref()
                .and_then(|e| e.field.as_ref())
                .map_or(std::ptr::null(), |f| f.as_ptr())
        })
        .unwrap_or(std::ptr::null())
    })
}

/// The PKCS#11 return value (CKR) of the last failed call on this thread, when it was a
/// `BK_PKCS11` failure (or a token failure with a CKR); 0 otherwise (CKR_OK is never an
/// error).
#[unsafe(no_mangle)]
pub extern "C" fn bk_last_error_ckr() -> u64 {
    quiet(0, || {
        LAST.try_with(|l| l.borrow().as_ref().and_then(|e| e.ckr).unwrap_or(0))
            .unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn message() -> String {
        unsafe { CStr::from_ptr(bk_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn failure_sets_and_success_clears() {
        let s = boundary("test", || {
            Err(bankkey::Error::invalid_field("INN", "wrong check digit").into())
        });
        assert_eq!(s, BK_INVALID_INPUT);
        assert_eq!(bk_last_error_status(), BK_INVALID_INPUT);
        assert_eq!(message(), "wrong check digit");
        let f = unsafe { CStr::from_ptr(bk_last_error_field()) };
        assert_eq!(f.to_str().unwrap(), "INN");
        assert_eq!(boundary("test", || Ok(())), BK_OK);
        assert_eq!(bk_last_error_status(), BK_OK);
        assert_eq!(message(), "");
        assert!(bk_last_error_field().is_null());
    }

    #[test]
    fn a_panic_becomes_internal() {
        let s = boundary("bk_test_panic", || panic!("boom"));
        assert_eq!(s, BK_INTERNAL);
        assert_eq!(message(), "panic in bk_test_panic: boom");
    }

    #[test]
    fn ckr_is_kept() {
        boundary("t", || {
            Err(bankkey::Error::pkcs11("C_Login", 0xA0, "x").into())
        });
        assert_eq!(bk_last_error_ckr(), 0xA0);
        assert_eq!(bk_last_error_status(), BK_PKCS11);
    }

    #[test]
    fn the_detail_is_per_thread() {
        boundary("t", || Err(Fail::null("data")));
        std::thread::spawn(|| {
            assert_eq!(bk_last_error_status(), BK_OK);
            boundary("t", || Err(Fail::invalid("at", "x")));
        })
        .join()
        .unwrap();
        assert_eq!(bk_last_error_status(), BK_NULL_PARAMETER);
    }
}
