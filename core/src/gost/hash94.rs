//! GOST R 34.11-94 with the CryptoPro parameters: the hash of GOST R 34.10-2001 signatures and
//! of CryptoPro-era password-based keys. Read-side only: nothing we sign uses it.
//!
//! The compression is RustCrypto's `gost94` crate (0.11, the `digest` 0.11 line we already use;
//! a `#![forbid(unsafe_code)]`, table-free GOST 28147-89 step), with the CryptoPro S-box of
//! RFC 4357 §11.2 (id-GostR3411-94-CryptoProParamSet, 1.2.643.2.2.30.1) and a zero starting
//! vector, which is what RFC 4490 requires for id-GostR3411-94 (1.2.643.2.2.9) and what
//! OpenSSL's gost engine computes as `md_gost94`. Bytes are in the order OpenSSL and the crate
//! output them; GOST R 34.10-2001 reads them as a little-endian integer, as 2012 does with
//! Streebog. The state is wiped on drop (`zeroize` feature), as HMAC keys pass through it.
//!
//! **The empty message.** The standard (GOST R 34.11-94 stage 2, RFC 5831 §7.1) pads the
//! final part, even an empty one, to a 256-bit block and compresses it before the length and
//! the checksum: H = f(f(f(0, 0²⁵⁶), L = 0), Σ = 0). OpenSSL's engine does so
//! (`3f25bc1f…`); the `gost94` crate (like nettle) skips that block when nothing is buffered
//! and gives `981e5f3c…`. Only the empty message differs: for any other length the final part
//! is non-empty, so both compress the same blocks. [`gost94`] returns the standard's value; the
//! streaming [`Gost94`] keeps the crate's, which its users (HMAC, PBKDF2: never an empty input,
//! the key block comes first) never meet.

/// GOST R 34.11-94 (CryptoPro parameters) behind RustCrypto's `digest` traits, for streaming,
/// HMAC (`hmac::SimpleHmac`) and PBKDF2 with the GOST R 34.11-94 PRF.
pub type Gost94 = ::gost94::Gost94CryptoPro;

/// GOST R 34.11-94 (CryptoPro parameters) of `data`, 32 bytes as OpenSSL's `md_gost94` prints
/// them.
pub fn gost94(data: &[u8]) -> [u8; 32] {
    use ::gost94::Digest;
    if data.is_empty() {
        return EMPTY;
    }
    Gost94::digest(data).into()
}

/// The standard's hash of the empty message (see the module's documentation), as OpenSSL's
/// engine computes it; `tests/gost94_openssl.rs` checks it against the engine.
const EMPTY: [u8; 32] = [
    0x3f, 0x25, 0xbc, 0x1f, 0xbb, 0xce, 0x27, 0xca, 0x10, 0xfb, 0x19, 0x58, 0xf3, 0x19, 0x47, 0x3a,
    0xe7, 0xe1, 0x74, 0x82, 0xc3, 0xb5, 0x3e, 0xcf, 0x47, 0xa7, 0xe2, 0xde, 0x8a, 0xab, 0xe4, 0xc8,
];

#[cfg(test)]
mod tests {
    use super::*;
    use ::gost94::Digest;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// CryptoPro-parameter vectors printed by `openssl dgst -engine gost -md_gost94` (and
    /// listed with the algorithm's published examples, except the empty message: see the
    /// module's documentation).
    #[test]
    fn cryptopro_parameter_vectors() {
        let cases: [(&[u8], &str); 4] = [
            (
                b"",
                "3f25bc1fbbce27ca10fb1958f319473ae7e17482c3b53ecf47a7e2de8aabe4c8",
            ),
            (
                b"abc",
                "b285056dbf18d7392d7677369524dd14747459ed8143997e163b2986f92fd42c",
            ),
            (
                b"message digest",
                "bc6041dd2aa401ebfa6e9886734174febdb4729aa972d60f549ac39b29721ba0",
            ),
            (
                b"The quick brown fox jumps over the lazy dog",
                "9004294a361a508c586fe53d1f1b02746765e71b765472786e4770d565830a76",
            ),
        ];
        for (msg, want) in cases {
            assert_eq!(gost94(msg).to_vec(), h(want), "{msg:?}");
        }
    }

    /// The standard's own examples (GOST R 34.11-94 Appendix A) use the *test* parameters;
    /// the crate computes them with `Gost94Test`, which checks the compression our type shares.
    #[test]
    fn the_standards_examples_with_its_test_parameters() {
        let cases: [(&[u8], &str); 2] = [
            (
                b"This is message, length=32 bytes",
                "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa",
            ),
            (
                b"Suppose the original message has length = 50 bytes",
                "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208",
            ),
        ];
        for (msg, want) in cases {
            assert_eq!(::gost94::Gost94Test::digest(msg).to_vec(), h(want));
        }
    }

    /// The crate's value for the empty message is the one without the padded final block.
    #[test]
    fn the_crate_differs_from_the_standard_only_on_the_empty_message() {
        assert_eq!(
            Gost94::digest(b"").to_vec(),
            h("981e5f3ca30c841487830f84fb433e13ac1101569b9c13584ac483234cd656c0")
        );
        assert_ne!(Gost94::digest(b"").to_vec(), gost94(b"").to_vec());
    }

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut s = Gost94::new();
        for c in data.chunks(33) {
            s.update(c);
        }
        assert_eq!(s.finalize().to_vec(), gost94(&data).to_vec());
    }
}
