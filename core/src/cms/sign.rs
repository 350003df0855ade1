//! Writing SignedData.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData as RawSignedData, SignerIdentifier,
    SignerInfo as RawSignerInfo, SignerInfos,
};
use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::ext::pkix::SubjectKeyIdentifier;

use super::{DigestAlgorithm, attr};
use crate::key::Signer;
use crate::pki::Certificate;
use crate::{Error, ErrorKind, Result, oid};

/// How [`sign`] writes the SignedData.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOptions {
    /// Leave the content out (a detached signature); the verifier is given the content.
    pub detached: bool,
    /// The eContentType and contentType attribute (id-data by default).
    pub content_type: ObjectIdentifier,
    /// The signingTime attribute; `None`: now.
    pub signing_time: Option<OffsetDateTime>,
    /// Name each signer by subjectKeyIdentifier (SignerInfo version 3) rather than by
    /// issuerAndSerialNumber (version 1, the default, what OpenSSL writes). The certificate
    /// must carry the extension.
    pub by_key_identifier: bool,
    /// More certificates to include beside the signers' own (intermediate CAs, say).
    pub certificates: Vec<Certificate>,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            detached: false,
            content_type: oid::CT_DATA,
            signing_time: None,
            by_key_identifier: false,
            certificates: Vec::new(),
        }
    }
}

/// Signs `content` by every `(signer, certificate)` pair and returns the DER `ContentInfo`
/// holding the SignedData.
///
/// Each signer hashes with the digest of its algorithm (Streebog-256/512 for GOST, SHA-256
/// otherwise) and signs the DER of its signed attributes (contentType, messageDigest,
/// signingTime, signingCertificateV2). The signers' certificates and
/// [`SignOptions::certificates`] are included.
///
/// Errors: [`ErrorKind::InvalidInput`] without signers; [`ErrorKind::KeyMismatch`] when a
/// certificate does not hold its signer's public key; [`ErrorKind::UnsupportedAlgorithm`];
/// the signer's own errors (a token's PIN, ...).
pub fn sign(
    content: &[u8],
    signers: &[(&dyn Signer, &Certificate)],
    options: &SignOptions,
) -> Result<Vec<u8>> {
    if signers.is_empty() {
        return Err(Error::invalid_field(
            "signers",
            "at least one signer is needed",
        ));
    }
    let signing_time = options.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
    let mut digest_algorithms = SetOfVec::new();
    let mut infos = Vec::with_capacity(signers.len());
    let mut certs = Vec::new();
    for (i, (signer, cert)) in signers.iter().enumerate() {
        let field = format!("signers[{i}]");
        let public_key = signer.public_key();
        public_key
            .algorithm()
            .check_can_sign()
            .map_err(|e| e.with_field(field.clone()))?;
        if !cert.holds_key(&public_key) {
            return Err(Error::new(
                ErrorKind::KeyMismatch,
                format!(
                    "certificate {} does not hold the signer's public key",
                    cert.serial_hex()
                ),
            )
            .with_field(field));
        }
        let signature_algorithm = signer.signature_algorithm();
        let digest_alg = DigestAlgorithm::for_signer(&signature_algorithm)
            .map_err(|e| e.with_field(field.clone()))?;
        let digest = digest_alg.digest(content);
        let signed_attrs = attr::build(
            options.content_type,
            &digest,
            signing_time,
            cert,
            digest_alg,
        )?;
        let to_sign = signed_attrs.to_der()?;
        let signature = crate::key::sign_checked(*signer, &to_sign)
            .map_err(|e| e.context(format_args!("signing as {field}")))?;
        let (version, sid) = signer_identifier(cert, options.by_key_identifier)
            .map_err(|e| e.with_field(field.clone()))?;
        let digest_alg_id = digest_alg.algorithm_identifier();
        if !digest_algorithms.iter().any(|a| *a == digest_alg_id) {
            digest_algorithms.insert(digest_alg_id.clone())?;
        }
        infos.push(RawSignerInfo {
            version,
            sid,
            digest_alg: digest_alg_id,
            signed_attrs: Some(signed_attrs),
            signature_algorithm,
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        });
        certs.push((*cert).clone());
    }
    certs.extend(options.certificates.iter().cloned());
    let mut certificate_set = SetOfVec::new();
    for c in &certs {
        let choice = CertificateChoices::Certificate(x509_cert::Certificate::from_der(c.der())?);
        if !certificate_set.iter().any(|x| *x == choice) {
            certificate_set.insert(choice)?;
        }
    }
    let all_v1 = infos.iter().all(|i| i.version == CmsVersion::V1);
    let version = if all_v1 && options.content_type == oid::CT_DATA {
        CmsVersion::V1
    } else {
        CmsVersion::V3
    };
    let econtent = if options.detached {
        None
    } else {
        Some(Any::encode_from(&OctetString::new(content)?)?)
    };
    let signed_data = RawSignedData {
        version,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: options.content_type,
            econtent,
        },
        certificates: Some(CertificateSet(certificate_set)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(infos)?),
    };
    let content_info = ContentInfo {
        content_type: oid::CT_SIGNED_DATA,
        content: Any::encode_from(&signed_data)?,
    };
    Ok(content_info.to_der()?)
}

fn signer_identifier(
    cert: &Certificate,
    by_key_identifier: bool,
) -> Result<(CmsVersion, SignerIdentifier)> {
    if by_key_identifier {
        let ski = cert.subject_key_id().ok_or_else(|| {
            Error::invalid_field(
                "by_key_identifier",
                format!(
                    "certificate {} has no subjectKeyIdentifier",
                    cert.serial_hex()
                ),
            )
        })?;
        Ok((
            CmsVersion::V3,
            SignerIdentifier::SubjectKeyIdentifier(SubjectKeyIdentifier(OctetString::new(ski)?)),
        ))
    } else {
        let x509 = x509_cert::Certificate::from_der(cert.der())?;
        Ok((
            CmsVersion::V1,
            SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: x509.tbs_certificate().issuer().clone(),
                serial_number: x509.tbs_certificate().serial_number().clone(),
            }),
        ))
    }
}
