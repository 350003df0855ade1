//! What the PKCS#11 tests share: the test PINs, one lock per test binary (a module must not be
//! initialised or finalised by two threads at once), finding a module from the environment
//! that `scripts/hsm.sh` / `scripts/opencryptoki.sh` print, and a fresh SoftHSM token.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use bankkey::store::pkcs11::{PinState, Pkcs11Module, Pkcs11Token, TokenSelector};
use secrecy::SecretString;

/// The SO PIN the tests initialise tokens with.
pub const SO_PIN: &str = "so-0-pin-test";
/// The user PIN the tests set.
pub const USER_PIN: &str = "27182818";

static LOCK: Mutex<()> = Mutex::new(());

/// Serialises the tests of one binary that touch a module.
pub fn lock() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// A PIN as the API takes it.
pub fn pin(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

/// Fails under REQUIRE_HSM=1 (CI), else prints why the test is skipped.
pub fn skip(why: &str) {
    if std::env::var("REQUIRE_HSM").as_deref() == Ok("1") {
        panic!("{why} (REQUIRE_HSM=1)");
    }
    eprintln!("skipping: {why}");
}

/// The SoftHSM module named by the environment variable `var` (with SOFTHSM2_CONF set), or
/// None after [`skip`] with `why`.
pub fn softhsm_module(var: &str, why: &str) -> Option<PathBuf> {
    let module = std::env::var_os(var).map(PathBuf::from);
    match (module, std::env::var_os("SOFTHSM2_CONF")) {
        (Some(m), Some(_)) if m.exists() => Some(m),
        _ => {
            skip(why);
            None
        }
    }
}

/// Initialises a fresh token labelled `label` in SoftHSM's free slot, with the user PIN set.
pub fn fresh_token(module: &Pkcs11Module, label: &str, user_pin: &str) -> Pkcs11Token {
    let free = module
        .tokens()
        .unwrap()
        .into_iter()
        .find(|t| !t.flags.token_initialized)
        .expect("SoftHSM offers a free slot");
    module
        .init_token(free.slot_id, &pin(SO_PIN), label)
        .unwrap();
    // SoftHSM renumbers the slot after initialisation: find it by label.
    let token = module
        .open_token(&TokenSelector::Label(label.into()))
        .unwrap();
    assert_eq!(token.pin_state().unwrap(), PinState::NotInitialized);
    token.init_user_pin(&pin(SO_PIN), &pin(user_pin)).unwrap();
    token
}

/// A label unique to this run (token labels are at most 32 characters).
pub fn unique(prefix: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}", n % 1_000_000_000)
}

/// Runs `openssl ARGS` in `dir`: success and stdout + stderr.
pub fn openssl_in(args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs (install-deps.sh)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// PEM with `label` around `der`.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let b64 = Base64::encode_string(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).unwrap());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}
