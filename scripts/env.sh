# Source this (do not run it): sets up the environment for our test processes.
# On Debian 12 `openssl ... -engine gost` loads /usr/lib/<triplet>/engines-3/gost.so by name
# without any configuration, so nothing is exported then. Only if that fails (engine elsewhere)
# OPENSSL_CONF points at scripts/openssl-gost.cnf, which loads the engine by its path.
_bk_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! openssl engine gost >/dev/null 2>&1; then
    _bk_so="$(find /usr/lib /usr/local/lib -path '*engines-3/gost.so' -print -quit 2>/dev/null || true)"
    if [ -n "$_bk_so" ]; then
        _bk_cnf="${TMPDIR:-/tmp}/bankkey-openssl-gost.cnf"
        sed "s#^dynamic_path = .*#dynamic_path = $_bk_so#" "$_bk_here/openssl-gost.cnf" >"$_bk_cnf"
        export OPENSSL_CONF="$_bk_cnf"
    fi
fi
unset _bk_here _bk_so _bk_cnf
