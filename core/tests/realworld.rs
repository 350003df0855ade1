//! The real-world artifacts of `tests/realworld` (accredited CAs' certificates, CryptoPro CMS,
//! TC26 and GnuTLS examples; issue 12): what other tools read and we used to refuse is read,
//! with the non-canonical encodings reported as warnings, and signatures still verified over
//! the bytes as received; and every file gives the verdict OpenSSL's gost engine gives, both
//! checked against a committed table (`tests/fixtures/realworld-verdicts.tsv`) so that a change
//! on either side is caught, OpenSSL run live (REQUIRE_ORACLES=1 in CI).

mod common;

use bankkey::ErrorKind;
use bankkey::pki::{Certificate, ExtensionValue, WarningCode, build_chain};
use bankkey::report::{self, ObjectKind, Options, Reason};
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

/// The committed table of expected verdicts (`tests/fixtures/realworld-verdicts.tsv`): one
/// row per file of `certs`, `csr` and `cms`, with the time it is checked at, the content of a
/// detached signature, our verdict (`valid` or the reason) and warnings, OpenSSL's answer, and
/// a note wherever the two differ.
struct Row {
    object: String,
    at: time::OffsetDateTime,
    content: Option<String>,
    bankkey: String,
    warnings: String,
    openssl: String,
    note: String,
}

fn table() -> Vec<Row> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/realworld-verdicts.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() >= 6, "{l}");
            let at =
                time::OffsetDateTime::parse(f[1], &time::format_description::well_known::Rfc3339)
                    .unwrap();
            Row {
                object: f[0].into(),
                at,
                content: (f[2] != "-").then(|| f[2].to_string()),
                bankkey: f[3].into(),
                warnings: f[4].into(),
                openssl: f[5].into(),
                note: f.get(6).copied().unwrap_or("").into(),
            }
        })
        .collect()
}

/// Our reason for what OpenSSL says, where the two mean the same.
fn same_as_openssl(openssl: &str) -> Option<&'static str> {
    Some(match openssl {
        "ok" => "valid",
        "unable to get local issuer certificate" => "untrusted",
        "invalid CA certificate" => "wrong-issuer",
        "certificate signature failure" => "bad-signature",
        "certificate has expired" => "expired",
        "certificate is not yet valid" => "not-yet-valid",
        "no content" => "content-missing",
        _ => return None,
    })
}

/// The certificates of `certs/`: the self-issued ones (anchors) and the others
/// (intermediates); certificates whose key we cannot read are left out
/// (GOST R 34.10-94: OpenSSL cannot load them either).
fn folder() -> (Vec<Certificate>, Vec<Certificate>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/realworld/certs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let (mut roots, mut others) = (Vec::new(), Vec::new());
    for n in names {
        let c = Certificate::from_pem(&realworld(&format!("certs/{n}"))).unwrap();
        if c.public_key().is_err() {
            continue;
        }
        if c.is_self_issued() {
            roots.push(c);
        } else {
            others.push(c);
        }
    }
    (roots, others)
}

fn pem_bundle(certs: &[&Certificate]) -> String {
    certs.iter().map(|c| c.to_pem()).collect()
}

/// What OpenSSL's gost engine says of `row`, in the table's words.
fn openssl_says(
    ossl: &common::Oracle,
    tmp: &common::TempDir,
    row: &Row,
    roots: &str,
    others: &str,
    kind: ObjectKind,
) -> String {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/realworld")
        .join(&row.object)
        .to_string_lossy()
        .into_owned();
    let epoch = row.at.unix_timestamp().to_string();
    let pem = realworld(&row.object).starts_with(b"-----");
    let form = if pem { "PEM" } else { "DER" };
    let out = match kind {
        ObjectKind::Certificate => {
            let mut args = vec!["verify", "-engine", "gost", "-attime", &epoch];
            let own;
            // A self-signed certificate's chain is itself: OpenSSL looks anchors up by name,
            // and of three roots named «Минцифры России» would compare with the first.
            let c = Certificate::from_pem(&realworld(&row.object)).unwrap();
            if c.is_self_issued() {
                own = tmp.write("own.pem", c.to_pem());
                args.extend(["-CAfile", &own]);
            } else {
                args.extend(["-CAfile", roots, "-untrusted", others]);
            }
            args.push(&file);
            let o = ossl.try_run(&args);
            let text = String::from_utf8_lossy(&o.stdout).into_owned()
                + &String::from_utf8_lossy(&o.stderr);
            if o.status.success() && text.contains(": OK") {
                return "ok".into();
            }
            return text
                .lines()
                .find_map(|l| {
                    l.split_once("depth lookup: ")
                        .map(|(_, e)| e.trim().to_string())
                })
                .unwrap_or_else(|| "unreadable".into());
        }
        ObjectKind::CertificateRequest => {
            ossl.try_run(&["req", "-engine", "gost", "-verify", "-noout", "-in", &file])
        }
        ObjectKind::DigestedData => ossl.try_run(&[
            "cms",
            "-digest_verify",
            "-engine",
            "gost",
            "-binary",
            "-inform",
            form,
            "-in",
            &file,
            "-out",
            "/dev/null",
        ]),
        _ => {
            let mut args = vec![
                "cms",
                "-verify",
                "-engine",
                "gost",
                "-binary",
                "-inform",
                form,
                "-in",
                &file,
                "-CAfile",
                roots,
                "-certfile",
                others,
                "-attime",
                &epoch,
                "-out",
                "/dev/null",
            ];
            let content;
            if let Some(c) = &row.content {
                content = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../tests/realworld")
                    .join(c)
                    .to_string_lossy()
                    .into_owned();
                args.extend(["-content", &content]);
            }
            ossl.try_run(&args)
        }
    };
    if out.status.success() {
        return "ok".into();
    }
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    if let Some((_, e)) = text.split_once("Verify error:") {
        return e.lines().next().unwrap_or("").trim().to_string();
    }
    // the reason of OpenSSL's last error line ("...:no content:...")
    text.lines()
        .filter(|l| l.contains(":error:"))
        .filter_map(|l| l.split(':').nth(5))
        .next_back()
        .unwrap_or("fail")
        .trim()
        .to_string()
}

#[test]
fn every_real_world_file_gives_the_verdict_openssl_gives() {
    let rows = table();
    let (anchors, intermediates) = folder();
    // every file of certs, csr and cms (contents aside) has its row
    for sub in ["certs", "csr", "cms"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/realworld")
            .join(sub);
        for e in std::fs::read_dir(dir).unwrap() {
            let name = format!("{sub}/{}", e.unwrap().file_name().to_string_lossy());
            let is_content = rows
                .iter()
                .any(|r| r.content.as_deref() == Some(name.as_str()));
            assert!(
                is_content || rows.iter().any(|r| r.object == name),
                "{name} has no row in realworld-verdicts.tsv"
            );
        }
    }
    let ossl = common::openssl();
    let tmp = common::TempDir::new("realworld");
    let roots_pem = tmp.write("roots.pem", pem_bundle(&anchors.iter().collect::<Vec<_>>()));
    let others_pem = tmp.write(
        "others.pem",
        pem_bundle(&intermediates.iter().collect::<Vec<_>>()),
    );
    let mut problems = Vec::new();
    // REALWORLD_PRINT=1 prints the rows as computed, to write the table from.
    let mut printed = Vec::new();
    for row in &rows {
        let bytes = realworld(&row.object);
        let c = Certificate::from_pem(&bytes).ok();
        let own = c
            .iter()
            .filter(|c| c.is_self_issued())
            .cloned()
            .collect::<Vec<_>>();
        let options = Options {
            at: Some(row.at),
            trust: if own.is_empty() { anchors.clone() } else { own },
            intermediates: intermediates.clone(),
            content: row.content.as_ref().map(|c| realworld(c)),
            ..Options::default()
        };
        let r = report::inspect(&bytes, &options);
        let ours = match r.reason {
            None => "valid".to_string(),
            Some(reason) => serde_json::to_value(reason)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string(),
        };
        let mut warnings: Vec<&str> = r.warnings.iter().map(|w| w.code.name()).collect();
        warnings.sort();
        warnings.dedup();
        let warnings = if warnings.is_empty() {
            "-".to_string()
        } else {
            warnings.join(",")
        };
        if ours != row.bankkey || warnings != row.warnings {
            problems.push(format!(
                "{}: bankkey says {ours} (warnings {warnings}), the table {} ({}): {}",
                row.object,
                row.bankkey,
                row.warnings,
                r.message.clone().unwrap_or_default()
            ));
        }
        let agree = same_as_openssl(&row.openssl) == Some(row.bankkey.as_str());
        if !agree && row.note.is_empty() {
            problems.push(format!(
                "{}: bankkey {} and OpenSSL \"{}\" differ without a note",
                row.object, row.bankkey, row.openssl
            ));
        }
        if let Some(ossl) = &ossl {
            let theirs = openssl_says(ossl, &tmp, row, &roots_pem, &others_pem, r.kind);
            printed.push(format!(
                "{}\t{}\t{}\t{ours}\t{warnings}\t{theirs}\t{}",
                row.object,
                row.at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                row.content.as_deref().unwrap_or("-"),
                row.note
            ));
            if theirs != row.openssl {
                problems.push(format!(
                    "{}: OpenSSL says \"{theirs}\", the table \"{}\"",
                    row.object, row.openssl
                ));
            }
        }
    }
    if std::env::var_os("REALWORLD_PRINT").is_some() {
        eprintln!("{}", printed.join("\n"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_cryptopro_2001_signature_verifies_over_its_content() {
    // Роскомнадзор's registry dump of 2015, signed by CryptoPro CSP with GOST R 34.10-2001
    // (key OID as signatureAlgorithm, GOST R 34.11-94): the signature verifies; an altered
    // content does not; without the content nothing is verified (content-missing).
    let sig = realworld("cms/rkn_dump_2015-04-16.xml.sig");
    let content = realworld("cms/rkn_dump_2015-04-16.xml");
    let with = |content: Option<Vec<u8>>| {
        report::inspect(
            &sig,
            &Options {
                content,
                ..Options::default()
            },
        )
    };
    let r = with(Some(content.clone()));
    let signatures = r.checks.iter().find(|c| c.name == "signatures").unwrap();
    assert_eq!(
        signatures.outcome,
        report::Outcome::Passed,
        "{}",
        r.to_json()
    );
    assert_eq!(r.reason, Some(Reason::Untrusted), "no anchors given");
    let mut altered = content;
    altered[100] ^= 1;
    assert_eq!(with(Some(altered)).reason, Some(Reason::ContentAltered));
    assert_eq!(with(None).reason, Some(Reason::ContentMissing));
}
