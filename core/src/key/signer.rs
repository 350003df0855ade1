//! The object-safe [`Signer`] and its adapter to RustCrypto's signing traits.

use der::asn1::BitString;
use spki::{AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, SignatureBitStringEncoding};

use super::public::PublicKey;
use crate::Result;

/// Anything that signs with one key and tells its public key: a software key, a PKCS#11
/// token key, a host application's callback.
///
/// Object-safe, so request and certificate builders take `&dyn Signer`.
pub trait Signer: Send + Sync {
    /// The public key of the signing key.
    fn public_key(&self) -> PublicKey;

    /// The signature AlgorithmIdentifier to write beside the signature.
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned;

    /// Signs `msg` (the whole message: the signer hashes it), returning the bytes as they go
    /// into an X.509 BIT STRING or a CMS signature: GOST s‖r, RSA PKCS#1 v1.5, ECDSA DER.
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>>;
}

/// Signs `msg` with `signer` unless its key may not sign: the one way the builders (request,
/// certificate, CRL, CMS) and the lifecycle call a [`Signer`], so that a host signer holding a
/// GOST R 34.10-2001 key cannot make new 2001 signatures through them
/// ([`KeyAlgorithm::check_can_sign`](super::KeyAlgorithm::check_can_sign)).
pub(crate) fn sign_checked(signer: &dyn Signer, msg: &[u8]) -> Result<Vec<u8>> {
    signer.public_key().algorithm().check_can_sign()?;
    signer.sign(msg)
}

/// A shared signer is a signer: a binding keeps `Arc<dyn Signer>` (a C handle, a Python
/// object) and hands `Box::new(arc.clone())` to what takes ownership (`Bank::new`), so no
/// handle is ever consumed.
impl<T: Signer + ?Sized> Signer for std::sync::Arc<T> {
    fn public_key(&self) -> PublicKey {
        (**self).public_key()
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        (**self).signature_algorithm()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        (**self).sign(msg)
    }
}

impl<T: Signer + ?Sized> Signer for Box<T> {
    fn public_key(&self) -> PublicKey {
        (**self).public_key()
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        (**self).signature_algorithm()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        (**self).sign(msg)
    }
}

/// A signer whose every signature is verified against its public key before it is returned.
///
/// For signers the library does not control — a C host's callbacks (CryptoPro CSP, an HSM),
/// a Python callable — a wrong signature would otherwise surface only as the bank's
/// rejection the next day. The check costs one verification (about 0.1 ms for GOST-256).
/// When a GOST or ECDSA signature fails in a way a common mistake explains, the error says
/// which: the whole signature or each half byte-reversed (CryptoAPI's `CryptSignHash` writes
/// little-endian), the halves as r‖s instead of s‖r, ECDSA as raw r‖s instead of DER.
///
/// Errors of `sign`: the inner signer's own, or [`ErrorKind::BadSignature`] (field
/// `signature`) when the signature does not verify.
///
/// [`ErrorKind::BadSignature`]: crate::ErrorKind::BadSignature
pub struct VerifyingSigner<S> {
    inner: S,
    public_key: PublicKey,
    algorithm: AlgorithmIdentifierOwned,
}

impl<S: Signer> VerifyingSigner<S> {
    /// Wraps `inner`, reading its public key and signature algorithm once.
    pub fn new(inner: S) -> Self {
        VerifyingSigner {
            public_key: inner.public_key(),
            algorithm: inner.signature_algorithm(),
            inner,
        }
    }

    /// The wrapped signer.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn diagnose(&self, msg: &[u8], sig: &[u8]) -> &'static str {
        let verifies = |candidate: &[u8]| {
            self.public_key
                .verify(&self.algorithm, msg, candidate)
                .is_ok()
        };
        let half = sig.len() / 2;
        match self.public_key.algorithm() {
            super::KeyAlgorithm::Gost(_) if sig.len().is_multiple_of(2) => {
                let reversed: Vec<u8> = sig.iter().rev().copied().collect();
                let swapped = [&sig[half..], &sig[..half]].concat();
                let halves_reversed: Vec<u8> = sig[..half]
                    .iter()
                    .rev()
                    .chain(sig[half..].iter().rev())
                    .copied()
                    .collect();
                if verifies(&reversed) {
                    "its bytes are in reverse order (little-endian, as CryptoAPI's CryptSignHash \
                     writes them): reverse the whole signature"
                } else if verifies(&swapped) {
                    "its halves are r‖s: GOST signatures are s‖r (RFC 7091 §6, RFC 9215)"
                } else if verifies(&halves_reversed) {
                    "each half is little-endian: reverse s and r separately"
                } else {
                    "another key, another digest (Streebog of the whole message is expected), or \
                     corrupt bytes"
                }
            }
            super::KeyAlgorithm::EcdsaP256 if sig.len() == 64 => {
                "it is raw r‖s: ECDSA signatures are DER Ecdsa-Sig-Value (RFC 5480)"
            }
            _ => "another key, another digest, or corrupt bytes",
        }
    }
}

impl<S: Signer> Signer for VerifyingSigner<S> {
    fn public_key(&self) -> PublicKey {
        self.public_key.clone()
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        self.algorithm.clone()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let sig = self.inner.sign(msg)?;
        match self.public_key.verify(&self.algorithm, msg, &sig) {
            Ok(()) => Ok(sig),
            Err(_) => Err(crate::Error::bad_signature(format!(
                "the signer's signature does not verify against its public key: {}",
                self.diagnose(msg, &sig)
            ))
            .with_field("signature")),
        }
    }
}

/// Signature bytes as made by a [`Signer`], usable with RustCrypto's builders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureBytes(Vec<u8>);

impl SignatureBytes {
    /// The signature octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The signature octets, owned.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl From<SignatureBytes> for Vec<u8> {
    fn from(s: SignatureBytes) -> Vec<u8> {
        s.0
    }
}

impl TryFrom<&[u8]> for SignatureBytes {
    type Error = signature::Error;

    fn try_from(bytes: &[u8]) -> Result<Self, signature::Error> {
        Ok(SignatureBytes(bytes.to_vec()))
    }
}

impl signature::SignatureEncoding for SignatureBytes {
    type Repr = Vec<u8>;
}

impl SignatureBitStringEncoding for SignatureBytes {
    fn to_bitstring(&self) -> der::Result<BitString> {
        BitString::from_bytes(&self.0)
    }
}

/// Adapts any [`Signer`] to RustCrypto's `signature::Signer`, `Keypair` and
/// `DynSignatureAlgorithmIdentifier`, so the `x509-cert` builders sign with it:
///
/// ```
/// use std::str::FromStr;
/// use bankkey::gost::ParamSet;
/// use bankkey::key::{KeyAlgorithm, RustCryptoSigner, SignatureBytes, Signer, SoftwareKey};
/// use x509_cert::builder::Builder;
///
/// let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256B))?;
/// let signer: &dyn Signer = &key; // a token key or a host callback works the same way
/// let subject = x509_cert::name::Name::from_str("CN=Иванов").unwrap();
/// let request = x509_cert::request::RequestBuilder::new(subject)
///     .unwrap()
///     .build::<_, SignatureBytes>(&RustCryptoSigner::new(signer))
///     .unwrap();
/// assert_eq!(request.algorithm, key.signature_algorithm());
/// # Ok::<(), bankkey::Error>(())
/// ```
///
/// Errors of the inner signer come back as a `signature::Error` whose source is the
/// bankkey [`Error`](crate::Error).
pub struct RustCryptoSigner<'a> {
    inner: &'a dyn Signer,
    public_key: PublicKey,
    algorithm: AlgorithmIdentifierOwned,
}

impl<'a> RustCryptoSigner<'a> {
    /// Wraps `inner`, reading its public key and signature algorithm once.
    pub fn new(inner: &'a dyn Signer) -> Self {
        RustCryptoSigner {
            public_key: inner.public_key(),
            algorithm: inner.signature_algorithm(),
            inner,
        }
    }
}

impl signature::Signer<SignatureBytes> for RustCryptoSigner<'_> {
    fn try_sign(&self, msg: &[u8]) -> Result<SignatureBytes, signature::Error> {
        sign_checked(self.inner, msg)
            .map(SignatureBytes)
            .map_err(signature::Error::from_source)
    }
}

impl signature::Keypair for RustCryptoSigner<'_> {
    type VerifyingKey = PublicKey;

    fn verifying_key(&self) -> PublicKey {
        self.public_key.clone()
    }
}

impl DynSignatureAlgorithmIdentifier for RustCryptoSigner<'_> {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(self.algorithm.clone())
    }
}
