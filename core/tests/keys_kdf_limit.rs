//! The process-wide limit on key-derivation work (issue 13, defect 5): refused above it with
//! `LimitExceeded` before any derivation, read once the host raises it, and never written
//! above it. One test function: the limit is process-wide, and this binary is its own
//! process, so no other test sees the values set here.

use bankkey::ErrorKind;
use bankkey::gost::ParamSet;
use bankkey::key::{
    DEFAULT_KDF_ITERATION_LIMIT, KeyAlgorithm, SoftwareKey, kdf_iteration_limit,
    set_kdf_iteration_limit,
};
use bankkey::store::{FileContainer, KeyStore};
use secrecy::SecretString;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openssl");

#[test]
fn the_limit_bounds_reading_and_writing_and_the_host_can_move_it() {
    assert_eq!(kdf_iteration_limit(), DEFAULT_KDF_ITERATION_LIMIT);
    // OpenSSL's default count (2048), written by `openssl pkcs8 -topk8 -v2 ...`.
    let pem = std::fs::read_to_string(format!(
        "{FIXTURES}/encrypted/gost2012_256-A.gost89.hmac-streebog512.pem"
    ))
    .unwrap();
    let password = b"bankkey-test";
    SoftwareKey::from_encrypted_pkcs8_pem(&pem, password).unwrap();

    // A host that tightens the limit below the file's count: refused, with the field named.
    set_kdf_iteration_limit(2047).unwrap();
    let e = SoftwareKey::from_encrypted_pkcs8_pem(&pem, password).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert_eq!(e.field(), Some("iterationCount"));
    // Even a wrong password gets the same answer: no derivation was made to find out.
    assert_eq!(
        SoftwareKey::from_encrypted_pkcs8_pem(&pem, b"wrong")
            .unwrap_err()
            .kind(),
        ErrorKind::LimitExceeded
    );

    // The file container neither writes nor reads above the limit, and a refused import
    // leaves nothing behind.
    let dir = tempfile::tempdir().unwrap();
    let mut c = FileContainer::create(dir.path(), SecretString::from("pw".to_string())).unwrap();
    c.set_kdf_iterations(2048);
    let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A)).unwrap();
    let e = c.import(&key, "k").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(c.key_sets().unwrap().is_empty());

    // Raised to the file's count: read.
    set_kdf_iteration_limit(2048).unwrap();
    SoftwareKey::from_encrypted_pkcs8_pem(&pem, password).unwrap();
    let set = c.import(&key, "k").unwrap();
    assert_eq!(
        c.software_key(&set.id).unwrap().public_key(),
        key.public_key()
    );

    // Lowered again: the container's own key is now refused, not mistaken for a wrong
    // password.
    set_kdf_iteration_limit(1000).unwrap();
    assert_eq!(
        c.software_key(&set.id).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );

    // HMAC-GOST R 34.11-94 counts eight times: GnuTLS's CryptoPro-A key of 2000 iterations
    // counts 16,000 (it decrypts, then its 2001 key is refused by name).
    let gost94 = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/realworld/keys/gnutls_key-gost01-2-enc.p8"
    ))
    .unwrap();
    let pfx_password = "Пароль для PFX".as_bytes();
    set_kdf_iteration_limit(15_999).unwrap();
    let e = SoftwareKey::from_encrypted_pkcs8_pem(&gost94, pfx_password).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert!(e.message().contains("count as 16000"), "{e}");
    set_kdf_iteration_limit(16_000).unwrap();
    let e = SoftwareKey::from_encrypted_pkcs8_pem(&gost94, pfx_password).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm, "{e}");

    assert_eq!(
        set_kdf_iteration_limit(0).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    set_kdf_iteration_limit(DEFAULT_KDF_ITERATION_LIMIT).unwrap();
}
