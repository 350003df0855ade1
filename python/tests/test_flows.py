"""The flows end to end from Python, client and bank in one process on a file container:
initial generation with paper acts, remote regeneration, the registry's support queries
(read-only, the file unchanged), the documents, `check-request`, `registry`, `act`, and the
two examples."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from conftest import REPO

import bankkey
from bankkey import bank, documents, lifecycle, pki, stores

UTC = timezone.utc
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
SUBJECT = bankkey.make_name(
    common_name="ООО «Ромашка»",
    surname="Иванов",
    given_name="Иван Иванович",
    title="Генеральный директор",
    organization="ООО «Ромашка»",
    locality="г. Москва",
    state="77 г. Москва",
    country="RU",
    innle="7707083893",
    ogrn="1027700132195",
    snils="11223344595",
)


def run(args: List[str], **kw: Any) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    env = dict(os.environ, BANKKEY_LANG="en")
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, check=False, **kw
    )


class World:
    """A bank with its CA and registry, a client with its container and journal."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.ca_key = bankkey.generate_key("gost2012-256-cryptopro-a")
        self.ca = pki.issue_certificate(
            [("CN", "УЦ Банка"), ("O", "АО «Банк»"), ("C", "RU")],
            self.ca_key,
            ca=True,
            not_before=T0 - timedelta(days=30),
            not_after=T0 + timedelta(days=3650),
        )
        (tmp / "ca.pem").write_text(self.ca.to_pem())
        self.registry = tmp / "bank.db"
        self.bank = bank.Bank(self.registry, self.ca, self.ca_key)
        self.container = stores.FileContainer.create(tmp / "medium", "пароль", kdf_iterations=1000)
        self.client = lifecycle.Client(self.container, tmp / "journal.db", at=T0, trust=[self.ca])

    def initial_paper_flow(self) -> Tuple[lifecycle.Regeneration, bankkey.Certificate]:
        c, b = self.client, self.bank
        assert c.assess(at=T0)["status"] == "initial_generation_required"
        b.preregister(SUBJECT, at=T0)
        r = c.start("paper_acts", "gost2012-256-cryptopro-a", SUBJECT, at=T0)
        assert lifecycle.RequestStatus(r.status) is lifecycle.RequestStatus.NEW
        c.sign(r.id, at=T0)
        data = c.send(r.id, at=T0)
        got = b.receive(data, flow="paper_acts", at=T0)
        assert got["status"] == "awaiting_paper_documents", got
        assert isinstance(got["paper_check_by"], date)
        c.bank_status(r.id, got["status"], at=T0)
        act = documents.act(r.request, bank="АО «Банк»", date=T0.date())
        text = act.text()
        assert "АКТ ПРИЗНАНИЯ ОТКРЫТОГО КЛЮЧА" in text
        assert act.pdf().startswith(b"%PDF")
        assert "<html" in act.html().lower()
        key_hex = r.request.public_key.key_bits.hex().upper()
        documents.check_act_key(" ".join(key_hex[i : i + 4] for i in range(0, len(key_hex), 4)), r.request)
        checked = b.check_paper_act(got["request_id"], key_hex, at=T0 + timedelta(hours=2))
        assert checked["status"] == "awaiting_paper_documents" and checked["rejection"] is None
        cert = b.issue(got["request_id"], at=T0 + timedelta(days=1))
        c.receive_certificate(r.id, cert, at=T0 + timedelta(days=1))
        done = c.activate(r.id, at=T0 + timedelta(days=1))
        assert done.status == "activated"
        assert lifecycle.RequestStatus(done.status).ru == "Вы переведены на работу с новым комплектом ключей"
        assert c.assess(at=T0 + timedelta(days=2))["status"] == "active"
        return done, cert


def test_initial_paper_flow_then_remote_regeneration(tmp_path: Path) -> None:
    w = World(tmp_path)
    _, first = w.initial_paper_flow()
    c, b = w.client, w.bank
    later = first.not_after - timedelta(days=20)
    a = c.assess(at=later)
    assert a["status"] == "scheduled_replacement_required"
    assert a["ru"] == "Необходима плановая замена сертификата"
    r = c.start("remote", "gost2012-256-tc26-a", SUBJECT, at=later)
    with pytest.raises(bankkey.PreconditionFailedError) as pre:
        c.sign(r.id, outgoing=["платёжное поручение № 12"], at=later)
    assert pre.value.field == "outgoing_documents"
    c.sign(r.id, at=later)
    data = c.send(r.id, at=later)
    signed = bankkey.SignedRequest.from_bytes(data)
    assert signed.request == r.request
    # The bank's read-only check first, as support would run it.
    with bank.Registry.open_read_only(w.registry) as reg:
        v = bank.verify_request(data, registry=reg, trust=[w.ca], at=later)
    assert v["accepted"], v
    tampered = bytearray(data)
    tampered[-10] ^= 1
    with bank.Registry.open_read_only(w.registry) as reg:
        bad = bank.verify_request(bytes(tampered), registry=reg, trust=[w.ca], at=later)
    assert not bad["accepted"] and bad["rejection"]["ru"]
    got = b.receive(data, flow="remote", at=later)
    assert got["status"] == "accepted_by_bank", got
    c.bank_status(r.id, "accepted_by_bank", at=later)
    cert = b.issue(got["request_id"], at=later)
    c.receive_certificate(r.id, cert, at=later)
    done = c.activate(r.id, at=later)
    assert done.old_key_retired
    current = c.current_key_set()
    assert current is not None and current.certificate == cert
    assert c.assess(at=later)["status"] == "active"
    assert [x.status for x in c.regenerations()] == ["activated", "activated"]
    ids = [x.id for x in c.regenerations()]
    c.close()
    with pytest.raises(bankkey.PreconditionFailedError):
        c.regenerations()
    # Reopened: the journal replays to the same state.
    again = lifecycle.Client(w.container, tmp_path / "journal.db", at=later)
    assert [x.id for x in again.regenerations()] == ids
    assert again.current_key_set().certificate == cert  # type: ignore[union-attr]
    again.close()
    w.bank.close()


def test_registry_queries_read_only_and_the_cli(tmp_path: Path) -> None:
    w = World(tmp_path)
    _, cert = w.initial_paper_flow()
    w.bank.close()
    db = w.registry
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    at = cert.not_after - timedelta(days=10)
    with bank.Registry.open_read_only(db) as reg:
        due = reg.expiring_within(30, at=at)
        assert [row["serial"] for row in due] == [cert.serial]
        assert due[0]["days_left"] == 10
        assert reg.awaiting_paper() == []
        history = reg.history("7707083893")
        assert [e["what"] for e in history][:1] == ["subscriber_registered"]
        assert any(e["to"] == "certificate_issued" for e in history)
    with pytest.raises(bankkey.BankKeyError) as missing:
        bank.Registry.open_read_only(tmp_path / "no-such.db")
    assert "no-such.db" in str(missing.value)
    at_text = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    r = run(["-m", "bankkey", "registry", str(db), "due", "--at", at_text, "--json"])
    assert r.returncode == 1, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0]["serial"] == cert.serial and rows[0]["days_left"] == 10
    # The core's JSON rows, as the C ABI gives them: RFC 3339 times with a `_unix` twin.
    assert rows[0]["not_after_unix"] == int(cert.not_after.timestamp())
    with bank.Registry.open_read_only(db) as reg:
        assert [json.loads(x) for x in reg.json_lines("due", at=at)] == rows
        events = [json.loads(x) for x in reg.json_lines("history", who="11223344595")]
        assert [e["what"] for e in events] == [e["what"] for e in reg.history("11223344595")]
        with pytest.raises(bankkey.InvalidInputError):
            reg.json_lines("everything")
    r = run(["-m", "bankkey", "registry", str(db), "history", "7707083893", "--json"])
    assert r.returncode == 0 and all(json.loads(x)["at_unix"] for x in r.stdout.splitlines())
    r = run(["-m", "bankkey", "registry", str(db), "history", "11223344595", "--csv"])
    assert r.returncode == 0 and "certificate_issued" in r.stdout
    r = run(["-m", "bankkey", "registry", str(db), "awaiting-paper"])
    assert r.returncode == 0
    assert run(["-m", "bankkey", "registry", str(tmp_path / "none.db"), "due"]).returncode == 2
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_check_request_and_act_commands_and_the_examples(tmp_path: Path) -> None:
    w = World(tmp_path)
    _, first = w.initial_paper_flow()
    later = first.not_after - timedelta(days=5)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    r = w.client.start("remote", "gost2012-256-cryptopro-a", SUBJECT, at=later)
    w.client.sign(r.id, at=later)
    good = w.client.send(r.id, at=later)
    (inbox / "01-good.p7s").write_bytes(good)
    stranger_key = bankkey.generate_key("gost2012-256-cryptopro-a")
    stranger_ca_key = bankkey.generate_key("gost2012-256-cryptopro-a")
    stranger_ca = pki.issue_certificate([("CN", "Чужой УЦ")], stranger_ca_key, ca=True,
                                        not_before=T0, not_after=T0 + timedelta(days=3650))
    stranger = pki.issue_certificate(SUBJECT, stranger_ca_key, issuer=stranger_ca,
                                     public_key=stranger_key.public_key,
                                     not_before=T0, not_after=T0 + timedelta(days=3650))
    req = bankkey.build_request(bankkey.generate_key("gost2012-256-cryptopro-a"), SUBJECT)
    (inbox / "02-stranger.p7s").write_bytes(pki.sign_request(req, stranger_key, stranger).to_der())
    w.bank.close()
    at = later.strftime("%Y-%m-%dT%H:%M:%SZ")
    ok = run(["-m", "bankkey", "check-request", str(inbox / "01-good.p7s"), "--trust",
              str(tmp_path / "ca.pem"), "--registry", str(w.registry), "--at", at, "--json"])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["accepted"] is True
    no = run(["-m", "bankkey", "check-request", str(inbox / "02-stranger.p7s"), "--trust",
              str(tmp_path / "ca.pem"), "--registry", str(w.registry), "--at", at, "--lang", "ru"])
    assert no.returncode == 1 and "отвергнут" in no.stdout
    pdf = tmp_path / "act.pdf"
    a = run(["-m", "bankkey", "act", str(inbox / "01-good.p7s"), "--format", "pdf", "-o", str(pdf),
             "--bank", "АО «Банк»", "--date", "2027-03-01"])
    assert a.returncode == 0, a.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    t = run(["-m", "bankkey", "act", str(inbox / "01-good.p7s"), "--bank", "АО «Банк»"])
    assert "АКТ ПРИЗНАНИЯ ОТКРЫТОГО КЛЮЧА" in t.stdout
    # The examples.
    ex = REPO / "examples" / "python"
    inc = run([str(ex / "incoming_requests.py"), str(inbox), "--registry", str(w.registry),
               "--trust", str(tmp_path / "ca.pem"), "--at", at])
    assert inc.returncode == 1, inc.stdout + inc.stderr
    assert "01-good.p7s: accepted" in inc.stdout and "02-stranger.p7s: rejected" in inc.stdout
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "client.cer").write_bytes(first.to_der())
    (archive / "ca.pem").write_text(w.ca.to_pem())
    out = tmp_path / "due.csv"
    # The first day of the month in which the replacement window opens.
    month = (first.not_after - timedelta(days=30)).replace(day=1).strftime("%Y-%m-%d")
    due = run([str(ex / "due_this_month.py"), str(archive), str(out), "--at", month])
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert due.returncode == 1, due.stdout + due.stderr
    assert [row["serial"] for row in rows] == [first.serial]
    assert rows[0]["inn"] == "7707083893"
    # A month earlier the window is still closed at the month's last second.
    earlier = (first.not_after - timedelta(days=31)).replace(day=1) - timedelta(days=1)
    before = run([str(ex / "due_this_month.py"), str(archive), str(out), "--at",
                  earlier.strftime("%Y-%m-%d")])
    assert before.returncode == 0, before.stdout + before.stderr
    assert list(csv.DictReader(out.open(encoding="utf-8"))) == []
