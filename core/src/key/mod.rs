//! Keys: algorithms, public keys, signers, software keys and PKCS#8.
//!
//! - [`KeyAlgorithm`]: what a key is and which signature and digest it implies.
//! - [`PublicKey`]: an owned SubjectPublicKeyInfo that verifies signatures.
//! - [`Signer`]: the one object-safe signing abstraction (software keys, tokens, host
//!   callbacks); [`RustCryptoSigner`] adapts it to the RustCrypto builders.
//! - [`SoftwareKey`]: a private key in memory, read from and written to PKCS#8.

mod algorithm;
mod gost;
mod pem;
mod pkcs8;
mod public;
mod signer;
mod software;

pub use algorithm::KeyAlgorithm;
pub use public::PublicKey;
pub use signer::{RustCryptoSigner, SignatureBytes, Signer};
pub use software::{DEFAULT_PBKDF2_ITERATIONS, MAX_PBKDF2_ITERATIONS, RSA_BITS, SoftwareKey};

#[cfg(test)]
mod proptests {
    //! Every parser, fed random bytes, truncations and bit flips of real inputs, returns an
    //! error or a value: never a panic.

    use super::*;
    use proptest::prelude::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openssl");

    /// DER of every fixture key and public key we read.
    fn samples() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for dir in ["rsa2048", "ec-p256"] {
            for file in ["key.pem", "pub.pem"] {
                let text = std::fs::read_to_string(format!("{FIXTURES}/{dir}/{file}")).unwrap();
                let label = if file == "key.pem" {
                    "PRIVATE KEY"
                } else {
                    "PUBLIC KEY"
                };
                out.push(pem::decode(&text, &[label]).unwrap().to_vec());
            }
        }
        out
    }

    fn feed(bytes: &[u8]) {
        let _ = PublicKey::from_spki_der(bytes);
        let _ = SoftwareKey::from_pkcs8_der(bytes);
        let text = String::from_utf8_lossy(bytes);
        let _ = PublicKey::from_pem(&text);
        let _ = SoftwareKey::from_pkcs8_pem(&text);
        for label in ["PUBLIC KEY", "PRIVATE KEY"] {
            let armoured = pem::encode(label, bytes);
            let _ = PublicKey::from_pem(&armoured);
            let _ = SoftwareKey::from_pkcs8_pem(&armoured);
        }
    }

    #[test]
    fn every_truncation_of_real_inputs_is_handled() {
        for sample in samples() {
            for len in 0..sample.len() {
                feed(&sample[..len]);
                assert!(PublicKey::from_spki_der(&sample[..len]).is_err());
                assert!(SoftwareKey::from_pkcs8_der(&sample[..len]).is_err());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            feed(&bytes);
        }

        #[test]
        fn flipped_real_inputs_never_panic(which in 0usize..4, at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut sample = samples().swap_remove(which);
            let i = at.index(sample.len());
            sample[i] ^= 1 << bit;
            feed(&sample);
        }
    }
}
