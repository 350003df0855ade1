//! The constant-time table scan of the signing combs: entry `digit` of a row of precomputed
//! points (entry j holds (j + 1)·B), found by reading **every** entry and keeping the wanted one
//! under a mask, so that neither a branch nor a memory address depends on the secret digit.
//! Digit 0 gives all zeros (the comb absorbs it by a masked select).
//!
//! An entry is K coordinates of N limbs, `[[u64; N]; K]` (affine Weierstrass x, y: K = 2;
//! Edwards u, v, d·u·v: K = 3), an array so that its layout is fixed (8·N·K contiguous bytes).
//! Two implementations, chosen once per curve ([`Backend::detect`]):
//! - **portable**: each limb ANDed with a mask from `field::scan_masks` (computed without a
//!   branch and passed through `black_box`: [`scan_masks`]) and ORed into the result;
//! - **AVX2** (x86-64, detected at run time): the entry read as 256-bit vectors, the mask made
//!   in a vector register by comparing a running index vector with the broadcast digit
//!   (`vpcmpeqq`), then AND and OR: for a 64-byte entry six vector instructions against about
//!   twenty scalar or SSE2 ones. Every load is unconditional (no masked load, whose masked-out
//!   lanes might not touch memory).
//!
//! The intrinsics are called from safe `#[target_feature]` functions; entering them, and the
//! raw-pointer loads and stores inside, are the module's only `unsafe`, behind a token that only
//! the feature detection creates (as `streebog::avx512::Token`).

/// Which scan code a curve runs.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Backend {
    /// Scalar masks (any CPU).
    Portable,
    /// 256-bit vectors.
    #[cfg(target_arch = "x86_64")]
    Avx2(x86::Avx2),
}

impl Backend {
    /// The fastest this CPU runs.
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = x86::Avx2::detect() {
            return Backend::Avx2(cpu);
        }
        Backend::Portable
    }

    /// The entry `digit` of `row` (entry j holds multiple j + 1), all zeros for digit 0 or any
    /// digit above E; every entry is read whatever the digit.
    #[inline(always)]
    pub(crate) fn select<const N: usize, const K: usize, const E: usize>(
        self,
        row: &[[[u64; N]; K]; E],
        digit: u32,
    ) -> [[u64; N]; K] {
        match self {
            Backend::Portable => select_portable(row, digit),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2(cpu) => x86::select_avx2(cpu, row, digit),
        }
    }
}

/// The portable scan: every limb of every entry ANDed with its mask and ORed in (the limb
/// arrays stay in registers; the compiler vectorises the loop with SSE2).
#[inline(always)]
fn select_portable<const N: usize, const K: usize, const E: usize>(
    row: &[[[u64; N]; K]; E],
    digit: u32,
) -> [[u64; N]; K] {
    let masks = scan_masks::<E>(digit);
    let mut out = [[0u64; N]; K];
    for (entry, &m) in row.iter().zip(masks.iter()) {
        for (o, coord) in out.iter_mut().zip(entry.iter()) {
            for i in 0..N {
                o[i] |= coord[i] & m;
            }
        }
    }
    out
}

/// Masks for a constant-time table scan: `masks[j]` is all ones when `digit` = j + 1, else
/// zero (all zero for digit 0), computed without a branch. The array goes through
/// `std::hint::black_box`, an optimisation barrier, so that the compiler cannot turn the masked
/// reads that follow back into a branch or an index on the digit.
#[inline(always)]
fn scan_masks<const E: usize>(digit: u32) -> [u64; E] {
    let masks: [u64; E] = std::array::from_fn(|j| {
        let x = ((j as u32 + 1) ^ digit) as u64; // < 2³², zero iff digit = j + 1
        (x.wrapping_sub(1) >> 63).wrapping_neg()
    });
    std::hint::black_box(masks)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Proof that the CPU has AVX2: only [`Avx2::detect`] makes one.
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Avx2(());

    impl Avx2 {
        /// A token if the CPU has AVX2.
        pub(crate) fn detect() -> Option<Avx2> {
            is_x86_feature_detected!("avx2").then_some(Avx2(()))
        }
    }

    /// Most 256-bit vectors an entry may span (N = 8, K = 3).
    const MAX_VECTORS: usize = 6;

    #[target_feature(enable = "avx2")]
    fn select_avx2_impl<const N: usize, const K: usize, const E: usize>(
        row: &[[[u64; N]; K]; E],
        digit: u32,
    ) -> [[u64; N]; K] {
        // vectors per entry; N is 4 or 8, so an entry is a whole number of them
        let vectors = N * K / 4;
        assert!(N.is_multiple_of(4) && vectors <= MAX_VECTORS);
        let want = _mm256_set1_epi64x(digit as i64);
        let step = _mm256_set1_epi64x(1);
        let mut index = step;
        let mut acc = [_mm256_setzero_si256(); MAX_VECTORS];
        for entry in row.iter() {
            // all ones where index = digit (exactly one entry for digit 1..=E), else zero
            let mask = _mm256_cmpeq_epi64(index, want);
            let base = entry as *const [[u64; N]; K] as *const __m256i;
            for (j, a) in acc.iter_mut().enumerate().take(vectors) {
                // SAFETY: `entry` is 8·N·K = 32·vectors contiguous bytes (nested arrays have
                // no padding) and j < vectors, so the 32 bytes at base + j are inside it;
                // `loadu` has no alignment requirement.
                #[allow(unsafe_code)]
                let v = unsafe { _mm256_loadu_si256(base.add(j)) };
                *a = _mm256_or_si256(*a, _mm256_and_si256(v, mask));
            }
            index = _mm256_add_epi64(index, step);
        }
        let mut out = [[0u64; N]; K];
        let dst = &mut out as *mut [[u64; N]; K] as *mut __m256i;
        for (j, a) in acc.iter().enumerate().take(vectors) {
            // SAFETY: as for the loads, the 32 bytes at dst + j are inside `out`.
            #[allow(unsafe_code)]
            unsafe {
                _mm256_storeu_si256(dst.add(j), *a)
            };
        }
        out
    }

    /// The AVX2 scan (see the module's documentation).
    #[inline(always)]
    pub(super) fn select_avx2<const N: usize, const K: usize, const E: usize>(
        _cpu: Avx2,
        row: &[[[u64; N]; K]; E],
        digit: u32,
    ) -> [[u64; N]; K] {
        // SAFETY: an `Avx2` token exists only if `Avx2::detect` found AVX2, the one feature
        // `select_avx2_impl` is compiled for.
        #[allow(unsafe_code)]
        unsafe {
            select_avx2_impl(row, digit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A row of pseudo-random entries (a xorshift stream from `seed`).
    fn row<const N: usize, const K: usize, const E: usize>(seed: u64) -> Box<[[[u64; N]; K]; E]> {
        let mut s = seed | 1;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut r = Box::new([[[0u64; N]; K]; E]);
        for e in r.iter_mut() {
            for c in e.iter_mut() {
                for l in c.iter_mut() {
                    *l = next();
                }
            }
        }
        r
    }

    /// Every backend this CPU has, the portable one first.
    fn backends() -> Vec<Backend> {
        let mut out = vec![Backend::Portable];
        #[cfg(target_arch = "x86_64")]
        match x86::Avx2::detect() {
            Some(cpu) => out.push(Backend::Avx2(cpu)),
            None => eprintln!("no AVX2 on this CPU: only the portable scan is tested"),
        }
        out
    }

    /// Every digit 0..=E + 1 on every backend: the wanted entry, zeros for 0 and beyond E.
    fn check_every_digit<const N: usize, const K: usize, const E: usize>(seed: u64) {
        let r = row::<N, K, E>(seed);
        for b in backends() {
            for digit in 0..=E as u32 + 1 {
                let d = digit as usize;
                let want = if (1..=E).contains(&d) {
                    r[d - 1]
                } else {
                    [[0; N]; K]
                };
                assert_eq!(b.select(&r, digit), want, "{b:?} digit {digit}");
            }
        }
    }

    #[test]
    fn every_backend_selects_every_digit() {
        for seed in [1u64, 0x9e37_79b9_7f4a_7c15] {
            check_every_digit::<4, 2, 32>(seed);
            check_every_digit::<4, 3, 32>(seed);
            check_every_digit::<8, 2, 32>(seed);
            check_every_digit::<8, 3, 32>(seed);
            check_every_digit::<4, 2, 64>(seed);
            check_every_digit::<4, 3, 64>(seed);
            check_every_digit::<8, 2, 64>(seed);
            check_every_digit::<8, 3, 64>(seed);
        }
        // all-ones and all-zero entries: nothing leaks in from the others
        let mut ones = Box::new([[[u64::MAX; 4]; 2]; 32]);
        ones[6] = [[0; 4]; 2];
        for b in backends() {
            assert_eq!(b.select(&ones, 7), [[0; 4]; 2]);
            assert_eq!(b.select(&ones, 8), [[u64::MAX; 4]; 2]);
        }
    }

    proptest! {
        #[test]
        fn vector_scan_matches_portable(seed in any::<u64>(), digit in 0u32..=70) {
            let r4 = row::<4, 3, 64>(seed);
            let r8 = row::<8, 2, 32>(seed);
            let p4 = Backend::Portable.select(&r4, digit);
            let p8 = Backend::Portable.select(&r8, digit);
            for b in backends() {
                prop_assert_eq!(b.select(&r4, digit), p4);
                prop_assert_eq!(b.select(&r8, digit), p8);
            }
        }
    }
}
