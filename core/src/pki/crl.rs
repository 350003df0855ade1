//! Issuing certificate revocation lists: the bank's CA revokes, and tests and the demo make
//! the CRLs of an accredited CA that the QES check (`bank::qes`) relies on.
//!
//! [`CrlBuilder`] writes a version 2 CRL (RFC 5280 §5) with the extensions every CA writes —
//! authorityKeyIdentifier (the issuer's subjectKeyIdentifier) and cRLNumber — and, per entry,
//! the revocation date and an optional reasonCode. It signs with any
//! [`Signer`](crate::key::Signer) holding the issuer's key, and verifies the signature before
//! returning, as the certificate builder does. Reading CRLs is the bank module's
//! (`bank::Crl`).

use der::asn1::{BitString, OctetString};
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

use super::cert::Certificate;
use super::ext::{Extension, ExtensionValue, KeyUsageBit};
use super::offset_to_time;
use crate::key::Signer;
use crate::{Error, ErrorKind, Result, oid};

/// Why a certificate is revoked (RFC 5280 §5.3.1 CRLReason; the codes that apply to a
/// subscriber's certificate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationReason {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4): replaced by a new certificate (the regeneration flows).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6).
    CertificateHold,
}

impl RevocationReason {
    /// The CRLReason code.
    pub fn code(self) -> u8 {
        match self {
            RevocationReason::Unspecified => 0,
            RevocationReason::KeyCompromise => 1,
            RevocationReason::AffiliationChanged => 3,
            RevocationReason::Superseded => 4,
            RevocationReason::CessationOfOperation => 5,
            RevocationReason::CertificateHold => 6,
        }
    }
}

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    serial: Vec<u8>,
    at: OffsetDateTime,
    reason: Option<RevocationReason>,
}

/// Builds and signs a CRL.
#[derive(Debug, Clone)]
pub struct CrlBuilder {
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    number: u64,
    entries: Vec<Entry>,
}

impl CrlBuilder {
    /// A CRL valid from `this_update` until `next_update` (when the next one is due), with
    /// cRLNumber `number` (monotonically increasing per issuer).
    pub fn new(this_update: OffsetDateTime, next_update: OffsetDateTime, number: u64) -> Self {
        CrlBuilder {
            this_update,
            next_update,
            number,
            entries: Vec::new(),
        }
    }

    /// Adds a revoked certificate: its serial (the INTEGER's content octets, as
    /// [`Certificate::serial`] gives them), when it was revoked, and why (no reasonCode when
    /// `None`).
    pub fn revoke(
        mut self,
        serial: &[u8],
        at: OffsetDateTime,
        reason: Option<RevocationReason>,
    ) -> Self {
        self.entries.push(Entry {
            serial: serial.to_vec(),
            at,
            reason,
        });
        self
    }

    /// Signs the CRL as `issuer` with `signer` (which must hold the issuer's key) and returns
    /// its DER.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] when nextUpdate is not after thisUpdate, a serial
    /// is not a valid serial number, or the issuer may not sign CRLs (not a CA, or a keyUsage
    /// without cRLSign); [`ErrorKind::KeyMismatch`] when the signer does not hold the
    /// issuer's key; the signer's errors.
    pub fn sign(&self, issuer: &Certificate, signer: &dyn Signer) -> Result<Vec<u8>> {
        if self.next_update <= self.this_update {
            return Err(Error::invalid_field(
                "nextUpdate",
                "nextUpdate must be after thisUpdate",
            ));
        }
        if !issuer.is_ca()
            || issuer
                .key_usage()
                .is_some_and(|bits| !bits.contains(&KeyUsageBit::CrlSign))
        {
            return Err(Error::invalid_field(
                "issuer",
                format!(
                    "\"{}\" may not sign CRLs (cA and cRLSign needed)",
                    issuer.subject()
                ),
            ));
        }
        if !issuer.holds_key(&signer.public_key()) {
            return Err(Error::new(
                ErrorKind::KeyMismatch,
                format!(
                    "the signer does not hold the key of \"{}\"",
                    issuer.subject()
                ),
            ));
        }
        let mut revoked = Vec::with_capacity(self.entries.len());
        for (i, e) in self.entries.iter().enumerate() {
            let field = format!("revoked[{i}]");
            let serial: SerialNumber = SerialNumber::new(&e.serial)
                .map_err(|err| Error::invalid_field(&field, format!("serial number: {err}")))?;
            let crl_entry_extensions = match e.reason {
                None => None,
                Some(r) => Some(vec![x509_cert::ext::Extension {
                    extn_id: oid::EXT_CRL_REASON,
                    critical: false,
                    // ENUMERATED (0x0a), one octet.
                    extn_value: OctetString::new(vec![0x0a, 0x01, r.code()])?,
                }]),
            };
            revoked.push(RevokedCert {
                serial_number: serial,
                revocation_date: offset_to_time(e.at, &field)?,
                crl_entry_extensions,
            });
        }
        let key_id = issuer
            .subject_key_id()
            .map(<[u8]>::to_vec)
            .unwrap_or_else(|| issuer.key_info().key_id.to_vec());
        let aki = Extension::new(
            ExtensionValue::AuthorityKeyIdentifier {
                key_id: Some(key_id),
                serial: None,
            },
            false,
        )?
        .to_x509()?;
        let number = x509_cert::ext::Extension {
            extn_id: oid::EXT_CRL_NUMBER,
            critical: false,
            extn_value: OctetString::new(
                der::asn1::Uint::new(&self.number.to_be_bytes())?.to_der()?,
            )?,
        };
        let algorithm = signer.signature_algorithm();
        let tbs = TbsCertList {
            version: x509_cert::Version::V2,
            signature: algorithm.clone(),
            issuer: Name::from_der(issuer.subject_der())?,
            this_update: offset_to_time(self.this_update, "thisUpdate")?,
            next_update: Some(offset_to_time(self.next_update, "nextUpdate")?),
            revoked_certificates: (!revoked.is_empty()).then_some(revoked),
            crl_extensions: Some(vec![aki, number]),
        };
        let tbs_der = tbs.to_der()?;
        let signature = crate::key::sign_checked(signer, &tbs_der)?;
        issuer
            .public_key()?
            .verify(&algorithm, &tbs_der, &signature)
            .map_err(|e| e.context("the CRL we signed does not verify"))?;
        let crl = CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: algorithm,
            signature: BitString::from_bytes(&signature)?,
        };
        Ok(crl.to_der()?)
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;
    use crate::key::{KeyAlgorithm, SoftwareKey};
    use crate::pki::CertificateBuilder;
    use crate::subject::{AttributeType, Subject};

    /// A self-signed CA, allowed to sign CRLs or (keyUsage without cRLSign) not.
    fn ca(key: &SoftwareKey, crl_sign: bool) -> Certificate {
        let t = datetime!(2026-01-01 0:00 UTC);
        let mut usage = vec![KeyUsageBit::KeyCertSign];
        if crl_sign {
            usage.push(KeyUsageBit::CrlSign);
        }
        CertificateBuilder::new(
            &Subject::new().with(AttributeType::CommonName, "УЦ для проверки"),
            &key.public_key(),
        )
        .unwrap()
        .validity(t, t + Duration::days(3650))
        .ca(None)
        .key_usage(&usage)
        .sign(None, key)
        .unwrap()
    }

    #[test]
    fn a_crl_carries_what_was_asked_and_its_signature_verifies() {
        let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let issuer = ca(&key, true);
        let t = datetime!(2026-11-30 10:00 UTC);
        let der = CrlBuilder::new(t, t + Duration::days(7), 42)
            .revoke(
                &[0x01, 0x23],
                t - Duration::days(1),
                Some(RevocationReason::Superseded),
            )
            .revoke(&[0x45], t, None)
            .sign(&issuer, &key)
            .unwrap();
        let crl: CertificateList = CertificateList::from_der(&der).unwrap();
        let tbs = &crl.tbs_cert_list;
        assert_eq!(tbs.version, x509_cert::Version::V2);
        assert_eq!(tbs.issuer.to_der().unwrap(), issuer.subject_der());
        let revoked = tbs.revoked_certificates.as_ref().unwrap();
        assert_eq!(revoked.len(), 2);
        assert_eq!(revoked[0].serial_number.as_bytes(), &[0x01, 0x23]);
        let reason = &revoked[0].crl_entry_extensions.as_ref().unwrap()[0];
        assert_eq!(reason.extn_id, oid::EXT_CRL_REASON);
        assert_eq!(reason.extn_value.as_bytes(), &[0x0a, 0x01, 4]);
        assert!(revoked[1].crl_entry_extensions.is_none());
        let exts = tbs.crl_extensions.as_ref().unwrap();
        assert_eq!(exts[1].extn_value.as_bytes(), &[0x02, 0x01, 42]);
        issuer
            .public_key()
            .unwrap()
            .verify(
                &crl.signature_algorithm,
                &tbs.to_der().unwrap(),
                crl.signature.as_bytes().unwrap(),
            )
            .unwrap();
    }

    #[test]
    fn refuses_an_issuer_without_crl_sign_a_foreign_signer_and_an_empty_period() {
        let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let t = datetime!(2026-11-30 10:00 UTC);
        let b = CrlBuilder::new(t, t + Duration::days(1), 1);
        let e = b.sign(&ca(&key, false), &key).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let other = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let e = b.sign(&ca(&key, true), &other).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::KeyMismatch);
        let e = CrlBuilder::new(t, t, 1)
            .sign(&ca(&key, true), &key)
            .unwrap_err();
        assert_eq!(e.field(), Some("nextUpdate"));
    }
}
