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

/// How a modulus reduces products, chosen once from its form when it is built. Every
/// operation dispatches on it with a `match` whose branch is the same on every call (perfectly
/// predicted, and independent of the values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Any odd modulus: Montgomery form a·R mod m, word-by-word Montgomery reduction.
    Mont,
    /// m = 2^(64N) − c with c < 2³¹ (the fields of CryptoPro-A/XchA, TC26 256-A/B, TC26
    /// 512-A/C): elements are plain integers (not Montgomery form) and a double-width product
    /// is folded, 2^(64N) ≡ c.
    Fold(u64),
    /// m = 2^(64N−1) + c with c < 2³⁰ (CryptoPro-B/TC26 256-C, TC26 512-B, the test sets):
    /// plain integers, a product folded with 2^(64N) ≡ −2c ([`plus_fold_reduce`]).
    Sparse(u64),
    /// [`Kind::Fold`] with 4 or 8 limbs on an x86-64 CPU with BMI2 and ADX (chosen once, at
    /// construction): the same elements and the same results, the products and squares in
    /// assembly ([`x86`]).
    FoldAdx(u64, x86::Token),
}

impl Kind {
    /// The c of m = 2^(64N) − c for the fold kinds.
    #[inline(always)]
    fn fold_c(self) -> Option<u64> {
        match self {
            Kind::Fold(c) | Kind::FoldAdx(c, _) => Some(c),
            Kind::Sparse(_) | Kind::Mont => None,
        }
    }

    /// Whether elements are plain integers (every kind but [`Kind::Mont`]).
    #[inline(always)]
    fn plain(self) -> bool {
        !matches!(self, Kind::Mont)
    }
}

/// An odd modulus with its Montgomery constants.
#[derive(Clone, Debug)]
pub(crate) struct Modulus<const N: usize> {
    /// The modulus m.
    pub(crate) m: [u64; N],
    /// −m⁻¹ mod 2⁶⁴.
    minv: u64,
    /// The element 1 (R mod m in Montgomery form, 1 for the plain kinds).
    pub(crate) one: Fe<N>,
    /// R² mod m (turns an integer into Montgomery form).
    r2: Fe<N>,
    /// R³ mod m (for double-width reduction).
    r3: Fe<N>,
    /// The reduction used by the products.
    kind: Kind,
}

impl<const N: usize> Modulus<N> {
    /// The constants for an odd modulus m > 2, with the generic Montgomery reduction (the
    /// group orders q, and the reference the specialised fields are tested against).
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
            kind: Kind::Mont,
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

    /// Like [`Self::new`], but a base field of a special form gets its specialised reduction,
    /// with elements as plain integers (not Montgomery form): 2^(64N) − c, c < 2³¹
    /// ([`Kind::Fold`]) or 2^(64N−1) + c, c < 2³⁰ ([`Kind::Sparse`]). Scalars (mod q) always
    /// use [`Self::new`].
    pub(crate) fn new_field(m: [u64; N]) -> Self {
        let mut md = Self::new(m);
        let c = m[0].wrapping_neg();
        if m[1..].iter().all(|&l| l == u64::MAX) && c < (1 << 31) {
            md.kind = match x86::Token::detect() {
                Some(cpu) if N == 4 || N == 8 => Kind::FoldAdx(c, cpu),
                _ => Kind::Fold(c),
            };
            md.one = Fe(small(1));
        } else if m[1..N - 1].iter().all(|&l| l == 0) && m[N - 1] == 1 << 63 && m[0] < (1 << 30) {
            md.kind = Kind::Sparse(m[0]);
            md.one = Fe(small(1));
        }
        md
    }

    /// The product a·b in the element representation (Montgomery: a·b·R⁻¹ mod m).
    ///
    /// The 4-limb assembly product is inlined into the caller (as the squares are): the
    /// call, the saved registers and the result through memory cost a tenth of it.
    #[inline(always)]
    pub(crate) fn mul(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        if let (4, Kind::FoldAdx(c, cpu)) = (N, self.kind) {
            return Fe(mul_fold_adx(cpu, &a.0, &b.0, c));
        }
        self.mul_any(a, b)
    }

    /// [`Self::mul`] for every kind, not inlined.
    #[inline(never)]
    fn mul_any(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        match self.kind {
            Kind::FoldAdx(c, cpu) => Fe(mul_fold_adx(cpu, &a.0, &b.0, c)),
            Kind::Fold(c) => Fe(fold_reduce(&mul_wide(&a.0, &b.0), c)),
            Kind::Sparse(c) => Fe(plus_fold_reduce(&mul_wide(&a.0, &b.0), c)),
            // multiplication and reduction interleaved (the product never takes 2N limbs)
            Kind::Mont => Fe(self.mont_mul(&a.0, &b.0)),
        }
    }

    /// a·b·R⁻¹ mod m for any odd m, word by word (CIOS): a < m, b < 2^(64N).
    #[inline(always)]
    fn mont_mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
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
        select_mask(&r, &t, borrow & (1 ^ (t_hi & 1)))
    }

    /// A double-width value (a product of two values below m, or of one below m and one below
    /// 2^(64N); any value for the plain kinds) reduced to an element: folded for
    /// [`Kind::Fold`] and [`Kind::Sparse`], times R⁻¹ for [`Kind::Mont`].
    #[inline(always)]
    fn reduce(&self, t: &[[u64; N]; 2]) -> [u64; N] {
        match self.kind {
            Kind::Fold(c) | Kind::FoldAdx(c, _) => fold_reduce(t, c),
            Kind::Sparse(c) => plus_fold_reduce(t, c),
            Kind::Mont => self.mont_reduce(t),
        }
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
        if let Kind::FoldAdx(c, cpu) = self.kind {
            return Fe(sqr_fold_adx(cpu, &a.0, c));
        }
        Fe(self.reduce(&sqr_wide(&a.0)))
    }

    /// Montgomery reduction of a 2N-limb value below m·R: t·R⁻¹ mod m (any odd m).
    #[inline(always)]
    fn mont_reduce(&self, t: &[[u64; N]; 2]) -> [u64; N] {
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
        select_mask(&d, &r, borrow & (1 ^ hi_carry))
    }

    /// a + b mod m.
    #[inline(always)]
    pub(crate) fn add(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        let (s, carry) = add_limbs(&a.0, &b.0);
        if let Some(c) = self.kind.fold_c() {
            // s ≥ m exactly when s + c carries; after a carry out, a + b − m = s + c < m
            let (t, carry2) = add_small(&s, c);
            return Fe(select_mask(&s, &t, carry | carry2));
        }
        let (d, borrow) = sub_limbs(&s, &self.m);
        // keep s only when there was no carry out and s < m
        Fe(select_mask(&d, &s, (1 ^ carry) & borrow))
    }

    /// a − b mod m.
    #[inline(always)]
    pub(crate) fn sub(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        let (d, borrow) = sub_limbs(&a.0, &b.0);
        let mask = 0u64.wrapping_sub(borrow);
        if let Some(c) = self.kind.fold_c() {
            // on a borrow, d + m = d − c modulo 2^(64N)
            return Fe(sub_small(&d, c & mask));
        }
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
        if self.kind.plain() {
            Fe(self.reduce(&[*x, [0; N]]))
        } else {
            Fe(self.reduce(&mul_wide(x, &self.r2.0)))
        }
    }

    /// The element for hi·2^(64N) + lo, reduced modulo m.
    pub(crate) fn to_mont_wide(&self, lo: &[u64; N], hi: &[u64; N]) -> Fe<N> {
        if self.kind.plain() {
            // the folds take any double-width value
            return Fe(self.reduce(&[*lo, *hi]));
        }
        let l = self.reduce(&mul_wide(lo, &self.r2.0));
        let h = self.reduce(&mul_wide(hi, &self.r3.0));
        self.add(&Fe(l), &Fe(h))
    }

    /// The integer (0 ≤ x < m) an element stands for.
    #[inline]
    pub(crate) fn to_uint(&self, a: &Fe<N>) -> [u64; N] {
        if self.kind.plain() {
            a.0
        } else {
            self.reduce(&[a.0, [0; N]])
        }
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

    /// a⁻¹ mod m (m prime), constant time in a; 0 maps to 0. By Bernstein–Yang divsteps
    /// ([`safegcd_inverse`]): a fixed number of batches of 62 branch-free steps, about a third
    /// (256-bit) to a sixth (512-bit) of the instructions of Fermat's a^(m−2).
    pub(crate) fn invert(&self, a: &Fe<N>) -> Fe<N> {
        let inv = safegcd_inverse::<N, false>(&a.0, &self.m, self.minv.wrapping_neg());
        self.element_of_inverse(inv)
    }

    /// The element whose integer inverse `inv` of the stored integer was computed.
    #[inline(always)]
    fn element_of_inverse(&self, inv: [u64; N]) -> Fe<N> {
        if self.kind.plain() {
            // plain integers: the inverse is the element
            Fe(inv)
        } else {
            // a is stored as αR, so inv = α⁻¹R⁻¹; α⁻¹R = inv·R³·R⁻¹
            Fe(self.reduce(&mul_wide(&inv, &self.r3.0)))
        }
    }

    /// a⁻¹ mod m by Fermat's little theorem, a^(m−2) (constant time in a; 0 maps to 0): the
    /// reference the divsteps inversion is tested against.
    #[cfg(test)]
    pub(crate) fn invert_fermat(&self, a: &Fe<N>) -> Fe<N> {
        self.pow_public(a, &sub_limbs(&self.m, &small(2)).0)
    }

    /// a⁻¹ mod m for a **public** a: the divsteps of [`Self::invert`], stopped as soon as g
    /// reaches 0 (after about 70% of the fixed count on random inputs), so its running time
    /// depends on a: verification only, never a secret. 0 maps to 0.
    pub(crate) fn invert_vartime(&self, a: &Fe<N>) -> Fe<N> {
        let inv = safegcd_inverse::<N, true>(&a.0, &self.m, self.minv.wrapping_neg());
        self.element_of_inverse(inv)
    }

    /// The Legendre symbol (a/m) of a **public** element for a prime m: 1 if a is a nonzero
    /// square, −1 if it is not a square, 0 if a = 0. Variable time (binary Jacobi algorithm on
    /// the canonical integer, no exponentiation): for public values only, such as the
    /// coordinates of a public key. For a composite odd m it is the Jacobi symbol.
    pub(crate) fn legendre_vartime(&self, a: &Fe<N>) -> i32 {
        jacobi_vartime(self.to_uint(a), self.m)
    }
}

/// `b` if `bit` is 1, else `a`, by masking (no branch; `bit` is 0 or 1). The field code uses
/// plain masks rather than `subtle::Choice`, whose optimisation barrier costs more than the
/// arithmetic around it; both are branch-free.
#[inline(always)]
fn select_mask<const N: usize>(a: &[u64; N], b: &[u64; N], bit: u64) -> [u64; N] {
    let mask = 0u64.wrapping_sub(bit);
    std::array::from_fn(|i| (a[i] & !mask) | (b[i] & mask))
}

/// The 2N-limb product a·b as [low half, high half], by product scanning (Comba): each column
/// of word products is summed into a three-word accumulator, then its low word is final.
/// Constant time. For 8 limbs the columns are written out (the compiler does not unroll these
/// nested loops of varying length); 4 limbs go row by row ([`mul_wide_rows`], which the
/// compiler unrolls and which executes fewer instructions there); the column loop serves any
/// other size and checks both.
#[inline(always)]
fn mul_wide<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [[u64; N]; 2] {
    if N <= 4 {
        mul_wide_rows(a, b)
    } else if N == 8 {
        halves(&mul_wide8(&resize(a), &resize(b)))
    } else {
        mul_wide_loop(a, b)
    }
}

/// The 2N-limb square a² as [low half, high half] (written out for 4 and 8 limbs, as
/// [`mul_wide`]).
#[inline(always)]
fn sqr_wide<const N: usize>(a: &[u64; N]) -> [[u64; N]; 2] {
    if N == 4 {
        halves(&sqr_wide4(&resize(a)))
    } else if N == 8 {
        halves(&sqr_wide8(&resize(a)))
    } else {
        sqr_wide_loop(a)
    }
}

/// The first M limbs of a (zeros past its end): a no-op copy where M = N, which is the only
/// place it is called with values.
#[inline(always)]
fn resize<const N: usize, const M: usize>(a: &[u64; N]) -> [u64; M] {
    std::array::from_fn(|i| a.get(i).copied().unwrap_or(0))
}

/// A 2N-limb value as [low half, high half].
#[inline(always)]
fn halves<const N: usize, const M: usize>(t: &[u64; M]) -> [[u64; N]; 2] {
    [
        resize(t),
        std::array::from_fn(|i| t.get(N + i).copied().unwrap_or(0)),
    ]
}

/// Adds the word products x·y of one column to a 128-bit accumulator (counting its
/// overflows), stores the column's low word in `out` and leaves the carry for the next column
/// in the accumulator.
macro_rules! column {
    ($out:expr, $acc:ident; $($x:expr, $y:expr);+) => {{
        let mut c0 = $acc as u64;
        let mut c1 = ($acc >> 64) as u64;
        let mut c2 = 0u64;
        $(
            let p = ($x as u128) * ($y as u128);
            let t = c0 as u128 + (p as u64) as u128;
            c0 = t as u64;
            let t = c1 as u128 + (p >> 64) + (t >> 64);
            c1 = t as u64;
            c2 += (t >> 64) as u64;
        )+
        $out = c0;
        $acc = (c1 as u128) | ((c2 as u128) << 64);
    }};
}

/// One column of a square: the cross products x·y once, doubled, the diagonal d² if the
/// column has one, and the carry in `acc`; stores the low word and leaves the carry.
macro_rules! sqr_column {
    ($out:expr, $acc:ident; [$($x:expr, $y:expr);*]; [$($d:expr)?]) => {{
        let (mut c0, mut c1, mut c2) = (0u64, 0u64, 0u64);
        $(
            let p = ($x as u128) * ($y as u128);
            let t = c0 as u128 + (p as u64) as u128;
            c0 = t as u64;
            let t = c1 as u128 + (p >> 64) + (t >> 64);
            c1 = t as u64;
            c2 += (t >> 64) as u64;
        )*
        c2 = (c2 << 1) | (c1 >> 63);
        c1 = (c1 << 1) | (c0 >> 63);
        c0 <<= 1;
        $(
            let p = ($d as u128) * ($d as u128);
            let t = c0 as u128 + (p as u64) as u128;
            c0 = t as u64;
            let t = c1 as u128 + (p >> 64) + (t >> 64);
            c1 = t as u64;
            c2 += (t >> 64) as u64;
        )?
        let t = c0 as u128 + ($acc as u64) as u128;
        c0 = t as u64;
        let t = c1 as u128 + ($acc >> 64) + (t >> 64);
        c1 = t as u64;
        c2 += (t >> 64) as u64;
        $out = c0;
        $acc = (c1 as u128) | ((c2 as u128) << 64);
    }};
}

/// The square of a 4-limb value, 2·4 limbs: per column the cross products once, doubled, plus the diagonal (written out).
#[inline(always)]
fn sqr_wide4(a: &[u64; 4]) -> [u64; 8] {
    let mut out = [0u64; 8];
    let mut acc: u128 = 0;
    sqr_column!(out[0], acc; []; [a[0]]);
    sqr_column!(out[1], acc; [a[0], a[1]]; []);
    sqr_column!(out[2], acc; [a[0], a[2]]; [a[1]]);
    sqr_column!(out[3], acc; [a[0], a[3]; a[1], a[2]]; []);
    sqr_column!(out[4], acc; [a[1], a[3]]; [a[2]]);
    sqr_column!(out[5], acc; [a[2], a[3]]; []);
    sqr_column!(out[6], acc; []; [a[3]]);
    out[7] = acc as u64;
    out
}

/// The product of two 8-limb values, 2·8 limbs, column by column (Comba, written out).
#[inline(always)]
fn mul_wide8(a: &[u64; 8], b: &[u64; 8]) -> [u64; 16] {
    let mut out = [0u64; 16];
    let mut acc: u128 = 0;
    column!(out[0], acc; a[0], b[0]);
    column!(out[1], acc; a[0], b[1]; a[1], b[0]);
    column!(out[2], acc; a[0], b[2]; a[1], b[1]; a[2], b[0]);
    column!(out[3], acc; a[0], b[3]; a[1], b[2]; a[2], b[1]; a[3], b[0]);
    column!(out[4], acc; a[0], b[4]; a[1], b[3]; a[2], b[2]; a[3], b[1]; a[4], b[0]);
    column!(out[5], acc; a[0], b[5]; a[1], b[4]; a[2], b[3]; a[3], b[2]; a[4], b[1]; a[5], b[0]);
    column!(out[6], acc; a[0], b[6]; a[1], b[5]; a[2], b[4]; a[3], b[3]; a[4], b[2]; a[5], b[1]; a[6], b[0]);
    column!(out[7], acc; a[0], b[7]; a[1], b[6]; a[2], b[5]; a[3], b[4]; a[4], b[3]; a[5], b[2]; a[6], b[1]; a[7], b[0]);
    column!(out[8], acc; a[1], b[7]; a[2], b[6]; a[3], b[5]; a[4], b[4]; a[5], b[3]; a[6], b[2]; a[7], b[1]);
    column!(out[9], acc; a[2], b[7]; a[3], b[6]; a[4], b[5]; a[5], b[4]; a[6], b[3]; a[7], b[2]);
    column!(out[10], acc; a[3], b[7]; a[4], b[6]; a[5], b[5]; a[6], b[4]; a[7], b[3]);
    column!(out[11], acc; a[4], b[7]; a[5], b[6]; a[6], b[5]; a[7], b[4]);
    column!(out[12], acc; a[5], b[7]; a[6], b[6]; a[7], b[5]);
    column!(out[13], acc; a[6], b[7]; a[7], b[6]);
    column!(out[14], acc; a[7], b[7]);
    out[15] = acc as u64;
    out
}

/// The square of an 8-limb value, 2·8 limbs: per column the cross products once, doubled, plus the diagonal (written out).
#[inline(always)]
fn sqr_wide8(a: &[u64; 8]) -> [u64; 16] {
    let mut out = [0u64; 16];
    let mut acc: u128 = 0;
    sqr_column!(out[0], acc; []; [a[0]]);
    sqr_column!(out[1], acc; [a[0], a[1]]; []);
    sqr_column!(out[2], acc; [a[0], a[2]]; [a[1]]);
    sqr_column!(out[3], acc; [a[0], a[3]; a[1], a[2]]; []);
    sqr_column!(out[4], acc; [a[0], a[4]; a[1], a[3]]; [a[2]]);
    sqr_column!(out[5], acc; [a[0], a[5]; a[1], a[4]; a[2], a[3]]; []);
    sqr_column!(out[6], acc; [a[0], a[6]; a[1], a[5]; a[2], a[4]]; [a[3]]);
    sqr_column!(out[7], acc; [a[0], a[7]; a[1], a[6]; a[2], a[5]; a[3], a[4]]; []);
    sqr_column!(out[8], acc; [a[1], a[7]; a[2], a[6]; a[3], a[5]]; [a[4]]);
    sqr_column!(out[9], acc; [a[2], a[7]; a[3], a[6]; a[4], a[5]]; []);
    sqr_column!(out[10], acc; [a[3], a[7]; a[4], a[6]]; [a[5]]);
    sqr_column!(out[11], acc; [a[4], a[7]; a[5], a[6]]; []);
    sqr_column!(out[12], acc; [a[5], a[7]]; [a[6]]);
    sqr_column!(out[13], acc; [a[6], a[7]]; []);
    sqr_column!(out[14], acc; []; [a[7]]);
    out[15] = acc as u64;
    out
}

/// The 2N-limb product a·b row by row (operand scanning): a·bᵢ added into the running sum.
#[inline(always)]
fn mul_wide_rows<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [[u64; N]; 2] {
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

/// [`mul_wide`] as loops, for any N ≤ 8.
fn mul_wide_loop<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [[u64; N]; 2] {
    let mut out = [0u64; 16];
    let mut acc: u128 = 0; // the column sum, bits 0..128
    for k in 0..2 * N - 1 {
        let mut top = 0u64; // the column sum, bits 128..
        let lo_i = (k + 1).saturating_sub(N);
        for i in lo_i..=k.min(N - 1) {
            let (s, o) = acc.overflowing_add((a[i] as u128) * (b[k - i] as u128));
            acc = s;
            top += o as u64;
        }
        out[k] = acc as u64;
        acc = (acc >> 64) | ((top as u128) << 64);
    }
    out[2 * N - 1] = acc as u64;
    [
        std::array::from_fn(|i| out[i]),
        std::array::from_fn(|i| out[N + i]),
    ]
}

/// [`sqr_wide`] as loops, for any N ≤ 8: per column the cross products aᵢaⱼ (i < j) once,
/// doubled, plus the diagonal square.
fn sqr_wide_loop<const N: usize>(a: &[u64; N]) -> [[u64; N]; 2] {
    let mut out = [0u64; 16];
    let mut carry: u128 = 0; // what the previous columns pass on
    for k in 0..2 * N - 1 {
        let (mut x, mut top) = (0u128, 0u64);
        let lo_i = (k + 1).saturating_sub(N);
        let mut i = lo_i;
        while 2 * i < k {
            let (s, o) = x.overflowing_add((a[i] as u128) * (a[k - i] as u128));
            x = s;
            top += o as u64;
            i += 1;
        }
        top = (top << 1) | (x >> 127) as u64;
        x <<= 1;
        if k % 2 == 0 {
            let (s, o) = x.overflowing_add((a[k / 2] as u128) * (a[k / 2] as u128));
            x = s;
            top += o as u64;
        }
        let (s, o) = x.overflowing_add(carry);
        x = s;
        top += o as u64;
        out[k] = x as u64;
        carry = (x >> 64) | ((top as u128) << 64);
    }
    out[2 * N - 1] = carry as u64;
    [
        std::array::from_fn(|i| out[i]),
        std::array::from_fn(|i| out[N + i]),
    ]
}

/// (hi·2^(64N) + lo) mod m for m = 2^(64N) − c, c < 2³¹, in constant time: two folds
/// (2^(64N) ≡ c) bring it below 2^(64N), then one conditional subtraction of m (as the
/// addition of c, whose carry tells s ≥ m).
#[inline(always)]
fn fold_reduce<const N: usize>(t: &[[u64; N]; 2], c: u64) -> [u64; N] {
    let (lo, hi) = (&t[0], &t[1]);
    // s = lo + c·hi: N limbs and a top word w ≤ c
    let mut s = [0u64; N];
    let mut acc: u128 = 0;
    for i in 0..N {
        acc += lo[i] as u128 + (c as u128) * (hi[i] as u128);
        s[i] = acc as u64;
        acc >>= 64;
    }
    // s += w·c < 2⁶²; a carry out means s wrapped past 2^(64N) ≡ c, and s < 2⁶² is then so
    // small that adding c to its low limb cannot carry
    let (s, wrap) = add_small(&s, (acc as u64) * c);
    let mut s = s;
    s[0] += c & 0u64.wrapping_sub(wrap);
    // s < 2^(64N) < 2m: s ≥ m exactly when s + c carries, and then s + c − 2^(64N) = s − m
    let (d, ge) = add_small(&s, c);
    select_mask(&s, &d, ge)
}

/// (hi·2^(64N) + lo) mod m for m = 2^(64N−1) + c, c < 2³⁰, in constant time. 2^(64N) ≡ −2c,
/// and −hi = !hi + 1 − 2^(64N), so the value is ≡ lo + 2c·!hi + 2c + 4c² (all terms
/// nonnegative): s with a top word w ≤ 2c + 1. Then s + w·2^(64N) ≡ s − 2cw; when that borrows,
/// the true value is a small negative number and adding m (clearing the top bit of the wrapped
/// difference and adding c) makes it exact; one conditional subtraction of m ends it.
#[inline(always)]
fn plus_fold_reduce<const N: usize>(t: &[[u64; N]; 2], c: u64) -> [u64; N] {
    let (lo, hi) = (&t[0], &t[1]);
    let c2 = 2 * c;
    let mut s = [0u64; N];
    let mut acc: u128 = (c2 + 4 * c * c) as u128;
    for i in 0..N {
        acc += lo[i] as u128 + (c2 as u128) * (!hi[i] as u128);
        s[i] = acc as u64;
        acc >>= 64;
    }
    let (mut d, borrow) = sub_limbs(&s, &small((acc as u64) * c2));
    let mask = borrow.wrapping_neg();
    d[N - 1] ^= mask & (1 << 63);
    let (d, _) = add_small(&d, c & mask);
    let (r, lt) = sub_limbs(&d, &sparse_m::<N>(c));
    select_mask(&r, &d, lt)
}

/// a·b mod 2^(64N) − c by the assembly of [`x86`] for 4 and 8 limbs; the portable fold
/// otherwise (never reached: [`Kind::FoldAdx`] is chosen only for those sizes).
#[inline(always)]
fn mul_fold_adx<const N: usize>(cpu: x86::Token, a: &[u64; N], b: &[u64; N], c: u64) -> [u64; N] {
    if let (Ok(a4), Ok(b4)) = (<&[u64; 4]>::try_from(&a[..]), <&[u64; 4]>::try_from(&b[..])) {
        return resize(&x86::mul_fold4(cpu, a4, b4, c));
    }
    if let (Ok(a8), Ok(b8)) = (<&[u64; 8]>::try_from(&a[..]), <&[u64; 8]>::try_from(&b[..])) {
        return resize(&x86::mul_fold8(cpu, a8, b8, c));
    }
    fold_reduce(&mul_wide(a, b), c)
}

/// a² mod 2^(64N) − c, as [`mul_fold_adx`].
#[inline(always)]
fn sqr_fold_adx<const N: usize>(cpu: x86::Token, a: &[u64; N], c: u64) -> [u64; N] {
    if let Ok(a4) = <&[u64; 4]>::try_from(&a[..]) {
        return resize(&x86::sqr_fold4(cpu, a4, c));
    }
    if let Ok(a8) = <&[u64; 8]>::try_from(&a[..]) {
        return resize(&x86::sqr_fold8(cpu, a8, c));
    }
    fold_reduce(&sqr_wide(a), c)
}

/// 2^(64N−1) + c as limbs.
#[inline(always)]
fn sparse_m<const N: usize>(c: u64) -> [u64; N] {
    let mut m = small::<N>(c);
    m[N - 1] |= 1 << 63;
    m
}

/// a + v for one word v, with the carry out of the top limb.
#[inline(always)]
fn add_small<const N: usize>(a: &[u64; N], v: u64) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut c = v;
    for i in 0..N {
        (out[i], c) = adc(a[i], c, 0);
    }
    (out, c)
}

/// a − v for one word v, modulo 2^(64N).
#[inline(always)]
fn sub_small<const N: usize>(a: &[u64; N], v: u64) -> [u64; N] {
    let mut out = [0u64; N];
    let mut b = v;
    for i in 0..N {
        (out[i], b) = sbb(a[i], b, 0);
    }
    out
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
#[cfg(test)]
fn shr1<const N: usize>(a: &[u64; N], top: u64) -> [u64; N] {
    std::array::from_fn(|i| {
        let hi = if i + 1 < N { a[i + 1] } else { top };
        (a[i] >> 1) | (hi << 63)
    })
}

/// The Jacobi symbol (a/n) for an odd n > a ≥ 0, by the binary algorithm (variable time).
///
/// Each round strips the factors of two of a (each flips the sign when n ≡ ±3 mod 8), swaps so
/// that a ≥ n with quadratic reciprocity (a flip when both are ≡ 3 mod 4), and replaces a by
/// the even a − n. Once both fit in 256 bits the rounds continue on 4 limbs, once they fit in
/// 128 bits on native u128.
fn jacobi_vartime<const N: usize>(a: [u64; N], n: [u64; N]) -> i32 {
    let (mut a, mut n) = (a, n);
    let mut t = 1i32;
    loop {
        if N > 4 && a[4..].iter().all(|&l| l == 0) && n[4..].iter().all(|&l| l == 0) {
            // the rest on 4 limbs (shorter shifts and subtractions)
            return t * jacobi_vartime::<4>(resize(&a), resize(&n));
        }
        if N <= 2 || (a[2..].iter().all(|&l| l == 0) && n[2..].iter().all(|&l| l == 0)) {
            let lo = |x: &[u64; N]| x[0] as u128 | (x.get(1).copied().unwrap_or(0) as u128) << 64;
            return t * jacobi_u128(lo(&a), lo(&n));
        }
        if bool::from(is_zero_limbs(&a)) {
            // n has more than two limbs here, so n ≠ 1 and gcd(a, n) = n > 1
            return 0;
        }
        let tz = trailing_zeros_limbs(&a);
        a = shr_vartime(&a, tz);
        if tz & 1 == 1 && matches!(n[0] & 7, 3 | 5) {
            t = -t;
        }
        if lt_vartime(&a, &n) {
            std::mem::swap(&mut a, &mut n);
            if a[0] & 3 == 3 && n[0] & 3 == 3 {
                t = -t;
            }
        }
        a = sub_limbs(&a, &n).0;
    }
}

/// The Jacobi symbol (a/n) for an odd n > 0 on native integers (variable time).
fn jacobi_u128(mut a: u128, mut n: u128) -> i32 {
    let mut t = 1i32;
    while a != 0 {
        let tz = a.trailing_zeros();
        a >>= tz;
        if tz & 1 == 1 && matches!(n & 7, 3 | 5) {
            t = -t;
        }
        if a < n {
            std::mem::swap(&mut a, &mut n);
            if a & 3 == 3 && n & 3 == 3 {
                t = -t;
            }
        }
        a -= n;
    }
    if n == 1 { t } else { 0 }
}

/// The number of trailing zero bits of a nonzero value.
fn trailing_zeros_limbs<const N: usize>(a: &[u64; N]) -> u32 {
    let mut tz = 0;
    for &l in a {
        if l != 0 {
            return tz + l.trailing_zeros();
        }
        tz += 64;
    }
    tz
}

/// a >> s for any s < 64N (variable time in s).
fn shr_vartime<const N: usize>(a: &[u64; N], s: u32) -> [u64; N] {
    let (w, b) = ((s / 64) as usize, s % 64);
    std::array::from_fn(|i| {
        let lo = a.get(i + w).copied().unwrap_or(0);
        let hi = a.get(i + w + 1).copied().unwrap_or(0);
        if b == 0 {
            lo
        } else {
            (lo >> b) | (hi << (64 - b))
        }
    })
}

/// A small integer as limbs.
pub(crate) const fn small<const N: usize>(v: u64) -> [u64; N] {
    let mut out = [0u64; N];
    out[0] = v;
    out
}

mod safegcd;
use safegcd::safegcd_inverse;

#[cfg(target_arch = "x86_64")]
mod x86;

/// Elsewhere there is no token, so [`Kind::FoldAdx`] is never built.
#[cfg(not(target_arch = "x86_64"))]
mod x86 {
    /// Uninhabited: no CPU of this architecture runs the x86-64 products.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(super) enum Token {}

    impl Token {
        /// Never a token.
        pub(super) fn detect() -> Option<Token> {
            None
        }
    }

    pub(super) fn mul_fold4(cpu: Token, _: &[u64; 4], _: &[u64; 4], _: u64) -> [u64; 4] {
        match cpu {}
    }

    pub(super) fn sqr_fold4(cpu: Token, _: &[u64; 4], _: u64) -> [u64; 4] {
        match cpu {}
    }

    pub(super) fn mul_fold8(cpu: Token, _: &[u64; 8], _: &[u64; 8], _: u64) -> [u64; 8] {
        match cpu {}
    }

    pub(super) fn sqr_fold8(cpu: Token, _: &[u64; 8], _: u64) -> [u64; 8] {
        match cpu {}
    }
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
                sub_limbs(&md.m, &small(2)).0,
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

    /// The distinct moduli of the GOST parameter sets (base fields p and group orders q),
    /// 256-bit ones (4 limbs) and 512-bit ones (8 limbs).
    pub(super) const MODULI_256: [&str; 9] = [
        "8000000000000000000000000000000000000000000000000000000000000431",
        "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
        "8000000000000000000000000000000000000000000000000000000000000C99",
        "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
        "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
        "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
        "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
    ];
    pub(super) const MODULI_512: [&str; 7] = [
        "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
        "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
        "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006F",
        "800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
        "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
    ];

    /// Every modulus in both constructions (`new_field` differs from `new` for the fields
    /// with a special form; the group orders always go through `new`).
    pub(super) fn moduli<const N: usize>(hexes: &[&str]) -> Vec<Modulus<N>> {
        hexes
            .iter()
            .flat_map(|h| {
                let m = limbs_from_hex::<N>(h);
                [Modulus::new(m), Modulus::new_field(m)]
            })
            .collect()
    }

    /// A deterministic stream of pseudo-random limbs (splitmix64).
    pub(super) struct Rng(pub(super) u64);
    impl Rng {
        pub(super) fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        pub(super) fn limbs<const N: usize>(&mut self) -> [u64; N] {
            std::array::from_fn(|_| self.next())
        }
    }

    /// Euler's criterion: a^((m−1)/2) is 1, m − 1 or 0.
    fn euler<const N: usize>(md: &Modulus<N>, a: &Fe<N>) -> i32 {
        let e = shr1(&md.m, 0);
        let r = md.pow_public(a, &e);
        if r == md.one {
            1
        } else if r == md.neg(&md.one) {
            -1
        } else {
            assert_eq!(r, Fe::default(), "Euler's criterion gave neither ±1 nor 0");
            0
        }
    }

    fn legendre_against_euler<const N: usize>(hexes: &[&str], count: usize) {
        let mut rng = Rng(N as u64);
        for md in moduli::<N>(hexes) {
            let m1 = sub_limbs(&md.m, &small(1)).0;
            let m2 = sub_limbs(&md.m, &small(2)).0;
            let mut seen = [0usize; 3];
            let mut values = vec![[0; N], small(1), small(2), small(3), m1, m2, [u64::MAX; N]];
            values.extend((0..count).map(|_| rng.limbs::<N>()));
            for x in values {
                let a = md.to_mont(&x);
                let l = md.legendre_vartime(&a);
                assert_eq!(l, euler(&md, &a), "m = {:x?}, x = {x:x?}", md.m);
                seen[(l + 1) as usize] += 1;
                // squares are residues, and the symbol is multiplicative
                if l != 0 {
                    assert_eq!(md.legendre_vartime(&md.square(&a)), 1);
                    let b = md.to_mont(&rng.limbs::<N>());
                    let lb = md.legendre_vartime(&b);
                    assert_eq!(md.legendre_vartime(&md.mul(&a, &b)), l * lb);
                }
            }
            assert_eq!(seen[1], 1, "only 0 has symbol 0");
            assert!(seen[0] > count / 4 && seen[2] > count / 4, "{seen:?}");
            // (−1/m) = (−1)^((m−1)/2)
            let minus_one = md.neg(&md.one);
            let want = if md.m[0] & 3 == 1 { 1 } else { -1 };
            assert_eq!(md.legendre_vartime(&minus_one), want);
        }
    }

    #[test]
    fn legendre_matches_euler_256() {
        legendre_against_euler::<4>(&MODULI_256, 200);
    }

    #[test]
    fn legendre_matches_euler_512() {
        legendre_against_euler::<8>(&MODULI_512, 60);
    }

    #[test]
    fn jacobi_on_small_integers() {
        // reference: the product of Euler's criterion over the prime factors of n
        fn euler_small(a: u64, p: u64) -> i32 {
            let mut r = 1u64;
            let (mut b, mut e) = (a % p, (p - 1) / 2);
            while e > 0 {
                if e & 1 == 1 {
                    r = r * b % p;
                }
                b = b * b % p;
                e >>= 1;
            }
            match r {
                0 => 0,
                1 => 1,
                _ => -1,
            }
        }
        fn jacobi_ref(a: u64, mut n: u64) -> i32 {
            let mut t = 1;
            let mut p = 3;
            while n > 1 {
                while n.is_multiple_of(p) {
                    t *= euler_small(a, p);
                    n /= p;
                }
                p += 2;
            }
            t
        }
        for n in (1..300u64).step_by(2) {
            for a in 0..n {
                let want = jacobi_ref(a, n);
                assert_eq!(jacobi_u128(a as u128, n as u128), want, "({a}/{n})");
                assert_eq!(jacobi_vartime::<4>(small(a), small(n)), want);
            }
        }
        // both paths of the multi-limb loop: a value above 2^128 against a 128-bit n
        let n = (1u128 << 127) - 1; // a Mersenne prime
        let a: [u64; 4] = [5, 0, 0, 1];
        let a_mod_n = {
            // 2^192 mod (2^127 − 1) = 2^65
            (1u128 << 65) + 5
        };
        let n4: [u64; 4] = [u64::MAX, u64::MAX >> 1, 0, 0];
        assert_eq!(
            jacobi_vartime(a, n4),
            jacobi_u128(a_mod_n, n),
            "a ≥ n is reduced by the subtractions"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn legendre_is_euler(x in proptest::prelude::any::<[u64; 4]>(), i in 0usize..9) {
            let md = Modulus::new_field(limbs_from_hex::<4>(MODULI_256[i]));
            let a = md.to_mont(&x);
            proptest::prop_assert_eq!(md.legendre_vartime(&a), euler(&md, &a));
        }
    }

    /// x mod m for a little-endian multi-limb x, bit by bit (the plain reference).
    fn ref_mod<const N: usize>(x: &[u64], m: &[u64; N]) -> [u64; N] {
        let mut r = [0u64; N];
        for i in (0..64 * x.len()).rev() {
            let bit = (x[i / 64] >> (i % 64)) & 1;
            let top = r[N - 1] >> 63;
            let mut r2: [u64; N] =
                std::array::from_fn(|j| (r[j] << 1) | if j == 0 { bit } else { r[j - 1] >> 63 });
            if top == 1 || !lt_vartime(&r2, m) {
                r2 = sub_limbs(&r2, m).0;
            }
            r = r2;
        }
        r
    }

    /// a·b mod m by schoolbook and the bit-serial reduction.
    fn ref_mul<const N: usize>(a: &[u64; N], b: &[u64; N], m: &[u64; N]) -> [u64; N] {
        let mut t = vec![0u64; 2 * N];
        for i in 0..N {
            let mut c = 0u128;
            for j in 0..N {
                let x = t[i + j] as u128 + (a[i] as u128) * (b[j] as u128) + c;
                t[i + j] = x as u64;
                c = x >> 64;
            }
            t[i + N] = c as u64;
        }
        ref_mod(&t, m)
    }

    /// Every operation of every modulus (both constructions) against the reference, on edge
    /// values and random ones.
    fn arithmetic_against_reference<const N: usize>(hexes: &[&str], count: usize) {
        let mut rng = Rng(0x5eed + N as u64);
        for md in moduli::<N>(hexes) {
            let m = md.m;
            let mut values = vec![
                [0; N],
                small(1),
                small(2),
                sub_limbs(&m, &small(1)).0,
                sub_limbs(&m, &small(2)).0,
                shr1(&m, 0),
                small(u64::MAX),
            ];
            values.extend((0..count).map(|_| ref_mod(&rng.limbs::<N>(), &m)));
            // raw integers at or above m, and 2^(64N) − 1, reduce on the way in
            for x in [m, add_limbs(&m, &small(1)).0, [u64::MAX; N], rng.limbs()] {
                let want = ref_mod(&x, &m);
                assert_eq!(
                    md.to_uint(&md.to_mont(&x)),
                    want,
                    "to_mont {x:x?} mod {m:x?}"
                );
            }
            for _ in 0..count {
                let (lo, hi) = (rng.limbs::<N>(), rng.limbs::<N>());
                let wide: Vec<u64> = lo.iter().chain(hi.iter()).copied().collect();
                let got = md.to_uint(&md.to_mont_wide(&lo, &hi));
                assert_eq!(got, ref_mod(&wide, &m));
            }
            // small multiples of 2^(64N) plus small values: the borrow path of the plus-fold
            // (2^(64N)·hi + lo with lo < 2c) and the wrap of the fold
            for lo in [0, 1, 100, 222, 2146, 6449, 7000, u64::MAX] {
                for hi in [0, 1, 2, 5, u64::MAX] {
                    let (lo, hi) = (small::<N>(lo), small::<N>(hi));
                    let wide: Vec<u64> = lo.iter().chain(hi.iter()).copied().collect();
                    let got = md.to_uint(&md.to_mont_wide(&lo, &hi));
                    assert_eq!(got, ref_mod(&wide, &m), "{lo:x?} + 2^(64N)·{hi:x?}");
                }
            }
            let all_ones = [u64::MAX; N];
            let wide_ones = vec![u64::MAX; 2 * N];
            assert_eq!(
                md.to_uint(&md.to_mont_wide(&all_ones, &all_ones)),
                ref_mod(&wide_ones, &m)
            );
            for (n, x) in values.iter().enumerate() {
                let a = md.to_mont(x);
                assert_eq!(md.to_uint(&a), *x);
                assert_eq!(
                    md.to_uint(&md.square(&a)),
                    ref_mul(x, x, &m),
                    "{x:x?}² mod {m:x?}"
                );
                assert_eq!(md.to_uint(&md.neg(&a)), ref_mod(&sub_limbs(&m, x).0, &m));
                assert_eq!(md.double(&a), md.add(&a, &a));
                // pairs: every edge value against every value, randoms against a few
                let partners: Vec<[u64; N]> = if n < 7 {
                    values.clone()
                } else {
                    values[n - 3..n].to_vec()
                };
                for y in partners {
                    let b = md.to_mont(&y);
                    assert_eq!(md.to_uint(&md.mul(&a, &b)), ref_mul(x, &y, &m));
                    let (sum, carry) = add_limbs(x, &y);
                    let mut sum_wide: Vec<u64> = sum.to_vec();
                    sum_wide.push(carry);
                    assert_eq!(md.to_uint(&md.add(&a, &b)), ref_mod(&sum_wide, &m));
                    let diff = if lt_vartime(x, &y) {
                        add_limbs(&sub_limbs(x, &y).0, &m).0
                    } else {
                        sub_limbs(x, &y).0
                    };
                    assert_eq!(md.to_uint(&md.sub(&a, &b)), diff);
                }
            }
        }
    }

    #[test]
    fn arithmetic_matches_reference_256() {
        arithmetic_against_reference::<4>(&MODULI_256, 60);
    }

    #[test]
    fn arithmetic_matches_reference_512() {
        arithmetic_against_reference::<8>(&MODULI_512, 30);
    }

    #[test]
    fn written_out_products_match_the_loops() {
        let mut rng = Rng(99);
        for _ in 0..200 {
            let (a, b) = (rng.limbs::<4>(), rng.limbs::<4>());
            assert_eq!(mul_wide_rows(&a, &b), mul_wide_loop(&a, &b));
            assert_eq!(halves::<4, 8>(&sqr_wide4(&a)), sqr_wide_loop(&a));
            assert_eq!(mul_wide_loop(&a, &a), sqr_wide_loop(&a));
            let (a, b) = (rng.limbs::<8>(), rng.limbs::<8>());
            assert_eq!(halves::<8, 16>(&mul_wide8(&a, &b)), mul_wide_loop(&a, &b));
            assert_eq!(mul_wide_rows(&a, &b), mul_wide_loop(&a, &b));
            assert_eq!(halves::<8, 16>(&sqr_wide8(&a)), sqr_wide_loop(&a));
            assert_eq!(mul_wide_loop(&a, &a), sqr_wide_loop(&a));
        }
        // all ones: every column and carry at its largest
        let ones4 = [u64::MAX; 4];
        assert_eq!(
            halves::<4, 8>(&sqr_wide4(&ones4)),
            mul_wide_loop(&ones4, &ones4)
        );
        let ones8 = [u64::MAX; 8];
        assert_eq!(
            halves::<8, 16>(&sqr_wide8(&ones8)),
            mul_wide_loop(&ones8, &ones8)
        );
        // another size through the loops: 2 limbs against u128 arithmetic
        let (x, y) = (rng.limbs::<2>(), rng.limbs::<2>());
        let w = mul_wide_loop(&x, &y);
        let (xl, yl) = (
            x[0] as u128 | (x[1] as u128) << 64,
            y[0] as u128 | (y[1] as u128) << 64,
        );
        assert_eq!(
            w[0][0] as u128 | (w[0][1] as u128) << 64,
            xl.wrapping_mul(yl)
        );
        assert_eq!(sqr_wide_loop(&x), mul_wide_loop(&x, &x));
    }

    /// The divsteps inversion against Fermat's, and a·a⁻¹ = 1, for every modulus.
    fn inversion_against_fermat<const N: usize>(hexes: &[&str], count: usize) {
        let mut rng = Rng(0x1a7e + N as u64);
        for md in moduli::<N>(hexes) {
            let m = md.m;
            let mut values = vec![
                [0; N],
                small(1),
                small(2),
                sub_limbs(&m, &small(1)).0,
                sub_limbs(&m, &small(2)).0,
                shr1(&m, 0),
                [u64::MAX; N],
            ];
            values.extend((0..count).map(|_| rng.limbs::<N>()));
            for x in values {
                let a = md.to_mont(&x);
                let inv = md.invert(&a);
                assert_eq!(inv, md.invert_fermat(&a), "{x:x?} mod {m:x?}");
                assert_eq!(md.invert_vartime(&a), inv);
                if bool::from(md.is_zero(&a)) {
                    assert_eq!(inv, Fe::default());
                } else {
                    assert_eq!(md.mul(&a, &inv), md.one);
                }
            }
        }
    }

    #[test]
    fn divsteps_inversion_matches_fermat_256() {
        inversion_against_fermat::<4>(&MODULI_256, 100);
    }

    #[test]
    fn divsteps_inversion_matches_fermat_512() {
        inversion_against_fermat::<8>(&MODULI_512, 40);
    }

    #[test]
    fn special_forms_are_detected() {
        let kind4 = |h: &str| Modulus::<4>::new_field(limbs_from_hex(h)).kind;
        let kind8 = |h: &str| Modulus::<8>::new_field(limbs_from_hex(h)).kind;
        // 2^256 − 617 runs the assembly where the CPU has BMI2 and ADX
        assert_eq!(
            kind4(MODULI_256[2]),
            match x86::Token::detect() {
                Some(cpu) => Kind::FoldAdx(617, cpu),
                None => Kind::Fold(617),
            }
        );
        assert_eq!(kind4(MODULI_256[4]), Kind::Sparse(3225));
        assert_eq!(kind4(MODULI_256[0]), Kind::Sparse(0x431));
        assert_eq!(kind4(MODULI_256[6]), Kind::Mont);
        assert_eq!(
            kind8(MODULI_512[2]),
            match x86::Token::detect() {
                Some(cpu) => Kind::FoldAdx(569, cpu),
                None => Kind::Fold(569),
            }
        );
        assert_eq!(kind8(MODULI_512[4]), Kind::Sparse(111));
        assert_eq!(kind8(MODULI_512[0]), Kind::Mont);
        // the group orders keep the generic reduction
        for h in MODULI_256 {
            assert_eq!(Modulus::<4>::new(limbs_from_hex(h)).kind, Kind::Mont);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn products_match_reference_256(x in proptest::prelude::any::<[u64; 4]>(),
                                        y in proptest::prelude::any::<[u64; 4]>(),
                                        i in 0usize..9) {
            let md = Modulus::new_field(limbs_from_hex::<4>(MODULI_256[i]));
            let (x, y) = (ref_mod(&x, &md.m), ref_mod(&y, &md.m));
            let (a, b) = (md.to_mont(&x), md.to_mont(&y));
            proptest::prop_assert_eq!(md.to_uint(&md.mul(&a, &b)), ref_mul(&x, &y, &md.m));
            proptest::prop_assert_eq!(md.to_uint(&md.square(&a)), ref_mul(&x, &x, &md.m));
        }

        #[test]
        fn products_match_reference_512(x in proptest::prelude::any::<[u64; 8]>(),
                                        y in proptest::prelude::any::<[u64; 8]>(),
                                        i in 0usize..7) {
            let md = Modulus::new_field(limbs_from_hex::<8>(MODULI_512[i]));
            let (x, y) = (ref_mod(&x, &md.m), ref_mod(&y, &md.m));
            let (a, b) = (md.to_mont(&x), md.to_mont(&y));
            proptest::prop_assert_eq!(md.to_uint(&md.mul(&a, &b)), ref_mul(&x, &y, &md.m));
            proptest::prop_assert_eq!(md.to_uint(&md.square(&a)), ref_mul(&x, &x, &md.m));
        }
    }

    /// Values for the x86-64 products: the edges of m = 2^256 − c (0, 1, 2, m − 2, m − 1, and
    /// m, m + 1, 2^256 − 1, which the assembly takes though elements stay below m), words that
    /// maximise or alternate carries, and random ones.
    fn adx_inputs<const N: usize>(c: u64, rng: &mut Rng, count: usize) -> Vec<[u64; N]> {
        let m = fold_m::<N>(c);
        let alternate =
            |first: u64| std::array::from_fn(|i| if i % 2 == 0 { first } else { !first });
        let mut top = [0; N];
        top[N - 1] = 1 << 63;
        let mut v = vec![
            [0; N],
            small(1),
            small(2),
            sub_limbs(&m, &small(2)).0,
            sub_limbs(&m, &small(1)).0,
            m,
            add_limbs(&m, &small(1)).0,
            [u64::MAX; N],
            alternate(u64::MAX),
            alternate(0),
            std::array::from_fn(|i| if i < N / 2 { u64::MAX } else { 0 }),
            top,
            [1 << 63; N],
            small(c),
            [u64::MAX >> 1; N],
        ];
        v.extend((0..count).map(|_| rng.limbs::<N>()));
        v
    }

    /// 2^(64N) − c as limbs.
    fn fold_m<const N: usize>(c: u64) -> [u64; N] {
        let mut m = [u64::MAX; N];
        m[0] = c.wrapping_neg();
        m
    }

    /// The assembly (mul and square with the fold inside) against the portable fold and the
    /// schoolbook reference, for 2^256 − 617 and for other c (the largest one the fold takes,
    /// 2³¹ − 1, gives the largest top words), on every pair of edge values and random ones.
    #[test]
    fn adx_products_match_portable_and_reference() {
        let Some(cpu) = x86::Token::detect() else {
            eprintln!("skipped: this CPU has no BMI2 + ADX (the portable products run)");
            return;
        };
        let mut rng = Rng(0xad7);
        for c in [617u64, 1, 569, 0x7fff_ffff, 0x4000_0001] {
            let m = fold_m::<4>(c);
            let values = adx_inputs::<4>(c, &mut rng, 40);
            for (i, x) in values.iter().enumerate() {
                let sq = x86::sqr_fold4(cpu, x, c);
                assert_eq!(sq, fold_reduce(&sqr_wide(x), c), "{x:x?}² c = {c}");
                assert_eq!(sq, ref_mul(x, x, &m), "{x:x?}² c = {c}");
                for y in &values[i..] {
                    let p = x86::mul_fold4(cpu, x, y, c);
                    assert_eq!(p, fold_reduce(&mul_wide(x, y), c), "{x:x?}·{y:x?} c = {c}");
                    assert_eq!(p, ref_mul(x, y, &m), "{x:x?}·{y:x?} c = {c}");
                    assert_eq!(x86::mul_fold4(cpu, y, x, c), p);
                }
            }
        }
        for c in [569u64, 1, 617, 0x7fff_ffff, 0x4000_0001] {
            let m = fold_m::<8>(c);
            let values = adx_inputs::<8>(c, &mut rng, 25);
            for (i, x) in values.iter().enumerate() {
                for y in &values[i..] {
                    let p = x86::mul_fold8(cpu, x, y, c);
                    if x == y {
                        let sq = x86::sqr_fold8(cpu, x, c);
                        assert_eq!(sq, p, "{x:x?}² c = {c}");
                        assert_eq!(sq, fold_reduce(&sqr_wide(x), c), "{x:x?}² c = {c}");
                    }
                    assert_eq!(p, fold_reduce(&mul_wide(x, y), c), "{x:x?}·{y:x?} c = {c}");
                    assert_eq!(p, ref_mul(x, y, &m), "{x:x?}·{y:x?} c = {c}");
                    assert_eq!(x86::mul_fold8(cpu, y, x, c), p);
                }
            }
        }
        // through the Modulus: the kind new_field picks against the portable Fold
        modulus_adx_against_portable::<4>(MODULI_256[2], 617, &mut rng);
        modulus_adx_against_portable::<8>(MODULI_512[2], 569, &mut rng);
    }

    /// A walk of products and squares through `new_field`'s [`Kind::FoldAdx`] and through the
    /// same modulus with the portable [`Kind::Fold`].
    fn modulus_adx_against_portable<const N: usize>(hex: &str, c: u64, rng: &mut Rng) {
        let adx = Modulus::<N>::new_field(limbs_from_hex(hex));
        assert!(matches!(adx.kind, Kind::FoldAdx(k, _) if k == c));
        let mut portable = adx.clone();
        portable.kind = Kind::Fold(c);
        let mut x = adx.to_mont(&rng.limbs());
        let y = adx.to_mont(&rng.limbs());
        for _ in 0..1000 {
            assert_eq!(adx.square(&x), portable.square(&x));
            assert_eq!(adx.square_n(&x, 3), portable.square_n(&x, 3));
            let next = adx.mul(&x, &y);
            assert_eq!(next, portable.mul(&x, &y));
            x = adx.add(&next, &adx.one);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn adx_products_match_portable(x in proptest::prelude::any::<[u64; 4]>(),
                                       y in proptest::prelude::any::<[u64; 4]>(),
                                       c in proptest::prop_oneof![
                                           proptest::strategy::Just(617u64),
                                           1u64..(1 << 31)
                                       ]) {
            if let Some(cpu) = x86::Token::detect() {
                let m = [c.wrapping_neg(), u64::MAX, u64::MAX, u64::MAX];
                let p = x86::mul_fold4(cpu, &x, &y, c);
                proptest::prop_assert_eq!(p, fold_reduce(&mul_wide(&x, &y), c));
                proptest::prop_assert_eq!(p, ref_mul(&x, &y, &m));
                proptest::prop_assert_eq!(x86::sqr_fold4(cpu, &x, c), fold_reduce(&sqr_wide(&x), c));
            }
        }

        #[test]
        fn adx_products_match_portable_512(x in proptest::prelude::any::<[u64; 8]>(),
                                           y in proptest::prelude::any::<[u64; 8]>(),
                                           c in proptest::prop_oneof![
                                               proptest::strategy::Just(569u64),
                                               1u64..(1 << 31)
                                           ]) {
            if let Some(cpu) = x86::Token::detect() {
                let p = x86::mul_fold8(cpu, &x, &y, c);
                proptest::prop_assert_eq!(p, fold_reduce(&mul_wide(&x, &y), c));
                proptest::prop_assert_eq!(p, ref_mul(&x, &y, &fold_m::<8>(c)));
                proptest::prop_assert_eq!(x86::sqr_fold8(cpu, &x, c), fold_reduce(&sqr_wide(&x), c));
            }
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
