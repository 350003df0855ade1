#!/usr/bin/env bash
# Installs what the tests need on Debian 12: OpenSSL with the GOST engine, GnuTLS certtool,
# SoftHSM2 (and SoftHSM2 rebuilt with GOST, cached: scripts/softhsm-gost.sh), opencryptoki, a C/C++
# compiler, pkg-config, python3, valgrind (scripts/ct-check.sh, scripts/test-c.sh), libssl-dev (the C
# host-signer example), rustfmt/clippy, cbindgen, xmllint (libxml2-utils) and xmlsec1 rebuilt with
# GOST (cached: scripts/xmlsec-gost.sh), Chromium (the documents rendered as a person sees them,
# core/tests/documents_browser.rs).
# Idempotent and quiet: prints only on failure (or what it installs when something is missing).
set -euo pipefail

CBINDGEN_VERSION=0.29.0
PACKAGES=(openssl libengine-gost-openssl gnutls-bin softhsm2 opencryptoki python3 python3-venv pkg-config gcc g++ make poppler-utils qpdf valgrind libssl-dev libxml2-utils chromium)

die() { echo "install-deps: $*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        SUDO=(__no_sudo__)
    fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get: install them by hand"
    if [ "${SUDO[0]:-}" = "__no_sudo__" ]; then
        die "missing packages (${missing[*]}); run this script as root or install sudo"
    fi
    # apt-get update at most once an hour.
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 -print -quit 2>/dev/null)" ]; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
            || die "apt-get update failed"
    fi
    echo "install-deps: installing ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

# The GOST engine must load by name (Debian installs it in the OpenSSL engines dir).
if ! openssl engine gost -c >/dev/null 2>&1; then
    # Fall back to our config, which loads the engine by its dynamic path.
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    # shellcheck source=env.sh
    . "$here/env.sh"
    openssl engine gost -c >/dev/null 2>&1 \
        || die "the OpenSSL gost engine does not load (package libengine-gost-openssl)"
fi
command -v certtool >/dev/null 2>&1 || die "certtool not found (package gnutls-bin)"

# Rust components.
if command -v rustup >/dev/null 2>&1; then
    for c in rustfmt clippy; do
        if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
            rustup component add "$c" >/dev/null 2>&1 || die "rustup component add $c failed"
        fi
    done
fi
command -v cargo-fmt >/dev/null 2>&1 || die "cargo fmt missing (rustup component add rustfmt)"
command -v cargo-clippy >/dev/null 2>&1 || die "cargo clippy missing (rustup component add clippy)"

# cbindgen, pinned, cached in ~/.cargo/bin.
if ! cbindgen --version 2>/dev/null | grep -qx "cbindgen $CBINDGEN_VERSION"; then
    cargo install cbindgen --locked --version "$CBINDGEN_VERSION" --quiet >/dev/null 2>&1 \
        || die "cargo install cbindgen $CBINDGEN_VERSION failed"
fi

# SoftHSM2 with GOST (for the GOST token tests): built once from Debian's source, then cached.
bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/softhsm-gost.sh" >/dev/null \
    || die "building SoftHSM2 with GOST failed (scripts/softhsm-gost.sh)"

# xmlsec1 with GOST (the XML signature oracle of tests/xmldsig_xmlsec.rs): built once from
# Debian's source, then cached.
bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/xmlsec-gost.sh" >/dev/null \
    || die "building xmlsec1 with GOST failed (scripts/xmlsec-gost.sh)"
