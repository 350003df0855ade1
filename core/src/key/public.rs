//! Public keys as owned SubjectPublicKeyInfo, with signature verification.

use std::fmt;
use std::hash::{Hash, Hasher};

use der::asn1::BitString;
use der::{Decode, Document, Encode};
use sha1::{Digest, Sha1};
use spki::{AlgorithmIdentifierOwned, EncodePublicKey, SubjectPublicKeyInfoOwned};

use super::algorithm::KeyAlgorithm;
use super::{gost, pem};
use crate::{Error, ErrorKind, Result, oid};

/// Smallest and largest RSA modulus accepted in a public key read from elsewhere (a CA's key
/// may be larger than the 2048–4096 bits we generate).
const RSA_MIN_BITS: u32 = 1024;
const RSA_MAX_BITS: u32 = 8192;

/// A public key: an owned, validated SubjectPublicKeyInfo.
///
/// Two keys are equal when their algorithm and key value are equal, whatever the details of
/// the parameter encoding (OpenSSL writes a digest parameter for GOST 512-A where we may not;
/// an EC point may be compressed or not).
#[derive(Clone)]
pub struct PublicKey {
    algorithm: KeyAlgorithm,
    spki_der: Vec<u8>,
    key_bits: Vec<u8>,
    /// The key value in one canonical form, for equality and hashing.
    canonical: Vec<u8>,
    material: Material,
}

#[derive(Clone)]
enum Material {
    Gost(crate::gost::VerifyingKey),
    Rsa(rsa::PublicKey),
    P256(p256::PublicKey),
}

impl PublicKey {
    /// Reads a DER SubjectPublicKeyInfo.
    ///
    /// Errors: [`ErrorKind::MalformedEncoding`] for bad DER or a bad key value,
    /// [`ErrorKind::UnsupportedAlgorithm`] for an algorithm or curve we do not handle.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = SubjectPublicKeyInfoOwned::from_der(der)
            .map_err(|e| Error::malformed(format!("SubjectPublicKeyInfo: {e}")))?;
        let key_bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| {
                Error::malformed("SubjectPublicKeyInfo: key BIT STRING has unused bits")
            })?
            .to_vec();
        let alg = &spki.algorithm;
        let (algorithm, canonical, material) = if gost::is_key_oid(&alg.oid) {
            let ps = gost::param_set_of(alg)?;
            let le_xy = gost::decode_public_key(&key_bits)?;
            let key = crate::gost::VerifyingKey::from_le_xy(ps, &le_xy).map_err(|e| {
                Error::malformed(format!("GOST public key: {}", e.message()))
                    .with_field("subjectPublicKey")
            })?;
            (KeyAlgorithm::Gost(ps), key.to_le_xy(), Material::Gost(key))
        } else if alg.oid == oid::GOST3410_2001 {
            // Verification only (KeyAlgorithm::Gost2001): the 2001 curves are the CryptoPro
            // sets of 2012, and so is the point's encoding (RFC 4491 §2.3.2).
            let ps = gost::param_set_of_2001(alg)?;
            let le_xy = gost::decode_public_key(&key_bits)?;
            let key = crate::gost::VerifyingKey::from_le_xy(ps, &le_xy).map_err(|e| {
                Error::malformed(format!("GOST R 34.10-2001 public key: {}", e.message()))
                    .with_field("subjectPublicKey")
            })?;
            (
                KeyAlgorithm::Gost2001(ps),
                key.to_le_xy(),
                Material::Gost(key),
            )
        } else if alg.oid == oid::RSA_ENCRYPTION {
            params_absent_or_null(alg, "SubjectPublicKeyInfo.algorithm")?;
            parse_rsa(&key_bits)?
        } else if alg.oid == oid::EC_PUBLIC_KEY {
            let curve = alg
                .parameters
                .as_ref()
                .ok_or_else(|| Error::malformed("id-ecPublicKey without a named curve"))?
                .decode_as::<der::asn1::ObjectIdentifier>()
                .map_err(|_| Error::unsupported("EC public key with explicit curve parameters"))?;
            if curve != oid::SECP256R1 {
                return Err(Error::unsupported(format!("EC curve {curve}")));
            }
            let pk = p256::PublicKey::from_sec1_bytes(&key_bits)
                .map_err(|_| Error::malformed("P-256 public key: not a point on the curve"))?;
            let canonical = pk.to_sec1_bytes().to_vec();
            (KeyAlgorithm::EcdsaP256, canonical, Material::P256(pk))
        } else {
            return Err(Error::unsupported(format!(
                "public key algorithm {}",
                alg.oid
            )));
        };
        Ok(PublicKey {
            algorithm,
            spki_der: der.to_vec(),
            key_bits,
            canonical,
            material,
        })
    }

    /// Reads a PEM `PUBLIC KEY` block (text around the block is ignored).
    pub fn from_pem(text: &str) -> Result<Self> {
        let der = pem::decode(text, &["PUBLIC KEY"])?;
        Self::from_spki_der(&der)
    }

    /// Reads a SubjectPublicKeyInfo given as DER or as a PEM `PUBLIC KEY` block (see
    /// [`Certificate::from_der_or_pem`]).
    ///
    /// [`Certificate::from_der_or_pem`]: crate::pki::Certificate::from_der_or_pem
    pub fn from_der_or_pem(input: &[u8]) -> Result<Self> {
        if input.first() == Some(&0x30) {
            return Self::from_spki_der(input);
        }
        let text = std::str::from_utf8(input)
            .map_err(|_| crate::Error::malformed("public key: neither DER nor PEM text"))?;
        Self::from_pem(text)
    }

    /// Builds the SubjectPublicKeyInfo we write for `algorithm` and a key value.
    pub(crate) fn from_parts(
        algorithm_identifier: AlgorithmIdentifierOwned,
        key_bits: &[u8],
    ) -> Result<Self> {
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: algorithm_identifier,
            subject_public_key: BitString::from_bytes(key_bits)?,
        };
        Self::from_spki_der(&spki.to_der()?)
    }

    /// The DER SubjectPublicKeyInfo (as read, or as we wrote it).
    pub fn to_spki_der(&self) -> Vec<u8> {
        self.spki_der.clone()
    }

    /// The SubjectPublicKeyInfo as PEM (`PUBLIC KEY`, LF line endings).
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki_der)
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The contents of the subjectPublicKey BIT STRING.
    pub fn key_bits(&self) -> Vec<u8> {
        self.key_bits.clone()
    }

    /// The key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1).
    pub fn key_id(&self) -> [u8; 20] {
        Sha1::digest(&self.key_bits).into()
    }

    /// Verifies `signature` over `msg` made with `signature_algorithm`.
    ///
    /// The algorithm must fit the key ([`ErrorKind::KeyMismatch`] otherwise). For GOST both
    /// conventions are accepted: the signature OID (id-tc26-signwithdigest-gost3410-12-*,
    /// X.509 and GnuTLS CMS) and the key OID (OpenSSL's CMS SignerInfo). Parameters may be
    /// absent or NULL. A signature that does not verify is [`ErrorKind::BadSignature`].
    ///
    /// A GOST R 34.10-2001 key verifies id-GostR3411-94-with-GostR3410-2001 (or its key OID,
    /// which CryptoPro CSP and OpenSSL write in CMS): the 2012 verification on the same curve,
    /// over the GOST R 34.11-94 (CryptoPro) digest read little-endian, signature s‖r.
    pub fn verify(
        &self,
        signature_algorithm: &AlgorithmIdentifierOwned,
        msg: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let alg = signature_algorithm;
        match &self.material {
            Material::Gost(key) => {
                let ps = key.param_set();
                let gost2001 = matches!(self.algorithm, KeyAlgorithm::Gost2001(_));
                if gost2001 {
                    self.expect_signature_oid(
                        alg,
                        &[oid::GOST3411_94_WITH_GOST3410_2001, oid::GOST3410_2001],
                    )?;
                } else {
                    self.expect_signature_oid(alg, &[gost::signature_oid(ps), gost::key_oid(ps)])?;
                }
                params_absent_or_null(alg, "signatureAlgorithm")?;
                if signature.len() != 2 * ps.field_len() {
                    return Err(Error::bad_signature(format!(
                        "a {} signature is {} bytes, got {}",
                        ps.name(),
                        2 * ps.field_len(),
                        signature.len()
                    )));
                }
                let sig = crate::gost::Signature::from_bytes(signature)
                    .map_err(|e| Error::bad_signature(e.message().to_string()))?;
                if gost2001 {
                    key.verify_digest(&crate::gost::gost94(msg), &sig)
                } else {
                    key.verify(msg, &sig)
                }
            }
            Material::Rsa(key) => {
                self.expect_signature_oid(alg, &[oid::SHA256_WITH_RSA])?;
                params_absent_or_null(alg, "signatureAlgorithm")?;
                use signature::Verifier;
                let sig = rsa::pkcs1v15::Signature::try_from(signature)
                    .map_err(|_| Error::bad_signature("RSA signature of a wrong length"))?;
                rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key.clone())
                    .verify(msg, &sig)
                    .map_err(|_| Error::bad_signature("RSA signature does not verify"))
            }
            Material::P256(key) => {
                self.expect_signature_oid(alg, &[oid::ECDSA_WITH_SHA256])?;
                params_absent_or_null(alg, "signatureAlgorithm")?;
                use signature::Verifier;
                let sig = p256::ecdsa::DerSignature::from_bytes(signature).map_err(|_| {
                    Error::bad_signature("ECDSA signature is not a DER Ecdsa-Sig-Value")
                })?;
                p256::ecdsa::VerifyingKey::from(key)
                    .verify(msg, &sig)
                    .map_err(|_| Error::bad_signature("ECDSA signature does not verify"))
            }
        }
    }

    fn expect_signature_oid(
        &self,
        alg: &AlgorithmIdentifierOwned,
        allowed: &[der::asn1::ObjectIdentifier],
    ) -> Result<()> {
        if allowed.contains(&alg.oid) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::KeyMismatch,
                format!(
                    "signature algorithm {} does not fit a {} key",
                    alg.oid, self.algorithm
                ),
            )
            .with_field("signatureAlgorithm"))
        }
    }
}

fn parse_rsa(key_bits: &[u8]) -> Result<(KeyAlgorithm, Vec<u8>, Material)> {
    use rsa::traits::PublicKeyParts;
    let parsed: rsa::pkcs1::RsaPublicKey<der::asn1::UintRef<'_>> =
        rsa::pkcs1::RsaPublicKey::from_der(key_bits)
            .map_err(|e| Error::malformed(format!("RSAPublicKey: {e}")))?;
    let n = rsa::BoxedUint::from_be_slice_vartime(parsed.modulus.as_bytes());
    let e = rsa::BoxedUint::from_be_slice_vartime(parsed.public_exponent.as_bytes());
    let bits = n.bit_width_vartime();
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(Error::unsupported(format!("RSA modulus of {bits} bits")));
    }
    let key =
        rsa::PublicKey::new_with_size_limits(n, e, RSA_MIN_BITS as usize..=RSA_MAX_BITS as usize)
            .map_err(|e| Error::malformed(format!("RSA public key: {e}")))?;
    let mut canonical = key.n().to_be_bytes_trimmed_vartime().to_vec();
    canonical.extend_from_slice(&key.e().to_be_bytes_trimmed_vartime());
    Ok((KeyAlgorithm::Rsa { bits }, canonical, Material::Rsa(key)))
}

/// Accepts absent or NULL parameters (RFC 5754 vs. RFC 4055 practice, RFC 9215 vs. OpenSSL).
pub(crate) fn params_absent_or_null(alg: &AlgorithmIdentifierOwned, field: &str) -> Result<()> {
    match &alg.parameters {
        None => Ok(()),
        Some(p) if p.is_null() => Ok(()),
        Some(_) => Err(Error::malformed(format!(
            "{field}: parameters must be absent or NULL for {}",
            alg.oid
        ))
        .with_field(field)),
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm == other.algorithm && self.canonical == other.canonical
    }
}

impl Eq for PublicKey {}

impl Hash for PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.algorithm.hash(state);
        self.canonical.hash(state);
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &hex::encode(self.key_id()))
            .finish()
    }
}

impl EncodePublicKey for PublicKey {
    fn to_public_key_der(&self) -> spki::Result<Document> {
        Ok(Document::try_from(self.spki_der.as_slice())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openssl");

    fn fixture(path: &str) -> String {
        std::fs::read_to_string(format!("{FIXTURES}/{path}")).unwrap()
    }

    #[test]
    fn reads_openssl_rsa_and_p256_public_keys() {
        let rsa = PublicKey::from_pem(&fixture("rsa2048/pub.pem")).unwrap();
        assert_eq!(rsa.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
        let ec = PublicKey::from_pem(&fixture("ec-p256/pub.pem")).unwrap();
        assert_eq!(ec.algorithm(), KeyAlgorithm::EcdsaP256);
        assert_ne!(rsa, ec);
        // Round trip through our PEM writer keeps the bytes.
        assert_eq!(
            PublicKey::from_pem(&ec.to_pem()).unwrap().to_spki_der(),
            ec.to_spki_der()
        );
    }

    #[test]
    fn verifies_openssl_signatures_over_msg_bin() {
        let msg = std::fs::read(format!("{FIXTURES}/msg.bin")).unwrap();
        for (dir, alg) in [
            ("rsa2048", KeyAlgorithm::Rsa { bits: 2048 }),
            ("ec-p256", KeyAlgorithm::EcdsaP256),
        ] {
            let key = PublicKey::from_pem(&fixture(&format!("{dir}/pub.pem"))).unwrap();
            let sig = std::fs::read(format!("{FIXTURES}/{dir}/msg.sig")).unwrap();
            key.verify(&alg.signature_algorithm(), &msg, &sig).unwrap();
            // Absent parameters are accepted for RSA too.
            let mut bare = alg.signature_algorithm();
            bare.parameters = None;
            key.verify(&bare, &msg, &sig).unwrap();
            let mut bad = sig.clone();
            let last = bad.len() - 3;
            bad[last] ^= 1;
            let err = key
                .verify(&alg.signature_algorithm(), &msg, &bad)
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadSignature, "{dir}");
            let err = key
                .verify(&alg.signature_algorithm(), b"another message", &sig)
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadSignature, "{dir}");
        }
    }

    /// The fixture folder of a GOST parameter set.
    pub(crate) fn gost_dir(ps: crate::gost::ParamSet) -> String {
        let size = if ps.is_512() { 512 } else { 256 };
        format!("gost2012_{size}-{}", ps.openssl_name())
    }

    #[test]
    fn reads_openssl_gost_public_keys_and_verifies_their_signatures() {
        let msg = std::fs::read(format!("{FIXTURES}/msg.bin")).unwrap();
        for ps in crate::gost::ParamSet::ALL {
            let dir = gost_dir(ps);
            let key = PublicKey::from_pem(&fixture(&format!("{dir}/pub.pem"))).unwrap();
            let alg = KeyAlgorithm::Gost(ps);
            assert_eq!(key.algorithm(), alg, "{dir}");
            assert_eq!(
                key.key_bits().len(),
                2 + 2 * ps.field_len() + usize::from(ps.is_512())
            );
            let sig = std::fs::read(format!("{FIXTURES}/{dir}/msg.sig")).unwrap();
            // Signature OID with absent parameters (RFC 9215), with NULL (OpenSSL), and the
            // key OID (OpenSSL CMS).
            let mut with_null = alg.signature_algorithm();
            with_null.parameters = Some(der::asn1::Any::null());
            let key_oid = AlgorithmIdentifierOwned {
                oid: alg.key_oid(),
                parameters: None,
            };
            for a in [alg.signature_algorithm(), with_null, key_oid] {
                key.verify(&a, &msg, &sig).unwrap();
            }
            let mut bad = sig.clone();
            bad[5] ^= 0x80;
            let err = key
                .verify(&alg.signature_algorithm(), &msg, &bad)
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadSignature, "{dir}");
            let err = key
                .verify(&alg.signature_algorithm(), &msg, &sig[1..])
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadSignature, "{dir}");
            // Re-encoded by us, the key is equal (OpenSSL may add a digest parameter we omit).
            let ours =
                PublicKey::from_parts(alg.key_algorithm_identifier(), &key.key_bits()).unwrap();
            assert_eq!(ours, key, "{dir}");
        }
    }

    #[test]
    fn gost_signature_algorithm_of_the_other_size_is_refused() {
        let key = PublicKey::from_pem(&fixture("gost2012_256-A/pub.pem")).unwrap();
        let other = KeyAlgorithm::Gost(crate::gost::ParamSet::Tc26_512A).signature_algorithm();
        let err = key.verify(&other, b"m", &[0; 128]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyMismatch);
    }

    #[test]
    fn reads_gnutls_gost_public_keys() {
        for name in ["CryptoPro-A", "TC26-256-B", "TC26-512-A"] {
            let key = PublicKey::from_pem(&fixture(&format!("gnutls/{name}.pub.pem"))).unwrap();
            assert!(matches!(key.algorithm(), KeyAlgorithm::Gost(_)), "{name}");
        }
    }

    #[test]
    fn signature_algorithm_must_fit_the_key() {
        let rsa = PublicKey::from_pem(&fixture("rsa2048/pub.pem")).unwrap();
        let err = rsa
            .verify(
                &KeyAlgorithm::EcdsaP256.signature_algorithm(),
                b"m",
                &[0; 256],
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyMismatch);
    }

    #[test]
    fn key_id_is_sha1_of_key_bits() {
        let ec = PublicKey::from_pem(&fixture("ec-p256/pub.pem")).unwrap();
        let expected: [u8; 20] = Sha1::digest(ec.key_bits()).into();
        assert_eq!(ec.key_id(), expected);
        assert_eq!(ec.key_bits().len(), 65);
    }

    #[test]
    fn compressed_and_uncompressed_p256_points_are_the_same_key() {
        let ec = PublicKey::from_pem(&fixture("ec-p256/pub.pem")).unwrap();
        let bits = ec.key_bits();
        let point = p256::PublicKey::from_sec1_bytes(&bits).unwrap();
        use p256::elliptic_curve::sec1::ToSec1Point;
        let compressed = point.to_sec1_point(true);
        let other = PublicKey::from_parts(
            KeyAlgorithm::EcdsaP256.key_algorithm_identifier(),
            compressed.as_bytes(),
        )
        .unwrap();
        assert_eq!(other.key_bits().len(), 33);
        assert_eq!(other, ec);
    }

    #[test]
    fn public_keys_and_software_keys_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<PublicKey>();
        send_sync::<crate::key::SoftwareKey>();
        send_sync::<Box<dyn crate::key::Signer>>();
    }

    #[test]
    fn garbage_is_an_error() {
        for bytes in [&b""[..], b"\x30\x00", b"\x30\x03\x02\x01\x00", &[0xFF; 40]] {
            let err = PublicKey::from_spki_der(bytes).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MalformedEncoding);
        }
    }
}
