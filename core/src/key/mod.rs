//! Keys: algorithms, public keys, signers, software keys and PKCS#8.
//!
//! - [`KeyAlgorithm`]: what a key is and which signature and digest it implies.
//! - [`PublicKey`]: an owned SubjectPublicKeyInfo that verifies signatures.
//! - [`Signer`]: the one object-safe signing abstraction (software keys, tokens, host
//!   callbacks); [`RustCryptoSigner`] adapts it to the RustCrypto builders.
//! - [`SoftwareKey`]: a private key in memory, read from and written to PKCS#8.
//! - [`kdf_iteration_limit`]: the bound on the work a password-protected file may ask for.

mod algorithm;
mod gost;
pub(crate) mod kdf;
mod pem;
pub(crate) mod pkcs8;
mod public;
mod signer;
mod software;

pub use algorithm::KeyAlgorithm;
pub(crate) use algorithm::gost2001_signing_refused;
pub(crate) use gost::KeyParameters as GostKeyParameters;
#[cfg(test)]
pub(crate) use gost::decode_public_key as gost_public_le;
pub use kdf::{DEFAULT_KDF_ITERATION_LIMIT, kdf_iteration_limit, set_kdf_iteration_limit};
pub use public::PublicKey;
pub(crate) use public::params_absent_or_null;
pub(crate) use signer::sign_checked;
pub use signer::{RustCryptoSigner, SignatureBytes, Signer, VerifyingSigner};
pub use software::{DEFAULT_PBKDF2_ITERATIONS, RSA_BITS, SoftwareKey};
pub(crate) use software::{Parts, parts};

#[cfg(test)]
mod proptests {
    //! Every parser, fed random bytes, truncations and bit flips of real inputs, returns an
    //! error or a value: never a panic.

    use super::*;
    use proptest::prelude::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openssl");

    /// DER of fixture keys, public keys and encrypted keys of every kind we read.
    fn samples() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let read = |path: &str, label: &str| {
            let text = std::fs::read_to_string(format!("{FIXTURES}/{path}")).unwrap();
            pem::decode(&text, &[label]).unwrap().to_vec()
        };
        for dir in [
            "rsa2048",
            "ec-p256",
            "gost2012_256-A",
            "gost2012_256-TCA",
            "gost2012_512-C",
        ] {
            out.push(read(&format!("{dir}/key.pem"), "PRIVATE KEY"));
            out.push(read(&format!("{dir}/pub.pem"), "PUBLIC KEY"));
        }
        out.push(read("gnutls/TC26-256-B.key.pem", "PRIVATE KEY"));
        for form in [
            "kuznyechik-ctr-acpkm.hmac-streebog512",
            "gost89.hmac-streebog512",
            "aes-256-cbc.hmac-sha256",
        ] {
            out.push(read(
                &format!("encrypted/gost2012_256-A.{form}.pem"),
                "ENCRYPTED PRIVATE KEY",
            ));
        }
        out
    }

    fn feed(bytes: &[u8]) {
        let _ = PublicKey::from_spki_der(bytes);
        let _ = SoftwareKey::from_pkcs8_der(bytes);
        let _ = SoftwareKey::from_encrypted_pkcs8_der(bytes, b"bankkey-test");
        let text = String::from_utf8_lossy(bytes);
        let _ = PublicKey::from_pem(&text);
        let _ = SoftwareKey::from_pkcs8_pem(&text);
        let _ = SoftwareKey::from_encrypted_pkcs8_pem(&text, b"bankkey-test");
        for label in ["PUBLIC KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"] {
            let armoured = pem::encode(label, bytes);
            let _ = PublicKey::from_pem(&armoured);
            let _ = SoftwareKey::from_pkcs8_pem(&armoured);
            let _ = SoftwareKey::from_encrypted_pkcs8_pem(&armoured, b"x");
        }
    }

    #[test]
    fn every_truncation_of_real_inputs_is_handled() {
        for sample in samples() {
            for len in 0..sample.len() {
                feed(&sample[..len]);
                assert!(PublicKey::from_spki_der(&sample[..len]).is_err());
                assert!(SoftwareKey::from_pkcs8_der(&sample[..len]).is_err());
                assert!(
                    SoftwareKey::from_encrypted_pkcs8_der(&sample[..len], b"bankkey-test").is_err()
                );
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
        fn flipped_real_inputs_never_panic(which in 0usize..14, at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut sample = samples().swap_remove(which);
            let i = at.index(sample.len());
            sample[i] ^= 1 << bit;
            feed(&sample);
        }
    }
}
