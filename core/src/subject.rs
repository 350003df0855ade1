//! Certificate subjects of Russian certificates.
//!
//! A [`Subject`] is the ordered list of name attributes of a certificate or request subject
//! (or issuer), each with the ASN.1 string type it had or will have. It knows the attributes
//! Russian certificates carry (X.520 names plus the Russian identifiers INN, INNLE, OGRN,
//! OGRNIP and SNILS), which of them are mandatory for which [`SubjectKind`], and converts to
//! and from `x509_cert::name::Name` and DER.
//!
//! Reading is lenient: any string type is accepted and recorded, legacy forms (a legal
//! entity's INN written as "00" + 10 digits in the INN attribute) are understood by the
//! accessors and [`Subject::check_identifiers`]. Writing is strict: [`Subject::to_name`] writes
//! every value in its attribute type's [`write_type`](AttributeType::write_type) (a subject
//! read from an old certificate comes out with INNLE as NumericString) and refuses a value that
//! type cannot hold, and [`Subject::validate`] checks a subject against the rules for its kind
//! before a request is built. [`Subject::to_name_keeping_types`] re-encodes a name as read.
//!
//! # Mandatory attributes
//!
//! The table follows the requirements for the form of a qualified certificate, приказ ФСБ
//! России от 27.12.2011 № 795, as amended by приказ ФСБ России от 29.01.2021 № 31 (in force
//! from 01.09.2021 until 01.09.2027; it split the old INN attribute, which held a legal
//! entity's INN as "00" + 10 digits, into INN for persons and INNLE for legal entities), and
//! 63-ФЗ "Об электронной подписи" art. 17 part 2 (since 2022 a legal entity's qualified
//! certificate also names the person acting on its behalf without a power of attorney).
//! Sources consulted: the texts of both orders as published (pravo.ppt.ru/prikaz/fsb/n-31-247038,
//! pbprog.ru/regulation-docs/8309) and a summary of the 2021 changes
//! (messagebiz.ru/?p=151); only their opening sections could be retrieved while this module was
//! written, so the per-attribute rules below are our reading of the order and of the
//! certificates accredited CAs issue, to be re-checked against the consolidated text.
//! Where the order leaves room ("при наличии"), we choose what a bank's CA needs to identify
//! its client:
//!
//! | attribute | legal entity | individual entrepreneur | natural person |
//! |---|---|---|---|
//! | CN (name of the entity / full name of the person) | required | required | required |
//! | SN, G (surname; given name and patronymic) | required (the person acting) | required | required |
//! | C (country, "RU") | required | required | required |
//! | ST, L (region, locality) | required (location) | optional | optional |
//! | STREET | optional | optional | optional |
//! | O (organisation name) | required | optional | optional |
//! | OU, T, E | optional | optional | optional |
//! | INNLE (10 digits) | required | not allowed | not allowed |
//! | OGRN (13 digits) | required | not allowed | not allowed |
//! | OGRNIP (15 digits) | not allowed | required | not allowed |
//! | INN (12 digits) | optional (the person acting) | required | required |
//! | SNILS (11 digits) | required (the person acting) | required | required |
//!
//! Two choices are ours and stricter than some CAs: ST and L are both required for a legal
//! entity (its location; some CAs write only ST), and SN, G and SNILS of the person acting are
//! required for a legal entity (certificates issued to "the organisation" before 2022 lack
//! them, so [`Subject::validate`] rejects them; reading and [`Subject::check_identifiers`] do
//! not).
//!
//! Lengths: [`validate`](Subject::validate) applies the RFC 5280 Appendix A upper bounds (see
//! [`AttributeType::upper_bound`]), counted in characters. Full names of Russian organisations
//! often exceed ub-organization-name (64); a CA that keeps to the bound writes an abbreviated
//! name (the short name from ЕГРЮЛ) in O and CN.
//! Reading never enforces a bound.

use std::fmt;

use const_oid::ObjectIdentifier;
use der::{Decode, Encode, Tag, Tagged, asn1::Any};
use serde::{Serialize, Serializer};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

use crate::ident::{Inn, Ogrn, Ogrnip, Snils};
use crate::{Error, Result, oid};

/// What a subject is: decides which attributes are mandatory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SubjectKind {
    /// An organisation (юридическое лицо), identified by OGRN and INNLE.
    LegalEntity,
    /// An individual entrepreneur (индивидуальный предприниматель), identified by OGRNIP.
    IndividualEntrepreneur,
    /// A natural person (физическое лицо).
    NaturalPerson,
}

impl SubjectKind {
    /// The attributes [`Subject::validate`] requires for this kind (the module table).
    pub fn mandatory(self) -> &'static [AttributeType] {
        use AttributeType as A;
        match self {
            SubjectKind::LegalEntity => &[
                A::CommonName,
                A::Organization,
                A::Country,
                A::State,
                A::Locality,
                A::InnLe,
                A::Ogrn,
                A::Surname,
                A::GivenName,
                A::Snils,
            ],
            SubjectKind::IndividualEntrepreneur => &[
                A::CommonName,
                A::Surname,
                A::GivenName,
                A::Country,
                A::Inn,
                A::Ogrnip,
                A::Snils,
            ],
            SubjectKind::NaturalPerson => &[
                A::CommonName,
                A::Surname,
                A::GivenName,
                A::Country,
                A::Inn,
                A::Snils,
            ],
        }
    }

    /// The identifiers of other kinds, which [`Subject::validate`] refuses for this kind.
    pub fn forbidden(self) -> &'static [AttributeType] {
        use AttributeType as A;
        match self {
            SubjectKind::LegalEntity => &[A::Ogrnip],
            SubjectKind::IndividualEntrepreneur => &[A::Ogrn, A::InnLe],
            SubjectKind::NaturalPerson => &[A::Ogrn, A::Ogrnip, A::InnLe],
        }
    }
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubjectKind::LegalEntity => "legal entity",
            SubjectKind::IndividualEntrepreneur => "individual entrepreneur",
            SubjectKind::NaturalPerson => "natural person",
        })
    }
}

/// The ASN.1 string type an attribute value had (when read) or will have (when written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringType {
    /// UTF8String (tag 12).
    Utf8,
    /// PrintableString (tag 19): `A-Z a-z 0-9 ' ( ) + , - . / : = ?` and space.
    Printable,
    /// NumericString (tag 18): digits and space.
    Numeric,
    /// IA5String (tag 22): ASCII.
    Ia5,
    /// TeletexString (tag 20), read and written as Latin-1 as every implementation does.
    Teletex,
    /// BMPString (tag 30): UTF-16BE without surrogates.
    Bmp,
    /// UniversalString (tag 28): UTF-32BE. Read only (`der` 0.8 has no tag for it).
    Universal,
    /// `SEQUENCE OF DirectoryString`: a postalAddress or registeredAddress (X.520 §6.6.1,
    /// up to six lines, each in its own string type), the value holding the lines joined by
    /// "\n". Read only: a subject holding one is not re-encoded.
    PostalLines,
}

impl StringType {
    /// The ASN.1 name ("UTF8String", "PrintableString", ...).
    pub fn name(self) -> &'static str {
        match self {
            StringType::Utf8 => "UTF8String",
            StringType::Printable => "PrintableString",
            StringType::Numeric => "NumericString",
            StringType::Ia5 => "IA5String",
            StringType::Teletex => "TeletexString",
            StringType::Bmp => "BMPString",
            StringType::Universal => "UniversalString",
            StringType::PostalLines => "SEQUENCE OF DirectoryString",
        }
    }

    /// The universal tag number.
    pub fn tag_number(self) -> u8 {
        match self {
            StringType::Utf8 => 12,
            StringType::Printable => 19,
            StringType::Numeric => 18,
            StringType::Ia5 => 22,
            StringType::Teletex => 20,
            StringType::Bmp => 30,
            StringType::Universal => 28,
            StringType::PostalLines => 16,
        }
    }

    /// The type of an attribute value with identifier octet `tag`: a string type, or the
    /// lines of a postal address (a SEQUENCE, for postalAddress and registeredAddress only;
    /// elsewhere a SEQUENCE is no string).
    fn of_value(attribute: &ObjectIdentifier, tag: u8) -> Option<StringType> {
        if tag == 0x30 && is_postal(attribute) {
            return Some(StringType::PostalLines);
        }
        StringType::from_tag_number(tag)
    }

    fn from_tag_number(n: u8) -> Option<StringType> {
        [
            StringType::Utf8,
            StringType::Printable,
            StringType::Numeric,
            StringType::Ia5,
            StringType::Teletex,
            StringType::Bmp,
            StringType::Universal,
        ]
        .into_iter()
        .find(|t| t.tag_number() == n)
    }

    fn der_tag(self) -> Option<Tag> {
        match self {
            StringType::Utf8 => Some(Tag::Utf8String),
            StringType::Printable => Some(Tag::PrintableString),
            StringType::Numeric => Some(Tag::NumericString),
            StringType::Ia5 => Some(Tag::Ia5String),
            StringType::Teletex => Some(Tag::TeletexString),
            StringType::Bmp => Some(Tag::BmpString),
            StringType::Universal | StringType::PostalLines => None,
        }
    }

    fn from_der_tag(tag: Tag) -> Option<StringType> {
        match tag {
            Tag::Utf8String => Some(StringType::Utf8),
            Tag::PrintableString => Some(StringType::Printable),
            Tag::NumericString => Some(StringType::Numeric),
            Tag::Ia5String => Some(StringType::Ia5),
            Tag::TeletexString => Some(StringType::Teletex),
            Tag::BmpString => Some(StringType::Bmp),
            _ => None,
        }
    }

    /// Whether `c` can be written in this string type.
    pub fn can_encode(self, c: char) -> bool {
        match self {
            StringType::Utf8 | StringType::Universal | StringType::PostalLines => true,
            StringType::Printable => c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c),
            StringType::Numeric => c.is_ascii_digit() || c == ' ',
            StringType::Ia5 => c.is_ascii(),
            StringType::Teletex => u32::from(c) <= 0xFF,
            StringType::Bmp => u32::from(c) <= 0xFFFF,
        }
    }

    /// Encodes `s`; `None` when a character is not encodable (see [`can_encode`](Self::can_encode)).
    fn encode(self, s: &str) -> Option<Vec<u8>> {
        if !s.chars().all(|c| self.can_encode(c)) {
            return None;
        }
        Some(match self {
            StringType::Utf8 | StringType::Printable | StringType::Numeric | StringType::Ia5 => {
                s.as_bytes().to_vec()
            }
            // can_encode guarantees the casts are lossless.
            StringType::Teletex => s.chars().map(|c| u32::from(c) as u8).collect(),
            StringType::Bmp => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            StringType::Universal => s.chars().flat_map(|c| u32::from(c).to_be_bytes()).collect(),
            // never written (no DER tag): build_name refuses it first
            StringType::PostalLines => return None,
        })
    }

    /// Decodes the content octets of a value of this type (lenient, see [`Subject::from_name`]);
    /// errors name the attribute `kind` (its label is made only then).
    fn decode(self, kind: &AttributeType, bytes: &[u8]) -> Result<String> {
        let bad = |what: &str| {
            let label = kind.label();
            Error::malformed(format!("{label}: {} value {what}", self.name())).with_field(&label)
        };
        match self {
            // Lenient: some CAs put UTF-8 into PrintableString or IA5String; keep the text.
            StringType::Utf8 | StringType::Printable | StringType::Numeric | StringType::Ia5 => {
                String::from_utf8(bytes.to_vec()).map_err(|_| bad("is not valid text"))
            }
            StringType::Teletex => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            StringType::Bmp => {
                if !bytes.len().is_multiple_of(2) {
                    return Err(bad("has an odd length"));
                }
                let units = bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]));
                char::decode_utf16(units)
                    .collect::<std::result::Result<String, _>>()
                    .map_err(|_| bad("is not valid UTF-16"))
            }
            StringType::PostalLines => {
                let mut lines = Vec::new();
                let mut rest = bytes;
                while !rest.is_empty() {
                    let (tag, line, r) = tlv(rest)?;
                    rest = r;
                    let t = StringType::from_tag_number(tag).ok_or_else(|| {
                        bad(&format!("holds a line of tag 0x{tag:02X}, not a string"))
                    })?;
                    lines.push(t.decode(kind, line)?);
                }
                if lines.is_empty() {
                    return Err(bad("has no line"));
                }
                Ok(lines.join("\n"))
            }
            StringType::Universal => {
                if !bytes.len().is_multiple_of(4) {
                    return Err(bad("has a length that is not a multiple of 4"));
                }
                bytes
                    .chunks_exact(4)
                    .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                    .collect::<Option<String>>()
                    .ok_or_else(|| bad("holds an invalid code point"))
            }
        }
    }
}

impl fmt::Display for StringType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for StringType {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The type of a name attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttributeType {
    /// commonName (CN), 2.5.4.3: the entity's name or the person's full name.
    CommonName,
    /// surname (SN), 2.5.4.4.
    Surname,
    /// givenName (G), 2.5.4.42: in Russian certificates the given name and patronymic.
    GivenName,
    /// title (T), 2.5.4.12: the position of the person in the organisation.
    Title,
    /// organizationName (O), 2.5.4.10.
    Organization,
    /// organizationalUnitName (OU), 2.5.4.11.
    OrganizationalUnit,
    /// localityName (L), 2.5.4.7.
    Locality,
    /// stateOrProvinceName (ST), 2.5.4.8: the region ("77 г. Москва").
    State,
    /// streetAddress (STREET), 2.5.4.9.
    Street,
    /// countryName (C), 2.5.4.6.
    Country,
    /// emailAddress (E), PKCS#9 1.2.840.113549.1.9.1.
    Email,
    /// INN 1.2.643.3.131.1.1: a person's 12-digit INN (legacy: an entity's INN as "00"+10).
    Inn,
    /// INNLE 1.2.643.100.4: a legal entity's 10-digit INN.
    InnLe,
    /// OGRN 1.2.643.100.1.
    Ogrn,
    /// OGRNIP 1.2.643.100.5.
    Ogrnip,
    /// SNILS 1.2.643.100.3.
    Snils,
    /// Any other attribute, by OID.
    Other(ObjectIdentifier),
}

/// Every known (non-`Other`) attribute type, for the reverse look-ups.
const KNOWN: [AttributeType; 16] = [
    AttributeType::CommonName,
    AttributeType::Surname,
    AttributeType::GivenName,
    AttributeType::Title,
    AttributeType::Organization,
    AttributeType::OrganizationalUnit,
    AttributeType::Locality,
    AttributeType::State,
    AttributeType::Street,
    AttributeType::Country,
    AttributeType::Email,
    AttributeType::Inn,
    AttributeType::InnLe,
    AttributeType::Ogrn,
    AttributeType::Ogrnip,
    AttributeType::Snils,
];

impl AttributeType {
    /// The OID, and the label of a known type (`None` for `Other`).
    fn parts(&self) -> (ObjectIdentifier, Option<&'static str>) {
        use AttributeType as A;
        let (o, l) = match self {
            A::CommonName => (oid::AT_COMMON_NAME, "CN"),
            A::Surname => (oid::AT_SURNAME, "SN"),
            A::GivenName => (oid::AT_GIVEN_NAME, "G"),
            A::Title => (oid::AT_TITLE, "T"),
            A::Organization => (oid::AT_ORGANIZATION, "O"),
            A::OrganizationalUnit => (oid::AT_ORGANIZATIONAL_UNIT, "OU"),
            A::Locality => (oid::AT_LOCALITY, "L"),
            A::State => (oid::AT_STATE, "ST"),
            A::Street => (oid::AT_STREET, "STREET"),
            A::Country => (oid::AT_COUNTRY, "C"),
            A::Email => (oid::AT_EMAIL, "E"),
            A::Inn => (oid::AT_INN, "INN"),
            A::InnLe => (oid::AT_INNLE, "INNLE"),
            A::Ogrn => (oid::AT_OGRN, "OGRN"),
            A::Ogrnip => (oid::AT_OGRNIP, "OGRNIP"),
            A::Snils => (oid::AT_SNILS, "SNILS"),
            A::Other(o) => return (*o, None),
        };
        (o, Some(l))
    }

    /// The OID and label of a known type; `None` for `Other`.
    fn known(&self) -> Option<(ObjectIdentifier, &'static str)> {
        let (o, l) = self.parts();
        l.map(|l| (o, l))
    }

    /// The attribute's OID.
    pub fn oid(&self) -> ObjectIdentifier {
        self.parts().0
    }

    /// The type for an OID: a known type, or [`AttributeType::Other`].
    pub fn from_oid(o: &ObjectIdentifier) -> AttributeType {
        use AttributeType as A;
        // Every name of every certificate passes here: a match, not a search of KNOWN.
        match *o {
            oid::AT_COMMON_NAME => A::CommonName,
            oid::AT_SURNAME => A::Surname,
            oid::AT_GIVEN_NAME => A::GivenName,
            oid::AT_TITLE => A::Title,
            oid::AT_ORGANIZATION => A::Organization,
            oid::AT_ORGANIZATIONAL_UNIT => A::OrganizationalUnit,
            oid::AT_LOCALITY => A::Locality,
            oid::AT_STATE => A::State,
            oid::AT_STREET => A::Street,
            oid::AT_COUNTRY => A::Country,
            oid::AT_EMAIL => A::Email,
            oid::AT_INN => A::Inn,
            oid::AT_INNLE => A::InnLe,
            oid::AT_OGRN => A::Ogrn,
            oid::AT_OGRNIP => A::Ogrnip,
            oid::AT_SNILS => A::Snils,
            _ => A::Other(*o),
        }
    }

    /// The short label used in Russian certificates and tools ("CN", "INNLE", ...), or the
    /// dotted OID for [`AttributeType::Other`].
    pub fn label(&self) -> String {
        match self.parts() {
            (_, Some(l)) => l.to_owned(),
            (o, None) => o.to_string(),
        }
    }

    /// The type for a label, case-insensitively; also accepts the aliases GN, GIVENNAME,
    /// SURNAME, TITLE, S, EMAIL, EMAILADDRESS, and a dotted OID.
    pub fn from_label(label: &str) -> Option<AttributeType> {
        let up = label.trim().to_ascii_uppercase();
        let alias = match up.as_str() {
            "GN" | "GIVENNAME" => Some(AttributeType::GivenName),
            "SURNAME" => Some(AttributeType::Surname),
            "TITLE" => Some(AttributeType::Title),
            "S" => Some(AttributeType::State),
            "EMAIL" | "EMAILADDRESS" => Some(AttributeType::Email),
            _ => None,
        };
        if alias.is_some() {
            return alias;
        }
        if let Some(t) = KNOWN
            .iter()
            .find(|t| t.known().is_some_and(|(_, l)| l == up))
        {
            return Some(t.clone());
        }
        let dotted = label.trim();
        if dotted.starts_with(|c: char| c.is_ascii_digit()) {
            return ObjectIdentifier::new(dotted)
                .ok()
                .map(|o| AttributeType::from_oid(&o));
        }
        None
    }

    /// The attribute's name as Russian certificate viewers and bank instructions show it
    /// («Общее имя», «ИНН ЮЛ», «СНИЛС»), for a client that lists a certificate's fields; `None`
    /// for [`AttributeType::Other`].
    pub fn ru(&self) -> Option<&'static str> {
        Some(match self {
            AttributeType::CommonName => "Общее имя",
            AttributeType::Surname => "Фамилия",
            AttributeType::GivenName => "Имя и отчество",
            AttributeType::Title => "Должность",
            AttributeType::Organization => "Организация",
            AttributeType::OrganizationalUnit => "Подразделение",
            AttributeType::Locality => "Населённый пункт",
            AttributeType::State => "Регион",
            AttributeType::Street => "Адрес",
            AttributeType::Country => "Страна",
            AttributeType::Email => "Адрес электронной почты",
            AttributeType::Inn => "ИНН",
            AttributeType::InnLe => "ИНН ЮЛ",
            AttributeType::Ogrn => "ОГРН",
            AttributeType::Ogrnip => "ОГРНИП",
            AttributeType::Snils => "СНИЛС",
            AttributeType::Other(_) => return None,
        })
    }

    /// The string type bankkey writes the attribute in: NumericString for the Russian
    /// identifiers, PrintableString for C, IA5String for E, UTF8String otherwise (RFC 5280
    /// §4.1.2.4 and приказ ФСБ № 795).
    pub fn write_type(&self) -> StringType {
        match self {
            AttributeType::Inn
            | AttributeType::InnLe
            | AttributeType::Ogrn
            | AttributeType::Ogrnip
            | AttributeType::Snils => StringType::Numeric,
            AttributeType::Country => StringType::Printable,
            AttributeType::Email => StringType::Ia5,
            _ => StringType::Utf8,
        }
    }

    /// The upper bound on the value's length in characters from RFC 5280 Appendix A
    /// (ub-common-name 64, ub-surname/ub-given-name via ub-name 32768, ub-title 64,
    /// ub-organization-name 64, ub-organizational-unit-name 64, ub-locality-name 128,
    /// ub-state-name 128, ub-country-name-alpha-length 2, ub-emailaddress-length 255).
    /// streetAddress has no bound there (X.520 defines it as UnboundedDirectoryString); the
    /// identifiers have fixed lengths checked by their own types.
    pub fn upper_bound(&self) -> Option<usize> {
        match self {
            AttributeType::CommonName
            | AttributeType::Title
            | AttributeType::Organization
            | AttributeType::OrganizationalUnit => Some(64),
            AttributeType::Surname | AttributeType::GivenName => Some(32768),
            AttributeType::Locality | AttributeType::State => Some(128),
            AttributeType::Country => Some(2),
            AttributeType::Email => Some(255),
            _ => None,
        }
    }
}

impl fmt::Display for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// One name attribute: its type, its value as text, and its ASN.1 string type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// The attribute type.
    pub kind: AttributeType,
    /// The value as text.
    pub value: String,
    /// The string type the value had when read, or will have when written.
    pub string_type: StringType,
}

/// Serialised as `{"oid", "label", "type", "value"}` for reports.
impl Serialize for Attribute {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr<'a> {
            oid: String,
            label: String,
            #[serde(rename = "type")]
            string_type: StringType,
            value: &'a str,
        }
        Repr {
            oid: self.kind.oid().to_string(),
            label: self.kind.label(),
            string_type: self.string_type,
            value: &self.value,
        }
        .serialize(s)
    }
}

/// The result of checking one identifier attribute, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentifierCheck {
    /// The attribute label ("INN", "INNLE", "OGRN", "OGRNIP", "SNILS").
    pub label: String,
    /// The value as found in the subject.
    pub value: String,
    /// Whether the value is a well-formed identifier (legacy forms accepted).
    pub valid: bool,
    /// What is wrong, when not valid.
    pub problem: Option<String>,
}

/// The subject (or issuer) name of a certificate or request, in its stored order (the order
/// of the RDNSequence: the first RDN first).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Subject {
    attributes: Vec<Attribute>,
}

/// Parses an INN attribute value in a legacy legal-entity form: "00" + 10 digits, or 10 digits.
fn legacy_inn_le(value: &str) -> Option<Inn> {
    let v = value.trim();
    let ten = match v.len() {
        12 => v.strip_prefix("00")?,
        10 => v,
        _ => return None,
    };
    Inn::legal_entity(ten).ok()
}

/// Whether `s` looks like an e-mail address: one '@', non-empty local part, a dotted domain,
/// no spaces or control characters.
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && s.chars().all(|c| c.is_ascii_graphic())
}

impl Subject {
    /// An empty subject.
    pub fn new() -> Subject {
        Subject::default()
    }

    /// Appends an attribute written in its [`write_type`](AttributeType::write_type) (builder).
    pub fn with(mut self, kind: AttributeType, value: impl Into<String>) -> Subject {
        self.push(kind, value);
        self
    }

    /// Appends an attribute written in its [`write_type`](AttributeType::write_type).
    /// `Other` with a known OID is stored as the known type. An identifier that parses is
    /// stored in its normalised form (SNILS "112-233-445 95" as "11223344595"); one that does
    /// not is stored as given, for [`validate`](Self::validate) to report.
    pub fn push(&mut self, kind: AttributeType, value: impl Into<String>) {
        let kind = match kind {
            AttributeType::Other(o) => AttributeType::from_oid(&o),
            k => k,
        };
        let value: String = value.into();
        let normalised = match kind {
            AttributeType::Inn | AttributeType::InnLe => {
                Inn::new(&value).ok().map(|v| v.as_str().to_owned())
            }
            AttributeType::Ogrn => Ogrn::new(&value).ok().map(|v| v.as_str().to_owned()),
            AttributeType::Ogrnip => Ogrnip::new(&value).ok().map(|v| v.as_str().to_owned()),
            AttributeType::Snils => Snils::new(&value).ok().map(|v| v.as_str().to_owned()),
            _ => None,
        };
        let value = normalised.unwrap_or(value);
        let string_type = kind.write_type();
        self.attributes.push(Attribute {
            kind,
            value,
            string_type,
        });
    }

    /// Appends an attribute as is (with its own string type).
    pub fn push_attribute(&mut self, attribute: Attribute) {
        self.attributes.push(attribute);
    }

    /// The attributes in stored order.
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    /// Whether the subject has no attributes.
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty()
    }

    /// The first value of an attribute type.
    pub fn get(&self, kind: &AttributeType) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| &a.kind == kind)
            .map(|a| a.value.as_str())
    }

    /// The first commonName.
    pub fn common_name(&self) -> Option<&str> {
        self.get(&AttributeType::CommonName)
    }

    /// The person's INN from the INN attribute: 12 digits. A legacy value (a legal entity's
    /// INN as "00"+10 digits or 10 digits) is returned by [`inn_le`](Self::inn_le) instead.
    /// `None` when absent or invalid.
    pub fn inn(&self) -> Option<Inn> {
        Inn::person(self.get(&AttributeType::Inn)?).ok()
    }

    /// The legal entity's INN: the INNLE attribute, or (old certificates) an INN attribute
    /// holding "00" + 10 digits or 10 digits. `None` when absent or invalid.
    pub fn inn_le(&self) -> Option<Inn> {
        if let Some(v) = self.get(&AttributeType::InnLe) {
            return legacy_inn_le(v);
        }
        legacy_inn_le(self.get(&AttributeType::Inn)?)
    }

    /// The OGRN, when present and valid.
    pub fn ogrn(&self) -> Option<Ogrn> {
        Ogrn::new(self.get(&AttributeType::Ogrn)?).ok()
    }

    /// The OGRNIP, when present and valid.
    pub fn ogrnip(&self) -> Option<Ogrnip> {
        Ogrnip::new(self.get(&AttributeType::Ogrnip)?).ok()
    }

    /// The SNILS, when present and valid.
    pub fn snils(&self) -> Option<Snils> {
        Snils::new(self.get(&AttributeType::Snils)?).ok()
    }

    /// The kind inferred from the identifiers present: OGRN or INNLE (or a legacy legal-entity
    /// INN) → legal entity; OGRNIP → individual entrepreneur; otherwise a natural person.
    pub fn kind(&self) -> SubjectKind {
        let has = |k: &AttributeType| self.get(k).is_some();
        if has(&AttributeType::Ogrn) || has(&AttributeType::InnLe) {
            SubjectKind::LegalEntity
        } else if has(&AttributeType::Ogrnip) {
            SubjectKind::IndividualEntrepreneur
        } else if self
            .get(&AttributeType::Inn)
            .and_then(legacy_inn_le)
            .is_some()
        {
            SubjectKind::LegalEntity
        } else {
            SubjectKind::NaturalPerson
        }
    }

    /// Checks the subject strictly against the rules for `kind` (see the module table): every
    /// value non-empty, without control characters and within its upper bound; C two capital
    /// Latin letters; E an e-mail address; identifiers of the right length with correct check
    /// digits; mandatory attributes present, attributes of other kinds absent, and no
    /// attribute other than OU repeated. The error names the attribute by its label.
    pub fn validate(&self, kind: SubjectKind) -> Result<()> {
        use AttributeType as A;
        let (mandatory, forbidden) = (kind.mandatory(), kind.forbidden());
        for m in mandatory {
            if self.get(m).is_none() {
                let label = m.label();
                let mut msg = format!("{label} is mandatory for a {kind}");
                if *m == A::InnLe && self.get(&A::Inn).and_then(legacy_inn_le).is_some() {
                    msg.push_str(
                        " (the INN attribute holds the entity's INN in the legacy \"00\"+10 \
                         digits form; write it as INNLE)",
                    );
                }
                return Err(Error::invalid_field(label, msg));
            }
        }
        for f in forbidden {
            if self.get(f).is_some() {
                let label = f.label();
                return Err(Error::invalid_field(
                    &label,
                    format!("{label} is not allowed for a {kind}"),
                ));
            }
        }
        for a in &self.attributes {
            let label = a.kind.label();
            let v = a.value.as_str();
            if v.trim().is_empty() {
                return Err(Error::invalid_field(&label, format!("{label} is empty")));
            }
            if v.chars().any(char::is_control) {
                return Err(Error::invalid_field(
                    &label,
                    format!("{label} contains a control character"),
                ));
            }
            if let Some(ub) = a.kind.upper_bound() {
                let n = v.chars().count();
                if n > ub {
                    return Err(Error::invalid_field(
                        &label,
                        format!("{label} has {n} characters, more than the {ub} allowed"),
                    ));
                }
            }
            match a.kind {
                A::Country if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_uppercase()) => {
                    return Err(Error::invalid_field(
                        "C",
                        format!("C must be two capital Latin letters (ISO 3166), got {v:?}"),
                    ));
                }
                A::Email if !looks_like_email(v) => {
                    return Err(Error::invalid_field(
                        "E",
                        format!("E is not an e-mail address: {v:?}"),
                    ));
                }
                A::Inn => {
                    Inn::person(v)?;
                }
                A::InnLe => {
                    Inn::legal_entity(v)?;
                }
                A::Ogrn => {
                    Ogrn::new(v)?;
                }
                A::Ogrnip => {
                    Ogrnip::new(v)?;
                }
                A::Snils => {
                    Snils::new(v)?;
                }
                _ => {}
            }
            if !matches!(a.kind, A::OrganizationalUnit | A::Other(_))
                && self.attributes.iter().filter(|b| b.kind == a.kind).count() > 1
            {
                return Err(Error::invalid_field(
                    &label,
                    format!("{label} appears more than once"),
                ));
            }
        }

        Ok(())
    }

    /// Checks every identifier attribute present (INN, INNLE, OGRN, OGRNIP, SNILS), in stored
    /// order, leniently: an INN holding a legal entity's INN as "00"+10 digits or 10 digits,
    /// and an INNLE holding "00"+10 digits, are valid.
    pub fn check_identifiers(&self) -> Vec<IdentifierCheck> {
        self.attributes
            .iter()
            .filter_map(|a| {
                let result = check_identifier(a)?;
                Some(IdentifierCheck {
                    label: a.kind.label(),
                    value: a.value.clone(),
                    valid: result.is_ok(),
                    problem: result.err().map(|e| e.message().to_owned()),
                })
            })
            .collect()
    }

    /// Whether every identifier attribute present is valid, as
    /// [`check_identifiers`](Self::check_identifiers) judges them (true when there is none);
    /// nothing is copied, for scans.
    pub fn identifiers_valid(&self) -> bool {
        self.attributes
            .iter()
            .filter_map(check_identifier)
            .all(|r| r.is_ok())
    }

    /// Converts to an X.501 Name for writing into a request or certificate: one single-valued
    /// RDN per attribute in stored order, each value in its attribute type's
    /// [`write_type`](AttributeType::write_type) whatever type it was read in (NumericString
    /// for the identifiers, PrintableString for C, IA5String for E, UTF8String otherwise).
    /// A value that is not encodable in that type (a dash in an INN, Cyrillic in C or E) is an
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) error naming the attribute.
    pub fn to_name(&self) -> Result<Name> {
        self.build_name(|a| a.kind.write_type())
    }

    /// Converts to an X.501 Name keeping each attribute's recorded `string_type` (what it was
    /// read in), e.g. to re-encode a name read from a certificate byte for byte. Fails like
    /// [`to_name`](Self::to_name) on a value not encodable in its type, and on UniversalString,
    /// which `der` 0.8 cannot write.
    pub fn to_name_keeping_types(&self) -> Result<Name> {
        self.build_name(|a| a.string_type)
    }

    fn build_name(&self, type_of: impl Fn(&Attribute) -> StringType) -> Result<Name> {
        let mut rdns = Vec::with_capacity(self.attributes.len());
        for a in &self.attributes {
            let label = a.kind.label();
            if a.string_type == StringType::PostalLines {
                // Written as one string it would say something else than it was read as.
                return Err(Error::invalid_field(
                    &label,
                    format!(
                        "{label}: a postal address (SEQUENCE OF lines) is read but never written"
                    ),
                ));
            }
            let t = type_of(a);
            let tag = t.der_tag().ok_or_else(|| {
                Error::invalid_field(&label, format!("{label}: {t} is read but never written"))
            })?;
            let bytes = t.encode(&a.value).ok_or_else(|| {
                let c = a.value.chars().find(|&c| !t.can_encode(c)).unwrap_or('?');
                Error::invalid_field(&label, format!("{label}: {c:?} cannot be written in a {t}"))
            })?;
            let atv = AttributeTypeAndValue {
                oid: a.kind.oid(),
                value: Any::new(tag, bytes)?,
            };
            rdns.push(RelativeDistinguishedName::try_from(vec![atv])?);
        }
        // x509-cert 0.3 builds a Name from an RdnSequence only through DER (or its `hazmat`
        // feature); the round trip also proves the encoding is well-formed.
        let der = RdnSequence::from(rdns).to_der()?;
        Ok(Name::from_der(&der)?)
    }

    /// Reads an X.501 Name leniently: values of any string type (UTF8String, PrintableString,
    /// NumericString, IA5String, TeletexString as Latin-1, BMPString as UTF-16BE) keep the type
    /// they had, and the character set of Printable/Numeric/IA5 values is not enforced (any
    /// valid UTF-8 is kept, as some CAs write it); multi-valued RDNs are flattened in order;
    /// unknown OIDs become
    /// [`AttributeType::Other`]; a value that is not a string is a
    /// [`MalformedEncoding`](crate::ErrorKind::MalformedEncoding) error.
    pub fn from_name(name: &Name) -> Result<Subject> {
        let mut attributes = Vec::with_capacity(name.len());
        for rdn in name.iter_rdn() {
            for atv in rdn.iter() {
                let kind = AttributeType::from_oid(&atv.oid);
                let label = kind.label();
                let tag = atv.value.tag();
                let postal = (tag == Tag::Sequence && is_postal(&atv.oid))
                    .then_some(StringType::PostalLines);
                let string_type = postal
                    .or_else(|| StringType::from_der_tag(tag))
                    .ok_or_else(|| {
                        Error::malformed(format!("{label}: value is a {tag}, not a string"))
                            .with_field(&label)
                    })?;
                let value = string_type.decode(&kind, atv.value.value())?;
                attributes.push(Attribute {
                    kind,
                    value,
                    string_type,
                });
            }
        }
        Ok(Subject { attributes })
    }

    /// The DER encoding of [`to_name`](Self::to_name).
    pub fn to_der(&self) -> Result<Vec<u8>> {
        Ok(self.to_name()?.to_der()?)
    }

    /// Reads a DER-encoded Name, as [`from_name`](Self::from_name) does and also accepting
    /// UniversalString values (UTF-32BE), which `der` 0.8 cannot decode. The encoding itself
    /// must be DER (definite, minimal lengths, no trailing bytes); the order of values inside
    /// a multi-valued RDN is not checked.
    pub fn from_der(bytes: &[u8]) -> Result<Subject> {
        let (tag, body, rest) = tlv(bytes)?;
        if tag != 0x30 {
            return Err(Error::malformed(format!(
                "Name: expected a SEQUENCE (0x30), found tag 0x{tag:02X}"
            )));
        }
        if !rest.is_empty() {
            return Err(Error::malformed(format!(
                "Name: {} trailing bytes after the SEQUENCE",
                rest.len()
            )));
        }
        let mut attributes = Vec::new();
        let mut rdns = body;
        while !rdns.is_empty() {
            let (tag, mut set, rest) = tlv(rdns)?;
            rdns = rest;
            if tag != 0x31 {
                return Err(Error::malformed(format!(
                    "Name: expected an RDN SET (0x31), found tag 0x{tag:02X}"
                )));
            }
            if set.is_empty() {
                return Err(Error::malformed("Name: an RDN is empty"));
            }
            while !set.is_empty() {
                let (tag, atv, rest) = tlv(set)?;
                set = rest;
                if tag != 0x30 {
                    return Err(Error::malformed(format!(
                        "Name: expected an AttributeTypeAndValue SEQUENCE, found tag 0x{tag:02X}"
                    )));
                }
                let (tag, oid_bytes, rest) = tlv(atv)?;
                if tag != 0x06 {
                    return Err(Error::malformed(format!(
                        "Name: expected an attribute OID, found tag 0x{tag:02X}"
                    )));
                }
                let o = ObjectIdentifier::from_bytes(oid_bytes)
                    .map_err(|e| Error::malformed(format!("Name: attribute OID: {e}")))?;
                let kind = AttributeType::from_oid(&o);
                let (vtag, value, rest) = tlv(rest)?;
                if !rest.is_empty() {
                    let label = kind.label();
                    return Err(Error::malformed(format!(
                        "Name: {label}: AttributeTypeAndValue has extra fields"
                    ))
                    .with_field(&label));
                }
                let string_type = StringType::of_value(&o, vtag).ok_or_else(|| {
                    let label = kind.label();
                    Error::malformed(format!(
                        "{label}: value has tag 0x{vtag:02X}, not a string type"
                    ))
                    .with_field(&label)
                })?;
                let value = string_type.decode(&kind, value)?;
                attributes.push(Attribute {
                    kind,
                    value,
                    string_type,
                });
            }
        }
        Ok(Subject { attributes })
    }
}

/// The check of one attribute when it is an identifier (INN, INNLE, OGRN, OGRNIP, SNILS; see
/// [`Subject::check_identifiers`]), `None` for other attributes.
fn check_identifier(a: &Attribute) -> Option<Result<()>> {
    use AttributeType as A;
    let v = a.value.as_str();
    Some(match a.kind {
        A::Inn => {
            if legacy_inn_le(v).is_some() {
                Ok(())
            } else {
                Inn::person(v).map(drop)
            }
        }
        A::InnLe => match legacy_inn_le(v) {
            Some(_) => Ok(()),
            None => Inn::legal_entity(v).map(drop),
        },
        A::Ogrn => Ogrn::new(v).map(drop),
        A::Ogrnip => Ogrnip::new(v).map(drop),
        A::Snils => Snils::new(v).map(drop),
        _ => return None,
    })
}

/// Splits one DER TLV off `input`: (tag byte, content, rest). Low tag numbers and definite,
/// minimally encoded lengths only.
fn tlv(input: &[u8]) -> Result<(u8, &[u8], &[u8])> {
    crate::asn1::read_tlv(input, "Name")
}

/// Whether an attribute is a PostalAddress (X.520: postalAddress, registeredAddress), whose
/// value is a SEQUENCE OF DirectoryString rather than a string.
fn is_postal(attribute: &ObjectIdentifier) -> bool {
    *attribute == oid::AT_POSTAL_ADDRESS || *attribute == oid::AT_REGISTERED_ADDRESS
}

/// RFC 4514 §2.4 escaping of one value.
fn escape_value(v: &str, out: &mut String) {
    let last = v.chars().count().saturating_sub(1);
    for (i, c) in v.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(c);
            }
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '#' if i == 0 => out.push_str("\\#"),
            '\0' => out.push_str("\\00"),
            _ => out.push(c),
        }
    }
}

/// "CN=..., O=..., INN=..." in the stored order (not RFC 4514's reversed order), values
/// escaped as RFC 4514 §2.4.
impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, a) in self.attributes.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&a.kind.label());
            out.push('=');
            escape_value(&a.value, &mut out);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use AttributeType as A;
    use proptest::prelude::*;

    fn legal_entity() -> Subject {
        Subject::new()
            .with(A::CommonName, "ПАО Сбербанк")
            .with(A::Organization, "ПАО Сбербанк")
            .with(A::OrganizationalUnit, "Казначейство")
            .with(A::Title, "Главный бухгалтер")
            .with(A::Surname, "Иванов")
            .with(A::GivenName, "Иван Иванович")
            .with(A::Country, "RU")
            .with(A::State, "77 г. Москва")
            .with(A::Locality, "Москва")
            .with(A::Street, "ул. Вавилова, д. 19")
            .with(A::Email, "ivanov@example.ru")
            .with(A::InnLe, "7707083893")
            .with(A::Ogrn, "1027700132195")
            .with(A::Inn, "500100732259")
            .with(A::Snils, "11223344595")
    }

    fn entrepreneur() -> Subject {
        Subject::new()
            .with(A::CommonName, "ИП Петров Пётр Петрович")
            .with(A::Surname, "Петров")
            .with(A::GivenName, "Пётр Петрович")
            .with(A::Country, "RU")
            .with(A::Inn, "500100732259")
            .with(A::Ogrnip, "304500116000157")
            .with(A::Snils, "11223344595")
    }

    fn person() -> Subject {
        Subject::new()
            .with(A::CommonName, "Сидорова Анна Сергеевна")
            .with(A::Surname, "Сидорова")
            .with(A::GivenName, "Анна Сергеевна")
            .with(A::Country, "RU")
            .with(A::Inn, "500100732259")
            .with(A::Snils, "112-233-445 95")
    }

    fn without(s: &Subject, kind: &AttributeType) -> Subject {
        let mut out = Subject::new();
        for a in s.attributes().iter().filter(|a| &a.kind != kind) {
            out.push_attribute(a.clone());
        }
        out
    }

    fn err_of(r: Result<()>) -> (String, String) {
        let e = r.expect_err("must be rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        (e.field().unwrap_or("").to_owned(), e.message().to_owned())
    }

    #[test]
    fn attribute_types_map_both_ways() {
        let mut seen = std::collections::HashSet::new();
        for t in KNOWN.iter() {
            let (o, l) = t.known().unwrap();
            assert!(seen.insert(o), "duplicate OID {o}");
            assert!(
                t.ru().is_some_and(|r| !r.is_empty()),
                "{l} has a Russian name"
            );
            assert_eq!(t.oid(), o);
            assert_eq!(&AttributeType::from_oid(&o), t);
            assert_eq!(t.label(), l);
            assert_eq!(AttributeType::from_label(l).as_ref(), Some(t));
            assert_eq!(
                AttributeType::from_label(&l.to_lowercase()).as_ref(),
                Some(t)
            );
        }
        assert_eq!(A::CommonName.oid().to_string(), "2.5.4.3");
        assert_eq!(A::InnLe.oid().to_string(), "1.2.643.100.4");
        assert_eq!(A::Inn.oid().to_string(), "1.2.643.3.131.1.1");
        let other = ObjectIdentifier::new_unwrap("1.2.643.3.141.1.1");
        assert_eq!(AttributeType::from_oid(&other), A::Other(other));
        assert_eq!(A::Other(other).label(), "1.2.643.3.141.1.1");
        assert_eq!(A::Other(other).ru(), None);
        assert_eq!(A::InnLe.ru(), Some("ИНН ЮЛ"));
        assert_eq!(
            AttributeType::from_label("1.2.643.3.141.1.1"),
            Some(A::Other(other))
        );
        assert_eq!(AttributeType::from_label("2.5.4.3"), Some(A::CommonName));
        assert_eq!(AttributeType::from_label("GN"), Some(A::GivenName));
        assert_eq!(AttributeType::from_label("emailAddress"), Some(A::Email));
        assert_eq!(AttributeType::from_label("XYZ"), None);
        assert_eq!(A::InnLe.write_type(), StringType::Numeric);
        assert_eq!(A::Snils.write_type(), StringType::Numeric);
        assert_eq!(A::Country.write_type(), StringType::Printable);
        assert_eq!(A::Email.write_type(), StringType::Ia5);
        assert_eq!(A::CommonName.write_type(), StringType::Utf8);
    }

    #[test]
    fn round_trip_keeps_order_values_and_types() {
        for s in [legal_entity(), entrepreneur(), person()] {
            let name = s.to_name().unwrap();
            assert_eq!(Subject::from_name(&name).unwrap(), s);
            let der = s.to_der().unwrap();
            assert_eq!(Subject::from_der(&der).unwrap(), s);
            assert_eq!(Name::from_der(&der).unwrap(), name);
        }
    }

    #[test]
    fn writes_the_right_string_types() {
        let s = legal_entity();
        let name = s.to_name().unwrap();
        let tags: Vec<(String, Tag)> = name
            .iter()
            .map(|atv| (AttributeType::from_oid(&atv.oid).label(), atv.value.tag()))
            .collect();
        let tag_of = |l: &str| tags.iter().find(|(x, _)| x == l).map(|(_, t)| *t);
        assert_eq!(tag_of("INNLE"), Some(Tag::NumericString));
        assert_eq!(tag_of("OGRN"), Some(Tag::NumericString));
        assert_eq!(tag_of("SNILS"), Some(Tag::NumericString));
        assert_eq!(tag_of("C"), Some(Tag::PrintableString));
        assert_eq!(tag_of("E"), Some(Tag::Ia5String));
        assert_eq!(tag_of("CN"), Some(Tag::Utf8String));
        // INNLE 7707083893 as NumericString, byte for byte:
        // SET { SEQUENCE { OID 1.2.643.100.4, NumericString "7707083893" } }.
        let der = s.to_der().unwrap();
        let innle = hex::decode("3115301306052A85036404120A37373037303833383933").unwrap();
        assert!(der.windows(innle.len()).any(|w| w == innle.as_slice()));
        // Cyrillic is UTF-8 in a UTF8String.
        let cn = "ПАО Сбербанк".as_bytes();
        assert!(der.windows(cn.len()).any(|w| w == cn));
    }

    #[test]
    fn strict_writing_names_the_field() {
        let e = Subject::new()
            .with(A::Inn, "5001-0073")
            .to_name()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("INN"));
        assert!(e.message().contains("NumericString"), "{}", e.message());
        let e = Subject::new().with(A::Country, "РФ").to_name().unwrap_err();
        assert_eq!(e.field(), Some("C"));
        let e = Subject::new()
            .with(A::Email, "иван@пример.рф")
            .to_name()
            .unwrap_err();
        assert_eq!(e.field(), Some("E"));
        let mut s = Subject::new();
        s.push_attribute(Attribute {
            kind: A::CommonName,
            value: "x".into(),
            string_type: StringType::Universal,
        });
        assert_eq!(s.to_name_keeping_types().unwrap_err().field(), Some("CN"));
        // Written strictly, the recorded type does not matter.
        assert_eq!(
            s.to_name().unwrap().iter().next().unwrap().value.tag(),
            Tag::Utf8String
        );
        // Nor does it rescue a value that its write type cannot hold.
        let mut s = Subject::new();
        s.push_attribute(Attribute {
            kind: A::Inn,
            value: "ИНН".into(),
            string_type: StringType::Utf8,
        });
        assert_eq!(s.to_name().unwrap_err().field(), Some("INN"));
        assert!(s.to_name_keeping_types().is_ok());
    }

    /// DER of a Name with one RDN holding (oid, tag, content).
    fn name_der(atvs: &[(&str, u8, &[u8])]) -> Vec<u8> {
        fn wrap(tag: u8, content: &[u8]) -> Vec<u8> {
            assert!(content.len() < 0x80);
            [&[tag, content.len() as u8][..], content].concat()
        }
        let mut rdns = Vec::new();
        for (o, tag, content) in atvs {
            let o = ObjectIdentifier::new_unwrap(o);
            let atv = wrap(
                0x30,
                &[wrap(0x06, o.as_bytes()), wrap(*tag, content)].concat(),
            );
            rdns.extend(wrap(0x31, &atv));
        }
        wrap(0x30, &rdns)
    }

    #[test]
    fn reads_bmp_teletex_universal_and_legacy_types() {
        let bmp: Vec<u8> = "Сбер".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let univ: Vec<u8> = "Сбер"
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        let der = name_der(&[
            ("2.5.4.3", 0x1E, &bmp),
            ("2.5.4.10", 0x14, b"Soci\xe9t\xe9"),
            ("2.5.4.11", 0x1C, &univ),
            ("1.2.643.100.4", 0x0C, b"7707083893"),
            ("2.5.4.6", 0x13, b"RU"),
        ]);
        let s = Subject::from_der(&der).unwrap();
        let got: Vec<(&str, StringType)> = s
            .attributes()
            .iter()
            .map(|a| (a.value.as_str(), a.string_type))
            .collect();
        assert_eq!(
            got,
            [
                ("Сбер", StringType::Bmp),
                ("Société", StringType::Teletex),
                ("Сбер", StringType::Universal),
                ("7707083893", StringType::Utf8),
                ("RU", StringType::Printable),
            ]
        );
        assert_eq!(s.inn_le().unwrap().as_str(), "7707083893");
        // Through x509-cert (which has no UniversalString tag): without the OU.
        let der = name_der(&[
            ("2.5.4.3", 0x1E, &bmp),
            ("2.5.4.10", 0x14, b"Soci\xe9t\xe9"),
        ]);
        let from_name = Subject::from_name(&Name::from_der(&der).unwrap()).unwrap();
        assert_eq!(from_name, Subject::from_der(&der).unwrap());
        assert_eq!(from_name.common_name(), Some("Сбер"));
        // Written back in the types they had (BMP, Teletex), or strictly as UTF8String.
        assert_eq!(
            from_name.to_name_keeping_types().unwrap().to_der().unwrap(),
            der
        );
        let strict = from_name.to_name().unwrap();
        assert!(strict.iter().all(|atv| atv.value.tag() == Tag::Utf8String));
        assert_eq!(
            Subject::from_name(&strict).unwrap().common_name(),
            Some("Сбер")
        );
    }

    /// The subject of a self-signed certificate made by OpenSSL 3.0:
    /// `openssl req -new -x509 -config r.cnf` with `string_mask = utf8only`, `utf8 = yes`, and
    /// `C=RU, ST=77 г. Москва, L=Москва, O=ООО Ромашка, CN=ООО Ромашка, SN=Иванов,
    /// GN=Иван Иванович, 1.2.643.100.4=7707083893, OGRN=1027700132195, SNILS=11223344595,
    /// INN=500100732259, emailAddress=a@b.ru` (OpenSSL 3.0 has no name for INNLE, so it wrote
    /// the value as a UTF8String, as many real certificates do); the Name bytes were cut out of
    /// the certificate at the issuer's offset (`openssl asn1parse`).
    const OPENSSL_SUBJECT_HEX: [&str; 7] = [
        "30820139310B3009060355040613025255311C301A06035504080C13373720D0B32E20D09CD0BED181D0BAD0B2D0B031",
        "15301306035504070C0CD09CD0BED181D0BAD0B2D0B0311E301C060355040A0C15D09ED09ED09E20D0A0D0BED0BCD0B0",
        "D188D0BAD0B0311E301C06035504030C15D09ED09ED09E20D0A0D0BED0BCD0B0D188D0BAD0B03115301306035504040C",
        "0CD098D0B2D0B0D0BDD0BED0B231223020060355042A0C19D098D0B2D0B0D0BD20D098D0B2D0B0D0BDD0BED0B2D0B8D1",
        "873115301306052A850364040C0A373730373038333839333118301606052A85036401120D3130323737303031333231",
        "39353116301406052A85036403120B3131323233333434353935311A301806082A85030381030101120C353030313030",
        "3733323235393115301306092A864886F70D01090116066140622E7275",
    ];

    #[test]
    fn reads_a_subject_written_by_openssl() {
        let der = hex::decode(OPENSSL_SUBJECT_HEX.concat()).unwrap();
        let s = Subject::from_der(&der).unwrap();
        assert_eq!(
            Subject::from_name(&Name::from_der(&der).unwrap()).unwrap(),
            s
        );
        let got: Vec<(String, &str, StringType)> = s
            .attributes()
            .iter()
            .map(|a| (a.kind.label(), a.value.as_str(), a.string_type))
            .collect();
        use StringType as T;
        let want = [
            ("C", "RU", T::Printable),
            ("ST", "77 г. Москва", T::Utf8),
            ("L", "Москва", T::Utf8),
            ("O", "ООО Ромашка", T::Utf8),
            ("CN", "ООО Ромашка", T::Utf8),
            ("SN", "Иванов", T::Utf8),
            ("G", "Иван Иванович", T::Utf8),
            ("INNLE", "7707083893", T::Utf8),
            ("OGRN", "1027700132195", T::Numeric),
            ("SNILS", "11223344595", T::Numeric),
            ("INN", "500100732259", T::Numeric),
            ("E", "a@b.ru", T::Ia5),
        ];
        let want: Vec<(String, &str, StringType)> = want
            .iter()
            .map(|(l, v, t)| (l.to_string(), *v, *t))
            .collect();
        assert_eq!(got, want);
        assert_eq!(s.kind(), SubjectKind::LegalEntity);
        assert_eq!(s.inn_le().unwrap().as_str(), "7707083893");
        assert!(s.check_identifiers().iter().all(|c| c.valid));
        s.validate(SubjectKind::LegalEntity).unwrap();
        // Re-encoded in the types read: the same bytes as OpenSSL's.
        assert_eq!(s.to_name_keeping_types().unwrap().to_der().unwrap(), der);
        // Written strictly, only INNLE changes: UTF8String (0x0C) becomes NumericString (0x12).
        let strict = s.to_der().unwrap();
        let diff: Vec<(u8, u8)> = der
            .iter()
            .zip(&strict)
            .filter(|(a, b)| a != b)
            .map(|(a, b)| (*a, *b))
            .collect();
        assert_eq!(diff, [(0x0C, 0x12)]);
        assert_eq!(
            s.to_string(),
            "C=RU, ST=77 г. Москва, L=Москва, O=ООО Ромашка, CN=ООО Ромашка, SN=Иванов, \
             G=Иван Иванович, INNLE=7707083893, OGRN=1027700132195, SNILS=11223344595, \
             INN=500100732259, E=a@b.ru"
        );
    }

    #[test]
    fn reading_rejects_non_strings_and_bad_der() {
        let der = name_der(&[("2.5.4.3", 0x02, &[1])]);
        let e = Subject::from_der(&der).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedEncoding);
        assert_eq!(e.field(), Some("CN"));
        let e = Subject::from_name(&Name::from_der(&der).unwrap()).unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::MalformedEncoding, Some("CN"))
        );
        // Odd-length BMPString, bad UTF-8, invalid code point.
        for (tag, content) in [(0x1E, &[0x04, 0x21, 0x04][..]), (0x0C, &[0xFF][..])] {
            let e = Subject::from_der(&name_der(&[("2.5.4.3", tag, content)])).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MalformedEncoding);
        }
        let e = Subject::from_der(&name_der(&[("2.5.4.3", 0x1C, &[0, 0x11, 0, 0])])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedEncoding);
        // Trailing data, indefinite length, non-minimal length, empty RDN, truncation.
        let good = legal_entity().to_der().unwrap();
        for bad in [
            [&good[..], &[0]].concat(),
            vec![0x30, 0x80, 0, 0],
            vec![0x30, 0x81, 0x01, 0x00],
            vec![0x30, 0x02, 0x31, 0x00],
            good[..good.len() - 1].to_vec(),
            vec![],
        ] {
            let e = Subject::from_der(&bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{bad:02X?}");
        }
        assert!(Subject::from_der(&[0x30, 0x00]).unwrap().is_empty());
    }

    #[test]
    fn multi_valued_rdns_are_flattened_in_order() {
        // SET { SEQUENCE { givenName "Petr" }, SEQUENCE { surname "Иван" } }, in DER order.
        let g = [
            &[0x30, 0x0B, 0x06, 0x03, 0x55, 0x04, 0x2A, 0x0C, 0x04][..],
            b"Petr",
        ]
        .concat();
        let sn = [
            &[0x30, 0x0F, 0x06, 0x03, 0x55, 0x04, 0x04, 0x0C, 0x08][..],
            "Иван".as_bytes(),
        ]
        .concat();
        let cn = [&[
            0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x00,
        ][..]]
        .concat();
        let der_of = |first: &[u8], second: &[u8]| {
            let set = [
                &[0x31, (first.len() + second.len()) as u8][..],
                first,
                second,
            ]
            .concat();
            let body = [&set[..], &cn].concat();
            [&[0x30, body.len() as u8][..], &body].concat()
        };
        let der = der_of(&g, &sn);
        let s = Subject::from_der(&der).unwrap();
        let kinds: Vec<A> = s.attributes().iter().map(|a| a.kind.clone()).collect();
        assert_eq!(kinds, [A::GivenName, A::Surname, A::CommonName]);
        assert_eq!(s.get(&A::Surname), Some("Иван"));
        assert_eq!(s.get(&A::GivenName), Some("Petr"));
        assert_eq!(s.common_name(), Some(""));
        let via_name = Subject::from_name(&Name::from_der(&der).unwrap()).unwrap();
        assert_eq!(via_name, s);
        // Our reader does not insist on the DER order inside a SET.
        let swapped = Subject::from_der(&der_of(&sn, &g)).unwrap();
        assert_eq!(swapped.attributes()[0].kind, A::Surname);
        // Written back, each attribute is its own RDN.
        assert_eq!(s.to_name().unwrap().iter_rdn().count(), 3);
    }

    #[test]
    fn accessors_and_kind() {
        let le = legal_entity();
        assert_eq!(le.kind(), SubjectKind::LegalEntity);
        assert_eq!(le.inn_le().unwrap().as_str(), "7707083893");
        assert_eq!(le.inn().unwrap().as_str(), "500100732259");
        assert_eq!(le.ogrn().unwrap().as_str(), "1027700132195");
        assert_eq!(le.common_name(), Some("ПАО Сбербанк"));
        assert_eq!(entrepreneur().kind(), SubjectKind::IndividualEntrepreneur);
        assert_eq!(entrepreneur().ogrnip().unwrap().as_str(), "304500116000157");
        assert_eq!(person().kind(), SubjectKind::NaturalPerson);
        assert_eq!(person().snils().unwrap().formatted(), "112-233-445 95");
        assert!(person().inn_le().is_none());
        assert!(person().ogrn().is_none());
        // Invalid values: None.
        let bad = Subject::new()
            .with(A::Ogrn, "1027700132196")
            .with(A::InnLe, "7707083894");
        assert!(bad.ogrn().is_none());
        assert!(bad.inn_le().is_none());
        assert_eq!(bad.kind(), SubjectKind::LegalEntity);
    }

    #[test]
    fn legacy_inn_of_a_legal_entity() {
        let old = Subject::new()
            .with(A::CommonName, "ООО Ромашка")
            .with(A::Inn, "007707083893");
        assert_eq!(old.inn_le().unwrap().as_str(), "7707083893");
        assert!(old.inn().is_none());
        assert_eq!(old.kind(), SubjectKind::LegalEntity);
        let ten = Subject::new().with(A::Inn, "7707083893");
        assert_eq!(ten.inn_le().unwrap().as_str(), "7707083893");
        assert!(ten.inn().is_none());
        assert_eq!(ten.kind(), SubjectKind::LegalEntity);
        let checks = old.check_identifiers();
        assert_eq!(checks.len(), 1);
        assert!(checks[0].valid);
        assert_eq!(checks[0].label, "INN");
        assert_eq!(checks[0].value, "007707083893");
        // validate() is strict and explains.
        let no_innle = without(&without(&legal_entity(), &A::InnLe), &A::Inn);
        let le = no_innle.clone().with(A::Inn, "007707083893");
        let (f, m) = err_of(le.validate(SubjectKind::LegalEntity));
        assert_eq!(f, "INNLE");
        assert!(
            m.starts_with("INNLE is mandatory for a legal entity (the INN attribute"),
            "{m}"
        );
        let le = no_innle
            .with(A::InnLe, "7707083893")
            .with(A::Inn, "007707083893");
        let (f, m) = err_of(le.validate(SubjectKind::LegalEntity));
        assert_eq!(f, "INN");
        assert!(m.contains("legacy"), "{m}");
    }

    #[test]
    fn check_identifiers_reports_each() {
        let s = Subject::new()
            .with(A::CommonName, "x")
            .with(A::InnLe, "7707083893")
            .with(A::Ogrn, "1027700132196")
            .with(A::Snils, "112-233-445 95")
            .with(A::Ogrnip, "30450011600015");
        let c = s.check_identifiers();
        let labels: Vec<&str> = c.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["INNLE", "OGRN", "SNILS", "OGRNIP"]);
        assert!(c[0].valid && c[0].problem.is_none());
        assert!(!c[1].valid);
        assert_eq!(
            c[1].problem.as_deref(),
            Some("OGRN check digit is 6, expected 5")
        );
        assert!(c[2].valid);
        assert_eq!(
            c[3].problem.as_deref(),
            Some("OGRNIP must have 15 digits, got 14")
        );
        let json = serde_json::to_value(&c[1]).unwrap();
        assert_eq!(json["valid"], false);
        // identifiers_valid answers the same without building the list.
        assert!(!s.identifiers_valid());
        let good = without(&without(&s, &A::Ogrn), &A::Ogrnip);
        assert!(good.check_identifiers().iter().all(|c| c.valid) && good.identifiers_valid());
        assert!(Subject::new().with(A::CommonName, "x").identifiers_valid());
        assert!(
            !Subject::new()
                .with(A::Inn, "500100732258")
                .identifiers_valid()
        );
    }

    #[test]
    fn validate_accepts_complete_subjects() {
        legal_entity().validate(SubjectKind::LegalEntity).unwrap();
        entrepreneur()
            .validate(SubjectKind::IndividualEntrepreneur)
            .unwrap();
        person().validate(SubjectKind::NaturalPerson).unwrap();
    }

    #[test]
    fn validate_names_the_missing_field_for_each_kind() {
        // The table, spelled out again so a change to it must change this test too.
        let cases: [(Subject, SubjectKind, &[A]); 3] = [
            (
                legal_entity(),
                SubjectKind::LegalEntity,
                &[
                    A::CommonName,
                    A::Organization,
                    A::Country,
                    A::State,
                    A::Locality,
                    A::InnLe,
                    A::Ogrn,
                    A::Surname,
                    A::GivenName,
                    A::Snils,
                ],
            ),
            (
                entrepreneur(),
                SubjectKind::IndividualEntrepreneur,
                &[
                    A::CommonName,
                    A::Surname,
                    A::GivenName,
                    A::Country,
                    A::Inn,
                    A::Ogrnip,
                    A::Snils,
                ],
            ),
            (
                person(),
                SubjectKind::NaturalPerson,
                &[
                    A::CommonName,
                    A::Surname,
                    A::GivenName,
                    A::Country,
                    A::Inn,
                    A::Snils,
                ],
            ),
        ];
        for (full, kind, mandatory) in cases {
            assert_eq!(kind.mandatory(), mandatory);
            for m in mandatory {
                let (f, msg) = err_of(without(&full, m).validate(kind));
                assert_eq!(f, m.label());
                assert_eq!(msg, format!("{} is mandatory for a {kind}", m.label()));
            }
        }
        let (f, m) = err_of(without(&legal_entity(), &A::Ogrn).validate(SubjectKind::LegalEntity));
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("OGRN", "OGRN is mandatory for a legal entity")
        );
        // Optional ones may go.
        for o in [A::Street, A::Email, A::Title, A::OrganizationalUnit, A::Inn] {
            without(&legal_entity(), &o)
                .validate(SubjectKind::LegalEntity)
                .unwrap();
        }
    }

    #[test]
    fn validate_rejects_bad_values() {
        let p = person();
        let (f, m) = err_of(
            p.clone()
                .with(A::Ogrn, "1027700132195")
                .validate(SubjectKind::NaturalPerson),
        );
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("OGRN", "OGRN is not allowed for a natural person")
        );
        let (f, _) = err_of(
            entrepreneur()
                .with(A::InnLe, "7707083893")
                .validate(SubjectKind::IndividualEntrepreneur),
        );
        assert_eq!(f, "INNLE");
        let (f, _) = err_of(
            legal_entity()
                .with(A::Ogrnip, "304500116000157")
                .validate(SubjectKind::LegalEntity),
        );
        assert_eq!(f, "OGRNIP");
        let swap = |s: Subject, k: A, v: &str| without(&s, &k).with(k, v);
        let bad: [(A, &str, &str); 9] = [
            (A::Country, "ru", "C must be two capital Latin letters"),
            (
                A::Country,
                "RUS",
                "C has 3 characters, more than the 2 allowed",
            ),
            (A::Email, "ivanov.example.ru", "E is not an e-mail address"),
            (
                A::Inn,
                "500100732258",
                "INN second check digit (12th) is 8, expected 9",
            ),
            (A::Inn, "7707083893", "INN must have 12 digits, got 10"),
            (
                A::Snils,
                "112-233-445 96",
                "SNILS control number is 96, expected 95",
            ),
            (A::CommonName, "  ", "CN is empty"),
            (A::Surname, "Ив\u{0}анов", "SN contains a control character"),
            (
                A::CommonName,
                &"Я".repeat(65),
                "CN has 65 characters, more than the 64 allowed",
            ),
        ];
        for (k, v, want) in bad {
            let (f, m) = err_of(swap(p.clone(), k.clone(), v).validate(SubjectKind::NaturalPerson));
            assert_eq!(f, k.label());
            assert!(m.starts_with(want), "{m} / {want}");
        }
        // 64 Cyrillic characters (128 bytes) are within the 64-character bound.
        swap(p.clone(), A::CommonName, &"Я".repeat(64))
            .validate(SubjectKind::NaturalPerson)
            .unwrap();
        let (f, m) = err_of(
            p.clone()
                .with(A::Surname, "Второй")
                .validate(SubjectKind::NaturalPerson),
        );
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("SN", "SN appears more than once")
        );
        let le = swap(legal_entity(), A::InnLe, "500100732259");
        let (f, m) = err_of(le.validate(SubjectKind::LegalEntity));
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("INNLE", "INNLE must have 10 digits, got 12")
        );
        let le = swap(legal_entity(), A::Ogrn, "1027700132196");
        assert_eq!(err_of(le.validate(SubjectKind::LegalEntity)).0, "OGRN");
    }

    #[test]
    fn display_escapes_rfc4514() {
        let s = Subject::new()
            .with(A::CommonName, "ООО \"Рога, Копыта\" + <Ко>; 1\\2")
            .with(A::Organization, " #lead")
            .with(A::OrganizationalUnit, "trail ")
            .with(A::InnLe, "7707083893");
        assert_eq!(
            s.to_string(),
            "CN=ООО \\\"Рога\\, Копыта\\\" \\+ \\<Ко\\>\\; 1\\\\2, O=\\ #lead, OU=trail\\ , \
             INNLE=7707083893"
        );
        assert_eq!(
            Subject::new().with(A::Organization, "#x").to_string(),
            "O=\\#x"
        );
    }

    #[test]
    fn serialises_for_reports() {
        let s = Subject::new()
            .with(A::CommonName, "Иван")
            .with(A::InnLe, "7707083893");
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v,
            serde_json::json!([
                {"oid": "2.5.4.3", "label": "CN", "type": "UTF8String", "value": "Иван"},
                {"oid": "1.2.643.100.4", "label": "INNLE", "type": "NumericString", "value": "7707083893"}
            ])
        );
    }

    #[test]
    fn push_canonicalises_known_oids() {
        let s = Subject::new().with(A::Other(oid::AT_OGRN), "1027700132195");
        assert_eq!(s.attributes()[0].kind, A::Ogrn);
        assert_eq!(s.attributes()[0].string_type, StringType::Numeric);
    }

    fn arb_attribute() -> impl Strategy<Value = (AttributeType, String)> {
        let kinds = prop::sample::select(KNOWN.to_vec());
        (kinds, "[0-9A-Za-zА-Яа-яё ,+\"<>;#=\\\\]{1,20}").prop_map(|(k, v)| {
            // Keep values encodable in the attribute's write type.
            let v: String = v
                .chars()
                .filter(|&c| k.write_type().can_encode(c))
                .collect();
            (k, if v.is_empty() { "1".to_owned() } else { v })
        })
    }

    proptest! {
        #[test]
        fn from_der_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Subject::from_der(&bytes);
            if let Ok(name) = Name::from_der(&bytes) {
                let _ = Subject::from_name(&name);
            }
        }

        #[test]
        fn from_der_survives_mutations(i in any::<prop::sample::Index>(), b in any::<u8>(), cut in any::<prop::sample::Index>()) {
            let mut der = legal_entity().to_der().unwrap();
            let at = i.index(der.len());
            der[at] = b;
            let _ = Subject::from_der(&der);
            let _ = Subject::from_der(&der[..cut.index(der.len())]);
        }

        #[test]
        fn arbitrary_values_never_panic(
            attrs in proptest::collection::vec((prop::sample::select(KNOWN.to_vec()), any::<String>()), 0..8)
        ) {
            let mut s = Subject::new();
            for (k, v) in attrs {
                s.push(k, v);
            }
            // Whatever the values, writing either succeeds and reads back, or names a field.
            match s.to_der() {
                Ok(der) => prop_assert_eq!(&Subject::from_der(&der).unwrap(), &s),
                Err(e) => prop_assert!(e.field().is_some()),
            }
            for kind in [SubjectKind::LegalEntity, SubjectKind::IndividualEntrepreneur, SubjectKind::NaturalPerson] {
                if let Err(e) = s.validate(kind) {
                    prop_assert!(e.field().is_some());
                }
            }
            let _ = s.to_string();
            let _ = s.check_identifiers();
        }

        #[test]
        fn random_subjects_round_trip(attrs in proptest::collection::vec(arb_attribute(), 0..12)) {
            let mut s = Subject::new();
            for (k, v) in attrs {
                s.push(k, v);
            }
            let der = s.to_der().unwrap();
            prop_assert_eq!(&Subject::from_der(&der).unwrap(), &s);
            prop_assert_eq!(&Subject::from_name(&Name::from_der(&der).unwrap()).unwrap(), &s);
        }
    }
}
