//! `inspect` of the client's current key as it arrives: a PFX (with its password) and a
//! CryptoPro container folder (with its PIN). What is inside is reported; the password, the
//! PIN and the private key never are.

use bankkey::report::{self, ObjectKind, Options, Reason, Verdict};

const PASSWORD: &str = "Пароль для PFX";

fn realworld(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/realworld")
        .join(rel)
}

fn with_password(p: &str) -> Options {
    Options {
        password: Some(zeroize::Zeroizing::new(p.as_bytes().to_vec())),
        ..Options::default()
    }
}

#[test]
fn a_pfx_is_reported_with_its_password() {
    let der = std::fs::read(realworld("pfx/gnutls_gost12.p12")).unwrap();
    let r = report::inspect(&der, &with_password(PASSWORD));
    assert_eq!(r.kind, ObjectKind::Pfx);
    assert_eq!(r.verdict, Verdict::Valid, "{}", r.to_json());
    let p = r.pfx.as_ref().unwrap();
    assert_eq!(p.mac.as_deref(), Some("Streebog-512"));
    assert_eq!(p.mac_iterations, Some(2000));
    assert_eq!(p.keys.len(), 1);
    assert_eq!(p.certificates.len(), 1);
    assert_eq!(
        p.keys[0].certificate_serial.as_deref(),
        Some(p.certificates[0].serial.as_str())
    );
    let json = r.to_json();
    assert!(!json.contains(PASSWORD));
    // The key (the example's masked PrivateKeyInfo holds 461B46EF…) is not in the report.
    assert!(!json.to_uppercase().contains("461B46EF"), "{json}");

    // Without the password, with a wrong one, altered: invalid, with the reason.
    let r = report::inspect(&der, &Options::default());
    assert_eq!((r.kind, r.verdict), (ObjectKind::Pfx, Verdict::Invalid));
    let r = report::inspect(&der, &with_password("wrong"));
    assert_eq!(r.verdict, Verdict::Invalid);
    assert!(r.message.unwrap().contains("password"));
    let mut altered = der.clone();
    let n = altered.len();
    altered[n - 40] ^= 1;
    let r = report::inspect(&altered, &with_password(PASSWORD));
    assert_eq!(r.reason, Some(Reason::ContentAltered), "{}", r.to_json());
}

/// A PFX CryptoPro CSP exported, with its (empty) password: the key's protection is named.
#[test]
fn a_cryptopro_pfx_is_reported() {
    let der = std::fs::read(realworld("pfx/cryptopro_corefx_2012_512.pfx")).unwrap();
    let r = report::inspect(&der, &with_password(""));
    assert_eq!(r.kind, ObjectKind::Pfx);
    assert_eq!(r.verdict, Verdict::Valid, "{}", r.to_json());
    let p = r.pfx.as_ref().unwrap();
    assert_eq!(p.mac.as_deref(), Some("SHA-1"));
    assert_eq!(p.keys.len(), 1);
    assert!(
        p.keys[0]
            .protection
            .as_deref()
            .is_some_and(|s| s.contains("1.2.840.113549.1.12.1.80")),
        "{}",
        r.to_json()
    );
    assert_eq!(
        p.keys[0].certificate_serial.as_deref(),
        Some(p.certificates[0].serial.as_str())
    );
    let r = report::inspect(&der, &with_password("wrong"));
    assert_eq!(r.verdict, Verdict::Invalid);
}

#[cfg(feature = "cryptopro")]
#[test]
fn a_container_folder_is_reported_with_and_without_its_pin() {
    let dir = realworld("containers/91team_test.91.gost.dev");
    let r = report::inspect_path(&dir, &Options::default());
    assert_eq!(r.kind, ObjectKind::CryptoProContainer);
    let c = r.container.as_ref().unwrap();
    assert_eq!(c.name.as_deref(), Some("srv"));
    assert_eq!(c.fingerprint, "AEFA90609BA04209");
    assert_eq!(c.usage, "exchange");
    assert!(c.reserve_copy);
    assert_eq!(
        c.certificate.as_ref().unwrap().subject,
        "CN=test.91.gost.dev"
    );
    assert!(c.key.is_none());
    // The PIN check was not made: not valid.
    assert_eq!(r.verdict, Verdict::Invalid);

    let r = report::inspect_path(&dir, &with_password(""));
    assert_eq!(r.verdict, Verdict::Valid, "{}", r.to_json());
    let c = r.container.as_ref().unwrap();
    assert_eq!(
        c.key.as_ref().unwrap().certificate_serial,
        Some(c.certificate.as_ref().unwrap().serial.clone())
    );
    assert_eq!(c.opened_with.as_deref(), Some("main copy, PIN as UTF-32"));

    let r = report::inspect_path(&dir, &with_password("97531-ПИН"));
    assert_eq!(r.verdict, Verdict::Invalid);
    assert!(!r.to_json().contains("97531"));

    // A folder that is not a container.
    let r = report::inspect_path(&realworld("pfx"), &Options::default());
    assert_eq!(r.verdict, Verdict::Invalid);
}
