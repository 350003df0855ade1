//! PKCS#10 certificate requests and X.509 certificates.
//!
//! - [`request`]: [`CertificateRequest`] (parse, verify) and [`RequestBuilder`] (build from a
//!   [`Subject`](crate::subject::Subject) and any [`key::Signer`](crate::key::Signer)).
//! - [`cert`]: [`Certificate`] (parse, read the Russian extensions, verify against an issuer).
//! - [`chain`]: chain building to given trust anchors at a given time.
//! - [`issue`]: [`CertificateBuilder`], a small CA for tests and the bank side.
//! - [`crl`]: [`CrlBuilder`], certificate revocation lists signed by any signer.
//! - [`ext`]: the standard and Russian extensions, typed.
//! - [`pem`]: PEM blocks, tolerant of text around them.
//! - [`warning`]: what was read although it is not DER (or not RFC 5280's profile).
//!
//! Parsing keeps the original bytes: signatures are verified over the to-be-signed bytes as
//! read, never over a re-encoding.

pub mod cert;
pub mod chain;
pub mod crl;
pub mod ext;
pub mod issue;
pub mod pem;
pub mod request;
pub mod warning;

pub use cert::Certificate;
pub use chain::{Chain, build_chain};
pub use crl::{CrlBuilder, RevocationReason};
pub use ext::{
    Extension, ExtensionValue, Extensions, IdentificationKind, IssuerSignTool, KeyUsageBit,
    SignToolClass,
};
pub use issue::CertificateBuilder;
pub use request::{CertificateRequest, RequestBuilder};
pub use warning::{Warning, WarningCode};

use std::time::Duration;

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef};
use der::{Decode, Sequence, Tagged};
use sha1::Digest;
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::time::Time;

use crate::{Error, Result};

/// `SEQUENCE { toBeSigned, signatureAlgorithm, signature BIT STRING }`, the shape of both
/// Certificate and CertificationRequest, read to get the exact to-be-signed bytes.
#[derive(Sequence)]
struct SignedRef<'a> {
    tbs: AnyRef<'a>,
    algorithm: AlgorithmIdentifierOwned,
    signature: BitStringRef<'a>,
}

/// The parts of a signed object: the to-be-signed DER as read, the algorithm, the signature
/// bytes (the BIT STRING's contents; it must have no unused bits).
pub(crate) struct SignedParts {
    pub tbs: Vec<u8>,
    pub algorithm: AlgorithmIdentifierOwned,
    pub signature: Vec<u8>,
}

/// [`SignedParts`] borrowed from the input: the to-be-signed element (its whole TLV) and the
/// signature bytes are slices of it.
pub(crate) struct SignedSlices<'a> {
    pub tbs: &'a [u8],
    pub algorithm: AlgorithmIdentifierOwned,
    pub signature: &'a [u8],
}

pub(crate) fn split_signed(der: &[u8], what: &str) -> Result<SignedParts> {
    let s = split_signed_slices(der, what)?;
    Ok(SignedParts {
        tbs: s.tbs.to_vec(),
        algorithm: s.algorithm,
        signature: s.signature.to_vec(),
    })
}

/// Splits a signed object without copying: the to-be-signed TLV exactly as received (DER
/// outside, whatever its contents), the algorithm, the signature bytes.
pub(crate) fn split_signed_slices<'a>(der: &'a [u8], what: &str) -> Result<SignedSlices<'a>> {
    let s = SignedRef::from_der(der).map_err(|e| Error::from(e).context(what))?;
    let signature = s
        .signature
        .as_bytes()
        .ok_or_else(|| Error::malformed(format!("{what}: the signature has unused bits")))?;
    // The outer SEQUENCE was read as DER above, so its first element, the whole
    // to-be-signed TLV, is found again without decoding it.
    let (_, content, _) = crate::asn1::read_tlv(der, what)?;
    let (_, _, after_tbs) = crate::asn1::read_tlv(content, what)?;
    Ok(SignedSlices {
        tbs: &content[..content.len() - after_tbs.len()],
        algorithm: s.algorithm,
        signature,
    })
}

/// Verifies `signature` over `msg` with the key in the SubjectPublicKeyInfo `spki_der`, by
/// `key::PublicKey::verify` (which checks that the algorithm fits the key).
pub(crate) fn verify_with_spki(
    spki_der: &[u8],
    algorithm: &AlgorithmIdentifierOwned,
    msg: &[u8],
    signature: &[u8],
) -> Result<()> {
    let key = crate::key::PublicKey::from_spki_der(spki_der)?;
    key.verify(algorithm, msg, signature)
}

/// What a report shows of a SubjectPublicKeyInfo, read without interpreting the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key algorithm OID (id-tc26-gost3410-12-256, rsaEncryption, id-ecPublicKey, ...).
    pub algorithm: ObjectIdentifier,
    /// The parameter set: a GOST publicKeyParamSet, or an EC named curve.
    pub parameter_set: Option<ObjectIdentifier>,
    /// A GOST digestParamSet, when the parameters carry one.
    pub digest_parameter_set: Option<ObjectIdentifier>,
    /// The subjectPublicKey BIT STRING contents.
    pub key_bits: Vec<u8>,
    /// SHA-1 of `key_bits` (RFC 5280 §4.2.1.2 method 1: what OpenSSL writes as the SKI).
    pub key_id: [u8; 20],
}

impl KeyInfo {
    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(spki: &[u8]) -> Result<KeyInfo> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(spki)
            .map_err(|e| Error::from(e).context("SubjectPublicKeyInfo"))?;
        let algorithm = info.algorithm.oid;
        let (mut parameter_set, mut digest_parameter_set) = (None, None);
        if let Some(p) = &info.algorithm.parameters {
            if p.tag() == der::Tag::ObjectIdentifier {
                parameter_set = Some(p.decode_as::<ObjectIdentifier>()?);
            } else if p.tag() == der::Tag::Sequence {
                // 2012 and 2001 keys alike, with the optional encryptionParamSet.
                let g = crate::key::GostKeyParameters::from_any(*p)?;
                parameter_set = Some(g.public_key_param_set);
                digest_parameter_set = g.digest_param_set;
            }
        }
        let key_bits = info
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| Error::malformed("subjectPublicKey has unused bits"))?
            .to_vec();
        let key_id: [u8; 20] = sha1::Sha1::digest(&key_bits).into();
        Ok(KeyInfo {
            algorithm,
            parameter_set,
            digest_parameter_set,
            key_bits,
            key_id,
        })
    }
}

/// Seconds since the epoch → OffsetDateTime (UTC).
pub(crate) fn unix_to_offset(d: Duration) -> Result<OffsetDateTime> {
    let secs = i64::try_from(d.as_secs()).map_err(|_| Error::malformed("time out of range"))?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| Error::malformed("time out of range"))
}

/// An X.509 Time → OffsetDateTime (UTC).
pub(crate) fn time_to_offset(t: &Time) -> Result<OffsetDateTime> {
    unix_to_offset(t.to_unix_duration())
}

/// OffsetDateTime → X.509 Time as RFC 5280 §4.1.2.5 wants it: UTCTime through 2049,
/// GeneralizedTime from 2050; whole seconds (the fraction is dropped).
pub(crate) fn offset_to_time(t: OffsetDateTime, field: &str) -> Result<Time> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| Error::invalid_field(field, format!("{field} is before 1970")))?;
    let d = Duration::from_secs(secs);
    if t.year() < 2050 {
        Ok(Time::UtcTime(der::asn1::UtcTime::from_unix_duration(d)?))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_unix_duration(d)
                .map_err(|_| Error::invalid_field(field, format!("{field} is out of range")))?,
        ))
    }
}

/// An RFC 3339 timestamp ("2026-11-30T03:00:00Z").
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Uppercase hex of an INTEGER's content octets as OpenSSL prints a serial: without the
/// leading 00 octet DER adds to keep a positive number positive.
pub(crate) fn serial_hex(bytes: &[u8]) -> String {
    let b = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        b => b,
    };
    hex::encode_upper(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_pick_the_rfc5280_type() {
        let t2049 = OffsetDateTime::from_unix_timestamp(2_524_607_999).unwrap(); // 2049-12-31
        assert!(matches!(
            offset_to_time(t2049, "t").unwrap(),
            Time::UtcTime(_)
        ));
        let t2050 = OffsetDateTime::from_unix_timestamp(2_524_608_000).unwrap();
        assert!(matches!(
            offset_to_time(t2050, "t").unwrap(),
            Time::GeneralTime(_)
        ));
        assert_eq!(
            time_to_offset(&offset_to_time(t2050, "t").unwrap()).unwrap(),
            t2050
        );
    }

    #[test]
    fn serial_hex_drops_the_sign_octet() {
        assert_eq!(serial_hex(&[0x00, 0x80, 0x01]), "8001");
        assert_eq!(serial_hex(&[0x7A, 0x00]), "7A00");
        assert_eq!(serial_hex(&[0x00]), "00");
    }
}
