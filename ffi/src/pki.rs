//! Certificates, certificate requests, public keys and CRLs: parse (DER or PEM), read every
//! field through a view, write DER/PEM, verify.
//!
//! All four handle types are immutable once made: any thread may use one at the same time as
//! others (they are `Arc`s inside, so the library also keeps what it needs after the host
//! frees its handle).

use std::sync::{Arc, OnceLock};

use bankkey::bank::Crl;
use bankkey::key::PublicKey;
use bankkey::pki::{Certificate, CertificateRequest};

use crate::buf::{self, bk_bytes, bk_slice, bk_str};
use crate::error::{Fail, boundary, quiet};
use crate::handle::{self, castable};
use crate::status::bk_status;
use crate::view::{
    self, Arena, View, bk_extensions_info, bk_identifier_check, bk_key_info, bk_name,
};

/// An X.509 certificate. Immutable: usable from any thread at once. Free with
/// `bk_certificate_free`.
pub struct bk_certificate {
    _private: [u8; 0],
}
castable!(bk_certificate => CertificateH, b"bk-cert\0");
/// A PKCS#10 certificate request. Immutable: usable from any thread at once. Free with
/// `bk_request_free`.
pub struct bk_request {
    _private: [u8; 0],
}
castable!(bk_request => RequestH, b"bk-req\0\0");
/// A public key (SubjectPublicKeyInfo). Immutable: usable from any thread at once. Free
/// with `bk_public_key_free`.
pub struct bk_public_key {
    _private: [u8; 0],
}
castable!(bk_public_key => PublicKeyH, b"bk-pubk\0");
/// A certificate revocation list. Immutable: usable from any thread at once. Free with
/// `bk_crl_free`.
pub struct bk_crl {
    _private: [u8; 0],
}
castable!(bk_crl => CrlH, b"bk-crl\0\0");

pub(crate) struct CertificateH {
    pub cert: Arc<Certificate>,
    view: OnceLock<View<bk_certificate_info>>,
}

impl CertificateH {
    pub fn new(cert: Certificate) -> CertificateH {
        CertificateH {
            cert: Arc::new(cert),
            view: OnceLock::new(),
        }
    }
}

pub(crate) struct RequestH {
    pub req: Arc<CertificateRequest>,
    view: OnceLock<View<bk_request_info>>,
}

impl RequestH {
    pub fn new(req: CertificateRequest) -> RequestH {
        RequestH {
            req: Arc::new(req),
            view: OnceLock::new(),
        }
    }
}

pub(crate) struct PublicKeyH {
    pub key: PublicKey,
    view: OnceLock<View<bk_key_info>>,
}

pub(crate) struct CrlH {
    pub crl: Arc<Crl>,
    view: OnceLock<View<bk_crl_info>>,
}

/// Every field of a certificate a client shows. Built on first request, owned by the
/// certificate handle (valid until it is freed). Fields are only ever appended.
#[repr(C)]
pub struct bk_certificate_info {
    /// 1, 2 or 3.
    pub version: u32,
    /// The serial number's content octets.
    pub serial: bk_slice,
    /// The serial in uppercase hex.
    pub serial_hex: bk_str,
    /// The subject.
    pub subject: bk_name,
    /// The issuer.
    pub issuer: bk_name,
    /// notBefore, Unix seconds (UTC).
    pub not_before: i64,
    /// notAfter, Unix seconds (UTC).
    pub not_after: i64,
    /// The public key.
    pub key: bk_key_info,
    /// The signature algorithm OID.
    pub signature_algorithm_oid: bk_str,
    /// Its name, when known ("id-tc26-signwithdigest-gost3410-12-256").
    pub signature_algorithm_name: bk_str,
    /// The extensions, decoded.
    pub extensions: bk_extensions_info,
    /// The checks of the subject's identifiers (INN, INNLE, OGRN, OGRNIP, SNILS), in order.
    pub identifiers: *const bk_identifier_check,
    /// How many.
    pub identifiers_count: usize,
    /// Issued by itself (subject = issuer).
    pub is_self_issued: bool,
    /// A qualified certificate by its form (the issuer's accreditation is checked by the
    /// bank against the ministry's list: `bk_bank_register_qes`).
    pub qualified: bool,
    /// What keeps it from being qualified, in words, when it is not.
    pub qualification_missing: *const bk_str,
    /// How many.
    pub qualification_missing_count: usize,
    /// The DER, as read.
    pub der: bk_slice,
}

/// Every field of a certificate request. Owned by the request handle.
#[repr(C)]
pub struct bk_request_info {
    /// The subject.
    pub subject: bk_name,
    /// The public key.
    pub key: bk_key_info,
    /// The signature algorithm OID.
    pub signature_algorithm_oid: bk_str,
    /// Its name, when known.
    pub signature_algorithm_name: bk_str,
    /// The requested extensions, decoded.
    pub extensions: bk_extensions_info,
    /// The checks of the subject's identifiers.
    pub identifiers: *const bk_identifier_check,
    /// How many.
    pub identifiers_count: usize,
    /// The DER, as read.
    pub der: bk_slice,
}

/// What a CRL says. Owned by the CRL handle.
#[repr(C)]
pub struct bk_crl_info {
    /// The issuer.
    pub issuer: bk_name,
    /// thisUpdate, Unix seconds.
    pub this_update: i64,
    /// Whether nextUpdate is present (a CRL without it is never fresh).
    pub has_next_update: bool,
    /// nextUpdate, Unix seconds (0 when absent).
    pub next_update: i64,
    /// authorityKeyIdentifier's keyIdentifier, when present.
    pub authority_key_id: bk_slice,
    /// How many certificates it revokes.
    pub revoked_count: usize,
    /// The DER, as read.
    pub der: bk_slice,
}

fn certificate_view(c: &Certificate) -> View<bk_certificate_info> {
    let mut a = Arena::default();
    let q = c.qualification();
    let (identifiers, identifiers_count) =
        view::identifiers(&mut a, &c.subject().check_identifiers());
    let (qualification_missing, qualification_missing_count) = a.strs(q.missing);
    let info = bk_certificate_info {
        version: u32::from(c.version()),
        serial: bk_slice::of(c.serial()),
        serial_hex: a.str(&c.serial_hex()),
        subject: view::name(&mut a, c.subject()),
        issuer: view::name(&mut a, c.issuer()),
        not_before: c.not_before().unix_timestamp(),
        not_after: c.not_after().unix_timestamp(),
        key: view::key(&mut a, c.key_info(), c.public_key_der()),
        signature_algorithm_oid: a.str(&c.signature_algorithm().oid.to_string()),
        signature_algorithm_name: a.opt_str(bankkey::report::algorithm_name(
            &c.signature_algorithm().oid,
        )),
        extensions: view::extensions(&mut a, c.extensions()),
        identifiers,
        identifiers_count,
        is_self_issued: c.is_self_issued(),
        qualified: q.qualified,
        qualification_missing,
        qualification_missing_count,
        der: bk_slice::of(c.der()),
    };
    View::new(a, info)
}

fn request_view(r: &CertificateRequest) -> View<bk_request_info> {
    let mut a = Arena::default();
    let (identifiers, identifiers_count) =
        view::identifiers(&mut a, &r.subject().check_identifiers());
    let info = bk_request_info {
        subject: view::name(&mut a, r.subject()),
        key: view::key(&mut a, r.key_info(), r.public_key_der()),
        signature_algorithm_oid: a.str(&r.signature_algorithm().oid.to_string()),
        signature_algorithm_name: a.opt_str(bankkey::report::algorithm_name(
            &r.signature_algorithm().oid,
        )),
        extensions: view::extensions(&mut a, r.extensions()),
        identifiers,
        identifiers_count,
        der: bk_slice::of(r.der()),
    };
    View::new(a, info)
}

/// Parses a certificate, DER or PEM (the first `CERTIFICATE` block; text around it is
/// ignored).
///
/// Errors: `BK_MALFORMED_ENCODING` (with what is wrong), `BK_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_certificate_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut bk_certificate,
) -> bk_status {
    boundary("bk_certificate_parse", || {
        let out = unsafe { buf::out(out, "out") }?;
        let input = unsafe { buf::bytes(data, len, "data") }?;
        let cert = Certificate::from_pem(input)?;
        out.set(handle::into_handle::<bk_certificate>(CertificateH::new(
            cert,
        )));
        Ok(())
    })
}

/// The certificate's fields. `*out` stays valid until the certificate is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_certificate_get_info(
    cert: *const bk_certificate,
    out: *mut *const bk_certificate_info,
) -> bk_status {
    boundary("bk_certificate_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(cert, "cert") }?;
        let v = h.view.get_or_init(|| certificate_view(&h.cert));
        out.set(&v.c);
        Ok(())
    })
}

/// The certificate as PEM (`CERTIFICATE`, 64-character lines, LF), for the caller to free
/// with `bk_bytes_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_certificate_pem(
    cert: *const bk_certificate,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_certificate_pem", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(cert, "cert") }?;
        out.set(bk_bytes::from_string(h.cert.to_pem()));
        Ok(())
    })
}

/// Verifies the certificate's path to one of `anchors` (trusted roots; intermediate CAs may
/// be given in `intermediates`) at `at` (Unix seconds): names, key identifiers, CA
/// constraints, signatures and the validity of every certificate of the path.
///
/// Errors: `BK_UNTRUSTED_ISSUER` (no path; also with no anchors), `BK_BAD_SIGNATURE`,
/// `BK_WRONG_ISSUER`, `BK_EXPIRED`, `BK_NOT_YET_VALID`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_certificate_verify(
    cert: *const bk_certificate,
    anchors: *const *const bk_certificate,
    anchors_count: usize,
    intermediates: *const *const bk_certificate,
    intermediates_count: usize,
    at: i64,
) -> bk_status {
    boundary("bk_certificate_verify", || {
        let h = unsafe { handle::get(cert, "cert") }?;
        let anchors = certificates(unsafe { handle::get_all(anchors, anchors_count, "anchors") }?);
        let inter = certificates(unsafe {
            handle::get_all(intermediates, intermediates_count, "intermediates")
        }?);
        let at = buf::instant(at, "at")?;
        bankkey::pki::build_chain(&h.cert, &inter, &anchors, at)?;
        Ok(())
    })
}

/// Verifies that `issuer` issued `cert` (names, key identifiers, that the issuer is a CA,
/// the signature), without validity or a path.
///
/// Errors: `BK_WRONG_ISSUER`, `BK_BAD_SIGNATURE`, `BK_UNTRUSTED_ISSUER` (the issuer is no CA).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_certificate_verify_issued_by(
    cert: *const bk_certificate,
    issuer: *const bk_certificate,
) -> bk_status {
    boundary("bk_certificate_verify_issued_by", || {
        let h = unsafe { handle::get(cert, "cert") }?;
        let i = unsafe { handle::get(issuer, "issuer") }?;
        h.cert.verify_issued_by(&i.cert)?;
        Ok(())
    })
}

/// Whether the certificate holds `key` (compared by algorithm and key value, so differently
/// encoded parameters still match).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_certificate_holds_key(
    cert: *const bk_certificate,
    key: *const bk_public_key,
    out: *mut bool,
) -> bk_status {
    boundary("bk_certificate_holds_key", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(cert, "cert") }?;
        let k = unsafe { handle::get(key, "key") }?;
        out.set(h.cert.holds_key(&k.key));
        Ok(())
    })
}

/// Whole days from `at` to notAfter (negative once expired).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_certificate_days_to_expiry(
    cert: *const bk_certificate,
    at: i64,
    out: *mut i64,
) -> bk_status {
    boundary("bk_certificate_days_to_expiry", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(cert, "cert") }?;
        out.set(h.cert.days_to_expiry(buf::instant(at, "at")?));
        Ok(())
    })
}

/// The certificate's public key, as a new handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_certificate_public_key(
    cert: *const bk_certificate,
    out: *mut *mut bk_public_key,
) -> bk_status {
    boundary("bk_certificate_public_key", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(cert, "cert") }?;
        out.set(public_key_handle(h.cert.public_key()?));
        Ok(())
    })
}

/// Frees a certificate (NULL: nothing). Objects made from it keep what they need.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_certificate_free(cert: *mut bk_certificate) {
    quiet((), || unsafe { handle::free(cert) })
}

pub(crate) fn certificates(v: Vec<&CertificateH>) -> Vec<Certificate> {
    v.into_iter().map(|h| Certificate::clone(&h.cert)).collect()
}

/// Parses a PKCS#10 certificate request, DER or PEM (`CERTIFICATE REQUEST`). The signature is
/// not checked here: `bk_request_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_request_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut bk_request,
) -> bk_status {
    boundary("bk_request_parse", || {
        let out = unsafe { buf::out(out, "out") }?;
        let input = unsafe { buf::bytes(data, len, "data") }?;
        let req = CertificateRequest::from_pem(input)?;
        out.set(handle::into_handle::<bk_request>(RequestH::new(req)));
        Ok(())
    })
}

/// The request's fields. `*out` stays valid until the request is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_request_get_info(
    request: *const bk_request,
    out: *mut *const bk_request_info,
) -> bk_status {
    boundary("bk_request_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(request, "request") }?;
        let v = h.view.get_or_init(|| request_view(&h.req));
        out.set(&v.c);
        Ok(())
    })
}

/// Verifies the request's self-signature (`BK_BAD_SIGNATURE` when it does not verify).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_request_verify(request: *const bk_request) -> bk_status {
    boundary("bk_request_verify", || {
        let h = unsafe { handle::get(request, "request") }?;
        h.req.verify()?;
        Ok(())
    })
}

/// The request as PEM (`CERTIFICATE REQUEST`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_request_pem(
    request: *const bk_request,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_request_pem", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(request, "request") }?;
        out.set(bk_bytes::from_string(h.req.to_pem()));
        Ok(())
    })
}

/// Frees a request (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_request_free(request: *mut bk_request) {
    quiet((), || unsafe { handle::free(request) })
}

pub(crate) fn public_key_handle(key: PublicKey) -> *mut bk_public_key {
    handle::into_handle::<bk_public_key>(PublicKeyH {
        key,
        view: OnceLock::new(),
    })
}

/// Parses a public key: SubjectPublicKeyInfo DER or PEM (`PUBLIC KEY`).
///
/// Errors: `BK_MALFORMED_ENCODING`, `BK_UNSUPPORTED_ALGORITHM`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_public_key_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut bk_public_key,
) -> bk_status {
    boundary("bk_public_key_parse", || {
        let out = unsafe { buf::out(out, "out") }?;
        let input = unsafe { buf::bytes(data, len, "data") }?;
        let key = if input.first() == Some(&0x30) {
            PublicKey::from_spki_der(input)?
        } else {
            let text = std::str::from_utf8(input).map_err(|_| {
                Fail::new(crate::status::BK_MALFORMED_ENCODING, "neither DER nor PEM")
            })?;
            PublicKey::from_pem(text)?
        };
        out.set(public_key_handle(key));
        Ok(())
    })
}

/// The key's algorithm, identifier and bytes. `*out` stays valid until the key is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_public_key_get_info(
    key: *const bk_public_key,
    out: *mut *const bk_key_info,
) -> bk_status {
    boundary("bk_public_key_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(key, "key") }?;
        let spki = h.key.to_spki_der();
        let info = bankkey::pki::KeyInfo::from_spki_der(&spki)?;
        let v = h.view.get_or_init(|| {
            let mut a = Arena::default();
            let c = view::key(&mut a, &info, &spki);
            View::new(a, c)
        });
        out.set(&v.c);
        Ok(())
    })
}

/// Verifies `signature` over `message` (the whole message: the digest of the key's algorithm
/// is computed here) with the key: GOST s‖r, RSA PKCS#1 v1.5 with SHA-256, ECDSA DER.
///
/// Errors: `BK_BAD_SIGNATURE`, `BK_KEY_MISMATCH` (the key's algorithm cannot make such a
/// signature).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_public_key_verify(
    key: *const bk_public_key,
    message: *const u8,
    message_len: usize,
    signature: *const u8,
    signature_len: usize,
) -> bk_status {
    boundary("bk_public_key_verify", || {
        let h = unsafe { handle::get(key, "key") }?;
        let msg = unsafe { buf::bytes(message, message_len, "message") }?;
        let sig = unsafe { buf::bytes(signature, signature_len, "signature") }?;
        let alg = h.key.algorithm().signature_algorithm();
        h.key.verify(&alg, msg, sig)?;
        Ok(())
    })
}

/// The key as PEM (`PUBLIC KEY`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_public_key_pem(
    key: *const bk_public_key,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_public_key_pem", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(key, "key") }?;
        out.set(bk_bytes::from_string(h.key.to_pem()));
        Ok(())
    })
}

/// Frees a public key (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_public_key_free(key: *mut bk_public_key) {
    quiet((), || unsafe { handle::free(key) })
}

/// Parses a CRL, DER or PEM (`X509 CRL`). Its signature is checked against its issuer by
/// `bk_crl_verify_issued_by` (and by the bank's QES check, which uses it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_crl_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut bk_crl,
) -> bk_status {
    boundary("bk_crl_parse", || {
        let out = unsafe { buf::out(out, "out") }?;
        let input = unsafe { buf::bytes(data, len, "data") }?;
        let crl = Crl::from_pem(input)?;
        out.set(handle::into_handle::<bk_crl>(CrlH {
            crl: Arc::new(crl),
            view: OnceLock::new(),
        }));
        Ok(())
    })
}

/// The CRL's fields. `*out` stays valid until the CRL is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_crl_get_info(
    crl: *const bk_crl,
    out: *mut *const bk_crl_info,
) -> bk_status {
    boundary("bk_crl_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(crl, "crl") }?;
        let v = h.view.get_or_init(|| {
            let c = &h.crl;
            let mut a = Arena::default();
            let info = bk_crl_info {
                issuer: view::name(&mut a, c.issuer()),
                this_update: c.this_update().unix_timestamp(),
                has_next_update: c.next_update().is_some(),
                next_update: c.next_update().map_or(0, |t| t.unix_timestamp()),
                authority_key_id: c.authority_key_id().map_or(bk_slice::EMPTY, bk_slice::of),
                revoked_count: c.revoked().len(),
                der: bk_slice::of(c.der()),
            };
            View::new(a, info)
        });
        out.set(&v.c);
        Ok(())
    })
}

/// Verifies that `issuer` issued the CRL (names, key identifiers, cRLSign, signature).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_crl_verify_issued_by(
    crl: *const bk_crl,
    issuer: *const bk_certificate,
) -> bk_status {
    boundary("bk_crl_verify_issued_by", || {
        let h = unsafe { handle::get(crl, "crl") }?;
        let i = unsafe { handle::get(issuer, "issuer") }?;
        h.crl.verify_issued_by(&i.cert)?;
        Ok(())
    })
}

/// Whether the CRL lists `cert` (by serial; the caller checks the CRL is its issuer's), and
/// since when: `*revoked_at` is written only when `*revoked` is true.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_crl_lists(
    crl: *const bk_crl,
    cert: *const bk_certificate,
    revoked: *mut bool,
    revoked_at: *mut i64,
) -> bk_status {
    boundary("bk_crl_lists", || {
        let revoked = unsafe { buf::out(revoked, "revoked") }?;
        let revoked_at = unsafe { buf::out(revoked_at, "revoked_at") }?;
        let h = unsafe { handle::get(crl, "crl") }?;
        let c = unsafe { handle::get(cert, "cert") }?;
        match h.crl.revocation_of(c.cert.serial()) {
            Some(t) => {
                revoked_at.set(t.unix_timestamp());
                revoked.set(true);
            }
            None => revoked.set(false),
        }
        Ok(())
    })
}

/// Issues a CRL as the CA `issuer` with `signer` (which holds the issuer's key): version 2,
/// thisUpdate and nextUpdate (Unix seconds), cRLNumber `number`, and the `revoked_count`
/// certificates of `revoked`, each revoked at `revoked_at`. `*out` receives the DER, verified
/// against the issuer before it is returned. (A bank's CA publishes its CRLs this way; the QES
/// check relies on the accredited CA's.)
///
/// Errors: `BK_INVALID_INPUT` (nextUpdate not after thisUpdate; an issuer that may not sign
/// CRLs), `BK_KEY_MISMATCH`, the signer's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_crl_sign(
    issuer: *const bk_certificate,
    signer: *const crate::signer::bk_signer,
    this_update: i64,
    next_update: i64,
    number: u64,
    revoked: *const *const bk_certificate,
    revoked_count: usize,
    revoked_at: i64,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_crl_sign", || {
        let out = unsafe { buf::out(out, "out") }?;
        let i = unsafe { handle::get(issuer, "issuer") }?;
        let s = unsafe { handle::get(signer, "signer") }?;
        let revoked = unsafe { handle::get_all(revoked, revoked_count, "revoked") }?;
        let mut b = bankkey::pki::CrlBuilder::new(
            buf::instant(this_update, "this_update")?,
            buf::instant(next_update, "next_update")?,
            number,
        );
        let at = buf::instant(revoked_at, "revoked_at")?;
        for c in revoked {
            b = b.revoke(c.cert.serial(), at, None);
        }
        out.set(bk_bytes::from_vec(b.sign(&i.cert, s.signer.as_ref())?));
        Ok(())
    })
}

/// Frees a CRL (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_crl_free(crl: *mut bk_crl) {
    quiet((), || unsafe { handle::free(crl) })
}
