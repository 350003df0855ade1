//! PKCS#8 `PrivateKeyInfo` (RFC 5208 / RFC 5958) for every key algorithm.

use der::Decode;
use pkcs8::EncodePrivateKey;
use zeroize::Zeroizing;

use super::software::{Secret, SoftwareKey};
use crate::{Error, Result, oid};

/// Reads an unencrypted `PrivateKeyInfo`.
pub(crate) fn decode(der: &[u8]) -> Result<SoftwareKey> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der)
        .map_err(|e| Error::malformed(format!("PKCS#8 PrivateKeyInfo: {e}")))?;
    let alg = info.algorithm.oid;
    let secret = if alg == oid::RSA_ENCRYPTION {
        let key = rsa::RsaPrivateKey::try_from(info)
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

/// Writes an unencrypted `PrivateKeyInfo`.
pub(crate) fn encode(key: &SoftwareKey) -> Zeroizing<Vec<u8>> {
    let doc = match key.secret() {
        Secret::Rsa(k) => k.to_pkcs8_der(),
        Secret::P256(k) => k.to_pkcs8_der(),
    };
    // Encoding a key we hold in memory cannot fail: its components are valid by construction.
    Zeroizing::new(doc.map(|d| d.as_bytes().to_vec()).unwrap_or_default())
}
