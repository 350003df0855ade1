//! Signature generation and verification (GOST R 34.10-2012 §6.1, §6.2), generic over the
//! limb count, plus the hedged nonce.
//!
//! Signing: e = LE(digest) mod q (1 if 0); C = k·G; r = x_C mod q; s = r·d + k·e mod q; retry
//! with a fresh nonce when r or s is 0. Verification: v = e⁻¹; z1 = s·v; z2 = −r·v;
//! C = z1·G + z2·Q; accept when x_C mod q = r.

use super::streebog::Streebog512;
use zeroize::{Zeroize, Zeroizing};

use super::field::{Fe, limbs_from_le, limbs_to_le};
use super::point::{Aff, Curve};

/// e = LE(digest) mod q, or 1 if that is 0 (§6.1 step 2). `digest` holds 8·N bytes.
pub(crate) fn digest_to_e<const N: usize>(c: &Curve<N>, digest: &[u8]) -> Fe<N> {
    let e = c.fq.to_mont(&limbs_from_le::<N>(digest));
    if bool::from(c.fq.is_zero(&e)) {
        c.fq.one
    } else {
        e
    }
}

/// The hedged nonce for attempt `counter`: Streebog-512 over a domain label with the counter,
/// the private key, 32 bytes of fresh OS randomness and the digest (as EdDSA hashes a
/// key-derived prefix with the message), widened to twice the scalar size and reduced modulo q
/// (bias below 2⁻²⁵⁶). The message is packed without padding so that it spans as few blocks as
/// the inputs allow: 117 bytes for the 256-bit sets, four compressions in all (two blocks and
/// the two finalising ones); the 512-bit sets take two outputs that share the absorbed prefix
/// and differ in a last byte. If the OS generator fails, the nonce is still unique per
/// (key, digest) as in RFC 6979, so signing never fails and never repeats a nonce across
/// different messages.
pub(crate) fn hedged_nonce<const N: usize>(
    c: &Curve<N>,
    d: &[u64; N],
    digest: &[u8],
    counter: u32,
) -> Zeroizing<[u64; N]> {
    // label ‖ counter ‖ d ‖ randomness ‖ digest: 16 + 4 + 8N + 32 + 8N bytes
    const LABEL: &[u8; 16] = b"bankkey nonce v2";
    let mut msg = Zeroizing::new([0u8; 16 + 4 + 64 + 32 + 64]);
    msg[..16].copy_from_slice(LABEL);
    msg[16..20].copy_from_slice(&counter.to_be_bytes());
    let (key, rest) = msg[20..].split_at_mut(8 * N);
    limbs_to_le(d, key);
    let _ = getrandom::fill(&mut rest[..32]);
    rest[32..32 + digest.len()].copy_from_slice(digest);
    let len = 20 + 8 * N + 32 + digest.len();
    let mut h = Streebog512::new();
    h.update(&msg[..len]);
    let mut wide = Zeroizing::new([0u8; 128]);
    for (i, chunk) in wide[..16 * N].chunks_mut(64).enumerate() {
        let mut hi = h.clone();
        hi.update([i as u8]);
        let out = hi.finalize();
        chunk.copy_from_slice(&out[..chunk.len()]);
    }
    let lo = Zeroizing::new(limbs_from_le::<N>(&wide[..8 * N]));
    let hi = Zeroizing::new(limbs_from_le::<N>(&wide[8 * N..16 * N]));
    let mut km = c.fq.to_mont_wide(&lo, &hi);
    let k = Zeroizing::new(c.fq.to_uint(&km));
    km.0.zeroize();
    k
}

/// One signing attempt with nonce k (0 < k < q): (r, s) as integers, or None when r or s is 0.
/// Constant time in d and k. `e` is in the scalar field's representation; d and k enter the
/// products as plain integers below q, so that s = r·d + k·e comes out as an integer without
/// converting d, k or s (with Montgomery's product mul(a·R, b) = a·b).
pub(crate) fn sign_with_nonce<const N: usize>(
    c: &Curve<N>,
    d: &[u64; N],
    e: &Fe<N>,
    k: &[u64; N],
) -> Option<([u64; N], [u64; N])> {
    let aff = c.mul_base_affine_ct(k);
    let x = c.fp.to_uint(&aff.x);
    let r = c.fq.to_mont(&x);
    let fq = &c.fq;
    let (mut dm, mut km) = (Fe(*d), Fe(*k));
    let s = fq.add(&fq.mul(&r, &dm), &fq.mul(e, &km));
    dm.0.zeroize();
    km.0.zeroize();
    // r and s become public; testing them for zero leaks nothing about d or k beyond that.
    if bool::from(fq.is_zero(&r) | fq.is_zero(&s)) {
        return None;
    }
    Some((fq.to_uint(&r), s.0))
}

/// Signs a digest of 8·N bytes with private scalar d: (r, s) as integers. Kept out of line so
/// that `scripts/ct-check.sh` can count the instructions of each call (it must be the same
/// for every key and nonce).
#[inline(never)]
pub(crate) fn sign_digest<const N: usize>(
    c: &Curve<N>,
    d: &[u64; N],
    digest: &[u8],
) -> ([u64; N], [u64; N]) {
    let e = digest_to_e(c, digest);
    let mut counter = 0u32;
    loop {
        let k = hedged_nonce(c, d, digest, counter);
        if !bool::from(super::field::is_zero_limbs(&k))
            && let Some(rs) = sign_with_nonce(c, d, &e, &k)
        {
            return rs;
        }
        counter = counter.wrapping_add(1);
    }
}

/// Verifies (r, s) over a digest of 8·N bytes with public point Q (variable time).
pub(crate) fn verify_digest<const N: usize>(
    c: &Curve<N>,
    q: &Aff<N>,
    digest: &[u8],
    r: &[u64; N],
    s: &[u64; N],
) -> bool {
    if !c.scalar_in_range(r) || !c.scalar_in_range(s) {
        return false;
    }
    let fq = &c.fq;
    let e = digest_to_e(c, digest);
    let v = fq.invert_vartime(&e); // public data
    let rm = fq.to_mont(r);
    let sm = fq.to_mont(s);
    let z1 = fq.to_uint(&fq.mul(&sm, &v));
    let z2 = fq.to_uint(&fq.neg(&fq.mul(&rm, &v)));
    c.verify_combination(&z1, &z2, q, r)
}

/// Q = d·G for a private scalar (constant time). Kept out of line, like [`sign_digest`], for
/// `scripts/ct-check.sh`.
#[inline(never)]
pub(crate) fn public_point<const N: usize>(c: &Curve<N>, d: &[u64; N]) -> Aff<N> {
    c.mul_base_affine_ct(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::field::lt_vartime;
    use crate::gost::params::{CurveId, curve256, curve512};

    /// Nonces lie in 1..q − 1 and differ between calls (fresh randomness), between counters
    /// and between digests.
    fn check_nonces<const N: usize>(c: &Curve<N>) {
        let d: [u64; N] = std::array::from_fn(|i| 0x1234_5678_9abc_def0 ^ i as u64);
        let d = c.fq.to_uint(&c.fq.to_mont(&d));
        let digest = vec![7u8; 8 * N];
        let mut seen = Vec::new();
        for counter in 0..3 {
            for _ in 0..2 {
                let k = *hedged_nonce(c, &d, &digest, counter);
                assert!(lt_vartime(&k, &c.fq.m));
                assert!(!bool::from(crate::gost::field::is_zero_limbs(&k)));
                assert!(!seen.contains(&k));
                seen.push(k);
            }
        }
        let k = *hedged_nonce(c, &d, &vec![8u8; 8 * N], 0);
        assert!(!seen.contains(&k));
    }

    #[test]
    fn nonces_are_in_range_and_fresh() {
        check_nonces(curve256(CurveId::CryptoProA));
        check_nonces(curve512(CurveId::Tc26_512A));
    }
}
