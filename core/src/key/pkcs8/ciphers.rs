//! The GOST block-cipher modes OpenSSL's gost engine uses in PBES2, over RustCrypto's
//! `kuznyechik` and `magma` block ciphers.
//!
//! - Kuznyechik CTR-ACPKM (R 1323565.1.017-2018, id-tc26-cipher-gostr3412-2015-kuznyechik-
//!   ctracpkm 1.2.643.7.1.1.5.2.1): CTR with a 128-bit big-endian counter, the key replaced
//!   after every section by E_K(D1)‖E_K(D2), D = 0x80..0x9F. The engine's section is 4096
//!   bytes.
//! - GOST 28147-89 CFB (1.2.643.2.2.21) with 64-bit feedback and an S-box named by the
//!   encryptionParamSet. GOST 28147-89 as OpenSSL implements it reads keys and blocks
//!   little-endian, while `magma` implements GOST R 34.12-2015 (big-endian): the two agree
//!   when every key word and every block is byte-reversed.

use cipher::consts::{U8, U32};
use cipher::{Array, BlockCipherEncrypt, BlockSizeUser, KeyInit, KeySizeUser};
use zeroize::{Zeroize, Zeroizing};

/// The ACPKM section length of the gost engine's kuznyechik-ctr-acpkm, in bytes.
pub(crate) const ACPKM_SECTION: usize = 4096;

/// The CryptoPro key meshing of GOST 28147-89 CFB starts after 1024 bytes; PKCS#8 keys never
/// get there, so longer inputs are refused rather than handled by untested code.
pub(crate) const GOST89_MESHING_LIMIT: usize = 1024;

/// Kuznyechik CTR-ACPKM: encrypts or decrypts `data` in place.
pub(crate) fn kuznyechik_ctr_acpkm(
    key: &[u8; 32],
    counter: &[u8; 16],
    section: usize,
    data: &mut [u8],
) {
    let mut k = Zeroizing::new(*key);
    let mut cipher = kuznyechik::Kuznyechik::new(&Array::from(*k));
    let mut ctr = *counter;
    for (i, chunk) in data.chunks_mut(16).enumerate() {
        if i > 0 && (i * 16) % section == 0 {
            // ACPKM: the next section key is E_K(D1) ‖ E_K(D2).
            for (half, d) in [0x80u8, 0x90].into_iter().enumerate() {
                let mut block = Array::from(core::array::from_fn::<u8, 16, _>(|j| d + j as u8));
                cipher.encrypt_block(&mut block);
                k[16 * half..16 * (half + 1)].copy_from_slice(&block);
                block.zeroize();
            }
            cipher = kuznyechik::Kuznyechik::new(&Array::from(*k));
        }
        let mut gamma = Array::from(ctr);
        cipher.encrypt_block(&mut gamma);
        for (b, g) in chunk.iter_mut().zip(gamma.iter()) {
            *b ^= g;
        }
        gamma.zeroize();
        // Increment the counter as a 128-bit big-endian integer.
        for byte in ctr.iter_mut().rev() {
            *byte = byte.wrapping_add(1);
            if *byte != 0 {
                break;
            }
        }
    }
}

/// A 64-bit block cipher with a 256-bit key: `magma`'s GOST 28147-89 with some S-box.
trait Gost89Cipher:
    KeyInit + KeySizeUser<KeySize = U32> + BlockSizeUser<BlockSize = U8> + BlockCipherEncrypt
{
}

impl<C: KeyInit + KeySizeUser<KeySize = U32> + BlockSizeUser<BlockSize = U8> + BlockCipherEncrypt>
    Gost89Cipher for C
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
}

/// GOST 28147-89 CFB-64 decryption in place (`decrypt = false` encrypts).
fn gost89_cfb<C: Gost89Cipher>(key: &[u8; 32], iv: &[u8; 8], data: &mut [u8], decrypt: bool) {
    let cipher = Gost89::<C>::new(key);
    let mut feedback = *iv;
    for chunk in data.chunks_mut(8) {
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

/// GOST 28147-89 CFB-64 in place. Inputs longer than [`GOST89_MESHING_LIMIT`] are the
/// caller's to refuse.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s.split_whitespace().collect::<String>()).unwrap()
    }

    /// R 1323565.1.017-2018, appendix A.2: Kuznyechik CTR-ACPKM with a 256-bit section.
    #[test]
    fn ctr_acpkm_matches_the_recommendation_example() {
        let key: [u8; 32] =
            unhex("8899AABBCCDDEEFF0011223344556677FEDCBA98765432100123456789ABCDEF")
                .try_into()
                .unwrap();
        let counter: [u8; 16] = unhex("1234567890ABCEF0 0000000000000000")
            .try_into()
            .unwrap();
        let plain = unhex(
            "1122334455667700FFEEDDCCBBAA9988 00112233445566778899AABBCCEEFF0A
             112233445566778899AABBCCEEFF0A00 2233445566778899AABBCCEEFF0A0011
             33445566778899AABBCCEEFF0A001122 445566778899AABBCCEEFF0A00112233
             5566778899AABBCCEEFF0A0011223344",
        );
        let expected = unhex(
            "F195D8BEC10ED1DBD57B5FA240BDA1B8 85EEE733F6A13E5DF33CE4B33C45DEE4
             4BCEEB8F646F4C55001706275E85E800 587C4DF568D094393E4834AFD0805046
             CF30F57686AEECE11CFC6C316B8A896E DFFD07EC813636460C4F3B743423163E
             6409A9C282FAC8D469D221E7FBD6DE5D",
        );
        let mut data = plain.clone();
        kuznyechik_ctr_acpkm(&key, &counter, 32, &mut data);
        assert_eq!(data, expected);
        kuznyechik_ctr_acpkm(&key, &counter, 32, &mut data);
        assert_eq!(data, plain);
    }

    #[test]
    fn gost89_cfb_round_trips_with_partial_blocks() {
        let key = [7u8; 32];
        let iv = [1u8; 8];
        let plain: Vec<u8> = (0..77).collect();
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
