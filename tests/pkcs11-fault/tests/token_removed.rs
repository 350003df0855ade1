//! A token removed in the middle of key generation, signing and certificate installation
//! (issue 13), through the fault-injecting module in front of SoftHSM.
//!
//! For each operation: one clean run counts the PKCS#11 calls it makes (n); then for every
//! k in 1..=n the token is pulled at call k — before the call reaches the token, and after it
//! (the token did the work, the answer is lost) — with each of `CKR_DEVICE_REMOVED`,
//! `CKR_SESSION_HANDLE_INVALID`, `CKR_TOKEN_NOT_PRESENT` in turn. Each time: the operation
//! fails with `TokenAbsent` and says so; the token is inserted again; SoftHSM is read
//! directly (not through the library): every private key has its public key under one
//! non-empty CKA_ID, every certificate sits on the key it certifies, the old key set is
//! there and signs; and the work resumes on the token opened again.
//!
//! Needs `eval "$(bash scripts/hsm.sh --no-gost)"`; skips with a message otherwise, fails
//! under REQUIRE_HSM=1.

mod fault;
#[path = "../../../core/tests/common/hsm.rs"]
#[allow(dead_code)]
mod hsm;
#[path = "../../../core/tests/lifecycle_common/mod.rs"]
mod lifecycle_common;

use std::path::Path;

use bankkey::ErrorKind;
use bankkey::store::KeySet;
use bankkey::store::pkcs11::{Pkcs11Module, Pkcs11Token, TokenKeySpec};
use cryptoki_sys::{CK_RV, CKR_DEVICE_REMOVED, CKR_SESSION_HANDLE_INVALID, CKR_TOKEN_NOT_PRESENT};
use fault::*;
use hsm::*;
use lifecycle_common::{TestCa, subscriber, t0};

/// The three answers of a pulled token, in turn.
const ANSWERS: [(CK_RV, &str); 3] = [
    (CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"),
    (CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"),
    (CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"),
];

/// Nothing half-made, read from SoftHSM directly: every private key has a non-empty CKA_ID
/// and exactly one public key under it (and the other way round); every certificate sits
/// under the CKA_ID of the public key it certifies; `old` is there, whole.
fn assert_whole(softhsm: &Path, label: &str, old: &KeySet, what: &str) {
    use cryptoki::object::ObjectClass;
    let objects = objects(softhsm, label);
    let of = |class: ObjectClass, id: &[u8]| {
        objects
            .iter()
            .filter(|o| o.class == u64::from(class) && o.id == id)
            .count()
    };
    for o in &objects {
        assert!(!o.id.is_empty(), "{what}: an object without CKA_ID: {o:?}");
        if o.class == u64::from(ObjectClass::PRIVATE_KEY) {
            assert_eq!(
                of(ObjectClass::PUBLIC_KEY, &o.id),
                1,
                "{what}: a private key without its public key: {}\n{objects:#?}",
                hex::encode(&o.id)
            );
        }
        if o.class == u64::from(ObjectClass::PUBLIC_KEY) {
            assert_eq!(
                of(ObjectClass::PRIVATE_KEY, &o.id),
                1,
                "{what}: a public key without its private key: {}\n{objects:#?}",
                hex::encode(&o.id)
            );
        }
        if o.class == u64::from(ObjectClass::CERTIFICATE) {
            let cert = bankkey::pki::Certificate::from_der(&o.value).unwrap();
            let public = objects
                .iter()
                .find(|p| p.class == u64::from(ObjectClass::PUBLIC_KEY) && p.id == o.id)
                .unwrap_or_else(|| panic!("{what}: a certificate without its key: {o:?}"));
            // The certificate's EC point is the public key object's (CKA_EC_POINT is the
            // point wrapped in an OCTET STRING).
            assert!(
                public.value.ends_with(&cert.key_info().key_bits),
                "{what}: a certificate on another key"
            );
        }
    }
    assert_eq!(
        of(ObjectClass::PRIVATE_KEY, &old.id),
        1,
        "{what}: the old key"
    );
    assert_eq!(
        of(ObjectClass::CERTIFICATE, &old.id),
        1,
        "{what}: the old certificate"
    );
}

/// After a pull: the failure is TokenAbsent and says so; the token object stays dead.
fn assert_absent<T: std::fmt::Debug>(got: bankkey::Result<T>, token: &Pkcs11Token, what: &str) {
    let e = got.expect_err(what);
    assert_eq!(e.kind(), ErrorKind::TokenAbsent, "{what}: {e}");
    assert!(
        e.message().contains("token") && e.message().contains("removed"),
        "{what}: a clear message: {e}"
    );
    assert!(!token.is_logged_in(), "{what}: the login is forgotten");
}

/// What every pull shares: SoftHSM's path, the fault module, the module the library loaded
/// (the fault module), the token's label, the old key set.
struct Bench<'a> {
    softhsm: &'a Path,
    fault: &'a Fault,
    module: &'a Pkcs11Module,
    label: &'a str,
    old: &'a KeySet,
}

/// Runs `op` with the token pulled at every call it makes, before and after the call, and
/// checks each time; `setup` runs (without faults) before each attempt, `resume` on the token
/// opened again after it.
fn pull_at_every_call<S>(
    name: &str,
    bench: &Bench,
    setup: impl Fn(&Pkcs11Token) -> S,
    op: impl Fn(&Pkcs11Token, &S) -> bankkey::Result<()>,
    resume: impl Fn(&Pkcs11Token, &S),
) -> u64 {
    let Bench {
        softhsm,
        fault,
        module,
        label,
        old,
    } = *bench;
    let cleanup = |token: &Pkcs11Token| {
        for set in token.key_sets().unwrap() {
            if set.id != old.id {
                token.delete(&set.id).unwrap();
            }
        }
    };
    // The clean run: how many calls.
    let token = logged_in(module, label);
    let s = setup(&token);
    fault.reset();
    op(&token, &s).unwrap();
    let n = fault.calls();
    let names: Vec<String> = (1..=n).map(|i| fault.call_name(i)).collect();
    eprintln!("{name}: {n} calls: {}", names.join(" "));
    cleanup(&token);
    let mut runs = 0;
    for k in 1..=n {
        for after in [false, true] {
            let (rv, rv_name) = ANSWERS[(k as usize + after as usize) % 3];
            let what = format!(
                "{name}: pulled {} call {k} ({}) answering {rv_name}",
                if after { "after" } else { "before" },
                names[k as usize - 1]
            );
            let token = logged_in(module, label);
            let s = setup(&token);
            fault.reset();
            fault.remove_at(k, rv, after);
            let got = op(&token, &s);
            assert!(fault.removed(), "{what}: the call was not reached");
            assert_absent(got, &token, &what);
            // Every later use of the dead token object says so too.
            assert_eq!(
                token.key_sets().unwrap_err().kind(),
                ErrorKind::TokenAbsent,
                "{what}"
            );
            fault.insert();
            // Opened again (a login finishes a generation the pull interrupted): nothing
            // half-made, the old key signs, the library lists nothing damaged, the work
            // resumes.
            let again = logged_in(module, label);
            assert_whole(softhsm, label, old, &what);
            let sets = again.key_sets().unwrap();
            assert!(sets.iter().all(|s| !s.is_damaged()), "{what}: {sets:?}");
            let sig = again.sign(&old.id, b"after the pull").unwrap();
            assert!(!sig.is_empty());
            resume(&again, &s);
            cleanup(&again);
            runs += 1;
        }
    }
    runs
}

#[test]
fn a_token_pulled_at_every_call_of_generation_signing_and_installation() {
    let _g = lock();
    let Some((module, softhsm, fault, label, token)) = fresh_logged_in("pulled") else {
        return;
    };
    let ca = TestCa::new();
    let old = old_key_set(&token, &ca);
    drop(token);
    let bench = Bench {
        softhsm: &softhsm,
        fault: &fault,
        module: &module,
        label: &label,
        old: &old,
    };

    let spec = TokenKeySpec::EcdsaP256;
    let generation = pull_at_every_call(
        "generation",
        &bench,
        |_| (),
        |t, _| t.generate_key_pair(&spec, "new").map(|_| ()),
        |t, _| {
            let set = t.generate_key_pair(&spec, "new").unwrap();
            t.sign(&set.id, b"resumed").unwrap();
        },
    );
    let signing = pull_at_every_call(
        "signing",
        &bench,
        |_| (),
        |t, _| t.sign(&old.id, b"payment order").map(|_| ()),
        |t, _| {
            t.sign(&old.id, b"payment order").unwrap();
        },
    );
    let installation = pull_at_every_call(
        "installation",
        &bench,
        |t| {
            let set = t.generate_key_pair(&spec, "new").unwrap();
            let cert = ca.issue_for(&subscriber(), &t.signer(&set.id).unwrap(), t0(), 365);
            (set, cert.to_der())
        },
        |t, (set, cert)| t.install_certificate(cert, Some(&set.id), None).map(|_| ()),
        |t, (set, cert)| {
            let done = t.install_certificate(cert, Some(&set.id), None).unwrap();
            assert_eq!(done.certificate.as_deref(), Some(&cert[..]));
            let listed = t.key_sets().unwrap();
            let new = listed.iter().find(|s| s.id == set.id).unwrap();
            assert_eq!(new.certificate.as_deref(), Some(&cert[..]));
        },
    );
    eprintln!(
        "pulled runs: generation {generation}, signing {signing}, installation {installation}"
    );
}
