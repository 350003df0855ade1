//! Shared helpers for the interop tests: fixtures, temporary directories, and running the
//! oracles (OpenSSL with the gost engine, GnuTLS certtool).
//!
//! A missing oracle skips the test with a printed message, unless `REQUIRE_ORACLES=1` (CI),
//! where it fails the test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub mod documents;
pub mod hsm;
pub mod openssl_text;

/// The fixture folders with a CA, a request and a certificate.
pub const FOLDERS: &[&str] = &[
    "gost2012_256-A",
    "gost2012_256-B",
    "gost2012_256-C",
    "gost2012_256-XA",
    "gost2012_256-XB",
    "gost2012_256-TCA",
    "gost2012_256-TCB",
    "gost2012_256-TCC",
    "gost2012_256-TCD",
    "gost2012_512-A",
    "gost2012_512-B",
    "gost2012_512-C",
    "rsa2048",
    "ec-p256",
];

/// The OpenSSL/GnuTLS fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openssl")
}

/// The path of a fixture file.
pub fn fixture_path(rel: &str) -> PathBuf {
    fixtures().join(rel)
}

/// Reads a fixture file as bytes.
pub fn fixture(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// Reads a fixture file as text.
pub fn fixture_str(rel: &str) -> String {
    String::from_utf8(fixture(rel)).expect("fixture is UTF-8")
}

/// Whether the tests must fail (not skip) when an oracle is missing (`REQUIRE_ORACLES=1`).
pub fn oracles_required() -> bool {
    std::env::var("REQUIRE_ORACLES").is_ok_and(|v| v == "1")
}

fn missing(what: &str) -> Option<Oracle> {
    if oracles_required() {
        panic!("{what} is required (REQUIRE_ORACLES=1) but not available");
    }
    eprintln!("SKIP: {what} not available (run scripts/install-deps.sh and . scripts/env.sh)");
    None
}

/// An external program used as an oracle.
#[derive(Debug, Clone)]
pub struct Oracle {
    program: &'static str,
}

/// OpenSSL with the gost engine loadable (`-engine gost`), or `None` (skip) when missing.
pub fn openssl() -> Option<Oracle> {
    let ok = Command::new("openssl")
        .args(["engine", "gost", "-c"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(Oracle { program: "openssl" })
    } else {
        missing("openssl with the gost engine")
    }
}

/// GnuTLS certtool, or `None` (skip) when missing.
pub fn certtool() -> Option<Oracle> {
    let ok = Command::new("certtool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(Oracle {
            program: "certtool",
        })
    } else {
        missing("GnuTLS certtool")
    }
}

impl Oracle {
    /// Runs the program, returning its output whatever the exit status.
    pub fn try_run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        Command::new(self.program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", self.program))
    }

    /// Runs the program and panics (with its stderr) unless it exits with 0.
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        let out = self.try_run(args);
        if !out.status.success() {
            let shown: Vec<String> = args
                .iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned())
                .collect();
            panic!(
                "{} {} failed ({}):\n{}{}",
                self.program,
                shown.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out
    }
}

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a fresh directory under the system temporary directory.
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bankkey-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creating a temporary directory");
        TempDir(dir)
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `data` to `name` inside the directory and returns its path as a string.
    pub fn write(&self, name: &str, data: impl AsRef<[u8]>) -> String {
        let p = self.path(name);
        std::fs::write(&p, data).expect("writing a temporary file");
        p.to_string_lossy().into_owned()
    }

    /// Reads `name` inside the directory.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("reading a temporary file")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
