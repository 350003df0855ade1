//! Signed attributes: contentType, messageDigest, signingTime and signingCertificateV2
//! (RFC 5652 §11, RFC 5035), written and read.

use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use super::DigestAlgorithm;
use crate::pki::Certificate;
use crate::{Error, Result, oid};

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {id-sha256},
/// certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }` (RFC 5035 §4).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    /// Absent means id-sha256 (DER leaves a DEFAULT value out).
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct IssuerSerial {
    issuer: GeneralNames,
    serial_number: SerialNumber,
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2,
/// policies SEQUENCE OF PolicyInformation OPTIONAL }` (policies kept as read, never written).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

/// One certificate named by a signingCertificateV2 attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertHash {
    /// The hash algorithm's OID (SHA-256 when the attribute leaves it to its default).
    pub hash_algorithm: ObjectIdentifier,
    /// The hash of the whole certificate DER.
    pub hash: Vec<u8>,
    /// The certificate's serial number (content octets), when the attribute names it.
    pub serial: Option<Vec<u8>>,
}

impl CertHash {
    /// Whether `cert` is the certificate this entry names (its hash; and its serial number
    /// when the entry carries one). An unsupported hash algorithm is an error.
    pub fn matches(&self, cert: &Certificate) -> Result<bool> {
        let alg = DigestAlgorithm::from_oid(&self.hash_algorithm)
            .map_err(|e| e.with_field("signingCertificateV2.hashAlgorithm"))?;
        if alg.digest(cert.der()) != self.hash {
            return Ok(false);
        }
        Ok(match &self.serial {
            Some(s) => super::same_serial(s, cert.serial()),
            None => true,
        })
    }
}

fn single(oid: ObjectIdentifier, value: Any) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// A signing time as the attribute writes it: UTCTime for 1950–2049, GeneralizedTime after
/// (RFC 5652 §11.3), whole seconds.
pub(crate) fn time_of(at: OffsetDateTime) -> Result<Time> {
    let secs = u64::try_from(at.unix_timestamp())
        .map_err(|_| Error::invalid_field("signingTime", "a time before 1970"))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|e| Error::invalid_field("signingTime", format!("not representable: {e}")))?;
    Ok(Time::from(dt))
}

/// The signed attributes we write for one signer, in DER order (a SET OF).
pub(crate) fn build(
    content_type: ObjectIdentifier,
    digest: &[u8],
    signing_time: OffsetDateTime,
    cert: &Certificate,
    digest_alg: DigestAlgorithm,
) -> Result<SetOfVec<Attribute>> {
    let mut attrs = SetOfVec::new();
    attrs.insert(single(
        oid::ATTR_CONTENT_TYPE,
        Any::encode_from(&content_type)?,
    )?)?;
    attrs.insert(single(
        oid::ATTR_MESSAGE_DIGEST,
        Any::encode_from(&OctetString::new(digest)?)?,
    )?)?;
    attrs.insert(single(
        oid::ATTR_SIGNING_TIME,
        Any::encode_from(&time_of(signing_time)?)?,
    )?)?;
    let x509 = x509_cert::Certificate::from_der(cert.der())?;
    let hash_algorithm = if digest_alg == DigestAlgorithm::Sha256 {
        None // DER: the DEFAULT value is left out
    } else {
        Some(digest_alg.algorithm_identifier())
    };
    let id = EssCertIdV2 {
        hash_algorithm,
        cert_hash: OctetString::new(digest_alg.digest(cert.der()))?,
        issuer_serial: Some(IssuerSerial {
            issuer: vec![GeneralName::DirectoryName(
                x509.tbs_certificate().issuer().clone(),
            )],
            serial_number: x509.tbs_certificate().serial_number().clone(),
        }),
    };
    let scv2 = SigningCertificateV2 {
        certs: vec![id],
        policies: None,
    };
    attrs.insert(single(
        oid::ATTR_SIGNING_CERTIFICATE_V2,
        Any::encode_from(&scv2)?,
    )?)?;
    Ok(attrs)
}

/// The signed attributes of one signer, as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SignedAttributes {
    pub content_type: Option<ObjectIdentifier>,
    pub message_digest: Option<Vec<u8>>,
    pub signing_time: Option<OffsetDateTime>,
    pub signing_certificate_v2: Option<Vec<CertHash>>,
    /// OIDs of every attribute, in the order read.
    pub oids: Vec<ObjectIdentifier>,
}

fn only_value<'a>(attr: &'a Attribute, name: &str) -> Result<&'a Any> {
    let mut it = attr.values.iter();
    match (it.next(), it.next()) {
        (Some(v), None) => Ok(v),
        _ => Err(
            Error::malformed(format!("the {name} attribute must have exactly one value"))
                .with_field(format!("signedAttrs.{name}")),
        ),
    }
}

fn field_err(name: &str, e: impl std::fmt::Display) -> Error {
    Error::malformed(format!("{name}: {e}")).with_field(format!("signedAttrs.{name}"))
}

/// Reads the attributes we know; checks RFC 5652 §5.3's rules (contentType and messageDigest
/// present, each of the four at most once and single-valued).
pub(crate) fn parse(attrs: &SetOfVec<Attribute>) -> Result<SignedAttributes> {
    let mut out = SignedAttributes::default();
    for attr in attrs.iter() {
        if out.oids.contains(&attr.oid) {
            return Err(
                Error::malformed(format!("signed attribute {} appears twice", attr.oid))
                    .with_field("signedAttrs"),
            );
        }
        out.oids.push(attr.oid);
        if attr.oid == oid::ATTR_CONTENT_TYPE {
            let v = only_value(attr, "contentType")?;
            out.content_type = Some(
                v.decode_as::<ObjectIdentifier>()
                    .map_err(|e| field_err("contentType", e))?,
            );
        } else if attr.oid == oid::ATTR_MESSAGE_DIGEST {
            let v = only_value(attr, "messageDigest")?;
            let os = v
                .decode_as::<OctetString>()
                .map_err(|e| field_err("messageDigest", e))?;
            out.message_digest = Some(os.as_bytes().to_vec());
        } else if attr.oid == oid::ATTR_SIGNING_TIME {
            let v = only_value(attr, "signingTime")?;
            let t = Time::from_der(&v.to_der()?).map_err(|e| field_err("signingTime", e))?;
            let secs = i64::try_from(t.to_unix_duration().as_secs())
                .map_err(|_| field_err("signingTime", "out of range"))?;
            out.signing_time = Some(
                OffsetDateTime::from_unix_timestamp(secs)
                    .map_err(|e| field_err("signingTime", e))?,
            );
        } else if attr.oid == oid::ATTR_SIGNING_CERTIFICATE_V2 {
            let v = only_value(attr, "signingCertificateV2")?;
            let scv2 = v
                .decode_as::<SigningCertificateV2>()
                .map_err(|e| field_err("signingCertificateV2", e))?;
            let mut list = Vec::with_capacity(scv2.certs.len());
            for id in scv2.certs {
                list.push(CertHash {
                    hash_algorithm: id.hash_algorithm.map_or(oid::SHA256, |a| a.oid),
                    hash: id.cert_hash.as_bytes().to_vec(),
                    serial: id
                        .issuer_serial
                        .map(|is| is.serial_number.as_bytes().to_vec()),
                });
            }
            if list.is_empty() {
                return Err(field_err("signingCertificateV2", "no certificate listed"));
            }
            out.signing_certificate_v2 = Some(list);
        }
    }
    if out.content_type.is_none() {
        return Err(Error::malformed("signed attributes without contentType")
            .with_field("signedAttrs.contentType"));
    }
    if out.message_digest.is_none() {
        return Err(Error::malformed("signed attributes without messageDigest")
            .with_field("signedAttrs.messageDigest"));
    }
    Ok(out)
}
