//! «Акт признания открытого ключа (сертификата)» (seeds 000, 001, 003).

use super::layout::Layout;
use super::model::{
    CertificateInfo, DocumentDetails, KeyDescription, Organisation, Person, key_from_text,
    matches_request, non_empty, parse_key_hex, parties,
};
use super::sections::{self, Body};
use crate::pki::{Certificate, CertificateRequest};
use crate::{Error, ErrorKind, Result};

/// «Акт признания открытого ключа (сертификата)»: the client and the bank recognise a public
/// key as the client's. Printed in two copies (each on its own page), signed by the key's
/// owner and the head of the organisation, sealed, and handed to the bank, which checks it
/// against the request ([`matches`](Act::matches)) by the next business day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Act {
    /// What the host supplied (bank, date, place, request number, KPP, head, copies).
    pub details: DocumentDetails,
    /// The organisation or entrepreneur; `None` for a natural person.
    pub organisation: Option<Organisation>,
    /// The key's owner.
    pub owner: Person,
    /// The key.
    pub key: KeyDescription,
    /// The CIPF (СКЗИ) the key was made with: the details' or the subjectSignTool.
    pub cipf: Option<String>,
    /// The certificate, for an act made from one (serial, issuer, validity).
    pub certificate: Option<CertificateInfo>,
}

impl Act {
    /// The act for a request (before the certificate exists).
    ///
    /// Errors: the details' ([`DocumentDetails::validate`]); a subject that names no owner
    /// (`CN`) or a legal entity without a name (`O`), as [`ErrorKind::InvalidInput`]; a key
    /// bankkey cannot read.
    pub fn from_request(req: &CertificateRequest, details: &DocumentDetails) -> Result<Act> {
        let key = KeyDescription::from_spki_der(req.public_key_der())?;
        let p = parties(
            req.subject(),
            key,
            req.extensions().subject_sign_tool(),
            details,
        )?;
        Ok(Act {
            details: details.clone(),
            organisation: p.organisation,
            owner: p.owner,
            key: p.key,
            cipf: p.cipf,
            certificate: None,
        })
    }

    /// The act for an issued certificate: also its serial, issuer and validity, and its
    /// subjectKeyIdentifier as the key identifier.
    pub fn from_certificate(cert: &Certificate, details: &DocumentDetails) -> Result<Act> {
        let key = KeyDescription::from_certificate(cert)?;
        let p = parties(cert.subject(), key, cert.subject_sign_tool(), details)?;
        Ok(Act {
            details: details.clone(),
            organisation: p.organisation,
            owner: p.owner,
            key: p.key,
            cipf: p.cipf,
            certificate: Some(CertificateInfo::from_certificate(cert)),
        })
    }

    /// The bank's check: does this act describe this request?
    ///
    /// The key first: other key bytes, or another algorithm or parameter set, is
    /// [`ErrorKind::KeyMismatch`] (field `public_key` or `algorithm`). Then the identity:
    /// the organisation's kind, INN, OGRN/OGRNIP and name, the owner's SNILS, name and (when
    /// the request has a title) position; a difference is [`ErrorKind::InvalidInput`] naming
    /// the subject attribute (`INNLE`, `INN`, `OGRN`, `OGRNIP`, `O`, `CN`, `SNILS`, `T`).
    /// Names are compared as a person reads them (case, «ё», quotes and spaces aside),
    /// identifiers by their digits.
    pub fn matches(&self, req: &CertificateRequest) -> Result<()> {
        matches_request(
            self.organisation.as_ref(),
            &self.owner,
            &self.key,
            &self.details,
            req,
        )
    }

    /// The bank's check of a typed-in or scanned act: finds the public key in `text` — the
    /// whole document's text (see [`key_from_text`]), or, when the text has no «Открытый
    /// ключ» heading, the key's hex alone as an operator types it ([`parse_key_hex`]) — and
    /// compares it with the request's ([`ErrorKind::KeyMismatch`]).
    pub fn check_key_text(text: &str, req: &CertificateRequest) -> Result<()> {
        let printed = if text.contains(super::model::KEY_HEADING) {
            key_from_text(text)?
        } else {
            parse_key_hex(text)?
        };
        let expected = KeyDescription::from_spki_der(req.public_key_der())?;
        if printed != expected.public_key {
            return Err(Error::new(
                ErrorKind::KeyMismatch,
                format!(
                    "the key in the text ({} bytes) is not the request's key ({} bytes)",
                    printed.len(),
                    expected.public_key.len()
                ),
            )
            .with_field("public_key"));
        }
        Ok(())
    }

    pub(crate) fn layout(&self) -> Layout {
        let d = &self.details;
        let body = Body {
            organisation: self.organisation.as_ref(),
            owner: &self.owner,
            key: &self.key,
            cipf: self.cipf.as_deref(),
            request_number: non_empty(&d.request_number),
            certificate: self.certificate.as_ref(),
        };
        let mut blocks = body.blocks(
            format!(
                "{bank} (далее — Банк) и {client} (далее — Клиент) настоящим актом признают, \
                 что приведённый ниже открытый ключ (ключ проверки электронной подписи) \
                 сформирован Клиентом, принадлежит указанному владельцу и используется для \
                 проверки его электронной подписи в системе дистанционного банковского \
                 обслуживания Банка.",
                bank = d.bank_name.trim(),
                client = body.client_name(),
            ),
            "Подписи Клиента подтверждают, что ключ электронной подписи, соответствующий \
             приведённому открытому ключу, создан и хранится владельцем в тайне.",
        );
        blocks.push(sections::client_signatures(
            body.organisation,
            &self.owner,
            d.head.as_ref(),
        ));
        sections::bank(d, "Акт принят, открытый ключ зарегистрирован", &mut blocks);
        sections::layout(
            [
                "АКТ ПРИЗНАНИЯ ОТКРЫТОГО КЛЮЧА (СЕРТИФИКАТА)",
                "для обмена электронными документами",
            ],
            d,
            2,
            blocks,
        )
    }
}

renderings!(Act);
