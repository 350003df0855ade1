//! One token: sessions, login and PIN, presence.
//!
//! Sessions: a small pool of read-write sessions, one taken per operation and given back, so
//! several threads use the token at once without sharing a session (a PKCS#11 session is not
//! to be used by two threads at a time). Login is per token in PKCS#11: once logged in, every
//! session of this process is. While logged in we keep one session open (the login dies with
//! the last session).
//!
//! Removal (seed 000: plug the token in only for the operation): every operation first checks
//! that the slot still holds the same token (serial number), and any CKR saying the device or
//! the session is gone drops every session and forgets the login; the caller gets
//! [`ErrorKind::TokenAbsent`]. Re-inserting the token needs a new login.

use std::sync::{Arc, Mutex, MutexGuard};

use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use secrecy::{ExposeSecret, SecretString};

use super::error::{from_cryptoki, means_removed};
use super::module::{ModuleInner, TokenInfo, token_info};
use super::pin::{LoginOptions, PinState, is_factory_pin};
use super::quirks::Quirks;
use crate::{Error, ErrorKind, Result};

/// Session state of one token.
#[derive(Default)]
struct Sessions {
    /// Idle sessions, ready for the next operation.
    idle: Vec<Session>,
    /// The session that keeps the login alive (None when logged out).
    anchor: Option<Session>,
    /// We logged in (and have not seen the token go).
    logged_in: bool,
    /// The login was already held by another handle on this token in this process (PKCS#11
    /// logins belong to the application, not the session): the PIN was not checked, and
    /// logging out is left to the handle that logged in.
    shared_login: bool,
    /// The user logged in with a known factory PIN (many tokens do not flag it).
    factory_pin_used: bool,
    /// The token was removed: nothing works until it is opened again.
    removed: bool,
}

pub(crate) struct TokenInner {
    pub(crate) module: Arc<ModuleInner>,
    pub(crate) slot: Slot,
    pub(crate) info: TokenInfo,
    pub(crate) quirks: Quirks,
    sessions: Mutex<Sessions>,
    /// Held exclusively by what writes objects (key generation, certificate install, retire,
    /// delete) and shared by listings, within this process: SoftHSM answered
    /// CKR_GENERAL_ERROR to key generations from several threads at once, and a listing
    /// read a handle that vanished meanwhile (issue 13, the load test); real tokens
    /// serialise at the device anyway. Signing does not take it.
    objects: std::sync::RwLock<()>,
    /// Key generation accepts a pair to which the token gave usages the template did not
    /// ask for ([`Pkcs11Token::set_accept_extra_key_usages`]).
    accept_extra_usages: std::sync::atomic::AtomicBool,
}

impl TokenInner {
    /// Whether key generation accepts extra usages (see `accept_extra_usages`).
    pub(crate) fn accepts_extra_usages(&self) -> bool {
        self.accept_extra_usages
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The exclusive hold of the token's objects (see `objects`).
    pub(crate) fn write_objects(&self) -> std::sync::RwLockWriteGuard<'_, ()> {
        self.objects.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The shared hold of the token's objects (see `objects`).
    pub(crate) fn read_objects(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.objects.read().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for TokenInner {
    fn drop(&mut self) {
        // Never hold a login longer than the holder of the token: log out, close sessions.
        let s = self.sessions.get_mut().unwrap_or_else(|p| p.into_inner());
        if s.logged_in
            && !s.shared_login
            && let Some(a) = s.anchor.as_ref()
        {
            let _ = a.logout();
        }
        s.idle.clear();
        s.anchor = None;
    }
}

/// A token in a slot of a [`super::Pkcs11Module`]: PIN state, login, keys and certificates.
///
/// `Send + Sync` and cheap to clone (clones share sessions and login). Dropping the last clone
/// logs out and closes the sessions.
#[derive(Clone)]
pub struct Pkcs11Token {
    pub(crate) inner: Arc<TokenInner>,
}

impl std::fmt::Debug for Pkcs11Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Token")
            .field("slot", &self.inner.info.slot_id)
            .field("label", &self.inner.info.label)
            .field("serial", &self.inner.info.serial)
            .finish()
    }
}

impl Pkcs11Token {
    pub(crate) fn open(module: Arc<ModuleInner>, info: TokenInfo) -> Result<Pkcs11Token> {
        let slot =
            Slot::try_from(info.slot_id).map_err(|e| from_cryptoki(e, "choosing the slot"))?;
        let mut mechanisms = Vec::new();
        for m in module.raw.mechanism_list(info.slot_id as _)? {
            let sign = module
                .raw
                .mechanism_info(info.slot_id as _, m)
                .map(|(_, _, flags)| flags & cryptoki_sys::CKF_SIGN != 0)
                .unwrap_or(false);
            mechanisms.push((m, sign));
        }
        let quirks = Quirks::decide(&info.manufacturer, &info.model, &mechanisms);
        Ok(Pkcs11Token {
            inner: Arc::new(TokenInner {
                module,
                slot,
                info,
                quirks,
                sessions: Mutex::new(Sessions::default()),
                objects: std::sync::RwLock::new(()),
                accept_extra_usages: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    /// Lets key generation keep a pair to which the token gave usages the template set
    /// false (`CKA_DECRYPT`, `CKA_UNWRAP`, `CKA_DERIVE`, `CKA_SIGN_RECOVER` on the private
    /// key; `CKA_ENCRYPT`, `CKA_WRAP`, `CKA_DERIVE`, `CKA_VERIFY_RECOVER` on the public key) —
    /// for a token known to force them, when the host chooses that over not generating on it.
    /// Off by default: generation then destroys such a pair and fails with
    /// [`ErrorKind::Pkcs11`](crate::ErrorKind::Pkcs11) naming the attribute (the error's
    /// field). Never accepted, whatever this says: a private key that can leave the token
    /// (extractable, or not sensitive, now or ever), is readable without the PIN, is not a
    /// token object, or cannot sign. Applies to every clone of this token.
    pub fn set_accept_extra_key_usages(&self, accept: bool) {
        self.inner
            .accept_extra_usages
            .store(accept, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether key generation keeps a pair with usages the token added
    /// ([`Pkcs11Token::set_accept_extra_key_usages`]); false unless the host said so.
    pub fn accepts_extra_key_usages(&self) -> bool {
        self.inner.accepts_extra_usages()
    }

    /// The token's description as read when it was opened (label, serial, model, ...).
    pub fn info(&self) -> &TokenInfo {
        &self.inner.info
    }

    /// The token's description now (flags and free memory change).
    pub fn refresh_info(&self) -> Result<TokenInfo> {
        self.inner.check_present()?;
        token_info(&self.inner.module, self.inner.info.slot_id)
    }

    /// What we decided about this token's behaviour (mechanisms, signing paths, factory PIN).
    pub fn quirks(&self) -> &Quirks {
        &self.inner.quirks
    }

    /// The user PIN state now: the token's flags, and [`PinState::ToBeChanged`] when the user
    /// logged in with a known factory PIN that the token does not flag.
    pub fn pin_state(&self) -> Result<PinState> {
        let state = self.refresh_info()?.pin_state;
        if state == PinState::Ok && self.inner.lock().factory_pin_used {
            return Ok(PinState::ToBeChanged);
        }
        Ok(state)
    }

    /// Whether the token is still in its slot (same serial number). Sessions and login are
    /// dropped when it is not.
    pub fn is_present(&self) -> bool {
        self.inner.check_present().is_ok()
    }

    /// Whether we are logged in.
    pub fn is_logged_in(&self) -> bool {
        let s = self.inner.lock();
        s.logged_in && !s.removed
    }

    /// Whether our login is another handle's (see [`login`](Self::login)): the PIN given to
    /// `login` was then not checked by the token.
    pub fn login_is_shared(&self) -> bool {
        let s = self.inner.lock();
        s.logged_in && s.shared_login
    }

    /// Logs the user in. Refused without trying when the PIN is locked or on its final try
    /// (unless `options.insist_on_final_try`). A wrong PIN gives [`ErrorKind::PinIncorrect`]
    /// with the state that follows (count low, final try) in the message, or
    /// [`ErrorKind::PinLocked`] when that try locked it.
    ///
    /// When another handle on the same token in this process is logged in already (the token
    /// answers `CKR_USER_ALREADY_LOGGED_IN`: logins belong to the application), this handle
    /// shares that login: the PIN is not checked ([`login_is_shared`](Self::login_is_shared))
    /// and [`logout`](Self::logout) or dropping this handle leaves the other's login in place.
    pub fn login(&self, pin: &SecretString, options: LoginOptions) -> Result<()> {
        let state = self.refresh_info()?.pin_state;
        state.check_login_allowed(options.insist_on_final_try)?;
        let inner = &self.inner;
        let mut s = inner.lock();
        if s.logged_in {
            return Ok(());
        }
        let anchor = inner.open_session(&mut s)?;
        let mut shared = false;
        match anchor.login(UserType::User, Some(pin)) {
            Ok(()) => {}
            Err(cryptoki::error::Error::Pkcs11(
                cryptoki::error::RvError::UserAlreadyLoggedIn,
                _,
            )) => shared = true,
            Err(e) => {
                drop(anchor);
                drop(s);
                let err = inner.handle_error(from_cryptoki(e, "logging in"));
                if err.kind() == ErrorKind::PinIncorrect {
                    let after = token_info(&inner.module, inner.info.slot_id)
                        .map(|t| t.pin_state)
                        .unwrap_or(state);
                    return Err(match after {
                        PinState::Locked => Error::new(
                            ErrorKind::PinLocked,
                            "wrong PIN; the user PIN is now locked",
                        ),
                        other => Error::new(
                            ErrorKind::PinIncorrect,
                            format!("wrong PIN; PIN state now: {}", other.name()),
                        ),
                    });
                }
                return Err(err);
            }
        }
        s.anchor = Some(anchor);
        s.logged_in = true;
        s.shared_login = shared;
        s.factory_pin_used = !shared && is_factory_pin(pin);
        drop(s);
        // A generation the token's removal interrupted is finished now (best effort: the
        // listing pairs its halves anyway).
        let _ = self.finish_interrupted_generations();
        Ok(())
    }

    /// Logs out and closes every session. Idempotent. A shared login (see
    /// [`login`](Self::login)) is only let go of, not ended.
    pub fn logout(&self) -> Result<()> {
        let mut s = self.inner.lock();
        let result = match (&s.anchor, s.logged_in && !s.shared_login) {
            (Some(a), true) => match a.logout() {
                Ok(()) => Ok(()),
                Err(cryptoki::error::Error::Pkcs11(
                    cryptoki::error::RvError::UserNotLoggedIn,
                    _,
                )) => Ok(()),
                Err(e) => Err(from_cryptoki(e, "logging out")),
            },
            _ => Ok(()),
        };
        s.logged_in = false;
        s.shared_login = false;
        s.factory_pin_used = false;
        s.anchor = None;
        s.idle.clear();
        result
    }

    /// Changes the user PIN (C_SetPIN). The new PIN may not be a known factory PIN; it must
    /// fit the token's length limits.
    pub fn change_pin(&self, old: &SecretString, new: &SecretString) -> Result<()> {
        if is_factory_pin(new) {
            return Err(Error::invalid_field(
                "new_pin",
                "the new PIN is a factory default PIN",
            ));
        }
        let info = self.refresh_info()?;
        let len = new.expose_secret().len() as u64;
        if len < info.min_pin_len || (info.max_pin_len > 0 && len > info.max_pin_len) {
            return Err(Error::invalid_field(
                "new_pin",
                format!(
                    "the PIN must have {} to {} characters",
                    info.min_pin_len, info.max_pin_len
                ),
            ));
        }
        self.inner.with_session(|s| {
            s.set_pin(old, new)
                .map_err(|e| from_cryptoki(e, "changing the PIN"))
        })?;
        self.inner.lock().factory_pin_used = false;
        Ok(())
    }

    /// The security officer sets a new user PIN (C_InitPIN): how a locked PIN is unlocked.
    /// Logs the user out first; the SO is logged out afterwards.
    pub fn init_user_pin(&self, so_pin: &SecretString, new_user_pin: &SecretString) -> Result<()> {
        self.logout()?;
        let inner = &self.inner;
        let mut s = inner.lock();
        let session = inner.open_session(&mut s)?;
        drop(s);
        session
            .login(UserType::So, Some(so_pin))
            .map_err(|e| inner.handle_error(from_cryptoki(e, "logging in as security officer")))?;
        let result = session
            .init_pin(new_user_pin)
            .map_err(|e| from_cryptoki(e, "setting the user PIN"));
        let _ = session.logout();
        result
    }
}

/// Drops every session and the login, through a lock already held.
fn forget_locked(s: &mut Sessions) {
    s.removed = true;
    s.logged_in = false;
    s.shared_login = false;
    s.factory_pin_used = false;
    s.anchor = None;
    s.idle.clear();
}

impl TokenInner {
    fn lock(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Fails with TokenAbsent (and forgets sessions and login) when the slot no longer holds
    /// this token.
    pub(crate) fn check_present(&self) -> Result<()> {
        if self.lock().removed {
            return Err(absent());
        }
        let present = match self.module.ctx.get_slot_info(self.slot) {
            Ok(si) if si.token_present() => token_info(&self.module, self.info.slot_id)
                .map(|t| t.serial == self.info.serial)
                .unwrap_or(false),
            _ => false,
        };
        if present {
            Ok(())
        } else {
            self.forget();
            Err(absent())
        }
    }

    /// Drops every session and the login (the token is gone).
    fn forget(&self) {
        forget_locked(&mut self.lock());
    }

    /// Maps an error: when it says the token or session is gone, forget everything and
    /// report TokenAbsent.
    pub(crate) fn handle_error(&self, e: Error) -> Error {
        if gone(&e) {
            handle_error(&mut self.lock(), e)
        } else {
            e
        }
    }

    /// Opens a session; the caller holds the lock on `s`, so a token found gone is forgotten
    /// through `s` (not [`forget`](Self::forget), which would wait for that same lock: a
    /// token pulled at C_OpenSession hung the host, found by the fault-injecting module's
    /// test).
    fn open_session(&self, s: &mut Sessions) -> Result<Session> {
        if s.removed {
            return Err(absent());
        }
        self.module
            .ctx
            .open_rw_session(self.slot)
            .map_err(|e| handle_error(s, from_cryptoki(e, "opening a session")))
    }

    /// Runs `f` on a session of this token (taken from the pool or opened), after checking
    /// the token is present; gives the session back unless the token went away.
    pub(crate) fn with_session<T>(&self, f: impl FnOnce(&Session) -> Result<T>) -> Result<T> {
        self.check_present()?;
        let session = {
            let mut s = self.lock();
            match s.idle.pop() {
                Some(session) => session,
                None => self.open_session(&mut s)?,
            }
        };
        match f(&session) {
            Ok(v) => {
                let mut s = self.lock();
                if !s.removed {
                    s.idle.push(session);
                }
                Ok(v)
            }
            Err(e) => {
                let e = self.handle_error(e);
                if e.kind() != ErrorKind::TokenAbsent {
                    let mut s = self.lock();
                    if !s.removed {
                        s.idle.push(session);
                    }
                }
                Err(e)
            }
        }
    }

    /// Fails unless logged in (keys are private objects).
    pub(crate) fn require_login(&self) -> Result<()> {
        let s = self.lock();
        if s.removed {
            return Err(absent());
        }
        if !s.logged_in {
            return Err(Error::new(
                ErrorKind::PreconditionFailed,
                "log in to the token first",
            ));
        }
        Ok(())
    }

    /// Fails with PinFactoryDefault when the PIN must be changed before keys are made.
    pub(crate) fn refuse_factory_pin(&self) -> Result<()> {
        let flagged = token_info(&self.module, self.info.slot_id)
            .map(|t| t.flags.user_pin_to_be_changed)
            .unwrap_or(false);
        if flagged || self.lock().factory_pin_used {
            return Err(Error::new(
                ErrorKind::PinFactoryDefault,
                "the token still has its factory PIN: change the PIN before generating keys",
            ));
        }
        Ok(())
    }
}

/// True when the error says the token or our session is gone.
pub(crate) fn gone(e: &Error) -> bool {
    e.ckr().is_some_and(|ckr| means_removed(ckr as _)) || e.kind() == ErrorKind::TokenAbsent
}

/// [`TokenInner::handle_error`] for a caller that holds the session lock.
fn handle_error(s: &mut Sessions, e: Error) -> Error {
    if !gone(&e) {
        return e;
    }
    forget_locked(s);
    Error::new(
        ErrorKind::TokenAbsent,
        format!("{} ({})", absent().message(), e.message()),
    )
}

fn absent() -> Error {
    Error::new(
        ErrorKind::TokenAbsent,
        "the token was removed: insert it and open it again",
    )
}
