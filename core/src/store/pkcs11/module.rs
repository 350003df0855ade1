//! Loading a PKCS#11 module once per process, and what it says about its slots and tokens.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::slot::Slot;
use secrecy::SecretString;

use super::error::from_cryptoki;
use super::pin::PinState;
use super::raw::RawModule;
use super::token::Pkcs11Token;
use crate::{Error, ErrorKind, Result};

/// The loaded module: `cryptoki`'s context and our raw function list over the same library.
pub(crate) struct ModuleInner {
    pub(crate) path: PathBuf,
    pub(crate) ctx: Pkcs11,
    pub(crate) raw: RawModule,
    /// We called C_Initialize (not a host before us), so we call C_Finalize.
    initialized_here: bool,
}

impl Drop for ModuleInner {
    fn drop(&mut self) {
        // cryptoki 0.12 does not finalise on drop. Without C_Finalize, SoftHSM built with GOST
        // tears down its OpenSSL engine from a static destructor after OpenSSL's own exit
        // cleanup and crashes the process at exit (seen here).
        if self.initialized_here {
            // Under the loading lock: a `load` of the same path must not C_Initialize while
            // we C_Finalize. (No ModuleInner is ever dropped while that lock is held.)
            let _loading = LOADED.lock().unwrap_or_else(|p| p.into_inner());
            let _ = self.ctx.clone().finalize();
        }
    }
}

/// Modules loaded in this process, by canonical path. PKCS#11 allows one `C_Initialize` per
/// module per process, and SoftHSM crashes when two threads initialise it at once: loading goes
/// through this lock and hands out the same instance while anyone holds it.
static LOADED: Mutex<Vec<(PathBuf, Weak<ModuleInner>)>> = Mutex::new(Vec::new());

/// A PKCS#11 module (`librtpkcs11ecp.so`, `libjcPKCS11-2.so`, `libeTPkcs11.so`,
/// `libsofthsm2.so`, `libopencryptoki.so`, ...), loaded and initialised once per process and
/// shared by every [`Pkcs11Module`] and [`Pkcs11Token`] made from the same path. Cheap to clone;
/// `Send + Sync`. The module is finalised when the last holder is dropped.
#[derive(Clone)]
pub struct Pkcs11Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl std::fmt::Debug for Pkcs11Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Module")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Pkcs11Module {
    /// Loads the module at `path` (or returns the instance already loaded from it).
    pub fn load(path: impl AsRef<Path>) -> Result<Pkcs11Module> {
        let path = path.as_ref();
        let canonical = std::fs::canonicalize(path).map_err(|e| {
            Error::new(
                ErrorKind::Pkcs11,
                format!("PKCS#11 module {}: {e}", path.display()),
            )
            .with_field("module")
        })?;
        let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
        loaded.retain(|(_, w)| w.strong_count() > 0);
        if let Some(inner) = loaded
            .iter()
            .find(|(p, _)| *p == canonical)
            .and_then(|(_, w)| w.upgrade())
        {
            return Ok(Pkcs11Module { inner });
        }
        let ctx = Pkcs11::new(&canonical)
            .map_err(|e| from_cryptoki(e, &format!("loading {}", canonical.display())))?;
        let initialized_here =
            match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
                Ok(()) => true,
                // Another library in this process (a host application) initialised it: share
                // it, and leave finalising to it.
                Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => false,
                Err(e) => return Err(from_cryptoki(e, "initialising the module")),
            };
        let raw = RawModule::open(&canonical)?;
        let inner = Arc::new(ModuleInner {
            path: canonical.clone(),
            ctx,
            raw,
            initialized_here,
        });
        loaded.push((canonical, Arc::downgrade(&inner)));
        Ok(Pkcs11Module { inner })
    }

    /// The canonical path the module was loaded from.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The module's own description: (manufacturer, library description, library version).
    pub fn library_info(&self) -> Result<(String, String, String)> {
        let info = self
            .inner
            .ctx
            .get_library_info()
            .map_err(|e| from_cryptoki(e, "reading the module information"))?;
        let v = info.library_version();
        Ok((
            info.manufacturer_id().trim().to_string(),
            info.library_description().trim().to_string(),
            format!("{}.{}", v.major(), v.minor()),
        ))
    }

    /// Every slot, with or without a token.
    pub fn slots(&self) -> Result<Vec<SlotInfo>> {
        let slots = self
            .inner
            .ctx
            .get_all_slots()
            .map_err(|e| from_cryptoki(e, "listing slots"))?;
        slots.into_iter().map(|s| self.slot_info(s)).collect()
    }

    fn slot_info(&self, slot: Slot) -> Result<SlotInfo> {
        let info = self
            .inner
            .ctx
            .get_slot_info(slot)
            .map_err(|e| from_cryptoki(e, "reading slot information"))?;
        Ok(SlotInfo {
            slot_id: slot.id(),
            description: info.slot_description().trim().to_string(),
            manufacturer: info.manufacturer_id().trim().to_string(),
            token_present: info.token_present(),
            removable: info.removable_device(),
            hardware: info.hardware_slot(),
        })
    }

    /// The tokens present, one per slot that holds one.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let slots = self
            .inner
            .ctx
            .get_slots_with_token()
            .map_err(|e| from_cryptoki(e, "listing slots with a token"))?;
        let mut out = Vec::with_capacity(slots.len());
        for slot in slots {
            match token_info(&self.inner, slot.id()) {
                Ok(t) => out.push(t),
                // Pulled out between the two calls: it is simply not there.
                Err(e) if e.kind() == ErrorKind::TokenAbsent => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Opens the token chosen by `selector`. Fails with [`ErrorKind::TokenAbsent`] when no
    /// present token matches, and [`ErrorKind::InvalidInput`] when several do.
    pub fn open_token(&self, selector: &TokenSelector) -> Result<Pkcs11Token> {
        let tokens = self.tokens()?;
        let matching: Vec<&TokenInfo> = tokens.iter().filter(|t| selector.matches(t)).collect();
        match matching.as_slice() {
            [one] => Pkcs11Token::open(self.inner.clone(), (*one).clone()),
            [] => Err(Error::new(
                ErrorKind::TokenAbsent,
                format!("no token {selector} is present"),
            )),
            _ => Err(Error::invalid_field(
                "token",
                format!(
                    "{} tokens match {selector}: choose by serial number",
                    matching.len()
                ),
            )),
        }
    }

    /// Initialises (erases!) the token in `slot`: C_InitToken with the SO PIN and a label.
    /// For issuing tokens and for tests; a subscriber's token is never initialised by us.
    pub fn init_token(&self, slot_id: u64, so_pin: &SecretString, label: &str) -> Result<()> {
        let slot = Slot::try_from(slot_id).map_err(|e| from_cryptoki(e, "choosing the slot"))?;
        self.inner
            .ctx
            .init_token(slot, so_pin, label)
            .map_err(|e| from_cryptoki(e, "initialising the token"))
    }

    /// Mechanism types the token in `slot_id` offers, including types `cryptoki` does not
    /// know (GOST, vendor-defined), each with its name where we know it.
    pub fn mechanisms(&self, slot_id: u64) -> Result<Vec<(u64, String)>> {
        let list = self.inner.raw.mechanism_list(slot_id as _)?;
        Ok(list
            .into_iter()
            .map(|m| (m as u64, super::quirks::mechanism_name(m)))
            .collect())
    }
}

/// How to choose a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSelector {
    /// By serial number (as CK_TOKEN_INFO gives it, trailing blanks ignored): the reliable way.
    Serial(String),
    /// By label.
    Label(String),
    /// By slot ID.
    Slot(u64),
    /// The only token present.
    Only,
}

impl TokenSelector {
    fn matches(&self, t: &TokenInfo) -> bool {
        match self {
            TokenSelector::Serial(s) => t.serial == s.trim(),
            TokenSelector::Label(l) => t.label == l.trim(),
            TokenSelector::Slot(id) => t.slot_id == *id,
            TokenSelector::Only => true,
        }
    }
}

impl std::fmt::Display for TokenSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSelector::Serial(s) => write!(f, "with serial number \"{s}\""),
            TokenSelector::Label(l) => write!(f, "labelled \"{l}\""),
            TokenSelector::Slot(id) => write!(f, "in slot {id}"),
            TokenSelector::Only => write!(f, "(any)"),
        }
    }
}

/// A slot (reader) of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotInfo {
    /// The slot ID.
    pub slot_id: u64,
    /// The slot description (reader name).
    pub description: String,
    /// The slot manufacturer.
    pub manufacturer: String,
    /// A token is in the slot.
    pub token_present: bool,
    /// The token can be removed (a USB token, a smart card).
    pub removable: bool,
    /// A hardware slot (not a software one).
    pub hardware: bool,
}

/// Flags of a token that matter to us (CK_TOKEN_INFO.flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenFlags {
    /// The token has been initialised.
    pub token_initialized: bool,
    /// The user must log in for private objects.
    pub login_required: bool,
    /// The user PIN has been set.
    pub user_pin_initialized: bool,
    /// CKF_USER_PIN_TO_BE_CHANGED.
    pub user_pin_to_be_changed: bool,
    /// CKF_USER_PIN_COUNT_LOW.
    pub user_pin_count_low: bool,
    /// CKF_USER_PIN_FINAL_TRY.
    pub user_pin_final_try: bool,
    /// CKF_USER_PIN_LOCKED.
    pub user_pin_locked: bool,
    /// CKF_SO_PIN_LOCKED.
    pub so_pin_locked: bool,
    /// CKF_PROTECTED_AUTHENTICATION_PATH (PIN pad).
    pub protected_authentication_path: bool,
    /// CKF_WRITE_PROTECTED.
    pub write_protected: bool,
    /// CKF_RNG.
    pub rng: bool,
}

/// A token, as CK_TOKEN_INFO describes it (owned; blanks trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The slot it is in.
    pub slot_id: u64,
    /// The label.
    pub label: String,
    /// The serial number.
    pub serial: String,
    /// The model.
    pub model: String,
    /// The manufacturer.
    pub manufacturer: String,
    /// The flags.
    pub flags: TokenFlags,
    /// The user PIN state derived from the flags.
    pub pin_state: PinState,
    /// Free public memory in bytes, when the token tells.
    pub free_public_memory: Option<u64>,
    /// Free private memory in bytes, when the token tells.
    pub free_private_memory: Option<u64>,
    /// Total public memory in bytes, when the token tells.
    pub total_public_memory: Option<u64>,
    /// Total private memory in bytes, when the token tells.
    pub total_private_memory: Option<u64>,
    /// Minimum PIN length.
    pub min_pin_len: u64,
    /// Maximum PIN length.
    pub max_pin_len: u64,
    /// Hardware version "major.minor".
    pub hardware_version: String,
    /// Firmware version "major.minor".
    pub firmware_version: String,
}

/// Reads CK_TOKEN_INFO for a slot (through the raw layer: see `RawModule::token_info`).
pub(crate) fn token_info(module: &ModuleInner, slot_id: u64) -> Result<TokenInfo> {
    use cryptoki_sys::*;
    let t = module.raw.token_info(slot_id as CK_SLOT_ID)?;
    let text = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .trim_end_matches([' ', '\0'])
            .to_string()
    };
    let has = |f: CK_FLAGS| t.flags & f != 0;
    let flags = TokenFlags {
        token_initialized: has(CKF_TOKEN_INITIALIZED),
        login_required: has(CKF_LOGIN_REQUIRED),
        user_pin_initialized: has(CKF_USER_PIN_INITIALIZED),
        user_pin_to_be_changed: has(CKF_USER_PIN_TO_BE_CHANGED),
        user_pin_count_low: has(CKF_USER_PIN_COUNT_LOW),
        user_pin_final_try: has(CKF_USER_PIN_FINAL_TRY),
        user_pin_locked: has(CKF_USER_PIN_LOCKED),
        so_pin_locked: has(CKF_SO_PIN_LOCKED),
        protected_authentication_path: has(CKF_PROTECTED_AUTHENTICATION_PATH),
        write_protected: has(CKF_WRITE_PROTECTED),
        rng: has(CKF_RNG),
    };
    let pin_state = PinState::from_flags(
        flags.user_pin_initialized,
        flags.user_pin_locked,
        flags.user_pin_final_try,
        flags.user_pin_count_low,
        flags.user_pin_to_be_changed,
    );
    // CK_UNAVAILABLE_INFORMATION means "the token does not tell".
    let mem = |m: CK_ULONG| (m != CK_UNAVAILABLE_INFORMATION).then_some(m as u64);
    let version = |v: CK_VERSION| format!("{}.{}", v.major, v.minor);
    Ok(TokenInfo {
        slot_id,
        label: text(&t.label),
        serial: text(&t.serialNumber),
        model: text(&t.model),
        manufacturer: text(&t.manufacturerID),
        flags,
        pin_state,
        free_public_memory: mem(t.ulFreePublicMemory),
        free_private_memory: mem(t.ulFreePrivateMemory),
        total_public_memory: mem(t.ulTotalPublicMemory),
        total_private_memory: mem(t.ulTotalPrivateMemory),
        min_pin_len: t.ulMinPinLen as u64,
        max_pin_len: t.ulMaxPinLen as u64,
        hardware_version: version(t.hardwareVersion),
        firmware_version: version(t.firmwareVersion),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_a_missing_module_names_the_field() {
        let e = Pkcs11Module::load("/nonexistent/libnothing.so").unwrap_err();
        assert_eq!(e.field(), Some("module"));
    }

    #[test]
    fn selector_display() {
        assert_eq!(
            TokenSelector::Serial("123".into()).to_string(),
            "with serial number \"123\""
        );
    }
}
