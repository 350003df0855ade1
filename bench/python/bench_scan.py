"""Side-by-side: scanning GOST certificates from Python with bankkey and with pyca/cryptography,
and the cost of the Python layer over the Rust calls it wraps. Run by scripts/bench-python.sh.

The corpus is bench/openssl_gost.c's (`--make-certs N`: N distinct GOST certificates signed by
one CA, legal entities, persons and entrepreneurs, 2% with a wrong INN check digit, 1.4% with
a wrong OGRN check digit, some expired or not yet valid), read into memory first: every side
gets the same list of DER byte strings, so file reading is not timed.

What each side does per certificate, at 2026-12-01T00:00:00Z:
- pyca: `x509.load_der_x509_certificate`, the subject's INNLE, INN, OGRN, OGRNIP and SNILS by
  OID, their check digits in Python (the rules of ident.rs), notBefore/notAfter against the
  date, the days left, the verdict (first of bad-inn, bad-ogrn, bad-snils, not-yet-valid,
  expired, replacement-due within 30 days, fine). pyca cannot verify GOST signatures, so
  neither side checks the issuer's signature here.
- bankkey, per object: `Certificate.from_bytes`, `days_left(at=)`, the subject's identifier
  check (`Name.identifiers_valid`, the core's), validity, the same verdict, in a Python loop.
- bankkey.scan(threads=1): the core's bulk scan, one thread, the GIL released: the same checks
  and the group of each certificate, plus its entry object.
- bankkey.scan(): the same on every core.
The group counts of all four must agree (the script fails otherwise).

Timing on a shared machine: the sides run in turn, round after round (a load that comes and
goes falls on all alike); the one-core rows are compared by the CPU time of the process (the
work done on one core, whatever else runs), the every-core row by wall-clock time (what a
user waits). The layer rows compare the CPU time of one thread: a Python loop of N calls
against the same N calls looped inside Rust on that thread (`_native._rust_baseline`).
"""

from __future__ import annotations

import os
import statistics
import struct
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Callable, Dict, List, Tuple

import bankkey
from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier

AT = datetime(2026, 12, 1, tzinfo=timezone.utc)
WINDOW = timedelta(days=30)

OID_INN = ObjectIdentifier("1.2.643.3.131.1.1")
OID_INNLE = ObjectIdentifier("1.2.643.100.4")
OID_OGRN = ObjectIdentifier("1.2.643.100.1")
OID_OGRNIP = ObjectIdentifier("1.2.643.100.5")
OID_SNILS = ObjectIdentifier("1.2.643.100.3")


def read_corpus(path: str) -> List[bytes]:
    data = open(path, "rb").read()
    out, off = [], 0
    while off < len(data):
        (n,) = struct.unpack_from(">I", data, off)
        out.append(data[off + 4 : off + 4 + n])
        off += 4 + n
    return out


# ---- the identifier rules, in Python, for the pyca side -------------------------------------

W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
W11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
W12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _wsum(d: str, w: Tuple[int, ...]) -> int:
    return sum(int(c) * k for c, k in zip(d, w)) % 11 % 10


def inn_ok(v: str) -> bool:
    if not v.isdigit():
        return False
    if len(v) == 12 and v.startswith("00"):  # legacy: an entity's INN as "00" + 10 digits
        v = v[2:]
    if len(v) == 10:
        return _wsum(v, W10) == int(v[9])
    if len(v) == 12:
        return _wsum(v, W11) == int(v[10]) and _wsum(v, W12) == int(v[11])
    return False


def ogrn_ok(v: str) -> bool:
    return len(v) == 13 and v.isdigit() and int(v[:12]) % 11 % 10 == int(v[12])


def ogrnip_ok(v: str) -> bool:
    return len(v) == 15 and v.isdigit() and int(v[:14]) % 13 % 10 == int(v[14])


def snils_ok(v: str) -> bool:
    v = v.replace("-", "").replace(" ", "")
    if len(v) != 11 or not v.isdigit():
        return False
    if v[:9] <= "001001998":
        return True
    s = sum(int(c) * (9 - i) for i, c in enumerate(v[:9]))
    check = s if s < 100 else s % 101
    if check == 100:
        check = 0
    return check == int(v[9:])


def pyca_scan(corpus: List[bytes]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for der in corpus:
        try:
            c = x509.load_der_x509_certificate(der)
            subject = c.subject
            bad = None
            for oid, ok, reason in (
                (OID_INNLE, inn_ok, "bad-identifiers"),
                (OID_INN, inn_ok, "bad-identifiers"),
                (OID_OGRN, ogrn_ok, "bad-identifiers"),
                (OID_OGRNIP, ogrnip_ok, "bad-identifiers"),
                (OID_SNILS, snils_ok, "bad-identifiers"),
            ):
                for a in subject.get_attributes_for_oid(oid):
                    if not ok(str(a.value)):
                        bad = reason
            nb, na = c.not_valid_before_utc, c.not_valid_after_utc
            _days = (na - AT) // timedelta(days=1)
            if AT > na:
                group = "expired"
            elif AT < nb:
                group = "not-yet-valid"
            elif bad:
                group = bad
            elif na - AT <= WINDOW:
                group = "replacement-due"
            else:
                group = "fine"
        except ValueError:
            group = "unreadable"
        counts[group] = counts.get(group, 0) + 1
    return counts


def bankkey_loop(corpus: List[bytes]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    Certificate = bankkey.Certificate
    for der in corpus:
        try:
            c = Certificate.from_bytes(der)
            _days = c.days_left(at=AT)
            ok = c.subject.identifiers_valid
            nb, na = c.not_before, c.not_after
            if AT > na:
                group = "expired"
            elif AT < nb:
                group = "not-yet-valid"
            elif not ok:
                group = "bad-identifiers"
            elif na - AT <= WINDOW:
                group = "replacement-due"
            else:
                group = "fine"
        except bankkey.BankKeyError:
            group = "unreadable"
        counts[group] = counts.get(group, 0) + 1
    return counts


def bankkey_batch(corpus: List[bytes], threads: "int | None") -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for e in bankkey.scan(corpus, at=AT, threads=threads):
        counts[e.group] = counts.get(e.group, 0) + 1
    return counts


def interleaved(rounds: int, sides: List[Tuple[str, Callable[[], Dict[str, int]]]]) -> Dict[str, Tuple[float, float, Dict[str, int]]]:
    """Each side once per round, the sides in turn, so that a load that comes and goes on a
    shared machine falls on every side alike; per side the best wall-clock time and the best
    CPU time of the process (which for one thread is the work on one core, whatever else
    the machine runs)."""
    best: Dict[str, Tuple[float, float, Dict[str, int]]] = {}
    for _ in range(rounds):
        for name, f in sides:
            w0, c0 = time.perf_counter(), time.process_time()
            result = f()
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            old = best.get(name)
            best[name] = (min(wall, old[0]) if old else wall, min(cpu, old[1]) if old else cpu, result)
    return best


def layer(rounds: int) -> List[Tuple[str, float, float]]:
    """The binding's cost over the Rust call it wraps: the same operation N times from a
    Python loop and N times inside Rust (`_native._rust_baseline`), in one process."""
    here = os.environ["BANKKEY_FIXTURES"]
    cert = open(os.path.join(here, "gost2012_256-A", "cert.pem"), "rb").read()
    ca = bankkey.load_certificate(open(os.path.join(here, "gost2012_256-A", "ca.pem"), "rb").read())
    pub = bankkey.load_public_key(open(os.path.join(here, "gost2012_256-A", "pub.pem"), "rb").read())
    msg = open(os.path.join(here, "msg.bin"), "rb").read()
    sig = open(os.path.join(here, "gost2012_256-A", "msg.sig"), "rb").read()
    at = datetime(2030, 1, 1, tzinfo=timezone.utc)
    out = []
    n = 2000
    for name, py_call, rust in (
        (
            "inspect (certificate, chain to the CA, GOST-256)",
            lambda: bankkey.inspect(cert, at=at, trust=[ca]),
            lambda: bankkey._native._rust_baseline("inspect", n, data=cert, at=at, trust=[ca]),
        ),
        (
            "GOST-256 verify (PublicKey.verify)",
            lambda: pub.verify(sig, msg),
            lambda: bankkey._native._rust_baseline("verify", n, key=pub, data=msg, signature=sig),
        ),
    ):
        # CPU time of this thread on both sides (`_rust_baseline` runs its loop on the calling
        # thread with the GIL released): what the layer costs, not what the neighbours cost.
        py_times, rust_times = [], []
        for _ in range(max(rounds, 5)):
            t0 = time.thread_time()
            for _ in range(n):
                py_call()
            py_times.append((time.thread_time() - t0) / n)
            t0 = time.thread_time()
            rust()
            rust_times.append((time.thread_time() - t0) / n)
        out.append((name, statistics.median(py_times), statistics.median(rust_times)))
    return out


def main() -> int:
    corpus = read_corpus(sys.argv[1])
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    n = len(corpus)
    print(f"corpus: {n:,} GOST certificates, {sum(map(len, corpus)) // n} bytes each on average")
    print(f"python {sys.version.split()[0]}, cryptography {__import__('cryptography').__version__}, "
          f"bankkey {bankkey.__version__}, {os.cpu_count()} cores; best of {rounds} interleaved rounds")
    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    cores = os.cpu_count()
    sides: List[Tuple[str, Callable[[], Dict[str, int]]]] = [
        ("pyca/cryptography, Python loop, 1 core", lambda: pyca_scan(corpus)),
        ("bankkey objects, Python loop, 1 core", lambda: bankkey_loop(corpus)),
        ("bankkey.scan(threads=1)", lambda: bankkey_batch(corpus, 1)),
        (f"bankkey.scan(), every core ({cores})", lambda: bankkey_batch(corpus, None)),
    ]
    best = interleaved(rounds, sides)
    pyca_wall, pyca_cpu, c_pyca = best[sides[0][0]]
    print()
    print("| scan of the corpus | CPU seconds | × pyca (CPU) | wall seconds | certificates/s (wall) | × pyca (wall) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _ in sides:
        wall, cpu, _c = best[name]
        many = name.startswith("bankkey.scan(),")
        cpu_cells = f"({cpu:.3f}) | — " if many else f"{cpu:.3f} | {pyca_cpu / cpu:.2f}×"
        print(f"| {name} | {cpu_cells} | {wall:.3f} | {n / wall:,.0f} | {pyca_wall / wall:.2f}× |")
    print()
    print("groups:", dict(sorted(c_pyca.items())))
    ok = all(dict(sorted(c.items())) == dict(sorted(c_pyca.items())) for _, _, c in best.values())
    if not ok:
        for name, (_, _, c) in best.items():
            print(f"  {name}: {dict(sorted(c.items()))}", file=sys.stderr)
        print("bench: the sides disagree on the groups", file=sys.stderr)
        return 1
    print()
    print("| operation (thread CPU time, median) | from Python | inside Rust | Python layer |")
    print("|---|---:|---:|---:|")
    for name, py_s, rust_s in layer(rounds):
        print(f"| {name} | {py_s * 1e6:.1f} µs | {rust_s * 1e6:.1f} µs | {(py_s / rust_s - 1) * 100:+.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
