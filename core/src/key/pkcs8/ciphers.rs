//! GOST 28147-89 over RustCrypto's `magma` block ciphers (the GOST R 34.12-2015 modes are in
//! `gost2015`).
//!
//! - GOST 28147-89 CFB (1.2.643.2.2.21) with 64-bit feedback, an S-box named by the
//!   encryptionParamSet, and CryptoPro key meshing (RFC 4357 §2.3.2: after every 1024 bytes
//!   the key becomes D_K(C) for a fixed C and the feedback block is encrypted under the new
//!   key), which the engine applies with every S-box of RFC 4357 and TC26. GOST 28147-89 as
//!   OpenSSL implements it reads keys and blocks little-endian, while `magma` implements GOST
//!   R 34.12-2015 (big-endian): the two agree when every key word and every block is
//!   byte-reversed.
//! - GOST 28147-89 ECB (CryptoPro containers' key encryption), in the same conventions.

use cipher::consts::{U8, U32};
use cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, BlockSizeUser, KeyInit, KeySizeUser};
use zeroize::{Zeroize, Zeroizing};

/// The CryptoPro key meshing of GOST 28147-89 CFB happens every 1024 bytes.
const GOST89_MESHING_SECTION: usize = 1024;

/// RFC 4357 §2.3.2's constant C of the CryptoPro key meshing.
const MESHING_C: [u8; 32] = [
    0x69, 0x00, 0x72, 0x22, 0x64, 0xC9, 0x04, 0x23, 0x8D, 0x3A, 0xDB, 0x96, 0x46, 0xE9, 0x2A, 0xC4,
    0x18, 0xFE, 0xAC, 0x94, 0x00, 0xED, 0x07, 0x12, 0xC0, 0x86, 0xDC, 0xC2, 0xEF, 0x4C, 0xA9, 0x2B,
];

/// A 64-bit block cipher with a 256-bit key: `magma`'s GOST 28147-89 with some S-box.
trait Gost89Cipher:
    KeyInit
    + KeySizeUser<KeySize = U32>
    + BlockSizeUser<BlockSize = U8>
    + BlockCipherEncrypt
    + BlockCipherDecrypt
{
}

impl<
    C: KeyInit
        + KeySizeUser<KeySize = U32>
        + BlockSizeUser<BlockSize = U8>
        + BlockCipherEncrypt
        + BlockCipherDecrypt,
> Gost89Cipher for C
{
}

/// GOST 28147-89 in OpenSSL's (little-endian) byte conventions.
struct Gost89<C: Gost89Cipher> {
    cipher: C,
}

impl<C: Gost89Cipher> Gost89<C> {
    fn new(key: &[u8; 32]) -> Self {
        let mut k = Zeroizing::new(*key);
        for word in k.chunks_mut(4) {
            word.reverse();
        }
        Gost89 {
            cipher: C::new(&Array::from(*k)),
        }
    }

    fn encrypt(&self, block: &[u8; 8]) -> [u8; 8] {
        let mut b = *block;
        b.reverse();
        let mut arr = Array::from(b);
        self.cipher.encrypt_block(&mut arr);
        let mut out: [u8; 8] = arr.into();
        out.reverse();
        out
    }

    fn decrypt(&self, block: &[u8; 8]) -> [u8; 8] {
        let mut b = *block;
        b.reverse();
        let mut arr = Array::from(b);
        self.cipher.decrypt_block(&mut arr);
        let mut out: [u8; 8] = arr.into();
        out.reverse();
        out
    }

    /// CryptoPro key meshing: the key D_K(C), the feedback encrypted under it.
    fn mesh(&mut self, feedback: &mut [u8; 8]) {
        let mut key = Zeroizing::new([0u8; 32]);
        for (out, c) in key.chunks_mut(8).zip(MESHING_C.chunks(8)) {
            let c: [u8; 8] = c.try_into().unwrap_or_default();
            out.copy_from_slice(&self.decrypt(&c));
        }
        *self = Gost89::new(&key);
        *feedback = self.encrypt(feedback);
    }
}

/// GOST 28147-89 CFB-64 with CryptoPro key meshing, decryption in place (`decrypt = false`
/// encrypts).
fn gost89_cfb<C: Gost89Cipher>(key: &[u8; 32], iv: &[u8; 8], data: &mut [u8], decrypt: bool) {
    let mut cipher = Gost89::<C>::new(key);
    let mut feedback = *iv;
    for (i, chunk) in data.chunks_mut(8).enumerate() {
        if i > 0 && (i * 8).is_multiple_of(GOST89_MESHING_SECTION) {
            cipher.mesh(&mut feedback);
        }
        let mut gamma = cipher.encrypt(&feedback);
        let mut next = [0u8; 8];
        for (i, b) in chunk.iter_mut().enumerate() {
            let c = if decrypt { *b } else { *b ^ gamma[i] };
            *b ^= gamma[i];
            next[i] = c;
        }
        gamma.zeroize();
        feedback = next;
    }
}

/// The S-boxes of GOST 28147-89 named by encryptionParamSet OIDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gost89Sbox {
    /// id-tc26-gost-28147-param-Z (the GOST R 34.12-2015 Magma S-box).
    Tc26Z,
    /// id-Gost28147-89-CryptoPro-A-ParamSet.
    CryptoProA,
    /// id-Gost28147-89-CryptoPro-B-ParamSet.
    CryptoProB,
    /// id-Gost28147-89-CryptoPro-C-ParamSet.
    CryptoProC,
    /// id-Gost28147-89-CryptoPro-D-ParamSet.
    CryptoProD,
}

/// GOST 28147-89 ECB in place (`data` a whole number of 8-byte blocks).
fn gost89_ecb<C: Gost89Cipher>(key: &[u8; 32], data: &mut [u8], decrypt: bool) {
    let cipher = Gost89::<C>::new(key);
    for chunk in data.chunks_exact_mut(8) {
        let block: [u8; 8] = (&*chunk).try_into().unwrap_or_default();
        let out = if decrypt {
            cipher.decrypt(&block)
        } else {
            cipher.encrypt(&block)
        };
        chunk.copy_from_slice(&out);
    }
}

/// GOST 28147-89 ECB in place, `data` a whole number of blocks (a trailing partial block is
/// left as it is).
pub(crate) fn gost89_ecb_apply(sbox: Gost89Sbox, key: &[u8; 32], data: &mut [u8], decrypt: bool) {
    match sbox {
        Gost89Sbox::Tc26Z => gost89_ecb::<magma::Magma>(key, data, decrypt),
        Gost89Sbox::CryptoProA => gost89_ecb::<magma::Gost89CryptoProA>(key, data, decrypt),
        Gost89Sbox::CryptoProB => gost89_ecb::<magma::Gost89CryptoProB>(key, data, decrypt),
        Gost89Sbox::CryptoProC => gost89_ecb::<magma::Gost89CryptoProC>(key, data, decrypt),
        Gost89Sbox::CryptoProD => gost89_ecb::<magma::Gost89CryptoProD>(key, data, decrypt),
    }
}

impl Gost89Sbox {
    /// The S-box of an encryptionParamSet OID.
    pub(crate) fn from_oid(o: &der::asn1::ObjectIdentifier) -> Option<Gost89Sbox> {
        Some(match *o {
            o if o == crate::oid::GOST28147_PARAM_Z => Gost89Sbox::Tc26Z,
            o if o == crate::oid::GOST28147_CRYPTOPRO_A => Gost89Sbox::CryptoProA,
            o if o == crate::oid::GOST28147_CRYPTOPRO_B => Gost89Sbox::CryptoProB,
            o if o == crate::oid::GOST28147_CRYPTOPRO_C => Gost89Sbox::CryptoProC,
            o if o == crate::oid::GOST28147_CRYPTOPRO_D => Gost89Sbox::CryptoProD,
            _ => return None,
        })
    }

    /// Its encryptionParamSet OID.
    pub(crate) fn oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            Gost89Sbox::Tc26Z => crate::oid::GOST28147_PARAM_Z,
            Gost89Sbox::CryptoProA => crate::oid::GOST28147_CRYPTOPRO_A,
            Gost89Sbox::CryptoProB => crate::oid::GOST28147_CRYPTOPRO_B,
            Gost89Sbox::CryptoProC => crate::oid::GOST28147_CRYPTOPRO_C,
            Gost89Sbox::CryptoProD => crate::oid::GOST28147_CRYPTOPRO_D,
        }
    }

    /// A short name ("param-Z", "CryptoPro-A").
    pub(crate) fn name(self) -> &'static str {
        match self {
            Gost89Sbox::Tc26Z => "param-Z",
            Gost89Sbox::CryptoProA => "CryptoPro-A",
            Gost89Sbox::CryptoProB => "CryptoPro-B",
            Gost89Sbox::CryptoProC => "CryptoPro-C",
            Gost89Sbox::CryptoProD => "CryptoPro-D",
        }
    }
}

/// GOST 28147-89 CFB-64 with CryptoPro key meshing, in place.
pub(crate) fn gost89_cfb_apply(
    sbox: Gost89Sbox,
    key: &[u8; 32],
    iv: &[u8; 8],
    data: &mut [u8],
    decrypt: bool,
) {
    match sbox {
        Gost89Sbox::Tc26Z => gost89_cfb::<magma::Magma>(key, iv, data, decrypt),
        Gost89Sbox::CryptoProA => gost89_cfb::<magma::Gost89CryptoProA>(key, iv, data, decrypt),
        Gost89Sbox::CryptoProB => gost89_cfb::<magma::Gost89CryptoProB>(key, iv, data, decrypt),
        Gost89Sbox::CryptoProC => gost89_cfb::<magma::Gost89CryptoProC>(key, iv, data, decrypt),
        Gost89Sbox::CryptoProD => gost89_cfb::<magma::Gost89CryptoProD>(key, iv, data, decrypt),
    }
}

/// The GOST 28147-89 MAC (imitovstavka, GOST 28147-89 §5; RFC 4357 §2.1's `gost28147IMIT`)
/// with an initial value, 32 bits, in OpenSSL's byte conventions: each 8-byte block is XORed
/// into the state, which then goes through the first 16 rounds of the cipher; the MAC is the
/// state's first four bytes. `data` is whole blocks, at least two (the CryptoPro key wrap
/// MACs 32- or 64-byte keys).
pub(crate) fn gost89_imit(sbox: Gost89Sbox, key: &[u8; 32], iv: &[u8; 8], data: &[u8]) -> [u8; 4] {
    match sbox {
        Gost89Sbox::Tc26Z => imit::<SboxOf<magma::Magma>>(key, iv, data),
        Gost89Sbox::CryptoProA => imit::<SboxOf<magma::Gost89CryptoProA>>(key, iv, data),
        Gost89Sbox::CryptoProB => imit::<SboxOf<magma::Gost89CryptoProB>>(key, iv, data),
        Gost89Sbox::CryptoProC => imit::<SboxOf<magma::Gost89CryptoProC>>(key, iv, data),
        Gost89Sbox::CryptoProD => imit::<SboxOf<magma::Gost89CryptoProD>>(key, iv, data),
    }
}

/// The S-box type of a `magma` cipher (the crate names its S-boxes only through them).
trait HasSbox {
    type S: magma::Sbox;
}

impl<S: magma::Sbox> HasSbox for magma::Gost89<S> {
    type S = S;
}

type SboxOf<C> = <C as HasSbox>::S;

fn imit<S: magma::Sbox>(key: &[u8; 32], iv: &[u8; 8], data: &[u8]) -> [u8; 4] {
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let mut k = Zeroizing::new([0u32; 8]);
    for (w, chunk) in k.iter_mut().zip(key.chunks_exact(4)) {
        *w = word(chunk);
    }
    // f: the eight 4-bit S-boxes (S-box n on nibble n), then a rotation by 11.
    let f = |x: u32| -> u32 {
        let mut y = 0u32;
        for n in 0..8 {
            y |= u32::from(S::SBOX[n][((x >> (4 * n)) & 0xF) as usize]) << (4 * n);
        }
        y.rotate_left(11)
    };
    let mut n1 = word(&iv[..4]);
    let mut n2 = word(&iv[4..]);
    for block in data.chunks(8) {
        let mut b = [0u8; 8];
        b[..block.len()].copy_from_slice(block);
        n1 ^= word(&b[..4]);
        n2 ^= word(&b[4..]);
        for _ in 0..2 {
            for pair in k.chunks_exact(2) {
                n2 ^= f(n1.wrapping_add(pair[0]));
                n1 ^= f(n2.wrapping_add(pair[1]));
            }
        }
    }
    n1.to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s.split_whitespace().collect::<String>()).unwrap()
    }

    #[test]
    fn gost89_cfb_round_trips_with_partial_blocks() {
        let key = [7u8; 32];
        let iv = [1u8; 8];
        // Long enough for two CryptoPro key meshings.
        let plain: Vec<u8> = (0..2100).map(|i| i as u8).collect();
        for sbox in [
            Gost89Sbox::Tc26Z,
            Gost89Sbox::CryptoProA,
            Gost89Sbox::CryptoProD,
        ] {
            let mut data = plain.clone();
            gost89_cfb_apply(sbox, &key, &iv, &mut data, false);
            assert_ne!(data, plain);
            gost89_cfb_apply(sbox, &key, &iv, &mut data, true);
            assert_eq!(data, plain);
        }
    }

    #[test]
    fn gost89_ecb_round_trips() {
        let key = [3u8; 32];
        let plain: Vec<u8> = (0..64).collect();
        let mut data = plain.clone();
        gost89_ecb_apply(Gost89Sbox::Tc26Z, &key, &mut data, false);
        assert_ne!(data, plain);
        gost89_ecb_apply(Gost89Sbox::Tc26Z, &key, &mut data, true);
        assert_eq!(data, plain);
    }

    /// GOST 28147-89 in OpenSSL's conventions equals Magma with reversed words and blocks:
    /// the GOST R 34.12-2015 example block, converted.
    #[test]
    fn gost89_byte_order_matches_the_magma_example() {
        // Magma (big-endian): K = FFEEDDCC..FF, P = FEDCBA9876543210, C = 4EE901E5C2D8CA3D.
        let magma_key = unhex("FFEEDDCCBBAA99887766554433221100F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF");
        let mut le_key = [0u8; 32];
        for (dst, src) in le_key.chunks_mut(4).zip(magma_key.chunks(4)) {
            dst.copy_from_slice(src);
            dst.reverse();
        }
        let cipher = Gost89::<magma::Magma>::new(&le_key);
        let mut p = [0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10];
        p.reverse();
        let mut c = cipher.encrypt(&p);
        c.reverse();
        assert_eq!(c.to_vec(), unhex("4EE901E5C2D8CA3D"));
    }
}
