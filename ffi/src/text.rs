//! Static strings for C: the core's `&'static str` names and words (statuses, reasons,
//! descriptions) handed out NUL-terminated, each made once and kept for the life of the
//! process (a bounded set: only the core's static texts come here).

use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char};
use std::sync::{Mutex, OnceLock};

/// A NUL-terminated copy of a static text, made on first use and never freed.
pub(crate) fn static_cstr(text: &'static str) -> *const c_char {
    static TEXTS: OnceLock<Mutex<HashMap<&'static str, &'static CStr>>> = OnceLock::new();
    let texts = TEXTS.get_or_init(Default::default);
    // A poisoned lock only means another thread panicked while inserting: the map is whole.
    let mut texts = texts.lock().unwrap_or_else(|p| p.into_inner());
    let c = texts.entry(text).or_insert_with(|| {
        // The core's static texts have no NUL inside; cut at one if ever they do.
        let bytes = text.split('\0').next().unwrap_or_default();
        let c = CString::new(bytes).unwrap_or_default();
        Box::leak(c.into_boxed_c_str())
    });
    c.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_made_once() {
        let a = static_cstr("Принят банком");
        let b = static_cstr("Принят банком");
        assert_eq!(a, b);
        assert_eq!(
            unsafe { CStr::from_ptr(a) }.to_str().unwrap(),
            "Принят банком"
        );
    }
}
