//! Certificate and request extensions: the standard ones Russian certificates carry and the
//! Russian ones of приказ ФСБ России № 795 (subjectSignTool, issuerSignTool) and № 31
//! (identificationKind), typed for reading and writing.
//!
//! Reading keeps every extension: those we know are decoded into an [`ExtensionValue`]
//! (a known extension whose value does not decode is a
//! [`MalformedEncoding`](crate::ErrorKind::MalformedEncoding) error naming it), the others are
//! kept as [`ExtensionValue::Other`] with their bytes. A value that is BER rather than DER (a
//! BOOLEAN TRUE as 0x01) or a privateKeyUsagePeriod with fractional seconds is read, with a
//! [`Warning`] on the extension (issue 12; see [`super::warning`]). [`Extension::is_understood`] tells
//! whether verification may accept the extension when it is critical (RFC 5280 §4.2: a
//! critical extension that is not understood makes the certificate unusable).

use const_oid::ObjectIdentifier;
use der::asn1::{GeneralizedTime, OctetString};
use der::flagset::FlagSet;
use der::{Decode, Encode, Sequence};
use time::OffsetDateTime;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage,
    KeyUsages, PrivateKeyUsagePeriod, certpolicy::PolicyInformation,
};

use super::warning::{Warning, WarningCode};
use crate::{Error, Result, oid};

/// One bit of the keyUsage extension (RFC 5280 §4.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyUsageBit {
    /// digitalSignature (0).
    DigitalSignature,
    /// nonRepudiation / contentCommitment (1).
    NonRepudiation,
    /// keyEncipherment (2).
    KeyEncipherment,
    /// dataEncipherment (3).
    DataEncipherment,
    /// keyAgreement (4).
    KeyAgreement,
    /// keyCertSign (5).
    KeyCertSign,
    /// cRLSign (6).
    CrlSign,
    /// encipherOnly (7).
    EncipherOnly,
    /// decipherOnly (8).
    DecipherOnly,
}

impl KeyUsageBit {
    /// Every bit, in bit order.
    pub const ALL: [KeyUsageBit; 9] = [
        KeyUsageBit::DigitalSignature,
        KeyUsageBit::NonRepudiation,
        KeyUsageBit::KeyEncipherment,
        KeyUsageBit::DataEncipherment,
        KeyUsageBit::KeyAgreement,
        KeyUsageBit::KeyCertSign,
        KeyUsageBit::CrlSign,
        KeyUsageBit::EncipherOnly,
        KeyUsageBit::DecipherOnly,
    ];

    /// The name in RFC 5280's ASN.1 ("digitalSignature").
    pub fn name(self) -> &'static str {
        match self {
            KeyUsageBit::DigitalSignature => "digitalSignature",
            KeyUsageBit::NonRepudiation => "nonRepudiation",
            KeyUsageBit::KeyEncipherment => "keyEncipherment",
            KeyUsageBit::DataEncipherment => "dataEncipherment",
            KeyUsageBit::KeyAgreement => "keyAgreement",
            KeyUsageBit::KeyCertSign => "keyCertSign",
            KeyUsageBit::CrlSign => "cRLSign",
            KeyUsageBit::EncipherOnly => "encipherOnly",
            KeyUsageBit::DecipherOnly => "decipherOnly",
        }
    }

    /// The name `openssl x509 -text` prints ("Digital Signature").
    pub fn openssl_name(self) -> &'static str {
        match self {
            KeyUsageBit::DigitalSignature => "Digital Signature",
            KeyUsageBit::NonRepudiation => "Non Repudiation",
            KeyUsageBit::KeyEncipherment => "Key Encipherment",
            KeyUsageBit::DataEncipherment => "Data Encipherment",
            KeyUsageBit::KeyAgreement => "Key Agreement",
            KeyUsageBit::KeyCertSign => "Certificate Sign",
            KeyUsageBit::CrlSign => "CRL Sign",
            KeyUsageBit::EncipherOnly => "Encipher Only",
            KeyUsageBit::DecipherOnly => "Decipher Only",
        }
    }

    fn flag(self) -> KeyUsages {
        match self {
            KeyUsageBit::DigitalSignature => KeyUsages::DigitalSignature,
            KeyUsageBit::NonRepudiation => KeyUsages::NonRepudiation,
            KeyUsageBit::KeyEncipherment => KeyUsages::KeyEncipherment,
            KeyUsageBit::DataEncipherment => KeyUsages::DataEncipherment,
            KeyUsageBit::KeyAgreement => KeyUsages::KeyAgreement,
            KeyUsageBit::KeyCertSign => KeyUsages::KeyCertSign,
            KeyUsageBit::CrlSign => KeyUsages::CRLSign,
            KeyUsageBit::EncipherOnly => KeyUsages::EncipherOnly,
            KeyUsageBit::DecipherOnly => KeyUsages::DecipherOnly,
        }
    }
}

/// The class of the subject's signature tool (СКЗИ), written as a certificate policy
/// (приказ ФСБ России № 795, п. 15; OIDs 1.2.643.100.113.1–6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignToolClass {
    /// КС1 (1.2.643.100.113.1).
    Kc1,
    /// КС2 (1.2.643.100.113.2).
    Kc2,
    /// КС3 (1.2.643.100.113.3).
    Kc3,
    /// КВ1 (1.2.643.100.113.4).
    Kb1,
    /// КВ2 (1.2.643.100.113.5).
    Kb2,
    /// КА1 (1.2.643.100.113.6).
    Ka1,
}

impl SignToolClass {
    /// Every class, from the weakest.
    pub const ALL: [SignToolClass; 6] = [
        SignToolClass::Kc1,
        SignToolClass::Kc2,
        SignToolClass::Kc3,
        SignToolClass::Kb1,
        SignToolClass::Kb2,
        SignToolClass::Ka1,
    ];

    /// The policy OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            SignToolClass::Kc1 => oid::POLICY_KC1,
            SignToolClass::Kc2 => oid::POLICY_KC2,
            SignToolClass::Kc3 => oid::POLICY_KC3,
            SignToolClass::Kb1 => oid::POLICY_KB1,
            SignToolClass::Kb2 => oid::POLICY_KB2,
            SignToolClass::Ka1 => oid::POLICY_KA1,
        }
    }

    /// The class for a policy OID, if it is one of 1.2.643.100.113.1–6.
    pub fn from_oid(o: &ObjectIdentifier) -> Option<SignToolClass> {
        Self::ALL.into_iter().find(|c| c.oid() == *o)
    }

    /// The Russian name ("КС1").
    pub fn name(self) -> &'static str {
        match self {
            SignToolClass::Kc1 => "КС1",
            SignToolClass::Kc2 => "КС2",
            SignToolClass::Kc3 => "КС3",
            SignToolClass::Kb1 => "КВ1",
            SignToolClass::Kb2 => "КВ2",
            SignToolClass::Ka1 => "КА1",
        }
    }

    /// The Latin transliteration OpenSSL uses ("KC1").
    pub fn latin_name(self) -> &'static str {
        match self {
            SignToolClass::Kc1 => "KC1",
            SignToolClass::Kc2 => "KC2",
            SignToolClass::Kc3 => "KC3",
            SignToolClass::Kb1 => "KB1",
            SignToolClass::Kb2 => "KB2",
            SignToolClass::Ka1 => "KA1",
        }
    }
}

/// issuerSignTool (1.2.643.100.112), приказ ФСБ России № 795, п. 15:
///
/// ```text
/// IssuerSignTool ::= SEQUENCE {
///     signTool     UTF8String SIZE(1..200),  -- the issuer's signature tool
///     cATool       UTF8String SIZE(1..200),  -- the issuer's CA tool
///     signToolCert UTF8String SIZE(1..100),  -- conformity certificate of signTool
///     cAToolCert   UTF8String SIZE(1..100) } -- conformity certificate of cATool
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Sequence)]
pub struct IssuerSignTool {
    /// signTool: the CIPF the issuer signs with.
    pub sign_tool: String,
    /// cATool: the CA software.
    pub ca_tool: String,
    /// signToolCert: the conformity certificate of signTool.
    pub sign_tool_cert: String,
    /// cAToolCert: the conformity certificate of cATool.
    pub ca_tool_cert: String,
}

/// identificationKind (1.2.643.100.114), приказ ФСБ России № 31 (2021):
/// `IdentificationKind ::= INTEGER` — how the applicant was identified when the certificate
/// was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentificationKind {
    /// 0: in person.
    InPerson,
    /// 1: remotely, by a valid qualified signature.
    QualifiedSignature,
    /// 2: remotely, by a foreign passport with biometric data.
    BiometricPassport,
    /// 3: remotely, through the unified biometric system (ЕБС).
    UnifiedBiometricSystem,
    /// Any other value (kept as read).
    Other(i64),
}

impl IdentificationKind {
    /// The INTEGER value.
    pub fn value(self) -> i64 {
        match self {
            IdentificationKind::InPerson => 0,
            IdentificationKind::QualifiedSignature => 1,
            IdentificationKind::BiometricPassport => 2,
            IdentificationKind::UnifiedBiometricSystem => 3,
            IdentificationKind::Other(v) => v,
        }
    }

    /// The kind for an INTEGER value.
    pub fn from_value(v: i64) -> IdentificationKind {
        match v {
            0 => IdentificationKind::InPerson,
            1 => IdentificationKind::QualifiedSignature,
            2 => IdentificationKind::BiometricPassport,
            3 => IdentificationKind::UnifiedBiometricSystem,
            v => IdentificationKind::Other(v),
        }
    }

    /// A short English description.
    pub fn description(self) -> &'static str {
        match self {
            IdentificationKind::InPerson => "in person",
            IdentificationKind::QualifiedSignature => "remotely, by a qualified signature",
            IdentificationKind::BiometricPassport => "remotely, by a biometric passport",
            IdentificationKind::UnifiedBiometricSystem => {
                "remotely, by the unified biometric system"
            }
            IdentificationKind::Other(_) => "unknown",
        }
    }
}

/// The decoded value of an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionValue {
    /// keyUsage (2.5.29.15): the bits set, in bit order.
    KeyUsage(Vec<KeyUsageBit>),
    /// extendedKeyUsage (2.5.29.37): the purposes.
    ExtendedKeyUsage(Vec<ObjectIdentifier>),
    /// certificatePolicies (2.5.29.32): the policy OIDs (qualifiers are not interpreted).
    CertificatePolicies(Vec<ObjectIdentifier>),
    /// subjectSignTool (1.2.643.100.111): `SubjectSignTool ::= UTF8String SIZE(1..200)`.
    SubjectSignTool(String),
    /// issuerSignTool (1.2.643.100.112).
    IssuerSignTool(IssuerSignTool),
    /// identificationKind (1.2.643.100.114).
    IdentificationKind(IdentificationKind),
    /// privateKeyUsagePeriod (2.5.29.16).
    PrivateKeyUsagePeriod {
        /// notBefore, when present.
        not_before: Option<OffsetDateTime>,
        /// notAfter, when present.
        not_after: Option<OffsetDateTime>,
    },
    /// basicConstraints (2.5.29.19).
    BasicConstraints {
        /// cA.
        ca: bool,
        /// pathLenConstraint.
        path_len: Option<u8>,
    },
    /// subjectKeyIdentifier (2.5.29.14).
    SubjectKeyIdentifier(Vec<u8>),
    /// authorityKeyIdentifier (2.5.29.35): keyIdentifier and authorityCertSerialNumber
    /// (authorityCertIssuer is not interpreted).
    AuthorityKeyIdentifier {
        /// keyIdentifier.
        key_id: Option<Vec<u8>>,
        /// authorityCertSerialNumber (the INTEGER's content octets).
        serial: Option<Vec<u8>>,
    },
    /// Any other extension; [`Extension::der`] holds its value.
    Other,
}

/// One extension: its OID, criticality, decoded value and the DER of its value (the
/// contents of extnValue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// extnID.
    pub oid: ObjectIdentifier,
    /// critical.
    pub critical: bool,
    /// The decoded value.
    pub value: ExtensionValue,
    /// The DER inside extnValue, as read or as written.
    pub der: Vec<u8>,
    /// What was read leniently in the value (empty for DER within the profile).
    pub warnings: Vec<Warning>,
}

fn time_of(t: &GeneralizedTime) -> Result<OffsetDateTime> {
    crate::pki::unix_to_offset(t.to_unix_duration())
}

fn generalized(t: OffsetDateTime) -> Result<GeneralizedTime> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| Error::invalid_field("privateKeyUsagePeriod", "time before 1970"))?;
    Ok(GeneralizedTime::from_unix_duration(
        std::time::Duration::from_secs(secs),
    )?)
}

impl Extension {
    /// Decodes an extension from its parts. A known extension whose value does not decode is
    /// a [`MalformedEncoding`](crate::ErrorKind::MalformedEncoding) error naming it.
    ///
    /// A value that does not decode as DER but does once read as BER (see `asn1::ber`), or a
    /// privateKeyUsagePeriod whose times have fractional seconds, is read with
    /// [`warnings`](Extension::warnings).
    pub fn decode(oid: ObjectIdentifier, critical: bool, der: &[u8]) -> Result<Extension> {
        let (value, warnings) = match decode_value(&oid, der) {
            Ok(v) => (v, Vec::new()),
            Err(strict) => decode_leniently(&oid, der)
                .ok_or(strict)
                .map_err(|e| e.context(format!("extension {}", name_of(&oid))))?,
        };
        Ok(Extension {
            oid,
            critical,
            value,
            der: der.to_vec(),
            warnings,
        })
    }

    /// Encodes a typed value as an extension. [`ExtensionValue::Other`] cannot be encoded
    /// this way: use [`Extension::raw`].
    pub fn new(value: ExtensionValue, critical: bool) -> Result<Extension> {
        let (oid, der) = encode_value(&value)?;
        Ok(Extension {
            oid,
            critical,
            value,
            der,
            warnings: Vec::new(),
        })
    }

    /// An arbitrary extension from its OID and DER value; a known OID is decoded (and must
    /// decode).
    pub fn raw(oid: ObjectIdentifier, critical: bool, der: Vec<u8>) -> Result<Extension> {
        Extension::decode(oid, critical, &der)
    }

    /// A short name: "keyUsage", "subjectSignTool", ... or the dotted OID.
    pub fn name(&self) -> String {
        name_of(&self.oid)
    }

    /// Whether bankkey processes this extension, so that it may be accepted when critical.
    pub fn is_understood(&self) -> bool {
        !matches!(self.value, ExtensionValue::Other)
    }

    /// As an `x509_cert` extension, for encoding.
    pub(crate) fn to_x509(&self) -> Result<x509_cert::ext::Extension> {
        Ok(x509_cert::ext::Extension {
            extn_id: self.oid,
            critical: self.critical,
            extn_value: OctetString::new(self.der.clone())?,
        })
    }

    /// From an `x509_cert` extension.
    pub(crate) fn from_x509(e: &x509_cert::ext::Extension) -> Result<Extension> {
        Extension::decode(e.extn_id, e.critical, e.extn_value.as_bytes())
    }
}

/// `Extension` (RFC 5280 §4.1) borrowed from the bytes read.
#[derive(der::Sequence)]
struct ExtensionRef<'a> {
    extn_id: ObjectIdentifier,
    #[asn1(default = "Default::default")]
    critical: bool,
    extn_value: &'a der::asn1::OctetStringRef,
}

/// The short name of an extension OID (the dotted OID when unknown).
pub fn name_of(o: &ObjectIdentifier) -> String {
    let n = match *o {
        oid::EXT_KEY_USAGE => "keyUsage",
        oid::EXT_EXTENDED_KEY_USAGE => "extendedKeyUsage",
        oid::EXT_CERTIFICATE_POLICIES => "certificatePolicies",
        oid::EXT_SUBJECT_SIGN_TOOL => "subjectSignTool",
        oid::EXT_ISSUER_SIGN_TOOL => "issuerSignTool",
        oid::EXT_IDENTIFICATION_KIND => "identificationKind",
        oid::EXT_PRIVATE_KEY_USAGE_PERIOD => "privateKeyUsagePeriod",
        oid::EXT_BASIC_CONSTRAINTS => "basicConstraints",
        oid::EXT_SUBJECT_KEY_IDENTIFIER => "subjectKeyIdentifier",
        oid::EXT_AUTHORITY_KEY_IDENTIFIER => "authorityKeyIdentifier",
        oid::EXT_SUBJECT_ALT_NAME => "subjectAltName",
        oid::EXT_CRL_DISTRIBUTION_POINTS => "cRLDistributionPoints",
        oid::EXT_AUTHORITY_INFO_ACCESS => "authorityInfoAccess",
        _ => return o.to_string(),
    };
    n.to_owned()
}

fn decode_value(o: &ObjectIdentifier, der: &[u8]) -> Result<ExtensionValue> {
    Ok(match *o {
        oid::EXT_KEY_USAGE => {
            let ku = KeyUsage::from_der(der)?;
            ExtensionValue::KeyUsage(
                KeyUsageBit::ALL
                    .into_iter()
                    .filter(|b| ku.0.contains(b.flag()))
                    .collect(),
            )
        }
        oid::EXT_EXTENDED_KEY_USAGE => {
            ExtensionValue::ExtendedKeyUsage(ExtendedKeyUsage::from_der(der)?.0)
        }
        oid::EXT_CERTIFICATE_POLICIES => ExtensionValue::CertificatePolicies(
            CertificatePolicies::from_der(der)?
                .0
                .into_iter()
                .map(|p| p.policy_identifier)
                .collect(),
        ),
        oid::EXT_SUBJECT_SIGN_TOOL => ExtensionValue::SubjectSignTool(String::from_der(der)?),
        oid::EXT_ISSUER_SIGN_TOOL => ExtensionValue::IssuerSignTool(IssuerSignTool::from_der(der)?),
        oid::EXT_IDENTIFICATION_KIND => {
            ExtensionValue::IdentificationKind(IdentificationKind::from_value(i64::from_der(der)?))
        }
        oid::EXT_PRIVATE_KEY_USAGE_PERIOD => {
            let p = PrivateKeyUsagePeriod::from_der(der)?;
            if p.not_before.is_none() && p.not_after.is_none() {
                return Err(Error::malformed(
                    "privateKeyUsagePeriod has neither notBefore nor notAfter",
                ));
            }
            ExtensionValue::PrivateKeyUsagePeriod {
                not_before: p.not_before.as_ref().map(time_of).transpose()?,
                not_after: p.not_after.as_ref().map(time_of).transpose()?,
            }
        }
        oid::EXT_BASIC_CONSTRAINTS => {
            let b = BasicConstraints::from_der(der)?;
            ExtensionValue::BasicConstraints {
                ca: b.ca,
                path_len: b.path_len_constraint,
            }
        }
        oid::EXT_SUBJECT_KEY_IDENTIFIER => {
            ExtensionValue::SubjectKeyIdentifier(OctetString::from_der(der)?.as_bytes().to_vec())
        }
        oid::EXT_AUTHORITY_KEY_IDENTIFIER => {
            let a = AuthorityKeyIdentifier::from_der(der)?;
            ExtensionValue::AuthorityKeyIdentifier {
                key_id: a.key_identifier.map(|k| k.as_bytes().to_vec()),
                serial: a
                    .authority_cert_serial_number
                    .map(|s| s.as_bytes().to_vec()),
            }
        }
        _ => ExtensionValue::Other,
    })
}

/// A known extension's value that is not DER read as BER, and a privateKeyUsagePeriod with
/// fractional seconds; `None` when neither makes it decode (the strict error then stands).
fn decode_leniently(o: &ObjectIdentifier, der: &[u8]) -> Option<(ExtensionValue, Vec<Warning>)> {
    let place = format!("extension {}", name_of(o));
    if *o == oid::EXT_PRIVATE_KEY_USAGE_PERIOD
        && let Ok((value, true)) = private_key_usage_period_lenient(der)
    {
        let w = Warning::new(
            WarningCode::FractionalSeconds,
            format!(
                "{place}: a time with fractional seconds (RFC 5280 wants whole seconds), read to the second"
            ),
        );
        return Some((value, vec![w]));
    }
    let (normalized, rewrites) = crate::asn1::ber::normalize_noting(der).ok()?;
    if !rewrites.any() {
        return None;
    }
    let value = decode_value(o, &normalized).ok()?;
    Some((value, Warning::from_rewrites(rewrites, &place)))
}

/// privateKeyUsagePeriod (RFC 5280 §4.2.1.4, deprecated but written by Russian CAs)
/// read by hand, accepting fractional seconds in its GeneralizedTimes (X.690 allows them in
/// DER; RFC 5280's profile and `der` do not):
///
/// ```text
/// PrivateKeyUsagePeriod ::= SEQUENCE {
///     notBefore [0] IMPLICIT GeneralizedTime OPTIONAL,
///     notAfter  [1] IMPLICIT GeneralizedTime OPTIONAL }
/// ```
///
/// Returns the value and whether a fraction was dropped.
fn private_key_usage_period_lenient(der: &[u8]) -> Result<(ExtensionValue, bool)> {
    const WHAT: &str = "privateKeyUsagePeriod";
    let (tag, mut body, rest) = crate::asn1::read_tlv(der, WHAT)?;
    if tag != 0x30 || !rest.is_empty() {
        return Err(Error::malformed(format!("{WHAT}: not one SEQUENCE")));
    }
    let mut times = [None, None];
    let mut fractional = false;
    for (i, want) in [0x80u8, 0x81].into_iter().enumerate() {
        if body.first() == Some(&want) {
            let (_, content, rest) = crate::asn1::read_tlv(body, WHAT)?;
            let (t, f) = generalized_time_lenient(content)?;
            times[i] = Some(t);
            fractional |= f;
            body = rest;
        }
    }
    if !body.is_empty() {
        return Err(Error::malformed(format!("{WHAT}: unexpected content")));
    }
    if times == [None, None] {
        return Err(Error::malformed(format!(
            "{WHAT} has neither notBefore nor notAfter"
        )));
    }
    Ok((
        ExtensionValue::PrivateKeyUsagePeriod {
            not_before: times[0],
            not_after: times[1],
        },
        fractional,
    ))
}

/// A GeneralizedTime's content `YYYYMMDDHHMMSS[.f…]Z`, UTC, to the whole second; and whether
/// it had a fraction. Anything else (no `Z`, a local time, missing seconds, a comma) is
/// malformed, as DER requires.
fn generalized_time_lenient(content: &[u8]) -> Result<(OffsetDateTime, bool)> {
    let bad = || Error::malformed("GeneralizedTime: not YYYYMMDDHHMMSS[.fff]Z");
    let text = std::str::from_utf8(content).map_err(|_| bad())?;
    let text = text.strip_suffix('Z').ok_or_else(bad)?;
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    if whole.len() != 14
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| whole[r].parse::<u16>().map_err(|_| bad());
    let month = time::Month::try_from(n(4..6)? as u8).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(i32::from(n(0..4)?), month, n(6..8)? as u8)
        .map_err(|_| bad())?;
    let t = time::Time::from_hms(n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8)
        .map_err(|_| bad())?;
    Ok((date.with_time(t).assume_utc(), fraction.is_some()))
}

fn encode_value(v: &ExtensionValue) -> Result<(ObjectIdentifier, Vec<u8>)> {
    Ok(match v {
        ExtensionValue::KeyUsage(bits) => {
            if bits.is_empty() {
                return Err(Error::invalid_field("keyUsage", "no key usage bit set"));
            }
            let mut flags = FlagSet::<KeyUsages>::default();
            for b in bits {
                flags |= b.flag();
            }
            (oid::EXT_KEY_USAGE, KeyUsage(flags).to_der()?)
        }
        ExtensionValue::ExtendedKeyUsage(purposes) => {
            if purposes.is_empty() {
                return Err(Error::invalid_field("extendedKeyUsage", "no purpose given"));
            }
            (
                oid::EXT_EXTENDED_KEY_USAGE,
                ExtendedKeyUsage(purposes.clone()).to_der()?,
            )
        }
        ExtensionValue::CertificatePolicies(policies) => {
            if policies.is_empty() {
                return Err(Error::invalid_field(
                    "certificatePolicies",
                    "no policy given",
                ));
            }
            let infos = policies
                .iter()
                .map(|p| PolicyInformation {
                    policy_identifier: *p,
                    policy_qualifiers: None,
                })
                .collect();
            (
                oid::EXT_CERTIFICATE_POLICIES,
                CertificatePolicies(infos).to_der()?,
            )
        }
        ExtensionValue::SubjectSignTool(s) => {
            check_tool_string("subjectSignTool", s, 200)?;
            (oid::EXT_SUBJECT_SIGN_TOOL, s.to_der()?)
        }
        ExtensionValue::IssuerSignTool(t) => {
            check_tool_string("issuerSignTool.signTool", &t.sign_tool, 200)?;
            check_tool_string("issuerSignTool.cATool", &t.ca_tool, 200)?;
            check_tool_string("issuerSignTool.signToolCert", &t.sign_tool_cert, 100)?;
            check_tool_string("issuerSignTool.cAToolCert", &t.ca_tool_cert, 100)?;
            (oid::EXT_ISSUER_SIGN_TOOL, t.to_der()?)
        }
        ExtensionValue::IdentificationKind(k) => {
            (oid::EXT_IDENTIFICATION_KIND, k.value().to_der()?)
        }
        ExtensionValue::PrivateKeyUsagePeriod {
            not_before,
            not_after,
        } => {
            if not_before.is_none() && not_after.is_none() {
                return Err(Error::invalid_field(
                    "privateKeyUsagePeriod",
                    "either notBefore or notAfter must be given",
                ));
            }
            let p = PrivateKeyUsagePeriod {
                not_before: not_before.map(generalized).transpose()?,
                not_after: not_after.map(generalized).transpose()?,
            };
            (oid::EXT_PRIVATE_KEY_USAGE_PERIOD, p.to_der()?)
        }
        ExtensionValue::BasicConstraints { ca, path_len } => (
            oid::EXT_BASIC_CONSTRAINTS,
            BasicConstraints {
                ca: *ca,
                path_len_constraint: *path_len,
            }
            .to_der()?,
        ),
        ExtensionValue::SubjectKeyIdentifier(id) => (
            oid::EXT_SUBJECT_KEY_IDENTIFIER,
            OctetString::new(id.clone())?.to_der()?,
        ),
        ExtensionValue::AuthorityKeyIdentifier { key_id, serial } => {
            if serial.is_some() {
                return Err(Error::invalid_field(
                    "authorityKeyIdentifier",
                    "writing authorityCertSerialNumber without authorityCertIssuer is not allowed \
                     (RFC 5280 §4.2.1.1); write the key identifier only",
                ));
            }
            let a = AuthorityKeyIdentifier {
                key_identifier: key_id.clone().map(OctetString::new).transpose()?,
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            (oid::EXT_AUTHORITY_KEY_IDENTIFIER, a.to_der()?)
        }
        ExtensionValue::Other => {
            return Err(Error::new(
                crate::ErrorKind::InvalidInput,
                "an extension of another type is written with Extension::raw",
            ));
        }
    })
}

fn check_tool_string(field: &str, s: &str, max: usize) -> Result<()> {
    let n = s.chars().count();
    if n == 0 || n > max {
        return Err(Error::invalid_field(
            field,
            format!("{field} must have 1 to {max} characters, has {n}"),
        ));
    }
    Ok(())
}

/// The extensions of a certificate or request, in their order, with typed accessors (the
/// first extension of each type; [`Extensions::duplicates`] reports repeats).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extensions(pub Vec<Extension>);

impl Extensions {
    /// All extensions, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Extension> {
        self.0.iter()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first extension with this OID.
    pub fn get(&self, o: &ObjectIdentifier) -> Option<&Extension> {
        self.0.iter().find(|e| e.oid == *o)
    }

    /// An OID that appears more than once (RFC 5280 §4.2 forbids it), if any.
    pub fn duplicates(&self) -> Option<ObjectIdentifier> {
        self.0
            .iter()
            .enumerate()
            .find(|(i, e)| self.0[..*i].iter().any(|f| f.oid == e.oid))
            .map(|(_, e)| e.oid)
    }

    /// Every warning of every extension, in order.
    pub fn warnings(&self) -> Vec<Warning> {
        self.0
            .iter()
            .flat_map(|e| e.warnings.iter().cloned())
            .collect()
    }

    /// A critical extension bankkey does not understand, if any.
    pub fn unknown_critical(&self) -> Option<&Extension> {
        self.0.iter().find(|e| e.critical && !e.is_understood())
    }

    /// keyUsage bits, when present.
    pub fn key_usage(&self) -> Option<&[KeyUsageBit]> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::KeyUsage(b) => Some(b.as_slice()),
            _ => None,
        })
    }

    /// extendedKeyUsage purposes, when present.
    pub fn extended_key_usage(&self) -> Option<&[ObjectIdentifier]> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::ExtendedKeyUsage(p) => Some(p.as_slice()),
            _ => None,
        })
    }

    /// certificatePolicies OIDs, when present.
    pub fn policies(&self) -> Option<&[ObjectIdentifier]> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::CertificatePolicies(p) => Some(p.as_slice()),
            _ => None,
        })
    }

    /// The signature-tool classes named in certificatePolicies (КС1–КА1).
    pub fn sign_tool_classes(&self) -> Vec<SignToolClass> {
        self.policies()
            .unwrap_or(&[])
            .iter()
            .filter_map(SignToolClass::from_oid)
            .collect()
    }

    /// subjectSignTool, when present.
    pub fn subject_sign_tool(&self) -> Option<&str> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::SubjectSignTool(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// issuerSignTool, when present.
    pub fn issuer_sign_tool(&self) -> Option<&IssuerSignTool> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::IssuerSignTool(t) => Some(t),
            _ => None,
        })
    }

    /// identificationKind, when present.
    pub fn identification_kind(&self) -> Option<IdentificationKind> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::IdentificationKind(k) => Some(*k),
            _ => None,
        })
    }

    /// privateKeyUsagePeriod (notBefore, notAfter), when present.
    pub fn private_key_usage_period(
        &self,
    ) -> Option<(Option<OffsetDateTime>, Option<OffsetDateTime>)> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::PrivateKeyUsagePeriod {
                not_before,
                not_after,
            } => Some((*not_before, *not_after)),
            _ => None,
        })
    }

    /// basicConstraints (cA, pathLenConstraint), when present.
    pub fn basic_constraints(&self) -> Option<(bool, Option<u8>)> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::BasicConstraints { ca, path_len } => Some((*ca, *path_len)),
            _ => None,
        })
    }

    /// subjectKeyIdentifier, when present.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::SubjectKeyIdentifier(k) => Some(k.as_slice()),
            _ => None,
        })
    }

    /// authorityKeyIdentifier's keyIdentifier, when present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.0.iter().find_map(|e| match &e.value {
            ExtensionValue::AuthorityKeyIdentifier { key_id, .. } => key_id.as_deref(),
            _ => None,
        })
    }

    /// Reads `Extensions ::= SEQUENCE OF Extension` (its whole TLV, in DER), each value from
    /// the bytes given, without copying the list first.
    pub(crate) fn from_der(list: &[u8]) -> Result<Extensions> {
        let (tag, mut items, _) = crate::asn1::read_tlv(list, "extensions")?;
        if tag != 0x30 {
            return Err(Error::malformed("extensions: not a SEQUENCE"));
        }
        let mut out = Vec::new();
        while !items.is_empty() {
            let (_, _, rest) = crate::asn1::read_tlv(items, "extensions")?;
            let e = ExtensionRef::from_der(&items[..items.len() - rest.len()])
                .map_err(|e| Error::from(e).context("extension"))?;
            out.push(Extension::decode(
                e.extn_id,
                e.critical,
                e.extn_value.as_bytes(),
            )?);
            items = rest;
        }
        Ok(Extensions(out))
    }

    pub(crate) fn from_x509(list: &[x509_cert::ext::Extension]) -> Result<Extensions> {
        Ok(Extensions(
            list.iter()
                .map(Extension::from_x509)
                .collect::<Result<Vec<_>>>()?,
        ))
    }

    pub(crate) fn to_x509(&self) -> Result<Vec<x509_cert::ext::Extension>> {
        self.0.iter().map(Extension::to_x509).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_round_trip() {
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let values = [
            ExtensionValue::KeyUsage(vec![
                KeyUsageBit::DigitalSignature,
                KeyUsageBit::NonRepudiation,
            ]),
            ExtensionValue::ExtendedKeyUsage(vec![oid::KP_CLIENT_AUTH]),
            ExtensionValue::CertificatePolicies(vec![oid::POLICY_KC1, oid::POLICY_KC2]),
            ExtensionValue::SubjectSignTool("СКЗИ «КриптоПро CSP»".into()),
            ExtensionValue::IssuerSignTool(IssuerSignTool {
                sign_tool: "a".into(),
                ca_tool: "b".into(),
                sign_tool_cert: "c".into(),
                ca_tool_cert: "d".into(),
            }),
            ExtensionValue::IdentificationKind(IdentificationKind::QualifiedSignature),
            ExtensionValue::PrivateKeyUsagePeriod {
                not_before: Some(t),
                not_after: None,
            },
            ExtensionValue::BasicConstraints {
                ca: true,
                path_len: Some(0),
            },
            ExtensionValue::SubjectKeyIdentifier(vec![1, 2, 3]),
            ExtensionValue::AuthorityKeyIdentifier {
                key_id: Some(vec![4, 5]),
                serial: None,
            },
        ];
        for v in values {
            let e = Extension::new(v.clone(), false).unwrap();
            let back = Extension::decode(e.oid, false, &e.der).unwrap();
            assert_eq!(back.value, v);
            assert!(back.is_understood());
        }
    }

    #[test]
    fn key_usage_der_is_minimal() {
        // digitalSignature + nonRepudiation: BIT STRING, 6 unused bits, 0xC0 (RFC 5280 DER).
        let e = Extension::new(
            ExtensionValue::KeyUsage(vec![
                KeyUsageBit::DigitalSignature,
                KeyUsageBit::NonRepudiation,
            ]),
            true,
        )
        .unwrap();
        assert_eq!(e.der, [0x03, 0x02, 0x06, 0xC0]);
    }

    #[test]
    fn identification_kind_is_an_integer() {
        let e = Extension::new(
            ExtensionValue::IdentificationKind(IdentificationKind::InPerson),
            false,
        )
        .unwrap();
        assert_eq!(e.der, [0x02, 0x01, 0x00]);
    }

    #[test]
    fn malformed_known_extension_names_it() {
        let err =
            Extension::decode(oid::EXT_SUBJECT_SIGN_TOOL, false, &[0x02, 0x01, 0x00]).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::MalformedEncoding);
        assert!(err.message().contains("subjectSignTool"), "{err}");
    }

    #[test]
    fn a_ber_boolean_is_read_with_a_warning() {
        // basicConstraints { cA 0x01, pathLen 0 }, as ПФР's 2015 CA wrote it.
        let ber = [0x30, 0x06, 0x01, 0x01, 0x01, 0x02, 0x01, 0x00];
        let e = Extension::decode(oid::EXT_BASIC_CONSTRAINTS, true, &ber).unwrap();
        assert_eq!(
            e.value,
            ExtensionValue::BasicConstraints {
                ca: true,
                path_len: Some(0)
            }
        );
        assert_eq!(e.der, ber, "the bytes are kept as read");
        assert_eq!(e.warnings.len(), 1);
        assert_eq!(e.warnings[0].code, WarningCode::BerBoolean);
        assert!(e.warnings[0].detail.contains("basicConstraints"));
        // DER has no warning; garbage stays an error naming the extension.
        let der = [0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x00];
        assert!(
            Extension::decode(oid::EXT_BASIC_CONSTRAINTS, true, &der)
                .unwrap()
                .warnings
                .is_empty()
        );
        let err = Extension::decode(oid::EXT_BASIC_CONSTRAINTS, true, &[0x30, 0x03, 0x01, 0x01])
            .unwrap_err();
        assert!(err.message().contains("basicConstraints"), "{err}");
    }

    #[test]
    fn fractional_seconds_in_the_key_usage_period_are_read_to_the_second() {
        // The Ministry's 2025 root: notBefore 20251217100600.876Z, notAfter 20331217100600Z.
        let der = hex::decode(
            "3026801332303235313231373130303630302E3837365A810F32303333313231373130303630305A",
        )
        .unwrap();
        let e = Extension::decode(oid::EXT_PRIVATE_KEY_USAGE_PERIOD, false, &der).unwrap();
        let ExtensionValue::PrivateKeyUsagePeriod {
            not_before,
            not_after,
        } = e.value
        else {
            panic!("{:?}", e.value)
        };
        assert_eq!(not_before.unwrap().unix_timestamp(), 1_765_965_960);
        assert_eq!(not_after.unwrap().unix_timestamp(), 2_018_426_760);
        assert_eq!(e.warnings[0].code, WarningCode::FractionalSeconds);
        // What DER forbids outright stays refused: a comma, a local time, no seconds.
        for bad in [
            "20251217100600,876Z",
            "20251217100600.876",
            "202512171006Z",
            "20251317100600Z",
            "20251217100600.Z",
        ] {
            let mut v = vec![0x30, (bad.len() + 2) as u8, 0x80, bad.len() as u8];
            v.extend(bad.as_bytes());
            assert!(
                Extension::decode(oid::EXT_PRIVATE_KEY_USAGE_PERIOD, false, &v).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_extension_is_kept() {
        let o = ObjectIdentifier::new_unwrap("1.2.3.4");
        let e = Extension::raw(o, true, vec![0x05, 0x00]).unwrap();
        assert!(!e.is_understood());
        let list = Extensions(vec![e]);
        assert!(list.unknown_critical().is_some());
    }
}
