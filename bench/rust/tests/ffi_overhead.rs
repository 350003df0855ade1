//! Runs the `ffi_overhead` binary briefly: each operation works through both the Rust API and
//! the C ABI and prints a well-formed line. (A smoke test: debug timings at 1 ms mean nothing.)

use std::process::Command;

#[test]
fn every_operation_prints_a_line() {
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../core/tests/fixtures/openssl/gost2012_256-A"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_ffi_overhead"))
        .args(["--time", "0.001", "--rounds", "1", fixtures])
        .output()
        .expect("ffi_overhead runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let ops: Vec<&str> = text
        .lines()
        .map(|l| {
            let op = l
                .strip_prefix("FFI op=")
                .and_then(|r| r.split(' ').next())
                .unwrap_or_else(|| panic!("not an FFI line: {l:?}"));
            for key in ["rust_ns=", "c_ns=", "overhead_pct="] {
                assert!(l.contains(key), "{l}");
            }
            op
        })
        .collect();
    assert_eq!(ops, ["parse", "report", "verify"]);
}
