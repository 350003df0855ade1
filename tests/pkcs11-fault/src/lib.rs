//! A fault-injecting PKCS#11 module, used only by tests (issue 13: a token removed in the
//! middle of an operation).
//!
//! It is a real PKCS#11 module (`libbankkey_pkcs11_fault.so`, a `cdylib`): the library under
//! test loads it like any token's module. It loads the real module named by `BKFAULT_MODULE`
//! (SoftHSM in the tests) and forwards every call of the function list to it, counting calls,
//! until the token is **removed**: from then on it answers as a reader whose token was pulled
//! out, and it makes the real module forget every session (`C_CloseAllSessions` on every slot:
//! sessions and the login are gone, as on a real token).
//!
//! While removed:
//! - `C_GetSlotList(tokenPresent = TRUE)` lists no slot; `C_GetSlotInfo` clears
//!   `CKF_TOKEN_PRESENT`; the slot's other functions (`C_GetTokenInfo`, `C_OpenSession`,
//!   mechanisms, `C_InitToken`, `C_CloseAllSessions`) answer `CKR_TOKEN_NOT_PRESENT`;
//! - every function on a session answers the chosen value (`CKR_DEVICE_REMOVED` by default;
//!   `CKR_SESSION_HANDLE_INVALID` or `CKR_TOKEN_NOT_PRESENT` as the test chooses);
//! - `C_Initialize`, `C_Finalize`, `C_GetInfo` and `C_WaitForSlotEvent` are forwarded.
//!
//! When the token is **inserted** again everything is forwarded: the old session handles are
//! invalid (the real module closed them), as after a real reinsertion.
//!
//! The removal happens at a chosen call, counted from the last `bkfault_reset`: **before** it
//! (the call never reaches the token) or **after** it (the call is made, its answer is lost:
//! the token did the work and the host hears `CKR_DEVICE_REMOVED`, as when the token is pulled
//! while it works).
//!
//! It can also play a token that **does not keep the key-generation template** (issue 13:
//! least privilege read back): `C_GenerateKeyPair` then passes SoftHSM the template with one
//! attribute of the public or the private half dropped (the token's default applies) or its
//! boolean value flipped, as a token that ignores or overrides it would.
//!
//! Control, in the process that loaded the module (the test `dlopen`s the same file and calls
//! these functions): `bkfault_use_module`, `bkfault_reset`, `bkfault_remove_at`,
//! `bkfault_insert`, `bkfault_calls`, `bkfault_call_name`, `bkfault_removed`,
//! `bkfault_template`. From outside (another process), the environment at load:
//! `BKFAULT_REMOVE_AT=N`, `BKFAULT_RV=0x32`, `BKFAULT_AFTER=1`,
//! `BKFAULT_TEMPLATE=private:0x105:flip` (half, attribute type, `drop` or `flip`).
#![allow(non_snake_case)]

use std::ffi::{c_char, c_void};
use std::sync::{Mutex, MutexGuard, OnceLock};

use cryptoki_sys::*;

/// The real module: its library (kept loaded) and its function list.
struct Real {
    _library: libloading::Library,
    list: *const CK_FUNCTION_LIST,
}

// SAFETY: the function list is an immutable table of function pointers owned by the real
// module, valid while its library stays loaded (we never unload it); the functions are
// callable from any thread once the host initialised the module with CKF_OS_LOCKING_OK.
unsafe impl Send for Real {}
// SAFETY: as for Send; shared references only read the immutable table.
unsafe impl Sync for Real {}

static REAL: OnceLock<Result<Real, String>> = OnceLock::new();

/// Loads the real module named by `BKFAULT_MODULE` once.
fn real() -> Option<&'static Real> {
    load(None)
}

/// Loads the real module once: `path`, else `BKFAULT_MODULE`.
fn load(path: Option<std::ffi::OsString>) -> Option<&'static Real> {
    REAL.get_or_init(|| {
        let path = path
            .or_else(|| std::env::var_os("BKFAULT_MODULE"))
            .ok_or_else(|| "BKFAULT_MODULE is not set".to_string())?;
        // SAFETY: loading the real PKCS#11 module runs its initialisers, as any host's
        // loading of it does.
        let library = unsafe { libloading::Library::new(&path) }.map_err(|e| e.to_string())?;
        let mut list: *mut CK_FUNCTION_LIST = std::ptr::null_mut();
        {
            // SAFETY: C_GetFunctionList has this signature in every PKCS#11 module.
            let get: libloading::Symbol<unsafe extern "C" fn(*mut *mut CK_FUNCTION_LIST) -> CK_RV> =
                unsafe { library.get(b"C_GetFunctionList\0") }.map_err(|e| e.to_string())?;
            // SAFETY: `list` is a valid place for the module to write its table's address.
            let rv = unsafe { get(&mut list) };
            if rv != CKR_OK || list.is_null() {
                return Err(format!("C_GetFunctionList of the real module: 0x{rv:X}"));
            }
        }
        Ok(Real {
            _library: library,
            list,
        })
    })
    .as_ref()
    .ok()
}

/// The fault state of the process.
struct State {
    /// Calls counted since the last reset (every function but C_GetFunctionList).
    calls: u64,
    /// The function name of each call counted (NUL-terminated, static).
    names: Vec<&'static str>,
    /// The call (1-based) at which the token is removed.
    remove_at: Option<u64>,
    /// The removing call is made first and its answer lost.
    after: bool,
    /// What session functions answer while the token is out.
    session_rv: CK_RV,
    /// The token is out.
    removed: bool,
    /// The change made to every key-pair generation's template.
    tamper: Option<Tamper>,
}

/// A change made to the template of `C_GenerateKeyPair`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tamper {
    /// The private half's template (else the public half's).
    private: bool,
    /// The attribute type.
    attribute: CK_ATTRIBUTE_TYPE,
    /// Flip its boolean value (else drop the attribute).
    flip: bool,
}

static STATE: Mutex<State> = Mutex::new(State {
    calls: 0,
    names: Vec::new(),
    remove_at: None,
    after: false,
    session_rv: CKR_DEVICE_REMOVED,
    removed: false,
    tamper: None,
});

static ENV: OnceLock<()> = OnceLock::new();

fn state() -> MutexGuard<'static, State> {
    ENV.get_or_init(|| {
        let mut s = STATE.lock().unwrap_or_else(|p| p.into_inner());
        let number = |v: &str| -> Option<u64> {
            match v.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16).ok(),
                None => v.parse().ok(),
            }
        };
        if let Some(n) = std::env::var("BKFAULT_REMOVE_AT")
            .ok()
            .and_then(|v| number(&v))
        {
            s.remove_at = Some(n);
        }
        if let Some(rv) = std::env::var("BKFAULT_RV").ok().and_then(|v| number(&v)) {
            s.session_rv = rv as CK_RV;
        }
        s.after = std::env::var("BKFAULT_AFTER").as_deref() == Ok("1");
        if let Ok(t) = std::env::var("BKFAULT_TEMPLATE") {
            let parts: Vec<&str> = t.split(':').collect();
            if let [half, attribute, action] = parts[..]
                && let Some(attribute) = number(attribute)
            {
                s.tamper = Some(Tamper {
                    private: half == "private",
                    attribute: attribute as CK_ATTRIBUTE_TYPE,
                    flip: action == "flip",
                });
            }
        }
    });
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a function does to the token, for the answer while it is out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Library-wide: always forwarded.
    General,
    /// C_GetSlotList / C_GetSlotInfo: forwarded, then the token hidden.
    Slot,
    /// A function on the slot's token: CKR_TOKEN_NOT_PRESENT.
    Token,
    /// A function on a session: the chosen value.
    Session,
}

/// What to do with one call.
enum Verdict {
    /// Forward; `remove_after` removes the token once the call returned.
    Forward { remove_after: bool },
    /// Answer this without forwarding.
    Answer(CK_RV),
}

/// Counts the call and decides.
fn before(name: &'static str, kind: Kind) -> Verdict {
    let mut s = state();
    s.calls += 1;
    s.names.push(name);
    let mut remove_after = false;
    if s.remove_at == Some(s.calls) && !s.removed {
        if s.after {
            remove_after = true;
        } else {
            remove(&mut s);
        }
    }
    if !s.removed {
        return Verdict::Forward { remove_after };
    }
    match kind {
        Kind::General | Kind::Slot => Verdict::Forward {
            remove_after: false,
        },
        Kind::Token => Verdict::Answer(CKR_TOKEN_NOT_PRESENT),
        Kind::Session => Verdict::Answer(s.session_rv),
    }
}

/// After a forwarded call: removes the token when the call was the chosen one ("after").
fn after(remove_after: bool, kind: Kind, rv: CK_RV) -> CK_RV {
    if !remove_after {
        return rv;
    }
    let mut s = state();
    remove(&mut s);
    match kind {
        Kind::General | Kind::Slot => rv,
        Kind::Token => CKR_TOKEN_NOT_PRESENT,
        Kind::Session => s.session_rv,
    }
}

/// The token goes: the real module forgets every session (and so the login).
fn remove(s: &mut State) {
    s.removed = true;
    let Some(r) = real() else { return };
    // SAFETY: `r.list` is the real module's table (see `Real`).
    let list = unsafe { &*r.list };
    let (Some(get_slots), Some(close_all)) = (list.C_GetSlotList, list.C_CloseAllSessions) else {
        return;
    };
    let mut n: CK_ULONG = 0;
    // SAFETY: a size query: a null list and a valid count pointer.
    if unsafe { get_slots(CK_FALSE, std::ptr::null_mut(), &mut n) } != CKR_OK {
        return;
    }
    let mut slots = vec![0 as CK_SLOT_ID; n as usize];
    // SAFETY: `slots` holds `n` slot ids, as the count says.
    if unsafe { get_slots(CK_FALSE, slots.as_mut_ptr(), &mut n) } != CKR_OK {
        return;
    }
    slots.truncate(n as usize);
    for slot in slots {
        // SAFETY: a slot id the module listed.
        unsafe { close_all(slot) };
    }
}

/// The real module's function `$f`, or CKR_FUNCTION_NOT_SUPPORTED without it.
macro_rules! forward {
    ($f:ident ( $($a:expr),* )) => {{
        match real() {
            None => CKR_GENERAL_ERROR,
            // SAFETY: `list` is the real module's table (see `Real`).
            Some(r) => match unsafe { (*r.list).$f } {
                // SAFETY: the host's arguments, passed on unchanged to the module the host
                // meant to call: their validity is the host's promise to any module.
                Some(f) => unsafe { f($($a),*) },
                None => CKR_FUNCTION_NOT_SUPPORTED,
            },
        }
    }};
}

/// Defines forwarding functions of one kind.
macro_rules! wrap {
    ($kind:expr; $($f:ident ( $($a:ident : $t:ty),* );)*) => {$(
        unsafe extern "C" fn $f($($a: $t),*) -> CK_RV {
            let name = concat!(stringify!($f), "\0");
            match before(name, $kind) {
                Verdict::Answer(rv) => rv,
                Verdict::Forward { remove_after } => {
                    let rv = forward!($f($($a),*));
                    after(remove_after, $kind, rv)
                }
            }
        }
    )*};
}

type H = CK_SESSION_HANDLE;
type O = CK_OBJECT_HANDLE;
type B = *mut CK_BYTE;
type L = *mut CK_ULONG;
type M = *mut CK_MECHANISM;
type T = *mut CK_ATTRIBUTE;

wrap! { Kind::General;
    C_Initialize(a: *mut c_void);
    C_Finalize(a: *mut c_void);
    C_GetInfo(a: *mut CK_INFO);
    C_WaitForSlotEvent(a: CK_FLAGS, b: *mut CK_SLOT_ID, c: *mut c_void);
}

wrap! { Kind::Token;
    C_GetTokenInfo(a: CK_SLOT_ID, b: *mut CK_TOKEN_INFO);
    C_GetMechanismList(a: CK_SLOT_ID, b: *mut CK_MECHANISM_TYPE, c: L);
    C_GetMechanismInfo(a: CK_SLOT_ID, b: CK_MECHANISM_TYPE, c: *mut CK_MECHANISM_INFO);
    C_InitToken(a: CK_SLOT_ID, b: *mut CK_UTF8CHAR, c: CK_ULONG, d: *mut CK_UTF8CHAR);
    C_OpenSession(a: CK_SLOT_ID, b: CK_FLAGS, c: *mut c_void, d: CK_NOTIFY, e: *mut H);
    C_CloseAllSessions(a: CK_SLOT_ID);
}

wrap! { Kind::Session;
    C_InitPIN(a: H, b: *mut CK_UTF8CHAR, c: CK_ULONG);
    C_SetPIN(a: H, b: *mut CK_UTF8CHAR, c: CK_ULONG, d: *mut CK_UTF8CHAR, e: CK_ULONG);
    C_CloseSession(a: H);
    C_GetSessionInfo(a: H, b: *mut CK_SESSION_INFO);
    C_GetOperationState(a: H, b: B, c: L);
    C_SetOperationState(a: H, b: B, c: CK_ULONG, d: O, e: O);
    C_Login(a: H, b: CK_USER_TYPE, c: *mut CK_UTF8CHAR, d: CK_ULONG);
    C_Logout(a: H);
    C_CreateObject(a: H, b: T, c: CK_ULONG, d: *mut O);
    C_CopyObject(a: H, b: O, c: T, d: CK_ULONG, e: *mut O);
    C_DestroyObject(a: H, b: O);
    C_GetObjectSize(a: H, b: O, c: L);
    C_GetAttributeValue(a: H, b: O, c: T, d: CK_ULONG);
    C_SetAttributeValue(a: H, b: O, c: T, d: CK_ULONG);
    C_FindObjectsInit(a: H, b: T, c: CK_ULONG);
    C_FindObjects(a: H, b: *mut O, c: CK_ULONG, d: L);
    C_FindObjectsFinal(a: H);
    C_EncryptInit(a: H, b: M, c: O);
    C_Encrypt(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_EncryptUpdate(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_EncryptFinal(a: H, b: B, c: L);
    C_DecryptInit(a: H, b: M, c: O);
    C_Decrypt(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_DecryptUpdate(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_DecryptFinal(a: H, b: B, c: L);
    C_DigestInit(a: H, b: M);
    C_Digest(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_DigestUpdate(a: H, b: B, c: CK_ULONG);
    C_DigestKey(a: H, b: O);
    C_DigestFinal(a: H, b: B, c: L);
    C_SignInit(a: H, b: M, c: O);
    C_Sign(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_SignUpdate(a: H, b: B, c: CK_ULONG);
    C_SignFinal(a: H, b: B, c: L);
    C_SignRecoverInit(a: H, b: M, c: O);
    C_SignRecover(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_VerifyInit(a: H, b: M, c: O);
    C_Verify(a: H, b: B, c: CK_ULONG, d: B, e: CK_ULONG);
    C_VerifyUpdate(a: H, b: B, c: CK_ULONG);
    C_VerifyFinal(a: H, b: B, c: CK_ULONG);
    C_VerifyRecoverInit(a: H, b: M, c: O);
    C_VerifyRecover(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_DigestEncryptUpdate(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_DecryptDigestUpdate(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_SignEncryptUpdate(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_DecryptVerifyUpdate(a: H, b: B, c: CK_ULONG, d: B, e: L);
    C_GenerateKey(a: H, b: M, c: T, d: CK_ULONG, e: *mut O);
    C_WrapKey(a: H, b: M, c: O, d: O, e: B, f: L);
    C_UnwrapKey(a: H, b: M, c: O, d: B, e: CK_ULONG, f: T, g: CK_ULONG, h: *mut O);
    C_DeriveKey(a: H, b: M, c: O, d: T, e: CK_ULONG, f: *mut O);
    C_SeedRandom(a: H, b: B, c: CK_ULONG);
    C_GenerateRandom(a: H, b: B, c: CK_ULONG);
    C_GetFunctionStatus(a: H);
    C_CancelFunction(a: H);
}

static TRUE: CK_BBOOL = CK_TRUE;
static FALSE: CK_BBOOL = CK_FALSE;

/// The template `t` of `n` attributes, changed as `tamper` says when it is this half's.
///
/// # Safety
/// `t` points to `n` attributes (or is null with `n` = 0): the host's promise.
unsafe fn tampered(t: T, n: CK_ULONG, private: bool, tamper: Option<Tamper>) -> Vec<CK_ATTRIBUTE> {
    let mut out: Vec<CK_ATTRIBUTE> = if t.is_null() || n == 0 {
        Vec::new()
    } else {
        // SAFETY: the caller's promise.
        unsafe { std::slice::from_raw_parts(t, n as usize) }.to_vec()
    };
    let Some(tamper) = tamper.filter(|x| x.private == private) else {
        return out;
    };
    if !tamper.flip {
        out.retain(|a| a.type_ != tamper.attribute);
        return out;
    }
    for a in out.iter_mut().filter(|a| a.type_ == tamper.attribute) {
        // SAFETY: a boolean attribute's value is one CK_BBOOL (checked by its length).
        let was = a.ulValueLen == 1 && unsafe { *a.pValue.cast::<CK_BBOOL>() } != 0;
        let now: &'static CK_BBOOL = if was { &FALSE } else { &TRUE };
        // The module only reads the value (PKCS#11 declares the pointer mutable).
        a.pValue = (now as *const CK_BBOOL).cast_mut().cast();
        a.ulValueLen = 1;
    }
    out
}

/// Key-pair generation: a session function, with the template changed as `bkfault_template`
/// (or `BKFAULT_TEMPLATE`) says.
unsafe extern "C" fn C_GenerateKeyPair(
    session: H,
    mechanism: M,
    public: T,
    public_n: CK_ULONG,
    private: T,
    private_n: CK_ULONG,
    public_key: *mut O,
    private_key: *mut O,
) -> CK_RV {
    let remove_after = match before("C_GenerateKeyPair\0", Kind::Session) {
        Verdict::Answer(rv) => return rv,
        Verdict::Forward { remove_after } => remove_after,
    };
    let tamper = state().tamper;
    // SAFETY: the host's templates, as it passed them.
    let (mut public, mut private) = unsafe {
        (
            tampered(public, public_n, false, tamper),
            tampered(private, private_n, true, tamper),
        )
    };
    let rv = forward!(C_GenerateKeyPair(
        session,
        mechanism,
        public.as_mut_ptr(),
        public.len() as CK_ULONG,
        private.as_mut_ptr(),
        private.len() as CK_ULONG,
        public_key,
        private_key
    ));
    after(remove_after, Kind::Session, rv)
}

/// The slot list: no slot has a token while it is out.
unsafe extern "C" fn C_GetSlotList(present: CK_BBOOL, list: *mut CK_SLOT_ID, count: L) -> CK_RV {
    let remove_after = match before("C_GetSlotList\0", Kind::Slot) {
        Verdict::Answer(rv) => return rv,
        Verdict::Forward { remove_after } => remove_after,
    };
    if present != CK_FALSE && state().removed {
        if count.is_null() {
            return CKR_ARGUMENTS_BAD;
        }
        // SAFETY: the host's count pointer, checked non-null.
        unsafe { *count = 0 };
        return CKR_OK;
    }
    let rv = forward!(C_GetSlotList(present, list, count));
    after(remove_after, Kind::Slot, rv)
}

/// The slot's description: CKF_TOKEN_PRESENT cleared while the token is out.
unsafe extern "C" fn C_GetSlotInfo(slot: CK_SLOT_ID, info: *mut CK_SLOT_INFO) -> CK_RV {
    let remove_after = match before("C_GetSlotInfo\0", Kind::Slot) {
        Verdict::Answer(rv) => return rv,
        Verdict::Forward { remove_after } => remove_after,
    };
    let rv = after(
        remove_after,
        Kind::Slot,
        forward!(C_GetSlotInfo(slot, info)),
    );
    if rv == CKR_OK && !info.is_null() && state().removed {
        // SAFETY: the module filled the host's structure, checked non-null.
        unsafe { (*info).flags &= !CKF_TOKEN_PRESENT };
    }
    rv
}

/// Our function list: every entry goes through the fault logic above.
static LIST: CK_FUNCTION_LIST = CK_FUNCTION_LIST {
    version: CK_VERSION {
        major: 2,
        minor: 40,
    },
    C_Initialize: Some(C_Initialize),
    C_Finalize: Some(C_Finalize),
    C_GetInfo: Some(C_GetInfo),
    C_GetFunctionList: Some(C_GetFunctionList),
    C_GetSlotList: Some(C_GetSlotList),
    C_GetSlotInfo: Some(C_GetSlotInfo),
    C_GetTokenInfo: Some(C_GetTokenInfo),
    C_GetMechanismList: Some(C_GetMechanismList),
    C_GetMechanismInfo: Some(C_GetMechanismInfo),
    C_InitToken: Some(C_InitToken),
    C_InitPIN: Some(C_InitPIN),
    C_SetPIN: Some(C_SetPIN),
    C_OpenSession: Some(C_OpenSession),
    C_CloseSession: Some(C_CloseSession),
    C_CloseAllSessions: Some(C_CloseAllSessions),
    C_GetSessionInfo: Some(C_GetSessionInfo),
    C_GetOperationState: Some(C_GetOperationState),
    C_SetOperationState: Some(C_SetOperationState),
    C_Login: Some(C_Login),
    C_Logout: Some(C_Logout),
    C_CreateObject: Some(C_CreateObject),
    C_CopyObject: Some(C_CopyObject),
    C_DestroyObject: Some(C_DestroyObject),
    C_GetObjectSize: Some(C_GetObjectSize),
    C_GetAttributeValue: Some(C_GetAttributeValue),
    C_SetAttributeValue: Some(C_SetAttributeValue),
    C_FindObjectsInit: Some(C_FindObjectsInit),
    C_FindObjects: Some(C_FindObjects),
    C_FindObjectsFinal: Some(C_FindObjectsFinal),
    C_EncryptInit: Some(C_EncryptInit),
    C_Encrypt: Some(C_Encrypt),
    C_EncryptUpdate: Some(C_EncryptUpdate),
    C_EncryptFinal: Some(C_EncryptFinal),
    C_DecryptInit: Some(C_DecryptInit),
    C_Decrypt: Some(C_Decrypt),
    C_DecryptUpdate: Some(C_DecryptUpdate),
    C_DecryptFinal: Some(C_DecryptFinal),
    C_DigestInit: Some(C_DigestInit),
    C_Digest: Some(C_Digest),
    C_DigestUpdate: Some(C_DigestUpdate),
    C_DigestKey: Some(C_DigestKey),
    C_DigestFinal: Some(C_DigestFinal),
    C_SignInit: Some(C_SignInit),
    C_Sign: Some(C_Sign),
    C_SignUpdate: Some(C_SignUpdate),
    C_SignFinal: Some(C_SignFinal),
    C_SignRecoverInit: Some(C_SignRecoverInit),
    C_SignRecover: Some(C_SignRecover),
    C_VerifyInit: Some(C_VerifyInit),
    C_Verify: Some(C_Verify),
    C_VerifyUpdate: Some(C_VerifyUpdate),
    C_VerifyFinal: Some(C_VerifyFinal),
    C_VerifyRecoverInit: Some(C_VerifyRecoverInit),
    C_VerifyRecover: Some(C_VerifyRecover),
    C_DigestEncryptUpdate: Some(C_DigestEncryptUpdate),
    C_DecryptDigestUpdate: Some(C_DecryptDigestUpdate),
    C_SignEncryptUpdate: Some(C_SignEncryptUpdate),
    C_DecryptVerifyUpdate: Some(C_DecryptVerifyUpdate),
    C_GenerateKey: Some(C_GenerateKey),
    C_GenerateKeyPair: Some(C_GenerateKeyPair),
    C_WrapKey: Some(C_WrapKey),
    C_UnwrapKey: Some(C_UnwrapKey),
    C_DeriveKey: Some(C_DeriveKey),
    C_SeedRandom: Some(C_SeedRandom),
    C_GenerateRandom: Some(C_GenerateRandom),
    C_GetFunctionStatus: Some(C_GetFunctionStatus),
    C_CancelFunction: Some(C_CancelFunction),
    C_WaitForSlotEvent: Some(C_WaitForSlotEvent),
};

/// The module's entry point: our function list (the real module is loaded on first use).
///
/// # Safety
/// `list` is null or points to writable storage for one pointer (PKCS#11 §5.2).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetFunctionList(list: *mut *mut CK_FUNCTION_LIST) -> CK_RV {
    if list.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    if real().is_none() {
        return CKR_GENERAL_ERROR;
    }
    // SAFETY: checked non-null; the host only reads the table (PKCS#11 declares the pointer
    // mutable, hence the cast of our immutable static).
    unsafe { *list = &LIST as *const CK_FUNCTION_LIST as *mut CK_FUNCTION_LIST };
    CKR_OK
}

/// Names the real module (instead of `BKFAULT_MODULE`) before the host loads this one: a
/// NUL-terminated path. CKR_OK when the real module is loaded (from this path, or from an
/// earlier one), CKR_GENERAL_ERROR when it does not load.
///
/// # Safety
/// `path` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bkfault_use_module(path: *const c_char) -> CK_RV {
    use std::os::unix::ffi::OsStrExt;
    if path.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    // SAFETY: the caller's NUL-terminated string, checked non-null.
    let bytes = unsafe { std::ffi::CStr::from_ptr(path) }.to_bytes();
    match load(Some(std::ffi::OsStr::from_bytes(bytes).to_os_string())) {
        Some(_) => CKR_OK,
        None => CKR_GENERAL_ERROR,
    }
}

/// Forgets every count and puts the token back (in): the next call is call 1.
#[unsafe(no_mangle)]
pub extern "C" fn bkfault_reset() {
    let mut s = state();
    s.calls = 0;
    s.names.clear();
    s.remove_at = None;
    s.after = false;
    s.session_rv = CKR_DEVICE_REMOVED;
    s.removed = false;
    s.tamper = None;
}

/// Every later `C_GenerateKeyPair` gets its template changed: in the private half's
/// (`private` != 0) or the public half's, attribute `attribute` is dropped (`action` 1) or
/// its boolean value flipped (`action` 2); `action` 0 stops changing templates.
#[unsafe(no_mangle)]
pub extern "C" fn bkfault_template(private: u8, attribute: CK_ATTRIBUTE_TYPE, action: u8) {
    state().tamper = (action != 0).then_some(Tamper {
        private: private != 0,
        attribute,
        flip: action == 2,
    });
}

/// The token is removed at call `n` counted from now (1 = the next call); `rv` is what
/// session functions answer then; `after` != 0 makes call `n` first and loses its answer.
#[unsafe(no_mangle)]
pub extern "C" fn bkfault_remove_at(n: u64, rv: CK_RV, after: u8) {
    let mut s = state();
    s.remove_at = Some(s.calls + n);
    s.session_rv = rv;
    s.after = after != 0;
}

/// The token is inserted again (no removal planned any more).
#[unsafe(no_mangle)]
pub extern "C" fn bkfault_insert() {
    let mut s = state();
    s.removed = false;
    s.remove_at = None;
}

/// Whether the token is out.
#[unsafe(no_mangle)]
pub extern "C" fn bkfault_removed() -> u8 {
    state().removed as u8
}

/// Calls counted since the last reset.
#[unsafe(no_mangle)]
pub extern "C" fn bkfault_calls() -> u64 {
    state().calls
}

/// The function name of call `i` (1-based, since the last reset), NUL-terminated and static,
/// or null.
#[unsafe(no_mangle)]
pub extern "C" fn bkfault_call_name(i: u64) -> *const c_char {
    let s = state();
    match i.checked_sub(1).and_then(|i| s.names.get(i as usize)) {
        Some(n) => n.as_ptr().cast(),
        None => std::ptr::null(),
    }
}
