//! The PIN lifecycle on a token that enforces it: Debian's opencryptoki software token
//! (`eval "$(bash scripts/opencryptoki.sh start)"`). SoftHSM neither flags COUNT_LOW /
//! FINAL_TRY nor locks; opencryptoki does, after 3 wrong PINs, and its SO unlocks.
//!
//! Skips with a message without the environment; fails under REQUIRE_HSM=1.

mod common;

use std::path::PathBuf;

use bankkey::ErrorKind;
use bankkey::store::pkcs11::{LoginOptions, PinState, Pkcs11Module, TokenKeySpec, TokenSelector};
use common::hsm::*;

fn opencryptoki() -> Option<(PathBuf, u64, String)> {
    let module = std::env::var_os("BANKKEY_OPENCRYPTOKI_MODULE").map(PathBuf::from);
    let slot = std::env::var("BANKKEY_OPENCRYPTOKI_SLOT")
        .ok()
        .and_then(|s| s.parse().ok());
    let so = std::env::var("BANKKEY_OPENCRYPTOKI_SO_PIN").ok();
    match (module, slot, so) {
        (Some(m), Some(slot), Some(so)) if m.exists() => Some((m, slot, so)),
        _ => {
            skip(
                "opencryptoki not set up: run `eval \"$(bash scripts/opencryptoki.sh start)\"` first",
            );
            None
        }
    }
}

/// One test: the steps depend on each other (the token's PIN counter is the state).
#[test]
fn pin_lifecycle_to_be_changed_count_low_final_try_locked_unlocked_by_so() {
    let Some((path, slot, so_pin)) = opencryptoki() else {
        return;
    };
    let so = pin(&so_pin);
    let module = Pkcs11Module::load(&path).unwrap();
    // Straight from `opencryptoki.sh start` the token is in factory state and flags
    // USER_PIN_TO_BE_CHANGED (cryptoki cannot even parse this token's info: read raw).
    let factory = module
        .open_token(&TokenSelector::Slot(slot))
        .unwrap()
        .info()
        .clone();
    if !factory.flags.token_initialized {
        assert!(factory.flags.user_pin_to_be_changed, "{factory:?}");
        assert_eq!(factory.pin_state, PinState::NotInitialized);
    } else {
        eprintln!("note: token not in factory state (rerun without opencryptoki.sh start)");
    }
    module.init_token(slot, &so, "bankkey-ock").unwrap();
    let token = module.open_token(&TokenSelector::Slot(slot)).unwrap();
    assert_eq!(token.info().label, "bankkey-ock");
    assert_eq!(token.pin_state().unwrap(), PinState::NotInitialized);
    let e = token
        .login(&pin("11223344"), LoginOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PreconditionFailed, "{e}");

    // The SO sets the user PIN to Rutoken's factory PIN (opencryptoki clears the token's
    // TO_BE_CHANGED flag on C_InitPIN): we know that PIN and want it changed before use.
    token.init_user_pin(&so, &pin("12345678")).unwrap();
    assert_eq!(
        token.pin_state().unwrap(),
        PinState::Ok,
        "the token does not flag it"
    );
    token
        .login(&pin("12345678"), LoginOptions::default())
        .unwrap();
    assert_eq!(token.pin_state().unwrap(), PinState::ToBeChanged);
    let e = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "k")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PinFactoryDefault, "{e}");
    token
        .change_pin(&pin("12345678"), &pin("55667788"))
        .unwrap();
    assert_eq!(token.pin_state().unwrap(), PinState::Ok);
    // Now keys can be made (this soft token has no EC: RSA).
    let set = token
        .generate_key_pair(&TokenKeySpec::Rsa { bits: 2048 }, "k")
        .unwrap();
    assert!(set.has_private_key);
    // Least privilege (issue 13): signs and nothing else, as opencryptoki stored it.
    assert_least_privilege(&path, Slot::Id(slot), "55667788", &set.id, "RSA 2048");
    token.logout().unwrap();

    // Wrong PIN once: count low.
    let e = token
        .login(&pin("00000000"), LoginOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PinIncorrect);
    assert!(e.message().contains("count_low"), "{e}");
    assert_eq!(token.pin_state().unwrap(), PinState::CountLow);
    // Twice: final try.
    let e = token
        .login(&pin("00000000"), LoginOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PinIncorrect);
    assert_eq!(token.pin_state().unwrap(), PinState::FinalTry);
    // On the final try we refuse to try unless the caller insists — even with the right PIN.
    let e = token
        .login(&pin("55667788"), LoginOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PinFinalTry);
    assert_eq!(
        token.pin_state().unwrap(),
        PinState::FinalTry,
        "nothing was tried"
    );
    // Insisting with a wrong PIN: locked.
    let insist = LoginOptions {
        insist_on_final_try: true,
    };
    let e = token.login(&pin("00000000"), insist).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PinLocked, "{e}");
    assert_eq!(token.pin_state().unwrap(), PinState::Locked);
    // Locked: even the right PIN is refused (without trying).
    let e = token.login(&pin("55667788"), insist).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PinLocked);

    // The SO unlocks by setting a new user PIN.
    token.init_user_pin(&so, &pin("99887766")).unwrap();
    let state = token.pin_state().unwrap();
    assert!(!token.refresh_info().unwrap().flags.user_pin_locked);
    assert_eq!(state, PinState::Ok, "after unlock");
    token
        .login(&pin("99887766"), LoginOptions::default())
        .unwrap();
    assert!(token.is_logged_in());
    token.logout().unwrap();
}
