//! Opaque handles with a type tag.
//!
//! C sees `typedef struct bk_x bk_x;` (a zero-sized Rust type, never instantiated); the
//! library allocates a `Tagged<T>` — a `u64` tag first, then the Rust value — and hands out
//! its address cast to `bk_x *`. Every function reads the tag before using the value: a NULL
//! pointer gives `BK_NULL_PARAMETER`, another type's handle (or a freed one, whose tag is
//! wiped on free) gives `BK_INVALID_HANDLE`. `_free(NULL)` does nothing; a `_free` of a handle
//! of the wrong type does nothing either (leaking beats freeing what is not ours).

use crate::error::{Fail, Result};
use crate::status::BK_INVALID_HANDLE;

#[repr(C)]
struct Tagged<T> {
    tag: u64,
    value: T,
}

/// The tag a freed handle carries until its memory is reused.
const FREED: u64 = 0xDEAD_DEAD_DEAD_DEAD;

/// A C handle type: the Rust value behind it and its tag.
pub(crate) trait Castable {
    /// The value the handle owns.
    type Rust;
    /// A tag no other handle type has.
    const TAG: u64;
    /// The C type's name, for messages.
    const NAME: &'static str;
}

/// Ties a handle type (a zero-sized struct written out where it is declared, so that cbindgen
/// sees it and writes `typedef struct bk_x bk_x;`) to its Rust value and tag.
macro_rules! castable {
    ($c:ident => $rust:ty, $tag:literal) => {
        impl $crate::handle::Castable for $c {
            type Rust = $rust;
            const TAG: u64 = u64::from_be_bytes(*$tag);
            const NAME: &'static str = stringify!($c);
        }
    };
}
pub(crate) use castable;

/// Moves `value` into a new handle.
pub(crate) fn into_handle<C: Castable>(value: C::Rust) -> *mut C {
    Box::into_raw(Box::new(Tagged { tag: C::TAG, value })).cast()
}

/// The value behind a handle the caller passed as parameter `param`.
///
/// # Safety
/// `p` is NULL or a pointer the host got from this library (of any handle type) and has
/// not freed.
pub(crate) unsafe fn get<'a, C: Castable>(p: *const C, param: &str) -> Result<&'a C::Rust> {
    if p.is_null() {
        return Err(Fail::null(param));
    }
    let t = p.cast::<Tagged<C::Rust>>();
    // SAFETY: every handle this library makes starts with the u64 tag (repr(C)).
    let tag = unsafe { std::ptr::addr_of!((*t).tag).read() };
    if tag != C::TAG {
        return Err(Fail::new(
            BK_INVALID_HANDLE,
            format!("{param} is not a live {}", C::NAME),
        )
        .field(param));
    }
    // SAFETY: the tag says this allocation is a Tagged<C::Rust> made by into_handle.
    Ok(unsafe { &(*t).value })
}

/// Frees a handle (NULL, or a handle of another type: nothing happens).
///
/// # Safety
/// As for [`get`]; the handle is not used again.
pub(crate) unsafe fn free<C: Castable>(p: *mut C) {
    if p.is_null() {
        return;
    }
    let t = p.cast::<Tagged<C::Rust>>();
    // SAFETY: as in `get`.
    let tag = unsafe { std::ptr::addr_of!((*t).tag).read() };
    if tag != C::TAG {
        return;
    }
    // SAFETY: made by into_handle (Box<Tagged<_>>), freed once: the tag is wiped first, so a
    // second free of the same pointer (before the memory is reused) is refused above.
    unsafe {
        std::ptr::write_volatile(std::ptr::addr_of_mut!((*t).tag), FREED);
        drop(Box::from_raw(t));
    }
}

/// The values behind an array of `n` handles (`n` may be 0 with a NULL array); each element
/// must be a live handle.
///
/// # Safety
/// `items` is NULL or points to `n` readable handle pointers.
pub(crate) unsafe fn get_all<'a, C: Castable>(
    items: *const *const C,
    n: usize,
    param: &str,
) -> Result<Vec<&'a C::Rust>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if items.is_null() {
        return Err(Fail::null(param));
    }
    // SAFETY: the caller passes n readable pointers.
    let ptrs = unsafe { std::slice::from_raw_parts(items, n) };
    ptrs.iter()
        .enumerate()
        .map(|(i, p)| unsafe { get::<C>(*p, &format!("{param}[{i}]")) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub struct bk_test_a {
        _private: [u8; 0],
    }
    castable!(bk_test_a => String, b"test-aaa");
    pub struct bk_test_b {
        _private: [u8; 0],
    }
    castable!(bk_test_b => u32, b"test-bbb");

    #[test]
    fn tags_tell_types_apart() {
        let a = into_handle::<bk_test_a>("x".to_owned());
        let b = into_handle::<bk_test_b>(7);
        unsafe {
            assert_eq!(get::<bk_test_a>(a, "a").unwrap(), "x");
            assert_eq!(*get::<bk_test_b>(b, "b").unwrap(), 7);
            let wrong = get::<bk_test_b>(a.cast(), "b").unwrap_err();
            assert_eq!(wrong.status, BK_INVALID_HANDLE);
            assert_eq!(wrong.field.as_deref(), Some("b"));
            let null = get::<bk_test_a>(std::ptr::null(), "cert").unwrap_err();
            assert_eq!(null.status, crate::status::BK_NULL_PARAMETER);
            // freeing with the wrong type does nothing; the right type frees
            free::<bk_test_b>(a.cast());
            assert_eq!(get::<bk_test_a>(a, "a").unwrap(), "x");
            free::<bk_test_a>(a);
            free::<bk_test_b>(b);
            free::<bk_test_a>(std::ptr::null_mut());
        }
    }
}
