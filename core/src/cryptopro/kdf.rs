//! "CPKDF": the container PIN → key-encryption key of a CryptoPro CSP 4/5 file container with
//! a GOST R 34.10-2012 key, as the open-source readers describe it (the format is not
//! published; see `docs/ARCHITECTURE.md`, "CryptoPro file containers", for the sources).
//!
//! With H = Streebog-256 (for 256- and 512-bit keys alike), the 12-byte salt of masks.key and
//! the PIN spread to four bytes per character (P):
//!
//! 1. h = H(salt ‖ P)
//! 2. c = "DENEFH028.760246785.IUEFHWUIO.EF", zero-padded to 64 bytes
//! 3. 2000 times (twice for an empty PIN): c = H((c ⊕ 0x36) ‖ h ‖ (c ⊕ 0x5C) ‖ h), padded to 64
//! 4. c = H((c ⊕ 0x36)[..32] ‖ salt ‖ (c ⊕ 0x5C)[..32] ‖ P)
//! 5. KEK = H(c)
//!
//! The fixed count is not the file's to choose, so no work limit applies.

use zeroize::Zeroizing;

use crate::gost::streebog::Streebog256;

fn streebog256(data: &[u8]) -> [u8; 32] {
    Streebog256::digest(data)
}

const SEED: &[u8; 32] = b"DENEFH028.760246785.IUEFHWUIO.EF";

/// The key-encryption key for `pin` (already spread to four bytes per character) and `salt`.
pub(crate) fn kek(pin: &[u8], salt: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut buf = Zeroizing::new(Vec::with_capacity(64 * 2 + 64 + pin.len() + salt.len()));
    buf.extend_from_slice(salt);
    buf.extend_from_slice(pin);
    let h = Zeroizing::new(streebog256(&buf));

    let mut c = Zeroizing::new([0u8; 64]);
    c[..32].copy_from_slice(SEED);
    let rounds = if pin.is_empty() { 2 } else { 2000 };
    for _ in 0..rounds {
        buf.clear();
        buf.extend(c.iter().map(|b| b ^ 0x36));
        buf.extend_from_slice(&*h);
        buf.extend(c.iter().map(|b| b ^ 0x5C));
        buf.extend_from_slice(&*h);
        let next = Zeroizing::new(streebog256(&buf));
        c.fill(0);
        c[..32].copy_from_slice(&*next);
    }
    buf.clear();
    buf.extend(c[..32].iter().map(|b| b ^ 0x36));
    buf.extend_from_slice(salt);
    buf.extend(c[..32].iter().map(|b| b ^ 0x5C));
    buf.extend_from_slice(pin);
    let last = Zeroizing::new(streebog256(&buf));
    Zeroizing::new(streebog256(&*last))
}

/// The encodings a PIN's characters may be spread with. ASCII PINs are the same in all of
/// them; for others the open-source readers disagree and no CryptoPro-made container with a
/// Cyrillic PIN is available to settle it, so the reader tries each (the fingerprint says
/// which one opens the container).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PinEncoding {
    /// One UTF-32LE code point per four bytes (the four-byte spread read as the `wchar_t` of
    /// CryptoPro's Unix builds; rudonick/crypto's UTF-16 code units padded to four bytes agree
    /// for every Cyrillic letter).
    Utf32,
    /// Each UTF-8 byte in its own four bytes (li0ard/ckey and ExtractPkey spread the PIN's
    /// bytes as given).
    Utf8Bytes,
    /// Each windows-1251 byte in its own four bytes (the ANSI code page of Russian Windows).
    Cp1251Bytes,
}

impl PinEncoding {
    /// Every candidate, in the order they are tried.
    pub(crate) const ALL: [PinEncoding; 3] = [
        PinEncoding::Utf32,
        PinEncoding::Utf8Bytes,
        PinEncoding::Cp1251Bytes,
    ];

    /// The PIN spread to four bytes per unit, or `None` when the encoding cannot hold it.
    pub(crate) fn spread(self, pin: &str) -> Option<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(Vec::with_capacity(pin.len() * 4));
        match self {
            PinEncoding::Utf32 => {
                for ch in pin.chars() {
                    out.extend_from_slice(&u32::from(ch).to_le_bytes());
                }
            }
            PinEncoding::Utf8Bytes => {
                for b in pin.bytes() {
                    out.extend_from_slice(&[b, 0, 0, 0]);
                }
            }
            PinEncoding::Cp1251Bytes => {
                for ch in pin.chars() {
                    out.extend_from_slice(&[cp1251(ch)?, 0, 0, 0]);
                }
            }
        }
        Some(out)
    }
}

/// The windows-1251 byte of ASCII and Cyrillic characters.
fn cp1251(ch: char) -> Option<u8> {
    let c = u32::from(ch);
    match c {
        0..=0x7F => Some(c as u8),
        0x410..=0x44F => Some((c - 0x410 + 0xC0) as u8),
        0x401 => Some(0xA8), // Ё
        0x451 => Some(0xB8), // ё
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_agree_on_ascii_and_differ_on_cyrillic() {
        let ascii: Vec<_> = PinEncoding::ALL
            .iter()
            .map(|e| e.spread("12345678").unwrap().to_vec())
            .collect();
        assert!(ascii.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(&ascii[0][..8], &[b'1', 0, 0, 0, b'2', 0, 0, 0]);
        let cyr: Vec<_> = PinEncoding::ALL
            .iter()
            .map(|e| e.spread("Пё").unwrap().to_vec())
            .collect();
        assert_eq!(cyr[0], [0x1F, 0x04, 0, 0, 0x51, 0x04, 0, 0]);
        assert_eq!(
            cyr[1],
            [0xD0, 0, 0, 0, 0x9F, 0, 0, 0, 0xD1, 0, 0, 0, 0x91, 0, 0, 0]
        );
        assert_eq!(cyr[2], [0xCF, 0, 0, 0, 0xB8, 0, 0, 0]);
        assert!(PinEncoding::Cp1251Bytes.spread("€").is_none());
    }

    /// The 2000-round path against an independent implementation: the CPKDF vector of
    /// li0ard/cpfx_ts (MIT; `src/ckey` tests), PIN "qawsqaws", salt 98e4f494…a0. Our
    /// CryptoPro CSP 5 container opens with the empty PIN (two rounds) only, so this is the
    /// check of the full count; OpenSSL's Streebog-256 run through the same steps gives it too.
    #[test]
    fn the_kek_matches_an_independent_vector() {
        let salt = hex::decode("98e4f49415555d8ab20567a0").unwrap();
        let pin = PinEncoding::Utf32.spread("qawsqaws").unwrap();
        assert_eq!(
            hex::encode(*kek(&pin, &salt)),
            "b551b39608787399ba85c59c68906b8f83c289ccee3c6141700dfc75ec0fd9f5"
        );
    }

    #[test]
    fn the_kek_depends_on_pin_and_salt() {
        let salt = [7u8; 12];
        let a = kek(&PinEncoding::Utf32.spread("1234").unwrap(), &salt);
        let b = kek(&PinEncoding::Utf32.spread("1235").unwrap(), &salt);
        let c = kek(&PinEncoding::Utf32.spread("1234").unwrap(), &[8u8; 12]);
        let empty = kek(&[], &salt);
        assert_ne!(*a, *b);
        assert_ne!(*a, *c);
        assert_ne!(*a, *empty);
    }
}
