//! The data the documents are made of: parties, the key, the host's details.

use const_oid::ObjectIdentifier;
use time::{Date, OffsetDateTime};

use crate::ident::Kpp;
use crate::pki::KeyInfo;
use crate::subject::{AttributeType as A, Subject, SubjectKind};
use crate::{Error, ErrorKind, Result};

/// What the host supplies that is in neither the request nor the certificate.
///
/// Only `bank_name` and `date` are required; an empty optional field is printed as a blank
/// line to be filled in by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDetails {
    /// The bank's name as it appears in the documents ("АО «Банк»").
    pub bank_name: String,
    /// The date of the document (passed in; never read from the clock).
    pub date: Date,
    /// The place of signing ("г. Москва").
    pub place: Option<String>,
    /// The CIPF (СКЗИ) the key was made with; when `None`, the request's or certificate's
    /// subjectSignTool is used.
    pub cipf: Option<String>,
    /// The number of the request in the bank's system (printed on the act and application).
    pub request_number: Option<String>,
    /// The organisation's KPP (not carried in certificates); checked when given.
    pub kpp: Option<String>,
    /// The owner's position, when the subject has no title (T) attribute.
    pub owner_position: Option<String>,
    /// The head of the organisation (or the employee entitled to sign), who signs beside the
    /// owner; for a legal entity a blank line is printed when `None`.
    pub head: Option<Person>,
    /// How many copies the HTML and PDF renderings hold; `None` means the document's own
    /// number (act: 2, seeds 000/001/003; application and statement: 1, seed 000 step 7).
    pub copies: Option<u8>,
}

impl DocumentDetails {
    /// Details with the two required fields and everything else empty.
    pub fn new(bank_name: impl Into<String>, date: Date) -> DocumentDetails {
        DocumentDetails {
            bank_name: bank_name.into(),
            date,
            place: None,
            cipf: None,
            request_number: None,
            kpp: None,
            owner_position: None,
            head: None,
            copies: None,
        }
    }

    /// Checks the fields that have a form: a non-empty bank name, a valid KPP, 1 to 10
    /// copies. The error names the field (`bank_name`, `KPP`, `copies`).
    pub fn validate(&self) -> Result<()> {
        if self.bank_name.trim().is_empty() {
            return Err(Error::invalid_field(
                "bank_name",
                "the bank's name is empty",
            ));
        }
        if let Some(k) = non_empty(&self.kpp) {
            Kpp::new(k)?;
        }
        if let Some(n) = self.copies
            && !(1..=10).contains(&n)
        {
            return Err(Error::invalid_field(
                "copies",
                format!("{n} copies: from 1 to 10"),
            ));
        }
        Ok(())
    }
}

/// The client organisation (a legal entity) or the individual entrepreneur as a business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Legal entity or individual entrepreneur.
    pub kind: SubjectKind,
    /// The name: O (or CN) for a legal entity; CN ("ИП Иванов Иван Иванович") for an
    /// entrepreneur.
    pub name: String,
    /// ИНН: 10 digits (INNLE) for a legal entity, 12 (INN) for an entrepreneur.
    pub inn: Option<String>,
    /// КПП (legal entities only; from [`DocumentDetails::kpp`]).
    pub kpp: Option<String>,
    /// ОГРН for a legal entity, ОГРНИП for an entrepreneur.
    pub ogrn: Option<String>,
    /// The address (ST, L, STREET joined), when the subject has one.
    pub address: Option<String>,
}

impl Organisation {
    /// The Russian label of the registration number: «ОГРН» or «ОГРНИП».
    pub fn ogrn_label(&self) -> &'static str {
        match self.kind {
            SubjectKind::IndividualEntrepreneur => "ОГРНИП",
            _ => "ОГРН",
        }
    }

    /// The subject attribute the registration number comes from: "OGRN" or "OGRNIP".
    fn ogrn_attribute(&self) -> &'static str {
        match self.kind {
            SubjectKind::IndividualEntrepreneur => "OGRNIP",
            _ => "OGRN",
        }
    }

    /// The subject attribute the INN comes from: "INNLE" or "INN".
    fn inn_attribute(&self) -> &'static str {
        match self.kind {
            SubjectKind::IndividualEntrepreneur => "INN",
            _ => "INNLE",
        }
    }
}

/// A person: the key's owner or the head who signs beside them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    /// Surname, given name and patronymic ("Иванов Иван Иванович").
    pub full_name: String,
    /// The position in the organisation ("Генеральный директор").
    pub position: Option<String>,
    /// СНИЛС (11 digits), when known.
    pub snils: Option<String>,
    /// The person's ИНН (12 digits), when known.
    pub inn: Option<String>,
}

impl Person {
    /// A person with a name and a position.
    pub fn new(full_name: impl Into<String>, position: Option<&str>) -> Person {
        Person {
            full_name: full_name.into(),
            position: position.map(str::to_owned),
            ..Person::default()
        }
    }

    /// The person a subject names: SN + G (surname; given name and patronymic), else CN for
    /// an entrepreneur or a natural person; T as the position; SNILS and INN when valid.
    /// [`ErrorKind::InvalidInput`] naming `CN` when the subject names no person.
    pub fn from_subject(subject: &Subject) -> Result<Person> {
        let sn = subject.get(&A::Surname).map(str::trim).unwrap_or("");
        let g = subject.get(&A::GivenName).map(str::trim).unwrap_or("");
        let joined = format!("{sn} {g}").trim().to_owned();
        let full_name = if !joined.is_empty() {
            joined
        } else if subject.kind() != SubjectKind::LegalEntity
            && let Some(cn) = subject.common_name().filter(|c| !c.trim().is_empty())
        {
            cn.trim().to_owned()
        } else {
            return Err(Error::invalid_field(
                "CN",
                "the subject names no person (no SN and G, and no CN of a person)",
            ));
        };
        Ok(Person {
            full_name,
            position: subject
                .get(&A::Title)
                .filter(|t| !t.trim().is_empty())
                .map(|t| t.trim().to_owned()),
            snils: subject.snils().map(|s| s.as_str().to_owned()),
            inn: subject.inn().map(|i| i.as_str().to_owned()),
        })
    }
}

/// The validity period of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
}

/// What a document says about an issued certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The serial number, uppercase hex as OpenSSL prints it.
    pub serial: String,
    /// The issuer (the CA): its CN, else its O, else the whole name.
    pub issuer: String,
    /// The validity period.
    pub validity: Validity,
}

impl CertificateInfo {
    /// Reads the serial, issuer and validity of a certificate.
    pub fn from_certificate(cert: &crate::pki::Certificate) -> CertificateInfo {
        let issuer = cert.issuer();
        let issuer = issuer
            .common_name()
            .or_else(|| issuer.get(&A::Organization))
            .map(str::to_owned)
            .unwrap_or_else(|| issuer.to_string());
        CertificateInfo {
            serial: cert.serial_hex(),
            issuer,
            validity: Validity {
                not_before: cert.not_before(),
                not_after: cert.not_after(),
            },
        }
    }
}

/// The key as the documents print it (see the module docs for which bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription {
    /// The key identifier: the certificate's subjectKeyIdentifier when there is one, else
    /// SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1, what CAs write).
    pub key_id: Vec<u8>,
    /// The algorithm as people name it ("ГОСТ Р 34.10-2012, 256 бит", "RSA 2048 бит").
    pub algorithm: String,
    /// The SubjectPublicKeyInfo algorithm OID.
    pub algorithm_oid: ObjectIdentifier,
    /// The parameter set (GOST publicKeyParamSet or EC curve), when there is one.
    pub parameter_set_oid: Option<ObjectIdentifier>,
    /// The GOST digestParamSet, when the parameters carry one.
    pub digest_parameter_set_oid: Option<ObjectIdentifier>,
    /// The contents of the subjectPublicKey BIT STRING (what is printed).
    pub public_key: Vec<u8>,
}

impl KeyDescription {
    /// Describes the key of a certificate, with its subjectKeyIdentifier as the key identifier
    /// when it has one.
    pub fn from_certificate(cert: &crate::pki::Certificate) -> Result<KeyDescription> {
        let mut key = KeyDescription::from_spki_der(cert.public_key_der())?;
        if let Some(ski) = cert.subject_key_id() {
            key.key_id = ski.to_vec();
        }
        Ok(key)
    }

    /// Describes the key in a DER SubjectPublicKeyInfo. The algorithm must be one bankkey
    /// reads ([`ErrorKind::UnsupportedAlgorithm`], [`ErrorKind::MalformedEncoding`]).
    pub fn from_spki_der(spki: &[u8]) -> Result<KeyDescription> {
        let key = crate::key::PublicKey::from_spki_der(spki)?;
        let info = KeyInfo::from_spki_der(spki)?;
        let algorithm = match key.algorithm() {
            crate::key::KeyAlgorithm::Gost(ps) => format!(
                "ГОСТ Р 34.10-2012, {} бит ({})",
                if ps.is_512() { 512 } else { 256 },
                ps.name()
            ),
            crate::key::KeyAlgorithm::Rsa { bits } => format!("RSA, {bits} бит"),
            crate::key::KeyAlgorithm::EcdsaP256 => "ECDSA, P-256 (prime256v1)".to_owned(),
            crate::key::KeyAlgorithm::Gost2001(ps) => format!("ГОСТ Р 34.10-2001 ({})", ps.name()),
        };
        Ok(KeyDescription {
            key_id: info.key_id.to_vec(),
            algorithm,
            algorithm_oid: info.algorithm,
            parameter_set_oid: info.parameter_set,
            digest_parameter_set_oid: info.digest_parameter_set,
            public_key: info.key_bits,
        })
    }

    /// The public key as printed: uppercase hex, groups of 4 digits, 8 groups a line.
    pub fn public_key_lines(&self) -> Vec<String> {
        hex_lines(&self.public_key, 8)
    }

    /// The key identifier as printed: uppercase hex in groups of 4 digits, one line.
    pub fn key_id_hex(&self) -> String {
        hex_lines(&self.key_id, usize::MAX).concat()
    }
}

/// Uppercase hex in groups of 4 digits, `groups` groups a line, groups separated by a space.
pub(crate) fn hex_lines(bytes: &[u8], groups: usize) -> Vec<String> {
    let hex = hex::encode_upper(bytes);
    let digits: Vec<char> = hex.chars().collect();
    let gs: Vec<String> = digits
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect();
    gs.chunks(groups.max(1))
        .map(|line| line.join(" "))
        .collect()
}

/// Reads a public key (or any byte string) printed as hex back from typed-in or scanned text:
/// spaces, tabs, line breaks, `:` and `-` separators are ignored, case does not matter.
///
/// Errors ([`ErrorKind::InvalidInput`], field `public_key`): a character that is not a hex
/// digit or a separator (the message says which and where), an odd number of digits, no
/// digits at all.
pub fn parse_key_hex(text: &str) -> Result<Vec<u8>> {
    let mut digits = Vec::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if c.is_whitespace() || c == ':' || c == '-' {
            continue;
        }
        match c.to_digit(16) {
            Some(d) => digits.push(d as u8),
            None => {
                return Err(Error::invalid_field(
                    "public_key",
                    format!("character {:?} at position {} is not a hex digit", c, i + 1),
                ));
            }
        }
    }
    if digits.is_empty() {
        return Err(Error::invalid_field("public_key", "no hex digits"));
    }
    if digits.len() % 2 != 0 {
        return Err(Error::invalid_field(
            "public_key",
            format!("{} hex digits: an even number is needed", digits.len()),
        ));
    }
    Ok(digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// The heading above the key's hex lines in every rendering; [`key_from_text`] looks for it.
pub(crate) const KEY_HEADING: &str = "Открытый ключ";

/// Finds the public key in the text of a whole document (the text rendering, or the text a
/// scanner or `pdftotext` gives back) and reads it with [`parse_key_hex`]: the lines after
/// the line starting with «Открытый ключ», up to the first line that is not hex.
///
/// [`ErrorKind::InvalidInput`] (field `public_key`) when there is no such heading or no hex
/// line after it.
pub fn key_from_text(text: &str) -> Result<Vec<u8>> {
    let mut lines = text.lines();
    lines
        .by_ref()
        .find(|l| l.trim_start().starts_with(KEY_HEADING))
        .ok_or_else(|| {
            Error::invalid_field(
                "public_key",
                format!("no line starting with «{KEY_HEADING}»"),
            )
        })?;
    let is_hex_line = |l: &str| {
        let t = l.trim();
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_hexdigit() || c.is_whitespace() || c == ':' || c == '-')
    };
    let block: Vec<&str> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| is_hex_line(l))
        .collect();
    parse_key_hex(&block.join("\n"))
}

/// The value of an optional text field when it holds something other than spaces.
pub(crate) fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The organisation a subject names (legal entity or entrepreneur), `None` for a natural
/// person. [`ErrorKind::InvalidInput`] naming `O` when a legal entity has no name.
pub(crate) fn organisation_from_subject(
    subject: &Subject,
    details: &DocumentDetails,
) -> Result<Option<Organisation>> {
    let kind = subject.kind();
    let get = |k: &A| {
        subject
            .get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let address = {
        let parts: Vec<String> = [A::State, A::Locality, A::Street]
            .iter()
            .filter_map(get)
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    };
    Ok(match kind {
        SubjectKind::NaturalPerson => None,
        SubjectKind::LegalEntity => Some(Organisation {
            kind,
            name: get(&A::Organization)
                .or_else(|| get(&A::CommonName))
                .ok_or_else(|| Error::invalid_field("O", "the organisation has no name"))?,
            inn: subject
                .inn_le()
                .map(|i| i.as_str().to_owned())
                .or_else(|| get(&A::InnLe)),
            kpp: non_empty(&details.kpp).map(str::to_owned),
            ogrn: subject
                .ogrn()
                .map(|o| o.as_str().to_owned())
                .or_else(|| get(&A::Ogrn)),
            address,
        }),
        SubjectKind::IndividualEntrepreneur => {
            let person = Person::from_subject(subject)?;
            Some(Organisation {
                kind,
                name: get(&A::CommonName).unwrap_or_else(|| format!("ИП {}", person.full_name)),
                inn: subject
                    .inn()
                    .map(|i| i.as_str().to_owned())
                    .or_else(|| get(&A::Inn)),
                kpp: None,
                ogrn: subject
                    .ogrnip()
                    .map(|o| o.as_str().to_owned())
                    .or_else(|| get(&A::Ogrnip)),
                address,
            })
        }
    })
}

/// The key's owner, with the position from the details when the subject has none.
pub(crate) fn owner_from_subject(subject: &Subject, details: &DocumentDetails) -> Result<Person> {
    let mut owner = Person::from_subject(subject)?;
    if owner.position.is_none() {
        owner.position = non_empty(&details.owner_position)
            .map(str::to_owned)
            .or_else(|| {
                // An entrepreneur holds the key as such: that is the position on the act.
                (subject.kind() == SubjectKind::IndividualEntrepreneur)
                    .then(|| "Индивидуальный предприниматель".to_owned())
            });
    }
    Ok(owner)
}

/// Text compared the way a person reads it: case, «ё»/«е», quotes and runs of spaces do not
/// matter (a typed-in act may differ from the request in those).
pub(crate) fn loose(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ё' | 'Ё' => 'е',
            '«' | '»' | '“' | '”' | '„' | '\'' => '"',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The digits of an identifier (SNILS is written with separators).
fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Compares one identity field of a document with the request's: `Ok` when equal (or absent
/// on both sides), else [`ErrorKind::InvalidInput`] naming the subject attribute.
pub(crate) fn same_field(
    field: &str,
    what: &str,
    document: Option<&str>,
    request: Option<&str>,
    identifier: bool,
) -> Result<()> {
    let norm = |v: Option<&str>| {
        v.map(|s| if identifier { digits(s) } else { loose(s) })
            .filter(|s| !s.is_empty())
    };
    if norm(document) == norm(request) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        format!(
            "{what} differs: the document says {:?}, the request {:?}",
            document.unwrap_or(""),
            request.unwrap_or("")
        ),
    )
    .with_field(field))
}

/// Compares the identity (organisation and owner) of a document with the request's.
pub(crate) fn same_identity(
    doc_org: Option<&Organisation>,
    doc_owner: &Person,
    req_org: Option<&Organisation>,
    req_owner: &Person,
) -> Result<()> {
    match (doc_org, req_org) {
        (Some(d), Some(r)) => {
            if d.kind != r.kind {
                return Err(Error::invalid_field(
                    r.ogrn_attribute(),
                    format!(
                        "the document is for a {}, the request for a {}",
                        d.kind, r.kind
                    ),
                ));
            }
            same_field(
                r.inn_attribute(),
                "INN",
                d.inn.as_deref(),
                r.inn.as_deref(),
                true,
            )?;
            same_field(
                r.ogrn_attribute(),
                r.ogrn_label(),
                d.ogrn.as_deref(),
                r.ogrn.as_deref(),
                true,
            )?;
            let name_attr = if r.kind == SubjectKind::LegalEntity {
                "O"
            } else {
                "CN"
            };
            same_field(name_attr, "the name", Some(&d.name), Some(&r.name), false)?;
        }
        (None, None) => {}
        (d, r) => {
            let side = |o: Option<&Organisation>| match o {
                Some(o) => o.kind.to_string(),
                None => SubjectKind::NaturalPerson.to_string(),
            };
            return Err(Error::invalid_field(
                "OGRN",
                format!(
                    "the document is for a {}, the request for a {}",
                    side(d),
                    side(r)
                ),
            ));
        }
    }
    same_field(
        "SNILS",
        "the owner's SNILS",
        doc_owner.snils.as_deref(),
        req_owner.snils.as_deref(),
        true,
    )?;
    same_field(
        "CN",
        "the owner's name",
        Some(&doc_owner.full_name),
        Some(&req_owner.full_name),
        false,
    )?;
    // The position is compared only when the request carries one (T).
    if req_owner.position.is_some() {
        same_field(
            "T",
            "the owner's position",
            doc_owner.position.as_deref(),
            req_owner.position.as_deref(),
            false,
        )?;
    }
    Ok(())
}

/// What every document says of its client and key.
pub(crate) struct Parties {
    pub organisation: Option<Organisation>,
    pub owner: Person,
    pub key: KeyDescription,
    pub cipf: Option<String>,
}

/// The parties of a document for a subject and key; the CIPF is the details' or else the
/// request's or certificate's subjectSignTool.
pub(crate) fn parties(
    subject: &Subject,
    key: KeyDescription,
    sign_tool: Option<&str>,
    details: &DocumentDetails,
) -> Result<Parties> {
    details.validate()?;
    Ok(Parties {
        organisation: organisation_from_subject(subject, details)?,
        owner: owner_from_subject(subject, details)?,
        key,
        cipf: non_empty(&details.cipf).or(sign_tool).map(str::to_owned),
    })
}

/// Whether a document (its organisation, owner and key) is for this request: the key, then
/// the identity (see [`Act::matches`](super::Act::matches)).
pub(crate) fn matches_request(
    organisation: Option<&Organisation>,
    owner: &Person,
    key: &KeyDescription,
    details: &DocumentDetails,
    req: &crate::pki::CertificateRequest,
) -> Result<()> {
    same_key(key, &KeyDescription::from_spki_der(req.public_key_der())?)?;
    let subject = req.subject();
    let req_org = organisation_from_subject(subject, details)?;
    let req_owner = Person::from_subject(subject)?;
    same_identity(organisation, owner, req_org.as_ref(), &req_owner)
}

/// Compares the key of a document with the request's: [`ErrorKind::KeyMismatch`].
pub(crate) fn same_key(document: &KeyDescription, request: &KeyDescription) -> Result<()> {
    if document.public_key != request.public_key {
        return Err(Error::new(
            ErrorKind::KeyMismatch,
            "the public key in the document is not the request's key",
        )
        .with_field("public_key"));
    }
    if document.algorithm_oid != request.algorithm_oid
        || document.parameter_set_oid != request.parameter_set_oid
    {
        return Err(Error::new(
            ErrorKind::KeyMismatch,
            "the algorithm or parameter set in the document is not the request's",
        )
        .with_field("algorithm"));
    }
    Ok(())
}

/// "30 ноября 2026 г."
pub(crate) fn russian_date(d: Date) -> String {
    const MONTHS: [&str; 12] = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    let m = MONTHS[usize::from(u8::from(d.month())) - 1];
    format!("{} {} {} г.", d.day(), m, d.year())
}

/// "30.11.2026 06:00 UTC"
pub(crate) fn utc_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:02}.{:02}.{} {:02}:{:02} UTC",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_in_groups_of_four() {
        let bytes: Vec<u8> = (0u8..=32).collect();
        let lines = hex_lines(&bytes, 8);
        assert_eq!(lines[0], "0001 0203 0405 0607 0809 0A0B 0C0D 0E0F");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2], "20");
        assert_eq!(parse_key_hex(&lines.join("\n")).unwrap(), bytes);
        assert_eq!(
            parse_key_hex(" 00 01:02-0a\r\n0B\t0c ").unwrap(),
            vec![0, 1, 2, 10, 11, 12]
        );
    }

    #[test]
    fn bad_hex_names_the_character() {
        let e = parse_key_hex("0001 02G3").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("public_key"));
        assert!(e.message().contains("'G'") && e.message().contains("position 8"));
        assert!(
            parse_key_hex("000")
                .unwrap_err()
                .message()
                .contains("3 hex")
        );
        assert!(parse_key_hex(" \n").is_err());
        // Cyrillic look-alikes of A-F (a scanner's mistake) are refused, not guessed.
        assert!(parse_key_hex("0А").is_err());
    }

    #[test]
    fn key_is_found_in_a_document_text() {
        let text = "Акт\nКлюч: x\nОткрытый ключ (4 байта):\n\n  0440 AB\n cd\nПодписи\n0000";
        assert_eq!(key_from_text(text).unwrap(), vec![0x04, 0x40, 0xAB, 0xCD]);
        assert!(key_from_text("Акт без ключа").is_err());
        assert!(key_from_text("Открытый ключ\nПодписи").is_err());
    }

    #[test]
    fn dates_in_russian() {
        let d = time::macros::date!(2026 - 11 - 30);
        assert_eq!(russian_date(d), "30 ноября 2026 г.");
        let t = time::macros::datetime!(2026-01-02 03:04 +03:00);
        assert_eq!(utc_time(t), "02.01.2026 00:04 UTC");
    }

    #[test]
    fn loose_comparison() {
        assert_eq!(loose("ООО «Ёлка»  Плюс"), loose("ооо \"елка\" плюс"));
        assert_ne!(loose("ООО Ромашка"), loose("ООО Лютик"));
    }

    #[test]
    fn details_are_validated() {
        let d = time::macros::date!(2026 - 11 - 30);
        let mut det = DocumentDetails::new(" ", d);
        assert_eq!(det.validate().unwrap_err().field(), Some("bank_name"));
        det.bank_name = "Банк".into();
        det.kpp = Some("77070100".into());
        assert_eq!(det.validate().unwrap_err().field(), Some("KPP"));
        det.kpp = Some("770701001".into());
        det.copies = Some(0);
        assert_eq!(det.validate().unwrap_err().field(), Some("copies"));
        det.copies = Some(2);
        det.validate().unwrap();
    }
}
