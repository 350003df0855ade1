//! The per-call cost of the C ABI (issue 14): the same operation through the Rust API and
//! through the `bk_*` functions C calls (the same machine code, without the PLT jump),
//! measured in one run, in alternating rounds, by the process's CPU time:
//!
//! - `parse`: a GOST certificate from DER (Rust `Certificate::from_der`; C
//!   `bk_certificate_parse` + `bk_certificate_free`);
//! - `report`: the JSON report of that certificate checked against its CA at a fixed time
//!   (Rust `report::inspect` + `to_json`; C `bk_inspect` + `bk_report_json` + the frees);
//! - `verify`: a GOST R 34.10-2012 (256, CryptoPro-A) signature over a message (Rust
//!   `PublicKey::verify`; C `bk_public_key_verify`).
//!
//! Each round times a batch of each side for `--time` seconds (0.2 by default) and keeps each
//! side's best ns/op over `--rounds` rounds (5); the overhead is C/Rust − 1 from those bests.
//! Lines: `FFI op=parse rust_ns=... c_ns=... overhead_pct=...`.
//!
//! Usage: ffi_overhead [--time SECONDS] [--rounds N] [FIXTURE_DIR]
//! (FIXTURE_DIR: core/tests/fixtures/openssl/gost2012_256-A, with cert.pem, ca.pem, pub.pem,
//! msg.sig and ../msg.bin.)

#![allow(unsafe_code)]

use std::path::PathBuf;

use bankkey::key::PublicKey;
use bankkey::pki::Certificate;
use bankkey::report::{Options, inspect};
use bankkey_benchmark::cpu_now;
use bankkey_ffi as ffi;

/// ns per call of `f`, run for about `seconds` of CPU time.
fn time(seconds: f64, mut f: impl FnMut() -> bool) -> f64 {
    assert!(f(), "the operation works");
    let (mut iters, mut batch, mut elapsed) = (0u64, 1u64, 0f64);
    while elapsed < seconds {
        let t0 = cpu_now();
        for _ in 0..batch {
            assert!(f());
        }
        elapsed += cpu_now() - t0;
        iters += batch;
        if elapsed < seconds / 4.0 {
            batch *= 2;
        }
    }
    elapsed * 1e9 / iters as f64
}

fn main() {
    let mut seconds = 0.2;
    let mut rounds = 5;
    let mut dir = PathBuf::from("core/tests/fixtures/openssl/gost2012_256-A");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--time" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--time SECONDS")
            }
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--rounds N")
            }
            other => dir = PathBuf::from(other),
        }
    }
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let cert = Certificate::from_pem(&read("cert.pem")).expect("cert.pem");
    let der = cert.der().to_vec();
    let ca = Certificate::from_pem(&read("ca.pem")).expect("ca.pem");
    let pk = PublicKey::from_pem(std::str::from_utf8(&read("pub.pem")).unwrap()).expect("pub.pem");
    let msg = read("../msg.bin");
    let sig = read("msg.sig");
    let at = time::macros::datetime!(2027-06-01 0:00 UTC);

    // The C side's handles, made once (as a host would keep them).
    let ca_pem = read("ca.pem");
    let pub_pem = read("pub.pem");
    let mut c_ca = std::ptr::null_mut();
    let mut c_pk = std::ptr::null_mut();
    unsafe {
        assert_eq!(
            ffi::pki::bk_certificate_parse(ca_pem.as_ptr(), ca_pem.len(), &mut c_ca),
            0
        );
        assert_eq!(
            ffi::pki::bk_public_key_parse(pub_pem.as_ptr(), pub_pem.len(), &mut c_pk),
            0
        );
    }
    let trust = [c_ca as *const ffi::pki::bk_certificate];
    let c_options = ffi::report::bk_inspect_options {
        struct_size: std::mem::size_of::<ffi::report::bk_inspect_options>(),
        has_at: true,
        at: at.unix_timestamp(),
        trust: trust.as_ptr(),
        trust_count: 1,
        password: std::ptr::null(),
        password_len: 0,
        expected_key: std::ptr::null(),
        content: std::ptr::null(),
        content_len: 0,
    };
    let alg = pk.algorithm().signature_algorithm();

    type Op<'a> = (
        &'a str,
        Box<dyn FnMut() -> bool + 'a>,
        Box<dyn FnMut() -> bool + 'a>,
    );
    let mut ops: Vec<Op> = vec![
        (
            "parse",
            Box::new(|| Certificate::from_der(&der).is_ok()),
            Box::new(|| unsafe {
                let mut c = std::ptr::null_mut();
                let ok = ffi::pki::bk_certificate_parse(der.as_ptr(), der.len(), &mut c) == 0;
                ffi::pki::bk_certificate_free(c);
                ok
            }),
        ),
        (
            "report",
            Box::new(|| {
                let options = Options {
                    at: Some(at),
                    trust: vec![ca.clone()],
                    ..Options::default()
                };
                let r = inspect(&der, &options);
                r.is_valid() && !r.to_json().is_empty()
            }),
            Box::new(|| unsafe {
                let mut r = std::ptr::null_mut();
                let mut json = ffi::buf::bk_bytes {
                    data: std::ptr::null_mut(),
                    len: 0,
                };
                let ok = ffi::report::bk_inspect(der.as_ptr(), der.len(), &c_options, &mut r) == 0
                    && ffi::report::bk_report_json(r, true, &mut json) == 0
                    && json.len > 0;
                ffi::buf::bk_bytes_free(&mut json);
                ffi::report::bk_report_free(r);
                ok
            }),
        ),
        (
            "verify",
            Box::new(|| pk.verify(&alg, &msg, &sig).is_ok()),
            Box::new(|| unsafe {
                ffi::pki::bk_public_key_verify(
                    c_pk,
                    msg.as_ptr(),
                    msg.len(),
                    sig.as_ptr(),
                    sig.len(),
                ) == 0
            }),
        ),
    ];
    for (name, rust, c) in ops.iter_mut() {
        let (mut best_rust, mut best_c) = (f64::MAX, f64::MAX);
        for round in 0..rounds {
            // Alternate which side goes first, so neither always runs on a warmer cache.
            if round % 2 == 0 {
                best_rust = best_rust.min(time(seconds, &mut *rust));
                best_c = best_c.min(time(seconds, &mut *c));
            } else {
                best_c = best_c.min(time(seconds, &mut *c));
                best_rust = best_rust.min(time(seconds, &mut *rust));
            }
        }
        println!(
            "FFI op={name} rust_ns={best_rust:.0} c_ns={best_c:.0} overhead_pct={:.2}",
            (best_c / best_rust - 1.0) * 100.0
        );
    }
    unsafe {
        ffi::pki::bk_certificate_free(c_ca);
        ffi::pki::bk_public_key_free(c_pk);
    }
}
