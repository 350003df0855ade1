//! Known-answer tests of the internals: the standard's appendix A (test curves, fixed nonce)
//! and the deterministic sign vectors of `shared/reference/gost-vectors.txt` §5.

use super::field::{limbs_from_hex, limbs_to_be};
use super::params::{CurveId, curve256, curve512};
use super::point::Curve;
use super::scan::Backend;
use super::sign;
use super::*;

fn hex_be<const N: usize>(a: &[u64; N]) -> String {
    let mut out = vec![0u8; 8 * N];
    limbs_to_be(a, &mut out);
    hex::encode_upper(out)
}

/// The digest bytes whose little-endian reading is the integer e (the appendix gives e).
fn e_as_digest<const N: usize>(e_hex: &str) -> Vec<u8> {
    let mut b = hex::decode(e_hex).unwrap();
    b.reverse();
    assert_eq!(b.len(), 8 * N);
    b
}

struct Kat<'a> {
    d: &'a str,
    qx: &'a str,
    qy: &'a str,
    e: &'a str,
    k: &'a str,
    r: &'a str,
    s: &'a str,
}

fn check_kat<const N: usize>(c: &Curve<N>, v: &Kat) {
    let d = limbs_from_hex::<N>(v.d);
    let q = sign::public_point(c, &d);
    let (qx, qy) = c.point_to_uints(&q);
    assert_eq!(hex_be(&qx), v.qx);
    assert_eq!(hex_be(&qy), v.qy);
    let digest = e_as_digest::<N>(v.e);
    let e = sign::digest_to_e(c, &digest);
    let k = limbs_from_hex::<N>(v.k);
    let (r, s) = sign::sign_with_nonce(c, &d, &e, &k).unwrap();
    assert_eq!(hex_be(&r), v.r);
    assert_eq!(hex_be(&s), v.s);
    assert!(sign::verify_digest(c, &q, &digest, &r, &s));
    // any change fails
    let mut bad = digest.clone();
    bad[0] ^= 1;
    assert!(!sign::verify_digest(c, &q, &bad, &r, &s));
    assert!(!sign::verify_digest(c, &q, &digest, &s, &r));
}

#[test]
fn appendix_a1_256() {
    check_kat(
        curve256(CurveId::Test256),
        &Kat {
            d: "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
            qx: "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
            qy: "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
            e: "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
            k: "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
            r: "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
            s: "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
        },
    );
}

#[test]
fn appendix_a2_512() {
    check_kat(
        curve512(CurveId::Test512),
        &Kat {
            d: "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
            qx: "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
            qy: "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
            e: "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
            k: "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
            r: "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
            s: "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
        },
    );
}

/// §5 vectors: a real message hashed with Streebog, a fixed nonce, each production curve.
const MSG5: &[u8] = b"GOST R 34.10-2012 regeneration test vector";

struct SignVec {
    ps: ParamSet,
    d: &'static str,
    k: &'static str,
    qx: &'static str,
    qy: &'static str,
    r: &'static str,
    s: &'static str,
}

const SIGN_VECTORS: &[SignVec] = &[
    SignVec {
        ps: ParamSet::CryptoProA,
        d: "E74CE4A730EB882F7D17102A4B9E1F5D07F8ADAA26E1BD13BA61217AC2ABBCAB",
        k: "70816D20E5965C21E0E1B106B16A700CD52E2C9AB0AEAA4398063A01FBADAAFA",
        qx: "34BB1CBA39E94AC1421B6D37B09DA38A6EDEEE6502A4F2DFBD20A8F613F5A472",
        qy: "D8DECECFC421B8E2EA9E3E93F672F7546EF1640F3DF1F97BC7487A94E9E6A383",
        r: "27D25D59450C0AD16BB8D17D1E0395688FC842D35A704E2D8894B01531D6EC9E",
        s: "154288586B1266588A32FC7D65D629004C5F935560BE494EBEAFB530229213E3",
    },
    SignVec {
        ps: ParamSet::CryptoProB,
        d: "0319B68DAFC5DAB6790B1BC60959E26EDF73A09A94179C9996015A8C516477AC",
        k: "6F79CF219E973AAB0D7870306810A964634B8B6BBF58696A93743C40C79175B1",
        qx: "2B1ED7B5124B59DE6754EDE095DCB765A8A76A77E31F0DDC61FF8531D752114B",
        qy: "6E5D4834960BE65FB4B5AE37C048E4CC297A00CA556C0F5E96BE469E4E17DA78",
        r: "1E9FFB7321B9290E409B5B3E39CFD80D8D9CD8B9DD92D8F238C4F8C32D188D5C",
        s: "2A22F5A6583C710105AEA7622D2EC9A41DA9CCF401797E8349C5753D8947AD4A",
    },
    SignVec {
        ps: ParamSet::CryptoProC,
        d: "5EDA66432BA1976B18AD707B8D7A913033A67332079C6183E9076D0F8079DDB1",
        k: "038F7093A70169757813BCA1B2A2BEC4DBA36159CF21BABA281342D39562B484",
        qx: "1B8AFDDD6BFD348AD20007FE5C8BCFC242F68A4524BA7EDEF099732382B861B2",
        qy: "8E44616FEF33740BC547A37204063AC3929D11D8D8727414D6E11BD7AABA5731",
        r: "8868963214FDC98399B5198085ACA8C504F0B93D509AB63D96D7A34D18E46718",
        s: "850395F2A9E3DE32EFFE84FF30AE95331B99A8DF7134E665FAFFABB2BDC0EB4B",
    },
    SignVec {
        ps: ParamSet::Tc26_256A,
        d: "1DDFB1C2A579111D5D231A1CA3970EC847BABB4D82E5727F3681F4B55574905C",
        k: "0505EFF8F095C04404FB1F523BC780CCA488807AF73A60B33EE3718241BA24E9",
        qx: "B32A5D869DE20C52547DF5AB6642F91C2A4EBB26830741837AF625F0158943A7",
        qy: "FA1A907F32F81B46D8D9CC4DD2AA98CB2A19B76BCA06963C147820C6A49CEC75",
        r: "1E047D952FA891F0348F3CD9F9CF809B836D068ACFE8379548F647A0F86295D0",
        s: "153DC9023679E9B73588AEC3A1E2D257522557D4F2EA7272FC2F9CAF7D757D1B",
    },
    SignVec {
        ps: ParamSet::Tc26_512A,
        d: "0280C8835198781C2ECE9100C8FDAB1951B48821E763484F398D52419A25D0FD79F27263F2034C1655A19FF5A0E2AC49A0CB8EB80308146556420B0B768A09D6",
        k: "A99A00ECF8A68EE994F98BB4195509ECEC2B7EFD23DE3E4B477C9F981FD0208AAACF55D3DA16D1205DADAF0D654470FC97D6E552CE2CA2F2EAF7289B2618684E",
        qx: "5BA41123A6CBA671F7FC22061DC21E530A7B48CDF7EC7F30257B7992A68422CB775DFCFDE88C1E49F1D93E2E17153B5BC52D908BA9E76CE56EF2AF6812E42924",
        qy: "05B8B063580BB602970B81C56605BE9B249380DDD7F678A8475DAD7E73EC73CB2FBF95A55D904C7B5BCC7E60058FEEFE6C11C88CB814D7F11E0E5425C1C53322",
        r: "6A568DE950D90598764486F39CFA1A1B33AE84A1F35BE1B14D32C25B525DEBD1468A8E0B413B8585DF96AC1DDA9352197C3F1C3B73997D001DB326968FD2C7D1",
        s: "C6E4068CF51DA6C71B936522AB446AF529D38772789B4256DB5EE3C61A70023CE9D8E4FA3BFF03DED343D7CB72B908FA076B1BDE10D70E3BE1117DB34393D744",
    },
    SignVec {
        ps: ParamSet::Tc26_512B,
        d: "5AA8C0E729A3F544AB11F04798A823294A8272DBF5F904C9A1BC5A1FE6638B7C999104F296287A7F97EAEC2B6D065AC8DB1E467D8CE0ACF5567433DAA5627D06",
        k: "180EBF3403E5244DD1FF081A00818E92DD44AA88B1F073B1F02F12059A67D849C99F3F1AEAA404DBFCE91513DEA0E4AFFFBE7C07C031D0DBA1CC22D6CB497097",
        qx: "49B04EC13E5620F340C5194D2853EF91486CB03C75C83ED11C82AD64D36BD962D5A22148D53DB304BEC1917E94D28B12F882CF44E622644CB736EF53303D2C13",
        qy: "16DDA880A9BDAAD6EDFA97B5EAB3AC7D35B5E8F4A5A81D813EEB90E20D9BEC763EFBC928943A9358FD8E8EA9DE94B4BA8E09673C2249D4D223E5D70981DA14C0",
        r: "31146E133CF0F87D2F73C18A7D74DB2FEBF12C2D6A4A60F321BBC90AB8D81355D516A55EA3134693705135707EF3F788286ADF45E0CC133F6FCAF550C2E666B6",
        s: "35A0D211DFCF3130BC7C76BBFB7147C2F203738F9CB28F2E9FA2A73F290A195DF5B64E7D00339DF82B340A9CE809C09B4A8E4EC1310F64B07C5FAAF8478154B6",
    },
    SignVec {
        ps: ParamSet::Tc26_512C,
        d: "14E0E010DC923B1413B5C24878860DCE23BCFB4596212C709B676F0F4BE96A3806A81A2970828DDD68693C9A0971CD9ABE1B2413C90E97DBC7EF1308A4AAA3AF",
        k: "37137E13238DF91A5F8E3F29839759F4139C1B464D456D7B24BBB5449CA63E31BB80DDAEF0755156B0A941EA7D57A3463DDAE6AFC7DED03612CC19E43E20FB92",
        qx: "D1AC9C5B80250586986B741AECB527F09C453565B79317F59B46F20DDD57F99494BAE516AE3AC97213CB3065AB1008E0641147D2951AAA1A736A67F94380EA94",
        qy: "D8F2970149AA1EFBA4E9B2ACF8FE292D2A8AD890BF28CB2E7EC0AA1E5BFD23C716DF02742ED62041F5D9B2961BD6B574F0CC99E992469DBE0D1062335548C286",
        r: "0DB85E6BEDA91645A098B7CE0C299FFF10433887DF030E524C43E6E5CC06331130573F7D7681D4CF27CE1BE40253EF9DD37E51769DC9EADF7CECBE3F092B0C02",
        s: "154987A89C66B6DB597174DCECE19CC24107D897D6ECE0CC4AF565F41D6EA3AE3AE7CF4651B14A9036480DA2ECF8490DB2A3E971F0933360D835689BB1FE71C4",
    },
];

#[test]
fn reference_sign_vectors_with_fixed_nonce() {
    for v in SIGN_VECTORS {
        let digest = if v.ps.is_512() {
            streebog512(MSG5).to_vec()
        } else {
            streebog256(MSG5).to_vec()
        };
        let mut e_le = digest.clone();
        e_le.reverse();
        let kat = Kat {
            d: v.d,
            qx: v.qx,
            qy: v.qy,
            e: &hex::encode_upper(&e_le),
            k: v.k,
            r: v.r,
            s: v.s,
        };
        if v.ps.is_512() {
            check_kat(curve512(v.ps.curve_id()), &kat);
        } else {
            check_kat(curve256(v.ps.curve_id()), &kat);
        }
    }
}

#[test]
fn comb_matches_wnaf_and_identity_cases() {
    let c = curve256(CurveId::Tc26_256A);
    let g = c.lift(&c.g);
    for k in [
        [1u64, 0, 0, 0],
        [2, 0, 0, 0],
        [0xF, 0, 0, 0],
        [0x10, 0, 0, 0],
        [0x20, 0, 0, 0],
        [0x3F, 0, 0, 0],
        [0x40, 0, 0, 0],
        [0xFFF, 0, 0, 0],
        [0, 0, 0, 0x8000_0000_0000_0000],
        [u64::MAX; 4],
        [0xdead_beef, 0x1234, 0, 1 << 62],
        [u64::MAX, u64::MAX, u64::MAX, 0x3FFF_FFFF_FFFF_FFFF],
    ] {
        let a = c.mul_base_ct(&k);
        let b = c.mul_vartime(&k, &g);
        let (aa, _) = c.to_affine(&a);
        let (bb, _) = c.to_affine(&b);
        assert_eq!(aa, bb);
    }
    // q·G is the identity, both ways
    assert!(bool::from(c.is_identity(&c.mul_base_ct(c.order()))));
    assert!(bool::from(c.is_identity(&c.mul_vartime(c.order(), &g))));
    assert!(c.in_subgroup(&c.g));
}

/// The point (x, y) of the curve with this x and y = rhs^((p+1)/4), if rhs = x³ + ax + b is a
/// square (p ≡ 3 mod 4 on the cofactor-4 curves).
fn point_at_x<const N: usize>(
    c: &Curve<N>,
    x: super::field::Fe<N>,
) -> Option<super::point::Aff<N>> {
    use super::field::{add_limbs, small};
    let f = &c.fp;
    let (p1, _) = add_limbs(&f.m, &small(1));
    let exp: [u64; N] = std::array::from_fn(|i| {
        let hi = if i + 1 < N { p1[i + 1] << 62 } else { 0 };
        (p1[i] >> 2) | hi
    });
    let rhs = f.add(&f.add(&f.mul(&f.square(&x), &x), &f.mul(&c.a, &x)), &c.b);
    let y = f.pow_public(&rhs, &exp);
    (f.square(&y) == rhs).then_some(super::point::Aff { x, y })
}

/// On the cofactor-4 curves, a point on the curve but outside the subgroup of order q is
/// refused as a public key (q·P ≠ O). Found by trying x = 1, 2, ... (p ≡ 3 mod 4, so
/// y = rhs^((p+1)/4)).
fn check_subgroup_refusal<const N: usize>(c: &Curve<N>) {
    use super::field::small;
    let f = &c.fp;
    let mut refused = 0;
    for xi in 1u64..200 {
        let x = f.to_mont(&small(xi));
        let Some(pt) = point_at_x(c, x) else {
            continue;
        };
        assert!(c.is_on_curve(&pt));
        let (xu, yu) = c.point_to_uints(&pt);
        if !c.in_subgroup(&pt) {
            assert!(c.point_from_uints(&xu, &yu).is_none());
            refused += 1;
        } else {
            assert!(c.point_from_uints(&xu, &yu).is_some());
        }
    }
    assert!(refused > 0);
}

#[test]
fn points_outside_the_subgroup_are_refused() {
    check_subgroup_refusal(curve256(CurveId::Tc26_256A));
    check_subgroup_refusal(curve512(CurveId::Tc26_512C));
}

/// The subgroup test by 2-descent agrees with its definition (q·P = O) on `count` points of
/// the curve with pseudo-random x (each of the four cosets of the subgroup about equally
/// often), and on k·G plus each point of order 2 or 4.
fn check_descent_matches_order<const N: usize>(c: &Curve<N>, count: usize) {
    use super::field::small;
    assert!(c.has_descent());
    let f = &c.fp;
    let (mut inside, mut outside) = (0, 0);
    // the curve's own constants and those with −β: the two branches of the final character
    let (ds, other) = c.descent_with_other_beta();
    let mut decided = [0usize; 2];
    let mut seed = [0u8; 64];
    let mut tried = 0;
    while inside + outside < count {
        tried += 1;
        seed[..8].copy_from_slice(&(tried as u64).to_le_bytes());
        let h = streebog512(&seed);
        let x = f.to_mont(&super::field::limbs_from_le::<N>(&h[..8 * N]));
        let Some(pt) = point_at_x(c, x) else {
            continue;
        };
        let want = c.in_subgroup_by_order(&pt);
        assert_eq!(c.in_subgroup(&pt), want, "point {tried}");
        let neg = super::point::Aff { x, y: f.neg(&pt.y) };
        assert_eq!(c.in_subgroup(&neg), want, "point −{tried}");
        for (i, d) in [&ds, &other].into_iter().enumerate() {
            for q in [&pt, &neg] {
                if let Some(got) = c.in_subgroup_descent(d, q) {
                    assert_eq!(got, want, "point {tried}, branch {i}");
                    decided[i] += 1;
                }
            }
        }
        if want { inside += 1 } else { outside += 1 }
    }
    assert!(
        inside > count / 8 && outside > count / 2,
        "{inside} in, {outside} out"
    );
    // the degenerate inputs (None) are rare: both branches decided nearly every point
    assert!(
        decided.iter().all(|&n| n + 4 >= 2 * (inside + outside)),
        "{decided:?}"
    );
    // The points of order 2 and 4 themselves, and 5·G shifted by them: q·P has order 1, 2
    // or 4 for every point P of the curve.
    let g5 = sign::public_point(c, &small(5));
    let mut found = 0;
    for xi in 1u64..400 {
        let x = f.to_mont(&small(xi));
        let Some(pt) = point_at_x(c, x) else {
            continue;
        };
        let t = c.to_affine(&c.mul_vartime(&c.fq.m, &c.lift(&pt)));
        if bool::from(t.1) {
            continue;
        }
        let (t, _) = t;
        assert!(!c.in_subgroup(&t));
        let shifted = c.to_affine(&c.add(&c.lift(&g5), &c.lift(&t))).0;
        assert!(c.is_on_curve(&shifted));
        assert!(!c.in_subgroup(&shifted));
        assert!(!c.in_subgroup_by_order(&shifted));
        found += 1;
    }
    assert!(found >= 4);
}

#[test]
fn subgroup_descent_matches_the_order_test() {
    check_descent_matches_order(curve256(CurveId::Tc26_256A), 400);
    check_descent_matches_order(curve512(CurveId::Tc26_512C), 100);
}

/// The verification ladder (Jacobian, wNAF, exceptional cases by branches) agrees with the
/// constant-time comb, including when both halves add the same point (doubling branch) and
/// when they cancel (identity branch).
fn check_double_mul<const N: usize>(c: &Curve<N>) {
    use super::field::{add_limbs, small, sub_limbs};
    let ks: [[u64; N]; 4] = [
        small(1),
        small(0x1234_5678),
        std::array::from_fn(|i| 0x0123_4567_89ab_cdef_u64.rotate_left(i as u32 * 7) >> 3),
        std::array::from_fn(|i| if i + 1 == N { 1 << 40 } else { u64::MAX }),
    ];
    for k in ks {
        // k·G + k·G = 2k·G
        let two_k = add_limbs(&k, &k).0;
        let got = c.jac_x_uint(&c.double_mul_vartime(&k, &k, &c.g)).unwrap();
        let (want, _) = c.to_affine(&c.mul_base_ct(&two_k));
        assert_eq!(got, c.fp.to_uint(&want.x));
        // k·G + (q − k)·G = O
        let neg_k = sub_limbs(&c.fq.m, &k).0;
        assert!(
            c.jac_x_uint(&c.double_mul_vartime(&k, &neg_k, &c.g))
                .is_none()
        );
        // 0·G + k·Q with Q = 3G
        let q = sign::public_point(c, &small(3));
        let got = c
            .jac_x_uint(&c.double_mul_vartime(&small(0), &k, &q))
            .unwrap();
        let (want, _) = c.to_affine(&c.mul_vartime(&k, &c.lift(&q)));
        assert_eq!(got, c.fp.to_uint(&want.x));
    }
}

#[test]
fn double_mul_matches_comb_on_every_curve_kind() {
    check_double_mul(curve256(CurveId::Test256)); // a = 7
    check_double_mul(curve256(CurveId::CryptoProA)); // a = −3
    check_double_mul(curve256(CurveId::Tc26_256A)); // general a, cofactor 4
    check_double_mul(curve512(CurveId::Tc26_512B)); // a = −3, 512 bits
    check_double_mul(curve512(CurveId::Tc26_512C)); // general a, cofactor 4
}

/// The Edwards paths (TC26 256-A, 512-C) agree with the Weierstrass ones: k·G, and the
/// verification equation including its doubling and cancelling cases.
fn check_edwards_matches_weierstrass<const N: usize>(c: &Curve<N>) {
    use super::field::{add_limbs, small, sub_limbs};
    assert!(c.edwards.is_some());
    let ks: [[u64; N]; 5] = [
        small(1),
        small(0x40),
        small(0x1234_5678),
        std::array::from_fn(|i| 0x0123_4567_89ab_cdef_u64.rotate_left(i as u32 * 7) >> 3),
        sub_limbs(&c.fq.m, &small(1)).0,
    ];
    for k in ks {
        let (w, _) = c.to_affine(&c.mul_base_ct(&k));
        assert_eq!(c.mul_base_affine_ct(&k), w);
        assert_eq!(c.mul_base_affine_with_scan(Backend::Portable, &k), w);
        // r = x(2k·G) mod q verifies for u1 = u2 = k, Q = G; a wrong r does not
        let two_k = add_limbs(&k, &k).0;
        let (p2, _) = c.to_affine(&c.mul_base_ct(&two_k));
        let r = c.fq.to_uint(&c.fq.to_mont(&c.fp.to_uint(&p2.x)));
        assert!(c.verify_combination(&k, &k, &c.g, &r));
        let r1 = add_limbs(&r, &small(1)).0;
        assert!(!c.verify_combination(&k, &k, &c.g, &r1));
        // k·G + (q − k)·G = O never verifies
        let neg_k = sub_limbs(&c.fq.m, &k).0;
        assert!(!c.verify_combination(&k, &neg_k, &c.g, &r));
    }
}

#[test]
fn edwards_matches_weierstrass() {
    check_edwards_matches_weierstrass(curve256(CurveId::Tc26_256A));
    check_edwards_matches_weierstrass(curve512(CurveId::Tc26_512C));
}

/// Pseudo-random limbs (Streebog of a label and a counter): reproducible test inputs.
fn test_limbs<const N: usize>(label: &str, i: u64) -> [u64; N] {
    let mut seed = label.as_bytes().to_vec();
    seed.extend_from_slice(&i.to_le_bytes());
    super::field::limbs_from_le::<N>(&streebog512(&seed)[..8 * N])
}

/// The incomplete mixed Jacobian addition of the signing comb agrees with the complete
/// formulas on random points with random Z, and shows the exceptions the comb's windows avoid:
/// P + P, P + (−P) and an identity input all come out with Z = 0 (right only for P + (−P)).
fn check_jac_mixed_addition<const N: usize>(c: &Curve<N>) {
    use super::field::small;
    let f = &c.fp;
    for i in 0..40 {
        let a = c.fq.to_uint(&c.fq.to_mont(&test_limbs::<N>("madd a", i)));
        let b = c.fq.to_uint(&c.fq.to_mont(&test_limbs::<N>("madd b", i)));
        let pa = c.to_affine(&c.mul_base_ct(&a)).0;
        let qb = c.to_affine(&c.mul_base_ct(&b)).0;
        let lambda = f.add(&f.to_mont(&test_limbs::<N>("madd z", i)), &f.one);
        let pj = c.jac_rescale(&c.jac_from_affine(&pa), &lambda);
        let got = c.jac_to_affine(&c.jac_add_affine_unchecked(&pj, &qb));
        let want = c.to_affine(&c.add(&c.lift(&pa), &c.lift(&qb))).0;
        assert_eq!(got, Some(want), "point pair {i}");
        // the exceptions: doubling and cancelling give Z = 0, and so does the identity
        let neg = super::point::Aff {
            x: qb.x,
            y: f.neg(&qb.y),
        };
        let qj = c.jac_rescale(&c.jac_from_affine(&qb), &lambda);
        assert!(c.jac_is_identity(&c.jac_add_affine_unchecked(&qj, &neg)));
        assert!(c.jac_is_identity(&c.jac_add_affine_unchecked(&qj, &qb)));
        assert!(c.jac_is_identity(&c.jac_add_affine_unchecked(&c.jac_identity(), &qb)));
    }
    // P + G where P = G·(small) with Z = 1: the first steps of the comb
    let g2 = c.jac_add_affine_unchecked(
        &c.jac_from_affine(&c.to_affine(&c.mul_base_ct(&small(5))).0),
        &c.g,
    );
    assert_eq!(
        c.jac_to_affine(&g2),
        Some(c.to_affine(&c.mul_base_ct(&small(6))).0)
    );
}

/// The Jacobian comb of signing agrees with the wNAF ladder over the complete formulas (a
/// plain variable-time double-and-add) on random scalars below q and on the edges: 0, 1, 2,
/// q − 1, q − 2, single windows, the top window alone, runs of zero digits (the running sum at
/// infinity for many windows, then not), alternating signs of the Booth digits.
fn check_jac_comb<const N: usize>(c: &Curve<N>) {
    use super::field::{small, sub_limbs};
    use super::point::{COMB_ENTRIES, COMB_W};
    let g = c.lift(&c.g);
    let q = c.fq.m;
    let windows = (64 * N + COMB_W) / COMB_W;
    let e = COMB_ENTRIES as u64;
    let mut ks: Vec<[u64; N]> = vec![
        small(0),
        small(1),
        small(2),
        small(e),
        small(e + 1),
        small(2 * e - 1),
        small(2 * e),
        sub_limbs(&q, &small(1)).0,
        sub_limbs(&q, &small(2)).0,
        sub_limbs(&q, &small(64)).0,
    ];
    // one window set: d·2^(6i) for several i, the top window included
    for i in [1usize, 7, 20, windows - 3, windows - 2, windows - 1] {
        for d in [1u64, e - 1, e, e + 1] {
            let mut k = [0u64; N];
            let bit = COMB_W * i;
            if bit < 64 * N {
                k[bit / 64] |= d << (bit % 64);
                if bit % 64 > 64 - COMB_W - 1 && bit / 64 + 1 < N {
                    k[bit / 64 + 1] |= d >> (64 - bit % 64);
                }
            }
            ks.push(k);
        }
    }
    for i in 0..30 {
        let r = test_limbs::<N>("comb k", i);
        let mut k = c.fq.to_uint(&c.fq.to_mont(&r));
        match i % 5 {
            // a run of zero digits at the bottom, in the middle, at the top
            1 => k[0] = 0,
            2 => k[N / 2] = 0,
            3 => {
                k[N - 1] &= 0xF;
            }
            // 0b1010…: Booth digits of both signs
            4 => {
                k = std::array::from_fn(|j| {
                    if j + 1 == N {
                        q[j] >> 2
                    } else {
                        0xAAAA_AAAA_AAAA_AAAA
                    }
                })
            }
            _ => {}
        }
        ks.push(k);
    }
    // top-window values beyond q (small q) are not signing scalars
    let before = ks.len();
    ks.retain(|k| super::field::lt_vartime(k, &q));
    assert!(ks.len() + 8 >= before);
    for k in ks {
        let got = c.to_affine(&c.mul_base_jac_ct(&k));
        let want = c.to_affine(&c.mul_vartime(&k, &g));
        assert_eq!(bool::from(got.1), bool::from(want.1), "k = {k:x?}");
        if !bool::from(want.1) {
            assert_eq!(got.0, want.0, "k = {k:x?}");
        }
        // the portable scan gives the same point as the one this CPU runs
        let portable = c.to_affine(&c.mul_base_jac_ct_with(Backend::Portable, &k));
        assert_eq!(bool::from(portable.1), bool::from(want.1), "k = {k:x?}");
        if !bool::from(want.1) {
            assert_eq!(portable.0, want.0, "k = {k:x?}");
        }
    }
    assert!(bool::from(c.to_affine(&c.mul_base_jac_ct(&small(0))).1));
}

#[test]
fn jacobian_comb_matches_the_complete_formulas() {
    for id in [
        CurveId::Test256,
        CurveId::CryptoProA,
        CurveId::CryptoProB,
        CurveId::CryptoProC,
        CurveId::Tc26_256A,
    ] {
        check_jac_mixed_addition(curve256(id));
        check_jac_comb(curve256(id));
    }
    for id in [
        CurveId::Test512,
        CurveId::Tc26_512A,
        CurveId::Tc26_512B,
        CurveId::Tc26_512C,
    ] {
        check_jac_mixed_addition(curve512(id));
        check_jac_comb(curve512(id));
    }
}

#[test]
fn comb_bound_is_checked() {
    use super::point::{COMB_W, comb_madd_windows, comb_window_is_safe};
    assert_eq!(COMB_W, 6, "the edges below are for 6-bit windows");
    // window 41 of 43 (a 256-bit scalar): q must exceed 65·2^245 = 2^251 + 2^245
    let edge: [u64; 4] = [0, 0, 0, (1 << 59) | (1 << 53)];
    assert!(!comb_window_is_safe(&edge, 41));
    assert!(comb_window_is_safe(&[1, 0, 0, edge[3]], 41));
    assert!(comb_window_is_safe(&edge, 40));
    assert!(comb_window_is_safe(&edge, 0));
    assert_eq!(comb_madd_windows(&edge, 43), 41);
    assert_eq!(comb_madd_windows(&[1, 0, 0, edge[3]], 43), 42);
    // q below 2^192: windows up to 31 (2^191 + 2^185 < q)
    assert_eq!(
        comb_madd_windows(&[u64::MAX, u64::MAX, u64::MAX, 0], 43),
        32
    );
    // every standard curve takes the complete formulas only for its last window
    for id in [
        CurveId::CryptoProA,
        CurveId::CryptoProB,
        CurveId::CryptoProC,
        CurveId::Tc26_256A,
    ] {
        let c = curve256(id);
        assert_eq!(c.comb_madd_windows(), c.comb_rows().len() - 1, "{id:?}");
    }
    for id in [CurveId::Tc26_512A, CurveId::Tc26_512B, CurveId::Tc26_512C] {
        let c = curve512(id);
        assert_eq!(c.comb_madd_windows(), c.comb_rows().len() - 1, "{id:?}");
    }
}

/// Weierstrass verification (affine table of Q, width-8 table of G) accepts x(2k·G) mod q for
/// u1 = u2 = k and Q = G, and rejects r + 1, the negated key, and a combination that cancels.
fn check_weierstrass_verification<const N: usize>(c: &Curve<N>) {
    use super::field::{add_limbs, small, sub_limbs};
    assert!(c.edwards.is_none());
    let neg_g = super::point::Aff {
        x: c.g.x,
        y: c.fp.neg(&c.g.y),
    };
    for i in 0..6 {
        let k = c.fq.to_uint(&c.fq.to_mont(&test_limbs::<N>("verify k", i)));
        let two_k =
            c.fq.to_uint(&c.fq.add(&c.fq.to_mont(&k), &c.fq.to_mont(&k)));
        let (p2, _) = c.to_affine(&c.mul_base_ct(&two_k));
        let r = c.fq.to_uint(&c.fq.to_mont(&c.fp.to_uint(&p2.x)));
        assert!(c.verify_combination(&k, &k, &c.g, &r));
        assert!(!c.verify_combination(&k, &k, &c.g, &add_limbs(&r, &small(1)).0));
        // k·G − k·G = O: rejected; with −G as the key the result is O too
        assert!(!c.verify_combination(&k, &k, &neg_g, &r));
        let neg_k = sub_limbs(&c.fq.m, &k).0;
        assert!(!c.verify_combination(&k, &neg_k, &c.g, &r));
        // 3k·G = k·G + k·(2G) with Q = 2G
        let g2 = c.to_affine(&c.mul_base_ct(&small(2))).0;
        let three_k =
            c.fq.to_uint(&c.fq.add(&c.fq.to_mont(&two_k), &c.fq.to_mont(&k)));
        let (p3, _) = c.to_affine(&c.mul_base_ct(&three_k));
        let r3 = c.fq.to_uint(&c.fq.to_mont(&c.fp.to_uint(&p3.x)));
        assert!(c.verify_combination(&k, &k, &g2, &r3));
        assert!(!c.verify_combination(&k, &k, &g2, &r));
    }
}

#[test]
fn weierstrass_verification_accepts_and_rejects() {
    check_weierstrass_verification(curve256(CurveId::Test256));
    check_weierstrass_verification(curve256(CurveId::CryptoProA));
    check_weierstrass_verification(curve256(CurveId::CryptoProB));
    check_weierstrass_verification(curve512(CurveId::Tc26_512A));
    check_weierstrass_verification(curve512(CurveId::Tc26_512B));
}

/// The comb's entry selection on every backend this CPU has, for every digit 0..=32 and both
/// signs, on the first, a middle and the last window: the entry, or its negation, and (0, 0)
/// for digit 0 (whatever the sign).
fn check_comb_select_backends<const N: usize>(c: &Curve<N>) {
    let mut backends = vec![Backend::Portable, Backend::detect()];
    if matches!(backends[1], Backend::Portable) {
        eprintln!("no vector scan on this CPU: only the portable one is tested");
        backends.pop();
    }
    let rows = c.comb_rows();
    for i in [0, rows.len() / 2, rows.len() - 1] {
        for digit in 0..=super::point::COMB_ENTRIES as u32 {
            for negative in [0u32, 1] {
                let want = if digit == 0 {
                    super::point::Aff::default()
                } else {
                    let [x, y] = rows[i][digit as usize - 1];
                    let y = super::field::Fe(y);
                    super::point::Aff {
                        x: super::field::Fe(x),
                        y: if negative == 1 { c.fp.neg(&y) } else { y },
                    }
                };
                for &b in &backends {
                    let got = c.comb_select(b, &rows[i], digit, negative);
                    assert_eq!(got, want, "{b:?} window {i} digit {digit} sign {negative}");
                }
            }
        }
    }
}

#[test]
fn comb_select_matches_on_every_backend() {
    check_comb_select_backends(curve256(CurveId::CryptoProA));
    check_comb_select_backends(curve512(CurveId::Tc26_512A));
}
