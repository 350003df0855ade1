//! The GOST table: PKCS#11 numbers for GOST R 34.10-2012 and Streebog, and the parameter sets.
//!
//! Sources: PKCS#11 v2.40 §2.x (GOST R 34.10-2001: CKK_GOSTR3410 0x30, CKM_GOSTR3410_KEY_PAIR_GEN
//! 0x1200, CKM_GOSTR3410 0x1201, CKM_GOSTR3410_WITH_GOSTR3411 0x1202, CKA_GOSTR3410_PARAMS
//! 0x250, CKA_GOSTR3411_PARAMS 0x251), and TC26's "PKCS#11 extensions for Russian
//! cryptography" (vendor prefix CK_VENDOR_PKCS11_RU_TEAM_TC26 = 0xD4321000), which Rutoken,
//! JaCarta and the rest implement for GOST R 34.10-2012-512 and Streebog.
//!
//! A 256-bit GOST R 34.10-2012 key is a CKK_GOSTR3410 key: the signature scheme is the one of
//! 2001, only the digest changed (Streebog-256). So a token that offers only CKM_GOSTR3410
//! (raw: it signs a 32-byte digest) makes valid 2012-256 signatures when the host hashes with
//! Streebog — this is how SoftHSM (which knows GOST R 34.11-94 only) is used here.

use cryptoki_sys::CK_ULONG;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};

use crate::oid;
use crate::{Error, Result};

/// TC26 vendor prefix.
pub const CK_VENDOR_PKCS11_RU_TEAM_TC26: CK_ULONG = 0xD432_1000;

/// CKK_GOSTR3410: GOST R 34.10-2001 / 2012-256 key.
pub const CKK_GOSTR3410: CK_ULONG = 0x30;
/// CKK_GOSTR3410_512: GOST R 34.10-2012-512 key (TC26).
pub const CKK_GOSTR3410_512: CK_ULONG = CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x003;

/// CKM_GOSTR3410_KEY_PAIR_GEN (256-bit keys).
pub const CKM_GOSTR3410_KEY_PAIR_GEN: CK_ULONG = 0x1200;
/// CKM_GOSTR3410: raw signature over a 32-byte digest (hash on the host).
pub const CKM_GOSTR3410: CK_ULONG = 0x1201;
/// CKM_GOSTR3410_WITH_GOSTR3411: signature with GOST R 34.11-94 inside (legacy; never used
/// for 2012 keys, listed so that mechanism lists print it by name).
pub const CKM_GOSTR3410_WITH_GOSTR3411: CK_ULONG = 0x1202;
/// CKM_GOSTR3411: GOST R 34.11-94 digest (legacy).
pub const CKM_GOSTR3411: CK_ULONG = 0x1210;
/// CKM_GOSTR3410_512_KEY_PAIR_GEN (TC26).
pub const CKM_GOSTR3410_512_KEY_PAIR_GEN: CK_ULONG = CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x005;
/// CKM_GOSTR3410_512: raw signature over a 64-byte digest (TC26).
pub const CKM_GOSTR3410_512: CK_ULONG = CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x006;
/// CKM_GOSTR3410_WITH_GOSTR3411_12_256: Streebog-256 + signature on the token (TC26).
pub const CKM_GOSTR3410_WITH_GOSTR3411_12_256: CK_ULONG = CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x008;
/// CKM_GOSTR3410_WITH_GOSTR3411_12_512: Streebog-512 + signature on the token (TC26).
pub const CKM_GOSTR3410_WITH_GOSTR3411_12_512: CK_ULONG = CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x009;
/// CKM_GOSTR3411_12_256: Streebog-256 digest (TC26).
pub const CKM_GOSTR3411_12_256: CK_ULONG = CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x012;
/// CKM_GOSTR3411_12_512: Streebog-512 digest (TC26).
pub const CKM_GOSTR3411_12_512: CK_ULONG = CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x013;

/// CKA_GOSTR3410_PARAMS: DER OID of the parameter set.
pub const CKA_GOSTR3410_PARAMS: CK_ULONG = 0x250;
/// CKA_GOSTR3411_PARAMS: DER OID of the digest.
pub const CKA_GOSTR3411_PARAMS: CK_ULONG = 0x251;

/// GOST R 34.11-94 CryptoPro digest parameters (what SoftHSM and old tokens store).
pub const GOSTR3411_94_CRYPTOPRO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.643.2.2.30.1");

/// One GOST parameter set as a token sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GostParams {
    /// The parameter-set OID (CKA_GOSTR3410_PARAMS).
    pub oid: ObjectIdentifier,
    /// 256 or 512.
    pub bits: u32,
    /// A human-readable name.
    pub name: &'static str,
    /// The other OID naming the same curve, if any: TC26 256-B/C/D are the CryptoPro A/B/C
    /// curves, XchA is A, XchB is C. A token that knows only one of the names can generate a
    /// key for the other (the key is the same), and we try that before giving up.
    pub same_curve: Option<ObjectIdentifier>,
}

/// Every parameter set a token may hold.
pub const PARAM_SETS: [GostParams; 12] = [
    GostParams {
        oid: oid::PARAMSET_CRYPTOPRO_A,
        bits: 256,
        name: "CryptoPro-A",
        same_curve: Some(oid::PARAMSET_TC26_256_B),
    },
    GostParams {
        oid: oid::PARAMSET_CRYPTOPRO_B,
        bits: 256,
        name: "CryptoPro-B",
        same_curve: Some(oid::PARAMSET_TC26_256_C),
    },
    GostParams {
        oid: oid::PARAMSET_CRYPTOPRO_C,
        bits: 256,
        name: "CryptoPro-C",
        same_curve: Some(oid::PARAMSET_TC26_256_D),
    },
    GostParams {
        oid: oid::PARAMSET_CRYPTOPRO_XCHA,
        bits: 256,
        name: "CryptoPro-XchA",
        same_curve: Some(oid::PARAMSET_CRYPTOPRO_A),
    },
    GostParams {
        oid: oid::PARAMSET_CRYPTOPRO_XCHB,
        bits: 256,
        name: "CryptoPro-XchB",
        same_curve: Some(oid::PARAMSET_CRYPTOPRO_C),
    },
    GostParams {
        oid: oid::PARAMSET_TC26_256_A,
        bits: 256,
        name: "TC26-256-A",
        same_curve: None,
    },
    GostParams {
        oid: oid::PARAMSET_TC26_256_B,
        bits: 256,
        name: "TC26-256-B",
        same_curve: Some(oid::PARAMSET_CRYPTOPRO_A),
    },
    GostParams {
        oid: oid::PARAMSET_TC26_256_C,
        bits: 256,
        name: "TC26-256-C",
        same_curve: Some(oid::PARAMSET_CRYPTOPRO_B),
    },
    GostParams {
        oid: oid::PARAMSET_TC26_256_D,
        bits: 256,
        name: "TC26-256-D",
        same_curve: Some(oid::PARAMSET_CRYPTOPRO_C),
    },
    GostParams {
        oid: oid::PARAMSET_TC26_512_A,
        bits: 512,
        name: "TC26-512-A",
        same_curve: None,
    },
    GostParams {
        oid: oid::PARAMSET_TC26_512_B,
        bits: 512,
        name: "TC26-512-B",
        same_curve: None,
    },
    GostParams {
        oid: oid::PARAMSET_TC26_512_C,
        bits: 512,
        name: "TC26-512-C",
        same_curve: None,
    },
];

/// The table entry of a parameter-set OID.
pub fn params_for(oid: &ObjectIdentifier) -> Result<&'static GostParams> {
    PARAM_SETS
        .iter()
        .find(|p| p.oid == *oid)
        .ok_or_else(|| Error::unsupported(format!("GOST parameter set {oid} is not known")))
}

/// The DER encoding of an OID, as CKA_GOSTR3410_PARAMS / CKA_GOSTR3411_PARAMS hold it.
pub fn oid_der(oid: &ObjectIdentifier) -> Vec<u8> {
    // An ObjectIdentifier always encodes; the fallback keeps this total.
    oid.to_der().unwrap_or_default()
}

/// Parses a CKA_GOSTR3410_PARAMS value (a DER OID).
pub fn oid_from_der(der: &[u8]) -> Result<ObjectIdentifier> {
    ObjectIdentifier::from_der(der)
        .map_err(|e| Error::malformed(format!("CKA_GOSTR3410_PARAMS is not a DER OID: {e}")))
}

/// The digest OID a 2012 key of `bits` signs with.
pub fn streebog_oid(bits: u32) -> ObjectIdentifier {
    if bits == 512 {
        oid::STREEBOG_512
    } else {
        oid::STREEBOG_256
    }
}

/// The key type, generation mechanism, raw sign mechanism and sign-with-hash mechanism of a
/// key size.
pub fn mechanisms(bits: u32) -> (CK_ULONG, CK_ULONG, CK_ULONG, CK_ULONG) {
    if bits == 512 {
        (
            CKK_GOSTR3410_512,
            CKM_GOSTR3410_512_KEY_PAIR_GEN,
            CKM_GOSTR3410_512,
            CKM_GOSTR3410_WITH_GOSTR3411_12_512,
        )
    } else {
        (
            CKK_GOSTR3410,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            CKM_GOSTR3410,
            CKM_GOSTR3410_WITH_GOSTR3411_12_256,
        )
    }
}

/// The name of a GOST mechanism, key type or attribute number, if it is one of ours.
pub fn mechanism_name(mechanism: CK_ULONG) -> Option<&'static str> {
    Some(match mechanism {
        CKM_GOSTR3410_KEY_PAIR_GEN => "CKM_GOSTR3410_KEY_PAIR_GEN",
        CKM_GOSTR3410 => "CKM_GOSTR3410",
        CKM_GOSTR3410_WITH_GOSTR3411 => "CKM_GOSTR3410_WITH_GOSTR3411",
        CKM_GOSTR3411 => "CKM_GOSTR3411",
        CKM_GOSTR3410_512_KEY_PAIR_GEN => "CKM_GOSTR3410_512_KEY_PAIR_GEN",
        CKM_GOSTR3410_512 => "CKM_GOSTR3410_512",
        CKM_GOSTR3410_WITH_GOSTR3411_12_256 => "CKM_GOSTR3410_WITH_GOSTR3411_12_256",
        CKM_GOSTR3410_WITH_GOSTR3411_12_512 => "CKM_GOSTR3410_WITH_GOSTR3411_12_512",
        CKM_GOSTR3411_12_256 => "CKM_GOSTR3411_12_256",
        CKM_GOSTR3411_12_512 => "CKM_GOSTR3411_12_512",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tc26_vendor_values() {
        assert_eq!(CKK_GOSTR3410_512, 0xD432_1003);
        assert_eq!(CKM_GOSTR3410_512_KEY_PAIR_GEN, 0xD432_1005);
        assert_eq!(CKM_GOSTR3410_WITH_GOSTR3411_12_256, 0xD432_1008);
        assert_eq!(CKM_GOSTR3411_12_512, 0xD432_1013);
    }

    #[test]
    fn every_param_set_round_trips_through_der_and_aliases_are_symmetric_in_size() {
        for p in PARAM_SETS {
            assert_eq!(oid_from_der(&oid_der(&p.oid)).unwrap(), p.oid);
            assert_eq!(params_for(&p.oid).unwrap().name, p.name);
            if let Some(alias) = p.same_curve {
                assert_eq!(params_for(&alias).unwrap().bits, p.bits);
            }
        }
        // CryptoPro-A is 06 07 2A 85 03 02 02 23 01.
        assert_eq!(
            oid_der(&oid::PARAMSET_CRYPTOPRO_A),
            [0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01]
        );
        assert!(oid_from_der(b"\x04\x00").is_err());
        assert!(params_for(&oid::SHA256).is_err());
    }
}
