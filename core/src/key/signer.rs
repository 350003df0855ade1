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
