//! Every fixture certificate, CA and request made by OpenSSL (scripts/make-fixtures.sh) is
//! parsed, verified and chained, and its report is compared field by field with the
//! `openssl x509/req -text` dump checked in beside it.

mod common;

use bankkey::pki::{Certificate, CertificateRequest, build_chain};
use bankkey::report::{self, Options};
use common::openssl_text::*;
use common::{FOLDERS, fixture, fixture_str};
use serde_json::Value;
use time::Duration;

/// The extensions of a dump: (header without ": critical", critical, value lines).
fn dump_extensions(text: &str, section: &str) -> Vec<(String, bool, Vec<String>)> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(i) = lines.iter().position(|l| l.trim() == section) else {
        return Vec::new();
    };
    let base = lines[i].len() - lines[i].trim_start().len();
    let mut out: Vec<(String, bool, Vec<String>)> = Vec::new();
    for l in &lines[i + 1..] {
        let ind = l.len() - l.trim_start().len();
        if ind <= base {
            break;
        }
        if ind == base + 4 {
            let h = l.trim().trim_end_matches(':').trim();
            let (name, critical) = match l.trim().strip_suffix("critical") {
                Some(h2) => (h2.trim().trim_end_matches(':').trim().to_owned(), true),
                None => (h.to_owned(), false),
            };
            out.push((name, critical, Vec::new()));
        } else if let Some(last) = out.last_mut() {
            last.2.push(l.trim().to_owned());
        }
    }
    out
}

fn ext<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no extension {name} in the report"))
}

fn check_name(report_attrs: &Value, dump_line: &str, what: &str, types: bool) {
    let expected = rfc2253(dump_line);
    let got = report_attrs.as_array().unwrap();
    assert_eq!(got.len(), expected.len(), "{what}: number of attributes");
    for (g, e) in got.iter().zip(&expected) {
        let (oid, ty) = openssl_attr(&e.label);
        assert_eq!(g["oid"], oid, "{what}: {}", e.label);
        assert_eq!(g["value"], e.value.as_str(), "{what}: {}", e.label);
        if types {
            assert_eq!(g["type"], ty, "{what}: {} type", e.label);
        }
        if let Some(tag) = e.hex_tag {
            assert_eq!(tag, 0x0C, "{what}: OpenSSL printed a UTF8String as hex");
        }
    }
}

/// Compares the report's fields with the dump: what both say must be equal.
/// For the OpenSSL-made fixtures the string types of the names are known (req.cnf) and the
/// SKI is OpenSSL's "hash" (RFC 5280 method 1: our key_id); GnuTLS writes PrintableString
/// where it can and computes its SKI otherwise.
fn check_report_against_dump(r: &Value, text: &str, section: &str, folder: &str) {
    let openssl_made = FOLDERS.contains(&folder);
    let d = Dump::new(text);
    if let Some(s) = d.value("Subject:") {
        check_name(
            &r["subject"],
            &s,
            &format!("{folder} subject"),
            openssl_made,
        );
    }
    if let Some(s) = d.value("Issuer:") {
        check_name(&r["issuer"], &s, &format!("{folder} issuer"), openssl_made);
    }
    if let Some(nb) = d.value("Not Before:") {
        let nb = openssl_date(&nb);
        assert_eq!(r["validity"]["not_before"], bankkey::pki::rfc3339(nb));
        let na = openssl_date(&d.value("Not After :").unwrap());
        assert_eq!(r["validity"]["not_after"], bankkey::pki::rfc3339(na));
    }
    if let Some(sn) = d.value("Serial Number:") {
        let hex = if sn.is_empty() {
            d.block("Serial Number:").unwrap().concat().replace(':', "")
        } else {
            sn.split("(0x")
                .nth(1)
                .unwrap()
                .trim_end_matches(')')
                .to_owned()
        };
        let hex = format!("{}{hex}", if hex.len() % 2 == 1 { "0" } else { "" });
        assert_eq!(r["serial"], hex.to_uppercase(), "{folder} serial");
    }
    let sig = openssl_oid(&d.value("Signature Algorithm:").unwrap());
    assert_eq!(r["signature_algorithm"], sig, "{folder}");
    let alg = openssl_oid(&d.value("Public Key Algorithm:").unwrap());
    assert_eq!(r["public_key"]["algorithm"], alg, "{folder}");
    if let Some(ps) = d.value("Parameter set:").or_else(|| d.value("ASN1 OID:")) {
        assert_eq!(
            r["public_key"]["parameter_set"],
            openssl_oid(&ps),
            "{folder}"
        );
    }

    let exts = dump_extensions(text, section);
    assert_eq!(
        r["extensions"].as_array().unwrap().len(),
        exts.len(),
        "{folder}: number of extensions"
    );
    for (name, critical, lines) in &exts {
        let (ours, value): (&str, Value) = match name.as_str() {
            "X509v3 Key Usage" => (
                "keyUsage",
                Value::from(
                    lines[0]
                        .split(", ")
                        .map(openssl_key_usage)
                        .collect::<Vec<_>>(),
                ),
            ),
            "X509v3 Extended Key Usage" => {
                let e = ext(r, "extendedKeyUsage");
                let oids: Vec<&str> = lines[0].split(", ").map(openssl_eku).collect();
                let got: Vec<&str> = e["value"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["oid"].as_str().unwrap())
                    .collect();
                assert_eq!(got, oids, "{folder} EKU");
                ("extendedKeyUsage", e["value"].clone())
            }
            "X509v3 Certificate Policies" => {
                let e = ext(r, "certificatePolicies");
                assert_eq!(lines, &["Policy: Class of Signing Tool KC1"], "{folder}");
                assert_eq!(e["value"][0]["oid"], "1.2.643.100.113.1");
                assert_eq!(e["value"][0]["name"], "КС1");
                ("certificatePolicies", e["value"].clone())
            }
            "Signing Tool of Subject" => ("subjectSignTool", Value::from(lines[0].as_str())),
            "1.2.643.100.114" => {
                // OpenSSL does not decode it ("..."); req.cnf writes INTEGER 0.
                let e = ext(r, "identificationKind");
                assert_eq!(e["value"]["value"], 0);
                ("identificationKind", e["value"].clone())
            }
            "X509v3 Basic Constraints" => {
                let ca = match lines[0].as_str() {
                    "CA:TRUE" => true,
                    "CA:FALSE" => false,
                    other => panic!("{other}"),
                };
                let e = ext(r, "basicConstraints");
                assert_eq!(e["value"]["ca"], ca, "{folder}");
                ("basicConstraints", e["value"].clone())
            }
            "X509v3 Subject Key Identifier" => {
                let ski = hex::encode_upper(colon_hex(lines));
                if openssl_made {
                    assert_eq!(r["public_key"]["key_id"], ski.as_str(), "{folder}");
                }
                ("subjectKeyIdentifier", Value::from(ski))
            }
            "X509v3 Authority Key Identifier" => {
                let aki = hex::encode_upper(colon_hex(&[lines[0]
                    .trim_start_matches("keyid:")
                    .to_owned()]));
                let e = ext(r, "authorityKeyIdentifier");
                assert_eq!(e["value"]["key_id"], aki.as_str(), "{folder}");
                ("authorityKeyIdentifier", e["value"].clone())
            }
            "Signing Tool of Issuer" => {
                let field = |k: &str| {
                    lines
                        .iter()
                        .find_map(|l| {
                            let (a, b) = l.split_once(':')?;
                            (a.trim() == k).then(|| b.trim().to_owned())
                        })
                        .unwrap()
                };
                let v = serde_json::json!({
                    "sign_tool": field("signTool"),
                    "ca_tool": field("cATool"),
                    "sign_tool_cert": field("signToolCert"),
                    "ca_tool_cert": field("cAToolCert"),
                });
                ("issuerSignTool", v)
            }
            other => panic!("{folder}: extension {other} not covered by the test"),
        };
        let e = ext(r, ours);
        assert_eq!(e["critical"], *critical, "{folder} {ours} critical");
        assert_eq!(e["value"], value, "{folder} {ours}");
    }
}

#[test]
fn certificates_match_openssl_dumps_verify_and_chain() {
    for folder in FOLDERS {
        let ca = Certificate::from_pem(&fixture(&format!("{folder}/ca.pem"))).unwrap();
        let cert = Certificate::from_pem(&fixture(&format!("{folder}/cert.pem"))).unwrap();
        let at = cert.not_before() + Duration::days(1);

        // The CA: self-signed, a trust anchor of itself.
        let options = Options {
            at: Some(at),
            trust: vec![ca.clone()],
            ..Default::default()
        };
        let r = serde_json::to_value(report::certificate(&ca, &options)).unwrap();
        check_report_against_dump(
            &r,
            &fixture_str(&format!("{folder}/ca.txt")),
            "X509v3 extensions:",
            folder,
        );
        assert!(ca.is_ca() && ca.is_self_issued() && !ca.is_qualified());
        assert_eq!(r["verdict"], "valid", "{folder} CA: {r:#}");
        ca.verify_issued_by(&ca).unwrap();

        // The subscriber certificate.
        let r = serde_json::to_value(report::certificate(&cert, &options)).unwrap();
        check_report_against_dump(
            &r,
            &fixture_str(&format!("{folder}/cert.txt")),
            "X509v3 extensions:",
            folder,
        );
        assert_eq!(r["qualified"]["qualified"], true, "{folder}: {r:#}");
        assert_eq!(r["verdict"], "valid", "{folder}: {r:#}");
        assert_eq!(r["chain"].as_array().unwrap().len(), 2);
        let fields = Dump::new(&fixture_str(&format!("{folder}/cert.fields.txt")));
        assert_eq!(cert.serial_hex(), fields.value("serial=").unwrap());

        // Typed accessors agree with the dump.
        let d = Dump::new(&fixture_str(&format!("{folder}/cert.txt")));
        assert_eq!(
            cert.signature(),
            colon_hex(&d.last_block("Signature Value:").unwrap())
        );
        assert_eq!(
            cert.subject_sign_tool(),
            Some("СКЗИ «КриптоПро CSP» (версия 5.0)")
        );
        assert_eq!(
            cert.issuer_sign_tool().unwrap().ca_tool,
            "ПАК «КриптоПро УЦ» версии 2.0"
        );
        assert_eq!(
            cert.sign_tool_classes(),
            vec![bankkey::pki::SignToolClass::Kc1]
        );
        assert_eq!(
            cert.identification_kind(),
            Some(bankkey::pki::IdentificationKind::InPerson)
        );
        assert_eq!(cert.authority_key_id(), ca.subject_key_id());
        if let (Some(x), Some(y)) = (d.value("X:"), d.value("Y:")) {
            // GOST: the key is an OCTET STRING of X‖Y little-endian (RFC 4491 §2.3.2).
            let bits = &cert.key_info().key_bits;
            let inner = &bits[bits.len() - (bits.len() - 2).min(128)..];
            let n = inner.len() / 2;
            let le = |h: &str| {
                let mut v = hex::decode(format!("{h:0>w$}", w = n * 2)).unwrap();
                v.reverse();
                v
            };
            assert_eq!(&inner[..n], le(&x).as_slice(), "{folder} X");
            assert_eq!(&inner[n..], le(&y).as_slice(), "{folder} Y");
        }

        // Days to expiry; no path without anchors.
        assert_eq!(
            cert.days_to_expiry(cert.not_after() - Duration::hours(36)),
            1
        );
        assert_eq!(
            cert.days_to_expiry(cert.not_after() + Duration::hours(1)),
            -1
        );
        let e = build_chain(&cert, &[], &[], at).unwrap_err();
        assert_eq!(e.kind(), bankkey::ErrorKind::UntrustedIssuer, "{folder}");

        // Chain, times and keys.
        let chain = build_chain(&cert, &[], std::slice::from_ref(&ca), at).unwrap();
        assert_eq!(chain.anchor(), &ca);
        assert!(cert.holds_key(&cert.public_key().unwrap()));
        assert!(!cert.holds_key(&ca.public_key().unwrap()));
        let e = build_chain(
            &cert,
            &[],
            std::slice::from_ref(&ca),
            cert.not_after() + Duration::seconds(1),
        )
        .unwrap_err();
        assert_eq!(e.kind(), bankkey::ErrorKind::Expired, "{folder}");
        let e = build_chain(
            &cert,
            &[],
            std::slice::from_ref(&ca),
            cert.not_before() - Duration::seconds(1),
        )
        .unwrap_err();
        assert_eq!(e.kind(), bankkey::ErrorKind::NotYetValid, "{folder}");
    }
}

#[test]
fn requests_match_openssl_dumps_and_verify() {
    for folder in FOLDERS {
        let pem = fixture(&format!("{folder}/req.pem"));
        let req = CertificateRequest::from_pem(&pem).unwrap();
        req.verify().unwrap_or_else(|e| panic!("{folder}: {e}"));
        let r = serde_json::to_value(report::request(&req)).unwrap();
        check_report_against_dump(
            &r,
            &fixture_str(&format!("{folder}/req.txt")),
            "Requested Extensions:",
            folder,
        );
        assert_eq!(r["verdict"], "valid", "{folder}: {r:#}");
        assert_eq!(r["kind"], "certificate-request");
        let d = Dump::new(&fixture_str(&format!("{folder}/req.txt")));
        assert_eq!(
            req.signature(),
            colon_hex(&d.last_block("Signature Value:").unwrap())
        );
        // PEM inside other text, CRLF line ends, the old "NEW CERTIFICATE REQUEST" label.
        let text = format!(
            "Заявка на сертификат\r\n{}\r\nс уважением\r\n",
            req.to_pem()
                .replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")
                .replace('\n', "\r\n")
        );
        assert_eq!(CertificateRequest::from_pem(text.as_bytes()).unwrap(), req);
        assert!(r["public_key"]["parameter_set_name"].is_string() || folder.starts_with("rsa"));
        // Round trips: DER and PEM out are what was read.
        assert_eq!(CertificateRequest::from_der(&req.to_der()).unwrap(), req);
        assert_eq!(
            CertificateRequest::from_pem(req.to_pem().as_bytes()).unwrap(),
            req
        );
    }
}

#[test]
fn a_certificate_checked_against_another_ca_is_wrong_issuer_or_untrusted() {
    let ca_a = Certificate::from_pem(&fixture("gost2012_256-A/ca.pem")).unwrap();
    let ca_rsa = Certificate::from_pem(&fixture("rsa2048/ca.pem")).unwrap();
    let cert = Certificate::from_pem(&fixture("rsa2048/cert.pem")).unwrap();
    let e = cert.verify_issued_by(&ca_a).unwrap_err();
    assert_eq!(e.kind(), bankkey::ErrorKind::WrongIssuer);
    let options = Options {
        at: Some(cert.not_before() + Duration::days(1)),
        trust: vec![ca_a],
        ..Default::default()
    };
    let r = report::certificate(&cert, &options);
    assert_eq!(r.reason, Some(report::Reason::Untrusted));
    cert.verify_issued_by(&ca_rsa).unwrap();
}

#[test]
fn a_changed_byte_is_a_bad_signature() {
    for folder in FOLDERS {
        let ca = Certificate::from_pem(&fixture(&format!("{folder}/ca.pem"))).unwrap();
        let cert = Certificate::from_pem(&fixture(&format!("{folder}/cert.pem"))).unwrap();
        // Change one byte of the subject's e-mail inside the signed part.
        let mut der = cert.to_der();
        let at = der.windows(6).position(|w| w == b"ivanov").unwrap();
        der[at] = b'j';
        let altered = Certificate::from_der(&der).unwrap();
        let e = altered.verify_issued_by(&ca).unwrap_err();
        assert_eq!(e.kind(), bankkey::ErrorKind::BadSignature, "{folder}: {e}");
        let options = Options {
            at: Some(cert.not_before() + Duration::days(1)),
            trust: vec![ca],
            ..Default::default()
        };
        let r = report::certificate(&altered, &options);
        assert_eq!(r.reason, Some(report::Reason::BadSignature), "{folder}");

        let req = fixture(&format!("{folder}/req.pem"));
        let mut der = CertificateRequest::from_pem(&req).unwrap().to_der();
        let at = der.windows(6).position(|w| w == b"ivanov").unwrap();
        der[at] = b'j';
        let r = report::request(&CertificateRequest::from_der(&der).unwrap());
        assert_eq!(r.reason, Some(report::Reason::BadSignature), "{folder}");
    }
}

#[test]
fn gnutls_certificates_match_their_dumps_and_verify() {
    for name in ["CryptoPro-A", "TC26-256-B", "TC26-512-A"] {
        let cert = Certificate::from_pem(&fixture(&format!("gnutls/{name}.cert.pem"))).unwrap();
        let options = Options {
            at: Some(cert.not_before() + Duration::days(1)),
            trust: vec![cert.clone()],
            ..Default::default()
        };
        let r = serde_json::to_value(report::certificate(&cert, &options)).unwrap();
        check_report_against_dump(
            &r,
            &fixture_str(&format!("gnutls/{name}.cert.txt")),
            "X509v3 extensions:",
            name,
        );
        assert_eq!(r["verdict"], "valid", "{name}: {r:#}");
        cert.verify_issued_by(&cert).unwrap();
    }
}

#[test]
fn keys_are_reported_with_their_public_key() {
    for folder in FOLDERS {
        let cert = Certificate::from_pem(&fixture(&format!("{folder}/cert.pem"))).unwrap();
        for file in ["key.pem", "pub.pem"] {
            let r = report::inspect(&fixture(&format!("{folder}/{file}")), &Options::default());
            assert!(r.is_valid(), "{folder}/{file}: {}", r.to_json());
            let pk = r.public_key.unwrap();
            assert_eq!(
                pk.key_id,
                hex::encode_upper(cert.key_info().key_id),
                "{folder}/{file}"
            );
        }
    }
    for name in [
        "gost2012_256-A.kuznyechik-ctr-acpkm.hmac-streebog512",
        "gost2012_512-A.gost89.hmac-streebog512",
        "gost2012_256-A.aes-256-cbc.hmac-sha256",
    ] {
        let pem = fixture(&format!("encrypted/{name}.pem"));
        let good = Options {
            password: Some(zeroize::Zeroizing::new(b"bankkey-test".to_vec())),
            ..Default::default()
        };
        let r = report::inspect(&pem, &good);
        assert!(r.is_valid(), "{name}: {}", r.to_json());
        assert_eq!(r.kind, report::ObjectKind::PrivateKey);
        let bad = Options {
            password: Some(zeroize::Zeroizing::new(b"wrong".to_vec())),
            ..Default::default()
        };
        let r = report::inspect(&pem, &bad);
        assert_eq!(r.reason, Some(report::Reason::WrongPassword), "{name}");
        assert!(!r.to_json().contains("bankkey-test"));
        let r = report::inspect(&pem, &Options::default());
        assert!(r.message.unwrap().contains("password"), "{name}");
    }
}

#[test]
fn a_different_key_is_key_mismatch() {
    let a = Certificate::from_pem(&fixture("gost2012_256-A/cert.pem")).unwrap();
    let b = Certificate::from_pem(&fixture("gost2012_256-B/cert.pem")).unwrap();
    for (expected, reason) in [(&a, None), (&b, Some(report::Reason::KeyMismatch))] {
        let options = Options {
            at: Some(a.not_before() + Duration::days(1)),
            expected_key: Some(expected.public_key().unwrap()),
            trust: vec![Certificate::from_pem(&fixture("gost2012_256-A/ca.pem")).unwrap()],
            ..Default::default()
        };
        for file in ["cert.pem", "req.pem", "key.pem"] {
            let r = report::inspect(&fixture(&format!("gost2012_256-A/{file}")), &options);
            assert_eq!(r.reason, reason, "{file}: {}", r.to_json());
        }
    }
}
