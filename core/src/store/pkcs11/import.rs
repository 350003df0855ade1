//! Putting an existing private key on the token (the client's current key, brought from a PFX
//! or a CryptoPro container): `C_CreateObject` of the public key and of the private key, both
//! with CKA_ID = SHA-1 of the public key bits (as generated keys get), the private key
//! private, sensitive, non-extractable and for signing only (PKCS#11 v2.40 §4.9: a key
//! created with CKA_SENSITIVE true and CKA_EXTRACTABLE false can never be read back).
//!
//! Value encodings (PKCS#11 v2.40 §2.3, §2.4, TC26 extensions): GOST private CKA_VALUE is the
//! scalar little-endian (big-endian on SoftHSM: a quirk), public CKA_VALUE the point X‖Y
//! little-endian (as in the
//! SubjectPublicKeyInfo); EC private CKA_VALUE is d big-endian, CKA_EC_POINT the DER OCTET
//! STRING of the uncompressed point; RSA the CRT components big-endian.

use cryptoki::object::{Attribute, ObjectClass};
use cryptoki_sys::{
    CKA_CLASS, CKA_COEFFICIENT, CKA_DECRYPT, CKA_DERIVE, CKA_EC_PARAMS, CKA_EC_POINT,
    CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_EXTRACTABLE, CKA_ID, CKA_KEY_TYPE, CKA_LABEL, CKA_MODULUS,
    CKA_PRIME_1, CKA_PRIME_2, CKA_PRIVATE, CKA_PRIVATE_EXPONENT, CKA_PUBLIC_EXPONENT,
    CKA_SENSITIVE, CKA_SIGN, CKA_TOKEN, CKA_UNWRAP, CKA_VALUE, CKA_VERIFY, CKK_EC, CKK_RSA,
    CKO_PRIVATE_KEY, CKO_PUBLIC_KEY,
};
use der::Encode;

use super::gost::{self, CKA_GOSTR3410_PARAMS, CKA_GOSTR3411_PARAMS};
use super::keygen::handle;
use super::raw::RawAttribute;
use super::token::Pkcs11Token;
use crate::key::SoftwareKey;
use crate::store::KeySet;
use crate::{Error, ErrorKind, Result, oid};

/// One way to write the pair (the GOST parameters have several names and places).
struct Attempt {
    public: Vec<RawAttribute>,
    private: Vec<RawAttribute>,
}

impl Pkcs11Token {
    /// Imports `key` (with its public key) as a new key set labelled `label`. Needs a login
    /// and refuses while the PIN is a factory PIN, as key generation does.
    ///
    /// Errors: [`ErrorKind::PreconditionFailed`] when a private key of this identifier is
    /// already on the token; the token's refusal ([`ErrorKind::Pkcs11`]) when it takes no
    /// key of this kind.
    pub fn import_key(&self, key: &SoftwareKey, label: &str) -> Result<KeySet> {
        let inner = &self.inner;
        inner.require_login()?;
        inner.refuse_factory_pin()?;
        let public = key.public_key();
        let id = public.key_id().to_vec();
        if self
            .key_sets()?
            .iter()
            .any(|k| k.id == id && k.has_private_key)
        {
            return Err(Error::new(
                ErrorKind::PreconditionFailed,
                "this key is already on the token",
            ));
        }
        let raw = &inner.module.raw;
        let mut last_error = None;
        for attempt in attempts(self, key)? {
            let public_t = common_public(attempt.public, label, &id);
            let private_t = common_private(attempt.private, label, &id);
            let result = inner.with_session(|s| {
                let hpub = raw.create_object(s.handle(), &public_t)?;
                match raw.create_object(s.handle(), &private_t) {
                    Ok(_) => Ok(()),
                    Err(e) => {
                        let _ = s.destroy_object(handle(hpub));
                        // SoftHSM 2.6 keeps the object of a create it refused
                        // (CKR_TEMPLATE_INCOMPLETE): none was there before, so whatever
                        // private key has this CKA_ID now is a leftover of ours.
                        let leftovers = s
                            .find_objects(&[
                                Attribute::Class(ObjectClass::PRIVATE_KEY),
                                Attribute::Id(id.clone()),
                            ])
                            .unwrap_or_default();
                        for h in leftovers {
                            let _ = s.destroy_object(h);
                        }
                        Err(e)
                    }
                }
            });
            match result {
                Ok(()) => {
                    return Ok(KeySet {
                        id,
                        label: label.to_string(),
                        public_key_spki: Some(public.to_spki_der()),
                        has_private_key: true,
                        certificate: None,
                        retired: false,
                        damage: Vec::new(),
                    });
                }
                Err(e) if e.kind() == ErrorKind::Pkcs11 => last_error = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_error
            .unwrap_or_else(|| Error::unsupported("no way to put this key on the token"))
            .context("importing the key onto the token"))
    }
}

fn common_public(mut t: Vec<RawAttribute>, label: &str, id: &[u8]) -> Vec<RawAttribute> {
    t.extend([
        RawAttribute::ulong(CKA_CLASS, CKO_PUBLIC_KEY),
        RawAttribute::bool(CKA_TOKEN, true),
        RawAttribute::bool(CKA_PRIVATE, false),
        RawAttribute::bool(CKA_VERIFY, true),
        RawAttribute::bytes(CKA_LABEL, label.as_bytes()),
        RawAttribute::bytes(CKA_ID, id),
    ]);
    t
}

fn common_private(mut t: Vec<RawAttribute>, label: &str, id: &[u8]) -> Vec<RawAttribute> {
    t.extend([
        RawAttribute::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
        RawAttribute::bool(CKA_TOKEN, true),
        RawAttribute::bool(CKA_PRIVATE, true),
        RawAttribute::bool(CKA_SENSITIVE, true),
        RawAttribute::bool(CKA_EXTRACTABLE, false),
        RawAttribute::bool(CKA_SIGN, true),
        RawAttribute::bool(CKA_DECRYPT, false),
        RawAttribute::bool(CKA_UNWRAP, false),
        RawAttribute::bool(CKA_DERIVE, false),
        RawAttribute::bytes(CKA_LABEL, label.as_bytes()),
        RawAttribute::bytes(CKA_ID, id),
    ]);
    t
}

fn attempts(token: &Pkcs11Token, key: &SoftwareKey) -> Result<Vec<Attempt>> {
    use crate::key::{Parts, parts};
    match parts(key)? {
        Parts::Gost {
            param_set,
            scalar_le,
            point_le,
        } => {
            let params = gost::params_for(&param_set.oid())?;
            let key_type = if params.bits == 512 {
                gost::CKK_GOSTR3410_512
            } else {
                gost::CKK_GOSTR3410
            };
            let quirks = token.quirks();
            let digest = if quirks.tc26 {
                gost::streebog_oid(params.bits)
            } else {
                gost::GOSTR3411_94_CRYPTOPRO
            };
            let mut value = scalar_le.clone();
            if quirks.gost_private_value_big_endian {
                value.reverse();
            }
            let mut oids = vec![params.oid];
            oids.extend(params.same_curve);
            let mut out = Vec::new();
            // PKCS#11 v2.40 §2.4.6: a GOST private key object is created with its
            // parameters (SoftHSM, which generates without them, refuses a create without);
            // the bare form is tried last, for tokens that insist on the public key's.
            for in_private in [true, false] {
                for o in &oids {
                    let p = RawAttribute::bytes(CKA_GOSTR3410_PARAMS, &gost::oid_der(o));
                    let d = RawAttribute::bytes(CKA_GOSTR3411_PARAMS, &gost::oid_der(&digest));
                    let kt = RawAttribute::ulong(CKA_KEY_TYPE, key_type);
                    let public = vec![
                        kt.clone(),
                        p.clone(),
                        d.clone(),
                        RawAttribute::bytes(CKA_VALUE, &point_le),
                    ];
                    let mut private = vec![kt, RawAttribute::bytes(CKA_VALUE, &value)];
                    if in_private {
                        private.extend([p, d]);
                    }
                    out.push(Attempt { public, private });
                }
            }
            Ok(out)
        }
        Parts::EcP256 { d_be, point } => {
            let params = oid::SECP256R1.to_der()?;
            let point = der::asn1::OctetString::new(point)?.to_der()?;
            let kt = RawAttribute::ulong(CKA_KEY_TYPE, CKK_EC);
            Ok(vec![Attempt {
                public: vec![
                    kt.clone(),
                    RawAttribute::bytes(CKA_EC_PARAMS, &params),
                    RawAttribute::bytes(CKA_EC_POINT, &point),
                ],
                private: vec![
                    kt,
                    RawAttribute::bytes(CKA_EC_PARAMS, &params),
                    RawAttribute::bytes(CKA_VALUE, &d_be),
                ],
            }])
        }
        Parts::Rsa(rsa) => {
            let kt = RawAttribute::ulong(CKA_KEY_TYPE, CKK_RSA);
            Ok(vec![Attempt {
                public: vec![
                    kt.clone(),
                    RawAttribute::bytes(CKA_MODULUS, &rsa.n),
                    RawAttribute::bytes(CKA_PUBLIC_EXPONENT, &rsa.e),
                ],
                private: vec![
                    kt,
                    RawAttribute::bytes(CKA_MODULUS, &rsa.n),
                    RawAttribute::bytes(CKA_PUBLIC_EXPONENT, &rsa.e),
                    RawAttribute::bytes(CKA_PRIVATE_EXPONENT, &rsa.d),
                    RawAttribute::bytes(CKA_PRIME_1, &rsa.p),
                    RawAttribute::bytes(CKA_PRIME_2, &rsa.q),
                    RawAttribute::bytes(CKA_EXPONENT_1, &rsa.dp),
                    RawAttribute::bytes(CKA_EXPONENT_2, &rsa.dq),
                    RawAttribute::bytes(CKA_COEFFICIENT, &rsa.qinv),
                ],
            }])
        }
    }
}
