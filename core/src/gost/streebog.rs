//! Streebog (GOST R 34.11-2012), 256 and 512 bits, streaming, our own implementation.
//!
//! The compression g_N(h, m) = E(h ⊕ N, m) ⊕ h ⊕ m runs twelve rounds of two independent LPS
//! chains (the key schedule K_{i+1} = LPS(K_i ⊕ C_i) and the state X_i = LPS(K_i ⊕ X_{i−1})).
//! Two back ends compute it, chosen once per hasher in [`Streebog::new`]:
//!
//! - **AVX-512** (x86-64 with AVX-512 F/BW/VBMI and GFNI, detected at run time): the whole
//!   512-bit state in one register, kept *transposed* (byte i of word w at byte 8i + w), so that
//!   S is two `vpermi2b` table look-ups and a blend, and P∘L is eight byte permutations, each
//!   followed by a `vgf2p8affineqb` that multiplies every byte by one 8×8 block of the matrix A,
//!   XORed together three at a time (`vpternlogq`). No table in memory, no secret-dependent
//!   address.
//! - **portable**: eight 256-word tables (π, τ and A folded together, built at compile time),
//!   64 look-ups per LPS, each one byte load of the index from the state in memory and one
//!   XOR of a table word (no bounds check: a `u8` indexes a `[u64; 256]`).
//!
//! Both produce the bytes OpenSSL and RustCrypto output (the standard prints them reversed).
//! [`rustcrypto`] offers the same hash behind RustCrypto's `digest` traits (for HMAC, PBKDF2).
//! The state (h, N, Σ and the buffered bytes) is zeroized on drop, as RustCrypto's `streebog`
//! does with its `zeroize` feature.

// The AVX-512/GFNI intrinsics are stable since Rust 1.89, which is why the workspace's
// `rust-version` is 1.89.

use zeroize::Zeroize;

/// π (§5.1): the substitution of one byte.
const PI: [u8; 256] = [
    0xfc, 0xee, 0xdd, 0x11, 0xcf, 0x6e, 0x31, 0x16, 0xfb, 0xc4, 0xfa, 0xda, 0x23, 0xc5, 0x04, 0x4d,
    0xe9, 0x77, 0xf0, 0xdb, 0x93, 0x2e, 0x99, 0xba, 0x17, 0x36, 0xf1, 0xbb, 0x14, 0xcd, 0x5f, 0xc1,
    0xf9, 0x18, 0x65, 0x5a, 0xe2, 0x5c, 0xef, 0x21, 0x81, 0x1c, 0x3c, 0x42, 0x8b, 0x01, 0x8e, 0x4f,
    0x05, 0x84, 0x02, 0xae, 0xe3, 0x6a, 0x8f, 0xa0, 0x06, 0x0b, 0xed, 0x98, 0x7f, 0xd4, 0xd3, 0x1f,
    0xeb, 0x34, 0x2c, 0x51, 0xea, 0xc8, 0x48, 0xab, 0xf2, 0x2a, 0x68, 0xa2, 0xfd, 0x3a, 0xce, 0xcc,
    0xb5, 0x70, 0x0e, 0x56, 0x08, 0x0c, 0x76, 0x12, 0xbf, 0x72, 0x13, 0x47, 0x9c, 0xb7, 0x5d, 0x87,
    0x15, 0xa1, 0x96, 0x29, 0x10, 0x7b, 0x9a, 0xc7, 0xf3, 0x91, 0x78, 0x6f, 0x9d, 0x9e, 0xb2, 0xb1,
    0x32, 0x75, 0x19, 0x3d, 0xff, 0x35, 0x8a, 0x7e, 0x6d, 0x54, 0xc6, 0x80, 0xc3, 0xbd, 0x0d, 0x57,
    0xdf, 0xf5, 0x24, 0xa9, 0x3e, 0xa8, 0x43, 0xc9, 0xd7, 0x79, 0xd6, 0xf6, 0x7c, 0x22, 0xb9, 0x03,
    0xe0, 0x0f, 0xec, 0xde, 0x7a, 0x94, 0xb0, 0xbc, 0xdc, 0xe8, 0x28, 0x50, 0x4e, 0x33, 0x0a, 0x4a,
    0xa7, 0x97, 0x60, 0x73, 0x1e, 0x00, 0x62, 0x44, 0x1a, 0xb8, 0x38, 0x82, 0x64, 0x9f, 0x26, 0x41,
    0xad, 0x45, 0x46, 0x92, 0x27, 0x5e, 0x55, 0x2f, 0x8c, 0xa3, 0xa5, 0x7d, 0x69, 0xd5, 0x95, 0x3b,
    0x07, 0x58, 0xb3, 0x40, 0x86, 0xac, 0x1d, 0xf7, 0x30, 0x37, 0x6b, 0xe4, 0x88, 0xd9, 0xe7, 0x89,
    0xe1, 0x1b, 0x83, 0x49, 0x4c, 0x3f, 0xf8, 0xfe, 0x8d, 0x53, 0xaa, 0x90, 0xca, 0xd8, 0x85, 0x61,
    0x20, 0x71, 0x67, 0xa4, 0x2d, 0x2b, 0x09, 0x5b, 0xcb, 0x9b, 0x25, 0xd0, 0xbe, 0xe5, 0x6c, 0x52,
    0x59, 0xa6, 0x74, 0xd2, 0xe6, 0xf4, 0xb4, 0xc0, 0xd1, 0x66, 0xaf, 0xc2, 0x39, 0x4b, 0x63, 0xb6,
];

/// The matrix A of l (§5.3) as the standard prints it: row 0 is the image of bit 63, row 63
/// the image of bit 0.
const A_ROWS: [u64; 64] = [
    0x8e20faa72ba0b470,
    0x47107ddd9b505a38,
    0xad08b0e0c3282d1c,
    0xd8045870ef14980e,
    0x6c022c38f90a4c07,
    0x3601161cf205268d,
    0x1b8e0b0e798c13c8,
    0x83478b07b2468764,
    0xa011d380818e8f40,
    0x5086e740ce47c920,
    0x2843fd2067adea10,
    0x14aff010bdd87508,
    0x0ad97808d06cb404,
    0x05e23c0468365a02,
    0x8c711e02341b2d01,
    0x46b60f011a83988e,
    0x90dab52a387ae76f,
    0x486dd4151c3dfdb9,
    0x24b86a840e90f0d2,
    0x125c354207487869,
    0x092e94218d243cba,
    0x8a174a9ec8121e5d,
    0x4585254f64090fa0,
    0xaccc9ca9328a8950,
    0x9d4df05d5f661451,
    0xc0a878a0a1330aa6,
    0x60543c50de970553,
    0x302a1e286fc58ca7,
    0x18150f14b9ec46dd,
    0x0c84890ad27623e0,
    0x0642ca05693b9f70,
    0x0321658cba93c138,
    0x86275df09ce8aaa8,
    0x439da0784e745554,
    0xafc0503c273aa42a,
    0xd960281e9d1d5215,
    0xe230140fc0802984,
    0x71180a8960409a42,
    0xb60c05ca30204d21,
    0x5b068c651810a89e,
    0x456c34887a3805b9,
    0xac361a443d1c8cd2,
    0x561b0d22900e4669,
    0x2b838811480723ba,
    0x9bcf4486248d9f5d,
    0xc3e9224312c8c1a0,
    0xeffa11af0964ee50,
    0xf97d86d98a327728,
    0xe4fa2054a80b329c,
    0x727d102a548b194e,
    0x39b008152acb8227,
    0x9258048415eb419d,
    0x492c024284fbaec0,
    0xaa16012142f35760,
    0x550b8e9e21f7a530,
    0xa48b474f9ef5dc18,
    0x70a6a56e2440598e,
    0x3853dc371220a247,
    0x1ca76e95091051ad,
    0x0edd37c48a08a6d8,
    0x07e095624504536c,
    0x8d70c431ac02a736,
    0xc83862965601dd1b,
    0x641c314b2b8ee083,
];

/// The iteration constants C_1..C_12 (§5.4) as eight little-endian words each.
const C: [[u64; 8]; 12] = [
    [
        0xdd806559f2a64507,
        0x05767436cc744d23,
        0xa2422a08a460d315,
        0x4b7ce09192676901,
        0x714eb88d7585c4fc,
        0x2f6a76432e45d016,
        0xebcb2f81c0657c1f,
        0xb1085bda1ecadae9,
    ],
    [
        0xe679047021b19bb7,
        0x55dda21bd7cbcd56,
        0x5cb561c2db0aa7ca,
        0x9ab5176b12d69958,
        0x61d55e0f16b50131,
        0xf3feea720a232b98,
        0x4fe39d460f70b5d7,
        0x6fa3b58aa99d2f1a,
    ],
    [
        0x991e96f50aba0ab2,
        0xc2b6f443867adb31,
        0xc1c93a376062db09,
        0xd3e20fe490359eb1,
        0xf2ea7514b1297b7b,
        0x06f15e5f529c1f8b,
        0x0a39fc286a3d8435,
        0xf574dcac2bce2fc7,
    ],
    [
        0x220cbebc84e3d12e,
        0x3453eaa193e837f1,
        0xd8b71333935203be,
        0xa9d72c82ed03d675,
        0x9d721cad685e353f,
        0x488e857e335c3c7d,
        0xf948e1a05d71e4dd,
        0xef1fdfb3e81566d2,
    ],
    [
        0x601758fd7c6cfe57,
        0x7a56a27ea9ea63f5,
        0xdfff00b723271a16,
        0xbfcd1747253af5a3,
        0x359e35d7800fffbd,
        0x7f151c1f1686104a,
        0x9a3f410c6ca92363,
        0x4bea6bacad474799,
    ],
    [
        0xfa68407a46647d6e,
        0xbf71c57236904f35,
        0x0af21f66c2bec6b6,
        0xcffaa6b71c9ab7b4,
        0x187f9ab49af08ec6,
        0x2d66c4f95142a46c,
        0x6fa4c33b7a3039c0,
        0xae4faeae1d3ad3d9,
    ],
    [
        0x8886564d3a14d493,
        0x3517454ca23c4af3,
        0x06476983284a0504,
        0x0992abc52d822c37,
        0xd3473e33197a93c9,
        0x399ec6c7e6bf87c9,
        0x51ac86febf240954,
        0xf4c70e16eeaac5ec,
    ],
    [
        0xa47f0dd4bf02e71e,
        0x36acc2355951a8d9,
        0x69d18d2bd1a5c42f,
        0xf4892bcb929b0690,
        0x89b4443b4ddbc49a,
        0x4eb7f8719c36de1e,
        0x03e7aa020c6e4141,
        0x9b1f5b424d93c9a7,
    ],
    [
        0x7261445183235adb,
        0x0e38dc92cb1f2a60,
        0x7b2b8a9aa6079c54,
        0x800a440bdbb2ceb1,
        0x3cd955b7e00d0984,
        0x3a7d3a1b25894224,
        0x944c9ad8ec165fde,
        0x378f5a541631229b,
    ],
    [
        0x74b4c7fb98459ced,
        0x3698fad1153bb6c3,
        0x7a1e6c303b7652f4,
        0x9fe76702af69334b,
        0x1fffe18a1b336103,
        0x8941e71cff8a78db,
        0x382ae548b2e4f3f3,
        0xabbedea680056f52,
    ],
    [
        0x6bcaa4cd81f32d1b,
        0xdea2594ac06fd85d,
        0xefbacd1d7d476e98,
        0x8a1d71efea48b9ca,
        0x2001802114846679,
        0xd8fa6bbbebab0761,
        0x3002c6cd635afe94,
        0x7bcd9ed0efc889fb,
    ],
    [
        0x48bc924af11bd720,
        0xfaf417d5d9b21b99,
        0xe71da4aa88e12852,
        0x5d80ef9d1891cc86,
        0xf82012d430219f9b,
        0xcda43c32bcdf1d77,
        0xd21380b00449b17a,
        0x378ee767f11631ba,
    ],
];

/// The image of bit `bit` (0 = least significant) under l: a row of A.
const fn a_row(bit: usize) -> u64 {
    A_ROWS[63 - bit]
}

/// LPS as eight tables: `LPS_TABLE[j][b]` is l applied to the word whose byte j is π(b) and
/// whose other bytes are 0. Word i of LPS(x) is the XOR over j of `LPS_TABLE[j][byte i of x_j]`
/// (P moves byte i of word j to byte j of word i).
static LPS_TABLE: [[u64; 256]; 8] = {
    let mut t = [[0u64; 256]; 8];
    let mut j = 0;
    while j < 8 {
        let mut b = 0;
        while b < 256 {
            let s = PI[b];
            let mut acc = 0u64;
            let mut k = 0;
            while k < 8 {
                if (s >> k) & 1 == 1 {
                    acc ^= a_row(8 * j + k);
                }
                k += 1;
            }
            t[j][b] = acc;
            b += 1;
        }
        j += 1;
    }
    t
};

/// The eight little-endian words of a 64-byte block.
#[inline(always)]
fn words(block: &[u8; 64]) -> [u64; 8] {
    std::array::from_fn(|i| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&block[8 * i..8 * i + 8]);
        u64::from_le_bytes(w)
    })
}

/// a += b modulo 2^512 (little-endian words).
#[inline(always)]
fn add512(a: &mut [u64; 8], b: &[u64; 8]) {
    let mut carry = false;
    for (x, y) in a.iter_mut().zip(b) {
        let (s1, c1) = x.overflowing_add(*y);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *x = s2;
        carry = c1 | c2;
    }
}

/// a += v modulo 2^512 for a small v (the bit counter N).
#[inline(always)]
fn add512_small(a: &mut [u64; 8], v: u64) {
    let (s, mut carry) = a[0].overflowing_add(v);
    a[0] = s;
    for x in a[1..].iter_mut() {
        let (s, c) = x.overflowing_add(u64::from(carry));
        *x = s;
        carry = c;
    }
}

/// The portable back end: table look-ups. The state is kept as 64 bytes so that each look-up
/// reads its index byte straight from memory (one load) instead of shifting and masking a word.
mod portable {
    use super::{C, LPS_TABLE};

    /// a ⊕ b.
    #[inline(always)]
    fn xor(a: &[u64; 8], b: &[u64; 8]) -> [u64; 8] {
        std::array::from_fn(|i| a[i] ^ b[i])
    }

    /// LPS(x) on words: byte i of word j indexes `LPS_TABLE[j]` and adds to word i of the
    /// result. Each input word is taken apart by shifts in a register, so a look-up costs one
    /// load (the table entry) rather than two (the index byte, then the entry): the loads were
    /// the bottleneck of the byte-array form.
    #[inline(never)]
    fn lps(x: &[u64; 8]) -> [u64; 8] {
        let mut out = [0u64; 8];
        for (table, &word) in LPS_TABLE.iter().zip(x) {
            let mut w = word;
            for o in out.iter_mut() {
                *o ^= table[(w & 0xff) as usize];
                w >>= 8;
            }
        }
        out
    }

    /// h ← g_N(h, m).
    pub(super) fn g(h: &mut [u64; 8], n: &[u64; 8], m: &[u64; 8]) {
        let mut k = lps(&xor(h, n));
        let mut x = *m;
        for c in &C {
            x = lps(&xor(&k, &x));
            k = lps(&xor(&k, c));
        }
        for (i, w) in h.iter_mut().enumerate() {
            *w ^= k[i] ^ x[i] ^ m[i];
        }
    }
}

/// The AVX-512 back end (F, BW, VBMI and GFNI). The state is held transposed: byte i of word w
/// at byte 8i + w of the register ("T layout"), which is the layout L produces (see [`lps`]).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{C, PI, a_row, add512, add512_small, words};

    /// Proof that the CPU has the features this module is compiled for: only
    /// [`Token::detect`] makes one.
    #[derive(Clone, Copy, Debug)]
    pub(super) struct Token(());

    impl Token {
        /// A token if the CPU has AVX-512 F, BW, VBMI and GFNI.
        pub(super) fn detect() -> Option<Token> {
            (is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vbmi")
                && is_x86_feature_detected!("gfni"))
            .then_some(Token(()))
        }
    }

    /// 64 index bytes as eight little-endian words.
    const fn pack(idx: &[u8; 64]) -> [u64; 8] {
        let mut out = [0u64; 8];
        let mut i = 0;
        while i < 64 {
            out[i / 8] |= (idx[i] as u64) << (8 * (i % 8));
            i += 1;
        }
        out
    }

    /// The byte permutation between the normal layout (byte b of word w at 8w + b) and the
    /// T layout (at 8b + w); it is its own inverse.
    const TRANSPOSE: [u64; 8] = {
        let mut idx = [0u8; 64];
        let mut k = 0;
        while k < 64 {
            idx[k] = ((k % 8) * 8 + k / 8) as u8;
            k += 1;
        }
        pack(&idx)
    };

    /// `ROT[s]`: from a value in T layout, lane i gets word i + s (mod 8), byte w at byte w:
    /// the operand whose lane i the matrix block M_{i, i+s} multiplies.
    const ROT: [[u64; 8]; 8] = {
        let mut out = [[0u64; 8]; 8];
        let mut s = 0;
        while s < 8 {
            let mut idx = [0u8; 64];
            let mut i = 0;
            while i < 8 {
                let mut w = 0;
                while w < 8 {
                    idx[8 * i + w] = (8 * w + (i + s) % 8) as u8;
                    w += 1;
                }
                i += 1;
            }
            out[s] = pack(&idx);
            s += 1;
        }
        out
    };

    /// M_{i,j}, the 8×8 block of l that maps byte j of a word to byte i of its image, in the
    /// form `vgf2p8affineqb` takes (byte 7 − t holds the row of output bit t).
    const fn block(i: usize, j: usize) -> u64 {
        let mut m = 0u64;
        let mut t = 0;
        while t < 8 {
            let mut k = 0;
            while k < 8 {
                m |= ((a_row(8 * j + k) >> (8 * i + t)) & 1) << (8 * (7 - t) + k);
                k += 1;
            }
            t += 1;
        }
        m
    }

    /// `MAT[s]`: lane i holds M_{i, i+s (mod 8)}.
    const MAT: [[u64; 8]; 8] = {
        let mut out = [[0u64; 8]; 8];
        let mut s = 0;
        while s < 8 {
            let mut i = 0;
            while i < 8 {
                out[s][i] = block(i, (i + s) % 8);
                i += 1;
            }
            s += 1;
        }
        out
    };

    /// π as four 64-byte tables.
    const PI_Q: [[u64; 8]; 4] = {
        let mut out = [[0u64; 8]; 4];
        let mut b = 0;
        while b < 256 {
            out[b / 64][(b % 64) / 8] |= (PI[b] as u64) << (8 * (b % 8));
            b += 1;
        }
        out
    };

    /// The round constants in T layout.
    const C_T: [[u64; 8]; 12] = {
        let mut out = [[0u64; 8]; 12];
        let mut r = 0;
        while r < 12 {
            let mut i = 0;
            while i < 8 {
                let mut w = 0;
                while w < 8 {
                    out[r][i] |= ((C[r][w] >> (8 * i)) & 0xff) << (8 * w);
                    w += 1;
                }
                i += 1;
            }
            r += 1;
        }
        out
    };

    /// Eight words as a register (word i in lane i).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn z(a: &[u64; 8]) -> __m512i {
        _mm512_set_epi64(
            a[7] as i64,
            a[6] as i64,
            a[5] as i64,
            a[4] as i64,
            a[3] as i64,
            a[2] as i64,
            a[1] as i64,
            a[0] as i64,
        )
    }

    /// A register as eight words.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn unz(v: __m512i) -> [u64; 8] {
        let lo = _mm512_castsi512_si256(v);
        let hi = _mm512_extracti64x4_epi64::<1>(v);
        [
            _mm256_extract_epi64::<0>(lo) as u64,
            _mm256_extract_epi64::<1>(lo) as u64,
            _mm256_extract_epi64::<2>(lo) as u64,
            _mm256_extract_epi64::<3>(lo) as u64,
            _mm256_extract_epi64::<0>(hi) as u64,
            _mm256_extract_epi64::<1>(hi) as u64,
            _mm256_extract_epi64::<2>(hi) as u64,
            _mm256_extract_epi64::<3>(hi) as u64,
        ]
    }

    /// Between the normal and the T layout (either way).
    #[inline]
    #[target_feature(enable = "avx512f,avx512vbmi")]
    fn transpose(v: __m512i) -> __m512i {
        _mm512_permutexvar_epi8(z(&TRANSPOSE), v)
    }

    /// a ⊕ b ⊕ c.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn xor3(a: __m512i, b: __m512i, c: __m512i) -> __m512i {
        _mm512_ternarylogic_epi64::<0x96>(a, b, c)
    }

    /// π on every byte: two 128-entry look-ups (`vpermi2b`), chosen by the top bit.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    fn s(x: __m512i) -> __m512i {
        let lo = _mm512_permutex2var_epi8(z(&PI_Q[0]), x, z(&PI_Q[1]));
        let hi = _mm512_permutex2var_epi8(z(&PI_Q[2]), x, z(&PI_Q[3]));
        _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), lo, hi)
    }

    /// Term s of L∘P applied to y = S(x) in T layout: lane i of the result holds, for every
    /// word w, M_{i,i+s} times byte w of word i + s (mod 8) of y, i.e. what byte i+s of that
    /// word contributes to byte i of word w of L(P(y)).
    #[inline]
    #[target_feature(enable = "avx512f,avx512vbmi,gfni")]
    fn term<const S: usize>(y: __m512i) -> __m512i {
        _mm512_gf2p8affine_epi64_epi8::<0>(_mm512_permutexvar_epi8(z(&ROT[S]), y), z(&MAT[S]))
    }

    /// LPS(x) ⊕ e, x and e and the result in T layout.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
    fn lps_xor(x: __m512i, e: __m512i) -> __m512i {
        let y = s(x);
        let a = xor3(term::<0>(y), term::<1>(y), term::<2>(y));
        let b = xor3(term::<3>(y), term::<4>(y), term::<5>(y));
        let c = xor3(term::<6>(y), term::<7>(y), e);
        xor3(a, b, c)
    }

    /// LPS(x), in T layout.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
    fn lps(x: __m512i) -> __m512i {
        let y = s(x);
        let a = xor3(term::<0>(y), term::<1>(y), term::<2>(y));
        let b = xor3(term::<3>(y), term::<4>(y), term::<5>(y));
        xor3(a, b, _mm512_xor_si512(term::<6>(y), term::<7>(y)))
    }

    /// g_N(h, m), everything in T layout. Round r: K_{r+1} = LPS(K_r ⊕ C_r) and
    /// X_r = LPS(K_r ⊕ X_{r−1}); `x_in` carries K_r ⊕ X_{r−1}, so E = X_12 ⊕ K_13 is the last
    /// `x_in`. A macro rather than a function so that it is inlined into both callers and its
    /// constants stay in registers across the blocks (`#[inline(always)]` is not allowed with
    /// `#[target_feature]`).
    macro_rules! g_t {
        ($h:expr, $n:expr, $m:expr) => {{
            let (h, n, m) = ($h, $n, $m);
            let k = lps(_mm512_xor_si512(h, n));
            let mut x_in = _mm512_xor_si512(k, m);
            let mut k_in = _mm512_xor_si512(k, z(&C_T[0]));
            for c in &C_T[1..] {
                let k_next = lps(k_in);
                x_in = lps_xor(x_in, k_next);
                k_in = _mm512_xor_si512(k_next, z(c));
            }
            let k13 = lps(k_in);
            let e = lps_xor(x_in, k13);
            xor3(h, m, e)
        }};
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
    fn blocks_impl(h: &mut [u64; 8], n: &mut [u64; 8], sigma: &mut [u64; 8], blocks: &[[u8; 64]]) {
        let mut ht = transpose(z(h));
        let mut nz = z(n);
        let step = z(&[512, 0, 0, 0, 0, 0, 0, 0]);
        for block in blocks {
            let m = words(block);
            ht = g_t!(ht, transpose(nz), transpose(z(&m)));
            add512(sigma, &m);
            add512_small(n, 512);
            nz = if n[0] < 512 {
                z(n)
            } else {
                _mm512_add_epi64(nz, step)
            };
        }
        *h = unz(transpose(ht));
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
    fn g_impl(h: &mut [u64; 8], n: &[u64; 8], m: &[u64; 8]) {
        let mt = transpose(z(m));
        *h = unz(transpose(g_t!(transpose(z(h)), transpose(z(n)), mt)));
    }

    /// For each block in turn: h ← g_N(h, m), N += 512, Σ += m.
    pub(super) fn blocks(
        _cpu: Token,
        h: &mut [u64; 8],
        n: &mut [u64; 8],
        sigma: &mut [u64; 8],
        blocks: &[[u8; 64]],
    ) {
        // SAFETY: a `Token` exists only if `Token::detect` found every feature `blocks_impl`
        // is compiled for.
        #[allow(unsafe_code)]
        unsafe {
            blocks_impl(h, n, sigma, blocks)
        }
    }

    /// h ← g_N(h, m).
    pub(super) fn g(_cpu: Token, h: &mut [u64; 8], n: &[u64; 8], m: &[u64; 8]) {
        // SAFETY: as in `blocks`.
        #[allow(unsafe_code)]
        unsafe {
            g_impl(h, n, m)
        }
    }
}

/// Which compression code a hasher runs.
#[derive(Clone, Copy, Debug)]
enum Backend {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx512(avx512::Token),
}

impl Backend {
    /// The fastest this CPU runs.
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = avx512::Token::detect() {
            return Backend::Avx512(cpu);
        }
        Backend::Portable
    }

    /// For each block in turn: h ← g_N(h, m), N += 512, Σ += m.
    fn blocks(self, h: &mut [u64; 8], n: &mut [u64; 8], sigma: &mut [u64; 8], blocks: &[[u8; 64]]) {
        match self {
            Backend::Portable => {
                for block in blocks {
                    let m = words(block);
                    portable::g(h, n, &m);
                    add512(sigma, &m);
                    add512_small(n, 512);
                }
            }
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512(cpu) => avx512::blocks(cpu, h, n, sigma, blocks),
        }
    }

    /// h ← g_N(h, m).
    fn g(self, h: &mut [u64; 8], n: &[u64; 8], m: &[u64; 8]) {
        match self {
            Backend::Portable => portable::g(h, n, m),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512(cpu) => avx512::g(cpu, h, n, m),
        }
    }
}

/// The chaining state (h, N, Σ) and its back end: everything but the buffered bytes.
#[derive(Clone)]
struct Chain {
    h: [u64; 8],
    n: [u64; 8],
    sigma: [u64; 8],
    backend: Backend,
}

impl Chain {
    /// The initial state for a `bytes`-byte digest (32 or 64).
    fn new(bytes: usize, backend: Backend) -> Self {
        let iv = if bytes == 32 {
            0x0101_0101_0101_0101
        } else {
            0
        };
        Self {
            h: [iv; 8],
            n: [0; 8],
            sigma: [0; 8],
            backend,
        }
    }

    /// Absorbs whole blocks.
    fn absorb(&mut self, blocks: &[[u8; 64]]) {
        if !blocks.is_empty() {
            let Self {
                h,
                n,
                sigma,
                backend,
            } = self;
            backend.blocks(h, n, sigma, blocks);
        }
    }

    /// The final stage after the whole blocks: `tail` (under 64 bytes) padded and compressed,
    /// then g_0(h, N) and g_0(h, Σ). Returns h; the state is spent.
    fn finish(&mut self, tail: &[u8]) -> [u64; 8] {
        let Self {
            h,
            n,
            sigma,
            backend,
        } = self;
        let mut block = [0u8; 64];
        block[..tail.len()].copy_from_slice(tail);
        block[tail.len()] = 1;
        let mut m = words(&block);
        backend.g(h, n, &m);
        add512_small(n, 8 * tail.len() as u64);
        add512(sigma, &m);
        m.zeroize();
        block.zeroize();
        backend.g(h, &[0; 8], n);
        backend.g(h, &[0; 8], sigma);
        *h
    }

    /// Zeroizes h, N and Σ.
    fn wipe(&mut self) {
        self.h.zeroize();
        self.n.zeroize();
        self.sigma.zeroize();
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        self.wipe();
    }
}

/// The last `out.len()` bytes of h (the 256-bit digest is the upper half of the state).
fn digest_bytes(h: &[u64; 8], out: &mut [u8]) {
    let skip = 8 - out.len() / 8;
    for (chunk, word) in out.chunks_exact_mut(8).zip(&h[skip..]) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
}

/// Streebog with a `BYTES`-byte digest: [`Streebog256`] (32) or [`Streebog512`] (64); other
/// sizes do not compile. Feed it with [`update`](Self::update) as often as needed, then
/// [`finalize`](Self::finalize). The state is zeroized on drop.
#[derive(Clone)]
pub struct Streebog<const BYTES: usize> {
    chain: Chain,
    buf: [u8; 64],
    pos: usize,
}

/// Streebog-256 (GOST R 34.11-2012, 32-byte digest).
pub type Streebog256 = Streebog<32>;
/// Streebog-512 (GOST R 34.11-2012, 64-byte digest).
pub type Streebog512 = Streebog<64>;

impl<const BYTES: usize> Streebog<BYTES> {
    /// A fresh hasher (the back end chosen for this CPU).
    pub fn new() -> Self {
        Self::with_backend(Backend::detect())
    }

    /// A fresh hasher on the portable (table) back end whatever the CPU: what CPUs without
    /// AVX-512 VBMI and GFNI, and other architectures, run. The digest is the same as
    /// [`new`](Self::new)'s; this exists to measure and test that back end on any machine.
    pub fn new_portable() -> Self {
        Self::with_backend(Backend::Portable)
    }

    fn with_backend(backend: Backend) -> Self {
        const {
            assert!(
                BYTES == 32 || BYTES == 64,
                "Streebog digests are 32 or 64 bytes"
            )
        };
        Self {
            chain: Chain::new(BYTES, backend),
            buf: [0; 64],
            pos: 0,
        }
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: impl AsRef<[u8]>) {
        let mut data = data.as_ref();
        if self.pos > 0 {
            let take = (64 - self.pos).min(data.len());
            self.buf[self.pos..self.pos + take].copy_from_slice(&data[..take]);
            self.pos += take;
            data = &data[take..];
            if self.pos < 64 {
                return;
            }
            self.chain.absorb(std::slice::from_ref(&self.buf));
            self.pos = 0;
        }
        let (blocks, rest) = data.as_chunks::<64>();
        self.chain.absorb(blocks);
        self.buf[..rest.len()].copy_from_slice(rest);
        self.pos = rest.len();
    }

    /// The digest of everything absorbed, bytes as OpenSSL and RustCrypto output them.
    pub fn finalize(mut self) -> [u8; BYTES] {
        let h = self.chain.finish(&self.buf[..self.pos]);
        let mut out = [0u8; BYTES];
        digest_bytes(&h, &mut out);
        out
    }

    /// The digest of `data` in one call.
    pub fn digest(data: impl AsRef<[u8]>) -> [u8; BYTES] {
        let mut h = Self::new();
        h.update(data);
        h.finalize()
    }

    /// Zeroizes the state (h, N, Σ and the buffered bytes).
    fn wipe(&mut self) {
        self.chain.wipe();
        self.buf.zeroize();
        self.pos.zeroize();
    }
}

impl<const BYTES: usize> Default for Streebog<BYTES> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BYTES: usize> std::fmt::Debug for Streebog<BYTES> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Streebog{} {{ .. }}", 8 * BYTES)
    }
}

impl<const BYTES: usize> Drop for Streebog<BYTES> {
    fn drop(&mut self) {
        self.wipe();
    }
}

/// The same hash behind RustCrypto's `digest` traits, for generic code that needs them
/// (`hmac::Hmac`, `pbkdf2::pbkdf2_hmac`): [`rustcrypto::Streebog256`] and
/// [`rustcrypto::Streebog512`] implement `digest::Digest` and `digest::block_api::EagerHash`.
pub mod rustcrypto {
    use digest::array::Array;
    use digest::block_api::{
        AlgorithmName, Block, BlockSizeUser, Buffer, BufferKindUser, Eager, FixedOutputCore,
        OutputSizeUser, Reset, UpdateCore,
    };
    use digest::consts::{U32, U64};
    use digest::{HashMarker, Output};

    use super::{Backend, Chain, digest_bytes};

    macro_rules! core {
        ($core:ident, $bytes:literal, $size:ty, $name:literal) => {
            /// The block-level core (h, N, Σ) for `digest`'s buffering wrapper.
            #[derive(Clone)]
            pub struct $core(Chain);

            impl Default for $core {
                fn default() -> Self {
                    Self(Chain::new($bytes, Backend::detect()))
                }
            }

            impl HashMarker for $core {}

            impl BlockSizeUser for $core {
                type BlockSize = U64;
            }

            impl BufferKindUser for $core {
                type BufferKind = Eager;
            }

            impl OutputSizeUser for $core {
                type OutputSize = $size;
            }

            impl UpdateCore for $core {
                fn update_blocks(&mut self, blocks: &[Block<Self>]) {
                    self.0.absorb(Array::cast_slice_to_core(blocks));
                }
            }

            impl FixedOutputCore for $core {
                fn finalize_fixed_core(
                    &mut self,
                    buffer: &mut Buffer<Self>,
                    out: &mut Output<Self>,
                ) {
                    let h = self.0.finish(buffer.get_data());
                    digest_bytes(&h, out);
                }
            }

            impl Reset for $core {
                fn reset(&mut self) {
                    *self = Self(Chain::new($bytes, self.0.backend));
                }
            }

            impl AlgorithmName for $core {
                fn write_alg_name(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    f.write_str($name)
                }
            }

            /// h, N and Σ are zeroized on drop (`digest`'s buffer wipes itself).
            impl zeroize::ZeroizeOnDrop for $core {}

            impl core::fmt::Debug for $core {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    write!(f, "{} {{ .. }}", stringify!($core))
                }
            }
        };
    }

    core!(Core256, 32, U32, "Streebog256");
    core!(Core512, 64, U64, "Streebog512");

    // Both parts zeroize on drop: the cores by `Chain`'s `Drop`, `digest`'s buffer by its
    // `zeroize` feature (turned on in core/Cargo.toml); this does not compile otherwise.
    const _: () = {
        #[allow(dead_code)] // a check that runs at compile time
        fn wipes(core: &Core256, buf: &Buffer<Core256>, core512: &Core512) {
            let _ = core as &dyn zeroize::ZeroizeOnDrop;
            let _ = buf as &dyn zeroize::ZeroizeOnDrop;
            let _ = core512 as &dyn zeroize::ZeroizeOnDrop;
        }
    };
    impl zeroize::ZeroizeOnDrop for Streebog256 {}
    impl zeroize::ZeroizeOnDrop for Streebog512 {}

    digest::buffer_fixed!(
        /// Streebog-256 with RustCrypto's `digest` traits.
        pub struct Streebog256(Core256);
        impl: BaseFixedTraits AlgorithmName Default Clone HashMarker Reset FixedOutputReset;
    );

    digest::buffer_fixed!(
        /// Streebog-512 with RustCrypto's `digest` traits.
        pub struct Streebog512(Core512);
        impl: BaseFixedTraits AlgorithmName Default Clone HashMarker Reset FixedOutputReset;
    );
}

#[cfg(test)]
mod tests {
    use ::streebog::Digest as _;
    use proptest::prelude::*;

    use super::*;

    /// Every back end this CPU can run (the portable one always).
    fn backends() -> Vec<Backend> {
        let mut all = vec![Backend::Portable];
        match Backend::detect() {
            Backend::Portable => {
                eprintln!("SKIP: no AVX-512 VBMI + GFNI here, portable back end only")
            }
            simd => all.push(simd),
        }
        all
    }

    fn hash256(b: Backend, parts: &[&[u8]]) -> [u8; 32] {
        let mut h = Streebog256::with_backend(b);
        parts.iter().for_each(|p| h.update(p));
        h.finalize()
    }

    fn hash512(b: Backend, parts: &[&[u8]]) -> [u8; 64] {
        let mut h = Streebog512::with_backend(b);
        parts.iter().for_each(|p| h.update(p));
        h.finalize()
    }

    fn crate256(data: &[u8]) -> [u8; 32] {
        ::streebog::Streebog256::digest(data).into()
    }

    fn crate512(data: &[u8]) -> [u8; 64] {
        ::streebog::Streebog512::digest(data).into()
    }

    /// A deterministic test message: bytes of a xorshift generator.
    fn message(len: usize, seed: u64) -> Vec<u8> {
        let mut s = seed | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 24) as u8
            })
            .collect()
    }

    /// GOST R 34.11-2012 appendix A (= RFC 6986 §10), as OpenSSL outputs the bytes
    /// (`shared/reference/gost-vectors.txt` §2).
    #[test]
    fn standard_vectors_m1_m2() {
        let m1 = b"012345678901234567890123456789012345678901234567890123456789012";
        let m2 = hex::decode(
            "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5\
             ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb",
        )
        .unwrap();
        for b in backends() {
            assert_eq!(
                hex::encode(hash512(b, &[m1])),
                "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa\
                 00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48",
                "{b:?}"
            );
            assert_eq!(
                hex::encode(hash256(b, &[m1])),
                "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500",
                "{b:?}"
            );
            assert_eq!(
                hex::encode(hash512(b, &[&m2])),
                "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376\
                 035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28",
                "{b:?}"
            );
            assert_eq!(
                hex::encode(hash256(b, &[&m2])),
                "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50",
                "{b:?}"
            );
        }
        // the default back end and the one-call form
        assert_eq!(hex::encode(Streebog256::digest(m1))[..8], *"9d151eef");
        assert_eq!(Streebog512::digest(&m2), hash512(Backend::Portable, &[&m2]));
    }

    #[test]
    fn every_length_to_300_matches_the_crate() {
        let data = message(300, 7);
        for b in backends() {
            for len in 0..=300 {
                let m = &data[..len];
                assert_eq!(hash256(b, &[m]), crate256(m), "{b:?} 256, {len} bytes");
                assert_eq!(hash512(b, &[m]), crate512(m), "{b:?} 512, {len} bytes");
            }
        }
    }

    #[test]
    fn split_updates_match_one_shot_and_the_crate() {
        let data = message(1000, 11);
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        for b in backends() {
            for round in 0..200 {
                let len = (round * 37) % 1001;
                let m = &data[..len];
                // cut into chunks of random sizes 0..=150
                let mut parts = Vec::new();
                let mut at = 0;
                while at < len {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    let take = ((s % 151) as usize).min(len - at);
                    parts.push(&m[at..at + take]);
                    at += take;
                }
                assert_eq!(
                    hash256(b, &parts),
                    crate256(m),
                    "{b:?} 256 {len} in {parts:?}"
                );
                assert_eq!(hash512(b, &parts), crate512(m), "{b:?} 512 {len}");
                assert_eq!(hash512(b, &parts), hash512(b, &[m]), "{b:?} streaming");
            }
        }
    }

    #[test]
    fn one_mebibyte_matches_the_crate() {
        let data = message(1 << 20, 3);
        for b in backends() {
            assert_eq!(hash256(b, &[&data]), crate256(&data), "{b:?}");
            assert_eq!(hash512(b, &[&data]), crate512(&data), "{b:?}");
        }
    }

    /// The back ends agree block by block from arbitrary states, including the N counter
    /// carrying out of its low word (which a real message would need 2^55 blocks to reach).
    #[test]
    fn back_ends_agree_on_raw_blocks_and_counter_carries() {
        let [simd] = backends()[1..] else { return };
        let blocks: Vec<[u8; 64]> = message(64 * 20, 5)
            .chunks_exact(64)
            .map(|c| c.try_into().unwrap())
            .collect();
        let start = |seed: u64| {
            let w = message(64, seed);
            let mut h = [0u64; 8];
            for (i, c) in w.chunks_exact(8).enumerate() {
                h[i] = u64::from_le_bytes(c.try_into().unwrap());
            }
            h
        };
        for n0 in [0, u64::MAX - 511, u64::MAX - 512 * 7, u64::MAX] {
            let mut n = start(20);
            n[0] = n0;
            n[1] = u64::MAX; // so a carry runs further up
            let (h, sigma) = (start(21), start(22));
            let (mut h1, mut n1, mut s1) = (h, n, sigma);
            let (mut h2, mut n2, mut s2) = (h, n, sigma);
            Backend::Portable.blocks(&mut h1, &mut n1, &mut s1, &blocks);
            simd.blocks(&mut h2, &mut n2, &mut s2, &blocks);
            assert_eq!((h1, n1, s1), (h2, n2, s2), "N[0] = {n0:#x}");
            let mut expect = n;
            add512_small(&mut expect, 512 * blocks.len() as u64);
            assert_eq!(n1, expect);
            let m = start(23);
            Backend::Portable.g(&mut h1, &n, &m);
            simd.g(&mut h2, &n, &m);
            assert_eq!(h1, h2);
        }
    }

    #[test]
    fn wide_additions_carry() {
        let mut a = [u64::MAX; 8];
        add512_small(&mut a, 1);
        assert_eq!(a, [0; 8]);
        let mut a = [u64::MAX, u64::MAX, 5, 0, 0, 0, 0, 0];
        add512(&mut a, &[1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(a, [0, 0, 6, 0, 0, 0, 0, 0]);
        let mut a = [u64::MAX; 8];
        add512(&mut a, &[2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(a, [1, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn clone_forks_the_stream() {
        let mut h = Streebog512::new();
        h.update(b"prefix shared by both ");
        let mut a = h.clone();
        a.update(b"a");
        h.update(b"b");
        assert_eq!(a.finalize(), crate512(b"prefix shared by both a"));
        assert_eq!(h.finalize(), crate512(b"prefix shared by both b"));
    }

    #[test]
    fn wipe_clears_the_whole_state() {
        let mut h = Streebog256::new();
        h.update(message(100, 9));
        let c = &h.chain;
        assert!(c.h != [0; 8] && c.n != [0; 8] && c.sigma != [0; 8] && h.pos == 36);
        h.wipe();
        let c = &h.chain;
        assert_eq!(
            (c.h, c.n, c.sigma, h.buf, h.pos),
            ([0; 8], [0; 8], [0; 8], [0; 64], 0)
        );
        assert_eq!(format!("{h:?}"), "Streebog256 { .. }");
    }

    /// The `digest`-trait types: one-shot, split updates, reset, against the crate.
    #[test]
    fn rustcrypto_types_match_the_crate() {
        use digest::{Digest, FixedOutputReset};
        let data = message(400, 13);
        for len in (0..=400).step_by(7) {
            let m = &data[..len];
            assert_eq!(
                <rustcrypto::Streebog256 as Digest>::digest(m)[..],
                crate256(m)
            );
            let mut h = rustcrypto::Streebog512::new();
            let (a, b) = m.split_at(len / 3);
            Digest::update(&mut h, a);
            Digest::update(&mut h, b);
            assert_eq!(h.finalize_fixed_reset()[..], crate512(m), "{len}");
            // after the reset it hashes from scratch again
            Digest::update(&mut h, m);
            assert_eq!(h.finalize()[..], crate512(m), "{len} after reset");
        }
    }

    /// HMAC and PBKDF2 over our hash equal them over the crate's (keys shorter and longer
    /// than a block; PBKDF2 as encrypted PKCS#8 uses it).
    #[test]
    fn hmac_and_pbkdf2_match_the_crate() {
        use hmac::{Hmac, KeyInit, Mac};
        fn mac<D: digest::block_api::EagerHash>(key: &[u8], msg: &[u8]) -> Vec<u8> {
            let mut m = <Hmac<D> as KeyInit>::new_from_slice(key).unwrap();
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
        let data = message(300, 17);
        for (klen, mlen) in [(0, 0), (16, 3), (32, 64), (64, 65), (65, 200), (200, 300)] {
            let (key, msg) = (&data[..klen], &data[100..100 + mlen.min(200)]);
            assert_eq!(
                mac::<rustcrypto::Streebog256>(key, msg),
                mac::<::streebog::Streebog256>(key, msg)
            );
            assert_eq!(
                mac::<rustcrypto::Streebog512>(key, msg),
                mac::<::streebog::Streebog512>(key, msg)
            );
        }
        for (rounds, len) in [(1, 32), (2, 64), (57, 100)] {
            let (mut ours, mut theirs) = (vec![0u8; len], vec![0u8; len]);
            pbkdf2::pbkdf2_hmac::<rustcrypto::Streebog512>(b"password", b"salt", rounds, &mut ours);
            pbkdf2::pbkdf2_hmac::<::streebog::Streebog512>(
                b"password",
                b"salt",
                rounds,
                &mut theirs,
            );
            assert_eq!(ours, theirs, "{rounds} {len}");
            pbkdf2::pbkdf2_hmac::<rustcrypto::Streebog256>(b"pass", b"NaCl", rounds, &mut ours);
            pbkdf2::pbkdf2_hmac::<::streebog::Streebog256>(b"pass", b"NaCl", rounds, &mut theirs);
            assert_eq!(ours, theirs, "{rounds} {len}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Random data cut at random points: streaming equals one-shot equals the crate.
        #[test]
        fn random_splits(data in proptest::collection::vec(any::<u8>(), 0..700),
                         cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (data.len() + 1)).collect();
            cuts.sort_unstable();
            let mut parts = Vec::new();
            let mut at = 0;
            for c in cuts.into_iter().chain([data.len()]) {
                parts.push(&data[at..c]);
                at = c;
            }
            for b in backends() {
                prop_assert_eq!(hash256(b, &parts), crate256(&data));
                prop_assert_eq!(hash512(b, &parts), crate512(&data));
            }
        }
    }
}
