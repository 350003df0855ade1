//! Signers: a key-store key (`bk_key_store_signer`), a software key (PKCS#8, or generated in
//! memory), or the host's own callbacks (CryptoPro CSP, an HSM, a key held by the C program);
//! and what signs with them: CMS SignedData and the signed remote-regeneration request.
//!
//! A host signer's every signature is verified against its public key before the library
//! uses it (`bankkey::key::VerifyingSigner`): a CryptoAPI host that forgets that
//! `CryptSignHash` writes little-endian gets `BK_BAD_SIGNATURE` with a hint saying so at once,
//! not the bank's rejection the next day.

use std::cell::RefCell;
use std::ffi::{c_char, c_void};
use std::sync::Arc;

use bankkey::cms::{SignOptions, SignedRequest};
use bankkey::key::{KeyAlgorithm, PublicKey, Signer, SoftwareKey, VerifyingSigner};
use bankkey::pki::Certificate;

use crate::buf::{self, bk_bytes};
use crate::cms::{SignedRequestH, bk_signed_request};
use crate::error::{Fail, boundary, quiet};
use crate::handle::{self, castable};
use crate::pki::{bk_certificate, bk_public_key, bk_request, certificates, public_key_handle};
use crate::status::*;
use crate::store::{Store, bk_key_store};

/// Something that signs with one key: a key-store key, a software key or host callbacks.
/// Thread-safe: several threads may sign with one signer at once (a host signer's
/// callback is then called from those threads at once: serialise inside it if the CSP
/// needs that). Free with `bk_signer_free`; whatever was made from it keeps it alive.
pub struct bk_signer {
    _private: [u8; 0],
}
castable!(bk_signer => SignerH, b"bk-signr");

pub(crate) struct SignerH {
    pub signer: Arc<dyn Signer>,
    software: Option<Arc<SoftwareKey>>,
}

impl SignerH {
    pub fn boxed(signer: Arc<dyn Signer>) -> *mut bk_signer {
        handle::into_handle::<bk_signer>(SignerH {
            signer,
            software: None,
        })
    }

    fn software(key: SoftwareKey) -> *mut bk_signer {
        let key = Arc::new(key);
        handle::into_handle::<bk_signer>(SignerH {
            signer: key.clone(),
            software: Some(key),
        })
    }

    /// The signer as the core takes it by value (shared, never consumed).
    pub fn shared(&self) -> Box<dyn Signer> {
        Box::new(self.signer.clone())
    }
}

/// The process-wide limit on the PBKDF2 iteration count of password-protected keys read or
/// written (default 1,000,000): a key file asking for more is refused with
/// `BK_LIMIT_EXCEEDED` before any work, so a crafted file cannot pin a CPU.
#[unsafe(no_mangle)]
pub extern "C" fn bk_kdf_iteration_limit() -> u32 {
    quiet(0, bankkey::key::kdf_iteration_limit)
}

/// Sets the process-wide iteration limit (for files from a source the host trusts to ask for
/// more work, or to tighten it), for derivations that start after the call, in every thread.
///
/// Errors: `BK_INVALID_INPUT` (field "limit") for 0.
#[unsafe(no_mangle)]
pub extern "C" fn bk_set_kdf_iteration_limit(limit: u32) -> bk_status {
    boundary("bk_set_kdf_iteration_limit", || {
        bankkey::key::set_kdf_iteration_limit(limit)?;
        Ok(())
    })
}

/// Generates a software key in memory (for tests, a bank's CA kept in a file container, a
/// key to import). `algorithm`: "gost2012-256-cryptopro-a", "rsa-2048", ...
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signer_generate(
    algorithm: *const c_char,
    out: *mut *mut bk_signer,
) -> bk_status {
    boundary("bk_signer_generate", || {
        let out = unsafe { buf::out(out, "out") }?;
        let alg = KeyAlgorithm::parse(unsafe { buf::string(algorithm, "algorithm") }?)?;
        out.set(SignerH::software(SoftwareKey::generate(alg)?));
        Ok(())
    })
}

/// A software key from PKCS#8, DER or PEM, plain (`password` NULL) or encrypted (PBES2: AES,
/// Kuznyechik, GOST 28147; PBKDF2 with HMAC-SHA/Streebog).
///
/// Errors: `BK_WRONG_PASSWORD`, `BK_MALFORMED_ENCODING`, `BK_UNSUPPORTED_ALGORITHM`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signer_from_pkcs8(
    data: *const u8,
    len: usize,
    password: *const u8,
    password_len: usize,
    out: *mut *mut bk_signer,
) -> bk_status {
    boundary("bk_signer_from_pkcs8", || {
        let out = unsafe { buf::out(out, "out") }?;
        let input = unsafe { buf::bytes(data, len, "data") }?;
        let pem = input.first() != Some(&0x30);
        let text = || {
            std::str::from_utf8(input).map_err(|_| {
                Fail::new(BK_MALFORMED_ENCODING, "PKCS#8: neither DER nor PEM").field("data")
            })
        };
        let key = if password.is_null() {
            if pem {
                SoftwareKey::from_pkcs8_pem(text()?)?
            } else {
                SoftwareKey::from_pkcs8_der(input)?
            }
        } else {
            let pw = zeroize::Zeroizing::new(
                unsafe { buf::bytes(password, password_len, "password") }?.to_vec(),
            );
            if pem {
                SoftwareKey::from_encrypted_pkcs8_pem(text()?, &pw)?
            } else {
                SoftwareKey::from_encrypted_pkcs8_der(input, &pw)?
            }
        };
        out.set(SignerH::software(key));
        Ok(())
    })
}

/// A software signer's private key as PKCS#8 PEM, encrypted with `password` (PBES2,
/// PBKDF2-SHA-256 600,000 iterations, AES-256-CBC), or plain when `password` is NULL. The
/// output is wiped by `bk_bytes_free`.
///
/// Errors: `BK_INVALID_INPUT` (field "signer") for a token or host signer, whose key does not
/// leave it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signer_pkcs8(
    signer: *const bk_signer,
    password: *const u8,
    password_len: usize,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_signer_pkcs8", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(signer, "signer") }?;
        let key = h
            .software
            .as_ref()
            .ok_or_else(|| Fail::invalid("signer", "only a software key can be exported"))?;
        let pem = if password.is_null() {
            key.to_pkcs8_pem().to_string()
        } else {
            let pw = unsafe { buf::bytes(password, password_len, "password") }?;
            key.to_encrypted_pkcs8_pem(pw)?
        };
        out.set(bk_bytes::from_string(pem));
        Ok(())
    })
}

/// Imports a software signer's key into a file container as a new key set; `*id` receives
/// the key set's identifier.
///
/// Errors: `BK_INVALID_INPUT` (field "signer") for a signer that is not a software key,
/// (field "store") for a token (keys are generated on the token).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_import(
    store: *mut bk_key_store,
    signer: *const bk_signer,
    label: *const c_char,
    id: *mut bk_bytes,
) -> bk_status {
    boundary("bk_key_store_import", || {
        let id = unsafe { buf::out(id, "id") }?;
        let st = unsafe { handle::get(store, "store") }?;
        let h = unsafe { handle::get(signer, "signer") }?;
        let label = unsafe { buf::string(label, "label") }?;
        let key = h
            .software
            .as_ref()
            .ok_or_else(|| Fail::invalid("signer", "only a software key can be imported"))?;
        let Store::File(c) = &st.store else {
            return Err(Fail::invalid(
                "store",
                "keys are imported into a file container",
            ));
        };
        id.set(bk_bytes::from_vec(c.import(key, label)?.id));
        Ok(())
    })
}

/// The signer's public key, as a new handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signer_public_key(
    signer: *const bk_signer,
    out: *mut *mut bk_public_key,
) -> bk_status {
    boundary("bk_signer_public_key", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(signer, "signer") }?;
        out.set(public_key_handle(h.signer.public_key()));
        Ok(())
    })
}

/// Signs `message` (the whole message: the signer hashes it with its algorithm's digest).
/// `*signature` receives the bytes as they go into X.509 or CMS: GOST s‖r, RSA PKCS#1 v1.5,
/// ECDSA DER. GOST signatures differ on every call (random nonce).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signer_sign(
    signer: *const bk_signer,
    message: *const u8,
    message_len: usize,
    signature: *mut bk_bytes,
) -> bk_status {
    boundary("bk_signer_sign", || {
        let out = unsafe { buf::out(signature, "signature") }?;
        let h = unsafe { handle::get(signer, "signer") }?;
        let msg = unsafe { buf::bytes(message, message_len, "message") }?;
        out.set(bk_bytes::from_vec(h.signer.sign(msg)?));
        Ok(())
    })
}

/// Frees a signer (NULL: nothing). A software key is wiped when its last holder goes; a host
/// signer's `release` is called then.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signer_free(signer: *mut bk_signer) {
    quiet((), || unsafe { handle::free(signer) })
}

// ---- host callbacks ----

/// `sizeof(bk_signer_callbacks)` in 0.1, the release that introduced it; it stays when fields
/// are appended.
const CALLBACKS_FIRST: usize = std::mem::size_of::<bk_signer_callbacks>();

/// The callbacks of a host signer. Set `struct_size` to `sizeof(bk_signer_callbacks)`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bk_signer_callbacks {
    /// `sizeof(bk_signer_callbacks)` as the caller compiled it.
    pub struct_size: usize,
    /// Reserved: 0.
    pub flags: u32,
    /// Signs `message` (`message_len` bytes, valid only during the call; the whole message:
    /// hash it with the key's digest, Streebog-256/512 for GOST, SHA-256 otherwise) and
    /// writes the signature into `signature` (room for `signature_cap` bytes) and its length
    /// into `*signature_len`, in the form X.509 and CMS carry: GOST s‖r big-endian (what
    /// OpenSSL's gost engine gives; reverse CryptoAPI's little-endian output), RSA PKCS#1
    /// v1.5, ECDSA DER. Returns `BK_OK`, `BK_BUFFER_TOO_SMALL` with the length needed in
    /// `*signature_len` (the library calls again with that much room), or any other status,
    /// which the library's caller gets (with the message set by `bk_callback_set_error`). Runs
    /// on the thread of the bankkey call that needs the signature; it may call bankkey
    /// functions. It must not unwind (no C++ exception, no longjmp) out of the call.
    pub sign: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            message: *const u8,
            message_len: usize,
            signature: *mut u8,
            signature_cap: usize,
            signature_len: *mut usize,
        ) -> bk_status,
    >,
    /// Called exactly once, when the last holder of the signer is freed (NULL: nothing to
    /// release). Not called when `bk_signer_from_callbacks` fails.
    pub release: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
}

type SignFn =
    unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut u8, usize, *mut usize) -> bk_status;

struct HostSigner {
    public_key: PublicKey,
    sign: SignFn,
    release: Option<unsafe extern "C" fn(*mut c_void)>,
    userdata: *mut c_void,
}

// SAFETY: the header states the contract: the host's callbacks and userdata may be used from
// any thread the host uses the signer on, and `release` once from whichever thread frees it
// last.
unsafe impl Send for HostSigner {}
// SAFETY: as above.
unsafe impl Sync for HostSigner {}

impl Drop for HostSigner {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: the host's callback with its own userdata, once.
            unsafe { release(self.userdata) };
        }
    }
}

thread_local! {
    static CALLBACK_ERROR: RefCell<Option<(String, Option<String>)>> = const { RefCell::new(None) };
}

/// Sets the message (and optionally the field) of the failure a host callback is about to
/// return, for this thread; the library's caller reads them with `bk_last_error_message` /
/// `_field`. Call it from inside a callback, just before returning a status other than
/// `BK_OK`. NULL `field`: none. Never put a PIN or key in the message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_callback_set_error(message: *const c_char, field: *const c_char) {
    quiet((), || {
        let text = |p: *const c_char| {
            (!p.is_null()).then(|| {
                // SAFETY: the caller passes NUL-terminated strings.
                unsafe { std::ffi::CStr::from_ptr(p) }
                    .to_string_lossy()
                    .into_owned()
            })
        };
        let m = text(message).unwrap_or_default();
        let f = text(field);
        let _ = CALLBACK_ERROR.try_with(|c| *c.borrow_mut() = Some((m, f)));
    })
}

fn take_callback_error() -> Option<(String, Option<String>)> {
    CALLBACK_ERROR
        .try_with(|c| c.borrow_mut().take())
        .ok()
        .flatten()
}

/// Signatures longer than this are refused (a 16384-bit RSA signature is 2 KiB).
const MAX_SIGNATURE: usize = 64 * 1024;

impl HostSigner {
    fn call(&self, msg: &[u8], cap: usize) -> std::result::Result<Vec<u8>, (bk_status, usize)> {
        let mut sig = vec![0u8; cap];
        let mut len = 0usize;
        take_callback_error();
        // SAFETY: the host's callback with its userdata; the buffers are ours and live through
        // the call, with their true lengths.
        let status = unsafe {
            (self.sign)(
                self.userdata,
                msg.as_ptr(),
                msg.len(),
                sig.as_mut_ptr(),
                sig.len(),
                &mut len,
            )
        };
        if status != BK_OK {
            return Err((status, len));
        }
        if len > cap {
            return Err((BK_BUFFER_TOO_SMALL, len));
        }
        sig.truncate(len);
        Ok(sig)
    }
}

fn host_error(status: bk_status, default: &str) -> bankkey::Error {
    // The callback's own words; else, when it passes on a status a nested bankkey call gave
    // it, that call's detail; else a default.
    let (message, field) = take_callback_error()
        .or_else(|| crate::error::last_detail(status))
        .unwrap_or_else(|| (default.to_owned(), None));
    let kind = bankkey::ErrorKind::from_code(status).unwrap_or(bankkey::ErrorKind::Internal);
    let message = if bankkey::ErrorKind::from_code(status).is_some() {
        format!("host signer: {message}")
    } else {
        format!("host signer: {message} (the callback returned status {status})")
    };
    let e = bankkey::Error::new(kind, message);
    match field {
        Some(f) => e.with_field(f),
        None => e,
    }
}

impl Signer for HostSigner {
    fn public_key(&self) -> PublicKey {
        self.public_key.clone()
    }

    fn signature_algorithm(&self) -> spki::AlgorithmIdentifierOwned {
        self.public_key.algorithm().signature_algorithm()
    }

    fn sign(&self, msg: &[u8]) -> bankkey::Result<Vec<u8>> {
        match self.call(msg, 1024) {
            Ok(sig) => Ok(sig),
            Err((BK_BUFFER_TOO_SMALL, needed)) if needed > 1024 && needed <= MAX_SIGNATURE => self
                .call(msg, needed)
                .map_err(|(s, _)| host_error(s, "the callback failed with the room it asked for")),
            Err((BK_BUFFER_TOO_SMALL, needed)) => Err(bankkey::Error::new(
                bankkey::ErrorKind::Internal,
                format!("host signer: a signature of {needed} bytes is not plausible"),
            )
            .with_field("signature_len")),
            Err((status, _)) => Err(host_error(status, "the sign callback failed")),
        }
    }
}

/// A signer over the host's callbacks, for the key whose SubjectPublicKeyInfo (DER) is
/// `spki` (it fixes the algorithm). Usable wherever the library takes a signer: requests,
/// signed requests, CMS, the client's current key, the bank's CA key. Every signature the
/// callback makes is verified against `spki` before use (`BK_BAD_SIGNATURE` with a hint for
/// reversed bytes or swapped halves).
///
/// Errors: `BK_MALFORMED_ENCODING` / `BK_UNSUPPORTED_ALGORITHM` for `spki`; `BK_NULL_PARAMETER`
/// for a NULL `callbacks->sign`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signer_from_callbacks(
    spki: *const u8,
    spki_len: usize,
    callbacks: *const bk_signer_callbacks,
    userdata: *mut c_void,
    out: *mut *mut bk_signer,
) -> bk_status {
    boundary("bk_signer_from_callbacks", || {
        let out = unsafe { buf::out(out, "out") }?;
        let cb = unsafe { buf::versioned(callbacks, CALLBACKS_FIRST, "callbacks") }?
            .ok_or_else(|| Fail::null("callbacks"))?;
        if cb.flags != 0 {
            return Err(Fail::invalid("callbacks.flags", "reserved: must be 0"));
        }
        let sign = cb.sign.ok_or_else(|| Fail::null("callbacks.sign"))?;
        let spki = unsafe { buf::bytes(spki, spki_len, "spki") }?;
        let public_key = PublicKey::from_spki_der(spki).map_err(|e| Fail::from(e).field("spki"))?;
        let host = HostSigner {
            public_key,
            sign,
            release: cb.release,
            userdata,
        };
        out.set(SignerH::boxed(Arc::new(VerifyingSigner::new(host))));
        Ok(())
    })
}

// ---- what signs ----

/// Leave the content out of the SignedData (a detached signature).
pub const BK_CMS_DETACHED: u32 = 1;
/// Name each signer by subjectKeyIdentifier (SignerInfo version 3), not issuer and serial.
pub const BK_CMS_BY_KEY_ID: u32 = 2;

/// Signs `content` by `count` signers, each with its certificate (`signers[i]` holds the key
/// of `certs[i]`), into a CMS SignedData (`*out`, DER): signed attributes contentType,
/// messageDigest, signingTime = `signing_time` (Unix seconds), signingCertificateV2; the
/// signers' certificates and `extra_certs` included. `flags`: `BK_CMS_DETACHED`,
/// `BK_CMS_BY_KEY_ID`. The QES confirmation statement is signed this way by its owner and the
/// head of the organisation.
///
/// Errors: `BK_INVALID_INPUT` without signers; `BK_KEY_MISMATCH` when a certificate does not
/// hold its signer's key; the signers' own errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_cms_sign(
    content: *const u8,
    content_len: usize,
    signers: *const *const bk_signer,
    certs: *const *const bk_certificate,
    count: usize,
    extra_certs: *const *const bk_certificate,
    extra_certs_count: usize,
    flags: u32,
    signing_time: i64,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_cms_sign", || {
        let out = unsafe { buf::out(out, "out") }?;
        let content = unsafe { buf::bytes(content, content_len, "content") }?;
        let s = unsafe { handle::get_all(signers, count, "signers") }?;
        let c = certificates(unsafe { handle::get_all(certs, count, "certs") }?);
        let extra = certificates(unsafe {
            handle::get_all(extra_certs, extra_certs_count, "extra_certs")
        }?);
        if flags & !(BK_CMS_DETACHED | BK_CMS_BY_KEY_ID) != 0 {
            return Err(Fail::invalid("flags", format!("unknown flags {flags:#x}")));
        }
        let pairs: Vec<(&dyn Signer, &Certificate)> = s
            .iter()
            .zip(&c)
            .map(|(s, c)| (s.signer.as_ref(), c))
            .collect();
        let options = SignOptions {
            detached: flags & BK_CMS_DETACHED != 0,
            by_key_identifier: flags & BK_CMS_BY_KEY_ID != 0,
            signing_time: Some(buf::instant(signing_time, "signing_time")?),
            certificates: extra,
            ..SignOptions::default()
        };
        out.set(bk_bytes::from_vec(bankkey::cms::sign(
            content, &pairs, &options,
        )?));
        Ok(())
    })
}

/// Signs a PKCS#10 request with the current key (`signer`, whose certificate is `cert`), with
/// the signingTime `at` (Unix seconds): the remote-regeneration request of seed 002, for a
/// host that runs the flow from its own building blocks (the `bk_client` does it in
/// `bk_client_sign`).
///
/// Errors: `BK_KEY_MISMATCH` when `cert` does not hold the signer's key; the signer's errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_signed_request_new(
    request: *const bk_request,
    signer: *const bk_signer,
    cert: *const bk_certificate,
    at: i64,
    out: *mut *mut bk_signed_request,
) -> bk_status {
    boundary("bk_signed_request_new", || {
        let out = unsafe { buf::out(out, "out") }?;
        let r = unsafe { handle::get(request, "request") }?;
        let s = unsafe { handle::get(signer, "signer") }?;
        let c = unsafe { handle::get(cert, "cert") }?;
        let at = buf::instant(at, "at")?;
        let sr = SignedRequest::new_at(&r.req, s.signer.as_ref(), &c.cert, at)?;
        out.set(handle::into_handle::<bk_signed_request>(
            SignedRequestH::new(sr),
        ));
        Ok(())
    })
}
