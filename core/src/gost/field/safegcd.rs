//! Inversion modulo an odd m by Bernstein–Yang divsteps ("safegcd"): the constant-time
//! inversion of [`Modulus::invert`](super::Modulus::invert) and the variable-time one of
//! [`Modulus::invert_vartime`](super::Modulus::invert_vartime).

/// 2⁶² − 1: the limb mask of the signed base-2⁶² numbers of [`safegcd_inverse`].
const M62: u64 = (1 << 62) - 1;

/// Limbs of the signed base-2⁶² numbers: 5 hold a 256-bit value with its sign, 9 a 512-bit one.
const L62_MAX: usize = 9;

/// A signed integer Σ xᵢ·2^(62i): limbs 0..L−1 in [0, 2⁶²), the top limb L − 1 signed.
type S62 = [i64; L62_MAX];

/// The base-2⁶² limbs of an unsigned N-limb value (L = 64N/62 + 1 limbs).
#[inline(always)]
fn to_s62<const N: usize>(x: &[u64; N]) -> S62 {
    let mut out = [0i64; L62_MAX];
    for (i, o) in out.iter_mut().enumerate().take(64 * N / 62 + 1) {
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
fn from_s62<const N: usize>(x: &S62) -> [u64; N] {
    let mut out = [0u64; N];
    for (i, &l) in x.iter().enumerate().take(64 * N / 62 + 1) {
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

/// 62 divsteps of Bernstein–Yang on the low 64 bits of f (odd) and g, branch-free: returns the
/// new δ and the transition matrix [u, v, q, r] with 2⁶²·(f′, g′) = (u·f + v·g, q·f + r·g).
/// One divstep: if δ > 0 and g is odd, (δ, f, g) → (1 − δ, g, (g − f)/2); otherwise
/// (1 + δ, f, (g + (g mod 2)·f)/2). The low bits suffice: after j steps the low 64 − j bits
/// of the words are still exact, and each step reads only bit 0.
#[inline(always)]
fn divsteps_62(delta: i64, f: u64, g: u64) -> (i64, [i64; 4]) {
    let (mut delta, mut f, mut g) = (delta, f, g);
    let (mut u, mut v, mut q, mut r) = (1i64, 0i64, 0i64, 1i64);
    for _ in 0..62 {
        let pos = delta.wrapping_neg() >> 63; // all ones when δ > 0
        let odd = ((g & 1) as i64).wrapping_neg(); // all ones when g is odd
        // g += ±f when g is odd (−f when δ > 0), the g row likewise
        let (x, y, z) = ((f as i64 ^ pos) - pos, (u ^ pos) - pos, (v ^ pos) - pos);
        g = g.wrapping_add((x & odd) as u64);
        q += y & odd;
        r += z & odd;
        // on a swap (δ > 0 and g odd) f takes the old g: f + (g − f), and δ → −δ
        let swap = pos & odd;
        delta = (delta ^ swap) - swap + 1;
        f = f.wrapping_add(g & swap as u64);
        u += q & swap;
        v += r & swap;
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    (delta, [u, v, q, r])
}

/// [`divsteps_62`] in variable time (public inputs only): runs of zero bits of g are shifted
/// out at once, and each odd g costs one swap test and one addition.
#[inline(always)]
fn divsteps_62_vartime(delta: i64, f: u64, g: u64) -> (i64, [i64; 4]) {
    let (mut delta, mut f, mut g) = (delta, f, g);
    let (mut u, mut v, mut q, mut r) = (1i64, 0i64, 0i64, 1i64);
    let mut left = 62u32;
    loop {
        // halving steps for the zeros of g (δ + 1 and the f row doubled for each)
        let zeros = g.trailing_zeros().min(left);
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        delta += zeros as i64;
        left -= zeros;
        if left == 0 {
            break;
        }
        // g is odd: swap when δ > 0, then g + f (the halving follows at the top of the loop)
        if delta > 0 {
            (f, g) = (g, f.wrapping_neg());
            (u, v, q, r) = (q, r, -u, -v);
            delta = -delta;
        }
        g = g.wrapping_add(f);
        q += u;
        r += v;
    }
    (delta, [u, v, q, r])
}

/// (u·x + v·y) / 2⁶² for signed base-2⁶² x, y whose combination is divisible by 2⁶² (exact).
#[inline(always)]
fn s62_combine(len: usize, t: &[i64; 4], row: usize, x: &S62, y: &S62) -> S62 {
    let (u, v) = (t[2 * row] as i128, t[2 * row + 1] as i128);
    let mut out = [0i64; L62_MAX];
    let mut acc = u * x[0] as i128 + v * y[0] as i128;
    debug_assert_eq!(acc as u64 & M62, 0);
    acc >>= 62;
    for i in 1..len {
        acc += u * x[i] as i128 + v * y[i] as i128;
        out[i - 1] = (acc as u64 & M62) as i64;
        acc >>= 62;
    }
    out[len - 1] = acc as i64;
    out
}

/// (u·d + v·e)·2⁻⁶² mod m for d, e in [0, m), as a value in [0, m): k·m is added with k < 2⁶²
/// chosen to clear the low 62 bits (minv62 = m⁻¹ mod 2⁶²), the exact quotient lies in [−m, 2m),
/// and one masked addition and one masked subtraction of m bring it into [0, m).
#[inline(always)]
fn s62_combine_mod(
    len: usize,
    t: &[i64; 4],
    row: usize,
    d: &S62,
    e: &S62,
    m: &S62,
    minv62: u64,
) -> S62 {
    let (u, v) = (t[2 * row], t[2 * row + 1]);
    let low = (u as u64)
        .wrapping_mul(d[0] as u64)
        .wrapping_add((v as u64).wrapping_mul(e[0] as u64));
    let k = (low.wrapping_mul(minv62).wrapping_neg() & M62) as i128;
    let (u, v) = (u as i128, v as i128);
    let mut out = [0i64; L62_MAX];
    let mut acc = u * d[0] as i128 + v * e[0] as i128 + k * m[0] as i128;
    debug_assert_eq!(acc as u64 & M62, 0);
    acc >>= 62;
    for i in 1..len {
        acc += u * d[i] as i128 + v * e[i] as i128 + k * m[i] as i128;
        out[i - 1] = (acc as u64 & M62) as i64;
        acc >>= 62;
    }
    out[len - 1] = acc as i64;
    // [−m, 2m) → [0, 2m) → [0, m)
    let neg = out[len - 1] >> 63;
    out = s62_add_masked(len, &out, m, neg, false);
    let minus_m = s62_add_masked(len, &out, m, -1, true);
    let keep = minus_m[len - 1] >> 63; // all ones when out − m < 0
    std::array::from_fn(|i| minus_m[i] ^ ((minus_m[i] ^ out[i]) & keep))
}

/// x + (m & mask), or x − (m & mask) when `subtract`, in signed base 2⁶².
#[inline(always)]
fn s62_add_masked(len: usize, x: &S62, m: &S62, mask: i64, subtract: bool) -> S62 {
    let mut out = [0i64; L62_MAX];
    let mut c = 0i64;
    for i in 0..len {
        let mi = m[i] & mask;
        c += if subtract { x[i] - mi } else { x[i] + mi };
        if i + 1 < len {
            out[i] = c & M62 as i64;
            c >>= 62;
        } else {
            out[i] = c;
        }
    }
    out
}

/// a⁻¹ mod m for an odd modulus m and an integer a < m, in constant time (Bernstein–Yang
/// "safegcd", 2019): ⌈(49·d + 57)/17 / 62⌉ batches of 62 divsteps for d = 64N (12 batches for
/// 256 bits, 24 for 512: enough for g to reach 0 for every input, after which the steps change
/// nothing), with f = ±gcd = ±1 at the end (0 when a = 0, then the result is 0). The
/// invariants d·a ≡ f and e·a ≡ g (mod m) carry the inverse; `minv62` is m⁻¹ mod 2⁶⁴ (its
/// low 62 bits are used).
/// With `VARTIME` (public inputs only) the batches stop once g = 0.
pub(super) fn safegcd_inverse<const N: usize, const VARTIME: bool>(
    a: &[u64; N],
    m: &[u64; N],
    minv: u64,
) -> [u64; N] {
    let len = 64 * N / 62 + 1;
    let batches = (49 * 64 * N + 57) / 17 / 62 + 1;
    let ms = to_s62(m);
    let minv62 = minv & M62;
    let (mut f, mut g) = (ms, to_s62(a));
    let mut d = [0i64; L62_MAX];
    let mut e = [0i64; L62_MAX];
    e[0] = 1;
    let mut delta = 1i64;
    for _ in 0..batches {
        if VARTIME && g[..len].iter().all(|&x| x == 0) {
            break;
        }
        let lo = |x: &S62| (x[0] as u64) | ((x[1] as u64) << 62);
        let (nd, t) = if VARTIME {
            divsteps_62_vartime(delta, lo(&f), lo(&g))
        } else {
            divsteps_62(delta, lo(&f), lo(&g))
        };
        delta = nd;
        (f, g) = (
            s62_combine(len, &t, 0, &f, &g),
            s62_combine(len, &t, 1, &f, &g),
        );
        (d, e) = (
            s62_combine_mod(len, &t, 0, &d, &e, &ms, minv62),
            s62_combine_mod(len, &t, 1, &d, &e, &ms, minv62),
        );
    }
    // g = 0 now, and f = ±1 (or m when a = 0, with d = 0): the inverse is ±d
    debug_assert!(g[..len].iter().all(|&x| x == 0));
    let neg = f[len - 1] >> 63;
    let minus_d = s62_add_masked(len, &ms, &d, -1, true);
    let r: S62 = std::array::from_fn(|i| d[i] ^ ((d[i] ^ minus_d[i]) & neg));
    from_s62(&r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::field::tests::Rng;

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
            let delta = (rng.next() % 41) as i64 - 20;
            assert_eq!(
                divsteps_62_vartime(delta, f, g),
                divsteps_62(delta, f, g),
                "δ = {delta}, f = {f:x}, g = {g:x}"
            );
        }
    }

    #[test]
    fn base_2_62_round_trip() {
        let mut rng = Rng(62);
        for _ in 0..100 {
            let x = rng.limbs::<4>();
            assert_eq!(from_s62::<4>(&to_s62(&x)), x);
            let y = rng.limbs::<8>();
            assert_eq!(from_s62::<8>(&to_s62(&y)), y);
            assert!(to_s62(&y).iter().all(|&l| (0..1 << 62).contains(&l)));
        }
    }

    /// The batch count covers the divsteps g needs to reach 0, with room: a plain
    /// (variable-time) divstep loop on random inputs and on m − 1, counted.
    #[test]
    fn divsteps_bound_has_room() {
        fn steps_needed(f: u128, g: u128) -> usize {
            let (mut delta, mut f, mut g) = (1i64, f as i128, g as i128);
            let mut n = 0;
            while g != 0 {
                if delta > 0 && g & 1 == 1 {
                    (delta, f, g) = (1 - delta, g, (g - f) >> 1);
                } else {
                    (delta, g) = (1 + delta, (g + (g & 1) * f) >> 1);
                }
                n += 1;
            }
            n
        }
        // on 120-bit odd moduli the bound (49d + 57)/17 is never reached
        let mut rng = Rng(7);
        let bound = (49 * 120 + 57) / 17;
        for _ in 0..2000 {
            let f = (rng.next() as u128 | (rng.next() as u128) << 64) >> 8 | 1;
            let g = (rng.next() as u128 | (rng.next() as u128) << 64) >> 8;
            assert!(steps_needed(f, g % f) <= bound);
        }
    }
}
