//! How GOST R 34.10-2012 keys are encoded in SubjectPublicKeyInfo and PKCS#8.
//!
//! RFC 4491 / RFC 9215 §4 and TC26:
//!
//! ```text
//! GostR3410-2012-PublicKeyParameters ::= SEQUENCE {
//!     publicKeyParamSet  OBJECT IDENTIFIER,
//!     digestParamSet     OBJECT IDENTIFIER OPTIONAL }
//! GostR3410-2012-256-PublicKey ::= OCTET STRING (64)   -- X‖Y, each little-endian
//! GostR3410-2012-512-PublicKey ::= OCTET STRING (128)
//! ```
//!
//! digestParamSet MUST be present (Streebog-256) for the CryptoPro sets, MUST be absent for
//! TC26 256-B/C/D and SHOULD be absent for 256-A and the 512 sets; OpenSSL and GnuTLS write it
//! for 512-A as well, so reading accepts it wherever it fits the key size. A third OID
//! (encryptionParamSet of the 2001 keys) is tolerated and ignored.
//!
//! The private key in PKCS#8 is the scalar d little-endian. OpenSSL writes it raw as the
//! privateKey OCTET STRING's contents; GnuTLS wraps it in an inner OCTET STRING; old OpenSSL
//! versions wrote an INTEGER (big-endian). We read all three and write OpenSSL's form.

use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::gost::ParamSet;
use crate::{Error, Result, oid};

/// `GostR3410-2012-PublicKeyParameters` (plus the tolerated 2001 encryptionParamSet).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
struct KeyParameters {
    public_key_param_set: ObjectIdentifier,
    #[asn1(optional = "true")]
    digest_param_set: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    encryption_param_set: Option<ObjectIdentifier>,
}

/// The key OID for a parameter set's size.
pub(crate) fn key_oid(ps: ParamSet) -> ObjectIdentifier {
    if ps.is_512() {
        oid::GOST3410_12_512
    } else {
        oid::GOST3410_12_256
    }
}

/// The signature OID (id-tc26-signwithdigest-gost3410-12-256/512).
pub(crate) fn signature_oid(ps: ParamSet) -> ObjectIdentifier {
    if ps.is_512() {
        oid::SIGN_WITH_DIGEST_GOST3410_12_512
    } else {
        oid::SIGN_WITH_DIGEST_GOST3410_12_256
    }
}

/// The digest OID (Streebog-256/512).
pub(crate) fn digest_oid(ps: ParamSet) -> ObjectIdentifier {
    if ps.is_512() {
        oid::STREEBOG_512
    } else {
        oid::STREEBOG_256
    }
}

/// Whether RFC 9215 requires digestParamSet for this set (the CryptoPro sets).
pub(crate) fn digest_param_required(ps: ParamSet) -> bool {
    matches!(
        ps,
        ParamSet::CryptoProA
            | ParamSet::CryptoProB
            | ParamSet::CryptoProC
            | ParamSet::CryptoProXchA
            | ParamSet::CryptoProXchB
    )
}

/// The SubjectPublicKeyInfo / PKCS#8 AlgorithmIdentifier we write.
pub(crate) fn key_algorithm_identifier(ps: ParamSet) -> AlgorithmIdentifierOwned {
    let params = KeyParameters {
        public_key_param_set: ps.oid(),
        digest_param_set: digest_param_required(ps).then(|| digest_oid(ps)),
        encryption_param_set: None,
    };
    // A SEQUENCE of two OIDs always encodes.
    let parameters = params
        .to_der()
        .ok()
        .and_then(|der| Any::from_der(&der).ok());
    AlgorithmIdentifierOwned {
        oid: key_oid(ps),
        parameters,
    }
}

/// Whether `oid` is one of the GOST R 34.10-2012 key OIDs.
pub(crate) fn is_key_oid(oid: &ObjectIdentifier) -> bool {
    *oid == oid::GOST3410_12_256 || *oid == oid::GOST3410_12_512
}

/// Reads the parameter set from a GOST key AlgorithmIdentifier, checking it fits the key OID.
pub(crate) fn param_set_of(alg: &AlgorithmIdentifierOwned) -> Result<ParamSet> {
    let field = "GostR3410-2012-PublicKeyParameters";
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| Error::malformed("GOST key without parameters").with_field(field))?;
    let params: KeyParameters = params
        .decode_as()
        .map_err(|e| Error::malformed(format!("GOST key parameters: {e}")).with_field(field))?;
    let ps = ParamSet::from_oid(&params.public_key_param_set)?;
    let is_512 = alg.oid == oid::GOST3410_12_512;
    if ps.is_512() != is_512 {
        return Err(Error::malformed(format!(
            "parameter set {} does not fit key algorithm {}",
            ps.name(),
            alg.oid
        ))
        .with_field(field));
    }
    if let Some(d) = params.digest_param_set
        && d != digest_oid(ps)
    {
        return Err(Error::malformed(format!(
            "digest parameter set {d} does not fit a {} key",
            ps.name()
        ))
        .with_field(field));
    }
    Ok(ps)
}

/// The subjectPublicKey bits: OCTET STRING of LE X‖Y.
pub(crate) fn encode_public_key(le_xy: &[u8]) -> Vec<u8> {
    OctetString::new(le_xy)
        .and_then(|o| o.to_der())
        .unwrap_or_default()
}

/// The LE X‖Y inside the subjectPublicKey bits.
pub(crate) fn decode_public_key(key_bits: &[u8]) -> Result<Vec<u8>> {
    let os = OctetString::from_der(key_bits).map_err(|e| {
        Error::malformed(format!("GOST public key is not an OCTET STRING: {e}"))
            .with_field("subjectPublicKey")
    })?;
    Ok(os.into_bytes().into_vec())
}

/// The private scalar (LE, `field_len` bytes) from the contents of PKCS#8's privateKey
/// OCTET STRING, in any of the forms: raw, inner OCTET STRING, INTEGER, or masked.
///
/// Masked (CryptoPro, and the Р 50.1.112-2016 example): the value x followed by one or more
/// masks m1…mk, each `field_len` bytes little-endian, raw or in an inner OCTET STRING; the key
/// is x·m1·…·mk mod q (what OpenSSL's gost engine and GnuTLS compute: the exporter stored
/// d·(m1·…·mk)⁻¹).
pub(crate) fn decode_private_key(ps: ParamSet, contents: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let n = ps.field_len();
    let field = "privateKey";
    // Raw little-endian bytes (OpenSSL). Checked first: a raw key of exactly n bytes cannot be
    // a complete inner OCTET STRING or INTEGER of a valid key, whose encoding is longer.
    if contents.len() == n {
        return Ok(Zeroizing::new(contents.to_vec()));
    }
    let masked_raw = contents.len() > n && contents.len().is_multiple_of(n);
    match contents.first() {
        // OCTET STRING around the raw bytes (GnuTLS), or around a masked key.
        Some(0x04) => match <&der::asn1::OctetStringRef>::from_der(contents) {
            Ok(inner) => {
                let le = inner.as_bytes();
                if le.len() > n && le.len().is_multiple_of(n) {
                    return unmask(ps, le);
                }
                // GnuTLS writes the scalar's minimal little-endian form: a key whose top
                // byte(s) are zero comes shorter (1 in 256 keys). Pad the high end back to n.
                if le.is_empty() || le.len() > n {
                    return Err(Error::malformed(format!(
                        "a {} private key is at most {n} bytes, got {}",
                        ps.name(),
                        le.len()
                    ))
                    .with_field(field));
                }
                let mut out = Zeroizing::new(vec![0u8; n]);
                out[..le.len()].copy_from_slice(le);
                Ok(out)
            }
            Err(_) if masked_raw => unmask(ps, contents),
            Err(e) => Err(
                Error::malformed(format!("GOST private key OCTET STRING: {e}")).with_field(field),
            ),
        },
        // INTEGER, big-endian (older OpenSSL).
        Some(0x02) => match der::asn1::UintRef::from_der(contents) {
            Ok(int) => {
                let be = int.as_bytes();
                if be.len() > n {
                    return Err(Error::malformed(format!(
                        "the private key INTEGER is longer than {n} bytes"
                    ))
                    .with_field(field));
                }
                let mut le = Zeroizing::new(vec![0u8; n]);
                for (i, b) in be.iter().rev().enumerate() {
                    le[i] = *b;
                }
                Ok(le)
            }
            Err(_) if masked_raw => unmask(ps, contents),
            Err(e) => {
                Err(Error::malformed(format!("GOST private key INTEGER: {e}")).with_field(field))
            }
        },
        _ if masked_raw => unmask(ps, contents),
        _ => Err(Error::malformed(format!(
            "a {} private key is {n} bytes, got {}",
            ps.name(),
            contents.len()
        ))
        .with_field(field)),
    }
}

/// x·m1·…·mk mod q of a masked key (each part `field_len` bytes, little-endian).
fn unmask(ps: ParamSet, parts: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let n = ps.field_len();
    let mut chunks = parts.chunks_exact(n);
    let mut value = Zeroizing::new(chunks.next().unwrap_or_default().to_vec());
    for mask in chunks {
        value = crate::gost::unmask_scalar(ps, &value, mask, false);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_octet_string_private_key_is_padded_at_the_high_end() {
        // GnuTLS writes the minimal LE form: a 512-bit key with a zero top byte is 63 bytes.
        let ps = ParamSet::Tc26_512A;
        let mut le = vec![0x11u8; 63];
        le[0] = 0x05;
        let contents = OctetString::new(le.clone()).unwrap().to_der().unwrap();
        let key = decode_private_key(ps, &contents).unwrap();
        assert_eq!(key.len(), 64);
        assert_eq!(&key[..63], &le[..]);
        assert_eq!(key[63], 0);
        // Too long or empty is still an error.
        let long = OctetString::new(vec![1u8; 65]).unwrap().to_der().unwrap();
        assert!(decode_private_key(ps, &long).is_err());
        let empty = OctetString::new(Vec::<u8>::new())
            .unwrap()
            .to_der()
            .unwrap();
        assert!(decode_private_key(ps, &empty).is_err());
    }

    #[test]
    fn digest_parameter_only_for_cryptopro_sets() {
        for ps in ParamSet::ALL {
            let alg = key_algorithm_identifier(ps);
            let params: KeyParameters = alg.parameters.as_ref().unwrap().decode_as().unwrap();
            assert_eq!(params.public_key_param_set, ps.oid());
            assert_eq!(
                params.digest_param_set.is_some(),
                digest_param_required(ps),
                "{ps:?}"
            );
            assert_eq!(param_set_of(&alg).unwrap(), ps);
        }
    }

    #[test]
    fn parameters_must_fit_the_key_size() {
        let mut alg = key_algorithm_identifier(ParamSet::Tc26_512A);
        alg.oid = oid::GOST3410_12_256;
        assert!(param_set_of(&alg).is_err());
        alg.parameters = None;
        assert!(param_set_of(&alg).is_err());
        // Streebog-256 declared for a 512-bit key.
        let bad = KeyParameters {
            public_key_param_set: ParamSet::Tc26_512A.oid(),
            digest_param_set: Some(oid::STREEBOG_256),
            encryption_param_set: None,
        };
        let alg = AlgorithmIdentifierOwned {
            oid: oid::GOST3410_12_512,
            parameters: Some(Any::from_der(&bad.to_der().unwrap()).unwrap()),
        };
        assert!(param_set_of(&alg).is_err());
    }

    #[test]
    fn private_key_forms() {
        let ps = ParamSet::Tc26_256B;
        let raw: Vec<u8> = (1..=32).collect();
        assert_eq!(*decode_private_key(ps, &raw).unwrap(), raw);
        let wrapped = OctetString::new(raw.clone()).unwrap().to_der().unwrap();
        assert_eq!(*decode_private_key(ps, &wrapped).unwrap(), raw);
        let mut be = raw.clone();
        be.reverse();
        let int = der::asn1::Uint::new(&be).unwrap().to_der().unwrap();
        assert_eq!(*decode_private_key(ps, &int).unwrap(), raw);
        // Masked: x then the mask, raw or wrapped; x·mask mod q.
        let mut one = vec![0u8; 32];
        one[0] = 1;
        let masked = [raw.clone(), one.clone()].concat();
        assert_eq!(*decode_private_key(ps, &masked).unwrap(), raw);
        let mut two = vec![0u8; 32];
        two[0] = 2;
        let doubled = decode_private_key(ps, &[raw.clone(), two, one].concat()).unwrap();
        assert_eq!(doubled[0], 2);
        let wrapped = OctetString::new(masked.clone()).unwrap().to_der().unwrap();
        assert_eq!(*decode_private_key(ps, &wrapped).unwrap(), raw);
        assert!(decode_private_key(ps, &raw[..31]).is_err());
        assert!(decode_private_key(ps, &[]).is_err());
    }
}
