//! Montgomery arithmetic modulo an odd modulus held in `N` little-endian 64-bit limbs.
//!
//! One type serves both the base field (modulo p) and the scalars (modulo q) of every parameter
//! set: 4 limbs for 256-bit sets, 8 for 512-bit ones. Elements are kept in Montgomery form
//! (a·R mod m, R = 2^(64N)) and fully reduced. Every operation here runs in time independent of
//! the values (no branch or index on them); only exponents given as public limbs (`pow_public`)
//! drive branches, and those are moduli, never secrets.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// A field element in Montgomery form, fully reduced (< m).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fe<const N: usize>(pub(crate) [u64; N]);

impl<const N: usize> Default for Fe<N> {
    fn default() -> Self {
        Fe([0; N])
    }
}

impl<const N: usize> ConditionallySelectable for Fe<N> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        let mut out = [0u64; N];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u64::conditional_select(&a.0[i], &b.0[i], choice);
        }
        Fe(out)
    }
}

impl<const N: usize> ConstantTimeEq for Fe<N> {
    fn ct_eq(&self, other: &Self) -> Choice {
        let mut acc = 0u64;
        for i in 0..N {
            acc |= self.0[i] ^ other.0[i];
        }
        acc.ct_eq(&0)
    }
}

#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + b as u128 + carry as u128;
    (t as u64, (t >> 64) as u64)
}

#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (t as u64, ((t >> 64) as u64) & 1)
}

/// a + b, with the carry out (0 or 1).
#[inline(always)]
pub(crate) fn add_limbs<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut c = 0;
    for i in 0..N {
        (out[i], c) = adc(a[i], b[i], c);
    }
    (out, c)
}

/// a − b, with the borrow out (0 or 1).
#[inline(always)]
pub(crate) fn sub_limbs<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut br = 0;
    for i in 0..N {
        (out[i], br) = sbb(a[i], b[i], br);
    }
    (out, br)
}

/// Whether a < b (variable time: public values only).
pub(crate) fn lt_vartime<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// Whether every limb is zero, in constant time.
pub(crate) fn is_zero_limbs<const N: usize>(a: &[u64; N]) -> Choice {
    let mut acc = 0u64;
    for x in a {
        acc |= x;
    }
    acc.ct_eq(&0)
}

/// Limbs of a little-endian byte string of exactly 8·N bytes.
pub(crate) fn limbs_from_le<const N: usize>(bytes: &[u8]) -> [u64; N] {
    debug_assert_eq!(bytes.len(), 8 * N);
    let mut out = [0u64; N];
    for (i, chunk) in bytes.chunks_exact(8).enumerate().take(N) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        out[i] = u64::from_le_bytes(b);
    }
    out
}

/// Limbs of a big-endian byte string of exactly 8·N bytes.
pub(crate) fn limbs_from_be<const N: usize>(bytes: &[u8]) -> [u64; N] {
    debug_assert_eq!(bytes.len(), 8 * N);
    let mut out = [0u64; N];
    for (i, chunk) in bytes.rchunks_exact(8).enumerate().take(N) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        out[i] = u64::from_be_bytes(b);
    }
    out
}

/// Writes limbs as 8·N little-endian bytes into `out`.
pub(crate) fn limbs_to_le<const N: usize>(a: &[u64; N], out: &mut [u8]) {
    for (i, chunk) in out.chunks_exact_mut(8).enumerate().take(N) {
        chunk.copy_from_slice(&a[i].to_le_bytes());
    }
}

/// Writes limbs as 8·N big-endian bytes into `out`.
pub(crate) fn limbs_to_be<const N: usize>(a: &[u64; N], out: &mut [u8]) {
    for (i, chunk) in out.rchunks_exact_mut(8).enumerate().take(N) {
        chunk.copy_from_slice(&a[i].to_be_bytes());
    }
}

/// Limbs of a big-endian hex constant (parameter tables), exactly 16·N digits.
pub(crate) fn limbs_from_hex<const N: usize>(hex_str: &str) -> [u64; N] {
    let mut out = [0u64; N];
    let digits = hex_str.as_bytes();
    assert_eq!(
        digits.len(),
        16 * N,
        "parameter constant of the wrong length"
    );
    for (i, chunk) in digits.rchunks_exact(16).enumerate() {
        let s = std::str::from_utf8(chunk).expect("ASCII constant");
        out[i] = u64::from_str_radix(s, 16).expect("hex constant");
    }
    out
}

/// An odd modulus with its Montgomery constants.
#[derive(Clone, Debug)]
pub(crate) struct Modulus<const N: usize> {
    /// The modulus m.
    pub(crate) m: [u64; N],
    /// −m⁻¹ mod 2⁶⁴.
    minv: u64,
    /// R mod m (Montgomery form of 1).
    pub(crate) one: Fe<N>,
    /// R² mod m (turns an integer into Montgomery form).
    r2: Fe<N>,
    /// R³ mod m (for double-width reduction).
    r3: Fe<N>,
    /// m − 2 (Fermat exponent for inversion).
    m_minus_2: [u64; N],
    /// For m = 2^(64N) − c with a small c: elements are kept as plain integers and products
    /// reduced by folding (2^(64N) ≡ c), about half the multiplications of Montgomery's method.
    pseudo_mersenne: Option<u64>,
}

impl<const N: usize> Modulus<N> {
    /// The constants for an odd modulus m > 2.
    pub(crate) fn new(m: [u64; N]) -> Self {
        assert!(m[0] & 1 == 1, "modulus must be odd");
        // Newton iteration for m⁻¹ mod 2⁶⁴ (each step doubles the correct low bits).
        let mut inv: u64 = 1;
        for _ in 0..7 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(inv)));
        }
        let mut md = Modulus {
            m,
            minv: inv.wrapping_neg(),
            one: Fe([0; N]),
            r2: Fe([0; N]),
            r3: Fe([0; N]),
            m_minus_2: sub_limbs(&m, &small(2)).0,
            pseudo_mersenne: None,
        };
        // R mod m, then R² mod m, by doubling 1 modulo m (reduced at every step).
        let mut x = Fe(small::<N>(1));
        for _ in 0..64 * N {
            x = md.add(&x, &x);
        }
        md.one = x;
        for _ in 0..64 * N {
            x = md.add(&x, &x);
        }
        md.r2 = x;
        md.r3 = md.mul(&md.r2, &md.r2);
        md
    }

    /// Like [`Self::new`], but a modulus 2^(64N) − c with c < 2³² (the base fields of
    /// CryptoPro-A/XchA, TC26 256-A/B and TC26 512-A/C) gets the folding reduction and
    /// elements in plain (not Montgomery) form. Scalars (mod q) always use [`Self::new`].
    pub(crate) fn new_field(m: [u64; N]) -> Self {
        let mut md = Self::new(m);
        let c = m[0].wrapping_neg();
        if m[1..].iter().all(|&l| l == u64::MAX) && c < (1 << 32) {
            md.pseudo_mersenne = Some(c);
            md.one = Fe(small(1));
        }
        md
    }

    /// The product a·b in the element representation (Montgomery: a·b·R⁻¹ mod m).
    #[inline]
    pub(crate) fn mul(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        match self.pseudo_mersenne {
            Some(c) => Fe(self.pm_reduce(&mul_wide(&a.0, &b.0), c)),
            None => self.mont_mul(&a.0, &b.0),
        }
    }

    /// (hi·2^(64N) + lo) mod m for m = 2^(64N) − c, in constant time.
    #[inline(always)]
    fn pm_reduce(&self, t: &[[u64; N]; 2], c: u64) -> [u64; N] {
        let (lo, hi) = (&t[0], &t[1]);
        // s = lo + c·hi  (N limbs and a top word below 2^33)
        let mut s = [0u64; N];
        let mut carry = 0u64;
        for i in 0..N {
            let x = lo[i] as u128 + (c as u128) * (hi[i] as u128) + carry as u128;
            s[i] = x as u64;
            carry = (x >> 64) as u64;
        }
        // fold the top word: s += top·c
        let mut add = (carry as u128) * (c as u128);
        for x in s.iter_mut() {
            let y = *x as u128 + (add as u64) as u128;
            *x = y as u64;
            add = (add >> 64) + (y >> 64);
        }
        // a final carry means s wrapped past 2^(64N) ≡ c; s is tiny then, so adding c is exact
        let wrap = add as u64 & 1;
        let (s2, _) = add_limbs(&s, &small(c & 0u64.wrapping_sub(wrap)));
        // s2 < 2^(64N) < 2m: subtract m once if s2 ≥ m
        let (d, borrow) = sub_limbs(&s2, &self.m);
        select_mask(&d, &s2, borrow)
    }

    #[inline(always)]
    fn mont_mul(&self, a: &[u64; N], b: &[u64; N]) -> Fe<N> {
        let m = &self.m;
        let mut t = [0u64; N];
        let mut t_hi: u64 = 0;
        for &bi in b.iter() {
            // t += a·bᵢ
            let mut c = 0u64;
            for j in 0..N {
                let x = t[j] as u128 + (a[j] as u128) * (bi as u128) + c as u128;
                t[j] = x as u64;
                c = (x >> 64) as u64;
            }
            let x = t_hi as u128 + c as u128;
            let top = x as u64;
            let top2 = (x >> 64) as u64;
            // t = (t + u·m) / 2⁶⁴ with u chosen to clear the low limb
            let u = t[0].wrapping_mul(self.minv);
            let x = t[0] as u128 + (u as u128) * (m[0] as u128);
            let mut c = (x >> 64) as u64;
            for j in 1..N {
                let x = t[j] as u128 + (u as u128) * (m[j] as u128) + c as u128;
                t[j - 1] = x as u64;
                c = (x >> 64) as u64;
            }
            let x = top as u128 + c as u128;
            t[N - 1] = x as u64;
            t_hi = top2 + (x >> 64) as u64;
        }
        // t < 2m: subtract m once if t ≥ m (the top bit counts).
        let (r, borrow) = sub_limbs(&t, m);
        Fe(select_mask(&r, &t, borrow & (1 ^ (t_hi & 1))))
    }

    /// a² (each cross product computed once: about a third fewer word products).
    #[inline]
    pub(crate) fn square(&self, a: &Fe<N>) -> Fe<N> {
        self.square_inline(a)
    }

    /// a^(2^n): n squarings in one loop (inlined, for the exponentiation chains).
    fn square_n(&self, a: &Fe<N>, n: usize) -> Fe<N> {
        let mut x = *a;
        for _ in 0..n {
            x = self.square_inline(&x);
        }
        x
    }

    #[inline(always)]
    fn square_inline(&self, a: &Fe<N>) -> Fe<N> {
        let t = sqr_wide(&a.0);
        match self.pseudo_mersenne {
            Some(c) => Fe(self.pm_reduce(&t, c)),
            None => self.mont_reduce(&t),
        }
    }

    /// Montgomery reduction of a 2N-limb value below m·R: t·R⁻¹ mod m.
    #[inline(always)]
    fn mont_reduce(&self, t: &[[u64; N]; 2]) -> Fe<N> {
        let mut buf = [0u64; 16];
        buf[..N].copy_from_slice(&t[0]);
        buf[N..2 * N].copy_from_slice(&t[1]);
        let mut hi_carry = 0u64;
        for i in 0..N {
            let u = buf[i].wrapping_mul(self.minv);
            let mut c = 0u64;
            for j in 0..N {
                let x = buf[i + j] as u128 + (u as u128) * (self.m[j] as u128) + c as u128;
                buf[i + j] = x as u64;
                c = (x >> 64) as u64;
            }
            let x = buf[i + N] as u128 + c as u128 + hi_carry as u128;
            buf[i + N] = x as u64;
            hi_carry = (x >> 64) as u64;
        }
        let r: [u64; N] = std::array::from_fn(|i| buf[N + i]);
        let (d, borrow) = sub_limbs(&r, &self.m);
        Fe(select_mask(&d, &r, borrow & (1 ^ hi_carry)))
    }

    /// a + b mod m.
    #[inline]
    pub(crate) fn add(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        let (s, carry) = add_limbs(&a.0, &b.0);
        let (d, borrow) = sub_limbs(&s, &self.m);
        // keep s only when there was no carry out and s < m
        Fe(select_mask(&d, &s, (1 ^ carry) & borrow))
    }

    /// a − b mod m.
    #[inline]
    pub(crate) fn sub(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        let (d, borrow) = sub_limbs(&a.0, &b.0);
        let mask = 0u64.wrapping_sub(borrow);
        let addend: [u64; N] = std::array::from_fn(|i| self.m[i] & mask);
        Fe(add_limbs(&d, &addend).0)
    }

    /// 2a mod m.
    #[inline]
    pub(crate) fn double(&self, a: &Fe<N>) -> Fe<N> {
        self.add(a, a)
    }

    /// −a mod m.
    #[inline]
    pub(crate) fn neg(&self, a: &Fe<N>) -> Fe<N> {
        self.sub(&Fe([0; N]), a)
    }

    /// The element for any integer x < 2^(64N), reduced modulo m.
    #[inline]
    pub(crate) fn to_mont(&self, x: &[u64; N]) -> Fe<N> {
        if let Some(c) = self.pseudo_mersenne {
            return Fe(self.pm_reduce(&[*x, [0; N]], c));
        }
        self.mont_mul(x, &self.r2.0)
    }

    /// The element for hi·2^(64N) + lo, reduced modulo m.
    pub(crate) fn to_mont_wide(&self, lo: &[u64; N], hi: &[u64; N]) -> Fe<N> {
        if let Some(c) = self.pseudo_mersenne {
            return Fe(self.pm_reduce(&[*lo, *hi], c));
        }
        let l = self.mont_mul(lo, &self.r2.0);
        let h = self.mont_mul(hi, &self.r3.0);
        self.add(&l, &h)
    }

    /// The integer (0 ≤ x < m) an element stands for.
    #[inline]
    pub(crate) fn to_uint(&self, a: &Fe<N>) -> [u64; N] {
        if self.pseudo_mersenne.is_some() {
            return a.0;
        }
        self.mont_mul(&a.0, &small(1)).0
    }

    /// Whether a is zero, in constant time.
    #[inline]
    pub(crate) fn is_zero(&self, a: &Fe<N>) -> Choice {
        is_zero_limbs(&a.0)
    }

    /// a^e for a public exponent e, constant time in a: the sequence of squarings and
    /// multiplications depends only on e. Exponents that are mostly ones (p − 2, (p + 1)/4,
    /// (p − 1)/2 of the fields 2^(64N) − c) go by runs of ones ([`Self::pow_runs`]); the others
    /// by fixed 4-bit windows.
    pub(crate) fn pow_public(&self, a: &Fe<N>, e: &[u64; N]) -> Fe<N> {
        let bits = bit_len(e);
        if bits >= 64 && 2 * leading_ones(e, bits) >= bits {
            self.pow_runs(a, e, bits)
        } else {
            self.pow_windows(a, e)
        }
    }

    /// a^e by runs of ones: t[i] = a^(2^(2^i) − 1) is built while the leading run is consumed
    /// (t[i] = t[i−1]^(2^(2^(i−1)))·t[i−1], squarings the chain needs anyway); every later run
    /// of r ones costs r squarings and one multiplication per set bit of r; each zero one
    /// squaring. For p − 2 of a 256-bit 2^256 − c field: 255 squarings and ~18 multiplications
    /// instead of 256 and 78 with windows.
    fn pow_runs(&self, a: &Fe<N>, e: &[u64; N], bits: usize) -> Fe<N> {
        let bit = |i: usize| (e[i / 64] >> (i % 64)) & 1 == 1;
        let lead = leading_ones(e, bits);
        // t[i] for 2^i ≤ lead ≤ 512: at most 10 entries, on the stack (no allocation, so the
        // instruction count of a call depends on nothing but e)
        let mut table = [*a; 10];
        let mut len = 1;
        while 2 << (len - 1) <= lead {
            let last = table[len - 1];
            let x = self.square_n(&last, 1 << (len - 1));
            table[len] = self.mul(&x, &last);
            len += 1;
        }
        let t = &table[..len];
        // acc = a^(2^len − 1) for a run of len ones, appended below the bits done so far
        let append_run = |acc: Fe<N>, len: usize, t: &[Fe<N>]| -> Fe<N> {
            let mut acc = acc;
            for j in (0..t.len()).rev() {
                if len >> j & 1 == 1 {
                    acc = self.mul(&self.square_n(&acc, 1 << j), &t[j]);
                }
            }
            acc
        };
        let top = t.len() - 1;
        let mut acc = t[top];
        acc = append_run(acc, lead - (1 << top), t);
        let mut i = bits - lead; // bits still to do: i − 1 down to 0
        while i > 0 {
            if !bit(i - 1) {
                let mut zeros = 0;
                while i > 0 && !bit(i - 1) {
                    zeros += 1;
                    i -= 1;
                }
                acc = self.square_n(&acc, zeros);
                continue;
            }
            let mut run = 0;
            while i > 0 && bit(i - 1) {
                run += 1;
                i -= 1;
            }
            // a run longer than the table allows is split (cannot happen after the leading run
            // of these exponents, but stays correct)
            let max = (1usize << (top + 1)) - 1;
            while run > 0 {
                let part = run.min(max);
                acc = append_run(acc, part, t);
                run -= part;
            }
        }
        acc
    }

    /// a^e for a public exponent e (square-and-multiply, fixed 4-bit windows).
    fn pow_windows(&self, a: &Fe<N>, e: &[u64; N]) -> Fe<N> {
        let mut table = [self.one; 16];
        for i in 1..16 {
            table[i] = self.mul(&table[i - 1], a);
        }
        let mut acc = self.one;
        let mut started = false;
        for i in (0..N).rev() {
            for nib in (0..16).rev() {
                if started {
                    for _ in 0..4 {
                        acc = self.square(&acc);
                    }
                }
                let d = ((e[i] >> (4 * nib)) & 0xF) as usize;
                if d != 0 {
                    acc = self.mul(&acc, &table[d]);
                    started = true;
                }
            }
        }
        acc
    }

    /// a⁻¹ mod m (m prime), by Fermat: constant time in a; 0 maps to 0.
    pub(crate) fn invert(&self, a: &Fe<N>) -> Fe<N> {
        self.pow_public(a, &self.m_minus_2)
    }

    /// a⁻¹ mod m for a **public** a, by the binary extended Euclidean algorithm: its branches
    /// and running time depend on a, so it serves verification only (never a secret). About
    /// three times faster than [`Self::invert`]. 0 maps to 0.
    pub(crate) fn invert_vartime(&self, a: &Fe<N>) -> Fe<N> {
        if bool::from(is_zero_limbs(&a.0)) {
            return *a;
        }
        let m = &self.m;
        // invariants: x1·a ≡ u and x2·a ≡ v (mod m), with a the stored integer
        let (mut u, mut v) = (a.0, *m);
        let (mut x1, mut x2) = (small::<N>(1), [0u64; N]);
        let one = small::<N>(1);
        while u != one && v != one {
            while u[0] & 1 == 0 {
                u = shr1(&u, 0);
                x1 = self.half(&x1);
            }
            while v[0] & 1 == 0 {
                v = shr1(&v, 0);
                x2 = self.half(&x2);
            }
            if !lt_vartime(&u, &v) {
                u = sub_limbs(&u, &v).0;
                x1 = self.sub(&Fe(x1), &Fe(x2)).0;
            } else {
                v = sub_limbs(&v, &u).0;
                x2 = self.sub(&Fe(x2), &Fe(x1)).0;
            }
        }
        let inv = if u == one { x1 } else { x2 };
        match self.pseudo_mersenne {
            // plain integers: the inverse is the element
            Some(_) => Fe(inv),
            // a is stored as αR, so inv = α⁻¹R⁻¹; α⁻¹R = inv·R² = mont_mul(inv, R³)
            None => self.mont_mul(&inv, &self.r3.0),
        }
    }

    /// x/2 mod m for x < m (variable time).
    #[inline]
    fn half(&self, x: &[u64; N]) -> [u64; N] {
        if x[0] & 1 == 0 {
            shr1(x, 0)
        } else {
            let (s, carry) = add_limbs(x, &self.m);
            shr1(&s, carry)
        }
    }
}

/// Masks for a constant-time table scan: `masks[j]` is all ones when `digit` = j + 1, else
/// zero (all zero for digit 0), computed without a branch. The array goes through
/// `std::hint::black_box`, an optimisation barrier, so that the compiler cannot turn the masked
/// reads that follow back into a branch or an index on the digit.
#[inline(always)]
pub(crate) fn scan_masks<const E: usize>(digit: u32) -> [u64; E] {
    let masks: [u64; E] = std::array::from_fn(|j| {
        let x = ((j as u32 + 1) ^ digit) as u64; // < 2³², zero iff digit = j + 1
        (x.wrapping_sub(1) >> 63).wrapping_neg()
    });
    std::hint::black_box(masks)
}

/// `b` if `bit` is 1, else `a`, by masking (no branch; `bit` is 0 or 1). The field code uses
/// plain masks rather than `subtle::Choice`, whose optimisation barrier costs more than the
/// arithmetic around it; both are branch-free.
#[inline(always)]
fn select_mask<const N: usize>(a: &[u64; N], b: &[u64; N], bit: u64) -> [u64; N] {
    let mask = 0u64.wrapping_sub(bit);
    std::array::from_fn(|i| (a[i] & !mask) | (b[i] & mask))
}

/// The 2N-limb product a·b as [low half, high half] (schoolbook, constant time).
#[inline(always)]
fn mul_wide<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [[u64; N]; 2] {
    let mut lo = [0u64; N];
    let mut hi = [0u64; N];
    for i in 0..N {
        let mut c = 0u64;
        for (j, &aj) in a.iter().enumerate() {
            let k = i + j;
            let cur = if k < N { lo[k] } else { hi[k - N] };
            let x = cur as u128 + (aj as u128) * (b[i] as u128) + c as u128;
            if k < N {
                lo[k] = x as u64;
            } else {
                hi[k - N] = x as u64;
            }
            c = (x >> 64) as u64;
        }
        hi[i] = c;
    }
    [lo, hi]
}

/// The 2N-limb square a² as [low half, high half]: cross products once, doubled, plus the
/// diagonal (constant time; N ≤ 8).
#[inline(always)]
fn sqr_wide<const N: usize>(a: &[u64; N]) -> [[u64; N]; 2] {
    let mut t = [0u64; 16];
    for i in 0..N {
        let mut c = 0u64;
        for j in (i + 1)..N {
            let x = t[i + j] as u128 + (a[i] as u128) * (a[j] as u128) + c as u128;
            t[i + j] = x as u64;
            c = (x >> 64) as u64;
        }
        t[i + N] = c;
    }
    let mut carry = 0u64;
    for x in t.iter_mut().take(2 * N) {
        let v = *x;
        *x = (v << 1) | carry;
        carry = v >> 63;
    }
    let mut c = 0u64;
    for (i, &ai) in a.iter().enumerate() {
        let sq = (ai as u128) * (ai as u128);
        let x = t[2 * i] as u128 + (sq as u64) as u128 + c as u128;
        t[2 * i] = x as u64;
        c = (x >> 64) as u64;
        let x = t[2 * i + 1] as u128 + (sq >> 64) + c as u128;
        t[2 * i + 1] = x as u64;
        c = (x >> 64) as u64;
    }
    [
        std::array::from_fn(|i| t[i]),
        std::array::from_fn(|i| t[N + i]),
    ]
}

/// The number of significant bits of e.
fn bit_len<const N: usize>(e: &[u64; N]) -> usize {
    (0..N)
        .rev()
        .find(|&i| e[i] != 0)
        .map_or(0, |i| 64 * i + 64 - e[i].leading_zeros() as usize)
}

/// How many ones e has from bit `bits − 1` down (its top bit included).
fn leading_ones<const N: usize>(e: &[u64; N], bits: usize) -> usize {
    (0..bits)
        .rev()
        .take_while(|&i| (e[i / 64] >> (i % 64)) & 1 == 1)
        .count()
}

/// (top·2^(64N) + a) >> 1 for a top bit `top` (0 or 1).
#[inline(always)]
fn shr1<const N: usize>(a: &[u64; N], top: u64) -> [u64; N] {
    std::array::from_fn(|i| {
        let hi = if i + 1 < N { a[i + 1] } else { top };
        (a[i] >> 1) | (hi << 63)
    })
}

/// A small integer as limbs.
pub(crate) const fn small<const N: usize>(v: u64) -> [u64; N] {
    let mut out = [0u64; N];
    out[0] = v;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p256a() -> Modulus<4> {
        Modulus::new(limbs_from_hex(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
        ))
    }

    #[test]
    fn montgomery_round_trip_and_inverse() {
        for md in [
            p256a(),
            Modulus::new_field(limbs_from_hex(
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
            )),
            Modulus::new(limbs_from_hex(
                "8000000000000000000000000000000000000000000000000000000000000C99",
            )),
            Modulus::new(limbs_from_hex(
                "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
            )),
        ] {
            let x = [0x1234_5678_9abc_def0, 7, 0xffff_ffff, 3];
            let a = md.to_mont(&x);
            assert_eq!(md.to_uint(&a), x);
            assert_eq!(md.square(&a), md.mul(&a, &a));
            let big = md.to_mont(&sub_limbs(&md.m, &small(1)).0);
            assert_eq!(md.square(&big), md.mul(&big, &big));
            let inv = md.invert(&a);
            assert_eq!(md.mul(&a, &inv), md.one);
            assert_eq!(md.invert_vartime(&a), inv);
            assert_eq!(md.invert_vartime(&Fe::default()), Fe::default());
            // the binary algorithm against Fermat on a walk of values, 1 and m − 1 included
            let mut x = md.one;
            for _ in 0..200 {
                assert_eq!(md.invert_vartime(&x), md.invert(&x));
                x = md.add(&md.mul(&x, &a), &md.one);
            }
            let m1 = md.to_mont(&sub_limbs(&md.m, &small(1)).0);
            assert_eq!(md.invert_vartime(&m1), m1);
            // runs of ones and windows agree (exponents with long runs, isolated bits, zeros)
            for e in [
                md.m_minus_2,
                sub_limbs(&md.m, &small(1)).0,
                [u64::MAX; 4],
                [
                    0x0f0f_ffff_0000_fffe,
                    u64::MAX,
                    u64::MAX >> 1,
                    u64::MAX >> 1,
                ],
                [
                    0xffff_ffff_ffff_fffb,
                    u64::MAX,
                    u64::MAX,
                    0x3fff_ffff_ffff_ffff,
                ],
                [1, 0, 0, 0],
                [0x1234_5678, 0, 0, 0],
            ] {
                let bits = bit_len(&e);
                let want = md.pow_windows(&a, &e);
                assert_eq!(md.pow_public(&a, &e), want);
                if bits > 0 {
                    assert_eq!(md.pow_runs(&a, &e, bits), want);
                }
            }
            let b = md.to_mont(&[5, 0, 0, 0]);
            assert_eq!(md.sub(&md.add(&a, &b), &b), a);
            assert_eq!(md.add(&md.neg(&a), &a), Fe::default());
            // m − 1 reduces to itself; the all-ones value reduces modulo m.
            let m1 = sub_limbs(&md.m, &small(1)).0;
            assert_eq!(md.to_uint(&md.to_mont(&m1)), m1);
            let ones = [u64::MAX; 4];
            let r = md.to_uint(&md.to_mont(&ones));
            assert!(lt_vartime(&r, &md.m));
        }
    }

    #[test]
    fn byte_conversions() {
        let mut be = [0u8; 32];
        be[31] = 1;
        be[0] = 0x80;
        let l: [u64; 4] = limbs_from_be(&be);
        assert_eq!(l, [1, 0, 0, 0x8000_0000_0000_0000]);
        let mut out = [0u8; 32];
        limbs_to_be(&l, &mut out);
        assert_eq!(out, be);
        limbs_to_le(&l, &mut out);
        assert_eq!(out[0], 1);
        assert_eq!(limbs_from_le::<4>(&out), l);
    }
}
