//! The GOST R 34.12-2015 modes of RFC 9337's PBES2 encryption schemes, over RustCrypto's
//! `kuznyechik` and `magma` (which implement GOST R 34.12-2015 with its big-endian byte
//! order, as GOST R 34.13-2015 uses them here):
//!
//! - CTR-ACPKM (R 1323565.1.017-2018): CTR with an n/2-bit IV and an n/2-bit big-endian block
//!   counter; after every section the key becomes E_K(D1)‖…‖E_K(D_{256/n}), D = 0x80..0x9F.
//! - OMAC (GOST R 34.13-2015 §5.6, CMAC): subkeys from E_K(0^n) doubled in GF(2^n) (R = 0x87
//!   for Kuznyechik, 0x1B for Magma); the whole last block as the tag.
//! - KDF_TREE_GOSTR3411_2012_256 (R 50.1.113-2016 §4.5, RFC 7836 §4.5) with R = 1.
//!
//! The `-omac` schemes (RFC 9337 §4 ids …5.1.2 and …5.2.2): K(1)‖K(2) =
//! KDF_TREE(K, "kdf tree", seed = the last 8 bytes of the ukm); the plaintext M is followed
//! by OMAC_{K(2)}(M), and M‖tag is encrypted in CTR-ACPKM under K(1) with the first n/2 bits
//! of the ukm as IV. The ukm is 16 bytes for Kuznyechik, 12 for Magma.

use cipher::{Array, BlockCipherEncrypt, KeyInit};
use hmac::Mac;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// The GOST R 34.12-2015 block ciphers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cipher2015 {
    /// Kuznyechik, 128-bit blocks.
    Kuznyechik,
    /// Magma, 64-bit blocks.
    Magma,
}

impl Cipher2015 {
    /// The block size in bytes.
    pub(crate) fn block(self) -> usize {
        match self {
            Cipher2015::Kuznyechik => 16,
            Cipher2015::Magma => 8,
        }
    }

    /// The ukm length of RFC 9337's Gost3412-15-Encryption-Parameters.
    pub(crate) fn ukm_len(self) -> usize {
        self.block() / 2 + 8
    }

    /// The ACPKM section length OpenSSL's gost engine uses for PBES2 (Kuznyechik 4096 bytes,
    /// Magma 1024).
    pub(crate) fn section(self) -> usize {
        match self {
            Cipher2015::Kuznyechik => 4096,
            Cipher2015::Magma => 1024,
        }
    }
}

/// One of the two ciphers under a key, encrypting single blocks.
enum Keyed {
    Kuznyechik(Box<kuznyechik::Kuznyechik>),
    Magma(Box<magma::Magma>),
}

impl Keyed {
    fn new(cipher: Cipher2015, key: &[u8; 32]) -> Keyed {
        let key = Array::from(*key);
        match cipher {
            Cipher2015::Kuznyechik => {
                Keyed::Kuznyechik(Box::new(kuznyechik::Kuznyechik::new(&key)))
            }
            Cipher2015::Magma => Keyed::Magma(Box::new(magma::Magma::new(&key))),
        }
    }

    /// Encrypts `block` (8 or 16 bytes, the cipher's size) in place.
    fn encrypt(&self, block: &mut [u8]) {
        match self {
            Keyed::Kuznyechik(c) => {
                let mut b = Array::try_from(&*block).unwrap_or_default();
                c.encrypt_block(&mut b);
                block.copy_from_slice(&b);
                b.zeroize();
            }
            Keyed::Magma(c) => {
                let mut b = Array::try_from(&*block).unwrap_or_default();
                c.encrypt_block(&mut b);
                block.copy_from_slice(&b);
                b.zeroize();
            }
        }
    }
}

/// The next section key of ACPKM: E_K(D1)‖…, D = 0x80, 0x81, …, 0x9F in blocks.
fn acpkm_next(cipher: Cipher2015, keyed: &Keyed) -> Zeroizing<[u8; 32]> {
    let mut next = Zeroizing::new([0u8; 32]);
    for (i, chunk) in next.chunks_mut(cipher.block()).enumerate() {
        for (j, b) in chunk.iter_mut().enumerate() {
            *b = 0x80 + (i * cipher.block() + j) as u8;
        }
        keyed.encrypt(chunk);
    }
    next
}

/// CTR-ACPKM: encrypts or decrypts `data` in place. `iv` is n/2 bits; `section` a multiple
/// of the block size.
pub(crate) fn ctr_acpkm(
    cipher: Cipher2015,
    key: &[u8; 32],
    iv: &[u8],
    section: usize,
    data: &mut [u8],
) {
    let n = cipher.block();
    let mut keyed = Keyed::new(cipher, key);
    let mut counter = [0u8; 16];
    counter[..n / 2].copy_from_slice(&iv[..n / 2]);
    let counter = &mut counter[..n];
    let mut gamma = Zeroizing::new([0u8; 16]);
    for (i, chunk) in data.chunks_mut(n).enumerate() {
        if i > 0 && (i * n).is_multiple_of(section) {
            let next = acpkm_next(cipher, &keyed);
            keyed = Keyed::new(cipher, &next);
        }
        let g = &mut gamma[..n];
        g.copy_from_slice(counter);
        keyed.encrypt(g);
        for (b, k) in chunk.iter_mut().zip(g.iter()) {
            *b ^= k;
        }
        for byte in counter.iter_mut().rev() {
            *byte = byte.wrapping_add(1);
            if *byte != 0 {
                break;
            }
        }
    }
}

/// Doubling in GF(2^n): shift left by one, reduce by R.
fn double(block: &mut [u8], r: u8) {
    let carry = block[0] >> 7;
    for i in 0..block.len() {
        let next = block.get(i + 1).map_or(0, |b| b >> 7);
        block[i] = (block[i] << 1) | next;
    }
    let last = block.len() - 1;
    block[last] ^= r * carry;
}

/// OMAC (CMAC) of `data`: the full n-bit tag.
pub(crate) fn omac(cipher: Cipher2015, key: &[u8; 32], data: &[u8]) -> Zeroizing<Vec<u8>> {
    let n = cipher.block();
    let r = match cipher {
        Cipher2015::Kuznyechik => 0x87,
        Cipher2015::Magma => 0x1B,
    };
    let keyed = Keyed::new(cipher, key);
    let mut k1 = Zeroizing::new(vec![0u8; n]);
    keyed.encrypt(&mut k1);
    double(&mut k1, r);
    let mut k2 = k1.clone();
    double(&mut k2, r);

    let mut state = Zeroizing::new(vec![0u8; n]);
    let blocks = data.len().div_ceil(n).max(1);
    for i in 0..blocks {
        let chunk = &data[(i * n).min(data.len())..((i + 1) * n).min(data.len())];
        for (s, b) in state.iter_mut().zip(chunk) {
            *s ^= b;
        }
        if i + 1 == blocks {
            if chunk.len() == n {
                state.iter_mut().zip(k1.iter()).for_each(|(s, k)| *s ^= k);
            } else {
                state[chunk.len()] ^= 0x80;
                state.iter_mut().zip(k2.iter()).for_each(|(s, k)| *s ^= k);
            }
        }
        keyed.encrypt(&mut state);
    }
    state
}

/// KDF_TREE_GOSTR3411_2012_256 with R = 1: `out.len()` bytes (a multiple of 32, at most
/// 255 blocks) from `key`, `label` and `seed`.
pub(crate) fn kdf_tree_256(key: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    type HmacStreebog256 = hmac::Hmac<crate::gost::streebog::rustcrypto::Streebog256>;
    let bits = (out.len() * 8) as u16;
    for (i, chunk) in out.chunks_mut(32).enumerate() {
        // Any key length is accepted by HMAC.
        let Ok(mut mac) = <HmacStreebog256 as KeyInit>::new_from_slice(key) else {
            return;
        };
        mac.update(&[(i + 1) as u8]);
        mac.update(label);
        mac.update(&[0]);
        mac.update(seed);
        mac.update(&bits.to_be_bytes());
        let block = mac.finalize().into_bytes();
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
}

/// The two keys of an `-omac` scheme from the PBKDF2 key and the ukm's seed.
fn omac_keys(key: &[u8; 32], ukm: &[u8]) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
    let mut both = Zeroizing::new([0u8; 64]);
    kdf_tree_256(key, b"kdf tree", &ukm[ukm.len() - 8..], &mut both[..]);
    let mut k1 = Zeroizing::new([0u8; 32]);
    let mut k2 = Zeroizing::new([0u8; 32]);
    k1.copy_from_slice(&both[..32]);
    k2.copy_from_slice(&both[32..]);
    (k1, k2)
}

/// Decrypts an `-omac` scheme's ciphertext: the plaintext when the tag matches, `None`
/// otherwise (a wrong password or altered data).
pub(crate) fn decrypt_omac(
    cipher: Cipher2015,
    key: &[u8; 32],
    ukm: &[u8],
    data: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let n = cipher.block();
    if data.len() < n || ukm.len() != cipher.ukm_len() {
        return None;
    }
    let (k1, k2) = omac_keys(key, ukm);
    let mut plain = Zeroizing::new(data.to_vec());
    ctr_acpkm(cipher, &k1, ukm, cipher.section(), &mut plain);
    let split = plain.len() - n;
    let tag = omac(cipher, &k2, &plain[..split]);
    if bool::from(tag.ct_eq(&plain[split..])) {
        plain.truncate(split);
        Some(plain)
    } else {
        None
    }
}

/// Encrypts with an `-omac` scheme: CTR-ACPKM(M ‖ OMAC(M)).
pub(crate) fn encrypt_omac(
    cipher: Cipher2015,
    key: &[u8; 32],
    ukm: &[u8],
    plain: &[u8],
) -> Vec<u8> {
    let (k1, k2) = omac_keys(key, ukm);
    let tag = omac(cipher, &k2, plain);
    let mut out = Zeroizing::new(Vec::with_capacity(plain.len() + tag.len()));
    out.extend_from_slice(plain);
    out.extend_from_slice(&tag);
    ctr_acpkm(cipher, &k1, ukm, cipher.section(), &mut out);
    // Encrypted now: no longer secret.
    std::mem::take(&mut *out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s.split_whitespace().collect::<String>()).unwrap()
    }

    fn key(s: &str) -> [u8; 32] {
        unhex(s).try_into().unwrap()
    }

    const K_017: &str = "8899AABBCCDDEEFF0011223344556677FEDCBA98765432100123456789ABCDEF";

    /// R 1323565.1.017-2018, A.1: Magma CTR-ACPKM with a 16-byte section.
    #[test]
    fn magma_ctr_acpkm_matches_the_recommendation() {
        let plain = unhex(
            "1122334455667700FFEEDDCCBBAA9988 00112233445566778899AABBCCEEFF0A
             112233445566778899AABBCCEEFF0A00 2233445566778899",
        );
        let expected = unhex(
            "2AB81DEEEB1E4CAB68E104C4BD6B94EA C72C67AF6C2E5B6B0EAFB61770F1B32E
             A1AE71149EED1382ABD467180672EC6F 84A2F15B3FCA72C1",
        );
        let mut data = plain.clone();
        ctr_acpkm(
            Cipher2015::Magma,
            &key(K_017),
            &unhex("12345678"),
            16,
            &mut data,
        );
        assert_eq!(data, expected);
    }

    /// The same recommendation, A.2 (Kuznyechik, 32-byte section): this mode and the older
    /// Kuznyechik-only one in `ciphers` agree.
    #[test]
    fn kuznyechik_ctr_acpkm_matches_the_recommendation() {
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
        ctr_acpkm(
            Cipher2015::Kuznyechik,
            &key(K_017),
            &unhex("1234567890ABCEF0"),
            32,
            &mut data,
        );
        assert_eq!(data, expected);
    }

    /// GOST R 34.13-2015, A.1.6 and A.2.6: the MAC examples (the standard prints the tag
    /// truncated to 64 and 32 bits).
    #[test]
    fn omac_matches_the_standard() {
        let k = omac(
            Cipher2015::Kuznyechik,
            &key(K_017),
            &unhex(
                "1122334455667700ffeeddccbbaa9988 00112233445566778899aabbcceeff0a
                 112233445566778899aabbcceeff0a00 2233445566778899aabbcceeff0a0011",
            ),
        );
        assert_eq!(hex::encode(&k[..8]), "336f4d296059fbe3");
        let m = omac(
            Cipher2015::Magma,
            &key("ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"),
            &unhex("92def06b3c130a59 db54c704f8189d20 4a98fb2e67a8024c 8912409b17b57e41"),
        );
        assert_eq!(hex::encode(&m[..4]), "154e7210");
    }

    /// RFC 7836, appendix B, example 10 (R 50.1.113-2016): KDF_TREE with L = 512.
    #[test]
    fn kdf_tree_matches_the_example() {
        let k: Vec<u8> = (0u8..32).collect();
        let mut out = [0u8; 64];
        kdf_tree_256(&k, &unhex("26bdb878"), &unhex("af21434145656378"), &mut out);
        assert_eq!(
            hex::encode(out),
            "22b6837845c6bef65ea71672b265831086d3c76aebe6dae91cad51d83f79d16b\
             074c9330599d7f8d712fca54392f4ddde93751206b3584c8f43f9e6dc51531f9"
        );
    }

    #[test]
    fn omac_schemes_round_trip_and_detect_changes() {
        for cipher in [Cipher2015::Kuznyechik, Cipher2015::Magma] {
            let k = [9u8; 32];
            let ukm: Vec<u8> = (0..cipher.ukm_len() as u8).collect();
            for len in [0usize, 1, 7, 8, 16, 70, 5000] {
                let plain: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let enc = encrypt_omac(cipher, &k, &ukm, &plain);
                assert_eq!(enc.len(), len + cipher.block());
                assert_eq!(*decrypt_omac(cipher, &k, &ukm, &enc).unwrap(), plain);
                let mut bad = enc.clone();
                bad[len / 2] ^= 1;
                assert!(decrypt_omac(cipher, &k, &ukm, &bad).is_none());
                assert!(decrypt_omac(cipher, &[8u8; 32], &ukm, &enc).is_none());
            }
        }
    }
}
