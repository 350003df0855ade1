//! Structured, JSON-serialisable reports of certificates, requests and keys: what
//! `openssl x509 -text` shows, plus the checks a bank makes and one verdict.
//!
//! A report lists the subject and issuer attributes in order (OID, label, ASN.1 string type,
//! value), the serial in hex, the validity in RFC 3339, the public key (algorithm OID,
//! parameter-set OID, SHA-1 key identifier of the subjectPublicKey bits), the signature
//! algorithm OID, every extension with its decoded value, the identifier checks (INN, OGRN,
//! SNILS check digits), the checks made, and a verdict: `valid`, or `invalid` with one
//! [`Reason`].
//!
//! # The verdict
//!
//! Every check that can be made is made; each failure has a [`Reason`]; the verdict's reason
//! is the failure that comes first in [`Reason`]'s order (the order of issue 2's list:
//! malformed, bad-signature, content-missing, wrong-issuer, untrusted, expired,
//! not-yet-valid, key-mismatch, bad-inn-checksum, bad-snils-checksum, bad-ogrn-checksum,
//! ...).
//!
//! `valid` means that every check the object's authenticity rests on was made and passed,
//! never merely that nothing failed: a check that could not be made is listed as `skipped`
//! *with* a reason, and such a check makes the verdict `invalid` just as a failure does
//! (fail closed; ETSI EN 319 102-1 calls this INDETERMINATE, and so that no consumer that
//! tests `verdict != "invalid"` passes it, it is reported as `invalid`). The two such checks:
//!
//! - a detached CMS signature given without its content: nothing cryptographic can be
//!   verified, `content-missing`;
//! - a certificate or CMS signer checked without trust anchors ([`Options::trust`]): the
//!   path to a trusted root is not known, `untrusted` (a self-issued certificate's own
//!   signature is still verified and listed).
//!
//! # Warnings
//!
//! What was read although it is not DER, or not within RFC 5280's profile (a BOOLEAN TRUE as
//! 0x01, fractional seconds: see [`crate::pki::warning`]), is listed in `warnings`, for the
//! object itself and for every certificate of the path that was found. A warning does not
//! change the verdict: the signatures were verified over the bytes as received. The field is
//! left out when there is none, so the report of a DER object is what it was.

use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::cms::{DigestedData, EnvelopedData, RecipientKind, SignedData, SignerId, VerifyOptions};
use crate::detect::{Shape, shape_of};
use crate::pki::ext::{ExtensionValue, Extensions, SignToolClass};
use crate::pki::{
    Certificate, CertificateRequest, KeyInfo, Warning, build_chain, ext::Extension, pem, rfc3339,
};
use crate::subject::IdentifierCheck;
use crate::subject::Subject;
use crate::vocab::stable_codes;
use crate::{Error, ErrorKind, oid};

/// What was inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectKind {
    /// An X.509 certificate.
    Certificate,
    /// A PKCS#10 certificate request.
    CertificateRequest,
    /// A PKCS#8 private key (plain or encrypted).
    PrivateKey,
    /// A SubjectPublicKeyInfo.
    PublicKey,
    /// A CMS SignedData (a `ContentInfo` holding one).
    SignedData,
    /// A CMS DigestedData: content and its digest, nothing signed.
    DigestedData,
    /// A CMS EnvelopedData: recognised, its recipients named, not decrypted.
    EnvelopedData,
    /// Another CMS content type (EncryptedData, AuthenticatedData, ...): recognised by its
    /// `content_type`, not opened.
    CmsContent,
    /// Bytes that could not be recognised.
    Unknown,
    /// A PFX (PKCS#12) transport container.
    Pfx,
    /// A CryptoPro CSP file container folder.
    #[serde(rename = "cryptopro-container")]
    CryptoProContainer,
}

/// `valid` or `invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every check made passed.
    Valid,
    /// A check failed; see the reason.
    Invalid,
}

/// Why an object is invalid, in priority order (the first failure in this order is the
/// verdict's reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The bytes are not a well-formed object (or use an unsupported algorithm).
    Malformed,
    /// A signature does not verify.
    BadSignature,
    /// A detached signature was given without its content: no signature could be verified.
    ContentMissing,
    /// The issuer named is not the one checked against.
    WrongIssuer,
    /// No path to a trust anchor, or an unknown critical extension.
    Untrusted,
    /// Past notAfter.
    Expired,
    /// Before notBefore.
    NotYetValid,
    /// A key does not match the one expected.
    KeyMismatch,
    /// An INN or INNLE with a wrong check digit (or length).
    BadInnChecksum,
    /// A SNILS with a wrong check number (or length).
    BadSnilsChecksum,
    /// An OGRN or OGRNIP with a wrong check digit (or length).
    BadOgrnChecksum,
    /// Signed content does not match its digest (CMS).
    ContentAltered,
    /// A signer's certificate was not found (CMS).
    SignerCertMissing,
    /// A signer's certificate does not allow signing (keyUsage; CMS).
    KeyUsageNotAllowed,
    /// The object asks for more work than allowed (a key-derivation iteration count above
    /// the limit): not read, but not necessarily malformed.
    LimitExceeded,
    /// A CMS message bankkey recognises but does not open (EnvelopedData, EncryptedData,
    /// ...): nothing in it was verified, and nothing in it is signed.
    NotVerifiable,
    /// An encrypted private key could not be decrypted with the password given (or none
    /// was given): ask again, the file is not known to be damaged (issue 13).
    WrongPassword,
}

impl Reason {
    /// The reason for an error kind (kinds with no reason of their own are `malformed`).
    pub fn from_kind(kind: ErrorKind) -> Reason {
        match kind {
            ErrorKind::BadSignature => Reason::BadSignature,
            ErrorKind::WrongIssuer => Reason::WrongIssuer,
            ErrorKind::UntrustedIssuer => Reason::Untrusted,
            ErrorKind::Expired => Reason::Expired,
            ErrorKind::NotYetValid => Reason::NotYetValid,
            ErrorKind::KeyMismatch => Reason::KeyMismatch,
            ErrorKind::ContentAltered => Reason::ContentAltered,
            ErrorKind::SignerCertificateMissing => Reason::SignerCertMissing,
            ErrorKind::KeyUsageNotAllowed => Reason::KeyUsageNotAllowed,
            ErrorKind::LimitExceeded => Reason::LimitExceeded,
            ErrorKind::WrongPassword => Reason::WrongPassword,
            _ => Reason::Malformed,
        }
    }

    /// The reason for a failed identifier check, by its label.
    pub fn for_identifier(label: &str) -> Reason {
        match label {
            "SNILS" => Reason::BadSnilsChecksum,
            "OGRN" | "OGRNIP" => Reason::BadOgrnChecksum,
            _ => Reason::BadInnChecksum,
        }
    }

    /// Every reason, in priority order.
    pub const ALL: [Reason; 17] = [
        Reason::Malformed,
        Reason::BadSignature,
        Reason::ContentMissing,
        Reason::WrongIssuer,
        Reason::Untrusted,
        Reason::Expired,
        Reason::NotYetValid,
        Reason::KeyMismatch,
        Reason::BadInnChecksum,
        Reason::BadSnilsChecksum,
        Reason::BadOgrnChecksum,
        Reason::ContentAltered,
        Reason::SignerCertMissing,
        Reason::KeyUsageNotAllowed,
        Reason::LimitExceeded,
        Reason::NotVerifiable,
        Reason::WrongPassword,
    ];

    /// The stable machine name, as in the JSON report (`bad-signature`, `content-missing`,
    /// ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::BadSignature => "bad-signature",
            Reason::ContentMissing => "content-missing",
            Reason::WrongIssuer => "wrong-issuer",
            Reason::Untrusted => "untrusted",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not-yet-valid",
            Reason::KeyMismatch => "key-mismatch",
            Reason::BadInnChecksum => "bad-inn-checksum",
            Reason::BadSnilsChecksum => "bad-snils-checksum",
            Reason::BadOgrnChecksum => "bad-ogrn-checksum",
            Reason::ContentAltered => "content-altered",
            Reason::SignerCertMissing => "signer-cert-missing",
            Reason::KeyUsageNotAllowed => "key-usage-not-allowed",
            Reason::LimitExceeded => "limit-exceeded",
            Reason::NotVerifiable => "not-verifiable",
            Reason::WrongPassword => "wrong-password",
        }
    }

    /// What a person is told, in Russian.
    pub fn ru(self) -> &'static str {
        match self {
            Reason::Malformed => "Файл повреждён или имеет неизвестный формат",
            Reason::BadSignature => "Подпись неверна",
            Reason::ContentMissing => "Подписанные данные не приложены: подпись не проверена",
            Reason::WrongIssuer => "Издатель не тот, что указан",
            Reason::Untrusted => "Нет цепочки до доверенного корневого сертификата",
            Reason::Expired => "Срок действия истёк",
            Reason::NotYetValid => "Срок действия ещё не начался",
            Reason::KeyMismatch => "Ключ не совпадает с ожидаемым",
            Reason::BadInnChecksum => "Неверная контрольная сумма ИНН",
            Reason::BadSnilsChecksum => "Неверная контрольная сумма СНИЛС",
            Reason::BadOgrnChecksum => "Неверная контрольная сумма ОГРН",
            Reason::ContentAltered => "Подписанные данные изменены",
            Reason::SignerCertMissing => "Не найден сертификат подписавшего",
            Reason::KeyUsageNotAllowed => "Сертификат не разрешает подпись этим ключом",
            Reason::LimitExceeded => "Превышен допустимый объём вычислений",
            Reason::NotVerifiable => "Сообщение зашифровано или не подписано: проверить нечего",
            Reason::WrongPassword => "Неверный пароль ключа",
        }
    }

    /// What a person is told, in English.
    pub fn en(self) -> &'static str {
        match self {
            Reason::Malformed => "Malformed or unknown format",
            Reason::BadSignature => "Bad signature",
            Reason::ContentMissing => "Signed content not given: the signature was not checked",
            Reason::WrongIssuer => "Not the issuer named",
            Reason::Untrusted => "No path to a trusted root",
            Reason::Expired => "Expired",
            Reason::NotYetValid => "Not yet valid",
            Reason::KeyMismatch => "Not the expected key",
            Reason::BadInnChecksum => "Bad INN check digit",
            Reason::BadSnilsChecksum => "Bad SNILS check number",
            Reason::BadOgrnChecksum => "Bad OGRN check digit",
            Reason::ContentAltered => "Signed content altered",
            Reason::SignerCertMissing => "Signer's certificate not found",
            Reason::KeyUsageNotAllowed => "The certificate does not allow signing with its key",
            Reason::LimitExceeded => "Asks for more work than allowed",
            Reason::NotVerifiable => "Encrypted or unsigned: nothing could be verified",
            Reason::WrongPassword => "Wrong password for the key",
        }
    }

    /// Parses a machine name written by [`as_str`](Self::as_str).
    pub fn parse(name: &str) -> crate::Result<Reason> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
            .ok_or_else(|| Error::invalid_field("reason", format!("unknown reason {name:?}")))
    }
}

stable_codes!(Reason {
    Malformed = 1,
    BadSignature = 2,
    ContentMissing = 3,
    WrongIssuer = 4,
    Untrusted = 5,
    Expired = 6,
    NotYetValid = 7,
    KeyMismatch = 8,
    BadInnChecksum = 9,
    BadSnilsChecksum = 10,
    BadOgrnChecksum = 11,
    ContentAltered = 12,
    SignerCertMissing = 13,
    KeyUsageNotAllowed = 14,
    LimitExceeded = 15,
    NotVerifiable = 16,
    WrongPassword = 17,
});

impl Verdict {
    /// Both verdicts.
    pub const ALL: [Verdict; 2] = [Verdict::Valid, Verdict::Invalid];

    /// The stable machine name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
        }
    }

    /// Parses a machine name written by [`as_str`](Self::as_str).
    pub fn parse(name: &str) -> crate::Result<Verdict> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
            .ok_or_else(|| Error::invalid_field("verdict", format!("unknown verdict {name:?}")))
    }
}

stable_codes!(Verdict {
    Valid = 1,
    Invalid = 2,
});

impl ObjectKind {
    /// Every kind.
    pub const ALL: [ObjectKind; 11] = [
        ObjectKind::Certificate,
        ObjectKind::CertificateRequest,
        ObjectKind::PrivateKey,
        ObjectKind::PublicKey,
        ObjectKind::SignedData,
        ObjectKind::Unknown,
        ObjectKind::DigestedData,
        ObjectKind::EnvelopedData,
        ObjectKind::CmsContent,
        ObjectKind::Pfx,
        ObjectKind::CryptoProContainer,
    ];

    /// The stable machine name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Certificate => "certificate",
            ObjectKind::CertificateRequest => "certificate-request",
            ObjectKind::PrivateKey => "private-key",
            ObjectKind::PublicKey => "public-key",
            ObjectKind::SignedData => "signed-data",
            ObjectKind::Unknown => "unknown",
            ObjectKind::DigestedData => "digested-data",
            ObjectKind::EnvelopedData => "enveloped-data",
            ObjectKind::CmsContent => "cms-content",
            ObjectKind::Pfx => "pfx",
            ObjectKind::CryptoProContainer => "cryptopro-container",
        }
    }

    /// Parses a machine name written by [`as_str`](Self::as_str).
    pub fn parse(name: &str) -> crate::Result<ObjectKind> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
            .ok_or_else(|| Error::invalid_field("kind", format!("unknown object kind {name:?}")))
    }
}

stable_codes!(ObjectKind {
    Certificate = 1,
    CertificateRequest = 2,
    PrivateKey = 3,
    PublicKey = 4,
    SignedData = 5,
    Unknown = 6,
    DigestedData = 7,
    EnvelopedData = 8,
    CmsContent = 9,
    Pfx = 10,
    CryptoProContainer = 11,
});

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The check passed.
    Passed,
    /// The check failed.
    Failed,
    /// The check was not made (see the detail). With a reason, the verdict needed it and is
    /// `invalid` (see the module documentation).
    Skipped,
}

/// One check made (or skipped) on the object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked: "signature", "chain", "validity", "identifiers", ...
    pub name: String,
    /// Passed, failed or skipped.
    pub outcome: Outcome,
    /// The reason, when failed (or skipped where the verdict needed the check).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// Details for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The validity period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validity {
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// Whole days from the check time to notAfter (negative once expired).
    pub days_to_expiry: i64,
}

/// The public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicKeyReport {
    /// Algorithm OID.
    pub algorithm: String,
    /// Algorithm name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm_name: Option<String>,
    /// Parameter-set (or named curve) OID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_set: Option<String>,
    /// Parameter-set name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_set_name: Option<String>,
    /// GOST digest parameter set, when the key parameters carry one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_parameter_set: Option<String>,
    /// SHA-1 of the subjectPublicKey bits, uppercase hex.
    pub key_id: String,
}

/// One extension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtensionReport {
    /// OID.
    pub oid: String,
    /// Short name ("keyUsage") or the OID.
    pub name: String,
    /// critical.
    pub critical: bool,
    /// The decoded value (shape depends on the extension).
    pub value: Value,
}

/// Whether a certificate is qualified (see [`crate::pki::cert`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualifiedReport {
    /// Every condition holds.
    pub qualified: bool,
    /// What is missing.
    pub missing: Vec<String>,
}

/// One signer of a CMS SignedData.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerReport {
    /// The signer's certificate subject, when the certificate was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The signer's certificate serial, uppercase hex (from the signer identifier when it
    /// names one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// The subjectKeyIdentifier the signer is named by, uppercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_identifier: Option<String>,
    /// digestAlgorithm OID.
    pub digest_algorithm: String,
    /// signatureAlgorithm OID, as written (GOST key OID or signature OID).
    pub signature_algorithm: String,
    /// Its name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_algorithm_name: Option<String>,
    /// The signingTime attribute, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<String>,
    /// The OIDs of the signed attributes.
    pub signed_attributes: Vec<String>,
}

/// One recipient of a CMS EnvelopedData.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientReport {
    /// key-transport, key-agreement, kek, password or other.
    pub kind: RecipientKind,
    /// The recipient certificate's issuer, when named by issuer and serial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Its serial number, uppercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Its key identifier, uppercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_identifier: Option<String>,
    /// The key-encryption algorithm OID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_encryption_algorithm: Option<String>,
}

/// A report of one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// What was inspected.
    pub kind: ObjectKind,
    /// Certificate version (1–3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u8>,
    /// Subject attributes in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// Issuer attributes in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Subject>,
    /// Serial number, uppercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Validity period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validity: Option<Validity>,
    /// Public key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<PublicKeyReport>,
    /// Signature algorithm OID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_algorithm: Option<String>,
    /// Signature algorithm name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_algorithm_name: Option<String>,
    /// Extensions (requested extensions for a request), in order.
    pub extensions: Vec<ExtensionReport>,
    /// Identifier checks (INN, INNLE, OGRN, OGRNIP, SNILS), in subject order.
    pub identifiers: Vec<IdentifierCheck>,
    /// Qualified or not (certificates only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualified: Option<QualifiedReport>,
    /// CMS: eContentType OID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// CMS: whether the content is left out (a detached signature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detached: Option<bool>,
    /// CMS: the signers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<SignerReport>,
    /// CMS DigestedData: digestAlgorithm OID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_algorithm: Option<String>,
    /// CMS EnvelopedData: the content-encryption algorithm OID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_encryption_algorithm: Option<String>,
    /// CMS EnvelopedData: who may open it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<RecipientReport>,
    /// The chain found (subjects, leaf first), when trust anchors were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<Vec<String>>,
    /// PFX: what it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pfx: Option<PfxReport>,
    /// CryptoPro container: what it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerReport>,
    /// The checks made, in order.
    pub checks: Vec<Check>,
    /// What was read leniently (see the module documentation); left out when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The failed check's detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What to check against.
#[derive(Default)]
pub struct Options {
    /// The time of the checks (default: now).
    pub at: Option<OffsetDateTime>,
    /// Trust anchors for certificates. Intermediate CAs given here are anchors too (trusted as
    /// given); give them in [`intermediates`](Self::intermediates) to have them judged.
    pub trust: Vec<Certificate>,
    /// Intermediate CA certificates, not trusted by themselves: a path through them must end
    /// in one of [`trust`](Self::trust) (OpenSSL's `-untrusted`).
    pub intermediates: Vec<Certificate>,
    /// Password of an encrypted PKCS#8 key.
    pub password: Option<zeroize::Zeroizing<Vec<u8>>>,
    /// The public key the object must hold (a certificate, request or private key): a
    /// different one is `key-mismatch`.
    pub expected_key: Option<crate::key::PublicKey>,
    /// The content of a detached CMS signature.
    pub content: Option<Vec<u8>>,
}

impl Options {
    fn at(&self) -> OffsetDateTime {
        self.at.unwrap_or_else(OffsetDateTime::now_utc)
    }
}

impl Report {
    fn empty(kind: ObjectKind) -> Report {
        Report {
            kind,
            version: None,
            subject: None,
            issuer: None,
            serial: None,
            validity: None,
            public_key: None,
            signature_algorithm: None,
            signature_algorithm_name: None,
            extensions: Vec::new(),
            identifiers: Vec::new(),
            qualified: None,
            content_type: None,
            detached: None,
            signers: Vec::new(),
            digest_algorithm: None,
            content_encryption_algorithm: None,
            recipients: Vec::new(),
            chain: None,
            pfx: None,
            container: None,
            checks: Vec::new(),
            warnings: Vec::new(),
            verdict: Verdict::Valid,
            reason: None,
            message: None,
        }
    }

    /// A report of bytes that could not be read as `kind`: invalid, `malformed` (or
    /// `wrong-password` for an encrypted key that the password does not open).
    pub fn malformed(kind: ObjectKind, error: &Error) -> Report {
        let mut r = Report::empty(kind);
        let reason = match error.kind() {
            ErrorKind::LimitExceeded => Reason::LimitExceeded,
            ErrorKind::WrongPassword => Reason::WrongPassword,
            _ => Reason::Malformed,
        };
        r.fail("parse", reason, error.to_string());
        r.finish();
        r
    }

    /// The report as pretty-printed JSON (what `inspect` prints).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// The report as JSON on one line (JSON lines, logs); the same fields as
    /// [`to_json`](Self::to_json).
    pub fn to_json_compact(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// Whether the verdict is `valid`.
    pub fn is_valid(&self) -> bool {
        self.verdict == Verdict::Valid
    }

    fn pass(&mut self, name: &str, detail: Option<String>) {
        self.checks.push(Check {
            name: name.to_owned(),
            outcome: Outcome::Passed,
            reason: None,
            detail,
        });
    }

    fn fail(&mut self, name: &str, reason: Reason, detail: String) {
        self.checks.push(Check {
            name: name.to_owned(),
            outcome: Outcome::Failed,
            reason: Some(reason),
            detail: Some(detail),
        });
    }

    /// A check the verdict needs that could not be made: listed as skipped, with the reason
    /// the verdict then carries.
    fn skip(&mut self, name: &str, reason: Reason, detail: &str) {
        self.checks.push(Check {
            name: name.to_owned(),
            outcome: Outcome::Skipped,
            reason: Some(reason),
            detail: Some(detail.to_owned()),
        });
    }

    fn record(&mut self, name: &str, result: crate::Result<()>) {
        match result {
            Ok(()) => self.pass(name, None),
            Err(e) => self.fail(name, Reason::from_kind(e.kind()), e.to_string()),
        }
    }

    /// With [`Options::expected_key`]: whether `key` is that key.
    fn key_check(&mut self, key: crate::Result<crate::key::PublicKey>, options: &Options) {
        let Some(expected) = &options.expected_key else {
            return;
        };
        match key {
            Ok(k) if k == *expected => self.pass("key", None),
            Ok(k) => self.fail(
                "key",
                Reason::KeyMismatch,
                format!(
                    "holds key {}, not the expected {}",
                    hex::encode_upper(k.key_id()),
                    hex::encode_upper(expected.key_id())
                ),
            ),
            Err(e) => self.fail("key", Reason::from_kind(e.kind()), e.to_string()),
        }
    }

    fn identifiers_of(&mut self, subject: &Subject) {
        self.identifiers = subject.check_identifiers();
        if self.identifiers.is_empty() {
            return;
        }
        let bad: Vec<IdentifierCheck> = self
            .identifiers
            .iter()
            .filter(|c| !c.valid)
            .cloned()
            .collect();
        if bad.is_empty() {
            self.pass("identifiers", None);
        }
        for c in bad {
            let problem = c.problem.unwrap_or_default();
            self.fail(
                "identifiers",
                Reason::for_identifier(&c.label),
                format!("{} {}: {problem}", c.label, c.value),
            );
        }
    }

    /// The warnings of the certificates of a path other than the object itself, each named.
    fn path_warnings(&mut self, path: &[Certificate]) {
        for c in path {
            let name = format!("certificate {} (\"{}\")", c.serial_hex(), c.subject());
            self.warnings
                .extend(c.warnings().iter().map(|w| w.within(&name)));
        }
    }

    fn finish(&mut self) {
        let worst = self
            .checks
            .iter()
            .filter(|c| c.outcome != Outcome::Passed && c.reason.is_some())
            .min_by_key(|c| c.reason);
        match worst {
            Some(c) => {
                self.verdict = Verdict::Invalid;
                self.reason = c.reason;
                self.message = c.detail.clone();
            }
            None => {
                self.verdict = Verdict::Valid;
                self.reason = None;
                self.message = None;
            }
        }
    }
}

/// Reports a certificate: parsed fields, the chain to `options.trust` (or the
/// self-signature of a self-issued certificate when no anchors are given), the validity
/// period at `options.at`, unknown critical extensions, identifier checks.
pub fn certificate(cert: &Certificate, options: &Options) -> Report {
    let at = options.at();
    let mut r = Report::empty(ObjectKind::Certificate);
    r.version = Some(cert.version());
    r.subject = Some(cert.subject().clone());
    r.issuer = Some(cert.issuer().clone());
    r.serial = Some(cert.serial_hex());
    r.validity = Some(Validity {
        not_before: rfc3339(cert.not_before()),
        not_after: rfc3339(cert.not_after()),
        days_to_expiry: cert.days_to_expiry(at),
    });
    r.public_key = Some(public_key_report(cert.key_info()));
    r.signature_algorithm = Some(cert.signature_algorithm().oid.to_string());
    r.signature_algorithm_name = algorithm_name(&cert.signature_algorithm().oid).map(Into::into);
    r.extensions = extensions_report(cert.extensions());
    let q = cert.qualification();
    r.qualified = Some(QualifiedReport {
        qualified: q.qualified,
        missing: q.missing,
    });
    r.warnings = cert.warnings().to_vec();

    if cert.is_self_issued() {
        // Its own signature only: whether it may issue others is the chain's question (a
        // self-signed certificate without basicConstraints given as an anchor is valid).
        r.record("signature", cert.verify_self_signature());
    }
    if options.trust.is_empty() {
        r.skip("chain", Reason::Untrusted, NO_ANCHORS);
        match cert.extensions().unknown_critical() {
            Some(e) => r.fail(
                "critical-extensions",
                Reason::Untrusted,
                format!("unknown critical extension {}", e.name()),
            ),
            None => r.pass("critical-extensions", None),
        }
    } else {
        // The chain check covers signatures, issuers, critical extensions and the validity of
        // every certificate in the path at `at`.
        match build_chain(cert, &options.intermediates, &options.trust, at) {
            Ok(chain) => {
                r.chain = Some(
                    chain
                        .certificates()
                        .iter()
                        .map(|c| c.subject().to_string())
                        .collect(),
                );
                r.path_warnings(&chain.certificates()[1..]);
                r.pass("chain", None);
            }
            Err(e) => r.fail("chain", Reason::from_kind(e.kind()), e.to_string()),
        }
    }
    r.record("validity", cert.check_validity_at(at));
    r.key_check(cert.public_key(), options);
    r.identifiers_of(cert.subject());
    r.finish();
    r
}

/// Reports a certificate request: parsed fields, the self-signature, identifier checks.
pub fn request(req: &CertificateRequest) -> Report {
    request_with(req, &Options::default())
}

/// [`request`], also checking the key against [`Options::expected_key`].
pub fn request_with(req: &CertificateRequest, options: &Options) -> Report {
    let mut r = Report::empty(ObjectKind::CertificateRequest);
    r.subject = Some(req.subject().clone());
    r.public_key = Some(public_key_report(req.key_info()));
    r.signature_algorithm = Some(req.signature_algorithm().oid.to_string());
    r.signature_algorithm_name = algorithm_name(&req.signature_algorithm().oid).map(Into::into);
    r.extensions = extensions_report(req.extensions());
    r.warnings = req.extensions().warnings();
    r.record("signature", req.verify());
    r.key_check(req.public_key(), options);
    r.identifiers_of(req.subject());
    r.finish();
    r
}

/// Reports a public key (SubjectPublicKeyInfo DER).
pub fn public_key(spki_der: &[u8]) -> Report {
    match KeyInfo::from_spki_der(spki_der).and_then(|info| {
        crate::key::PublicKey::from_spki_der(spki_der)?;
        Ok(info)
    }) {
        Ok(info) => {
            let mut r = Report::empty(ObjectKind::PublicKey);
            r.public_key = Some(public_key_report(&info));
            r.pass("parse", None);
            r.finish();
            r
        }
        Err(e) => Report::malformed(ObjectKind::PublicKey, &e),
    }
}

/// Reports a PKCS#8 private key (DER; encrypted ones need `options.password`): its public
/// key. Nothing secret is reported.
pub fn private_key(der: &[u8], encrypted: bool, options: &Options) -> Report {
    use crate::key::SoftwareKey;
    let key = if encrypted {
        match &options.password {
            Some(pw) => SoftwareKey::from_encrypted_pkcs8_der(der, pw),
            None => Err(Error::new(
                ErrorKind::WrongPassword,
                "the key is encrypted: give its password (--password or BANKKEY_PASSWORD)",
            )),
        }
    } else {
        SoftwareKey::from_pkcs8_der(der)
    };
    match key.and_then(|k| {
        let public = k.public_key();
        Ok((KeyInfo::from_spki_der(&public.to_spki_der())?, public))
    }) {
        Ok((info, public)) => {
            let mut r = Report::empty(ObjectKind::PrivateKey);
            r.public_key = Some(public_key_report(&info));
            r.pass("parse", None);
            r.key_check(Ok(public), options);
            r.finish();
            r
        }
        Err(e) => Report::malformed(ObjectKind::PrivateKey, &e),
    }
}

/// Reports a CMS SignedData: its signers, their signatures and digests over the content
/// (carried, or `options.content` for a detached signature), and, when trust anchors are
/// given, every signer's certificate path at `options.at` (or its signingTime, or now).
pub fn signed_data(sd: &SignedData, options: &Options) -> Report {
    let mut r = Report::empty(ObjectKind::SignedData);
    r.content_type = Some(sd.content_type().to_string());
    r.detached = Some(sd.is_detached());
    let found = |sid: &SignerId| {
        sd.certificates()
            .iter()
            .chain(&options.trust)
            .chain(&options.intermediates)
            .find(|c| sid.matches(c))
    };
    for si in sd.signers() {
        let cert = found(si.sid());
        let (serial, key_identifier) = match si.sid() {
            SignerId::IssuerAndSerial { serial, .. } => (Some(hex::encode_upper(serial)), None),
            SignerId::KeyIdentifier(id) => (
                cert.map(Certificate::serial_hex),
                Some(hex::encode_upper(id)),
            ),
        };
        let alg = &si.signature_algorithm().oid;
        r.signers.push(SignerReport {
            subject: cert.map(|c| c.subject().to_string()),
            serial,
            key_identifier,
            digest_algorithm: si.digest_algorithm().oid.to_string(),
            signature_algorithm: alg.to_string(),
            signature_algorithm_name: algorithm_name(alg).map(Into::into),
            signing_time: si.signing_time().map(rfc3339),
            signed_attributes: si
                .signed_attribute_oids()
                .iter()
                .map(ToString::to_string)
                .collect(),
        });
    }
    let content = options.content.as_deref();
    let more: Vec<Certificate> = options
        .trust
        .iter()
        .chain(&options.intermediates)
        .cloned()
        .collect();
    let verify = VerifyOptions {
        content: options.content.clone(),
        anchors: options.trust.clone(),
        certificates: more.clone(),
        at: options.at,
    };
    // The signers' certificates: verified with their signatures, or, when the content of a
    // detached signature is missing, only found (so that their paths are still judged).
    let certs = if sd.is_detached() && content.is_none() {
        r.skip(
            "signatures",
            Reason::ContentMissing,
            "a detached signature without its content (--content): no signature was verified",
        );
        sd.signer_certificates(&more)
    } else {
        sd.verify_signatures(content, &more)
            .inspect(|_| r.pass("signatures", None))
    };
    let certs = match certs {
        Ok(certs) => {
            r.path_warnings(&certs);
            certs
        }
        Err(e) => {
            r.fail("signatures", Reason::from_kind(e.kind()), e.to_string());
            r.finish();
            return r;
        }
    };
    if options.trust.is_empty() {
        r.skip("chain", Reason::Untrusted, NO_ANCHORS);
    } else {
        match sd.verify_paths(certs, &verify) {
            Ok(signers) => {
                r.chain = signers.first().map(|s| {
                    s.chain
                        .certificates()
                        .iter()
                        .map(|c| c.subject().to_string())
                        .collect()
                });
                for s in &signers {
                    r.path_warnings(&s.chain.certificates()[1..]);
                }
                r.pass("chain", None);
            }
            Err(e) => r.fail("chain", Reason::from_kind(e.kind()), e.to_string()),
        }
    }
    r.finish();
    r
}

/// Reports a CMS DigestedData: whether its digest is the content's (carried, or
/// `options.content` when left out). A match proves the content whole, not its origin.
pub fn digested_data(dd: &DigestedData, options: &Options) -> Report {
    let mut r = Report::empty(ObjectKind::DigestedData);
    r.content_type = Some(dd.content_type().to_string());
    r.detached = Some(dd.is_detached());
    r.digest_algorithm = Some(dd.digest_algorithm().oid.to_string());
    if dd.is_detached() && options.content.is_none() {
        r.skip(
            "digest",
            Reason::ContentMissing,
            "a DigestedData without its content (--content): the digest was not checked",
        );
    } else {
        r.record("digest", dd.verify(options.content.as_deref()));
    }
    r.finish();
    r
}

/// Reports a CMS EnvelopedData: its recipients and algorithms; never `valid` (it is not
/// decrypted, and nothing in it is signed).
pub fn enveloped_data(ed: &EnvelopedData) -> Report {
    let mut r = Report::empty(ObjectKind::EnvelopedData);
    r.content_type = Some(ed.content_type().to_string());
    r.detached = Some(ed.is_detached());
    r.content_encryption_algorithm = Some(ed.content_encryption_algorithm().to_string());
    r.recipients = ed
        .recipients()
        .iter()
        .map(|x| RecipientReport {
            kind: x.kind,
            issuer: x.issuer.as_ref().map(ToString::to_string),
            serial: x.serial.as_deref().map(crate::pki::serial_hex),
            key_identifier: x.key_identifier.as_ref().map(hex::encode_upper),
            key_encryption_algorithm: x.key_encryption_algorithm.map(|o| o.to_string()),
        })
        .collect();
    r.skip(
        "content",
        Reason::NotVerifiable,
        "an EnvelopedData is opened by its recipient's private key, which bankkey does not \
         do; nothing in it is signed",
    );
    r.finish();
    r
}

/// Reports a CMS message of a type bankkey does not open, by its content type.
fn unopened_cms(content_type: const_oid::ObjectIdentifier) -> Report {
    let mut r = Report::empty(ObjectKind::CmsContent);
    r.content_type = Some(content_type.to_string());
    let what = match content_type {
        oid::CT_DATA => "plain data (id-data), which carries no signature",
        oid::CT_ENCRYPTED_DATA => "an EncryptedData, which bankkey does not decrypt",
        oid::CT_AUTHENTICATED_DATA => "an AuthenticatedData, whose MAC bankkey does not check",
        oid::CT_COMPRESSED_DATA => "a CompressedData, which bankkey does not decompress",
        oid::CT_AUTH_ENVELOPED_DATA => "an AuthEnvelopedData, which bankkey does not decrypt",
        _ => "a CMS content type bankkey does not read",
    };
    r.skip(
        "content",
        Reason::NotVerifiable,
        &format!("{what}: nothing was verified"),
    );
    r.finish();
    r
}

/// Reports a CMS `ContentInfo` by its content type.
fn cms_report(der: &[u8], content_type: const_oid::ObjectIdentifier, options: &Options) -> Report {
    match content_type {
        oid::CT_SIGNED_DATA => match SignedData::from_der(der) {
            Ok(sd) => signed_data(&sd, options),
            Err(e) => Report::malformed(ObjectKind::SignedData, &e.context("CMS SignedData")),
        },
        oid::CT_DIGESTED_DATA => match DigestedData::from_der(der) {
            Ok(dd) => digested_data(&dd, options),
            Err(e) => Report::malformed(ObjectKind::DigestedData, &e.context("CMS DigestedData")),
        },
        oid::CT_ENVELOPED_DATA => match EnvelopedData::from_der(der) {
            Ok(ed) => enveloped_data(&ed),
            Err(e) => Report::malformed(ObjectKind::EnvelopedData, &e.context("CMS EnvelopedData")),
        },
        other => unopened_cms(other),
    }
}

/// The detail of a chain check that could not be made.
const NO_ANCHORS: &str =
    "no trust anchors given (--trust): the path to a trusted root was not checked";

/// Reports whatever `input` holds: a certificate, request, PKCS#8 key or public key, in DER
/// or PEM (the first recognised PEM block; text around it is ignored).
pub fn inspect(input: &[u8], options: &Options) -> Report {
    if input.first() == Some(&0x30) {
        return inspect_der(input, options);
    }
    let blocks = match pem::blocks(input) {
        Ok(b) => b,
        Err(e) => return Report::malformed(ObjectKind::Unknown, &e),
    };
    for b in blocks {
        match b.label.as_str() {
            "CERTIFICATE" => {
                return match Certificate::from_der(&b.der) {
                    Ok(c) => certificate(&c, options),
                    Err(e) => Report::malformed(ObjectKind::Certificate, &e),
                };
            }
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                return match CertificateRequest::from_der(&b.der) {
                    Ok(q) => request_with(&q, options),
                    Err(e) => Report::malformed(ObjectKind::CertificateRequest, &e),
                };
            }
            "PRIVATE KEY" => return private_key(&b.der, false, options),
            "ENCRYPTED PRIVATE KEY" => return private_key(&b.der, true, options),
            "PUBLIC KEY" => return public_key(&b.der),
            "CMS" | "PKCS7" => {
                return match shape_of(&b.der) {
                    Shape::Cms(content_type) => cms_report(&b.der, content_type, options),
                    _ => match SignedData::from_der(&b.der) {
                        Ok(sd) => signed_data(&sd, options),
                        Err(e) => Report::malformed(ObjectKind::SignedData, &e),
                    },
                };
            }
            _ => {}
        }
    }
    Report::malformed(
        ObjectKind::Unknown,
        &Error::malformed(
            "no certificate, certificate request, private key, public key or CMS found \
             (neither DER nor a known PEM block)",
        ),
    )
}

/// Reports whatever `path` holds: a file as [`inspect`] reads it, or a CryptoPro container
/// folder (with the `cryptopro` feature; `options.password` is its PIN).
pub fn inspect_path(path: &std::path::Path, options: &Options) -> Report {
    #[cfg(feature = "cryptopro")]
    if path.is_dir() {
        return cryptopro_container(path, options);
    }
    match std::fs::read(path) {
        Ok(bytes) => inspect(&bytes, options),
        Err(e) => Report::malformed(
            ObjectKind::Unknown,
            &Error::new(ErrorKind::Io, format!("{}: {e}", path.display())),
        ),
    }
}

/// DER (or BER) input: the object it looks like (`detect`) read by its own parser, so that
/// what that parser accepts (BER CMS, GOST-encrypted PKCS#8) is accepted as DER too, and what
/// it refuses is reported as that object's error, naming where it breaks (issue 13, defects
/// 6 and 7).
fn inspect_der(der: &[u8], options: &Options) -> Report {
    let shape = shape_of(der);
    match shape {
        Shape::Certificate => match Certificate::from_der(der) {
            Ok(c) => certificate(&c, options),
            Err(e) => Report::malformed(ObjectKind::Certificate, &looks_like(shape, e)),
        },
        Shape::Request => match CertificateRequest::from_der(der) {
            Ok(q) => request_with(&q, options),
            Err(e) => Report::malformed(ObjectKind::CertificateRequest, &looks_like(shape, e)),
        },
        Shape::PublicKey => public_key(der),
        Shape::PrivateKey => private_key(der, false, options),
        Shape::EncryptedPrivateKey => private_key(der, true, options),
        Shape::Cms(content_type) => cms_report(der, content_type, options),
        Shape::Pfx => pfx(der, options),
        Shape::Crl => Report::malformed(
            ObjectKind::Unknown,
            &Error::unsupported(format!(
                "this is a {}, which inspect does not report",
                shape.name()
            )),
        ),
        Shape::Unknown => Report::malformed(
            ObjectKind::Unknown,
            &Error::malformed(
                "not DER of a certificate, certificate request, public key, PKCS#8 key or CMS \
                 message: its first elements match none of them",
            ),
        ),
    }
}

/// An error of the object's own parser, said of what the bytes look like.
fn looks_like(shape: Shape, e: Error) -> Error {
    e.context(format_args!("the bytes look like a {}", shape.name()))
}

fn public_key_report(info: &KeyInfo) -> PublicKeyReport {
    PublicKeyReport {
        algorithm: info.algorithm.to_string(),
        algorithm_name: algorithm_name(&info.algorithm).map(Into::into),
        parameter_set: info.parameter_set.map(|o| o.to_string()),
        parameter_set_name: info
            .parameter_set
            .as_ref()
            .and_then(parameter_set_name)
            .map(Into::into),
        digest_parameter_set: info.digest_parameter_set.map(|o| o.to_string()),
        key_id: hex::encode_upper(info.key_id),
    }
}

/// The name of a key or signature algorithm OID.
pub fn algorithm_name(o: &const_oid::ObjectIdentifier) -> Option<&'static str> {
    Some(match *o {
        oid::GOST3410_12_256 => "id-tc26-gost3410-12-256",
        oid::GOST3410_12_512 => "id-tc26-gost3410-12-512",
        oid::SIGN_WITH_DIGEST_GOST3410_12_256 => "id-tc26-signwithdigest-gost3410-12-256",
        oid::SIGN_WITH_DIGEST_GOST3410_12_512 => "id-tc26-signwithdigest-gost3410-12-512",
        oid::GOST3410_2001 => "id-GostR3410-2001",
        oid::GOST3411_94_WITH_GOST3410_2001 => "id-GostR3411-94-with-GostR3410-2001",
        oid::GOST3410_94 => "id-GostR3410-94",
        oid::GOST3411_94_WITH_GOST3410_94 => "id-GostR3411-94-with-GostR3410-94",
        oid::RSA_ENCRYPTION => "rsaEncryption",
        oid::SHA256_WITH_RSA => "sha256WithRSAEncryption",
        oid::EC_PUBLIC_KEY => "id-ecPublicKey",
        oid::ECDSA_WITH_SHA256 => "ecdsa-with-SHA256",
        _ => return None,
    })
}

/// The name of a GOST parameter set (as RFC 4357/TC26 name it) or EC curve OID.
pub fn parameter_set_name(o: &const_oid::ObjectIdentifier) -> Option<&'static str> {
    if *o == oid::SECP256R1 {
        return Some("prime256v1");
    }
    crate::gost::ParamSet::from_oid(o).ok().map(|p| p.name())
}

fn purpose_name(o: &const_oid::ObjectIdentifier) -> Option<&'static str> {
    Some(match *o {
        oid::KP_SERVER_AUTH => "serverAuth",
        oid::KP_CLIENT_AUTH => "clientAuth",
        oid::KP_CODE_SIGNING => "codeSigning",
        oid::KP_EMAIL_PROTECTION => "emailProtection",
        oid::KP_TIME_STAMPING => "timeStamping",
        oid::KP_OCSP_SIGNING => "OCSPSigning",
        _ => return None,
    })
}

fn named_oid(o: &const_oid::ObjectIdentifier, name: Option<&str>) -> Value {
    json!({ "oid": o.to_string(), "name": name })
}

fn extensions_report(list: &Extensions) -> Vec<ExtensionReport> {
    list.iter().map(extension_report).collect()
}

fn extension_report(e: &Extension) -> ExtensionReport {
    let value = match &e.value {
        ExtensionValue::KeyUsage(bits) => json!(bits.iter().map(|b| b.name()).collect::<Vec<_>>()),
        ExtensionValue::ExtendedKeyUsage(p) => {
            Value::Array(p.iter().map(|o| named_oid(o, purpose_name(o))).collect())
        }
        ExtensionValue::CertificatePolicies(p) => Value::Array(
            p.iter()
                .map(|o| named_oid(o, SignToolClass::from_oid(o).map(|c| c.name())))
                .collect(),
        ),
        ExtensionValue::SubjectSignTool(s) => json!(s),
        ExtensionValue::IssuerSignTool(t) => json!({
            "sign_tool": t.sign_tool,
            "ca_tool": t.ca_tool,
            "sign_tool_cert": t.sign_tool_cert,
            "ca_tool_cert": t.ca_tool_cert,
        }),
        ExtensionValue::IdentificationKind(k) => {
            json!({ "value": k.value(), "description": k.description() })
        }
        ExtensionValue::PrivateKeyUsagePeriod {
            not_before,
            not_after,
        } => json!({
            "not_before": not_before.map(rfc3339),
            "not_after": not_after.map(rfc3339),
        }),
        ExtensionValue::BasicConstraints { ca, path_len } => {
            json!({ "ca": ca, "path_len": path_len })
        }
        ExtensionValue::SubjectKeyIdentifier(k) => json!(hex::encode_upper(k)),
        ExtensionValue::AuthorityKeyIdentifier { key_id, serial } => json!({
            "key_id": key_id.as_ref().map(hex::encode_upper),
            "serial": serial.as_ref().map(|s| crate::pki::serial_hex(s)),
        }),
        ExtensionValue::Other => json!({ "der": hex::encode_upper(&e.der) }),
    };
    ExtensionReport {
        oid: e.oid.to_string(),
        name: e.name(),
        critical: e.critical,
        value,
    }
}

// --- PFX and CryptoPro containers: the client's current key (issue 16) ---

/// A key found in a PFX or a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredKeyReport {
    /// The public key.
    pub public_key: PublicKeyReport,
    /// The friendlyName (PFX).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    /// The localKeyId, uppercase hex (PFX).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_key_id: Option<String>,
    /// How the key was protected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection: Option<String>,
    /// The serial of the certificate that holds this key, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
}

/// A certificate found in a PFX or a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCertificateReport {
    /// Subject, as text.
    pub subject: String,
    /// Issuer, as text.
    pub issuer: String,
    /// Serial, uppercase hex.
    pub serial: String,
    /// Validity.
    pub validity: Validity,
    /// Its public key.
    pub public_key: PublicKeyReport,
}

/// What a PFX holds (read with its password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PfxReport {
    /// The MAC's digest, or `None` for a PFX without a MAC.
    pub mac: Option<String>,
    /// How the MAC key is derived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_key_derivation: Option<String>,
    /// The MAC's iteration count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_iterations: Option<u32>,
    /// The protection of each encrypted part.
    pub encryption: Vec<String>,
    /// The keys.
    pub keys: Vec<StoredKeyReport>,
    /// The certificates.
    pub certificates: Vec<StoredCertificateReport>,
    /// Bags present but not read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped_bags: Vec<String>,
}

/// What a CryptoPro container holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerReport {
    /// The container's name (name.key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The key's parameter set (OID).
    pub parameter_set: String,
    /// Its name.
    pub parameter_set_name: String,
    /// `signature` or `exchange`.
    pub usage: &'static str,
    /// CryptoPro's pkaExportable flag.
    pub exportable: bool,
    /// The fingerprint (first 8 bytes of the public key's x, little-endian), uppercase hex.
    pub fingerprint: String,
    /// Whether primary2.key / masks2.key are present.
    pub reserve_copy: bool,
    /// Whether the header describes a second key (not read).
    pub second_key: bool,
    /// The private key's validity recorded by CryptoPro (GeneralizedTime text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_not_before: Option<String>,
    /// The end of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_not_after: Option<String>,
    /// The certificate stored in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<StoredCertificateReport>,
    /// The key, when the PIN was given and opened it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<StoredKeyReport>,
    /// Which copy opened and how the PIN was spread, when it opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opened_with: Option<String>,
}

fn stored_certificate(c: &Certificate, at: OffsetDateTime) -> Option<StoredCertificateReport> {
    let info = KeyInfo::from_spki_der(c.public_key_der()).ok()?;
    Some(StoredCertificateReport {
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        serial: c.serial_hex(),
        validity: Validity {
            not_before: rfc3339(c.not_before()),
            not_after: rfc3339(c.not_after()),
            days_to_expiry: c.days_to_expiry(at),
        },
        public_key: public_key_report(&info),
    })
}

fn stored_key(
    key: &crate::key::SoftwareKey,
    cert: Option<&Certificate>,
) -> Result<StoredKeyReport, Error> {
    let info = KeyInfo::from_spki_der(&key.public_key().to_spki_der())?;
    Ok(StoredKeyReport {
        public_key: public_key_report(&info),
        friendly_name: None,
        local_key_id: None,
        protection: None,
        certificate_serial: cert.map(Certificate::serial_hex),
    })
}

/// Reports what a PFX holds, read with `options.password` (UTF-8). Checks: `password` (the
/// MAC and the decryption), `key` (each key's certificate, when the PFX has one, holds it).
/// Never prints a key or the password.
pub fn pfx(der: &[u8], options: &Options) -> Report {
    let password = match options.password.as_deref().map(|p| std::str::from_utf8(p)) {
        Some(Ok(p)) => p,
        Some(Err(_)) => {
            return Report::malformed(
                ObjectKind::Pfx,
                &Error::invalid_field("password", "the password is not UTF-8 text"),
            );
        }
        None => {
            return Report::malformed(
                ObjectKind::Pfx,
                &Error::new(
                    ErrorKind::WrongPassword,
                    "a PFX opens only with its password (--password or BANKKEY_PASSWORD)",
                ),
            );
        }
    };
    let pfx = match crate::pfx::Pfx::from_der(der, password) {
        Ok(p) => p,
        // A wrong password, an altered file, a limit, an unsupported algorithm: each its reason.
        Err(e) => {
            let mut r = Report::empty(ObjectKind::Pfx);
            r.fail("password", Reason::from_kind(e.kind()), e.to_string());
            r.finish();
            return r;
        }
    };
    let mut r = Report::empty(ObjectKind::Pfx);
    r.pass("password", None);
    let integrity = pfx.integrity();
    let mut out = PfxReport {
        mac: integrity.mac.clone(),
        mac_key_derivation: integrity.mac_key_derivation.clone(),
        mac_iterations: integrity.iterations,
        encryption: pfx.encryption().to_vec(),
        keys: Vec::new(),
        certificates: pfx
            .certificates()
            .iter()
            .filter_map(|c| stored_certificate(&c.certificate, options.at()))
            .collect(),
        skipped_bags: pfx.skipped_bags().to_vec(),
    };
    for k in pfx.keys() {
        let cert = pfx.certificate_of(k);
        match stored_key(&k.key, cert) {
            Ok(mut s) => {
                s.friendly_name = k.friendly_name.clone();
                s.local_key_id = k.local_key_id.as_deref().map(hex::encode_upper);
                s.protection = Some(k.protection.clone());
                out.keys.push(s);
            }
            Err(e) => r.fail("key", Reason::from_kind(e.kind()), e.to_string()),
        }
        // The key the PFX names by localKeyId must be the one its certificate holds.
        if let Some(id) = &k.local_key_id
            && let Some(named) = pfx
                .certificates()
                .iter()
                .find(|c| c.local_key_id.as_ref() == Some(id))
            && !named.certificate.holds_key(&k.key.public_key())
        {
            r.fail(
                "key",
                Reason::KeyMismatch,
                "the certificate with the key's localKeyId holds another key".into(),
            );
        }
    }
    if pfx.integrity().mac.is_none() {
        r.skip(
            "mac",
            Reason::Malformed,
            "the PFX has no MAC: nothing proves it was not altered",
        );
    }
    if !r.checks.iter().any(|c| c.name == "key") && !pfx.keys().is_empty() {
        r.pass("key", None);
    }
    r.public_key = out.keys.first().map(|k| k.public_key.clone());
    r.pfx = Some(out);
    r.finish();
    r
}

/// Reports what a CryptoPro container folder holds; with `options.password` as its PIN, also
/// whether the key opens (never printing it). Checks: `parse`, `pin` (when a PIN is given:
/// the key opens and matches the fingerprint and the stored certificate).
#[cfg(feature = "cryptopro")]
pub fn cryptopro_container(dir: &std::path::Path, options: &Options) -> Report {
    use crate::cryptopro::{CryptoProContainer, CryptoProKeyUsage};
    let c = match CryptoProContainer::open(dir) {
        Ok(c) => c,
        Err(e) => return Report::malformed(ObjectKind::CryptoProContainer, &e),
    };
    let mut r = Report::empty(ObjectKind::CryptoProContainer);
    r.pass("parse", None);
    let ps = c.param_set();
    let (not_before, not_after) = c.key_validity();
    let mut out = ContainerReport {
        name: c.name().map(str::to_string),
        parameter_set: ps.oid().to_string(),
        parameter_set_name: ps.name().to_string(),
        usage: match c.usage() {
            CryptoProKeyUsage::Signature => "signature",
            CryptoProKeyUsage::Exchange => "exchange",
        },
        exportable: c.exportable(),
        fingerprint: hex::encode_upper(c.fingerprint()),
        reserve_copy: c.has_reserve_copy(),
        second_key: c.has_second_key(),
        key_not_before: not_before.map(str::to_string),
        key_not_after: not_after.map(str::to_string),
        certificate: c
            .certificate()
            .and_then(|cert| stored_certificate(cert, options.at())),
        key: None,
        opened_with: None,
    };
    if let Some(cert) = c.certificate() {
        r.public_key = KeyInfo::from_spki_der(cert.public_key_der())
            .ok()
            .map(|i| public_key_report(&i));
    }
    match options.password.as_deref().map(|p| std::str::from_utf8(p)) {
        None => r.skip(
            "pin",
            Reason::Malformed,
            "no PIN given (--password): the key was not opened",
        ),
        Some(Err(_)) => r.fail("pin", Reason::Malformed, "the PIN is not UTF-8 text".into()),
        Some(Ok(pin)) => match c.private_key(pin) {
            Ok((key, how)) => {
                out.key = stored_key(&key, c.certificate()).ok();
                out.opened_with = Some(format!(
                    "{} copy, PIN as {}",
                    if how.from_reserve { "reserve" } else { "main" },
                    how.pin_encoding
                ));
                r.pass("pin", None);
            }
            Err(e) => r.fail("pin", Reason::from_kind(e.kind()), e.to_string()),
        },
    }
    r.container = Some(out);
    r.finish();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_named_as_issue_2_lists_them() {
        let names: Vec<String> = [
            Reason::Malformed,
            Reason::BadSignature,
            Reason::ContentMissing,
            Reason::WrongIssuer,
            Reason::Untrusted,
            Reason::Expired,
            Reason::NotYetValid,
            Reason::KeyMismatch,
            Reason::BadInnChecksum,
            Reason::BadSnilsChecksum,
            Reason::BadOgrnChecksum,
            Reason::ContentAltered,
            Reason::SignerCertMissing,
        ]
        .iter()
        .map(|r| {
            serde_json::to_value(r)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
        assert_eq!(
            names,
            [
                "malformed",
                "bad-signature",
                "content-missing",
                "wrong-issuer",
                "untrusted",
                "expired",
                "not-yet-valid",
                "key-mismatch",
                "bad-inn-checksum",
                "bad-snils-checksum",
                "bad-ogrn-checksum",
                "content-altered",
                "signer-cert-missing"
            ]
        );
    }

    #[test]
    fn names_and_numbers_are_a_stable_vocabulary() {
        crate::vocab::assert_vocabulary!(Reason);
        crate::vocab::assert_vocabulary!(Verdict);
        crate::vocab::assert_vocabulary!(ObjectKind);
        // as_str is what serde writes.
        for r in Reason::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
            assert!(!r.ru().is_empty() && !r.en().is_empty());
        }
        for k in ObjectKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for v in Verdict::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        // ALL is the priority order.
        assert!(Reason::ALL.windows(2).all(|w| w[0] < w[1]));
        let r = Report::malformed(ObjectKind::Unknown, &Error::malformed("x"));
        assert!(!r.to_json_compact().contains('\n'));
        assert_eq!(
            serde_json::from_str::<Value>(&r.to_json_compact()).unwrap(),
            serde_json::from_str::<Value>(&r.to_json()).unwrap()
        );
    }

    #[test]
    fn a_wrong_password_is_its_own_reason_not_malformed() {
        use crate::key::{KeyAlgorithm, SoftwareKey};
        let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let der = key
            .to_encrypted_pkcs8_der_with_iterations(b"right", 1000)
            .unwrap();
        let mut options = Options {
            password: Some(zeroize::Zeroizing::new(b"wrong".to_vec())),
            ..Options::default()
        };
        let r = private_key(&der, true, &options);
        assert_eq!(r.reason, Some(Reason::WrongPassword));
        let json = r.to_json();
        assert!(json.contains("\"reason\": \"wrong-password\""), "{json}");
        assert!(
            !json.contains("right") && !json.contains("\"wrong\""),
            "no secret: {json}"
        );
        options.password = None;
        assert_eq!(
            private_key(&der, true, &options).reason,
            Some(Reason::WrongPassword)
        );
        options.password = Some(zeroize::Zeroizing::new(b"right".to_vec()));
        assert!(private_key(&der, true, &options).is_valid());
        // A damaged file is still malformed.
        assert_eq!(
            private_key(&der[..der.len() / 2], true, &options).reason,
            Some(Reason::Malformed)
        );
    }

    #[test]
    fn the_first_reason_in_order_wins() {
        let mut r = Report::empty(ObjectKind::Certificate);
        r.fail("identifiers", Reason::BadSnilsChecksum, "x".into());
        r.fail("validity", Reason::Expired, "y".into());
        r.finish();
        assert_eq!(r.verdict, Verdict::Invalid);
        assert_eq!(r.reason, Some(Reason::Expired));
        assert_eq!(r.message.as_deref(), Some("y"));
        let mut ok = Report::empty(ObjectKind::Certificate);
        ok.pass("parse", None);
        ok.finish();
        assert!(ok.is_valid());
        assert_eq!(
            Reason::from_kind(ErrorKind::UnsupportedAlgorithm),
            Reason::Malformed
        );
        assert_eq!(Reason::for_identifier("OGRNIP"), Reason::BadOgrnChecksum);
    }

    #[test]
    fn a_check_that_could_not_be_made_is_never_valid() {
        // Nothing failed, but the chain was not checked: not valid, and the skipped check's
        // reason is the verdict's, in order with the failures.
        let mut r = Report::empty(ObjectKind::Certificate);
        r.pass("signature", None);
        r.skip("chain", Reason::Untrusted, "no anchors");
        r.finish();
        assert_eq!(r.verdict, Verdict::Invalid);
        assert_eq!(r.reason, Some(Reason::Untrusted));
        r.fail("validity", Reason::Expired, "y".into());
        r.skip("signatures", Reason::ContentMissing, "z");
        r.finish();
        assert_eq!(r.reason, Some(Reason::ContentMissing));
        assert_eq!(r.message.as_deref(), Some("z"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["checks"][1]["outcome"], "skipped");
        assert_eq!(json["checks"][1]["reason"], "untrusted");
        assert_eq!(json["reason"], "content-missing");
    }

    #[test]
    fn unrecognised_input_is_malformed() {
        for input in [
            &b""[..],
            b"hello",
            b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n",
        ] {
            let r = inspect(input, &Options::default());
            assert_eq!(r.kind, ObjectKind::Unknown);
            assert_eq!(r.reason, Some(Reason::Malformed));
        }
    }
}
