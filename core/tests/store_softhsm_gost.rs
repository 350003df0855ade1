//! GOST R 34.10-2012 (256) keys on a real PKCS#11 module: SoftHSM 2.6.1 rebuilt with
//! `--enable-gost` (scripts/softhsm-gost.sh). SoftHSM offers CKM_GOSTR3410_KEY_PAIR_GEN and
//! raw CKM_GOSTR3410 with the CryptoPro parameter sets; we hash with Streebog-256 on the host.
//!
//! Needs `eval "$(bash scripts/hsm.sh)"` (SOFTHSM2_CONF, BANKKEY_SOFTHSM_GOST_MODULE); skips
//! with a message otherwise, fails under REQUIRE_HSM=1. Tests are serialised by one lock.

mod common;

use std::path::PathBuf;

use bankkey::gost::{ParamSet, Signature, VerifyingKey};
use bankkey::oid;
use bankkey::store::pkcs11::{
    LoginOptions, PinState, Pkcs11Module, Pkcs11Token, TokenKeySpec, TokenSelector, quirks,
};
use common::hsm::*;
use der::Decode;

fn gost_softhsm() -> Option<PathBuf> {
    softhsm_module(
        "BANKKEY_SOFTHSM_GOST_MODULE",
        "SoftHSM with GOST not set up: run `eval \"$(bash scripts/hsm.sh)\"` first",
    )
}

/// A fresh token with the user PIN set and logged in.
fn fresh_logged_in_token(module: &Pkcs11Module, label: &str) -> Pkcs11Token {
    let token = fresh_token(module, label, USER_PIN);
    assert_eq!(token.pin_state().unwrap(), PinState::Ok);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    token
}

/// `openssl dgst -engine gost -md_gost12_256 -verify`: OpenSSL's GOST engine checks the
/// token's signature against our SubjectPublicKeyInfo.
fn openssl_gost_verifies(spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("pub.pem"), pem("PUBLIC KEY", spki)).unwrap();
    std::fs::write(d.join("msg"), msg).unwrap();
    std::fs::write(d.join("sig"), sig).unwrap();
    let (ok, text) = openssl_in(
        &[
            "dgst",
            "-engine",
            "gost",
            "-md_gost12_256",
            "-verify",
            "pub.pem",
            "-signature",
            "sig",
            "msg",
        ],
        d,
    );
    ok && text.contains("Verified OK")
}

/// The little-endian X‖Y inside a GOST SPKI (OCTET STRING in the BIT STRING).
fn le_xy(spki: &[u8]) -> Vec<u8> {
    let info = spki::SubjectPublicKeyInfoOwned::from_der(spki).unwrap();
    der::asn1::OctetString::from_der(info.subject_public_key.raw_bytes())
        .unwrap()
        .as_bytes()
        .to_vec()
}

#[test]
fn softhsm_gost_lists_the_gost_mechanisms_cryptoki_drops() {
    let _g = lock();
    let Some(path) = gost_softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = fresh_logged_in_token(&module, &unique("gmech"));
    let names: Vec<String> = module
        .mechanisms(token.info().slot_id)
        .unwrap()
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert!(
        names.iter().any(|n| n == "CKM_GOSTR3410_KEY_PAIR_GEN"),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n == "CKM_GOSTR3410"), "{names:?}");
    // No TC26 mechanism: Streebog is hashed on the host.
    assert_eq!(token.quirks().gost256_sign, quirks::GostSignPath::HostHash);
}

/// Generates on the token, signs, verifies with our GOST code and OpenSSL's engine. The key
/// may come back under the other name of the same curve (see the alias test).
fn generate_and_sign(param_set: ParamSet) {
    let _g = lock();
    let Some(path) = gost_softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let label = unique("gost");
    let token = fresh_logged_in_token(&module, &label);
    let spec = TokenKeySpec::Gost {
        param_set: param_set.oid(),
    };
    let set = token.generate_key_pair(&spec, "GOST key").unwrap();
    // Least privilege (issue 13): signs and nothing else, as the token stored it.
    assert_least_privilege(&path, Slot::Label(&label), USER_PIN, &set.id, &spec.name());
    let spki = set.public_key_spki.clone().unwrap();
    assert_eq!(
        set.id,
        bankkey::store::pkcs11::key_id(&spki).unwrap().to_vec()
    );
    let msg = "Платёжное поручение № 42".as_bytes();
    let sig = token.sign(&set.id, msg).unwrap();
    assert_eq!(sig.len(), 64);
    // Our GOST code verifies it (the key as the token gave it, s‖r as the token gave it)...
    let made = match TokenKeySpec::from_spki(&spki).unwrap() {
        TokenKeySpec::Gost { param_set } => ParamSet::from_oid(&param_set).unwrap(),
        other => panic!("{other:?}"),
    };
    let vk = VerifyingKey::from_le_xy(made, &le_xy(&spki)).unwrap();
    vk.verify(msg, &Signature::from_bytes(&sig).unwrap())
        .unwrap();
    assert!(
        vk.verify(b"other", &Signature::from_bytes(&sig).unwrap())
            .is_err()
    );
    // ...and so does OpenSSL's gost engine, from our SubjectPublicKeyInfo.
    assert!(openssl_gost_verifies(&spki, msg, &sig), "openssl rejects");
    assert!(!openssl_gost_verifies(&spki, b"other", &sig));
}

#[test]
fn gost256_cryptopro_a() {
    generate_and_sign(ParamSet::CryptoProA);
}

#[test]
fn gost256_cryptopro_xcha_is_made_as_cryptopro_a() {
    // XchA is the CryptoPro-A curve under another OID: made under the name the token knows.
    generate_and_sign(ParamSet::CryptoProXchA);
}

/// SoftHSM 2.6.1 makes CryptoPro-A keys only (OSSLGOST.cpp asks the engine for paramset "A"):
/// another curve is refused with an error, and nothing is left on the token.
#[test]
fn a_curve_the_token_cannot_make_is_refused_cleanly() {
    let _g = lock();
    let Some(path) = gost_softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = fresh_logged_in_token(&module, &unique("gostb"));
    for ps in [ParamSet::CryptoProB, ParamSet::CryptoProC] {
        let e = token
            .generate_key_pair(
                &TokenKeySpec::Gost {
                    param_set: ps.oid(),
                },
                "k",
            )
            .unwrap_err();
        assert_eq!(e.kind(), bankkey::ErrorKind::Pkcs11, "{e}");
        assert!(e.message().contains("generating GOST R 34.10-2012"), "{e}");
    }
    assert!(token.key_sets().unwrap().is_empty());
}

#[test]
fn tc26_b_is_made_under_its_cryptopro_name_when_the_token_knows_only_that() {
    let _g = lock();
    let Some(path) = gost_softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = fresh_logged_in_token(&module, &unique("alias"));
    let set = token
        .generate_key_pair(
            &TokenKeySpec::Gost {
                param_set: oid::PARAMSET_TC26_256_B,
            },
            "k",
        )
        .unwrap();
    let spki = set.public_key_spki.unwrap();
    let got = TokenKeySpec::from_spki(&spki).unwrap();
    // Either the token took the TC26 name, or it made the same curve as CryptoPro-A.
    assert!(
        got == TokenKeySpec::Gost {
            param_set: oid::PARAMSET_TC26_256_B
        } || got
            == TokenKeySpec::Gost {
                param_set: oid::PARAMSET_CRYPTOPRO_A
            },
        "{got:?}"
    );
    let sig = token.sign(&set.id, b"m").unwrap();
    assert!(openssl_gost_verifies(&spki, b"m", &sig));
}

/// The whole client flow on a GOST token: generate, build the PKCS#10 request through the
/// token (pki's RequestBuilder over our Signer), `openssl req -engine gost -verify` (exit code
/// 0 even on a bad signature: read the message), a certificate from a GOST CA made by
/// `openssl x509 -req -engine gost`, install it beside the key, reopen and find it again.
#[test]
fn gost_request_certificate_install_reopen() {
    use bankkey::key::Signer;
    use bankkey::pki::RequestBuilder;
    use bankkey::subject::{AttributeType as A, Subject};
    let _g = lock();
    let Some(path) = gost_softhsm() else { return };
    let label = unique("gflow");
    let (serial, id, cert) = {
        let module = Pkcs11Module::load(&path).unwrap();
        let token = fresh_logged_in_token(&module, &label);
        let set = token
            .generate_key_pair(
                &TokenKeySpec::Gost {
                    param_set: oid::PARAMSET_CRYPTOPRO_A,
                },
                "subscriber",
            )
            .unwrap();
        let signer = token.signer(&set.id).unwrap();
        assert_eq!(
            signer.signature_algorithm().oid,
            oid::SIGN_WITH_DIGEST_GOST3410_12_256
        );
        let subject = Subject::new()
            .with(A::CommonName, "Иванов Иван Иванович")
            .with(A::Surname, "Иванов")
            .with(A::GivenName, "Иван Иванович")
            .with(A::Country, "RU")
            .with(A::Inn, "500100732259")
            .with(A::Snils, "11223344595");
        let request = RequestBuilder::new(subject).build(&signer).unwrap();
        request.verify().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("req.pem"), request.to_pem()).unwrap();
        let (_, text) = openssl_in(
            &[
                "req", "-engine", "gost", "-in", "req.pem", "-verify", "-noout",
            ],
            d,
        );
        assert!(
            text.contains("verify OK") && !text.contains("fail"),
            "openssl req -verify: {text}"
        );
        // A tampered request is caught by the same check (the message, not the exit code).
        let mut bad = request.to_der();
        let n = bad.len();
        bad[n - 5] ^= 1;
        std::fs::write(d.join("bad.der"), &bad).unwrap();
        let (_, text) = openssl_in(
            &[
                "req", "-engine", "gost", "-inform", "DER", "-in", "bad.der", "-verify", "-noout",
            ],
            d,
        );
        assert!(!text.contains("verify OK"), "{text}");
        for args in [
            &[
                "genpkey",
                "-engine",
                "gost",
                "-algorithm",
                "gost2012_256",
                "-pkeyopt",
                "paramset:A",
                "-out",
                "ca.key",
            ][..],
            &[
                "req",
                "-engine",
                "gost",
                "-x509",
                "-new",
                "-key",
                "ca.key",
                "-subj",
                "/CN=GOST Test CA",
                "-days",
                "30",
                "-out",
                "ca.pem",
            ][..],
            &[
                "x509",
                "-engine",
                "gost",
                "-req",
                "-in",
                "req.pem",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                "11",
                "-days",
                "30",
                "-outform",
                "DER",
                "-out",
                "cert.der",
            ][..],
        ] {
            let (ok, text) = openssl_in(args, d);
            assert!(ok, "openssl {args:?}: {text}");
        }
        let cert = std::fs::read(d.join("cert.der")).unwrap();
        let installed = token.install_certificate(&cert, None, None).unwrap();
        assert_eq!(installed.id, set.id);
        (token.info().serial.clone(), set.id, cert)
    };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = module.open_token(&TokenSelector::Serial(serial)).unwrap();
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    let found = token.find_by_certificate(&cert).unwrap().unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.kind(), bankkey::store::KeySetKind::Complete);
    let signer = token.signer(&id).unwrap();
    let sig = signer.sign(b"after reopen").unwrap();
    signer
        .public_key()
        .verify(&signer.signature_algorithm(), b"after reopen", &sig)
        .unwrap();
    // The certificate's key is the token's key, as our PublicKey compares them.
    let cert = bankkey::pki::Certificate::from_der(&cert).unwrap();
    assert!(cert.holds_key(&signer.public_key()));
}
