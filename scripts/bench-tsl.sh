#!/usr/bin/env bash
# Reading the accredited-CA list with its signature verified: bankkey beside xmlsec1 (built with
# GOST by scripts/xmlsec-gost.sh, OpenSSL and the gost engine underneath) on the same signed
# list, and bankkey's canonical XML beside libxml2's (xmllint --c14n). CPU time (user + sys) of
# each, best of three; the ratios in BENCHMARKS.md come from one run of this script.
#
#   bash scripts/bench-tsl.sh [CAS]       # CAS accredited CAs in the list (default 2000)
#
# Not run in CI (it builds bankkey in release mode).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cas="${1:-2000}"
dir="target/bench-tsl"
mkdir -p "$dir"

bash scripts/install-deps.sh
xmlsec1="$(bash scripts/xmlsec-gost.sh)"
engines="$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')"
sed "s#^dynamic_path = .*#dynamic_path = $engines/gost.so#" scripts/openssl-gost.cnf >"$dir/openssl-gost.cnf"

cargo build --quiet --release -p bankkey-benchmark --bin bankkey_tsl
bin=target/release/bankkey_tsl
"$bin" make "$dir" "$cas"
size=$(stat -c %s "$dir/TSLExt.xml")

# CPU seconds (user + sys) of a command, best of three.
best() {
    local best="" t
    for _ in 1 2 3; do
        t=$( { TIMEFORMAT='%U %S'; time "$@" >/dev/null 2>&1; } 2>&1 | awk '{print $1 + $2}')
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$t"; fi
    done
    echo "$best"
}

echo "list: $dir/TSLExt.xml, $size bytes, $cas CAs"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "software: $("$xmlsec1" --version), $(xmllint --version 2>&1 | head -1), $(rustc --version), bankkey $(git rev-parse --short HEAD)"
"$bin" time "$dir"
x=$(OPENSSL_CONF="$dir/openssl-gost.cnf" best "$xmlsec1" --verify --trusted-pem "$dir/root.pem" "$dir/TSLExt.xml")
OPENSSL_CONF="$dir/openssl-gost.cnf" "$xmlsec1" --verify --trusted-pem "$dir/root.pem" "$dir/TSLExt.xml" >/dev/null 2>&1 \
    || { echo "bench-tsl: xmlsec1 does not verify the list" >&2; exit 1; }
m="?"
[ -x /usr/bin/time ] && m=$(OPENSSL_CONF="$dir/openssl-gost.cnf" /usr/bin/time -f %M "$xmlsec1" --verify --trusted-pem "$dir/root.pem" "$dir/TSLExt.xml" 2>&1 >/dev/null | tail -1)  # GNU time (package time)
echo "MEM impl=xmlsec1 op=tsl-verify max_rss_kib=$m"
echo "BENCH impl=xmlsec1 op=tsl-verify set=tsl bytes=$size iters=1 cpu_s=$x mb_s=$(awk -v n="$size" -v s="$x" 'BEGIN { printf "%.1f", n / s / 1e6 }')"
c=$(best xmllint --c14n "$dir/TSLExt.xml")
echo "BENCH impl=libxml2 op=c14n set=tsl bytes=$size iters=1 cpu_s=$c mb_s=$(awk -v n="$size" -v s="$c" 'BEGIN { printf "%.1f", n / s / 1e6 }')"
