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
    for hash in ["streebog256", "streebog512"] {
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
fn only_runs_the_named_set_and_bad_arguments_are_refused() {
    let (code, lines) = run(&["--time", "0.001", "--only", "streebog512"]);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|m| m.set == "streebog512"));
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
