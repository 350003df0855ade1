//! Key stores on a real PKCS#11 module: Debian's SoftHSM2 (RSA, ECDSA P-256).
//!
//! Needs `eval "$(bash scripts/hsm.sh)"` (SOFTHSM2_CONF, BANKKEY_SOFTHSM_MODULE). Without it the
//! tests print why and pass, unless REQUIRE_HSM=1 (CI), where they fail. Every test takes one
//! lock: SoftHSM must not be initialised or finalised by two threads at once, and the tests
//! load and drop the module to prove keys survive a reopen.

mod common;

use std::path::{Path, PathBuf};

use bankkey::ErrorKind;
use bankkey::key::Signer;
use bankkey::pki::RequestBuilder;
use bankkey::store::pkcs11::{LoginOptions, PinState, Pkcs11Module, TokenKeySpec, TokenSelector};
use bankkey::store::{KeySetKind, RETIRED_PREFIX};
use bankkey::subject::{AttributeType, Subject};
use common::hsm::*;

/// The module path, or None (with a message) when the environment is not set up.
fn softhsm() -> Option<PathBuf> {
    softhsm_module(
        "BANKKEY_SOFTHSM_MODULE",
        "SoftHSM not set up: run `eval \"$(bash scripts/hsm.sh --no-gost)\"` first",
    )
}

/// `openssl dgst -sha256 -verify` of a signature made by the token.
fn openssl_verifies(spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pub.pem"), pem("PUBLIC KEY", spki)).unwrap();
    std::fs::write(dir.path().join("msg"), msg).unwrap();
    std::fs::write(dir.path().join("sig"), sig).unwrap();
    let (ok, text) = openssl_in(
        &[
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "sig",
            "msg",
        ],
        dir.path(),
    );
    ok && text.contains("Verified OK")
}

/// Runs `openssl` with whitespace-separated arguments (plus `extra`), asserting success.
fn run_openssl(d: &Path, args: &str, extra: &[&str]) {
    let mut a: Vec<&str> = args.split_whitespace().collect();
    a.extend_from_slice(extra);
    let (ok, text) = openssl_in(&a, d);
    assert!(ok, "openssl {a:?}: {text}");
}

/// A PKCS#10 request signed through `signer` (pki's RequestBuilder), checked by us and by
/// `openssl req -verify` (whose exit code is 0 even on a bad signature: read the message), then
/// a certificate for it from a throwaway OpenSSL CA (`openssl x509 -req`, which checks the
/// request's signature again).
fn request_and_certificate(signer: &dyn Signer, cn: &str) -> Vec<u8> {
    // A natural person (valid INN and SNILS check digits).
    let subject = Subject::new()
        .with(AttributeType::CommonName, cn)
        .with(AttributeType::Surname, "Иванов")
        .with(AttributeType::GivenName, "Иван Иванович")
        .with(AttributeType::Country, "RU")
        .with(AttributeType::Inn, "500100732259")
        .with(AttributeType::Snils, "11223344595");
    let request = RequestBuilder::new(subject).build(signer).unwrap();
    request.verify().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("req.pem"), request.to_pem()).unwrap();
    let (_, text) = openssl_in(&["req", "-in", "req.pem", "-verify", "-noout"], d);
    assert!(
        text.contains("verify OK") && !text.contains("fail"),
        "openssl req -verify: {text}"
    );
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    run_openssl(
        d,
        &format!("req -x509 {ec} -keyout ca.key -out ca.pem -days 30 -subj"),
        &["/CN=Test CA"],
    );
    run_openssl(
        d,
        "x509 -req -in req.pem -CA ca.pem -CAkey ca.key -set_serial 7 -days 30 \
         -outform DER -out cert.der",
        &[],
    );
    std::fs::read(d.join("cert.der")).unwrap()
}

#[test]
fn lists_tokens_and_selects_by_serial_and_label() {
    let _g = lock();
    let Some(path) = softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let label = unique("list");
    let token = fresh_token(&module, &label, USER_PIN);
    let info = module
        .tokens()
        .unwrap()
        .into_iter()
        .find(|t| t.label == label)
        .unwrap();
    assert_eq!(info.manufacturer, "SoftHSM project");
    assert_eq!(info.model, "SoftHSM v2");
    assert!(!info.serial.is_empty());
    assert!(info.flags.token_initialized && info.flags.user_pin_initialized);
    assert_eq!(info.pin_state, PinState::Ok);
    assert!(info.max_pin_len >= info.min_pin_len);
    let by_serial = module
        .open_token(&TokenSelector::Serial(info.serial.clone()))
        .unwrap();
    assert_eq!(by_serial.info().label, label);
    assert_eq!(token.info().serial, info.serial);
    assert!(
        module
            .slots()
            .unwrap()
            .iter()
            .any(|s| s.slot_id == info.slot_id)
    );
    // The same module instance is shared.
    assert_eq!(Pkcs11Module::load(&path).unwrap().path(), module.path());
    let e = module
        .open_token(&TokenSelector::Serial("no-such-serial".into()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TokenAbsent);
    // Mechanisms, including the ones cryptoki would drop, are listed by number and name.
    let mechs = module.mechanisms(info.slot_id).unwrap();
    assert!(mechs.iter().any(|(_, n)| n == "CKM_RSA_PKCS_KEY_PAIR_GEN"));
    assert!(mechs.iter().any(|(_, n)| n == "CKM_ECDSA"));
}

#[test]
fn factory_pin_blocks_key_generation_until_changed() {
    let _g = lock();
    let Some(path) = softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = fresh_token(&module, &unique("factory"), "12345678");
    // Not logged in: refused before anything else.
    let e = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "k")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PreconditionFailed);
    token
        .login(&pin("12345678"), LoginOptions::default())
        .unwrap();
    assert_eq!(token.pin_state().unwrap(), PinState::ToBeChanged);
    let e = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "k")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PinFactoryDefault);
    assert!(!e.message().contains("12345678"), "no PIN in messages");
    // The new PIN may not be another factory PIN.
    let e = token
        .change_pin(&pin("12345678"), &pin("1234567890"))
        .unwrap_err();
    assert_eq!(e.field(), Some("new_pin"));
    token.change_pin(&pin("12345678"), &pin(USER_PIN)).unwrap();
    assert_eq!(token.pin_state().unwrap(), PinState::Ok);
    let set = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "k")
        .unwrap();
    assert_eq!(set.kind(), KeySetKind::KeyWithoutCertificate);
    // Logging out forgets the login; a wrong PIN is PinIncorrect and says the state after.
    token.logout().unwrap();
    assert!(!token.is_logged_in());
    let e = token
        .login(&pin("00000000"), LoginOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PinIncorrect);
    assert!(!e.message().contains("00000000"));
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    assert!(token.is_logged_in());
}

fn generate_sign_install_reopen(spec: TokenKeySpec, prefix: &str) {
    let _g = lock();
    let Some(path) = softhsm() else { return };
    let label = unique(prefix);
    let serial;
    let (id, cert) = {
        let module = Pkcs11Module::load(&path).unwrap();
        let token = fresh_token(&module, &label, USER_PIN);
        serial = token.info().serial.clone();
        token
            .login(&pin(USER_PIN), LoginOptions::default())
            .unwrap();
        let set = token.generate_key_pair(&spec, "subscriber key").unwrap();
        let spki = set.public_key_spki.clone().unwrap();
        // CKA_ID = SHA-1 of the public key bits, on both halves.
        assert_eq!(
            set.id,
            bankkey::store::pkcs11::key_id(&spki).unwrap().to_vec()
        );
        assert_eq!(TokenKeySpec::from_spki(&spki).unwrap(), spec);
        // Sign through the token; OpenSSL verifies; a changed message does not verify.
        let signer = token.signer(&set.id).unwrap();
        let msg = b"payment order 42";
        let sig = signer.sign_message(msg).unwrap();
        assert!(
            openssl_verifies(&spki, msg, &sig),
            "OpenSSL rejects the token's signature"
        );
        assert!(!openssl_verifies(&spki, b"payment order 43", &sig));
        // Several threads sign with one key at once.
        std::thread::scope(|sc| {
            for i in 0..4 {
                let signer = signer.clone();
                let spki = spki.clone();
                sc.spawn(move || {
                    let m = format!("thread {i}");
                    let sig = signer.sign_message(m.as_bytes()).unwrap();
                    assert!(openssl_verifies(&spki, m.as_bytes(), &sig));
                });
            }
        });
        // A certificate for another key is refused; its own is installed beside the key.
        let other = token.generate_key_pair(&spec, "other").unwrap();
        let other_cert = request_and_certificate(&token.signer(&other.id).unwrap(), "Other");
        let e = token
            .install_certificate(&other_cert, Some(&set.id), None)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::KeyMismatch);
        let cert = request_and_certificate(&signer, "Subscriber");
        let installed = token.install_certificate(&cert, None, None).unwrap();
        assert_eq!(installed.id, set.id);
        assert_eq!(installed.kind(), KeySetKind::Complete);
        // Twice is a no-op.
        token.install_certificate(&cert, None, None).unwrap();
        token.delete(&other.id).unwrap();
        (set.id, cert)
    };
    // Everything dropped: the module is finalised. Load it again and find the set.
    let module = Pkcs11Module::load(&path).unwrap();
    let token = module.open_token(&TokenSelector::Serial(serial)).unwrap();
    // Without login: the public objects (public key, certificate).
    let public_view = token.find_by_certificate(&cert).unwrap().unwrap();
    assert_eq!(public_view.id, id);
    assert!(!public_view.has_private_key);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    let sets = token.key_sets().unwrap();
    assert_eq!(sets.len(), 1, "the other key set was deleted");
    let found = token.find_by_certificate(&cert).unwrap().unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.kind(), KeySetKind::Complete);
    assert_eq!(found.certificate.as_deref(), Some(&cert[..]));
    let sig = token
        .signer(&id)
        .unwrap()
        .sign_message(b"after reopen")
        .unwrap();
    assert!(openssl_verifies(
        found.public_key_spki.as_ref().unwrap(),
        b"after reopen",
        &sig
    ));
    // Retire keeps the keys and marks them; delete removes every object of the set.
    token.retire(&id).unwrap();
    let retired = token.find_by_certificate(&cert).unwrap().unwrap();
    assert!(retired.retired && retired.label.starts_with(RETIRED_PREFIX));
    assert!(retired.has_private_key);
    token.delete(&id).unwrap();
    assert!(token.key_sets().unwrap().is_empty());
    assert!(token.find_by_certificate(&cert).unwrap().is_none());
}

#[test]
fn rsa_generate_sign_install_reopen() {
    generate_sign_install_reopen(TokenKeySpec::Rsa { bits: 2048 }, "rsa");
}

#[test]
fn ecdsa_generate_sign_install_reopen() {
    generate_sign_install_reopen(TokenKeySpec::EcdsaP256, "ec");
}

#[test]
fn gost_is_refused_by_a_module_without_it() {
    let _g = lock();
    let Some(path) = softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = fresh_token(&module, &unique("nogost"), USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    let e = token
        .generate_key_pair(
            &TokenKeySpec::Gost {
                param_set: bankkey::oid::PARAMSET_CRYPTOPRO_A,
            },
            "k",
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm, "{e}");
}

/// The token directory of `label` under SoftHSM's tokendir (SoftHSM keeps one directory per
/// token, with the label inside its token.object file).
fn token_dir(label: &str) -> PathBuf {
    let conf = std::fs::read_to_string(std::env::var("SOFTHSM2_CONF").unwrap()).unwrap();
    let tokendir = conf
        .lines()
        .find_map(|l| l.strip_prefix("directories.tokendir = "))
        .unwrap()
        .trim()
        .to_string();
    std::fs::read_dir(tokendir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            std::fs::read(p.join("token.object"))
                .map(|b| b.windows(label.len()).any(|w| w == label.as_bytes()))
                .unwrap_or(false)
        })
        .expect("the token's directory")
}

/// Seed 000: the token is plugged in only for the operation. SoftHSM "removes" a token when
/// its directory disappears: sessions and login are dropped, every call says TokenAbsent, and
/// after re-insertion the token must be opened and logged in again.
#[test]
fn a_removed_token_drops_sessions_and_login() {
    let _g = lock();
    let Some(path) = softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let label = unique("pull");
    let token = fresh_token(&module, &label, USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    let set = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "k")
        .unwrap();
    let signer = token.signer(&set.id).unwrap();
    signer.sign_message(b"before").unwrap();
    let dir = token_dir(&label);
    let away = dir.with_extension("pulled");
    std::fs::rename(&dir, &away).unwrap();
    let e = signer.sign_message(b"after").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TokenAbsent, "{e}");
    assert!(!token.is_present());
    assert!(!token.is_logged_in(), "the login is forgotten");
    assert_eq!(token.key_sets().unwrap_err().kind(), ErrorKind::TokenAbsent);
    // Plugged in again: the old handle stays dead.
    std::fs::rename(&away, &dir).unwrap();
    assert_eq!(
        signer.sign_message(b"again").unwrap_err().kind(),
        ErrorKind::TokenAbsent
    );
    // SoftHSM itself only sees the token again after a restart of the module (a real reader
    // shows a new slot event); everything is dropped, the module loaded afresh, the token
    // opened again: no login survived.
    let serial = token.info().serial.clone();
    drop((signer, token, module));
    let module = Pkcs11Module::load(&path).unwrap();
    let again = module.open_token(&TokenSelector::Serial(serial)).unwrap();
    assert!(!again.is_logged_in());
    assert_eq!(
        again.sign(&set.id, b"x").unwrap_err().kind(),
        ErrorKind::PreconditionFailed
    );
    again
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    again.sign(&set.id, b"x").unwrap();
}

/// The token through the same `KeyStore` interface as a file container.
#[test]
fn the_token_as_a_key_store() {
    use bankkey::key::KeyAlgorithm;
    use bankkey::store::KeyStore;
    let _g = lock();
    let Some(path) = softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let label = unique("store");
    let token = fresh_token(&module, &label, USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    let store: &dyn KeyStore = &token;
    assert!(store.description().contains(&label));
    let set = store
        .generate(KeyAlgorithm::EcdsaP256, "via trait")
        .unwrap();
    let signer = store.signer(&set.id).unwrap();
    assert_eq!(signer.public_key(), set.public_key().unwrap().unwrap());
    let sig = signer.sign(b"m").unwrap();
    signer
        .public_key()
        .verify(&signer.signature_algorithm(), b"m", &sig)
        .unwrap();
    let cert = request_and_certificate(signer.as_ref(), "Store");
    assert_eq!(
        store
            .install_certificate(&cert, Some(&set.id))
            .unwrap()
            .kind(),
        KeySetKind::Complete
    );
    assert_eq!(
        store.find_by_certificate(&cert).unwrap().unwrap().id,
        set.id
    );
    assert!(
        store.warnings().unwrap().is_empty(),
        "not a qualified certificate"
    );
    store.retire(&set.id).unwrap();
    assert!(store.key_sets().unwrap()[0].retired);
    store.delete(&set.id).unwrap();
    assert!(store.key_sets().unwrap().is_empty());
}

/// Issue 13, defect 8 on a token: a certificate object whose value is not a certificate
/// (written by another program, or damaged) is named in its key set's `damage`, the set is
/// never the one in use, and every other key set is listed and usable.
#[test]
fn an_unreadable_certificate_object_is_reported_and_the_rest_stays_usable() {
    use bankkey::key::KeyAlgorithm;
    use bankkey::store::KeyStore;
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::object::{Attribute, CertificateType, ObjectClass};
    use cryptoki::session::UserType;
    use cryptoki::types::AuthPin;
    let _g = lock();
    let Some(path) = softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let label = unique("damage");
    let token = fresh_token(&module, &label, USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    let good = token.generate(KeyAlgorithm::EcdsaP256, "good").unwrap();
    let cert = request_and_certificate(&token.signer(&good.id).unwrap(), "Good");
    token
        .install_certificate(&cert, Some(&good.id), None)
        .unwrap();
    let bad = token.generate(KeyAlgorithm::EcdsaP256, "bad").unwrap();
    let other = request_and_certificate(&token.signer(&bad.id).unwrap(), "Bad");

    // Another program writes a certificate object that is not a certificate beside `bad`
    // (cryptoki over the same, already initialised module).
    let ctx = Pkcs11::new(&path).unwrap();
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| {
            ctx.get_token_info(*s)
                .is_ok_and(|i| i.label().trim_end() == label)
        })
        .unwrap();
    let session = ctx.open_rw_session(slot).unwrap();
    session
        .login(UserType::User, Some(&AuthPin::new(USER_PIN.into())))
        .ok();
    session
        .create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Id(bad.id.clone()),
            Attribute::Label(b"bad".to_vec()),
            Attribute::Subject(vec![0x30, 0x00]),
            Attribute::Value(other[..other.len() / 2].to_vec()),
        ])
        .unwrap();
    drop(session);

    let sets = token.key_sets().unwrap();
    assert_eq!(sets.len(), 2);
    let b = sets.iter().find(|s| s.id == bad.id).unwrap();
    assert_eq!(b.damage.len(), 1, "{:?}", b.damage);
    assert!(b.damage[0].contains("certificate object"), "{:?}", b.damage);
    assert_eq!(b.certificate, None);
    let g = sets.iter().find(|s| s.id == good.id).unwrap();
    assert!(!g.is_damaged());
    let warnings = KeyStore::warnings(&token).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains(&hex::encode(&bad.id)), "{warnings:?}");
    let a = bankkey::lifecycle::assess_store(&token, time::OffsetDateTime::now_utc(), 30).unwrap();
    assert_eq!(a.key_set.unwrap().id, good.id);
    token.signer(&bad.id).unwrap().sign(b"still there").unwrap();
}

/// Least privilege (issue 13): RSA and EC keys made by the library sign and nothing else, read
/// back from SoftHSM as it stored them.
#[test]
fn generated_keys_sign_and_nothing_else() {
    let _g = lock();
    let Some(path) = softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let label = unique("least");
    let token = fresh_token(&module, &label, USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    for spec in [TokenKeySpec::Rsa { bits: 2048 }, TokenKeySpec::EcdsaP256] {
        let set = token.generate_key_pair(&spec, "least").unwrap();
        assert_least_privilege(&path, Slot::Label(&label), USER_PIN, &set.id, &spec.name());
    }
}
