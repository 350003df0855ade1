//! A subscriber's identity as the bank compares it: the Russian identifiers and the name.

use crate::subject::{AttributeType, Subject};

/// The identifiers and name of a certificate's or request's subject (issue 4: "the identity
/// unchanged (INN/INNLE/OGRN/OGRNIP/SNILS/name)"). Values are as written in the subject,
/// trimmed; an absent attribute is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Identity {
    /// INN (a person's 12 digits, or a legacy entity INN).
    pub inn: Option<String>,
    /// INNLE, the legal entity's INN.
    pub inn_le: Option<String>,
    /// OGRN.
    pub ogrn: Option<String>,
    /// OGRNIP.
    pub ogrnip: Option<String>,
    /// SNILS.
    pub snils: Option<String>,
    /// The commonName.
    pub name: Option<String>,
}

impl Identity {
    /// The identity of a subject.
    pub fn of(subject: &Subject) -> Identity {
        let get = |k: AttributeType| subject.get(&k).map(|v| v.trim().to_owned());
        Identity {
            inn: get(AttributeType::Inn),
            inn_le: get(AttributeType::InnLe),
            ogrn: get(AttributeType::Ogrn),
            ogrnip: get(AttributeType::Ogrnip),
            snils: get(AttributeType::Snils),
            name: get(AttributeType::CommonName),
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
}
