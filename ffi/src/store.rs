//! Key stores: the file container (a directory of password-encrypted keys: a flash drive, the
//! embedded default) and PKCS#11 tokens, behind one `bk_key_store` handle; PIN state, login,
//! PIN change; key sets; key generation; a signer from a key set.
//!
//! A `bk_key_store` is shared (`Arc` inside): a `bk_client` or `bk_signer` made from it keeps
//! the store alive, so the host may free its handle at any time. New kinds of store (a PFX
//! file, a CryptoPro container: issue 16) are one more [`Store`] variant and one more
//! constructor; every `bk_key_store_*` call works on them through `KeyStore`.

use std::sync::{Arc, OnceLock};

use bankkey::key::KeyAlgorithm;
use bankkey::store::pkcs11::{
    LoginOptions, Pkcs11Module, Pkcs11Token, SlotInfo, TokenInfo, TokenSelector,
};
use bankkey::store::{FileContainer, KeySet, KeySetKind, KeyStore};

use crate::buf::{self, bk_bytes, bk_slice, bk_str};
use crate::error::{Fail, Result, boundary, quiet};
use crate::handle::{self, castable};
use crate::pki::bk_certificate;
use crate::signer::{SignerH, bk_signer};
use crate::status::{BK_INVALID_INPUT, bk_status};
use crate::view::{self, Arena, View, bk_key_info};

/// A key store: a file container or a PKCS#11 token. Thread-safe: any thread may use it
/// at the same time as others (a container serialises its writes with a file lock, a
/// token has a session per operation). Free with `bk_key_store_free`; clients and signers
/// made from it keep it alive.
pub struct bk_key_store {
    _private: [u8; 0],
}
castable!(bk_key_store => StoreH, b"bk-store");
/// A loaded PKCS#11 module (one instance per library path in the process; `C_Finalize`
/// when the last holder is freed). Thread-safe. Free with `bk_pkcs11_module_free`.
pub struct bk_pkcs11_module {
    _private: [u8; 0],
}
castable!(bk_pkcs11_module => Pkcs11Module, b"bk-p11m\0");
/// A snapshot of a module's slots and their tokens. Immutable. Free with
/// `bk_slot_list_free`.
pub struct bk_slot_list {
    _private: [u8; 0],
}
castable!(bk_slot_list => SlotListH, b"bk-slots");
/// A snapshot of a store's key sets. Immutable. Free with `bk_key_set_list_free`.
pub struct bk_key_set_list {
    _private: [u8; 0],
}
castable!(bk_key_set_list => KeySetListH, b"bk-ksets");

/// The stores a `bk_key_store` can be.
pub(crate) enum Store {
    File(Arc<FileContainer>),
    Token(Arc<Pkcs11Token>),
    /// A CryptoPro container opened with its PIN: read-only (`keyfile.rs`).
    CryptoPro(Arc<bankkey::cryptopro::CryptoProStore>),
}

pub(crate) struct StoreH {
    pub store: Store,
    token_view: OnceLock<View<bk_token_info>>,
}

impl StoreH {
    pub(crate) fn new(store: Store) -> StoreH {
        StoreH {
            store,
            token_view: OnceLock::new(),
        }
    }

    /// The store as the lifecycle takes it (shared, never consumed).
    pub fn shared(&self) -> Box<dyn KeyStore> {
        match &self.store {
            Store::File(f) => Box::new(f.clone()),
            Store::Token(t) => Box::new(t.clone()),
            Store::CryptoPro(c) => Box::new(c.clone()),
        }
    }

    pub(crate) fn dyn_store(&self) -> &dyn KeyStore {
        match &self.store {
            Store::File(f) => f.as_ref(),
            Store::Token(t) => t.as_ref(),
            Store::CryptoPro(c) => c.as_ref(),
        }
    }

    fn token(&self) -> Result<&Arc<Pkcs11Token>> {
        match &self.store {
            Store::Token(t) => Ok(t),
            _ => Err(Fail::invalid(
                "store",
                "this key store is not a PKCS#11 token",
            )),
        }
    }
}

pub(crate) struct SlotListH {
    view: View<bk_slot_list_info>,
}

pub(crate) struct KeySetListH {
    view: View<bk_key_set_list_info>,
}

/// What a token says about itself (CK_TOKEN_INFO, blanks trimmed) and its user PIN.
#[repr(C)]
pub struct bk_token_info {
    /// The slot it is in.
    pub slot_id: u64,
    /// The label.
    pub label: bk_str,
    /// The serial number: the reliable way to find the token again.
    pub serial: bk_str,
    /// The model.
    pub model: bk_str,
    /// The manufacturer.
    pub manufacturer: bk_str,
    /// The user PIN state (`BK_PIN_STATE_*`; `bk_text(BK_VOCABULARY_PIN_STATE, …)` words it).
    pub pin_state: u32,
    /// Its machine name ("ok", "to_be_changed", "count_low", "final_try", "locked", ...).
    pub pin_state_name: bk_str,
    /// CKF_TOKEN_INITIALIZED.
    pub token_initialized: bool,
    /// CKF_LOGIN_REQUIRED.
    pub login_required: bool,
    /// CKF_USER_PIN_INITIALIZED.
    pub user_pin_initialized: bool,
    /// CKF_PROTECTED_AUTHENTICATION_PATH (a PIN pad: the PIN is typed on the device).
    pub protected_authentication_path: bool,
    /// CKF_WRITE_PROTECTED.
    pub write_protected: bool,
    /// CKF_SO_PIN_LOCKED.
    pub so_pin_locked: bool,
    /// The shortest PIN the token takes.
    pub min_pin_len: u64,
    /// The longest.
    pub max_pin_len: u64,
    /// Hardware version "major.minor".
    pub hardware_version: bk_str,
    /// Firmware version "major.minor".
    pub firmware_version: bk_str,
}

/// A slot (a reader) and the token in it.
#[repr(C)]
pub struct bk_slot_info {
    /// The slot ID.
    pub slot_id: u64,
    /// The slot description (the reader's name).
    pub description: bk_str,
    /// The slot manufacturer.
    pub manufacturer: bk_str,
    /// A token is in the slot (then `token` describes it).
    pub token_present: bool,
    /// The token can be removed (USB token, smart card).
    pub removable: bool,
    /// A hardware slot.
    pub hardware: bool,
    /// The token, when present and readable.
    pub has_token: bool,
    /// The token (zeroed when `has_token` is false).
    pub token: bk_token_info,
    /// Why the token could not be read, when present but unreadable.
    pub token_error: bk_str,
}

/// A module's slots. Owned by the `bk_slot_list`.
#[repr(C)]
pub struct bk_slot_list_info {
    /// The module's manufacturer.
    pub library_manufacturer: bk_str,
    /// The module's description.
    pub library_description: bk_str,
    /// The module's version.
    pub library_version: bk_str,
    /// The slots.
    pub slots: *const bk_slot_info,
    /// How many.
    pub count: usize,
}

/// What a key set is made of.
pub const BK_KEY_SET_COMPLETE: u32 = 1;
/// A private key without a certificate (waiting for the bank).
pub const BK_KEY_SET_KEY_WITHOUT_CERTIFICATE: u32 = 2;
/// A certificate without its private key.
pub const BK_KEY_SET_CERTIFICATE_WITHOUT_KEY: u32 = 3;
/// Only a public key.
pub const BK_KEY_SET_PUBLIC_KEY_ONLY: u32 = 4;

/// One key set: a private key, its public key and (once issued) its certificate, tied by one
/// identifier (the CKA_ID on a token).
#[repr(C)]
pub struct bk_key_set {
    /// The identifier (by default the SHA-1 of the public key bits).
    pub id: bk_slice,
    /// The same in lowercase hex.
    pub id_hex: bk_str,
    /// The label.
    pub label: bk_str,
    /// `BK_KEY_SET_*`.
    pub kind: u32,
    /// The private key is in the store.
    pub has_private_key: bool,
    /// Retired: kept, but no longer the one in use.
    pub retired: bool,
    /// Whether the public key is known (then `key` describes it).
    pub has_public_key: bool,
    /// The public key.
    pub key: bk_key_info,
    /// The certificate DER, once installed (empty otherwise); `bk_certificate_parse` reads it.
    pub certificate: bk_slice,
    /// notAfter of the certificate (Unix seconds), 0 without one.
    pub not_after: i64,
    /// The certificate's subject on one line, when there is one.
    pub subject: bk_str,
    /// What is wrong with the set's stored parts, one line each naming the part (a file of the
    /// container, an object on the token) and the problem — a certificate that does not parse
    /// or holds another key, metadata that does not read, a public key that does not parse.
    /// Empty when every part reads. A damaged set is listed with what could be read, never
    /// hidden or silently repaired, and never chosen as the key set in use by a `bk_client`.
    pub damage: *const bk_str,
    /// How many lines (0: not damaged).
    pub damage_count: usize,
}

/// A store's key sets, and warnings about the medium as a whole. Owned by the
/// `bk_key_set_list`.
#[repr(C)]
pub struct bk_key_set_list_info {
    /// The key sets.
    pub items: *const bk_key_set,
    /// How many.
    pub count: usize,
    /// Warnings in English (seed 004: more than one qualified key on one medium).
    pub warnings: *const bk_str,
    /// How many.
    pub warnings_count: usize,
}

/// Creates a file container in `path` (created if missing; it must be empty) protected by
/// `password` (bytes of UTF-8, not NUL-terminated; wiped after use by the library, the
/// caller wipes its own copy). `kdf_iterations`: PBKDF2 iterations for keys written through
/// this handle, 0 for the default (600,000); lower counts only for tests.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_file_container_create(
    path: *const std::ffi::c_char,
    password: *const u8,
    password_len: usize,
    kdf_iterations: u32,
    out: *mut *mut bk_key_store,
) -> bk_status {
    boundary("bk_file_container_create", || {
        let out = unsafe { buf::out(out, "out") }?;
        let path = unsafe { buf::path(path, "path") }?;
        let pw = unsafe { buf::secret(password, password_len, "password") }?;
        let mut c = FileContainer::create(&path, pw)?;
        if kdf_iterations != 0 {
            c.set_kdf_iterations(kdf_iterations);
        }
        out.set(handle::into_handle::<bk_key_store>(StoreH::new(
            Store::File(Arc::new(c)),
        )));
        Ok(())
    })
}

/// Opens the file container in `path`. A wrong password shows when a key is used
/// (`BK_WRONG_PASSWORD`). `kdf_iterations` as for `bk_file_container_create`.
///
/// Errors: `BK_STORAGE` when `path` is not a container; `BK_IO`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_file_container_open(
    path: *const std::ffi::c_char,
    password: *const u8,
    password_len: usize,
    kdf_iterations: u32,
    out: *mut *mut bk_key_store,
) -> bk_status {
    boundary("bk_file_container_open", || {
        let out = unsafe { buf::out(out, "out") }?;
        let path = unsafe { buf::path(path, "path") }?;
        let pw = unsafe { buf::secret(password, password_len, "password") }?;
        let mut c = FileContainer::open(&path, pw)?;
        if kdf_iterations != 0 {
            c.set_kdf_iterations(kdf_iterations);
        }
        out.set(handle::into_handle::<bk_key_store>(StoreH::new(
            Store::File(Arc::new(c)),
        )));
        Ok(())
    })
}

/// Copies a file container into `dest` (which must not exist or be empty): every file written
/// atomically and read back, the marker last, so an interrupted copy is not a container.
/// `*out` receives the copy, opened with the same password, as a new `bk_key_store` (`out`
/// NULL: not wanted).
///
/// Errors: `BK_INVALID_INPUT` (field "store") for a token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_backup(
    store: *const bk_key_store,
    dest: *const std::ffi::c_char,
    out: *mut *mut bk_key_store,
) -> bk_status {
    boundary("bk_key_store_backup", || {
        let h = unsafe { handle::get(store, "store") }?;
        let dest = unsafe { buf::path(dest, "dest") }?;
        let Store::File(c) = &h.store else {
            return Err(Fail::invalid(
                "store",
                "only a file container is backed up this way",
            ));
        };
        let copy = c.backup_to(&dest)?;
        if !out.is_null() {
            unsafe {
                *out = handle::into_handle::<bk_key_store>(StoreH::new(Store::File(Arc::new(copy))))
            };
        }
        Ok(())
    })
}

/// A description of the medium ("token «label» (manufacturer model, serial …)", a path).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_description(
    store: *const bk_key_store,
    out: *mut bk_bytes,
) -> bk_status {
    boundary("bk_key_store_description", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(store, "store") }?;
        out.set(bk_bytes::from_string(h.dyn_store().description()));
        Ok(())
    })
}

/// Generates a key pair in the store (on a token: non-extractable, with a shared CKA_ID) and
/// writes its key-set identifier to `*id`. `algorithm` is an id such as
/// "gost2012-256-cryptopro-a", "gost2012-512-tc26-a", "rsa-2048", "ecdsa-p256".
///
/// Errors: `BK_UNSUPPORTED_ALGORITHM` (field "algorithm"); on a token `BK_PIN_FACTORY_DEFAULT`
/// while the PIN is a factory PIN, `BK_PKCS11`, `BK_TOKEN_ABSENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_generate(
    store: *mut bk_key_store,
    algorithm: *const std::ffi::c_char,
    label: *const std::ffi::c_char,
    id: *mut bk_bytes,
) -> bk_status {
    boundary("bk_key_store_generate", || {
        let id = unsafe { buf::out(id, "id") }?;
        let h = unsafe { handle::get(store, "store") }?;
        let alg = KeyAlgorithm::parse(unsafe { buf::string(algorithm, "algorithm") }?)?;
        let label = unsafe { buf::string(label, "label") }?;
        let set = h.dyn_store().generate(alg, label)?;
        id.set(bk_bytes::from_vec(set.id));
        Ok(())
    })
}

/// Every key set in the store, complete or not, and warnings about the medium.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_key_sets(
    store: *const bk_key_store,
    out: *mut *mut bk_key_set_list,
) -> bk_status {
    boundary("bk_key_store_key_sets", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(store, "store") }?;
        let s = h.dyn_store();
        let sets = s.key_sets()?;
        let warnings = bankkey::store::medium_warnings(&sets);
        out.set(handle::into_handle::<bk_key_set_list>(KeySetListH {
            view: key_set_list_view(sets, warnings),
        }));
        Ok(())
    })
}

/// One key set as C sees it, its text and bytes in `a`.
pub(crate) fn key_set_view(a: &mut Arena, k: KeySet) -> bk_key_set {
    let kind = match k.kind() {
        KeySetKind::Complete => BK_KEY_SET_COMPLETE,
        KeySetKind::KeyWithoutCertificate => BK_KEY_SET_KEY_WITHOUT_CERTIFICATE,
        KeySetKind::CertificateWithoutKey => BK_KEY_SET_CERTIFICATE_WITHOUT_KEY,
        KeySetKind::PublicKeyOnly => BK_KEY_SET_PUBLIC_KEY_ONLY,
    };
    let key_info = k.public_key_spki.as_deref().and_then(|spki| {
        bankkey::pki::KeyInfo::from_spki_der(spki)
            .ok()
            .map(|i| (i, spki))
    });
    let cert = k
        .certificate
        .as_deref()
        .and_then(|c| bankkey::pki::Certificate::from_der(c).ok());
    let (damage, damage_count) = a.strs(k.damage.clone());
    bk_key_set {
        id: a.bytes(k.id.clone()),
        id_hex: a.str(&k.id_hex()),
        label: a.str(&k.label),
        kind,
        has_private_key: k.has_private_key,
        retired: k.retired,
        has_public_key: key_info.is_some(),
        key: match &key_info {
            Some((i, spki)) => view::key(a, i, spki),
            None => view::key_absent(),
        },
        certificate: k.certificate.map_or(bk_slice::EMPTY, |c| a.bytes(c)),
        not_after: cert.as_ref().map_or(0, |c| c.not_after().unix_timestamp()),
        subject: a.opt_str(cert.as_ref().map(|c| c.subject().to_string()).as_deref()),
        damage,
        damage_count,
    }
}

fn key_set_list_view(sets: Vec<KeySet>, warnings: Vec<String>) -> View<bk_key_set_list_info> {
    let mut a = Arena::default();
    let items: Vec<bk_key_set> = sets.into_iter().map(|k| key_set_view(&mut a, k)).collect();
    let (items, count) = a.array(items);
    let (warnings, warnings_count) = a.strs(warnings);
    View::new(
        a,
        bk_key_set_list_info {
            items,
            count,
            warnings,
            warnings_count,
        },
    )
}

/// The key sets. `*out` stays valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_set_list_get_info(
    list: *const bk_key_set_list,
    out: *mut *const bk_key_set_list_info,
) -> bk_status {
    boundary("bk_key_set_list_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(list, "list") }?;
        out.set(&h.view.c);
        Ok(())
    })
}

/// Frees a key-set list (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_set_list_free(list: *mut bk_key_set_list) {
    quiet((), || unsafe { handle::free(list) })
}

/// A signer for the key set `id` (a container key is decrypted now and kept until the signer
/// is freed; a token key signs on the token, logged in).
///
/// Errors: `BK_WRONG_PASSWORD` (container), `BK_INVALID_INPUT` (no such key set), token
/// errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_signer(
    store: *const bk_key_store,
    id: *const u8,
    id_len: usize,
    out: *mut *mut bk_signer,
) -> bk_status {
    boundary("bk_key_store_signer", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(store, "store") }?;
        let id = unsafe { buf::bytes(id, id_len, "id") }?;
        let signer = h.dyn_store().signer(id)?;
        out.set(SignerH::boxed(Arc::from(signer)));
        Ok(())
    })
}

/// Installs a certificate beside its key: the key set `id` (NULL: the one holding the
/// certificate's public key).
///
/// Errors: `BK_KEY_MISMATCH` when the certificate does not hold that key.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_install_certificate(
    store: *mut bk_key_store,
    cert: *const bk_certificate,
    id: *const u8,
    id_len: usize,
) -> bk_status {
    boundary("bk_key_store_install_certificate", || {
        let h = unsafe { handle::get(store, "store") }?;
        let c = unsafe { handle::get(cert, "cert") }?;
        let id = if id.is_null() {
            None
        } else {
            Some(unsafe { buf::bytes(id, id_len, "id") }?)
        };
        h.dyn_store().install_certificate(c.cert.der(), id)?;
        Ok(())
    })
}

/// Marks a key set retired (kept, no longer the one in use).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_retire(
    store: *mut bk_key_store,
    id: *const u8,
    id_len: usize,
) -> bk_status {
    boundary("bk_key_store_retire", || {
        let h = unsafe { handle::get(store, "store") }?;
        h.dyn_store().retire(unsafe { nonempty_id(id, id_len) }?)?;
        Ok(())
    })
}

/// Deletes a key set, every part of it. The regeneration flow deletes an old key set only
/// through `bk_client_delete_old_key`, after its successor is proven.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_delete(
    store: *mut bk_key_store,
    id: *const u8,
    id_len: usize,
) -> bk_status {
    boundary("bk_key_store_delete", || {
        let h = unsafe { handle::get(store, "store") }?;
        h.dyn_store().delete(unsafe { nonempty_id(id, id_len) }?)?;
        Ok(())
    })
}

unsafe fn nonempty_id<'a>(id: *const u8, id_len: usize) -> Result<&'a [u8]> {
    let id = unsafe { buf::bytes(id, id_len, "id") }?;
    if id.is_empty() {
        return Err(Fail::invalid("id", "the key-set identifier is empty"));
    }
    Ok(id)
}

/// Frees a key store handle (NULL: nothing). Clients and signers made from it keep the store
/// open; a token logs out when its last holder is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_free(store: *mut bk_key_store) {
    quiet((), || unsafe { handle::free(store) })
}

// ---- PKCS#11 ----

/// Loads a PKCS#11 module (`librtpkcs11ecp.so`, `libsofthsm2.so`, ...), or returns the
/// instance already loaded from the same path.
///
/// Errors: `BK_PKCS11` (field "module") when it does not load.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_pkcs11_module_load(
    path: *const std::ffi::c_char,
    out: *mut *mut bk_pkcs11_module,
) -> bk_status {
    boundary("bk_pkcs11_module_load", || {
        let out = unsafe { buf::out(out, "out") }?;
        let path = unsafe { buf::path(path, "path") }?;
        let m = Pkcs11Module::load(&path)?;
        out.set(handle::into_handle::<bk_pkcs11_module>(m));
        Ok(())
    })
}

/// Frees a module handle (NULL: nothing); the module is finalised when nothing holds it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_pkcs11_module_free(module: *mut bk_pkcs11_module) {
    quiet((), || unsafe { handle::free(module) })
}

pub(crate) fn token_view(a: &mut Arena, t: &TokenInfo) -> bk_token_info {
    bk_token_info {
        slot_id: t.slot_id,
        label: a.str(&t.label),
        serial: a.str(&t.serial),
        model: a.str(&t.model),
        manufacturer: a.str(&t.manufacturer),
        pin_state: t.pin_state.code(),
        pin_state_name: a.str(t.pin_state.as_str()),
        token_initialized: t.flags.token_initialized,
        login_required: t.flags.login_required,
        user_pin_initialized: t.flags.user_pin_initialized,
        protected_authentication_path: t.flags.protected_authentication_path,
        write_protected: t.flags.write_protected,
        so_pin_locked: t.flags.so_pin_locked,
        min_pin_len: t.min_pin_len,
        max_pin_len: t.max_pin_len,
        hardware_version: a.str(&t.hardware_version),
        firmware_version: a.str(&t.firmware_version),
    }
}

/// A slot as C sees it, with its token as read (or why it could not be read).
pub(crate) fn slot_view(
    a: &mut Arena,
    s: &SlotInfo,
    token: std::result::Result<&TokenInfo, Option<String>>,
) -> bk_slot_info {
    let (has_token, token, token_error) = match token {
        Ok(t) => (true, token_view(a, t), bk_str::NONE),
        Err(e) => (
            false,
            token_absent(),
            if s.token_present {
                a.str(e.as_deref().unwrap_or("the token could not be read"))
            } else {
                bk_str::NONE
            },
        ),
    };
    bk_slot_info {
        slot_id: s.slot_id,
        description: a.str(&s.description),
        manufacturer: a.str(&s.manufacturer),
        token_present: s.token_present,
        removable: s.removable,
        hardware: s.hardware,
        has_token,
        token,
        token_error,
    }
}

fn token_absent() -> bk_token_info {
    bk_token_info {
        slot_id: 0,
        label: bk_str::NONE,
        serial: bk_str::NONE,
        model: bk_str::NONE,
        manufacturer: bk_str::NONE,
        pin_state: 0,
        pin_state_name: bk_str::NONE,
        token_initialized: false,
        login_required: false,
        user_pin_initialized: false,
        protected_authentication_path: false,
        write_protected: false,
        so_pin_locked: false,
        min_pin_len: 0,
        max_pin_len: 0,
        hardware_version: bk_str::NONE,
        firmware_version: bk_str::NONE,
    }
}

/// Every slot of the module, with the token in it (a snapshot: call again to see a token
/// plugged in or removed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_pkcs11_module_slots(
    module: *const bk_pkcs11_module,
    out: *mut *mut bk_slot_list,
) -> bk_status {
    boundary("bk_pkcs11_module_slots", || {
        let out = unsafe { buf::out(out, "out") }?;
        let m = unsafe { handle::get(module, "module") }?;
        let (manufacturer, description, version) = m.library_info()?;
        let slots = m.slots()?;
        let tokens = m.tokens();
        let mut a = Arena::default();
        let items: Vec<bk_slot_info> = slots
            .iter()
            .map(|s| {
                let token = match &tokens {
                    Ok(list) => list.iter().find(|t| t.slot_id == s.slot_id).ok_or(None),
                    Err(e) => Err(Some(e.to_string())),
                };
                slot_view(&mut a, s, token)
            })
            .collect();
        let (slots, count) = a.array(items);
        let info = bk_slot_list_info {
            library_manufacturer: a.str(&manufacturer),
            library_description: a.str(&description),
            library_version: a.str(&version),
            slots,
            count,
        };
        out.set(handle::into_handle::<bk_slot_list>(SlotListH {
            view: View::new(a, info),
        }));
        Ok(())
    })
}

/// The slots. `*out` stays valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_slot_list_get_info(
    list: *const bk_slot_list,
    out: *mut *const bk_slot_list_info,
) -> bk_status {
    boundary("bk_slot_list_get_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(list, "list") }?;
        out.set(&h.view.c);
        Ok(())
    })
}

/// Frees a slot list (NULL: nothing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_slot_list_free(list: *mut bk_slot_list) {
    quiet((), || unsafe { handle::free(list) })
}

/// Initialises (erases!) the token in `slot_id` with the security officer's PIN and a label
/// (C_InitToken): for issuing tokens and for tests; a subscriber's token is never initialised
/// by a client. Set the user PIN next with `bk_key_store_init_user_pin`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_pkcs11_module_init_token(
    module: *mut bk_pkcs11_module,
    slot_id: u64,
    so_pin: *const u8,
    so_pin_len: usize,
    label: *const std::ffi::c_char,
) -> bk_status {
    boundary("bk_pkcs11_module_init_token", || {
        let m = unsafe { handle::get(module, "module") }?;
        let so = unsafe { buf::secret(so_pin, so_pin_len, "so_pin") }?;
        let label = unsafe { buf::string(label, "label") }?;
        m.init_token(slot_id, &so, label)?;
        Ok(())
    })
}

/// Choose the token by its serial number (`value`): the reliable way.
pub const BK_TOKEN_BY_SERIAL: u32 = 1;
/// Choose the token by its label (`value`).
pub const BK_TOKEN_BY_LABEL: u32 = 2;
/// Choose the token by slot ID (`slot_id`; `value` is ignored).
pub const BK_TOKEN_BY_SLOT: u32 = 3;
/// The only token present (`value` is ignored); `BK_INVALID_INPUT` when there are several.
pub const BK_TOKEN_ONLY: u32 = 4;

/// Opens a token of the module as a key store: `by` is `BK_TOKEN_BY_SERIAL`, `_BY_LABEL`,
/// `_BY_SLOT` or `BK_TOKEN_ONLY`.
///
/// Errors: `BK_TOKEN_ABSENT` when no token matches; `BK_INVALID_INPUT` (field "by") for an
/// unknown `by`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_pkcs11_token_open(
    module: *const bk_pkcs11_module,
    by: u32,
    value: *const std::ffi::c_char,
    slot_id: u64,
    out: *mut *mut bk_key_store,
) -> bk_status {
    boundary("bk_pkcs11_token_open", || {
        let out = unsafe { buf::out(out, "out") }?;
        let m = unsafe { handle::get(module, "module") }?;
        let selector = match by {
            BK_TOKEN_BY_SERIAL => {
                TokenSelector::Serial(unsafe { buf::string(value, "value") }?.to_owned())
            }
            BK_TOKEN_BY_LABEL => {
                TokenSelector::Label(unsafe { buf::string(value, "value") }?.to_owned())
            }
            BK_TOKEN_BY_SLOT => TokenSelector::Slot(slot_id),
            BK_TOKEN_ONLY => TokenSelector::Only,
            other => {
                return Err(
                    Fail::new(BK_INVALID_INPUT, format!("unknown token selector {other}"))
                        .field("by"),
                );
            }
        };
        let token = m.open_token(&selector)?;
        out.set(handle::into_handle::<bk_key_store>(StoreH::new(
            Store::Token(Arc::new(token)),
        )));
        Ok(())
    })
}

/// Whether key generation on this token keeps a pair to which the token gave usages the
/// template set false (`accept` non-zero) or destroys it and fails (zero, the default).
///
/// After `C_GenerateKeyPair` the library reads every flag of the new pair back; a token that
/// did not keep the template (a signing key that can also decrypt, unwrap or derive, or a
/// private key that can leave the token) gets the pair destroyed and `bk_key_store_generate`
/// fails with `BK_PKCS11`, `bk_last_error_field` naming the attribute ("CKA_DECRYPT", ...).
/// Call this with `accept` non-zero only for a token known to force extra usages, when the
/// host prefers that to not generating on it: it never lets through a private key that is
/// extractable, not sensitive, readable without the PIN, not a token object or unable to
/// sign. Applies to every later generation on this token, from any handle of it.
///
/// Errors: `BK_INVALID_INPUT` (field "store") for a file container.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_accept_extra_key_usages(
    store: *mut bk_key_store,
    accept: bool,
) -> bk_status {
    boundary("bk_key_store_accept_extra_key_usages", || {
        let h = unsafe { handle::get(store, "store") }?;
        h.token()?.set_accept_extra_key_usages(accept);
        Ok(())
    })
}

/// The token's description as read when it was opened. `*out` stays valid until the store is
/// freed. For the PIN state now, `bk_key_store_pin_state`.
///
/// Errors: `BK_INVALID_INPUT` (field "store") for a file container.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_token_info(
    store: *const bk_key_store,
    out: *mut *const bk_token_info,
) -> bk_status {
    boundary("bk_key_store_token_info", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(store, "store") }?;
        let t = h.token()?;
        let v = h.token_view.get_or_init(|| {
            let mut a = Arena::default();
            let c = token_view(&mut a, t.info());
            View::new(a, c)
        });
        out.set(&v.c);
        Ok(())
    })
}

/// The user PIN state now (`BK_PIN_STATE_*`): the token's flags, and "to be changed" after a
/// login with a known factory PIN the token does not flag.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_pin_state(
    store: *const bk_key_store,
    out: *mut u32,
) -> bk_status {
    boundary("bk_key_store_pin_state", || {
        let out = unsafe { buf::out(out, "out") }?;
        let h = unsafe { handle::get(store, "store") }?;
        out.set(h.token()?.pin_state()?.code());
        Ok(())
    })
}

/// Log in even on the final PIN try (ask the user first: one more wrong PIN locks the token).
pub const BK_LOGIN_INSIST_ON_FINAL_TRY: u32 = 1;

/// Logs the user in with `pin` (bytes, not NUL-terminated). Refused without trying when the
/// PIN is locked, or on its final try unless `flags` has `BK_LOGIN_INSIST_ON_FINAL_TRY`.
///
/// Errors: `BK_PIN_INCORRECT` (the message says how many tries are left, as the token
/// tells), `BK_PIN_LOCKED`, `BK_PIN_FINAL_TRY`, `BK_TOKEN_ABSENT`, `BK_PKCS11`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_login(
    store: *mut bk_key_store,
    pin: *const u8,
    pin_len: usize,
    flags: u32,
) -> bk_status {
    boundary("bk_key_store_login", || {
        let h = unsafe { handle::get(store, "store") }?;
        let pin = unsafe { buf::secret(pin, pin_len, "pin") }?;
        if flags & !BK_LOGIN_INSIST_ON_FINAL_TRY != 0 {
            return Err(Fail::invalid(
                "flags",
                format!("unknown login flags {flags:#x}"),
            ));
        }
        let options = LoginOptions {
            insist_on_final_try: flags & BK_LOGIN_INSIST_ON_FINAL_TRY != 0,
        };
        h.token()?.login(&pin, options)?;
        Ok(())
    })
}

/// Logs out (idempotent).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_logout(store: *mut bk_key_store) -> bk_status {
    boundary("bk_key_store_logout", || {
        let h = unsafe { handle::get(store, "store") }?;
        h.token()?.logout()?;
        Ok(())
    })
}

/// Changes the user PIN. The new PIN may not be a known factory PIN (12345678, 1234567890)
/// and must fit the token's length limits.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_change_pin(
    store: *mut bk_key_store,
    old_pin: *const u8,
    old_pin_len: usize,
    new_pin: *const u8,
    new_pin_len: usize,
) -> bk_status {
    boundary("bk_key_store_change_pin", || {
        let h = unsafe { handle::get(store, "store") }?;
        let old = unsafe { buf::secret(old_pin, old_pin_len, "old_pin") }?;
        let new = unsafe { buf::secret(new_pin, new_pin_len, "new_pin") }?;
        h.token()?.change_pin(&old, &new)?;
        Ok(())
    })
}

/// The security officer sets a new user PIN (how a locked PIN is unlocked).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bk_key_store_init_user_pin(
    store: *mut bk_key_store,
    so_pin: *const u8,
    so_pin_len: usize,
    new_pin: *const u8,
    new_pin_len: usize,
) -> bk_status {
    boundary("bk_key_store_init_user_pin", || {
        let h = unsafe { handle::get(store, "store") }?;
        let so = unsafe { buf::secret(so_pin, so_pin_len, "so_pin") }?;
        let new = unsafe { buf::secret(new_pin, new_pin_len, "new_pin") }?;
        h.token()?.init_user_pin(&so, &new)?;
        Ok(())
    })
}
