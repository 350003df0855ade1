//! Twisted Edwards arithmetic for the two cofactor-4 sets, TC26 256-A and 512-C.
//!
//! Their curves are given (RFC 7836 appendix A, R 1323565.1.024-2019) both in Weierstrass form,
//! over which signatures are defined, and as e·u² + v² = 1 + d·u²·v² with e = 1. We compute
//! scalar multiples in extended Edwards coordinates (X:Y:T:Z), u = X/Z, v = Y/Z, T = XY/Z, with
//! the formulas of Hisil, Wong, Carter and Dawson (2008): addition 9M (8M against a precomputed
//! affine point), doubling 4M + 4S, against 12–16M for the complete Weierstrass formulas. Here
//! d is not a square and e is, so the addition law is complete on the whole curve (Bernstein and
//! Lange): constant-time signing needs no special case. Results are mapped back to Weierstrass
//! coordinates with x = s(1+v)/(1−v) + t, y = s(1+v)/((1−v)u), s = (e−d)/4, t = (e+d)/6.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::field::{Fe, Modulus, limbs_from_hex, lt_vartime};
use super::scan::Backend;

/// A point in extended coordinates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ext<const N: usize> {
    x: Fe<N>,
    y: Fe<N>,
    t: Fe<N>,
    z: Fe<N>,
}

/// A projective point prepared for addition: (X, Y, Z, d·T), for the public key's table in
/// verification (one multiplication less per addition than plain extended coordinates).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cached<const N: usize> {
    x: Fe<N>,
    y: Fe<N>,
    z: Fe<N>,
    dt: Fe<N>,
}

/// An affine point prepared for addition: (u, v, d·u·v).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Niels<const N: usize> {
    u: Fe<N>,
    v: Fe<N>,
    duv: Fe<N>,
}

impl<const N: usize> ConditionallySelectable for Niels<N> {
    fn conditional_select(a: &Self, b: &Self, c: Choice) -> Self {
        Niels {
            u: Fe::conditional_select(&a.u, &b.u, c),
            v: Fe::conditional_select(&a.v, &b.v, c),
            duv: Fe::conditional_select(&a.duv, &b.duv, c),
        }
    }
}

impl<const N: usize> ConditionallySelectable for Ext<N> {
    fn conditional_select(a: &Self, b: &Self, c: Choice) -> Self {
        Ext {
            x: Fe::conditional_select(&a.x, &b.x, c),
            y: Fe::conditional_select(&a.y, &b.y, c),
            t: Fe::conditional_select(&a.t, &b.t, c),
            z: Fe::conditional_select(&a.z, &b.z, c),
        }
    }
}

/// The Edwards model of a curve: d, the map constants, and the tables for G.
pub(crate) struct Edwards<const N: usize> {
    d: Fe<N>,
    s: Fe<N>,
    t: Fe<N>,
    /// The base point (u, v) as given by the standard.
    pub(crate) g: Niels<N>,
    /// Signed-window comb, as for the Weierstrass curves: entries [u, v, d·u·v] as limbs (the
    /// scan's entry layout).
    pub(crate) comb: Vec<[[[u64; N]; 3]; COMB_ENTRIES]>,
    /// Odd multiples of G for verification.
    pub(crate) g_odd: Vec<Niels<N>>,
}

use super::point::COMB_ENTRIES;

impl<const N: usize> Edwards<N> {
    /// The Edwards model from d and the base point (u, v) (hex constants, e = 1); checks that
    /// the base point maps to the Weierstrass base point `(gx, gy)` given in `fp`'s
    /// representation.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        fp: &Modulus<N>,
        d_hex: &str,
        u_hex: &str,
        v_hex: &str,
        gx: &Fe<N>,
        gy: &Fe<N>,
        comb_windows: usize,
        g_odd_count: usize,
    ) -> Self {
        let d = fp.to_mont(&limbs_from_hex(d_hex));
        let one = fp.one;
        let four = fp.double(&fp.double(&one));
        let six = fp.add(&four, &fp.double(&one));
        let s = fp.mul(&fp.sub(&one, &d), &fp.invert(&four));
        let t = fp.mul(&fp.add(&one, &d), &fp.invert(&six));
        let u = fp.to_mont(&limbs_from_hex(u_hex));
        let v = fp.to_mont(&limbs_from_hex(v_hex));
        let mut ed = Edwards {
            d,
            s,
            t,
            g: Niels::default(),
            comb: Vec::new(),
            g_odd: Vec::new(),
        };
        ed.g = ed.niels(fp, &u, &v);
        // the two models agree on the base point
        let (wx, wy) = ed.to_weierstrass(fp, &ed.lift_niels(fp, &ed.g));
        assert!(
            wx == *gx && wy == *gy,
            "Edwards base point does not map to G"
        );
        // lhs: e·u² + v², rhs: 1 + d·u²·v²
        let (u2, v2) = (fp.square(&u), fp.square(&v));
        let lhs = fp.add(&u2, &v2);
        let rhs = fp.add(&one, &fp.mul(&d, &fp.mul(&u2, &v2)));
        assert!(lhs == rhs, "Edwards base point not on its curve");
        ed.comb = ed.build_comb(fp, comb_windows);
        ed.g_odd = ed.build_g_odd(fp, g_odd_count);
        ed
    }

    /// The Weierstrass x of the image of (0, −1), the point of order 2: t.
    pub(crate) fn two_torsion_x(&self) -> Fe<N> {
        self.t
    }

    fn niels(&self, fp: &Modulus<N>, u: &Fe<N>, v: &Fe<N>) -> Niels<N> {
        Niels {
            u: *u,
            v: *v,
            duv: fp.mul(&self.d, &fp.mul(u, v)),
        }
    }

    /// The identity (0, 1).
    pub(crate) fn identity(&self, fp: &Modulus<N>) -> Ext<N> {
        Ext {
            x: Fe::default(),
            y: fp.one,
            t: Fe::default(),
            z: fp.one,
        }
    }

    fn lift_niels(&self, fp: &Modulus<N>, p: &Niels<N>) -> Ext<N> {
        Ext {
            x: p.u,
            y: p.v,
            t: fp.mul(&p.u, &p.v),
            z: fp.one,
        }
    }

    /// P + Q (add-2008-hwcd with e = 1): complete.
    pub(crate) fn add(&self, fp: &Modulus<N>, p: &Ext<N>, q: &Ext<N>) -> Ext<N> {
        let a = fp.mul(&p.x, &q.x);
        let b = fp.mul(&p.y, &q.y);
        let c = fp.mul(&fp.mul(&p.t, &self.d), &q.t);
        let d = fp.mul(&p.z, &q.z);
        let e = fp.sub(
            &fp.mul(&fp.add(&p.x, &p.y), &fp.add(&q.x, &q.y)),
            &fp.add(&a, &b),
        );
        Self::finish::<true>(fp, &e, &fp.sub(&d, &c), &fp.add(&d, &c), &fp.sub(&b, &a))
    }

    /// The prepared form of P: (X, Y, Z, d·T).
    fn cached(&self, fp: &Modulus<N>, p: &Ext<N>) -> Cached<N> {
        Cached {
            x: p.x,
            y: p.y,
            z: p.z,
            dt: fp.mul(&p.t, &self.d),
        }
    }

    /// P + Q for a prepared Q (9M, 8M without T): complete. `WITH_T = false` leaves T zero,
    /// for a sum that only a doubling reads.
    #[inline]
    fn add_cached<const WITH_T: bool>(fp: &Modulus<N>, p: &Ext<N>, q: &Cached<N>) -> Ext<N> {
        let a = fp.mul(&p.x, &q.x);
        let b = fp.mul(&p.y, &q.y);
        let c = fp.mul(&p.t, &q.dt);
        let d = fp.mul(&p.z, &q.z);
        let e = fp.sub(
            &fp.mul(&fp.add(&p.x, &p.y), &fp.add(&q.x, &q.y)),
            &fp.add(&a, &b),
        );
        Self::finish::<WITH_T>(fp, &e, &fp.sub(&d, &c), &fp.add(&d, &c), &fp.sub(&b, &a))
    }

    /// P + Q for a prepared affine Q (8M, 7M without T), as [`Self::add_niels`].
    #[inline]
    fn add_niels_opt<const WITH_T: bool>(fp: &Modulus<N>, p: &Ext<N>, q: &Niels<N>) -> Ext<N> {
        let a = fp.mul(&p.x, &q.u);
        let b = fp.mul(&p.y, &q.v);
        let c = fp.mul(&p.t, &q.duv);
        let e = fp.sub(
            &fp.mul(&fp.add(&p.x, &p.y), &fp.add(&q.u, &q.v)),
            &fp.add(&a, &b),
        );
        Self::finish::<WITH_T>(
            fp,
            &e,
            &fp.sub(&p.z, &c),
            &fp.add(&p.z, &c),
            &fp.sub(&b, &a),
        )
    }

    /// (E·F, G·H, E·H, F·G): the common end of the additions and the doubling; `WITH_T =
    /// false` leaves T zero (4M, 3M without T).
    #[inline(always)]
    fn finish<const WITH_T: bool>(
        fp: &Modulus<N>,
        e: &Fe<N>,
        f: &Fe<N>,
        g: &Fe<N>,
        h: &Fe<N>,
    ) -> Ext<N> {
        Ext {
            x: fp.mul(e, f),
            y: fp.mul(g, h),
            t: if WITH_T { fp.mul(e, h) } else { Fe::default() },
            z: fp.mul(f, g),
        }
    }

    /// P + Q for a prepared affine Q (8M): complete.
    #[inline]
    pub(crate) fn add_niels(&self, fp: &Modulus<N>, p: &Ext<N>, q: &Niels<N>) -> Ext<N> {
        Self::add_niels_opt::<true>(fp, p, q)
    }

    /// 2P (dbl-2008-hwcd with e = 1).
    pub(crate) fn double(&self, fp: &Modulus<N>, p: &Ext<N>) -> Ext<N> {
        Self::double_opt::<true>(fp, p)
    }

    /// 2P without its T coordinate (3M + 4S): for a doubling followed by another doubling, which
    /// reads only X, Y, Z (verification; T is left zero and must not be read).
    fn double_xyz(&self, fp: &Modulus<N>, p: &Ext<N>) -> Ext<N> {
        Self::double_opt::<false>(fp, p)
    }

    /// 2P (4M + 4S, 3M + 4S without T).
    #[inline(always)]
    fn double_opt<const WITH_T: bool>(fp: &Modulus<N>, p: &Ext<N>) -> Ext<N> {
        let a = fp.square(&p.x);
        let b = fp.square(&p.y);
        let c = fp.double(&fp.square(&p.z));
        let e = fp.sub(&fp.square(&fp.add(&p.x, &p.y)), &fp.add(&a, &b));
        let g = fp.add(&a, &b);
        let f = fp.sub(&g, &c);
        let h = fp.sub(&a, &b);
        Self::finish::<WITH_T>(fp, &e, &f, &g, &h)
    }

    /// −Q for a prepared point.
    fn neg_niels(fp: &Modulus<N>, q: &Niels<N>) -> Niels<N> {
        Niels {
            u: fp.neg(&q.u),
            v: q.v,
            duv: fp.neg(&q.duv),
        }
    }

    fn neg_cached(fp: &Modulus<N>, p: &Cached<N>) -> Cached<N> {
        Cached {
            x: fp.neg(&p.x),
            y: p.y,
            z: p.z,
            dt: fp.neg(&p.dt),
        }
    }

    /// Prepared affine forms of many points with one inversion.
    fn batch_niels(&self, fp: &Modulus<N>, pts: &[Ext<N>]) -> Vec<Niels<N>> {
        let mut prefix = Vec::with_capacity(pts.len());
        let mut acc = fp.one;
        for p in pts {
            prefix.push(acc);
            acc = fp.mul(&acc, &p.z);
        }
        let mut inv = fp.invert(&acc);
        let mut out = vec![Niels::default(); pts.len()];
        for i in (0..pts.len()).rev() {
            let zi = fp.mul(&inv, &prefix[i]);
            inv = fp.mul(&inv, &pts[i].z);
            out[i] = self.niels(fp, &fp.mul(&pts[i].x, &zi), &fp.mul(&pts[i].y, &zi));
        }
        out
    }

    fn build_comb(&self, fp: &Modulus<N>, windows: usize) -> Vec<[[[u64; N]; 3]; COMB_ENTRIES]> {
        let mut pts = Vec::with_capacity(windows * COMB_ENTRIES);
        let mut base = self.lift_niels(fp, &self.g);
        for _ in 0..windows {
            let mut acc = base;
            pts.push(acc);
            for _ in 1..COMB_ENTRIES {
                acc = self.add(fp, &acc, &base);
                pts.push(acc);
            }
            base = self.double(fp, &acc);
        }
        self.batch_niels(fp, &pts)
            .chunks_exact(COMB_ENTRIES)
            .map(|c| {
                let mut row = [[[0u64; N]; 3]; COMB_ENTRIES];
                for (r, p) in row.iter_mut().zip(c) {
                    *r = [p.u.0, p.v.0, p.duv.0];
                }
                row
            })
            .collect()
    }

    fn build_g_odd(&self, fp: &Modulus<N>, count: usize) -> Vec<Niels<N>> {
        let g = self.lift_niels(fp, &self.g);
        let g2 = self.double(fp, &g);
        let mut pts = Vec::with_capacity(count);
        let mut acc = g;
        for _ in 0..count {
            pts.push(acc);
            acc = self.add(fp, &acc, &g2);
        }
        self.batch_niels(fp, &pts)
    }

    /// k·G in constant time: the signed-window comb with complete additions, masked table
    /// scans (every entry read, ORed under an all-ones or zero mask), masked negation and masked skip of zero digits (as the Weierstrass path).
    pub(crate) fn mul_base_ct(
        &self,
        fp: &Modulus<N>,
        scan: Backend,
        k: &[u64; N],
        digits: impl Fn(&[u64; N], usize) -> (u32, u32),
    ) -> Ext<N> {
        let mut acc = self.identity(fp);
        for (i, row) in self.comb.iter().enumerate() {
            let (digit, negative) = digits(k, i);
            let [u, v, duv] = scan.select(row, digit);
            let mut sel = Niels {
                u: Fe(u),
                v: Fe(v),
                duv: Fe(duv),
            };
            let neg = Self::neg_niels(fp, &sel);
            sel.conditional_assign(&neg, Choice::from(negative as u8));
            let sum = self.add_niels(fp, &acc, &sel);
            acc.conditional_assign(&sum, !digit.ct_eq(&0));
        }
        acc
    }

    /// Weierstrass (x, y) of an Edwards point other than the identity and (0, −1), with one
    /// constant-time inversion: x = s(Z+Y)/(Z−Y) + t, y = s(Z+Y)·Z/((Z−Y)·X).
    pub(crate) fn to_weierstrass(&self, fp: &Modulus<N>, p: &Ext<N>) -> (Fe<N>, Fe<N>) {
        let zpy = fp.add(&p.z, &p.y);
        let zmy = fp.sub(&p.z, &p.y);
        let inv = fp.invert(&fp.mul(&zmy, &p.x));
        let s_zpy = fp.mul(&self.s, &zpy);
        let x = fp.add(&fp.mul(&fp.mul(&s_zpy, &p.x), &inv), &self.t);
        let y = fp.mul(&fp.mul(&s_zpy, &p.z), &inv);
        (x, y)
    }

    /// The Edwards point of a Weierstrass affine point (x, y) other than the 2-torsion, in
    /// extended coordinates without an inversion (verification: public data). With
    /// x' = x − t: u = x'/y, v = (x' − s)/(x' + s); over the common denominator D = y(x' + s),
    /// U = x'(x' + s), V = (x' − s)·y, and (U·D, V·D, D², U·V) are extended coordinates.
    pub(crate) fn ext_from_weierstrass(&self, fp: &Modulus<N>, x: &Fe<N>, y: &Fe<N>) -> Ext<N> {
        let xt = fp.sub(x, &self.t);
        let den = fp.add(&xt, &self.s);
        let u = fp.mul(&xt, &den);
        let v = fp.mul(&fp.sub(&xt, &self.s), y);
        let d = fp.mul(y, &den);
        Ext {
            x: fp.mul(&u, &d),
            y: fp.mul(&v, &d),
            t: fp.mul(&u, &v),
            z: fp.square(&d),
        }
    }

    /// Whether x(u1·G + u2·Q), mapped to Weierstrass, reduces mod q to r (variable time):
    /// interleaved wNAFs over one chain of doublings (T computed only where an addition
    /// reads it: not by the last addition at a position, whose sum is doubled next; Q's odd
    /// multiples kept with d·T), then x ≡ r + j·q checked without an
    /// inversion as (r + j·q − t)(Z − Y) = s(Z + Y).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn verify_combination(
        &self,
        fp: &Modulus<N>,
        q_order: &[u64; N],
        n1: &[i8],
        n2: &[i8],
        qe: &Ext<N>,
        r: &[u64; N],
    ) -> bool {
        let q2 = self.double(fp, qe);
        let mut q_ext = [*qe; 8];
        for i in 1..8 {
            q_ext[i] = self.add(fp, &q_ext[i - 1], &q2);
        }
        let q_odd = q_ext.map(|p| self.cached(fp, &p));
        let len = n1.len().max(n2.len());
        let mut acc = self.identity(fp);
        for i in (0..len).rev() {
            let d1 = n1.get(i).copied().unwrap_or(0);
            let d2 = n2.get(i).copied().unwrap_or(0);
            // T is needed only by an addition; most positions have none
            acc = if d1 != 0 || d2 != 0 {
                self.double(fp, &acc)
            } else {
                self.double_xyz(fp, &acc)
            };
            // the last addition at a position feeds a doubling, which does not read T
            if d1 != 0 {
                let e = &self.g_odd[(d1.unsigned_abs() as usize) / 2];
                let neg;
                let e = if d1 > 0 {
                    e
                } else {
                    neg = Self::neg_niels(fp, e);
                    &neg
                };
                acc = if d2 != 0 {
                    Self::add_niels_opt::<true>(fp, &acc, e)
                } else {
                    Self::add_niels_opt::<false>(fp, &acc, e)
                };
            }
            if d2 != 0 {
                let e = &q_odd[(d2.unsigned_abs() as usize) / 2];
                acc = if d2 > 0 {
                    Self::add_cached::<false>(fp, &acc, e)
                } else {
                    Self::add_cached::<false>(fp, &acc, &Self::neg_cached(fp, e))
                };
            }
        }
        let zmy = fp.sub(&acc.z, &acc.y);
        if bool::from(fp.is_zero(&zmy)) || bool::from(fp.is_zero(&acc.x)) {
            return false; // the identity or the point of order 2: no Weierstrass x here
        }
        let rhs = fp.mul(&self.s, &fp.add(&acc.z, &acc.y));
        let mut cand = *r;
        loop {
            if !lt_vartime(&cand, &fp.m) {
                return false;
            }
            let lhs = fp.mul(&fp.sub(&fp.to_mont(&cand), &self.t), &zmy);
            if lhs == rhs {
                return true;
            }
            let (next, carry) = super::field::add_limbs(&cand, q_order);
            if carry != 0 {
                return false;
            }
            cand = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::params::{CurveId, curve256, curve512};

    /// Same projective point: X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1.
    fn same<const N: usize>(fp: &Modulus<N>, a: &Ext<N>, b: &Ext<N>) -> bool {
        fp.mul(&a.x, &b.z) == fp.mul(&b.x, &a.z) && fp.mul(&a.y, &b.z) == fp.mul(&b.y, &a.z)
    }

    /// The prepared additions of verification (with and without T) agree with the plain
    /// complete addition, on distinct points, on P + P, on P + (−P) and with the identity.
    fn check_prepared_additions<const N: usize>(ed: &Edwards<N>, fp: &Modulus<N>) {
        let g = ed.lift_niels(fp, &ed.g);
        let mut p = ed.double(fp, &g);
        let mut q = g;
        for i in 0..20 {
            let want = ed.add(fp, &p, &q);
            let with_t = Edwards::add_cached::<true>(fp, &p, &ed.cached(fp, &q));
            let no_t = Edwards::add_cached::<false>(fp, &p, &ed.cached(fp, &q));
            assert!(same(fp, &with_t, &want), "step {i}");
            assert_eq!((no_t.x, no_t.y, no_t.z), (with_t.x, with_t.y, with_t.z));
            assert_eq!(no_t.t, Fe::default());
            // T of the full sum is right: T·Z = X·Y
            assert_eq!(fp.mul(&with_t.t, &with_t.z), fp.mul(&with_t.x, &with_t.y));
            // P + P is the doubling, P + (−P) the identity (0 : Z : Z)
            let pp = Edwards::add_cached::<true>(fp, &p, &ed.cached(fp, &p));
            assert!(same(fp, &pp, &ed.double(fp, &p)));
            let neg = Edwards::neg_cached(fp, &ed.cached(fp, &p));
            let zero = Edwards::add_cached::<false>(fp, &p, &neg);
            assert!(same(fp, &zero, &ed.identity(fp)));
            let id = Edwards::add_cached::<true>(fp, &ed.identity(fp), &ed.cached(fp, &p));
            assert!(same(fp, &id, &p));
            // the affine table entry of G, with and without T
            let n = Edwards::add_niels_opt::<false>(fp, &p, &ed.g);
            assert!(same(fp, &n, &ed.add_niels(fp, &p, &ed.g)));
            q = p;
            p = ed.add(fp, &want, &ed.double(fp, &p));
        }
    }

    #[test]
    fn prepared_additions_match_the_complete_addition() {
        let c = curve256(CurveId::Tc26_256A);
        check_prepared_additions(c.edwards.as_ref().unwrap(), &c.fp);
        let c = curve512(CurveId::Tc26_512C);
        check_prepared_additions(c.edwards.as_ref().unwrap(), &c.fp);
    }
}
