//! Verifying an incoming request, each failure a distinct [`RejectReason`].
//!
//! Paper flow (the PKCS#10 goes electronically, the act on paper): the request parses, its
//! self-signature verifies, its subject is well-formed, the key algorithm is allowed, the
//! identity is a known subscriber's (or a pre-registered new client's), and the key is new.
//!
//! Remote flow (seed 002: the PKCS#10 in CMS signed with the current key): the CMS parses and
//! its signature verifies; it carries a signingTime not after the receipt and not older than
//! the policy allows; the signer's certificate is the subscriber's *current* registered
//! certificate, valid at the signing time and chaining to the bank's roots; then the inner
//! request as in the paper flow, with the identity compared field by field with the signer's
//! certificate, and the new key different from the old one and from every key the bank has
//! registered.

use std::fmt;

use time::{Duration, OffsetDateTime};

use super::identity::Identity;
use super::registry::{Registry, Subscriber};
use crate::cms::SignedRequest;
use crate::key::KeyAlgorithm;
use crate::lifecycle::Flow;
use crate::pki::{Certificate, CertificateRequest, build_chain};
use crate::vocab::stable_codes;
use crate::{Error, ErrorKind, Result};

/// Why the bank rejects a request. Each has a stable machine name ([`as_str`](Self::as_str))
/// and words for the user in Russian and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectReason {
    /// The bytes are not a PKCS#10 request (paper) or a CMS SignedData with one (remote).
    Malformed,
    /// The PKCS#10 self-signature does not verify.
    BadRequestSignature,
    /// The request's subject is not well-formed (a missing or invalid attribute).
    SubjectInvalid,
    /// Paper flow: the identity is neither a subscriber's nor a pre-registered client's.
    UnknownSubscriber,
    /// Remote flow: the CMS signature does not verify, or the signed content was altered.
    BadCmsSignature,
    /// Remote flow: the signer's certificate is not in the CMS.
    SignerCertificateMissing,
    /// Remote flow: the signer's certificate does not chain to the bank's roots.
    SignerUntrusted,
    /// Remote flow: the signer's certificate was not valid at the signing time.
    SignerExpired,
    /// Remote flow: no signingTime, or one after the receipt or too long before it.
    SigningTimeInvalid,
    /// Remote flow: the signer's certificate is not the subscriber's current registered one
    /// (superseded, or unknown to the bank).
    SignerNotCurrent,
    /// Remote flow: an identifier or the name differs from the signer's certificate.
    IdentityChanged,
    /// The new key is the key of the current certificate.
    KeySameAsOld,
    /// The new key has been registered with the bank before.
    KeyAlreadyRegistered,
    /// The key algorithm is not allowed by the bank's policy.
    AlgorithmNotAllowed,
    /// Paper flow: the paper act does not match the request.
    PaperActMismatch,
    /// Refused by the bank's operator.
    RefusedByOperator,
}

stable_codes!(RejectReason {
    Malformed = 1,
    BadRequestSignature = 2,
    SubjectInvalid = 3,
    UnknownSubscriber = 4,
    BadCmsSignature = 5,
    SignerCertificateMissing = 6,
    SignerUntrusted = 7,
    SignerExpired = 8,
    SigningTimeInvalid = 9,
    SignerNotCurrent = 10,
    IdentityChanged = 11,
    KeySameAsOld = 12,
    KeyAlreadyRegistered = 13,
    AlgorithmNotAllowed = 14,
    PaperActMismatch = 15,
    RefusedByOperator = 16,
});

impl RejectReason {
    /// Every reason, in declaration order.
    pub const ALL: [RejectReason; 16] = [
        RejectReason::Malformed,
        RejectReason::BadRequestSignature,
        RejectReason::SubjectInvalid,
        RejectReason::UnknownSubscriber,
        RejectReason::BadCmsSignature,
        RejectReason::SignerCertificateMissing,
        RejectReason::SignerUntrusted,
        RejectReason::SignerExpired,
        RejectReason::SigningTimeInvalid,
        RejectReason::SignerNotCurrent,
        RejectReason::IdentityChanged,
        RejectReason::KeySameAsOld,
        RejectReason::KeyAlreadyRegistered,
        RejectReason::AlgorithmNotAllowed,
        RejectReason::PaperActMismatch,
        RejectReason::RefusedByOperator,
    ];

    /// The stable machine name (`bad_cms_signature`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Malformed => "malformed",
            RejectReason::BadRequestSignature => "bad_request_signature",
            RejectReason::SubjectInvalid => "subject_invalid",
            RejectReason::UnknownSubscriber => "unknown_subscriber",
            RejectReason::BadCmsSignature => "bad_cms_signature",
            RejectReason::SignerCertificateMissing => "signer_certificate_missing",
            RejectReason::SignerUntrusted => "signer_untrusted",
            RejectReason::SignerExpired => "signer_expired",
            RejectReason::SigningTimeInvalid => "signing_time_invalid",
            RejectReason::SignerNotCurrent => "signer_not_current",
            RejectReason::IdentityChanged => "identity_changed",
            RejectReason::KeySameAsOld => "key_same_as_old",
            RejectReason::KeyAlreadyRegistered => "key_already_registered",
            RejectReason::AlgorithmNotAllowed => "algorithm_not_allowed",
            RejectReason::PaperActMismatch => "paper_act_mismatch",
            RejectReason::RefusedByOperator => "refused_by_operator",
        }
    }

    /// Parses a machine name written by [`as_str`](Self::as_str).
    pub fn parse(name: &str) -> Result<RejectReason> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
            .ok_or_else(|| {
                Error::invalid_field("reject_reason", format!("unknown reason \"{name}\""))
            })
    }

    /// What the user is told, in Russian.
    pub fn ru(self) -> &'static str {
        match self {
            RejectReason::Malformed => "Запрос повреждён или имеет неверный формат",
            RejectReason::BadRequestSignature => "Подпись запроса на сертификат неверна",
            RejectReason::SubjectInvalid => "Неверно заполнены сведения о владельце ключа",
            RejectReason::UnknownSubscriber => "Владелец ключа не зарегистрирован в банке",
            RejectReason::BadCmsSignature => "Электронная подпись запроса неверна",
            RejectReason::SignerCertificateMissing => "Сертификат подписавшего запрос не найден",
            RejectReason::SignerUntrusted => {
                "Сертификат подписавшего запрос выдан не удостоверяющим центром банка"
            }
            RejectReason::SignerExpired => {
                "Сертификат подписавшего запрос не действовал в момент подписания"
            }
            RejectReason::SigningTimeInvalid => "Неверное время подписания запроса",
            RejectReason::SignerNotCurrent => {
                "Запрос подписан не действующим зарегистрированным ключом абонента"
            }
            RejectReason::IdentityChanged => {
                "Сведения о владельце ключа отличаются от действующего сертификата"
            }
            RejectReason::KeySameAsOld => "Новый ключ совпадает с действующим",
            RejectReason::KeyAlreadyRegistered => "Ключ уже был зарегистрирован в банке",
            RejectReason::AlgorithmNotAllowed => "Алгоритм ключа не допускается банком",
            RejectReason::PaperActMismatch => {
                "Акт признания открытого ключа не соответствует запросу"
            }
            RejectReason::RefusedByOperator => "Отказано сотрудником банка",
        }
    }

    /// What the user is told, in English.
    pub fn en(self) -> &'static str {
        match self {
            RejectReason::Malformed => "The request is damaged or malformed",
            RejectReason::BadRequestSignature => "The certificate request's signature is invalid",
            RejectReason::SubjectInvalid => "The key owner's details are not filled in correctly",
            RejectReason::UnknownSubscriber => "The key owner is not registered with the bank",
            RejectReason::BadCmsSignature => "The request's electronic signature is invalid",
            RejectReason::SignerCertificateMissing => "The signer's certificate is missing",
            RejectReason::SignerUntrusted => {
                "The signer's certificate was not issued by the bank's CA"
            }
            RejectReason::SignerExpired => {
                "The signer's certificate was not valid when the request was signed"
            }
            RejectReason::SigningTimeInvalid => "The request's signing time is invalid",
            RejectReason::SignerNotCurrent => {
                "The request is not signed with the subscriber's current registered key"
            }
            RejectReason::IdentityChanged => {
                "The key owner's details differ from the current certificate"
            }
            RejectReason::KeySameAsOld => "The new key is the current key",
            RejectReason::KeyAlreadyRegistered => {
                "The key has already been registered with the bank"
            }
            RejectReason::AlgorithmNotAllowed => "The key algorithm is not allowed by the bank",
            RejectReason::PaperActMismatch => "The paper act does not match the request",
            RejectReason::RefusedByOperator => "Refused by the bank's operator",
        }
    }

    /// The error kind a rejection for this reason converts to.
    pub fn error_kind(self) -> ErrorKind {
        match self {
            RejectReason::Malformed => ErrorKind::MalformedEncoding,
            RejectReason::BadRequestSignature | RejectReason::BadCmsSignature => {
                ErrorKind::BadSignature
            }
            RejectReason::SubjectInvalid
            | RejectReason::IdentityChanged
            | RejectReason::SigningTimeInvalid => ErrorKind::InvalidInput,
            RejectReason::SignerCertificateMissing => ErrorKind::SignerCertificateMissing,
            RejectReason::SignerUntrusted => ErrorKind::UntrustedIssuer,
            RejectReason::SignerExpired => ErrorKind::Expired,
            RejectReason::AlgorithmNotAllowed => ErrorKind::UnsupportedAlgorithm,
            RejectReason::PaperActMismatch => ErrorKind::KeyMismatch,
            RejectReason::UnknownSubscriber
            | RejectReason::SignerNotCurrent
            | RejectReason::KeySameAsOld
            | RejectReason::KeyAlreadyRegistered
            | RejectReason::RefusedByOperator => ErrorKind::PreconditionFailed,
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejection: the reason, what exactly was wrong, and the field when there is one (the
/// identity field that changed, the subject attribute that is invalid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The reason.
    pub reason: RejectReason,
    /// What exactly was wrong (no secrets).
    pub detail: String,
    /// The field concerned, when there is one ("INN", "SNILS", "signingTime", ...).
    pub field: Option<String>,
}

impl Rejection {
    /// A rejection without a field.
    pub fn new(reason: RejectReason, detail: impl Into<String>) -> Rejection {
        Rejection {
            reason,
            detail: detail.into(),
            field: None,
        }
    }

    /// Names the field concerned.
    pub fn with_field(mut self, field: impl Into<String>) -> Rejection {
        self.field = Some(field.into());
        self
    }

    fn from_error(reason: RejectReason, e: &Error) -> Rejection {
        Rejection {
            reason,
            detail: e.message().to_owned(),
            field: e.field().map(str::to_owned),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({field}): {}", self.reason, self.detail),
            None => write!(f, "{}: {}", self.reason, self.detail),
        }
    }
}

impl From<Rejection> for Error {
    fn from(r: Rejection) -> Error {
        let e = Error::new(
            r.reason.error_kind(),
            format!("{}: {}", r.reason.as_str(), r.detail),
        );
        match r.field {
            Some(f) => e.with_field(f),
            None => e,
        }
    }
}

/// Which key algorithms the bank accepts for new keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmPolicy {
    /// GOST R 34.10-2012 with 256-bit keys.
    pub gost_256: bool,
    /// GOST R 34.10-2012 with 512-bit keys.
    pub gost_512: bool,
    /// RSA, with at least this many bits; `None`: no RSA.
    pub rsa_min_bits: Option<u32>,
    /// ECDSA P-256.
    pub ecdsa_p256: bool,
}

impl Default for AlgorithmPolicy {
    /// GOST R 34.10-2012 only (256 and 512 bits).
    fn default() -> Self {
        AlgorithmPolicy::gost_only()
    }
}

impl AlgorithmPolicy {
    /// GOST R 34.10-2012 only, both key sizes.
    pub fn gost_only() -> AlgorithmPolicy {
        AlgorithmPolicy {
            gost_256: true,
            gost_512: true,
            rsa_min_bits: None,
            ecdsa_p256: false,
        }
    }

    /// GOST, RSA of at least 2048 bits, and ECDSA P-256.
    pub fn any_strong() -> AlgorithmPolicy {
        AlgorithmPolicy {
            gost_256: true,
            gost_512: true,
            rsa_min_bits: Some(2048),
            ecdsa_p256: true,
        }
    }

    /// Whether `algorithm` is allowed; the error says why not
    /// ([`ErrorKind::UnsupportedAlgorithm`]).
    pub fn check(&self, algorithm: KeyAlgorithm) -> Result<()> {
        let ok = match algorithm {
            KeyAlgorithm::Gost(ps) if ps.is_512() => self.gost_512,
            KeyAlgorithm::Gost(_) => self.gost_256,
            KeyAlgorithm::Rsa { bits } => self.rsa_min_bits.is_some_and(|min| bits >= min),
            KeyAlgorithm::EcdsaP256 => self.ecdsa_p256,
            // No bank issues for a key nobody may sign with since 2019.
            KeyAlgorithm::Gost2001(_) => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::unsupported(format!(
                "{} is not allowed by the bank's policy",
                algorithm.name()
            )))
        }
    }
}

/// What the bank checks incoming requests against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyPolicy {
    /// Allowed algorithms of new keys.
    pub algorithms: AlgorithmPolicy,
    /// How long before its receipt a remote request may have been signed (1 day by default).
    pub max_signing_age: Duration,
    /// How far after its receipt a signingTime may lie (clock skew; 5 minutes by default).
    pub max_clock_skew: Duration,
}

impl Default for VerifyPolicy {
    fn default() -> Self {
        VerifyPolicy {
            algorithms: AlgorithmPolicy::default(),
            max_signing_age: Duration::days(1),
            max_clock_skew: Duration::minutes(5),
        }
    }
}

/// A request that passed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The PKCS#10 request.
    pub request: CertificateRequest,
    /// The subscriber it belongs to.
    pub subscriber: Subscriber,
    /// The subscriber's current certificate (the signer's, in the remote flow).
    pub current: Option<Certificate>,
}

/// Where verification stopped: the rejection, with what was learnt before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// Why.
    pub rejection: Rejection,
    /// The request, when it could be read.
    pub request: Option<CertificateRequest>,
    /// The subscriber, when identified.
    pub subscriber: Option<Subscriber>,
}

fn fail(
    reason: RejectReason,
    detail: impl Into<String>,
    request: Option<&CertificateRequest>,
    subscriber: Option<&Subscriber>,
) -> Box<Failed> {
    failed(Rejection::new(reason, detail), request, subscriber)
}

fn fail_err(
    reason: RejectReason,
    e: &Error,
    request: Option<&CertificateRequest>,
    subscriber: Option<&Subscriber>,
) -> Box<Failed> {
    failed(Rejection::from_error(reason, e), request, subscriber)
}

fn failed(
    rejection: Rejection,
    request: Option<&CertificateRequest>,
    subscriber: Option<&Subscriber>,
) -> Box<Failed> {
    Box::new(Failed {
        rejection,
        request: request.cloned(),
        subscriber: subscriber.cloned(),
    })
}

/// Verifies an incoming request of `flow` received at `at` against the registry, the bank's
/// roots and the policy.
pub fn verify_request(
    flow: Flow,
    bytes: &[u8],
    registry: &Registry,
    roots: &[Certificate],
    policy: &VerifyPolicy,
    at: OffsetDateTime,
) -> Result<std::result::Result<Verified, Box<Failed>>> {
    match flow {
        Flow::PaperActs => verify_paper(bytes, registry, policy),
        Flow::Remote => verify_remote(bytes, registry, roots, policy, at),
    }
}

/// The checks of the request itself: self-signature, subject, algorithm.
fn check_request(
    request: &CertificateRequest,
    policy: &VerifyPolicy,
) -> std::result::Result<(), Box<Failed>> {
    if let Err(e) = request.verify() {
        let reason = if e.kind() == ErrorKind::UnsupportedAlgorithm {
            RejectReason::AlgorithmNotAllowed
        } else {
            RejectReason::BadRequestSignature
        };
        return Err(fail_err(reason, &e, Some(request), None));
    }
    let subject = request.subject();
    if let Err(e) = subject.validate(subject.kind()) {
        return Err(fail_err(
            RejectReason::SubjectInvalid,
            &e,
            Some(request),
            None,
        ));
    }
    let key = request
        .public_key()
        .map_err(|e| fail_err(RejectReason::AlgorithmNotAllowed, &e, Some(request), None))?;
    policy
        .algorithms
        .check(key.algorithm())
        .map_err(|e| fail_err(RejectReason::AlgorithmNotAllowed, &e, Some(request), None))
}

/// The new key differs from the current certificate's and from every registered key.
fn check_key_is_new(
    request: &CertificateRequest,
    subscriber: &Subscriber,
    current: Option<&Certificate>,
    registry: &Registry,
) -> Result<std::result::Result<(), Box<Failed>>> {
    let key_id = request.key_info().key_id;
    if let Some(cur) = current
        && cur.key_info().key_bits == request.key_info().key_bits
    {
        return Ok(Err(fail(
            RejectReason::KeySameAsOld,
            format!(
                "the request holds the key of certificate {} ({})",
                cur.serial_hex(),
                hex::encode(key_id)
            ),
            Some(request),
            Some(subscriber),
        )));
    }
    if let Some(k) = registry.key(&key_id)? {
        return Ok(Err(fail(
            RejectReason::KeyAlreadyRegistered,
            format!(
                "key {} was registered on {} (from a {})",
                k.key_id,
                crate::calendar::format_date(k.registered_at.date()),
                k.source
            ),
            Some(request),
            Some(subscriber),
        )));
    }
    Ok(Ok(()))
}

fn verify_paper(
    bytes: &[u8],
    registry: &Registry,
    policy: &VerifyPolicy,
) -> Result<std::result::Result<Verified, Box<Failed>>> {
    let request = match CertificateRequest::from_pem(bytes) {
        Ok(r) => r,
        Err(e) => return Ok(Err(fail_err(RejectReason::Malformed, &e, None, None))),
    };
    if let Err(f) = check_request(&request, policy) {
        return Ok(Err(f));
    }
    let identity = Identity::of(request.subject());
    let Some(subscriber) = registry.find_subscriber(&identity)? else {
        let known = identity
            .fields()
            .iter()
            .filter_map(|(l, v)| v.map(|v| format!("{l}={v}")))
            .collect::<Vec<_>>()
            .join(", ");
        return Ok(Err(fail(
            RejectReason::UnknownSubscriber,
            format!("no subscriber or pre-registered client with {known}"),
            Some(&request),
            None,
        )));
    };
    let current = registry.current_certificate(subscriber.id)?;
    if let Err(f) = check_key_is_new(&request, &subscriber, current.as_ref(), registry)? {
        return Ok(Err(f));
    }
    Ok(Ok(Verified {
        request,
        subscriber,
        current,
    }))
}

fn verify_remote(
    bytes: &[u8],
    registry: &Registry,
    roots: &[Certificate],
    policy: &VerifyPolicy,
    at: OffsetDateTime,
) -> Result<std::result::Result<Verified, Box<Failed>>> {
    let signed = match SignedRequest::from_der_or_pem(bytes) {
        Ok(s) => s,
        Err(e) => return Ok(Err(fail_err(RejectReason::Malformed, &e, None, None))),
    };
    let sd = signed.signed_data();
    let signer = match sd.verify_signatures(None, &[]) {
        Ok(mut certs) if certs.len() == 1 => certs.swap_remove(0),
        Ok(certs) => {
            return Ok(Err(fail(
                RejectReason::Malformed,
                format!("{} signers, not one", certs.len()),
                None,
                None,
            )));
        }
        Err(e) => {
            let reason = match e.kind() {
                ErrorKind::SignerCertificateMissing => RejectReason::SignerCertificateMissing,
                ErrorKind::MalformedEncoding => RejectReason::Malformed,
                ErrorKind::UnsupportedAlgorithm => RejectReason::AlgorithmNotAllowed,
                _ => RejectReason::BadCmsSignature,
            };
            return Ok(Err(fail_err(reason, &e, None, None)));
        }
    };
    let request = signed.request().ok();
    let req = request.as_ref();
    let Some(signing_time) = sd.signers()[0].signing_time() else {
        return Ok(Err(Box::new(Failed {
            rejection: Rejection::new(RejectReason::SigningTimeInvalid, "no signingTime")
                .with_field("signingTime"),
            request,
            subscriber: None,
        })));
    };
    // Saturating: a bound past the end of time does not bind (issue 13, defect 1).
    if signing_time > at.saturating_add(policy.max_clock_skew)
        || signing_time < at.saturating_sub(policy.max_signing_age)
    {
        return Ok(Err(Box::new(Failed {
            rejection: Rejection::new(
                RejectReason::SigningTimeInvalid,
                format!(
                    "signed at {}, received at {}",
                    crate::pki::rfc3339(signing_time),
                    crate::pki::rfc3339(at)
                ),
            )
            .with_field("signingTime"),
            request,
            subscriber: None,
        })));
    }
    // The signer must be a subscriber's current certificate.
    let record = registry.certificate_record(&signer)?;
    let subscriber = match &record {
        Some(r) => Some(registry.subscriber(r.subscriber_id)?),
        None => None,
    };
    match &record {
        Some(r) if r.current => {}
        Some(_) => {
            return Ok(Err(fail(
                RejectReason::SignerNotCurrent,
                format!(
                    "certificate {} has been superseded by a newer one",
                    signer.serial_hex()
                ),
                req,
                subscriber.as_ref(),
            )));
        }
        None => {
            return Ok(Err(fail(
                RejectReason::SignerNotCurrent,
                format!(
                    "certificate {} (\"{}\") is not registered with the bank",
                    signer.serial_hex(),
                    signer.subject()
                ),
                req,
                None,
            )));
        }
    }
    let subscriber = subscriber.ok_or_else(|| Error::new(ErrorKind::Internal, "no subscriber"))?;
    if let Err(e) = build_chain(&signer, sd.certificates(), roots, signing_time) {
        let reason = match e.kind() {
            ErrorKind::Expired | ErrorKind::NotYetValid => RejectReason::SignerExpired,
            _ => RejectReason::SignerUntrusted,
        };
        return Ok(Err(fail_err(reason, &e, req, Some(&subscriber))));
    }
    let request = match signed.request() {
        Ok(r) => r,
        Err(e) => {
            return Ok(Err(fail_err(
                RejectReason::Malformed,
                &e,
                None,
                Some(&subscriber),
            )));
        }
    };
    if let Err(mut f) = check_request(&request, policy) {
        f.subscriber = Some(subscriber);
        return Ok(Err(f));
    }
    let was = Identity::of(signer.subject());
    let now = Identity::of(request.subject());
    let changed = was.differences(&now);
    if let Some(first) = changed.first() {
        let show = |i: &Identity, l: &str| {
            i.fields()
                .iter()
                .find(|(f, _)| *f == l)
                .and_then(|(_, v)| *v)
                .unwrap_or("(absent)")
                .to_owned()
        };
        let detail = changed
            .iter()
            .map(|l| format!("{l}: \"{}\" → \"{}\"", show(&was, l), show(&now, l)))
            .collect::<Vec<_>>()
            .join("; ");
        return Ok(Err(Box::new(Failed {
            rejection: Rejection::new(RejectReason::IdentityChanged, detail).with_field(*first),
            request: Some(request),
            subscriber: Some(subscriber),
        })));
    }
    if let Err(f) = check_key_is_new(&request, &subscriber, Some(&signer), registry)? {
        return Ok(Err(f));
    }
    Ok(Ok(Verified {
        request,
        subscriber,
        current: Some(signer),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reject_reasons_are_a_stable_vocabulary() {
        crate::vocab::assert_vocabulary!(RejectReason);
        for r in RejectReason::ALL {
            assert!(!r.ru().is_empty() && !r.en().is_empty());
        }
        assert_eq!(RejectReason::RefusedByOperator.code(), 16);
    }
}
