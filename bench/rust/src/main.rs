//! `bankkey_gost`: the bankkey side of `scripts/bench-vs-openssl.sh`.
//!
//! Does the same work as `bench/openssl_gost.c`, timed the same way (see the library docs):
//! - `sign`: one signature of a fixed digest (bytes 1, 2, 3, ... as a hash outputs them; 32
//!   bytes for 256-bit sets and P-256, 64 for 512-bit sets): the signature primitive, no hashing;
//! - `verify`: one verification of a valid signature of that digest;
//! - `keygen`: one fresh key from the OS RNG, with its public point;
//! - `hash`: one Streebog digest of an 8 KiB or 1 MiB message (bytes `i * 131 + 7`).
//!
//! ECDSA P-256 is RustCrypto's `p256` (what `bankkey::key` uses), signing with a random nonce
//! like OpenSSL.
//!
//! Usage: `bankkey_gost [--time SECONDS] [--only SET]`; exit status 1 if any item failed.

use std::hint::black_box;
use std::io::Write;
use std::process::ExitCode;

use bankkey_benchmark::Bench;
use digest::Digest;
use p256::ecdsa::{Signature, SigningKey};
use signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};

/// The fixed digest every signature item signs: `len` bytes 1, 2, 3, ...
fn fixed_digest(len: usize) -> Vec<u8> {
    (1..=len).map(|i| i as u8).collect()
}

fn p256<W: Write>(bench: &mut Bench<W>) {
    let set = "p256";
    if !bench.selected(set) {
        return;
    }
    let keygen = || loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("OS RNG");
        // A scalar out of range (probability ~2^-32) is drawn again, as OpenSSL does.
        if let Ok(key) = SigningKey::from_slice(&bytes) {
            return key;
        }
    };
    bench.measure("keygen", set, 0, || {
        black_box(keygen().verifying_key());
        true
    });
    let key = keygen();
    let public = *key.verifying_key();
    let mut digest = fixed_digest(32);
    let sign = |digest: &[u8]| -> Option<Signature> {
        key.sign_prehash_with_rng(&mut getrandom::SysRng, digest)
            .ok()
    };
    let Some(sig) = sign(&digest) else {
        bench.fail("sign", set);
        return;
    };
    bench.measure("sign", set, 32, || black_box(sign(&digest)).is_some());
    bench.measure("verify", set, 32, || {
        public.verify_prehash(black_box(&digest), &sig).is_ok()
    });
    digest[0] ^= 1;
    if public.verify_prehash(&digest, &sig).is_ok() {
        bench.fail("rejecting a wrong digest", set);
    }
}

fn hashes<W: Write>(bench: &mut Bench<W>) {
    let msg: Vec<u8> = (0..1usize << 20)
        .map(|i| (i as u32).wrapping_mul(131).wrapping_add(7) as u8)
        .collect();
    for len in [8192, 1 << 20] {
        if bench.selected("streebog256") {
            bench.measure("hash", "streebog256", len, || {
                black_box(streebog::Streebog256::digest(black_box(&msg[..len])));
                true
            });
        }
        if bench.selected("streebog512") {
            bench.measure("hash", "streebog512", len, || {
                black_box(streebog::Streebog512::digest(black_box(&msg[..len])));
                true
            });
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: bankkey_gost [--time SECONDS] [--only SET]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut target_s = 0.5;
    let mut only = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--time", Some(v)) => match v.parse::<f64>() {
                Ok(t) if t > 0.0 => target_s = t,
                _ => return usage(),
            },
            ("--only", Some(v)) => only = Some(v),
            _ => return usage(),
        }
    }
    let stdout = std::io::stdout();
    let mut bench = Bench::new(target_s, only, stdout.lock());
    p256(&mut bench);
    hashes(&mut bench);
    if bench.failures() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
