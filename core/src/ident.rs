//! Russian identifiers: INN, OGRN, OGRNIP, SNILS, KPP.
//!
//! Each identifier is a newtype that can only hold a well-formed value: constructing one checks
//! the length, the alphabet and the check digit(s), and a failure is an
//! [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error whose
//! [`field`](crate::Error::field) is the certificate attribute label ("INN", "INNLE", "OGRN",
//! "OGRNIP", "SNILS", "KPP"). Identifiers are public data, so messages show the digits that
//! were found and expected.
//!
//! Check-digit algorithms:
//! - INN: the ФНС order on assigning the INN (приказ ФНС России от 29.06.2012
//!   № ММВ-7-6/435@; reportedly replaced from 01.01.2026 by № ЕД-7-14/559@): weighted sums
//!   mod 11 mod 10; the first two digits are a region code, never 00.
//! - OGRN / OGRNIP: the structure of the state registration number in the ЕГРЮЛ / ЕГРИП
//!   maintenance rules (постановление Правительства РФ от 19.06.2002 № 438 and its ЕГРИП
//!   counterpart): the first digit tells the kind of record (1 or 5 an OGRN, 3 an OGRNIP), the
//!   last is the number formed by the leading digits mod 11 (OGRN) or mod 13 (OGRNIP), mod 10.
//! - SNILS: the control number of the insurance account as the Pension Fund (now СФР)
//!   computes it: weights 9..1, mod 101 (100 and 101 give 00), checked only for numbers
//!   above 001-001-998, which were issued before the control number was introduced.
//! - KPP: приказ ФНС России от 29.06.2012 № ММВ-7-6/435@: `NNNNPPXXX`, where `PP` (the reason
//!   code) may be a digit or a Latin capital letter since 2013; no check digit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Result};

/// Trims surrounding whitespace and checks that `s` is made of `expected` ASCII digits.
fn digits(field: &str, s: &str, expected: &[usize]) -> Result<Vec<u8>> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Error::invalid_field(field, format!("{field} is empty")));
    }
    if let Some((pos, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(Error::invalid_field(
            field,
            format!(
                "{field} must contain digits only, found {c:?} at position {}",
                pos + 1
            ),
        ));
    }
    let d: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
    if !expected.contains(&d.len()) {
        let want = match expected {
            [one] => format!("{one}"),
            [a, b] => format!("{a} or {b}"),
            _ => format!("{expected:?}"),
        };
        return Err(Error::invalid_field(
            field,
            format!("{field} must have {want} digits, got {}", d.len()),
        ));
    }
    if d.iter().all(|&x| x == 0) {
        // A placeholder, not an identifier: the weighted sums of all zeros are 0, so the
        // check digit alone would accept it.
        return Err(Error::invalid_field(field, format!("{field} is all zeros")));
    }
    Ok(d)
}

fn to_string(d: &[u8]) -> String {
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

/// Weighted sum of `d` with `w` (pairwise, as long as the shorter), mod 11, mod 10.
fn inn_check(d: &[u8], w: &[u32]) -> u8 {
    let s: u32 = d.iter().zip(w).map(|(&x, &w)| u32::from(x) * w).sum();
    // s % 11 % 10 < 10, so the cast is lossless.
    (s % 11 % 10) as u8
}

const INN10_WEIGHTS: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_WEIGHTS_11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_WEIGHTS_12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/// The number formed by `d` (at most 19 digits), mod `m`, mod 10.
fn number_mod(d: &[u8], m: u64) -> u8 {
    let r = d.iter().fold(0u64, |acc, &x| (acc * 10 + u64::from(x)) % m);
    (r % 10) as u8
}

/// The SNILS control number of the first nine digits.
fn snils_check(d: &[u8]) -> u8 {
    let s: u32 = d
        .iter()
        .take(9)
        .zip((1..=9u32).rev())
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    // At most 9·45 = 405; the result is below 100.
    let c = match s {
        0..=99 => s,
        100 | 101 => 0,
        _ => match s % 101 {
            100 => 0,
            r => r,
        },
    };
    c as u8
}

fn check_digit(field: &str, which: &str, found: u8, expected: u8) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::invalid_field(
            field,
            format!("{field} {which} is {found}, expected {expected}"),
        ))
    }
}

/// Implements the traits shared by all identifiers (parse, display, serde, conversions).
macro_rules! identifier_traits {
    ($t:ident) => {
        impl $t {
            /// The normalised value: digits only (KPP: digits and capital letters).
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $t {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                $t::new(s)
            }
        }

        impl TryFrom<&str> for $t {
            type Error = Error;
            fn try_from(s: &str) -> Result<Self> {
                $t::new(s)
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        /// Deserialising validates like [`new`](Self::new).
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $t::new(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Which kind of taxpayer an [`Inn`] belongs to (given by its length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum InnKind {
    /// 10 digits: an organisation (ИНН юридического лица).
    LegalEntity,
    /// 12 digits: a natural person, including an individual entrepreneur (ИНН физического лица).
    Person,
}

/// ИНН, the taxpayer identification number: 10 digits for a legal entity, 12 for a person.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Inn(String);

impl Inn {
    /// Parses an INN of either length (field label "INN").
    pub fn new(s: &str) -> Result<Self> {
        Self::parse("INN", s, &[10, 12])
    }

    /// Parses the INN of a legal entity: exactly 10 digits (field label "INNLE").
    pub fn legal_entity(s: &str) -> Result<Self> {
        Self::parse("INNLE", s, &[10])
    }

    /// Parses the INN of a natural person or individual entrepreneur: exactly 12 digits
    /// (field label "INN").
    pub fn person(s: &str) -> Result<Self> {
        Self::parse("INN", s, &[12])
    }

    fn parse(field: &str, s: &str, lens: &[usize]) -> Result<Self> {
        let d = digits(field, s, lens)?;
        if d.len() == 12 && d[..2] == [0, 0] {
            // Region code 00 does not exist: this is how old certificates wrote an entity's INN.
            return Err(Error::invalid_field(
                field,
                format!(
                    "{field} starts with 00: a legal entity's INN in the legacy \"00\"+10 digits \
                     form, not a person's INN"
                ),
            ));
        }
        if d.len() == 10 {
            check_digit(field, "check digit", d[9], inn_check(&d, &INN10_WEIGHTS))?;
        } else {
            check_digit(
                field,
                "first check digit (11th)",
                d[10],
                inn_check(&d, &INN12_WEIGHTS_11),
            )?;
            check_digit(
                field,
                "second check digit (12th)",
                d[11],
                inn_check(&d, &INN12_WEIGHTS_12),
            )?;
        }
        Ok(Inn(to_string(&d)))
    }

    /// Whether this is the 10-digit INN of a legal entity.
    pub fn is_legal_entity(&self) -> bool {
        self.0.len() == 10
    }

    /// The kind of taxpayer, by length.
    pub fn kind(&self) -> InnKind {
        if self.is_legal_entity() {
            InnKind::LegalEntity
        } else {
            InnKind::Person
        }
    }
}
identifier_traits!(Inn);

/// ОГРН, the primary state registration number of a legal entity: 13 digits.
///
/// The first digit is 1 or 5 (the sign of an OGRN; 2, 4, 6–9 mark other ЕГРЮЛ/ЕГРИП record
/// numbers, 3 an OGRNIP), and the last is the first twelve digits as a number mod 11, mod 10.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ogrn(String);

impl Ogrn {
    /// Parses an OGRN (field label "OGRN").
    pub fn new(s: &str) -> Result<Self> {
        let d = digits("OGRN", s, &[13])?;
        if d[0] != 1 && d[0] != 5 {
            return Err(Error::invalid_field(
                "OGRN",
                format!(
                    "OGRN must start with 1 or 5, got {} (3 starts an OGRNIP, other digits are record numbers)",
                    d[0]
                ),
            ));
        }
        check_digit("OGRN", "check digit", d[12], number_mod(&d[..12], 11))?;
        Ok(Ogrn(to_string(&d)))
    }
}
identifier_traits!(Ogrn);

/// ОГРНИП, the primary state registration number of an individual entrepreneur: 15 digits.
///
/// The first digit is 3, and the last is the first fourteen digits as a number mod 13, mod 10.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ogrnip(String);

impl Ogrnip {
    /// Parses an OGRNIP (field label "OGRNIP").
    pub fn new(s: &str) -> Result<Self> {
        let d = digits("OGRNIP", s, &[15])?;
        if d[0] != 3 {
            return Err(Error::invalid_field(
                "OGRNIP",
                format!("OGRNIP must start with 3, got {}", d[0]),
            ));
        }
        check_digit("OGRNIP", "check digit", d[14], number_mod(&d[..14], 13))?;
        Ok(Ogrnip(to_string(&d)))
    }
}
identifier_traits!(Ogrnip);

/// СНИЛС, the individual insurance account number: 11 digits, written "112-233-445 95".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Snils(String);

impl Snils {
    /// Numbers up to 001-001-998 were issued before the control number existed.
    const CHECKED_ABOVE: u32 = 1_001_998;

    /// Parses a SNILS, with or without the "112-233-445 95" separators (field label "SNILS").
    pub fn new(s: &str) -> Result<Self> {
        let compact: String = s.chars().filter(|&c| c != '-' && c != ' ').collect();
        let d = digits("SNILS", &compact, &[11])?;
        let number = d[..9].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
        if number > Self::CHECKED_ABOVE {
            let found = d[9] * 10 + d[10];
            let expected = snils_check(&d);
            if found != expected {
                return Err(Error::invalid_field(
                    "SNILS",
                    format!("SNILS control number is {found:02}, expected {expected:02}"),
                ));
            }
        }
        Ok(Snils(to_string(&d)))
    }

    /// The usual written form, "112-233-445 95".
    pub fn formatted(&self) -> String {
        let s = &self.0;
        format!("{}-{}-{} {}", &s[0..3], &s[3..6], &s[6..9], &s[9..11])
    }
}
identifier_traits!(Snils);

/// КПП, the tax registration reason code: 9 characters `NNNNPPXXX`, where `NNNN` is the tax
/// office, `PP` the reason (digits or Latin capital letters) and `XXX` a sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Kpp(String);

impl Kpp {
    /// Parses a KPP (field label "KPP"). There is no check digit.
    pub fn new(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::invalid_field("KPP", "KPP is empty"));
        }
        let n = s.chars().count();
        if n != 9 {
            return Err(Error::invalid_field(
                "KPP",
                format!("KPP must have 9 characters, got {n}"),
            ));
        }
        for (i, c) in s.chars().enumerate() {
            let ok = match i {
                4 | 5 => c.is_ascii_digit() || c.is_ascii_uppercase(),
                _ => c.is_ascii_digit(),
            };
            if !ok {
                let want = if i == 4 || i == 5 {
                    "a digit or a Latin capital letter"
                } else {
                    "a digit"
                };
                return Err(Error::invalid_field(
                    "KPP",
                    format!("KPP position {} must be {want}, found {c:?}", i + 1),
                ));
            }
        }
        if s.starts_with("0000") {
            return Err(Error::invalid_field(
                "KPP",
                "KPP tax office code 0000 does not exist",
            ));
        }
        Ok(Kpp(s.to_owned()))
    }
}
identifier_traits!(Kpp);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use proptest::prelude::*;

    fn field_of(r: Result<impl fmt::Debug>) -> (String, String) {
        let e = r.expect_err("must be rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        (e.field().unwrap_or("").to_owned(), e.message().to_owned())
    }

    #[test]
    fn inn_legal_entity_valid() {
        // Sberbank, Gazprom, Yandex LLC.
        for s in ["7707083893", "7736050003", "7736207543"] {
            let inn = Inn::new(s).unwrap();
            assert!(inn.is_legal_entity());
            assert_eq!(inn.kind(), InnKind::LegalEntity);
            assert_eq!(inn.as_str(), s);
            assert_eq!(Inn::legal_entity(s).unwrap(), inn);
        }
    }

    #[test]
    fn inn_person_valid() {
        // 500100732259 is the INN used in the FNS documentation examples.
        let inn = Inn::new("500100732259").unwrap();
        assert!(!inn.is_legal_entity());
        assert_eq!(inn.kind(), InnKind::Person);
        assert_eq!(Inn::person(" 500100732259\n").unwrap(), inn);
    }

    #[test]
    fn inn_rejects() {
        let (f, m) = field_of(Inn::new("7707083894"));
        assert_eq!(f, "INN");
        assert_eq!(m, "INN check digit is 4, expected 3");
        let (_, m) = field_of(Inn::new("500100732269"));
        assert!(
            m.contains("first check digit (11th) is 6, expected 5"),
            "{m}"
        );
        let (_, m) = field_of(Inn::new("500100732258"));
        assert!(
            m.contains("second check digit (12th) is 8, expected 9"),
            "{m}"
        );
        let (_, m) = field_of(Inn::new("77070838931"));
        assert_eq!(m, "INN must have 10 or 12 digits, got 11");
        let (_, m) = field_of(Inn::new("77070a3893"));
        assert!(m.contains("digits only") && m.contains("position 6"), "{m}");
        let (_, m) = field_of(Inn::new(""));
        assert_eq!(m, "INN is empty");
        let (_, m) = field_of(Inn::new("0000000000"));
        assert_eq!(m, "INN is all zeros");
        let (_, m) = field_of(Inn::person("007707083893"));
        assert!(
            m.starts_with("INN starts with 00: a legal entity's INN"),
            "{m}"
        );
        let (f, m) = field_of(Inn::legal_entity("500100732259"));
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("INNLE", "INNLE must have 10 digits, got 12")
        );
        let (f, _) = field_of(Inn::person("7707083893"));
        assert_eq!(f, "INN");
        // Fullwidth or Arabic-Indic digits are not ASCII digits.
        assert!(Inn::new("７７０７０８３８９３").is_err());
    }

    #[test]
    fn ogrn() {
        // Sberbank, Gazprom.
        assert_eq!(
            Ogrn::new("1027700132195").unwrap().as_str(),
            "1027700132195"
        );
        assert!(Ogrn::new("1027700070518").is_ok());
        let (f, m) = field_of(Ogrn::new("1027700132196"));
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("OGRN", "OGRN check digit is 6, expected 5")
        );
        let (_, m) = field_of(Ogrn::new("102770013219"));
        assert_eq!(m, "OGRN must have 13 digits, got 12");
        let (_, m) = field_of(Ogrn::new("10277001321-5"));
        assert!(m.contains("digits only"), "{m}");
        let (_, m) = field_of(Ogrn::new(" "));
        assert_eq!(m, "OGRN is empty");
        // A 13-digit number starting with 2 is a record number (ГРН), not an OGRN.
        let (_, m) = field_of(Ogrn::new(&valid_ogrn_from("202770013219")));
        assert!(m.starts_with("OGRN must start with 1 or 5"), "{m}");
    }

    fn valid_ogrn_from(first12: &str) -> String {
        let d: Vec<u8> = first12.bytes().map(|b| b - b'0').collect();
        format!("{first12}{}", number_mod(&d, 11))
    }

    #[test]
    fn ogrnip() {
        // 304500116000157: the OGRNIP used in FNS examples.
        let v = Ogrnip::new("304500116000157").unwrap();
        assert_eq!(v.to_string(), "304500116000157");
        let (f, m) = field_of(Ogrnip::new("304500116000158"));
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("OGRNIP", "OGRNIP check digit is 8, expected 7")
        );
        let (_, m) = field_of(Ogrnip::new("30450011600015"));
        assert_eq!(m, "OGRNIP must have 15 digits, got 14");
        let (_, m) = field_of(Ogrnip::new("30450011600015x"));
        assert!(m.contains("digits only"), "{m}");
        let (_, m) = field_of(Ogrnip::new(""));
        assert_eq!(m, "OGRNIP is empty");
        let (_, m) = field_of(Ogrnip::new("104500116000157"));
        assert_eq!(m, "OGRNIP must start with 3, got 1");
    }

    #[test]
    fn snils() {
        let s = Snils::new("112-233-445 95").unwrap();
        assert_eq!(s.as_str(), "11223344595");
        assert_eq!(s.formatted(), "112-233-445 95");
        assert_eq!(Snils::new("11223344595").unwrap(), s);
        let (f, m) = field_of(Snils::new("112-233-445 96"));
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("SNILS", "SNILS control number is 96, expected 95")
        );
        let (_, m) = field_of(Snils::new("112-233-445 9"));
        assert_eq!(m, "SNILS must have 11 digits, got 10");
        let (_, m) = field_of(Snils::new("112-233-445_95"));
        assert!(m.contains("digits only"), "{m}");
        let (_, m) = field_of(Snils::new("--"));
        assert_eq!(m, "SNILS is empty");
        // Sum 100 and 101 give 00; sums above 101 are taken mod 101 (e.g. 202 → 00, 105 → 04).
        assert_eq!(
            snils_check(&[0, 0, 0, 0, 0, 9, 9, 9, 9]),
            9 * 4 + 9 * 3 + 9 * 2 + 9
        );
        assert_eq!(snils_check(&[1, 1, 1, 1, 1, 1, 1, 1, 1]), 45);
        assert_eq!(snils_check(&[0, 0, 1, 9, 9, 9, 9, 9, 9]), 95); // 7 + 189 = 196 → 95
    }

    #[test]
    fn snils_control_number_edges() {
        // Weighted sums (weights 9..1) chosen by hand to hit every branch.
        let cases: [([u8; 9], u8); 6] = [
            ([9, 1, 1, 0, 0, 0, 0, 0, 0], 96), // 81 + 8 + 7 = 96: below 100, kept
            ([9, 1, 1, 0, 0, 0, 0, 0, 4], 0),  // 100 → 00
            ([9, 1, 1, 0, 0, 0, 0, 0, 5], 0),  // 101 → 00
            ([9, 1, 1, 1, 0, 0, 0, 0, 0], 1),  // 102 mod 101 = 1
            ([9, 9, 5, 0, 0, 0, 3, 0, 4], 0),  // 201 mod 101 = 100 → 00
            ([9, 9, 9, 9, 9, 9, 9, 9, 9], 1),  // 405 mod 101 = 1
        ];
        for (d, want) in cases {
            assert_eq!(snils_check(&d), want, "{d:?}");
        }
        // 001-001-998 and below: any control number is accepted; 001-001-999: checked.
        assert!(Snils::new("001-001-998 00").is_ok());
        assert!(Snils::new("001-001-998 77").is_ok());
        let d = [0, 0, 1, 0, 0, 1, 9, 9, 9];
        let good = snils_check(&d);
        assert!(Snils::new(&format!("001-001-999 {good:02}")).is_ok());
        assert!(Snils::new(&format!("001-001-999 {:02}", (good + 1) % 100)).is_err());
        assert!(Snils::new("000-000-000 00").is_err());
    }

    #[test]
    fn kpp() {
        assert_eq!(Kpp::new("773601001").unwrap().as_str(), "773601001");
        assert!(Kpp::new("7736AB001").is_ok());
        let (f, m) = field_of(Kpp::new("7736ab001"));
        assert_eq!(f, "KPP");
        assert!(m.contains("position 5"), "{m}");
        let (_, m) = field_of(Kpp::new("77360100"));
        assert_eq!(m, "KPP must have 9 characters, got 8");
        let (_, m) = field_of(Kpp::new("77A601001"));
        assert!(m.contains("position 3 must be a digit"), "{m}");
        let (_, m) = field_of(Kpp::new(""));
        assert_eq!(m, "KPP is empty");
    }

    #[test]
    fn traits() {
        let inn: Inn = "7707083893".parse().unwrap();
        assert_eq!(Inn::try_from("7707083893").unwrap(), inn);
        assert_eq!(serde_json::to_string(&inn).unwrap(), "\"7707083893\"");
        let back: Inn = serde_json::from_str("\"7707083893\"").unwrap();
        assert_eq!(back, inn);
        assert!(serde_json::from_str::<Inn>("\"7707083894\"").is_err());
        let snils: Snils = serde_json::from_str("\"112-233-445 95\"").unwrap();
        assert_eq!(serde_json::to_string(&snils).unwrap(), "\"11223344595\"");
        assert_eq!(format!("{inn}"), "7707083893");
        assert!(format!("{inn:?}").contains("7707083893"));
    }

    fn arb_digits(n: usize) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(0u8..10, n)
    }

    fn s(d: &[u8]) -> String {
        to_string(d)
    }

    /// Changes digit `i` of `d` to another digit.
    fn bump(mut d: Vec<u8>, i: usize, by: u8) -> String {
        d[i] = (d[i] + 1 + by % 9) % 10;
        s(&d)
    }

    proptest! {
        #[test]
        fn inn10_generated(mut d in arb_digits(9), by in 0u8..9) {
            d[0] = d[0].max(1);
            d.push(inn_check(&d, &INN10_WEIGHTS));
            prop_assert!(Inn::legal_entity(&s(&d)).is_ok());
            prop_assert!(Inn::new(&bump(d, 9, by)).is_err());
        }

        #[test]
        fn inn12_generated(mut d in arb_digits(10), which in 10usize..12, by in 0u8..9) {
            d[0] = d[0].max(1);
            d.push(inn_check(&d, &INN12_WEIGHTS_11));
            d.push(inn_check(&d, &INN12_WEIGHTS_12));
            prop_assert!(Inn::person(&s(&d)).is_ok());
            prop_assert!(Inn::new(&bump(d, which, by)).is_err());
        }

        #[test]
        fn ogrn_generated(mut d in arb_digits(12), five in any::<bool>(), by in 0u8..9) {
            d[0] = if five { 5 } else { 1 };
            d.push(number_mod(&d, 11));
            prop_assert!(Ogrn::new(&s(&d)).is_ok());
            prop_assert!(Ogrn::new(&bump(d, 12, by)).is_err());
        }

        #[test]
        fn ogrnip_generated(mut d in arb_digits(14), by in 0u8..9) {
            d[0] = 3;
            d.push(number_mod(&d, 13));
            prop_assert!(Ogrnip::new(&s(&d)).is_ok());
            prop_assert!(Ogrnip::new(&bump(d, 14, by)).is_err());
        }

        #[test]
        fn snils_generated(mut d in arb_digits(9), which in 9usize..11, by in 0u8..9) {
            d[0] = d[0].max(1); // above 001-001-998
            let c = snils_check(&d);
            d.push(c / 10);
            d.push(c % 10);
            let v = Snils::new(&s(&d)).unwrap();
            prop_assert_eq!(Snils::new(&v.formatted()).unwrap(), v);
            prop_assert!(Snils::new(&bump(d, which, by)).is_err());
        }

        #[test]
        fn never_panics(input in ".{0,20}") {
            let _ = Inn::new(&input);
            let _ = Ogrn::new(&input);
            let _ = Ogrnip::new(&input);
            let _ = Snils::new(&input);
            let _ = Kpp::new(&input);
        }
    }
}
