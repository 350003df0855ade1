//! Public keys read off a token, as SubjectPublicKeyInfo DER.
//!
//! PKCS#11 keeps public keys as attributes (RSA modulus and exponent, the EC point, the GOST
//! point with its parameter set); certificates and requests want SubjectPublicKeyInfo. The
//! encodings follow RFC 3279/5480 (RSA, EC) and RFC 9215 (GOST: the point as an OCTET STRING of
//! little-endian X‖Y; digestParamSet present for the CryptoPro parameter sets only).

use der::asn1::{Any, BitString, ObjectIdentifier, OctetString, UintRef};
use der::{Decode, Encode, Sequence};
use sha1::{Digest, Sha1};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::gost;
use crate::{Error, Result, oid};

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017 A.1.1).
#[derive(Sequence)]
pub(crate) struct RsaPublicKey<'a> {
    pub(crate) modulus: UintRef<'a>,
    pub(crate) public_exponent: UintRef<'a>,
}

/// `GostR3410-2012-PublicKeyParameters ::= SEQUENCE { publicKeyParamSet OBJECT IDENTIFIER,
/// digestParamSet OBJECT IDENTIFIER OPTIONAL }` (RFC 9215 §4.2.1).
#[derive(Sequence)]
struct GostKeyParams {
    public_key_param_set: ObjectIdentifier,
    #[asn1(optional = "true")]
    digest_param_set: Option<ObjectIdentifier>,
}

fn spki(oid: ObjectIdentifier, parameters: Option<Any>, key_bits: &[u8]) -> Result<Vec<u8>> {
    let info = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid, parameters },
        subject_public_key: BitString::from_bytes(key_bits)?,
    };
    Ok(info.to_der()?)
}

/// RSA: from CKA_MODULUS and CKA_PUBLIC_EXPONENT (big-endian unsigned).
pub fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Result<Vec<u8>> {
    let key = RsaPublicKey {
        modulus: UintRef::new(strip(modulus))?,
        public_exponent: UintRef::new(strip(exponent))?,
    }
    .to_der()?;
    spki(oid::RSA_ENCRYPTION, Some(Any::null()), &key)
}

/// ECDSA P-256: from CKA_EC_POINT, which PKCS#11 wants as a DER OCTET STRING around the
/// uncompressed point (some tokens give the bare point: both accepted).
pub fn ec_p256_spki(ec_point: &[u8]) -> Result<Vec<u8>> {
    let point = if ec_point.len() == 65 && ec_point[0] == 0x04 {
        ec_point.to_vec()
    } else {
        OctetString::from_der(ec_point)
            .map_err(|e| Error::malformed(format!("CKA_EC_POINT: {e}")))?
            .as_bytes()
            .to_vec()
    };
    if point.len() != 65 || point[0] != 0x04 {
        return Err(Error::malformed(
            "CKA_EC_POINT is not an uncompressed P-256 point",
        ));
    }
    spki(oid::EC_PUBLIC_KEY, Some(Any::from(oid::SECP256R1)), &point)
}

/// GOST R 34.10-2012: from CKA_VALUE (little-endian X‖Y, 64 or 128 bytes) and the
/// parameter-set OID.
pub fn gost_spki(param_set: &ObjectIdentifier, value: &[u8]) -> Result<Vec<u8>> {
    let params = gost::params_for(param_set)?;
    let expected = if params.bits == 512 { 128 } else { 64 };
    if value.len() != expected {
        return Err(Error::malformed(format!(
            "GOST public key value has {} bytes, expected {expected}",
            value.len()
        )));
    }
    let digest_param_set = match *param_set {
        oid::PARAMSET_CRYPTOPRO_A
        | oid::PARAMSET_CRYPTOPRO_B
        | oid::PARAMSET_CRYPTOPRO_C
        | oid::PARAMSET_CRYPTOPRO_XCHA
        | oid::PARAMSET_CRYPTOPRO_XCHB => Some(oid::STREEBOG_256),
        _ => None,
    };
    let p = GostKeyParams {
        public_key_param_set: *param_set,
        digest_param_set,
    };
    let key_oid = if params.bits == 512 {
        oid::GOST3410_12_512
    } else {
        oid::GOST3410_12_256
    };
    let bits = OctetString::new(value)?.to_der()?;
    spki(key_oid, Some(Any::encode_from(&p)?), &bits)
}

/// The subjectPublicKey BIT STRING contents of an SPKI.
pub fn key_bits(spki_der: &[u8]) -> Result<Vec<u8>> {
    let info = SubjectPublicKeyInfoOwned::from_der(spki_der)?;
    info.subject_public_key
        .as_bytes()
        .map(|b| b.to_vec())
        .ok_or_else(|| Error::malformed("subjectPublicKey has unused bits"))
}

/// The default CKA_ID of a key set: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2
/// method 1, the same value as the certificate's subject key identifier usually carries).
pub fn key_id(spki_der: &[u8]) -> Result<[u8; 20]> {
    Ok(Sha1::digest(key_bits(spki_der)?).into())
}

/// The parameter-set OID inside a GOST SPKI, if it is one.
pub fn gost_param_set(spki_der: &[u8]) -> Option<ObjectIdentifier> {
    let info = SubjectPublicKeyInfoOwned::from_der(spki_der).ok()?;
    if info.algorithm.oid != oid::GOST3410_12_256 && info.algorithm.oid != oid::GOST3410_12_512 {
        return None;
    }
    let params: GostKeyParams = info.algorithm.parameters?.decode_as().ok()?;
    Some(params.public_key_param_set)
}

fn strip(b: &[u8]) -> &[u8] {
    let first = b
        .iter()
        .position(|&x| x != 0)
        .unwrap_or(b.len().saturating_sub(1));
    &b[first..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_spki_parses_and_strips_leading_zeros() {
        let n = [0x00, 0xC1, 0x02, 0x03];
        let der = rsa_spki(&n, &[0x01, 0x00, 0x01]).unwrap();
        let info = SubjectPublicKeyInfoOwned::from_der(&der).unwrap();
        assert_eq!(info.algorithm.oid, oid::RSA_ENCRYPTION);
        // The leading zero is dropped, then the modulus C10203 gets its 0x00 pad (high bit).
        let bits = key_bits(&der).unwrap();
        assert_eq!(
            bits,
            [
                0x30, 0x0B, 0x02, 0x04, 0x00, 0xC1, 0x02, 0x03, 0x02, 0x03, 0x01, 0x00, 0x01
            ]
        );
        assert_eq!(key_id(&der).unwrap(), <[u8; 20]>::from(Sha1::digest(&bits)));
    }

    #[test]
    fn ec_point_wrapped_or_bare() {
        let mut point = vec![0x04];
        point.extend([7u8; 64]);
        let bare = ec_p256_spki(&point).unwrap();
        let wrapped =
            ec_p256_spki(&OctetString::new(point.clone()).unwrap().to_der().unwrap()).unwrap();
        assert_eq!(bare, wrapped);
        assert_eq!(key_bits(&bare).unwrap(), point);
        assert!(ec_p256_spki(&[0x04, 1, 2]).is_err());
        assert!(ec_p256_spki(b"").is_err());
    }

    #[test]
    fn gost_digest_params_only_for_cryptopro_sets() {
        let v = [9u8; 64];
        let cp = gost_spki(&oid::PARAMSET_CRYPTOPRO_A, &v).unwrap();
        let tc = gost_spki(&oid::PARAMSET_TC26_256_B, &v).unwrap();
        let p_cp: GostKeyParams = SubjectPublicKeyInfoOwned::from_der(&cp)
            .unwrap()
            .algorithm
            .parameters
            .unwrap()
            .decode_as()
            .unwrap();
        assert_eq!(p_cp.digest_param_set, Some(oid::STREEBOG_256));
        assert_eq!(gost_param_set(&tc), Some(oid::PARAMSET_TC26_256_B));
        // The key bits are an OCTET STRING of 64 bytes.
        assert_eq!(&key_bits(&cp).unwrap()[..2], &[0x04, 0x40]);
        assert!(gost_spki(&oid::PARAMSET_TC26_512_A, &v).is_err());
        assert!(gost_spki(&oid::PARAMSET_TC26_512_A, &[1u8; 128]).is_ok());
    }
}
