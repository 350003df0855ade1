//! Key-pair generation on the token, and reading public keys back.
//!
//! Every key pair gets the least privilege (issue 13): the private key is a token object,
//! private, sensitive, non-extractable, and signs only — CKA_DECRYPT, CKA_UNWRAP, CKA_DERIVE
//! and CKA_SIGN_RECOVER are set false, because a token's defaults differ (SoftHSM turns
//! decrypt, unwrap and sign-recover on when the template is silent); the public key is a
//! public token object that verifies only (CKA_ENCRYPT, CKA_WRAP, CKA_DERIVE and
//! CKA_VERIFY_RECOVER false). Every flag is read back once the pair exists
//! (`check_flags`): a token that ignored or overrode the template (a usage it added, a
//! private key it left extractable) gets the new pair destroyed and the generation refused,
//! naming the attribute. Both carry the same label and the same CKA_ID, by default the
//! SHA-1 of the public key bits (the certificate installed later gets it too). Generation goes through the raw layer for every algorithm, so that one
//! template path, driven by the quirks table, serves RSA, EC and GOST alike.

use cryptoki::object::{Attribute, ObjectHandle};
use cryptoki::session::Session;
use cryptoki_sys::{
    CK_ULONG, CKA_ALWAYS_SENSITIVE, CKA_CLASS, CKA_DECRYPT, CKA_DERIVE, CKA_EC_PARAMS,
    CKA_EC_POINT, CKA_ENCRYPT, CKA_EXTRACTABLE, CKA_ID, CKA_KEY_TYPE, CKA_LABEL, CKA_MODULUS,
    CKA_MODULUS_BITS, CKA_NEVER_EXTRACTABLE, CKA_PRIVATE, CKA_PUBLIC_EXPONENT, CKA_SENSITIVE,
    CKA_SIGN, CKA_SIGN_RECOVER, CKA_TOKEN, CKA_UNWRAP, CKA_VALUE, CKA_VERIFY, CKA_VERIFY_RECOVER,
    CKA_WRAP, CKK_EC, CKK_RSA, CKM_EC_KEY_PAIR_GEN, CKM_RSA_PKCS_KEY_PAIR_GEN, CKO_PRIVATE_KEY,
    CKO_PUBLIC_KEY, CKR_ATTRIBUTE_VALUE_INVALID, CKR_DOMAIN_PARAMS_INVALID, CKR_GENERAL_ERROR,
    CKR_TEMPLATE_INCONSISTENT,
};
use der::Encode;
use der::asn1::ObjectIdentifier;

use super::gost::{self, CKA_GOSTR3410_PARAMS, CKA_GOSTR3411_PARAMS};
use super::pubkey;
use super::raw::RawAttribute;
use super::token::{Pkcs11Token, TokenInner};
use crate::key::KeyAlgorithm;
use crate::store::KeySet;
use crate::{Error, ErrorKind, Result, oid};

/// What to generate on a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKeySpec {
    /// RSA with a modulus of `bits` bits (2048, 3072, 4096), exponent 65537.
    Rsa {
        /// Modulus length in bits.
        bits: u32,
    },
    /// ECDSA over P-256.
    EcdsaP256,
    /// GOST R 34.10-2012 with the parameter set named by its OID (256 or 512 bits follows
    /// from the set).
    Gost {
        /// The parameter-set OID (see [`super::gost::PARAM_SETS`]).
        param_set: ObjectIdentifier,
    },
}

impl TokenKeySpec {
    /// A readable name ("RSA 2048", "ECDSA P-256", "GOST R 34.10-2012 CryptoPro-A").
    pub fn name(&self) -> String {
        match self {
            TokenKeySpec::Rsa { bits } => format!("RSA {bits}"),
            TokenKeySpec::EcdsaP256 => "ECDSA P-256".into(),
            TokenKeySpec::Gost { param_set } => match gost::params_for(param_set) {
                Ok(p) => format!("GOST R 34.10-2012 {}", p.name),
                Err(_) => format!("GOST R 34.10-2012 {param_set}"),
            },
        }
    }

    /// The spec of a public key (SPKI DER): RSA size, P-256, or the GOST parameter set.
    pub fn from_spki(spki_der: &[u8]) -> Result<TokenKeySpec> {
        use der::Decode;
        let info = spki::SubjectPublicKeyInfoOwned::from_der(spki_der)?;
        match info.algorithm.oid {
            oid::RSA_ENCRYPTION => {
                let bits = pubkey::key_bits(spki_der)?;
                let n = rsa_modulus_len(&bits)?;
                Ok(TokenKeySpec::Rsa {
                    bits: (n * 8) as u32,
                })
            }
            oid::EC_PUBLIC_KEY => Ok(TokenKeySpec::EcdsaP256),
            oid::GOST3410_12_256 | oid::GOST3410_12_512 => Ok(TokenKeySpec::Gost {
                param_set: pubkey::gost_param_set(spki_der)
                    .ok_or_else(|| Error::malformed("GOST key parameters"))?,
            }),
            other => Err(Error::unsupported(format!("key algorithm {other}"))),
        }
    }
}

impl From<KeyAlgorithm> for TokenKeySpec {
    fn from(a: KeyAlgorithm) -> TokenKeySpec {
        match a {
            // A 2001 key is the same token object as a 2012 key on its CryptoPro curve; the
            // KeyStore refuses to make one (KeyAlgorithm::check_can_sign).
            KeyAlgorithm::Gost(ps) | KeyAlgorithm::Gost2001(ps) => TokenKeySpec::Gost {
                param_set: ps.oid(),
            },
            KeyAlgorithm::Rsa { bits } => TokenKeySpec::Rsa { bits },
            KeyAlgorithm::EcdsaP256 => TokenKeySpec::EcdsaP256,
        }
    }
}

fn rsa_modulus_len(rsa_public_key: &[u8]) -> Result<usize> {
    use der::Decode;
    let key = pubkey::RsaPublicKey::from_der(rsa_public_key)?;
    Ok(key.modulus.as_bytes().len())
}

impl Pkcs11Token {
    /// Generates a key pair and returns its key set (no certificate yet). Needs a login, and
    /// refuses with [`ErrorKind::PinFactoryDefault`] while the PIN is a factory PIN.
    pub fn generate_key_pair(&self, spec: &TokenKeySpec, label: &str) -> Result<KeySet> {
        let inner = &self.inner;
        inner.require_login()?;
        inner.refuse_factory_pin()?;
        let _objects = inner.write_objects();
        let attempts = attempts(inner, spec)?;
        let temp_id = temporary_id()?;
        let raw = &inner.module.raw;
        let mut last_error = None;
        for (mechanism, public, private) in attempts {
            let public = with_common_public(public, label, &temp_id);
            let private = with_common_private(private, label, &temp_id);
            let result = inner.with_session(|s| {
                let (hpub, hpriv) =
                    raw.generate_key_pair(s.handle(), mechanism, &public, &private)?;
                finish(inner, s, hpub, hpriv)
            });
            match result {
                Ok((spki, id)) => {
                    return Ok(KeySet {
                        id,
                        label: label.to_string(),
                        public_key_spki: Some(spki),
                        has_private_key: true,
                        certificate: None,
                        retired: false,
                        damage: Vec::new(),
                    });
                }
                Err(e) if is_template_refusal(&e) => last_error = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_error
            .unwrap_or_else(|| Error::unsupported("no way to generate this key on the token"))
            .context(format!("generating {} on the token", spec.name())))
    }
}

/// A refusal of the template that the next attempt may avoid. SoftHSM answers a GOST
/// parameter set it does not know with CKR_GENERAL_ERROR (it makes CryptoPro-A keys only), so
/// that counts too: the next attempts only rename the same curve or move the parameters.
fn is_template_refusal(e: &Error) -> bool {
    matches!(
        e.ckr().map(|c| c as CK_ULONG),
        Some(
            CKR_TEMPLATE_INCONSISTENT
                | CKR_ATTRIBUTE_VALUE_INVALID
                | CKR_DOMAIN_PARAMS_INVALID
                | CKR_GENERAL_ERROR
        )
    )
}

type Attempt = (CK_ULONG, Vec<RawAttribute>, Vec<RawAttribute>);

/// The (mechanism, public template, private template) to try, in order.
fn attempts(inner: &TokenInner, spec: &TokenKeySpec) -> Result<Vec<Attempt>> {
    let q = &inner.quirks;
    let need = |m: CK_ULONG| -> Result<()> {
        if q.offers(m) {
            Ok(())
        } else {
            Err(Error::unsupported(format!(
                "the token does not offer {} (needed for {})",
                super::quirks::mechanism_name(m),
                spec.name()
            )))
        }
    };
    match spec {
        TokenKeySpec::Rsa { bits } => {
            if !(2048..=4096).contains(bits) || bits % 8 != 0 {
                return Err(Error::invalid_field(
                    "bits",
                    "RSA keys are 2048 to 4096 bits",
                ));
            }
            need(CKM_RSA_PKCS_KEY_PAIR_GEN)?;
            Ok(vec![(
                CKM_RSA_PKCS_KEY_PAIR_GEN,
                vec![
                    RawAttribute::ulong(CKA_MODULUS_BITS, *bits as CK_ULONG),
                    RawAttribute::bytes(CKA_PUBLIC_EXPONENT, &[0x01, 0x00, 0x01]),
                ],
                vec![],
            )])
        }
        TokenKeySpec::EcdsaP256 => {
            need(CKM_EC_KEY_PAIR_GEN)?;
            let params = oid::SECP256R1.to_der()?;
            Ok(vec![(
                CKM_EC_KEY_PAIR_GEN,
                vec![RawAttribute::bytes(CKA_EC_PARAMS, &params)],
                vec![],
            )])
        }
        TokenKeySpec::Gost { param_set } => {
            let params = gost::params_for(param_set)?;
            let (_, mechanism, _, _) = gost::mechanisms(params.bits);
            need(mechanism)?;
            // The requested OID first, then the other name of the same curve (a token that
            // knows only CryptoPro names makes TC26-256-B keys as CryptoPro-A: same key).
            let mut oids = vec![params.oid];
            oids.extend(params.same_curve);
            let digest = if q.tc26 {
                gost::streebog_oid(params.bits)
            } else {
                gost::GOSTR3411_94_CRYPTOPRO
            };
            let mut out = Vec::new();
            for in_private in [
                q.gost_params_in_private_template,
                !q.gost_params_in_private_template,
            ] {
                for o in &oids {
                    let p = RawAttribute::bytes(CKA_GOSTR3410_PARAMS, &gost::oid_der(o));
                    let d = RawAttribute::bytes(CKA_GOSTR3411_PARAMS, &gost::oid_der(&digest));
                    let public = vec![p.clone(), d.clone()];
                    let private = if in_private { vec![p, d] } else { vec![] };
                    out.push((mechanism, public, private));
                }
            }
            Ok(out)
        }
    }
}

/// How a flag of a new key pair is checked when read back ([`check_flags`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Set in the template; must read back as asked: the key stays on the token (CKA_TOKEN),
    /// inside it (sensitive, not extractable), behind the PIN (CKA_PRIVATE), and signs.
    Protection,
    /// Set false in the template; a usage the token added reads back true. Refused unless
    /// the host accepts extra usages ([`Pkcs11Token::set_accept_extra_key_usages`]); a token
    /// that does not report the attribute has no such usage.
    Usage,
    /// Not in the template (the token computes it): CKA_ALWAYS_SENSITIVE and
    /// CKA_NEVER_EXTRACTABLE must be true when the token reports them.
    Reported,
    /// Set in the template, not read back: its value grants nothing (the public key's
    /// CKA_PRIVATE: a token that hides the public key behind the PIN gives less, not more).
    NotChecked,
}

/// A flag the template sets (or the token reports) and its value.
struct Flag {
    attribute: CK_ULONG,
    name: &'static str,
    value: bool,
    check: Check,
}

const fn flag(attribute: CK_ULONG, name: &'static str, value: bool, check: Check) -> Flag {
    Flag {
        attribute,
        name,
        value,
        check,
    }
}

/// The public key's flags: a token object, readable without login, that verifies only.
const PUBLIC_FLAGS: &[Flag] = &[
    flag(CKA_TOKEN, "CKA_TOKEN", true, Check::Protection),
    flag(CKA_PRIVATE, "CKA_PRIVATE", false, Check::NotChecked),
    flag(CKA_VERIFY, "CKA_VERIFY", true, Check::Protection),
    flag(
        CKA_VERIFY_RECOVER,
        "CKA_VERIFY_RECOVER",
        false,
        Check::Usage,
    ),
    flag(CKA_ENCRYPT, "CKA_ENCRYPT", false, Check::Usage),
    flag(CKA_WRAP, "CKA_WRAP", false, Check::Usage),
    flag(CKA_DERIVE, "CKA_DERIVE", false, Check::Usage),
];

/// The private key's flags: a token object behind the PIN that never leaves the token and
/// signs only.
const PRIVATE_FLAGS: &[Flag] = &[
    flag(CKA_TOKEN, "CKA_TOKEN", true, Check::Protection),
    flag(CKA_PRIVATE, "CKA_PRIVATE", true, Check::Protection),
    flag(CKA_SENSITIVE, "CKA_SENSITIVE", true, Check::Protection),
    flag(CKA_EXTRACTABLE, "CKA_EXTRACTABLE", false, Check::Protection),
    flag(CKA_SIGN, "CKA_SIGN", true, Check::Protection),
    flag(CKA_SIGN_RECOVER, "CKA_SIGN_RECOVER", false, Check::Usage),
    flag(CKA_DECRYPT, "CKA_DECRYPT", false, Check::Usage),
    flag(CKA_UNWRAP, "CKA_UNWRAP", false, Check::Usage),
    flag(CKA_DERIVE, "CKA_DERIVE", false, Check::Usage),
    flag(
        CKA_ALWAYS_SENSITIVE,
        "CKA_ALWAYS_SENSITIVE",
        true,
        Check::Reported,
    ),
    flag(
        CKA_NEVER_EXTRACTABLE,
        "CKA_NEVER_EXTRACTABLE",
        true,
        Check::Reported,
    ),
];

/// The flags of a template, then its label and CKA_ID.
fn with_flags(
    mut t: Vec<RawAttribute>,
    flags: &[Flag],
    label: &str,
    id: &[u8],
) -> Vec<RawAttribute> {
    t.extend(
        flags
            .iter()
            .filter(|f| f.check != Check::Reported)
            .map(|f| RawAttribute::bool(f.attribute, f.value)),
    );
    t.extend([
        RawAttribute::bytes(CKA_LABEL, label.as_bytes()),
        RawAttribute::bytes(CKA_ID, id),
    ]);
    t
}

fn with_common_public(t: Vec<RawAttribute>, label: &str, id: &[u8]) -> Vec<RawAttribute> {
    with_flags(t, PUBLIC_FLAGS, label, id)
}

fn with_common_private(t: Vec<RawAttribute>, label: &str, id: &[u8]) -> Vec<RawAttribute> {
    with_flags(t, PRIVATE_FLAGS, label, id)
}

/// Reads back every flag of the new pair and refuses the first one the token did not set as
/// asked (see [`Check`]): [`ErrorKind::Pkcs11`] with the attribute as the error's field. A
/// conforming module refuses a template it cannot keep (`CKR_TEMPLATE_INCONSISTENT`,
/// `CKR_ATTRIBUTE_VALUE_INVALID`); one that made the key anyway is a module fault of the
/// same kind, so the same kind — and a host that wants to let a token add usages says so
/// beforehand ([`Pkcs11Token::set_accept_extra_key_usages`]).
fn check_flags(inner: &TokenInner, s: &Session, hpub: CK_ULONG, hpriv: CK_ULONG) -> Result<()> {
    let accept_usages = inner.accepts_extra_usages();
    for (h, half, flags) in [
        (hpriv, "private key", PRIVATE_FLAGS),
        (hpub, "public key", PUBLIC_FLAGS),
    ] {
        for f in flags {
            if f.check == Check::NotChecked {
                continue;
            }
            let got = inner
                .module
                .raw
                .attribute(s.handle(), h, f.attribute)?
                .map(|v| v.iter().any(|&b| b != 0));
            let wrong = match got {
                Some(v) if v == f.value => false,
                Some(_) => f.check != Check::Usage || !accept_usages,
                // Unreported: a usage the key does not have; a protection not shown.
                None => f.check == Check::Protection,
            };
            if wrong {
                let said = match got {
                    Some(v) => format!("{} = {v}", f.name),
                    None => format!("no readable {}", f.name),
                };
                return Err(Error::new(
                    ErrorKind::Pkcs11,
                    format!(
                        "the token did not keep the key template: it made the {half} with \
                         {said} where {} = {} was asked{}; the new key pair was destroyed, \
                         the keys already on the token are untouched",
                        f.name,
                        f.value,
                        if f.check == Check::Usage {
                            " (a host may accept extra usages: \
                             Pkcs11Token::set_accept_extra_key_usages)"
                        } else {
                            ""
                        }
                    ),
                )
                .with_field(f.name));
            }
        }
    }
    Ok(())
}

/// A random CKA_ID used while the key is made (the real one needs the public key).
fn temporary_id() -> Result<Vec<u8>> {
    let mut id = vec![0u8; 20];
    getrandom::fill(&mut id)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("OS random generator: {e}")))?;
    Ok(id)
}

/// Reads the public key, sets CKA_ID = SHA-1 of its bits on both halves (a token that will
/// not change CKA_ID keeps the random one), returns (SPKI, CKA_ID). On failure the new pair is
/// destroyed, so a half-made key never stays behind.
///
/// The private key gets the new CKA_ID first: when the token goes between the two changes
/// (or the public key's change fails and putting the private key's back fails too), the
/// public key keeps the temporary CKA_ID while its own key id names a private key without a
/// public key — which the listing pairs and the next login repairs
/// ([`Pkcs11Token::finish_interrupted_generations`]). The other order would leave a private
/// key under a random CKA_ID that nothing links to its public key (the fault-injecting
/// module's test, a token pulled after the first change).
fn finish(
    inner: &TokenInner,
    s: &Session,
    hpub: CK_ULONG,
    hpriv: CK_ULONG,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let done = (|| {
        check_flags(inner, s, hpub, hpriv)?;
        let spki = read_spki(inner, s, hpub)?;
        let id = pubkey::key_id(&spki)?.to_vec();
        let set = [Attribute::Id(id.clone())];
        let id = match s.update_attributes(handle(hpriv), &set) {
            Ok(()) => match s.update_attributes(handle(hpub), &set) {
                Ok(()) => id,
                Err(e) => {
                    // Both halves back under the temporary CKA_ID, or fail (the pair is
                    // destroyed, or repaired at the next login when the token went).
                    let temporary = inner.module.raw.attribute(s.handle(), hpub, CKA_ID)?;
                    let back = [Attribute::Id(temporary.clone().unwrap_or_default())];
                    s.update_attributes(handle(hpriv), &back)
                        .map_err(|_| super::error::from_cryptoki(e, "setting CKA_ID"))?;
                    temporary.unwrap_or_default()
                }
            },
            Err(_) => inner
                .module
                .raw
                .attribute(s.handle(), hpriv, CKA_ID)?
                .unwrap_or_default(),
        };
        Ok((spki, id))
    })();
    if done.is_err() {
        let _ = s.destroy_object(handle(hpriv));
        let _ = s.destroy_object(handle(hpub));
    }
    done
}

pub(crate) fn handle(h: CK_ULONG) -> ObjectHandle {
    super::raw::object_handle(h)
}

/// Reads an attribute that must be there.
fn required(
    inner: &TokenInner,
    s: &Session,
    h: CK_ULONG,
    kind: CK_ULONG,
    name: &str,
) -> Result<Vec<u8>> {
    inner
        .module
        .raw
        .attribute(s.handle(), h, kind)?
        .ok_or_else(|| Error::new(ErrorKind::Pkcs11, format!("the key has no readable {name}")))
}

/// A CK_ULONG attribute.
pub(crate) fn ulong_attribute(
    inner: &TokenInner,
    s: &Session,
    h: CK_ULONG,
    kind: CK_ULONG,
) -> Result<Option<CK_ULONG>> {
    Ok(inner
        .module
        .raw
        .attribute(s.handle(), h, kind)?
        .and_then(|v| v.try_into().ok().map(CK_ULONG::from_ne_bytes)))
}

/// The SubjectPublicKeyInfo of a public-key object.
pub(crate) fn read_spki(inner: &TokenInner, s: &Session, h: CK_ULONG) -> Result<Vec<u8>> {
    let class = ulong_attribute(inner, s, h, CKA_CLASS)?;
    if class != Some(CKO_PUBLIC_KEY) && class != Some(CKO_PRIVATE_KEY) {
        return Err(Error::new(ErrorKind::Pkcs11, "the object is not a key"));
    }
    let key_type = ulong_attribute(inner, s, h, CKA_KEY_TYPE)?
        .ok_or_else(|| Error::new(ErrorKind::Pkcs11, "the key has no CKA_KEY_TYPE"))?;
    match key_type {
        CKK_RSA => pubkey::rsa_spki(
            &required(inner, s, h, CKA_MODULUS, "CKA_MODULUS")?,
            &required(inner, s, h, CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT")?,
        ),
        CKK_EC => {
            let params = required(inner, s, h, CKA_EC_PARAMS, "CKA_EC_PARAMS")?;
            if params != oid::SECP256R1.to_der()? {
                return Err(Error::unsupported("EC keys other than P-256"));
            }
            pubkey::ec_p256_spki(&required(inner, s, h, CKA_EC_POINT, "CKA_EC_POINT")?)
        }
        gost::CKK_GOSTR3410 | gost::CKK_GOSTR3410_512 => {
            let params = required(inner, s, h, CKA_GOSTR3410_PARAMS, "CKA_GOSTR3410_PARAMS")?;
            let oid = gost::oid_from_der(&params)?;
            pubkey::gost_spki(&oid, &required(inner, s, h, CKA_VALUE, "CKA_VALUE")?)
        }
        other => Err(Error::unsupported(format!(
            "key type 0x{other:X} on the token"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_from_spki() {
        let rsa = pubkey::rsa_spki(&[0xC0; 256], &[1, 0, 1]).unwrap();
        assert_eq!(
            TokenKeySpec::from_spki(&rsa).unwrap(),
            TokenKeySpec::Rsa { bits: 2048 }
        );
        let gost = pubkey::gost_spki(&oid::PARAMSET_CRYPTOPRO_B, &[1; 64]).unwrap();
        assert_eq!(
            TokenKeySpec::from_spki(&gost).unwrap(),
            TokenKeySpec::Gost {
                param_set: oid::PARAMSET_CRYPTOPRO_B
            }
        );
        assert_eq!(
            TokenKeySpec::Gost {
                param_set: oid::PARAMSET_TC26_512_A
            }
            .name(),
            "GOST R 34.10-2012 TC26-512-A"
        );
        assert!(TokenKeySpec::from_spki(b"\x30\x00").is_err());
    }
}
