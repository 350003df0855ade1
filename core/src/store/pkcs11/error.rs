//! PKCS#11 failures as bankkey [`Error`]s: the CKR value and the function are kept, and the
//! return values a caller must act on differently get their own [`ErrorKind`].

use cryptoki::error::{Error as CkError, RvError};
use cryptoki_sys::*;

use crate::{Error, ErrorKind};

/// The kind a CKR value maps to: PIN and token-presence failures are distinct kinds because
/// the caller acts on them (ask again, stop, ask to insert the token); the rest are `Pkcs11`.
pub(crate) fn kind_of(ckr: CK_RV) -> ErrorKind {
    match ckr {
        CKR_PIN_INCORRECT | CKR_PIN_INVALID | CKR_PIN_LEN_RANGE => ErrorKind::PinIncorrect,
        CKR_PIN_LOCKED => ErrorKind::PinLocked,
        CKR_PIN_EXPIRED => ErrorKind::PinFactoryDefault,
        CKR_TOKEN_NOT_PRESENT
        | CKR_DEVICE_REMOVED
        | CKR_TOKEN_NOT_RECOGNIZED
        | CKR_SLOT_ID_INVALID => ErrorKind::TokenAbsent,
        _ => ErrorKind::Pkcs11,
    }
}

/// True when the failure means the token (or our sessions on it) is gone: sessions must be
/// dropped and logins forgotten.
pub(crate) fn means_removed(ckr: CK_RV) -> bool {
    matches!(
        ckr,
        CKR_TOKEN_NOT_PRESENT
            | CKR_DEVICE_REMOVED
            | CKR_SLOT_ID_INVALID
            | CKR_SESSION_HANDLE_INVALID
            | CKR_SESSION_CLOSED
            | CKR_TOKEN_NOT_RECOGNIZED
    )
}

/// A bankkey error for `function` returning `ckr`; `what` says what we were doing.
pub(crate) fn ckr_error(function: &str, ckr: CK_RV, what: &str) -> Error {
    let name = ckr_name(ckr);
    match kind_of(ckr) {
        ErrorKind::Pkcs11 => Error::pkcs11(function, ckr as u64, format!("{what}: {name}")),
        kind => Error::new(
            kind,
            format!("{what}: {function} returned {name} (0x{ckr:08X})"),
        ),
    }
}

/// Converts a `cryptoki` error; `what` says what we were doing (never a secret).
pub(crate) fn from_cryptoki(e: CkError, what: &str) -> Error {
    match e {
        CkError::Pkcs11(rv, function) => ckr_error(&function.to_string(), ckr_of(&rv), what),
        CkError::LibraryLoading(e) => Error::new(
            ErrorKind::Pkcs11,
            format!("{what}: loading the module: {e}"),
        ),
        CkError::NotSupported => Error::new(
            ErrorKind::Pkcs11,
            format!("{what}: the module does not offer this function"),
        ),
        other => Error::new(ErrorKind::Pkcs11, format!("{what}: {other}")),
    }
}

/// The CKR value behind a `cryptoki` [`RvError`] (cryptoki keeps only the enum).
pub(crate) fn ckr_of(rv: &RvError) -> CK_RV {
    match *rv {
        RvError::Cancel => CKR_CANCEL,
        RvError::HostMemory => CKR_HOST_MEMORY,
        RvError::SlotIdInvalid => CKR_SLOT_ID_INVALID,
        RvError::GeneralError => CKR_GENERAL_ERROR,
        RvError::FunctionFailed => CKR_FUNCTION_FAILED,
        RvError::ArgumentsBad => CKR_ARGUMENTS_BAD,
        RvError::NoEvent => CKR_NO_EVENT,
        RvError::NeedToCreateThreads => CKR_NEED_TO_CREATE_THREADS,
        RvError::CantLock => CKR_CANT_LOCK,
        RvError::AttributeReadOnly => CKR_ATTRIBUTE_READ_ONLY,
        RvError::AttributeSensitive => CKR_ATTRIBUTE_SENSITIVE,
        RvError::AttributeTypeInvalid => CKR_ATTRIBUTE_TYPE_INVALID,
        RvError::AttributeValueInvalid => CKR_ATTRIBUTE_VALUE_INVALID,
        RvError::ActionProhibited => CKR_ACTION_PROHIBITED,
        RvError::DataInvalid => CKR_DATA_INVALID,
        RvError::DataLenRange => CKR_DATA_LEN_RANGE,
        RvError::DeviceError => CKR_DEVICE_ERROR,
        RvError::DeviceMemory => CKR_DEVICE_MEMORY,
        RvError::DeviceRemoved => CKR_DEVICE_REMOVED,
        RvError::EncryptedDataInvalid => CKR_ENCRYPTED_DATA_INVALID,
        RvError::EncryptedDataLenRange => CKR_ENCRYPTED_DATA_LEN_RANGE,
        RvError::FunctionCanceled => CKR_FUNCTION_CANCELED,
        RvError::FunctionNotParallel => CKR_FUNCTION_NOT_PARALLEL,
        RvError::FunctionNotSupported => CKR_FUNCTION_NOT_SUPPORTED,
        RvError::CurveNotSupported => CKR_CURVE_NOT_SUPPORTED,
        RvError::KeyHandleInvalid => CKR_KEY_HANDLE_INVALID,
        RvError::KeySizeRange => CKR_KEY_SIZE_RANGE,
        RvError::KeyTypeInconsistent => CKR_KEY_TYPE_INCONSISTENT,
        RvError::KeyNotNeeded => CKR_KEY_NOT_NEEDED,
        RvError::KeyChanged => CKR_KEY_CHANGED,
        RvError::KeyNeeded => CKR_KEY_NEEDED,
        RvError::KeyIndigestible => CKR_KEY_INDIGESTIBLE,
        RvError::KeyFunctionNotPermitted => CKR_KEY_FUNCTION_NOT_PERMITTED,
        RvError::KeyNotWrappable => CKR_KEY_NOT_WRAPPABLE,
        RvError::KeyUnextractable => CKR_KEY_UNEXTRACTABLE,
        RvError::MechanismInvalid => CKR_MECHANISM_INVALID,
        RvError::MechanismParamInvalid => CKR_MECHANISM_PARAM_INVALID,
        RvError::ObjectHandleInvalid => CKR_OBJECT_HANDLE_INVALID,
        RvError::OperationActive => CKR_OPERATION_ACTIVE,
        RvError::OperationNotInitialized => CKR_OPERATION_NOT_INITIALIZED,
        RvError::PinIncorrect => CKR_PIN_INCORRECT,
        RvError::PinInvalid => CKR_PIN_INVALID,
        RvError::PinLenRange => CKR_PIN_LEN_RANGE,
        RvError::PinExpired => CKR_PIN_EXPIRED,
        RvError::PinLocked => CKR_PIN_LOCKED,
        RvError::SessionClosed => CKR_SESSION_CLOSED,
        RvError::SessionCount => CKR_SESSION_COUNT,
        RvError::SessionHandleInvalid => CKR_SESSION_HANDLE_INVALID,
        RvError::SessionParallelNotSupported => CKR_SESSION_PARALLEL_NOT_SUPPORTED,
        RvError::SessionReadOnly => CKR_SESSION_READ_ONLY,
        RvError::SessionExists => CKR_SESSION_EXISTS,
        RvError::SessionReadOnlyExists => CKR_SESSION_READ_ONLY_EXISTS,
        RvError::SessionReadWriteSoExists => CKR_SESSION_READ_WRITE_SO_EXISTS,
        RvError::SignatureInvalid => CKR_SIGNATURE_INVALID,
        RvError::SignatureLenRange => CKR_SIGNATURE_LEN_RANGE,
        RvError::TemplateIncomplete => CKR_TEMPLATE_INCOMPLETE,
        RvError::TemplateInconsistent => CKR_TEMPLATE_INCONSISTENT,
        RvError::TokenNotPresent => CKR_TOKEN_NOT_PRESENT,
        RvError::TokenNotRecognized => CKR_TOKEN_NOT_RECOGNIZED,
        RvError::TokenWriteProtected => CKR_TOKEN_WRITE_PROTECTED,
        RvError::UnwrappingKeyHandleInvalid => CKR_UNWRAPPING_KEY_HANDLE_INVALID,
        RvError::UnwrappingKeySizeRange => CKR_UNWRAPPING_KEY_SIZE_RANGE,
        RvError::UserAlreadyLoggedIn => CKR_USER_ALREADY_LOGGED_IN,
        RvError::UserNotLoggedIn => CKR_USER_NOT_LOGGED_IN,
        RvError::UserPinNotInitialized => CKR_USER_PIN_NOT_INITIALIZED,
        RvError::UserTypeInvalid => CKR_USER_TYPE_INVALID,
        RvError::UserAnotherAlreadyLoggedIn => CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
        RvError::UserTooManyTypes => CKR_USER_TOO_MANY_TYPES,
        RvError::WrappedKeyInvalid => CKR_WRAPPED_KEY_INVALID,
        RvError::WrappedKeyLenRange => CKR_WRAPPED_KEY_LEN_RANGE,
        RvError::WrappingKeyHandleInvalid => CKR_WRAPPING_KEY_HANDLE_INVALID,
        RvError::WrappingKeySizeRange => CKR_WRAPPING_KEY_SIZE_RANGE,
        RvError::WrappingKeyTypeInconsistent => CKR_WRAPPING_KEY_TYPE_INCONSISTENT,
        RvError::RandomSeedNotSupported => CKR_RANDOM_SEED_NOT_SUPPORTED,
        RvError::RandomNoRng => CKR_RANDOM_NO_RNG,
        RvError::DomainParamsInvalid => CKR_DOMAIN_PARAMS_INVALID,
        RvError::BufferTooSmall => CKR_BUFFER_TOO_SMALL,
        RvError::SavedStateInvalid => CKR_SAVED_STATE_INVALID,
        RvError::InformationSensitive => CKR_INFORMATION_SENSITIVE,
        RvError::StateUnsaveable => CKR_STATE_UNSAVEABLE,
        RvError::CryptokiNotInitialized => CKR_CRYPTOKI_NOT_INITIALIZED,
        RvError::CryptokiAlreadyInitialized => CKR_CRYPTOKI_ALREADY_INITIALIZED,
        RvError::MutexBad => CKR_MUTEX_BAD,
        RvError::MutexNotLocked => CKR_MUTEX_NOT_LOCKED,
        RvError::NewPinMode => CKR_NEW_PIN_MODE,
        RvError::NextOtp => CKR_NEXT_OTP,
        RvError::ExceededMaxIterations => CKR_EXCEEDED_MAX_ITERATIONS,
        RvError::FipsSelfTestFailed => CKR_FIPS_SELF_TEST_FAILED,
        RvError::LibraryLoadFailed => CKR_LIBRARY_LOAD_FAILED,
        RvError::PinTooWeak => CKR_PIN_TOO_WEAK,
        RvError::PublicKeyInvalid => CKR_PUBLIC_KEY_INVALID,
        RvError::FunctionRejected => CKR_FUNCTION_REJECTED,
        RvError::UnwrappingKeyTypeInconsistent => CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT,
        RvError::VendorDefined(code) | RvError::UnknownErrorCode(code) => code,
        #[allow(unreachable_patterns)]
        _ => CKR_GENERAL_ERROR,
    }
}

/// The symbolic name of a CKR value (for messages; the number is kept beside it).
pub(crate) fn ckr_name(ckr: CK_RV) -> String {
    let name = match ckr {
        CKR_OK => "CKR_OK",
        CKR_PIN_INCORRECT => "CKR_PIN_INCORRECT",
        CKR_PIN_INVALID => "CKR_PIN_INVALID",
        CKR_PIN_LEN_RANGE => "CKR_PIN_LEN_RANGE",
        CKR_PIN_LOCKED => "CKR_PIN_LOCKED",
        CKR_PIN_EXPIRED => "CKR_PIN_EXPIRED",
        CKR_TOKEN_NOT_PRESENT => "CKR_TOKEN_NOT_PRESENT",
        CKR_DEVICE_REMOVED => "CKR_DEVICE_REMOVED",
        CKR_SLOT_ID_INVALID => "CKR_SLOT_ID_INVALID",
        CKR_SESSION_HANDLE_INVALID => "CKR_SESSION_HANDLE_INVALID",
        CKR_SESSION_CLOSED => "CKR_SESSION_CLOSED",
        CKR_USER_NOT_LOGGED_IN => "CKR_USER_NOT_LOGGED_IN",
        CKR_USER_ALREADY_LOGGED_IN => "CKR_USER_ALREADY_LOGGED_IN",
        CKR_USER_PIN_NOT_INITIALIZED => "CKR_USER_PIN_NOT_INITIALIZED",
        CKR_MECHANISM_INVALID => "CKR_MECHANISM_INVALID",
        CKR_MECHANISM_PARAM_INVALID => "CKR_MECHANISM_PARAM_INVALID",
        CKR_ATTRIBUTE_TYPE_INVALID => "CKR_ATTRIBUTE_TYPE_INVALID",
        CKR_ATTRIBUTE_VALUE_INVALID => "CKR_ATTRIBUTE_VALUE_INVALID",
        CKR_ATTRIBUTE_SENSITIVE => "CKR_ATTRIBUTE_SENSITIVE",
        CKR_TEMPLATE_INCOMPLETE => "CKR_TEMPLATE_INCOMPLETE",
        CKR_TEMPLATE_INCONSISTENT => "CKR_TEMPLATE_INCONSISTENT",
        CKR_DATA_LEN_RANGE => "CKR_DATA_LEN_RANGE",
        CKR_KEY_TYPE_INCONSISTENT => "CKR_KEY_TYPE_INCONSISTENT",
        CKR_KEY_HANDLE_INVALID => "CKR_KEY_HANDLE_INVALID",
        CKR_OBJECT_HANDLE_INVALID => "CKR_OBJECT_HANDLE_INVALID",
        CKR_DEVICE_MEMORY => "CKR_DEVICE_MEMORY",
        CKR_DEVICE_ERROR => "CKR_DEVICE_ERROR",
        CKR_GENERAL_ERROR => "CKR_GENERAL_ERROR",
        CKR_FUNCTION_FAILED => "CKR_FUNCTION_FAILED",
        CKR_FUNCTION_NOT_SUPPORTED => "CKR_FUNCTION_NOT_SUPPORTED",
        CKR_BUFFER_TOO_SMALL => "CKR_BUFFER_TOO_SMALL",
        CKR_CRYPTOKI_NOT_INITIALIZED => "CKR_CRYPTOKI_NOT_INITIALIZED",
        CKR_CRYPTOKI_ALREADY_INITIALIZED => "CKR_CRYPTOKI_ALREADY_INITIALIZED",
        CKR_SESSION_READ_ONLY => "CKR_SESSION_READ_ONLY",
        CKR_TOKEN_WRITE_PROTECTED => "CKR_TOKEN_WRITE_PROTECTED",
        CKR_ARGUMENTS_BAD => "CKR_ARGUMENTS_BAD",
        _ => return format!("CKR 0x{ckr:08X}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_and_presence_failures_have_their_own_kinds() {
        assert_eq!(kind_of(CKR_PIN_INCORRECT), ErrorKind::PinIncorrect);
        assert_eq!(kind_of(CKR_PIN_LOCKED), ErrorKind::PinLocked);
        assert_eq!(kind_of(CKR_DEVICE_REMOVED), ErrorKind::TokenAbsent);
        let e = ckr_error("C_Sign", CKR_DEVICE_ERROR, "signing");
        assert_eq!(e.kind(), ErrorKind::Pkcs11);
        assert_eq!(e.ckr(), Some(CKR_DEVICE_ERROR as u64));
        assert!(e.message().contains("C_Sign") && e.message().contains("CKR_DEVICE_ERROR"));
    }

    #[test]
    fn cryptoki_errors_keep_the_ckr_value() {
        assert_eq!(ckr_of(&RvError::PinIncorrect), CKR_PIN_INCORRECT);
        assert_eq!(ckr_of(&RvError::VendorDefined(0x8000_0001)), 0x8000_0001);
        let e = from_cryptoki(
            CkError::Pkcs11(RvError::KeyHandleInvalid, cryptoki::context::Function::Sign),
            "signing",
        );
        assert_eq!(e.ckr(), Some(CKR_KEY_HANDLE_INVALID as u64));
    }
}
