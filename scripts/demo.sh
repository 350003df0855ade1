#!/usr/bin/env bash
# The main job, for now: build a GOST R 34.10-2012 key and a PKCS#10 request with bankkey,
# then inspect the request (JSON report). Usage: scripts/demo.sh [OUTDIR]  (default demo-out/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-demo-out}"
mkdir -p "$out"
cargo run --quiet --release -p bankkey --example demo -- "$out"
cargo run --quiet --release -p bankkey --example inspect -- "$out/request.pem"
