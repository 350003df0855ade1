//! PKCS#10 certificate requests (RFC 2986) with the extensions Russian CAs expect.
//!
//! [`RequestBuilder`] encodes the CertificationRequestInfo itself with `der` (the subject
//! strictly typed by [`Subject::to_name`], the requested extensions in a PKCS#9
//! extensionRequest attribute) and signs those bytes with [`key::Signer::sign`]. We do not go
//! through `x509-cert`'s `RequestBuilder`: our `Signer` is object-safe and fallible with our
//! own error kinds (a token reports PinIncorrect or TokenAbsent, which RustCrypto's
//! `signature::Error` would flatten), and encoding the 4-field structure ourselves is shorter
//! than adapting. The result is parsed back and its signature verified before it is returned.

use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, SetOfVec};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_cert::request::{CertReq, CertReqInfo, Version};

use super::ext::{Extension, ExtensionValue, Extensions, IdentificationKind, KeyUsageBit};
use super::{KeyInfo, pem, split_signed, verify_with_spki};
use crate::key::Signer;
use crate::subject::{Subject, SubjectKind};
use crate::{Error, Result, oid};

/// The PEM label of a request ("NEW CERTIFICATE REQUEST" is also read).
pub const PEM_LABEL: &str = "CERTIFICATE REQUEST";

/// A parsed PKCS#10 certificate request. Owned; keeps the DER it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    der: Vec<u8>,
    tbs: Vec<u8>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    subject: Subject,
    subject_der: Vec<u8>,
    spki_der: Vec<u8>,
    key_info: KeyInfo,
    extensions: Extensions,
    attribute_oids: Vec<ObjectIdentifier>,
}

impl CertificateRequest {
    /// Parses a request from DER.
    pub fn from_der(der: &[u8]) -> Result<CertificateRequest> {
        let parts = split_signed(der, "certificate request")?;
        let req =
            CertReq::from_der(der).map_err(|e| Error::from(e).context("certificate request"))?;
        let mut extensions = Extensions::default();
        let mut attribute_oids = Vec::new();
        for attr in req.info.attributes.iter() {
            attribute_oids.push(attr.oid);
            if attr.oid == oid::PKCS9_EXTENSION_REQUEST {
                if attr.values.len() != 1 || !extensions.is_empty() {
                    return Err(Error::malformed(
                        "certificate request: extensionRequest must have exactly one value",
                    ));
                }
                for v in attr.values.iter() {
                    let list = Vec::<x509_cert::ext::Extension>::from_der(&v.to_der()?)
                        .map_err(|e| Error::from(e).context("extensionRequest"))?;
                    extensions = Extensions::from_x509(&list)?;
                }
            }
        }
        if let Some(dup) = extensions.duplicates() {
            return Err(Error::malformed(format!(
                "certificate request: extension {} requested twice",
                super::ext::name_of(&dup)
            )));
        }
        let subject_der = req.info.subject.to_der()?;
        let spki_der = req.info.public_key.to_der()?;
        Ok(CertificateRequest {
            der: der.to_vec(),
            tbs: parts.tbs,
            signature_algorithm: parts.algorithm,
            signature: parts.signature,
            subject: Subject::from_der(&subject_der).map_err(|e| e.context("subject"))?,
            subject_der,
            key_info: KeyInfo::from_spki_der(&spki_der)?,
            spki_der,
            extensions,
            attribute_oids,
        })
    }

    /// Parses a request from PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST"; text
    /// around the block is ignored) or DER.
    pub fn from_pem(input: &[u8]) -> Result<CertificateRequest> {
        CertificateRequest::from_der(&pem::der_of(
            input,
            &[PEM_LABEL, "NEW CERTIFICATE REQUEST"],
            "certificate request",
        )?)
    }

    /// Parses a request given as DER or as PEM (see [`Certificate::from_der_or_pem`]).
    ///
    /// [`Certificate::from_der_or_pem`]: crate::pki::Certificate::from_der_or_pem
    pub fn from_der_or_pem(input: &[u8]) -> Result<CertificateRequest> {
        CertificateRequest::from_pem(input)
    }

    /// The DER encoding, as read.
    pub fn to_der(&self) -> Vec<u8> {
        self.der.clone()
    }

    /// The DER bytes, as read, without copying.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// PEM, 64-character lines.
    pub fn to_pem(&self) -> String {
        pem::encode(PEM_LABEL, &self.der)
    }

    /// The subject (read leniently).
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    /// The subject Name's DER, as read.
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    /// The SubjectPublicKeyInfo DER.
    pub fn public_key_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The public key.
    pub fn public_key(&self) -> Result<crate::key::PublicKey> {
        crate::key::PublicKey::from_spki_der(&self.spki_der)
    }

    /// The key algorithm, parameters and key identifier.
    pub fn key_info(&self) -> &KeyInfo {
        &self.key_info
    }

    /// The signature algorithm.
    pub fn signature_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.signature_algorithm
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The to-be-signed bytes (CertificationRequestInfo DER), as read.
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs
    }

    /// The requested extensions.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// The OIDs of the request's attributes (extensionRequest, challengePassword, ...).
    pub fn attribute_oids(&self) -> &[ObjectIdentifier] {
        &self.attribute_oids
    }

    /// Verifies the self-signature with the request's own key
    /// ([`BadSignature`](crate::ErrorKind::BadSignature) when it does not verify).
    pub fn verify(&self) -> Result<()> {
        verify_with_spki(
            &self.spki_der,
            &self.signature_algorithm,
            &self.tbs,
            &self.signature,
        )
        .map_err(|e| e.context("certificate request"))
    }
}

/// Builds and signs a PKCS#10 request.
///
/// ```
/// # fn main() -> bankkey::Result<()> {
/// use bankkey::gost::ParamSet;
/// use bankkey::key::{KeyAlgorithm, SoftwareKey};
/// use bankkey::oid;
/// use bankkey::pki::{IdentificationKind, KeyUsageBit, RequestBuilder, SignToolClass};
/// use bankkey::subject::{AttributeType as A, Subject};
///
/// let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A))?;
/// let subject = Subject::new()
///     .with(A::CommonName, "Иванов Иван Иванович")
///     .with(A::Surname, "Иванов")
///     .with(A::GivenName, "Иван Иванович")
///     .with(A::Country, "RU")
///     .with(A::Inn, "500100732259")
///     .with(A::Snils, "11223344595");
/// let request = RequestBuilder::new(subject)
///     .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
///     .extended_key_usage(&[oid::KP_CLIENT_AUTH, oid::KP_EMAIL_PROTECTION])
///     .sign_tool_class(SignToolClass::Kc1)
///     .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
///     .identification_kind(IdentificationKind::InPerson)
///     .build(&key)?;
/// request.verify()?;
/// assert!(request.public_key()? == key.public_key());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    subject: Subject,
    kind: Option<SubjectKind>,
    key_usage: Option<Vec<KeyUsageBit>>,
    extended_key_usage: Vec<ObjectIdentifier>,
    policies: Vec<ObjectIdentifier>,
    subject_sign_tool: Option<String>,
    identification_kind: Option<IdentificationKind>,
    private_key_usage_period: Option<(Option<OffsetDateTime>, Option<OffsetDateTime>)>,
    extra: Vec<Extension>,
}

impl RequestBuilder {
    /// A request for `subject`, with no extensions yet.
    pub fn new(subject: Subject) -> RequestBuilder {
        RequestBuilder {
            subject,
            kind: None,
            key_usage: None,
            extended_key_usage: Vec::new(),
            policies: Vec::new(),
            subject_sign_tool: None,
            identification_kind: None,
            private_key_usage_period: None,
            extra: Vec::new(),
        }
    }

    /// Validates the subject as this kind (by default the kind its identifiers imply,
    /// [`Subject::kind`]).
    pub fn subject_kind(mut self, kind: SubjectKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Requests keyUsage (critical) with these bits.
    pub fn key_usage(mut self, bits: &[KeyUsageBit]) -> Self {
        self.key_usage = Some(bits.to_vec());
        self
    }

    /// Requests extendedKeyUsage with these purposes (added to any given before).
    pub fn extended_key_usage(mut self, purposes: &[ObjectIdentifier]) -> Self {
        self.extended_key_usage.extend_from_slice(purposes);
        self
    }

    /// Adds a certificate policy: the class of the signature tool (КС1–КА1).
    pub fn sign_tool_class(mut self, class: super::SignToolClass) -> Self {
        self.policies.push(class.oid());
        self
    }

    /// Adds certificate policies by OID.
    pub fn policies(mut self, policies: &[ObjectIdentifier]) -> Self {
        self.policies.extend_from_slice(policies);
        self
    }

    /// Requests subjectSignTool: the name of the subject's CIPF (1–200 characters).
    pub fn subject_sign_tool(mut self, tool: &str) -> Self {
        self.subject_sign_tool = Some(tool.to_owned());
        self
    }

    /// Requests identificationKind.
    pub fn identification_kind(mut self, kind: IdentificationKind) -> Self {
        self.identification_kind = Some(kind);
        self
    }

    /// Requests privateKeyUsagePeriod (at least one bound).
    pub fn private_key_usage_period(
        mut self,
        not_before: Option<OffsetDateTime>,
        not_after: Option<OffsetDateTime>,
    ) -> Self {
        self.private_key_usage_period = Some((not_before, not_after));
        self
    }

    /// Adds any other extension (see [`Extension::raw`] and [`Extension::new`]).
    pub fn extension(mut self, extension: Extension) -> Self {
        self.extra.push(extension);
        self
    }

    /// The requested extensions, in the order they are written.
    pub fn extensions(&self) -> Result<Extensions> {
        let mut list = Vec::new();
        if let Some(bits) = &self.key_usage {
            list.push(Extension::new(
                ExtensionValue::KeyUsage(bits.clone()),
                true,
            )?);
        }
        if !self.extended_key_usage.is_empty() {
            list.push(Extension::new(
                ExtensionValue::ExtendedKeyUsage(self.extended_key_usage.clone()),
                false,
            )?);
        }
        if !self.policies.is_empty() {
            list.push(Extension::new(
                ExtensionValue::CertificatePolicies(self.policies.clone()),
                false,
            )?);
        }
        if let Some(tool) = &self.subject_sign_tool {
            list.push(Extension::new(
                ExtensionValue::SubjectSignTool(tool.clone()),
                false,
            )?);
        }
        if let Some(kind) = self.identification_kind {
            list.push(Extension::new(
                ExtensionValue::IdentificationKind(kind),
                false,
            )?);
        }
        if let Some((not_before, not_after)) = self.private_key_usage_period {
            list.push(Extension::new(
                ExtensionValue::PrivateKeyUsagePeriod {
                    not_before,
                    not_after,
                },
                false,
            )?);
        }
        list.extend(self.extra.iter().cloned());
        let list = Extensions(list);
        if let Some(dup) = list.duplicates() {
            let name = super::ext::name_of(&dup);
            return Err(Error::invalid_field(
                &name,
                format!("extension {name} is requested twice"),
            ));
        }
        Ok(list)
    }

    /// Validates the subject, encodes the CertificationRequestInfo, signs it with `signer`,
    /// and verifies the result with the signer's public key before returning it.
    pub fn build(&self, signer: &dyn Signer) -> Result<CertificateRequest> {
        let kind = self.kind.unwrap_or_else(|| self.subject.kind());
        self.subject.validate(kind)?;
        let subject = self.subject.to_name()?;
        let public_key = SubjectPublicKeyInfoOwned::from_der(&signer.public_key().to_spki_der())
            .map_err(|e| Error::from(e).context("the signer's public key"))?;
        let extensions = self.extensions()?;
        let mut attributes = SetOfVec::new();
        if !extensions.is_empty() {
            let mut values = SetOfVec::new();
            values.insert(Any::encode_from(&extensions.to_x509()?)?)?;
            attributes.insert(Attribute {
                oid: oid::PKCS9_EXTENSION_REQUEST,
                values,
            })?;
        }
        let info = CertReqInfo {
            version: Version::V1,
            subject,
            public_key,
            attributes,
        };
        let tbs = info.to_der()?;
        let signature = crate::key::sign_checked(signer, &tbs)?;
        let req = CertReq {
            info,
            algorithm: signer.signature_algorithm(),
            signature: BitString::from_bytes(&signature)?,
        };
        let request = CertificateRequest::from_der(&req.to_der()?)?;
        request
            .verify()
            .map_err(|e| e.context("our own request does not verify"))?;
        Ok(request)
    }
}
