//! The real-world artifacts of `tests/realworld` (accredited CAs' certificates, CryptoPro CMS,
//! TC26 and GnuTLS examples; issue 12): what other tools read and we used to refuse is read,
//! with the non-canonical encodings reported as warnings, and signatures still verified over
//! the bytes as received.

mod common;

use bankkey::ErrorKind;
use bankkey::pki::{Certificate, ExtensionValue, WarningCode, build_chain};
use bankkey::report::{self, Options, Reason};
use bankkey::subject::StringType;
use time::macros::datetime;

/// A file of `tests/realworld`.
fn realworld(rel: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/realworld")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

fn cert(name: &str) -> Certificate {
    Certificate::from_pem(&realworld(&format!("certs/{name}.pem")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn codes(c: &Certificate) -> Vec<WarningCode> {
    c.warnings().iter().map(|w| w.code).collect()
}

#[test]
fn certificates_every_other_tool_reads_are_read() {
    // The Ministry's 2025 root: fractional seconds in privateKeyUsagePeriod.
    let root = cert("mincifry_root_2025");
    assert_eq!(codes(&root), [WarningCode::FractionalSeconds]);
    let pkup = root
        .extensions()
        .private_key_usage_period()
        .expect("privateKeyUsagePeriod");
    assert_eq!(pkup.0, Some(datetime!(2025-12-17 10:06:00 UTC)));
    root.verify_self_signature().unwrap();
    // ... and it is a trust anchor like any other (it was a usage error as --trust).
    let r = report::certificate(
        &root,
        &Options {
            at: Some(datetime!(2030-01-01 0:00 UTC)),
            trust: vec![root.clone()],
            ..Options::default()
        },
    );
    assert!(r.is_valid(), "{}", r.to_json());
    assert_eq!(r.warnings.len(), 1);

    // A 2012 key whose parameters carry the optional encryptionParamSet.
    let argos = cert("argos_ca_2019_gost2012_encparamset");
    assert!(argos.warnings().is_empty(), "valid DER: no warning");
    assert_eq!(
        argos.key_info().parameter_set,
        Some(bankkey::oid::PARAMSET_CRYPTOPRO_XCHA)
    );
    let chain = build_chain(
        &argos,
        &[],
        &[cert("minkomsvyaz_root_2018")],
        datetime!(2020-01-01 0:00 UTC),
    )
    .unwrap();
    assert_eq!(chain.certificates().len(), 2);

    // postalAddress, a SEQUENCE OF DirectoryString, in the subject; a GOST 2001 chain.
    let sb = cert("standart_bezopasnosti_2016_gost2001_postaladdress");
    let postal = sb
        .subject()
        .attributes()
        .iter()
        .find(|a| a.kind.oid() == bankkey::oid::AT_POSTAL_ADDRESS)
        .expect("postalAddress");
    assert_eq!(postal.string_type, StringType::PostalLines);
    assert_eq!(postal.value, "150047, Ярославль, Угличская 39В");
    assert!(
        sb.subject().to_name().is_err(),
        "a postal address is never re-encoded as a string"
    );
    let guc = cert("guc_root_2012_gost2001");
    let uc1 = cert("uc1_is_guc_2016_gost2001");
    build_chain(&sb, &[uc1], &[guc], datetime!(2017-01-01 0:00 UTC)).unwrap();

    // basicConstraints with a BER BOOLEAN (0x01): read as cA TRUE, with a warning.
    let pfr = cert("pfr_ca_2015_gost2001_bc_boolean_ber");
    assert_eq!(codes(&pfr), [WarningCode::BerBoolean]);
    assert_eq!(pfr.extensions().basic_constraints(), Some((true, Some(0))));
    let bc = pfr
        .extensions()
        .iter()
        .find(|e| matches!(e.value, ExtensionValue::BasicConstraints { .. }))
        .unwrap();
    assert_eq!(bc.der, [0x30, 0x06, 0x01, 0x01, 0x01, 0x02, 0x01, 0x00]);
}

#[test]
fn a_trust_anchor_is_trusted_by_being_given_not_made_a_ca() {
    // TC26's root has no basicConstraints: given as an anchor, it is valid itself (RFC 5280
    // §6.1, OpenSSL) ...
    let root = cert("tc26_root256_cert");
    assert!(!root.is_ca());
    let at = datetime!(2020-01-01 0:00 UTC);
    let options = Options {
        at: Some(at),
        trust: vec![root.clone()],
        ..Options::default()
    };
    let r = report::certificate(&root, &options);
    assert!(r.is_valid(), "{}", r.to_json());
    // ... but does not become a CA by being given: what it signed is refused as OpenSSL
    // refuses it ("invalid CA certificate"); the signature itself verifies.
    let sender = cert("tc26_sender256_cert");
    let r = report::certificate(&sender, &options);
    assert_eq!(r.reason, Some(Reason::WrongIssuer), "{}", r.to_json());
    let e = sender.verify_issued_by(&root).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongIssuer);
}

#[test]
fn a_ber_boolean_is_read_but_the_signature_covers_the_bytes_received() {
    // An OpenSSL certificate whose critical flag is rewritten from 0xFF to 0x01: the fields
    // read the same (with a warning), but the signature was over 0xFF, and it is checked over
    // the 0x01 received, so it fails; a re-encoding would have hidden the change.
    let ca = Certificate::from_pem(&common::fixture("gost2012_256-A/ca.pem")).unwrap();
    let good = Certificate::from_pem(&common::fixture("gost2012_256-A/cert.pem")).unwrap();
    let mut der = good.to_der();
    let at = der
        .windows(3)
        .position(|w| w == [0x01, 0x01, 0xff])
        .expect("a critical flag");
    der[at + 2] = 0x01;
    let ber = Certificate::from_der(&der).unwrap();
    assert_eq!(codes(&ber), [WarningCode::BerBoolean]);
    assert!(ber.warnings()[0].detail.starts_with("certificate: "));
    assert_eq!(ber.extensions(), good.extensions());
    assert_eq!(ber.subject(), good.subject());
    good.verify_issued_by(&ca).unwrap();
    assert_eq!(
        ber.verify_issued_by(&ca).unwrap_err().kind(),
        ErrorKind::BadSignature
    );
}
