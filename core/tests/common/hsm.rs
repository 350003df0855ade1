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

/// Where to find a token for [`assert_least_privilege`].
#[allow(dead_code)]
pub enum Slot<'a> {
    /// The token with this label (SoftHSM renumbers its slots).
    Label(&'a str),
    /// This slot id (opencryptoki's soft token).
    Id(u64),
}

/// Least privilege (issue 13), read back from the module as the token stored it — not as the
/// library asked: the private key of the pair `id` signs and nothing else (no decrypt,
/// unwrap, derive or sign-recover), is private, sensitive and never was extractable; the
/// public key verifies and nothing else (no encrypt, wrap, derive or verify-recover). Read
/// with cryptoki over the same, already initialised module, logged in as the user.
#[allow(dead_code)]
pub fn assert_least_privilege(module: &Path, slot: Slot, user_pin: &str, id: &[u8], what: &str) {
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::object::{Attribute, AttributeType, ObjectClass};
    use cryptoki::session::UserType;
    use cryptoki::types::AuthPin;
    let ctx = Pkcs11::new(module).unwrap();
    // Already initialised by the library in this process: CKR_CRYPTOKI_ALREADY_INITIALIZED.
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| match slot {
            Slot::Label(label) => ctx
                .get_token_info(*s)
                .is_ok_and(|i| i.label().trim_end() == label),
            Slot::Id(n) => s.id() == n,
        })
        .expect("the token is there");
    let session = ctx.open_ro_session(slot).unwrap();
    // The library's own session may already be logged in (the login is the token's).
    let _ = session.login(UserType::User, Some(&AuthPin::new(user_pin.into())));
    let find = |class| {
        let found = session
            .find_objects(&[Attribute::Class(class), Attribute::Id(id.to_vec())])
            .unwrap();
        assert_eq!(
            found.len(),
            1,
            "{what}: one {class} object with the key's CKA_ID"
        );
        found[0]
    };
    // Some(value), or None when the token does not hold the attribute for this object.
    let flag = |h, t: AttributeType| -> Option<bool> {
        let got = session.get_attributes(h, &[t]).unwrap();
        match got.first()? {
            Attribute::Sign(b)
            | Attribute::SignRecover(b)
            | Attribute::Decrypt(b)
            | Attribute::Unwrap(b)
            | Attribute::Derive(b)
            | Attribute::Sensitive(b)
            | Attribute::AlwaysSensitive(b)
            | Attribute::Extractable(b)
            | Attribute::NeverExtractable(b)
            | Attribute::Private(b)
            | Attribute::Token(b)
            | Attribute::Verify(b)
            | Attribute::VerifyRecover(b)
            | Attribute::Encrypt(b)
            | Attribute::Wrap(b) => Some(*b),
            other => panic!("{what}: {t:?} read as {other:?}"),
        }
    };
    use AttributeType as A;
    let private = find(ObjectClass::PRIVATE_KEY);
    let public = find(ObjectClass::PUBLIC_KEY);
    let mut wrong = Vec::new();
    for (half, h, want) in [
        (
            "private",
            private,
            &[
                (A::Sign, true),
                (A::SignRecover, false),
                (A::Decrypt, false),
                (A::Unwrap, false),
                (A::Derive, false),
                (A::Private, true),
                (A::Token, true),
                (A::Sensitive, true),
                (A::AlwaysSensitive, true),
                (A::Extractable, false),
                (A::NeverExtractable, true),
            ][..],
        ),
        (
            "public",
            public,
            &[
                (A::Verify, true),
                (A::VerifyRecover, false),
                (A::Encrypt, false),
                (A::Wrap, false),
                (A::Derive, false),
                (A::Token, true),
            ][..],
        ),
    ] {
        for (t, w) in want {
            let got = flag(h, *t);
            if got != Some(*w) {
                wrong.push(format!("{half} {t:?} = {got:?}, want {w}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{what}: {}", wrong.join("; "));
}
