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

use std::ops::Range;

use const_oid::ObjectIdentifier;
use der::Decode;
use der::asn1::{AnyRef, IntRef};
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef};
use time::OffsetDateTime;
use x509_cert::Version;

use super::ext::{Extensions, IdentificationKind, IssuerSignTool, KeyUsageBit, SignToolClass};
use super::warning::Warning;
use super::{KeyInfo, pem, serial_hex, split_signed_slices, time_to_offset, verify_with_spki};
use crate::asn1::read_tlv;
use crate::subject::{Subject, SubjectKind};
use crate::{Error, ErrorKind, Result};

/// The PEM label of a certificate.
pub const PEM_LABEL: &str = "CERTIFICATE";

/// A parsed X.509 certificate. Owned; keeps the DER it was read from, and reads its names,
/// key and signature from those bytes where they lie (ranges into them, not copies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    /// `der` rewritten to DER, when its signed part is BER inside and was read leniently:
    /// then the serial, names and key below are ranges into this, not into `der`.
    normalized: Option<Vec<u8>>,
    /// The to-be-signed TLV in `der`: the signature covers the bytes as received.
    tbs: Range<usize>,
    signature_algorithm: AlgorithmIdentifierOwned,
    /// The signature BIT STRING's contents, in `der`.
    signature: Range<usize>,
    version: u8,
    /// The serial INTEGER's contents, in [`read_from`](Self::read_from).
    serial: Range<usize>,
    issuer: Subject,
    /// The issuer Name's TLV, in [`read_from`](Self::read_from).
    issuer_der: Range<usize>,
    subject: Subject,
    /// The subject Name's TLV, in [`read_from`](Self::read_from).
    subject_der: Range<usize>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    /// The SubjectPublicKeyInfo TLV, in [`read_from`](Self::read_from).
    spki_der: Range<usize>,
    key_info: KeyInfo,
    extensions: Extensions,
    /// What was read leniently (the certificate's own BER, then its extensions').
    warnings: Vec<Warning>,
}

/// A TBSCertificate read in one pass over its bytes, nothing copied but what the [`Subject`]s
/// and [`KeyInfo`] own: every field must be DER (the caller's cue, if not, to try the BER
/// rewritten as DER).
struct TbsFields<'a> {
    version: u8,
    serial: &'a [u8],
    issuer_der: &'a [u8],
    issuer: Subject,
    validity: x509_cert::time::Validity,
    subject_der: &'a [u8],
    subject: Subject,
    spki_der: &'a [u8],
    key_info: KeyInfo,
    extensions: Extensions,
}

impl<'a> TbsFields<'a> {
    /// Reads `TBSCertificate` (RFC 5280 §4.1) from its TLV, checking that its signature
    /// algorithm is the outer one.
    fn read(tbs: &'a [u8], outer: &AlgorithmIdentifierOwned) -> Result<TbsFields<'a>> {
        const WHAT: &str = "certificate";
        let (tag, body, rest) = read_tlv(tbs, WHAT)?;
        if tag != 0x30 || !rest.is_empty() {
            return Err(Error::malformed(
                "certificate: the signed part is not a SEQUENCE",
            ));
        }
        let mut fields = Elements(body);
        let mut next = fields.next()?;
        // version [0] EXPLICIT Version DEFAULT v1
        let mut version = Version::V1;
        if let Some((0xA0, tlv)) = next {
            let (_, inner, _) = read_tlv(tlv, WHAT)?;
            version = Version::from_der(inner).map_err(|e| Error::from(e).context("version"))?;
            next = fields.next()?;
        }
        let serial_tlv = fields.expect(next, 0x02, "serialNumber")?;
        let serial = IntRef::from_der(serial_tlv)
            .map_err(|e| Error::from(e).context("serialNumber"))?
            .as_bytes();
        // RFC 5280 allows 20 octets; 21 when a 20-octet number needs its sign octet (as
        // x509-cert and OpenSSL read them).
        if serial.len() > 21 {
            return Err(Error::malformed(format!(
                "certificate: serialNumber of {} octets (at most 20)",
                serial.len()
            )));
        }
        let next = fields.next()?;
        let alg_tlv = fields.expect(next, 0x30, "signature")?;
        let alg = AlgorithmIdentifierRef::from_der(alg_tlv)
            .map_err(|e| Error::from(e).context("signature"))?;
        if alg.oid != outer.oid || alg.parameters != outer.parameters.as_ref().map(AnyRef::from) {
            return Err(Error::malformed(
                "certificate: the signature algorithm inside and outside the signed part differ",
            ));
        }
        let next = fields.next()?;
        let issuer_der = fields.expect(next, 0x30, "issuer")?;
        let issuer = Subject::from_der(issuer_der).map_err(|e| e.context("issuer"))?;
        let next = fields.next()?;
        let validity = x509_cert::time::Validity::from_der(fields.expect(next, 0x30, "validity")?)
            .map_err(|e| Error::from(e).context("validity"))?;
        let next = fields.next()?;
        let subject_der = fields.expect(next, 0x30, "subject")?;
        let subject = Subject::from_der(subject_der).map_err(|e| e.context("subject"))?;
        let next = fields.next()?;
        let spki_der = fields.expect(next, 0x30, "subjectPublicKeyInfo")?;
        let key_info = KeyInfo::from_spki_der(spki_der)?;
        // issuerUniqueID [1] and subjectUniqueID [2], IMPLICIT BIT STRINGs: checked, not kept.
        let mut next = fields.next()?;
        for (tag, name) in [(0x81, "issuerUniqueID"), (0x82, "subjectUniqueID")] {
            if let Some((t, tlv)) = next
                && t == tag
            {
                let (_, bits, _) = read_tlv(tlv, name)?;
                let unused = bits.first().copied().unwrap_or(8);
                if unused > 7 || (bits.len() == 1 && unused != 0) {
                    return Err(Error::malformed(format!(
                        "certificate: {name} is not a BIT STRING"
                    )));
                }
                next = fields.next()?;
            }
        }
        // extensions [3] EXPLICIT Extensions OPTIONAL
        let version = version as u8 + 1;
        let mut extensions = Extensions::default();
        if let Some((0xA3, tlv)) = next {
            if version != 3 {
                return Err(Error::malformed(format!(
                    "certificate: extensions in a version {version} certificate"
                )));
            }
            let (_, inner, _) = read_tlv(tlv, WHAT)?;
            let (tag, _, rest) = read_tlv(inner, "extensions")?;
            if tag != 0x30 || !rest.is_empty() {
                return Err(Error::malformed(
                    "certificate: [3] does not hold one Extensions SEQUENCE",
                ));
            }
            extensions = Extensions::from_der(inner)?;
            next = fields.next()?;
        }
        if let Some((tag, _)) = next {
            return Err(Error::malformed(format!(
                "certificate: unexpected field (tag 0x{tag:02X}) in the signed part"
            )));
        }
        Ok(TbsFields {
            version,
            serial,
            issuer_der,
            issuer,
            validity,
            subject_der,
            subject,
            spki_der,
            key_info,
            extensions,
        })
    }
}

/// The elements of a SEQUENCE's contents, one TLV at a time.
struct Elements<'a>(&'a [u8]);

impl<'a> Elements<'a> {
    /// The next element's tag and whole TLV; `None` at the end.
    fn next(&mut self) -> Result<Option<(u8, &'a [u8])>> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let (tag, _, rest) = read_tlv(self.0, "certificate")?;
        let tlv = &self.0[..self.0.len() - rest.len()];
        self.0 = rest;
        Ok(Some((tag, tlv)))
    }

    /// `next`'s TLV when it has `tag`; otherwise the error naming the missing `field`.
    fn expect(&self, next: Option<(u8, &'a [u8])>, tag: u8, field: &str) -> Result<&'a [u8]> {
        match next {
            Some((t, tlv)) if t == tag => Ok(tlv),
            Some((t, _)) => Err(Error::malformed(format!(
                "certificate: {field}: expected tag 0x{tag:02X}, found 0x{t:02X}"
            ))),
            None => Err(Error::malformed(format!("certificate: no {field}"))),
        }
    }
}

/// [`TbsFields`] with its slices as ranges into the bytes read and its times converted: what
/// outlives the borrow of those bytes.
struct FieldRanges {
    version: u8,
    serial: Range<usize>,
    issuer_der: Range<usize>,
    issuer: Subject,
    subject_der: Range<usize>,
    subject: Subject,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    spki_der: Range<usize>,
    key_info: KeyInfo,
    extensions: Extensions,
}

impl TbsFields<'_> {
    /// The fields as ranges into `read`, the buffer they were read from.
    fn owned(self, read: &[u8]) -> Result<FieldRanges> {
        Ok(FieldRanges {
            version: self.version,
            serial: range_in(read, self.serial),
            issuer_der: range_in(read, self.issuer_der),
            issuer: self.issuer,
            subject_der: range_in(read, self.subject_der),
            subject: self.subject,
            not_before: time_to_offset(&self.validity.not_before)?,
            not_after: time_to_offset(&self.validity.not_after)?,
            spki_der: range_in(read, self.spki_der),
            key_info: self.key_info,
            extensions: self.extensions,
        })
    }
}

/// Where `part`, a slice of `whole`, lies in it.
fn range_in(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    debug_assert!(start <= whole.len() && start + part.len() <= whole.len());
    start..start + part.len()
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
        Certificate::from_der_vec(der.to_vec())
    }

    /// [`from_der`](Self::from_der), keeping `der` itself.
    fn from_der_vec(der: Vec<u8>) -> Result<Certificate> {
        let parts = split_signed_slices(&der, "certificate")?;
        let (tbs, signature) = (range_in(&der, parts.tbs), range_in(&der, parts.signature));
        let algorithm = parts.algorithm;
        // Read as DER; if that fails, from the BER rewritten as DER, when there was BER to
        // rewrite (the signature stays over the bytes as received).
        let strict = TbsFields::read(parts.tbs, &algorithm).and_then(|f| f.owned(&der));
        let (fields, normalized, mut warnings) = match strict {
            Ok(fields) => (fields, None, Vec::new()),
            Err(strict) => match crate::asn1::ber::normalize_noting(&der) {
                Ok((normalized, rewrites)) if rewrites.any() => {
                    let fields = split_signed_slices(&normalized, "certificate")
                        .and_then(|p| TbsFields::read(p.tbs, &algorithm))
                        .and_then(|f| f.owned(&normalized))
                        .map_err(|_| strict)?;
                    (
                        fields,
                        Some(normalized),
                        Warning::from_rewrites(rewrites, "certificate"),
                    )
                }
                _ => return Err(strict),
            },
        };
        let extensions = fields.extensions;
        if let Some(dup) = extensions.duplicates() {
            return Err(Error::malformed(format!(
                "certificate: extension {} appears twice",
                super::ext::name_of(&dup)
            )));
        }
        warnings.extend(extensions.warnings());
        Ok(Certificate {
            der,
            normalized,
            tbs,
            signature_algorithm: algorithm,
            signature,
            version: fields.version,
            serial: fields.serial,
            issuer: fields.issuer,
            issuer_der: fields.issuer_der,
            subject: fields.subject,
            subject_der: fields.subject_der,
            not_before: fields.not_before,
            not_after: fields.not_after,
            spki_der: fields.spki_der,
            key_info: fields.key_info,
            extensions,
            warnings,
        })
    }

    /// The bytes the serial, names and key were read from: the DER as received, or its
    /// rewriting when the certificate was BER inside.
    fn read_from(&self) -> &[u8] {
        self.normalized.as_deref().unwrap_or(&self.der)
    }

    /// What was read leniently: encodings that are not DER, or not within RFC 5280's
    /// profile, which the certificate was read despite (empty for a certificate in DER).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Parses a certificate from PEM (text around the block is ignored) or DER.
    pub fn from_pem(input: &[u8]) -> Result<Certificate> {
        Certificate::from_der_vec(pem::der_of(input, &[PEM_LABEL], "certificate")?)
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

    /// The DER encoding, as read, taken out of the certificate without copying.
    pub fn into_der(self) -> Vec<u8> {
        self.der
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
        &self.read_from()[self.serial.clone()]
    }

    /// The serial number in uppercase hex, as `openssl x509 -serial` prints it.
    pub fn serial_hex(&self) -> String {
        serial_hex(self.serial())
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
        &self.read_from()[self.subject_der.clone()]
    }

    /// The issuer Name's DER, as read.
    pub fn issuer_der(&self) -> &[u8] {
        &self.read_from()[self.issuer_der.clone()]
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
        &self.read_from()[self.spki_der.clone()]
    }

    /// The public key.
    pub fn public_key(&self) -> Result<crate::key::PublicKey> {
        crate::key::PublicKey::from_spki_der(self.public_key_der())
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
        &self.der[self.signature.clone()]
    }

    /// The to-be-signed bytes (TBSCertificate DER), as read.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
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
            self.issuer_der(),
            &self.issuer,
            self.subject_der(),
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
            self.issuer_der(),
            &self.issuer,
            issuer.subject_der(),
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
            issuer.public_key_der(),
            &self.signature_algorithm,
            self.tbs_der(),
            self.signature(),
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

#[cfg(test)]
mod tests {
    use der::Encode;

    use super::*;

    /// Every certificate file of the repository: the OpenSSL and GnuTLS fixtures and the
    /// real-world certificates (BER inside included).
    fn every_certificate() -> Vec<(String, Vec<u8>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in [
            root.join("tests/realworld/certs"),
            root.join("core/tests/fixtures/openssl/gnutls"),
        ] {
            for e in std::fs::read_dir(&dir).unwrap() {
                files.push(e.unwrap().path());
            }
        }
        for e in std::fs::read_dir(root.join("core/tests/fixtures/openssl")).unwrap() {
            let d = e.unwrap().path();
            for name in ["cert.pem", "ca.pem"] {
                if d.join(name).exists() {
                    files.push(d.join(name));
                }
            }
        }
        let mut out: Vec<(String, Vec<u8>)> = Vec::new();
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let name = f.display().to_string();
            if bytes.first() == Some(&0x30) {
                out.push((name, bytes));
            } else if let Ok(blocks) = pem::blocks(&bytes) {
                for b in blocks.iter().filter(|b| b.label == PEM_LABEL) {
                    out.push((name.clone(), b.der.clone()));
                }
            }
        }
        // BER inside the signed part: each critical flag 0xFF written as 0x01.
        let ber: Vec<_> = out
            .iter()
            .filter_map(|(name, der)| {
                let at = der.windows(3).position(|w| w == [0x01, 0x01, 0xff])?;
                let mut der = der.clone();
                der[at + 2] = 0x01;
                Some((format!("{name} (a BER BOOLEAN)"), der))
            })
            .collect();
        out.extend(ber);
        out
    }

    /// The one-pass reading gives what decoding with `x509-cert` and encoding the parts back
    /// gave (the parser this one replaced): the same names, key, serial, times, version and
    /// extensions, and the to-be-signed bytes and signature as received.
    #[test]
    fn the_fields_read_in_one_pass_are_x509_certs() {
        let all = every_certificate();
        assert!(all.len() > 40, "only {} certificates found", all.len());
        let mut lenient = 0;
        for (name, der) in all {
            let ours = Certificate::from_der(&der).unwrap_or_else(|e| panic!("{name}: {e}"));
            let parts = super::super::split_signed(&der, "certificate").unwrap();
            let strict = x509_cert::Certificate::from_der(&der);
            let theirs = match &strict {
                Ok(c) => c.clone(),
                Err(_) => {
                    lenient += 1;
                    let normalized = crate::asn1::ber::normalize(&der).unwrap();
                    x509_cert::Certificate::from_der(&normalized).unwrap()
                }
            };
            assert_eq!(strict.is_err(), ours.normalized.is_some(), "{name}");
            let tbs = theirs.tbs_certificate();
            assert_eq!(ours.tbs_der(), parts.tbs, "{name}");
            assert_eq!(ours.signature(), parts.signature, "{name}");
            assert_eq!(
                ours.subject_der(),
                tbs.subject().to_der().unwrap(),
                "{name}"
            );
            assert_eq!(ours.issuer_der(), tbs.issuer().to_der().unwrap(), "{name}");
            assert_eq!(
                ours.public_key_der(),
                tbs.subject_public_key_info().to_der().unwrap(),
                "{name}"
            );
            assert_eq!(ours.serial(), tbs.serial_number().as_bytes(), "{name}");
            assert_eq!(ours.version(), tbs.version() as u8 + 1, "{name}");
            assert_eq!(
                ours.not_after(),
                time_to_offset(&tbs.validity().not_after).unwrap(),
                "{name}"
            );
            assert_eq!(
                ours.not_before(),
                time_to_offset(&tbs.validity().not_before).unwrap(),
                "{name}"
            );
            let oids: Vec<_> = tbs
                .extensions()
                .map(|list| {
                    list.iter()
                        .map(|e| (e.extn_id, e.critical, e.extn_value.as_bytes().to_vec()))
                        .collect()
                })
                .unwrap_or_default();
            let ours_oids: Vec<_> = ours
                .extensions()
                .0
                .iter()
                .map(|e| (e.oid, e.critical, e.der.clone()))
                .collect();
            assert_eq!(ours_oids, oids, "{name}");
            assert_eq!(
                ours.subject(),
                &Subject::from_der(&tbs.subject().to_der().unwrap()).unwrap()
            );
            assert_eq!(ours.clone().into_der(), der, "{name}");
        }
        assert!(lenient > 0, "no certificate with BER inside was read");
    }

    #[test]
    fn what_is_not_a_certificate_is_malformed_not_a_panic() {
        let (_, der) = every_certificate().remove(0);
        for cut in [0, 1, 2, 10, der.len() / 2, der.len() - 1] {
            let e = Certificate::from_der(&der[..cut]).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "cut at {cut}");
        }
        // A field after the extensions inside the to-be-signed part is refused.
        let cert = Certificate::from_der(&der).unwrap();
        let (_, content, _) = read_tlv(cert.tbs_der(), "test").unwrap();
        let mut body = content.to_vec();
        body.extend_from_slice(&[0x05, 0x00]);
        let mut tbs = vec![0x30, 0x82];
        tbs.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
        tbs.extend_from_slice(&body);
        let e = TbsFields::read(&tbs, &cert.signature_algorithm)
            .err()
            .unwrap();
        assert!(e.message().contains("unexpected field"), "{e}");
        // And the same TBS without it reads.
        let mut tbs = vec![0x30, 0x82];
        tbs.extend_from_slice(&u16::try_from(content.len()).unwrap().to_be_bytes());
        tbs.extend_from_slice(content);
        assert!(TbsFields::read(&tbs, &cert.signature_algorithm).is_ok());
    }
}
