//! "The token does not work": the core's diagnosis of a PKCS#11 module's tokens
//! (`bankkey::store::pkcs11::diagnosis`), as C sees it — every finding with its stable code,
//! severity and words, per module and per token, beside the slots and key sets it looked at.
//! The rules (when to log in, what counts as a fault, how bad it is) are the core's: C,
//! Python's `bankkey token` and Rust show the same findings.

use bankkey::store::pkcs11::diagnosis::{self, Finding, TokenDiagnosis};

use crate::buf::{self, bk_slice, bk_str};
use crate::error::{boundary, quiet};
use crate::handle::{self, castable};
use crate::status::bk_status;
use crate::store::{
    bk_key_set, bk_pkcs11_module, bk_slot_info, bk_token_info, key_set_view, slot_view, token_view,
};
use crate::view::{Arena, View};

/// What `bk_pkcs11_module_diagnose` found (a snapshot). Immutable: usable from any thread at
/// once. Free with `bk_diagnosis_free`.
pub struct bk_diagnosis {
    _private: [u8; 0],
}
castable!(bk_diagnosis => DiagnosisH, b"bk-diagn");

pub(crate) struct DiagnosisH {
    view: View<bk_diagnosis_info>,
}

/// One finding: about the module, a token, or one of its key sets.
#[repr(C)]
pub struct bk_finding {
    /// `BK_FINDING_*`.
    pub kind: u32,
    /// Its machine name ("pin_final_try", "replacement_due").
    pub name: bk_str,
    /// `BK_SEVERITY_*`: how bad it is.
    pub severity: u32,
    /// The severity's machine name ("info", "warning", "error").
    pub severity_name: bk_str,
    /// What support staff tell the user, in Russian («Необходима плановая замена
    /// сертификата»).
    pub ru: bk_str,
    /// The same in English.
    pub en: bk_str,
    /// The key set it is about (its identifier), when it is about one.
    pub key_id: bk_slice,
    /// The same in lowercase hex, when it is about one.
    pub key_id_hex: bk_str,
    /// Details (a certificate's subject and dates, the token's message), when there are.
    pub detail: bk_str,
}

/// What the diagnosis found on one token.
#[repr(C)]
pub struct bk_token_diagnosis {
    /// The token as it described itself before the diagnosis.
    pub token: bk_token_info,
    /// The user PIN state after the diagnosis (`BK_PIN_STATE_*`; a wrong PIN given changes
    /// it).
    pub pin_state: u32,
    /// The diagnosis logged in (and out again): private keys were seen.
    pub logged_in: bool,
    /// The key sets seen (without a login: those with public parts only).
    pub key_sets: *const bk_key_set,
    /// How many.
    pub key_sets_count: usize,
    /// The findings, worst first.
    pub findings: *const bk_finding,
    /// How many.
    pub findings_count: usize,
}

/// What the diagnosis found in a module. Owned by the `bk_diagnosis`.
#[repr(C)]
pub struct bk_diagnosis_info {
    /// The worst severity found anywhere (`BK_SEVERITY_*`), or 0 when nothing was found.
    pub worst: u32,
    /// The module's slots, each with its token as read.
    pub slots: *const bk_slot_info,
    /// How many.
    pub slots_count: usize,
    /// The tokens present.
    pub tokens: *const bk_token_diagnosis,
    /// How many.
    pub tokens_count: usize,
    /// Findings about the module as a whole (no slot, no token).
    pub findings: *const bk_finding,
    /// How many.
    pub findings_count: usize,
}

fn finding_view(a: &mut Arena, f: &Finding) -> bk_finding {
    let severity = f.kind.severity();
    bk_finding {
        kind: f.kind.code(),
        name: a.str(f.kind.as_str()),
        severity: severity.code(),
        severity_name: a.str(severity.as_str()),
        ru: a.str(f.kind.ru()),
        en: a.str(f.kind.en()),
        key_id: f.key_id.clone().map_or(bk_slice::EMPTY, |id| a.bytes(id)),
        key_id_hex: a.opt_str(
            f.key_id
                .as_ref()
                .map(|id| crate::view::hex_upper(id).to_ascii_lowercase())
                .as_deref(),
        ),
        detail: a.opt_str(f.detail.as_deref()),
    }
}

fn findings_view(a: &mut Arena, list: &[Finding]) -> (*const bk_finding, usize) {
    let items: Vec<bk_finding> = list.iter().map(|f| finding_view(a, f)).collect();
    a.array(items)
}

fn token_diagnosis_view(a: &mut Arena, t: TokenDiagnosis) -> bk_token_diagnosis {
    let (findings, findings_count) = findings_view(a, &t.findings);
    let sets: Vec<bk_key_set> = t.key_sets.into_iter().map(|k| key_set_view(a, k)).collect();
    let (key_sets, key_sets_count) = a.array(sets);
    bk_token_diagnosis {
        token: token_view(a, &t.info),
        pin_state: t.pin_state.code(),
        logged_in: t.logged_in,
        key_sets,
        key_sets_count,
        findings,
        findings_count,
    }
}

fn diagnosis_view(d: diagnosis::Diagnosis) -> View<bk_diagnosis_info> {
    let mut a = Arena::default();
    let worst = d.worst().map_or(0, |s| s.code());
    let slots: Vec<bk_slot_info> = d
        .slots
        .iter()
        .map(|s| {
            let token = d
                .tokens
                .iter()
                .find(|t| t.info.slot_id == s.slot_id)
                .map(|t| &t.info)
                .ok_or(None);
            slot_view(&mut a, s, token)
        })
        .collect();
    let (slots, slots_count) = a.array(slots);
    let (findings, findings_count) = findings_view(&mut a, &d.findings);
    let tokens: Vec<bk_token_diagnosis> = d
        .tokens
        .into_iter()
        .map(|t| token_diagnosis_view(&mut a, t))
        .collect();
    let (tokens, tokens_count) = a.array(tokens);
    View::new(
        a,
        bk_diagnosis_info {
            worst,
            slots,
            slots_count,
            tokens,
            tokens_count,
            findings,
            findings_count,
        },
    )
}

/// Diagnoses every token of the module at `at` (Unix seconds), as support acts on "the token
/// does not work": no reader, no token, a token not initialised, the PIN state (not set,
/// factory PIN, a wrong PIN entered, the final try, locked), certificates without their key
/// and keys without their certificate, expired certificates and those within `window_days`
/// of notAfter (0: 30 days), several qualified keys on one medium. With `pin` (NULL: none) it
/// logs in to each token whose PIN state allows it — never on the final try, never on a
/// locked PIN — and logs out again; a wrong PIN is a finding, not an error (it does count as
/// a wrong try on the token). `*out` receives the diagnosis, a new handle.
///
/// Errors: the module's own failures (it cannot list its slots): `BK_PKCS11`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_pkcs11_module_diagnose(
    module: *const bk_pkcs11_module,
    pin: *const u8,
    pin_len: usize,
    at: i64,
    window_days: u32,
    out: *mut *mut bk_diagnosis,
) -> bk_status {
    boundary("bk_pkcs11_module_diagnose", || {
        let out = unsafe { buf::out(out, "out") }?;
        let m = unsafe { handle::get(module, "module") }?;
        let pin = if pin.is_null() {
            None
        } else {
            Some(unsafe { buf::secret(pin, pin_len, "pin") }?)
        };
        let at = buf::instant(at, "at")?;
        let window = if window_days == 0 {
            bankkey::lifecycle::DEFAULT_REPLACEMENT_WINDOW_DAYS
        } else {
            window_days
        };
        let d = diagnosis::diagnose(m, pin.as_ref(), at, window)?;
        out.set(handle::into_handle::<bk_diagnosis>(DiagnosisH {
            view: diagnosis_view(d),
        }));
        Ok(())
    })
}

/// What the diagnosis found. `*out` stays valid until the diagnosis is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_diagnosis_get_info(
    diagnosis: *const bk_diagnosis,
    out: *mut *const bk_diagnosis_info,
) -> bk_status {
    boundary("bk_diagnosis_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        out.set(&unsafe { handle::get(diagnosis, "diagnosis") }?.view.c);
        Ok(())
    })
}

/// Frees a diagnosis (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_diagnosis_free(diagnosis: *mut bk_diagnosis) {
    quiet((), || unsafe { handle::free(diagnosis) })
}
