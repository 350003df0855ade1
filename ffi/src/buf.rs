//! Buffers and strings across the boundary, and the conversion of the other plain inputs
//! (times, paths, secrets, enum values).
//!
//! - Input bytes: a pointer and a length (`len` 0 may come with NULL).
//! - Input strings: NUL-terminated UTF-8; not UTF-8 is `BK_INVALID_INPUT` naming the
//!   parameter. Paths are taken as bytes (Unix file names need not be UTF-8).
//! - PINs and passwords: bytes and a length, copied into a zeroizing secret and never put in a
//!   message; the caller wipes its own copy.
//! - Output the library computed (PEM, JSON, a PDF, a signature): a [`bk_bytes`] the caller
//!   owns and frees with `bk_bytes_free`, which wipes it. Always NUL-terminated one byte past
//!   `len`, so text can be used as a C string; `len` is authoritative.
//! - Output the library stores (a certificate's DER, a name's value): borrowed [`bk_slice`] /
//!   [`bk_str`], valid as long as the handle they came from.

use std::ffi::{CStr, c_char};
use std::path::PathBuf;

use secrecy::SecretString;
use time::OffsetDateTime;
use zeroize::Zeroize;

use crate::error::{Fail, Result, quiet};

/// Bytes the library made for the caller: the caller owns them and frees them with
/// `bk_bytes_free`. `data[len]` is a NUL byte (not counted in `len`), so text output is also a
/// C string. An empty result has `len` 0 and a non-NULL `data`.
#[repr(C)]
pub struct bk_bytes {
    /// The bytes (`len` of them, then a NUL).
    pub data: *mut u8,
    /// How many bytes, without the trailing NUL.
    pub len: usize,
}

/// A byte range. In what the library returns (a view), the bytes are owned by a handle and
/// valid until it is freed; `len` 0 means absent or empty (`data` may then be NULL). As an
/// argument (`bk_scan`'s inputs, `bk_verify_many`'s messages), the bytes are the caller's,
/// read during the call and not kept.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bk_slice {
    /// The bytes.
    pub data: *const u8,
    /// How many.
    pub len: usize,
}

/// UTF-8 text owned by a handle: valid until that handle is freed. Always NUL-terminated,
/// but `len` is authoritative: a certificate's value may hold U+0000. An absent value has
/// `ptr` NULL and `len` 0.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bk_str {
    /// The text, NUL-terminated.
    pub ptr: *const c_char,
    /// Its length in bytes, without the NUL.
    pub len: usize,
}

impl bk_slice {
    pub(crate) const EMPTY: bk_slice = bk_slice {
        data: std::ptr::null(),
        len: 0,
    };

    pub(crate) fn of(bytes: &[u8]) -> bk_slice {
        bk_slice {
            data: bytes.as_ptr(),
            len: bytes.len(),
        }
    }
}

impl bk_str {
    pub(crate) const NONE: bk_str = bk_str {
        ptr: std::ptr::null(),
        len: 0,
    };
}

impl bk_bytes {
    pub(crate) fn from_vec(mut v: Vec<u8>) -> bk_bytes {
        let len = v.len();
        v.push(0);
        let boxed = v.into_boxed_slice();
        bk_bytes {
            data: Box::into_raw(boxed).cast(),
            len,
        }
    }

    pub(crate) fn from_string(s: String) -> bk_bytes {
        bk_bytes::from_vec(s.into_bytes())
    }
}

/// Frees (and wipes) bytes the library handed out, and sets `bytes` to `{NULL, 0}`. NULL, or
/// `{NULL, 0}`, is a no-op, so calling it twice on the same `bk_bytes` is safe.
///
/// # Safety
/// `bytes` is NULL or points to a `bk_bytes` filled by this library and not freed since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bytes_free(bytes: *mut bk_bytes) {
    quiet((), || {
        if bytes.is_null() {
            return;
        }
        // SAFETY: the caller passes a bk_bytes this library filled.
        let b = unsafe { &mut *bytes };
        if b.data.is_null() {
            return;
        }
        // SAFETY: made by from_vec: a boxed slice of len + 1 bytes.
        let mut boxed =
            unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(b.data, b.len + 1)) };
        boxed.zeroize();
        drop(boxed);
        b.data = std::ptr::null_mut();
        b.len = 0;
    })
}

/// Text stored for a view: owned, NUL-terminated, handed out as [`bk_str`].
#[derive(Debug, Default)]
pub(crate) struct Text(Option<Box<[u8]>>);

impl Text {
    pub fn new(s: &str) -> Text {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        Text(Some(v.into_boxed_slice()))
    }

    pub fn as_c(&self) -> bk_str {
        match &self.0 {
            Some(b) => bk_str {
                ptr: b.as_ptr().cast(),
                len: b.len() - 1,
            },
            None => bk_str::NONE,
        }
    }
}

/// The bytes at `data`, `len` long (`len` 0: empty, whatever `data` is).
///
/// # Safety
/// `data` is NULL or points to `len` readable bytes that outlive the call.
pub(crate) unsafe fn bytes<'a>(data: *const u8, len: usize, param: &str) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(Fail::null(param));
    }
    // SAFETY: the caller passes len readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// `count` byte ranges the caller passes as an array of [`bk_slice`], each checked like
/// [`bytes`] (a NULL pointer with a length is refused, naming `param[i]`).
///
/// # Safety
/// `v` is NULL or points to `count` ranges, each as [`bytes`] requires.
pub(crate) unsafe fn slices<'a>(
    v: *const bk_slice,
    count: usize,
    param: &str,
) -> Result<Vec<&'a [u8]>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if v.is_null() {
        return Err(Fail::null(param));
    }
    // SAFETY: the caller passes `count` ranges.
    let ranges = unsafe { std::slice::from_raw_parts(v, count) };
    ranges
        .iter()
        .enumerate()
        .map(|(i, r)| unsafe { bytes(r.data, r.len, &format!("{param}[{i}]")) })
        .collect()
}

/// A NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(crate) unsafe fn string<'a>(p: *const c_char, param: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(Fail::null(param));
    }
    // SAFETY: the caller passes a NUL-terminated string.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|e| Fail::invalid(param, format!("{param} is not UTF-8 ({e})")))
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As for [`string`].
pub(crate) unsafe fn opt_string<'a>(p: *const c_char, param: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        unsafe { string(p, param) }.map(Some)
    }
}

/// A path argument, as the bytes of a Unix file name.
///
/// # Safety
/// As for [`string`].
pub(crate) unsafe fn path(p: *const c_char, param: &str) -> Result<PathBuf> {
    if p.is_null() {
        return Err(Fail::null(param));
    }
    // SAFETY: the caller passes a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    if bytes.is_empty() {
        return Err(Fail::invalid(param, format!("{param} is empty")));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(bytes)
            .map(PathBuf::from)
            .map_err(|_| Fail::invalid(param, format!("{param} is not UTF-8")))
    }
}

/// A PIN or password: `len` bytes of UTF-8, copied into a zeroizing secret. The message of a
/// failure never shows the bytes.
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn secret(data: *const u8, len: usize, param: &str) -> Result<SecretString> {
    let b = unsafe { bytes(data, len, param) }?;
    let s = std::str::from_utf8(b)
        .map_err(|_| Fail::invalid(param, format!("{param} is not UTF-8")))?;
    Ok(SecretString::from(s.to_owned()))
}

/// An instant in Unix seconds (UTC).
pub(crate) fn instant(at: i64, param: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(at)
        .map_err(|_| Fail::invalid(param, format!("{param} is out of range")))
}

/// Writes `value` to an out-parameter (checked non-NULL before the work by [`out`]).
pub(crate) struct Out<'a, T>(&'a mut T);

impl<T> Out<'_, T> {
    pub fn set(self, value: T) {
        *self.0 = value;
    }
}

/// An out-parameter, checked for NULL before any work is done; written only on success.
///
/// # Safety
/// `p` is NULL or points to writable memory for a `T`.
pub(crate) unsafe fn out<'a, T>(p: *mut T, param: &str) -> Result<Out<'a, T>> {
    if p.is_null() {
        return Err(Fail::null(param));
    }
    // SAFETY: the caller passes a writable T.
    Ok(Out(unsafe { &mut *p }))
}

/// The largest `struct_size` taken: anything larger is an uninitialised size, not a struct.
const MAX_STRUCT_SIZE: usize = 64 * 1024;

/// An input struct that starts with `size_t struct_size` (how input structs grow: fields are
/// only appended), copied out of the caller's memory. The caller's struct may be older and
/// shorter, down to `first` bytes (its size in the release that introduced it): the fields it
/// lacks read as zero, which is their default. It may be newer and longer: the fields this
/// library does not know must then be zero, else `BK_INVALID_INPUT` — a newer program asking
/// for something this library cannot do is told so, never silently ignored (the rule of
/// Linux's `copy_struct_from_user`). NULL is `None`.
///
/// # Safety
/// `p` is NULL or points to a struct whose first field is its size in bytes, readable for that
/// many bytes. `T` is `repr(C)`, starts with a `usize`, and all-zero bytes are a valid `T`
/// (pointers, integers, `bool`, `Option<fn>`).
pub(crate) unsafe fn versioned<T: Copy>(
    p: *const T,
    first: usize,
    param: &str,
) -> Result<Option<T>> {
    if p.is_null() {
        return Ok(None);
    }
    let ours = std::mem::size_of::<T>();
    // SAFETY: the caller's struct starts with its size.
    let size = unsafe { p.cast::<usize>().read() };
    let field = format!("{param}.struct_size");
    if size < first || size > MAX_STRUCT_SIZE {
        return Err(Fail::invalid(
            &field,
            format!("{size} is not a size of this struct: set it to sizeof (at least {first})"),
        ));
    }
    if size > ours {
        // SAFETY: the caller's struct is `size` bytes long.
        let tail = unsafe { std::slice::from_raw_parts(p.cast::<u8>().add(ours), size - ours) };
        if let Some(i) = tail.iter().position(|&b| b != 0) {
            return Err(Fail::invalid(
                &field,
                format!(
                    "the struct is {size} bytes, this library ({}) knows {ours}, and byte {} past \
                     them is set: a field this library does not have (use a newer library)",
                    env!("CARGO_PKG_VERSION"),
                    i
                ),
            ));
        }
    }
    // SAFETY: all-zero bytes are a valid T (the caller's promise).
    let mut v: T = unsafe { std::mem::zeroed() };
    // SAFETY: `size.min(ours)` bytes are readable at `p` and writable in `v`.
    unsafe {
        std::ptr::copy_nonoverlapping(
            p.cast::<u8>(),
            (&mut v as *mut T).cast::<u8>(),
            size.min(ours),
        )
    };
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_free_twice() {
        let mut b = bk_bytes::from_string("абв".to_owned());
        assert_eq!(b.len, 6);
        assert_eq!(unsafe { *b.data.add(6) }, 0);
        unsafe {
            bk_bytes_free(&mut b);
            assert!(b.data.is_null());
            bk_bytes_free(&mut b);
            bk_bytes_free(std::ptr::null_mut());
        }
    }

    #[test]
    fn strings_must_be_utf8() {
        let bad = b"\xff\xfe\0";
        let e = unsafe { string(bad.as_ptr().cast(), "label") }.unwrap_err();
        assert_eq!(e.status, crate::status::BK_INVALID_INPUT);
        assert_eq!(e.field.as_deref(), Some("label"));
        let e = unsafe { secret(bad.as_ptr(), 2, "pin") }.unwrap_err();
        assert!(!e.message.contains('\u{fffd}'));
        assert_eq!(unsafe { bytes(std::ptr::null(), 0, "d") }.unwrap(), b"");
        assert!(unsafe { bytes(std::ptr::null(), 1, "d") }.is_err());
    }

    #[test]
    fn text_keeps_an_inner_nul() {
        let t = Text::new("a\0b");
        let c = t.as_c();
        assert_eq!(c.len, 3);
        assert_eq!(Text::default().as_c().ptr, std::ptr::null());
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct V2 {
        struct_size: usize,
        a: u32,
        b: u32,
    }

    #[test]
    fn versioned_structs_grow_at_the_end() {
        let first = std::mem::offset_of!(V2, b);
        // An older caller's struct: `b` did not exist, it reads as zero (its default).
        let old: [usize; 2] = [first, 7];
        let v = unsafe { versioned(old.as_ptr().cast::<V2>(), first, "o") }
            .unwrap()
            .unwrap();
        assert_eq!((v.a, v.b), (7, 0));
        // The current struct, and a newer one whose unknown tail is zero.
        let mut newer = [0usize; 4];
        let cur = V2 {
            struct_size: std::mem::size_of::<V2>(),
            a: 1,
            b: 2,
        };
        unsafe { std::ptr::copy_nonoverlapping(&cur, newer.as_mut_ptr().cast::<V2>(), 1) };
        newer[0] = 4 * std::mem::size_of::<usize>();
        let v = unsafe { versioned(newer.as_ptr().cast::<V2>(), first, "o") }
            .unwrap()
            .unwrap();
        assert_eq!((v.a, v.b, v.struct_size), (1, 2, newer[0]));
        // A newer field this library does not know, set: refused, never ignored.
        newer[3] = 1;
        let e = unsafe { versioned(newer.as_ptr().cast::<V2>(), first, "o") }.unwrap_err();
        assert_eq!(e.field.as_deref(), Some("o.struct_size"));
        assert!(e.message.contains("newer library"), "{}", e.message);
        // Too small (older than the struct itself), or an uninitialised size.
        for size in [0, first - 1, 1 << 40] {
            let bad: [usize; 4] = [size, 0, 0, 0];
            let e = unsafe { versioned(bad.as_ptr().cast::<V2>(), first, "o") }.unwrap_err();
            assert_eq!(e.status, crate::status::BK_INVALID_INPUT);
        }
        assert!(
            unsafe { versioned::<V2>(std::ptr::null(), first, "o") }
                .unwrap()
                .is_none()
        );
    }
}
