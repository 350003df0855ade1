//! The JSON report of any object (`inspect`): the same bytes as the Rust `report::inspect`
//! and the `inspect` example, with the verdict and reason vocabulary of the Rust report.

use std::sync::OnceLock;

use bankkey::report::{Options, Report};

use crate::buf::{self, bk_bytes, bk_str};
use crate::error::{boundary, quiet};
use crate::handle::{self, castable};
use crate::pki::{bk_certificate, bk_public_key, certificates};
use crate::status::bk_status;
use crate::view::{Arena, View};

/// The report of one object. Immutable: usable from any thread at once. Free with
/// `bk_report_free`.
pub struct bk_report {
    _private: [u8; 0],
}
castable!(bk_report => ReportH, b"bk-rprt\0");

pub(crate) struct ReportH {
    report: Report,
    view: OnceLock<View<bk_report_info>>,
}

/// What to check an object against in `bk_inspect`. Set `struct_size` to
/// `sizeof(bk_inspect_options)`: fields are only ever appended, and the library reads only
/// those the caller's struct has.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bk_inspect_options {
    /// `sizeof(bk_inspect_options)` as the caller compiled it.
    pub struct_size: usize,
    /// Use `at` as the time of the checks (otherwise: now).
    pub has_at: bool,
    /// The time of the checks, Unix seconds.
    pub at: i64,
    /// Trust anchors (and intermediate CAs) for certificates and CMS signers.
    pub trust: *const *const bk_certificate,
    /// How many.
    pub trust_count: usize,
    /// The password of an encrypted PKCS#8 key (NULL: none).
    pub password: *const u8,
    /// Its length.
    pub password_len: usize,
    /// The public key the object must hold (NULL: any); another is `key-mismatch`.
    pub expected_key: *const bk_public_key,
    /// The content of a detached CMS signature (NULL: none, and a detached signature is then
    /// `content-missing`).
    pub content: *const u8,
    /// Its length.
    pub content_len: usize,
}

/// The verdict of a report and its reason. Owned by the report handle.
#[repr(C)]
pub struct bk_report_info {
    /// What was inspected: "certificate", "certificate-request", "private-key",
    /// "public-key", "signed-data", "pfx", "cryptopro-container" or "unknown".
    pub kind: bk_str,
    /// `valid` only when every check the object's authenticity rests on was made and passed.
    pub valid: bool,
    /// The verdict's code (`bk_text(BK_VOCABULARY_VERDICT, …)`).
    pub verdict: u32,
    /// Its machine name ("valid", "invalid").
    pub verdict_name: bk_str,
    /// The reason's code when invalid (`bk_text(BK_VOCABULARY_REPORT_REASON, …)`), else 0.
    pub reason: u32,
    /// Its machine name ("bad-signature", "untrusted", "content-missing", ...), absent when
    /// valid.
    pub reason_name: bk_str,
    /// The failed check's detail, when invalid.
    pub message: bk_str,
}

/// Inspects whatever `data` holds — a certificate, request, PKCS#8 key (plain or encrypted),
/// public key or CMS SignedData, DER or PEM — and makes every check it can. `options` may be
/// NULL (no trust anchors: a certificate is then `untrusted`; the time is now). The report is
/// made even for bytes that are not an object (verdict invalid, `malformed`): the status says
/// only whether the call itself worked.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_inspect(
    data: *const u8,
    len: usize,
    options: *const bk_inspect_options,
    out: *mut *mut bk_report,
) -> bk_status {
    boundary("bk_inspect", || {
        let out = unsafe { buf::out(out, "out") }?;
        let input = unsafe { buf::bytes(data, len, "data") }?;
        let opts = unsafe { options_of(options) }?;
        let report = bankkey::report::inspect(input, &opts);
        out.set(handle::into_handle::<bk_report>(ReportH {
            report,
            view: OnceLock::new(),
        }));
        Ok(())
    })
}

/// Like `bk_inspect` for a path: a file, or a CryptoPro container folder (`options->password`
/// is then its PIN; the report says what the container holds and whether the PIN opens the
/// key, never the key or the PIN). `options` may be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_inspect_path(
    path: *const std::ffi::c_char,
    options: *const bk_inspect_options,
    out: *mut *mut bk_report,
) -> bk_status {
    boundary("bk_inspect_path", || {
        let out = unsafe { buf::out(out, "out") }?;
        let path = unsafe { buf::path(path, "path") }?;
        let opts = unsafe { options_of(options) }?;
        let report = bankkey::report::inspect_path(&path, &opts);
        out.set(handle::into_handle::<bk_report>(ReportH {
            report,
            view: OnceLock::new(),
        }));
        Ok(())
    })
}

/// `sizeof(bk_inspect_options)` in 0.1, the release that introduced it; it stays when fields
/// are appended.
const INSPECT_OPTIONS_FIRST: usize = std::mem::size_of::<bk_inspect_options>();

/// The options of `bk_inspect` / `bk_inspect_path`: NULL is the defaults.
unsafe fn options_of(options: *const bk_inspect_options) -> crate::error::Result<Options> {
    match unsafe { buf::versioned(options, INSPECT_OPTIONS_FIRST, "options") }? {
        None => Ok(Options::default()),
        Some(o) => unsafe { read_options(&o) },
    }
}

unsafe fn read_options(o: &bk_inspect_options) -> crate::error::Result<Options> {
    let trust = certificates(unsafe { handle::get_all(o.trust, o.trust_count, "options.trust") }?);
    let password = if o.password.is_null() {
        None
    } else {
        let p = unsafe { buf::bytes(o.password, o.password_len, "options.password") }?;
        Some(zeroize::Zeroizing::new(p.to_vec()))
    };
    let expected_key = if o.expected_key.is_null() {
        None
    } else {
        Some(
            unsafe { handle::get(o.expected_key, "options.expected_key") }?
                .key
                .clone(),
        )
    };
    let content = if o.content.is_null() {
        None
    } else {
        Some(unsafe { buf::bytes(o.content, o.content_len, "options.content") }?.to_vec())
    };
    Ok(Options {
        at: if o.has_at {
            Some(buf::instant(o.at, "options.at")?)
        } else {
            None
        },
        trust,
        // the C options have no intermediates yet: everything given is an anchor, as before
        intermediates: Vec::new(),
        password,
        expected_key,
        content,
    })
}

/// The report as JSON, pretty-printed (`pretty`: what the `inspect` tool prints) or on one
/// line (for JSON lines).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_report_json(
    report: *const bk_report,
    pretty: bool,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_report_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(report, "report") }?;
        let json = if pretty {
            h.report.to_json()
        } else {
            h.report.to_json_compact()
        };
        out.set(bk_bytes::from_string(json));
        Ok(())
    })
}

/// The verdict and its reason. `*out` stays valid until the report is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_report_get_info(
    report: *const bk_report,
    out: *mut *const bk_report_info,
) -> bk_status {
    boundary("bk_report_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(report, "report") }?;
        let v = h.view.get_or_init(|| {
            let r = &h.report;
            let mut a = Arena::default();
            let info = bk_report_info {
                kind: a.str(r.kind.as_str()),
                valid: r.is_valid(),
                verdict: r.verdict.code(),
                verdict_name: a.str(r.verdict.as_str()),
                reason: r.reason.map_or(0, |x| x.code()),
                reason_name: a.opt_str(r.reason.map(|x| x.as_str())),
                message: a.opt_str(r.message.as_deref()),
            };
            View::new(a, info)
        });
        out.set(&v.c);
        Ok(())
    })
}

/// Frees a report (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_report_free(report: *mut bk_report) {
    quiet((), || unsafe { handle::free(report) })
}
