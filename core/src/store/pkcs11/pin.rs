//! The PIN state of a token as a value, and the rules that follow from it.
//!
//! Seeds 000/001 («Для новых носителей — заводской пин-код «12345678», для действующих
//! носителей пин-код должен быть изменен!»): a token still on its factory PIN must not get new
//! keys. PKCS#11 says so with `CKF_USER_PIN_TO_BE_CHANGED`; many tokens do not set that flag,
//! so the known factory PINs are also recognised when the caller logs in with one.

use secrecy::{ExposeSecret, SecretString};

use crate::vocab::stable_codes;
use crate::{Error, ErrorKind, Result};

/// The factory user PINs of common Russian tokens (public knowledge, printed in their manuals
/// and in seed 000): Rutoken "12345678", JaCarta/eToken "1234567890".
pub const FACTORY_PINS: [&str; 2] = ["12345678", "1234567890"];

/// True when `pin` is one of the [`FACTORY_PINS`]. Compared in constant time per candidate.
pub fn is_factory_pin(pin: &SecretString) -> bool {
    use subtle::ConstantTimeEq;
    let p = pin.expose_secret().as_bytes();
    FACTORY_PINS
        .iter()
        .fold(false, |acc, f| acc | bool::from(p.ct_eq(f.as_bytes())))
}

/// The user PIN's state, from the token flags (PKCS#11 §3.2 `CK_TOKEN_INFO.flags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinState {
    /// The user PIN has not been set (the SO must initialise it).
    NotInitialized,
    /// The PIN works and nothing is wrong.
    Ok,
    /// The PIN must be changed before keys are made (`CKF_USER_PIN_TO_BE_CHANGED`, or we know
    /// the token is still on its factory PIN).
    ToBeChanged,
    /// A wrong PIN was entered since the last good one (`CKF_USER_PIN_COUNT_LOW`).
    CountLow,
    /// One more wrong PIN locks the token (`CKF_USER_PIN_FINAL_TRY`).
    FinalTry,
    /// Locked (`CKF_USER_PIN_LOCKED`): only the SO can unlock it.
    Locked,
}

stable_codes!(PinState {
    NotInitialized = 1,
    Ok = 2,
    ToBeChanged = 3,
    CountLow = 4,
    FinalTry = 5,
    Locked = 6,
});

impl PinState {
    /// Every state, from the least to the most severe (but `NotInitialized`, which comes first).
    pub const ALL: [PinState; 6] = [
        PinState::NotInitialized,
        PinState::Ok,
        PinState::ToBeChanged,
        PinState::CountLow,
        PinState::FinalTry,
        PinState::Locked,
    ];

    /// The state from CK_TOKEN_INFO flags; the most severe condition wins.
    pub fn from_flags(
        initialized: bool,
        locked: bool,
        final_try: bool,
        count_low: bool,
        to_be_changed: bool,
    ) -> PinState {
        if locked {
            PinState::Locked
        } else if !initialized {
            PinState::NotInitialized
        } else if final_try {
            PinState::FinalTry
        } else if count_low {
            PinState::CountLow
        } else if to_be_changed {
            PinState::ToBeChanged
        } else {
            PinState::Ok
        }
    }

    /// The stable machine name (`not_initialized`, `ok`, `to_be_changed`, `count_low`,
    /// `final_try`, `locked`): reports, bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            PinState::NotInitialized => "not_initialized",
            PinState::Ok => "ok",
            PinState::ToBeChanged => "to_be_changed",
            PinState::CountLow => "count_low",
            PinState::FinalTry => "final_try",
            PinState::Locked => "locked",
        }
    }

    /// The same as [`as_str`](Self::as_str) (the name it had first).
    pub fn name(self) -> &'static str {
        self.as_str()
    }

    /// What the user is told, in Russian.
    pub fn ru(self) -> &'static str {
        match self {
            PinState::NotInitialized => "Пин-код пользователя не задан",
            PinState::Ok => "Пин-код в порядке",
            PinState::ToBeChanged => "Необходимо сменить заводской пин-код",
            PinState::CountLow => "Был введён неверный пин-код",
            PinState::FinalTry => "Осталась последняя попытка ввода пин-кода",
            PinState::Locked => "Пин-код заблокирован",
        }
    }

    /// What the user is told, in English.
    pub fn en(self) -> &'static str {
        match self {
            PinState::NotInitialized => "User PIN not set",
            PinState::Ok => "PIN OK",
            PinState::ToBeChanged => "The factory PIN must be changed",
            PinState::CountLow => "A wrong PIN was entered",
            PinState::FinalTry => "One try left before the PIN locks",
            PinState::Locked => "PIN locked",
        }
    }

    /// Parses a machine name written by [`as_str`](Self::as_str).
    pub fn parse(name: &str) -> Result<PinState> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| Error::invalid_field("pin_state", format!("unknown PIN state {name:?}")))
    }

    /// Whether a login attempt may be made, given whether the caller insists on using the
    /// final try. Locked and uninitialised PINs are refused with their own kind.
    pub fn check_login_allowed(self, insist_on_final_try: bool) -> Result<()> {
        match self {
            PinState::Locked => Err(Error::new(
                ErrorKind::PinLocked,
                "the user PIN is locked; the security officer must unlock it",
            )),
            PinState::NotInitialized => Err(Error::new(
                ErrorKind::PreconditionFailed,
                "the user PIN of this token is not initialised",
            )),
            PinState::FinalTry if !insist_on_final_try => Err(Error::new(
                ErrorKind::PinFinalTry,
                "one more wrong PIN locks the token: not trying unless the caller insists",
            )),
            _ => Ok(()),
        }
    }
}

/// How to log in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginOptions {
    /// Try even when the token says one more wrong PIN locks it. Off by default: the caller
    /// must ask the user first.
    pub insist_on_final_try: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_states_are_a_stable_vocabulary() {
        crate::vocab::assert_vocabulary!(PinState);
    }

    #[test]
    fn severity_order() {
        assert_eq!(
            PinState::from_flags(true, true, true, true, true),
            PinState::Locked
        );
        assert_eq!(
            PinState::from_flags(true, false, true, true, true),
            PinState::FinalTry
        );
        assert_eq!(
            PinState::from_flags(true, false, false, true, true),
            PinState::CountLow
        );
        assert_eq!(
            PinState::from_flags(true, false, false, false, true),
            PinState::ToBeChanged
        );
        assert_eq!(
            PinState::from_flags(false, false, false, false, false),
            PinState::NotInitialized
        );
        assert_eq!(
            PinState::from_flags(true, false, false, false, false),
            PinState::Ok
        );
    }

    #[test]
    fn final_try_needs_insisting_and_locked_never_logs_in() {
        assert_eq!(
            PinState::FinalTry
                .check_login_allowed(false)
                .unwrap_err()
                .kind(),
            ErrorKind::PinFinalTry
        );
        assert!(PinState::FinalTry.check_login_allowed(true).is_ok());
        assert_eq!(
            PinState::Locked
                .check_login_allowed(true)
                .unwrap_err()
                .kind(),
            ErrorKind::PinLocked
        );
        assert!(PinState::CountLow.check_login_allowed(false).is_ok());
    }

    #[test]
    fn factory_pins() {
        assert!(is_factory_pin(&SecretString::from("12345678")));
        assert!(is_factory_pin(&SecretString::from("1234567890")));
        assert!(!is_factory_pin(&SecretString::from("123456789")));
        assert!(!is_factory_pin(&SecretString::from("")));
    }
}
