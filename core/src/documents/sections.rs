//! The sections the three documents share: the client, the key's owner, the key, signatures,
//! the bank's block.

use super::layout::{Block, Layout, Signature};
use super::model::{
    CertificateInfo, DocumentDetails, KEY_HEADING, KeyDescription, Organisation, Person, non_empty,
    russian_date, utc_time,
};
use crate::subject::SubjectKind;

fn opt(v: &Option<String>) -> String {
    non_empty(v).unwrap_or("").to_owned()
}

fn row(label: &str, value: impl Into<String>) -> (String, String) {
    (label.to_owned(), value.into())
}

/// «Клиент»: the organisation, or the natural person.
pub(crate) fn client(org: Option<&Organisation>, owner: &Person, blocks: &mut Vec<Block>) {
    match org {
        Some(o) => {
            let (heading, name_label) = match o.kind {
                SubjectKind::IndividualEntrepreneur => (
                    "1. Клиент — индивидуальный предприниматель",
                    "Наименование (ФИО)",
                ),
                _ => ("1. Клиент — юридическое лицо", "Наименование"),
            };
            blocks.push(Block::Heading(heading.into()));
            let mut rows = vec![row(name_label, o.name.clone()), row("ИНН", opt(&o.inn))];
            if o.kind == SubjectKind::LegalEntity {
                rows.push(row("КПП", opt(&o.kpp)));
            }
            rows.push(row(o.ogrn_label(), opt(&o.ogrn)));
            if let Some(a) = non_empty(&o.address) {
                rows.push(row("Адрес", a));
            }
            blocks.push(Block::Fields(rows));
        }
        None => {
            blocks.push(Block::Heading("1. Клиент — физическое лицо".into()));
            blocks.push(Block::Fields(vec![
                row("ФИО", owner.full_name.clone()),
                row("ИНН", opt(&owner.inn)),
                row("СНИЛС", snils(&owner.snils)),
            ]));
        }
    }
}

fn snils(v: &Option<String>) -> String {
    match non_empty(v) {
        Some(s) => crate::ident::Snils::new(s)
            .map(|s| s.formatted())
            .unwrap_or_else(|_| s.to_owned()),
        None => String::new(),
    }
}

/// «Владелец ключа»: for an organisation (for a natural person the client section says it).
pub(crate) fn owner(org: Option<&Organisation>, owner: &Person, blocks: &mut Vec<Block>) {
    if org.is_none() {
        return;
    }
    blocks.push(Block::Heading(
        "2. Владелец ключа электронной подписи".into(),
    ));
    let mut rows = vec![
        row("ФИО", owner.full_name.clone()),
        row("Должность", opt(&owner.position)),
        row("СНИЛС", snils(&owner.snils)),
    ];
    if let Some(inn) = non_empty(&owner.inn) {
        rows.push(row("ИНН", inn));
    }
    blocks.push(Block::Fields(rows));
}

/// «Ключ проверки электронной подписи»: identifiers, algorithm, CIPF, certificate, hex.
pub(crate) fn key(
    number: &str,
    key: &KeyDescription,
    cipf: Option<&str>,
    request_number: Option<&str>,
    cert: Option<&CertificateInfo>,
    blocks: &mut Vec<Block>,
) {
    blocks.push(Block::Heading(format!(
        "{number}. Ключ проверки электронной подписи"
    )));
    let mut rows = vec![row("Идентификатор ключа", key.key_id_hex())];
    if let Some(n) = request_number.map(str::trim).filter(|n| !n.is_empty()) {
        rows.push(row("Номер запроса", n));
    }
    rows.push(row("Алгоритм", key.algorithm.clone()));
    rows.push(row("OID алгоритма", key.algorithm_oid.to_string()));
    if let Some(p) = &key.parameter_set_oid {
        rows.push(row("OID набора параметров", p.to_string()));
    }
    if let Some(d) = &key.digest_parameter_set_oid {
        rows.push(row("OID параметров хэш-функции", d.to_string()));
    }
    rows.push(row("Средство ЭП (СКЗИ)", cipf.unwrap_or("")));
    if let Some(c) = cert {
        rows.push(row("Серийный номер сертификата", c.serial.clone()));
        rows.push(row("Издатель сертификата", c.issuer.clone()));
        rows.push(row(
            "Срок действия сертификата",
            format!(
                "с {} по {}",
                utc_time(c.validity.not_before),
                utc_time(c.validity.not_after)
            ),
        ));
    }
    blocks.push(Block::Fields(rows));
    blocks.push(Block::Hex {
        caption: format!(
            "{KEY_HEADING} ({} байт, содержимое subjectPublicKey, шестнадцатеричное):",
            key.public_key.len()
        ),
        lines: key.public_key_lines(),
    });
}

/// The client's signatures: the owner, and the head with the seal (an entrepreneur signs
/// once, as both, with the seal if any; a natural person signs alone).
pub(crate) fn client_signatures(
    org: Option<&Organisation>,
    owner: &Person,
    head: Option<&Person>,
) -> Block {
    let mut list = Vec::new();
    match org.map(|o| o.kind) {
        Some(SubjectKind::LegalEntity) => {
            list.push(Signature {
                role: "Владелец ключа".into(),
                name: owner.full_name.clone(),
                seal: false,
            });
            let role = match head.and_then(|h| non_empty(&h.position)) {
                Some(p) => format!("Руководитель организации ({p})"),
                None => "Руководитель организации".into(),
            };
            list.push(Signature {
                role,
                name: head.map(|h| h.full_name.clone()).unwrap_or_default(),
                seal: true,
            });
        }
        Some(_) => list.push(Signature {
            role: "Индивидуальный предприниматель (владелец ключа)".into(),
            name: owner.full_name.clone(),
            seal: true,
        }),
        None => list.push(Signature {
            role: "Клиент (владелец ключа)".into(),
            name: owner.full_name.clone(),
            seal: false,
        }),
    }
    Block::Signatures(list)
}

/// The bank's block: what the bank writes when it accepts the paper.
pub(crate) fn bank(details: &DocumentDetails, what: &str, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(format!(
        "Отметки Банка ({})",
        details.bank_name.trim()
    )));
    blocks.push(Block::Fields(vec![
        row(what, String::new()),
        row("Дата", String::new()),
    ]));
    blocks.push(Block::Signatures(vec![Signature {
        role: "Уполномоченный сотрудник Банка".into(),
        name: String::new(),
        seal: true,
    }]));
}

/// The place and date line.
fn place_date(details: &DocumentDetails) -> (String, String) {
    (opt(&details.place), russian_date(details.date))
}

/// The copy labels: `n` copies, labelled «Экземпляр i из n» (the first for the bank when
/// there are two, as the seeds hand both to the bank and one comes back).
fn copies(details: &DocumentDetails, default: u8) -> Vec<String> {
    let n = details.copies.unwrap_or(default).max(1);
    if n == 1 {
        return vec![String::new()];
    }
    (1..=n).map(|i| format!("Экземпляр {i} из {n}")).collect()
}

/// What the body of every document says: the client, the owner, the key.
pub(crate) struct Body<'a> {
    pub organisation: Option<&'a Organisation>,
    pub owner: &'a Person,
    pub key: &'a KeyDescription,
    pub cipf: Option<&'a str>,
    pub request_number: Option<&'a str>,
    pub certificate: Option<&'a CertificateInfo>,
}

impl Body<'_> {
    /// The client's name as the opening paragraph names it.
    pub fn client_name(&self) -> String {
        self.organisation
            .map(|o| o.name.clone())
            .unwrap_or_else(|| self.owner.full_name.clone())
    }

    /// The opening paragraph, the client, owner and key sections, the closing paragraph.
    pub fn blocks(&self, opening: String, closing: &str) -> Vec<Block> {
        let mut blocks = vec![Block::Paragraph(opening)];
        client(self.organisation, self.owner, &mut blocks);
        owner(self.organisation, self.owner, &mut blocks);
        let n = if self.organisation.is_some() {
            "3"
        } else {
            "2"
        };
        key(
            n,
            self.key,
            self.cipf,
            self.request_number,
            self.certificate,
            &mut blocks,
        );
        blocks.push(Block::Paragraph(closing.to_owned()));
        blocks
    }
}

/// The layout of a document with a two-line title and `default_copies` copies.
pub(crate) fn layout(
    title: [&str; 2],
    details: &DocumentDetails,
    default_copies: u8,
    blocks: Vec<Block>,
) -> Layout {
    let (place, date) = place_date(details);
    Layout {
        title: title.iter().map(|t| (*t).to_owned()).collect(),
        place,
        date,
        copies: copies(details, default_copies),
        blocks,
    }
}
