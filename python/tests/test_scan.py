"""`bankkey.scan` (the core's bulk assessment, without the GIL), `verify_many`, and the
`bankkey scan` command, on the fixtures and on altered copies of them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List

import pytest
from conftest import FIXTURES, GOST_TYPES, KEY_TYPES, REALWORLD

import bankkey

UTC = timezone.utc
CERT = FIXTURES / "gost2012_256-A" / "cert.pem"
CA = FIXTURES / "gost2012_256-A" / "ca.pem"


def with_bad_inn(der: bytes) -> bytes:
    """The certificate with the last digit of its person INN changed (the signature breaks;
    a scan without trust anchors does not look at it)."""
    inn = b"500301234503"
    i = der.find(inn)
    assert i > 0
    return der[: i + 11] + b"4" + der[i + 12 :]


def test_groups_at_chosen_moments() -> None:
    cert = bankkey.load_certificate(CERT)
    na = cert.not_after
    cases = [
        (na - timedelta(days=31), "fine", "active"),
        (na - timedelta(days=30), "replacement-due", "scheduled_replacement_required"),
        (na, "replacement-due", "scheduled_replacement_required"),
        (na + timedelta(seconds=1), "expired", "expired"),
        (cert.not_before - timedelta(seconds=1), "not-yet-valid", "active"),
    ]
    for at, group, status in cases:
        [entry] = bankkey.scan([cert.to_der()], at=at)
        assert (entry.group, entry.status) == (group, status), at
        assert entry.certificate == cert
        assert entry.days_left == cert.days_left(at=at)
    [entry] = bankkey.scan([cert.to_der()], at=na - timedelta(days=40), window_days=45)
    assert entry.group == "replacement-due"


def test_bad_identifiers_unreadable_and_untrusted() -> None:
    cert = bankkey.load_certificate(CERT)
    at = cert.not_before + timedelta(days=1)
    bad = with_bad_inn(cert.to_der())
    entries = bankkey.scan([bad, b"garbage", CERT], at=at)
    assert [e.group for e in entries] == ["bad-identifiers", "unreadable", "fine"]
    assert entries[0].reason == "bad-inn-checksum"
    assert "500301234504" in (entries[0].message or "")
    assert not entries[0].chain_checked
    assert entries[1].certificate is None and entries[1].error_code == 1001
    assert [e.input for e in entries] == [0, 1, 2]
    ca = bankkey.load_certificate(CA)
    trusted = bankkey.scan([bad, CERT], at=at, trust=[ca])
    assert [e.group for e in trusted] == ["untrusted", "fine"]
    assert trusted[0].reason == "bad-signature"
    assert all(e.chain_checked for e in trusted)


def test_a_bundle_gives_an_entry_per_certificate() -> None:
    bundle = CERT.read_text() + "\n" + CA.read_text()
    entries = bankkey.scan([bundle])
    assert [e.input for e in entries] == [0, 0]
    assert entries[1].certificate == bankkey.load_certificate(CA)


def test_one_thread_and_every_core_agree_and_the_gil_is_released() -> None:
    data = [(FIXTURES / k / "cert.pem").read_bytes() for k in KEY_TYPES] * 400
    at = datetime(2030, 1, 1, tzinfo=UTC)
    one = bankkey.scan(data, at=at, threads=1)
    many = bankkey.scan(data, at=at)
    assert [(e.input, e.group, e.days_left) for e in one] == [
        (e.input, e.group, e.days_left) for e in many
    ]
    # A Python thread keeps running while the scan works.
    ticks: List[int] = []
    done = threading.Event()

    def ticker() -> None:
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    started = time.perf_counter()
    for _ in range(3):
        bankkey.scan(data * 3, at=at, threads=1)
    elapsed = time.perf_counter() - started
    done.set()
    t.join()
    # With the GIL held the ticker would not run at all during the scans.
    assert elapsed < 0.05 or len(ticks) >= 5


def test_scan_agrees_with_pyca_on_every_certificate_it_reads() -> None:
    x509 = pytest.importorskip("cryptography.x509")
    files = [FIXTURES / k / n for k in KEY_TYPES for n in ("cert.pem", "ca.pem")]
    files += sorted((REALWORLD / "certs").iterdir())
    at = datetime(2026, 12, 1, tzinfo=UTC)
    entries = bankkey.scan(files, at=at)
    compared = 0
    for e in entries:
        if e.certificate is None:
            continue
        try:
            theirs = x509.load_der_x509_certificate(e.certificate.to_der())
        except ValueError:
            continue  # pyca refuses some old encodings we read
        assert e.certificate.serial_number == theirs.serial_number
        assert e.certificate.not_after == theirs.not_valid_after_utc
        expired = at > theirs.not_valid_after_utc
        assert (e.status == "expired") == expired
        compared += 1
    assert compared >= 30


@pytest.mark.parametrize("key_type", GOST_TYPES)
def test_verify_many(key_type: str) -> None:
    pub = bankkey.load_public_key(FIXTURES / key_type / "pub.pem")
    msg = (FIXTURES / "msg.bin").read_bytes()
    sig = (FIXTURES / key_type / "msg.sig").read_bytes()
    results = bankkey.verify_many([(pub, msg, sig), (pub, msg + b"x", sig)] * 3, threads=2)
    assert results[0::2] == [None] * 3
    assert all(isinstance(r, bankkey.BadSignatureError) for r in results[1::2])
    with pytest.raises(bankkey.InvalidInputError):
        bankkey.verify_many([(b"not a key", msg, sig)])  # type: ignore[list-item]


# ------------------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------------------


def archive(tmp: Path) -> Path:
    d = tmp / "archive"
    (d / "2026" / "nested").mkdir(parents=True)
    for k in KEY_TYPES:
        (d / "2026" / f"{k}.cer").write_bytes(bankkey.load_certificate(FIXTURES / k / "cert.pem").to_der())
    (d / "2026" / "nested" / "bad-inn.cer").write_bytes(
        with_bad_inn(bankkey.load_certificate(CERT).to_der())
    )
    (d / "readme.txt").write_text("not a certificate")
    (d / ".hidden").write_text("skipped")
    return d


def run(args: List[str]) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    env = dict(os.environ, BANKKEY_LANG="en")
    return subprocess.run(
        [sys.executable, "-m", "bankkey", *args], capture_output=True, text=True, env=env, check=False
    )


def test_scan_command_json_lines(tmp_path: Path) -> None:
    d = archive(tmp_path)
    na = bankkey.load_certificate(CERT).not_after
    at = (na - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = run(["scan", str(d), "--days", "30", "--at", at, "--json"])
    assert r.returncode == 1, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == len(KEY_TYPES) + 2
    groups = {Path(row["file"]).name: row["group"] for row in rows}
    assert groups["readme.txt"] == "unreadable"
    assert groups["bad-inn.cer"] == "bad-identifiers"
    assert groups["gost2012_256-A.cer"] == "replacement-due"
    assert ".hidden" not in groups
    due = [row for row in rows if row["group"] == "replacement-due"]
    assert all(row["days_left"] == 10 or row["days_left"] == 9 for row in due)
    assert due[0]["inn"] == "7707083893" and due[0]["ogrn"] == "1027700132195"
    # Worst group first.
    order = [bankkey.SCAN_GROUPS.index(row["group"]) for row in rows]
    assert order == sorted(order)
    assert "\x1b" not in r.stderr  # no progress bar when stderr is not a terminal


def test_scan_command_csv_and_text(tmp_path: Path) -> None:
    d = archive(tmp_path)
    r = run(["scan", str(d), "--at", "2030-01-01", "--csv"])
    table = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(table) == len(KEY_TYPES) + 2
    assert {row["group"] for row in table} == {"fine", "bad-identifiers", "unreadable"}
    text = run(["scan", str(d), "--at", "2030-01-01", "--lang", "ru"])
    assert "Ошибка в идентификаторах" in text.stdout
    assert "bad-inn.cer" in text.stdout
    assert text.returncode == 1


def test_scan_command_exit_codes(tmp_path: Path) -> None:
    d = tmp_path / "fine"
    d.mkdir()
    (d / "a.pem").write_bytes(CERT.read_bytes())
    assert run(["scan", str(d), "--at", "2030-01-01"]).returncode == 0
    assert run(["scan", str(tmp_path / "missing")]).returncode == 2
    assert run(["scan", str(d), "--at", "soon"]).returncode == 2
    r = run(["scan", str(d), "--trust", str(CA), "--at", "2030-01-01", "--json"])
    assert r.returncode == 0 and json.loads(r.stdout)["group"] == "fine"
