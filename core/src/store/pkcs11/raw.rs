//! The raw PKCS#11 layer: the few calls `cryptoki` 0.12 cannot make, over `cryptoki-sys`.
//!
//! `cryptoki` models mechanisms and attributes as closed Rust enums. It has no
//! `MechanismType` for the GOST mechanisms 0x1200–0x1202 (they are below the vendor range, so
//! `MechanismType::new_vendor_defined` refuses them), it drops every mechanism type it does not
//! know from `get_mechanism_list`, and it cannot read `CKA_GOSTR3410_PARAMS` /
//! `CKA_GOSTR3411_PARAMS` back. Rather than patch around that at each call site, this module
//! offers four numeric calls — mechanism list and info, attribute read, key-pair generation and
//! sign — taking plain `CK_*` numbers and byte templates, on the session handles `cryptoki`
//! opened. Everything else goes through `cryptoki`.
//!
//! How it reaches the module: it `dlopen`s the same library path again (the loader returns the
//! already loaded instance, so session handles and the `C_Initialize` state are shared with
//! `cryptoki`'s context) and asks it for its `CK_FUNCTION_LIST`.
//!
//! This is the only module of the crate that allows `unsafe` (ARCHITECTURE.md, "Key stores").
//! Every call keeps to one pattern: pointers to Rust-owned buffers that outlive the call, with
//! the lengths of those buffers, and the two-call size query of PKCS#11 §5.2 for outputs.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::path::Path;

use cryptoki_sys::{
    CK_ATTRIBUTE, CK_BBOOL, CK_FUNCTION_LIST, CK_MECHANISM, CK_MECHANISM_INFO, CK_OBJECT_HANDLE,
    CK_RV, CK_SESSION_HANDLE, CK_SLOT_ID, CK_TOKEN_INFO, CK_ULONG, CK_UNAVAILABLE_INFORMATION,
    CKR_ATTRIBUTE_SENSITIVE, CKR_ATTRIBUTE_TYPE_INVALID, CKR_BUFFER_TOO_SMALL, CKR_OK,
};

use super::error::ckr_error;
use crate::{Error, ErrorKind, Result};

/// One attribute of a template: its type and its value bytes, as PKCS#11 lays them out.
#[derive(Clone, PartialEq, Eq)]
pub struct RawAttribute {
    /// The `CKA_*` type.
    pub kind: CK_ULONG,
    /// The value bytes (a `CK_BBOOL` is one byte, a `CK_ULONG` its native-endian bytes).
    pub value: Vec<u8>,
}

// A template may carry a private key's value (an import): wiped when dropped.
impl Drop for RawAttribute {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
    }
}

impl std::fmt::Debug for RawAttribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CKA 0x{:X} ({} bytes)", self.kind, self.value.len())
    }
}

impl RawAttribute {
    /// A `CK_BBOOL` attribute.
    pub fn bool(kind: CK_ULONG, value: bool) -> Self {
        let b: CK_BBOOL = value.into();
        RawAttribute {
            kind,
            value: vec![b],
        }
    }

    /// A `CK_ULONG` attribute (class, key type, modulus bits).
    pub fn ulong(kind: CK_ULONG, value: CK_ULONG) -> Self {
        RawAttribute {
            kind,
            value: value.to_ne_bytes().to_vec(),
        }
    }

    /// A byte-string attribute (CKA_ID, CKA_LABEL, DER parameters).
    pub fn bytes(kind: CK_ULONG, value: &[u8]) -> Self {
        RawAttribute {
            kind,
            value: value.to_vec(),
        }
    }
}

/// A module's function list, reached through a second `dlopen` of the same library.
pub(crate) struct RawModule {
    // Keeps the library mapped while `list` is used; dropped after it.
    _library: libloading::Library,
    list: *const CK_FUNCTION_LIST,
}

// SAFETY: the function list is an immutable table of function pointers owned by the module and
// valid while the library stays loaded (we hold it). PKCS#11 modules are initialised by
// cryptoki with CKF_OS_LOCKING_OK, which makes every function callable from any thread.
unsafe impl Send for RawModule {}
// SAFETY: as for Send: shared references only read the immutable table; concurrency inside
// the module is its own business under CKF_OS_LOCKING_OK.
unsafe impl Sync for RawModule {}

/// Calls a function of the list, or fails with `CKR_FUNCTION_NOT_SUPPORTED` when the module
/// leaves the slot empty.
macro_rules! call {
    ($self:ident, $name:ident ( $($arg:expr),* $(,)? )) => {{
        // SAFETY: `list` points to the module's function table, valid while `_library` is
        // loaded (see `RawModule::open`).
        let f = unsafe { (*$self.list).$name };
        match f {
            // SAFETY: every argument is a handle the module gave us or a pointer to a buffer
            // owned by the caller of this macro that outlives the call, with its true length.
            Some(f) => unsafe { f($($arg),*) },
            None => cryptoki_sys::CKR_FUNCTION_NOT_SUPPORTED,
        }
    }};
}

impl RawModule {
    /// Opens the module at `path` again and takes its function list. Call it after `cryptoki`
    /// loaded and initialised the same path.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        // SAFETY: loading a shared library runs its initialisers. The library is the same
        // PKCS#11 module `cryptoki` has just loaded from this path, so the loader only bumps
        // its reference count and runs nothing new.
        let library = unsafe { libloading::Library::new(path) }.map_err(|e| {
            Error::new(
                ErrorKind::Pkcs11,
                format!("loading {}: {e}", path.display()),
            )
        })?;
        let mut list: *mut CK_FUNCTION_LIST = std::ptr::null_mut();
        {
            // SAFETY: C_GetFunctionList has this signature in every PKCS#11 module (§5.2); the
            // symbol is only used while `library` is alive.
            let get: libloading::Symbol<unsafe extern "C" fn(*mut *mut CK_FUNCTION_LIST) -> CK_RV> =
                unsafe { library.get(b"C_GetFunctionList\0") }.map_err(|e| {
                    Error::new(
                        ErrorKind::Pkcs11,
                        format!("{} has no C_GetFunctionList: {e}", path.display()),
                    )
                })?;
            // SAFETY: `list` is a valid out-pointer for the duration of the call.
            let rv = unsafe { get(&mut list) };
            if rv != CKR_OK {
                return Err(ckr_error(
                    "C_GetFunctionList",
                    rv,
                    "reading the function list",
                ));
            }
        }
        if list.is_null() {
            return Err(Error::new(
                ErrorKind::Pkcs11,
                "C_GetFunctionList returned no function list",
            ));
        }
        Ok(RawModule {
            _library: library,
            list,
        })
    }

    /// CK_TOKEN_INFO as the module fills it. `cryptoki` parses it too, but fails on tokens
    /// whose `utcTime` is not 16 digits (opencryptoki's soft token, some real tokens); we read
    /// the structure and take only the fields we use.
    pub(crate) fn token_info(&self, slot: CK_SLOT_ID) -> Result<CK_TOKEN_INFO> {
        let mut info = CK_TOKEN_INFO::default();
        let rv = call!(self, C_GetTokenInfo(slot, &mut info));
        check(rv, "C_GetTokenInfo", "reading token information")?;
        Ok(info)
    }

    /// Every mechanism type the token in `slot` offers, unknown and vendor types included.
    pub(crate) fn mechanism_list(&self, slot: CK_SLOT_ID) -> Result<Vec<CK_ULONG>> {
        let mut count: CK_ULONG = 0;
        let rv = call!(
            self,
            C_GetMechanismList(slot, std::ptr::null_mut(), &mut count)
        );
        check(rv, "C_GetMechanismList", "listing mechanisms")?;
        let mut list = vec![0 as CK_ULONG; bounded(count, MAX_MECHANISMS, "C_GetMechanismList")?];
        let rv = call!(
            self,
            C_GetMechanismList(slot, list.as_mut_ptr(), &mut count)
        );
        check(rv, "C_GetMechanismList", "listing mechanisms")?;
        list.truncate(count as usize);
        Ok(list)
    }

    /// `(min key size, max key size, flags)` of a mechanism, any type.
    pub(crate) fn mechanism_info(
        &self,
        slot: CK_SLOT_ID,
        mechanism: CK_ULONG,
    ) -> Result<(CK_ULONG, CK_ULONG, CK_ULONG)> {
        let mut info = CK_MECHANISM_INFO {
            ulMinKeySize: 0,
            ulMaxKeySize: 0,
            flags: 0,
        };
        let rv = call!(self, C_GetMechanismInfo(slot, mechanism, &mut info));
        check(rv, "C_GetMechanismInfo", "reading mechanism information")?;
        Ok((info.ulMinKeySize, info.ulMaxKeySize, info.flags))
    }

    /// The value of one attribute of an object, any type; `None` when the object has no such
    /// attribute or will not reveal it (sensitive). A length over [`MAX_ATTRIBUTE_LEN`] is
    /// refused before anything is allocated.
    pub(crate) fn attribute(
        &self,
        session: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        kind: CK_ULONG,
    ) -> Result<Option<Vec<u8>>> {
        let mut template = CK_ATTRIBUTE {
            type_: kind,
            pValue: std::ptr::null_mut(),
            ulValueLen: 0,
        };
        let rv = call!(self, C_GetAttributeValue(session, object, &mut template, 1));
        if rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE {
            return Ok(None);
        }
        check(rv, "C_GetAttributeValue", "reading an attribute")?;
        if template.ulValueLen == CK_UNAVAILABLE_INFORMATION {
            return Ok(None);
        }
        let mut value = vec![
            0u8;
            bounded(
                template.ulValueLen,
                MAX_ATTRIBUTE_LEN,
                "C_GetAttributeValue"
            )?
        ];
        template.pValue = value.as_mut_ptr().cast::<c_void>();
        let rv = call!(self, C_GetAttributeValue(session, object, &mut template, 1));
        check(rv, "C_GetAttributeValue", "reading an attribute")?;
        value.truncate(template.ulValueLen as usize);
        Ok(Some(value))
    }

    /// Generates a key pair with any mechanism type (no mechanism parameter); returns the
    /// public and private key handles.
    pub(crate) fn generate_key_pair(
        &self,
        session: CK_SESSION_HANDLE,
        mechanism: CK_ULONG,
        public: &[RawAttribute],
        private: &[RawAttribute],
    ) -> Result<(CK_OBJECT_HANDLE, CK_OBJECT_HANDLE)> {
        let mut mech = CK_MECHANISM {
            mechanism,
            pParameter: std::ptr::null_mut(),
            ulParameterLen: 0,
        };
        // The C structs point into `public`/`private`, which outlive the call.
        let mut pub_t = templates(public);
        let mut priv_t = templates(private);
        let (mut hpub, mut hpriv): (CK_OBJECT_HANDLE, CK_OBJECT_HANDLE) = (0, 0);
        let rv = call!(
            self,
            C_GenerateKeyPair(
                session,
                &mut mech,
                pub_t.as_mut_ptr(),
                pub_t.len() as CK_ULONG,
                priv_t.as_mut_ptr(),
                priv_t.len() as CK_ULONG,
                &mut hpub,
                &mut hpriv,
            )
        );
        check(rv, "C_GenerateKeyPair", "generating a key pair")?;
        Ok((hpub, hpriv))
    }

    /// Creates an object from a template (`C_CreateObject`); returns its handle.
    pub(crate) fn create_object(
        &self,
        session: CK_SESSION_HANDLE,
        template: &[RawAttribute],
    ) -> Result<CK_OBJECT_HANDLE> {
        // The C structs point into `template`, which outlives the call.
        let mut t = templates(template);
        let mut handle: CK_OBJECT_HANDLE = 0;
        let rv = call!(
            self,
            C_CreateObject(session, t.as_mut_ptr(), t.len() as CK_ULONG, &mut handle)
        );
        check(rv, "C_CreateObject", "creating an object")?;
        Ok(handle)
    }

    /// Signs `data` with any mechanism type (no mechanism parameter), single-part.
    pub(crate) fn sign(
        &self,
        session: CK_SESSION_HANDLE,
        mechanism: CK_ULONG,
        key: CK_OBJECT_HANDLE,
        data: &[u8],
    ) -> Result<Vec<u8>> {
        let mut mech = CK_MECHANISM {
            mechanism,
            pParameter: std::ptr::null_mut(),
            ulParameterLen: 0,
        };
        let rv = call!(self, C_SignInit(session, &mut mech, key));
        check(rv, "C_SignInit", "starting to sign")?;
        // C_Sign takes a mutable data pointer but never writes through it (PKCS#11 §5.12);
        // give it our own copy anyway, so no shared reference is ever cast to mutable.
        let mut input = data.to_vec();
        // Ask for the length first (PKCS#11 §5.2: the query does not end the operation), then
        // make the one real call with that length. A module that then answers
        // CKR_BUFFER_TOO_SMALL misreported it; that is an error, not retried.
        let mut len: CK_ULONG = 0;
        let rv = call!(
            self,
            C_Sign(
                session,
                input.as_mut_ptr(),
                input.len() as CK_ULONG,
                std::ptr::null_mut(),
                &mut len,
            )
        );
        check(rv, "C_Sign", "signing")?;
        let mut out = vec![0u8; bounded(len, MAX_SIGNATURE_LEN, "C_Sign")?];
        let rv = call!(
            self,
            C_Sign(
                session,
                input.as_mut_ptr(),
                input.len() as CK_ULONG,
                out.as_mut_ptr(),
                &mut len,
            )
        );
        if rv == CKR_BUFFER_TOO_SMALL {
            return Err(ckr_error(
                "C_Sign",
                rv,
                "signing (the module misreported the length)",
            ));
        }
        check(rv, "C_Sign", "signing")?;
        out.truncate(len as usize);
        Ok(out)
    }
}

/// A `cryptoki` object handle for a handle the raw layer got from the module, so that
/// `cryptoki`'s typed calls (update, destroy) can be used on objects we made here.
pub(crate) fn object_handle(handle: CK_OBJECT_HANDLE) -> cryptoki::object::ObjectHandle {
    // SAFETY: `new_from_raw` is unsafe only because a made-up handle could name another
    // object; every handle passed here was returned by this module (C_GenerateKeyPair or
    // C_FindObjects) for a session of the same token, as cryptoki's own handles are.
    unsafe { cryptoki::object::ObjectHandle::new_from_raw(handle) }
}

/// C templates pointing into `attrs` (valid while `attrs` is neither moved nor changed).
fn templates(attrs: &[RawAttribute]) -> Vec<CK_ATTRIBUTE> {
    attrs
        .iter()
        .map(|a| CK_ATTRIBUTE {
            type_: a.kind,
            // PKCS#11 declares pValue mutable but only reads it in a creation template.
            pValue: a.value.as_ptr().cast_mut().cast::<c_void>(),
            ulValueLen: a.value.len() as CK_ULONG,
        })
        .collect()
}

/// The most bytes an attribute value may have: a certificate is a few KiB; 1 MiB leaves room
/// for any real object while a module reporting a huge length (a bug, or hostile) cannot make
/// us allocate it.
pub(crate) const MAX_ATTRIBUTE_LEN: CK_ULONG = 1 << 20;
/// The most mechanisms a token may list (real tokens list tens to a few hundred).
const MAX_MECHANISMS: CK_ULONG = 1 << 12;
/// The longest signature a module may announce (RSA-16384 is 2 KiB).
const MAX_SIGNATURE_LEN: CK_ULONG = 1 << 16;

/// A length the module reported, as a buffer size, when within `max`.
fn bounded(len: CK_ULONG, max: CK_ULONG, function: &str) -> Result<usize> {
    if len > max {
        return Err(Error::new(
            ErrorKind::Pkcs11,
            format!("{function}: the module reports {len} bytes, more than the {max} accepted"),
        ));
    }
    usize::try_from(len)
        .map_err(|_| Error::new(ErrorKind::Pkcs11, format!("{function}: length {len}")))
}

fn check(rv: CK_RV, function: &str, what: &str) -> Result<()> {
    if rv == CKR_OK {
        Ok(())
    } else {
        Err(ckr_error(function, rv, what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_lengths_are_bounded_before_allocating() {
        assert_eq!(bounded(3000, MAX_ATTRIBUTE_LEN, "f").unwrap(), 3000);
        assert_eq!(
            bounded(MAX_ATTRIBUTE_LEN, MAX_ATTRIBUTE_LEN, "f").unwrap(),
            1 << 20
        );
        let e = bounded(CK_ULONG::MAX - 1, MAX_ATTRIBUTE_LEN, "C_GetAttributeValue").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Pkcs11);
        assert!(e.message().starts_with("C_GetAttributeValue"), "{e}");
    }

    #[test]
    fn attribute_encodings() {
        assert_eq!(RawAttribute::bool(1, true).value, vec![1]);
        assert_eq!(RawAttribute::bool(1, false).value, vec![0]);
        let u = RawAttribute::ulong(0x100, 0x30);
        assert_eq!(u.value.len(), std::mem::size_of::<CK_ULONG>());
        assert_eq!(
            CK_ULONG::from_ne_bytes(u.value.clone().try_into().unwrap()),
            0x30
        );
        // Debug never shows the value (a template may carry a label or an ID only, but keep
        // the habit).
        assert_eq!(
            format!("{:?}", RawAttribute::bytes(3, b"x")),
            "CKA 0x3 (1 bytes)"
        );
    }

    #[test]
    fn open_fails_cleanly_on_a_missing_library() {
        let e = RawModule::open(Path::new("/nonexistent/libnothing.so"))
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Pkcs11);
    }
}
