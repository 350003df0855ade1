#!/usr/bin/env bash
# A Rust application can depend on bankkey (issue 13, defect 10): the dependency requirements
# of core/Cargo.toml must build as a crate outside the workspace resolves them, without our
# Cargo.lock (cargo picks the newest compatible release of everything, as `cargo add bankkey`
# would). Two checks:
#   1. a small binary crate in a temporary directory, `bankkey = { path = core }`, a fresh
#      lock file, `cargo build` and run (it signs and verifies a GOST signature);
#   2. `cargo package -p bankkey` (lists the files and verifies the package by building it).
# Both use the workspace's target directory with the workspace's dev profile, so crates whose
# resolved versions match ours are not built again. Needs crates.io (the index and any crate
# version not yet in the cargo cache).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
target="${CARGO_TARGET_DIR:-$root/target}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/app/src"
cat >"$tmp/app/Cargo.toml" <<EOF
[package]
name = "bankkey-dependent"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
bankkey = { path = "$root/core" }

# The workspace's dev profile, so that the workspace's target directory is reused.
[profile.dev]
opt-level = 1
[profile.dev.package."*"]
opt-level = 2
EOF
cat >"$tmp/app/src/main.rs" <<'EOF'
//! What a Rust application does first with bankkey: a GOST key, a signature, its check.
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};

fn main() -> Result<(), bankkey::Error> {
    let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::CryptoProA))?;
    let signature = key.sign(b"dependent")?;
    key.public_key()
        .verify(&key.signature_algorithm(), b"dependent", &signature)?;
    println!("bankkey as a dependency: signed and verified");
    Ok(())
}
EOF
(
    cd "$tmp/app"
    cargo generate-lockfile --quiet
    echo "resolved without our lock file:" \
        "$(cargo tree --quiet -e normal --prefix none | sort -u | grep -E '^(rsa|cms|der|x509-cert|pkcs8|p256|signature|crypto-bigint|rusqlite|cryptoki) ' | tr '\n' ' ')"
    CARGO_TARGET_DIR="$target" cargo build --quiet
    "$target/debug/bankkey-dependent"
)

# --allow-dirty: CI runs on a clean clone, a developer perhaps not. --no-verify is not used:
# the verification build is the point.
CARGO_TARGET_DIR="$target" cargo package --quiet -p bankkey --allow-dirty
echo "cargo package -p bankkey: packaged and verified"
