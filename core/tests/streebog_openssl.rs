//! Streebog against OpenSSL's gost engine: `openssl dgst -engine gost -md_gost12_256/512` of
//! files of several sizes (around the 64-byte block, and large) equals `gost::streebog256/512`
//! and the streaming hasher fed in uneven pieces.

mod common;

use bankkey::gost::streebog::{Streebog256, Streebog512};
use bankkey::gost::{streebog256, streebog512};
use common::{TempDir, openssl};

/// Deterministic bytes (xorshift).
fn message(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

#[test]
fn dgst_of_files_equals_ours() {
    let Some(ossl) = openssl() else { return };
    let tmp = TempDir::new("streebog");
    for (i, len) in [
        0usize,
        1,
        63,
        64,
        65,
        127,
        128,
        1000,
        8192,
        100_003,
        1 << 20,
    ]
    .into_iter()
    .enumerate()
    {
        let data = message(len, 100 + i as u64);
        let file = tmp.write(&format!("m{i}.bin"), &data);
        for bits in [256, 512] {
            let out = tmp
                .path(&format!("m{i}.{bits}"))
                .to_string_lossy()
                .into_owned();
            let md = format!("-md_gost12_{bits}");
            ossl.run(&[
                "dgst", "-engine", "gost", &md, "-binary", "-out", &out, &file,
            ]);
            let theirs = tmp.read(&format!("m{i}.{bits}"));
            // the detected back end (AVX-512 where the CPU has it), streamed and in one call,
            // and the portable one that other CPUs run
            let (one_shot, streamed, portable) = if bits == 256 {
                let mut h = Streebog256::new();
                data.chunks(777).for_each(|c| h.update(c));
                let mut p = Streebog256::new_portable();
                p.update(&data);
                (
                    streebog256(&data).to_vec(),
                    h.finalize().to_vec(),
                    p.finalize().to_vec(),
                )
            } else {
                let mut h = Streebog512::new();
                data.chunks(777).for_each(|c| h.update(c));
                let mut p = Streebog512::new_portable();
                p.update(&data);
                (
                    streebog512(&data).to_vec(),
                    h.finalize().to_vec(),
                    p.finalize().to_vec(),
                )
            };
            assert_eq!(one_shot, theirs, "Streebog-{bits} of {len} bytes");
            assert_eq!(portable, theirs, "Streebog-{bits} of {len} bytes, portable");
            assert_eq!(streamed, theirs, "Streebog-{bits} of {len} bytes, streamed");
        }
    }
}
