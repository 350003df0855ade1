#!/usr/bin/env bash
# bankkey against OpenSSL's gost engine, side by side, on one core.
#
#   bash scripts/bench-vs-openssl.sh            # full run (~3 min); rewrites BENCHMARKS.md's latest run
#   bash scripts/bench-vs-openssl.sh --no-write # full run, table on stdout only
#   bash scripts/bench-vs-openssl.sh --smoke    # seconds: checks that both sides build and run
#
# Installs what it needs (libssl-dev, libengine-gost-openssl, gcc, pkg-config, python3), builds
# the C harness bench/openssl_gost.c (OpenSSL 3 EVP + the gost engine) and the Rust side
# bench/rust (`bankkey_gost`, release), then runs both pinned to one core with taskset, one
# parameter set at a time, alternating which side goes first, for BENCH_ROUNDS rounds. Each item
# runs for BENCH_TIME CPU seconds; the table keeps each side's best round (the least disturbed
# on a shared machine). Both sides do the same work: see the comments at the top of
# bench/openssl_gost.c.
#
# Environment: BENCH_TIME (seconds per item, default 0.5), BENCH_ROUNDS (default 3),
# BENCH_CPU (core to pin to, default the last one), BENCH_CERTS (corpus size, default 100000;
# the corpus is made once by the C harness and kept in target/bench-vs-openssl/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"

smoke=0
write=1
for arg in "$@"; do
    case "$arg" in
        --smoke) smoke=1; write=0 ;;
        --no-write) write=0 ;;
        *) echo "usage: $0 [--smoke | --no-write]" >&2; exit 2 ;;
    esac
done

die() { echo "bench-vs-openssl: $*" >&2; exit 1; }

# ---- dependencies ------------------------------------------------------------------------------
PACKAGES=(libssl-dev libengine-gost-openssl openssl gcc pkg-config python3)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=()
    [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 -print -quit 2>/dev/null)" ]; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
            || die "apt-get update failed"
    fi
    echo "bench-vs-openssl: installing ${missing[*]}" >&2
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi
command -v taskset >/dev/null 2>&1 || die "taskset not found (package util-linux)"
# shellcheck source=env.sh
. scripts/env.sh

# ---- build -------------------------------------------------------------------------------------
out="$root/target/bench-vs-openssl"
mkdir -p "$out"
# shellcheck disable=SC2046  # pkg-config prints several words on purpose
gcc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror bench/openssl_gost.c -o "$out/openssl_gost" \
    $(pkg-config --cflags --libs libcrypto) -lm
if [ "$smoke" = 1 ]; then
    profile=debug
    cargo build --quiet -p bankkey-benchmark
else
    profile=release
    cargo build --quiet --release -p bankkey-benchmark
fi
ours="$root/target/$profile/bankkey_gost"
theirs="$out/openssl_gost"

# ---- the certificate corpus (made once by the C harness, read by both sides) ---------------------
if [ "$smoke" = 1 ]; then
    time_s=0.002 rounds=1 ncerts=300
else
    time_s="${BENCH_TIME:-0.5}" rounds="${BENCH_ROUNDS:-3}" ncerts="${BENCH_CERTS:-100000}"
fi
corpus="$out/certs-$ncerts.bin"
if [ ! -s "$corpus" ] || [ "$corpus" -ot bench/openssl_gost.c ]; then
    echo "bench-vs-openssl: making $ncerts certificates ($corpus)" >&2
    "$theirs" --make-certs "$ncerts" "$corpus.tmp" || die "making the certificate corpus failed"
    mv "$corpus.tmp" "$corpus"
fi

# ---- the remote-regeneration requests (CMS around PKCS#10), signed once by openssl cms ----------
# For two 256-bit sets (CryptoPro-A, the common one, and TC26-A, twisted Edwards): the fixture's
# request, signed with the fixture's subscriber key and certificate; both sides verify the file
# against the fixture's CA (item cms-req-verify).
CMS_SETS=(gost2012_256-A gost2012_256-TCA)
for set in "${CMS_SETS[@]}"; do
    fx="core/tests/fixtures/openssl/$set"
    signed="$out/signed-req-$set.der"
    if [ ! -s "$signed" ] || [ "$signed" -ot "$fx/req.pem" ] || [ "$signed" -ot "$fx/cert.pem" ]; then
        openssl req -in "$fx/req.pem" -outform DER -out "$out/req-$set.der" \
            || die "converting $fx/req.pem failed"
        openssl cms -sign -engine gost -binary -nodetach -outform DER -md md_gost12_256 \
            -signer "$fx/cert.pem" -inkey "$fx/key.pem" -in "$out/req-$set.der" \
            -out "$signed.tmp" >/dev/null 2>&1 || die "openssl cms -sign for $set failed"
        mv "$signed.tmp" "$signed"
    fi
done

# ---- run ---------------------------------------------------------------------------------------
cpu="${BENCH_CPU:-$(( $(nproc) - 1 ))}"
SETS=(gost2012_256-A gost2012_256-B gost2012_256-C gost2012_256-XA gost2012_256-XB
      gost2012_256-TCA gost2012_256-TCB gost2012_256-TCC gost2012_256-TCD
      gost2012_512-A gost2012_512-B gost2012_512-C p256 streebog256 streebog512 x509)
raw="$out/raw.txt"
: >"$raw"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench-vs-openssl: $rounds round(s), $time_s s per item, pinned to CPU $cpu ($profile build)" >&2
for round in $(seq 1 "$rounds"); do
    for set in "${SETS[@]}"; do
        if [ $(( round % 2 )) = 1 ]; then order=("$theirs" "$ours"); else order=("$ours" "$theirs"); fi
        for bin in "${order[@]}"; do
            args=(--time "$time_s" --only "$set")
            [ "$set" != x509 ] || args+=(--certs "$corpus")
            [[ "$set" != gost* ]] || args+=(--requests "$root/core/tests/fixtures/openssl" --signed-requests "$out")
            taskset -c "$cpu" "$bin" "${args[@]}" >>"$raw" \
                || die "$(basename "$bin") --only $set failed"
        done
    done
    # verify_many on 1..nproc threads: bankkey alone, by the wall clock, on every core.
    if [ "$smoke" = 1 ]; then batch=(--batch 4); else batch=(); fi
    "$ours" --scaling --time "$time_s" "${batch[@]}" >>"$raw" || die "bankkey_gost --scaling failed"
    echo "bench-vs-openssl: round $round done" >&2
done

# ---- table -------------------------------------------------------------------------------------
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs ($(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -1 | sed 's/^./VM: &/')), kernel $(uname -r)"
versions="$(openssl version | cut -d' ' -f1-2), gost engine $(dpkg-query -W -f='${Version}' libengine-gost-openssl), $(rustc --version | cut -d' ' -f1-2)"

table="$(python3 - "$raw" "$smoke" "$ncerts" <<'EOF'
import sys

raw, smoke, ncerts = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
NAMES = {
    "gost2012_256-A": "256 CryptoPro-A", "gost2012_256-B": "256 CryptoPro-B",
    "gost2012_256-C": "256 CryptoPro-C", "gost2012_256-XA": "256 CryptoPro-XchA",
    "gost2012_256-XB": "256 CryptoPro-XchB", "gost2012_256-TCA": "256 TC26-A (Edwards)",
    "gost2012_256-TCB": "256 TC26-B", "gost2012_256-TCC": "256 TC26-C",
    "gost2012_256-TCD": "256 TC26-D", "gost2012_512-A": "512 TC26-A",
    "gost2012_512-B": "512 TC26-B", "gost2012_512-C": "512 TC26-C (Edwards)",
    "p256": "ECDSA P-256, for scale (ours: RustCrypto p256)",
    "x509": f"X.509 parse + assess ({ncerts:,} certificates, cycled)",
}
best = {}   # (op, set, bytes) -> {impl: ops/s}
order = []
checks = {}  # (impl, set) -> the CHECK line's counts; both sides must agree
scaling = {}  # (set, threads) -> (signatures/s by the wall clock, CPU s per wall s, signatures per CPU s)
for line in open(raw):
    if line.startswith("CHECK "):
        f = dict(kv.split("=", 1) for kv in line.split()[1:])
        key = (f.pop("impl"), f["set"])
        if checks.setdefault(key, f) != f:
            sys.exit(f"{key[0]} gave two different CHECK lines for {key[1]}")
        continue
    if not line.startswith("BENCH "):
        continue
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    if "threads" in f:
        key = (f["set"], int(f["threads"]))
        wall, cpu = float(f["wall_s"]), float(f["cpu_s"])
        row = (float(f["ops_s"]), cpu / wall, int(f["iters"]) / cpu if cpu > 0 else 0.0)
        if row[0] > scaling.get(key, (0.0,))[0]:
            scaling[key] = row
        continue
    key = (f["op"], f["set"], int(f["bytes"]))
    if key not in best:
        best[key] = {}
        order.append(key)
    ops = float(f["ops_s"])
    best[key][f["impl"]] = max(ops, best[key].get(f["impl"], 0.0))

openssl_items = [k for k in order if "openssl" in best[k]]
ours_items = [k for k in order if "bankkey" in best[k]]
# bankkey also times its portable Streebog back end (4 more hash items)
if smoke and (len(openssl_items), len(ours_items)) != (58, 62):
    sys.exit(f"smoke: expected 58 items from OpenSSL and 62 from bankkey, got "
             f"{len(openssl_items)} and {len(ours_items)}")
if ("openssl", "x509") not in checks or ("bankkey", "x509") not in checks:
    sys.exit("a CHECK line for x509 is missing")
for (impl, s), counts in checks.items():
    theirs = checks.get(("openssl", s))
    if theirs != counts:
        sys.exit(f"{s}: {impl} and openssl disagree on the verdicts: {counts} vs {theirs}")

def num(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"

def ratio(ours, theirs):
    return f"{ours / theirs:.2f}×" if ours and theirs else "—"

rows = ["| parameter set | operation | bankkey ops/s | OpenSSL ops/s | bankkey / OpenSSL |",
        "|---|---|--:|--:|--:|"]
for op, s, b in order:
    if op == "hash":
        continue
    r = best[(op, s, b)]
    ours, theirs = r.get("bankkey"), r.get("openssl")
    rows.append(f"| {NAMES.get(s, s)} `{s}` | {op} | {num(ours) if ours else '—'} | "
                f"{num(theirs) if theirs else '—'} | {ratio(ours, theirs)} |")
rows += ["", "| hash | message | bankkey MiB/s | OpenSSL MiB/s | bankkey / OpenSSL |",
         "|---|---|--:|--:|--:|"]
for op, s, b in order:
    if op != "hash":
        continue
    r = best[(op, s, b)]
    mib = lambda v: v * b / 1048576 if v else None
    # the portable back end (what CPUs without AVX-512 VBMI + GFNI run) against the same engine
    base = s.removesuffix("-portable")
    ours, theirs = mib(r.get("bankkey")), mib(best.get((op, base, b), {}).get("openssl"))
    if s != base:
        s = f"{base}, portable back end"
    size = f"{b // 1024} KiB" if b < 1048576 else f"{b // 1048576} MiB"
    rows.append(f"| {s} | {size} | {num(ours) if ours else '—'} | "
                f"{num(theirs) if theirs else '—'} | {ratio(ours, theirs)} |")
for (impl, s), counts in sorted(checks.items()):
    if impl == "openssl":
        both = "the same on both sides" if ("bankkey", s) in checks else "OpenSSL side"
        rows += ["", f"Verdicts over the {s} corpus ({both}): "
                 + ", ".join(f"{k} {v}" for k, v in counts.items() if k != "set") + "."]
if scaling:
    rows += ["", "`verify_many` (rayon), bankkey only, not pinned: batches of 512 200-byte "
             "messages (Streebog included) from 8 signers; signatures per wall-clock second, "
             "the process's CPU seconds per wall second (how many cores the threads actually "
             "got), and signatures per CPU second (the parallel overhead).", "",
             "| parameter set | threads | signatures/s (wall) | speed-up over 1 thread | CPU s per wall s | signatures per CPU s |",
             "|---|--:|--:|--:|--:|--:|"]
    for (s, t) in sorted(scaling):
        ops, cores_used, per_cpu = scaling[(s, t)]
        one = scaling.get((s, 1))
        speedup = f"{ops / one[0]:.2f}×" if one else "—"
        rows.append(f"| {NAMES.get(s, s)} `{s}` | {t} | {num(ops)} | {speedup} | "
                    f"{cores_used:.2f} | {num(per_cpu)} |")
elif not smoke:
    sys.exit("no verify_many lines")
print("\n".join(rows))
EOF
)" || die "making the table failed"

report="$(cat <<EOF
<!-- bench-vs-openssl: begin (written by scripts/bench-vs-openssl.sh; edit the script, not this) -->
## Latest run

- date: $started; command: \`bash scripts/bench-vs-openssl.sh\` (BENCH_TIME=$time_s s per item,
  BENCH_ROUNDS=$rounds, best round of each side kept; both pinned to CPU $cpu with taskset)
- machine: $machine; load average at start: $load
- software: $versions; bankkey \`$(git rev-parse --short HEAD)\`$(git diff --quiet HEAD -- core bench 2>/dev/null || echo ' (with local changes)')

$table
<!-- bench-vs-openssl: end -->
EOF
)"
printf '%s\n' "$report"

if [ "$write" = 1 ]; then
    python3 - BENCHMARKS.md "$report" <<'EOF'
import sys
path, report = sys.argv[1], sys.argv[2]
begin, end = "<!-- bench-vs-openssl: begin", "<!-- bench-vs-openssl: end -->"
text = open(path).read()
i, j = text.find(begin), text.find(end)
if i < 0 or j < i:
    sys.exit(f"{path}: the bench-vs-openssl markers are missing")
open(path, "w").write(text[:i] + report + text[j + len(end):])
EOF
    echo "bench-vs-openssl: BENCHMARKS.md updated (add a line to its history)" >&2
fi
