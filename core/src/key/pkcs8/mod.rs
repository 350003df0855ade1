//! PKCS#8 `PrivateKeyInfo` (RFC 5208 / RFC 5958) for every key algorithm.

pub(crate) mod ciphers;
pub(crate) mod encrypted;
pub(crate) mod gost2015;
pub(crate) mod pbes2;

use der::Decode;
use pkcs8::EncodePrivateKey;
use zeroize::Zeroizing;

use super::software::{Secret, SoftwareKey};
use crate::asn1::push_tlv;
use crate::{Error, Result, oid};

/// Reads an unencrypted `PrivateKeyInfo`.
pub(crate) fn decode(der: &[u8]) -> Result<SoftwareKey> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der)
        .map_err(|e| Error::malformed(format!("PKCS#8 PrivateKeyInfo: {e}")))?;
    let alg = info.algorithm.oid;
    let secret = if super::gost::is_key_oid(&alg) {
        Secret::Gost(decode_gost(&info)?)
    } else if alg == oid::GOST3410_2001 {
        return Err(super::algorithm::gost2001_signing_refused());
    } else if alg == oid::RSA_ENCRYPTION {
        let key = rsa::PrivateKey::try_from(info)
            .map_err(|e| Error::malformed(format!("PKCS#8 RSA private key: {e}")))?;
        Secret::Rsa(Box::new(key))
    } else if alg == oid::EC_PUBLIC_KEY {
        let key = p256::SecretKey::try_from(info).map_err(|e| match e {
            pkcs8::Error::KeyMalformed(_) | pkcs8::Error::Asn1(_) => {
                Error::malformed(format!("PKCS#8 EC private key: {e}"))
            }
            _ => Error::unsupported(format!(
                "PKCS#8 EC private key: {e} (only P-256 is supported)"
            )),
        })?;
        Secret::P256(p256::ecdsa::SigningKey::from(key))
    } else {
        return Err(Error::unsupported(format!(
            "PKCS#8 private key algorithm {alg}"
        )));
    };
    SoftwareKey::from_secret(secret)
}

fn decode_gost(info: &pkcs8::PrivateKeyInfoRef<'_>) -> Result<crate::gost::SigningKey> {
    let alg = spki::AlgorithmIdentifierOwned {
        oid: info.algorithm.oid,
        parameters: info.algorithm.parameters.map(der::asn1::Any::from),
    };
    let ps = super::gost::param_set_of(&alg)?;
    let scalar = super::gost::decode_private_key(ps, info.private_key.as_bytes())?;
    let key = crate::gost::SigningKey::from_le_bytes(ps, &scalar)
        .map_err(|e| Error::malformed(e.message().to_string()).with_field("privateKey"))?;
    // RFC 5958 v2 may carry the public key (as in the SubjectPublicKeyInfo BIT STRING): it
    // must be this key's.
    if let Some(bits) = &info.public_key {
        let bits = bits
            .as_bytes()
            .ok_or_else(|| Error::malformed("publicKey has unused bits").with_field("publicKey"))?;
        let le_xy = super::gost::decode_public_key(bits)?;
        if le_xy != key.verifying_key().to_le_xy() {
            return Err(Error::new(
                crate::ErrorKind::KeyMismatch,
                "the PKCS#8 publicKey is not the private key's public key",
            )
            .with_field("publicKey"));
        }
    }
    Ok(key)
}

/// `PrivateKeyInfo` for a GOST key, as OpenSSL writes it: version 0, the key
/// AlgorithmIdentifier, and the raw little-endian scalar as the privateKey contents. Built
/// by hand so that every buffer holding the scalar is zeroized.
fn encode_gost(key: &crate::gost::SigningKey) -> Zeroizing<Vec<u8>> {
    use der::Encode;
    let alg = super::KeyAlgorithm::Gost(key.param_set())
        .key_algorithm_identifier()
        .to_der()
        .unwrap_or_default();
    let scalar = key.to_le_bytes();
    let mut body = Zeroizing::new(Vec::with_capacity(16 + alg.len() + scalar.len()));
    body.extend_from_slice(&[0x02, 0x01, 0x00]);
    body.extend_from_slice(&alg);
    push_tlv(&[0x04], &scalar, &mut body);
    let mut out = Zeroizing::new(Vec::with_capacity(body.len() + 4));
    push_tlv(&[0x30], &body, &mut out);
    out
}

/// Writes an unencrypted `PrivateKeyInfo`.
pub(crate) fn encode(key: &SoftwareKey) -> Zeroizing<Vec<u8>> {
    let doc = match key.secret() {
        Secret::Gost(k) => return encode_gost(k),
        Secret::Rsa(k) => k.to_pkcs8_der(),
        Secret::P256(k) => k.to_pkcs8_der(),
    };
    // Encoding a key we hold in memory cannot fail: its components are valid by construction.
    Zeroizing::new(doc.map(|d| d.as_bytes().to_vec()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::ParamSet;
    use crate::key::KeyAlgorithm;

    /// A GOST PrivateKeyInfo v2 (RFC 5958) with `public` as its publicKey.
    fn v2_with_public(key: &SoftwareKey, public: &[u8]) -> Vec<u8> {
        let v1 = encode(key);
        let info = pkcs8::PrivateKeyInfoRef::from_der(&v1).unwrap();
        let mut v2 = info.clone();
        v2.public_key = Some(der::asn1::BitStringRef::from_bytes(public).unwrap());
        der::Encode::to_der(&v2).unwrap()
    }

    #[test]
    fn gost_v2_public_key_must_match() {
        let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A)).unwrap();
        let other = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A)).unwrap();
        let good = v2_with_public(&key, &key.public_key().key_bits());
        assert_eq!(decode(&good).unwrap().public_key(), key.public_key());
        let bad = v2_with_public(&key, &other.public_key().key_bits());
        assert_eq!(
            decode(&bad).unwrap_err().kind(),
            crate::ErrorKind::KeyMismatch
        );
    }
}
