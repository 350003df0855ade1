//! GOST R 34.10-2012 sign and verify on every parameter set, and Streebog throughput
//! (issue 5). `cargo bench -p bankkey --bench gost`; CI runs it once with `-- --test`.

use std::hint::black_box;

use bankkey::gost::{ParamSet, SigningKey, streebog256, streebog512};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn sign_verify(c: &mut Criterion) {
    let msg = b"payment order 42: 1000.00 RUB to 40702810900000000001";
    for ps in ParamSet::ALL {
        let key = SigningKey::generate(ps).expect("OS RNG");
        let vk = key.verifying_key();
        let sig = key.sign(msg);
        let digest = if ps.is_512() {
            streebog512(msg).to_vec()
        } else {
            streebog256(msg).to_vec()
        };
        let mut g = c.benchmark_group(format!("gost/{}", ps.name()));
        g.bench_function("sign_digest", |b| {
            b.iter(|| key.sign_digest(black_box(&digest)).expect("digest length"))
        });
        g.bench_function("verify_digest", |b| {
            b.iter(|| {
                vk.verify_digest(black_box(&digest), black_box(&sig))
                    .expect("verifies")
            })
        });
        g.finish();
    }
}

fn streebog(c: &mut Criterion) {
    let data = vec![0x5Au8; 8192];
    let mut g = c.benchmark_group("streebog/8KiB");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("256", |b| b.iter(|| streebog256(black_box(&data))));
    g.bench_function("512", |b| b.iter(|| streebog512(black_box(&data))));
    g.finish();
}

/// Our Streebog (`gost::streebog`, the back end this CPU selects) beside RustCrypto's
/// `streebog` crate, which bankkey used before, in one process: 8 KiB and 1 MiB.
fn streebog_vs_crate(c: &mut Criterion) {
    use digest::Digest as _;
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i * 131 + 7) as u8).collect();
    for len in [8192, 1 << 20] {
        let msg = &data[..len];
        let mut g = c.benchmark_group(format!("streebog-vs-crate/{}KiB", len / 1024));
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function("ours-256", |b| b.iter(|| streebog256(black_box(msg))));
        g.bench_function("crate-256", |b| {
            b.iter(|| streebog::Streebog256::digest(black_box(msg)))
        });
        g.bench_function("ours-512", |b| b.iter(|| streebog512(black_box(msg))));
        g.bench_function("crate-512", |b| {
            b.iter(|| streebog::Streebog512::digest(black_box(msg)))
        });
        g.finish();
    }
}

criterion_group!(benches, sign_verify, streebog, streebog_vs_crate);
criterion_main!(benches);
