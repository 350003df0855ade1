//! The client's current key brought in: a PFX imported into a file container and onto a
//! PKCS#11 token (SoftHSM2 built with GOST, and plain SoftHSM2 for RSA and P-256), with its
//! certificate under the same identifier; the imported key signs and the certificate's key
//! verifies it; a second import, a failed certificate install and read-only stores leave the
//! store as it was.

mod common;

use std::path::PathBuf;

use bankkey::ErrorKind;
use bankkey::key::{Signer, SoftwareKey};
use bankkey::pfx::{Pfx, PfxOptions};
use bankkey::pki::Certificate;
use bankkey::store::pkcs11::{LoginOptions, Pkcs11Module, Pkcs11Token};
use bankkey::store::{FileContainer, KeySetKind, KeyStore};
use common::hsm::*;
use common::{fixture, fixture_str};
use secrecy::SecretString;

const PASSWORD: &str = "Пароль для PFX";

fn realworld(rel: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/realworld")
            .join(rel),
    )
    .unwrap()
}

/// The fixture key and certificate of `dir` as a PFX (our writer; OpenSSL's PFX are read in
/// tests/pfx_interop.rs).
fn fixture_pfx(dir: &str) -> (Vec<u8>, SoftwareKey, Certificate) {
    let key = SoftwareKey::from_pkcs8_pem(&fixture_str(&format!("{dir}/key.pem"))).unwrap();
    let cert = Certificate::from_pem(&fixture(&format!("{dir}/cert.pem"))).unwrap();
    let options = PfxOptions {
        iterations: 100,
        ..PfxOptions::default()
    };
    let der = Pfx::write(&key, Some(&cert), &[], PASSWORD, &options).unwrap();
    (der, key, cert)
}

/// The imported set is complete, its certificate under its identifier, and it signs.
fn check_imported(store: &dyn KeyStore, cert: &Certificate) -> Vec<u8> {
    let sets = store.key_sets().unwrap();
    let set = sets
        .iter()
        .find(|s| s.certificate.as_deref() == Some(&cert.to_der()[..]))
        .expect("the certificate is installed");
    assert_eq!(set.kind(), KeySetKind::Complete);
    assert_eq!(set.label, "из PFX");
    let signer = store.signer(&set.id).unwrap();
    let sig = signer.sign(b"payment order").unwrap();
    cert.public_key()
        .unwrap()
        .verify(&signer.signature_algorithm(), b"payment order", &sig)
        .unwrap();
    set.id.clone()
}

#[test]
fn a_pfx_imports_into_a_file_container() {
    let dir = tempfile::tempdir().unwrap();
    let mut store =
        FileContainer::create(dir.path(), SecretString::from("контейнер".to_string())).unwrap();
    store.set_kdf_iterations(1000);
    for case in ["gost2012_256-A", "gost2012_512-A", "rsa2048", "ec-p256"] {
        let (der, key, cert) = fixture_pfx(case);
        let pfx = Pfx::from_der(&der, PASSWORD).unwrap();
        let set = pfx.import_into(&store, "из PFX").unwrap();
        assert_eq!(set.id, key.public_key().key_id().to_vec(), "{case}");
        assert_eq!(check_imported(&store, &cert), set.id);
        // The key is kept under the container's password, not the PFX's.
        assert_eq!(
            store.software_key(&set.id).unwrap().public_key(),
            key.public_key()
        );
        // Twice: refused, nothing changed.
        let before = store.key_sets().unwrap();
        assert_eq!(
            pfx.import_into(&store, "из PFX").unwrap_err().kind(),
            ErrorKind::PreconditionFailed,
            "{case}"
        );
        assert_eq!(store.key_sets().unwrap(), before);
    }
    // The Р 50.1.112-2016 example (a masked key): its certificate beside it; through a
    // shared handle, as the bindings hold stores.
    let shared = std::sync::Arc::new(store);
    let pfx = Pfx::from_der(&realworld("pfx/gnutls_gost12.p12"), PASSWORD).unwrap();
    let set = pfx.import_into(&shared, "пример").unwrap();
    assert_eq!(set.kind(), KeySetKind::Complete);
}

/// PFX that CryptoPro CSP exported (its own key encryption, 1.2.840.113549.1.12.1.80; empty
/// password): the key and its certificate into a file container, where the key is kept under
/// the container's password.
#[test]
fn a_cryptopro_pfx_imports_into_a_file_container() {
    let dir = tempfile::tempdir().unwrap();
    let mut store =
        FileContainer::create(dir.path(), SecretString::from("контейнер".to_string())).unwrap();
    store.set_kdf_iterations(1000);
    for file in [
        "pfx/cryptopro_corefx_2012_256.pfx",
        "pfx/cryptopro_corefx_2012_512.pfx",
    ] {
        let pfx = Pfx::from_der(&realworld(file), "").unwrap();
        let (key, cert) = pfx.single_key().unwrap();
        let cert = cert.unwrap().clone();
        let set = pfx.import_into(&store, "из PFX").unwrap();
        assert_eq!(check_imported(&store, &cert), set.id);
        assert_eq!(
            store.software_key(&set.id).unwrap().public_key(),
            key.key.public_key()
        );
    }
}

fn gost_softhsm() -> Option<PathBuf> {
    softhsm_module(
        "BANKKEY_SOFTHSM_GOST_MODULE",
        "SoftHSM with GOST not set up: run `eval \"$(bash scripts/hsm.sh)\"` first",
    )
}

fn plain_softhsm() -> Option<PathBuf> {
    softhsm_module(
        "BANKKEY_SOFTHSM_MODULE",
        "SoftHSM not set up: run `eval \"$(bash scripts/hsm.sh)\"` first",
    )
}

fn token(module: &Pkcs11Module, label: &str) -> Pkcs11Token {
    let token = fresh_token(module, &unique(label), USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    token
}

/// The Р 50.1.112-2016 example's key (CryptoPro-A, masked in the PFX) onto SoftHSM with GOST,
/// its certificate under the same CKA_ID; the token signs with it, OpenSSL's engine verifies
/// with the certificate.
#[test]
fn a_gost_pfx_imports_onto_a_token() {
    let _g = lock();
    let Some(path) = gost_softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = token(&module, "pfx-gost");
    let pfx = Pfx::from_der(&realworld("pfx/gnutls_gost12.p12"), PASSWORD).unwrap();
    let (key, cert) = pfx.single_key().unwrap();
    let cert = cert.unwrap().clone();
    let set = pfx.import_into(&token, "из PFX").unwrap();
    assert_eq!(set.id, key.key.public_key().key_id().to_vec());
    let id = check_imported(&token, &cert);
    assert_eq!(id, set.id);
    assert_eq!(
        pfx.import_into(&token, "из PFX").unwrap_err().kind(),
        ErrorKind::PreconditionFailed
    );

    // The token's signature, checked by OpenSSL's engine with the certificate's key.
    let signer = token.signer(&id).unwrap();
    let sig = Signer::sign(&signer, b"payment order").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("cert.pem"), cert.to_pem()).unwrap();
    std::fs::write(d.join("msg"), b"payment order").unwrap();
    std::fs::write(d.join("sig"), &sig).unwrap();
    let (ok, text) = openssl_in(
        &[
            "x509", "-engine", "gost", "-in", "cert.pem", "-pubkey", "-noout", "-out", "pub.pem",
        ],
        d,
    );
    assert!(ok, "{text}");
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
    assert!(ok && text.contains("Verified OK"), "{text}");
}

/// The 256-bit key of a CryptoPro CSP export onto SoftHSM with GOST, with its certificate.
#[test]
fn a_cryptopro_pfx_imports_onto_a_token() {
    let _g = lock();
    let Some(path) = gost_softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = token(&module, "pfx-cryptopro");
    let pfx = Pfx::from_der(&realworld("pfx/cryptopro_corefx_2012_256.pfx"), "").unwrap();
    let cert = pfx.single_key().unwrap().1.unwrap().clone();
    let set = pfx.import_into(&token, "из PFX").unwrap();
    assert_eq!(check_imported(&token, &cert), set.id);
}

/// RSA and P-256 keys from PFX onto plain SoftHSM.
#[test]
fn rsa_and_ec_pfx_import_onto_a_token() {
    let _g = lock();
    let Some(path) = plain_softhsm() else { return };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = token(&module, "pfx-rsa-ec");
    for case in ["rsa2048", "ec-p256"] {
        let (der, key, cert) = fixture_pfx(case);
        let set = Pfx::from_der(&der, PASSWORD)
            .unwrap()
            .import_into(&token, "из PFX")
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(set.id, key.public_key().key_id().to_vec());
        check_imported(&token, &cert);
    }
}

/// A certificate that cannot be installed takes the imported key back out.
#[test]
fn a_failed_certificate_install_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileContainer::create(dir.path(), SecretString::from("x".to_string())).unwrap();
    store.set_kdf_iterations(1000);
    let (der, key, _) = fixture_pfx("gost2012_256-A");
    let id = hex::encode(key.public_key().key_id());
    // A directory where the certificate file must go: the write fails (root ignores modes).
    std::fs::create_dir(dir.path().join(format!("{id}.crt"))).unwrap();
    std::fs::write(dir.path().join(format!("{id}.crt/x")), b"x").unwrap();
    let pfx = Pfx::from_der(&der, PASSWORD).unwrap();
    assert!(pfx.import_into(&store, "из PFX").is_err());
    assert!(
        store.key_sets().unwrap().iter().all(|s| !s.has_private_key),
        "the key was taken back out"
    );
}
