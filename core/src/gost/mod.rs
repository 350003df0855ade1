//! GOST R 34.10-2012 signatures over every standard parameter set, and Streebog; GOST R 34.11-94
//! ([`gost94`]) for reading objects of the 2001 era.
//!
//! Our own arithmetic (no crate implements GOST R 34.10): Montgomery field and scalar arithmetic
//! on fixed arrays of 4 or 8 64-bit limbs ([`field`]), complete projective point formulas and a
//! precomputed fixed-base table per curve ([`point`]), sign and verify ([`sign`]).
//!
//! Encodings (RFC 4491, RFC 9215, confirmed on `shared/reference` vectors):
//! - the digest is Streebog's byte output read as a **little-endian** integer, e = 1 if e ≡ 0;
//! - a public key is X‖Y, each little-endian, 32 or 64 bytes ([`VerifyingKey::to_le_xy`]);
//! - a signature is s‖r, each big-endian ([`Signature::to_bytes`]);
//! - a private key is the scalar d little-endian, as PKCS#8 holds it
//!   ([`SigningKey::to_le_bytes`]).
//!
//! Signing is constant-time in the private key and the nonce; the nonce is hedged (OS
//! randomness mixed with the key and the digest by HMAC-Streebog-512). Verification is variable
//! time (it handles only public data).
//!
//! ```
//! use bankkey::gost::{ParamSet, SigningKey};
//! let key = SigningKey::generate(ParamSet::Tc26_256A)?;
//! let sig = key.sign(b"payment order 42");
//! key.verifying_key().verify(b"payment order 42", &sig)?;
//! assert!(key.verifying_key().verify(b"payment order 43", &sig).is_err());
//! # Ok::<(), bankkey::Error>(())
//! ```

pub mod batch;
mod edwards;
mod field;
mod hash94;
mod params;
mod point;
mod scan;
mod sign;
pub mod streebog;
#[cfg(test)]
mod tests;

use std::fmt;

use self::streebog::{Streebog256, Streebog512};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub use hash94::{Gost94, gost94};
pub use params::ParamSet;

use crate::{Error, ErrorKind, Result};
use field::{is_zero_limbs, limbs_from_be, limbs_from_le, limbs_to_be, limbs_to_le, lt_vartime};
use params::{curve256, curve512};
use point::{Aff, Curve};

/// Streebog-256 (GOST R 34.11-2012) of `data`, bytes as OpenSSL and RustCrypto output them.
pub fn streebog256(data: &[u8]) -> [u8; 32] {
    Streebog256::digest(data)
}

/// Streebog-512 (GOST R 34.11-2012) of `data`, bytes as OpenSSL and RustCrypto output them.
pub fn streebog512(data: &[u8]) -> [u8; 64] {
    Streebog512::digest(data)
}

/// The digest a parameter set signs with: Streebog-256 or Streebog-512.
fn digest_for(ps: ParamSet, msg: &[u8]) -> Vec<u8> {
    if ps.is_512() {
        streebog512(msg).to_vec()
    } else {
        streebog256(msg).to_vec()
    }
}

/// The first N limbs of an 8-limb array (256-bit values use the first 4).
fn head<const N: usize>(a: &[u64; 8]) -> [u64; N] {
    std::array::from_fn(|i| a[i])
}

/// An N-limb array widened to 8 limbs.
fn widen<const N: usize>(a: &[u64; N]) -> [u64; 8] {
    std::array::from_fn(|i| if i < N { a[i] } else { 0 })
}

/// Runs `$body` with `$c` bound to the parameter set's curve and `N` its limb count.
macro_rules! with_curve {
    ($ps:expr, |$c:ident, $n:ident| $body:expr) => {
        if $ps.is_512() {
            const $n: usize = 8;
            let $c: &Curve<$n> = curve512($ps.curve_id());
            $body
        } else {
            const $n: usize = 4;
            let $c: &Curve<$n> = curve256($ps.curve_id());
            $body
        }
    };
}

/// a·b mod q, or a·b⁻¹ mod q when `invert`, for little-endian integers of at most the set's
/// `field_len()` bytes (any values: they are reduced mod q first), as `field_len()` bytes:
/// the arithmetic of CryptoPro's masked private keys (PFX, containers). Constant time in a
/// and b; b ≡ 0 inverts to 0.
pub(crate) fn unmask_scalar(ps: ParamSet, a: &[u8], b: &[u8], invert: bool) -> Zeroizing<Vec<u8>> {
    let n = ps.field_len();
    with_curve!(ps, |c, N| {
        let fq = &c.fq;
        let limbs = |bytes: &[u8]| {
            let mut buf = Zeroizing::new([0u8; 64]);
            let len = bytes.len().min(8 * N);
            buf[..len].copy_from_slice(&bytes[..len]);
            Zeroizing::new(limbs_from_le::<N>(&buf[..8 * N]))
        };
        let x = fq.to_mont(&limbs(a));
        let y = fq.to_mont(&limbs(b));
        let y = if invert { fq.invert(&y) } else { y };
        let product = Zeroizing::new(fq.to_uint(&fq.mul(&x, &y)));
        let mut out = Zeroizing::new(vec![0u8; 8 * N]);
        limbs_to_le(&product, &mut out);
        out.truncate(n);
        out
    })
}

/// A GOST R 34.10-2012 private key: the secret scalar d (0 < d < q) of a parameter set.
///
/// The scalar is wiped when the key is dropped; `Debug` shows only the parameter set and the
/// public key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SigningKey {
    /// d as little-endian limbs (the upper four are zero for 256-bit sets).
    d: [u64; 8],
    #[zeroize(skip)]
    public: VerifyingKey,
}

impl SigningKey {
    /// A new random key from the OS generator.
    pub fn generate(ps: ParamSet) -> Result<Self> {
        let mut wide = Zeroizing::new([0u8; 128]);
        loop {
            getrandom::fill(&mut wide[..]).map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("the OS random generator failed: {e}"),
                )
            })?;
            let d = with_curve!(ps, |c, N| {
                let lo = limbs_from_le::<N>(&wide[..8 * N]);
                let hi = limbs_from_le::<N>(&wide[8 * N..16 * N]);
                let mut dm = c.fq.to_mont_wide(&lo, &hi);
                let d = widen(&c.fq.to_uint(&dm));
                dm.0.zeroize();
                d
            });
            let mut d = Zeroizing::new(d);
            if !bool::from(is_zero_limbs(&d)) {
                return Ok(Self::from_scalar(ps, std::mem::take(&mut *d)));
            }
        }
    }

    fn from_scalar(ps: ParamSet, d: [u64; 8]) -> Self {
        let public = with_curve!(ps, |c, N| {
            let q = sign::public_point(c, &head::<N>(&d));
            VerifyingKey::from_point(ps, c, &q)
        });
        SigningKey { d, public }
    }

    /// The key from its scalar as PKCS#8 holds it: `field_len()` bytes, little-endian.
    /// The scalar must satisfy 0 < d < q.
    pub fn from_le_bytes(ps: ParamSet, bytes: &[u8]) -> Result<Self> {
        let n = ps.field_len();
        if bytes.len() != n {
            return Err(Error::invalid_field(
                "private key",
                format!(
                    "a {} private key is {n} bytes, got {}",
                    ps.name(),
                    bytes.len()
                ),
            ));
        }
        let mut buf = Zeroizing::new([0u8; 64]);
        buf[..n].copy_from_slice(bytes);
        let d = Zeroizing::new(limbs_from_le::<8>(&buf[..]));
        let ok = with_curve!(ps, |c, N| c.scalar_in_range(&head::<N>(&d)));
        if !ok {
            return Err(Error::invalid_field(
                "private key",
                format!("the private scalar is not in 1..q-1 for {}", ps.name()),
            ));
        }
        Ok(Self::from_scalar(ps, *d))
    }

    /// The scalar d, `field_len()` bytes little-endian (as PKCS#8 holds it).
    pub fn to_le_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(vec![0u8; 64]);
        limbs_to_le(&self.d, &mut out);
        out.truncate(self.param_set().field_len());
        out
    }

    /// The parameter set.
    pub fn param_set(&self) -> ParamSet {
        self.public.ps
    }

    /// The public key Q = d·G.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.public.clone()
    }

    /// Signs a message: Streebog-256 or -512 (by parameter set), then [`Self::sign_digest`].
    pub fn sign(&self, msg: &[u8]) -> Signature {
        let digest = digest_for(self.param_set(), msg);
        self.sign_checked(&digest)
    }

    /// Signs a digest as Streebog outputs it (32 bytes for 256-bit sets, 64 for 512-bit).
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Signature> {
        check_digest_len(self.param_set(), digest)?;
        Ok(self.sign_checked(digest))
    }

    fn sign_checked(&self, digest: &[u8]) -> Signature {
        let ps = self.param_set();
        let (r, s) = with_curve!(ps, |c, N| {
            let d = Zeroizing::new(head::<N>(&self.d));
            let (r, s) = sign::sign_digest(c, &d, digest);
            (widen(&r), widen(&s))
        });
        Signature::from_rs(ps.field_len(), &r, &s)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("param_set", &self.param_set())
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

fn check_digest_len(ps: ParamSet, digest: &[u8]) -> Result<()> {
    if digest.len() != ps.field_len() {
        return Err(Error::invalid_field(
            "digest",
            format!(
                "{} signs a {}-byte Streebog digest, got {} bytes",
                ps.name(),
                ps.field_len(),
                digest.len()
            ),
        ));
    }
    Ok(())
}

/// A GOST R 34.10-2012 public key: a point Q of a parameter set's curve.
///
/// Equality compares the parameter set and the point.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    ps: ParamSet,
    /// Affine coordinates in Montgomery form, 8 limbs (upper four zero for 256-bit sets).
    x: [u64; 8],
    y: [u64; 8],
}

impl VerifyingKey {
    fn from_point<const N: usize>(ps: ParamSet, _c: &Curve<N>, q: &Aff<N>) -> Self {
        VerifyingKey {
            ps,
            x: widen(&q.x.0),
            y: widen(&q.y.0),
        }
    }

    fn point<const N: usize>(&self) -> Aff<N> {
        Aff {
            x: field::Fe(head::<N>(&self.x)),
            y: field::Fe(head::<N>(&self.y)),
        }
    }

    /// The key from X‖Y, each coordinate little-endian (RFC 4491: the contents of the OCTET
    /// STRING inside the SubjectPublicKeyInfo BIT STRING). The point must be on the curve and,
    /// for the cofactor-4 sets, in the subgroup of order q.
    pub fn from_le_xy(ps: ParamSet, bytes: &[u8]) -> Result<Self> {
        let n = ps.field_len();
        if bytes.len() != 2 * n {
            return Err(Error::invalid_field(
                "public key",
                format!(
                    "a {} public key is {} bytes (X‖Y), got {}",
                    ps.name(),
                    2 * n,
                    bytes.len()
                ),
            ));
        }
        let key = with_curve!(ps, |c, N| {
            let x = limbs_from_le::<N>(&bytes[..n]);
            let y = limbs_from_le::<N>(&bytes[n..]);
            c.point_from_uints(&x, &y)
                .map(|q| VerifyingKey::from_point(ps, c, &q))
        });
        key.ok_or_else(|| {
            Error::invalid_field(
                "public key",
                format!(
                    "the point is not on the {} curve (or not in its subgroup)",
                    ps.name()
                ),
            )
        })
    }

    /// X‖Y, each coordinate little-endian, `2 · field_len()` bytes.
    pub fn to_le_xy(&self) -> Vec<u8> {
        let n = self.ps.field_len();
        let mut out = vec![0u8; 2 * n];
        with_curve!(self.ps, |c, N| {
            let (x, y) = c.point_to_uints(&self.point::<N>());
            limbs_to_le(&x, &mut out[..n]);
            limbs_to_le(&y, &mut out[n..]);
        });
        out
    }

    /// The parameter set.
    pub fn param_set(&self) -> ParamSet {
        self.ps
    }

    /// Verifies a signature over a message (hashed with the set's Streebog).
    /// A signature that does not verify is [`ErrorKind::BadSignature`].
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> Result<()> {
        let digest = digest_for(self.ps, msg);
        self.verify_checked(&digest, sig)
    }

    /// Verifies a signature over a digest as Streebog outputs it.
    pub fn verify_digest(&self, digest: &[u8], sig: &Signature) -> Result<()> {
        check_digest_len(self.ps, digest)?;
        self.verify_checked(digest, sig)
    }

    fn verify_checked(&self, digest: &[u8], sig: &Signature) -> Result<()> {
        let n = self.ps.field_len();
        if sig.bytes.len() != 2 * n {
            return Err(Error::bad_signature(format!(
                "a {} signature is {} bytes, got {}",
                self.ps.name(),
                2 * n,
                sig.bytes.len()
            ))
            .with_field("signature"));
        }
        let ok = with_curve!(self.ps, |c, N| {
            let s = limbs_from_be::<N>(&sig.bytes[..n]);
            let r = limbs_from_be::<N>(&sig.bytes[n..]);
            if !c.scalar_in_range(&r) || !c.scalar_in_range(&s) {
                return Err(
                    Error::bad_signature("r or s of the signature is not in 1..q-1")
                        .with_field("signature"),
                );
            }
            sign::verify_digest(c, &self.point::<N>(), digest, &r, &s)
        });
        if ok {
            Ok(())
        } else {
            Err(Error::bad_signature(format!(
                "the {} signature does not verify",
                self.ps.name()
            )))
        }
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("param_set", &self.ps)
            .field("le_xy", &hex::encode(self.to_le_xy()))
            .finish()
    }
}

/// A GOST R 34.10-2012 signature: s‖r, each big-endian, 64 bytes (256-bit sets) or 128.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    bytes: Vec<u8>,
}

impl Signature {
    /// A signature from its octets s‖r (64 or 128 bytes). Ranges are checked on verification,
    /// against the key's parameter set.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 64 && bytes.len() != 128 {
            return Err(Error::malformed(format!(
                "a GOST R 34.10-2012 signature is 64 or 128 bytes (s‖r), got {}",
                bytes.len()
            ))
            .with_field("signature"));
        }
        Ok(Signature {
            bytes: bytes.to_vec(),
        })
    }

    /// The octets s‖r.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    fn from_rs(n: usize, r: &[u64; 8], s: &[u64; 8]) -> Self {
        let mut rb = [0u8; 64];
        let mut sb = [0u8; 64];
        limbs_to_be(r, &mut rb);
        limbs_to_be(s, &mut sb);
        let mut bytes = Vec::with_capacity(2 * n);
        bytes.extend_from_slice(&sb[64 - n..]);
        bytes.extend_from_slice(&rb[64 - n..]);
        Signature { bytes }
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(&self.bytes))
    }
}

#[allow(dead_code)]
fn _assert_traits() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<SigningKey>();
    send_sync::<VerifyingKey>();
    send_sync::<Signature>();
    let _ = lt_vartime::<1>;
}
