//! Issuing certificates: a small CA for tests and for the bank side.
//!
//! [`CertificateBuilder`] encodes the TBSCertificate with `der` and signs it with any
//! [`key::Signer`](crate::key::Signer) (a software key or a token), for the same reasons the
//! request builder does (see [`super::request`]). The profile of a subscriber certificate
//! follows what Russian CAs issue: the requested keyUsage, extendedKeyUsage,
//! certificatePolicies, subjectSignTool, identificationKind and privateKeyUsagePeriod are
//! copied from the (verified) request; the CA adds basicConstraints, subjectKeyIdentifier
//! (SHA-1 of the key bits), authorityKeyIdentifier (the issuer's) and issuerSignTool. The
//! certificate is parsed back and verified against its issuer before it is returned.

use der::asn1::{Any, BitString};
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::{Duration, OffsetDateTime};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use super::cert::Certificate;
use super::ext::{Extension, ExtensionValue, Extensions, IssuerSignTool, KeyUsageBit};
use super::request::CertificateRequest;
use super::{KeyInfo, offset_to_time};
use crate::key::{PublicKey, Signer};
use crate::subject::Subject;
use crate::{Error, ErrorKind, Result, oid};

/// TBSCertificate (RFC 5280 §4.1), version 3 only:
///
/// ```text
/// TBSCertificate ::= SEQUENCE {
///     version         [0] EXPLICIT Version DEFAULT v1,
///     serialNumber         CertificateSerialNumber,
///     signature            AlgorithmIdentifier,
///     issuer               Name,
///     validity             Validity,
///     subject              Name,
///     subjectPublicKeyInfo SubjectPublicKeyInfo,
///     extensions      [3] EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Sequence)]
struct TbsV3 {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<x509_cert::ext::Extension>>,
}

#[derive(Sequence)]
struct SignedCert {
    tbs: Any,
    algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// Builds and signs an X.509 v3 certificate.
#[derive(Debug, Clone)]
pub struct CertificateBuilder {
    subject_der: Vec<u8>,
    spki_der: Vec<u8>,
    serial: Option<Vec<u8>>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    ca: Option<Option<u8>>,
    key_usage: Option<Vec<KeyUsageBit>>,
    copied: Vec<Extension>,
    issuer_sign_tool: Option<IssuerSignTool>,
    extra: Vec<Extension>,
}

impl CertificateBuilder {
    /// A certificate for `subject` (written strictly, see [`Subject::to_name`]) holding
    /// `public_key`, valid for one year from now.
    pub fn new(subject: &Subject, public_key: &PublicKey) -> Result<CertificateBuilder> {
        Ok(CertificateBuilder::with_parts(
            subject.to_der()?,
            public_key.to_spki_der(),
        ))
    }

    /// A certificate for the subject and key of `request`, whose signature is verified first
    /// ([`BadSignature`](ErrorKind::BadSignature) otherwise). The subject is copied as
    /// encoded in the request; so are the requested keyUsage, extendedKeyUsage,
    /// certificatePolicies, subjectSignTool, identificationKind and privateKeyUsagePeriod
    /// (other requested extensions are not: add them with [`extension`](Self::extension)).
    pub fn from_request(request: &CertificateRequest) -> Result<CertificateBuilder> {
        request.verify()?;
        let mut b = CertificateBuilder::with_parts(
            request.subject_der().to_vec(),
            request.public_key_der().to_vec(),
        );
        for e in request.extensions().iter() {
            match e.value {
                ExtensionValue::KeyUsage(_)
                | ExtensionValue::ExtendedKeyUsage(_)
                | ExtensionValue::CertificatePolicies(_)
                | ExtensionValue::SubjectSignTool(_)
                | ExtensionValue::IdentificationKind(_)
                | ExtensionValue::PrivateKeyUsagePeriod { .. } => b.copied.push(e.clone()),
                _ => {}
            }
        }
        Ok(b)
    }

    fn with_parts(subject_der: Vec<u8>, spki_der: Vec<u8>) -> CertificateBuilder {
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or(OffsetDateTime::now_utc());
        CertificateBuilder {
            subject_der,
            spki_der,
            serial: None,
            not_before: now,
            not_after: now + Duration::days(365),
            ca: None,
            key_usage: None,
            copied: Vec::new(),
            issuer_sign_tool: None,
            extra: Vec::new(),
        }
    }

    /// The serial number as big-endian bytes of a positive integer (at most 20 octets).
    /// By default a random 16-octet serial is chosen.
    pub fn serial(mut self, serial: &[u8]) -> Self {
        self.serial = Some(serial.to_vec());
        self
    }

    /// The validity period.
    pub fn validity(mut self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    /// Makes a CA certificate: basicConstraints cA (critical) with this pathLenConstraint, and
    /// keyUsage keyCertSign, cRLSign, digitalSignature unless set otherwise.
    pub fn ca(mut self, path_len: Option<u8>) -> Self {
        self.ca = Some(path_len);
        self
    }

    /// keyUsage (critical), replacing a requested one.
    pub fn key_usage(mut self, bits: &[KeyUsageBit]) -> Self {
        self.key_usage = Some(bits.to_vec());
        self
    }

    /// issuerSignTool: the CA's tools and their conformity certificates.
    pub fn issuer_sign_tool(mut self, tool: IssuerSignTool) -> Self {
        self.issuer_sign_tool = Some(tool);
        self
    }

    /// Adds an extension, replacing a copied or default one with the same OID.
    pub fn extension(mut self, extension: Extension) -> Self {
        self.extra.push(extension);
        self
    }

    fn extensions(
        &self,
        subject_key: &KeyInfo,
        authority_key_id: Option<Vec<u8>>,
    ) -> Result<Extensions> {
        let mut list = Vec::new();
        let is_ca = self.ca.is_some();
        list.push(Extension::new(
            ExtensionValue::BasicConstraints {
                ca: is_ca,
                path_len: self.ca.flatten(),
            },
            true,
        )?);
        let key_usage = self.key_usage.clone().or_else(|| {
            is_ca.then(|| {
                vec![
                    KeyUsageBit::DigitalSignature,
                    KeyUsageBit::KeyCertSign,
                    KeyUsageBit::CrlSign,
                ]
            })
        });
        if let Some(bits) = key_usage {
            list.push(Extension::new(ExtensionValue::KeyUsage(bits), true)?);
        }
        for e in &self.copied {
            if e.oid == oid::EXT_KEY_USAGE && list.iter().any(|l| l.oid == e.oid) {
                continue;
            }
            list.push(e.clone());
        }
        list.push(Extension::new(
            ExtensionValue::SubjectKeyIdentifier(subject_key.key_id.to_vec()),
            false,
        )?);
        if let Some(id) = authority_key_id {
            list.push(Extension::new(
                ExtensionValue::AuthorityKeyIdentifier {
                    key_id: Some(id),
                    serial: None,
                },
                false,
            )?);
        }
        if let Some(t) = &self.issuer_sign_tool {
            list.push(Extension::new(
                ExtensionValue::IssuerSignTool(t.clone()),
                false,
            )?);
        }
        for e in &self.extra {
            list.retain(|l| l.oid != e.oid);
            list.push(e.clone());
        }
        let list = Extensions(list);
        if let Some(dup) = list.duplicates() {
            let name = super::ext::name_of(&dup);
            return Err(Error::invalid_field(
                &name,
                format!("extension {name} given twice"),
            ));
        }
        Ok(list)
    }

    /// Signs the certificate with `signer`, as issued by `issuer` (`None`: self-signed, the
    /// signer must hold the certificate's own key). The signer must hold the issuer's key
    /// ([`KeyMismatch`](ErrorKind::KeyMismatch) otherwise). The result is verified against
    /// its issuer before it is returned.
    pub fn sign(&self, issuer: Option<&Certificate>, signer: &dyn Signer) -> Result<Certificate> {
        if self.not_after <= self.not_before {
            return Err(Error::invalid_field(
                "validity",
                "notAfter must be after notBefore",
            ));
        }
        let signer_key = signer.public_key();
        let subject_key = KeyInfo::from_spki_der(&self.spki_der)?;
        let (issuer_der, authority_key_id) = match issuer {
            Some(i) => {
                if !i.holds_key(&signer_key) {
                    return Err(Error::new(
                        ErrorKind::KeyMismatch,
                        format!("the signer does not hold the key of \"{}\"", i.subject()),
                    ));
                }
                let aki = i
                    .subject_key_id()
                    .map(<[u8]>::to_vec)
                    .unwrap_or_else(|| i.key_info().key_id.to_vec());
                (i.subject_der().to_vec(), Some(aki))
            }
            None => {
                if PublicKey::from_spki_der(&self.spki_der)? != signer_key {
                    return Err(Error::new(
                        ErrorKind::KeyMismatch,
                        "a self-signed certificate must be signed with its own key",
                    ));
                }
                (self.subject_der.clone(), Some(subject_key.key_id.to_vec()))
            }
        };
        let serial = match &self.serial {
            Some(s) => s.clone(),
            None => random_serial()?,
        };
        let serial = SerialNumber::new(&serial)
            .map_err(|e| Error::invalid_field("serial", format!("serial number: {e}")))?;
        let extensions = self.extensions(&subject_key, authority_key_id)?;
        let algorithm = signer.signature_algorithm();
        let tbs = TbsV3 {
            version: 2,
            serial,
            signature: algorithm.clone(),
            issuer: Name::from_der(&issuer_der)?,
            validity: Validity::new(
                offset_to_time(self.not_before, "notBefore")?,
                offset_to_time(self.not_after, "notAfter")?,
            ),
            subject: Name::from_der(&self.subject_der)?,
            spki: SubjectPublicKeyInfoOwned::from_der(&self.spki_der)?,
            extensions: Some(extensions.to_x509()?),
        };
        let tbs_der = tbs.to_der()?;
        let signature = crate::key::sign_checked(signer, &tbs_der)?;
        let cert = SignedCert {
            tbs: Any::from_der(&tbs_der)?,
            algorithm,
            signature: BitString::from_bytes(&signature)?,
        };
        let cert = Certificate::from_der(&cert.to_der()?)?;
        cert.verify_issued_by(issuer.unwrap_or(&cert))
            .map_err(|e| e.context("the certificate we issued does not verify"))?;
        Ok(cert)
    }
}

/// 16 random octets, the first in 0x40..=0x7F: positive, no leading zero, always 16 octets.
fn random_serial() -> Result<Vec<u8>> {
    let mut s = vec![0u8; 16];
    getrandom::fill(&mut s)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("OS random source: {e}")))?;
    s[0] = (s[0] & 0x3F) | 0x40;
    Ok(s)
}
