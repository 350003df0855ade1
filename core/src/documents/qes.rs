//! «Заявление о подтверждении использования ЭП» (seed 004).

use super::layout::{Block, Layout};
use super::model::{
    CertificateInfo, DocumentDetails, KeyDescription, Organisation, Person, non_empty,
    organisation_from_subject, same_field,
};
use super::sections::{self, Body};
use crate::pki::Certificate;
use crate::subject::SubjectKind;
use crate::{Error, Result};

/// «Заявление о подтверждении использования ЭП» (seed 004): the client asks the bank to
/// accept a qualified signature (КЭП) issued by an accredited CA. It is not printed and
/// sealed but signed electronically, in one CMS SignedData with two signers, by the key's
/// owner and by the head of the organisation (or an employee entitled to sign) with their
/// current bank keys; [`signed_content`](QesStatement::signed_content) gives the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QesStatement {
    /// What the host supplied (bank, date, place).
    pub details: DocumentDetails,
    /// The organisation or entrepreneur; `None` for a natural person.
    pub organisation: Option<Organisation>,
    /// The owner of the qualified key.
    pub owner: Person,
    /// The head who signs beside the owner (`None` for an entrepreneur or a natural person,
    /// who sign alone).
    pub head: Option<Person>,
    /// The qualified key.
    pub key: KeyDescription,
    /// The owner's CIPF: the certificate's subjectSignTool.
    pub cipf: Option<String>,
    /// The qualified certificate: serial, issuer (the accredited CA), validity.
    pub certificate: CertificateInfo,
}

impl QesStatement {
    /// The statement for a qualified certificate, its owner and the head of the organisation.
    ///
    /// Errors ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)): the certificate
    /// is not qualified (field `certificate`, the message says what is missing); the owner's
    /// SNILS or name differs from the certificate's (`SNILS`, `CN`); a legal entity without a
    /// head (`head`); and the details' errors. `head` replaces `details.head`.
    pub fn new(
        cert: &Certificate,
        owner: &Person,
        head: Option<&Person>,
        details: &DocumentDetails,
    ) -> Result<QesStatement> {
        details.validate()?;
        let q = cert.qualification();
        if !q.qualified {
            return Err(Error::invalid_field(
                "certificate",
                format!("not a qualified certificate: {}", q.missing.join("; ")),
            ));
        }
        let subject = cert.subject();
        let from_cert = Person::from_subject(subject)?;
        same_field(
            "SNILS",
            "the owner's SNILS",
            non_empty(&owner.snils).or(from_cert.snils.as_deref()),
            from_cert.snils.as_deref(),
            true,
        )?;
        same_field(
            "CN",
            "the owner's name",
            Some(&owner.full_name),
            Some(&from_cert.full_name),
            false,
        )?;
        let mut owner = owner.clone();
        if owner.snils.is_none() {
            owner.snils = from_cert.snils;
        }
        if owner.position.is_none() {
            owner.position = from_cert.position;
        }
        let head = head.cloned().or_else(|| details.head.clone());
        let organisation = organisation_from_subject(subject, details)?;
        if subject.kind() == SubjectKind::LegalEntity && head.is_none() {
            return Err(Error::invalid_field(
                "head",
                "a legal entity's statement is signed by the head of the organisation too",
            ));
        }
        let mut details = details.clone();
        details.head = head.clone();
        Ok(QesStatement {
            details,
            organisation,
            owner,
            head,
            key: KeyDescription::from_certificate(cert)?,
            cipf: cert.subject_sign_tool().map(str::to_owned),
            certificate: CertificateInfo::from_certificate(cert),
        })
    }

    /// The bytes the owner and the head sign together (one CMS, two signers, with
    /// [`crate::cms::sign`]): the text rendering in UTF-8, LF line ends. Deterministic for
    /// the same statement; keep the signed bytes with the signature (a later version of the
    /// layout would give other bytes).
    pub fn signed_content(&self) -> Vec<u8> {
        self.to_text().into_bytes()
    }

    pub(crate) fn layout(&self) -> Layout {
        let d = &self.details;
        let body = Body {
            organisation: self.organisation.as_ref(),
            owner: &self.owner,
            key: &self.key,
            cipf: self.cipf.as_deref(),
            request_number: None,
            certificate: Some(&self.certificate),
        };
        let mut blocks = body.blocks(
            format!(
                "{client} (далее — Клиент) просит {bank} (далее — Банк) подтвердить \
                 использование в системе «Клиент-Банк» квалифицированной электронной подписи \
                 владельца ключа, указанного ниже; сертификат ключа проверки электронной \
                 подписи выдан аккредитованным удостоверяющим центром.",
                client = body.client_name(),
                bank = d.bank_name.trim(),
            ),
            "Заявление подписывается электронными подписями владельца ключа и руководителя \
             организации (или сотрудника, имеющего право подписи), действующими в системе \
             «Клиент-Банк».",
        );
        let mut signers = vec![("Владелец ключа".to_owned(), self.owner.full_name.clone())];
        if let Some(h) = &self.head {
            let role = match non_empty(&h.position) {
                Some(p) => format!("Руководитель организации ({p})"),
                None => "Руководитель организации".to_owned(),
            };
            signers.push((role, h.full_name.clone()));
        }
        blocks.push(Block::Heading("Подписывают (электронная подпись)".into()));
        blocks.push(Block::Fields(signers));
        sections::layout(
            [
                "ЗАЯВЛЕНИЕ",
                "о подтверждении использования электронной подписи",
            ],
            d,
            1,
            blocks,
        )
    }
}

renderings!(QesStatement);
