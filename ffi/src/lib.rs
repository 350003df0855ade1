//! The C ABI of bankkey (`libbankkey`): status codes and version for now; the handles for
//! requests, certificates and key stores come with the C ABI issue (DESIGN.md §4).
//!
//! Every exported function returns a [`bk_status`]; `BK_OK` is 0 and every other value is the
//! stable code of a [`bankkey::ErrorKind`].

#![allow(non_camel_case_types)]

use std::os::raw::c_char;

/// The return value of every bankkey C function: 0 on success, otherwise an error code
/// equal to the Rust `ErrorKind::code()` and the Python exception's `.code`.
pub type bk_status = u32;

/// Success.
pub const BK_OK: bk_status = 0;
/// A pointer argument was NULL.
pub const BK_NULL_PARAMETER: bk_status = 7000;
/// The output buffer is too small; the needed length was written to the length out-parameter.
pub const BK_BUFFER_TOO_SMALL: bk_status = 7001;

/// The library version as a NUL-terminated static string.
#[unsafe(no_mangle)]
pub extern "C" fn bk_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// A static, NUL-terminated English description of a status code ("unknown status" for a
/// code bankkey never returns). Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn bk_status_description(status: bk_status) -> *const c_char {
    let text: &'static str = match status {
        BK_OK => "ok\0",
        BK_NULL_PARAMETER => "null parameter\0",
        BK_BUFFER_TOO_SMALL => "buffer too small\0",
        code => match bankkey::ErrorKind::from_code(code) {
            Some(kind) => status_text(kind),
            None => "unknown status\0",
        },
    };
    text.as_ptr().cast()
}

fn status_text(kind: bankkey::ErrorKind) -> &'static str {
    // NUL-terminated copies of ErrorKind::description, built once.
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static TEXTS: OnceLock<HashMap<u32, &'static str>> = OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        bankkey::ErrorKind::ALL
            .iter()
            .map(|k| {
                let s: &'static str = Box::leak(format!("{}\0", k.description()).into_boxed_str());
                (k.code(), s)
            })
            .collect()
    });
    texts
        .get(&kind.code())
        .copied()
        .unwrap_or("unknown status\0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_kind_has_a_description() {
        for k in bankkey::ErrorKind::ALL {
            let s = unsafe { CStr::from_ptr(bk_status_description(k.code())) };
            assert_eq!(s.to_str().unwrap(), k.description());
        }
        let s = unsafe { CStr::from_ptr(bk_status_description(12345)) };
        assert_eq!(s.to_str().unwrap(), "unknown status");
    }

    #[test]
    fn version_is_the_crate_version() {
        let s = unsafe { CStr::from_ptr(bk_version()) };
        assert_eq!(s.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
