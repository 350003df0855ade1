//! Certificate revocation lists (RFC 5280 §5) given as files, DER or PEM.
//!
//! [`Crl`] keeps the bytes it was read from and the to-be-signed part as read; its signature
//! is verified with the CA's key through [`PublicKey::verify`](crate::key::PublicKey::verify)
//! (GOST R 34.10-2012 included), never over a re-encoding. A CRL is *fresh* at a time between
//! its thisUpdate and nextUpdate; one without nextUpdate is never fresh (RFC 5280 §5.1.2.5
//! makes the field mandatory for conforming CAs, and without it nobody can tell staleness).

use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;

use crate::pki::{Certificate, KeyUsageBit};
use crate::subject::Subject;
use crate::{Error, ErrorKind, Result, oid};

/// The PEM label of a CRL.
pub const PEM_LABEL: &str = "X509 CRL";

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The serial number's content octets.
    pub serial: Vec<u8>,
    /// When it was revoked.
    pub revoked_at: OffsetDateTime,
}

/// A parsed CRL. Owned; keeps the DER it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crl {
    der: Vec<u8>,
    tbs: Vec<u8>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    issuer: Subject,
    issuer_der: Vec<u8>,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    revoked: Vec<RevokedEntry>,
    authority_key_id: Option<Vec<u8>>,
    unknown_critical: Option<String>,
}

/// The CRL extensions we understand (RFC 5280 §5.2): authorityKeyIdentifier, cRLNumber.
const CRL_NUMBER: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("2.5.29.20");

impl Crl {
    /// Parses a CRL from DER.
    ///
    /// Errors: [`ErrorKind::MalformedEncoding`].
    pub fn from_der(der: &[u8]) -> Result<Crl> {
        let parts = crate::pki::split_signed(der, "CRL")?;
        let list =
            x509_cert::crl::CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der)
                .map_err(|e| Error::from(e).context("CRL"))?;
        let tbs = &list.tbs_cert_list;
        if tbs.signature != list.signature_algorithm {
            return Err(Error::malformed(
                "CRL: the signature algorithm inside and outside the signed part differ",
            ));
        }
        let issuer_der = tbs.issuer.to_der()?;
        let mut revoked = Vec::new();
        for r in tbs.revoked_certificates.iter().flatten() {
            revoked.push(RevokedEntry {
                serial: r.serial_number.as_bytes().to_vec(),
                revoked_at: crate::pki::time_to_offset(&r.revocation_date)?,
            });
        }
        let mut authority_key_id = None;
        let mut unknown_critical = None;
        for e in tbs.crl_extensions.iter().flatten() {
            if e.extn_id == oid::EXT_AUTHORITY_KEY_IDENTIFIER {
                let aki =
                    x509_cert::ext::pkix::AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes())
                        .map_err(|e| Error::from(e).context("CRL authorityKeyIdentifier"))?;
                authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            } else if e.extn_id != CRL_NUMBER && e.critical && unknown_critical.is_none() {
                unknown_critical = Some(e.extn_id.to_string());
            }
        }
        Ok(Crl {
            der: der.to_vec(),
            tbs: parts.tbs,
            signature_algorithm: parts.algorithm,
            signature: parts.signature,
            issuer: Subject::from_der(&issuer_der).map_err(|e| e.context("CRL issuer"))?,
            issuer_der,
            this_update: crate::pki::time_to_offset(&tbs.this_update)?,
            next_update: tbs
                .next_update
                .as_ref()
                .map(crate::pki::time_to_offset)
                .transpose()?,
            revoked,
            authority_key_id,
            unknown_critical,
        })
    }

    /// Parses a CRL from PEM (`X509 CRL`; text around it is ignored) or DER.
    pub fn from_pem(input: &[u8]) -> Result<Crl> {
        Crl::from_der(&crate::pki::pem::der_of(input, &[PEM_LABEL], "CRL")?)
    }

    /// Parses a CRL given as DER or as PEM (see [`Certificate::from_der_or_pem`]).
    ///
    /// [`Certificate::from_der_or_pem`]: crate::pki::Certificate::from_der_or_pem
    pub fn from_der_or_pem(input: &[u8]) -> Result<Crl> {
        Crl::from_pem(input)
    }

    /// Reads a CRL file, DER or PEM.
    ///
    /// Errors: [`ErrorKind::Io`], [`ErrorKind::MalformedEncoding`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Crl> {
        let bytes = std::fs::read(path.as_ref())
            .map_err(|e| Error::from(e).context(path.as_ref().display()))?;
        Crl::from_pem(&bytes)
    }

    /// The DER, as read.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The issuer.
    pub fn issuer(&self) -> &Subject {
        &self.issuer
    }

    /// thisUpdate.
    pub fn this_update(&self) -> OffsetDateTime {
        self.this_update
    }

    /// nextUpdate, when present.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.next_update
    }

    /// The revoked certificates.
    pub fn revoked(&self) -> &[RevokedEntry] {
        &self.revoked
    }

    /// authorityKeyIdentifier's keyIdentifier, when present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// Whether the CRL may be relied on at `at`: thisUpdate ≤ at ≤ nextUpdate.
    pub fn is_fresh_at(&self, at: OffsetDateTime) -> bool {
        self.this_update <= at && self.next_update.is_some_and(|n| at <= n)
    }

    /// When the certificate with this serial (content octets) was revoked, if it is listed.
    pub fn revocation_of(&self, serial: &[u8]) -> Option<OffsetDateTime> {
        self.revoked
            .iter()
            .find(|r| crate::cms::same_serial(&r.serial, serial))
            .map(|r| r.revoked_at)
    }

    /// Verifies that `issuer` issued this CRL: names match, the keyIdentifiers match when
    /// both are present, the issuer may sign CRLs (cRLSign when it has keyUsage), no critical
    /// extension we do not understand, and the signature verifies with the issuer's key.
    ///
    /// Errors: [`ErrorKind::WrongIssuer`], [`ErrorKind::UnsupportedAlgorithm`] (a critical
    /// extension: a delta CRL or a partitioned one), [`ErrorKind::BadSignature`].
    pub fn verify_issued_by(&self, issuer: &Certificate) -> Result<()> {
        if self.issuer_der != issuer.subject_der() && self.issuer != *issuer.subject() {
            return Err(Error::new(
                ErrorKind::WrongIssuer,
                format!(
                    "the CRL is issued by \"{}\", not \"{}\"",
                    self.issuer,
                    issuer.subject()
                ),
            ));
        }
        if let (Some(aki), Some(ski)) = (self.authority_key_id(), issuer.subject_key_id())
            && aki != ski
        {
            return Err(Error::new(
                ErrorKind::WrongIssuer,
                "the CRL's authority key identifier is not the issuer's",
            ));
        }
        if let Some(ku) = issuer.key_usage()
            && !ku.contains(&KeyUsageBit::CrlSign)
        {
            return Err(Error::new(
                ErrorKind::WrongIssuer,
                format!("\"{}\" may not sign CRLs (keyUsage)", issuer.subject()),
            ));
        }
        if let Some(o) = &self.unknown_critical {
            return Err(Error::unsupported(format!(
                "the CRL has a critical extension {o} we do not process"
            )));
        }
        issuer
            .public_key()?
            .verify(&self.signature_algorithm, &self.tbs, &self.signature)
            .map_err(|e| e.context("CRL signature"))
    }
}

/// Checks that `cert`, issued by `issuer`, is not revoked at `at` according to the CRLs given,
/// and returns the newest CRL relied on. Only the CRLs `issuer` signed count
/// ([`Crl::verify_issued_by`]), and of those only the ones fresh at `at`; none of them may
/// list `cert` as revoked at or before `at`.
///
/// Errors: [`ErrorKind::VerificationUnavailable`] when no CRL signed by `issuer` is given or
/// none is fresh at `at` (retriable: fetch a newer CRL); [`ErrorKind::Revoked`].
pub fn check_not_revoked<'c>(
    cert: &Certificate,
    issuer: &Certificate,
    crls: &'c [Crl],
    at: OffsetDateTime,
) -> Result<&'c Crl> {
    let of_issuer: Vec<&Crl> = crls
        .iter()
        .filter(|c| c.verify_issued_by(issuer).is_ok())
        .collect();
    if of_issuer.is_empty() {
        return Err(Error::new(
            ErrorKind::VerificationUnavailable,
            format!("no CRL signed by \"{}\" was given", issuer.subject()),
        ));
    }
    let fresh: Vec<&Crl> = of_issuer
        .iter()
        .copied()
        .filter(|c| c.is_fresh_at(at))
        .collect();
    let Some(newest) = fresh.iter().copied().max_by_key(|c| c.this_update()) else {
        let next = of_issuer
            .iter()
            .filter_map(|c| c.next_update())
            .max()
            .map(crate::pki::rfc3339)
            .unwrap_or_else(|| "no nextUpdate".into());
        return Err(Error::new(
            ErrorKind::VerificationUnavailable,
            format!(
                "the CRL of \"{}\" is not fresh at {} (nextUpdate {next})",
                issuer.subject(),
                crate::pki::rfc3339(at)
            ),
        ));
    };
    for c in &fresh {
        if let Some(when) = c.revocation_of(cert.serial())
            && when <= at
        {
            return Err(Error::new(
                ErrorKind::Revoked,
                format!(
                    "certificate {} (\"{}\") was revoked by \"{}\" at {}",
                    cert.serial_hex(),
                    cert.subject(),
                    issuer.subject(),
                    crate::pki::rfc3339(when)
                ),
            ));
        }
    }
    Ok(newest)
}
