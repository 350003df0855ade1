//! One error model for Rust, C and Python (DESIGN.md §3).
//!
//! Every failure is an [`Error`] carrying an [`ErrorKind`]. The kind has a stable numeric
//! [`code`](ErrorKind::code): the C ABI returns it as `bk_status`, and the Python exception
//! raised for it carries it as `.code`. Codes are grouped in ranges by category and a code,
//! once published, is never reused for another meaning.
//!
//! Messages are for people and never contain secrets (PINs, passwords, key material).

use std::fmt;

/// What went wrong, as a category with a stable numeric code.
///
/// Ranges: 1xxx input and encoding, 2xxx trust and signatures, 3xxx lifecycle state,
/// 4xxx tokens and PINs, 5xxx storage and I/O, 9xxx internal.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum ErrorKind {
    /// A value given by the caller is not acceptable (wrong check digit, missing field, ...).
    InvalidInput = 1000,
    /// Bytes that should be DER, PEM, PKCS#8, PKCS#10, X.509 or CMS are not well-formed.
    MalformedEncoding = 1001,
    /// The algorithm, parameter set or mechanism is not supported.
    UnsupportedAlgorithm = 1002,
    /// A password does not decrypt the key (or the key is corrupt in a way that looks alike).
    WrongPassword = 1003,
    /// The input asks for more work than the host allows (a key-derivation iteration count
    /// above [`kdf_iteration_limit`](crate::key::kdf_iteration_limit)): not necessarily
    /// malformed; a host that trusts the source may raise the limit.
    LimitExceeded = 1004,

    /// A signature does not verify.
    BadSignature = 2000,
    /// A certificate or request does not hold the key it is expected to hold.
    KeyMismatch = 2001,
    /// A certificate (or key) is past its validity period.
    Expired = 2002,
    /// A certificate (or key) is not valid yet.
    NotYetValid = 2003,
    /// No path leads to a trusted root.
    UntrustedIssuer = 2004,
    /// The object names an issuer other than the one it was checked against.
    WrongIssuer = 2005,
    /// The certificate is revoked.
    Revoked = 2006,
    /// A check that must be made could not be made (list of accredited CAs or CRL missing):
    /// retriable, never a silent pass.
    VerificationUnavailable = 2007,
    /// Signed content does not match its digest.
    ContentAltered = 2008,
    /// The certificate of a signer was not found.
    SignerCertificateMissing = 2009,
    /// The certificate's keyUsage does not allow this use of its key (a signature by a key
    /// certified only for key agreement or encipherment).
    KeyUsageNotAllowed = 2010,

    /// The operation is not allowed in the current lifecycle state.
    WrongState = 3000,
    /// A precondition of the operation does not hold.
    PreconditionFailed = 3001,

    /// The PIN is wrong.
    PinIncorrect = 4000,
    /// The PIN is locked.
    PinLocked = 4001,
    /// The token still has its factory PIN, which must be changed first.
    PinFactoryDefault = 4002,
    /// One more wrong PIN locks the token: refused unless the caller insists.
    PinFinalTry = 4003,
    /// The token is absent (removed, or never inserted).
    TokenAbsent = 4004,
    /// A PKCS#11 function failed; the CKR value is kept in [`Error::ckr`].
    Pkcs11 = 4005,

    /// Reading or writing a file failed.
    Io = 5000,
    /// A store (file container, journal) is inconsistent or cannot be used.
    Storage = 5001,

    /// A bug or an unexpected condition inside the library.
    Internal = 9000,
}

impl ErrorKind {
    /// Every kind, in code order (for bindings that mirror the list).
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::InvalidInput,
        ErrorKind::MalformedEncoding,
        ErrorKind::UnsupportedAlgorithm,
        ErrorKind::WrongPassword,
        ErrorKind::LimitExceeded,
        ErrorKind::BadSignature,
        ErrorKind::KeyMismatch,
        ErrorKind::Expired,
        ErrorKind::NotYetValid,
        ErrorKind::UntrustedIssuer,
        ErrorKind::WrongIssuer,
        ErrorKind::Revoked,
        ErrorKind::VerificationUnavailable,
        ErrorKind::ContentAltered,
        ErrorKind::SignerCertificateMissing,
        ErrorKind::KeyUsageNotAllowed,
        ErrorKind::WrongState,
        ErrorKind::PreconditionFailed,
        ErrorKind::PinIncorrect,
        ErrorKind::PinLocked,
        ErrorKind::PinFactoryDefault,
        ErrorKind::PinFinalTry,
        ErrorKind::TokenAbsent,
        ErrorKind::Pkcs11,
        ErrorKind::Io,
        ErrorKind::Storage,
        ErrorKind::Internal,
    ];

    /// The stable numeric code (C `bk_status`, Python `.code`).
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The kind for a numeric code, if there is one.
    pub fn from_code(code: u32) -> Option<ErrorKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// A stable snake_case name (used in JSON reports and as a Python exception's basis).
    pub const fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::MalformedEncoding => "malformed_encoding",
            ErrorKind::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorKind::WrongPassword => "wrong_password",
            ErrorKind::LimitExceeded => "limit_exceeded",
            ErrorKind::BadSignature => "bad_signature",
            ErrorKind::KeyMismatch => "key_mismatch",
            ErrorKind::Expired => "expired",
            ErrorKind::NotYetValid => "not_yet_valid",
            ErrorKind::UntrustedIssuer => "untrusted_issuer",
            ErrorKind::WrongIssuer => "wrong_issuer",
            ErrorKind::Revoked => "revoked",
            ErrorKind::VerificationUnavailable => "verification_unavailable",
            ErrorKind::ContentAltered => "content_altered",
            ErrorKind::SignerCertificateMissing => "signer_certificate_missing",
            ErrorKind::KeyUsageNotAllowed => "key_usage_not_allowed",
            ErrorKind::WrongState => "wrong_state",
            ErrorKind::PreconditionFailed => "precondition_failed",
            ErrorKind::PinIncorrect => "pin_incorrect",
            ErrorKind::PinLocked => "pin_locked",
            ErrorKind::PinFactoryDefault => "pin_factory_default",
            ErrorKind::PinFinalTry => "pin_final_try",
            ErrorKind::TokenAbsent => "token_absent",
            ErrorKind::Pkcs11 => "pkcs11",
            ErrorKind::Io => "io",
            ErrorKind::Storage => "storage",
            ErrorKind::Internal => "internal",
        }
    }

    /// A short English description of the kind.
    pub const fn description(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::MalformedEncoding => "malformed encoding",
            ErrorKind::UnsupportedAlgorithm => "unsupported algorithm",
            ErrorKind::WrongPassword => "wrong password",
            ErrorKind::LimitExceeded => "limit exceeded",
            ErrorKind::BadSignature => "bad signature",
            ErrorKind::KeyMismatch => "key mismatch",
            ErrorKind::Expired => "expired",
            ErrorKind::NotYetValid => "not yet valid",
            ErrorKind::UntrustedIssuer => "untrusted issuer",
            ErrorKind::WrongIssuer => "wrong issuer",
            ErrorKind::Revoked => "revoked",
            ErrorKind::VerificationUnavailable => "verification unavailable",
            ErrorKind::ContentAltered => "content altered",
            ErrorKind::SignerCertificateMissing => "signer certificate missing",
            ErrorKind::KeyUsageNotAllowed => "key usage not allowed",
            ErrorKind::WrongState => "wrong state",
            ErrorKind::PreconditionFailed => "precondition failed",
            ErrorKind::PinIncorrect => "PIN incorrect",
            ErrorKind::PinLocked => "PIN locked",
            ErrorKind::PinFactoryDefault => "factory default PIN must be changed",
            ErrorKind::PinFinalTry => "final PIN try",
            ErrorKind::TokenAbsent => "token absent",
            ErrorKind::Pkcs11 => "PKCS#11 error",
            ErrorKind::Io => "I/O error",
            ErrorKind::Storage => "storage error",
            ErrorKind::Internal => "internal error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// The error of every fallible operation in bankkey.
///
/// Owned and `Send + Sync + 'static`, so it crosses the C and Python boundaries unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    field: Option<String>,
    message: String,
    ckr: Option<u64>,
}

impl Error {
    /// An error of `kind` with a message (which must not contain secrets).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            field: None,
            message: message.into(),
            ckr: None,
        }
    }

    /// An [`ErrorKind::InvalidInput`] error naming the field that is wrong.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message).with_field(field)
    }

    /// A [`ErrorKind::MalformedEncoding`] error.
    pub fn malformed(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::MalformedEncoding, message)
    }

    /// A [`ErrorKind::UnsupportedAlgorithm`] error.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::UnsupportedAlgorithm, message)
    }

    /// A [`ErrorKind::BadSignature`] error.
    pub fn bad_signature(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::BadSignature, message)
    }

    /// A [`ErrorKind::Pkcs11`] error keeping the PKCS#11 function and its CKR value.
    pub fn pkcs11(function: &str, ckr: u64, message: impl Into<String>) -> Self {
        let mut e = Error::new(
            ErrorKind::Pkcs11,
            format!("{function} returned CKR 0x{ckr:08X}: {}", message.into()),
        );
        e.ckr = Some(ckr);
        e
    }

    /// Names the field (or attribute, or argument) the error is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Prefixes the message with context ("reading the certificate: ...").
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The category.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable numeric code of the category.
    pub fn code(&self) -> u32 {
        self.kind.code()
    }

    /// The field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The PKCS#11 return value, for [`ErrorKind::Pkcs11`] errors.
    pub fn ckr(&self) -> Option<u64> {
        self.ckr
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({}): {}", self.kind, field, self.message),
            None => write!(f, "{}: {}", self.kind, self.message),
        }
    }
}

impl std::error::Error for Error {}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::malformed(format!("DER: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, e.to_string())
    }
}

/// `Result` with bankkey's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for k in ErrorKind::ALL {
            assert!(seen.insert(k.code()), "duplicate code {}", k.code());
            assert_eq!(ErrorKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(ErrorKind::from_code(1), None);
    }

    #[test]
    fn display_names_the_field() {
        let e = Error::invalid_field("INN", "wrong check digit");
        assert_eq!(e.to_string(), "invalid input (INN): wrong check digit");
        assert_eq!(e.code(), 1000);
    }

    #[test]
    fn pkcs11_keeps_ckr() {
        let e = Error::pkcs11("C_Login", 0xA0, "PIN incorrect");
        assert_eq!(e.ckr(), Some(0xA0));
        assert!(e.message().contains("C_Login"));
    }
}
