//! The PKCS#12 password-based encryptions of RFC 7292 appendix C that are still written:
//! pbeWithSHAAnd3-KeyTripleDES-CBC (Windows, CryptoPro CSP, OpenSSL's `-legacy` for keys)
//! and pbeWithSHAAnd40BitRC2-CBC (CryptoPro CSP 5 and OpenSSL's `-legacy` for
//! certificates), with their two-key and 128-bit siblings. CryptoPro's own key encryption is
//! `cryptopro`'s. Read only: our PFX are written with PBES2.
//!
//! Key and IV come from the PKCS#12 KDF with SHA-1 (appendix B.2, ID 1 and 2) over the
//! BMPString password; the cipher runs in CBC mode with PKCS#7 padding (RustCrypto's `des`
//! and `rc2`).

use cbc::cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit, block_padding::Pkcs7};
use der::Sequence;
use der::asn1::OctetString;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::key::kdf::{self, Pkcs12Hash};
use crate::{Error, Result, oid};

/// `pkcs-12PbeParams`.
#[derive(Sequence)]
struct PbeParams {
    salt: OctetString,
    iterations: u64,
}

/// The ciphers of the PKCS#12 PBEs read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cipher {
    TripleDes3,
    TripleDes2,
    Rc2_128,
    Rc2_40,
}

impl Cipher {
    fn key_len(self) -> usize {
        match self {
            Cipher::TripleDes3 => 24,
            Cipher::TripleDes2 | Cipher::Rc2_128 => 16,
            Cipher::Rc2_40 => 5,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Cipher::TripleDes3 => "3-key triple DES CBC",
            Cipher::TripleDes2 => "2-key triple DES CBC",
            Cipher::Rc2_128 => "128-bit RC2 CBC",
            Cipher::Rc2_40 => "40-bit RC2 CBC",
        }
    }
}

/// A legacy PKCS#12 PBE, read from its AlgorithmIdentifier.
pub(super) struct LegacyPbe {
    cipher: Cipher,
    salt: Vec<u8>,
    iterations: u32,
}

impl LegacyPbe {
    /// The PBE of `alg`, `None` when it is not one of those read here. The iteration count
    /// is checked against the limit.
    pub(super) fn from_algorithm(alg: &AlgorithmIdentifierOwned) -> Option<Result<LegacyPbe>> {
        let cipher = match alg.oid {
            o if o == oid::PKCS12_PBE_SHA1_3DES => Cipher::TripleDes3,
            o if o == oid::PKCS12_PBE_SHA1_2DES => Cipher::TripleDes2,
            o if o == oid::PKCS12_PBE_SHA1_RC2_128 => Cipher::Rc2_128,
            o if o == oid::PKCS12_PBE_SHA1_RC2_40 => Cipher::Rc2_40,
            _ => return None,
        };
        Some(Self::read(cipher, alg))
    }

    fn read(cipher: Cipher, alg: &AlgorithmIdentifierOwned) -> Result<LegacyPbe> {
        let p: PbeParams = alg
            .parameters
            .as_ref()
            .ok_or_else(|| Error::malformed("a PKCS#12 PBE without parameters"))?
            .decode_as()
            .map_err(|e: der::Error| Error::malformed(format!("pkcs-12PbeParams: {e}")))?;
        let iterations = kdf::check_read(p.iterations, "iterations")?;
        Ok(LegacyPbe {
            cipher,
            salt: p.salt.into_bytes().into_vec(),
            iterations,
        })
    }

    /// For reports: "PKCS#12 PBE: SHA-1, 40-bit RC2 CBC, 2000 iterations".
    pub(super) fn describe(&self) -> String {
        format!(
            "PKCS#12 PBE: SHA-1, {}, {} iterations",
            self.cipher.name(),
            self.iterations
        )
    }

    /// Decrypts `data` with the BMPString password; `None` when the padding is wrong (a wrong
    /// password, most likely).
    pub(super) fn decrypt(
        &self,
        bmp_password: &[u8],
        data: &[u8],
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        if data.is_empty() || !data.len().is_multiple_of(8) {
            return Err(Error::malformed(format!(
                "a PKCS#12 PBE ciphertext of {} bytes (not whole 8-byte blocks)",
                data.len()
            )));
        }
        let key_len = self.cipher.key_len();
        let mut key = Zeroizing::new([0u8; 24]);
        let mut iv = Zeroizing::new([0u8; 8]);
        let (salt, n) = (&self.salt, self.iterations);
        kdf::pkcs12(
            Pkcs12Hash::Sha1,
            bmp_password,
            salt,
            1,
            n,
            &mut key[..key_len],
        )?;
        kdf::pkcs12(Pkcs12Hash::Sha1, bmp_password, salt, 2, n, &mut iv[..])?;
        let key = &key[..key_len];
        let mut buf = Zeroizing::new(data.to_vec());
        let len = match self.cipher {
            Cipher::TripleDes3 => cbc::Decryptor::<des::TdesEde3>::new_from_slices(key, &iv[..])
                .ok()
                .and_then(|d| d.decrypt_padded::<Pkcs7>(&mut buf).ok().map(<[u8]>::len)),
            Cipher::TripleDes2 => cbc::Decryptor::<des::TdesEde2>::new_from_slices(key, &iv[..])
                .ok()
                .and_then(|d| d.decrypt_padded::<Pkcs7>(&mut buf).ok().map(<[u8]>::len)),
            Cipher::Rc2_128 | Cipher::Rc2_40 => {
                let rc2 = rc2::Rc2::new_with_eff_key_len(key, key_len * 8);
                cbc::Decryptor::<rc2::Rc2>::inner_iv_init(rc2, &(*iv).into())
                    .decrypt_padded::<Pkcs7>(&mut buf)
                    .ok()
                    .map(<[u8]>::len)
            }
        };
        Ok(len.map(|n| {
            buf.truncate(n);
            buf
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_algorithms_are_not_taken_and_bad_input_is_typed() {
        let alg = |oid, params: Option<der::asn1::Any>| AlgorithmIdentifierOwned {
            oid,
            parameters: params,
        };
        assert!(LegacyPbe::from_algorithm(&alg(oid::PBES2, None)).is_none());
        let e = LegacyPbe::from_algorithm(&alg(oid::PKCS12_PBE_SHA1_3DES, None))
            .unwrap()
            .err()
            .unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::MalformedEncoding);
        let params = der::asn1::Any::encode_from(&PbeParams {
            salt: OctetString::new(vec![1u8; 8]).unwrap(),
            iterations: 3,
        })
        .unwrap();
        for o in [
            oid::PKCS12_PBE_SHA1_3DES,
            oid::PKCS12_PBE_SHA1_2DES,
            oid::PKCS12_PBE_SHA1_RC2_128,
            oid::PKCS12_PBE_SHA1_RC2_40,
        ] {
            let pbe = LegacyPbe::from_algorithm(&alg(o, Some(params.clone())))
                .unwrap()
                .unwrap();
            for bad in [&[][..], &[0u8; 7][..], &[0u8; 9][..]] {
                assert_eq!(
                    pbe.decrypt(&[0, 0], bad).unwrap_err().kind(),
                    crate::ErrorKind::MalformedEncoding
                );
            }
            // Random-looking blocks: a padding failure (None) or some plaintext, no panic.
            let _ = pbe.decrypt(&[0, 0], &[0x5Au8; 32]).unwrap();
        }
    }
}
