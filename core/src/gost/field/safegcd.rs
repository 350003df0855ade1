//! Inversion modulo an odd m by Bernstein–Yang divsteps ("safegcd"): the constant-time
//! inversion of [`Modulus::invert`](super::Modulus::invert) and the variable-time one of
//! [`Modulus::invert_vartime`](super::Modulus::invert_vartime).
//!
//! The steps are the "half-delta" variant (hddivsteps): Bernstein–Yang's divstep with δ
//! starting at 1/2 instead of 1, which needs about 20% fewer steps than the original. A step
//! on (δ, f, g), f odd: if δ > 0 and g is odd, (1 − δ, g, (g − f)/2); otherwise
//! (1 + δ, f, (g + (g mod 2)·f)/2). Once g = 0, f = ±gcd and further steps change nothing.
//! δ is kept as η = −(δ + 1/2), an integer whose sign says δ > 0.
//!
//! Proven step counts, for odd f and 0 ≤ g ≤ f (f the modulus, g the value to invert):
//! - 590 for f ≤ 2^256.03 (machine-checked Coq proof `hddivsteps590_prime_inverse`, from the
//!   convex-hull bound of P. Wuille's github.com/sipa/safegcd-bounds, coq/hddivsteps/; the
//!   count libsecp256k1's constant-time modinv64 uses);
//! - 1201 for f ≤ 2^521 − 1 (Coq proof `hddivsteps1201_prime_inverse`, same method,
//!   github.com/dfaranha/safegcd-bounds coq/hddivsteps/hddivsteps1201_proof.v), which covers
//!   the 512-bit moduli. (The fitted formula ⌊(3787·log₂M + 2166)/1644⌋ of safegcd-bounds'
//!   README, checked by the hull computation for M ≤ 2^3805, would allow 1180 for 512 bits; it
//!   is not a proof for every M, so the proven 1201 is used.)
//!
//! The steps run in batches on the low 64 bits of f and g (the first k steps depend only on
//! the low k bits), each batch giving a 2×2 matrix that is then applied to the full f, g
//! and to the Bézout coefficients d, e (d·a ≡ f, e·a ≡ g mod m) in signed base 2⁶²; 256-bit
//! values take 5 limbs, 512-bit ones 9 (fixed at compile time).

/// 2⁶² − 1: the limb mask of the signed base-2⁶² numbers.
const M62: u64 = (1 << 62) - 1;

/// Divsteps of a constant-time batch for an N-limb modulus (at most 62: the matrix entries
/// then fit an i64, |u| + |v| ≤ 2⁶²): for 256 bits three chunks of [`CHUNK`], 590 steps then
/// taking 10 batches as 62 would; for 512 bits 62 (20 + 20 + 20 + 2), 1201 steps taking 20
/// batches where 60 would need 21 (measured: each choice is the fewer instructions).
const fn batch_steps(n: usize) -> usize {
    if n <= 4 { 60 } else { 62 }
}

/// The scale of every batch's matrix: 2⁶², the base of the limbs (a batch of s steps has its
/// matrix multiplied by 2^(62 − s)).
const SCALE: usize = 62;

/// The proven hddivsteps count for an N-limb modulus (see the module documentation).
const fn steps_bound(n: usize) -> usize {
    if n <= 4 {
        590
    } else if n <= 8 {
        1201
    } else {
        panic!("safegcd: moduli of more than 512 bits have no proven step count here")
    }
}

/// A batch's transition matrix: 2⁶²·(f′, g′) = (u·f + v·g, q·f + r·g) (for a batch of s < 62
/// steps the matrix is scaled by 2^(62 − s), so every batch divides by 2⁶²).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Matrix {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// The base-2⁶² limbs of an unsigned N-limb value (64N/62 + 1 ≤ L limbs).
#[inline(always)]
fn to_s62<const N: usize, const L: usize>(x: &[u64; N]) -> [i64; L] {
    let mut out = [0i64; L];
    for (i, o) in out.iter_mut().enumerate() {
        let bit = 62 * i;
        let (w, b) = (bit / 64, bit % 64);
        let lo = x.get(w).copied().unwrap_or(0) >> b;
        let hi = if b > 2 {
            x.get(w + 1).copied().unwrap_or(0) << (64 - b)
        } else {
            0
        };
        *o = ((lo | hi) & M62) as i64;
    }
    out
}

/// The N-limb value of a signed base-2⁶² number in [0, 2^(64N)).
#[inline(always)]
fn from_s62<const N: usize, const L: usize>(x: &[i64; L]) -> [u64; N] {
    let mut out = [0u64; N];
    for (i, &l) in x.iter().enumerate() {
        let bit = 62 * i;
        let (w, b) = (bit / 64, bit % 64);
        if w < N {
            out[w] |= (l as u64) << b;
        }
        if b > 2 && w + 1 < N {
            out[w + 1] |= (l as u64) >> (64 - b);
        }
    }
    out
}

/// Steps of a [`chunk`]: the most whose packed words provably fit an i64.
const CHUNK: usize = 20;

/// n ≤ 20 hddivsteps on the low 20 bits of f (odd) and g, branch-free, each row of the
/// matrix packed with its value in one word: the new η and the matrix scaled by 2ⁿ,
/// 2ⁿ·(f′, g′) = (u·f + v·g, q·f + r·g).
///
/// A row (a, b) after j steps is held as W = ĥ + 2²⁰·A + 2⁴²·B, with A = a·2^(n−j) and
/// B = b·2^(n−j) (the row scaled so that the f row stays put and the g row halves, like g),
/// and ĥ = (a·f̂₀ + b·ĝ₀)/2^j, f̂₀ and ĝ₀ the low 20 bits of f and g as signed values in
/// [−2¹⁹, 2¹⁹): ĥ ≡ f or g after j steps modulo 2^(20−j), so bit 0 of the g word is the
/// parity of g at every step. Every step is linear in the words: g ± f (masked), the swap
/// f ← old g, and g halved by an exact arithmetic shift. Bounds (|a| + |b| ≤ 2^j, and the
/// matrix has determinant 2^j with an even f row after the first step, so the g row is
/// never (0, ±2^j) and f̂ stays odd): |ĥ| < 2¹⁹, |A| + |B| ≤ 2ⁿ, and the g word stays
/// below 2⁶² − 2⁴¹ in magnitude, so W and the sum before a halving fit an i64, and A and B
/// are read back by rounding.
/// Per step, with c1 = "δ > 0" and c2 = "g odd" as masks: g += ±f when g is odd (− when
/// δ > 0); on a swap (c1 and c2) f takes the old g (f + (g − f)), η → −η − 2 (δ → 1 − δ),
/// else η → η − 1 (δ → 1 + δ); then g halves.
#[inline(always)]
fn chunk(eta: i64, f: u64, g: u64, n: usize) -> (i64, Matrix) {
    debug_assert!(n <= CHUNK && f & 1 == 1);
    let low20 = |x: u64| ((x << 44) as i64) >> 44;
    let mut wf = low20(f).wrapping_add(1i64 << (20 + n));
    let mut wg = low20(g).wrapping_add(1i64 << (42 + n));
    let mut eta = eta;
    for _ in 0..n {
        let c1 = eta >> 63;
        let c2 = (wg & 1).wrapping_neg();
        wg = wg.wrapping_add(((wf ^ c1).wrapping_sub(c1)) & c2);
        let c1 = c1 & c2;
        eta = (eta ^ c1).wrapping_sub(1);
        wf = wf.wrapping_add(wg & c1);
        wg >>= 1;
    }
    // ĥ + 2¹⁹ is in (0, 2²⁰): the fields above it are exact after that bias
    let row = |w: i64| {
        let w = w.wrapping_add(1 << 19);
        ((w << 22) >> 42, w.wrapping_add(1 << 41) >> 42)
    };
    let ((u, v), (q, r)) = (row(wf), row(wg));
    (eta, Matrix { u, v, q, r })
}

/// `steps` (≤ 62) hddivsteps on the low 64 bits of f (odd) and g, in constant time: chunks
/// of up to 20 steps ([`chunk`]), the low words carried from one chunk to the next (after
/// s steps their low 64 − s bits are exact), the matrices multiplied; the new η and the
/// matrix scaled by 2⁶² (so 2^(62 − steps) times the steps' own).
#[inline(always)]
fn divsteps(eta: i64, f: u64, g: u64, steps: usize) -> (i64, Matrix) {
    debug_assert!(steps <= SCALE);
    let (mut eta, mut f, mut g) = (eta, f as i64, g as i64);
    let mut m = Matrix {
        u: 1,
        v: 0,
        q: 0,
        r: 1,
    };
    let mut done = 0;
    while done < steps {
        let n = CHUNK.min(steps - done);
        let t;
        (eta, t) = chunk(eta, f as u64, g as u64, n);
        (f, g) = (
            t.u.wrapping_mul(f).wrapping_add(t.v.wrapping_mul(g)) >> n,
            t.q.wrapping_mul(f).wrapping_add(t.r.wrapping_mul(g)) >> n,
        );
        m = Matrix {
            u: t.u * m.u + t.v * m.q,
            v: t.u * m.v + t.v * m.r,
            q: t.q * m.u + t.r * m.q,
            r: t.q * m.v + t.r * m.r,
        };
        done += n;
    }
    let s = SCALE - steps;
    let m = Matrix {
        u: m.u << s,
        v: m.v << s,
        q: m.q << s,
        r: m.r << s,
    };
    (eta, m)
}

/// 62 steps of [`divsteps`] in variable time (public inputs only; a batch of the variable-time
/// inversion): runs of zero bits of g are shifted out at once, and each odd g costs one swap
/// test and one addition. (Packing the rows as [`chunk`] does saved nothing here: the chunks'
/// overhead ate the gain.)
#[inline(always)]
fn divsteps_vartime(eta: i64, f: u64, g: u64) -> (i64, Matrix) {
    let (mut eta, mut f, mut g) = (eta, f, g);
    let (mut u, mut v, mut q, mut r) = (1i64, 0i64, 0i64, 1i64);
    let mut left = SCALE as u32;
    loop {
        // halving steps for the zeros of g (η − 1 and the f row doubled for each)
        let zeros = g.trailing_zeros().min(left);
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= zeros as i64;
        left -= zeros;
        if left == 0 {
            break;
        }
        // g is odd: swap when δ > 0 (η < 0), then g + f (the halving follows at the top)
        if eta < 0 {
            (f, g) = (g, f.wrapping_neg());
            (u, v, q, r) = (q, r, -u, -v);
            eta = -eta - 1;
        }
        g = g.wrapping_add(f);
        q += u;
        r += v;
    }
    (eta, Matrix { u, v, q, r })
}

/// (f, g) ← (u·f + v·g, q·f + r·g) / 2⁶² for signed base-2⁶² f, g (exact divisions); with
/// `ONLY_F` g is left as it is (the last batch, after which g = 0 is not needed).
#[inline(always)]
fn update_fg<const L: usize, const ONLY_F: bool>(f: &mut [i64; L], g: &mut [i64; L], t: Matrix) {
    update::<L, ONLY_F, false>(f, g, t, &[0; L], 0);
}

/// (d, e) ← (u·d + v·e, q·d + r·e)·2⁻⁶² mod m, for d, e in (−2m, m), the results again in
/// (−2m, m). First m is added (in the multiplier of m) to whichever of d, e is negative,
/// making them (−m, m) and u·d + v·e of magnitude below 2⁶²·m (|u| + |v| ≤ 2⁶²); then k·m
/// with k in (−2⁶², 0] clears the low 62 bits (minv62 = m⁻¹ mod 2⁶²), so the exact quotient
/// lies in (−2m, m). With `ONLY_D` e is left as it is.
#[inline(always)]
fn update_de<const L: usize, const ONLY_D: bool>(
    d: &mut [i64; L],
    e: &mut [i64; L],
    t: Matrix,
    m: &[i64; L],
    minv62: u64,
) {
    update::<L, ONLY_D, true>(d, e, t, m, minv62);
}

/// The limb loop of [`update_fg`] (without `MODULAR`: the multiples of m are zero and the
/// compiler drops them) and [`update_de`] (with it): (x, y) ← (u·x + v·y + k_x·m,
/// q·x + r·y + k_y·m) / 2⁶², x only with `ONLY_X`.
#[inline(always)]
fn update<const L: usize, const ONLY_X: bool, const MODULAR: bool>(
    x: &mut [i64; L],
    y: &mut [i64; L],
    t: Matrix,
    m: &[i64; L],
    minv62: u64,
) {
    let (mut kx, mut ky) = (0i64, 0i64);
    if MODULAR {
        let (sx, sy) = (x[L - 1] >> 63, y[L - 1] >> 63);
        kx = (t.u & sx).wrapping_add(t.v & sy);
        ky = (t.q & sx).wrapping_add(t.r & sy);
    }
    let (u, v, q, r) = (t.u as i128, t.v as i128, t.q as i128, t.r as i128);
    let mut cx = u * x[0] as i128 + v * y[0] as i128;
    let mut cy = q * x[0] as i128 + r * y[0] as i128;
    if MODULAR {
        // the multiplier k of m with c + k·m ≡ 0 (mod 2⁶²), in (−2⁶², 0] beyond the sign fix
        kx = kx
            .wrapping_sub(((cx as u64).wrapping_mul(minv62).wrapping_add(kx as u64) & M62) as i64);
        ky = ky
            .wrapping_sub(((cy as u64).wrapping_mul(minv62).wrapping_add(ky as u64) & M62) as i64);
    }
    let (kx, ky) = (kx as i128, ky as i128);
    cx += kx * m[0] as i128;
    cy += ky * m[0] as i128;
    debug_assert!(cx as u64 & M62 == 0 && (ONLY_X || cy as u64 & M62 == 0));
    cx >>= 62;
    cy >>= 62;
    for i in 1..L {
        cx += u * x[i] as i128 + v * y[i] as i128 + kx * m[i] as i128;
        if !ONLY_X {
            cy += q * x[i] as i128 + r * y[i] as i128 + ky * m[i] as i128;
            y[i - 1] = (cy as u64 & M62) as i64;
            cy >>= 62;
        }
        x[i - 1] = (cx as u64 & M62) as i64;
        cx >>= 62;
    }
    x[L - 1] = cx as i64;
    if !ONLY_X {
        y[L - 1] = cy as i64;
    }
}

/// x + (m & mask) in signed base 2⁶², limbs normalised to [0, 2⁶²) below a signed top limb.
#[inline(always)]
fn add_masked<const L: usize>(x: &[i64; L], m: &[i64; L], mask: i64) -> [i64; L] {
    let mut out = [0i64; L];
    let mut c = 0i64;
    for i in 0..L - 1 {
        c += x[i] + (m[i] & mask);
        out[i] = c & M62 as i64;
        c >>= 62;
    }
    out[L - 1] = c + x[L - 1] + (m[L - 1] & mask);
    out
}

/// −x if `mask` is all ones, x if it is 0, limbs normalised as in [`add_masked`].
#[inline(always)]
fn neg_masked<const L: usize>(x: &[i64; L], mask: i64) -> [i64; L] {
    let mut out = [0i64; L];
    let mut c = 0i64;
    for i in 0..L - 1 {
        c += (x[i] ^ mask).wrapping_sub(mask);
        out[i] = c & M62 as i64;
        c >>= 62;
    }
    out[L - 1] = c + (x[L - 1] ^ mask).wrapping_sub(mask);
    out
}

/// Whether a signed base-2⁶² number is 0 (variable time).
fn is_zero_vartime<const L: usize>(x: &[i64; L]) -> bool {
    x.iter().all(|&l| l == 0)
}

/// a⁻¹ mod m for an odd modulus m and an integer a < m, in constant time (Bernstein–Yang
/// "safegcd", 2019, with the half-delta divsteps of the module documentation): the proven
/// number of steps for the size of m (590 for 256 bits, 1201 for 512) in batches of 60 or 62
/// ([`batch_steps`]), after
/// which g = 0 for every input, with f = ±gcd = ±1 (m when a = 0, whose result is then 0).
/// The invariants d·a ≡ f and e·a ≡ g (mod m) carry the inverse; `minv` is m⁻¹ mod 2⁶⁴ (its
/// low 62 bits are used). With `VARTIME` (public inputs only) batches of 62 variable-time
/// steps stop once g = 0.
pub(super) fn safegcd_inverse<const N: usize, const VARTIME: bool>(
    a: &[u64; N],
    m: &[u64; N],
    minv: u64,
) -> [u64; N] {
    const { assert!(N <= 8, "safegcd: at most 512-bit moduli") };
    if N <= 4 {
        inverse::<N, 5, VARTIME>(a, m, minv)
    } else {
        inverse::<N, 9, VARTIME>(a, m, minv)
    }
}

/// [`safegcd_inverse`] with L base-2⁶² limbs (5 for up to 256 bits, 9 for up to 512).
#[inline(always)]
fn inverse<const N: usize, const L: usize, const VARTIME: bool>(
    a: &[u64; N],
    m: &[u64; N],
    minv: u64,
) -> [u64; N] {
    debug_assert!(62 * L > 64 * N + 1 && m[0] & 1 == 1);
    debug_assert!(
        (0..N)
            .rev()
            .find_map(|i| (a[i] != m[i]).then(|| a[i] < m[i]))
            == Some(true)
    );
    let steps = steps_bound(N);
    let ms: [i64; L] = to_s62(m);
    let minv62 = minv & M62;
    let (mut f, mut g) = (ms, to_s62::<N, L>(a));
    let mut d = [0i64; L];
    let mut e = [0i64; L];
    e[0] = 1;
    let mut eta = -1i64; // δ = 1/2
    let low = |x: &[i64; L]| (x[0] as u64) | ((x[1] as u64) << 62);
    if VARTIME {
        for _ in 0..steps.div_ceil(SCALE) {
            if is_zero_vartime(&g) {
                break;
            }
            let t;
            (eta, t) = divsteps_vartime(eta, low(&f), low(&g));
            update_fg::<L, false>(&mut f, &mut g, t);
            update_de::<L, false>(&mut d, &mut e, t, &ms, minv62);
        }
    } else {
        let batch = batch_steps(N);
        for _ in 0..steps / batch {
            let t;
            (eta, t) = divsteps(eta, low(&f), low(&g), batch);
            update_fg::<L, false>(&mut f, &mut g, t);
            update_de::<L, false>(&mut d, &mut e, t, &ms, minv62);
        }
        // the last, shorter batch: g and e are not needed after it
        let (_, t) = divsteps(eta, low(&f), low(&g), steps % batch);
        #[cfg(debug_assertions)]
        let g_after = {
            let (mut f2, mut g2) = (f, g);
            update_fg::<L, false>(&mut f2, &mut g2, t);
            g2
        };
        update_fg::<L, true>(&mut f, &mut g, t);
        update_de::<L, true>(&mut d, &mut e, t, &ms, minv62);
        #[cfg(debug_assertions)]
        debug_assert!(is_zero_vartime(&g_after), "divsteps bound not reached");
    }
    debug_assert!(VARTIME || !is_zero_vartime(&f));
    // f = ±1 (or m when a = 0, with d = 0), d in (−2m, m): the inverse is ±d, brought into
    // [0, m) by an addition of m if negative, the negation by the sign of f, and again
    let d = add_masked(&d, &ms, d[L - 1] >> 63);
    let d = neg_masked(&d, f[L - 1] >> 63);
    let d = add_masked(&d, &ms, d[L - 1] >> 63);
    from_s62(&d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::field::tests::{MODULI_256, MODULI_512, Rng};
    use crate::gost::field::{limbs_from_hex, shr1, small, sub_limbs};

    #[test]
    fn divsteps_vartime_matches_constant_time() {
        let mut rng = Rng(0xd1);
        for i in 0..3000 {
            let f = rng.next() | 1;
            // g with long runs of zeros too, and 0
            let g = match i % 3 {
                0 => rng.next(),
                1 => rng.next() & rng.next() & rng.next() & !((1 << (i % 60)) - 1),
                _ => 0,
            };
            let eta = (rng.next() % 41) as i64 - 20;
            assert_eq!(
                divsteps_vartime(eta, f, g),
                divsteps(eta, f, g, SCALE),
                "η = {eta}, f = {f:x}, g = {g:x}"
            );
        }
    }

    /// A batch of s steps against s plain divsteps on wide integers (i128): the matrix maps
    /// (f, g) to 2^(62 − s)·2^s·(f′, g′), and η follows δ. The low 20 bits of f and g (a
    /// chunk's packed values) include the extremes of their signed range.
    #[test]
    fn divsteps_match_plain_steps() {
        let mut rng = Rng(0x5eed);
        for i in 0..20000 {
            let f = (rng.next() as i128) << 30 | rng.next() as i128 >> 34 | 1;
            let g = (rng.next() as i128) << 30 ^ rng.next() as i128;
            let lowf = [0x80001, 0x7ffff, 0xfffff, 1, f as i64 & 0xfffff][i % 5];
            let lowg = [0x80000, 0, 0xfffff, 0x7ffff, 1, g as i64 & 0xfffff][(i / 5) % 6];
            let (f, g) = (f & !0xfffff | lowf as i128, g & !0xfffff | lowg as i128);
            let steps = [62, 32, 23, 1, 0, 59, 20, 21, 40, 60, 61][i % 11];
            let eta0 = (rng.next() % 21) as i64 - 10;
            let (mut delta2, mut ff, mut gg) = (-2 * eta0 - 1, f, g); // 2δ
            for _ in 0..steps {
                if delta2 > 0 && gg & 1 == 1 {
                    (delta2, ff, gg) = (2 - delta2, gg, (gg - ff) >> 1);
                } else {
                    (delta2, gg) = (2 + delta2, (gg + (gg & 1) * ff) >> 1);
                }
            }
            let (eta, t) = divsteps(eta0, f as u64, g as u64, steps);
            assert_eq!(-2 * eta - 1, delta2);
            let (u, v, q, r) = (t.u as i128, t.v as i128, t.q as i128, t.r as i128);
            // compare modulo 2^64 after the exact division (the products wrap in i128)
            let sf = u.wrapping_mul(f).wrapping_add(v.wrapping_mul(g));
            let sg = q.wrapping_mul(f).wrapping_add(r.wrapping_mul(g));
            assert_eq!(sf & ((1 << 62) - 1), 0);
            assert_eq!((sf >> 62) as u64, ff as u64, "f, {steps} steps");
            assert_eq!((sg >> 62) as u64, gg as u64, "g, {steps} steps");
            assert!(t.u.unsigned_abs() + t.v.unsigned_abs() <= 1 << 62);
            assert!(t.q.unsigned_abs() + t.r.unsigned_abs() <= 1 << 62);
        }
    }

    #[test]
    fn base_2_62_round_trip() {
        let mut rng = Rng(62);
        for _ in 0..100 {
            let x = rng.limbs::<4>();
            assert_eq!(from_s62::<4, 5>(&to_s62::<4, 5>(&x)), x);
            let y = rng.limbs::<8>();
            assert_eq!(from_s62::<8, 9>(&to_s62::<8, 9>(&y)), y);
            assert!(
                to_s62::<8, 9>(&y)
                    .iter()
                    .all(|&l| (0..1 << 62).contains(&l))
            );
        }
    }

    /// Two's-complement integers of W words, for counting divsteps on full-size inputs.
    #[derive(Clone, Copy, PartialEq)]
    struct Wide<const W: usize>([u64; W]);
    impl<const W: usize> Wide<W> {
        fn from<const N: usize>(x: &[u64; N]) -> Self {
            Wide(std::array::from_fn(|i| x.get(i).copied().unwrap_or(0)))
        }
        fn add(&self, y: &Self, negate_y: bool) -> Self {
            let mut carry = negate_y as u64;
            Wide(std::array::from_fn(|i| {
                let yi = if negate_y { !y.0[i] } else { y.0[i] };
                let (s, c1) = self.0[i].overflowing_add(yi);
                let (s, c2) = s.overflowing_add(carry);
                carry = (c1 | c2) as u64;
                s
            }))
        }
        fn half(&self) -> Self {
            let top = (self.0[W - 1] as i64 >> 63) as u64;
            Wide(std::array::from_fn(|i| {
                self.0[i] >> 1 | self.0.get(i + 1).copied().unwrap_or(top) << 63
            }))
        }
    }

    /// The hddivsteps g = a needs to reach 0 against f = m (δ = 1/2 at the start).
    fn steps_needed<const W: usize>(m: &Wide<W>, a: &Wide<W>) -> usize {
        let (mut delta2, mut f, mut g, mut n) = (1i64, *m, *a, 0);
        while g.0.iter().any(|&w| w != 0) {
            if g.0[0] & 1 == 1 {
                if delta2 > 0 {
                    (delta2, f, g) = (2 - delta2, g, g.add(&f, true).half());
                } else {
                    (delta2, g) = (2 + delta2, g.add(&f, false).half());
                }
            } else {
                (delta2, g) = (2 + delta2, g.half());
            }
            n += 1;
        }
        n
    }

    /// The proven counts cover every GOST modulus on random and edge inputs (0, 1, 2, m − 1,
    /// m − 2, (m − 1)/2, 2^k − 1, powers of 2, the values with the most steps found by a
    /// hill climb from random starts), and the fitted 120-bit formula of safegcd-bounds on
    /// random 120-bit inputs.
    fn count_steps<const N: usize, const W: usize>(hexes: &[&str], random: usize, climb: usize) {
        let bound = steps_bound(N);
        let mut rng = Rng(0xb0 + N as u64);
        let mut most = 0;
        for h in hexes {
            let m: [u64; N] = limbs_from_hex(h);
            let reduce = |x: [u64; N]| {
                let mut x = x;
                x[N - 1] &= u64::MAX >> (m[N - 1].leading_zeros() + 1);
                x
            };
            let mut values = vec![
                [0; N],
                small(1),
                small(2),
                sub_limbs(&m, &small(1)).0,
                sub_limbs(&m, &small(2)).0,
                shr1(&m, 0),
            ];
            for k in [1, 63, 64, 128, 64 * N - 64, 64 * N - 2] {
                let mut p = [0u64; N];
                p[k / 64] = 1 << (k % 64);
                values.push(reduce(p));
                values.push(reduce(sub_limbs(&p, &small(1)).0));
            }
            values.extend((0..random).map(|_| reduce(rng.limbs())));
            let mw = Wide::<W>::from(&m);
            for x in &values {
                let n = steps_needed(&mw, &Wide::from(x));
                assert!(n <= bound, "{n} steps for {x:x?} mod {m:x?}");
                most = most.max(n);
            }
            // hill climb: flip random bits while the count does not drop
            let mut x = reduce(rng.limbs());
            let mut n = steps_needed(&mw, &Wide::from(&x));
            for _ in 0..climb {
                let mut y = x;
                let bit = (rng.next() % (64 * N as u64 - 1)) as usize;
                y[bit / 64] ^= 1 << (bit % 64);
                let y = reduce(y);
                let ny = steps_needed(&mw, &Wide::from(&y));
                assert!(ny <= bound, "{ny} steps for {y:x?} mod {m:x?}");
                if ny >= n {
                    (x, n) = (y, ny);
                }
            }
            most = most.max(n);
        }
        // the bound is an upper bound, with room on these inputs
        assert!(most <= bound && most > bound / 2, "most {most} of {bound}");
    }

    #[test]
    fn divsteps_bound_256() {
        count_steps::<4, 5>(&MODULI_256, 300, 300);
    }

    #[test]
    fn divsteps_bound_512() {
        count_steps::<8, 9>(&MODULI_512, 100, 150);
    }

    #[test]
    fn divsteps_bound_formula_120_bits() {
        // ⌊(3787·120 + 2166)/1644⌋ = 277 hddivsteps for 0 ≤ g ≤ f < 2^120
        let bound = (3787 * 120 + 2166) / 1644;
        let mut rng = Rng(7);
        for _ in 0..3000 {
            let f = (rng.next() as u128 | (rng.next() as u128) << 64) >> 8 | 1;
            let g = (rng.next() as u128 | (rng.next() as u128) << 64) >> 8;
            let (f, g) = (Wide::<2>([f as u64, (f >> 64) as u64]), g % f);
            let n = steps_needed(&f, &Wide([g as u64, (g >> 64) as u64]));
            assert!(n <= bound, "{n} steps");
        }
    }

    /// The inverse of the inverse is the value, for edge and random values mod each GOST
    /// modulus, both ways (the check against Fermat's inverse is in field/mod.rs's tests).
    #[test]
    fn inverse_of_inverse_is_value() {
        fn check<const N: usize>(hexes: &[&str]) {
            let mut rng = Rng(0x1e + N as u64);
            for h in hexes {
                let m: [u64; N] = limbs_from_hex(h);
                // m⁻¹ mod 2⁶⁴ by Newton
                let mut minv = 1u64;
                for _ in 0..6 {
                    minv = minv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(minv)));
                }
                for x in [small(1), small(2), sub_limbs(&m, &small(1)).0, rng.limbs()] {
                    let mut x = x;
                    x[N - 1] &= u64::MAX >> (m[N - 1].leading_zeros() + 1);
                    let inv = safegcd_inverse::<N, false>(&x, &m, minv);
                    assert_eq!(safegcd_inverse::<N, true>(&x, &m, minv), inv);
                    let back = safegcd_inverse::<N, false>(&inv, &m, minv);
                    assert_eq!(back, x, "{x:x?} mod {m:x?}");
                }
                let zero = [0u64; N];
                assert_eq!(safegcd_inverse::<N, false>(&zero, &m, minv), zero);
                assert_eq!(safegcd_inverse::<N, true>(&zero, &m, minv), zero);
            }
        }
        check::<4>(&MODULI_256);
        check::<8>(&MODULI_512);
    }
}
