//! «Заявление на изготовление сертификата ключа подписи» (seeds 000, 001: step 6–7).

use super::layout::Layout;
use super::model::{
    DocumentDetails, KeyDescription, Organisation, Person, matches_request, non_empty, parties,
};
use super::sections::{self, Body};
use crate::Result;
use crate::pki::CertificateRequest;

/// «Заявление на изготовление сертификата ключа подписи»: the client asks the bank to issue
/// the certificate for the key of a request. One copy (seed 000, step 7), handed in with the
/// two copies of the [`Act`](super::Act).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateApplication {
    /// What the host supplied.
    pub details: DocumentDetails,
    /// The organisation or entrepreneur; `None` for a natural person.
    pub organisation: Option<Organisation>,
    /// The key's owner, to whom the certificate is issued.
    pub owner: Person,
    /// The key.
    pub key: KeyDescription,
    /// The CIPF (СКЗИ): the details' or the request's subjectSignTool.
    pub cipf: Option<String>,
}

impl CertificateApplication {
    /// The application for a request; errors as [`Act::from_request`](super::Act::from_request).
    pub fn from_request(
        req: &CertificateRequest,
        details: &DocumentDetails,
    ) -> Result<CertificateApplication> {
        let key = KeyDescription::from_spki_der(req.public_key_der())?;
        let p = parties(
            req.subject(),
            key,
            req.extensions().subject_sign_tool(),
            details,
        )?;
        Ok(CertificateApplication {
            details: details.clone(),
            organisation: p.organisation,
            owner: p.owner,
            key: p.key,
            cipf: p.cipf,
        })
    }

    /// Whether this application is for this request: as [`Act::matches`](super::Act::matches).
    pub fn matches(&self, req: &CertificateRequest) -> Result<()> {
        matches_request(
            self.organisation.as_ref(),
            &self.owner,
            &self.key,
            &self.details,
            req,
        )
    }

    pub(crate) fn layout(&self) -> Layout {
        let d = &self.details;
        let request_number = non_empty(&d.request_number);
        let body = Body {
            organisation: self.organisation.as_ref(),
            owner: &self.owner,
            key: &self.key,
            cipf: self.cipf.as_deref(),
            request_number,
            certificate: None,
        };
        let request = match request_number {
            Some(n) => format!(" по запросу № {n}"),
            None => String::new(),
        };
        let mut blocks = body.blocks(
            format!(
                "{client} (далее — Клиент) просит {bank} (далее — Банк) изготовить сертификат \
                 ключа проверки электронной подписи{request} для работы в системе \
                 дистанционного банковского обслуживания Банка по приведённым ниже данным. \
                 Ключ электронной подписи сформирован Клиентом с использованием указанного \
                 средства электронной подписи и хранится владельцем ключа в тайне.",
                client = body.client_name(),
                bank = d.bank_name.trim(),
            ),
            "Клиент подтверждает достоверность приведённых сведений и согласен с тем, что \
             сертификат будет изготовлен только после проверки Банком акта признания \
             открытого ключа.",
        );
        blocks.push(sections::client_signatures(
            body.organisation,
            &self.owner,
            d.head.as_ref(),
        ));
        sections::bank(d, "Сертификат изготовлен, серийный номер", &mut blocks);
        sections::layout(
            ["ЗАЯВЛЕНИЕ", "на изготовление сертификата ключа подписи"],
            d,
            1,
            blocks,
        )
    }
}

renderings!(CertificateApplication);
