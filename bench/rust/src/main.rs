//! `bankkey_gost`: the bankkey side of `scripts/bench-vs-openssl.sh`.
//!
//! Does the same work as `bench/openssl_gost.c`, timed the same way (see the library docs):
//! - `sign`: one signature of a fixed digest (bytes 1, 2, 3, ... as a hash outputs them; 32
//!   bytes for 256-bit sets and P-256, 64 for 512-bit sets): the signature primitive, no hashing;
//! - `verify`: one verification of a valid signature of that digest;
//! - `keygen`: one fresh key from the OS RNG, with its public point;
//! - `hash`: one Streebog digest of an 8 KiB or 1 MiB message (bytes `i * 131 + 7`).
//!
//! GOST is `bankkey::gost` (`SigningKey::generate`, `sign_digest`, `VerifyingKey::verify_digest`,
//! `streebog256/512`); ECDSA P-256 is RustCrypto's `p256` (what `bankkey::key` uses), signing
//! with a random nonce like OpenSSL.
//!
//! With `--requests DIR`, also `req-verify` for each GOST set: `DIR/<set>/req.pem` (the
//! OpenSSL-made fixtures) parsed from DER with `pki::CertificateRequest::from_der` and its
//! signature verified (`verify`: Streebog over the signed part, then GOST verify).
//!
//! With `--signed-requests DIR` too, `cms-req-verify` for each set with a
//! `DIR/signed-req-<set>.der` (made by the script with `openssl cms -sign`): the remote
//! regeneration request as a bank receives it, `cms::SignedRequest::from_der_or_pem` then
//! `verify` against the fixture's `ca.pem` at the current time (the signer's certificate chain
//! with the CA's signature and validity, the content's Streebog digest against the signed
//! attributes, the CMS signature, then the PKCS#10 request parsed and its own signature
//! verified: three GOST verifications).
//!
//! With `--certs FILE` (a corpus made by `openssl_gost --make-certs`), also the `x509` item:
//! one certificate after another, cycling, parsed with `pki::Certificate::from_der`, its
//! subject's INNLE, INN and OGRN checked (`ident`), its validity checked at
//! 2026-12-01T00:00:00Z; first an untimed pass over the whole corpus prints the count of each
//! verdict on a `CHECK` line, which must equal the C harness's.
//!
//! With `--scaling`, instead: `verify_many` (rayon) on 1, 2, ... threads, timed by the wall
//! clock (bankkey alone; run it unpinned).
//!
//! Usage: `bankkey_gost [--time SECONDS] [--only SET] [--certs FILE] [--requests DIR
//! [--signed-requests DIR]] [--scaling [--batch N]]`; exit status 1 if any item failed.

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bankkey::ErrorKind;
use bankkey::cms::SignedRequest;
use bankkey::gost::batch::{BatchItem, verify_many};
use bankkey::gost::streebog::{Streebog256, Streebog512};
use bankkey::gost::{ParamSet, SigningKey, streebog256, streebog512};
use bankkey::ident::{Inn, Ogrn};
use bankkey::pki::{Certificate, CertificateRequest};
use bankkey::subject::AttributeType;
use bankkey_benchmark::Bench;
use p256::ecdsa::{Signature as EcdsaSignature, SigningKey as EcdsaKey};
use signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use time::OffsetDateTime;

/// The fixed digest every signature item signs: `len` bytes 1, 2, 3, ...
fn fixed_digest(len: usize) -> Vec<u8> {
    (1..=len).map(|i| i as u8).collect()
}

/// The set's name as the C harness prints it: the gost engine's algorithm and paramset names.
fn set_name(ps: ParamSet) -> String {
    let bits = if ps.is_512() { 512 } else { 256 };
    format!("gost2012_{bits}-{}", ps.openssl_name())
}

/// Parses and verifies `dir/<set>/req.pem` (a fixture made by OpenSSL) as the C harness does:
/// `CertificateRequest::from_der` then `verify`.
fn request<W: Write>(bench: &mut Bench<W>, set: &str, dir: &Path) {
    let path = dir.join(set).join("req.pem");
    let Some(mut der) = std::fs::read(&path)
        .ok()
        .and_then(|pem| CertificateRequest::from_pem(&pem).ok())
        .map(|req| req.to_der())
    else {
        bench.fail(&format!("reading {}", path.display()), set);
        return;
    };
    let verify = |der: &[u8]| CertificateRequest::from_der(der).and_then(|r| r.verify());
    bench.measure("req-verify", set, der.len(), || {
        verify(black_box(&der)).is_ok()
    });
    if let Some(last) = der.last_mut() {
        *last ^= 1;
    }
    if verify(&der).is_ok() {
        bench.fail("rejecting a damaged request", set);
    }
}

/// Verifies `cms_dir/signed-req-<set>.der`, when there is one, as the C harness does:
/// `SignedRequest::from_der_or_pem` then `verify` against `dir/<set>/ca.pem`, now.
fn signed_request<W: Write>(bench: &mut Bench<W>, set: &str, dir: &Path, cms_dir: &Path) {
    let Ok(mut der) = std::fs::read(cms_dir.join(format!("signed-req-{set}.der"))) else {
        return; // only some sets have one
    };
    let Some(ca) = std::fs::read(dir.join(set).join("ca.pem"))
        .ok()
        .and_then(|pem| Certificate::from_pem(&pem).ok())
    else {
        bench.fail("reading the CA certificate", set);
        return;
    };
    let anchors = [ca];
    let at = OffsetDateTime::now_utc();
    let verify = |der: &[u8]| {
        SignedRequest::from_der_or_pem(der).and_then(|signed| signed.verify(&anchors, at))
    };
    bench.measure("cms-req-verify", set, der.len(), || {
        verify(black_box(&der)).is_ok()
    });
    if let Some(last) = der.last_mut() {
        *last ^= 1;
    }
    if verify(&der).is_ok() {
        bench.fail("rejecting a damaged signed request", set);
    }
}

fn gost<W: Write>(bench: &mut Bench<W>, requests: Option<&Path>, signed: Option<&Path>) {
    for ps in ParamSet::ALL {
        let set = set_name(ps);
        if !bench.selected(&set) {
            continue;
        }
        bench.measure("keygen", &set, 0, || {
            SigningKey::generate(ps)
                .map(|key| black_box(key.verifying_key()))
                .is_ok()
        });
        let Ok(key) = SigningKey::generate(ps) else {
            bench.fail("keygen", &set);
            continue;
        };
        let public = key.verifying_key();
        let len = ps.field_len();
        let mut digest = fixed_digest(len);
        let Ok(sig) = key.sign_digest(&digest) else {
            bench.fail("sign", &set);
            continue;
        };
        bench.measure("sign", &set, len, || {
            key.sign_digest(black_box(&digest)).map(black_box).is_ok()
        });
        bench.measure("verify", &set, len, || {
            public.verify_digest(black_box(&digest), &sig).is_ok()
        });
        digest[0] ^= 1;
        if public.verify_digest(&digest, &sig).is_ok() {
            bench.fail("rejecting a wrong digest", &set);
        }
        if let Some(dir) = requests {
            request(bench, &set, dir);
            if let Some(cms_dir) = signed {
                signed_request(bench, &set, dir, cms_dir);
            }
        }
    }
}

/// `verify_many` on 1, 2, ... threads (up to the number of cores): signatures per second by the
/// wall clock, each call verifying a batch of `batch` (512) messages of 200 bytes from 8 signers
/// (Streebog included, as `VerifyingKey::verify` does).
fn scaling<W: Write>(bench: &mut Bench<W>, batch: usize) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for ps in [ParamSet::CryptoProA, ParamSet::Tc26_512A] {
        let set = set_name(ps);
        if !bench.selected(&set) {
            continue;
        }
        let Ok(keys) = (0..8)
            .map(|_| SigningKey::generate(ps))
            .collect::<bankkey::Result<Vec<_>>>()
        else {
            bench.fail("keygen", &set);
            continue;
        };
        let items: Vec<BatchItem> = (0..batch)
            .map(|i| {
                let key = &keys[i % keys.len()];
                let message: Vec<u8> = (0..200).map(|j| (i * 7 + j) as u8).collect();
                let signature = key.sign(&message);
                BatchItem {
                    key: key.verifying_key(),
                    message,
                    signature,
                }
            })
            .collect();
        for threads in 1..=cores {
            let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
                bench.fail("making a thread pool", &set);
                continue;
            };
            bench.measure_wall("verify_many", &set, 200, threads, batch as u64, || {
                pool.install(|| verify_many(black_box(&items)))
                    .iter()
                    .all(Result::is_ok)
            });
        }
    }
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
        if let Ok(key) = EcdsaKey::from_slice(&bytes) {
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
    let sign = |digest: &[u8]| -> Option<EcdsaSignature> {
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

/// The verdicts of the x509 item, in the order the CHECK line prints them (as the C harness).
const VERDICTS: [&str; 6] = [
    "malformed",
    "bad-inn-checksum",
    "bad-ogrn-checksum",
    "not-yet-valid",
    "expired",
    "valid",
];

/// The time certificates are assessed at: 2026-12-01T00:00:00Z (as the C harness).
const ASSESS_AT: i64 = 1_796_083_200;

/// Parses and assesses one certificate exactly as `assess` in the C harness does; returns an
/// index into [`VERDICTS`].
fn assess(der: &[u8], at: OffsetDateTime) -> usize {
    let Ok(cert) = Certificate::from_der(der) else {
        return 0;
    };
    let subject = cert.subject();
    let bad =
        |kind: AttributeType, ok: fn(&str) -> bool| subject.get(&kind).is_some_and(|v| !ok(v));
    if bad(AttributeType::InnLe, |v| Inn::legal_entity(v).is_ok())
        || bad(AttributeType::Inn, |v| Inn::person(v).is_ok())
    {
        return 1;
    }
    if bad(AttributeType::Ogrn, |v| Ogrn::new(v).is_ok()) {
        return 2;
    }
    match cert.check_validity_at(at) {
        Ok(()) => 5,
        Err(e) if e.kind() == ErrorKind::NotYetValid => 3,
        Err(e) if e.kind() == ErrorKind::Expired => 4,
        Err(_) => 0,
    }
}

/// Splits a corpus file: each certificate as a 4-byte big-endian length and the DER.
fn read_corpus(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut certs = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let len = u32::from_be_bytes(*len) as usize;
        if len > tail.len() {
            return None;
        }
        let (der, tail) = tail.split_at(len);
        certs.push(der);
        rest = tail;
    }
    (!certs.is_empty()).then_some(certs)
}

fn x509<W: Write>(bench: &mut Bench<W>, path: &str) {
    let set = "x509";
    if !bench.selected(set) {
        return;
    }
    let Some(bytes) = std::fs::read(path).ok() else {
        bench.fail("reading the corpus", set);
        return;
    };
    let Some(certs) = read_corpus(&bytes) else {
        bench.fail("reading the corpus (4-byte length + DER)", set);
        return;
    };
    let Ok(at) = OffsetDateTime::from_unix_timestamp(ASSESS_AT) else {
        bench.fail("the assessment time", set);
        return;
    };
    let mut counts = [0usize; VERDICTS.len()];
    for der in &certs {
        counts[assess(der, at)] += 1;
    }
    let mut check = format!("CHECK impl=bankkey set=x509 certs={}", certs.len());
    for (name, n) in VERDICTS.iter().zip(counts) {
        check.push_str(&format!(" {name}={n}"));
    }
    bench.print(&check);
    let total: usize = certs.iter().map(|c| c.len()).sum();
    let mut next = 0;
    bench.measure("assess", set, total / certs.len(), || {
        let verdict = assess(black_box(certs[next]), at);
        next = (next + 1) % certs.len();
        verdict != 0 // the corpus holds no malformed certificate
    });
}

fn hashes<W: Write>(bench: &mut Bench<W>) {
    let msg: Vec<u8> = (0..1usize << 20)
        .map(|i| (i as u32).wrapping_mul(131).wrapping_add(7) as u8)
        .collect();
    for len in [8192, 1 << 20] {
        if bench.selected("streebog256") {
            bench.measure("hash", "streebog256", len, || {
                black_box(streebog256(black_box(&msg[..len])));
                true
            });
            // the back end of CPUs without AVX-512 VBMI + GFNI, on this one
            bench.measure("hash", "streebog256-portable", len, || {
                let mut h = Streebog256::new_portable();
                h.update(black_box(&msg[..len]));
                black_box(h.finalize());
                true
            });
        }
        if bench.selected("streebog512") {
            bench.measure("hash", "streebog512", len, || {
                black_box(streebog512(black_box(&msg[..len])));
                true
            });
            bench.measure("hash", "streebog512-portable", len, || {
                let mut h = Streebog512::new_portable();
                h.update(black_box(&msg[..len]));
                black_box(h.finalize());
                true
            });
        }
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: bankkey_gost [--time SECONDS] [--only SET] [--certs FILE] [--requests DIR \
         [--signed-requests DIR]] [--scaling [--batch N]]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut target_s = 0.5;
    let mut only = None;
    let mut scaling_only = false;
    let mut batch = 512;
    let mut certs = None;
    let mut requests: Option<PathBuf> = None;
    let mut signed: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--scaling" {
            scaling_only = true;
            continue;
        }
        match (arg.as_str(), args.next()) {
            ("--time", Some(v)) => match v.parse::<f64>() {
                Ok(t) if t > 0.0 => target_s = t,
                _ => return usage(),
            },
            ("--only", Some(v)) => only = Some(v),
            ("--certs", Some(v)) => certs = Some(v),
            ("--requests", Some(v)) => requests = Some(v.into()),
            ("--signed-requests", Some(v)) => signed = Some(v.into()),
            ("--batch", Some(v)) => match v.parse::<usize>() {
                Ok(n) if n > 0 => batch = n,
                _ => return usage(),
            },
            _ => return usage(),
        }
    }
    let stdout = std::io::stdout();
    let mut bench = Bench::new(target_s, only, stdout.lock());
    if scaling_only {
        scaling(&mut bench, batch);
    } else {
        gost(&mut bench, requests.as_deref(), signed.as_deref());
        p256(&mut bench);
        hashes(&mut bench);
        if let Some(path) = certs {
            x509(&mut bench, &path);
        }
    }
    if bench.failures() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
