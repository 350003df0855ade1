//! CMS SignedData (RFC 5652): signing, attached or detached, by one or several signers, and
//! verification against trust anchors; the signed regeneration request.
//!
//! - [`sign`] writes a `ContentInfo` holding `SignedData` with, for every signer, the signed
//!   attributes contentType, messageDigest, signingTime and signingCertificateV2 (RFC 5035,
//!   hashed with the signer's digest), and the signers' certificates.
//! - [`SignedData`] reads one (DER or PEM), exposes its parts, and [verifies](SignedData::verify)
//!   every signer: signature over the DER of the signed attributes, messageDigest against the
//!   content (attached or given), contentType, signingCertificateV2, and the certificate's
//!   path to the trust anchors at the signing time (or a given time).
//! - [`SignedRequest`]: a PKCS#10 request wrapped in SignedData and signed with the current
//!   key (the remote regeneration flow).
//!
//! Algorithms: GOST R 34.10-2012 with Streebog-256/512, RSA PKCS#1 v1.5 and ECDSA P-256 with
//! SHA-256; GOST R 34.10-2001 with GOST R 34.11-94 is verified (signatures made before 2019),
//! never written. GOST signers' signatureAlgorithm is written with the signature OID
//! (1.2.643.7.1.1.3.2/3); both that and the key OID (1.2.643.7.1.1.1.1/2, what OpenSSL
//! writes) are accepted when reading, as is OpenSSL's rsaEncryption for RSA signers.

mod attr;
mod digested_data;
mod enveloped_data;
mod request;
mod sign;
mod signed_data;

#[cfg(test)]
mod tests;

use der::asn1::{Any, ObjectIdentifier};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;

pub use attr::CertHash;
pub use digested_data::DigestedData;
pub use enveloped_data::{EnvelopedData, Recipient, RecipientKind};
pub use request::SignedRequest;
pub use sign::{SignOptions, sign};
pub use signed_data::{SignedData, SignerId, SignerInfo, VerifiedSigner, VerifyOptions};

use crate::{Error, Result, oid};

/// A digest algorithm a signer may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// SHA-256 (RSA and ECDSA signers).
    Sha256,
    /// Streebog-256, GOST R 34.11-2012 (GOST 256-bit signers).
    Streebog256,
    /// Streebog-512, GOST R 34.11-2012 (GOST 512-bit signers).
    Streebog512,
    /// GOST R 34.11-94 with the CryptoPro parameters (GOST R 34.10-2001 signers, RFC 4490):
    /// verified, never written.
    Gost94,
}

impl DigestAlgorithm {
    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha256 => oid::SHA256,
            DigestAlgorithm::Streebog256 => oid::STREEBOG_256,
            DigestAlgorithm::Streebog512 => oid::STREEBOG_512,
            DigestAlgorithm::Gost94 => oid::GOST3411_94,
        }
    }

    /// The algorithm for an OID ([`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind) otherwise).
    pub fn from_oid(o: &ObjectIdentifier) -> Result<Self> {
        if *o == oid::SHA256 {
            Ok(DigestAlgorithm::Sha256)
        } else if *o == oid::STREEBOG_256 {
            Ok(DigestAlgorithm::Streebog256)
        } else if *o == oid::STREEBOG_512 {
            Ok(DigestAlgorithm::Streebog512)
        } else if *o == oid::GOST3411_94 {
            Ok(DigestAlgorithm::Gost94)
        } else {
            Err(Error::unsupported(format!("digest algorithm {o}")))
        }
    }

    /// The AlgorithmIdentifier as we write it: parameters absent for SHA-256 (RFC 5754),
    /// NULL for Streebog (as OpenSSL's gost engine writes them).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: match self {
                DigestAlgorithm::Sha256 => None,
                _ => Some(Any::null()),
            },
        }
    }

    /// The digest of `data`, bytes as OpenSSL prints them.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
            DigestAlgorithm::Streebog256 => crate::gost::streebog256(data).to_vec(),
            DigestAlgorithm::Streebog512 => crate::gost::streebog512(data).to_vec(),
            DigestAlgorithm::Gost94 => crate::gost::gost94(data).to_vec(),
        }
    }

    /// The digest a signature algorithm implies, and that algorithm normalised to the
    /// identifier [`PublicKey::verify`](crate::key::PublicKey::verify) expects.
    ///
    /// Accepts the GOST key OIDs in place of the signature OIDs (OpenSSL and CryptoPro CSP
    /// write them in CMS; for GOST R 34.10-2001 too),
    /// rsaEncryption in place of sha256WithRSAEncryption (OpenSSL again) and id-ecPublicKey
    /// in place of ecdsa-with-SHA256; the signature algorithm is paired with `digest`, which
    /// must be the one it implies.
    pub(crate) fn signature_algorithm_for(
        signature_algorithm: &AlgorithmIdentifierOwned,
        digest: DigestAlgorithm,
    ) -> Result<AlgorithmIdentifierOwned> {
        let o = signature_algorithm.oid;
        let (implied, normalised, params) =
            if o == oid::SIGN_WITH_DIGEST_GOST3410_12_256 || o == oid::GOST3410_12_256 {
                (
                    DigestAlgorithm::Streebog256,
                    oid::SIGN_WITH_DIGEST_GOST3410_12_256,
                    None,
                )
            } else if o == oid::SIGN_WITH_DIGEST_GOST3410_12_512 || o == oid::GOST3410_12_512 {
                (
                    DigestAlgorithm::Streebog512,
                    oid::SIGN_WITH_DIGEST_GOST3410_12_512,
                    None,
                )
            } else if o == oid::GOST3411_94_WITH_GOST3410_2001 || o == oid::GOST3410_2001 {
                // CryptoPro CSP and OpenSSL write the key OID here too.
                (
                    DigestAlgorithm::Gost94,
                    oid::GOST3411_94_WITH_GOST3410_2001,
                    None,
                )
            } else if o == oid::SHA256_WITH_RSA || o == oid::RSA_ENCRYPTION {
                (
                    DigestAlgorithm::Sha256,
                    oid::SHA256_WITH_RSA,
                    Some(Any::null()),
                )
            } else if o == oid::ECDSA_WITH_SHA256 || o == oid::EC_PUBLIC_KEY {
                (DigestAlgorithm::Sha256, oid::ECDSA_WITH_SHA256, None)
            } else {
                return Err(Error::unsupported(format!("signature algorithm {o}"))
                    .with_field("signatureAlgorithm"));
            };
        let null_or_absent = signature_algorithm
            .parameters
            .as_ref()
            .is_none_or(|p| p.is_null());
        if o != oid::EC_PUBLIC_KEY && !null_or_absent {
            return Err(Error::malformed(format!(
                "signatureAlgorithm {o}: parameters must be absent or NULL"
            ))
            .with_field("signatureAlgorithm"));
        }
        if implied != digest {
            return Err(Error::unsupported(format!(
                "signature algorithm {o} with digest {}",
                digest.oid()
            ))
            .with_field("digestAlgorithm"));
        }
        Ok(AlgorithmIdentifierOwned {
            oid: normalised,
            parameters: params,
        })
    }

    /// The digest a signer's signature algorithm implies (when signing).
    pub(crate) fn for_signer(signature_algorithm: &AlgorithmIdentifierOwned) -> Result<Self> {
        let o = signature_algorithm.oid;
        if o == oid::SIGN_WITH_DIGEST_GOST3410_12_256 || o == oid::GOST3410_12_256 {
            Ok(DigestAlgorithm::Streebog256)
        } else if o == oid::SIGN_WITH_DIGEST_GOST3410_12_512 || o == oid::GOST3410_12_512 {
            Ok(DigestAlgorithm::Streebog512)
        } else if o == oid::SHA256_WITH_RSA || o == oid::ECDSA_WITH_SHA256 {
            Ok(DigestAlgorithm::Sha256)
        } else {
            Err(Error::unsupported(format!(
                "signer's signature algorithm {o}"
            )))
        }
    }
}

/// Compares two serial numbers given as INTEGER content octets, ignoring leading zero octets
/// (a positive serial with its high bit set is written with one).
pub(crate) fn same_serial(a: &[u8], b: &[u8]) -> bool {
    fn trim(s: &[u8]) -> &[u8] {
        let n = s.iter().take_while(|&&b| b == 0).count();
        &s[n.min(s.len().saturating_sub(1))..]
    }
    trim(a) == trim(b)
}
