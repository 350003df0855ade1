//! What the tests through the fault-injecting module share: its control functions, SoftHSM
//! behind it, a logged-in token, the token's objects read from SoftHSM directly.

#![allow(dead_code)]

use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};

use bankkey::store::KeySet;
use bankkey::store::pkcs11::{
    LoginOptions, Pkcs11Module, Pkcs11Token, TokenKeySpec, TokenSelector,
};
use cryptoki_sys::{CK_ATTRIBUTE_TYPE, CK_RV, CKR_OK};

use crate::hsm::*;
use crate::lifecycle_common::{TestCa, subscriber, t0};

/// The fault module's control functions (the test `dlopen`s the same file the library loads).
pub struct Fault {
    pub path: PathBuf,
    lib: libloading::Library,
}

impl Fault {
    /// The module built beside this test binary, pointed at SoftHSM.
    pub fn load(softhsm: &Path) -> Fault {
        let exe = std::env::current_exe().unwrap();
        let deps = exe.parent().unwrap();
        let name = "libbankkey_pkcs11_fault.so";
        let path = [deps.join(name), deps.parent().unwrap().join(name)]
            .into_iter()
            .find(|p| p.exists())
            .expect(
                "the fault module is built with the tests (cargo test -p bankkey-pkcs11-fault)",
            );
        // SAFETY: our own test module; its initialisers do nothing.
        let lib = unsafe { libloading::Library::new(&path) }.unwrap();
        let fault = Fault { path, lib };
        let module = CString::new(softhsm.to_str().unwrap()).unwrap();
        // SAFETY: the signature of bkfault_use_module; a NUL-terminated path.
        let rv = unsafe {
            fault
                .lib
                .get::<unsafe extern "C" fn(*const c_char) -> CK_RV>(b"bkfault_use_module\0")
                .unwrap()(module.as_ptr())
        };
        assert_eq!(rv, CKR_OK, "the fault module loads SoftHSM");
        fault
    }

    pub fn reset(&self) {
        // SAFETY: the signature of bkfault_reset.
        unsafe { self.lib.get::<extern "C" fn()>(b"bkfault_reset\0").unwrap()() }
    }

    pub fn remove_at(&self, n: u64, rv: CK_RV, after: bool) {
        // SAFETY: the signature of bkfault_remove_at.
        unsafe {
            self.lib
                .get::<extern "C" fn(u64, CK_RV, u8)>(b"bkfault_remove_at\0")
                .unwrap()(n, rv, after as u8)
        }
    }

    pub fn insert(&self) {
        // SAFETY: the signature of bkfault_insert.
        unsafe {
            self.lib
                .get::<extern "C" fn()>(b"bkfault_insert\0")
                .unwrap()()
        }
    }

    pub fn removed(&self) -> bool {
        // SAFETY: the signature of bkfault_removed.
        unsafe {
            self.lib
                .get::<extern "C" fn() -> u8>(b"bkfault_removed\0")
                .unwrap()()
                != 0
        }
    }

    /// Every later key-pair generation gets its template changed: in the private or the
    /// public half, `attribute` dropped (`action` 1) or its value flipped (2); 0 stops.
    pub fn template(&self, private: bool, attribute: CK_ATTRIBUTE_TYPE, action: u8) {
        // SAFETY: the signature of bkfault_template.
        unsafe {
            self.lib
                .get::<extern "C" fn(u8, CK_ATTRIBUTE_TYPE, u8)>(b"bkfault_template\0")
                .unwrap()(private as u8, attribute, action)
        }
    }

    pub fn calls(&self) -> u64 {
        // SAFETY: the signature of bkfault_calls.
        unsafe {
            self.lib
                .get::<extern "C" fn() -> u64>(b"bkfault_calls\0")
                .unwrap()()
        }
    }

    pub fn call_name(&self, i: u64) -> String {
        // SAFETY: the signature of bkfault_call_name; it returns null or a static C string.
        unsafe {
            let p = self
                .lib
                .get::<extern "C" fn(u64) -> *const c_char>(b"bkfault_call_name\0")
                .unwrap()(i);
            if p.is_null() {
                "?".into()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        }
    }
}

/// SoftHSM's module and the fault module in front of it, or None (skip).
pub fn modules() -> Option<(PathBuf, Fault)> {
    let softhsm = softhsm_module(
        "BANKKEY_SOFTHSM_MODULE",
        "SoftHSM not set up: run `eval \"$(bash scripts/hsm.sh --no-gost)\"` first",
    )?;
    let fault = Fault::load(&softhsm);
    Some((softhsm, fault))
}

pub fn logged_in(module: &Pkcs11Module, label: &str) -> Pkcs11Token {
    let token = module
        .open_token(&TokenSelector::Label(label.into()))
        .unwrap();
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    token
}

/// One object as SoftHSM holds it.
#[derive(Debug)]
pub struct Object {
    pub class: u64,
    pub id: Vec<u8>,
    pub label: String,
    /// The public key's EC point, or the certificate's DER.
    pub value: Vec<u8>,
}

/// A session on the token labelled `label`, logged in, through SoftHSM's own library (which
/// the fault module loaded: the same instance, already initialised).
fn softhsm_session(softhsm: &Path, label: &str) -> cryptoki::session::Session {
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::session::UserType;
    use cryptoki::types::AuthPin;
    let ctx = Pkcs11::new(softhsm).unwrap();
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| {
            ctx.get_token_info(*s)
                .is_ok_and(|i| i.label().trim_end() == label)
        })
        .expect("SoftHSM shows the token");
    let session = ctx.open_ro_session(slot).unwrap();
    let _ = session.login(UserType::User, Some(&AuthPin::new(USER_PIN.into())));
    session
}

/// Every token object, read from SoftHSM directly (cryptoki on SoftHSM's own library, which
/// the fault module loaded: the same instance, already initialised).
pub fn objects(softhsm: &Path, label: &str) -> Vec<Object> {
    use cryptoki::object::{Attribute, AttributeType, ObjectClass};
    let session = softhsm_session(softhsm, label);
    let mut out = Vec::new();
    for class in [
        ObjectClass::PRIVATE_KEY,
        ObjectClass::PUBLIC_KEY,
        ObjectClass::CERTIFICATE,
    ] {
        for h in session
            .find_objects(&[Attribute::Token(true), Attribute::Class(class)])
            .unwrap()
        {
            let value_type = if class == ObjectClass::PUBLIC_KEY {
                AttributeType::EcPoint
            } else {
                AttributeType::Value
            };
            let mut o = Object {
                class: class.into(),
                id: Vec::new(),
                label: String::new(),
                value: Vec::new(),
            };
            let types = [AttributeType::Id, AttributeType::Label];
            for a in session.get_attributes(h, &types).unwrap() {
                match a {
                    Attribute::Id(v) => o.id = v,
                    Attribute::Label(v) => o.label = String::from_utf8_lossy(&v).into_owned(),
                    _ => {}
                }
            }
            if class != ObjectClass::PRIVATE_KEY {
                for a in session.get_attributes(h, &[value_type]).unwrap() {
                    match a {
                        Attribute::EcPoint(v) | Attribute::Value(v) => o.value = v,
                        _ => {}
                    }
                }
            }
            out.push(o);
        }
    }
    out
}

/// A fresh token labelled after `prefix` on the fault module, logged in: the module the
/// library loaded, SoftHSM's path behind it, the fault controls, the label and the token. None
/// (skip) without SoftHSM.
pub fn fresh_logged_in(
    prefix: &str,
) -> Option<(Pkcs11Module, PathBuf, Fault, String, Pkcs11Token)> {
    let (softhsm, fault) = modules()?;
    let module = Pkcs11Module::load(&fault.path).unwrap();
    let label = unique(prefix);
    let token = fresh_token(&module, &label, USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    Some((module, softhsm, fault, label, token))
}

/// The old key set: generated and certified through the fault module, before any fault.
pub fn old_key_set(token: &Pkcs11Token, ca: &TestCa) -> KeySet {
    let old = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "old")
        .unwrap();
    let cert = ca.issue_for(&subscriber(), &token.signer(&old.id).unwrap(), t0(), 365);
    token
        .install_certificate(&cert.to_der(), Some(&old.id), None)
        .unwrap()
}

/// A boolean attribute of the private key under CKA_ID `id`, read from SoftHSM directly.
pub fn private_flag(
    softhsm: &Path,
    label: &str,
    id: &[u8],
    attribute: CK_ATTRIBUTE_TYPE,
) -> Option<bool> {
    use cryptoki::object::{Attribute, AttributeType, ObjectClass};
    let session = softhsm_session(softhsm, label);
    let h = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(id.to_vec()),
        ])
        .unwrap()
        .into_iter()
        .next()?;
    let kind = AttributeType::try_from(attribute).unwrap();
    session
        .get_attributes(h, &[kind])
        .unwrap()
        .into_iter()
        .find_map(|a| match a {
            Attribute::Derive(v)
            | Attribute::Decrypt(v)
            | Attribute::Unwrap(v)
            | Attribute::Sensitive(v)
            | Attribute::Extractable(v) => Some(v),
            _ => None,
        })
}
