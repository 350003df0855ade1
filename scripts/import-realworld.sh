#!/usr/bin/env bash
# Copies the real-world GOST artifacts (made by software other than bankkey: the Ministry's and
# accredited CAs' certificates, CryptoPro signatures and a container, TC26 examples, GnuTLS test
# data, PFX) from the workplace's shared folder into tests/realworld/, bytes unchanged, so that CI
# does not depend on that folder; then checks every file against tests/realworld/SHA256SUMS.
#
#   bash scripts/import-realworld.sh            # copy from ../shared/realworld (or $1) and check
#   bash scripts/import-realworld.sh --check    # only check the committed copies
#
# The provenance of each file (repository, path, commit, licence) is in tests/realworld/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dest=tests/realworld
if [ "${1:-}" != --check ]; then
    src="${1:-../shared/realworld}"
    [ -d "$src" ] || { echo "import-realworld: $src not found" >&2; exit 1; }
    cp -r "$src/." "$dest/"
    chmod -R u+w "$dest"
    (cd "$dest" && find . -type f ! -name README.md ! -name SHA256SUMS | sort | xargs sha256sum >SHA256SUMS)
fi
(cd "$dest" && sha256sum --quiet -c SHA256SUMS)
echo "import-realworld: $(wc -l <"$dest/SHA256SUMS") files checked"
