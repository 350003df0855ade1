//! A token that does not keep the key-generation template (issue 13: least privilege read
//! back), through the fault-injecting module in front of SoftHSM: `C_GenerateKeyPair` gets
//! one attribute of one half dropped (SoftHSM's default applies) or its value flipped, as a
//! token that ignores or overrides the template would. The library must read the flags back,
//! destroy the new pair and refuse with `Pkcs11` naming the attribute — unless the host
//! accepted extra usages, which never covers a key that can leave the token. Every time the
//! token is read directly (SoftHSM, not the library): no object of the refused pair is left,
//! the old key set is whole and signs. Through the lifecycle, a `Client`'s start on such a
//! token is undone in the journal and the key in use stays.
//!
//! Needs `eval "$(bash scripts/hsm.sh --no-gost)"`; skips with a message otherwise, fails
//! under REQUIRE_HSM=1.

mod fault;
#[path = "../../../core/tests/common/hsm.rs"]
#[allow(dead_code)]
mod hsm;
#[path = "../../../core/tests/lifecycle_common/mod.rs"]
mod lifecycle_common;

use bankkey::ErrorKind;
use bankkey::store::pkcs11::TokenKeySpec;
use cryptoki_sys::{
    CK_ATTRIBUTE_TYPE, CKA_DECRYPT, CKA_DERIVE, CKA_ENCRYPT, CKA_EXTRACTABLE, CKA_PRIVATE,
    CKA_SENSITIVE, CKA_SIGN_RECOVER, CKA_TOKEN, CKA_UNWRAP, CKA_VERIFY_RECOVER, CKA_WRAP,
};
use fault::*;
use hsm::*;
use lifecycle_common::{TestCa, subscriber, t0};

/// Drop the attribute from the template, or flip its value.
const DROP: u8 = 1;
const FLIP: u8 = 2;

/// (private half?, attribute, its name, what the fault module does).
const REFUSED: &[(bool, CK_ATTRIBUTE_TYPE, &str, u8)] = &[
    (true, CKA_DECRYPT, "CKA_DECRYPT", FLIP),
    (true, CKA_DECRYPT, "CKA_DECRYPT", DROP),
    (true, CKA_UNWRAP, "CKA_UNWRAP", FLIP),
    (true, CKA_DERIVE, "CKA_DERIVE", FLIP),
    (true, CKA_SIGN_RECOVER, "CKA_SIGN_RECOVER", FLIP),
    (true, CKA_EXTRACTABLE, "CKA_EXTRACTABLE", FLIP),
    (true, CKA_SENSITIVE, "CKA_SENSITIVE", FLIP),
    (true, CKA_PRIVATE, "CKA_PRIVATE", FLIP),
    (true, CKA_TOKEN, "CKA_TOKEN", FLIP),
    (false, CKA_ENCRYPT, "CKA_ENCRYPT", FLIP),
    (false, CKA_WRAP, "CKA_WRAP", FLIP),
    (false, CKA_DERIVE, "CKA_DERIVE", FLIP),
    (false, CKA_VERIFY_RECOVER, "CKA_VERIFY_RECOVER", FLIP),
    (false, CKA_TOKEN, "CKA_TOKEN", FLIP),
];

/// What the token holds, as (class, CKA_ID) pairs, read from SoftHSM directly.
fn held(softhsm: &std::path::Path, label: &str) -> Vec<(u64, Vec<u8>)> {
    let mut v: Vec<(u64, Vec<u8>)> = objects(softhsm, label)
        .into_iter()
        .map(|o| (o.class, o.id))
        .collect();
    v.sort();
    v
}

#[test]
fn a_token_that_does_not_keep_the_template_gets_its_new_pair_destroyed() {
    let _g = lock();
    let Some((_module, softhsm, fault, label, token)) = fresh_logged_in("template") else {
        return;
    };
    let ca = TestCa::new();
    // The normal path, through the same module: the template kept, the pair made.
    let old = old_key_set(&token, &ca);
    let before = held(&softhsm, &label);
    for &(private, attribute, name, action) in REFUSED {
        let what = format!(
            "{} {name} {}",
            if private { "private" } else { "public" },
            if action == DROP { "dropped" } else { "flipped" }
        );
        fault.reset();
        fault.template(private, attribute, action);
        let e = token
            .generate_key_pair(&TokenKeySpec::EcdsaP256, "new")
            .expect_err(&what);
        fault.reset();
        assert_eq!(e.kind(), ErrorKind::Pkcs11, "{what}: {e}");
        assert_eq!(e.field(), Some(name), "{what}: {e}");
        assert!(
            e.message().contains("did not keep the key template")
                && e.message().contains("destroyed"),
            "{what}: a clear message: {e}"
        );
        assert_eq!(
            held(&softhsm, &label),
            before,
            "{what}: a refused object left"
        );
        let sets = token.key_sets().unwrap();
        assert_eq!(sets.len(), 1, "{what}: {sets:?}");
        assert!(
            !token
                .sign(&old.id, b"after the refusal")
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn a_host_may_accept_extra_usages_but_never_a_key_that_can_leave_the_token() {
    let _g = lock();
    let Some((_module, softhsm, fault, label, token)) = fresh_logged_in("usages") else {
        return;
    };
    token.set_accept_extra_key_usages(true);
    // A usage added: accepted, the key made and usable, the flag as the token set it.
    fault.reset();
    fault.template(true, CKA_DERIVE, FLIP);
    let set = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "derives too")
        .unwrap();
    fault.reset();
    assert!(!token.sign(&set.id, b"signs").unwrap().is_empty());
    assert_eq!(
        private_flag(&softhsm, &label, &set.id, CKA_DERIVE),
        Some(true)
    );
    // What lets the key leave the token, or makes it readable without the PIN: refused all
    // the same.
    let before = held(&softhsm, &label);
    for (attribute, name) in [
        (CKA_EXTRACTABLE, "CKA_EXTRACTABLE"),
        (CKA_SENSITIVE, "CKA_SENSITIVE"),
        (CKA_PRIVATE, "CKA_PRIVATE"),
        (CKA_TOKEN, "CKA_TOKEN"),
    ] {
        fault.reset();
        fault.template(true, attribute, FLIP);
        let e = token
            .generate_key_pair(&TokenKeySpec::EcdsaP256, "new")
            .expect_err(name);
        fault.reset();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::Pkcs11, Some(name)),
            "{e}"
        );
        assert_eq!(
            held(&softhsm, &label),
            before,
            "{name}: a refused object left"
        );
    }
    // Without the host's word, the same usage is refused again.
    token.set_accept_extra_key_usages(false);
    fault.template(true, CKA_DERIVE, FLIP);
    let e = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "new")
        .unwrap_err();
    fault.reset();
    assert_eq!(e.field(), Some("CKA_DERIVE"), "{e}");
}

#[test]
fn a_regeneration_started_on_such_a_token_is_undone_and_the_key_in_use_stays() {
    use bankkey::key::KeyAlgorithm;
    use bankkey::lifecycle::{Client, EventKind, Flow, Journal, KeySetStatus, SqliteJournal};
    use time::Duration;
    let _g = lock();
    let Some((_module, softhsm, fault, label, token)) = fresh_logged_in("client") else {
        return;
    };
    let ca = TestCa::new();
    let old = old_key_set(&token, &ca);
    let before = held(&softhsm, &label);
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("journal.sqlite");
    let at = t0() + Duration::days(340);
    let journal = SqliteJournal::open(&journal_path).unwrap();
    let mut client = Client::open_at(Box::new(token), Box::new(journal), at).unwrap();
    let due = client.assess(at, 30).unwrap();
    assert_eq!(due.status, KeySetStatus::ScheduledReplacementRequired);

    fault.reset();
    fault.template(true, CKA_UNWRAP, FLIP);
    let e = client
        .start(Flow::Remote, KeyAlgorithm::EcdsaP256, &subscriber(), at)
        .unwrap_err();
    fault.reset();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Pkcs11, Some("CKA_UNWRAP")),
        "{e}"
    );
    // Nothing of the start is left: the token as before, the journal's start undone, the key
    // in use still the one in use, and no regeneration in progress.
    assert_eq!(held(&softhsm, &label), before);
    let events = SqliteJournal::open(&journal_path)
        .unwrap()
        .events()
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [EventKind::Intent, EventKind::Undone],
        "{events:#?}"
    );
    let after = client.assess(at, 30).unwrap();
    assert_eq!(after.status, KeySetStatus::ScheduledReplacementRequired);
    assert_eq!(after.key_set.unwrap().id, old.id);
    // The token keeping its template again, the regeneration starts.
    let r = client
        .start(Flow::Remote, KeyAlgorithm::EcdsaP256, &subscriber(), at)
        .unwrap();
    assert_ne!(r.new_key_id(), Some(&old.id[..]));
}

/// The token label a child process works on (set by the parent test).
const CHILD_TOKEN_ENV: &str = "BANKKEY_TEMPLATE_CHILD_TOKEN";

#[test]
fn another_process_changes_the_template_through_the_environment() {
    let _g = lock();
    let Some((_module, _softhsm, _fault, label, token)) = fresh_logged_in("environment") else {
        return;
    };
    drop(token);
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_generates_a_key",
            "--ignored",
            "--nocapture",
        ])
        .env("BKFAULT_TEMPLATE", format!("private:{CKA_DERIVE:#x}:flip"))
        .env(CHILD_TOKEN_ENV, &label)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && stdout.contains("refused: CKA_DERIVE: ")
            && stdout.contains("the private key with CKA_DERIVE = true"),
        "the child: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run by `another_process_changes_the_template_through_the_environment`: generates on the
/// token through the fault module, which read `BKFAULT_TEMPLATE` when it loaded.
#[test]
#[ignore = "run by another_process_changes_the_template_through_the_environment"]
fn child_generates_a_key() {
    let label = std::env::var(CHILD_TOKEN_ENV).expect("run by the parent test");
    let (_softhsm, fault) = modules().expect("SoftHSM, as in the parent");
    let module = bankkey::store::pkcs11::Pkcs11Module::load(&fault.path).unwrap();
    let token = logged_in(&module, &label);
    let e = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "child")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pkcs11, "{e}");
    println!("refused: {}: {e}", e.field().unwrap_or("?"));
}
