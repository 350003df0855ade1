//! CMS SignedData (attached or detached, one or more signers) and the signed
//! remote-regeneration request: parse, read, verify against trust anchors. Signing is in
//! `signer.rs`, beside the signers.
//!
//! Both handle types are immutable: any thread may use one at the same time as others.

use std::sync::{Arc, OnceLock};

use bankkey::cms::{SignedData, SignedRequest, SignerId, VerifyOptions};

use crate::buf::{self, bk_bytes, bk_slice, bk_str};
use crate::error::{Fail, boundary, quiet};
use crate::handle::{self, castable};
use crate::pki::{CertificateH, RequestH, bk_certificate, bk_request};
use crate::status::bk_status;
use crate::view::{Arena, View};

/// A CMS SignedData (a `ContentInfo` holding one). Immutable: usable from any thread at
/// once. Free with `bk_signed_data_free`.
pub struct bk_signed_data {
    _private: [u8; 0],
}
castable!(bk_signed_data => SignedDataH, b"bk-cms\0\0");
/// A signed remote-regeneration request (seed 002): CMS SignedData over a PKCS#10 request,
/// signed with the current key. Immutable: usable from any thread at once. Free with
/// `bk_signed_request_free`.
pub struct bk_signed_request {
    _private: [u8; 0],
}
castable!(bk_signed_request => SignedRequestH, b"bk-sreq\0");

pub(crate) struct SignedDataH {
    sd: Arc<SignedData>,
    view: OnceLock<View<bk_signed_data_info>>,
}

pub(crate) struct SignedRequestH {
    pub sr: Arc<SignedRequest>,
}

impl SignedRequestH {
    pub fn new(sr: SignedRequest) -> SignedRequestH {
        SignedRequestH { sr: Arc::new(sr) }
    }
}

/// One signer of a SignedData, as read (nothing verified).
#[repr(C)]
pub struct bk_signer_info {
    /// The signer's certificate is named by subjectKeyIdentifier (else by issuer and serial).
    pub by_key_id: bool,
    /// The subjectKeyIdentifier named, when `by_key_id`.
    pub key_id: bk_slice,
    /// The issuer Name DER named, when not `by_key_id`.
    pub issuer_der: bk_slice,
    /// The serial's content octets named, when not `by_key_id`.
    pub serial: bk_slice,
    /// Whether a signingTime attribute is present.
    pub has_signing_time: bool,
    /// signingTime, Unix seconds (0 when absent). A claim of the signer, not a proof.
    pub signing_time: i64,
    /// digestAlgorithm OID.
    pub digest_algorithm_oid: bk_str,
    /// signatureAlgorithm OID, as written.
    pub signature_algorithm_oid: bk_str,
}

/// What a SignedData holds. Owned by its handle.
#[repr(C)]
pub struct bk_signed_data_info {
    /// eContentType OID ("1.2.840.113549.1.7.1" for id-data).
    pub content_type_oid: bk_str,
    /// The content is left out (a detached signature).
    pub detached: bool,
    /// The encapsulated content (empty when detached).
    pub content: bk_slice,
    /// How many certificates are included (`bk_signed_data_certificate`).
    pub certificates_count: usize,
    /// The signers.
    pub signers: *const bk_signer_info,
    /// How many.
    pub signers_count: usize,
    /// The DER ContentInfo (BER input is normalised to DER when read).
    pub der: bk_slice,
}

/// Parses a CMS SignedData, DER (or the BER streaming signers write) or PEM (`CMS`, `PKCS7`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_data_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut bk_signed_data,
) -> bk_status {
    boundary("bk_signed_data_parse", || {
        let out = unsafe { buf::out(out, "out") }?;
        let input = unsafe { buf::bytes(data, len, "data") }?;
        let sd = SignedData::from_der_or_pem(input)?;
        out.set(handle::into_handle::<bk_signed_data>(SignedDataH {
            sd: Arc::new(sd),
            view: OnceLock::new(),
        }));
        Ok(())
    })
}

fn signed_data_view(sd: &SignedData) -> View<bk_signed_data_info> {
    let mut a = Arena::default();
    let signers: Vec<bk_signer_info> = sd
        .signers()
        .iter()
        .map(|si| {
            let (by_key_id, key_id, issuer_der, serial) = match si.sid() {
                SignerId::KeyIdentifier(id) => {
                    (true, bk_slice::of(id), bk_slice::EMPTY, bk_slice::EMPTY)
                }
                SignerId::IssuerAndSerial { issuer_der, serial } => (
                    false,
                    bk_slice::EMPTY,
                    bk_slice::of(issuer_der),
                    bk_slice::of(serial),
                ),
            };
            bk_signer_info {
                by_key_id,
                key_id,
                issuer_der,
                serial,
                has_signing_time: si.signing_time().is_some(),
                signing_time: si.signing_time().map_or(0, |t| t.unix_timestamp()),
                digest_algorithm_oid: a.str(&si.digest_algorithm().oid.to_string()),
                signature_algorithm_oid: a.str(&si.signature_algorithm().oid.to_string()),
            }
        })
        .collect();
    let (signers, signers_count) = a.array(signers);
    let info = bk_signed_data_info {
        content_type_oid: a.str(&sd.content_type().to_string()),
        detached: sd.is_detached(),
        content: sd.content().map_or(bk_slice::EMPTY, bk_slice::of),
        certificates_count: sd.certificates().len(),
        signers,
        signers_count,
        der: a.bytes(sd.to_der()),
    };
    View::new(a, info)
}

/// What the SignedData holds. `*out` stays valid until it is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_data_get_info(
    signed_data: *const bk_signed_data,
    out: *mut *const bk_signed_data_info,
) -> bk_status {
    boundary("bk_signed_data_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(signed_data, "signed_data") }?;
        let v = h.view.get_or_init(|| signed_data_view(&h.sd));
        out.set(&v.c);
        Ok(())
    })
}

/// The `index`-th included certificate, as a new handle.
///
/// Errors: `BK_INVALID_INPUT` (field "index") past the end.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_data_certificate(
    signed_data: *const bk_signed_data,
    index: usize,
    out: *mut *mut bk_certificate,
) -> bk_status {
    boundary("bk_signed_data_certificate", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(signed_data, "signed_data") }?;
        let cert = h.sd.certificates().get(index).ok_or_else(|| {
            Fail::invalid(
                "index",
                format!(
                    "{index} is past the {} certificates",
                    h.sd.certificates().len()
                ),
            )
        })?;
        out.set(handle::into_handle::<bk_certificate>(CertificateH::new(
            cert.clone(),
        )));
        Ok(())
    })
}

/// Verifies every signer: the content's digest (`content`/`content_len`: the content of a
/// detached signature; NULL for an attached one, or the content expected), the signer's
/// certificate (among the included ones and `certificates`), the signature, the keyUsage, and
/// the certificate's path to one of `anchors` at `at` (Unix seconds). Every signer must pass.
///
/// Errors (the field names the signer, "signerInfos[i]"): `BK_CONTENT_ALTERED`,
/// `BK_SIGNER_CERTIFICATE_MISSING`, `BK_BAD_SIGNATURE`, `BK_KEY_USAGE_NOT_ALLOWED`,
/// `BK_UNTRUSTED_ISSUER` (also with no anchors: never a silent pass), `BK_EXPIRED`,
/// `BK_NOT_YET_VALID`; `BK_INVALID_INPUT` for a detached signature without its content.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_data_verify(
    signed_data: *const bk_signed_data,
    content: *const u8,
    content_len: usize,
    anchors: *const *const bk_certificate,
    anchors_count: usize,
    certificates: *const *const bk_certificate,
    certificates_count: usize,
    at: i64,
) -> bk_status {
    boundary("bk_signed_data_verify", || {
        let h = unsafe { handle::get(signed_data, "signed_data") }?;
        let content = if content.is_null() {
            None
        } else {
            Some(unsafe { buf::bytes(content, content_len, "content") }?.to_vec())
        };
        let options = VerifyOptions {
            content,
            anchors: crate::pki::certificates(unsafe {
                handle::get_all(anchors, anchors_count, "anchors")
            }?),
            certificates: crate::pki::certificates(unsafe {
                handle::get_all(certificates, certificates_count, "certificates")
            }?),
            at: Some(buf::instant(at, "at")?),
        };
        h.sd.verify(&options)?;
        Ok(())
    })
}

/// The `index`-th signer's certificate (found among the included ones by the signer's
/// identifier; not verified), as a new handle.
///
/// Errors: `BK_INVALID_INPUT` (field "index") past the end; `BK_SIGNER_CERTIFICATE_MISSING`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_data_signer_certificate(
    signed_data: *const bk_signed_data,
    index: usize,
    out: *mut *mut bk_certificate,
) -> bk_status {
    boundary("bk_signed_data_signer_certificate", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(signed_data, "signed_data") }?;
        if index >= h.sd.signers().len() {
            return Err(Fail::invalid(
                "index",
                format!("{index} is past the {} signers", h.sd.signers().len()),
            ));
        }
        let mut certs = h.sd.signer_certificates(&[])?;
        out.set(handle::into_handle::<bk_certificate>(CertificateH::new(
            certs.swap_remove(index),
        )));
        Ok(())
    })
}

/// The SignedData as PEM (`CMS`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_data_pem(
    signed_data: *const bk_signed_data,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_signed_data_pem", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(signed_data, "signed_data") }?;
        out.set(bk_bytes::from_string(h.sd.to_pem()));
        Ok(())
    })
}

/// Frees a SignedData (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_data_free(signed_data: *mut bk_signed_data) {
    quiet((), || unsafe { handle::free(signed_data) })
}

/// Parses a signed remote-regeneration request (DER or PEM): attached SignedData with one
/// signer, over a PKCS#10 request. Nothing is verified here.
///
/// Errors: `BK_MALFORMED_ENCODING` (detached, several signers, not CMS).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_request_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut bk_signed_request,
) -> bk_status {
    boundary("bk_signed_request_parse", || {
        let out = unsafe { buf::out(out, "out") }?;
        let input = unsafe { buf::bytes(data, len, "data") }?;
        let sr = SignedRequest::from_der_or_pem(input)?;
        out.set(handle::into_handle::<bk_signed_request>(
            SignedRequestH::new(sr),
        ));
        Ok(())
    })
}

/// Verifies a signed request as the bank's first check does: the CMS signature, the signer's
/// certificate valid at `at` (the time of receipt, not the signingTime the signer claims) and
/// chaining to `anchors`, then the PKCS#10 self-signature. On success `*request` and `*signer`
/// (either may be NULL when not wanted) receive new handles. The bank's whole check (the
/// subscriber's current registered certificate, the identity unchanged, the key new) is
/// `bk_registry_verify_request` / `bk_bank_receive`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_request_verify(
    signed_request: *const bk_signed_request,
    anchors: *const *const bk_certificate,
    anchors_count: usize,
    at: i64,
    request: *mut *mut bk_request,
    signer: *mut *mut bk_certificate,
) -> bk_status {
    boundary("bk_signed_request_verify", || {
        let h = unsafe { handle::get(signed_request, "signed_request") }?;
        let anchors = crate::pki::certificates(unsafe {
            handle::get_all(anchors, anchors_count, "anchors")
        }?);
        let (req, cert) = h.sr.verify(&anchors, buf::instant(at, "at")?)?;
        if !request.is_null() {
            unsafe { *request = handle::into_handle::<bk_request>(RequestH::new(req)) };
        }
        if !signer.is_null() {
            unsafe { *signer = handle::into_handle::<bk_certificate>(CertificateH::new(cert)) };
        }
        Ok(())
    })
}

/// The PKCS#10 request inside (read, not verified), as a new handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_request_request(
    signed_request: *const bk_signed_request,
    out: *mut *mut bk_request,
) -> bk_status {
    boundary("bk_signed_request_request", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(signed_request, "signed_request") }?;
        out.set(handle::into_handle::<bk_request>(RequestH::new(
            h.sr.request()?,
        )));
        Ok(())
    })
}

/// The signed request's DER (what goes to the bank), for the caller to free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_request_der(
    signed_request: *const bk_signed_request,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_signed_request_der", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(signed_request, "signed_request") }?;
        out.set(bk_bytes::from_vec(h.sr.to_der()));
        Ok(())
    })
}

/// The signed request as PEM (`CMS`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_request_pem(
    signed_request: *const bk_signed_request,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_signed_request_pem", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(signed_request, "signed_request") }?;
        out.set(bk_bytes::from_string(h.sr.to_pem()));
        Ok(())
    })
}

/// Frees a signed request (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_request_free(signed_request: *mut bk_signed_request) {
    quiet((), || unsafe { handle::free(signed_request) })
}
