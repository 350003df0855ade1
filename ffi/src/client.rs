//! The client's regeneration state machine (DESIGN §2): a `bk_client` over a key store and
//! its SQLite journal at a path the host chooses; every transition; the statuses with their
//! machine names and Russian and English words; the events as JSON lines for a host that
//! mirrors them into its own database; the QES registration of seed 004.

use std::ffi::c_char;
use std::sync::Mutex;

use bankkey::key::KeyAlgorithm;
use bankkey::lifecycle::{
    Client, Flow, QesRegistration, Regeneration, RequestStatus, SqliteJournal,
};

use crate::buf::{self, bk_bytes, bk_slice, bk_str};
use crate::error::{Fail, Result, boundary, quiet};
use crate::handle::{self, castable};
use crate::pki::{bk_certificate, certificates};
use crate::request::{bk_subject, lock, strings, subject_of};
use crate::signer::bk_signer;
use crate::status::bk_status;
use crate::store::bk_key_store;
use crate::text::static_cstr;
use crate::view::{Arena, View};

/// A client's regeneration state machine over a key store and a journal. Calls are
/// serialised by a lock inside: any thread may call, one call runs at a time. Free with
/// `bk_client_free`.
pub struct bk_client {
    _private: [u8; 0],
}
castable!(bk_client => Mutex<Client>, b"bk-clnt\0");
/// A regeneration request as the journal knew it when the handle was made (a snapshot).
/// Immutable. Free with `bk_regeneration_free`.
pub struct bk_regeneration {
    _private: [u8; 0],
}
castable!(bk_regeneration => RegenerationH, b"bk-regen");
/// A QES registration as the journal knew it (a snapshot). Immutable. Free with
/// `bk_qes_free`.
pub struct bk_qes {
    _private: [u8; 0],
}
castable!(bk_qes => QesH, b"bk-qes\0\0");

pub(crate) struct RegenerationH {
    view: View<bk_regeneration_info>,
}

pub(crate) struct QesH {
    view: View<bk_qes_info>,
}

/// A regeneration request. Owned by the `bk_regeneration` handle.
#[repr(C)]
pub struct bk_regeneration_info {
    /// The request's identifier (16 hex digits).
    pub id: bk_str,
    /// `BK_FLOW_*`.
    pub flow: u32,
    /// The flow's machine name ("paper_acts", "remote").
    pub flow_name: bk_str,
    /// `BK_REQUEST_STATUS_*`.
    pub status: u32,
    /// The status's machine name ("new", "signed", "sent", "accepted_by_bank", ...).
    pub status_name: bk_str,
    /// What the user is told, in Russian («Принят банком»).
    pub status_ru: bk_str,
    /// What the user is told, in English.
    pub status_en: bk_str,
    /// The key set in use when the request started (empty for an initial generation).
    pub old_key_id: bk_slice,
    /// The request's new key set.
    pub new_key_id: bk_slice,
    /// The PKCS#10 request (DER).
    pub request_der: bk_slice,
    /// The CMS SignedData over it (remote flow, once signed).
    pub signed_request_der: bk_slice,
    /// What goes to the bank (the PKCS#10 for paper acts, the SignedData for remote), once
    /// signed: the same bytes `bk_client_send` gave, for a host that crashed before sending.
    pub outgoing: bk_slice,
    /// The certificate received.
    pub certificate_der: bk_slice,
    /// The bank's reason for a rejection, or why a step was undone.
    pub reason: bk_str,
    /// When it started, Unix seconds.
    pub started_at: i64,
    /// When it last changed, Unix seconds.
    pub updated_at: i64,
    /// The old key set was retired by the activation.
    pub old_key_retired: bool,
    /// The new key set of a cancelled or rejected request was removed.
    pub new_key_removed: bool,
    /// The old key set was deleted (`bk_client_delete_old_key`).
    pub old_key_deleted: bool,
    /// Final: activated, rejected or cancelled.
    pub is_final: bool,
}

/// A QES registration. Owned by the `bk_qes` handle.
#[repr(C)]
pub struct bk_qes_info {
    /// The registration's identifier.
    pub id: bk_str,
    /// `BK_QES_STATUS_*`.
    pub status: u32,
    /// Its machine name ("not_confirmed", "confirmed").
    pub status_name: bk_str,
    /// «Электронная подпись не подтверждена» / «... подтверждена».
    pub status_ru: bk_str,
    /// In English.
    pub status_en: bk_str,
    /// The key set of the qualified key.
    pub key_id: bk_slice,
    /// The qualified certificate (DER).
    pub certificate_der: bk_slice,
    /// The signed confirmation statement (CMS DER), once made.
    pub statement_der: bk_slice,
    /// Warnings about the medium (two qualified keys on one medium).
    pub warnings: *const bk_str,
    /// How many.
    pub warnings_count: usize,
    /// When it was registered, Unix seconds.
    pub registered_at: i64,
    /// When it last changed, Unix seconds.
    pub updated_at: i64,
}

fn st(s: &'static str) -> bk_str {
    bk_str {
        ptr: static_cstr(s),
        len: s.len(),
    }
}

fn slice(a: &mut Arena, b: Option<&[u8]>) -> bk_slice {
    b.map_or(bk_slice::EMPTY, |b| a.bytes(b.to_vec()))
}

pub(crate) fn regeneration_handle(r: &Regeneration) -> *mut bk_regeneration {
    let mut a = Arena::default();
    let info = bk_regeneration_info {
        id: a.str(r.id()),
        flow: r.flow().code(),
        flow_name: st(r.flow().as_str()),
        status: r.status().code(),
        status_name: st(r.status().as_str()),
        status_ru: st(r.status().ru()),
        status_en: st(r.status().en()),
        old_key_id: slice(&mut a, r.old_key_id()),
        new_key_id: slice(&mut a, r.new_key_id()),
        request_der: slice(&mut a, Some(r.request_der())),
        signed_request_der: slice(&mut a, r.signed_request_der()),
        outgoing: slice(&mut a, r.outgoing()),
        certificate_der: slice(&mut a, r.certificate_der()),
        reason: a.opt_str(r.reason()),
        started_at: r.started_at().unix_timestamp(),
        updated_at: r.updated_at().unix_timestamp(),
        old_key_retired: r.old_key_retired(),
        new_key_removed: r.new_key_removed(),
        old_key_deleted: r.old_key_deleted(),
        is_final: r.status().is_final(),
    };
    handle::into_handle::<bk_regeneration>(RegenerationH {
        view: View::new(a, info),
    })
}

fn qes_handle(q: &QesRegistration) -> *mut bk_qes {
    let mut a = Arena::default();
    let (warnings, warnings_count) = a.strs(q.warnings().iter().cloned());
    let info = bk_qes_info {
        id: a.str(q.id()),
        status: q.status().code(),
        status_name: st(q.status().as_str()),
        status_ru: st(q.status().ru()),
        status_en: st(q.status().en()),
        key_id: slice(&mut a, Some(q.key_id())),
        certificate_der: slice(&mut a, Some(q.certificate_der())),
        statement_der: slice(&mut a, q.statement_der()),
        warnings,
        warnings_count,
        registered_at: q.registered_at().unix_timestamp(),
        updated_at: q.updated_at().unix_timestamp(),
    };
    handle::into_handle::<bk_qes>(QesH {
        view: View::new(a, info),
    })
}

/// Writes a new snapshot handle to an optional out-parameter.
unsafe fn put<T>(out: *mut *mut T, make: impl FnOnce() -> *mut T) {
    if !out.is_null() {
        unsafe { *out = make() };
    }
}

fn flow_of(flow: u32) -> Result<Flow> {
    Flow::from_code(flow).ok_or_else(|| Fail::invalid("flow", format!("unknown flow {flow}")))
}

unsafe fn locked<'a>(c: *const bk_client) -> Result<std::sync::MutexGuard<'a, Client>> {
    lock(unsafe { handle::get(c, "client") }?)
}

/// Opens the client over `store` and the SQLite journal at `journal_path` (created if
/// missing), recovering from a crash: every half-done step is finished or undone, dated `at`
/// (Unix seconds). The store stays usable through its own handle too.
///
/// Errors: `BK_STORAGE` (the journal is not one, or breaks the transition table), `BK_IO`,
/// the store's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_open(
    store: *mut bk_key_store,
    journal_path: *const c_char,
    at: i64,
    out: *mut *mut bk_client,
) -> bk_status {
    boundary("bk_client_open", || {
        let out = unsafe { buf::out(out, "out") }?;
        let s = unsafe { handle::get(store, "store") }?;
        let path = unsafe { buf::path(journal_path, "journal_path") }?;
        let at = buf::instant(at, "at")?;
        let journal = SqliteJournal::open(&path)?;
        let c = Client::open_at(s.shared(), Box::new(journal), at)?;
        out.set(handle::into_handle::<bk_client>(Mutex::new(c)));
        Ok(())
    })
}

/// The bank's roots a received certificate must chain to (none by default: then only the
/// key, identity and validity are checked).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_set_trust_anchors(
    client: *mut bk_client,
    anchors: *const *const bk_certificate,
    anchors_count: usize,
) -> bk_status {
    boundary("bk_client_set_trust_anchors", || {
        let anchors = certificates(unsafe { handle::get_all(anchors, anchors_count, "anchors") }?);
        unsafe { locked(client) }?.set_trust_anchors(anchors);
        Ok(())
    })
}

/// The assessment of a medium: what the user is told on the client's start screen.
#[repr(C)]
pub struct bk_assessment {
    /// `BK_KEY_SET_STATUS_*`.
    pub status: u32,
    /// Its machine name ("active", "initial_generation_required",
    /// "scheduled_replacement_required", "expired"); static.
    pub status_name: *const c_char,
    /// «Необходима плановая замена сертификата», ...; static.
    pub status_ru: *const c_char,
    /// In English; static.
    pub status_en: *const c_char,
    /// A key set is in use (private key and certificate).
    pub has_key_set: bool,
    /// Whole days to its certificate's notAfter (negative once expired), when there is one.
    pub days_left: i64,
}

/// Assesses the medium at `at`: which key set is in use (knowing the journal: a request's new
/// set does not count before activation) and whether it needs initial generation, scheduled
/// replacement (within `window_days` of notAfter; 0: 30 days) or has expired.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_assess(
    client: *const bk_client,
    at: i64,
    window_days: u32,
    out: *mut bk_assessment,
) -> bk_status {
    boundary("bk_client_assess", || {
        let out = unsafe { buf::out(out, "out") }?;
        let at = buf::instant(at, "at")?;
        let window = if window_days == 0 {
            bankkey::lifecycle::DEFAULT_REPLACEMENT_WINDOW_DAYS
        } else {
            window_days
        };
        let a = unsafe { locked(client) }?.assess(at, window)?;
        out.set(bk_assessment {
            status: a.status.code(),
            status_name: static_cstr(a.status.as_str()),
            status_ru: static_cstr(a.status.ru()),
            status_en: static_cstr(a.status.en()),
            has_key_set: a.key_set.is_some(),
            days_left: a.days_left.unwrap_or(0),
        });
        Ok(())
    })
}

/// The identifier of the key set in use (`*id` empty when there is none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_current_key_id(
    client: *const bk_client,
    id: *mut bk_bytes,
) -> bk_status {
    boundary("bk_client_current_key_id", || {
        let out = unsafe { buf::out(id, "id") }?;
        let k = unsafe { locked(client) }?.current_key_set()?;
        out.set(bk_bytes::from_vec(k.map(|k| k.id).unwrap_or_default()));
        Ok(())
    })
}

/// Starts a regeneration (`flow`: `BK_FLOW_PAPER_ACTS` or `BK_FLOW_REMOTE`): generates the
/// new key pair of `algorithm` ("gost2012-256-cryptopro-a", ...) in the store beside the set
/// in use, and builds the PKCS#10 request for `subject` → status «Новый». `*out` receives the
/// request, as a new `bk_regeneration` (`out` NULL: not wanted).
///
/// Errors: `BK_PRECONDITION_FAILED` (another request in progress; remote flow without a key
/// set in use), `BK_EXPIRED` / `BK_NOT_YET_VALID` (remote flow: use the paper flow),
/// `BK_INVALID_INPUT` naming the attribute (subject not valid; remote: identity changed), the
/// store's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_start(
    client: *mut bk_client,
    flow: u32,
    algorithm: *const c_char,
    subject: *const bk_subject,
    at: i64,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_start", || {
        let mut c = unsafe { locked(client) }?;
        let alg = KeyAlgorithm::parse(unsafe { buf::string(algorithm, "algorithm") }?)?;
        let subject = subject_of(subject)?;
        let flow = flow_of(flow)?;
        let at = buf::instant(at, "at")?;
        let r = c.start(flow, alg, &subject, at)?;
        unsafe { put(out, || regeneration_handle(&r)) };
        Ok(())
    })
}

/// Signs the request → «Подписан» (paper flow: the PKCS#10 signed by the new key; remote flow:
/// also CMS by the key set in use, whose certificate must be valid at `at`).
/// `signed_unsent` lists the host's outgoing documents that are «подписан» (signed, not sent):
/// seed 002's precondition — with any, signing is refused and the message names them.
/// `*out` receives the request after the step, as a new `bk_regeneration` (`out` NULL: not
/// wanted).
///
/// Errors: `BK_PRECONDITION_FAILED` (field "outgoing_documents"), `BK_WRONG_STATE`,
/// `BK_EXPIRED`, the store's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_sign(
    client: *mut bk_client,
    id: *const c_char,
    signed_unsent: *const *const c_char,
    signed_unsent_count: usize,
    at: i64,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_sign", || {
        let id = unsafe { buf::string(id, "id") }?;
        let docs: Vec<String> =
            unsafe { strings(signed_unsent, signed_unsent_count, "signed_unsent") }?
                .into_iter()
                .map(str::to_owned)
                .collect();
        let at = buf::instant(at, "at")?;
        let r = unsafe { locked(client) }?.sign(id, &docs, at)?;
        unsafe { put(out, || regeneration_handle(&r)) };
        Ok(())
    })
}

/// Marks the request sent → «Отправлен», and gives the bytes to send to the bank (`*bytes`:
/// the PKCS#10 for paper acts, the CMS SignedData for remote).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_send(
    client: *mut bk_client,
    id: *const c_char,
    at: i64,
    bytes: *mut bk_bytes,
) -> bk_status {
    boundary("bk_client_send", || {
        let out = unsafe { buf::out(bytes, "bytes") }?;
        let id = unsafe { buf::string(id, "id") }?;
        let at = buf::instant(at, "at")?;
        let b = unsafe { locked(client) }?.send(id, at)?;
        out.set(bk_bytes::from_vec(b));
        Ok(())
    })
}

/// Records the bank's answer: `status` is `BK_REQUEST_STATUS_ACCEPTED_BY_BANK`,
/// `_AWAITING_PAPER_DOCUMENTS` or `_REJECTED` (with the bank's `reason`, NULL otherwise).
/// A rejection removes the new key set; the old one stays in use.
/// `*out` receives the request after the step, as a new `bk_regeneration` (`out` NULL: not
/// wanted).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_bank_status(
    client: *mut bk_client,
    id: *const c_char,
    status: u32,
    reason: *const c_char,
    at: i64,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_bank_status", || {
        let id = unsafe { buf::string(id, "id") }?;
        let status = RequestStatus::from_code(status)
            .ok_or_else(|| Fail::invalid("status", format!("unknown status {status}")))?;
        let reason = unsafe { buf::opt_string(reason, "reason") }?;
        let at = buf::instant(at, "at")?;
        let r = unsafe { locked(client) }?.bank_status(id, status, reason, at)?;
        unsafe { put(out, || regeneration_handle(&r)) };
        Ok(())
    })
}

/// Receives the issued certificate → «Получен новый сертификат»: it must hold the request's
/// key, keep the identity, not be a CA, not be expired at `at`, and chain to the trust
/// anchors when set.
/// `*out` receives the request after the step, as a new `bk_regeneration` (`out` NULL: not
/// wanted).
///
/// Errors: `BK_KEY_MISMATCH`, `BK_INVALID_INPUT` naming the changed attribute, `BK_EXPIRED`,
/// `BK_UNTRUSTED_ISSUER`, `BK_WRONG_STATE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_receive_certificate(
    client: *mut bk_client,
    id: *const c_char,
    cert: *const bk_certificate,
    at: i64,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_receive_certificate", || {
        let id = unsafe { buf::string(id, "id") }?;
        let c = unsafe { handle::get(cert, "cert") }?;
        let at = buf::instant(at, "at")?;
        let r = unsafe { locked(client) }?.receive_certificate(id, c.cert.der(), at)?;
        unsafe { put(out, || regeneration_handle(&r)) };
        Ok(())
    })
}

/// Activates the new key set → «Вы переведены на работу с новым комплектом ключей»: installs
/// the certificate beside the new key, makes a test signature and verifies it, then retires
/// the old set (kept). Any failure before that is rolled back: the old set still signs.
/// `*out` receives the request after the step, as a new `bk_regeneration` (`out` NULL: not
/// wanted).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_activate(
    client: *mut bk_client,
    id: *const c_char,
    at: i64,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_activate", || {
        let id = unsafe { buf::string(id, "id") }?;
        let at = buf::instant(at, "at")?;
        let r = unsafe { locked(client) }?.activate(id, at)?;
        unsafe { put(out, || regeneration_handle(&r)) };
        Ok(())
    })
}

/// Cancels a request before its certificate is issued → «Отменён»; the new key set is
/// removed.
/// `*out` receives the request after the step, as a new `bk_regeneration` (`out` NULL: not
/// wanted).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_cancel(
    client: *mut bk_client,
    id: *const c_char,
    at: i64,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_cancel", || {
        let id = unsafe { buf::string(id, "id") }?;
        let at = buf::instant(at, "at")?;
        let r = unsafe { locked(client) }?.cancel(id, at)?;
        unsafe { put(out, || regeneration_handle(&r)) };
        Ok(())
    })
}

/// Deletes the old key set of an activated request (retired by the activation), when the
/// user is sure the new one works.
/// `*out` receives the request after the step, as a new `bk_regeneration` (`out` NULL: not
/// wanted).
///
/// Errors: `BK_WRONG_STATE` unless activated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_delete_old_key(
    client: *mut bk_client,
    id: *const c_char,
    at: i64,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_delete_old_key", || {
        let id = unsafe { buf::string(id, "id") }?;
        let at = buf::instant(at, "at")?;
        let r = unsafe { locked(client) }?.delete_old_key(id, at)?;
        unsafe { put(out, || regeneration_handle(&r)) };
        Ok(())
    })
}

/// The request `id`.
///
/// Errors: `BK_INVALID_INPUT` (field "id") when there is none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_regeneration(
    client: *const bk_client,
    id: *const c_char,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_regeneration", || {
        let out = unsafe { buf::out(out, "out") }?;
        let id = unsafe { buf::string(id, "id") }?;
        let r = unsafe { locked(client) }?.regeneration(id)?;
        out.set(regeneration_handle(&r));
        Ok(())
    })
}

/// The request in progress (not final), or `*out` = NULL when there is none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_in_progress(
    client: *const bk_client,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_in_progress", || {
        let out = unsafe { buf::out(out, "out") }?;
        let r = unsafe { locked(client) }?.in_progress();
        out.set(r.as_ref().map_or(std::ptr::null_mut(), regeneration_handle));
        Ok(())
    })
}

/// How many regenerations the journal holds (`bk_client_regeneration_at` reads them, oldest
/// first: the history).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_regeneration_count(
    client: *const bk_client,
    out: *mut usize,
) -> bk_status {
    boundary("bk_client_regeneration_count", || {
        let out = unsafe { buf::out(out, "out") }?;
        out.set(unsafe { locked(client) }?.regenerations().len());
        Ok(())
    })
}

/// The `index`-th regeneration, oldest first.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_regeneration_at(
    client: *const bk_client,
    index: usize,
    out: *mut *mut bk_regeneration,
) -> bk_status {
    boundary("bk_client_regeneration_at", || {
        let out = unsafe { buf::out(out, "out") }?;
        let all = unsafe { locked(client) }?.regenerations();
        let r = all.get(index).ok_or_else(|| {
            Fail::invalid(
                "index",
                format!("{index} is past the {} regenerations", all.len()),
            )
        })?;
        out.set(regeneration_handle(r));
        Ok(())
    })
}

/// The journal's events after `after_seq` (0: all) as JSON lines, one event a line (the
/// fields of `bankkey::lifecycle::Event::to_json`: seq, at, request_id, flow, kind, from, to,
/// qes, note, key ids in hex, DER in base64), for a host that mirrors them into its own
/// database: remember the last `seq` and ask for what follows.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_events_json(
    client: *const bk_client,
    after_seq: u64,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_client_events_json", || {
        let out = unsafe { buf::out(out, "out") }?;
        let events = unsafe { locked(client) }?.events()?;
        let mut text = String::new();
        for e in events.iter().filter(|e| e.seq > after_seq) {
            text.push_str(&e.to_json());
            text.push('\n');
        }
        out.set(bk_bytes::from_string(text));
        Ok(())
    })
}

/// Frees a client (NULL: nothing). The journal is closed; the store lives on while other
/// handles hold it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_free(client: *mut bk_client) {
    quiet((), || unsafe { handle::free(client) })
}

/// The regeneration's fields. `*out` stays valid until the handle is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_regeneration_get_info(
    regeneration: *const bk_regeneration,
    out: *mut *const bk_regeneration_info,
) -> bk_status {
    boundary("bk_regeneration_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        out.set(&unsafe { handle::get(regeneration, "regeneration") }?.view.c);
        Ok(())
    })
}

/// Frees a regeneration snapshot (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_regeneration_free(regeneration: *mut bk_regeneration) {
    quiet((), || unsafe { handle::free(regeneration) })
}

// ---- QES (seed 004) ----

/// Registers a qualified certificate (seed 004: the first login with a КЭП): it must be
/// qualified by its form, valid at `at` and hold a key of the store; it is installed beside
/// the key → «Электронная подпись не подтверждена». `*out` receives the
/// registration, as a new `bk_qes` (`out` NULL: not wanted).
///
/// Errors: `BK_INVALID_INPUT` (field "certificate": what is missing), `BK_KEY_MISMATCH`,
/// `BK_EXPIRED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_register_qes(
    client: *mut bk_client,
    cert: *const bk_certificate,
    at: i64,
    out: *mut *mut bk_qes,
) -> bk_status {
    boundary("bk_client_register_qes", || {
        let c = unsafe { handle::get(cert, "cert") }?;
        let at = buf::instant(at, "at")?;
        let q = unsafe { locked(client) }?.register_qes(c.cert.der(), at)?;
        unsafe { put(out, || qes_handle(&q)) };
        Ok(())
    })
}

/// Signs the «Заявление о подтверждении использования ЭП» (`content`: its signed content,
/// from `bk_document_render(BK_DOCUMENT_QES_STATEMENT, …, BK_FORMAT_SIGNED_CONTENT)`) by the
/// owner's registered key and the head of the organisation's (`head`, `head_cert`), one CMS
/// with two signers, journalled; `*cms` receives it to send to the bank.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_qes_statement(
    client: *mut bk_client,
    id: *const c_char,
    content: *const u8,
    content_len: usize,
    head: *const bk_signer,
    head_cert: *const bk_certificate,
    at: i64,
    cms: *mut bk_bytes,
) -> bk_status {
    boundary("bk_client_qes_statement", || {
        let out = unsafe { buf::out(cms, "cms") }?;
        let id = unsafe { buf::string(id, "id") }?;
        let content = unsafe { buf::bytes(content, content_len, "content") }?;
        let s = unsafe { handle::get(head, "head") }?;
        let c = unsafe { handle::get(head_cert, "head_cert") }?;
        let at = buf::instant(at, "at")?;
        let der = unsafe { locked(client) }?.qes_statement(
            id,
            content,
            s.signer.as_ref(),
            &c.cert,
            at,
        )?;
        out.set(bk_bytes::from_vec(der));
        Ok(())
    })
}

/// Records that the bank confirmed the QES → «Электронная подпись подтверждена».
/// `*out` receives the registration, as a new `bk_qes` (`out` NULL: not wanted).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_qes_confirmed(
    client: *mut bk_client,
    id: *const c_char,
    at: i64,
    out: *mut *mut bk_qes,
) -> bk_status {
    boundary("bk_client_qes_confirmed", || {
        let id = unsafe { buf::string(id, "id") }?;
        let at = buf::instant(at, "at")?;
        let q = unsafe { locked(client) }?.qes_confirmed(id, at)?;
        unsafe { put(out, || qes_handle(&q)) };
        Ok(())
    })
}

/// The QES registration `id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_client_qes(
    client: *const bk_client,
    id: *const c_char,
    out: *mut *mut bk_qes,
) -> bk_status {
    boundary("bk_client_qes", || {
        let out = unsafe { buf::out(out, "out") }?;
        let id = unsafe { buf::string(id, "id") }?;
        let q = unsafe { locked(client) }?.qes_registration(id)?;
        out.set(qes_handle(&q));
        Ok(())
    })
}

/// The QES registration's fields. `*out` stays valid until the handle is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_qes_get_info(
    qes: *const bk_qes,
    out: *mut *const bk_qes_info,
) -> bk_status {
    boundary("bk_qes_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        out.set(&unsafe { handle::get(qes, "qes") }?.view.c);
        Ok(())
    })
}

/// Frees a QES snapshot (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_qes_free(qes: *mut bk_qes) {
    quiet((), || unsafe { handle::free(qes) })
}
