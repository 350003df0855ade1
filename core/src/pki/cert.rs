//! X.509 certificates (RFC 5280) as Russian CAs issue them.
//!
//! # Qualified or not
//!
//! [`Certificate::qualification`] applies this rule, our reading of 63-ФЗ «Об электронной
//! подписи» ст. 14 and 17 and of the form of a qualified certificate (приказ ФСБ России
//! № 795, as amended by № 31 of 2021). An end-entity certificate (not a CA) is qualified when
//! it has
//! 1. a certificatePolicies extension naming the class of the signature tool (КС1–КА1,
//!    1.2.643.100.113.1–6);
//! 2. subjectSignTool (1.2.643.100.111), the subject's CIPF;
//! 3. issuerSignTool (1.2.643.100.112), the issuer's CIPF and CA tool with their conformity
//!    certificates;
//! 4. identificationKind (1.2.643.100.114) when issued (notBefore) on or after 2021-09-01,
//!    the day приказ № 31 came into force;
//! 5. the subject identifiers of its kind, with correct check digits: a legal entity INNLE
//!    (or, in older certificates, INN as "00"+10 digits) and OGRN; an individual entrepreneur
//!    OGRNIP and SNILS; a natural person SNILS; and a commonName.
//!
//! Whether the issuer is an accredited CA (the Ministry's trusted list) is not part of this
//! check: that needs the list (see seed 004 and
//! [`VerificationUnavailable`](crate::ErrorKind::VerificationUnavailable)).

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;

use super::ext::{Extensions, IdentificationKind, IssuerSignTool, KeyUsageBit, SignToolClass};
use super::warning::Warning;
use super::{KeyInfo, pem, serial_hex, split_signed, time_to_offset, verify_with_spki};
use crate::subject::{Subject, SubjectKind};
use crate::{Error, ErrorKind, Result};

/// The PEM label of a certificate.
pub const PEM_LABEL: &str = "CERTIFICATE";

/// A parsed X.509 certificate. Owned; keeps the DER it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    version: u8,
    serial: Vec<u8>,
    issuer: Subject,
    issuer_der: Vec<u8>,
    subject: Subject,
    subject_der: Vec<u8>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    spki_der: Vec<u8>,
    key_info: KeyInfo,
    extensions: Extensions,
    /// What was read leniently (the certificate's own BER, then its extensions').
    warnings: Vec<Warning>,
}

/// Whether a certificate is qualified, and if not, what is missing (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    /// Every condition holds.
    pub qualified: bool,
    /// The conditions that do not hold, in words ("no issuerSignTool").
    pub missing: Vec<String>,
}

impl Certificate {
    /// Parses a certificate from DER.
    ///
    /// Lenient where other tools are and the signature still covers what was received (issue
    /// 12): a certificate whose to-be-signed part is BER rather than DER inside (a BOOLEAN TRUE
    /// as 0x01, say) is read from its DER form while its signature is verified over the bytes
    /// as received; so are extension values in BER and a privateKeyUsagePeriod with fractional
    /// seconds. Each is a [`Warning`] ([`warnings`](Self::warnings)). The outer structure (the
    /// certificate's and its to-be-signed part's lengths) must be DER: that is what delimits
    /// the signed bytes.
    pub fn from_der(der: &[u8]) -> Result<Certificate> {
        let parts = split_signed(der, "certificate")?;
        let (c, mut warnings) = match x509_cert::Certificate::from_der(der) {
            Ok(c) => (c, Vec::new()),
            Err(strict) => {
                let strict = Error::from(strict).context("certificate");
                match crate::asn1::ber::normalize_noting(der) {
                    Ok((normalized, rewrites)) if rewrites.any() => (
                        x509_cert::Certificate::from_der(&normalized).map_err(|_| strict)?,
                        Warning::from_rewrites(rewrites, "certificate"),
                    ),
                    _ => return Err(strict),
                }
            }
        };
        let tbs = c.tbs_certificate();
        if tbs.signature() != c.signature_algorithm() {
            return Err(Error::malformed(
                "certificate: the signature algorithm inside and outside the signed part differ",
            ));
        }
        let version = tbs.version() as u8 + 1;
        let extensions = match tbs.extensions() {
            Some(list) => {
                if version != 3 {
                    return Err(Error::malformed(format!(
                        "certificate: extensions in a version {version} certificate"
                    )));
                }
                Extensions::from_x509(list)?
            }
            None => Extensions::default(),
        };
        if let Some(dup) = extensions.duplicates() {
            return Err(Error::malformed(format!(
                "certificate: extension {} appears twice",
                super::ext::name_of(&dup)
            )));
        }
        warnings.extend(extensions.warnings());
        let issuer_der = tbs.issuer().to_der()?;
        let subject_der = tbs.subject().to_der()?;
        let spki_der = tbs.subject_public_key_info().to_der()?;
        Ok(Certificate {
            der: der.to_vec(),
            tbs: parts.tbs,
            signature_algorithm: parts.algorithm,
            signature: parts.signature,
            version,
            serial: tbs.serial_number().as_bytes().to_vec(),
            issuer: Subject::from_der(&issuer_der).map_err(|e| e.context("issuer"))?,
            subject: Subject::from_der(&subject_der).map_err(|e| e.context("subject"))?,
            issuer_der,
            subject_der,
            not_before: time_to_offset(&tbs.validity().not_before)?,
            not_after: time_to_offset(&tbs.validity().not_after)?,
            key_info: KeyInfo::from_spki_der(&spki_der)?,
            spki_der,
            extensions,
            warnings,
        })
    }

    /// What was read leniently: encodings that are not DER, or not within RFC 5280's
    /// profile, which the certificate was read despite (empty for a certificate in DER).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Parses a certificate from PEM (text around the block is ignored) or DER.
    pub fn from_pem(input: &[u8]) -> Result<Certificate> {
        Certificate::from_der(&pem::der_of(input, &[PEM_LABEL], "certificate")?)
    }

    /// Parses a certificate given as DER or as PEM — the one name every parser shares
    /// (certificates, requests, CRLs, public keys, CMS), for bindings and files of unknown
    /// form.
    pub fn from_der_or_pem(input: &[u8]) -> Result<Certificate> {
        Certificate::from_pem(input)
    }

    /// Every certificate in a PEM bundle, in order.
    pub fn all_from_pem(input: &[u8]) -> Result<Vec<Certificate>> {
        pem::blocks(input)?
            .into_iter()
            .filter(|b| b.label == PEM_LABEL)
            .map(|b| Certificate::from_der(&b.der))
            .collect()
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

    /// The version (1, 2 or 3).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The serial number's content octets (two's complement, as encoded).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// The serial number in uppercase hex, as `openssl x509 -serial` prints it.
    pub fn serial_hex(&self) -> String {
        serial_hex(&self.serial)
    }

    /// The subject.
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    /// The issuer.
    pub fn issuer(&self) -> &Subject {
        &self.issuer
    }

    /// The subject Name's DER, as read.
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    /// The issuer Name's DER, as read.
    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer_der
    }

    /// notBefore.
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// notAfter.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// Checks the validity period at `at`: [`ErrorKind::NotYetValid`] before notBefore,
    /// [`ErrorKind::Expired`] after notAfter.
    pub fn check_validity_at(&self, at: OffsetDateTime) -> Result<()> {
        if at < self.not_before {
            return Err(Error::new(
                ErrorKind::NotYetValid,
                format!(
                    "certificate {} is valid from {}",
                    self.serial_hex(),
                    super::rfc3339(self.not_before)
                ),
            ));
        }
        if at > self.not_after {
            return Err(Error::new(
                ErrorKind::Expired,
                format!(
                    "certificate {} expired at {}",
                    self.serial_hex(),
                    super::rfc3339(self.not_after)
                ),
            ));
        }
        Ok(())
    }

    /// Whole days from `at` to notAfter, rounded down; negative once expired.
    pub fn days_to_expiry(&self, at: OffsetDateTime) -> i64 {
        let secs = (self.not_after - at).whole_seconds();
        secs.div_euclid(86_400)
    }

    /// The SubjectPublicKeyInfo DER.
    pub fn public_key_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The public key.
    pub fn public_key(&self) -> Result<crate::key::PublicKey> {
        crate::key::PublicKey::from_spki_der(&self.spki_der)
    }

    /// Whether the certificate holds `key` (same algorithm and key; parameter encoding
    /// details aside, as [`PublicKey`](crate::key::PublicKey)'s equality says).
    pub fn holds_key(&self, key: &crate::key::PublicKey) -> bool {
        self.public_key().is_ok_and(|k| k == *key)
    }

    /// The key algorithm, parameters and key identifier.
    pub fn key_info(&self) -> &KeyInfo {
        &self.key_info
    }

    /// The signature algorithm.
    pub fn signature_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.signature_algorithm
    }

    /// The signature bytes (the BIT STRING's contents).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The to-be-signed bytes (TBSCertificate DER), as read.
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs
    }

    /// The extensions.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// keyUsage bits, when present.
    pub fn key_usage(&self) -> Option<&[KeyUsageBit]> {
        self.extensions.key_usage()
    }

    /// Whether the key may sign data (RFC 5280 §4.2.1.3): no keyUsage, or one with
    /// digitalSignature or nonRepudiation.
    pub fn may_sign_data(&self) -> bool {
        self.key_usage().is_none_or(|bits| {
            bits.iter().any(|b| {
                matches!(
                    b,
                    KeyUsageBit::DigitalSignature | KeyUsageBit::NonRepudiation
                )
            })
        })
    }

    /// extendedKeyUsage purposes, when present.
    pub fn extended_key_usage(&self) -> Option<&[ObjectIdentifier]> {
        self.extensions.extended_key_usage()
    }

    /// certificatePolicies OIDs, when present.
    pub fn policies(&self) -> Option<&[ObjectIdentifier]> {
        self.extensions.policies()
    }

    /// The signature-tool classes among the policies.
    pub fn sign_tool_classes(&self) -> Vec<SignToolClass> {
        self.extensions.sign_tool_classes()
    }

    /// subjectSignTool, when present.
    pub fn subject_sign_tool(&self) -> Option<&str> {
        self.extensions.subject_sign_tool()
    }

    /// issuerSignTool, when present.
    pub fn issuer_sign_tool(&self) -> Option<&IssuerSignTool> {
        self.extensions.issuer_sign_tool()
    }

    /// identificationKind, when present.
    pub fn identification_kind(&self) -> Option<IdentificationKind> {
        self.extensions.identification_kind()
    }

    /// subjectKeyIdentifier, when present.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.extensions.subject_key_id()
    }

    /// authorityKeyIdentifier's keyIdentifier, when present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.extensions.authority_key_id()
    }

    /// Whether basicConstraints says cA.
    pub fn is_ca(&self) -> bool {
        self.extensions
            .basic_constraints()
            .is_some_and(|(ca, _)| ca)
    }

    /// Whether issuer and subject are the same name.
    pub fn is_self_issued(&self) -> bool {
        names_match(
            &self.issuer_der,
            &self.issuer,
            &self.subject_der,
            &self.subject,
        )
    }

    /// Whether the certificate is qualified, by the rule in the module docs.
    pub fn qualification(&self) -> Qualification {
        let mut missing = Vec::new();
        if self.is_ca() {
            missing.push("a CA certificate is not a subscriber's qualified certificate".into());
        }
        if self.sign_tool_classes().is_empty() {
            missing.push("no signature tool class (КС1–КА1) in certificatePolicies".into());
        }
        if self.subject_sign_tool().is_none() {
            missing.push("no subjectSignTool".into());
        }
        if self.issuer_sign_tool().is_none() {
            missing.push("no issuerSignTool".into());
        }
        let order_31 = time::macros::datetime!(2021-09-01 00:00 UTC);
        if self.not_before >= order_31 && self.identification_kind().is_none() {
            missing.push("no identificationKind (required since 2021-09-01)".into());
        }
        let s = &self.subject;
        if s.common_name().is_none() {
            missing.push("no CN in the subject".into());
        }
        let mut need = |ok: bool, what: &str| {
            if !ok {
                missing.push(format!("no valid {what} in the subject"));
            }
        };
        match s.kind() {
            SubjectKind::LegalEntity => {
                need(s.inn_le().is_some(), "INNLE");
                need(s.ogrn().is_some(), "OGRN");
            }
            SubjectKind::IndividualEntrepreneur => {
                need(s.ogrnip().is_some(), "OGRNIP");
                need(s.snils().is_some(), "SNILS");
            }
            SubjectKind::NaturalPerson => need(s.snils().is_some(), "SNILS"),
        }
        Qualification {
            qualified: missing.is_empty(),
            missing,
        }
    }

    /// Whether the certificate is qualified (see [`qualification`](Self::qualification)).
    pub fn is_qualified(&self) -> bool {
        self.qualification().qualified
    }

    /// Verifies a self-issued certificate's signature with its own key (and that its
    /// authority key identifier, if any, is its own subject key identifier): what makes a
    /// root what it says it is. Whether it may issue others is [`verify_issued_by`]'s
    /// question, not this one; a trust anchor is trusted by being given (RFC 5280 §6.1), so
    /// a self-signed certificate without basicConstraints given as an anchor is valid itself.
    ///
    /// Errors: [`ErrorKind::WrongIssuer`] when the certificate is not self-issued or its key
    /// identifiers disagree, [`ErrorKind::BadSignature`].
    ///
    /// [`verify_issued_by`]: Self::verify_issued_by
    pub fn verify_self_signature(&self) -> Result<()> {
        self.verify_signed_by(self, false)
    }

    /// Verifies that `issuer` issued this certificate: the issuer name matches the issuer's
    /// subject and, when both are present, the authority key identifier matches the issuer's
    /// subject key identifier ([`ErrorKind::WrongIssuer`] otherwise); the issuer may sign
    /// certificates (cA, and keyCertSign when it has keyUsage; a self-issued version 1
    /// certificate is accepted as its own issuer); and the signature verifies with the
    /// issuer's key ([`ErrorKind::BadSignature`]). Validity periods are not checked here.
    pub fn verify_issued_by(&self, issuer: &Certificate) -> Result<()> {
        self.verify_signed_by(issuer, true)
    }

    /// Names, key identifiers, (when `as_ca`) the issuer's right to sign certificates, and the
    /// signature over the to-be-signed bytes as read.
    fn verify_signed_by(&self, issuer: &Certificate, as_ca: bool) -> Result<()> {
        if !names_match(
            &self.issuer_der,
            &self.issuer,
            &issuer.subject_der,
            &issuer.subject,
        ) {
            return Err(Error::new(
                ErrorKind::WrongIssuer,
                format!(
                    "certificate {} names issuer \"{}\", not \"{}\"",
                    self.serial_hex(),
                    self.issuer,
                    issuer.subject
                ),
            ));
        }
        if let (Some(aki), Some(ski)) = (self.authority_key_id(), issuer.subject_key_id())
            && aki != ski
        {
            return Err(Error::new(
                ErrorKind::WrongIssuer,
                format!(
                    "certificate {}: authority key identifier {} is not the issuer's {}",
                    self.serial_hex(),
                    hex::encode_upper(aki),
                    hex::encode_upper(ski)
                ),
            ));
        }
        let v1_root = issuer.version == 1 && issuer.is_self_issued();
        if as_ca && !v1_root {
            if !issuer.is_ca() {
                return Err(Error::new(
                    ErrorKind::WrongIssuer,
                    format!("\"{}\" is not a CA (basicConstraints)", issuer.subject),
                ));
            }
            if let Some(ku) = issuer.key_usage()
                && !ku.contains(&KeyUsageBit::KeyCertSign)
            {
                return Err(Error::new(
                    ErrorKind::WrongIssuer,
                    format!(
                        "\"{}\" may not sign certificates (keyUsage)",
                        issuer.subject
                    ),
                ));
            }
        }
        verify_with_spki(
            &issuer.spki_der,
            &self.signature_algorithm,
            &self.tbs,
            &self.signature,
        )
        .map_err(|e| e.context(format!("certificate {}", self.serial_hex())))
    }
}

/// Name matching: equal DER, or the same attribute types and values in the same order
/// (string types aside, surrounding spaces trimmed) — a simplification of RFC 5280 §7.1.
pub(crate) fn names_match(a_der: &[u8], a: &Subject, b_der: &[u8], b: &Subject) -> bool {
    if a_der == b_der {
        return true;
    }
    let (a, b) = (a.attributes(), b.attributes());
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.kind == y.kind && x.value.trim() == y.value.trim())
}
