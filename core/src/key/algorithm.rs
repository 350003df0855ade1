//! Key algorithms and the signature algorithms they imply.

use std::borrow::Cow;

use der::asn1::{Any, ObjectIdentifier};
use spki::AlgorithmIdentifierOwned;

use super::gost;
use crate::gost::ParamSet;
use crate::{Error, Result, oid};

/// The algorithm of a key, with the digest and signature scheme it implies.
///
/// | variant | key OID | signature | digest |
/// |---|---|---|---|
/// | `Gost(ps)`, 256-bit sets | id-tc26-gost3410-12-256 + param set | id-tc26-signwithdigest-gost3410-12-256, s‖r | Streebog-256 |
/// | `Gost(ps)`, 512-bit sets | id-tc26-gost3410-12-512 + param set | id-tc26-signwithdigest-gost3410-12-512, s‖r | Streebog-512 |
/// | `Rsa { bits }` | rsaEncryption | PKCS#1 v1.5 (sha256WithRSAEncryption) | SHA-256 |
/// | `EcdsaP256` | id-ecPublicKey + prime256v1 | ecdsa-with-SHA256, DER `Ecdsa-Sig-Value` | SHA-256 |
/// | `Gost2001(ps)`, CryptoPro sets only | id-GostR3410-2001 + param set | id-GostR3411-94-with-GostR3410-2001, s‖r | GOST R 34.11-94 |
///
/// `Gost2001` is read and verified only (certificates, CRLs, CMS and requests made before
/// 2019): no key of it is generated, imported for signing or signed with, since GOST R
/// 34.10-2001 signing is prohibited from 2019 (see [`KeyAlgorithm::check_can_sign`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// GOST R 34.10-2012 over a parameter set (256 or 512 bits).
    Gost(ParamSet),
    /// RSA with a modulus of `bits` bits (2048 to 4096 for keys we make or import).
    Rsa {
        /// The modulus length in bits.
        bits: u32,
    },
    /// ECDSA over NIST P-256 (secp256r1).
    EcdsaP256,
    /// GOST R 34.10-2001 with GOST R 34.11-94 (RFC 4491), over a CryptoPro parameter set
    /// (A, B, C, XchA, XchB): verification of old objects only.
    Gost2001(ParamSet),
}

impl KeyAlgorithm {
    /// The algorithms keys are made with: every GOST parameter set, RSA 2048/3072/4096 and
    /// ECDSA P-256 (RSA keys of other sizes in [`crate::key::RSA_BITS`] are read too).
    pub const ALL: [KeyAlgorithm; 16] = [
        KeyAlgorithm::Gost(ParamSet::Tc26_256A),
        KeyAlgorithm::Gost(ParamSet::Tc26_256B),
        KeyAlgorithm::Gost(ParamSet::Tc26_256C),
        KeyAlgorithm::Gost(ParamSet::Tc26_256D),
        KeyAlgorithm::Gost(ParamSet::CryptoProA),
        KeyAlgorithm::Gost(ParamSet::CryptoProB),
        KeyAlgorithm::Gost(ParamSet::CryptoProC),
        KeyAlgorithm::Gost(ParamSet::CryptoProXchA),
        KeyAlgorithm::Gost(ParamSet::CryptoProXchB),
        KeyAlgorithm::Gost(ParamSet::Tc26_512A),
        KeyAlgorithm::Gost(ParamSet::Tc26_512B),
        KeyAlgorithm::Gost(ParamSet::Tc26_512C),
        KeyAlgorithm::Rsa { bits: 2048 },
        KeyAlgorithm::Rsa { bits: 3072 },
        KeyAlgorithm::Rsa { bits: 4096 },
        KeyAlgorithm::EcdsaP256,
    ];

    /// The stable identifier the C ABI, Python and configuration files name the algorithm
    /// by: `gost2012-256-tc26-a` … `-d`, `gost2012-256-cryptopro-a`/`-b`/`-c`/`-xcha`/`-xchb`,
    /// `gost2012-512-tc26-a` … `-c`, `rsa-2048` (any size: `rsa-<bits>`), `ecdsa-p256`; and
    /// for keys read only, `gost2001-cryptopro-a`/`-b`/`-c`/`-xcha`/`-xchb`.
    pub fn id(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            KeyAlgorithm::Gost(ps) => match ps {
                ParamSet::Tc26_256A => "gost2012-256-tc26-a",
                ParamSet::Tc26_256B => "gost2012-256-tc26-b",
                ParamSet::Tc26_256C => "gost2012-256-tc26-c",
                ParamSet::Tc26_256D => "gost2012-256-tc26-d",
                ParamSet::CryptoProA => "gost2012-256-cryptopro-a",
                ParamSet::CryptoProB => "gost2012-256-cryptopro-b",
                ParamSet::CryptoProC => "gost2012-256-cryptopro-c",
                ParamSet::CryptoProXchA => "gost2012-256-cryptopro-xcha",
                ParamSet::CryptoProXchB => "gost2012-256-cryptopro-xchb",
                ParamSet::Tc26_512A => "gost2012-512-tc26-a",
                ParamSet::Tc26_512B => "gost2012-512-tc26-b",
                ParamSet::Tc26_512C => "gost2012-512-tc26-c",
            },
            KeyAlgorithm::Rsa { bits: 2048 } => "rsa-2048",
            KeyAlgorithm::Rsa { bits: 3072 } => "rsa-3072",
            KeyAlgorithm::Rsa { bits: 4096 } => "rsa-4096",
            KeyAlgorithm::Rsa { bits } => return Cow::Owned(format!("rsa-{bits}")),
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256",
            KeyAlgorithm::Gost2001(ps) => match ps {
                ParamSet::CryptoProA => "gost2001-cryptopro-a",
                ParamSet::CryptoProB => "gost2001-cryptopro-b",
                ParamSet::CryptoProC => "gost2001-cryptopro-c",
                ParamSet::CryptoProXchA => "gost2001-cryptopro-xcha",
                ParamSet::CryptoProXchB => "gost2001-cryptopro-xchb",
                // PublicKey never holds another set under the 2001 OID
                _ => return Cow::Owned(format!("gost2001-{}", ps.name())),
            },
        })
    }

    /// The algorithm named by an [`id`](Self::id) (ASCII case ignored). RSA sizes outside
    /// [`crate::key::RSA_BITS`] are refused.
    ///
    /// Errors: [`crate::ErrorKind::UnsupportedAlgorithm`] naming the field `algorithm`.
    pub fn parse(id: &str) -> Result<KeyAlgorithm> {
        let lower = id.to_ascii_lowercase();
        if let Some(found) = Self::ALL.iter().find(|a| a.id() == lower) {
            return Ok(*found);
        }
        // GOST R 34.10-2001 is named (a key read from an old certificate) though never made.
        if let Some(found) = GOST_2001_SETS
            .iter()
            .map(|ps| KeyAlgorithm::Gost2001(*ps))
            .find(|a| a.id() == lower)
        {
            return Ok(found);
        }
        if let Some(bits) = lower
            .strip_prefix("rsa-")
            .and_then(|b| b.parse::<u32>().ok())
            && super::RSA_BITS.contains(&bits)
        {
            return Ok(KeyAlgorithm::Rsa { bits });
        }
        Err(Error::unsupported(format!(
            "unknown key algorithm {id:?} (known: gost2012-256-tc26-a…d, \
             gost2012-256-cryptopro-a/b/c/xcha/xchb, gost2012-512-tc26-a…c, rsa-2048…4096, \
             ecdsa-p256)"
        ))
        .with_field("algorithm"))
    }

    /// A short human-readable name ("RSA 2048", "ECDSA P-256", ...).
    pub fn name(&self) -> String {
        match self {
            KeyAlgorithm::Gost(ps) => format!(
                "GOST R 34.10-2012 {} {}",
                if ps.is_512() { 512 } else { 256 },
                ps.name()
            ),
            KeyAlgorithm::Rsa { bits } => format!("RSA {bits}"),
            KeyAlgorithm::EcdsaP256 => "ECDSA P-256".to_string(),
            KeyAlgorithm::Gost2001(ps) => format!("GOST R 34.10-2001 {}", ps.name()),
        }
    }

    /// Whether keys of this algorithm may be made and sign: every algorithm but GOST R
    /// 34.10-2001, which is [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind) (signing
    /// with it is prohibited since 1 January 2019 by the FSB's 2014 notice on the transition
    /// to GOST R 34.10-2012; its signatures are still verified).
    pub fn check_can_sign(&self) -> crate::Result<()> {
        match self {
            KeyAlgorithm::Gost2001(_) => Err(gost2001_signing_refused()),
            _ => Ok(()),
        }
    }

    /// The OID of the SubjectPublicKeyInfo algorithm.
    pub fn key_oid(&self) -> ObjectIdentifier {
        match self {
            KeyAlgorithm::Gost(ps) => gost::key_oid(*ps),
            KeyAlgorithm::Rsa { .. } => oid::RSA_ENCRYPTION,
            KeyAlgorithm::EcdsaP256 => oid::EC_PUBLIC_KEY,
            KeyAlgorithm::Gost2001(_) => oid::GOST3410_2001,
        }
    }

    /// The OID of the signature algorithm a key of this algorithm signs with.
    pub fn signature_algorithm_oid(&self) -> ObjectIdentifier {
        match self {
            KeyAlgorithm::Gost(ps) => gost::signature_oid(*ps),
            KeyAlgorithm::Rsa { .. } => oid::SHA256_WITH_RSA,
            KeyAlgorithm::EcdsaP256 => oid::ECDSA_WITH_SHA256,
            KeyAlgorithm::Gost2001(_) => oid::GOST3411_94_WITH_GOST3410_2001,
        }
    }

    /// The OID of the digest the signature algorithm uses.
    pub fn digest_oid(&self) -> ObjectIdentifier {
        match self {
            KeyAlgorithm::Gost(ps) => gost::digest_oid(*ps),
            KeyAlgorithm::Rsa { .. } | KeyAlgorithm::EcdsaP256 => oid::SHA256,
            KeyAlgorithm::Gost2001(_) => oid::GOST3411_94,
        }
    }

    /// The signature AlgorithmIdentifier as we write it: NULL parameters for RSA (RFC 4055
    /// §5), absent for ECDSA (RFC 5758 §3.2) and GOST (RFC 9215 §3.1; OpenSSL writes NULL,
    /// which we accept when reading).
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        let parameters = match self {
            KeyAlgorithm::Rsa { .. } => Some(Any::null()),
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::Gost(_) | KeyAlgorithm::Gost2001(_) => None,
        };
        AlgorithmIdentifierOwned {
            oid: self.signature_algorithm_oid(),
            parameters,
        }
    }

    /// The SubjectPublicKeyInfo / PKCS#8 AlgorithmIdentifier as we write it (for GOST: the
    /// parameter set, and the digest only where RFC 9215 requires it).
    pub fn key_algorithm_identifier(&self) -> AlgorithmIdentifierOwned {
        match self {
            KeyAlgorithm::Gost(ps) => gost::key_algorithm_identifier(*ps),
            KeyAlgorithm::Rsa { .. } => AlgorithmIdentifierOwned {
                oid: oid::RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            },
            KeyAlgorithm::EcdsaP256 => AlgorithmIdentifierOwned {
                oid: oid::EC_PUBLIC_KEY,
                parameters: Some(Any::from(oid::SECP256R1)),
            },
            KeyAlgorithm::Gost2001(ps) => gost::key_algorithm_identifier_2001(*ps),
        }
    }
}

/// The parameter sets of GOST R 34.10-2001 keys (RFC 4357).
const GOST_2001_SETS: [ParamSet; 5] = [
    ParamSet::CryptoProA,
    ParamSet::CryptoProB,
    ParamSet::CryptoProC,
    ParamSet::CryptoProXchA,
    ParamSet::CryptoProXchB,
];

/// The refusal of anything that would sign with a GOST R 34.10-2001 key.
pub(crate) fn gost2001_signing_refused() -> crate::Error {
    crate::Error::unsupported(
        "GOST R 34.10-2001 keys are verified only: signing and key generation with them are \
         prohibited since 2019 (use GOST R 34.10-2012)",
    )
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for a in KeyAlgorithm::ALL {
            assert!(seen.insert(a.id()), "{} used twice", a.id());
            assert_eq!(KeyAlgorithm::parse(&a.id()).unwrap(), a);
            assert_eq!(KeyAlgorithm::parse(&a.id().to_uppercase()).unwrap(), a);
        }
        assert_eq!(
            KeyAlgorithm::parse("rsa-2560").unwrap(),
            KeyAlgorithm::Rsa { bits: 2560 }
        );
        assert_eq!(KeyAlgorithm::Rsa { bits: 2560 }.id(), "rsa-2560");
        for ps in GOST_2001_SETS {
            let a = KeyAlgorithm::Gost2001(ps);
            assert_eq!(KeyAlgorithm::parse(&a.id()).unwrap(), a);
            assert!(!KeyAlgorithm::ALL.contains(&a), "never made");
        }
        for bad in ["rsa-1024", "rsa-", "gost2001", "", "ecdsa-p384"] {
            let e = KeyAlgorithm::parse(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::UnsupportedAlgorithm, "{bad}");
            assert_eq!(e.field(), Some("algorithm"));
        }
    }

    #[test]
    fn gost_oids_follow_the_key_size() {
        let a = KeyAlgorithm::Gost(ParamSet::CryptoProA);
        assert_eq!(a.key_oid(), oid::GOST3410_12_256);
        assert_eq!(
            a.signature_algorithm_oid(),
            oid::SIGN_WITH_DIGEST_GOST3410_12_256
        );
        assert_eq!(a.digest_oid(), oid::STREEBOG_256);
        assert!(a.signature_algorithm().parameters.is_none());
        let b = KeyAlgorithm::Gost(ParamSet::Tc26_512C);
        assert_eq!(b.key_oid(), oid::GOST3410_12_512);
        assert_eq!(
            b.signature_algorithm_oid(),
            oid::SIGN_WITH_DIGEST_GOST3410_12_512
        );
        assert_eq!(b.digest_oid(), oid::STREEBOG_512);
        assert!(b.name().contains("512"), "{}", b.name());
    }

    #[test]
    fn gost_2001_is_verified_only() {
        let a = KeyAlgorithm::Gost2001(ParamSet::CryptoProXchA);
        assert_eq!(a.key_oid(), oid::GOST3410_2001);
        assert_eq!(
            a.signature_algorithm_oid(),
            oid::GOST3411_94_WITH_GOST3410_2001
        );
        assert_eq!(a.digest_oid(), oid::GOST3411_94);
        let e = a.check_can_sign().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::UnsupportedAlgorithm);
        assert!(e.message().contains("prohibited since 2019"), "{e}");
        assert!(
            KeyAlgorithm::Gost(ParamSet::CryptoProA)
                .check_can_sign()
                .is_ok()
        );
    }
}
