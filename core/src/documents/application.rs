//! «Заявление на изготовление сертификата ключа подписи» (seeds 000, 001: step 6–7).

use super::layout::{Block, Layout};
use super::model::{
    DocumentDetails, KeyDescription, Organisation, Person, matches_request, non_empty, parties,
};
use super::sections;
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
        let org = self.organisation.as_ref();
        let (place, date) = sections::place_date(d);
        let mut blocks = Vec::new();
        let client_name = org
            .map(|o| o.name.clone())
            .unwrap_or_else(|| self.owner.full_name.clone());
        let request = match non_empty(&d.request_number) {
            Some(n) => format!(" по запросу № {n}"),
            None => String::new(),
        };
        blocks.push(Block::Paragraph(format!(
            "{client} (далее — Клиент) просит {bank} (далее — Банк) изготовить сертификат ключа \
             проверки электронной подписи{request} для работы в системе дистанционного \
             банковского обслуживания Банка по приведённым ниже данным. Ключ электронной \
             подписи сформирован Клиентом с использованием указанного средства электронной \
             подписи и хранится владельцем ключа в тайне.",
            client = client_name,
            bank = d.bank_name.trim(),
        )));
        sections::client(org, &self.owner, &mut blocks);
        sections::owner(org, &self.owner, &mut blocks);
        let n = if org.is_some() { "3" } else { "2" };
        sections::key(
            n,
            &self.key,
            self.cipf.as_deref(),
            non_empty(&d.request_number),
            None,
            &mut blocks,
        );
        blocks.push(Block::Paragraph(
            "Клиент подтверждает достоверность приведённых сведений и согласен с тем, что \
             сертификат будет изготовлен только после проверки Банком акта признания \
             открытого ключа."
                .into(),
        ));
        blocks.push(sections::client_signatures(
            org,
            &self.owner,
            d.head.as_ref(),
        ));
        sections::bank(d, "Сертификат изготовлен, серийный номер", &mut blocks);
        Layout {
            title: vec![
                "ЗАЯВЛЕНИЕ".into(),
                "на изготовление сертификата ключа подписи".into(),
            ],
            place,
            date,
            copies: sections::copies(d, 1),
            blocks,
        }
    }
}

renderings!(CertificateApplication);
