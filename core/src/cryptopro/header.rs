//! The files of a CryptoPro CSP file container, as DER (the schema as li0ard/ckey's
//! `schemas.py` and svkreml/ExtractPkey's `Header.java` give it; checked here against a
//! container CryptoPro CSP 5 wrote):
//!
//! ```text
//! GostKeyContainer ::= SEQUENCE {                      -- header.key
//!     keyContainerContent      GostKeyContainerContent,
//!     hmacKeyContainerContent  OCTET STRING (SIZE (4)) }
//! GostKeyContainerContent ::= SEQUENCE {
//!     containerAlgoritmIdentifier   [0] EXPLICIT OBJECT IDENTIFIER OPTIONAL,
//!     containerName                 IA5String OPTIONAL,
//!     attributes                    BIT STRING,          -- kccaSoftPassword(0), kccaReservePrimary(1), …
//!     primaryPrivateKeyParameters   GostPrivateKeyParameters,
//!     hmacPassword                  [2] IMPLICIT OCTET STRING OPTIONAL,
//!     secondaryEncryptedPrivateKey  [3] … OPTIONAL,
//!     secondaryPrivateKeyParameters [4] IMPLICIT GostPrivateKeyParameters OPTIONAL,
//!     primaryCertificate            [5] the certificate's DER OPTIONAL,
//!     secondaryCertificate          [6] the certificate's DER OPTIONAL,
//!     …
//!     primaryFP                     [10] IMPLICIT OCTET STRING,  -- 8 bytes of Q.x, little-endian
//!     secondaryFP                   [11] IMPLICIT OCTET STRING OPTIONAL,
//!     …
//!     extensions                    [12] IMPLICIT SEQUENCE OF SEQUENCE { OID, OCTET STRING } OPTIONAL }
//! GostPrivateKeyParameters ::= SEQUENCE {
//!     attributes           BIT STRING,  -- pkaExportable(0), pkaUserProtect(1), pkaExchange(2), …
//!     privateKeyAlgorithm  [0] IMPLICIT SEQUENCE { OBJECT IDENTIFIER, SEQUENCE { curve OID, digest OID } } }
//! GostKeyMask ::= SEQUENCE { mask OCTET STRING, salt OCTET STRING (12), hmac OCTET STRING (4) }  -- masks.key
//! GostKeyPrimary ::= SEQUENCE { value OCTET STRING }   -- primary.key
//! name.key ::= SEQUENCE { IA5String }
//! ```
//!
//! Fields not listed are skipped; an element out of this shape is a damaged file.

use der::asn1::{Any, BitString, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};

use crate::{Error, Result, oid};

/// What header.key says.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub key_attributes: Vec<u8>,
    pub key_algorithm: ObjectIdentifier,
    pub curve: ObjectIdentifier,
    pub certificate: Option<Vec<u8>>,
    pub fingerprint: Vec<u8>,
    pub has_secondary_key: bool,
    pub key_not_before: Option<String>,
    pub key_not_after: Option<String>,
}

fn damaged(file: &str, what: impl std::fmt::Display) -> Error {
    Error::malformed(format!("{file} is damaged: {what}")).with_field(file.to_string())
}

fn ctx(n: u8, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number: TagNumber(n.into()),
    }
}

/// The bits of a BIT STRING, as bytes (bit 0 is the top bit of the first byte).
fn bits(any: &Any, file: &str) -> Result<Vec<u8>> {
    let b: BitString = any.decode_as().map_err(|e| damaged(file, e))?;
    Ok(b.raw_bytes().to_vec())
}

pub(crate) fn parse_header(der: &[u8]) -> Result<Header> {
    const F: &str = "header.key";
    let mut outer = SliceReader::new(der).map_err(|e| damaged(F, e))?;
    let container: Any = outer.decode().map_err(|e| damaged(F, e))?;
    if container.tag() != Tag::Sequence {
        return Err(damaged(F, "not a SEQUENCE"));
    }
    let mut top = SliceReader::new(container.value()).map_err(|e| damaged(F, e))?;
    let content: Any = top.decode().map_err(|e| damaged(F, e))?;
    let _mac: OctetString = top.decode().map_err(|e| damaged(F, e))?;
    if content.tag() != Tag::Sequence {
        return Err(damaged(F, "the container content is not a SEQUENCE"));
    }
    let mut r = SliceReader::new(content.value()).map_err(|e| damaged(F, e))?;
    let mut attributes = false;
    let mut key_params = None;
    let mut certificate = None;
    let mut fingerprint = None;
    let mut has_secondary_key = false;
    let mut key_not_before = None;
    let mut key_not_after = None;
    while !r.is_finished() {
        let item: Any = r.decode().map_err(|e| damaged(F, e))?;
        match item.tag() {
            Tag::BitString if !attributes => {
                bits(&item, F)?;
                attributes = true;
            }
            Tag::Sequence if key_params.is_none() => key_params = Some(key_parameters(&item)?),
            t if t == ctx(3, true) || t == ctx(4, true) || t == ctx(11, false) => {
                has_secondary_key = true
            }
            t if t == ctx(5, false) || t == ctx(5, true) => {
                certificate = Some(item.value().to_vec())
            }
            t if t == ctx(10, false) => fingerprint = Some(item.value().to_vec()),
            t if t == ctx(12, true) => {
                (key_not_before, key_not_after) = key_validity(item.value())?;
            }
            // Name, algorithm, password HMAC, links, policy: not needed.
            _ => {}
        }
    }
    let (key_attributes, key_algorithm, curve) =
        key_params.ok_or_else(|| damaged(F, "no primaryPrivateKeyParameters"))?;
    let fingerprint = fingerprint.ok_or_else(|| damaged(F, "no primaryFP"))?;
    if !attributes {
        return Err(damaged(F, "no attributes"));
    }
    if fingerprint.len() != 8 {
        return Err(damaged(
            F,
            format!("a fingerprint of {} bytes", fingerprint.len()),
        ));
    }
    Ok(Header {
        key_attributes,
        key_algorithm,
        curve,
        certificate,
        fingerprint,
        has_secondary_key,
        key_not_before,
        key_not_after,
    })
}

type KeyParameters = (Vec<u8>, ObjectIdentifier, ObjectIdentifier);

fn key_parameters(seq: &Any) -> Result<KeyParameters> {
    const F: &str = "header.key";
    let mut r = SliceReader::new(seq.value()).map_err(|e| damaged(F, e))?;
    let attrs: Any = r.decode().map_err(|e| damaged(F, e))?;
    let attrs = bits(&attrs, F)?;
    let alg: Any = r.decode().map_err(|e| damaged(F, e))?;
    if alg.tag() != ctx(0, true) {
        return Err(damaged(F, "the key algorithm is not [0]"));
    }
    let mut a = SliceReader::new(alg.value()).map_err(|e| damaged(F, e))?;
    let key_algorithm: ObjectIdentifier = a.decode().map_err(|e| damaged(F, e))?;
    let params: Any = a.decode().map_err(|e| damaged(F, e))?;
    let mut p = SliceReader::new(params.value()).map_err(|e| damaged(F, e))?;
    let curve: ObjectIdentifier = p.decode().map_err(|e| damaged(F, e))?;
    // The digest OID that may follow is implied by the key size.
    Ok((attrs, key_algorithm, curve))
}

/// The private key's validity (extension 1.2.643.2.2.37.3.10, a PrivateKeyUsagePeriod:
/// `SEQUENCE { notBefore [0] GeneralizedTime OPTIONAL, notAfter [1] GeneralizedTime OPTIONAL }`),
/// as the times are written.
fn key_validity(extensions: &[u8]) -> Result<(Option<String>, Option<String>)> {
    const F: &str = "header.key";
    // [12] IMPLICIT SEQUENCE OF SEQUENCE { OID, OCTET STRING } (as CryptoPro CSP 5 writes it).
    let mut items = SliceReader::new(extensions).map_err(|e| damaged(F, e))?;
    while !items.is_finished() {
        let ext: Any = items.decode().map_err(|e| damaged(F, e))?;
        let mut e = SliceReader::new(ext.value()).map_err(|e| damaged(F, e))?;
        let id: ObjectIdentifier = e.decode().map_err(|e| damaged(F, e))?;
        let value: OctetString = e.decode().map_err(|e| damaged(F, e))?;
        if id != oid::CRYPTOPRO_PRIVATE_KEY_VALIDITY {
            continue;
        }
        let period = Any::from_der(value.as_bytes()).map_err(|e| damaged(F, e))?;
        let mut times = SliceReader::new(period.value()).map_err(|e| damaged(F, e))?;
        let (mut before, mut after) = (None, None);
        while !times.is_finished() {
            let t: Any = times.decode().map_err(|e| damaged(F, e))?;
            let text = String::from_utf8_lossy(t.value()).into_owned();
            if t.tag() == ctx(0, false) {
                before = Some(text);
            } else if t.tag() == ctx(1, false) {
                after = Some(text);
            }
        }
        return Ok((before, after));
    }
    Ok((None, None))
}

/// name.key: the container's name. Tagged IA5String, but names typed in Russian are not
/// ASCII: the bytes are read as UTF-8, or else as windows-1251.
pub(crate) fn parse_name(der: &[u8]) -> Result<String> {
    const F: &str = "name.key";
    let seq = Any::from_der(der).map_err(|e| damaged(F, e))?;
    let mut r = SliceReader::new(seq.value()).map_err(|e| damaged(F, e))?;
    let name: Any = r.decode().map_err(|e| damaged(F, e))?;
    if name.tag() != Tag::Ia5String && name.tag() != Tag::Utf8String {
        return Err(damaged(F, format!("a name of type {}", name.tag())));
    }
    let bytes = name.value();
    Ok(match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| from_cp1251(b)).collect(),
    })
}

/// A windows-1251 byte as a character (ASCII and the Cyrillic letters; others as U+FFFD).
fn from_cp1251(b: u8) -> char {
    match b {
        0..=0x7F => char::from(b),
        0xC0..=0xFF => char::from_u32(0x410 + u32::from(b - 0xC0)).unwrap_or('\u{FFFD}'),
        0xA8 => 'Ё',
        0xB8 => 'ё',
        _ => '\u{FFFD}',
    }
}

/// masks.key: (mask, salt).
pub(crate) fn parse_masks(der: &[u8], file: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    let seq = Any::from_der(der).map_err(|e| damaged(file, e))?;
    let mut r = SliceReader::new(seq.value()).map_err(|e| damaged(file, e))?;
    let mask: OctetString = r.decode().map_err(|e| damaged(file, e))?;
    let salt: OctetString = r.decode().map_err(|e| damaged(file, e))?;
    let mac: OctetString = r.decode().map_err(|e| damaged(file, e))?;
    let (mask, salt) = (mask.as_bytes(), salt.as_bytes());
    // The MAC's key is the mask (the last 32 bytes of a 512-bit one).
    let key: [u8; 32] = mask
        .get(mask.len().saturating_sub(32)..)
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| damaged(file, "a mask shorter than 32 bytes"))?;
    if container_mac(&key, salt) != mac.as_bytes() {
        return Err(damaged(file, "its MAC does not match the mask and salt"));
    }
    Ok((mask.to_vec(), salt.to_vec()))
}

/// The 4-byte MACs of header.key and masks.key: the GOST 28147-89 MAC (S-box param-Z, IV
/// zero) under the all-zero key over header.key's content, under the mask over masks.key's
/// salt (li0ard/cpfx_ts, MIT, `computeContainerMAC` and `computeMaskMAC`; both match on the
/// container CryptoPro CSP 5 wrote).
fn container_mac(key: &[u8; 32], data: &[u8]) -> [u8; 4] {
    use crate::key::pkcs8::ciphers::{Gost89Sbox, gost89_imit};
    gost89_imit(Gost89Sbox::Tc26Z, key, &[0; 8], data)
}

/// Checks header.key's MAC (see [`container_mac`]); `der` has been read by
/// [`parse_header`].
pub(crate) fn check_header_mac(der: &[u8]) -> Result<()> {
    const F: &str = "header.key";
    let mut outer = SliceReader::new(der).map_err(|e| damaged(F, e))?;
    let container: Any = outer.decode().map_err(|e| damaged(F, e))?;
    let value = container.value();
    let mut top = SliceReader::new(value).map_err(|e| damaged(F, e))?;
    let content: Any = top.decode().map_err(|e| damaged(F, e))?;
    let mac: OctetString = top.decode().map_err(|e| damaged(F, e))?;
    let len = usize::try_from(content.encoded_len().map_err(|e| damaged(F, e))?)
        .map_err(|e| damaged(F, e))?;
    let content = value
        .get(..len)
        .ok_or_else(|| damaged(F, "the content is longer than the file"))?;
    if container_mac(&[0; 32], content) != mac.as_bytes() {
        return Err(damaged(F, "its MAC does not match its contents"));
    }
    Ok(())
}

/// The MAC of header.key's content, for the test writer.
#[cfg(any(test, feature = "cryptopro-test-writer"))]
pub(crate) fn header_mac(content: &[u8]) -> [u8; 4] {
    container_mac(&[0; 32], content)
}

/// The MAC of masks.key, for the test writer.
#[cfg(any(test, feature = "cryptopro-test-writer"))]
pub(crate) fn masks_mac(mask: &[u8], salt: &[u8]) -> [u8; 4] {
    let mut key = [0u8; 32];
    key.copy_from_slice(&mask[mask.len() - 32..]);
    container_mac(&key, salt)
}

/// primary.key: the encrypted (masked) key.
pub(crate) fn parse_primary(der: &[u8], file: &str) -> Result<Vec<u8>> {
    let seq = Any::from_der(der).map_err(|e| damaged(file, e))?;
    let mut r = SliceReader::new(seq.value()).map_err(|e| damaged(file, e))?;
    let value: OctetString = r.decode().map_err(|e| damaged(file, e))?;
    Ok(value.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_utf8_or_windows_1251() {
        let utf8 = [&[0x30, 0x08, 0x16, 0x06][..], "Щит".as_bytes()].concat();
        assert_eq!(parse_name(&utf8).unwrap(), "Щит");
        let cp1251 = [0x30, 0x05, 0x16, 0x03, 0xD9, 0xE8, 0xF2];
        assert_eq!(parse_name(&cp1251).unwrap(), "Щит");
        assert!(parse_name(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
    }
}
