//! CMS EnvelopedData (RFC 5652 §6), recognised and described, not decrypted.
//!
//! An EnvelopedData is opened by its recipient's private key; bankkey signs and verifies and
//! does not decrypt. What a reader can still be told is who may open it (each recipient's
//! certificate, by issuer and serial number or by key identifier) and with which algorithms.
//! Nothing in it is signed, so it proves nothing about its origin: a report never calls it
//! `valid`.

use cms::content_info::ContentInfo;
use cms::enveloped_data::{
    EnvelopedData as RawEnvelopedData, KeyAgreeRecipientIdentifier, RecipientIdentifier,
    RecipientInfo,
};
use der::Encode;
use der::asn1::ObjectIdentifier;

use crate::subject::Subject;
use crate::{Error, Result, oid};

/// How a recipient receives the content-encryption key (RFC 5652 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecipientKind {
    /// KeyTransRecipientInfo (RSA, and GOST key transport as CryptoPro writes it).
    KeyTransport,
    /// KeyAgreeRecipientInfo (VKO GOST R 34.10-2012, ECDH).
    KeyAgreement,
    /// KEKRecipientInfo (a pre-shared key).
    Kek,
    /// PasswordRecipientInfo.
    Password,
    /// OtherRecipientInfo.
    Other,
}

/// One recipient of an EnvelopedData.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// How it gets the key.
    pub kind: RecipientKind,
    /// Its certificate's issuer, when named by issuer and serial number.
    pub issuer: Option<Subject>,
    /// Its certificate's serial number (content octets), when named so.
    pub serial: Option<Vec<u8>>,
    /// Its certificate's subjectKeyIdentifier, when named so.
    pub key_identifier: Option<Vec<u8>>,
    /// The key-encryption (or key-agreement) algorithm, for the kinds that name one.
    pub key_encryption_algorithm: Option<ObjectIdentifier>,
}

/// A CMS EnvelopedData as read: its recipients and the content-encryption algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopedData {
    content_type: ObjectIdentifier,
    content_encryption_algorithm: ObjectIdentifier,
    recipients: Vec<Recipient>,
    detached: bool,
}

fn malformed(field: &str, e: impl std::fmt::Display) -> Error {
    Error::malformed(format!("{field}: {e}")).with_field(field)
}

impl EnvelopedData {
    /// Reads a `ContentInfo` holding EnvelopedData, in DER or BER.
    ///
    /// Errors: [`crate::ErrorKind::MalformedEncoding`] naming the field.
    pub fn from_der(der: &[u8]) -> Result<EnvelopedData> {
        match Self::from_strict_der(der) {
            Ok(e) => Ok(e),
            Err(strict) => match crate::asn1::ber::normalize(der) {
                Ok(normalized) if normalized != der => Self::from_strict_der(&normalized),
                _ => Err(strict),
            },
        }
    }

    fn from_strict_der(der: &[u8]) -> Result<EnvelopedData> {
        use der::Decode;
        let ci = ContentInfo::from_der(der).map_err(|e| malformed("ContentInfo", e))?;
        if ci.content_type != oid::CT_ENVELOPED_DATA {
            return Err(Error::malformed(format!(
                "ContentInfo holds {}, not EnvelopedData",
                ci.content_type
            ))
            .with_field("contentType"));
        }
        let ed: RawEnvelopedData = ci
            .content
            .decode_as()
            .map_err(|e| malformed("EnvelopedData", e))?;
        let mut recipients = Vec::new();
        for ri in ed.recip_infos.0.iter() {
            recipients.extend(recipients_of(ri)?);
        }
        Ok(EnvelopedData {
            content_type: ed.encrypted_content.content_type,
            content_encryption_algorithm: ed.encrypted_content.content_enc_alg.oid,
            recipients,
            detached: ed.encrypted_content.encrypted_content.is_none(),
        })
    }

    /// The type of the encrypted content (id-data, usually).
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// The content-encryption algorithm (GOST 28147-89, Kuznyechik, AES ...).
    pub fn content_encryption_algorithm(&self) -> ObjectIdentifier {
        self.content_encryption_algorithm
    }

    /// Who may open it, in order.
    pub fn recipients(&self) -> &[Recipient] {
        &self.recipients
    }

    /// Whether the encrypted content is carried elsewhere.
    pub fn is_detached(&self) -> bool {
        self.detached
    }
}

fn by_issuer_serial(
    kind: RecipientKind,
    isn: &cms::cert::IssuerAndSerialNumber,
    alg: ObjectIdentifier,
) -> Result<Recipient> {
    let issuer_der = isn.issuer.to_der().map_err(|e| malformed("rid", e))?;
    Ok(Recipient {
        kind,
        issuer: Some(Subject::from_der(&issuer_der)?),
        serial: Some(isn.serial_number.as_bytes().to_vec()),
        key_identifier: None,
        key_encryption_algorithm: Some(alg),
    })
}

fn by_key_id(kind: RecipientKind, id: &[u8], alg: ObjectIdentifier) -> Recipient {
    Recipient {
        kind,
        issuer: None,
        serial: None,
        key_identifier: Some(id.to_vec()),
        key_encryption_algorithm: Some(alg),
    }
}

fn recipients_of(ri: &RecipientInfo) -> Result<Vec<Recipient>> {
    Ok(match ri {
        RecipientInfo::Ktri(k) => {
            let alg = k.key_enc_alg.oid;
            vec![match &k.rid {
                RecipientIdentifier::IssuerAndSerialNumber(isn) => {
                    by_issuer_serial(RecipientKind::KeyTransport, isn, alg)?
                }
                RecipientIdentifier::SubjectKeyIdentifier(ski) => {
                    by_key_id(RecipientKind::KeyTransport, ski.0.as_bytes(), alg)
                }
            }]
        }
        RecipientInfo::Kari(k) => {
            let alg = k.key_enc_alg.oid;
            let mut out = Vec::new();
            for rek in k.recipient_enc_keys.iter() {
                out.push(match &rek.rid {
                    KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(isn) => {
                        by_issuer_serial(RecipientKind::KeyAgreement, isn, alg)?
                    }
                    KeyAgreeRecipientIdentifier::RKeyId(r) => by_key_id(
                        RecipientKind::KeyAgreement,
                        r.subject_key_identifier.0.as_bytes(),
                        alg,
                    ),
                });
            }
            out
        }
        RecipientInfo::Kekri(k) => vec![Recipient {
            kind: RecipientKind::Kek,
            issuer: None,
            serial: None,
            key_identifier: Some(k.kek_id.kek_identifier.as_bytes().to_vec()),
            key_encryption_algorithm: Some(k.key_enc_alg.oid),
        }],
        RecipientInfo::Pwri(p) => vec![Recipient {
            kind: RecipientKind::Password,
            issuer: None,
            serial: None,
            key_identifier: None,
            key_encryption_algorithm: Some(p.key_enc_alg.oid),
        }],
        RecipientInfo::Ori(_) => vec![Recipient {
            kind: RecipientKind::Other,
            issuer: None,
            serial: None,
            key_identifier: None,
            key_encryption_algorithm: None,
        }],
    })
}
