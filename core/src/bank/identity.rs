//! A subscriber's identity as the bank compares it: the Russian identifiers and the name.

use crate::subject::{AttributeType, Subject};

/// The identifiers and name of a certificate's or request's subject (issue 4: "the identity
/// unchanged (INN/INNLE/OGRN/OGRNIP/SNILS/name)"), normalised so that equal identities compare
/// equal however they were written: a legal entity's INN in the legacy INN attribute ("00" +
/// 10 digits, certificates before приказ ФСБ № 31) is read as INNLE; a SNILS written with
/// dashes and spaces as its 11 digits. A value that does not parse is kept as written
/// (trimmed), so a change is still seen. An absent attribute is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Identity {
    /// INN: a person's 12 digits.
    pub inn: Option<String>,
    /// INNLE: the legal entity's 10 digits (also from a legacy INN attribute).
    pub inn_le: Option<String>,
    /// OGRN.
    pub ogrn: Option<String>,
    /// OGRNIP.
    pub ogrnip: Option<String>,
    /// SNILS, 11 digits.
    pub snils: Option<String>,
    /// The commonName.
    pub name: Option<String>,
}

impl Identity {
    /// The identity of a subject.
    pub fn of(subject: &Subject) -> Identity {
        let raw = |k: AttributeType| subject.get(&k).map(|v| v.trim().to_owned());
        // A legacy INN attribute holding the entity's INN belongs to inn_le, not inn.
        let legacy_le = subject.get(&AttributeType::InnLe).is_none()
            && subject.inn_le().is_some()
            && subject.get(&AttributeType::Inn).is_some();
        Identity {
            inn: if legacy_le {
                None
            } else {
                subject
                    .inn()
                    .map(|v| v.as_str().to_owned())
                    .or_else(|| raw(AttributeType::Inn))
            },
            inn_le: subject
                .inn_le()
                .map(|v| v.as_str().to_owned())
                .or_else(|| raw(AttributeType::InnLe)),
            ogrn: subject
                .ogrn()
                .map(|v| v.as_str().to_owned())
                .or_else(|| raw(AttributeType::Ogrn)),
            ogrnip: subject
                .ogrnip()
                .map(|v| v.as_str().to_owned())
                .or_else(|| raw(AttributeType::Ogrnip)),
            snils: subject
                .snils()
                .map(|v| v.as_str().to_owned())
                .or_else(|| raw(AttributeType::Snils)),
            name: raw(AttributeType::CommonName),
        }
    }

    /// The fields in a fixed order, with their labels.
    pub fn fields(&self) -> [(&'static str, Option<&str>); 6] {
        [
            ("INN", self.inn.as_deref()),
            ("INNLE", self.inn_le.as_deref()),
            ("OGRN", self.ogrn.as_deref()),
            ("OGRNIP", self.ogrnip.as_deref()),
            ("SNILS", self.snils.as_deref()),
            ("CN", self.name.as_deref()),
        ]
    }

    /// The labels of the fields that differ from `other` (a field present in one and absent
    /// in the other differs), in the order of [`fields`](Self::fields).
    pub fn differences(&self, other: &Identity) -> Vec<&'static str> {
        self.fields()
            .into_iter()
            .zip(other.fields())
            .filter(|((_, a), (_, b))| a != b)
            .map(|((label, _), _)| label)
            .collect()
    }

    /// Whether no identifier and no name is present.
    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|(_, v)| v.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_the_fields() {
        let a = Subject::new()
            .with(AttributeType::CommonName, "Иванов Иван")
            .with(AttributeType::InnLe, "7707083893")
            .with(AttributeType::Snils, "11223344595");
        let same = Identity::of(&a);
        assert!(same.differences(&Identity::of(&a)).is_empty());
        let b = Subject::new()
            .with(AttributeType::CommonName, "Иванов Иван")
            .with(AttributeType::InnLe, "7736050003")
            .with(AttributeType::Ogrn, "1027700132195");
        assert_eq!(
            same.differences(&Identity::of(&b)),
            vec!["INNLE", "OGRN", "SNILS"]
        );
        assert!(Identity::default().is_empty());
        assert!(!same.is_empty());
    }

    #[test]
    fn legacy_inn_and_formatted_snils_are_the_same_identity() {
        let modern = Subject::new()
            .with(AttributeType::CommonName, "Иванов Иван")
            .with(AttributeType::InnLe, "7707083893")
            .with(AttributeType::Snils, "11223344595");
        let mut legacy = Subject::new().with(AttributeType::CommonName, "Иванов Иван");
        for (kind, value) in [
            (AttributeType::Inn, "007707083893"),
            (AttributeType::Snils, "112-233-445 95"),
        ] {
            // As read from an old certificate: kept as written.
            legacy.push_attribute(crate::subject::Attribute {
                kind,
                value: value.into(),
                string_type: crate::subject::StringType::Numeric,
            });
        }
        assert_eq!(Identity::of(&legacy), Identity::of(&modern));
        // A value that does not parse is kept, so it still differs.
        let broken = Subject::new()
            .with(AttributeType::CommonName, "Иванов Иван")
            .with(AttributeType::InnLe, "7707083894")
            .with(AttributeType::Snils, "11223344595");
        assert_eq!(
            Identity::of(&broken).differences(&Identity::of(&modern)),
            vec!["INNLE"]
        );
        // A person's 12-digit INN stays INN.
        let person = Subject::new().with(AttributeType::Inn, "500100732259");
        assert_eq!(Identity::of(&person).inn.as_deref(), Some("500100732259"));
        assert_eq!(Identity::of(&person).inn_le, None);
    }
}
