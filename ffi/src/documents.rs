//! The documents: «Акт признания открытого ключа (сертификата)», «Заявление на изготовление
//! сертификата ключа подписи», «Заявление о подтверждении использования ЭП» — as text, HTML
//! (print CSS, copies on their own pages) or PDF bytes; and the bank's check of an act's
//! printed key.

use std::ffi::c_char;

use bankkey::documents::{Act, CertificateApplication, DocumentDetails, Person, QesStatement};

use crate::buf::{self, bk_bytes};
use crate::error::{Fail, Result, boundary};
use crate::handle;
use crate::pki::{bk_certificate, bk_request};
use crate::status::bk_status;

/// The act of recognition of the public key (2 copies): from a request (before issue) or
/// from a certificate.
pub const BK_DOCUMENT_ACT: u32 = 1;
/// The certificate application (from a request).
pub const BK_DOCUMENT_APPLICATION: u32 = 2;
/// The QES confirmation statement (from a qualified certificate, its owner and the head).
pub const BK_DOCUMENT_QES_STATEMENT: u32 = 3;

/// Plain text, UTF-8, at most 80 columns, one copy.
pub const BK_FORMAT_TEXT: u32 = 1;
/// One HTML file with print CSS (A4), each copy on its own page.
pub const BK_FORMAT_HTML: u32 = 2;
/// PDF, A4, fonts embedded; deterministic.
pub const BK_FORMAT_PDF: u32 = 3;
/// The bytes the owner and the head sign (QES statement only): `bk_client_qes_statement`
/// takes them.
pub const BK_FORMAT_SIGNED_CONTENT: u32 = 4;

/// A person: the key's owner or the head who signs beside them.
#[repr(C)]
pub struct bk_person {
    /// "Иванов Иван Иванович".
    pub full_name: *const c_char,
    /// The position ("Генеральный директор"); NULL: none.
    pub position: *const c_char,
    /// СНИЛС; NULL: unknown.
    pub snils: *const c_char,
    /// ИНН of the person; NULL: unknown.
    pub inn: *const c_char,
}

/// What the host supplies that is in neither the request nor the certificate. Set
/// `struct_size` to `sizeof(bk_document_details)`; NULL strings are printed as blank lines to
/// fill in by hand.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bk_document_details {
    /// `sizeof(bk_document_details)` as the caller compiled it.
    pub struct_size: usize,
    /// The bank's name ("АО «Банк»"); required.
    pub bank_name: *const c_char,
    /// The document's date: year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day, 1–31.
    pub day: u32,
    /// The place of signing ("г. Москва").
    pub place: *const c_char,
    /// The CIPF the key was made with (NULL: the request's or certificate's subjectSignTool).
    pub cipf: *const c_char,
    /// The request's number in the bank's system.
    pub request_number: *const c_char,
    /// The organisation's KPP (checked when given).
    pub kpp: *const c_char,
    /// The owner's position when the subject has no title.
    pub owner_position: *const c_char,
    /// The head of the organisation, who signs beside the owner; NULL: a blank line.
    pub head: *const bk_person,
    /// Copies in HTML and PDF (1–10); 0: the document's own number (act 2, others 1).
    pub copies: u32,
}

unsafe fn opt(p: *const c_char, param: &str) -> Result<Option<String>> {
    Ok(unsafe { buf::opt_string(p, param) }?.map(str::to_owned))
}

unsafe fn person(p: &bk_person, param: &str) -> Result<Person> {
    let name = unsafe { buf::string(p.full_name, &format!("{param}.full_name")) }?;
    Ok(Person {
        full_name: name.to_owned(),
        position: unsafe { opt(p.position, &format!("{param}.position")) }?,
        snils: unsafe { opt(p.snils, &format!("{param}.snils")) }?,
        inn: unsafe { opt(p.inn, &format!("{param}.inn")) }?,
    })
}

/// `sizeof(bk_document_details)` in 0.1, the release that introduced it; it stays when fields
/// are appended.
const DETAILS_FIRST: usize = std::mem::size_of::<bk_document_details>();

unsafe fn read_details(d: *const bk_document_details) -> Result<DocumentDetails> {
    let d = unsafe { buf::versioned(d, DETAILS_FIRST, "details") }?
        .ok_or_else(|| Fail::null("details"))?;
    let month = u8::try_from(d.month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(|| Fail::invalid("details.month", "1 to 12"))?;
    let day = u8::try_from(d.day).map_err(|_| Fail::invalid("details.day", "1 to 31"))?;
    let date = time::Date::from_calendar_date(d.year, month, day)
        .map_err(|e| Fail::invalid("details.day", format!("not a date: {e}")))?;
    let mut out = DocumentDetails::new(
        unsafe { buf::string(d.bank_name, "details.bank_name") }?,
        date,
    );
    out.place = unsafe { opt(d.place, "details.place") }?;
    out.cipf = unsafe { opt(d.cipf, "details.cipf") }?;
    out.request_number = unsafe { opt(d.request_number, "details.request_number") }?;
    out.kpp = unsafe { opt(d.kpp, "details.kpp") }?;
    out.owner_position = unsafe { opt(d.owner_position, "details.owner_position") }?;
    if !d.head.is_null() {
        // SAFETY: non-NULL, the caller's struct.
        out.head = Some(unsafe { person(&*d.head, "details.head") }?);
    }
    if d.copies != 0 {
        out.copies =
            Some(u8::try_from(d.copies).map_err(|_| Fail::invalid("details.copies", "1 to 10"))?);
    }
    Ok(out)
}

fn render(
    format: u32,
    text: impl FnOnce() -> String,
    html: impl FnOnce() -> String,
    pdf: impl FnOnce() -> bankkey::Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    Ok(match format {
        BK_FORMAT_TEXT => text().into_bytes(),
        BK_FORMAT_HTML => html().into_bytes(),
        BK_FORMAT_PDF => pdf()?,
        other => {
            return Err(Fail::invalid(
                "format",
                format!("format {other} is not available for this document"),
            ));
        }
    })
}

/// Renders a document into `*out`:
/// - `BK_DOCUMENT_ACT`: from `request` (before the certificate exists), or from `cert` when
///   `request` is NULL (then with the certificate's serial, issuer and validity);
/// - `BK_DOCUMENT_APPLICATION`: from `request`;
/// - `BK_DOCUMENT_QES_STATEMENT`: from the qualified `cert`, its `owner` (NULL: from the
///   certificate) and `details->head`; also `BK_FORMAT_SIGNED_CONTENT`.
///
/// Errors: `BK_INVALID_INPUT` naming the field (details, subject attributes, a certificate
/// that is not qualified, a legal entity's statement without a head).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_document_render(
    document: u32,
    request: *const bk_request,
    cert: *const bk_certificate,
    owner: *const bk_person,
    details: *const bk_document_details,
    format: u32,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_document_render", || {
        let out = unsafe { buf::out(out, "out") }?;
        let d = unsafe { read_details(details) }?;
        let bytes = match document {
            BK_DOCUMENT_ACT => {
                let act = if !request.is_null() {
                    Act::from_request(&unsafe { handle::get(request, "request") }?.req, &d)?
                } else if !cert.is_null() {
                    Act::from_certificate(&unsafe { handle::get(cert, "cert") }?.cert, &d)?
                } else {
                    return Err(Fail::null("request"));
                };
                render(format, || act.to_text(), || act.to_html(), || act.to_pdf())?
            }
            BK_DOCUMENT_APPLICATION => {
                let r = unsafe { handle::get(request, "request") }?;
                let app = CertificateApplication::from_request(&r.req, &d)?;
                render(format, || app.to_text(), || app.to_html(), || app.to_pdf())?
            }
            BK_DOCUMENT_QES_STATEMENT => {
                let c = unsafe { handle::get(cert, "cert") }?;
                let owner = if owner.is_null() {
                    Person::from_subject(c.cert.subject())?
                } else {
                    // SAFETY: non-NULL, the caller's struct.
                    unsafe { person(&*owner, "owner") }?
                };
                let head = d.head.clone();
                let st = QesStatement::new(&c.cert, &owner, head.as_ref(), &d)?;
                if format == BK_FORMAT_SIGNED_CONTENT {
                    st.signed_content()
                } else {
                    render(format, || st.to_text(), || st.to_html(), || st.to_pdf())?
                }
            }
            other => {
                return Err(Fail::invalid(
                    "document",
                    format!("unknown document {other}"),
                ));
            }
        };
        out.set(bk_bytes::from_vec(bytes));
        Ok(())
    })
}

/// The bank's check of a paper act: finds the public key in `text` (typed in or scanned: hex
/// in any grouping, spaces, line breaks, ':' and '-' ignored; Cyrillic look-alikes of A–F
/// refused) and compares it with the request's key.
///
/// Errors: `BK_KEY_MISMATCH`, `BK_INVALID_INPUT` (no key in the text).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_act_check_key_text(
    text: *const c_char,
    request: *const bk_request,
) -> bk_status {
    boundary("bk_act_check_key_text", || {
        let text = unsafe { buf::string(text, "text") }?;
        let r = unsafe { handle::get(request, "request") }?;
        Act::check_key_text(text, &r.req)?;
        Ok(())
    })
}
