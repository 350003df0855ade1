"""`bankkey inspect`: through the installed console script, its exit codes, and `--json`
byte for byte against the Rust `inspect` example on every fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from conftest import FIXTURES, every_fixture_file

BANKKEY = [sys.executable, "-m", "bankkey"]


def run(args: List[str], **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def,type-arg]
    env = dict(os.environ, BANKKEY_LANG="en")
    env.update(kw.pop("env", {}))
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, **kw)


def rust_inspect() -> str:
    path = os.environ.get("BANKKEY_INSPECT")
    if not path:
        if os.environ.get("REQUIRE_ORACLES") == "1":
            pytest.fail("BANKKEY_INSPECT (the Rust inspect example) is not set")
        pytest.skip("BANKKEY_INSPECT not set (scripts/test-python.sh sets it)")
    return path


AT = "2030-06-01T00:00:00Z"


def test_json_equals_the_rust_inspect_on_every_fixture() -> None:
    rust = rust_inspect()
    trust = str(FIXTURES / "gost2012_256-A" / "ca.pem")
    files = every_fixture_file()
    assert len(files) > 60
    compared = 0
    for f in files:
        for extra in ([], ["--trust", trust]):
            args = [str(f), "--at", AT, *extra]
            r = run([rust, *args])
            p = run([*BANKKEY, "inspect", "--json", *args])
            assert p.stdout == r.stdout, f
            assert p.returncode == r.returncode, f
            compared += 1
    assert compared == 2 * len(files)


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).parent / "bankkey"
    assert exe.exists()
    r = run([str(exe), "--version"])
    assert r.returncode == 0 and r.stdout.startswith("bankkey ")


def test_exit_codes() -> None:
    cert = str(FIXTURES / "gost2012_256-A" / "cert.pem")
    ca = str(FIXTURES / "gost2012_256-A" / "ca.pem")
    assert run([*BANKKEY, "inspect", cert, "--trust", ca, "--at", AT]).returncode == 0
    assert run([*BANKKEY, "inspect", cert, "--at", AT]).returncode == 1  # untrusted
    assert run([*BANKKEY, "inspect", cert, "--trust", ca, "--at", "2040-01-01"]).returncode == 1
    assert run([*BANKKEY, "inspect", "/nonexistent.pem"]).returncode == 2
    assert run([*BANKKEY, "inspect", cert, "--at", "2030-01-01T00:00:00"]).returncode == 2
    assert run([*BANKKEY, "inspect"]).returncode == 2
    assert run([*BANKKEY, "nosuchcommand"]).returncode == 2
    bad_trust = run([*BANKKEY, "inspect", cert, "--trust", str(FIXTURES / "msg.bin")])
    assert bad_trust.returncode == 2 and "--trust" in bad_trust.stderr


def test_json_lines_for_several_files_parse_back() -> None:
    files = [str(FIXTURES / k / "cert.pem") for k in ("gost2012_256-A", "gost2012_512-B", "rsa2048")]
    r = run([*BANKKEY, "inspect", "--json", *files, "--at", AT])
    assert r.returncode == 1
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert [line["file"] for line in lines] == files
    assert all(line["kind"] == "certificate" for line in lines)
    assert all(line["reason"] == "untrusted" for line in lines)


@pytest.mark.parametrize("lang,word", [("ru", "Владелец"), ("en", "Subject")])
def test_text_output_in_two_languages(lang: str, word: str) -> None:
    cert = str(FIXTURES / "gost2012_256-A" / "cert.pem")
    r = run([*BANKKEY, "inspect", cert, "--lang", lang, "--at", AT])
    assert word in r.stdout
    assert "ООО «Ромашка»" in r.stdout


def test_password_from_the_environment_never_printed() -> None:
    key = str(FIXTURES / "encrypted" / "gost2012_256-A.aes-256-cbc.hmac-sha256.pem")
    r = run([*BANKKEY, "inspect", "--json", key], env={"BANKKEY_PASSWORD": "wrong-Secret-42"})
    assert "wrong-Secret-42" not in r.stdout + r.stderr
    assert json.loads(r.stdout)["kind"] == "private-key"
