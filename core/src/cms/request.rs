//! The signed regeneration request: a PKCS#10 request wrapped in SignedData, signed with the
//! subscriber's current key (remote flow, DESIGN.md §1).

use time::OffsetDateTime;

use super::{SignOptions, SignedData, VerifyOptions, sign};
use crate::key::Signer;
use crate::pki::{Certificate, CertificateRequest};
use crate::{Error, Result};

/// A PKCS#10 request (DER, as eContent of type id-data) in an attached SignedData with one
/// signer: the holder of the current certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    signed_data: SignedData,
}

impl SignedRequest {
    /// Signs `request` with the current key `signer`, whose certificate is `cert` (included).
    ///
    /// Errors: [`ErrorKind::KeyMismatch`](crate::ErrorKind) when `cert` does not hold the
    /// signer's key; the signer's own errors.
    pub fn new(
        request: &CertificateRequest,
        signer: &dyn Signer,
        cert: &Certificate,
    ) -> Result<SignedRequest> {
        SignedRequest::sign(request, signer, cert, &SignOptions::default())
    }

    /// As [`new`](Self::new), with the signingTime `at` rather than the clock (the bindings
    /// pass every time in; the bank accepts a signingTime from a day before receipt to a few
    /// minutes after it).
    pub fn new_at(
        request: &CertificateRequest,
        signer: &dyn Signer,
        cert: &Certificate,
        at: OffsetDateTime,
    ) -> Result<SignedRequest> {
        let options = SignOptions {
            signing_time: Some(at),
            ..SignOptions::default()
        };
        SignedRequest::sign(request, signer, cert, &options)
    }

    fn sign(
        request: &CertificateRequest,
        signer: &dyn Signer,
        cert: &Certificate,
        options: &SignOptions,
    ) -> Result<SignedRequest> {
        let der = sign(request.der(), &[(signer, cert)], options)?;
        Ok(SignedRequest {
            signed_data: SignedData::from_der(&der)?,
        })
    }

    /// Reads a signed request (DER, or PEM `CMS`/`PKCS7`).
    ///
    /// Errors: [`ErrorKind::MalformedEncoding`](crate::ErrorKind) when it is not attached
    /// SignedData with exactly one signer.
    pub fn from_der_or_pem(input: &[u8]) -> Result<SignedRequest> {
        let signed_data = SignedData::from_der_or_pem(input)?;
        if signed_data.is_detached() {
            return Err(
                Error::malformed("a signed request must carry the request").with_field("eContent")
            );
        }
        if signed_data.signers().len() != 1 {
            return Err(Error::malformed(format!(
                "a signed request has one signer, not {}",
                signed_data.signers().len()
            ))
            .with_field("signerInfos"));
        }
        Ok(SignedRequest { signed_data })
    }

    /// The DER ContentInfo.
    pub fn to_der(&self) -> Vec<u8> {
        self.signed_data.to_der()
    }

    /// PEM (`CMS`).
    pub fn to_pem(&self) -> String {
        self.signed_data.to_pem()
    }

    /// The SignedData around the request.
    pub fn signed_data(&self) -> &SignedData {
        &self.signed_data
    }

    /// The request, read but not verified.
    pub fn request(&self) -> Result<CertificateRequest> {
        let der = self.signed_data.content().unwrap_or_default();
        CertificateRequest::from_der(der).map_err(|e| e.context("the signed request's content"))
    }

    /// Verifies the CMS signature, the signer's certificate valid at `at` (the time the
    /// request is received, not the signingTime the signer claims) and chaining to `anchors`,
    /// and the request's own self-signature. Returns the request and the signer's certificate.
    ///
    /// Errors: those of [`SignedData::verify`] (BadSignature, ContentAltered,
    /// SignerCertificateMissing, UntrustedIssuer, Expired, ...), then the request's own.
    pub fn verify(
        &self,
        anchors: &[Certificate],
        at: OffsetDateTime,
    ) -> Result<(CertificateRequest, Certificate)> {
        let mut verified = self.signed_data.verify(&VerifyOptions {
            anchors: anchors.to_vec(),
            at: Some(at),
            ..VerifyOptions::default()
        })?;
        let request = self.request()?;
        request.verify()?;
        let signer = verified.swap_remove(0).certificate;
        Ok((request, signer))
    }
}
