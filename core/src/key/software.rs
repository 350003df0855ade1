//! Keys held in memory: generated here or read from PKCS#8.

use std::fmt;

use spki::{AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier};
use zeroize::Zeroizing;

use super::algorithm::KeyAlgorithm;
pub use super::pkcs8::encrypted::DEFAULT_PBKDF2_ITERATIONS;
use super::public::PublicKey;
use super::signer::{SignatureBytes, Signer};
use super::{pem, pkcs8};
use crate::{Error, Result};

/// RSA modulus sizes we generate and import (issue 2: 2048–4096).
pub const RSA_BITS: std::ops::RangeInclusive<u32> = 2048..=4096;

/// A private key in memory, with its public key.
///
/// Secrets are zeroized when the key is dropped; `Debug` prints only the algorithm and the
/// key identifier.
pub struct SoftwareKey {
    secret: Secret,
    public: PublicKey,
}

/// The private part, per algorithm. Every variant zeroizes itself on drop.
pub(crate) enum Secret {
    Gost(crate::gost::SigningKey),
    Rsa(Box<rsa::PrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

impl SoftwareKey {
    /// Generates a new key from the operating system's random source.
    ///
    /// Errors: [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind::UnsupportedAlgorithm)
    /// for an RSA size outside [`RSA_BITS`] and for GOST R 34.10-2001 (verification only).
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self> {
        algorithm.check_can_sign()?;
        let secret = match algorithm {
            KeyAlgorithm::Gost(ps) => Secret::Gost(crate::gost::SigningKey::generate(ps)?),
            KeyAlgorithm::Rsa { bits } => {
                check_rsa_bits(bits)?;
                let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
                let key = rsa::PrivateKey::new(&mut rng, bits as usize).map_err(|e| {
                    Error::new(
                        crate::ErrorKind::Internal,
                        format!("RSA key generation: {e}"),
                    )
                })?;
                Secret::Rsa(Box::new(key))
            }
            KeyAlgorithm::EcdsaP256 => {
                use p256::elliptic_curve::Generate;
                let key = p256::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
                    .map_err(|e| {
                        Error::new(crate::ErrorKind::Internal, format!("OS random source: {e}"))
                    })?;
                Secret::P256(key)
            }
            KeyAlgorithm::Gost2001(_) => unreachable!("refused by check_can_sign"),
        };
        Self::from_secret(secret)
    }

    pub(crate) fn from_secret(secret: Secret) -> Result<Self> {
        let public = match &secret {
            Secret::Gost(key) => {
                let ps = key.param_set();
                PublicKey::from_parts(
                    KeyAlgorithm::Gost(ps).key_algorithm_identifier(),
                    &super::gost::encode_public_key(&key.verifying_key().to_le_xy()),
                )?
            }
            Secret::Rsa(key) => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                let bits = key
                    .to_public_key()
                    .to_pkcs1_der()
                    .map_err(|e| Error::malformed(format!("RSA public key: {e}")))?;
                PublicKey::from_parts(
                    KeyAlgorithm::Rsa { bits: 0 }.key_algorithm_identifier(),
                    bits.as_bytes(),
                )?
            }
            Secret::P256(key) => {
                let point = key.verifying_key().to_sec1_point(false);
                PublicKey::from_parts(
                    KeyAlgorithm::EcdsaP256.key_algorithm_identifier(),
                    point.as_bytes(),
                )?
            }
        };
        if let KeyAlgorithm::Rsa { bits } = public.algorithm() {
            check_rsa_bits(bits)?;
        }
        Ok(SoftwareKey { secret, public })
    }

    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }

    /// A software key from a GOST R 34.10-2012 private key (recovered from a container, say).
    pub fn from_gost(key: crate::gost::SigningKey) -> Result<Self> {
        Self::from_secret(Secret::Gost(key))
    }

    /// Reads an unencrypted PKCS#8 `PrivateKeyInfo` (DER).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        pkcs8::decode(der)
    }

    /// Reads an unencrypted PKCS#8 PEM block (`PRIVATE KEY`); text around it is ignored.
    pub fn from_pkcs8_pem(text: &str) -> Result<Self> {
        let der = pem::decode(text, &["PRIVATE KEY"])?;
        Self::from_pkcs8_der(&der)
    }

    /// The key as unencrypted PKCS#8 `PrivateKeyInfo` (DER).
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        pkcs8::encode(self)
    }

    /// The key as an unencrypted PKCS#8 PEM block (`PRIVATE KEY`).
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        pem::encode_secret("PRIVATE KEY", &self.to_pkcs8_der())
    }

    /// Reads a password-encrypted PKCS#8 `EncryptedPrivateKeyInfo` (DER): PBES2 with PBKDF2
    /// (HMAC-SHA-1/SHA-256/Streebog-256/Streebog-512) and AES-CBC, Kuznyechik CTR-ACPKM or
    /// GOST 28147-89 CFB, as OpenSSL (with the gost engine) writes them.
    ///
    /// Errors: [`ErrorKind::WrongPassword`](crate::ErrorKind::WrongPassword) when the password
    /// does not decrypt the key; `MalformedEncoding` / `UnsupportedAlgorithm` for the
    /// container.
    pub fn from_encrypted_pkcs8_der(der: &[u8], password: &[u8]) -> Result<Self> {
        let plain = pkcs8::encrypted::decrypt(der, password)?;
        Self::from_pkcs8_der(&plain)
    }

    /// Reads a PEM `ENCRYPTED PRIVATE KEY` block; text around it is ignored.
    pub fn from_encrypted_pkcs8_pem(text: &str, password: &[u8]) -> Result<Self> {
        let der = pem::decode(text, &["ENCRYPTED PRIVATE KEY"])?;
        Self::from_encrypted_pkcs8_der(&der, password)
    }

    /// The key as password-encrypted PKCS#8 PEM (`ENCRYPTED PRIVATE KEY`): PBES2 with
    /// PBKDF2-HMAC-SHA-256 ([`DEFAULT_PBKDF2_ITERATIONS`] iterations, random salt) and
    /// AES-256-CBC, which OpenSSL, GnuTLS and the RustCrypto crates all read.
    pub fn to_encrypted_pkcs8_pem(&self, password: &[u8]) -> Result<String> {
        self.to_encrypted_pkcs8_pem_with_iterations(password, DEFAULT_PBKDF2_ITERATIONS)
    }

    /// Like [`to_encrypted_pkcs8_pem`](Self::to_encrypted_pkcs8_pem) with a chosen PBKDF2
    /// iteration count (1 to [`kdf_iteration_limit`](crate::key::kdf_iteration_limit):
    /// we never write what we would refuse to read).
    pub fn to_encrypted_pkcs8_pem_with_iterations(
        &self,
        password: &[u8],
        iterations: u32,
    ) -> Result<String> {
        let der = self.to_encrypted_pkcs8_der_with_iterations(password, iterations)?;
        Ok(pem::encode("ENCRYPTED PRIVATE KEY", &der))
    }

    /// The key as password-encrypted PKCS#8 DER, with a chosen PBKDF2 iteration count.
    pub fn to_encrypted_pkcs8_der_with_iterations(
        &self,
        password: &[u8],
        iterations: u32,
    ) -> Result<Vec<u8>> {
        pkcs8::encrypted::encrypt(&self.to_pkcs8_der(), password, iterations)
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.public.algorithm()
    }

    /// The public key (also available through [`Signer::public_key`]).
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }
}

/// A key's components, for stores that take keys in parts (a PKCS#11 import). Secrets are
/// wiped on drop.
pub(crate) enum Parts {
    /// GOST: the scalar and the public point X‖Y, little-endian.
    Gost {
        param_set: crate::gost::ParamSet,
        scalar_le: Zeroizing<Vec<u8>>,
        point_le: Vec<u8>,
    },
    /// P-256: d big-endian and the uncompressed point.
    EcP256 {
        d_be: Zeroizing<Vec<u8>>,
        point: Vec<u8>,
    },
    /// RSA: the PKCS#1 components, big-endian.
    Rsa(RsaParts),
}

/// The PKCS#1 components of an RSA key, big-endian without leading zeros.
pub(crate) struct RsaParts {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
    pub d: Zeroizing<Vec<u8>>,
    pub p: Zeroizing<Vec<u8>>,
    pub q: Zeroizing<Vec<u8>>,
    pub dp: Zeroizing<Vec<u8>>,
    pub dq: Zeroizing<Vec<u8>>,
    pub qinv: Zeroizing<Vec<u8>>,
}

/// The components of `key`.
pub(crate) fn parts(key: &SoftwareKey) -> Result<Parts> {
    Ok(match key.secret() {
        Secret::Gost(k) => Parts::Gost {
            param_set: k.param_set(),
            scalar_le: k.to_le_bytes(),
            point_le: k.verifying_key().to_le_xy(),
        },
        Secret::P256(k) => Parts::EcP256 {
            d_be: Zeroizing::new(k.to_bytes().to_vec()),
            point: k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
        },
        Secret::Rsa(k) => {
            use der::Decode;
            use rsa::pkcs1::EncodeRsaPrivateKey;
            let doc = k
                .to_pkcs1_der()
                .map_err(|e| Error::new(crate::ErrorKind::Internal, format!("RSA key: {e}")))?;
            let r = rsa::pkcs1::RsaPrivateKey::<rsa::pkcs1::UintRef<'_>>::from_der(doc.as_bytes())
                .map_err(|e| Error::new(crate::ErrorKind::Internal, format!("RSA key: {e}")))?;
            let secret = |u: rsa::pkcs1::UintRef<'_>| Zeroizing::new(u.as_bytes().to_vec());
            Parts::Rsa(RsaParts {
                n: r.modulus.as_bytes().to_vec(),
                e: r.public_exponent.as_bytes().to_vec(),
                d: secret(r.private_exponent),
                p: secret(r.prime1),
                q: secret(r.prime2),
                dp: secret(r.exponent1),
                dq: secret(r.exponent2),
                qinv: secret(r.coefficient),
            })
        }
    })
}

fn check_rsa_bits(bits: u32) -> Result<()> {
    if RSA_BITS.contains(&bits) {
        Ok(())
    } else {
        Err(Error::unsupported(format!(
            "RSA keys of {bits} bits (supported: {}–{})",
            RSA_BITS.start(),
            RSA_BITS.end()
        ))
        .with_field("bits"))
    }
}

impl Signer for SoftwareKey {
    fn public_key(&self) -> PublicKey {
        SoftwareKey::public_key(self)
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        self.algorithm().signature_algorithm()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        match &self.secret {
            Secret::Gost(key) => Ok(key.sign(msg).to_bytes()),
            Secret::Rsa(key) => {
                use sha2::Digest;
                let digest = sha2::Sha256::digest(msg);
                key.sign(rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
                    .map_err(|e| {
                        Error::new(crate::ErrorKind::Internal, format!("RSA signing: {e}"))
                    })
            }
            Secret::P256(key) => {
                let sig: p256::ecdsa::DerSignature = signature::Signer::try_sign(key, msg)
                    .map_err(|e| {
                        Error::new(crate::ErrorKind::Internal, format!("ECDSA signing: {e}"))
                    })?;
                Ok(sig.as_bytes().to_vec())
            }
        }
    }
}

impl signature::Signer<SignatureBytes> for SoftwareKey {
    fn try_sign(&self, msg: &[u8]) -> Result<SignatureBytes, signature::Error> {
        let bytes = Signer::sign(self, msg).map_err(signature::Error::from_source)?;
        SignatureBytes::try_from(bytes.as_slice())
    }
}

impl signature::Keypair for SoftwareKey {
    type VerifyingKey = PublicKey;

    fn verifying_key(&self) -> PublicKey {
        self.public.clone()
    }
}

impl DynSignatureAlgorithmIdentifier for SoftwareKey {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(self.algorithm().signature_algorithm())
    }
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("algorithm", &self.algorithm())
            .field("key_id", &hex::encode(self.public.key_id()))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openssl");

    fn read(path: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}/{path}")).unwrap()
    }

    fn read_str(path: &str) -> String {
        std::fs::read_to_string(format!("{FIXTURES}/{path}")).unwrap()
    }

    fn sign_verify_round_trip(key: &SoftwareKey) {
        let msg = b"payment order 42";
        let sig = Signer::sign(key, msg).unwrap();
        let public = key.public_key();
        public
            .verify(&key.signature_algorithm(), msg, &sig)
            .unwrap();
        let err = public
            .verify(&key.signature_algorithm(), b"payment order 43", &sig)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadSignature);
    }

    #[test]
    fn p256_generate_sign_and_pkcs8_round_trip() {
        let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256);
        sign_verify_round_trip(&key);
        let again = SoftwareKey::from_pkcs8_pem(&key.to_pkcs8_pem()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        assert_eq!(*again.to_pkcs8_der(), *key.to_pkcs8_der());
    }

    #[test]
    fn rsa_generate_sign_and_pkcs8_round_trip() {
        let key = SoftwareKey::generate(KeyAlgorithm::Rsa { bits: 2048 }).unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
        sign_verify_round_trip(&key);
        let again = SoftwareKey::from_pkcs8_der(&key.to_pkcs8_der()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
    }

    #[test]
    fn rsa_sizes_outside_the_range_are_refused() {
        for bits in [1024, 8192] {
            let err = SoftwareKey::generate(KeyAlgorithm::Rsa { bits }).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
            assert_eq!(err.field(), Some("bits"));
        }
    }

    #[test]
    fn openssl_keys_give_their_public_keys_and_sign() {
        for dir in ["rsa2048", "ec-p256"] {
            let key = SoftwareKey::from_pkcs8_pem(&read_str(&format!("{dir}/key.pem"))).unwrap();
            let public = PublicKey::from_pem(&read_str(&format!("{dir}/pub.pem"))).unwrap();
            assert_eq!(key.public_key(), public, "{dir}");
            assert_eq!(
                key.public_key().to_spki_der(),
                public.to_spki_der(),
                "{dir}"
            );
            sign_verify_round_trip(&key);
        }
        // RSA PKCS#1 v1.5 is deterministic: our signature equals OpenSSL's.
        let rsa = SoftwareKey::from_pkcs8_pem(&read_str("rsa2048/key.pem")).unwrap();
        assert_eq!(
            Signer::sign(&rsa, &read("msg.bin")).unwrap(),
            read("rsa2048/msg.sig")
        );
    }

    fn gost_dir(ps: crate::gost::ParamSet) -> String {
        let size = if ps.is_512() { 512 } else { 256 };
        format!("gost2012_{size}-{}", ps.openssl_name())
    }

    #[test]
    fn gost_every_set_generates_signs_and_round_trips_pkcs8() {
        for ps in crate::gost::ParamSet::ALL {
            let key = SoftwareKey::generate(KeyAlgorithm::Gost(ps)).unwrap();
            assert_eq!(key.algorithm(), KeyAlgorithm::Gost(ps));
            sign_verify_round_trip(&key);
            assert_eq!(Signer::sign(&key, b"m").unwrap().len(), 2 * ps.field_len());
            let der = key.to_pkcs8_der();
            let again = SoftwareKey::from_pkcs8_der(&der).unwrap();
            assert_eq!(again.public_key(), key.public_key(), "{ps:?}");
            assert_eq!(*again.to_pkcs8_der(), *der);
        }
    }

    #[test]
    fn gost_openssl_keys_give_their_public_keys() {
        for ps in crate::gost::ParamSet::ALL {
            let dir = gost_dir(ps);
            let key = SoftwareKey::from_pkcs8_pem(&read_str(&format!("{dir}/key.pem"))).unwrap();
            let public = PublicKey::from_pem(&read_str(&format!("{dir}/pub.pem"))).unwrap();
            assert_eq!(key.public_key(), public, "{dir}");
            assert_eq!(key.algorithm(), KeyAlgorithm::Gost(ps));
            // We write the private key exactly as OpenSSL does (raw LE scalar, same
            // parameters) except for the digest parameter OpenSSL adds for the 512-bit sets
            // (RFC 9215: SHOULD be absent there).
            if !ps.is_512() {
                let theirs =
                    super::pem::decode(&read_str(&format!("{dir}/key.pem")), &["PRIVATE KEY"])
                        .unwrap();
                assert_eq!(*key.to_pkcs8_der(), *theirs, "{dir}");
            }
        }
    }

    #[test]
    fn gost_gnutls_keys_give_their_public_keys() {
        for name in ["CryptoPro-A", "TC26-256-B", "TC26-512-A"] {
            let key =
                SoftwareKey::from_pkcs8_pem(&read_str(&format!("gnutls/{name}.key.pem"))).unwrap();
            let public = PublicKey::from_pem(&read_str(&format!("gnutls/{name}.pub.pem"))).unwrap();
            assert_eq!(key.public_key(), public, "{name}");
        }
    }

    #[test]
    fn encrypted_fixtures_give_the_plain_keys() {
        for set in ["gost2012_256-A", "gost2012_512-A"] {
            let plain = SoftwareKey::from_pkcs8_pem(&read_str(&format!("{set}/key.pem"))).unwrap();
            for form in [
                "kuznyechik-ctr-acpkm.hmac-streebog512",
                "gost89.hmac-streebog512",
                "aes-256-cbc.hmac-sha256",
            ] {
                let text = read_str(&format!("encrypted/{set}.{form}.pem"));
                let key = SoftwareKey::from_encrypted_pkcs8_pem(&text, b"bankkey-test").unwrap();
                assert_eq!(key.public_key(), plain.public_key(), "{set} {form}");
                let err = SoftwareKey::from_encrypted_pkcs8_pem(&text, b"").unwrap_err();
                assert_eq!(err.kind(), ErrorKind::WrongPassword, "{set} {form}");
            }
        }
    }

    #[test]
    fn encrypted_round_trip_for_every_algorithm() {
        let algs = [
            KeyAlgorithm::Gost(crate::gost::ParamSet::Tc26_256A),
            KeyAlgorithm::Gost(crate::gost::ParamSet::Tc26_512C),
            KeyAlgorithm::EcdsaP256,
        ];
        for alg in algs {
            let key = SoftwareKey::generate(alg).unwrap();
            let pem = key
                .to_encrypted_pkcs8_pem_with_iterations("пароль".as_bytes(), 1000)
                .unwrap();
            assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
            let again = SoftwareKey::from_encrypted_pkcs8_pem(&pem, "пароль".as_bytes()).unwrap();
            assert_eq!(again.public_key(), key.public_key());
            let err = SoftwareKey::from_encrypted_pkcs8_pem(&pem, b"parol").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::WrongPassword);
        }
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let key = SoftwareKey::from_pkcs8_pem(&read_str("ec-p256/key.pem")).unwrap();
        let text = format!("{key:?}");
        assert!(text.contains("EcdsaP256"), "{text}");
        let der = key.to_pkcs8_der();
        // The 32-byte scalar sits inside the DER; its hex must not appear in Debug.
        let scalar_hex = hex::encode(&der[der.len() - 32..]);
        assert!(!text.contains(&scalar_hex[..16]));
    }

    #[test]
    fn rustcrypto_builder_signs_a_request() {
        use der::{Decode, Encode};
        use std::str::FromStr;
        use x509_cert::builder::Builder;
        use x509_cert::request::{CertReq, RequestBuilder};

        let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let subject = x509_cert::name::Name::from_str("CN=bankkey test").unwrap();
        for via_adapter in [false, true] {
            let builder = RequestBuilder::new(subject.clone()).unwrap();
            let req = if via_adapter {
                let dyn_signer: &dyn Signer = &key;
                builder
                    .build::<_, SignatureBytes>(&super::super::RustCryptoSigner::new(dyn_signer))
                    .unwrap()
            } else {
                builder.build::<_, SignatureBytes>(&key).unwrap()
            };
            let req = CertReq::from_der(&req.to_der().unwrap()).unwrap();
            let spki = req.info.public_key.to_der().unwrap();
            assert_eq!(PublicKey::from_spki_der(&spki).unwrap(), key.public_key());
            let alg = req.algorithm.clone();
            let tbs = req.info.to_der().unwrap();
            key.public_key()
                .verify(&alg, &tbs, req.signature.as_bytes().unwrap())
                .unwrap();
        }
    }

    #[test]
    fn malformed_pkcs8_is_an_error() {
        for bytes in [&b""[..], b"\x30\x00", b"\x30\x05\x02\x01\x00\x30\x00"] {
            let err = SoftwareKey::from_pkcs8_der(bytes).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MalformedEncoding);
        }
        assert!(SoftwareKey::from_pkcs8_pem("no pem here").is_err());
    }
}
