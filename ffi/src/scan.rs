//! Bulk work on every core, as C sees it: a bank's archive of certificates judged at once
//! (`bankkey::scan::scan`: whose certificate is due for replacement, expired, not yet valid,
//! with a wrong INN/OGRN/SNILS check digit, untrusted) and many signatures verified at once
//! (`bankkey::scan::verify_many`). The judgement is the core's; this module converts.

use std::sync::Arc;

use bankkey::pki::Certificate;
use bankkey::scan::{self, ScanEntry, ScanOptions, SignatureItem};

use crate::buf::{self, bk_slice, bk_str};
use crate::error::{Fail, boundary, quiet};
use crate::handle::{self, castable};
use crate::pki::{CertificateH, PublicKeyH, bk_certificate, bk_public_key, certificates};
use crate::status::{BK_OK, bk_status};
use crate::view::{self, Arena, View, bk_identifier_check};

/// What `bk_scan` found (a snapshot). Immutable: usable from any thread at once. Free with
/// `bk_scan_result_free`.
pub struct bk_scan_result {
    _private: [u8; 0],
}
castable!(bk_scan_result => ScanH, b"bk-scan\0");

pub(crate) struct ScanH {
    certs: Vec<Option<Arc<Certificate>>>,
    view: View<bk_scan_result_info>,
}

/// What `bk_scan` judges against. Set `struct_size` to `sizeof(bk_scan_options)`; fields are
/// only ever appended.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bk_scan_options {
    /// `sizeof(bk_scan_options)` as the caller compiled it.
    pub struct_size: usize,
    /// The moment of the judgement, Unix seconds.
    pub at: i64,
    /// The replacement window in days (0: 30).
    pub window_days: u32,
    /// Trust anchors (and intermediate CAs); none: paths are not checked, and no entry is
    /// `BK_SCAN_GROUP_UNTRUSTED` (nor vouched for: `chain_checked` says so).
    pub trust: *const *const bk_certificate,
    /// How many.
    pub trust_count: usize,
    /// Worker threads: 0 for one per core, 1 for the calling thread alone.
    pub threads: u32,
}

/// One certificate found in one input, judged.
#[repr(C)]
pub struct bk_scan_entry {
    /// The index of the input it came from (an input with several certificates — a PEM
    /// bundle, a CMS — gives several entries).
    pub input: usize,
    /// `BK_SCAN_GROUP_*`: the first, worst, group whose condition holds.
    pub group: u32,
    /// Its machine name ("replacement-due", "bad-identifiers", ...).
    pub group_name: bk_str,
    /// `BK_KEY_SET_STATUS_*` the certificate gives at the scan's moment; 0 when unreadable.
    pub key_set_status: u32,
    /// Whether `days_left` is set (not for an unreadable input).
    pub has_days_left: bool,
    /// Whole days to notAfter, rounded down; negative once expired.
    pub days_left: i64,
    /// The path to the trust anchors was checked (anchors were given).
    pub chain_checked: bool,
    /// The worst problem (`BK_REASON_*`, the report's order), or 0 for the groups "fine" and
    /// "replacement-due".
    pub reason: u32,
    /// Its machine name ("expired", "bad-inn-checksum", ...), when there is one.
    pub reason_name: bk_str,
    /// The worst problem's detail, when there is one.
    pub message: bk_str,
    /// Why the input could not be read (a status: `BK_MALFORMED_ENCODING`, ...), else `BK_OK`.
    pub error: bk_status,
    /// The certificate (DER), when read; `bk_scan_result_certificate` gives it as a handle.
    pub certificate: bk_slice,
    /// Its subject on one line, when read.
    pub subject: bk_str,
    /// Its serial in uppercase hex, when read.
    pub serial_hex: bk_str,
    /// Its notAfter, Unix seconds (0 when unreadable).
    pub not_after: i64,
    /// The checks of the subject's identifiers (INN, INNLE, OGRN, OGRNIP, SNILS), in order.
    pub identifiers: *const bk_identifier_check,
    /// How many.
    pub identifiers_count: usize,
}

/// The entries of a scan, in input order. Owned by the `bk_scan_result`.
#[repr(C)]
pub struct bk_scan_result_info {
    /// The entries.
    pub entries: *const bk_scan_entry,
    /// How many.
    pub count: usize,
}

fn entry_view(a: &mut Arena, e: &ScanEntry) -> bk_scan_entry {
    let cert = e.certificate.as_ref();
    let (identifiers, identifiers_count) = view::identifiers(a, &e.identifiers);
    bk_scan_entry {
        input: e.input,
        group: e.group.code(),
        group_name: a.str(e.group.as_str()),
        key_set_status: e.status.map_or(0, |s| s.code()),
        has_days_left: e.days_left.is_some(),
        days_left: e.days_left.unwrap_or(0),
        chain_checked: e.chain_checked,
        reason: e.reason.map_or(0, |r| r.code()),
        reason_name: a.opt_str(e.reason.map(|r| r.as_str())),
        message: a.opt_str(e.message.as_deref()),
        error: e.error.as_ref().map_or(BK_OK, |e| e.code()),
        certificate: cert.map_or(bk_slice::EMPTY, |c| a.bytes(c.der().to_vec())),
        subject: a.opt_str(cert.map(|c| c.subject().to_string()).as_deref()),
        serial_hex: a.opt_str(cert.map(|c| view::hex_upper(c.serial())).as_deref()),
        not_after: cert.map_or(0, |c| c.not_after().unix_timestamp()),
        identifiers,
        identifiers_count,
    }
}

/// `sizeof(bk_scan_options)` in 0.1, the release that introduced it; it stays when fields
/// are appended.
const SCAN_OPTIONS_FIRST: usize = std::mem::size_of::<bk_scan_options>();

/// Reads and judges every certificate of `inputs` (`inputs_count` byte ranges, each a DER or
/// PEM certificate, a PEM bundle, or a CMS SignedData with certificates) at `options->at`, on
/// `options->threads` threads: the group each belongs to, the key-set status it gives, days
/// left, the identifier checks and the worst problem, as the rest of the library judges them
/// (a report, `bk_client_assess`). What cannot be read is an entry (`BK_SCAN_GROUP_UNREADABLE`
/// with its `error`), never a failure of the call: the status says only whether the call
/// itself worked. `*out` receives the result, a new handle; the inputs are not kept.
///
/// Errors: `BK_NULL_PARAMETER` (field "inputs[i]") for a range with a NULL pointer and a
/// length; `BK_INVALID_INPUT` for `options`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_scan(
    inputs: *const bk_slice,
    inputs_count: usize,
    options: *const bk_scan_options,
    out: *mut *mut bk_scan_result,
) -> bk_status {
    boundary("bk_scan", || {
        let out = unsafe { buf::out(out, "out") }?;
        let o = unsafe { buf::versioned(options, SCAN_OPTIONS_FIRST, "options") }?
            .ok_or_else(|| Fail::null("options"))?;
        let ranges = unsafe { buf::slices(inputs, inputs_count, "inputs") }?;
        let trust =
            certificates(unsafe { handle::get_all(o.trust, o.trust_count, "options.trust") }?);
        let opts = ScanOptions {
            at: buf::instant(o.at, "options.at")?,
            window_days: if o.window_days == 0 {
                bankkey::lifecycle::DEFAULT_REPLACEMENT_WINDOW_DAYS
            } else {
                o.window_days
            },
            trust,
            threads: if o.threads == 0 {
                None
            } else {
                Some(o.threads as usize)
            },
            // The C entries hand out certificate handles.
            keep_certificates: true,
        };
        let entries = scan::scan(&ranges, &opts);
        let mut a = Arena::default();
        let items: Vec<bk_scan_entry> = entries.iter().map(|e| entry_view(&mut a, e)).collect();
        let (entries_ptr, count) = a.array(items);
        out.set(handle::into_handle::<bk_scan_result>(ScanH {
            certs: entries
                .into_iter()
                .map(|e| e.certificate.map(Arc::new))
                .collect(),
            view: View::new(
                a,
                bk_scan_result_info {
                    entries: entries_ptr,
                    count,
                },
            ),
        }));
        Ok(())
    })
}

/// The entries. `*out` stays valid until the result is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_scan_result_get_info(
    result: *const bk_scan_result,
    out: *mut *const bk_scan_result_info,
) -> bk_status {
    boundary("bk_scan_result_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        out.set(&unsafe { handle::get(result, "result") }?.view.c);
        Ok(())
    })
}

/// The `index`-th entry's certificate, as a new handle (every field, the report, PEM).
///
/// Errors: `BK_INVALID_INPUT` (field "index") past the end or for an unreadable entry.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_scan_result_certificate(
    result: *const bk_scan_result,
    index: usize,
    out: *mut *mut bk_certificate,
) -> bk_status {
    boundary("bk_scan_result_certificate", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(result, "result") }?;
        let cert = h
            .certs
            .get(index)
            .ok_or_else(|| {
                Fail::invalid(
                    "index",
                    format!("{index} is past the {} entries", h.certs.len()),
                )
            })?
            .as_ref()
            .ok_or_else(|| Fail::invalid("index", format!("entry {index} holds no certificate")))?;
        out.set(handle::into_handle::<bk_certificate>(CertificateH::new(
            Certificate::clone(cert),
        )));
        Ok(())
    })
}

/// Frees a scan result (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_scan_result_free(result: *mut bk_scan_result) {
    quiet((), || unsafe { handle::free(result) })
}

/// Verifies `count` signatures on `threads` threads (0: one per core, 1: the calling thread):
/// `signatures[i]` over `messages[i]` (the whole message) with `keys[i]` and the key's own
/// algorithm (GOST s‖r, RSA PKCS#1 v1.5 SHA-256, ECDSA DER), as `bk_public_key_verify` does
/// one. `results[i]` (the caller's array of `count`) receives item i's status — `BK_OK`,
/// `BK_BAD_SIGNATURE`, `BK_KEY_MISMATCH`, ... — once every argument was read: the call's own
/// status says only whether it worked. The per-item messages are not kept: verify one item
/// again with `bk_public_key_verify` for its detail.
///
/// Errors: `BK_NULL_PARAMETER` / `BK_INVALID_HANDLE` naming the item ("keys[i]",
/// "messages[i]").
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_verify_many(
    keys: *const *const bk_public_key,
    messages: *const bk_slice,
    signatures: *const bk_slice,
    count: usize,
    threads: u32,
    results: *mut bk_status,
) -> bk_status {
    boundary("bk_verify_many", || {
        if results.is_null() {
            return Err(Fail::null("results"));
        }
        let keys: Vec<&PublicKeyH> = unsafe { handle::get_all(keys, count, "keys") }?;
        let messages = unsafe { buf::slices(messages, count, "messages") }?;
        let signatures = unsafe { buf::slices(signatures, count, "signatures") }?;
        let items: Vec<SignatureItem<'_>> = (0..count)
            .map(|i| SignatureItem {
                key: &keys[i].key,
                message: messages[i],
                signature: signatures[i],
            })
            .collect();
        let threads = if threads == 0 {
            None
        } else {
            Some(threads as usize)
        };
        let verdicts = scan::verify_many(&items, threads);
        if count > 0 {
            // SAFETY: the caller's array of `count` statuses.
            let out = unsafe { std::slice::from_raw_parts_mut(results, count) };
            for (slot, v) in out.iter_mut().zip(verdicts) {
                *slot = v.map_or_else(|e| e.code(), |()| BK_OK);
            }
        }
        Ok(())
    })
}
