//! Prints a JSON report of a certificate, certificate request, PKCS#8 key, public key, CMS
//! SignedData (`--content` gives the content of a detached signature), PFX (with
//! `--password`) or CryptoPro container folder (FILE a directory; `--password` is its PIN),
//! like `openssl x509 -text` but structured, with a verdict. Keys and passwords are never
//! printed.
//!
//! ```text
//! cargo run --release -p bankkey --example inspect -- FILE [--at RFC3339] [--trust CA.pem ...]
//!     [--untrusted CA.pem ...] [--password PW] [--key CERT-OR-PUBKEY.pem] [--content FILE]
//! ```
//!
//! `--trust` may be repeated, and each file may hold several certificates (all trust anchors,
//! intermediate CAs included); `--untrusted` gives intermediate CAs that a path may go through
//! but that are not trusted by themselves (as OpenSSL's `-untrusted`). The password of an encrypted key comes from `--password` or the
//! environment variable `BANKKEY_PASSWORD`. `--key` names the public key the object must hold
//! (given as a certificate or a public key): another key is `key-mismatch`. Exit code: 0 valid, 1 invalid, 2 usage error.

use std::io::Write;
use std::process::ExitCode;

use bankkey::key::PublicKey;
use bankkey::pki::Certificate;
use bankkey::report::{self, Options};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const USAGE: &str = "usage: inspect FILE [--at RFC3339] [--trust CA.pem ...] \
                     [--untrusted CA.pem ...] [--password PW] [--key CERT-OR-PUBKEY.pem] \
                     [--content FILE]";

fn usage(msg: &str) -> ExitCode {
    eprintln!("inspect: {msg}\n{USAGE}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut options = Options::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--at" => {
                let Some(v) = args.next() else {
                    return usage("--at needs a time");
                };
                match OffsetDateTime::parse(&v, &Rfc3339) {
                    Ok(t) => options.at = Some(t),
                    Err(e) => return usage(&format!("--at {v}: not an RFC 3339 time: {e}")),
                }
            }
            "--trust" | "--untrusted" => {
                let Some(v) = args.next() else {
                    return usage(&format!("{a} needs a file"));
                };
                let bytes = match std::fs::read(&v) {
                    Ok(b) => b,
                    Err(e) => return usage(&format!("{a} {v}: {e}")),
                };
                let certs = if bytes.first() == Some(&0x30) {
                    Certificate::from_der(&bytes).map(|c| vec![c])
                } else {
                    Certificate::all_from_pem(&bytes)
                };
                let into = if a == "--trust" {
                    &mut options.trust
                } else {
                    &mut options.intermediates
                };
                match certs {
                    Ok(c) if !c.is_empty() => into.extend(c),
                    Ok(_) => return usage(&format!("{a} {v}: no certificate in the file")),
                    Err(e) => return usage(&format!("{a} {v}: {e}")),
                }
            }
            "--password" => {
                let Some(v) = args.next() else {
                    return usage("--password needs a value");
                };
                options.password = Some(zeroize::Zeroizing::new(v.into_bytes()));
            }
            "--key" => {
                let Some(v) = args.next() else {
                    return usage("--key needs a file");
                };
                let bytes = match std::fs::read(&v) {
                    Ok(b) => b,
                    Err(e) => return usage(&format!("--key {v}: {e}")),
                };
                let key = Certificate::from_pem(&bytes)
                    .and_then(|c| c.public_key())
                    .or_else(|_| PublicKey::from_pem(&String::from_utf8_lossy(&bytes)))
                    .or_else(|_| PublicKey::from_spki_der(&bytes));
                match key {
                    Ok(k) => options.expected_key = Some(k),
                    Err(e) => return usage(&format!("--key {v}: {e}")),
                }
            }
            "--content" => {
                let Some(v) = args.next() else {
                    return usage("--content needs a file");
                };
                match std::fs::read(&v) {
                    Ok(b) => options.content = Some(b),
                    Err(e) => return usage(&format!("--content {v}: {e}")),
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with("--") => return usage(&format!("unknown option {s}")),
            _ if file.is_some() => return usage("one FILE only"),
            _ => file = Some(a),
        }
    }
    let Some(file) = file else {
        return usage("FILE is missing");
    };
    if options.password.is_none()
        && let Ok(p) = std::env::var("BANKKEY_PASSWORD")
    {
        options.password = Some(zeroize::Zeroizing::new(p.into_bytes()));
    }
    let path = std::path::Path::new(&file);
    let r = if path.is_dir() {
        // A CryptoPro container folder; --password is its PIN.
        report::inspect_path(path, &options)
    } else {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return usage(&format!("{file}: {e}")),
        };
        report::inspect(&bytes, &options)
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout().lock(), "{}", r.to_json());
    if r.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
