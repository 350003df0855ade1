//! What bringing a key in costs (issues 13 and 16): password-based key derivation per PRF
//! (through encrypted PKCS#8 made by OpenSSL and GnuTLS, 2000–2048 iterations), reading the
//! Р 50.1.112-2016 PFX example, and opening a CryptoPro container (the empty-PIN one
//! CryptoPro wrote: 2 CPKDF rounds; and one with a PIN: 2000 rounds).
//! `cargo bench -p bankkey --bench keys`; CI runs it once in test mode.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use bankkey::key::SoftwareKey;
use bankkey::pfx::Pfx;
use criterion::{Criterion, criterion_group, criterion_main};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn pem_der(path: PathBuf) -> Vec<u8> {
    let text = std::fs::read(&path).unwrap();
    let block = bankkey::pki::pem::blocks(&text)
        .unwrap()
        .into_iter()
        .next()
        .map(|mut b| std::mem::take(&mut b.der));
    block.unwrap()
}

fn kdf(c: &mut Criterion) {
    let fixtures = root().join("tests/fixtures/openssl/encrypted");
    let realworld = root().join("../tests/realworld/keys");
    let cases = [
        (
            "hmac-sha256-2048",
            fixtures.join("gost2012_256-A.aes-256-cbc.hmac-sha256.pem"),
            &b"bankkey-test"[..],
        ),
        (
            "hmac-streebog512-2048",
            fixtures.join("gost2012_256-A.gost89.hmac-streebog512.pem"),
            &b"bankkey-test"[..],
        ),
        (
            "hmac-gost94-2000",
            realworld.join("gnutls_key-gost01-2-enc.p8"),
            "Пароль для PFX".as_bytes(),
        ),
    ];
    let mut g = c.benchmark_group("encrypted-pkcs8");
    for (name, path, password) in cases {
        let der = pem_der(path);
        // The 2001 key decrypts and is then refused: the time is the derivation's.
        g.bench_function(name, |b| {
            b.iter(|| SoftwareKey::from_encrypted_pkcs8_der(black_box(&der), password).is_ok())
        });
    }
    g.finish();
}

fn pfx(c: &mut Criterion) {
    let der = std::fs::read(root().join("../tests/realworld/pfx/gnutls_gost12.p12")).unwrap();
    c.bench_function("pfx/r-50-1-112-example", |b| {
        b.iter(|| Pfx::from_der(black_box(&der), "Пароль для PFX").unwrap())
    });
    // CryptoPro CSP's own export (empty password): the key's 2000 GOST R 34.11-94
    // iterations, the certificates' triple DES (PKCS#12 KDF, 2 × 2000 SHA-1), the SHA-1 MAC
    // (2000); with a wrong password, the MAC and the key's iterations only.
    let cp =
        std::fs::read(root().join("../tests/realworld/pfx/cryptopro_corefx_2012_256.pfx")).unwrap();
    c.bench_function("pfx/cryptopro-export", |b| {
        b.iter(|| Pfx::from_der(black_box(&cp), "").unwrap())
    });
    c.bench_function("pfx/cryptopro-export-wrong-password", |b| {
        b.iter(|| Pfx::from_der(black_box(&cp), "x").is_err())
    });
}

#[cfg(feature = "cryptopro")]
fn cryptopro(c: &mut Criterion) {
    use bankkey::cryptopro::CryptoProContainer;
    let real = root().join("../tests/realworld/containers/91team_test.91.gost.dev");
    let container = CryptoProContainer::open(&real).unwrap();
    c.bench_function("cryptopro/open-empty-pin", |b| {
        b.iter(|| container.private_key(black_box("")).unwrap())
    });
    // The same container, read with a wrong non-empty PIN: the full 2000 rounds, once per
    // copy (main and reserve).
    c.bench_function("cryptopro/wrong-pin-2000-rounds-both-copies", |b| {
        b.iter(|| container.private_key(black_box("12345678")).is_err())
    });
}

#[cfg(not(feature = "cryptopro"))]
fn cryptopro(_: &mut Criterion) {}

criterion_group!(benches, kdf, pfx, cryptopro);
criterion_main!(benches);
