//! Reading and verifying SignedData.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData as RawSignedData, SignerIdentifier};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;

use super::attr::{self, CertHash, SignedAttributes};
use super::{DigestAlgorithm, same_serial};
use crate::pki::{Certificate, Chain, build_chain, pem};
use crate::{Error, ErrorKind, Result, oid};

/// How a SignerInfo names its signer's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId {
    /// issuerAndSerialNumber: the issuer's Name (DER) and the serial's content octets.
    IssuerAndSerial {
        /// The issuer Name, DER.
        issuer_der: Vec<u8>,
        /// The serial number's content octets.
        serial: Vec<u8>,
    },
    /// subjectKeyIdentifier: the certificate's key identifier.
    KeyIdentifier(Vec<u8>),
}

impl SignerId {
    /// Whether `cert` is the certificate this identifier names.
    pub fn matches(&self, cert: &Certificate) -> bool {
        match self {
            SignerId::IssuerAndSerial { issuer_der, serial } => {
                same_serial(serial, cert.serial()) && issuer_matches(issuer_der, cert)
            }
            SignerId::KeyIdentifier(id) => cert.subject_key_id() == Some(id.as_slice()),
        }
    }
}

fn issuer_matches(issuer_der: &[u8], cert: &Certificate) -> bool {
    if issuer_der == cert.issuer_der() {
        return true;
    }
    // The same name written with other string types.
    crate::subject::Subject::from_der(issuer_der).is_ok_and(|s| {
        crate::pki::cert::names_match(issuer_der, &s, cert.issuer_der(), cert.issuer())
    })
}

/// One signer of a SignedData, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    sid: SignerId,
    digest_algorithm: AlgorithmIdentifierOwned,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    /// DER of the signed attributes as a SET OF (the bytes the signature covers).
    signed_attrs_der: Option<Vec<u8>>,
    attrs: Option<SignedAttributes>,
}

impl SignerInfo {
    /// How the signer's certificate is named.
    pub fn sid(&self) -> &SignerId {
        &self.sid
    }

    /// digestAlgorithm.
    pub fn digest_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.digest_algorithm
    }

    /// signatureAlgorithm, as written (a GOST key OID or signature OID, rsaEncryption, ...).
    pub fn signature_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.signature_algorithm
    }

    /// The signature octets.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Whether the signer has signed attributes (every signer we write has).
    pub fn has_signed_attributes(&self) -> bool {
        self.attrs.is_some()
    }

    /// The OIDs of the signed attributes, in the order written.
    pub fn signed_attribute_oids(&self) -> &[ObjectIdentifier] {
        self.attrs.as_ref().map_or(&[], |a| &a.oids)
    }

    /// The contentType attribute.
    pub fn content_type(&self) -> Option<ObjectIdentifier> {
        self.attrs.as_ref().and_then(|a| a.content_type)
    }

    /// The messageDigest attribute.
    pub fn message_digest(&self) -> Option<&[u8]> {
        self.attrs
            .as_ref()
            .and_then(|a| a.message_digest.as_deref())
    }

    /// The signingTime attribute.
    pub fn signing_time(&self) -> Option<OffsetDateTime> {
        self.attrs.as_ref().and_then(|a| a.signing_time)
    }

    /// The certificates named by the signingCertificateV2 attribute (the signer's first).
    pub fn signing_certificate_v2(&self) -> Option<&[CertHash]> {
        self.attrs
            .as_ref()
            .and_then(|a| a.signing_certificate_v2.as_deref())
    }
}

/// A CMS SignedData, read from a `ContentInfo` (DER or PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedData {
    der: Vec<u8>,
    content_type: ObjectIdentifier,
    content: Option<Vec<u8>>,
    digest_algorithms: Vec<ObjectIdentifier>,
    certificates: Vec<Certificate>,
    /// Why included certificates could not be read (they are left out of `certificates`).
    unreadable_certificates: Vec<String>,
    signers: Vec<SignerInfo>,
}

/// What [`SignedData::verify`] checks against.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The content of a detached signature (or the expected content of an attached one).
    pub content: Option<Vec<u8>>,
    /// The trust anchors every signer's certificate must chain to.
    pub anchors: Vec<Certificate>,
    /// More certificates to look for the signers and intermediates in.
    pub certificates: Vec<Certificate>,
    /// The time the certificates must be valid at; `None`: each signer's signingTime, or now
    /// for a signer without one.
    pub at: Option<OffsetDateTime>,
}

/// A signer whose signature and certificate path verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSigner {
    /// The signer's certificate.
    pub certificate: Certificate,
    /// Its path to a trust anchor (leaf first).
    pub chain: Chain,
    /// The signingTime attribute, when there is one.
    pub signing_time: Option<OffsetDateTime>,
    /// The time the path was checked at.
    pub checked_at: OffsetDateTime,
}

fn malformed(field: &str, e: impl std::fmt::Display) -> Error {
    Error::malformed(format!("{field}: {e}")).with_field(field)
}

impl SignedData {
    /// Reads a `ContentInfo` whose content is SignedData, in DER or in the BER that streaming
    /// signers write (`openssl cms -sign -stream`: indefinite lengths, the content in
    /// chunks). BER input is rewritten to DER first (indefinite lengths made definite,
    /// chunked strings joined; elements that were DER, like certificates and signed
    /// attributes, keep their bytes), and [`SignedData::to_der`] then gives that DER form.
    ///
    /// Errors: [`ErrorKind::MalformedEncoding`] (naming the field) for anything that is not
    /// well-formed SignedData, or signed attributes that break RFC 5652 §5.3.
    pub fn from_der(der: &[u8]) -> Result<SignedData> {
        match Self::from_strict_der(der) {
            Ok(sd) => Ok(sd),
            Err(strict) => match crate::asn1::ber::normalize(der) {
                Ok(normalized) if normalized != der => Self::from_strict_der(&normalized),
                _ => Err(strict),
            },
        }
    }

    fn from_strict_der(der: &[u8]) -> Result<SignedData> {
        let ci = ContentInfo::from_der(der).map_err(|e| malformed("ContentInfo", e))?;
        if ci.content_type != oid::CT_SIGNED_DATA {
            return Err(Error::malformed(format!(
                "ContentInfo holds {}, not SignedData",
                ci.content_type
            ))
            .with_field("contentType"));
        }
        let sd: RawSignedData = ci
            .content
            .decode_as()
            .map_err(|e| malformed("SignedData", e))?;
        let content = match &sd.encap_content_info.econtent {
            None => None,
            Some(any) => Some(
                any.decode_as::<OctetString>()
                    .map_err(|e| malformed("eContent", e))?
                    .into_bytes()
                    .into_vec(),
            ),
        };
        let mut certificates = Vec::new();
        let mut unreadable_certificates = Vec::new();
        if let Some(set) = &sd.certificates {
            for choice in set.0.iter() {
                match choice {
                    CertificateChoices::Certificate(c) => {
                        match c
                            .to_der()
                            .map_err(Error::from)
                            .and_then(|d| Certificate::from_der(&d))
                        {
                            Ok(c) => certificates.push(c),
                            Err(e) => unreadable_certificates.push(e.to_string()),
                        }
                    }
                    CertificateChoices::Other(_) => {
                        unreadable_certificates.push("a certificate of another format".into())
                    }
                }
            }
        }
        let mut signers = Vec::with_capacity(sd.signer_infos.0.len());
        for (i, si) in sd.signer_infos.0.iter().enumerate() {
            let field = format!("signerInfos[{i}]");
            let sid = match &si.sid {
                SignerIdentifier::IssuerAndSerialNumber(isn) => SignerId::IssuerAndSerial {
                    issuer_der: isn
                        .issuer
                        .to_der()
                        .map_err(|e| malformed(&format!("{field}.sid"), e))?,
                    serial: isn.serial_number.as_bytes().to_vec(),
                },
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    SignerId::KeyIdentifier(ski.0.as_bytes().to_vec())
                }
            };
            let (signed_attrs_der, attrs) = match &si.signed_attrs {
                None => (None, None),
                Some(set) => {
                    let der = set
                        .to_der()
                        .map_err(|e| malformed(&format!("{field}.signedAttrs"), e))?;
                    let parsed = attr::parse(set).map_err(|e| e.context(&field))?;
                    (Some(der), Some(parsed))
                }
            };
            signers.push(SignerInfo {
                sid,
                digest_algorithm: si.digest_alg.clone(),
                signature_algorithm: si.signature_algorithm.clone(),
                signature: si.signature.as_bytes().to_vec(),
                signed_attrs_der,
                attrs,
            });
        }
        Ok(SignedData {
            der: der.to_vec(),
            content_type: sd.encap_content_info.econtent_type,
            content,
            digest_algorithms: sd.digest_algorithms.iter().map(|a| a.oid).collect(),
            certificates,
            unreadable_certificates,
            signers,
        })
    }

    /// Reads a PEM `CMS` or `PKCS7` block (text around it is ignored).
    pub fn from_pem(input: &[u8]) -> Result<SignedData> {
        let der = pem::der_of(input, &["CMS", "PKCS7"], "SignedData")?;
        Self::from_der(&der)
    }

    /// Reads DER, or PEM when the bytes look like text.
    pub fn from_der_or_pem(input: &[u8]) -> Result<SignedData> {
        if input.first() == Some(&0x30) {
            Self::from_der(input)
        } else {
            Self::from_pem(input)
        }
    }

    /// The DER `ContentInfo`, as read or written.
    pub fn to_der(&self) -> Vec<u8> {
        self.der.clone()
    }

    /// The `ContentInfo` as PEM (`CMS`, what `openssl cms -outform PEM` writes).
    pub fn to_pem(&self) -> String {
        pem::encode("CMS", &self.der)
    }

    /// eContentType.
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// The encapsulated content; `None` for a detached signature.
    pub fn content(&self) -> Option<&[u8]> {
        self.content.as_deref()
    }

    /// Whether the content is left out (a detached signature).
    pub fn is_detached(&self) -> bool {
        self.content.is_none()
    }

    /// The OIDs of digestAlgorithms.
    pub fn digest_algorithms(&self) -> &[ObjectIdentifier] {
        &self.digest_algorithms
    }

    /// The certificates included (those that could be read).
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The signers.
    pub fn signers(&self) -> &[SignerInfo] {
        &self.signers
    }

    /// Verifies every signer's signature and digests, without a trust decision: returns each
    /// signer's certificate, found among the included ones and `certificates`.
    ///
    /// `content` is the content of a detached signature; for an attached one it may be
    /// given too, and must then be the content carried.
    ///
    /// Errors, per signer, in this order: [`ErrorKind::ContentAltered`] (messageDigest is not
    /// the content's digest, or contentType differs from eContentType),
    /// [`ErrorKind::SignerCertificateMissing`] (no certificate matches the signer identifier,
    /// or the one found is not the one signingCertificateV2 names),
    /// [`ErrorKind::BadSignature`], [`ErrorKind::KeyUsageNotAllowed`] (the certificate's
    /// keyUsage has neither digitalSignature nor nonRepudiation); [`ErrorKind::UnsupportedAlgorithm`] or
    /// [`ErrorKind::KeyMismatch`] for algorithms that are not ours or do not fit the key;
    /// [`ErrorKind::InvalidInput`] for a detached signature without content. The error's
    /// field names the signer (`signerInfos[i]`).
    pub fn verify_signatures(
        &self,
        content: Option<&[u8]>,
        certificates: &[Certificate],
    ) -> Result<Vec<Certificate>> {
        let content = self.content_to_check(content)?;
        if self.signers.is_empty() {
            return Err(Error::malformed("SignedData has no signers").with_field("signerInfos"));
        }
        let mut out = Vec::with_capacity(self.signers.len());
        for (i, si) in self.signers.iter().enumerate() {
            let field = format!("signerInfos[{i}]");
            let cert = self
                .verify_signer(si, content, certificates)
                .map_err(|e| e.context(&field).with_field(field.clone()))?;
            out.push(cert);
        }
        Ok(out)
    }

    /// Verifies every signer (as [`verify_signatures`](Self::verify_signatures)) and its
    /// certificate's path to `options.anchors` at `options.at`, or at the signer's
    /// signingTime, or now.
    ///
    /// More errors: [`ErrorKind::UntrustedIssuer`] (no path to an anchor; also when no
    /// anchors are given), [`ErrorKind::Expired`], [`ErrorKind::NotYetValid`], and the other
    /// path errors of [`build_chain`].
    pub fn verify(&self, options: &VerifyOptions) -> Result<Vec<VerifiedSigner>> {
        let certs = self.verify_signatures(options.content.as_deref(), &options.certificates)?;
        self.verify_paths(certs, options)
    }

    /// Each signer's certificate, found among the included ones and `certificates` by its
    /// signer identifier, *without* verifying any signature (for a report that must say
    /// whose signature it could not check, as of a detached signature without its content).
    ///
    /// Errors: [`ErrorKind::SignerCertificateMissing`] naming the signer.
    pub fn signer_certificates(&self, certificates: &[Certificate]) -> Result<Vec<Certificate>> {
        self.signers
            .iter()
            .enumerate()
            .map(|(i, si)| {
                let field = format!("signerInfos[{i}]");
                self.find_certificate(&si.sid, certificates)
                    .map_err(|e| e.context(&field).with_field(field.clone()))
            })
            .collect()
    }

    /// The path of each signer's certificate (`certs`, in signer order) to `options.anchors`
    /// at `options.at`, or at the signer's signingTime, or now. It judges the certificates
    /// only: [`verify`](Self::verify) calls it after the signatures verified.
    ///
    /// Errors: [`ErrorKind::UntrustedIssuer`] (no path to an anchor; also when no anchors are
    /// given), [`ErrorKind::Expired`], [`ErrorKind::NotYetValid`], and the other path errors
    /// of [`build_chain`], each naming the signer.
    pub fn verify_paths(
        &self,
        certs: Vec<Certificate>,
        options: &VerifyOptions,
    ) -> Result<Vec<VerifiedSigner>> {
        let pool: Vec<Certificate> = self
            .certificates
            .iter()
            .chain(options.certificates.iter())
            .cloned()
            .collect();
        let mut out = Vec::with_capacity(certs.len());
        for (i, (cert, si)) in certs.into_iter().zip(&self.signers).enumerate() {
            let field = format!("signerInfos[{i}]");
            let signing_time = si.signing_time();
            let at = options
                .at
                .or(signing_time)
                .unwrap_or_else(OffsetDateTime::now_utc);
            if options.anchors.is_empty() {
                return Err(Error::new(
                    ErrorKind::UntrustedIssuer,
                    "no trust anchors given to verify the signer's certificate against",
                )
                .with_field(field));
            }
            let chain = build_chain(&cert, &pool, &options.anchors, at).map_err(|e| {
                e.context(format_args!("{field}: the signer's certificate"))
                    .with_field(field.clone())
            })?;
            out.push(VerifiedSigner {
                certificate: cert,
                chain,
                signing_time,
                checked_at: at,
            });
        }
        Ok(out)
    }

    fn content_to_check<'a>(&'a self, given: Option<&'a [u8]>) -> Result<&'a [u8]> {
        match (&self.content, given) {
            (Some(carried), Some(given)) if carried.as_slice() != given => Err(Error::new(
                ErrorKind::ContentAltered,
                "the content given is not the content carried by the SignedData",
            )
            .with_field("content")),
            (Some(carried), _) => Ok(carried),
            (None, Some(given)) => Ok(given),
            (None, None) => Err(Error::invalid_field(
                "content",
                "a detached signature: the signed content must be given",
            )),
        }
    }

    fn find_certificate(&self, sid: &SignerId, extra: &[Certificate]) -> Result<Certificate> {
        self.certificates
            .iter()
            .chain(extra)
            .find(|c| sid.matches(c))
            .cloned()
            .ok_or_else(|| {
                let named = match sid {
                    SignerId::IssuerAndSerial { serial, .. } => {
                        format!("serial {}", hex::encode_upper(serial))
                    }
                    SignerId::KeyIdentifier(id) => format!("key identifier {}", hex::encode(id)),
                };
                let mut msg = format!("no certificate with {named} is included or given");
                if !self.unreadable_certificates.is_empty() {
                    msg.push_str(&format!(
                        " ({} included certificate(s) could not be read: {})",
                        self.unreadable_certificates.len(),
                        self.unreadable_certificates.join("; ")
                    ));
                }
                Error::new(ErrorKind::SignerCertificateMissing, msg)
            })
    }

    fn verify_signer(
        &self,
        si: &SignerInfo,
        content: &[u8],
        extra: &[Certificate],
    ) -> Result<Certificate> {
        let digest_alg = DigestAlgorithm::from_oid(&si.digest_algorithm.oid)
            .map_err(|e| e.with_field("digestAlgorithm"))?;
        if si
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
        let signature_algorithm =
            DigestAlgorithm::signature_algorithm_for(&si.signature_algorithm, digest_alg)?;
        let digest = digest_alg.digest(content);
        let signed_message: &[u8] = match (&si.attrs, &si.signed_attrs_der) {
            (Some(attrs), Some(der)) => {
                if attrs.message_digest.as_deref() != Some(digest.as_slice()) {
                    return Err(Error::new(
                        ErrorKind::ContentAltered,
                        "the content's digest is not the signed messageDigest",
                    ));
                }
                if attrs.content_type != Some(self.content_type) {
                    return Err(Error::new(
                        ErrorKind::ContentAltered,
                        format!(
                            "the signed contentType is not the eContentType {}",
                            self.content_type
                        ),
                    ));
                }
                der
            }
            _ => content,
        };
        let cert = self.find_certificate(&si.sid, extra)?;
        if let Some(list) = si.signing_certificate_v2() {
            // RFC 5035 §3: the first entry names the signer's certificate.
            if !list[0].matches(&cert)? {
                return Err(Error::new(
                    ErrorKind::SignerCertificateMissing,
                    format!(
                        "certificate {} is not the one signingCertificateV2 names",
                        cert.serial_hex()
                    ),
                ));
            }
        }
        let key = cert.public_key()?;
        key.verify(&signature_algorithm, signed_message, &si.signature)
            .map_err(|e| {
                if e.kind() == ErrorKind::BadSignature && si.attrs.is_none() {
                    e.context("no signed attributes: the content or the signature is altered")
                } else {
                    e
                }
            })?;
        // RFC 5280 §4.2.1.3: a signature on data needs digitalSignature or nonRepudiation
        // when the certificate restricts its key's usage at all.
        if !cert.may_sign_data() {
            return Err(Error::new(
                ErrorKind::KeyUsageNotAllowed,
                format!(
                    "certificate {}: its keyUsage allows neither digitalSignature nor nonRepudiation",
                    cert.serial_hex()
                ),
            ));
        }
        Ok(cert)
    }
}
