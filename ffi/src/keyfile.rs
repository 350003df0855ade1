//! The client's current key brought in and taken out (issue 16): a PFX imported into a store
//! or exported from a file container, and CryptoPro CSP containers — opened as a read-only
//! `bk_key_store` (its key signs: a client can start the remote regeneration from it) or
//! imported into a file container or a token.

use std::sync::Arc;

use bankkey::pfx::{Pfx, PfxOptions};
use secrecy::ExposeSecret;

use crate::buf::{self, bk_bytes};
use crate::error::{Fail, boundary};
use crate::handle;
use crate::status::bk_status;
use crate::store::{Store, StoreH, bk_key_store};

/// Imports the one key of a PFX (DER; `password` UTF-8 bytes) into `store` (a file
/// container: kept under its password; a token: sensitive and non-extractable) as a key set
/// labelled `label`, with its certificate beside it under the same identifier; writes the
/// identifier to `*id`. If the certificate cannot be installed the key is removed again.
/// Reads the standard GOST profile, OpenSSL's, and CryptoPro CSP's own export (its key
/// encryption 1.2.840.113549.1.12.1.80; certificates under PKCS#12 triple DES or RC2).
///
/// Errors: `BK_WRONG_PASSWORD`; `BK_CONTENT_ALTERED` when the password is right but the MAC
/// (or the key's own MAC in CryptoPro's export) does not match; `BK_LIMIT_EXCEEDED`;
/// `BK_UNSUPPORTED_ALGORITHM` (GOST R 34.10-2001 keys, enveloped PFX); `BK_INVALID_INPUT`
/// (field "pfx") for a PFX
/// without a key or with several; `BK_PRECONDITION_FAILED` when the key is already there or
/// the store takes no imported keys (a CryptoPro container).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_import_pfx(
    store: *mut bk_key_store,
    pfx: *const u8,
    pfx_len: usize,
    password: *const u8,
    password_len: usize,
    label: *const std::ffi::c_char,
    id: *mut bk_bytes,
) -> bk_status {
    boundary("bk_key_store_import_pfx", || {
        let id = unsafe { buf::out(id, "id") }?;
        let h = unsafe { handle::get(store, "store") }?;
        let der = unsafe { buf::bytes(pfx, pfx_len, "pfx") }?;
        let pw = unsafe { buf::secret(password, password_len, "password") }?;
        let label = unsafe { buf::string(label, "label") }?;
        let pfx = Pfx::from_der(der, pw.expose_secret())?;
        let set = pfx.import_into(h.dyn_store(), label)?;
        id.set(bk_bytes::from_vec(set.id));
        Ok(())
    })
}

/// Writes the key set `id` of a file container (its key and certificate) as a PFX under
/// `password`, in the profile CryptoPro CSP (`certmgr -install -pfx`), OpenSSL and GnuTLS
/// read (GOST: Р 50.1.112-2016; RSA/ECDSA: OpenSSL 3's). `iterations`: PBKDF2 iterations, 0
/// for the default (2000, the standard's example and CryptoPro's). `*out` receives the DER.
///
/// Errors: `BK_INVALID_INPUT` (field "store") for a store other than a file container, (field
/// "password") for an empty password, (field "id") for an unknown key set; `BK_WRONG_PASSWORD`
/// for the container's password; `BK_LIMIT_EXCEEDED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_export_pfx(
    store: *const bk_key_store,
    id: *const u8,
    id_len: usize,
    password: *const u8,
    password_len: usize,
    iterations: u32,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_key_store_export_pfx", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(store, "store") }?;
        let id = unsafe { buf::bytes(id, id_len, "id") }?;
        let pw = unsafe { buf::secret(password, password_len, "password") }?;
        let Store::File(c) = &h.store else {
            return Err(Fail::invalid(
                "store",
                "only a file container's keys are exported (a token's cannot leave it)",
            ));
        };
        let mut options = PfxOptions::default();
        if iterations != 0 {
            options.iterations = iterations;
        }
        let der = Pfx::export(c, id, pw.expose_secret(), &options)?;
        out.set(bk_bytes::from_vec(der));
        Ok(())
    })
}

/// Opens a CryptoPro CSP file container folder (`xxxxxxxx.000`) with its PIN (UTF-8 bytes;
/// empty for a container without one) as a read-only key store: one key set, which signs (a
/// `bk_client` made from it starts the remote regeneration from the client's current key);
/// generating, installing, retiring, deleting and importing are `BK_PRECONDITION_FAILED`.
///
/// Errors: `BK_WRONG_PASSWORD` for a wrong PIN; `BK_MALFORMED_ENCODING` naming the damaged
/// file (field); `BK_STORAGE` when a file is missing; `BK_UNSUPPORTED_ALGORITHM` for a GOST R
/// 34.10-2001 key; `BK_KEY_MISMATCH` when the stored certificate holds another key.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_cryptopro_container_open(
    path: *const std::ffi::c_char,
    pin: *const u8,
    pin_len: usize,
    out: *mut *mut bk_key_store,
) -> bk_status {
    boundary("bk_cryptopro_container_open", || {
        let out = unsafe { buf::out(out, "out") }?;
        let path = unsafe { buf::path(path, "path") }?;
        let pin = unsafe { buf::secret(pin, pin_len, "pin") }?;
        let container = bankkey::cryptopro::CryptoProContainer::open(&path)?;
        let store = container.unlock(pin.expose_secret())?;
        out.set(handle::into_handle::<bk_key_store>(StoreH::new(
            Store::CryptoPro(Arc::new(store)),
        )));
        Ok(())
    })
}

/// Imports the key of a CryptoPro container (opened with `pin`) and the certificate stored
/// with it into `store` as a key set labelled `label`; writes its identifier to `*id`.
///
/// Errors: those of `bk_cryptopro_container_open` and of `bk_key_store_import_pfx`'s import.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_import_cryptopro(
    store: *mut bk_key_store,
    path: *const std::ffi::c_char,
    pin: *const u8,
    pin_len: usize,
    label: *const std::ffi::c_char,
    id: *mut bk_bytes,
) -> bk_status {
    boundary("bk_key_store_import_cryptopro", || {
        let id = unsafe { buf::out(id, "id") }?;
        let h = unsafe { handle::get(store, "store") }?;
        let path = unsafe { buf::path(path, "path") }?;
        let pin = unsafe { buf::secret(pin, pin_len, "pin") }?;
        let label = unsafe { buf::string(label, "label") }?;
        let container = bankkey::cryptopro::CryptoProContainer::open(&path)?;
        let set = container
            .unlock(pin.expose_secret())?
            .import_into(h.dyn_store(), label)?;
        id.set(bk_bytes::from_vec(set.id));
        Ok(())
    })
}
