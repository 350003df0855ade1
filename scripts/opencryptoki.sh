#!/usr/bin/env bash
# Starts and stops Debian's opencryptoki with its software token, for the PIN lifecycle tests
# (opencryptoki enforces what SoftHSM does not: USER_PIN_TO_BE_CHANGED, COUNT_LOW, FINAL_TRY,
# LOCKED after 3 wrong PINs, unlocked by the SO).
#
#   eval "$(bash scripts/opencryptoki.sh start)"   # reset the soft token, start pkcsslotd
#   bash scripts/opencryptoki.sh stop              # stop the pkcsslotd we started
#
# `start` RESETS the software token (slot 3, /var/lib/opencryptoki/swtok) to its factory state
# (SO PIN 87654321, no user PIN): meant for test machines and CI. It refuses when the token is
# initialised with a label other than one of ours ("bankkey*"), unless BANKKEY_OCK_FORCE=1.
#
# Exported by `start`:
#   BANKKEY_OPENCRYPTOKI_MODULE   libopencryptoki.so
#   BANKKEY_OPENCRYPTOKI_SLOT     the soft token's slot id (3 in Debian's opencryptoki.conf)
#   BANKKEY_OPENCRYPTOKI_SO_PIN   the factory SO PIN of the soft token
set -euo pipefail

log() { echo "opencryptoki: $*" >&2; }
die() { log "$*"; exit 1; }

state_dir="${XDG_RUNTIME_DIR:-/tmp}/bankkey-opencryptoki"
pidfile="$state_dir/pkcsslotd.pid"
tokdir=/var/lib/opencryptoki/swtok
slot=3
slotd=/usr/sbin/pkcsslotd

find_module() {
    for m in /usr/lib/*-linux-gnu/opencryptoki/libopencryptoki.so /usr/lib/*-linux-gnu/opencryptoki/libopencryptoki.so.0 \
             /usr/lib/opencryptoki/libopencryptoki.so; do
        [ -f "$m" ] && { echo "$m"; return 0; }
    done
    return 1
}

slotd_pids() { ps -o pid=,stat= -C pkcsslotd 2>/dev/null | awk '$2 !~ /Z/ {print $1}'; }

stop() {
    # Only the daemon we started (its pid recorded at start), or one that owns the slot
    # manager's pid file: pkcsslotd writes /run/opencryptoki/pkcsslotd.pid itself.
    local pid=""
    [ -f "$pidfile" ] && pid="$(cat "$pidfile")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$pidfile"
}

start() {
    [ -x "$slotd" ] || die "pkcsslotd not found (package opencryptoki)"
    module="$(find_module)" || die "libopencryptoki.so not found (package opencryptoki)"
    mkdir -p "$state_dir"
    stop
    if [ -n "$(slotd_pids)" ]; then
        # A daemon we did not start: use it, but it must be stopped to reset the token safely.
        die "pkcsslotd is already running (not started by this script): stop it first"
    fi
    # Refuse to wipe someone's real soft token.
    if [ -f "$tokdir/NVTOK.DAT" ] && [ "${BANKKEY_OCK_FORCE:-0}" != 1 ]; then
        "$slotd" && sleep 0.5
        label="$(pkcsconf -t -c "$slot" 2>/dev/null | sed -n 's/^[[:space:]]*Label: //p' | sed 's/[[:space:]]*$//')"
        pid="$(slotd_pids | head -1)"; [ -n "$pid" ] && kill "$pid" && sleep 0.5
        case "$label" in
            bankkey*|"IBM OS PKCS#11"|"") ;;
            *) die "the soft token is initialised as \"$label\": not ours, not wiping (BANKKEY_OCK_FORCE=1 to override)" ;;
        esac
    fi
    # Factory state: no NVTOK.DAT, no master key, no objects.
    rm -f "$tokdir"/NVTOK.DAT "$tokdir"/MK_USER "$tokdir"/MK_SO "$tokdir"/TOK_OBJ/* 2>/dev/null || true
    rm -rf /dev/shm/var.lib.opencryptoki.swtok 2>/dev/null || true
    "$slotd" || die "pkcsslotd failed to start"
    for _ in $(seq 50); do [ -n "$(slotd_pids)" ] && break; sleep 0.1; done
    pid="$(slotd_pids | head -1)"
    [ -n "$pid" ] || die "pkcsslotd did not stay up"
    echo "$pid" >"$pidfile"
    pkcsconf -t -c "$slot" >/dev/null 2>&1 || die "pkcsconf cannot see slot $slot"
    echo "export BANKKEY_OPENCRYPTOKI_MODULE='$module'"
    echo "export BANKKEY_OPENCRYPTOKI_SLOT='$slot'"
    echo "export BANKKEY_OPENCRYPTOKI_SO_PIN='87654321'"
    log "pkcsslotd running (pid $pid), soft token in slot $slot reset to factory state"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) die "usage: $0 start|stop" ;;
esac
