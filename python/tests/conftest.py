"""Shared fixtures: where the repository's test files are, and the oracles' switches.

The tests run against the *installed* wheel (scripts/test-python.sh installs it into a fresh
virtual environment), never against the source folder: the check below makes sure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import bankkey

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "core" / "tests" / "fixtures" / "openssl"
REALWORLD = REPO / "tests" / "realworld"

#: The fixture folders of `scripts/make-fixtures.sh`, one per key type.
KEY_TYPES = sorted(
    p.name for p in FIXTURES.iterdir() if p.is_dir() and (p / "cert.pem").exists()
)
GOST_TYPES = [k for k in KEY_TYPES if k.startswith("gost")]


def pytest_configure(config: pytest.Config) -> None:
    installed = Path(bankkey.__file__).resolve()
    if REPO / "python" in installed.parents and os.environ.get("BANKKEY_ALLOW_SOURCE") != "1":
        raise pytest.UsageError(
            f"bankkey is imported from the source tree ({installed}), not from the built wheel: "
            "run scripts/test-python.sh"
        )


def require(tool: str) -> str:
    """The path of an oracle; skips without it, fails under REQUIRE_ORACLES=1."""
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("REQUIRE_ORACLES") == "1":
            pytest.fail(f"{tool} is required (REQUIRE_ORACLES=1) but not installed")
        pytest.skip(f"{tool} not installed")
    return path


def openssl_gost_ok() -> bool:
    r = subprocess.run(
        ["openssl", "engine", "gost", "-c"], capture_output=True, text=True, check=False
    )
    return r.returncode == 0


@pytest.fixture
def openssl() -> str:
    path = require("openssl")
    if not openssl_gost_ok():
        if os.environ.get("REQUIRE_ORACLES") == "1":
            pytest.fail("the OpenSSL gost engine does not load (REQUIRE_ORACLES=1)")
        pytest.skip("the OpenSSL gost engine does not load")
    return path


def _missing(what: str) -> None:
    if os.environ.get("REQUIRE_ORACLES") == "1":
        pytest.fail(f"{what} is required (REQUIRE_ORACLES=1) but not available")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def xmlsec1(tmp_path_factory: pytest.TempPathFactory) -> Tuple[str, Dict[str, str]]:
    """xmlsec1 built with GOST (`scripts/xmlsec-gost.sh`, cached; `BANKKEY_XMLSEC1` names
    another) and the environment that loads OpenSSL's gost engine for it, as the Rust tests
    use them (core/tests/xmldsig_xmlsec.rs)."""
    path = os.environ.get("BANKKEY_XMLSEC1", "")
    if not path:
        built = subprocess.run(
            ["bash", str(REPO / "scripts" / "xmlsec-gost.sh")],
            stdout=subprocess.PIPE, text=True, check=False,
        )
        if built.returncode != 0:
            _missing("xmlsec1 with GOST (scripts/xmlsec-gost.sh)")
        path = built.stdout.strip()
    engines = subprocess.run(["openssl", "version", "-e"], capture_output=True, text=True, check=False)
    parts = engines.stdout.split('"')
    so = Path(parts[1] if len(parts) > 1 else "/usr/lib/x86_64-linux-gnu/engines-3") / "gost.so"
    if not so.exists():
        _missing("the OpenSSL gost engine (libengine-gost-openssl)")
    cnf = "\n".join(
        f"dynamic_path = {so}" if line.startswith("dynamic_path") else line
        for line in (REPO / "scripts" / "openssl-gost.cnf").read_text().splitlines()
    )
    cnf_path = tmp_path_factory.mktemp("xmlsec") / "openssl-gost.cnf"
    cnf_path.write_text(cnf + "\n")
    return path, {**os.environ, "OPENSSL_CONF": str(cnf_path)}


def every_fixture_file() -> List[Path]:
    """Every object file the Rust inspect reads: the OpenSSL/GnuTLS fixtures and the
    real-world artefacts (certificates, requests, CMS, keys)."""
    files: List[Path] = []
    for d in KEY_TYPES:
        for name in ("cert.pem", "ca.pem", "req.pem", "pub.pem", "key.pem"):
            files.append(FIXTURES / d / name)
    files += sorted((FIXTURES / "encrypted").glob("*.pem"))
    files += sorted((FIXTURES / "gnutls").glob("*.pem"))
    for sub in ("certs", "csr", "cms", "keys"):
        files += sorted(p for p in (REALWORLD / sub).iterdir() if p.is_file())
    return files
