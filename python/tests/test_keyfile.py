"""The client's current key from elsewhere (issue 16): PFX imported into the file container
and onto a token and written back (OpenSSL's gost engine reads what is written), CryptoPro
CSP containers read, opened and imported, and ``inspect`` / the ``bankkey`` command on both.
The inputs are the real-world artefacts in ``tests/realworld`` (password «Пароль для PFX»;
the container CryptoPro CSP 5 wrote opens with the empty PIN)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import List

import pytest

import bankkey
from bankkey import stores
from bankkey.exceptions import (
    ContentAlteredError,
    PreconditionFailedError,
    StorageError,
    WrongPasswordError,
)
from conftest import REALWORLD
from test_token import USER_PIN, bankkey_cli, fresh_token, module_path

PASSWORD = "Пароль для PFX"
PFX = REALWORLD / "pfx" / "gnutls_gost12.p12"
CONTAINER = REALWORLD / "containers" / "91team_test.91.gost.dev"


def test_a_pfx_imported_into_a_file_container_signs_and_goes_back_out(
    tmp_path: Path, openssl: str
) -> None:
    data = PFX.read_bytes()
    with stores.FileContainer.create(tmp_path / "flash", "контейнер", kdf_iterations=1000) as fc:
        key_set = fc.import_pfx(data, PASSWORD, "from the PFX")
        assert key_set.kind == "complete"
        cert = key_set.certificate
        assert cert is not None and "PKCS#12 example" in str(cert.subject)
        signature = fc.signer(key_set).sign(b"payment order")
        cert.public_key.verify(signature, b"payment order")
        # The same key again is refused, and the store keeps one set.
        with pytest.raises(PreconditionFailedError):
            fc.import_pfx(data, PASSWORD, "again")
        assert len(fc.key_sets()) == 1

        out = fc.export_pfx(key_set, "новый пароль", iterations=2000)
    # OpenSSL's gost engine reads what we wrote (the standard profile).
    r = subprocess.run(
        [openssl, "pkcs12", "-engine", "gost", "-nodes", "-passin", "pass:новый пароль"],
        input=out, capture_output=True, check=False,
    )
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    assert b"BEGIN PRIVATE KEY" in r.stdout and b"BEGIN CERTIFICATE" in r.stdout
    # And we read it back into another container: the same key set.
    with stores.FileContainer.create(tmp_path / "other", "другой", kdf_iterations=1000) as other:
        again = other.import_pfx(out, "новый пароль", "back")
        assert again.id == key_set.id


def test_a_wrong_password_and_an_altered_pfx_are_told_apart(tmp_path: Path) -> None:
    data = PFX.read_bytes()
    with stores.FileContainer.create(tmp_path / "flash", "x", kdf_iterations=1000) as fc:
        with pytest.raises(WrongPasswordError):
            fc.import_pfx(data, "Пароль для PFx", "x")
        altered = bytearray(data)
        altered[len(altered) - 40] ^= 1  # in the MAC
        with pytest.raises(ContentAlteredError):
            fc.import_pfx(bytes(altered), PASSWORD, "x")
        assert fc.key_sets() == []


def test_the_cryptopro_container_reads_without_its_pin_and_opens_with_it(tmp_path: Path) -> None:
    c = stores.CryptoProContainer(CONTAINER)
    assert c.name == "srv"
    assert c.fingerprint == "AEFA90609BA04209"
    assert c.usage == "exchange"
    assert c.algorithm == "gost2012-256-cryptopro-xcha"
    assert c.has_reserve_copy
    cert = c.certificate
    assert cert is not None
    for pin in ("11111111", "12345678"):
        with pytest.raises(WrongPasswordError):
            c.unlock(pin)
    with c.unlock("") as store:
        assert not store.opened_from_reserve_copy
        (key_set,) = store.key_sets()
        assert key_set.certificate is not None
        assert key_set.certificate.serial == cert.serial
        signature = store.signer(key_set).sign(b"document")
        cert.public_key.verify(signature, b"document")
        # Read-only: nothing is written into a CryptoPro container.
        with pytest.raises(PreconditionFailedError):
            store.generate(c.algorithm, "new")
        with pytest.raises(PreconditionFailedError):
            store.delete(key_set)
    with pytest.raises(StorageError):
        stores.CryptoProContainer(tmp_path)
    # Imported into the file container: the key and the certificate under one identifier.
    with stores.FileContainer.create(tmp_path / "flash", "y", kdf_iterations=1000) as fc:
        imported = fc.import_cryptopro(c, "", "from CryptoPro")
        assert imported.kind == "complete" and imported.id == key_set.id
        with pytest.raises(WrongPasswordError):
            fc.import_cryptopro(CONTAINER, "1", "again")


def test_keys_imported_onto_a_token_sign_beside_their_certificate() -> None:
    # (That they are sensitive and non-extractable is checked on the token by the Rust
    # tests, core/tests/store_import.rs.)
    path = module_path("BANKKEY_SOFTHSM_GOST_MODULE")
    label = fresh_token(path)
    with stores.Pkcs11Module(path) as module, module.open_token(label=label) as token:
        token.login(USER_PIN)
        from_pfx = token.import_pfx(PFX.read_bytes(), PASSWORD, "from the PFX")
        from_container = token.import_cryptopro(CONTAINER, "", "from CryptoPro")
        sets = {k.id: k for k in token.key_sets()}
        for k in (from_pfx, from_container):
            assert sets[k.id].kind == "complete"
            cert = sets[k.id].certificate
            assert cert is not None
            cert.public_key.verify(token.signer(k).sign(b"x"), b"x")


def test_a_client_starts_from_the_container_key(tmp_path: Path) -> None:
    c = stores.CryptoProContainer(CONTAINER)
    with c.unlock("") as store:
        client = bankkey.lifecycle.Client(store, tmp_path / "journal.sqlite")
        with client:
            current = client.current_key_set()
            assert current is not None and current.certificate is not None


def test_inspect_reports_a_pfx_and_a_container_never_the_secret() -> None:
    r = bankkey.inspect(PFX, password=PASSWORD).to_dict()
    assert r["kind"] == "pfx", r
    assert PASSWORD not in json.dumps(r, ensure_ascii=False)
    d = bankkey.inspect(CONTAINER, password="").to_dict()
    assert d["kind"] == "cryptopro-container", d
    assert d["container"]["name"] == "srv"
    assert "opened_with" in d["container"]


def cli(args: List[str]) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return bankkey_cli(args)


def test_the_command_inspects_and_imports_pfx_and_containers(tmp_path: Path) -> None:
    r = cli(["inspect", "--password", PASSWORD, str(PFX)])
    assert "PKCS#12 example" in r.stdout, r.stdout + r.stderr
    assert PASSWORD not in r.stdout
    r = cli(["inspect", "--password", "", "--json", str(CONTAINER)])
    assert json.loads(r.stdout)["kind"] == "cryptopro-container", r.stdout + r.stderr
    r = cli(["inspect", "--password", "", str(CONTAINER)])
    assert "AEFA90609BA04209" in r.stdout, r.stdout + r.stderr


def test_the_token_command_imports_a_pfx_and_a_container() -> None:
    path = module_path("BANKKEY_SOFTHSM_GOST_MODULE")
    label = fresh_token(path)
    # A new process sees the new token (this one loaded the module before it was made).
    listed = json.loads(cli(["token", "--module", path, "--json"]).stdout)
    (serial,) = [t["serial"] for t in listed["tokens"] if t["label"] == label]
    base = ["token", "--module", path, "--pin", USER_PIN, "--serial", serial]
    r = cli(base + ["--import", str(PFX), "--import-password", PASSWORD, "--json"])
    assert r.returncode in (0, 1), r.stderr
    imported = json.loads(r.stdout)["imported"]
    assert imported["kind"] == "complete" and imported["label"] == PFX.name
    assert PASSWORD not in r.stdout + r.stderr
    r = cli(base + ["--import", str(CONTAINER), "--import-password", "", "--label", "КриптоПро"])
    assert "Imported:" in r.stdout and "«КриптоПро» complete" in r.stdout, r.stdout + r.stderr
    r = cli(base + ["--import", str(PFX), "--import-password", "wrong"])
    assert r.returncode == 2 and "password" in r.stderr.lower(), r.stdout + r.stderr
