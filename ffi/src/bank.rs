//! The bank's side: verify an incoming request (each reject reason as a code and words),
//! accept, check the paper act, issue with a profile and a CA signer, the registry and its
//! support queries (as JSON lines), the accredited-CA list and CRLs for the QES check.

use std::ffi::c_char;
use std::sync::{Arc, Mutex};

use bankkey::bank::registry::json;
use bankkey::bank::{
    AlgorithmPolicy, Bank, Crl, Profile, QesRecord, Received, Registry, TrustedList, VerifyPolicy,
};
use bankkey::calendar::BusinessCalendar;
use bankkey::pki::{IssuerSignTool, KeyUsageBit};

use crate::buf::{self, bk_bytes, bk_str};
use crate::error::{Fail, Result, boundary, quiet};
use crate::handle::{self, castable};
use crate::pki::{CertificateH, CrlH, bk_certificate, bk_crl, certificates};
use crate::request::{bk_subject, lock, strings, subject_of};
use crate::signer::bk_signer;
use crate::status::bk_status;
use crate::text::static_cstr;
use crate::view::{Arena, View};

/// The bank: a registry (SQLite), the CA certificate and its signer, a profile, a
/// calendar and a policy. Calls are serialised by a lock inside: any thread may call, one
/// call runs at a time. Free with `bk_bank_free`.
pub struct bk_bank {
    _private: [u8; 0],
}
castable!(bk_bank => Mutex<Bank>, b"bk-bank\0");
/// A registry opened read-only, for support queries. Calls are serialised by a lock
/// inside. Free with `bk_registry_free`.
pub struct bk_registry {
    _private: [u8; 0],
}
castable!(bk_registry => Mutex<Registry>, b"bk-regst");
/// What the bank answered to a request (a snapshot). Immutable. Free with
/// `bk_received_free`.
pub struct bk_received {
    _private: [u8; 0],
}
castable!(bk_received => ReceivedH, b"bk-recvd");
/// The ministry's list of accredited CAs (TSL XML). Immutable. Free with
/// `bk_trusted_list_free`.
pub struct bk_trusted_list {
    _private: [u8; 0],
}
castable!(bk_trusted_list => Arc<TrustedList>, b"bk-tsl\0\0");
/// A QES registration as the bank records it (a snapshot). Immutable. Free with
/// `bk_bank_qes_free`.
pub struct bk_bank_qes {
    _private: [u8; 0],
}
castable!(bk_bank_qes => BankQesH, b"bk-bqes\0");

pub(crate) struct ReceivedH {
    view: View<bk_received_info>,
}

pub(crate) struct BankQesH {
    view: View<bk_bank_qes_info>,
}

/// The bank's answer to a request.
#[repr(C)]
pub struct bk_received_info {
    /// The bank's id of the request ("RQ-" and 16 hex digits, derived from the bytes: the
    /// same bytes received again give the same request).
    pub request_id: bk_str,
    /// `BK_REQUEST_STATUS_ACCEPTED_BY_BANK` (remote), `_AWAITING_PAPER_DOCUMENTS` (paper),
    /// `_REJECTED`, or later statuses for bytes decided before.
    pub status: u32,
    /// The status's machine name; static.
    pub status_name: bk_str,
    /// `BK_REJECT_*` when rejected, else 0.
    pub reject_reason: u32,
    /// The reason's machine name ("identity_changed"), when rejected.
    pub reject_name: bk_str,
    /// The reason in Russian, as the client is told, when rejected.
    pub reject_ru: bk_str,
    /// The reason in English, when rejected.
    pub reject_en: bk_str,
    /// What exactly was wrong, when rejected (no secrets).
    pub reject_detail: bk_str,
    /// The field concerned ("INN", "SNILS", "signingTime"), when there is one.
    pub reject_field: bk_str,
    /// Paper flow: whether `paper_check_by` is set.
    pub has_paper_check_by: bool,
    /// The day the bank checks the paper act by: year.
    pub paper_check_year: i32,
    /// Month 1–12.
    pub paper_check_month: u32,
    /// Day 1–31.
    pub paper_check_day: u32,
}

/// A QES registration as the bank records it.
#[repr(C)]
pub struct bk_bank_qes_info {
    /// The registry's id.
    pub id: i64,
    /// The subscriber, or -1 when the bank has none with the certificate's SNILS.
    pub subscriber_id: i64,
    /// `BK_QES_STATUS_*`.
    pub status: u32,
    /// Its machine name; static.
    pub status_name: bk_str,
    /// When it was registered, Unix seconds.
    pub registered_at: i64,
    /// Whether `loaded_not_before` is set (once confirmed).
    pub has_loaded_not_before: bool,
    /// Seed 004: the data is loaded not before this moment (12:00 Moscow time of the next
    /// business day), Unix seconds.
    pub loaded_not_before: i64,
}

fn st(s: &'static str) -> bk_str {
    bk_str {
        ptr: static_cstr(s),
        len: s.len(),
    }
}

fn received_handle(r: &Received) -> *mut bk_received {
    let mut a = Arena::default();
    let rej = r.rejection.as_ref();
    let date = r.paper_check_by;
    let info = bk_received_info {
        request_id: a.str(&r.request_id),
        status: r.status.code(),
        status_name: st(r.status.as_str()),
        reject_reason: rej.map_or(0, |x| x.reason.code()),
        reject_name: rej.map_or(bk_str::NONE, |x| st(x.reason.as_str())),
        reject_ru: rej.map_or(bk_str::NONE, |x| st(x.reason.ru())),
        reject_en: rej.map_or(bk_str::NONE, |x| st(x.reason.en())),
        reject_detail: a.opt_str(rej.map(|x| x.detail.as_str())),
        reject_field: a.opt_str(rej.and_then(|x| x.field.as_deref())),
        has_paper_check_by: date.is_some(),
        paper_check_year: date.map_or(0, |d| d.year()),
        paper_check_month: date.map_or(0, |d| u8::from(d.month()).into()),
        paper_check_day: date.map_or(0, |d| d.day().into()),
    };
    handle::into_handle::<bk_received>(ReceivedH {
        view: View::new(a, info),
    })
}

fn qes_handle(q: &QesRecord) -> *mut bk_bank_qes {
    let info = bk_bank_qes_info {
        id: q.id,
        subscriber_id: q.subscriber_id.unwrap_or(-1),
        status: q.status.code(),
        status_name: st(q.status.as_str()),
        registered_at: q.registered_at.unix_timestamp(),
        has_loaded_not_before: q.loaded_not_before.is_some(),
        loaded_not_before: q.loaded_not_before.map_or(0, |t| t.unix_timestamp()),
    };
    handle::into_handle::<bk_bank_qes>(BankQesH {
        view: View::new(Arena::default(), info),
    })
}

/// Accept only GOST R 34.10-2012 keys (256 and 512 bits): the default.
pub const BK_ALGORITHMS_GOST_ONLY: u32 = 0;
/// Accept GOST, RSA ≥ 2048 and ECDSA P-256.
pub const BK_ALGORITHMS_ANY_STRONG: u32 = 1;

/// How the bank issues and verifies. Set `struct_size` to `sizeof(bk_bank_options)`; zero
/// values keep the defaults. Fields are only ever appended.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bk_bank_options {
    /// `sizeof(bk_bank_options)` as the caller compiled it.
    pub struct_size: usize,
    /// Validity of issued certificates in days (0: 365).
    pub validity_days: u32,
    /// keyUsage of issued certificates (`BK_KEY_USAGE_*`; 0: digitalSignature +
    /// nonRepudiation).
    pub key_usage: u32,
    /// Use `extended_key_usage` (possibly empty) instead of the default (clientAuth +
    /// emailProtection).
    pub set_extended_key_usage: bool,
    /// extendedKeyUsage OIDs.
    pub extended_key_usage: *const *const c_char,
    /// How many.
    pub extended_key_usage_count: usize,
    /// The signature-tool class written as a policy (0: КС1; 1–6: КС1 … КА1).
    pub sign_tool_class: u32,
    /// issuerSignTool: the CA's CIPF (all four NULL: no issuerSignTool).
    pub issuer_sign_tool: *const c_char,
    /// issuerSignTool: the CA software.
    pub issuer_ca_tool: *const c_char,
    /// issuerSignTool: the conformity certificate of the CIPF.
    pub issuer_sign_tool_cert: *const c_char,
    /// issuerSignTool: the conformity certificate of the CA software.
    pub issuer_ca_tool_cert: *const c_char,
    /// `BK_ALGORITHMS_*`: which keys new requests may have.
    pub algorithms: u32,
    /// The roots remote requests' signers must chain to (count 0: the bank's CA alone).
    pub roots: *const *const bk_certificate,
    /// How many.
    pub roots_count: usize,
    /// The production calendar as text (`YYYY-MM-DD holiday|working [comment]` lines; NULL:
    /// weekends and the fixed holidays of the Labour Code only).
    pub calendar: *const c_char,
    /// How long before receipt a remote request may have been signed, seconds (0: 1 day).
    pub max_signing_age: i64,
    /// How far after receipt a signingTime may lie, seconds (0: 5 minutes).
    pub max_clock_skew: i64,
    /// QES check: use an accredited-CA list read without verifying its XMLDSig
    /// (`bk_trusted_list_parse`), because the host authenticated it otherwise. Off by default:
    /// only a list from `bk_trusted_list_parse_signed` is used.
    pub trust_unsigned_list: bool,
    /// QES check: how old the list's `Дата` may be, seconds (0: 7 days).
    pub max_list_age: i64,
}

/// `sizeof(bk_bank_options)` in 0.1, the release that introduced it: what an older caller's
/// `struct_size` may be. It stays when fields are appended.
const BANK_OPTIONS_FIRST: usize = std::mem::size_of::<bk_bank_options>();

unsafe fn apply(mut bank: Bank, o: &bk_bank_options) -> Result<Bank> {
    let mut profile = Profile::default();
    if o.validity_days != 0 {
        profile.validity_days = o.validity_days;
    }
    if o.key_usage != 0 {
        if o.key_usage >> KeyUsageBit::ALL.len() != 0 {
            return Err(Fail::invalid("options.key_usage", "unknown keyUsage bits"));
        }
        profile.key_usage = KeyUsageBit::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| o.key_usage & (1 << i) != 0)
            .map(|(_, b)| *b)
            .collect();
    }
    if o.set_extended_key_usage {
        let list = unsafe {
            strings(
                o.extended_key_usage,
                o.extended_key_usage_count,
                "options.extended_key_usage",
            )
        }?;
        profile.extended_key_usage = list
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.parse().map_err(|_| {
                    Fail::invalid(
                        &format!("options.extended_key_usage[{i}]"),
                        format!("{s:?} is not an OID"),
                    )
                })
            })
            .collect::<Result<_>>()?;
    }
    if o.sign_tool_class != 0 {
        let c = bankkey::pki::SignToolClass::ALL
            .get(o.sign_tool_class as usize - 1)
            .ok_or_else(|| Fail::invalid("options.sign_tool_class", "0 to 6"))?;
        profile.sign_tool_classes = vec![*c];
    }
    let tool = |p, name| unsafe { buf::opt_string(p, name) };
    let parts = (
        tool(o.issuer_sign_tool, "options.issuer_sign_tool")?,
        tool(o.issuer_ca_tool, "options.issuer_ca_tool")?,
        tool(o.issuer_sign_tool_cert, "options.issuer_sign_tool_cert")?,
        tool(o.issuer_ca_tool_cert, "options.issuer_ca_tool_cert")?,
    );
    match parts {
        (None, None, None, None) => {}
        (Some(a), Some(b), Some(c), Some(d)) => {
            profile.issuer_sign_tool = Some(IssuerSignTool {
                sign_tool: a.to_owned(),
                ca_tool: b.to_owned(),
                sign_tool_cert: c.to_owned(),
                ca_tool_cert: d.to_owned(),
            })
        }
        _ => {
            return Err(Fail::invalid(
                "options.issuer_sign_tool",
                "give all four issuerSignTool strings or none",
            ));
        }
    }
    bank = bank.with_profile(profile);
    let algorithms = match o.algorithms {
        BK_ALGORITHMS_GOST_ONLY => AlgorithmPolicy::gost_only(),
        BK_ALGORITHMS_ANY_STRONG => AlgorithmPolicy::any_strong(),
        other => {
            return Err(Fail::invalid(
                "options.algorithms",
                format!("unknown policy {other}"),
            ));
        }
    };
    let mut policy = VerifyPolicy {
        algorithms,
        ..VerifyPolicy::default()
    };
    if o.max_signing_age != 0 {
        policy.max_signing_age = time::Duration::seconds(o.max_signing_age);
    }
    if o.max_clock_skew != 0 {
        policy.max_clock_skew = time::Duration::seconds(o.max_clock_skew);
    }
    bank = bank.with_policy(policy);
    let mut qes = bankkey::bank::QesPolicy {
        trust_unsigned_list: o.trust_unsigned_list,
        ..bankkey::bank::QesPolicy::default()
    };
    if o.max_list_age != 0 {
        qes.max_list_age = time::Duration::seconds(o.max_list_age);
    }
    bank = bank.with_qes_policy(qes);
    let roots = certificates(unsafe { handle::get_all(o.roots, o.roots_count, "options.roots") }?);
    if !roots.is_empty() {
        bank = bank.with_roots(roots);
    }
    if let Some(text) = unsafe { buf::opt_string(o.calendar, "options.calendar") }? {
        bank = bank.with_calendar(
            BusinessCalendar::from_text(text)
                .map_err(|e| Fail::from(e).field("options.calendar"))?,
        );
    }
    Ok(bank)
}

/// Opens the bank over the registry at `registry_path` (created if missing; ":memory:" for
/// one in memory), issuing with `signer`, which must hold the key of `ca` (a software key, a
/// token key or host callbacks). `options` may be NULL (defaults).
///
/// Errors: `BK_KEY_MISMATCH` when the signer does not hold the CA's key; `BK_STORAGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_open(
    registry_path: *const c_char,
    ca: *const bk_certificate,
    signer: *const bk_signer,
    options: *const bk_bank_options,
    out: *mut *mut bk_bank,
) -> bk_status {
    boundary("bk_bank_open", || {
        let out = unsafe { buf::out(out, "out") }?;
        let path = unsafe { buf::path(registry_path, "registry_path") }?;
        let ca = unsafe { handle::get(ca, "ca") }?;
        let s = unsafe { handle::get(signer, "signer") }?;
        let registry = Registry::open(&path)?;
        let mut bank = Bank::new(
            registry,
            bankkey::pki::Certificate::clone(&ca.cert),
            s.shared(),
        )?;
        if let Some(o) = unsafe { buf::versioned(options, BANK_OPTIONS_FIRST, "options") }? {
            bank = unsafe { apply(bank, &o) }?;
        }
        out.set(handle::into_handle::<bk_bank>(Mutex::new(bank)));
        Ok(())
    })
}

unsafe fn locked<'a>(b: *const bk_bank) -> Result<std::sync::MutexGuard<'a, Bank>> {
    lock(unsafe { handle::get(b, "bank") }?)
}

fn flow_of(flow: u32) -> Result<bankkey::lifecycle::Flow> {
    bankkey::lifecycle::Flow::from_code(flow)
        .ok_or_else(|| Fail::invalid("flow", format!("unknown flow {flow}")))
}

/// Registers an existing client by its current certificate (trusted as given); writes the
/// subscriber's id.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_register_subscriber(
    bank: *mut bk_bank,
    cert: *const bk_certificate,
    at: i64,
    subscriber_id: *mut i64,
) -> bk_status {
    boundary("bk_bank_register_subscriber", || {
        let out = unsafe { buf::out(subscriber_id, "subscriber_id") }?;
        let c = unsafe { handle::get(cert, "cert") }?;
        let at = buf::instant(at, "at")?;
        out.set(unsafe { locked(bank) }?.register_subscriber(&c.cert, at)?);
        Ok(())
    })
}

/// Pre-registers a new client (initial generation, paper flow): its first request is
/// accepted when its subject has this identity.
///
/// Errors: those of `bk_subject_validate`; `BK_PRECONDITION_FAILED` when registered already.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_preregister(
    bank: *mut bk_bank,
    subject: *const bk_subject,
    at: i64,
    subscriber_id: *mut i64,
) -> bk_status {
    boundary("bk_bank_preregister", || {
        let out = unsafe { buf::out(subscriber_id, "subscriber_id") }?;
        let s = subject_of(subject)?;
        let at = buf::instant(at, "at")?;
        out.set(unsafe { locked(bank) }?.preregister(&s, at)?);
        Ok(())
    })
}

/// Receives the bytes a client sent (`flow`: `BK_FLOW_PAPER_ACTS` for a PKCS#10,
/// `BK_FLOW_REMOTE` for a signed request) at `at`: verifies them and records the outcome —
/// accepted (remote), awaiting the paper act (paper; with the day it is checked by), or
/// rejected with its reason. A rejection is a result (`BK_OK` with status rejected), not an
/// error: errors are the registry's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_receive(
    bank: *mut bk_bank,
    flow: u32,
    data: *const u8,
    len: usize,
    at: i64,
    out: *mut *mut bk_received,
) -> bk_status {
    boundary("bk_bank_receive", || {
        let out = unsafe { buf::out(out, "out") }?;
        let flow = flow_of(flow)?;
        let bytes = unsafe { buf::bytes(data, len, "data") }?;
        let at = buf::instant(at, "at")?;
        let r = unsafe { locked(bank) }?.receive(flow, bytes, at)?;
        out.set(received_handle(&r));
        Ok(())
    })
}

/// The paper act of request `request_id` arrived: `key_text` is its public key as typed in
/// or scanned. A match is recorded (the request may be issued); a mismatch rejects the
/// request (`BK_REJECT_PAPER_ACT_MISMATCH` in `*out`).
///
/// Errors: `BK_WRONG_STATE` unless the request awaits its paper documents.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_check_paper_act(
    bank: *mut bk_bank,
    request_id: *const c_char,
    key_text: *const c_char,
    at: i64,
    out: *mut *mut bk_received,
) -> bk_status {
    boundary("bk_bank_check_paper_act", || {
        let out = unsafe { buf::out(out, "out") }?;
        let id = unsafe { buf::string(request_id, "request_id") }?;
        let text = unsafe { buf::string(key_text, "key_text") }?;
        let at = buf::instant(at, "at")?;
        let r = unsafe { locked(bank) }?.check_paper_act(id, text, at)?;
        out.set(received_handle(&r));
        Ok(())
    })
}

/// Issues the certificate of an accepted request (remote) or one whose act matched (paper),
/// valid from `at`, with the profile, signed by the bank's signer; it becomes the
/// subscriber's current certificate.
///
/// Errors: `BK_WRONG_STATE`, `BK_PRECONDITION_FAILED` (paper act not matched yet), the
/// signer's (a token's PIN, a host callback's).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_issue(
    bank: *mut bk_bank,
    request_id: *const c_char,
    at: i64,
    out: *mut *mut bk_certificate,
) -> bk_status {
    boundary("bk_bank_issue", || {
        let out = unsafe { buf::out(out, "out") }?;
        let id = unsafe { buf::string(request_id, "request_id") }?;
        let at = buf::instant(at, "at")?;
        let cert = unsafe { locked(bank) }?.issue(id, at)?;
        out.set(handle::into_handle::<bk_certificate>(CertificateH::new(
            cert,
        )));
        Ok(())
    })
}

/// Rejects a request by the operator's decision, with a note.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_reject(
    bank: *mut bk_bank,
    request_id: *const c_char,
    note: *const c_char,
    at: i64,
    out: *mut *mut bk_received,
) -> bk_status {
    boundary("bk_bank_reject", || {
        let out = unsafe { buf::out(out, "out") }?;
        let id = unsafe { buf::string(request_id, "request_id") }?;
        let note = unsafe { buf::string(note, "note") }?;
        let at = buf::instant(at, "at")?;
        let r = unsafe { locked(bank) }?.reject(id, note, at)?;
        out.set(received_handle(&r));
        Ok(())
    })
}

/// The request `request_id` as the registry has it, as one JSON object (fields of
/// `bankkey::bank::registry::json::request`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_request_json(
    bank: *const bk_bank,
    request_id: *const c_char,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_bank_request_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let id = unsafe { buf::string(request_id, "request_id") }?;
        let rec = unsafe { locked(bank) }?.request(id)?;
        out.set(bk_bytes::from_string(json::request(&rec)));
        Ok(())
    })
}

/// Support query: current certificates expiring within `days` of `at` (who needs «плановая
/// замена»), as JSON lines.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_expiring_json(
    bank: *const bk_bank,
    days: u32,
    at: i64,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_bank_expiring_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let at = buf::instant(at, "at")?;
        let rows = unsafe { locked(bank) }?.expiring_within(days, at)?;
        out.set(lines(rows.iter().map(json::expiring)));
        Ok(())
    })
}

/// Support query: requests waiting for their paper act, with the day each is due, as JSON
/// lines.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_awaiting_paper_json(
    bank: *const bk_bank,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_bank_awaiting_paper_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let rows = unsafe { locked(bank) }?.awaiting_paper()?;
        out.set(lines(rows.iter().map(json::awaiting_paper)));
        Ok(())
    })
}

/// Support query: a subscriber's history, found by an identifier (INN, INNLE, OGRN, OGRNIP,
/// SNILS) or a key id (40 hex digits), as JSON lines.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_history_json(
    bank: *const bk_bank,
    who: *const c_char,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_bank_history_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let who = unsafe { buf::string(who, "who") }?;
        let rows = unsafe { locked(bank) }?.history(who)?;
        out.set(lines(rows.iter().map(json::history)));
        Ok(())
    })
}

fn lines(rows: impl Iterator<Item = String>) -> bk_bytes {
    let mut s = String::new();
    for r in rows {
        s.push_str(&r);
        s.push('\n');
    }
    bk_bytes::from_string(s)
}

/// Registers a client's qualified certificate (seed 004) after checking it against the
/// accredited-CA `list` (NULL: none, which is `BK_VERIFICATION_UNAVAILABLE`, never a pass)
/// and `crls` at `at` → «Электронная подпись не подтверждена».
/// `*out` receives the registration, as a new `bk_bank_qes` (`out` NULL: not wanted).
///
/// Errors: `BK_VERIFICATION_UNAVAILABLE` («Ошибка при работе с сервисом проверки сторонних
/// сертификатов»: no list, a stale list, no fresh CRL), `BK_UNTRUSTED_ISSUER`, `BK_REVOKED`,
/// `BK_EXPIRED`, `BK_PRECONDITION_FAILED` (not qualified by its form; field "list": a list
/// read by `bk_trusted_list_parse`, unverified, without `bk_bank_options.trust_unsigned_list`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_register_qes(
    bank: *mut bk_bank,
    cert: *const bk_certificate,
    list: *const bk_trusted_list,
    crls: *const *const bk_crl,
    crls_count: usize,
    at: i64,
    out: *mut *mut bk_bank_qes,
) -> bk_status {
    boundary("bk_bank_register_qes", || {
        let c = unsafe { handle::get(cert, "cert") }?;
        let list = unsafe { opt_list(list) }?;
        let crls = unsafe { crl_list(crls, crls_count) }?;
        let at = buf::instant(at, "at")?;
        let rec = unsafe { locked(bank) }?.register_qes(&c.cert, list.as_deref(), &crls, at)?;
        if !out.is_null() {
            unsafe { *out = qes_handle(&rec) };
        }
        Ok(())
    })
}

/// Confirms a registered QES with the signed confirmation statement (`statement_cms`: CMS over
/// `statement`, by the owner and the head of the organisation), re-checking the certificate
/// → «Электронная подпись подтверждена», loaded not before 12:00 of the next business day.
/// `*out` receives the registration, as a new `bk_bank_qes` (`out` NULL: not wanted).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_confirm_qes(
    bank: *mut bk_bank,
    cert: *const bk_certificate,
    statement: *const u8,
    statement_len: usize,
    statement_cms: *const u8,
    statement_cms_len: usize,
    list: *const bk_trusted_list,
    crls: *const *const bk_crl,
    crls_count: usize,
    at: i64,
    out: *mut *mut bk_bank_qes,
) -> bk_status {
    boundary("bk_bank_confirm_qes", || {
        let c = unsafe { handle::get(cert, "cert") }?;
        let statement = unsafe { buf::bytes(statement, statement_len, "statement") }?;
        let cms = unsafe { buf::bytes(statement_cms, statement_cms_len, "statement_cms") }?;
        let list = unsafe { opt_list(list) }?;
        let crls = unsafe { crl_list(crls, crls_count) }?;
        let at = buf::instant(at, "at")?;
        let rec = unsafe { locked(bank) }?.confirm_qes(
            &c.cert,
            statement,
            cms,
            list.as_deref(),
            &crls,
            at,
        )?;
        if !out.is_null() {
            unsafe { *out = qes_handle(&rec) };
        }
        Ok(())
    })
}

unsafe fn opt_list(list: *const bk_trusted_list) -> Result<Option<Arc<TrustedList>>> {
    if list.is_null() {
        return Ok(None);
    }
    Ok(Some(unsafe { handle::get(list, "list") }?.clone()))
}

unsafe fn crl_list(crls: *const *const bk_crl, n: usize) -> Result<Vec<Crl>> {
    Ok(unsafe { handle::get_all(crls, n, "crls") }?
        .into_iter()
        .map(|h: &CrlH| Crl::clone(&h.crl))
        .collect())
}

/// Frees the bank (NULL: nothing); the registry is closed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_free(bank: *mut bk_bank) {
    quiet((), || unsafe { handle::free(bank) })
}

/// The bank's answer. `*out` stays valid until the handle is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_received_get_info(
    received: *const bk_received,
    out: *mut *const bk_received_info,
) -> bk_status {
    boundary("bk_received_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        out.set(&unsafe { handle::get(received, "received") }?.view.c);
        Ok(())
    })
}

/// Frees a received snapshot (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_received_free(received: *mut bk_received) {
    quiet((), || unsafe { handle::free(received) })
}

/// The bank's QES record. `*out` stays valid until the handle is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_qes_get_info(
    qes: *const bk_bank_qes,
    out: *mut *const bk_bank_qes_info,
) -> bk_status {
    boundary("bk_bank_qes_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        out.set(&unsafe { handle::get(qes, "qes") }?.view.c);
        Ok(())
    })
}

/// Frees a bank QES snapshot (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_bank_qes_free(qes: *mut bk_bank_qes) {
    quiet((), || unsafe { handle::free(qes) })
}

/// Reads the ministry's list of accredited CAs (TSL XML) *without* verifying its XMLDSig: the
/// bank's QES check uses such a list only with `bk_bank_options.trust_unsigned_list` (the host
/// authenticated it otherwise); `bk_trusted_list_parse_signed` verifies it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_trusted_list_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut bk_trusted_list,
) -> bk_status {
    boundary("bk_trusted_list_parse", || {
        let out = unsafe { buf::out(out, "out") }?;
        let xml = unsafe { buf::bytes(data, len, "data") }?;
        out.set(handle::into_handle::<bk_trusted_list>(Arc::new(
            TrustedList::from_xml(xml)?,
        )));
        Ok(())
    })
}

/// Reads the ministry's list and verifies its XMLDSig against the Ministry's certificate(s)
/// `ministry` at `at`: the list the bank's QES check uses by default.
///
/// Errors: `BK_BAD_SIGNATURE`, `BK_UNTRUSTED_ISSUER` (not signed by a given certificate),
/// `BK_MALFORMED_ENCODING`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_trusted_list_parse_signed(
    data: *const u8,
    len: usize,
    ministry: *const *const bk_certificate,
    ministry_count: usize,
    at: i64,
    out: *mut *mut bk_trusted_list,
) -> bk_status {
    boundary("bk_trusted_list_parse_signed", || {
        let out = unsafe { buf::out(out, "out") }?;
        let xml = unsafe { buf::bytes(data, len, "data") }?;
        let ministry =
            certificates(unsafe { handle::get_all(ministry, ministry_count, "ministry") }?);
        let at = buf::instant(at, "at")?;
        let list = TrustedList::from_signed_xml(xml, &ministry, at)?;
        out.set(handle::into_handle::<bk_trusted_list>(Arc::new(list)));
        Ok(())
    })
}

/// The list's `Версия` (increases with every publication) and `Дата` (Unix seconds; 0 when
/// absent).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_trusted_list_version(
    list: *const bk_trusted_list,
    version: *mut u64,
    date: *mut i64,
) -> bk_status {
    boundary("bk_trusted_list_version", || {
        let v = unsafe { buf::out(version, "version") }?;
        let d = unsafe { buf::out(date, "date") }?;
        let l = unsafe { handle::get(list, "list") }?;
        v.set(l.version);
        d.set(l.date.map_or(0, |t| t.unix_timestamp()));
        Ok(())
    })
}

/// The certificate that signed a list read by `bk_trusted_list_parse_signed` (the first of its
/// path to the Ministry's certificate), as a new handle in `*signer` (free with
/// `bk_certificate_free`), and the path's length in `*path_len` (optional: NULL skips it).
///
/// Errors: `BK_PRECONDITION_FAILED` for a list read without verifying (`bk_trusted_list_parse`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_trusted_list_signer(
    list: *const bk_trusted_list,
    signer: *mut *mut bk_certificate,
    path_len: *mut usize,
) -> bk_status {
    boundary("bk_trusted_list_signer", || {
        let out = unsafe { buf::out(signer, "signer") }?;
        let l = unsafe { handle::get(list, "list") }?;
        let signature = signed_list(l)?;
        let first = signature.chain.first().ok_or_else(|| {
            bankkey::Error::new(
                bankkey::ErrorKind::Internal,
                "the list's signing path is empty",
            )
        })?;
        if !path_len.is_null() {
            // SAFETY: non-NULL, and the caller gives a writable `size_t` (the header says so).
            unsafe { path_len.write(signature.chain.len()) };
        }
        out.set(handle::into_handle::<bk_certificate>(CertificateH::new(
            first.clone(),
        )));
        Ok(())
    })
}

/// Checks that no certificate on the path of a signed list's signer is revoked at `at`: each is
/// looked up in the CRLs its issuer signed (`crls`, `crls_count`: the Ministry's CRLs, from the
/// signer certificate's CRL distribution point). The pinned Ministry certificate itself is not
/// looked up. `BK_OK` means every certificate below it was found in a fresh CRL and is not in it.
///
/// Errors: `BK_PRECONDITION_FAILED` for a list read without verifying; `BK_REVOKED` when one is
/// revoked; `BK_VERIFICATION_UNAVAILABLE` when no fresh CRL of its issuer was given (fetch the
/// CRL and call again; a CRL that does not verify under its issuer does not count).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_trusted_list_check_revocation(
    list: *const bk_trusted_list,
    crls: *const *const bk_crl,
    crls_count: usize,
    at: i64,
) -> bk_status {
    boundary("bk_trusted_list_check_revocation", || {
        let l = unsafe { handle::get(list, "list") }?;
        let crls = unsafe { crl_list(crls, crls_count) }?;
        let at = buf::instant(at, "at")?;
        signed_list(l)?.check_revocation(&crls, at)?;
        Ok(())
    })
}

fn signed_list(list: &TrustedList) -> Result<&bankkey::bank::ListSignature> {
    list.signature().ok_or_else(|| {
        bankkey::Error::new(
            bankkey::ErrorKind::PreconditionFailed,
            "the list was read without verifying its signature (bk_trusted_list_parse): \
             read it with bk_trusted_list_parse_signed",
        )
        .into()
    })
}

/// Frees a list (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_trusted_list_free(list: *mut bk_trusted_list) {
    quiet((), || unsafe { handle::free(list) })
}

// ---- support, read-only ----

/// Opens a bank registry read-only for support queries: a missing file is `BK_IO` naming the
/// path (never an empty registry that answers "nobody is due"); nothing is written.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_registry_open_read_only(
    path: *const c_char,
    out: *mut *mut bk_registry,
) -> bk_status {
    boundary("bk_registry_open_read_only", || {
        let out = unsafe { buf::out(out, "out") }?;
        let path = unsafe { buf::path(path, "path") }?;
        out.set(handle::into_handle::<bk_registry>(Mutex::new(
            Registry::open_read_only(&path)?,
        )));
        Ok(())
    })
}

unsafe fn registry_of<'a>(r: *const bk_registry) -> Result<std::sync::MutexGuard<'a, Registry>> {
    lock(unsafe { handle::get(r, "registry") }?)
}

/// As `bk_bank_expiring_json`, on a read-only registry.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_registry_expiring_json(
    registry: *const bk_registry,
    days: u32,
    at: i64,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_registry_expiring_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let at = buf::instant(at, "at")?;
        let rows = unsafe { registry_of(registry) }?.expiring_within(days, at)?;
        out.set(lines(rows.iter().map(json::expiring)));
        Ok(())
    })
}

/// As `bk_bank_awaiting_paper_json`, on a read-only registry.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_registry_awaiting_paper_json(
    registry: *const bk_registry,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_registry_awaiting_paper_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let rows = unsafe { registry_of(registry) }?.awaiting_paper()?;
        out.set(lines(rows.iter().map(json::awaiting_paper)));
        Ok(())
    })
}

/// A request's history (its transitions, in order), as JSON lines, on a read-only registry.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_registry_request_history_json(
    registry: *const bk_registry,
    request_id: *const c_char,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_registry_request_history_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let id = unsafe { buf::string(request_id, "request_id") }?;
        let rows = unsafe { registry_of(registry) }?.request_history(id)?;
        out.set(lines(rows.iter().map(json::history)));
        Ok(())
    })
}

/// A request as one JSON object, on a read-only registry.
///
/// Errors: `BK_INVALID_INPUT` (field "request_id") for an unknown request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_registry_request_json(
    registry: *const bk_registry,
    request_id: *const c_char,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_registry_request_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let id = unsafe { buf::string(request_id, "request_id") }?;
        let rec = unsafe { registry_of(registry) }?
            .request(id)?
            .ok_or_else(|| Fail::invalid("request_id", format!("no request {id:?}")))?;
        out.set(bk_bytes::from_string(json::request(&rec)));
        Ok(())
    })
}

/// Verifies a request as the bank would, without recording anything: against `registry`
/// (read-only; the subscribers, their current certificates and keys), `roots` and the default
/// policy, at `at`. `*out` is accepted (`BK_REQUEST_STATUS_ACCEPTED_BY_BANK`) or rejected with
/// its reason; its `request_id` is the id the bank would give.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_registry_verify_request(
    registry: *const bk_registry,
    flow: u32,
    data: *const u8,
    len: usize,
    roots: *const *const bk_certificate,
    roots_count: usize,
    at: i64,
    out: *mut *mut bk_received,
) -> bk_status {
    boundary("bk_registry_verify_request", || {
        let out = unsafe { buf::out(out, "out") }?;
        let flow = flow_of(flow)?;
        let bytes = unsafe { buf::bytes(data, len, "data") }?;
        let roots = certificates(unsafe { handle::get_all(roots, roots_count, "roots") }?);
        let at = buf::instant(at, "at")?;
        let reg = unsafe { registry_of(registry) }?;
        let outcome =
            bankkey::bank::verify_request(flow, bytes, &reg, &roots, &VerifyPolicy::default(), at)?;
        let request_id = bankkey::bank::request_id(flow, bytes);
        let received = match outcome {
            Ok(_) => Received {
                request_id,
                status: bankkey::lifecycle::RequestStatus::AcceptedByBank,
                rejection: None,
                paper_check_by: None,
            },
            Err(failed) => Received {
                request_id,
                status: bankkey::lifecycle::RequestStatus::Rejected,
                rejection: Some(failed.rejection),
                paper_check_by: None,
            },
        };
        out.set(received_handle(&received));
        Ok(())
    })
}

/// Frees a registry handle (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_registry_free(registry: *mut bk_registry) {
    quiet((), || unsafe { handle::free(registry) })
}

#[cfg(test)]
mod tests {
    //! The signed list's functions through the C ABI: the signer and its revocation, on a list
    //! signed here as the Ministry signs TSLExt.xml (the C tests have no signing Ministry).
    use super::*;
    use crate::status;
    use bankkey::key::{KeyAlgorithm, SoftwareKey};
    use bankkey::pki::{Certificate, CertificateBuilder, CrlBuilder, KeyUsageBit};
    use bankkey::subject::{AttributeType as A, Subject};
    use std::ptr;
    use time::{Duration, OffsetDateTime};

    fn ca(
        name: &str,
        at: OffsetDateTime,
        issuer: Option<&(SoftwareKey, Certificate)>,
    ) -> (SoftwareKey, Certificate) {
        let k =
            SoftwareKey::generate(KeyAlgorithm::Gost(bankkey::gost::ParamSet::Tc26_256A)).unwrap();
        let subject = Subject::new()
            .with(A::CommonName, name)
            .with(A::Country, "RU");
        let b = CertificateBuilder::new(&subject, &k.public_key())
            .unwrap()
            .validity(at - Duration::days(100), at + Duration::days(300));
        let cert = match issuer {
            None => b.ca(None).sign(None, &k).unwrap(),
            Some((ik, ic)) => b
                .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
                .sign(Some(ic), ik)
                .unwrap(),
        };
        (k, cert)
    }

    fn crl(
        at: OffsetDateTime,
        root: &(SoftwareKey, Certificate),
        revoke: Option<&Certificate>,
    ) -> *mut bk_crl {
        let mut b = CrlBuilder::new(at - Duration::days(1), at + Duration::days(6), 1);
        if let Some(c) = revoke {
            b = b.revoke(c.serial(), at - Duration::hours(1), None);
        }
        let der = b.sign(&root.1, &root.0).unwrap();
        let mut out = ptr::null_mut();
        assert_eq!(
            unsafe { crate::pki::bk_crl_parse(der.as_ptr(), der.len(), &mut out) },
            status::BK_OK
        );
        out
    }

    #[test]
    fn a_signed_lists_signer_and_its_revocation() {
        let at = OffsetDateTime::from_unix_timestamp(1_780_272_000).unwrap();
        let root = ca("Минцифры России (тест)", at, None);
        let signer = ca("Минцифры России, подпись списка УЦ", at, Some(&root));
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<АккредитованныеУдостоверяющиеЦентры>\
                   <Версия>7</Версия><Дата>2026-05-31T09:00:00</Дата></АккредитованныеУдостоверяющиеЦентры>";
        let signed = bankkey::xmldsig::sign_enveloped(
            xml.as_bytes(),
            &signer.0,
            &signer.1,
            &bankkey::xmldsig::SignOptions::default(),
        )
        .unwrap();
        let anchor = handle::into_handle::<bk_certificate>(CertificateH::new(root.1.clone()));
        let anchors = [anchor as *const bk_certificate];
        let mut list = ptr::null_mut();
        let s = unsafe {
            bk_trusted_list_parse_signed(
                signed.as_ptr(),
                signed.len(),
                anchors.as_ptr(),
                1,
                at.unix_timestamp(),
                &mut list,
            )
        };
        assert_eq!(s, status::BK_OK);

        // The signer, with the path's length; the length is optional.
        let mut cert = ptr::null_mut();
        let mut len = 0usize;
        assert_eq!(
            unsafe { bk_trusted_list_signer(list, &mut cert, &mut len) },
            status::BK_OK
        );
        assert_eq!(len, 2);
        assert_eq!(
            unsafe { handle::get(cert, "c") }.unwrap().cert.to_der(),
            signer.1.to_der()
        );
        unsafe { crate::pki::bk_certificate_free(cert) };
        let mut cert = ptr::null_mut();
        assert_eq!(
            unsafe { bk_trusted_list_signer(list, &mut cert, ptr::null_mut()) },
            status::BK_OK
        );
        unsafe { crate::pki::bk_certificate_free(cert) };

        // No CRL: unavailable (fetch it); a fresh CRL without the signer: fine; revoked: revoked.
        let none: [*const bk_crl; 0] = [];
        let t = at.unix_timestamp();
        assert_eq!(
            unsafe { bk_trusted_list_check_revocation(list, none.as_ptr(), 0, t) },
            status::BK_VERIFICATION_UNAVAILABLE
        );
        let fresh = crl(at, &root, None);
        assert_eq!(
            unsafe {
                bk_trusted_list_check_revocation(list, [fresh as *const bk_crl].as_ptr(), 1, t)
            },
            status::BK_OK
        );
        let revoking = crl(at, &root, Some(&signer.1));
        assert_eq!(
            unsafe {
                bk_trusted_list_check_revocation(list, [revoking as *const bk_crl].as_ptr(), 1, t)
            },
            status::BK_REVOKED
        );

        // A list read without verifying has no signer to ask about.
        let mut plain = ptr::null_mut();
        assert_eq!(
            unsafe { bk_trusted_list_parse(signed.as_ptr(), signed.len(), &mut plain) },
            status::BK_OK
        );
        let mut cert = ptr::null_mut();
        assert_eq!(
            unsafe { bk_trusted_list_signer(plain, &mut cert, ptr::null_mut()) },
            status::BK_PRECONDITION_FAILED
        );
        assert!(cert.is_null());
        assert_eq!(
            unsafe {
                bk_trusted_list_check_revocation(plain, [fresh as *const bk_crl].as_ptr(), 1, t)
            },
            status::BK_PRECONDITION_FAILED
        );
        unsafe {
            bk_trusted_list_free(plain);
            bk_trusted_list_free(list);
            crate::pki::bk_crl_free(fresh);
            crate::pki::bk_crl_free(revoking);
            crate::pki::bk_certificate_free(anchor);
        }
    }
}
