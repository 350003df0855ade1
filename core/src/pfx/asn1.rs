//! The PKCS#12 structures (RFC 7292 §4, appendix D), as DER types.
//!
//! ```text
//! PFX ::= SEQUENCE {
//!     version   INTEGER {v3(3)}(v3,...),
//!     authSafe  ContentInfo,
//!     macData   MacData OPTIONAL }
//! MacData ::= SEQUENCE {
//!     mac         DigestInfo,
//!     macSalt     OCTET STRING,
//!     iterations  INTEGER DEFAULT 1 }
//! AuthenticatedSafe ::= SEQUENCE OF ContentInfo  -- data or encryptedData
//! SafeContents ::= SEQUENCE OF SafeBag
//! SafeBag ::= SEQUENCE {
//!     bagId          BAG-TYPE.&id ({PKCS12BagSet}),
//!     bagValue       [0] EXPLICIT BAG-TYPE.&Type({PKCS12BagSet}{@bagId}),
//!     bagAttributes  SET OF PKCS12Attribute OPTIONAL }
//! CertBag ::= SEQUENCE {
//!     certId     BAG-TYPE.&id ({CertTypes}),
//!     certValue  [0] EXPLICIT BAG-TYPE.&Type ({CertTypes}{@certId}) }
//! EncryptedData ::= SEQUENCE {                 -- RFC 5652 §8
//!     version               CMSVersion,
//!     encryptedContentInfo  EncryptedContentInfo,
//!     unprotectedAttrs      [1] IMPLICIT UnprotectedAttributes OPTIONAL }
//! EncryptedContentInfo ::= SEQUENCE {
//!     contentType                 ContentType,
//!     contentEncryptionAlgorithm  ContentEncryptionAlgorithmIdentifier,
//!     encryptedContent            [0] IMPLICIT OCTET STRING OPTIONAL }
//! ```
//!
//! Attribute sets are read without the DER ordering check (producers do not all sort them)
//! and written sorted.

use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{
    Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag,
    Writer,
};
use spki::AlgorithmIdentifierOwned;

/// `PFX`.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct Pfx {
    pub version: u8,
    pub auth_safe: ContentInfo,
    #[asn1(optional = "true")]
    pub mac_data: Option<MacData>,
}

/// `ContentInfo` with its content kept as read.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ContentInfo {
    pub content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub content: Option<Any>,
}

/// `MacData`. The iteration count is read as a u64 so that a huge count is refused as over
/// the limit rather than as malformed.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct MacData {
    pub mac: DigestInfo,
    pub mac_salt: OctetString,
    #[asn1(default = "one")]
    pub iterations: u64,
}

fn one() -> u64 {
    1
}

/// `DigestInfo`.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct DigestInfo {
    pub digest_algorithm: AlgorithmIdentifierOwned,
    pub digest: OctetString,
}

/// `SafeBag`.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SafeBag {
    pub bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub bag_value: Any,
    #[asn1(optional = "true")]
    pub bag_attributes: Option<SetOf<Attribute>>,
}

/// `PKCS12Attribute`.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct Attribute {
    pub attr_id: ObjectIdentifier,
    pub attr_values: SetOf<Any>,
}

/// `CertBag`.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct CertBag {
    pub cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub cert_value: Any,
}

/// `EncryptedData`.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EncryptedData {
    pub version: u8,
    pub encrypted_content_info: EncryptedContentInfo,
}

/// `EncryptedContentInfo`.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EncryptedContentInfo {
    pub content_type: ObjectIdentifier,
    pub content_encryption_algorithm: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub encrypted_content: Option<OctetString>,
}

/// `EncryptedPrivateKeyInfo` (RFC 5958 §3), the value of a pkcs8ShroudedKeyBag.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EncryptedPrivateKeyInfo {
    pub encryption_algorithm: AlgorithmIdentifierOwned,
    pub encrypted_data: OctetString,
}

/// `SET OF T`, read in any order, written in DER order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SetOf<T>(pub Vec<T>);

impl<'a, T: Decode<'a>> DecodeValue<'a> for SetOf<T> {
    type Error = T::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> Result<Self, T::Error> {
        let mut items = Vec::new();
        while !reader.is_finished() {
            items.push(T::decode(reader)?);
        }
        Ok(SetOf(items))
    }
}

impl<T: Encode> EncodeValue for SetOf<T> {
    fn value_len(&self) -> der::Result<Length> {
        self.0
            .iter()
            .try_fold(Length::ZERO, |len, item| len + item.encoded_len()?)
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        let mut encoded = self
            .0
            .iter()
            .map(|item| item.to_der())
            .collect::<der::Result<Vec<_>>>()?;
        encoded.sort();
        for item in encoded {
            writer.write(&item)?;
        }
        Ok(())
    }
}

impl<T> FixedTag for SetOf<T> {
    const TAG: Tag = Tag::Set;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_read_in_any_order_and_write_sorted() {
        // SET { INTEGER 2, INTEGER 1 }: not DER order.
        let unsorted = [0x31, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01];
        let set = SetOf::<u8>::from_der(&unsorted).unwrap();
        assert_eq!(set.0, [2, 1]);
        assert_eq!(
            set.to_der().unwrap(),
            [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]
        );
    }
}
