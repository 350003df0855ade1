"""Tokens on SoftHSM2 (Debian's for ECDSA/RSA, the GOST build for GOST R 34.10-2012), as the
Rust tests use them (`eval "$(bash scripts/hsm.sh)"`): listing, PIN, key generation, signing,
certificates installed, the diagnosis and the `bankkey token` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest

import bankkey
from bankkey import pki, stores

UTC = timezone.utc
NOW = datetime.now(UTC)
SO_PIN = "12345678"
USER_PIN = "24681357"


def module_path(var: str) -> str:
    path = os.environ.get(var)
    if not path or "SOFTHSM2_CONF" not in os.environ:
        if os.environ.get("REQUIRE_HSM") == "1":
            pytest.fail(f"{var} is not set (REQUIRE_HSM=1): run eval \"$(bash scripts/hsm.sh)\"")
        pytest.skip(f"{var} not set: run eval \"$(bash scripts/hsm.sh)\" first")
    return path


def fresh_token(module: str) -> str:
    """A newly initialised token in a free slot; returns its label."""
    label = "py-" + uuid.uuid4().hex[:10]
    util = shutil.which("softhsm2-util")
    assert util, "softhsm2-util not found"
    r = subprocess.run(
        [util, "--module", module, "--init-token", "--free", "--label", label,
         "--so-pin", SO_PIN, "--pin", USER_PIN],
        capture_output=True, text=True, check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return label


def qualified_cert(ca_key: bankkey.SoftwareKey, ca: bankkey.Certificate, key: Any, cn: str) -> bankkey.Certificate:
    subject = bankkey.make_name(common_name=cn, surname="Иванов", given_name="Иван Иванович",
                                country="RU", inn="500100732259", snils="11223344595")
    req = bankkey.build_request(key, subject, sign_tool_class="КС1",
                                sign_tool="СКЗИ «КриптоПро CSP» (версия 5.0)", identification_kind=0,
                                key_usage=["digitalSignature", "nonRepudiation"])
    return pki.issue_certificate(req, ca_key, issuer=ca, not_before=NOW - timedelta(days=1),
                                 not_after=NOW + timedelta(days=20),
                                 issuer_sign_tool=("ПАК «УЦ»", "ПАК «УЦ»", "СФ/1", "СФ/2"))


def bankkey_cli(args: List[str]) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    env = dict(os.environ, BANKKEY_LANG="en")
    return subprocess.run([sys.executable, "-m", "bankkey", *args], capture_output=True,
                          text=True, env=env, check=False)


def findings(token: Dict[str, Any]) -> List[str]:
    return [f["finding"] for f in token["findings"]]


def test_token_keys_certificates_and_the_diagnosis() -> None:
    path = module_path("BANKKEY_SOFTHSM_MODULE")
    label = fresh_token(path)
    ca_key = bankkey.generate_key("ecdsa-p256")
    ca = pki.issue_certificate([("CN", "Test CA")], ca_key, ca=True,
                               not_before=NOW - timedelta(days=2), not_after=NOW + timedelta(days=400))
    with stores.Pkcs11Module(path) as module:
        assert label in [t["label"] for t in module.tokens()]
        with module.open_token(label=label) as token:
            assert token.pin_state == "ok"
            with pytest.raises(bankkey.PinIncorrectError):
                token.login("00000000")
            token.login(USER_PIN.encode())
            first = token.generate("ecdsa-p256", "first")
            assert first.kind == "key_without_certificate" and first.has_private_key
            d = module.diagnose(pin=USER_PIN)
            mine = next(t for t in d["tokens"] if t["label"] == label)
            assert "key_without_certificate" in findings(mine)
            # The token's login is the process's: shared, not checked again nor ended.
            assert "pin_correct" not in findings(mine) and mine["logged_in"]
            signer = token.signer(first)
            assert signer.public_key == first.public_key
            cert1 = qualified_cert(ca_key, ca, signer, "Первый")
            assert cert1.is_qualified, cert1.qualification_missing
            installed = token.install_certificate(cert1)
            assert installed.kind == "complete" and installed.certificate == cert1
            msg = b"payment order"
            cert1.public_key.verify(signer.sign(msg), msg)
            second = token.generate("ecdsa-p256", "second")
            token.install_certificate(qualified_cert(ca_key, ca, token.signer(second.id_hex), "Второй"))
            assert token.warnings()
        # Two qualified keys on one medium; both due for replacement (20 days left).
        d = module.diagnose(pin=USER_PIN, window_days=30)
        mine = next(t for t in d["tokens"] if t["label"] == label)
        assert "several_qualified_keys" in findings(mine)
        assert findings(mine).count("replacement_due") == 2
        assert mine["findings"][0]["severity"] == "warning"  # worst first
        order = ["info", "warning", "error"]
        every = [f["severity"] for t in d["tokens"] for f in t["findings"]] + [
            f["severity"] for f in d["findings"]
        ]
        assert d["worst"] == max(every, key=order.index)  # over every token of the module
        no_pin = next(t for t in module.diagnose()["tokens"] if t["label"] == label)
        assert "not_logged_in" in findings(no_pin)
        wrong = next(t for t in module.diagnose(pin="99999999")["tokens"] if t["label"] == label)
        assert "pin_incorrect" in findings(wrong)
        assert all(f["ru"] and f["en"] for f in mine["findings"])
    r = bankkey_cli(["token", "--module", path, "--pin", USER_PIN, "--json"])
    assert r.returncode == 1, r.stderr
    assert USER_PIN not in r.stdout + r.stderr
    doc = json.loads(r.stdout)
    mine = next(t for t in doc["tokens"] if t["label"] == label)
    assert {k["kind"] for k in mine["key_sets"]} == {"complete"}
    text = bankkey_cli(["token", "--module", path, "--lang", "ru"])
    assert "Токен" in text.stdout and label in text.stdout
    assert bankkey_cli(["token", "--module", "/nonexistent/libpkcs11.so"]).returncode == 2


def test_gost_on_the_token_signs_a_request_openssl_accepts(tmp_path: Path) -> None:
    path = module_path("BANKKEY_SOFTHSM_GOST_MODULE")
    label = fresh_token(path)
    with stores.Pkcs11Module(path) as module, module.open_token(label=label) as token:
        token.login(USER_PIN)
        ks = token.generate("gost2012-256-cryptopro-a", "gost")
        signer = token.signer(ks)
        assert signer.algorithm == "gost2012-256-cryptopro-a"
        subject = bankkey.make_name(common_name="Иванов Иван Иванович", surname="Иванов",
                                    given_name="Иван Иванович", country="RU",
                                    inn="500100732259", snils="11223344595")
        req = bankkey.build_request(signer, subject)
        req.verify()
        assert req.public_key == ks.public_key
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed") if os.environ.get("REQUIRE_ORACLES") == "1" else pytest.skip("no openssl")
    (tmp_path / "req.pem").write_text(req.to_pem())
    r = subprocess.run([openssl, "req", "-engine", "gost", "-in", str(tmp_path / "req.pem"),
                        "-verify", "-noout"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr


def test_file_container_as_a_context_manager(tmp_path: Path) -> None:
    with stores.FileContainer.create(tmp_path / "c", b"secret", kdf_iterations=1000) as c:
        ks = c.generate("gost2012-512-tc26-a", "k")
        key = bankkey.generate_key("gost2012-256-tc26-a")
        imported = c.import_key(key, "imported")
        assert imported.public_key == key.public_key
        assert {k.label for k in c.key_sets()} == {"k", "imported"}
        sig = c.signer(ks).sign(b"m")
        ks.public_key.verify(sig, b"m")  # type: ignore[union-attr]
        copy = c.backup_to(tmp_path / "backup")
        assert len(copy.key_sets()) == 2
    with pytest.raises(bankkey.PreconditionFailedError):
        c.key_sets()
    wrong = stores.FileContainer.open(tmp_path / "c", "not the password")
    with pytest.raises(bankkey.WrongPasswordError) as e:
        wrong.signer(ks.id)
    assert "not the password" not in str(e.value)


_TEMPLATE_SCRIPT = """
import sys
import bankkey
from bankkey import stores
fault, label, pin = sys.argv[1:4]
with stores.Pkcs11Module(fault) as module:
    with module.open_token(label=label) as token:
        token.login(pin)
        try:
            token.generate("ecdsa-p256", "refused")
        except bankkey.Pkcs11Error as e:
            print("refused", e.field, e.code, len(token.key_sets()))
        else:
            print("generated")
    with module.open_token(label=label, accept_extra_key_usages=True) as token:
        token.login(pin)
        kept = token.generate("ecdsa-p256", "kept")
        print("kept", kept.has_private_key, len(token.key_sets()))
"""


def test_a_token_that_adds_a_usage_is_refused_unless_accepted(tmp_path: Path) -> None:
    """The fault-injecting module (tests/pkcs11-fault) before SoftHSM flips CKA_DERIVE on every
    generated private key, as a token that forces extra usages would: generation is refused
    with the attribute named and nothing left; with accept_extra_key_usages=True it is kept.
    In a child process: the fault module reads its control variables once, when loaded."""
    softhsm = module_path("BANKKEY_SOFTHSM_MODULE")
    fault = os.environ.get("BANKKEY_FAULT_MODULE")
    if not fault or not os.path.exists(fault):
        if os.environ.get("REQUIRE_HSM") == "1":
            pytest.fail("BANKKEY_FAULT_MODULE is not built (scripts/test-python.sh builds it)")
        pytest.skip("BANKKEY_FAULT_MODULE not set: cargo build -p bankkey-pkcs11-fault")
    label = fresh_token(softhsm)
    env = dict(os.environ, BKFAULT_MODULE=softhsm, BKFAULT_TEMPLATE="private:0x10C:flip")
    r = subprocess.run([sys.executable, "-c", _TEMPLATE_SCRIPT, fault, label, USER_PIN],
                       capture_output=True, text=True, env=env, check=False, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.split("\n")
    assert lines[0] == f"refused CKA_DERIVE {bankkey.Pkcs11Error.code} 0", r.stdout
    assert lines[1] == "kept True 1", r.stdout
