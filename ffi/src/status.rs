//! `bk_status`: the return value of every fallible function, and the library's version.
//!
//! The codes are `bankkey::ErrorKind::code()` (shared with Python's `.code`), plus the few
//! that only C can meet (7xxx). One constant per kind; `tests::constants_match_error_kinds`
//! checks the header against `ErrorKind::ALL`, so a kind added in the core without its
//! constant here fails the build's tests.

use std::ffi::c_char;

use crate::text::static_cstr;

/// The return value of every fallible bankkey function: `BK_OK` (0) on success, otherwise
/// the code of what went wrong, equal to the Rust `ErrorKind::code()` and to the Python
/// exception's `.code`. Codes are grouped in ranges (1xxx input, 2xxx trust and signatures,
/// 3xxx lifecycle, 4xxx tokens, 5xxx storage, 7xxx C ABI, 9xxx internal) and a published code
/// never changes meaning. Test for `!= BK_OK`, and treat an unknown code as a failure of its
/// range: new codes may be added.
pub type bk_status = u32;

/// Success.
pub const BK_OK: bk_status = 0;

/// A value given by the caller is not acceptable (wrong check digit, missing field, an
/// unknown enum value, a string that is not UTF-8...); `bk_last_error_field` names it.
pub const BK_INVALID_INPUT: bk_status = 1000;
/// Bytes that should be DER, PEM, PKCS#8, PKCS#10, X.509 or CMS are not well-formed.
pub const BK_MALFORMED_ENCODING: bk_status = 1001;
/// The algorithm, parameter set or mechanism is not supported.
pub const BK_UNSUPPORTED_ALGORITHM: bk_status = 1002;
/// A password does not decrypt the key (or the key is corrupt in a way that looks alike).
pub const BK_WRONG_PASSWORD: bk_status = 1003;
/// The input asks for more work than the library allows (a key-derivation iteration count
/// over the process-wide limit, say): refused before any of it is done.
pub const BK_LIMIT_EXCEEDED: bk_status = 1004;
/// A signature does not verify.
pub const BK_BAD_SIGNATURE: bk_status = 2000;
/// A certificate or request does not hold the key it is expected to hold.
pub const BK_KEY_MISMATCH: bk_status = 2001;
/// A certificate (or key) is past its validity period.
pub const BK_EXPIRED: bk_status = 2002;
/// A certificate (or key) is not valid yet.
pub const BK_NOT_YET_VALID: bk_status = 2003;
/// No path leads to a trusted root.
pub const BK_UNTRUSTED_ISSUER: bk_status = 2004;
/// The object names an issuer other than the one it was checked against.
pub const BK_WRONG_ISSUER: bk_status = 2005;
/// The certificate is revoked.
pub const BK_REVOKED: bk_status = 2006;
/// A check that must be made could not be made (the list of accredited CAs or a CRL is
/// missing): retriable, never a silent pass.
pub const BK_VERIFICATION_UNAVAILABLE: bk_status = 2007;
/// Signed content does not match its digest.
pub const BK_CONTENT_ALTERED: bk_status = 2008;
/// The certificate of a signer was not found.
pub const BK_SIGNER_CERTIFICATE_MISSING: bk_status = 2009;
/// The certificate's keyUsage does not allow this use of its key.
pub const BK_KEY_USAGE_NOT_ALLOWED: bk_status = 2010;
/// The operation is not allowed in the current lifecycle state.
pub const BK_WRONG_STATE: bk_status = 3000;
/// A precondition of the operation does not hold (e.g. an outgoing document is still
/// «подписан»).
pub const BK_PRECONDITION_FAILED: bk_status = 3001;
/// The PIN is wrong.
pub const BK_PIN_INCORRECT: bk_status = 4000;
/// The PIN is locked.
pub const BK_PIN_LOCKED: bk_status = 4001;
/// The token still has its factory PIN, which must be changed first.
pub const BK_PIN_FACTORY_DEFAULT: bk_status = 4002;
/// One more wrong PIN locks the token: refused unless the caller insists.
pub const BK_PIN_FINAL_TRY: bk_status = 4003;
/// The token is absent (removed, or never inserted).
pub const BK_TOKEN_ABSENT: bk_status = 4004;
/// A PKCS#11 function failed; `bk_last_error_ckr` gives the CKR value.
pub const BK_PKCS11: bk_status = 4005;
/// Reading or writing a file failed.
pub const BK_IO: bk_status = 5000;
/// A store (file container, journal, registry) is inconsistent or cannot be used.
pub const BK_STORAGE: bk_status = 5001;
/// A pointer argument was NULL (`bk_last_error_field` names the parameter).
pub const BK_NULL_PARAMETER: bk_status = 7000;
/// The output buffer is too small (only a host signer's callback meets it).
pub const BK_BUFFER_TOO_SMALL: bk_status = 7001;
/// A handle of another type, or one already freed, was passed (the library checks a type tag
/// on entry; never pass a freed handle: the check is a safety net, not a guarantee).
pub const BK_INVALID_HANDLE: bk_status = 7002;
/// A bug or an unexpected condition inside the library (a Rust panic is caught at the
/// boundary and reported as this; the process goes on).
pub const BK_INTERNAL: bk_status = 9000;

/// The major version of the library this header belongs to (semantic versioning; see
/// `bk_version` for the library actually loaded).
pub const BANKKEY_VERSION_MAJOR: u32 = 0;
/// The minor version of the header.
pub const BANKKEY_VERSION_MINOR: u32 = 1;
/// The patch version of the header.
pub const BANKKEY_VERSION_PATCH: u32 = 0;

/// The version of the loaded library ("0.1.0") as a static NUL-terminated string. Compare
/// with `BANKKEY_VERSION_*` to detect a header/library mismatch. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn bk_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// A static, NUL-terminated English description of a status code ("ok" for `BK_OK`,
/// "unknown status" for a code this library does not know). Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn bk_status_description(status: bk_status) -> *const c_char {
    let text: &'static str = match status {
        BK_OK => "ok",
        BK_NULL_PARAMETER => "null parameter",
        BK_BUFFER_TOO_SMALL => "buffer too small",
        BK_INVALID_HANDLE => "invalid handle",
        code => match bankkey::ErrorKind::from_code(code) {
            Some(kind) => kind.description(),
            None => "unknown status",
        },
    };
    static_cstr(text)
}

/// The stable machine name of a status code ("invalid_input", "pin_locked", "null_parameter";
/// the Python exception's `.kind`), static and NUL-terminated; "unknown" for an unknown code.
/// Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn bk_status_name(status: bk_status) -> *const c_char {
    let text: &'static str = match status {
        BK_OK => "ok",
        BK_NULL_PARAMETER => "null_parameter",
        BK_BUFFER_TOO_SMALL => "buffer_too_small",
        BK_INVALID_HANDLE => "invalid_handle",
        code => match bankkey::ErrorKind::from_code(code) {
            Some(kind) => kind.name(),
            None => "unknown",
        },
    };
    static_cstr(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn s(p: *const c_char) -> &'static str {
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    /// Every `ErrorKind` has its `BK_<NAME>` constant with its code in the checked-in header,
    /// and every code constant of the header is a kind or one of the C-only codes.
    #[test]
    fn constants_match_error_kinds() {
        let header = include_str!("../../include/bankkey.h");
        let mut defined = std::collections::BTreeMap::new();
        for line in header.lines() {
            let Some(rest) = line.strip_prefix("#define BK_") else {
                continue;
            };
            let mut parts = rest.split_whitespace();
            let (Some(name), Some(value)) = (parts.next(), parts.next()) else {
                continue;
            };
            if let Ok(v) = value.parse::<u32>() {
                defined.insert(name.to_owned(), v);
            }
        }
        for kind in bankkey::ErrorKind::ALL {
            let name = kind.name().to_ascii_uppercase();
            assert_eq!(
                defined.get(&name),
                Some(&kind.code()),
                "BK_{name} must be #defined as {} in include/bankkey.h",
                kind.code()
            );
        }
        for (name, code) in [
            ("OK", BK_OK),
            ("NULL_PARAMETER", BK_NULL_PARAMETER),
            ("BUFFER_TOO_SMALL", BK_BUFFER_TOO_SMALL),
            ("INVALID_HANDLE", BK_INVALID_HANDLE),
        ] {
            assert_eq!(defined.get(name), Some(&code), "BK_{name}");
            assert!(
                bankkey::ErrorKind::from_code(code).is_none(),
                "{code} is C-only"
            );
        }
    }

    #[test]
    fn every_kind_has_a_description_and_name() {
        for k in bankkey::ErrorKind::ALL {
            assert_eq!(s(bk_status_description(k.code())), k.description());
            assert_eq!(s(bk_status_name(k.code())), k.name());
        }
        assert_eq!(s(bk_status_description(12345)), "unknown status");
        assert_eq!(s(bk_status_name(12345)), "unknown");
        assert_eq!(s(bk_status_name(BK_INVALID_HANDLE)), "invalid_handle");
    }

    #[test]
    fn version_is_the_crate_version() {
        assert_eq!(s(bk_version()), env!("CARGO_PKG_VERSION"));
        let v = format!("{BANKKEY_VERSION_MAJOR}.{BANKKEY_VERSION_MINOR}.{BANKKEY_VERSION_PATCH}");
        assert_eq!(
            v,
            env!("CARGO_PKG_VERSION"),
            "BANKKEY_VERSION_* in status.rs"
        );
    }
}
