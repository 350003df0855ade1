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
//! for 512-A as well, so reading accepts it wherever it fits the key size. A third OID, the
//! GOST 28147-89 encryptionParamSet that RFC 4491 allows (accredited CAs' 2012 keys carry it,
//! e.g. ООО «АРГОС» 2019), is read and ignored: it says how the key encrypts, not how it
//! signs. Written without a digest, it would stand second; a 28147 parameter set there is
//! taken as that.
//!
//! GOST R 34.10-2001 keys (RFC 4491 §2.3, verification only):
//!
//! ```text
//! GostR3410-2001-PublicKeyParameters ::= SEQUENCE {
//!     publicKeyParamSet   OBJECT IDENTIFIER,   -- CryptoPro A, B, C, XchA, XchB
//!     digestParamSet      OBJECT IDENTIFIER,   -- id-GostR3411-94-CryptoProParamSet
//!     encryptionParamSet  OBJECT IDENTIFIER OPTIONAL }
//! ```
//!
//! The private key in PKCS#8 is the scalar d little-endian. OpenSSL writes it raw as the
//! privateKey OCTET STRING's contents; GnuTLS wraps it in an inner OCTET STRING; old OpenSSL
//! versions wrote an INTEGER (big-endian). We read all three and write OpenSSL's form.

use der::asn1::{Any, AnyRef, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::gost::ParamSet;
use crate::{Error, Result, oid};

/// `GostR3410-2012-PublicKeyParameters` and `GostR3410-2001-PublicKeyParameters`, with the
/// optional encryptionParamSet: the one reader of GOST key parameters (SPKI, PKCS#8, reports).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(crate) struct KeyParameters {
    pub public_key_param_set: ObjectIdentifier,
    #[asn1(optional = "true")]
    pub digest_param_set: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    pub encryption_param_set: Option<ObjectIdentifier>,
}

impl KeyParameters {
    /// Reads the parameters of a GOST key AlgorithmIdentifier; a GOST 28147-89 parameter set
    /// in the digest's place (a key written without digestParamSet) is the encryptionParamSet.
    pub(crate) fn from_any(params: AnyRef<'_>) -> Result<KeyParameters> {
        let field = "GostR3410-PublicKeyParameters";
        let mut p: KeyParameters = params
            .decode_as()
            .map_err(|e| Error::malformed(format!("GOST key parameters: {e}")).with_field(field))?;
        if p.encryption_param_set.is_none()
            && p.digest_param_set
                .is_some_and(|d| is_gost28147_param_set(&d))
        {
            p.encryption_param_set = p.digest_param_set.take();
        }
        Ok(p)
    }
}

/// Whether `o` names a GOST 28147-89 parameter set (an encryptionParamSet).
fn is_gost28147_param_set(o: &ObjectIdentifier) -> bool {
    [
        oid::GOST28147_PARAM_Z,
        oid::GOST28147_CRYPTOPRO_A,
        oid::GOST28147_CRYPTOPRO_B,
        oid::GOST28147_CRYPTOPRO_C,
        oid::GOST28147_CRYPTOPRO_D,
    ]
    .contains(o)
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
    identifier(
        key_oid(ps),
        ps,
        digest_param_required(ps).then(|| digest_oid(ps)),
    )
}

/// The SubjectPublicKeyInfo AlgorithmIdentifier of a GOST R 34.10-2001 key (RFC 4491 §2.3.2):
/// the parameter set and id-GostR3411-94-CryptoProParamSet. Used to describe and compare keys
/// read from old certificates; nothing is signed with them.
pub(crate) fn key_algorithm_identifier_2001(ps: ParamSet) -> AlgorithmIdentifierOwned {
    identifier(
        oid::GOST3410_2001,
        ps,
        Some(oid::GOST3411_94_CRYPTOPRO_PARAMSET),
    )
}

fn identifier(
    key: ObjectIdentifier,
    ps: ParamSet,
    digest: Option<ObjectIdentifier>,
) -> AlgorithmIdentifierOwned {
    let params = KeyParameters {
        public_key_param_set: ps.oid(),
        digest_param_set: digest,
        encryption_param_set: None,
    };
    // A SEQUENCE of two OIDs always encodes.
    let parameters = params
        .to_der()
        .ok()
        .and_then(|der| Any::from_der(&der).ok());
    AlgorithmIdentifierOwned {
        oid: key,
        parameters,
    }
}

/// Reads the parameter set of a GOST R 34.10-2001 key: a CryptoPro set (A, B, C, XchA, XchB)
/// with the GOST R 34.11-94 CryptoPro hash parameters. Other sets are
/// [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind) (the standard's test set) or
/// malformed (a TC26 2012 set under the 2001 OID).
pub(crate) fn param_set_of_2001(alg: &AlgorithmIdentifierOwned) -> Result<ParamSet> {
    let field = "GostR3410-2001-PublicKeyParameters";
    let params = alg.parameters.as_ref().ok_or_else(|| {
        Error::malformed("GOST R 34.10-2001 key without parameters").with_field(field)
    })?;
    let params = KeyParameters::from_any(params.into())?;
    let ps = ParamSet::from_oid(&params.public_key_param_set).map_err(|_| {
        Error::unsupported(format!(
            "GOST R 34.10-2001 parameter set {}",
            params.public_key_param_set
        ))
        .with_field(field)
    })?;
    if !digest_param_required(ps) {
        return Err(Error::malformed(format!(
            "{} is a GOST R 34.10-2012 parameter set, not one of GOST R 34.10-2001",
            ps.name()
        ))
        .with_field(field));
    }
    match params.digest_param_set {
        Some(d) if d == oid::GOST3411_94_CRYPTOPRO_PARAMSET => Ok(ps),
        Some(d) => Err(Error::unsupported(format!(
            "GOST R 34.11-94 hash parameters {d} (only the CryptoPro ones, {})",
            oid::GOST3411_94_CRYPTOPRO_PARAMSET
        ))
        .with_field(field)),
        None => Err(Error::malformed(
            "a GOST R 34.10-2001 key without its digestParamSet (RFC 4491 §2.3.2)",
        )
        .with_field(field)),
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
    let params = KeyParameters::from_any(params.into())?;
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

    fn alg_with(key: ObjectIdentifier, params: &KeyParameters) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: key,
            parameters: Some(Any::from_der(&params.to_der().unwrap()).unwrap()),
        }
    }

    #[test]
    fn the_optional_encryption_parameter_set_is_read_and_ignored() {
        // As ООО «АРГОС»'s 2019 CA writes it: XchA, Streebog-256, CryptoPro-A 28147 params.
        let p = KeyParameters {
            public_key_param_set: ParamSet::CryptoProXchA.oid(),
            digest_param_set: Some(oid::STREEBOG_256),
            encryption_param_set: Some(oid::GOST28147_CRYPTOPRO_A),
        };
        let alg = alg_with(oid::GOST3410_12_256, &p);
        assert_eq!(param_set_of(&alg).unwrap(), ParamSet::CryptoProXchA);
        // Without a digest the 28147 set stands second: still the encryption parameters.
        let p = KeyParameters {
            public_key_param_set: ParamSet::Tc26_256B.oid(),
            digest_param_set: Some(oid::GOST28147_PARAM_Z),
            encryption_param_set: None,
        };
        let alg = alg_with(oid::GOST3410_12_256, &p);
        assert_eq!(param_set_of(&alg).unwrap(), ParamSet::Tc26_256B);
        let read = KeyParameters::from_any(alg.parameters.as_ref().unwrap().into()).unwrap();
        assert_eq!(read.digest_param_set, None);
        assert_eq!(read.encryption_param_set, Some(oid::GOST28147_PARAM_Z));
    }

    #[test]
    fn gost_2001_parameters() {
        for ps in [
            ParamSet::CryptoProA,
            ParamSet::CryptoProB,
            ParamSet::CryptoProC,
            ParamSet::CryptoProXchA,
            ParamSet::CryptoProXchB,
        ] {
            let alg = key_algorithm_identifier_2001(ps);
            assert_eq!(param_set_of_2001(&alg).unwrap(), ps);
        }
        // A 2012 set, a Streebog digest, no digest, no parameters: refused.
        let bad = |ps: ParamSet, d: Option<ObjectIdentifier>| {
            let p = KeyParameters {
                public_key_param_set: ps.oid(),
                digest_param_set: d,
                encryption_param_set: None,
            };
            param_set_of_2001(&alg_with(oid::GOST3410_2001, &p)).unwrap_err()
        };
        assert!(
            bad(
                ParamSet::Tc26_256A,
                Some(oid::GOST3411_94_CRYPTOPRO_PARAMSET)
            )
            .message()
            .contains("2012")
        );
        assert_eq!(
            bad(ParamSet::CryptoProA, Some(oid::STREEBOG_256)).kind(),
            crate::ErrorKind::UnsupportedAlgorithm
        );
        assert_eq!(
            bad(ParamSet::CryptoProA, None).kind(),
            crate::ErrorKind::MalformedEncoding
        );
        let mut none = key_algorithm_identifier_2001(ParamSet::CryptoProA);
        none.parameters = None;
        assert!(param_set_of_2001(&none).is_err());
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
