//! Points of a short Weierstrass curve y² = x³ + ax + b in homogeneous projective coordinates.
//!
//! Addition uses the complete formulas of Renes, Costello and Batina ("Complete addition
//! formulas for prime order elliptic curves", EUROCRYPT 2016, algorithms 1 and 2, any a): one
//! code path for every pair of points in the prime-order subgroup, including doubling and the
//! identity, so the signing path has no branch on secret data. (On the cofactor-4 curves the
//! formulas stay complete inside the subgroup of order q, the only points we ever add: their
//! exceptions need a difference of order 2.)
//!
//! Fixed-base multiplication k·G (signing) uses a comb of signed 6-bit windows precomputed once
//! per curve: `table[i][j−1] = j·2^(6i)·G` in affine form, read with the constant-time scan of
//! `scan.rs` (every entry of the window read). Verification uses wNAF: width 8 over a table of
//! G's odd multiples, width 5 over the public key's.

use std::sync::OnceLock;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::edwards::Edwards;
use super::field::{Fe, Modulus, is_zero_limbs, limbs_from_hex, lt_vartime};
use super::params::CurveConsts;
use super::scan::Backend;

/// A point in homogeneous projective coordinates (X:Y:Z); the identity is (0:1:0).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Proj<const N: usize> {
    pub(crate) x: Fe<N>,
    pub(crate) y: Fe<N>,
    pub(crate) z: Fe<N>,
}

/// An affine point (never the identity).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Aff<const N: usize> {
    pub(crate) x: Fe<N>,
    pub(crate) y: Fe<N>,
}

impl<const N: usize> ConditionallySelectable for Proj<N> {
    fn conditional_select(a: &Self, b: &Self, c: Choice) -> Self {
        Proj {
            x: Fe::conditional_select(&a.x, &b.x, c),
            y: Fe::conditional_select(&a.y, &b.y, c),
            z: Fe::conditional_select(&a.z, &b.z, c),
        }
    }
}

impl<const N: usize> ConditionallySelectable for Aff<N> {
    fn conditional_select(a: &Self, b: &Self, c: Choice) -> Self {
        Aff {
            x: Fe::conditional_select(&a.x, &b.x, c),
            y: Fe::conditional_select(&a.y, &b.y, c),
        }
    }
}

/// Comb window width: signed (Booth) digits in −32..=32. (7 bits, 37 windows of 64 entries
/// for 256-bit scalars, executed 3–8% fewer instructions with the AVX2 scan but was no faster
/// in time, for 1.7 times the table memory.)
pub(crate) const COMB_W: usize = 6;
/// Table entries per window: 1·B .. 32·B.
pub(crate) const COMB_ENTRIES: usize = 1 << (COMB_W - 1);

/// Number of comb windows covering an N-limb scalar plus the Booth sign bit.
const fn windows(n: usize) -> usize {
    (64 * n + COMB_W) / COMB_W
}

/// Bits `start .. start + len` of k, len ≤ 32 (bit positions below 0 or beyond k read as 0),
/// from the one or two limbs that hold them. The positions are public; no branch or index
/// depends on the bits.
fn bits_at<const N: usize>(k: &[u64; N], start: isize, len: usize) -> u32 {
    debug_assert!(len <= 32);
    // 128 bits from bit `base` (a multiple of 64) on, then shifted: positions are public
    let (base, shift) = if start < 0 {
        (-64isize, (start + 64) as u32)
    } else {
        (start & !63, (start & 63) as u32)
    };
    let limb = |i: isize| -> u64 {
        if i >= 0 && (i as usize) < N {
            k[i as usize]
        } else {
            0
        }
    };
    let lo = limb(base / 64);
    let hi = limb(base / 64 + 1);
    let window = ((hi as u128) << 64 | lo as u128) >> shift;
    (window as u64 & ((1u64 << len) - 1)) as u32
}

/// Bits `start .. start + len` of k one at a time: the reference for [`bits_at`].
#[cfg(test)]
fn bits_at_slow<const N: usize>(k: &[u64; N], start: isize, len: usize) -> u32 {
    let mut v = 0u32;
    for b in 0..len {
        let pos = start + b as isize;
        if pos >= 0 && (pos as usize) < 64 * N {
            let pos = pos as usize;
            v |= (((k[pos / 64] >> (pos % 64)) & 1) as u32) << b;
        }
    }
    v
}

#[cfg(test)]
#[test]
fn bits_at_matches_bit_by_bit() {
    let k: [u64; 4] = [
        0x0123_4567_89ab_cdef,
        0xfedc_ba98_7654_3210,
        0x8000_0000_0000_0001,
        0xffff_0000_ffff_0000,
    ];
    for start in -8isize..260 {
        for len in [1usize, 6, 7, 32] {
            assert_eq!(
                bits_at(&k, start, len),
                bits_at_slow(&k, start, len),
                "{start} {len}"
            );
        }
    }
}

/// Booth recoding of a (COMB_W+1)-bit window (the lowest bit is the previous window's top
/// bit): (|digit|, 1 if the digit is negative), branch-free.
fn booth(window: u32) -> (u32, u32) {
    let sign_mask = !((window >> COMB_W).wrapping_sub(1));
    let flipped = ((1u32 << (COMB_W + 1)) - 1).wrapping_sub(window);
    let d = (flipped & sign_mask) | (window & !sign_mask);
    ((d >> 1) + (d & 1), sign_mask & 1)
}

/// A curve with its field, scalar field, base point and fixed-base table.
pub(crate) struct Curve<const N: usize> {
    pub(crate) fp: Modulus<N>,
    pub(crate) fq: Modulus<N>,
    pub(crate) a: Fe<N>,
    pub(crate) b: Fe<N>,
    b3: Fe<N>,
    pub(crate) g: Aff<N>,
    pub(crate) cofactor: u64,
    /// `comb[i][j-1] = j·2^(6i)·G`, j = 1..32, as [x, y] limbs (the scan's entry layout).
    /// Built with the curve where signing uses it; on the Edwards curves, which sign through
    /// their own comb, only when a test asks for it.
    comb: OnceLock<Vec<[[[u64; N]; 2]; COMB_ENTRIES]>>,
    /// How many leading windows the incomplete mixed addition may take
    /// ([`Self::mul_base_jac_ct_with`]); the rest go through the complete formulas.
    madd_windows: usize,
    /// The table scan this CPU runs.
    pub(crate) scan: Backend,
    /// Odd multiples of G for verification's wNAF.
    g_odd: Vec<Aff<N>>,
    a_is_minus_3: bool,
    /// The twisted Edwards model, where the standard gives one (TC26 256-A, 512-C): signing,
    /// key derivation and verification run there.
    pub(crate) edwards: Option<Edwards<N>>,
    /// The constants of the subgroup test by 2-descent (cofactor-4 curves with p ≡ 3 mod 4).
    descent: Option<Descent<N>>,
}

/// Constants for [`Curve::in_subgroup`] on a cofactor-4 curve whose group is cyclic (Z/4q) and
/// whose single rational point of order 2 is T0 = (e1, 0).
///
/// With X = x − e1 the curve reads y² = X(X² + A·X + B), A = 3·e1, B = 3·e1² + a, and the map
/// P ↦ X (mod squares) is a homomorphism onto Fp*/Fp*² whose kernel is 2E (the kernel is the
/// image of the dual 2-isogeny, of index 2 in a cyclic group). So P ∈ 2E iff X is a square. A
/// half R = (X1, y1) of P then satisfies (X1² − B)² = 4X·X1(X1² + A·X1 + B); with
/// w = X1 + B/X1 this is w² − 4Xw − 4B − 4AX = 0, so w = 2X ± 2y/√X, and X1 is a root of
/// X1² − w·X1 + β² = 0 (β² = B: B is a square because T0 = 2·T4 ∈ 2E). Hence
/// (X1 + β)² = (w + 2β)·X1: R ∈ 2E iff w + 2β is a square, for the w whose discriminant
/// (w + 2β)(w − 2β) is a square (exactly one of the two is: only one pair of halves is rational).
/// P ∈ 4E, which is the subgroup of order q, iff P ∈ 2E and R ∈ 2E. Multiplying by the square
/// X = s² avoids the division: w·X = 2X² ± 2y·s.
///
/// One character decides it. The two roots satisfy w₊ + w₋ = 4X and w₊·w₋ = −4AX − 4B (from
/// y²/X = X² + AX + B), so (w₊ + 2β)(w₋ + 2β) = 4X(2β − A): with X a square,
/// χ(w₋ + 2β) = χ(w₊ + 2β)·c for the constant c = χ(2β − A). If c = 1 the answer is
/// χ(w₊ + 2β) whichever root has the rational halves. If c = −1 it is χ(w₊ − 2β): when w₊ has
/// the rational halves χ(w₊ − 2β) = χ(w₊ + 2β) (their product, the discriminant, is a
/// square); when w₋ has them, χ(w₊ − 2β) = −χ(w₊ + 2β) = χ(w₋ + 2β). (Replacing β by −β
/// turns c into −c, since c·χ(−2β − A) = χ(A² − 4B) = −1: the tests run both branches.)
#[derive(Clone)]
pub(crate) struct Descent<const N: usize> {
    /// x of T0.
    e1: Fe<N>,
    /// 2β.
    two_beta: Fe<N>,
    /// Whether c = χ(2β − A) is 1: then the answer is χ((w₊ + 2β)X), else χ((w₊ − 2β)X).
    plus: bool,
    /// (p + 1)/4: square roots, p ≡ 3 mod 4.
    sqrt_exp: [u64; N],
}

impl<const N: usize> Curve<N> {
    /// Builds the curve from its constants and precomputes the base-point table.
    pub(crate) fn new(c: &CurveConsts) -> Self {
        let fp = Modulus::new_field(limbs_from_hex(c.p));
        let fq = Modulus::new(limbs_from_hex(c.q));
        let a = fp.to_mont(&limbs_from_hex(c.a));
        let b = fp.to_mont(&limbs_from_hex(c.b));
        let b3 = fp.add(&fp.double(&b), &b);
        let g = Aff {
            x: fp.to_mont(&limbs_from_hex(c.x)),
            y: fp.to_mont(&limbs_from_hex(c.y)),
        };
        let mut curve = Curve {
            fp,
            fq,
            a,
            b,
            b3,
            g,
            cofactor: c.cofactor,
            comb: OnceLock::new(),
            madd_windows: 0,
            scan: Backend::detect(),
            g_odd: Vec::new(),
            a_is_minus_3: false,
            edwards: None,
            descent: None,
        };
        curve.madd_windows = comb_madd_windows(&curve.fq.m, windows(N));
        let minus3 = fp_neg3(&curve.fp);
        curve.a_is_minus_3 = curve.a == minus3;
        assert!(curve.is_on_curve(&g), "base point not on its curve");
        curve.g_odd = curve.build_g_odd();
        if let Some((d, u, v)) = c.edwards {
            curve.edwards = Some(Edwards::new(
                &curve.fp,
                d,
                u,
                v,
                &curve.g.x,
                &curve.g.y,
                windows(N),
                1usize << (G_WNAF_WIDTH - 2),
            ));
        }
        if c.cofactor == 4 {
            curve.descent = curve.build_descent();
        }
        if curve.edwards.is_none() {
            let _ = curve.comb();
        }
        curve
    }

    /// The Weierstrass signing comb, built on first use.
    fn comb(&self) -> &[[[[u64; N]; 2]; COMB_ENTRIES]] {
        self.comb.get_or_init(|| self.build_comb())
    }

    /// The 2-descent constants, when the curve has them: p ≡ 3 mod 4 and its x³ + ax + b has the
    /// root e1 = t of the Edwards map (the image of the Edwards point (0, −1) of order 2).
    /// Checked here, not assumed: on any failure the subgroup test stays the scalar product.
    fn build_descent(&self) -> Option<Descent<N>> {
        let f = &self.fp;
        let ed = self.edwards.as_ref()?;
        if f.m[0] & 3 != 3 {
            return None;
        }
        let e1 = ed.two_torsion_x();
        let cubic = f.add(
            &f.add(&f.mul(&f.square(&e1), &e1), &f.mul(&self.a, &e1)),
            &self.b,
        );
        if !bool::from(f.is_zero(&cubic)) {
            return None;
        }
        // (p + 1)/4 and (p − 1)/2 of p = 4k + 3: k + 1 and 2k + 1.
        let k = shr_limbs(&self.fp.m, 2);
        let sqrt_exp = super::field::add_limbs(&k, &super::field::small(1)).0;
        let big_a = f.add(&f.double(&e1), &e1);
        let big_b = f.add(&f.mul(&big_a, &e1), &self.a);
        let beta = f.pow_public(&big_b, &sqrt_exp);
        if f.square(&beta) != big_b || bool::from(f.is_zero(&beta)) {
            return None;
        }
        let two_beta = f.double(&beta);
        let c = f.sub(&two_beta, &big_a);
        // c = 0 would make X² + AX + B split (disc = A² − 4B = (A − 2β)(A + 2β)): refuse
        if bool::from(f.is_zero(&c)) {
            return None;
        }
        let plus = f.legendre_vartime(&c) == 1;
        Some(Descent {
            e1,
            two_beta,
            plus,
            sqrt_exp,
        })
    }

    fn build_comb(&self) -> Vec<[[[u64; N]; 2]; COMB_ENTRIES]> {
        let w = windows(N);
        let mut proj = Vec::with_capacity(w * COMB_ENTRIES);
        let mut base = self.lift(&self.g);
        for _ in 0..w {
            let mut acc = base;
            proj.push(acc);
            for _ in 1..COMB_ENTRIES {
                acc = self.add(&acc, &base);
                proj.push(acc);
            }
            // 2^COMB_W·base = 2·(2^(COMB_W − 1)·base)
            base = self.double(&acc);
        }
        let aff = self.batch_to_affine(&proj);
        aff.chunks_exact(COMB_ENTRIES)
            .map(|c| {
                let mut row = [[[0u64; N]; 2]; COMB_ENTRIES];
                for (r, p) in row.iter_mut().zip(c) {
                    *r = [p.x.0, p.y.0];
                }
                row
            })
            .collect()
    }

    /// The signing comb's rows, for the tests.
    #[cfg(test)]
    pub(crate) fn comb_rows(&self) -> &[[[[u64; N]; 2]; COMB_ENTRIES]] {
        self.comb()
    }

    /// How many leading windows the comb adds with the incomplete formulas, for the tests.
    #[cfg(test)]
    pub(crate) fn comb_madd_windows(&self) -> usize {
        self.madd_windows
    }

    /// The identity (0:1:0).
    #[cfg(test)]
    pub(crate) fn identity(&self) -> Proj<N> {
        Proj {
            x: Fe::default(),
            y: self.fp.one,
            z: Fe::default(),
        }
    }

    /// (x:y:1).
    pub(crate) fn lift(&self, p: &Aff<N>) -> Proj<N> {
        Proj {
            x: p.x,
            y: p.y,
            z: self.fp.one,
        }
    }

    /// Whether y² = x³ + ax + b.
    pub(crate) fn is_on_curve(&self, p: &Aff<N>) -> bool {
        let f = &self.fp;
        let y2 = f.square(&p.y);
        let x3 = f.mul(&f.square(&p.x), &p.x);
        let rhs = f.add(&f.add(&x3, &f.mul(&self.a, &p.x)), &self.b);
        bool::from(y2.ct_eq(&rhs))
    }

    /// Whether a projective point is the identity (Z = 0), in constant time.
    pub(crate) fn is_identity(&self, p: &Proj<N>) -> Choice {
        self.fp.is_zero(&p.z)
    }

    /// −P.
    #[cfg(test)]
    pub(crate) fn neg(&self, p: &Proj<N>) -> Proj<N> {
        Proj {
            x: p.x,
            y: self.fp.neg(&p.y),
            z: p.z,
        }
    }

    /// The second half of RCB algorithm 1 (lines 19–40), shared by full and mixed addition.
    /// Inputs: t0 = X1X2, t1 = Y1Y2, t2 = Z1Z2, t3 = X1Y2 + X2Y1, t4 = X1Z2 + X2Z1,
    /// t5 = Y1Z2 + Y2Z1.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn add_tail(
        &self,
        t0: Fe<N>,
        t1: Fe<N>,
        t2: Fe<N>,
        t3: Fe<N>,
        t4: Fe<N>,
        t5: Fe<N>,
    ) -> Proj<N> {
        let f = &self.fp;
        let mut z3 = self.mul_a(&t4);
        let mut x3 = f.mul(&self.b3, &t2);
        z3 = f.add(&x3, &z3);
        x3 = f.sub(&t1, &z3);
        z3 = f.add(&t1, &z3);
        let mut y3 = f.mul(&x3, &z3);
        let mut t1 = f.add(&t0, &t0);
        t1 = f.add(&t1, &t0);
        let mut t2 = self.mul_a(&t2);
        let mut t4 = f.mul(&self.b3, &t4);
        t1 = f.add(&t1, &t2);
        t2 = f.sub(&t0, &t2);
        t2 = self.mul_a(&t2);
        t4 = f.add(&t4, &t2);
        let mut t0 = f.mul(&t1, &t4);
        y3 = f.add(&y3, &t0);
        t0 = f.mul(&t5, &t4);
        x3 = f.mul(&t3, &x3);
        x3 = f.sub(&x3, &t0);
        t0 = f.mul(&t3, &t1);
        z3 = f.mul(&t5, &z3);
        z3 = f.add(&z3, &t0);
        Proj {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// a·t: three subtractions when a = −3 (a public property of the curve), else a product.
    #[inline(always)]
    fn mul_a(&self, t: &Fe<N>) -> Fe<N> {
        let f = &self.fp;
        if self.a_is_minus_3 {
            let t3 = f.add(&f.double(t), t);
            f.neg(&t3)
        } else {
            f.mul(&self.a, t)
        }
    }

    /// P + Q, complete (RCB algorithm 1).
    pub(crate) fn add(&self, p: &Proj<N>, q: &Proj<N>) -> Proj<N> {
        let f = &self.fp;
        let t0 = f.mul(&p.x, &q.x);
        let t1 = f.mul(&p.y, &q.y);
        let t2 = f.mul(&p.z, &q.z);
        let t3 = f.sub(
            &f.mul(&f.add(&p.x, &p.y), &f.add(&q.x, &q.y)),
            &f.add(&t0, &t1),
        );
        let t4 = f.sub(
            &f.mul(&f.add(&p.x, &p.z), &f.add(&q.x, &q.z)),
            &f.add(&t0, &t2),
        );
        let t5 = f.sub(
            &f.mul(&f.add(&p.y, &p.z), &f.add(&q.y, &q.z)),
            &f.add(&t1, &t2),
        );
        self.add_tail(t0, t1, t2, t3, t4, t5)
    }

    /// P + Q for an affine Q (Z2 = 1), complete for any P (RCB algorithm 2).
    pub(crate) fn add_mixed(&self, p: &Proj<N>, q: &Aff<N>) -> Proj<N> {
        let f = &self.fp;
        let t0 = f.mul(&p.x, &q.x);
        let t1 = f.mul(&p.y, &q.y);
        let t2 = p.z;
        let t3 = f.sub(
            &f.mul(&f.add(&p.x, &p.y), &f.add(&q.x, &q.y)),
            &f.add(&t0, &t1),
        );
        let t4 = f.add(&f.mul(&q.x, &p.z), &p.x);
        let t5 = f.add(&f.mul(&q.y, &p.z), &p.y);
        self.add_tail(t0, t1, t2, t3, t4, t5)
    }

    /// 2P (the complete addition with itself).
    pub(crate) fn double(&self, p: &Proj<N>) -> Proj<N> {
        self.add(p, p)
    }

    /// The affine form of P with a constant-time inversion, and whether P is the identity
    /// (then the coordinates returned are zero).
    pub(crate) fn to_affine(&self, p: &Proj<N>) -> (Aff<N>, Choice) {
        let zi = self.fp.invert(&p.z);
        (
            Aff {
                x: self.fp.mul(&p.x, &zi),
                y: self.fp.mul(&p.y, &zi),
            },
            self.is_identity(p),
        )
    }

    /// Affine forms of many points with one inversion (Montgomery's trick). No identity allowed.
    fn batch_to_affine(&self, pts: &[Proj<N>]) -> Vec<Aff<N>> {
        let f = &self.fp;
        let mut prefix = Vec::with_capacity(pts.len());
        let mut acc = f.one;
        for p in pts {
            prefix.push(acc);
            acc = f.mul(&acc, &p.z);
        }
        let mut inv = f.invert(&acc);
        let mut out = vec![Aff::default(); pts.len()];
        for i in (0..pts.len()).rev() {
            let zi = f.mul(&inv, &prefix[i]);
            inv = f.mul(&inv, &pts[i].z);
            out[i] = Aff {
                x: f.mul(&pts[i].x, &zi),
                y: f.mul(&pts[i].y, &zi),
            };
        }
        out
    }

    /// The Booth digit of window i of k: (|digit|, negative).
    pub(crate) fn comb_digit(k: &[u64; N], i: usize) -> (u32, u32) {
        booth(bits_at(k, (COMB_W * i) as isize - 1, COMB_W + 1))
    }

    /// The affine Weierstrass point k·G for a secret 0 < k < q, in constant time (through the
    /// Edwards model where there is one), and its x.
    ///
    /// Never inlined, so that profiles show k·G on its own (`scripts/ct-check.sh` counts
    /// `sign::public_point` and `sign::sign_digest`, which call it).
    #[inline(never)]
    pub(crate) fn mul_base_affine_ct(&self, k: &[u64; N]) -> Aff<N> {
        self.mul_base_affine_with_scan(self.scan, k)
    }

    /// [`Self::mul_base_affine_ct`] with a given table scan (the tests run every backend).
    #[inline(always)]
    pub(crate) fn mul_base_affine_with_scan(&self, scan: Backend, k: &[u64; N]) -> Aff<N> {
        match &self.edwards {
            Some(ed) => {
                let p = ed.mul_base_ct(&self.fp, scan, k, Self::comb_digit);
                let (x, y) = ed.to_weierstrass(&self.fp, &p);
                Aff { x, y }
            }
            None => self.to_affine(&self.mul_base_jac_ct_with(scan, k)).0,
        }
    }

    /// k·G for a secret 0 ≤ k < q, in constant time, for the Weierstrass curves: the comb of
    /// [`Self::mul_base_ct`] with the running sum in Jacobian coordinates and the cheaper mixed
    /// addition (8M + 3S, any a) for every window but the last (on the signing curves), which
    /// uses the complete formulas. The result is in homogeneous projective coordinates.
    ///
    /// Why the incomplete addition never meets its exceptions: with w = [`COMB_W`], after
    /// windows 0..i − 1 the running sum is m·G with m = (k mod 2^(wi)) − b·2^(wi), b the Booth
    /// bit wi − 1 of k, so |m| ≤ 2^(wi)/2, while window i adds d·2^(wi)·G with
    /// 1 ≤ |d| ≤ 2^(w−1) (a zero digit adds nothing: masked select). The addition is
    /// exceptional only if m ≡ ±d·2^(wi) (mod q). Both m + d·2^(wi) (the next partial sum, at
    /// most 2^(w(i+1))/2 in absolute value) and m − d·2^(wi) (at most (2^w + 1)·2^(wi−1)) are
    /// nonzero, because |d·2^(wi)| > |m|, and they are below q in absolute value, hence not
    /// multiples of q, whenever (2^w + 1)·2^(wi−1) < q ([`comb_window_is_safe`]; the first
    /// window is always safe, its sum being replaced by the entry itself). [`Self::new`] counts
    /// the leading windows that satisfy it; on the signing curves that is every window but the
    /// last (a test checks it). The sum is the point at infinity only while
    /// m = 0; then the masked select takes the table entry itself. The remaining windows may
    /// meet an exception (e.g. m ≡ −d·2^(wi) when k = q − m), so they go through the complete
    /// formulas after a change of coordinates (X·Z, Y, Z³).
    #[cfg(test)]
    pub(crate) fn mul_base_jac_ct(&self, k: &[u64; N]) -> Proj<N> {
        self.mul_base_jac_ct_with(self.scan, k)
    }

    /// [`Self::mul_base_jac_ct`] with a given scan (the tests run every backend).
    #[inline(always)]
    pub(crate) fn mul_base_jac_ct_with(&self, scan: Backend, k: &[u64; N]) -> Proj<N> {
        let f = &self.fp;
        let comb = self.comb();
        let mut acc = self.jac_identity();
        let sel_at = |i: usize| {
            let (digit, negative) = Self::comb_digit(k, i);
            let sel = self.comb_select(scan, &comb[i], digit, negative);
            (sel, !digit.ct_eq(&0))
        };
        for i in 0..self.madd_windows {
            let (sel, nonzero) = sel_at(i);
            let mut sum = self.jac_add_affine_unchecked(&acc, &sel);
            let lifted = Jac {
                x: sel.x,
                y: sel.y,
                z: f.one,
            };
            sum.conditional_assign(&lifted, f.is_zero(&acc.z));
            acc.conditional_assign(&sum, nonzero);
        }
        // (X/Z², Y/Z³) = (X·Z/Z³, Y/Z³); the point at infinity (1:1:0) becomes (0:1:0)
        let mut proj = Proj {
            x: f.mul(&acc.x, &acc.z),
            y: acc.y,
            z: f.mul(&f.square(&acc.z), &acc.z),
        };
        for i in self.madd_windows..comb.len() {
            let (sel, nonzero) = sel_at(i);
            let sum = self.add_mixed(&proj, &sel);
            proj.conditional_assign(&sum, nonzero);
        }
        proj
    }

    /// The entry |digit| of a comb row with the sign applied, by a constant-time scan
    /// (`scan.rs`: every entry read, the wanted one kept under a mask); digit 0 gives (0, 0).
    #[inline(always)]
    pub(crate) fn comb_select(
        &self,
        scan: Backend,
        row: &[[[u64; N]; 2]; COMB_ENTRIES],
        digit: u32,
        negative: u32,
    ) -> Aff<N> {
        let [x, y] = scan.select(row, digit);
        let mut sel = Aff { x: Fe(x), y: Fe(y) };
        let neg_y = self.fp.neg(&sel.y);
        sel.y
            .conditional_assign(&neg_y, Choice::from(negative as u8));
        sel
    }

    /// P + Q for a Jacobian P and an affine Q (8M + 3S), without any branch and
    /// without the exceptional cases: P must not be the point at infinity, Q or −Q (the comb's
    /// windows guarantee it, see [`Self::mul_base_jac_ct`]; the tests compare with the
    /// complete formulas).
    #[inline(always)]
    pub(crate) fn jac_add_affine_unchecked(&self, p: &Jac<N>, q: &Aff<N>) -> Jac<N> {
        let f = &self.fp;
        let z1z1 = f.square(&p.z);
        let h = f.sub(&f.mul(&z1z1, &q.x), &p.x);
        let r = f.sub(&f.mul(&f.mul(&z1z1, &p.z), &q.y), &p.y);
        self.jac_add_affine_tail(p, &h, &r)
    }

    /// The end of the mixed addition (madd of Hankerson, Menezes and Vanstone, 8M + 3S with
    /// the start, fewer additions than madd-2007-bl's 7M + 4S) from H = x2·Z1² − X1 and
    /// R = y2·Z1³ − Y1: X3 = R² − H³ − 2X1H², Y3 = R(X1H² − X3) − Y1H³, Z3 = Z1·H.
    #[inline(always)]
    fn jac_add_affine_tail(&self, p: &Jac<N>, h: &Fe<N>, r: &Fe<N>) -> Jac<N> {
        let f = &self.fp;
        let hh = f.square(h);
        let hhh = f.mul(&hh, h);
        let v = f.mul(&hh, &p.x);
        let x3 = f.sub(&f.sub(&f.square(r), &hhh), &f.double(&v));
        let y3 = f.sub(&f.mul(&f.sub(&v, &x3), r), &f.mul(&hhh, &p.y));
        Jac {
            x: x3,
            y: y3,
            z: f.mul(&p.z, h),
        }
    }

    /// k·G for any k < 2^(64N), in constant time: one complete mixed addition per 6-bit
    /// signed window, the entry chosen by [`Self::comb_select`], a zero digit absorbed by a
    /// masked select. Signing used it before [`Self::mul_base_jac_ct`]; the tests keep it as
    /// the reference.
    #[cfg(test)]
    pub(crate) fn mul_base_ct(&self, k: &[u64; N]) -> Proj<N> {
        let mut acc = self.identity();
        for (i, row) in self.comb().iter().enumerate() {
            let (digit, negative) = Self::comb_digit(k, i);
            let sel = self.comb_select(self.scan, row, digit, negative);
            let sum = self.add_mixed(&acc, &sel);
            acc.conditional_assign(&sum, !digit.ct_eq(&0));
        }
        acc
    }

    /// k·P for a public k and point with the complete formulas, width-5 wNAF (tests
    /// cross-check the other ladders with it).
    #[cfg(test)]
    pub(crate) fn mul_vartime(&self, k: &[u64; N], p: &Proj<N>) -> Proj<N> {
        // odd multiples P, 3P, ..., 15P
        let p2 = self.double(p);
        let mut odd = [*p; 8];
        for i in 1..8 {
            odd[i] = self.add(&odd[i - 1], &p2);
        }
        let naf = wnaf::<N>(k, 5);
        let mut acc = self.identity();
        let mut started = false;
        for &d in naf.iter().rev() {
            if started {
                acc = self.double(&acc);
            }
            if d > 0 {
                acc = self.add(&acc, &odd[(d as usize) / 2]);
                started = true;
            } else if d < 0 {
                acc = self.add(&acc, &self.neg(&odd[(-d as usize) / 2]));
                started = true;
            }
        }
        acc
    }

    /// Whether a point of the curve is in the subgroup of order q (always, for cofactor 1).
    /// On the cofactor-4 curves by 2-descent ([`Descent`]): a square root and one quadratic
    /// character instead of the product q·P. Variable time: public data.
    pub(crate) fn in_subgroup(&self, p: &Aff<N>) -> bool {
        if self.cofactor == 1 {
            return true;
        }
        if let Some(ds) = &self.descent
            && let Some(answer) = self.in_subgroup_descent(ds, p)
        {
            return answer;
        }
        self.in_subgroup_by_order(p)
    }

    /// Whether the 2-descent constants were found (tests check they are, on both curves).
    #[cfg(test)]
    pub(crate) fn has_descent(&self) -> bool {
        self.descent.is_some()
    }

    /// Whether q·P is the identity, on the variable-time Jacobian ladder: the definition,
    /// kept for the degenerate inputs of the descent and as the tests' reference.
    pub(crate) fn in_subgroup_by_order(&self, p: &Aff<N>) -> bool {
        let qp = self.double_mul_vartime(&[0; N], &self.fq.m, p);
        self.jac_is_identity(&qp)
    }

    /// The descent test; None on a degenerate input (a zero where a character is needed),
    /// which the caller settles with the scalar product. One square root (an exponentiation)
    /// and one quadratic character (the binary Jacobi algorithm, variable time: the point is
    /// public), see [`Descent`].
    pub(crate) fn in_subgroup_descent(&self, ds: &Descent<N>, p: &Aff<N>) -> Option<bool> {
        let f = &self.fp;
        if bool::from(f.is_zero(&p.y)) {
            return Some(false); // T0, of order 2
        }
        let x = f.sub(&p.x, &ds.e1);
        let s = f.pow_public(&x, &ds.sqrt_exp);
        if f.square(&s) != x {
            return Some(false); // X is not a square: P ∉ 2E
        }
        let w_x = f.double(&f.add(&f.square(&x), &f.mul(&p.y, &s))); // w₊·X = 2X² + 2y·s
        let c = f.mul(&ds.two_beta, &x); // 2β·X
        let (u1, u2) = (f.add(&w_x, &c), f.sub(&w_x, &c));
        if bool::from(f.is_zero(&u1) | f.is_zero(&u2)) {
            return None;
        }
        Some(f.legendre_vartime(if ds.plus { &u1 } else { &u2 }) == 1)
    }

    /// The descent constants with β replaced by −β (the other branch of the final character),
    /// for the tests.
    #[cfg(test)]
    pub(crate) fn descent_with_other_beta(&self) -> (Descent<N>, Descent<N>) {
        let ds = self.descent.clone().expect("descent constants");
        let mut other = ds.clone();
        other.two_beta = self.fp.neg(&ds.two_beta);
        other.plus = !ds.plus;
        (ds, other)
    }

    /// Parses affine coordinates given as integers: both < p and on the curve.
    pub(crate) fn point_from_uints(&self, x: &[u64; N], y: &[u64; N]) -> Option<Aff<N>> {
        if !lt_vartime(x, &self.fp.m) || !lt_vartime(y, &self.fp.m) {
            return None;
        }
        let p = Aff {
            x: self.fp.to_mont(x),
            y: self.fp.to_mont(y),
        };
        if !self.is_on_curve(&p) || !self.in_subgroup(&p) {
            return None;
        }
        Some(p)
    }

    /// Integers of an affine point's coordinates.
    pub(crate) fn point_to_uints(&self, p: &Aff<N>) -> ([u64; N], [u64; N]) {
        (self.fp.to_uint(&p.x), self.fp.to_uint(&p.y))
    }

    /// Whether a scalar given as an integer satisfies 0 < k < q.
    pub(crate) fn scalar_in_range(&self, k: &[u64; N]) -> bool {
        !bool::from(is_zero_limbs(k)) && lt_vartime(k, &self.fq.m)
    }

    /// q as limbs.
    #[cfg(test)]
    pub(crate) fn order(&self) -> &[u64; N] {
        &self.fq.m
    }
}

/// Whether window i of the Jacobian comb ([`Curve::mul_base_jac_ct_with`]) can meet no
/// exceptional addition: i = 0, or q > (2^w + 1)·2^(wi − 1), w = [`COMB_W`].
pub(crate) fn comb_window_is_safe<const N: usize>(q: &[u64; N], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let shift = COMB_W * i - 1;
    let mut bound = [0u64; N];
    // 2^w + 1, at bits shift and shift + w
    for bit in [shift, shift + COMB_W] {
        if bit >= 64 * N {
            return false;
        }
        bound[bit / 64] |= 1 << (bit % 64);
    }
    lt_vartime(&bound, q)
}

/// How many leading windows of `windows` the Jacobian comb adds with the incomplete formulas:
/// the safe ones ([`comb_window_is_safe`]), never the last.
pub(crate) fn comb_madd_windows<const N: usize>(q: &[u64; N], windows: usize) -> usize {
    (0..windows - 1)
        .take_while(|&i| comb_window_is_safe(q, i))
        .count()
}

/// a >> k for k < 64.
fn shr_limbs<const N: usize>(a: &[u64; N], k: u32) -> [u64; N] {
    std::array::from_fn(|i| {
        let hi = if i + 1 < N { a[i + 1] << (64 - k) } else { 0 };
        (a[i] >> k) | hi
    })
}

/// x/2 in the field (the element times 2⁻¹: halving the stored residue is right in either
/// representation, plain or Montgomery, because it is linear), branch-free. A helper the field
/// module does not have.
fn fe_half<const N: usize>(f: &Modulus<N>, x: &Fe<N>) -> Fe<N> {
    let mask = (x.0[0] & 1).wrapping_neg();
    let addend: [u64; N] = std::array::from_fn(|i| f.m[i] & mask);
    let (s, carry) = super::field::add_limbs(&x.0, &addend);
    Fe(std::array::from_fn(|i| {
        let hi = if i + 1 < N { s[i + 1] } else { carry };
        (s[i] >> 1) | (hi << 63)
    }))
}

#[cfg(test)]
#[test]
fn fe_half_doubles_back() {
    use super::params::{CurveId, curve256, curve512};
    fn check<const N: usize>(c: &Curve<N>) {
        let f = &c.fp;
        let mut x = f.one;
        for _ in 0..100 {
            let h = fe_half(f, &x);
            assert_eq!(f.double(&h), x);
            assert!(lt_vartime(&h.0, &f.m));
            x = f.add(&f.mul(&x, &c.g.x), &f.one);
        }
        let m1 = Fe(super::field::sub_limbs(&f.m, &super::field::small(1)).0);
        assert_eq!(f.double(&fe_half(f, &m1)), m1);
        assert_eq!(fe_half(f, &Fe::default()), Fe::default());
    }
    // folded (2^n − c) and Montgomery representations
    check(curve256(CurveId::CryptoProA));
    check(curve256(CurveId::CryptoProB));
    check(curve256(CurveId::CryptoProC));
    check(curve512(CurveId::Tc26_512A));
    check(curve512(CurveId::Tc26_512B));
}

/// −3 in Montgomery form.
fn fp_neg3<const N: usize>(f: &Modulus<N>) -> Fe<N> {
    let three = f.add(&f.double(&f.one), &f.one);
    f.neg(&three)
}

/// Width-w NAF digits of k, least significant first, without trailing zeros (variable time:
/// public scalars only). Reads a window of w bits at each position instead of shifting the whole
/// number: an odd window becomes a digit in −2^(w−1)..2^(w−1) (a negative one carries 1 into
/// the next window) and the scan jumps w positions; an even one moves one position.
fn wnaf<const N: usize>(k: &[u64; N], w: u32) -> Vec<i8> {
    debug_assert!((2..=8).contains(&w));
    let width = 1u64 << w;
    // a last carry can put a digit up to w − 1 positions above k's top bit; windows read zero
    // limbs above k
    let mut out = vec![0i8; 64 * N + w as usize];
    let mut limbs = [0u64; 12];
    limbs[..N].copy_from_slice(k);
    let mut carry = 0u64;
    let mut pos = 0usize;
    while pos < out.len() {
        let (idx, sh) = (pos / 64, pos % 64);
        let mut buf = limbs[idx] >> sh;
        if sh != 0 {
            buf |= limbs[idx + 1] << (64 - sh);
        }
        let window = carry + (buf & (width - 1));
        if window & 1 == 0 {
            // bit pos (with the carry) is 0; the carry, if any, moves on
            pos += 1;
            continue;
        }
        if window < width / 2 {
            carry = 0;
            out[pos] = window as i8;
        } else {
            carry = 1;
            out[pos] = (window as i64 - width as i64) as i8;
        }
        pos += w as usize;
    }
    while out.last() == Some(&0) {
        out.pop();
    }
    out
}

#[cfg(test)]
#[test]
fn wnaf_digits_rebuild_the_scalar() {
    // Σ dᵢ·2ⁱ = k, odd digits below 2^(w−1) in absolute value, w − 1 zeros after each
    let ks: [[u64; 4]; 5] = [
        [1, 0, 0, 0],
        [u64::MAX; 4],
        [
            0xdead_beef_0123_4567,
            0x8000_0000_0000_0001,
            0,
            0xffff_ffff_0000_0001,
        ],
        [0, 0, 0, 1 << 63],
        [
            0x5555_5555_5555_5555,
            0xaaaa_aaaa_aaaa_aaaa,
            0x0f0f_0f0f_0f0f_0f0f,
            0x7777,
        ],
    ];
    for w in [5u32, 7] {
        for k in &ks {
            let naf = wnaf::<4>(k, w);
            let mut acc = [0i128; 6]; // 64-bit digits with room for carries
            for (i, &d) in naf.iter().enumerate() {
                if d != 0 {
                    assert!(d % 2 != 0 && (d as i32).abs() < (1 << (w - 1)));
                    assert!(naf[i + 1..].iter().take(w as usize - 1).all(|&z| z == 0));
                }
                acc[i / 64] += (d as i128) << (i % 64);
            }
            // normalise to limbs
            let mut carry = 0i128;
            let mut got = [0u64; 5];
            for (j, g) in got.iter_mut().enumerate() {
                let v = acc[j] + carry;
                *g = v as u64;
                carry = (v - (v as u64) as i128) >> 64;
            }
            assert_eq!(&got[..4], &k[..], "w = {w}");
            assert_eq!(got[4], 0);
        }
    }
}

/// A point in Jacobian coordinates (X/Z², Y/Z³): variable-time verification, and the
/// constant-time comb of signing (branch-free formulas only there).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jac<const N: usize> {
    x: Fe<N>,
    y: Fe<N>,
    z: Fe<N>,
}

impl<const N: usize> ConditionallySelectable for Jac<N> {
    fn conditional_select(a: &Self, b: &Self, c: Choice) -> Self {
        Jac {
            x: Fe::conditional_select(&a.x, &b.x, c),
            y: Fe::conditional_select(&a.y, &b.y, c),
            z: Fe::conditional_select(&a.z, &b.z, c),
        }
    }
}

/// Width of the wNAF table of G used in verification (odd multiples up to 127·G).
const G_WNAF_WIDTH: u32 = 8;

impl<const N: usize> Curve<N> {
    pub(crate) fn jac_identity(&self) -> Jac<N> {
        Jac {
            x: self.fp.one,
            y: self.fp.one,
            z: Fe::default(),
        }
    }

    pub(crate) fn jac_is_identity(&self, p: &Jac<N>) -> bool {
        bool::from(self.fp.is_zero(&p.z))
    }

    pub(crate) fn jac_from_affine(&self, p: &Aff<N>) -> Jac<N> {
        Jac {
            x: p.x,
            y: p.y,
            z: self.fp.one,
        }
    }

    /// 2P: for a = −3 the doubling of Hankerson, Menezes and Vanstone (4M + 4S, fewer
    /// additions than dbl-2001-b's 3M + 5S), else dbl-2007-bl (2M + 8S).
    fn jac_double(&self, p: &Jac<N>) -> Jac<N> {
        let f = &self.fp;
        if self.jac_is_identity(p) {
            return *p;
        }
        if self.a_is_minus_3 {
            // M = 3(X − Z²)(X + Z²), S = 4XY², X3 = M² − 2S, Y3 = M(S − X3) − 8Y⁴, Z3 = 2YZ
            let zz = f.square(&p.z);
            let t = f.mul(&f.sub(&p.x, &zz), &f.add(&p.x, &zz));
            let m = f.add(&f.double(&t), &t);
            let y2 = f.double(&p.y);
            let z3 = f.mul(&y2, &p.z);
            let y2_sq = f.square(&y2); // 4Y²
            let s = f.mul(&y2_sq, &p.x);
            let y4_8 = fe_half(f, &f.square(&y2_sq)); // 8Y⁴
            let x3 = f.sub(&f.square(&m), &f.double(&s));
            let y3 = f.sub(&f.mul(&f.sub(&s, &x3), &m), &y4_8);
            Jac {
                x: x3,
                y: y3,
                z: z3,
            }
        } else {
            let xx = f.square(&p.x);
            let yy = f.square(&p.y);
            let yyyy = f.square(&yy);
            let zz = f.square(&p.z);
            let s = f.double(&f.sub(&f.sub(&f.square(&f.add(&p.x, &yy)), &xx), &yyyy));
            let m = f.add(&f.add(&f.double(&xx), &xx), &f.mul(&self.a, &f.square(&zz)));
            let t = f.sub(&f.square(&m), &f.double(&s));
            let y8 = f.double(&f.double(&f.double(&yyyy)));
            let y3 = f.sub(&f.mul(&m, &f.sub(&s, &t)), &y8);
            let z3 = f.sub(&f.sub(&f.square(&f.add(&p.y, &p.z)), &yy), &zz);
            Jac { x: t, y: y3, z: z3 }
        }
    }

    /// P + Q: add-2007-bl (11M + 5S), with the exceptional cases handled by branches.
    fn jac_add(&self, p: &Jac<N>, q: &Jac<N>) -> Jac<N> {
        if self.jac_is_identity(p) {
            return *q;
        }
        if self.jac_is_identity(q) {
            return *p;
        }
        let f = &self.fp;
        let z1z1 = f.square(&p.z);
        let z2z2 = f.square(&q.z);
        let u1 = f.mul(&p.x, &z2z2);
        let u2 = f.mul(&q.x, &z1z1);
        let s1 = f.mul(&f.mul(&p.y, &q.z), &z2z2);
        let s2 = f.mul(&f.mul(&q.y, &p.z), &z1z1);
        let h = f.sub(&u2, &u1);
        let r = f.double(&f.sub(&s2, &s1));
        if bool::from(f.is_zero(&h)) {
            return if bool::from(f.is_zero(&r)) {
                self.jac_double(p)
            } else {
                self.jac_identity()
            };
        }
        let i = f.square(&f.double(&h));
        let j = f.mul(&h, &i);
        let v = f.mul(&u1, &i);
        let x3 = f.sub(&f.sub(&f.square(&r), &j), &f.double(&v));
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.double(&f.mul(&s1, &j)));
        let zs = f.sub(&f.sub(&f.square(&f.add(&p.z, &q.z)), &z1z1), &z2z2);
        Jac {
            x: x3,
            y: y3,
            z: f.mul(&zs, &h),
        }
    }

    /// P + Q for an affine Q (8M + 3S, as [`Self::jac_add_affine_unchecked`]), exceptional
    /// cases by branches.
    fn jac_add_affine(&self, p: &Jac<N>, q: &Aff<N>, negate: bool) -> Jac<N> {
        let f = &self.fp;
        let qy = if negate { f.neg(&q.y) } else { q.y };
        if self.jac_is_identity(p) {
            return Jac {
                x: q.x,
                y: qy,
                z: f.one,
            };
        }
        let z1z1 = f.square(&p.z);
        let h = f.sub(&f.mul(&z1z1, &q.x), &p.x);
        let r = f.sub(&f.mul(&f.mul(&z1z1, &p.z), &qy), &p.y);
        if bool::from(f.is_zero(&h)) {
            return if bool::from(f.is_zero(&r)) {
                self.jac_double(p)
            } else {
                self.jac_identity()
            };
        }
        self.jac_add_affine_tail(p, &h, &r)
    }

    /// Odd multiples G, 3G, …, (2^(w−1) − 1)·G in affine form, for verification.
    pub(crate) fn build_g_odd(&self) -> Vec<Aff<N>> {
        let count = 1usize << (G_WNAF_WIDTH - 2);
        let g = self.lift(&self.g);
        let g2 = self.double(&g);
        let mut pts = Vec::with_capacity(count);
        let mut acc = g;
        for _ in 0..count {
            pts.push(acc);
            acc = self.add(&acc, &g2);
        }
        self.batch_to_affine(&pts)
    }

    /// u1·G + u2·Q for public scalars (Shamir's trick over interleaved wNAFs: width 8 with the
    /// precomputed table for G, width 5 for Q), in Jacobian coordinates. Q's odd multiples are
    /// made affine with one inversion (Montgomery's trick), so that every addition of the
    /// chain is the mixed one (7M + 4S instead of 11M + 5S).
    pub(crate) fn double_mul_vartime(&self, u1: &[u64; N], u2: &[u64; N], q: &Aff<N>) -> Jac<N> {
        let q_odd = self.odd_multiples_affine(q);
        let n1 = wnaf::<N>(u1, G_WNAF_WIDTH);
        let n2 = wnaf::<N>(u2, 5);
        let len = n1.len().max(n2.len());
        let mut acc = self.jac_identity();
        for i in (0..len).rev() {
            acc = self.jac_double(&acc);
            let d1 = n1.get(i).copied().unwrap_or(0);
            let d2 = n2.get(i).copied().unwrap_or(0);
            if d1 != 0 {
                let e = &self.g_odd[(d1.unsigned_abs() as usize) / 2];
                acc = self.jac_add_affine(&acc, e, d1 < 0);
            }
            if d2 != 0 {
                let e = &q_odd[(d2.unsigned_abs() as usize) / 2];
                acc = self.jac_add_affine(&acc, e, d2 < 0);
            }
        }
        acc
    }

    /// Q, 3Q, …, 15Q in affine form (variable time: Q is public): Jacobian additions of 2Q,
    /// then one inversion (`invert_vartime`) for all eight (Montgomery's trick; x = X/Z², y = Y/Z³). None of them
    /// is the point at infinity: the order of an affine point of these curves is 2, 4 or a
    /// multiple of the prime q, never an odd number up to 15.
    fn odd_multiples_affine(&self, q: &Aff<N>) -> [Aff<N>; 8] {
        let f = &self.fp;
        let qj = self.jac_from_affine(q);
        let q2 = self.jac_double(&qj);
        let mut pts = [qj; 8];
        for i in 1..8 {
            pts[i] = self.jac_add(&pts[i - 1], &q2);
        }
        let mut prefix = [f.one; 8];
        let mut acc = f.one;
        for (p, pre) in pts.iter().zip(prefix.iter_mut()) {
            *pre = acc;
            acc = f.mul(&acc, &p.z);
        }
        let mut inv = f.invert_vartime(&acc);
        let mut out = [*q; 8];
        for i in (0..8).rev() {
            let zi = f.mul(&inv, &prefix[i]);
            inv = f.mul(&inv, &pts[i].z);
            let zi2 = f.square(&zi);
            out[i] = Aff {
                x: f.mul(&pts[i].x, &zi2),
                y: f.mul(&pts[i].y, &f.mul(&zi2, &zi)),
            };
        }
        out
    }

    /// The same point with (X, Y, Z) scaled to (λ²X, λ³Y, λZ), for the tests.
    #[cfg(test)]
    pub(crate) fn jac_rescale(&self, p: &Jac<N>, lambda: &Fe<N>) -> Jac<N> {
        let f = &self.fp;
        let l2 = f.square(lambda);
        Jac {
            x: f.mul(&p.x, &l2),
            y: f.mul(&p.y, &f.mul(&l2, lambda)),
            z: f.mul(&p.z, lambda),
        }
    }

    /// The affine form of a Jacobian point (None for the point at infinity), for the tests.
    #[cfg(test)]
    pub(crate) fn jac_to_affine(&self, p: &Jac<N>) -> Option<Aff<N>> {
        if self.jac_is_identity(p) {
            return None;
        }
        let f = &self.fp;
        let zi = f.invert(&p.z);
        let zi2 = f.square(&zi);
        Some(Aff {
            x: f.mul(&p.x, &zi2),
            y: f.mul(&p.y, &f.mul(&zi2, &zi)),
        })
    }

    /// The affine x of a Jacobian point as an integer (None for the identity).
    #[cfg(test)]
    pub(crate) fn jac_x_uint(&self, p: &Jac<N>) -> Option<[u64; N]> {
        if self.jac_is_identity(p) {
            return None;
        }
        let zi = self.fp.invert(&self.fp.square(&p.z));
        Some(self.fp.to_uint(&self.fp.mul(&p.x, &zi)))
    }

    /// Whether x(u1·G + u2·Q) ≡ r (mod q), without an inversion: the affine x is X/Z², and
    /// x mod q = r means x = r + j·q for some j with r + j·q < p.
    pub(crate) fn verify_combination(
        &self,
        u1: &[u64; N],
        u2: &[u64; N],
        q: &Aff<N>,
        r: &[u64; N],
    ) -> bool {
        if let Some(ed) = &self.edwards {
            let qn = ed.ext_from_weierstrass(&self.fp, &q.x, &q.y);
            let n1 = wnaf::<N>(u1, G_WNAF_WIDTH);
            let n2 = wnaf::<N>(u2, 5);
            return ed.verify_combination(&self.fp, &self.fq.m, &n1, &n2, &qn, r);
        }
        let c = self.double_mul_vartime(u1, u2, q);
        if self.jac_is_identity(&c) {
            return false;
        }
        let f = &self.fp;
        let zz = f.square(&c.z);
        let mut cand = *r;
        loop {
            if !lt_vartime(&cand, &f.m) {
                return false;
            }
            if f.mul(&f.to_mont(&cand), &zz) == c.x {
                return true;
            }
            let (next, carry) = super::field::add_limbs(&cand, &self.fq.m);
            if carry != 0 {
                return false;
            }
            cand = next;
        }
    }
}
