//! Building a PKCS#10 request from subject fields: a `bk_subject` filled attribute by
//! attribute (validated as a whole, the error naming the attribute that is wrong), and
//! `bk_request_build` with the Russian extensions.

use std::ffi::c_char;
use std::sync::Mutex;

use bankkey::pki::{IdentificationKind, KeyUsageBit, RequestBuilder, SignToolClass};
use bankkey::subject::{AttributeType, Subject, SubjectKind};

use crate::buf;
use crate::error::{Fail, Result, boundary, quiet};
use crate::handle::{self, castable};
use crate::pki::{RequestH, bk_certificate, bk_request};
use crate::signer::bk_signer;
use crate::status::{BK_INTERNAL, bk_status};

/// A certificate subject being filled in. Not for concurrent use: one thread at a time
/// (calls are serialised by a lock, but the order of two threads' fields is theirs).
/// Free with `bk_subject_free`.
pub struct bk_subject {
    _private: [u8; 0],
}
castable!(bk_subject => Mutex<Subject>, b"bk-subj\0");

pub(crate) fn lock<T>(m: &Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| Fail::new(BK_INTERNAL, "the handle was poisoned by an earlier panic"))
}

/// A new, empty subject.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_subject_new(out: *mut *mut bk_subject) -> bk_status {
    boundary("bk_subject_new", || {
        let out = unsafe { buf::out(out, "out") }?;
        out.set(handle::into_handle::<bk_subject>(
            Mutex::new(Subject::new()),
        ));
        Ok(())
    })
}

/// A subject with the attributes of a certificate's subject (to renew with the same identity).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_subject_from_certificate(
    cert: *const bk_certificate,
    out: *mut *mut bk_subject,
) -> bk_status {
    boundary("bk_subject_from_certificate", || {
        let out = unsafe { buf::out(out, "out") }?;
        let c = unsafe { handle::get(cert, "cert") }?;
        out.set(handle::into_handle::<bk_subject>(Mutex::new(
            c.cert.subject().clone(),
        )));
        Ok(())
    })
}

/// Sets one attribute: `label` is "CN", "SN", "G", "T", "O", "OU", "L", "ST", "STREET",
/// "C", "E", "INN", "INNLE", "OGRN", "OGRNIP", "SNILS" (case ignored; also "GN", "email",
/// or a dotted OID). An attribute already set is replaced in place; a new one is appended
/// (the order is the certificate's). Identifiers are stored normalised ("112-233-445 95" →
/// "11223344595"); their check digits are judged by `bk_subject_validate` and
/// `bk_request_build`, which name the attribute that is wrong.
///
/// Errors: `BK_INVALID_INPUT` (field "label") for an unknown label, (field "value") for text
/// that is not UTF-8 or is empty.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_subject_set(
    subject: *mut bk_subject,
    label: *const c_char,
    value: *const c_char,
) -> bk_status {
    boundary("bk_subject_set", || {
        let h = unsafe { handle::get(subject, "subject") }?;
        let label = unsafe { buf::string(label, "label") }?;
        let value = unsafe { buf::string(value, "value") }?;
        let kind = AttributeType::from_label(label)
            .ok_or_else(|| Fail::invalid("label", format!("unknown attribute {label:?}")))?;
        if value.trim().is_empty() {
            return Err(Fail::invalid(
                &kind.label(),
                format!("{} is empty", kind.label()),
            ));
        }
        let mut s = lock(h)?;
        let mut next = Subject::new();
        let mut replaced = false;
        for a in s.attributes() {
            if !replaced && a.kind == kind {
                next.push(kind.clone(), value);
                replaced = true;
            } else {
                next.push_attribute(a.clone());
            }
        }
        if !replaced {
            next.push(kind, value);
        }
        *s = next;
        Ok(())
    })
}

/// The kind of subject a request is validated as: the kind its identifiers imply.
pub const BK_SUBJECT_AUTO: u32 = 0;
/// A legal entity (юридическое лицо): CN, O, INNLE, OGRN, ... mandatory.
pub const BK_SUBJECT_LEGAL_ENTITY: u32 = 1;
/// An individual entrepreneur: OGRNIP, SNILS, INN, ...
pub const BK_SUBJECT_INDIVIDUAL_ENTREPRENEUR: u32 = 2;
/// A natural person: SNILS, ...
pub const BK_SUBJECT_NATURAL_PERSON: u32 = 3;

fn subject_kind(kind: u32, s: &Subject) -> Result<SubjectKind> {
    Ok(match kind {
        BK_SUBJECT_AUTO => s.kind(),
        BK_SUBJECT_LEGAL_ENTITY => SubjectKind::LegalEntity,
        BK_SUBJECT_INDIVIDUAL_ENTREPRENEUR => SubjectKind::IndividualEntrepreneur,
        BK_SUBJECT_NATURAL_PERSON => SubjectKind::NaturalPerson,
        other => {
            return Err(Fail::invalid(
                "kind",
                format!("unknown subject kind {other}"),
            ));
        }
    })
}

/// Validates the subject as `kind` (`BK_SUBJECT_*`): mandatory attributes present, forbidden
/// ones absent, identifiers with right check digits, values that fit their string types.
///
/// Errors: `BK_INVALID_INPUT` with `bk_last_error_field` naming the attribute ("INN",
/// "SNILS", "CN", ...).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_subject_validate(subject: *const bk_subject, kind: u32) -> bk_status {
    boundary("bk_subject_validate", || {
        let h = unsafe { handle::get(subject, "subject") }?;
        let s = lock(h)?;
        s.validate(subject_kind(kind, &s)?)?;
        Ok(())
    })
}

/// Frees a subject (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_subject_free(subject: *mut bk_subject) {
    quiet((), || unsafe { handle::free(subject) })
}

pub(crate) fn subject_of(subject: *const bk_subject) -> Result<Subject> {
    let h = unsafe { handle::get(subject, "subject") }?;
    Ok(lock(h)?.clone())
}

/// What a request asks for besides its subject and key. Set `struct_size` to
/// `sizeof(bk_request_options)`; fields are only ever appended.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bk_request_options {
    /// `sizeof(bk_request_options)` as the caller compiled it.
    pub struct_size: usize,
    /// `BK_SUBJECT_*`: the kind the subject is validated as.
    pub subject_kind: u32,
    /// keyUsage bits (`BK_KEY_USAGE_*`), written critical; 0: no keyUsage.
    pub key_usage: u32,
    /// extendedKeyUsage purpose OIDs ("1.3.6.1.5.5.7.3.2", ...); NULL with count 0: none.
    pub extended_key_usage: *const *const c_char,
    /// How many.
    pub extended_key_usage_count: usize,
    /// The signature-tool class as a certificate policy: 0 none, 1 КС1, 2 КС2, 3 КС3, 4 КВ1,
    /// 5 КВ2, 6 КА1.
    pub sign_tool_class: u32,
    /// subjectSignTool: the subscriber's CIPF ("СКЗИ «КриптоПро CSP» (версия 5.0)"); NULL:
    /// none.
    pub subject_sign_tool: *const c_char,
    /// identificationKind: 0 in person, 1 by a qualified signature, 2 biometric passport, 3
    /// unified biometric system; -1: none.
    pub identification_kind: i64,
}

/// Builds and signs a PKCS#10 request for `subject` with `signer`'s key (the new key: from
/// `bk_key_store_signer` after `bk_key_store_generate`), with the extensions of `options`
/// (NULL: none). The subject is validated first; the request is verified before it is
/// returned.
///
/// Errors: `BK_INVALID_INPUT` naming the attribute or option that is wrong; the signer's
/// errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_request_build(
    subject: *const bk_subject,
    signer: *const bk_signer,
    options: *const bk_request_options,
    out: *mut *mut bk_request,
) -> bk_status {
    boundary("bk_request_build", || {
        let out = unsafe { buf::out(out, "out") }?;
        let subject = subject_of(subject)?;
        let s = unsafe { handle::get(signer, "signer") }?;
        let mut b = RequestBuilder::new(subject.clone());
        if let Some(o) = unsafe { buf::versioned(options, REQUEST_OPTIONS_FIRST, "options") }? {
            b = apply_options(b, &o, &subject)?;
        }
        let req = b.build(s.signer.as_ref())?;
        out.set(handle::into_handle::<bk_request>(RequestH::new(req)));
        Ok(())
    })
}

/// `sizeof(bk_request_options)` in 0.1, the release that introduced it; it stays when fields
/// are appended.
const REQUEST_OPTIONS_FIRST: usize = std::mem::size_of::<bk_request_options>();

fn apply_options(
    mut b: RequestBuilder,
    o: &bk_request_options,
    subject: &Subject,
) -> Result<RequestBuilder> {
    b = b.subject_kind(
        subject_kind(o.subject_kind, subject).map_err(|f| f.field("options.subject_kind"))?,
    );
    if o.key_usage != 0 {
        if o.key_usage >> KeyUsageBit::ALL.len() != 0 {
            return Err(Fail::invalid("options.key_usage", "unknown keyUsage bits"));
        }
        let bits: Vec<KeyUsageBit> = KeyUsageBit::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| o.key_usage & (1 << i) != 0)
            .map(|(_, b)| *b)
            .collect();
        b = b.key_usage(&bits);
    }
    let ekus = unsafe {
        strings(
            o.extended_key_usage,
            o.extended_key_usage_count,
            "options.extended_key_usage",
        )
    }?;
    let mut purposes = Vec::with_capacity(ekus.len());
    for (i, e) in ekus.iter().enumerate() {
        purposes.push(e.parse().map_err(|_| {
            Fail::invalid(
                &format!("options.extended_key_usage[{i}]"),
                format!("{e:?} is not an OID"),
            )
        })?);
    }
    b = b.extended_key_usage(&purposes);
    if o.sign_tool_class != 0 {
        let class = SignToolClass::ALL
            .get(o.sign_tool_class as usize - 1)
            .ok_or_else(|| Fail::invalid("options.sign_tool_class", "0 to 6"))?;
        b = b.sign_tool_class(*class);
    }
    if let Some(tool) =
        unsafe { buf::opt_string(o.subject_sign_tool, "options.subject_sign_tool") }?
    {
        b = b.subject_sign_tool(tool);
    }
    match o.identification_kind {
        -1 => {}
        k @ 0..=3 => b = b.identification_kind(IdentificationKind::from_value(k)),
        _ => {
            return Err(Fail::invalid(
                "options.identification_kind",
                "-1 (none) or 0 to 3",
            ));
        }
    }
    Ok(b)
}

/// `n` NUL-terminated strings.
///
/// # Safety
/// `items` is NULL or points to `n` string pointers.
pub(crate) unsafe fn strings<'a>(
    items: *const *const c_char,
    n: usize,
    param: &str,
) -> Result<Vec<&'a str>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if items.is_null() {
        return Err(Fail::null(param));
    }
    // SAFETY: the caller passes n pointers.
    let ptrs = unsafe { std::slice::from_raw_parts(items, n) };
    ptrs.iter()
        .enumerate()
        .map(|(i, p)| unsafe { buf::string(*p, &format!("{param}[{i}]")) })
        .collect()
}
