//! Per-token differences, in one place.
//!
//! What differs between tokens and how each difference is decided:
//!
//! | quirk | how we decide |
//! |---|---|
//! | GOST signing: Streebog on the token (combined mechanism) or on the host + raw sign | the combined TC26 mechanism when the token lists it with CKF_SIGN, else raw `CKM_GOSTR3410[_512]` |
//! | GOST parameters also in the private-key template | Rutoken and JaCarta want `CKA_GOSTR3410_PARAMS` in both templates; SoftHSM refuses it in the private one (CKR_TEMPLATE_INCONSISTENT) |
//! | GOST digest parameters (`CKA_GOSTR3411_PARAMS`) | Streebog OIDs on tokens that list a TC26 mechanism; GOST R 34.11-94 (what SoftHSM knows) otherwise. The token's value never enters the certificate: the key is used with Streebog either way |
//! | RSA signing | `CKM_SHA256_RSA_PKCS` when listed, else `CKM_RSA_PKCS` over a DigestInfo built on the host |
//! | ECDSA signing | always `CKM_ECDSA` over a SHA-256 digest made on the host (the one mechanism every token has) |
//! | factory PIN | by manufacturer: Rutoken ("Aktiv") 12345678, JaCarta/eToken ("Aladdin") 1234567890 |

use cryptoki_sys::{
    CK_ULONG, CKM_EC_KEY_PAIR_GEN, CKM_ECDSA, CKM_ECDSA_SHA256, CKM_RSA_PKCS,
    CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_SHA256_RSA_PKCS,
};

use super::gost;

/// How a GOST signature is made on a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GostSignPath {
    /// The token hashes with Streebog and signs (TC26 `CKM_GOSTR3410_WITH_GOSTR3411_12_*`).
    Combined,
    /// The host hashes with Streebog, the token signs the digest (`CKM_GOSTR3410[_512]`).
    HostHash,
}

/// How an RSA PKCS#1 v1.5 SHA-256 signature is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaSignPath {
    /// `CKM_SHA256_RSA_PKCS`.
    Combined,
    /// `CKM_RSA_PKCS` over a DigestInfo made on the host.
    HostDigestInfo,
}

/// What we know about one token's behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quirks {
    /// GOST-256 signing.
    pub gost256_sign: GostSignPath,
    /// GOST-512 signing.
    pub gost512_sign: GostSignPath,
    /// RSA signing.
    pub rsa_sign: RsaSignPath,
    /// Put CKA_GOSTR3410_PARAMS in the private-key template too.
    pub gost_params_in_private_template: bool,
    /// The token speaks TC26 (lists a 0xD4321xxx mechanism): digest parameters are Streebog.
    pub tc26: bool,
    /// A GOST private key's CKA_VALUE is the scalar big-endian (SoftHSM 2.6, which stores
    /// OpenSSL's BIGNUM bytes), not little-endian as PKCS#11 v2.40 §2.4 says: matters when a
    /// key is imported.
    pub gost_private_value_big_endian: bool,
    /// The factory user PIN of this make, if known.
    pub factory_pin: Option<&'static str>,
    /// Every mechanism type the token lists.
    pub mechanisms: Vec<CK_ULONG>,
}

impl Quirks {
    /// Decides the quirks from the token's manufacturer, model and mechanism list (each sign
    /// mechanism paired with whether CKF_SIGN is set for it).
    pub fn decide(manufacturer: &str, model: &str, mechanisms: &[(CK_ULONG, bool)]) -> Quirks {
        let signs = |m: CK_ULONG| mechanisms.iter().any(|&(t, sign)| t == m && sign);
        let maker = format!("{manufacturer} {model}").to_lowercase();
        let is_softhsm = maker.contains("softhsm");
        let factory_pin = if maker.contains("aktiv") || maker.contains("rutoken") {
            Some("12345678")
        } else if maker.contains("aladdin") || maker.contains("jacarta") || maker.contains("etoken")
        {
            Some("1234567890")
        } else {
            None
        };
        Quirks {
            gost256_sign: if signs(gost::CKM_GOSTR3410_WITH_GOSTR3411_12_256) {
                GostSignPath::Combined
            } else {
                GostSignPath::HostHash
            },
            gost512_sign: if signs(gost::CKM_GOSTR3410_WITH_GOSTR3411_12_512) {
                GostSignPath::Combined
            } else {
                GostSignPath::HostHash
            },
            rsa_sign: if signs(CKM_SHA256_RSA_PKCS) {
                RsaSignPath::Combined
            } else {
                RsaSignPath::HostDigestInfo
            },
            gost_params_in_private_template: !is_softhsm,
            gost_private_value_big_endian: is_softhsm,
            tc26: mechanisms
                .iter()
                .any(|&(t, _)| t & 0xFFFF_F000 == gost::CK_VENDOR_PKCS11_RU_TEAM_TC26),
            factory_pin,
            mechanisms: mechanisms.iter().map(|&(t, _)| t).collect(),
        }
    }

    /// True when the token lists `mechanism`.
    pub fn offers(&self, mechanism: CK_ULONG) -> bool {
        self.mechanisms.contains(&mechanism)
    }
}

/// A readable name for a mechanism number: GOST and common ones by name, others in hex.
pub fn mechanism_name(m: CK_ULONG) -> String {
    if let Some(n) = gost::mechanism_name(m) {
        return n.to_string();
    }
    match m {
        CKM_RSA_PKCS_KEY_PAIR_GEN => "CKM_RSA_PKCS_KEY_PAIR_GEN".into(),
        CKM_RSA_PKCS => "CKM_RSA_PKCS".into(),
        CKM_SHA256_RSA_PKCS => "CKM_SHA256_RSA_PKCS".into(),
        CKM_EC_KEY_PAIR_GEN => "CKM_EC_KEY_PAIR_GEN".into(),
        CKM_ECDSA => "CKM_ECDSA".into(),
        CKM_ECDSA_SHA256 => "CKM_ECDSA_SHA256".into(),
        _ => match cryptoki::mechanism::MechanismType::try_from(m) {
            Ok(t) => t.to_string(),
            Err(_) => format!("0x{m:08X}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softhsm_with_raw_gost_only() {
        let q = Quirks::decide(
            "SoftHSM project",
            "SoftHSM v2",
            &[(gost::CKM_GOSTR3410, true), (CKM_RSA_PKCS, true)],
        );
        assert_eq!(q.gost256_sign, GostSignPath::HostHash);
        assert_eq!(q.rsa_sign, RsaSignPath::HostDigestInfo);
        assert!(!q.gost_params_in_private_template);
        assert!(!q.tc26);
        assert_eq!(q.factory_pin, None);
    }

    #[test]
    fn rutoken_with_tc26_mechanisms() {
        let q = Quirks::decide(
            "Aktiv Co.",
            "Rutoken ECP",
            &[
                (gost::CKM_GOSTR3410_WITH_GOSTR3411_12_256, true),
                (gost::CKM_GOSTR3410_512, true),
                (CKM_SHA256_RSA_PKCS, true),
            ],
        );
        assert_eq!(q.gost256_sign, GostSignPath::Combined);
        assert_eq!(q.gost512_sign, GostSignPath::HostHash);
        assert_eq!(q.rsa_sign, RsaSignPath::Combined);
        assert!(q.gost_params_in_private_template && q.tc26);
        assert_eq!(q.factory_pin, Some("12345678"));
        assert_eq!(
            Quirks::decide("Aladdin R.D.", "JaCarta GOST", &[]).factory_pin,
            Some("1234567890")
        );
    }

    #[test]
    fn names() {
        assert_eq!(mechanism_name(0x1201), "CKM_GOSTR3410");
        assert_eq!(
            mechanism_name(0xD432_1008),
            "CKM_GOSTR3410_WITH_GOSTR3411_12_256"
        );
        assert_eq!(mechanism_name(CKM_ECDSA), "CKM_ECDSA");
    }
}
