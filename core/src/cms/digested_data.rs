//! CMS DigestedData (RFC 5652 §7): content with its digest, and nothing else.
//!
//! ```text
//! DigestedData ::= SEQUENCE {
//!     version          CMSVersion,                 -- 0 for id-data, else 2
//!     digestAlgorithm  DigestAlgorithmIdentifier,
//!     encapContentInfo EncapsulatedContentInfo,
//!     digest           Digest }                    -- OCTET STRING
//! ```
//!
//! TC26's examples (Р 1323565.1.024-2019, `hashed_a311`, `hashed_a321`) and GnuTLS's
//! Streebog one are of this type. A matching digest proves the content is whole, not who made
//! it: nothing here is signed, so a report calls it `valid` as it does a request whose
//! self-signature verifies, and never more.

use cms::content_info::ContentInfo;
use cms::digested_data::DigestedData as RawDigestedData;
use der::Decode;
use der::asn1::{ObjectIdentifier, OctetString};
use spki::AlgorithmIdentifierOwned;

use super::DigestAlgorithm;
use crate::pki::pem;
use crate::{Error, ErrorKind, Result, oid};

/// A CMS DigestedData, read from a `ContentInfo` (DER, BER or PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestedData {
    der: Vec<u8>,
    digest_algorithm: AlgorithmIdentifierOwned,
    content_type: ObjectIdentifier,
    content: Option<Vec<u8>>,
    digest: Vec<u8>,
}

fn malformed(field: &str, e: impl std::fmt::Display) -> Error {
    Error::malformed(format!("{field}: {e}")).with_field(field)
}

impl DigestedData {
    /// Reads a `ContentInfo` holding DigestedData, in DER or BER (rewritten to DER first, as
    /// for SignedData).
    ///
    /// Errors: [`ErrorKind::MalformedEncoding`] naming the field.
    pub fn from_der(der: &[u8]) -> Result<DigestedData> {
        match Self::from_strict_der(der) {
            Ok(d) => Ok(d),
            Err(strict) => match crate::asn1::ber::normalize(der) {
                Ok(normalized) if normalized != der => Self::from_strict_der(&normalized),
                _ => Err(strict),
            },
        }
    }

    fn from_strict_der(der: &[u8]) -> Result<DigestedData> {
        let ci = ContentInfo::from_der(der).map_err(|e| malformed("ContentInfo", e))?;
        if ci.content_type != oid::CT_DIGESTED_DATA {
            return Err(Error::malformed(format!(
                "ContentInfo holds {}, not DigestedData",
                ci.content_type
            ))
            .with_field("contentType"));
        }
        let dd: RawDigestedData = ci
            .content
            .decode_as()
            .map_err(|e| malformed("DigestedData", e))?;
        let content = match &dd.encap_content_info.econtent {
            None => None,
            Some(any) => Some(
                any.decode_as::<OctetString>()
                    .map_err(|e| malformed("eContent", e))?
                    .into_bytes()
                    .into_vec(),
            ),
        };
        Ok(DigestedData {
            der: der.to_vec(),
            digest_algorithm: dd.digest_alg,
            content_type: dd.encap_content_info.econtent_type,
            content,
            digest: dd.digest.into_bytes().into_vec(),
        })
    }

    /// Reads a PEM `CMS` or `PKCS7` block (text around it is ignored).
    pub fn from_pem(input: &[u8]) -> Result<DigestedData> {
        let der = pem::der_of(input, &["CMS", "PKCS7"], "DigestedData")?;
        Self::from_der(&der)
    }

    /// The DER `ContentInfo` (BER input in its DER form).
    pub fn to_der(&self) -> Vec<u8> {
        self.der.clone()
    }

    /// digestAlgorithm.
    pub fn digest_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.digest_algorithm
    }

    /// eContentType.
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// The encapsulated content; `None` when it was left out.
    pub fn content(&self) -> Option<&[u8]> {
        self.content.as_deref()
    }

    /// Whether the content was left out.
    pub fn is_detached(&self) -> bool {
        self.content.is_none()
    }

    /// The digest as carried.
    pub fn digest(&self) -> &[u8] {
        &self.digest
    }

    /// Checks the digest over the content (carried, or `content` when it was left out; when
    /// both, they must be equal).
    ///
    /// Errors: [`ErrorKind::ContentAltered`] when the digest is not the content's (or the
    /// given content is not the one carried); [`ErrorKind::InvalidInput`] for a detached one
    /// without content; [`ErrorKind::UnsupportedAlgorithm`] for a digest we do not compute;
    /// [`ErrorKind::MalformedEncoding`] for digest parameters other than absent or NULL.
    pub fn verify(&self, content: Option<&[u8]>) -> Result<()> {
        let content = match (&self.content, content) {
            (Some(carried), Some(given)) if carried.as_slice() != given => {
                return Err(Error::new(
                    ErrorKind::ContentAltered,
                    "the content given is not the content carried by the DigestedData",
                )
                .with_field("content"));
            }
            (Some(carried), _) => carried.as_slice(),
            (None, Some(given)) => given,
            (None, None) => {
                return Err(Error::invalid_field(
                    "content",
                    "the DigestedData leaves its content out: the content must be given",
                ));
            }
        };
        let alg = DigestAlgorithm::from_oid(&self.digest_algorithm.oid)
            .map_err(|e| e.with_field("digestAlgorithm"))?;
        if self
            .digest_algorithm
            .parameters
            .as_ref()
            .is_some_and(|p| !p.is_null())
        {
            return Err(
                Error::malformed("digestAlgorithm parameters must be absent or NULL")
                    .with_field("digestAlgorithm"),
            );
        }
        if alg.digest(content) != self.digest {
            return Err(Error::new(
                ErrorKind::ContentAltered,
                "the content's digest is not the DigestedData's digest",
            )
            .with_field("digest"));
        }
        Ok(())
    }
}
