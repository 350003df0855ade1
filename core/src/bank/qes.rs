//! Qualified signatures (КЭП, seed 004): is a certificate qualified, checked against the
//! ministry's list of accredited CAs and the CAs' CRLs; and the bank's confirmation of a QES
//! by a statement signed by its owner and the head of the organisation.
//!
//! A check that cannot be made — no list, a list too old, no fresh CRL of the issuing CA, no
//! certificate of the CA key in the list — is [`ErrorKind::VerificationUnavailable`], the
//! seed's «Ошибка при работе с сервисом проверки сторонних сертификатов» ([`UNAVAILABLE_RU`]):
//! retriable, and never a silent pass.

use time::{Duration, OffsetDateTime};

use super::crl::{Crl, check_not_revoked};
use super::tsl::{AccreditationStatus, TrustedList};
use crate::cms::SignedData;
use crate::pki::{Certificate, build_chain};
use crate::{Error, ErrorKind, Result};

/// What the user is told when the check cannot be made (seed 004).
pub const UNAVAILABLE_RU: &str = "Ошибка при работе с сервисом проверки сторонних сертификатов";

/// The same in English.
pub const UNAVAILABLE_EN: &str = "Error while using the third-party certificate check service";

/// What the check asks of the list of accredited CAs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QesPolicy {
    /// The list's `Дата` must be no older than this at the time of the check (7 days by
    /// default; the ministry republishes it daily).
    pub max_list_age: Duration,
    /// Use a list read without verifying its signature ([`TrustedList::from_xml`]). `false`
    /// by default: only a list whose XMLDSig was verified against the Ministry's certificate
    /// ([`TrustedList::from_signed_xml`]) is used. Set it only when the host has authenticated
    /// the list some other way (it verified the signature with its own CryptoPro, or the file
    /// comes from a store only it writes), and say so where the decision is recorded.
    pub trust_unsigned_list: bool,
}

impl Default for QesPolicy {
    fn default() -> Self {
        QesPolicy {
            max_list_age: Duration::days(7),
            trust_unsigned_list: false,
        }
    }
}

/// A qualified certificate that passed the check: who issued it, under which accreditation,
/// and what the check relied on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QesCheck {
    /// The accredited CA's `Название`.
    pub ca_name: String,
    /// Its INN.
    pub ca_inn: Option<String>,
    /// Its OGRN.
    pub ca_ogrn: Option<String>,
    /// Its registry number.
    pub ca_registry_number: Option<String>,
    /// The CA key's identifier (the certificate's AKI).
    pub ca_key_id: Vec<u8>,
    /// The CA's certificate that verified the signature.
    pub ca_certificate: Certificate,
    /// The accreditation in force on the certificate's issue date.
    pub accreditation: AccreditationStatus,
    /// The list's version.
    pub list_version: u64,
    /// thisUpdate of the CRL relied on.
    pub crl_this_update: OffsetDateTime,
    /// nextUpdate of the CRL relied on.
    pub crl_next_update: Option<OffsetDateTime>,
}

fn unavailable(why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::VerificationUnavailable,
        format!("{UNAVAILABLE_RU} ({why})"),
    )
}

/// Checks that `cert` is a qualified certificate valid at `at`, with the default
/// [`QesPolicy`]; see [`check_qualified_with`].
pub fn check_qualified(
    cert: &Certificate,
    list: Option<&TrustedList>,
    crls: &[Crl],
    at: OffsetDateTime,
) -> Result<QesCheck> {
    check_qualified_with(cert, list, crls, at, &QesPolicy::default())
}

/// Checks that `cert` is a qualified certificate valid at `at` (63-ФЗ art. 11):
///
/// 1. its form is a qualified certificate's ([`Certificate::qualification`]), else
///    [`ErrorKind::PreconditionFailed`];
/// 2. the list is given and no older than `policy.max_list_age`, else
///    [`ErrorKind::VerificationUnavailable`]; its signature was verified when it was read
///    ([`TrustedList::from_signed_xml`]) unless `policy.trust_unsigned_list`, else
///    [`ErrorKind::PreconditionFailed`] naming the field `list`;
/// 3. the issuing CA key (the certificate's authorityKeyIdentifier) is in the list
///    (`ИдентификаторКлюча`), else [`ErrorKind::UntrustedIssuer`]; one of the listed
///    certificates of that key verifies the certificate's signature (their errors otherwise;
///    `VerificationUnavailable` when the list gives no certificate of the key);
/// 4. the CA's accreditation in force on the certificate's notBefore (the status with the
///    latest `ДействуетС` not after it) is `Действует`, else `UntrustedIssuer`;
/// 5. the certificate is valid at `at` ([`ErrorKind::Expired`], [`ErrorKind::NotYetValid`]);
/// 6. a CRL issued and signed by that CA key is among `crls` and fresh at `at`, else
///    `VerificationUnavailable`; a fresh CRL listing the serial as revoked at or before `at`
///    is [`ErrorKind::Revoked`].
pub fn check_qualified_with(
    cert: &Certificate,
    list: Option<&TrustedList>,
    crls: &[Crl],
    at: OffsetDateTime,
    policy: &QesPolicy,
) -> Result<QesCheck> {
    let q = cert.qualification();
    if !q.qualified {
        return Err(Error::new(
            ErrorKind::PreconditionFailed,
            format!("not a qualified certificate: {}", q.missing.join("; ")),
        )
        .with_field("certificate"));
    }
    let list = list.ok_or_else(|| unavailable("no list of accredited CAs"))?;
    if list.signature().is_none() && !policy.trust_unsigned_list {
        return Err(Error::new(
            ErrorKind::PreconditionFailed,
            format!(
                "the list of accredited CAs (version {}) was read without verifying its \
                 signature: read it with TrustedList::from_signed_xml and the Ministry's \
                 certificate, or set QesPolicy::trust_unsigned_list when the host has \
                 authenticated it otherwise",
                list.version
            ),
        )
        .with_field("list"));
    }
    match list.date {
        // Checked: a list dated near year 9999 must not overflow (issue 13, defect 1); a
        // deadline past the end of time is no deadline.
        Some(d)
            if d.checked_add(policy.max_list_age)
                .is_none_or(|end| end >= at) => {}
        Some(d) => {
            return Err(unavailable(format_args!(
                "the list of accredited CAs (version {}) is dated {}, older than {} days",
                list.version,
                crate::pki::rfc3339(d),
                policy.max_list_age.whole_days()
            )));
        }
        None => return Err(unavailable("the list of accredited CAs has no date")),
    }
    let aki = cert.authority_key_id().ok_or_else(|| {
        Error::new(
            ErrorKind::UntrustedIssuer,
            "the certificate names no authority key identifier to look up in the list",
        )
    })?;
    let (ca, key) = list.find_key(aki).ok_or_else(|| {
        Error::new(
            ErrorKind::UntrustedIssuer,
            format!(
                "the issuing CA key {} is not in the list of accredited CAs (version {})",
                hex::encode_upper(aki),
                list.version
            ),
        )
    })?;
    let listed: Vec<Certificate> = key
        .certificates
        .iter()
        .filter_map(|c| c.certificate().ok())
        .collect();
    if listed.is_empty() {
        return Err(unavailable(format_args!(
            "the list gives no certificate of key {} of \"{}\"",
            hex::encode_upper(aki),
            ca.name
        )));
    }
    let mut first_error = None;
    let mut ca_cert = None;
    for c in &listed {
        match cert.verify_issued_by(c) {
            Ok(()) => {
                ca_cert = Some(c.clone());
                break;
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let Some(ca_cert) = ca_cert else {
        return Err(first_error
            .unwrap_or_else(|| Error::new(ErrorKind::UntrustedIssuer, "no CA certificate"))
            .context(format_args!("\"{}\" listed key", ca.name)));
    };
    let accreditation = ca.status_at(cert.not_before()).cloned().ok_or_else(|| {
        Error::new(
            ErrorKind::UntrustedIssuer,
            format!(
                "\"{}\" was not accredited on {} (the certificate's issue date)",
                ca.name,
                crate::pki::rfc3339(cert.not_before())
            ),
        )
    })?;
    if !accreditation.is_active() {
        return Err(Error::new(
            ErrorKind::UntrustedIssuer,
            format!(
                "the accreditation of \"{}\" was «{}» since {} when the certificate was issued",
                ca.name,
                accreditation.status,
                crate::pki::rfc3339(accreditation.since)
            ),
        ));
    }
    cert.check_validity_at(at)?;
    let newest = check_not_revoked(cert, &ca_cert, crls, at).map_err(|e| {
        let key = hex::encode_upper(aki);
        match e.kind() {
            ErrorKind::VerificationUnavailable => {
                unavailable(format_args!("\"{}\" key {key}: {}", ca.name, e.message()))
            }
            _ => e.context(format_args!("\"{}\" key {key}", ca.name)),
        }
    })?;
    Ok(QesCheck {
        ca_name: ca.name.clone(),
        ca_inn: ca.inn.clone(),
        ca_ogrn: ca.ogrn.clone(),
        ca_registry_number: ca.registry_number.clone(),
        ca_key_id: key.key_id.clone(),
        ca_certificate: ca_cert,
        accreditation,
        list_version: list.version,
        crl_this_update: newest.this_update(),
        crl_next_update: newest.next_update(),
    })
}

/// A signer of the confirmation statement, and how the bank knows its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationSigner {
    /// The signer's certificate.
    pub certificate: Certificate,
    /// The subscriber whose current registered certificate it is, if the bank knows it.
    pub subscriber_id: Option<i64>,
}

/// The two signers of a verified confirmation statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The QES owner (same SNILS, or same name when the QES has no SNILS).
    pub owner: ConfirmationSigner,
    /// The head of the organisation (another person; the same INNLE when the QES has one).
    pub head: ConfirmationSigner,
}

/// Verifies the confirmation statement: `signed` is a CMS SignedData over `statement` (the
/// statement's bytes, attached or detached) with at least two signers whose signatures
/// verify and whose certificates the bank knows (`known(cert)` gives the subscriber of a
/// current registered certificate) or that chain to `roots` at their signingTime (or `at`);
/// one of them is the QES owner, another the head of the organisation.
///
/// Errors: the CMS errors ([`ErrorKind::MalformedEncoding`], [`ErrorKind::ContentAltered`],
/// [`ErrorKind::BadSignature`], [`ErrorKind::SignerCertificateMissing`]); the path errors
/// for a signer the bank does not know ([`ErrorKind::UntrustedIssuer`],
/// [`ErrorKind::Expired`], ...); [`ErrorKind::PreconditionFailed`] when the owner or the
/// head has not signed.
pub fn verify_confirmation(
    qes: &Certificate,
    statement: &[u8],
    signed: &[u8],
    roots: &[Certificate],
    known: &dyn Fn(&Certificate) -> Result<Option<i64>>,
    at: OffsetDateTime,
) -> Result<Confirmation> {
    let sd = SignedData::from_der_or_pem(signed)?;
    let certs = sd.verify_signatures(Some(statement), &[])?;
    let mut signers = Vec::with_capacity(certs.len());
    for (i, (cert, si)) in certs.into_iter().zip(sd.signers()).enumerate() {
        let field = format!("signerInfos[{i}]");
        let when = si.signing_time().unwrap_or(at);
        let subscriber_id = known(&cert)?;
        if subscriber_id.is_some() {
            cert.check_validity_at(when)
                .map_err(|e| e.with_field(field.clone()))?;
        } else {
            build_chain(&cert, sd.certificates(), roots, when).map_err(|e| {
                e.context(format_args!(
                    "{field}: \"{}\" is neither registered with the bank nor trusted",
                    cert.subject()
                ))
                .with_field(field.clone())
            })?;
        }
        signers.push(ConfirmationSigner {
            certificate: cert,
            subscriber_id,
        });
    }
    let person = |c: &Certificate| {
        let s = c.subject();
        match (s.snils(), qes.subject().snils()) {
            (Some(a), Some(b)) => a == b,
            _ => s.common_name() == qes.subject().common_name(),
        }
    };
    let owner = signers
        .iter()
        .position(|s| person(&s.certificate))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::PreconditionFailed,
                format!(
                    "the owner of the QES (\"{}\") has not signed the statement",
                    qes.subject()
                ),
            )
        })?;
    let org = qes.subject().inn_le();
    let head = signers
        .iter()
        .enumerate()
        .position(|(i, s)| {
            i != owner
                && !person(&s.certificate)
                && (org.is_none() || s.certificate.subject().inn_le() == org)
        })
        .ok_or_else(|| {
            Error::new(
                ErrorKind::PreconditionFailed,
                "the head of the organisation has not signed the statement",
            )
        })?;
    Ok(Confirmation {
        owner: signers[owner].clone(),
        head: signers[head].clone(),
    })
}
