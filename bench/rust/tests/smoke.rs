//! Runs the `bankkey_gost` binary briefly: every item runs and prints a well-formed line.
//! (A smoke test: the timings of a debug build at 1 ms per item mean nothing.)

use std::collections::BTreeSet;
use std::process::Command;

use bankkey_benchmark::Measurement;

fn run(args: &[&str]) -> (i32, Vec<Measurement>) {
    let out = Command::new(env!("CARGO_BIN_EXE_bankkey_gost"))
        .args(args)
        .output()
        .expect("bankkey_gost runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let lines = text
        .lines()
        .map(|l| Measurement::parse(l).unwrap_or_else(|| panic!("not a BENCH line: {l:?}")))
        .collect();
    (out.status.code().unwrap_or(-1), lines)
}

#[test]
fn every_item_runs_once_with_a_well_formed_line() {
    let (code, lines) = run(&["--time", "0.001"]);
    assert_eq!(code, 0);
    let items: BTreeSet<(String, String, usize)> = lines
        .iter()
        .map(|m| (m.op.clone(), m.set.clone(), m.bytes))
        .collect();
    assert_eq!(items.len(), lines.len(), "an item printed twice");
    for m in &lines {
        assert_eq!(m.implementation, "bankkey");
        assert!(
            m.iters >= 1 && m.seconds >= 0.001 && m.threads.is_none(),
            "{m:?}"
        );
    }
    let mut expected = vec![
        ("keygen", "p256".to_owned(), 0),
        ("sign", "p256".to_owned(), 32),
        ("verify", "p256".to_owned(), 32),
    ];
    for ps in ["A", "B", "C", "XA", "XB", "TCA", "TCB", "TCC", "TCD"] {
        expected.push(("keygen", format!("gost2012_256-{ps}"), 0));
        expected.push(("sign", format!("gost2012_256-{ps}"), 32));
        expected.push(("verify", format!("gost2012_256-{ps}"), 32));
    }
    for ps in ["A", "B", "C"] {
        expected.push(("keygen", format!("gost2012_512-{ps}"), 0));
        expected.push(("sign", format!("gost2012_512-{ps}"), 64));
        expected.push(("verify", format!("gost2012_512-{ps}"), 64));
    }
    for hash in [
        "streebog256",
        "streebog256-portable",
        "streebog512",
        "streebog512-portable",
    ] {
        for len in [8192, 1 << 20] {
            expected.push(("hash", hash.to_owned(), len));
        }
    }
    assert_eq!(items.len(), expected.len(), "unexpected items: {items:?}");
    for (op, set, bytes) in expected {
        assert!(
            items.contains(&(op.to_owned(), set.clone(), bytes)),
            "missing {op} {set} {bytes}"
        );
    }
}

#[test]
fn requests_are_parsed_and_verified_for_every_gost_set() {
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../core/tests/fixtures/openssl"
    );
    let (code, lines) = run(&["--time", "0.001", "--requests", fixtures]);
    assert_eq!(code, 0);
    let requests: Vec<&Measurement> = lines.iter().filter(|m| m.op == "req-verify").collect();
    assert_eq!(requests.len(), 12);
    assert!(
        requests
            .iter()
            .all(|m| m.set.starts_with("gost2012_") && m.bytes > 300)
    );
    // A directory without the fixtures is a failure, not a silent skip.
    assert_eq!(
        run(&[
            "--time",
            "0.001",
            "--only",
            "gost2012_256-A",
            "--requests",
            "/nonexistent"
        ])
        .0,
        1
    );
}

#[test]
fn only_runs_the_named_set_and_bad_arguments_are_refused() {
    let (code, lines) = run(&["--time", "0.001", "--only", "streebog512"]);
    assert_eq!(code, 0);
    // the detected back end and the portable one, each on 8 KiB and 1 MiB
    assert_eq!(lines.len(), 4);
    assert!(
        lines
            .iter()
            .all(|m| m.set == "streebog512" || m.set == "streebog512-portable")
    );
    assert_eq!(run(&["--time", "0"]).0, 2);
    assert_eq!(run(&["--frobnicate"]).0, 2);
}

#[test]
fn scaling_runs_verify_many_on_every_core_count() {
    let (code, lines) = run(&["--time", "0.001", "--scaling", "--batch", "4"]);
    assert_eq!(code, 0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(lines.len(), 2 * cores);
    for m in &lines {
        assert_eq!(m.op, "verify_many");
        assert!(
            m.set == "gost2012_256-A" || m.set == "gost2012_512-A",
            "{m:?}"
        );
        assert!(m.threads.is_some_and(|t| (1..=cores).contains(&t)));
        assert!(m.iters >= 4 && m.iters % 4 == 0, "{m:?}");
    }
}

#[test]
fn x509_assesses_a_corpus_and_prints_its_verdicts() {
    // A corpus of the OpenSSL-made fixture certificates, framed as `openssl_gost --make-certs`
    // writes it (4-byte big-endian length, DER).
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../core/tests/fixtures/openssl"
    );
    let mut corpus = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path().join("cert.pem");
        if let Ok(pem) = std::fs::read(&path) {
            let der = bankkey::pki::Certificate::from_pem(&pem).unwrap().to_der();
            corpus.extend_from_slice(&(der.len() as u32).to_be_bytes());
            corpus.extend_from_slice(&der);
            n += 1;
        }
    }
    assert!(n >= 12, "fixture certificates: {n}");
    let path =
        std::env::temp_dir().join(format!("bankkey-bench-corpus-{}.bin", std::process::id()));
    std::fs::write(&path, &corpus).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bankkey_gost"))
        .args(["--time", "0.001", "--only", "x509", "--certs"])
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let check = lines.next().unwrap();
    let prefix = format!("CHECK impl=bankkey set=x509 certs={n} malformed=0 ");
    assert!(check.starts_with(&prefix), "{check}");
    let counted: usize = check
        .split_whitespace()
        .skip(4)
        .map(|kv| kv.split_once('=').unwrap().1.parse::<usize>().unwrap())
        .sum();
    assert_eq!(counted, n, "{check}");
    let m = Measurement::parse(lines.next().unwrap()).unwrap();
    assert_eq!((m.op.as_str(), m.set.as_str()), ("assess", "x509"));
    assert!(m.bytes > 300 && m.bytes < 3000, "{m:?}");
    assert!(lines.next().is_none());
}
