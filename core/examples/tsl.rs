//! Checks a list of accredited CAs (the Ministry's `TSLExt.xml`) as the bank's QES check will
//! use it, and prints what it found as JSON: the list's XMLDSig verified against the Ministry's
//! certificate the host pins, its version against the last one loaded, its age against the
//! 7 days the QES check allows; the signer, its path, the number of CAs.
//!
//! ```text
//! cargo run --release -p bankkey --example tsl -- TSLExt.xml --ministry ROOT.pem [--ministry ...]
//!     [--crl MINISTRY.crl ...] [--at RFC3339] [--previous-version N]
//! cargo run --release -p bankkey --example tsl -- TSLExt.xml --unsigned
//! ```
//!
//! `--ministry` may be repeated, each file PEM (several certificates) or DER: the Ministry's
//! root certificates (or its list-signing certificate), obtained out of band and checked by
//! their thumbprint. `--crl` (repeated; DER or PEM) gives the Ministry's CRLs, against which
//! the signer's path is checked for revocation; without it that check is not made and a
//! warning says so. `--unsigned` reads the list without verifying anything (the verdict is
//! then `unverified`). Exit code: 0 when the list can be used (verdict `valid`), 1 when it
//! cannot (`invalid` with the error's kind as `reason`, `stale`, `unverified`), 2 on usage
//! errors. See ARCHITECTURE, "The accredited-CA list and its signature".

use std::io::Write;
use std::process::ExitCode;

use bankkey::bank::tsl::TrustedList;
use bankkey::bank::{Crl, QesPolicy};
use bankkey::pki::Certificate;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const USAGE: &str = "usage: tsl FILE (--ministry CERT.pem ... | --unsigned) [--crl FILE ...] \
                     [--at RFC3339] [--previous-version N]";

fn usage(msg: &str) -> ExitCode {
    eprintln!("tsl: {msg}\n{USAGE}");
    ExitCode::from(2)
}

fn rfc3339(t: OffsetDateTime) -> Value {
    t.format(&Rfc3339).map_or(Value::Null, Value::String)
}

fn certificate(c: &Certificate) -> Value {
    json!({
        "subject": c.subject().to_string(),
        "issuer": c.issuer().to_string(),
        "serial": c.serial_hex(),
        "not_after": rfc3339(c.not_after()),
        "sha1": hex::encode_upper(Sha1::digest(c.der())),
    })
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut ministry: Vec<Certificate> = Vec::new();
    let mut unsigned = false;
    let mut at = OffsetDateTime::now_utc();
    let mut previous = None;
    let mut crls: Vec<Crl> = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--ministry" => {
                let Some(v) = args.next() else {
                    return usage("--ministry needs a file");
                };
                let bytes = match std::fs::read(&v) {
                    Ok(b) => b,
                    Err(e) => return usage(&format!("--ministry {v}: {e}")),
                };
                let certs = if bytes.first() == Some(&0x30) {
                    Certificate::from_der(&bytes).map(|c| vec![c])
                } else {
                    Certificate::all_from_pem(&bytes)
                };
                match certs {
                    Ok(c) if !c.is_empty() => ministry.extend(c),
                    Ok(_) => return usage(&format!("--ministry {v}: no certificate in the file")),
                    Err(e) => return usage(&format!("--ministry {v}: {e}")),
                }
            }
            "--unsigned" => unsigned = true,
            "--crl" => {
                let Some(v) = args.next() else {
                    return usage("--crl needs a file");
                };
                match std::fs::read(&v)
                    .map_err(bankkey::Error::from)
                    .and_then(|b| Crl::from_der_or_pem(&b))
                {
                    Ok(c) => crls.push(c),
                    Err(e) => return usage(&format!("--crl {v}: {e}")),
                }
            }
            "--at" => {
                let Some(v) = args.next() else {
                    return usage("--at needs a time");
                };
                match OffsetDateTime::parse(&v, &Rfc3339) {
                    Ok(t) => at = t,
                    Err(e) => return usage(&format!("--at {v}: not an RFC 3339 time: {e}")),
                }
            }
            "--previous-version" => {
                let Some(v) = args.next() else {
                    return usage("--previous-version needs a number");
                };
                match v.parse::<u64>() {
                    Ok(n) => previous = Some(n),
                    Err(e) => return usage(&format!("--previous-version {v}: {e}")),
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
    if ministry.is_empty() != unsigned {
        return usage("give the Ministry's certificate (--ministry), or --unsigned, not both");
    }

    let loaded = if unsigned {
        TrustedList::load(&file)
    } else {
        TrustedList::load_signed(&file, &ministry, at)
    };
    let mut out = json!({ "file": file, "at": rfc3339(at) });
    let mut relied_on: Vec<Value> = Vec::new();
    let checked = loaded.and_then(|l| {
        if let Some(p) = previous {
            l.check_not_older_than(p)?;
        }
        if let (Some(sig), false) = (l.signature(), crls.is_empty()) {
            for c in sig.check_revocation(&crls, at)? {
                relied_on.push(json!({
                    "issuer": c.issuer().to_string(),
                    "this_update": rfc3339(c.this_update()),
                    "next_update": c.next_update().map_or(Value::Null, rfc3339),
                }));
            }
        }
        Ok(l)
    });
    let list = match checked {
        Ok(l) => l,
        Err(e) => {
            out["verdict"] = "invalid".into();
            out["reason"] = e.kind().name().into();
            out["code"] = e.kind().code().into();
            out["field"] = e.field().map_or(Value::Null, Value::from);
            out["error"] = e.message().into();
            return print(&out, 1);
        }
    };

    // What the QES check will say of the list's age (QesPolicy::max_list_age).
    let max_age = QesPolicy::default().max_list_age;
    let fresh_until = list.date.and_then(|d| d.checked_add(max_age));
    let stale = match (list.date, fresh_until) {
        (None, _) => true,
        (Some(_), Some(until)) => at > until,
        (Some(_), None) => false,
    };
    let active = list
        .cas
        .iter()
        .filter(|ca| ca.status.as_ref().is_some_and(|s| s.is_active()))
        .count();
    out["version"] = list.version.into();
    out["date"] = list.date.map_or(Value::Null, rfc3339);
    out["fresh_until"] = fresh_until.map_or(Value::Null, rfc3339);
    out["cas"] = list.cas.len().into();
    out["cas_active"] = active.into();
    out["keys"] = list
        .cas
        .iter()
        .map(|ca| ca.keys.len())
        .sum::<usize>()
        .into();
    out["signature"] = match list.signature() {
        Some(s) => json!({
            "signer": certificate(&s.verified.signer),
            "chain": s.chain.iter().map(certificate).collect::<Vec<_>>(),
            "canonicalization": s.verified.canonicalization,
            "signature_method": s.verified.signature_method,
            "digest_method": s.verified.digest_method,
            "reference_uri": s.verified.reference_uri,
        }),
        None => Value::Null,
    };
    let mut warnings: Vec<&str> = Vec::new();
    if list.signature().is_some() {
        out["revocation"] = if crls.is_empty() {
            warnings.push("the signer's revocation was not checked (no --crl)");
            Value::Null
        } else {
            json!({ "crls": relied_on })
        };
    }
    out["warnings"] = warnings.into();
    let (verdict, code) = if unsigned {
        ("unverified", 1)
    } else if stale {
        ("stale", 1)
    } else {
        ("valid", 0)
    };
    out["verdict"] = verdict.into();
    print(&out, code)
}

fn print(v: &Value, code: u8) -> ExitCode {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    ExitCode::from(code)
}
