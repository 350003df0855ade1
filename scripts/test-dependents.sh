#!/usr/bin/env bash
# A Rust application can depend on bankkey (issue 13, defect 10): the dependency requirements
# of core/Cargo.toml must build as a crate outside the workspace resolves them, without our
# Cargo.lock (cargo picks the newest compatible release of everything, as `cargo add bankkey`
# would), and the published package must hold everything it needs. One check proves both:
#   1. `cargo package -p bankkey --no-verify`: the .crate as crates.io would get it (its
#      Cargo.toml normalised, only the files it lists);
#   2. a small binary crate in a temporary directory depending on that unpacked package, a
#      fresh lock file, `cargo check` of what a first application writes (a GOST key, a
#      signature, its check).
# `cargo check`, not a build: what can break here is resolution and compilation (defect 10
# was E0433), and check runs every dependency's build script (SQLite's C code is compiled);
# codegen and linking with our own lock file are proven by every workspace build. Before
# (a build and run of the app against core/, then `cargo package`'s verifying build) it
# built bankkey twice: 4 min 30 s warm on the shared 2-core machine; now 1 min 25 s.
# The workspace's target directory and dev profile are used, so dependencies whose resolved
# versions match ours are not checked again (clippy checked them). Needs crates.io (the index
# and any crate version not yet in the cargo cache).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
target="${CARGO_TARGET_DIR:-$root/target}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --allow-dirty: CI runs on a clean clone, a developer perhaps not.
CARGO_TARGET_DIR="$target" cargo package --quiet -p bankkey --allow-dirty --no-verify
version="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="bankkey"))')"
tar -xzf "$target/package/bankkey-$version.crate" -C "$tmp"
package="$tmp/bankkey-$version"
echo "cargo package -p bankkey: $(tar -tzf "$target/package/bankkey-$version.crate" | wc -l) files"

mkdir -p "$tmp/app/src"
cat >"$tmp/app/Cargo.toml" <<EOF
[package]
name = "bankkey-dependent"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
bankkey = { path = "$package" }

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
    CARGO_TARGET_DIR="$target" cargo check --quiet
)
echo "bankkey as a dependency: the package checks with the newest compatible dependencies"
