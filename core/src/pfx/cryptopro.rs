//! CryptoPro's own key encryption in PFX, `1.2.840.113549.1.12.1.80`: what CryptoPro CSP
//! writes for the key bag of `certmgr -export -pfx` (and Windows' certificate export through
//! the CSP) instead of PBES2. Not a published standard; read as the independent
//! descriptions agree (li0ard/cpfx and cpfx_ts, a BouncyCastle-based Java reader, the C
//! libpogost; see `docs/ARCHITECTURE.md`, "PFX: CryptoPro's key encryption"), and checked on
//! PFX files CryptoPro CSP made (`tests/realworld/pfx/cryptopro_corefx_*.pfx`).
//!
//! ```text
//! parameters ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
//!
//! K_0 = UTF-16LE(password)                  -- no terminator; empty for an empty password
//! K_i = GOST R 34.11-94(K_{i-1} ‖ salt ‖ i) -- i mod 2^16 as 2 bytes big-endian, CryptoPro
//!                                            -- hash parameters
//! blob = GOST 28147-89 CFB⁻¹(K_n, IV = salt[0..8], S-box CryptoPro-A)(encryptedData)
//! ```
//!
//! The blob is a PrivateKeyInfo whose privateKey holds a CryptoAPI key blob: a 16-byte
//! header, then
//!
//! ```text
//! ExportKeyBlob ::= SEQUENCE {
//!     value SEQUENCE {
//!         ukm         OCTET STRING (8),
//!         cek         SEQUENCE { enc OCTET STRING (32 | 64), mac OCTET STRING (4) },
//!         parameters  [0] IMPLICIT SEQUENCE {
//!             flags  BIT STRING,
//!             key    [0] IMPLICIT SEQUENCE {
//!                 algorithm  OBJECT IDENTIFIER,
//!                 params     SEQUENCE { curve OID, digest OID OPTIONAL } } } },
//!     mac OCTET STRING }
//!
//! KEK = KDF_GOSTR3411_2012_256(K_n, label 26 BD B8 78, seed ukm)   -- Р 50.1.113-2016 §4.5
//! d   = GOST 28147-89 ECB⁻¹(KEK, S-box CryptoPro-A)(enc)           -- little-endian
//! mac = GOST 28147-89 MAC(KEK, IV = ukm, S-box CryptoPro-A)(d)      -- RFC 4357 §6.2's CEK_MAC
//! ```
//!
//! A blob that does not parse after decryption tells a wrong password (the PFX MAC tells
//! damage apart); a key that does not match its CEK_MAC, an altered key. The caller also
//! finds the key's certificate by its public key. The blob's own outer MAC is not checked
//! (no description gives its initial value).

use der::asn1::{BitString, ObjectIdentifier, OctetString};
use der::{Decode, Sequence};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::gost::{ParamSet, SigningKey};
use crate::key::SoftwareKey;
use crate::key::pkcs8::ciphers::{Gost89Sbox, gost89_cfb_apply, gost89_ecb_apply, gost89_imit};
use crate::{Error, Result, oid};

/// How many iterations one iteration here counts as toward the KDF limit: a GOST R 34.11-94
/// hash of about 50 bytes, half the work of an HMAC-GOST R 34.11-94 iteration (which counts
/// 8), counted the same for simplicity. CryptoPro writes 2000.
const WEIGHT: u64 = 8;

/// The blob is decrypted without CryptoPro key meshing (the descriptions apply none); the
/// meshing of our CFB starts after 1024 bytes, far above any key blob, which is refused
/// above this length.
const MAX_BLOB: usize = 1024;

/// The AlgorithmIdentifier parameters.
#[derive(Sequence)]
struct PbeParams {
    salt: OctetString,
    iterations: u64,
}

/// `ExportKeyBlob`, as read: the parameters kept whole and read below.
#[derive(Sequence)]
struct ExportKeyBlob {
    value: ExportKeyBlobValue,
    #[allow(dead_code)]
    mac: OctetString,
}

#[derive(Sequence)]
struct ExportKeyBlobValue {
    ukm: OctetString,
    cek: Cek,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    parameters: ExportKeyParameters,
}

#[derive(Sequence)]
struct Cek {
    enc: OctetString,
    mac: OctetString,
}

#[derive(Sequence)]
struct ExportKeyParameters {
    #[allow(dead_code)]
    flags: BitString,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    key: KeyParameters,
}

#[derive(Sequence)]
struct KeyParameters {
    #[allow(dead_code)]
    algorithm: ObjectIdentifier,
    params: CurveParameters,
}

#[derive(Sequence)]
struct CurveParameters {
    curve: ObjectIdentifier,
    #[asn1(optional = "true")]
    #[allow(dead_code)]
    digest: Option<ObjectIdentifier>,
}

/// The salt and iteration count of the key bag.
pub(super) struct Params {
    salt: Vec<u8>,
    iterations: u32,
}

impl Params {
    /// Reads the parameters; the iteration count is checked against the limit here.
    pub(super) fn from_algorithm(alg: &AlgorithmIdentifierOwned) -> Result<Params> {
        let p: PbeParams = alg
            .parameters
            .as_ref()
            .ok_or_else(|| malformed("CryptoPro key encryption without parameters"))?
            .decode_as()
            .map_err(|e: der::Error| malformed(format!("CryptoPro key encryption: {e}")))?;
        let salt = p.salt.into_bytes().into_vec();
        if salt.len() < 8 {
            return Err(malformed(format!(
                "CryptoPro key encryption: a salt of {} bytes (the IV takes 8)",
                salt.len()
            )));
        }
        let iterations =
            crate::key::kdf::check_read(p.iterations.saturating_mul(WEIGHT), "iterations")
                .map(|_| p.iterations as u32)?;
        Ok(Params { salt, iterations })
    }

    /// For reports: "CryptoPro key export (1.2.840.113549.1.12.1.80): GOST R 34.11-94, GOST
    /// 28147-89 CFB (CryptoPro-A), 2000 iterations".
    pub(super) fn describe(&self) -> String {
        format!(
            "CryptoPro key export ({}): GOST R 34.11-94 key derivation, GOST 28147-89 CFB \
             (CryptoPro-A), {} iterations",
            oid::CRYPTOPRO_PFX_PBE,
            self.iterations
        )
    }

    /// K_n from the password.
    fn derive(&self, password: &str) -> Zeroizing<[u8; 32]> {
        let mut k = Zeroizing::new(Vec::with_capacity(32 + self.salt.len() + 2));
        for unit in password.encode_utf16() {
            k.extend_from_slice(&unit.to_le_bytes());
        }
        let mut out = Zeroizing::new([0u8; 32]);
        let mut buf = Zeroizing::new(Vec::with_capacity(32 + self.salt.len() + 2));
        for i in 1..=self.iterations {
            buf.clear();
            if i == 1 {
                buf.extend_from_slice(&k);
            } else {
                buf.extend_from_slice(&*out);
            }
            buf.extend_from_slice(&self.salt);
            buf.extend_from_slice(&(i as u16).to_be_bytes());
            *out = crate::gost::gost94(&buf);
        }
        out
    }
}

/// What decrypting the key bag gave.
pub(super) enum Outcome {
    /// The key.
    Key(Box<SoftwareKey>),
    /// The decrypted bytes are not a key blob: a wrong password (or a damaged bag).
    NotOpened,
    /// The blob opened (it decrypts into a PrivateKeyInfo: the password is right) but what
    /// is inside is not a key blob, or the key does not match its MAC (CEK_MAC) or is out of
    /// range: it was altered. The reason says which.
    Damaged(&'static str),
}

/// Decrypts the key bag's `encrypted` data with `password`.
///
/// Errors: [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind::UnsupportedAlgorithm) for
/// a GOST R 34.10-2001 key or another algorithm; [`ErrorKind::MalformedEncoding`](
/// crate::ErrorKind::MalformedEncoding) for a blob that decrypts but is not as described.
pub(super) fn decrypt(params: &Params, password: &str, encrypted: &[u8]) -> Result<Outcome> {
    if encrypted.len() > MAX_BLOB {
        return Err(malformed(format!(
            "a CryptoPro key blob of {} bytes (a key blob is a few hundred)",
            encrypted.len()
        )));
    }
    let k = params.derive(password);
    let mut blob = Zeroizing::new(encrypted.to_vec());
    let mut iv = [0u8; 8];
    iv.copy_from_slice(&params.salt[..8]);
    gost89_cfb_apply(Gost89Sbox::CryptoProA, &k, &iv, &mut blob, true);

    let Ok(info) = pkcs8::PrivateKeyInfoRef::from_der(&blob) else {
        return Ok(Outcome::NotOpened);
    };
    let inner = info.private_key.as_bytes();
    let Some(export) = inner.get(16..) else {
        return Ok(Outcome::Damaged("the key blob is shorter than its header"));
    };
    let Ok(export) = ExportKeyBlob::from_der(export) else {
        return Ok(Outcome::Damaged("the key blob is not an ExportKeyBlob"));
    };
    let algorithm = info.algorithm.oid;
    if algorithm == oid::GOST3410_2001 {
        return Err(crate::key::gost2001_signing_refused());
    }
    if algorithm != oid::GOST3410_12_256 && algorithm != oid::GOST3410_12_512 {
        return Err(Error::unsupported(format!(
            "a {algorithm} key in CryptoPro's key export (GOST R 34.10-2012 keys are read)"
        )));
    }
    let value = &export.value;
    let ps = ParamSet::from_oid(&value.parameters.key.params.curve)?;
    if ps.is_512() != (algorithm == oid::GOST3410_12_512) {
        return Err(malformed(format!(
            "CryptoPro key export: a {algorithm} key on the {} curve",
            ps.name()
        )));
    }
    let ukm = value.ukm.as_bytes();
    let enc = value.cek.enc.as_bytes();
    if ukm.len() != 8 || enc.len() != ps.field_len() {
        return Err(malformed(format!(
            "CryptoPro key export: a {}-byte ukm and a {}-byte key for {}",
            ukm.len(),
            enc.len(),
            ps.name()
        )));
    }
    let d = unwrap_key(&k, ukm, enc);
    let mut iv = [0u8; 8];
    iv.copy_from_slice(ukm);
    let mac = gost89_imit(Gost89Sbox::CryptoProA, &kek_of(&k, ukm), &iv, &d);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        &mac[..],
        value.cek.mac.as_bytes(),
    )) {
        return Ok(Outcome::Damaged(
            "the key does not match its own MAC (CEK_MAC)",
        ));
    }
    match SigningKey::from_le_bytes(ps, &d) {
        Ok(key) => Ok(Outcome::Key(Box::new(SoftwareKey::from_gost(key)?))),
        Err(_) => Ok(Outcome::Damaged("the key is out of range for its curve")),
    }
}

/// KEK = KDF_GOSTR3411_2012_256(K, label 26 BD B8 78, seed ukm).
fn kek_of(k: &[u8; 32], ukm: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut kek = Zeroizing::new([0u8; 32]);
    crate::key::pkcs8::gost2015::kdf_tree_256(k, &[0x26, 0xBD, 0xB8, 0x78], ukm, &mut *kek);
    kek
}

/// The key from its wrapped form: GOST 28147-89 ECB⁻¹ under the KEK, S-box CryptoPro-A.
fn unwrap_key(k: &[u8; 32], ukm: &[u8], enc: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut d = Zeroizing::new(enc.to_vec());
    gost89_ecb_apply(Gost89Sbox::CryptoProA, &kek_of(k, ukm), &mut d, true);
    d
}

fn malformed(msg: impl Into<String>) -> Error {
    Error::malformed(msg.into()).with_field("pkcs8ShroudedKeyBag")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The independent vectors of libpogost (`test/test_cryptopro_keybag.c`): its KDF of the
    /// password "123456" with the salt 00‥0f and 2000 iterations, and its wrap of the key
    /// 00‥1f (and 00‥3f) under that key with the ukm 01‥08, CEK_MAC included.
    #[test]
    fn kdf_and_key_wrap_match_an_independent_implementation() {
        let params = Params {
            salt: (0u8..16).collect(),
            iterations: 2000,
        };
        let k = params.derive("123456");
        assert_eq!(
            hex::encode(*k),
            "99a5cbd19579959bc361ad2b1bfd818f7b9e2671fbccab0315e20ac4a01e0201"
        );
        let ukm: Vec<u8> = (1u8..=8).collect();
        let mut iv = [0u8; 8];
        iv.copy_from_slice(&ukm);
        for (wrapped, mac) in [
            (
                "3eae7a87e68ab6f2b63571a15c31484690ef986879403c58a80bfb6d0ab917f5",
                "cf2a3be2",
            ),
            (
                "3eae7a87e68ab6f2b63571a15c31484690ef986879403c58a80bfb6d0ab917f5\
                 8e17892265f0ff5b6fe53d9be5253fa499313c53d1052c47946de39d76d2529b",
                "1fcea686",
            ),
        ] {
            let wrapped = hex::decode(wrapped).unwrap();
            let d = unwrap_key(&k, &ukm, &wrapped);
            let expected: Vec<u8> = (0u8..wrapped.len() as u8).collect();
            assert_eq!(*d, expected);
            let m = gost89_imit(Gost89Sbox::CryptoProA, &kek_of(&k, &ukm), &iv, &d);
            assert_eq!(hex::encode(m), mac);
        }
    }

    #[test]
    fn parameters_are_checked() {
        use der::Encode;
        let alg = |salt: &[u8], iterations: u64| AlgorithmIdentifierOwned {
            oid: oid::CRYPTOPRO_PFX_PBE,
            parameters: Some(
                der::asn1::Any::encode_from(&PbeParams {
                    salt: OctetString::new(salt.to_vec()).unwrap(),
                    iterations,
                })
                .unwrap(),
            ),
        };
        let p = Params::from_algorithm(&alg(&[1; 16], 2000)).unwrap();
        assert!(p.describe().contains("2000 iterations"), "{}", p.describe());
        let kind = |a| Params::from_algorithm(&a).err().map(|e| e.kind());
        assert_eq!(
            kind(alg(&[1; 7], 2000)),
            Some(crate::ErrorKind::MalformedEncoding)
        );
        assert_eq!(
            kind(alg(&[1; 16], 0)),
            Some(crate::ErrorKind::MalformedEncoding)
        );
        assert_eq!(
            kind(alg(&[1; 16], 1 << 40)),
            Some(crate::ErrorKind::LimitExceeded)
        );
        let none = AlgorithmIdentifierOwned {
            oid: oid::CRYPTOPRO_PFX_PBE,
            parameters: None,
        };
        assert_eq!(kind(none), Some(crate::ErrorKind::MalformedEncoding));
        // A blob longer than any key blob is refused before any work.
        let e = decrypt(&p, "", &vec![0u8; MAX_BLOB + 1]).err().unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::MalformedEncoding);
        let _ = alg(&[], 1).to_der();
    }
}
