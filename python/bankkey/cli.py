"""The ``bankkey`` command: support work from a terminal or a script.

Every command takes ``--json`` (one JSON document, or JSON lines for lists) and ``--lang
ru|en``; commands that judge time take ``--at``, those that check paths ``--trust``; those
that print a table take ``--csv``. Exit codes: 0 nothing wrong, 1 a problem found (an
invalid object, a certificate to renew, a rejected request), 2 usage error or unreadable
input.

Argument parsing is the standard library's ``argparse`` (sub-commands, help and exit code 2
on usage errors as we want them); tables are plain aligned text and ``csv``; the progress bar
of ``scan`` is ``tqdm``, shown only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, TextIO, Tuple, Union

import bankkey
from bankkey.exceptions import BankKeyError

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A bad argument or an unreadable input: exit code 2."""


# --------------------------------------------------------------------------------------------
# Words: the CLI's own labels in two languages. Statuses and reasons come from the library.
# --------------------------------------------------------------------------------------------

_WORDS: Dict[str, Dict[str, str]] = {
    "subject": {"en": "Subject", "ru": "Владелец"},
    "issuer": {"en": "Issuer", "ru": "Издатель"},
    "serial": {"en": "Serial", "ru": "Серийный номер"},
    "validity": {"en": "Valid", "ru": "Действует"},
    "key": {"en": "Key", "ru": "Ключ"},
    "qualified": {"en": "Qualified", "ru": "Квалифицированный"},
    "identifiers": {"en": "Identifiers", "ru": "Идентификаторы"},
    "checks": {"en": "Checks", "ru": "Проверки"},
    "verdict": {"en": "Verdict", "ru": "Заключение"},
    "signers": {"en": "Signers", "ru": "Подписанты"},
    "yes": {"en": "yes", "ru": "да"},
    "no": {"en": "no", "ru": "нет"},
    "valid": {"en": "valid", "ru": "действителен"},
    "invalid": {"en": "invalid", "ru": "недействителен"},
    "passed": {"en": "passed", "ru": "пройдена"},
    "failed": {"en": "failed", "ru": "не пройдена"},
    "skipped": {"en": "not made", "ru": "не выполнена"},
    "ok": {"en": "ok", "ru": "верно"},
    "to": {"en": "to", "ru": "по"},
    "from": {"en": "from", "ru": "с"},
    "certificate": {"en": "certificate", "ru": "сертификат"},
    "certificate-request": {"en": "certificate request", "ru": "запрос на сертификат"},
    "private-key": {"en": "private key", "ru": "закрытый ключ"},
    "public-key": {"en": "public key", "ru": "открытый ключ"},
    "signed-data": {"en": "CMS signature", "ru": "подпись CMS"},
    "unknown": {"en": "unknown", "ru": "не распознано"},
    "slots": {"en": "Slots", "ru": "Слотов"},
    "token": {"en": "Token", "ru": "Токен"},
    "accepted": {"en": "accepted", "ru": "принят"},
    "rejected": {"en": "rejected", "ru": "отвергнут"},
    "subscriber": {"en": "Subscriber", "ru": "Абонент"},
    "pfx": {"en": "PFX (PKCS#12)", "ru": "PFX (PKCS#12)"},
    "cryptopro-container": {"en": "CryptoPro container", "ru": "контейнер КриптоПро"},
    "none": {"en": "none", "ru": "нет"},
    "iterations": {"en": "iterations", "ru": "итераций"},
    "protection": {"en": "Protection", "ru": "Защита"},
    "name": {"en": "Name", "ru": "Имя"},
    "fingerprint": {"en": "fingerprint", "ru": "отпечаток"},
    "reserve-copy": {"en": "Reserve copy", "ru": "Резервная копия"},
    "opened": {"en": "Opened", "ru": "Открыт"},
    "imported": {"en": "Imported", "ru": "Импортирован"},
}


def word(key: str, lang: str) -> str:
    """The CLI label ``key`` in ``lang``, or ``key`` itself."""
    return _WORDS.get(key, {}).get(lang, key)


def reason_text(reason: Optional[str], lang: str) -> str:
    """A report reason in words (the library's own words)."""
    if reason is None:
        return ""
    return bankkey._native.reason_text(reason, lang)


def default_lang() -> str:
    """``BANKKEY_LANG``, else Russian when the locale is Russian, else English."""
    env = os.environ.get("BANKKEY_LANG")
    if env in ("ru", "en"):
        return env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


# --------------------------------------------------------------------------------------------
# Arguments shared by the commands
# --------------------------------------------------------------------------------------------


def parse_at(text: str) -> datetime:
    """``--at``: an RFC 3339 / ISO 8601 time with a zone (``Z`` or ``+03:00``), or a date
    (``2027-01-01``, taken as 00:00 UTC). A time without a zone is refused: Moscow and UTC
    differ by three hours, and the library never guesses."""
    value = text.strip()
    try:
        if len(value) == 10:
            d = datetime.strptime(value, "%Y-%m-%d")
            return d.replace(tzinfo=timezone.utc)
        if value.endswith(("Z", "z")):
            value = value[:-1] + "+00:00"
        t = datetime.fromisoformat(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not an RFC 3339 time or a date: {e}")
    if t.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no time zone: add Z (UTC) or an offset such as +03:00"
        )
    return t


def read_file(path: str) -> bytes:
    """The bytes of ``path``; an unreadable file is a usage error (exit 2)."""
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror or e}")


def load_trust(paths: Optional[Sequence[str]]) -> List[bankkey.Certificate]:
    """The certificates of every ``--trust`` file (each may be a PEM bundle)."""
    out: List[bankkey.Certificate] = []
    for p in paths or ():
        try:
            certs = bankkey.load_certificates(read_file(p))
        except BankKeyError as e:
            raise UsageError(f"--trust {p}: {e}")
        if not certs:
            raise UsageError(f"--trust {p}: no certificate in the file")
        out.extend(certs)
    return out


def load_key(path: Optional[str]) -> Union[bankkey.Certificate, bankkey.PublicKey, None]:
    """``--key``: a certificate or a public key, whose key the object must hold."""
    if path is None:
        return None
    data = read_file(path)
    try:
        return bankkey.Certificate.from_bytes(data)
    except BankKeyError:
        pass
    try:
        return bankkey.PublicKey.from_bytes(data)
    except BankKeyError:
        pass
    raise UsageError(f"--key {path}: neither a certificate nor a public key")


def add_common(p: argparse.ArgumentParser, *, at: bool = False, trust: bool = False) -> None:
    p.add_argument("--json", action="store_true", help="print JSON (JSON lines for lists)")
    p.add_argument(
        "--lang", choices=("ru", "en"), default=None, help="language of the text output"
    )
    if at:
        p.add_argument(
            "--at",
            type=parse_at,
            default=None,
            metavar="TIME",
            help="judge validity at TIME (2027-01-01T00:00:00Z, ...+03:00, or a date); default now",
        )
    if trust:
        p.add_argument(
            "--trust",
            action="append",
            metavar="CA.pem",
            help="trust anchors (and intermediate CAs); repeatable, a file may hold several",
        )


# --------------------------------------------------------------------------------------------
# inspect
# --------------------------------------------------------------------------------------------


def _name(attrs: Optional[List[Dict[str, Any]]]) -> str:
    if not attrs:
        return ""
    return ", ".join(f"{a['label']}={a['value']}" for a in attrs)


def _render_keyfile(r: Dict[str, Any], lang: str, rows: List[Tuple[str, str]]) -> None:
    """The rows of a PFX or a CryptoPro container: what is inside, never a secret."""

    def cert_text(c: Dict[str, Any]) -> str:
        v = c.get("validity") or {}
        return (
            f"{c['subject']}, {word('serial', lang).lower()} {c['serial']}, "
            f"{word('to', lang)} {v.get('not_after', '?')}"
        )

    def key_text(k: Dict[str, Any]) -> str:
        pk = k["public_key"]
        text = f"{pk.get('algorithm_name') or pk['algorithm']} id {pk.get('key_id', '')}"
        if k.get("certificate_serial"):
            text += f", {word('certificate', lang)} {k['certificate_serial']}"
        return text

    pfx = r.get("pfx")
    if pfx:
        mac = pfx.get("mac") or word("none", lang)
        if pfx.get("mac_iterations"):
            mac += f", {pfx['mac_iterations']} {word('iterations', lang)}"
        rows.append(("MAC", mac))
        for e in pfx.get("encryption") or []:
            rows.append((word("protection", lang), e))
        for k in pfx.get("keys") or []:
            rows.append((word("key", lang), key_text(k)))
        for c in pfx.get("certificates") or []:
            rows.append((word("certificate", lang), cert_text(c)))
    box = r.get("container")
    if box:
        rows.append((word("name", lang), box.get("name") or ""))
        rows.append(
            (
                word("key", lang),
                f"{box['parameter_set_name']}, {box['usage']}, "
                f"{word('fingerprint', lang)} {box['fingerprint']}",
            )
        )
        rows.append(
            (word("reserve-copy", lang), word("yes" if box["reserve_copy"] else "no", lang))
        )
        if box.get("certificate"):
            rows.append((word("certificate", lang), cert_text(box["certificate"])))
        if box.get("opened_with"):
            rows.append((word("opened", lang), box["opened_with"]))


def render_report(path: str, r: Dict[str, Any], lang: str, out: TextIO) -> None:
    """A report as text for a person."""
    kind = word(r.get("kind", "unknown"), lang)
    verdict = word(r["verdict"], lang)
    head = f"{path}: {kind} — {verdict}"
    if r.get("reason"):
        head += f": {reason_text(r['reason'], lang)}"
    print(head, file=out)
    if r.get("message"):
        print(f"  {r['message']}", file=out)
    rows: List[Tuple[str, str]] = []
    if "subject" in r:
        rows.append((word("subject", lang), _name(r["subject"])))
    if "issuer" in r:
        rows.append((word("issuer", lang), _name(r["issuer"])))
    if "serial" in r:
        rows.append((word("serial", lang), r["serial"]))
    v = r.get("validity")
    if v:
        rows.append(
            (
                word("validity", lang),
                f"{word('from', lang)} {v['not_before']} {word('to', lang)} {v['not_after']}",
            )
        )
    pk = r.get("public_key")
    if pk:
        alg = pk.get("algorithm_name") or pk.get("algorithm")
        ps = pk.get("parameter_set_name") or pk.get("parameter_set") or ""
        rows.append((word("key", lang), f"{alg} {ps} id {pk.get('key_id', '')}".replace("  ", " ")))
    q = r.get("qualified")
    if q is not None:
        text = word("yes", lang) if q.get("qualified") else word("no", lang)
        missing = q.get("missing") or []
        if missing:
            text += " (" + "; ".join(missing) + ")"
        rows.append((word("qualified", lang), text))
    ids = r.get("identifiers") or []
    if ids:
        parts = []
        for c in ids:
            state = word("ok", lang) if c["valid"] else (c.get("problem") or word("invalid", lang))
            parts.append(f"{c['label']} {c['value']} {state}")
        rows.append((word("identifiers", lang), "; ".join(parts)))
    signers = r.get("signers") or []
    if signers:
        rows.append((word("signers", lang), str(len(signers))))
    _render_keyfile(r, lang, rows)
    width = max((len(k) for k, _ in rows), default=0)
    for k, val in rows:
        print(f"  {k.ljust(width)}  {val}", file=out)
    checks = r.get("checks") or []
    if checks:
        print(f"  {word('checks', lang)}:", file=out)
        for c in checks:
            line = f"    {c['name']}: {word(c['outcome'], lang)}"
            if c.get("reason") and c["outcome"] != "passed":
                line += f" ({reason_text(c['reason'], lang)})"
            if c.get("detail") and c["outcome"] != "passed":
                line += f" — {c['detail']}"
            print(line, file=out)


def cmd_inspect(args: argparse.Namespace, lang: str, out: TextIO) -> int:
    trust = load_trust(args.trust)
    key = load_key(args.key)
    content = read_file(args.content) if args.content else None
    password = args.password if args.password is not None else os.environ.get("BANKKEY_PASSWORD")
    # A folder is a CryptoPro container (--password is its PIN); a file is read first, so
    # that an unreadable one is a usage error.
    inputs = [(p, None if Path(p).is_dir() else read_file(p)) for p in args.files]
    worst = EXIT_OK
    for path, data in inputs:
        if data is None:
            report = bankkey._native.inspect_path(
                path, at=args.at, trust=trust, key=key, content=content, password=password
            )
        else:
            report = bankkey._native.inspect(
                data, at=args.at, trust=trust, key=key, content=content, password=password
            )
        if not report.is_valid:
            worst = EXIT_FOUND
        if args.json and len(inputs) == 1:
            # Byte for byte the Rust `inspect` example's output.
            print(report.to_json(), file=out)
        elif args.json:
            line = {"file": path}
            line.update(json.loads(report.to_json(False)))
            print(json.dumps(line, ensure_ascii=False), file=out)
        else:
            render_report(path, report.to_dict(), lang, out)
    return worst


# --------------------------------------------------------------------------------------------
# scan
# --------------------------------------------------------------------------------------------

#: Table columns of `scan`, in order: (key, English, Russian).
_SCAN_COLUMNS = (
    ("group", "group", "группа"),
    ("days_left", "days", "дней"),
    ("not_after", "not after", "действует по"),
    ("common_name", "CN", "CN"),
    ("organization", "O", "O"),
    ("inn", "INN", "ИНН"),
    ("ogrn", "OGRN", "ОГРН"),
    ("snils", "SNILS", "СНИЛС"),
    ("serial", "serial", "серийный номер"),
    ("file", "file", "файл"),
    ("reason", "reason", "причина"),
)


def walk(paths: Sequence[str]) -> List[Path]:
    """Every regular file under the given folders (recursively, sorted; hidden files and
    folders skipped), and the given files themselves."""
    out: List[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_file():
            out.append(path)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(Path(root) / f for f in sorted(files) if not f.startswith("."))
        else:
            raise UsageError(f"{p}: no such file or folder")
    return out


def unreadable_row(path: Path, message: str) -> Dict[str, Any]:
    """A file that could not be read at all."""
    row: Dict[str, Any] = {k: None for k, _, _ in _SCAN_COLUMNS}
    row.update(
        file=str(path), group="unreadable", status=None, reason="malformed", message=message
    )
    return row


def scan_row(entry: bankkey.ScanEntry, path: Path) -> Dict[str, Any]:
    """One scanned certificate as a flat row (the JSON line, the CSV row, the table row)."""
    cert = entry.certificate
    row: Dict[str, Any] = {
        "file": str(path),
        "group": entry.group,
        "status": entry.status,
        "days_left": entry.days_left,
        "not_after": None,
        "serial": None,
        "common_name": None,
        "organization": None,
        "inn": None,
        "ogrn": None,
        "snils": None,
        "reason": entry.reason,
        "message": entry.message,
    }
    if cert is not None:
        s = cert.subject
        row.update(
            not_after=cert.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
            serial=cert.serial,
            common_name=s.common_name,
            organization=s.organization,
            inn=s.innle or s.inn,
            ogrn=s.ogrn or s.ogrnip,
            snils=s.snils,
        )
    return row


def print_table(rows: List[Dict[str, Any]], columns: Sequence[Tuple[str, str]], out: TextIO) -> None:
    """Rows as aligned text columns (values but the file name cut at 40 characters)."""
    def cell(key: str, v: Any) -> str:
        text = "" if v is None else str(v)
        return text if len(text) <= 40 or key == "file" else text[:39] + "…"

    widths = [len(title) for _, title in columns]
    cells = [[cell(k, r.get(k)) for k, _ in columns] for r in rows]
    for line in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, line)]
    print("  ".join(t.ljust(w) for (_, t), w in zip(columns, widths)).rstrip(), file=out)
    for line in cells:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip(), file=out)


def cmd_scan(args: argparse.Namespace, lang: str, out: TextIO) -> int:
    files = walk(args.paths)
    trust = load_trust(args.trust)
    at = args.at or datetime.now(timezone.utc)
    rows: List[Dict[str, Any]] = []
    bar = None
    if sys.stderr.isatty() and not args.no_progress:
        from tqdm import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=len(files), unit="file", file=sys.stderr, leave=False)
    chunk = 2048
    for start in range(0, len(files), chunk):
        batch = files[start : start + chunk]
        data: List[bytes] = []
        readable: List[Path] = []
        for f in batch:
            try:
                data.append(f.read_bytes())
                readable.append(f)
            except OSError as e:
                rows.append(unreadable_row(f, e.strerror or str(e)))
        for entry in bankkey.scan(
            data, at=at, window_days=args.days, trust=trust or None, threads=args.threads
        ):
            rows.append(scan_row(entry, readable[entry.input]))
        if bar is not None:
            bar.update(len(batch))
    if bar is not None:
        bar.close()
    order = {g: i for i, g in enumerate(bankkey.SCAN_GROUPS)}
    rows.sort(key=lambda r: (order[r["group"]], r["days_left"] if r["days_left"] is not None else 0))
    problems = sum(1 for r in rows if r["group"] != "fine")
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False), file=out)
    elif args.csv:
        w = csv.writer(out)
        keys = [k for k, _, _ in _SCAN_COLUMNS] + ["status", "message"]
        w.writerow(keys)
        for r in rows:
            w.writerow(["" if r.get(k) is None else r[k] for k in keys])
    else:
        columns = [(k, ru if lang == "ru" else en) for k, en, ru in _SCAN_COLUMNS if k != "group"]
        for group in bankkey.SCAN_GROUPS:
            members = [r for r in rows if r["group"] == group]
            title = bankkey.scan_group_text(group, lang)
            print(f"{title}: {len(members)}", file=out)
            if members and (group != "fine" or args.all):
                print_table(members, columns, out)
                print(file=out)
    return EXIT_FOUND if problems else EXIT_OK


# --------------------------------------------------------------------------------------------
# token
# --------------------------------------------------------------------------------------------


def _import_onto_token(args: argparse.Namespace, module: Any, pin: Optional[str]) -> Any:
    """``token --import``: a PFX (file) or a CryptoPro container (folder) onto the token, as
    a non-extractable key with its certificate under one identifier; the new key set."""
    if pin is None:
        raise UsageError("--import needs the token's user PIN (--pin or $BANKKEY_PIN)")
    source = Path(args.import_path)
    secret = args.import_password
    if secret is None:
        secret = os.environ.get("BANKKEY_IMPORT_PASSWORD")
    if secret == "-":
        import getpass

        secret = getpass.getpass("PFX password / container PIN: ")
    label = args.label or source.name
    if source.is_file():
        if secret is None:
            raise UsageError("--import of a PFX needs its password (--import-password)")
        data = read_file(str(source))
    elif not source.is_dir():
        raise UsageError(f"--import {source}: no such file or folder")
    token = module.open_token(serial=args.serial) if args.serial else module.open_token()
    with token:
        token.login(pin)
        if source.is_dir():
            return token.import_cryptopro(source, secret or "", label)
        return token.import_pfx(data, secret, label)


def cmd_token(args: argparse.Namespace, lang: str, out: TextIO) -> int:
    from bankkey import stores

    pin = args.pin if args.pin is not None else os.environ.get("BANKKEY_PIN")
    if pin == "-":
        import getpass

        pin = getpass.getpass("PIN: ")
    try:
        module = stores.Pkcs11Module(args.module)
    except BankKeyError as e:
        raise UsageError(f"--module {args.module}: {e}")
    with module:
        imported = None
        if args.import_path is not None:
            imported = _import_onto_token(args, module, pin)
        d = module.diagnose(pin=pin, at=args.at)
    if args.json:
        if imported is not None:
            d["imported"] = imported
        print(json.dumps(_jsonable(d), ensure_ascii=False), file=out)
    else:
        if imported is not None:
            print(
                f"{word('imported', lang)}: {imported.id_hex} «{imported.label}» {imported.kind}",
                file=out,
            )
        for f in d["findings"]:
            print(f"{f[lang]}", file=out)
        print(f"{word('slots', lang)}: {len(d['slots'])}", file=out)
        for t in d["tokens"]:
            print(
                f"{word('token', lang)} «{t['label']}» {t['manufacturer']} {t['model']}, "
                f"{word('serial', lang).lower()} {t['serial']}, slot {t['slot_id']}",
                file=out,
            )
            print(f"  PIN: {t['pin_state_' + lang]}", file=out)
            for k in t["key_sets"]:
                cert = k.certificate
                what = ""
                if cert is not None:
                    what = (
                        f"{cert.subject.common_name or ''}, {word('serial', lang).lower()} "
                        f"{cert.serial}, {word('to', lang)} {cert.not_after:%Y-%m-%d}"
                    )
                print(f"  {k.id_hex}  {k.kind:<24} {k.label}  {what}".rstrip(), file=out)
            for f in t["findings"]:
                mark = {"error": "!!", "warning": "! ", "info": "  "}[f["severity"]]
                line = f"  {mark} {f[lang]}"
                if f.get("detail"):
                    line += f" — {f['detail']}"
                print(line, file=out)
    worst = d["worst"]
    return EXIT_FOUND if worst in ("error", "warning") else EXIT_OK


def _jsonable(v: Any) -> Any:
    """Diagnosis data as JSON: key sets as dicts, certificates as serial and dates."""
    from bankkey.stores import KeySet

    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, KeySet):
        cert = v.certificate
        return {
            "id": v.id_hex,
            "label": v.label,
            "kind": v.kind,
            "retired": v.retired,
            "certificate": None
            if cert is None
            else {
                "serial": cert.serial,
                "subject": str(cert.subject),
                "not_after": cert.not_after.isoformat(),
                "qualified": cert.is_qualified,
            },
        }
    if isinstance(v, (datetime,)):
        return v.isoformat()
    return v


# --------------------------------------------------------------------------------------------
# check-request
# --------------------------------------------------------------------------------------------


def cmd_check_request(args: argparse.Namespace, lang: str, out: TextIO) -> int:
    from bankkey import bank

    data = read_file(args.file)
    trust = load_trust(args.trust)
    try:
        registry = bank.Registry.open_read_only(args.registry)
    except BankKeyError as e:
        raise UsageError(f"--registry {args.registry}: {e}")
    with registry:
        r = bank.verify_request(data, registry=registry, trust=trust, flow=args.flow, at=args.at)
    req = r["request"]
    if args.json:
        doc = {
            "file": args.file,
            "accepted": r["accepted"],
            "rejection": r["rejection"],
            "subject": str(req.subject) if req is not None else None,
            "key_id": req.key_id if req is not None else None,
            "subscriber": _jsonable(r["subscriber"]),
        }
        print(json.dumps(doc, ensure_ascii=False, default=str), file=out)
    else:
        if r["accepted"]:
            print(f"{args.file}: {word('accepted', lang)}", file=out)
        else:
            rej = r["rejection"]
            print(f"{args.file}: {word('rejected', lang)}: {rej[lang]}", file=out)
            detail = rej["detail"]
            if rej.get("field"):
                detail = f"{rej['field']}: {detail}"
            print(f"  {detail}", file=out)
        if req is not None:
            print(f"  {word('subject', lang)}  {req.subject}", file=out)
            print(f"  {word('key', lang)}  {req.key_id}", file=out)
        if r["subscriber"]:
            s = r["subscriber"]
            print(f"  {word('subscriber', lang)}  #{s['id']} {s['name'] or ''}", file=out)
    return EXIT_OK if r["accepted"] else EXIT_FOUND


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------


def cmd_registry(args: argparse.Namespace, lang: str, out: TextIO) -> int:
    from bankkey import bank

    try:
        registry = bank.Registry.open_read_only(args.db)
    except BankKeyError as e:
        raise UsageError(f"{args.db}: {e}")
    with registry:
        if args.json:
            # The core's JSON lines: the same text as the C ABI's bk_registry_*_json.
            if args.query == "history" and not args.who:
                raise UsageError("history needs an INN, INNLE, OGRN, OGRNIP, SNILS or key id")
            lines = registry.json_lines(args.query, days=args.days, at=args.at, who=args.who)
            for line in lines:
                print(line, file=out)
            found_json = bool(lines) and args.query in ("due", "awaiting-paper")
            return EXIT_FOUND if found_json else EXIT_OK
        if args.query == "due":
            rows = registry.expiring_within(args.days, at=args.at)
            columns = [("days_left", "days", "дней"), ("not_after", "not after", "действует по"),
                       ("name", "name", "владелец"), ("serial", "serial", "серийный номер"),
                       ("subscriber_id", "subscriber", "абонент")]
        elif args.query == "awaiting-paper":
            rows = registry.awaiting_paper()
            columns = [("paper_check_by", "check by", "проверить до"),
                       ("request_id", "request", "запрос"), ("name", "name", "владелец"),
                       ("received_at", "received", "получен"),
                       ("subscriber_id", "subscriber", "абонент")]
        else:
            if not args.who:
                raise UsageError("history needs an INN, INNLE, OGRN, OGRNIP, SNILS or key id")
            rows = registry.history(args.who)
            columns = [("at", "at", "когда"), ("what", "what", "событие"),
                       ("request_id", "request", "запрос"), ("from", "from", "было"),
                       ("to", "to", "стало"), ("note", "note", "примечание")]
    flat = [{k: _cell(v) for k, v in row.items() if not hasattr(v, "to_der")} for row in rows]
    if args.csv:
        w = csv.writer(out)
        w.writerow([k for k, _, _ in columns])
        for row in flat:
            w.writerow(["" if row.get(k) is None else row[k] for k, _, _ in columns])
    else:
        print_table(flat, [(k, ru if lang == "ru" else en) for k, en, ru in columns], out)
    found = bool(rows) and args.query in ("due", "awaiting-paper")
    return EXIT_FOUND if found else EXIT_OK


def _cell(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


# --------------------------------------------------------------------------------------------
# act
# --------------------------------------------------------------------------------------------


def cmd_act(args: argparse.Namespace, lang: str, out: TextIO) -> int:
    from bankkey import documents

    data = read_file(args.file)
    source: Union[bankkey.CertificateRequest, bankkey.Certificate]
    try:
        source = bankkey.CertificateRequest.from_bytes(data)
    except BankKeyError:
        try:
            source = bankkey.SignedRequest.from_bytes(data).request
        except BankKeyError:
            try:
                source = bankkey.Certificate.from_bytes(data)
            except BankKeyError:
                raise UsageError(f"{args.file}: neither a request, a signed request nor a certificate")
    day = (args.date or datetime.now(timezone.utc)).date()
    doc = documents.act(
        source, bank=args.bank, date=day, place=args.place, cipf=args.cipf,
        request_number=args.number, copies=args.copies,
    )
    if args.format == "pdf":
        body: Union[str, bytes] = doc.pdf()
    elif args.format == "html":
        body = doc.html()
    else:
        body = doc.text()
    if args.output and args.output != "-":
        if isinstance(body, bytes):
            with open(args.output, "wb") as fb:
                fb.write(body)
        else:
            with open(args.output, "w", encoding="utf-8") as ft:
                ft.write(body)
    elif isinstance(body, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
    else:
        out.write(body)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# The parser and main
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bankkey",
        description="Support tools for the signing keys of remote banking (GOST R 34.10-2012).",
        epilog="Exit codes: 0 nothing wrong, 1 a problem found, 2 usage error or unreadable input.",
    )
    parser.add_argument("--version", action="version", version=f"bankkey {bankkey.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser(
        "inspect",
        help="fields, checks and verdict of certificates, requests, CMS and keys",
        description="Reports each FILE (certificate, request, PKCS#8 key, public key, CMS, "
        "PFX) or CryptoPro container folder as the Rust inspect example does; with --json "
        "and one FILE, the same JSON. A PFX is opened with --password, a container with "
        "--password as its PIN (the report says whether it opens the key); neither the key "
        "nor the password is ever printed.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    add_common(p, at=True, trust=True)
    p.add_argument("--key", metavar="CERT-OR-PUBKEY", help="the key the object must hold")
    p.add_argument("--content", metavar="FILE", help="the content of a detached signature")
    p.add_argument(
        "--password",
        help="password of an encrypted key or a PFX, or a CryptoPro container's PIN "
        "(default: $BANKKEY_PASSWORD); never printed",
    )
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser(
        "scan",
        help="every certificate under folders: who must renew, expired, bad identifiers",
        description="Reads every file under each DIR (DER, PEM, PEM bundles, CMS with "
        "certificates) and groups the certificates: «Необходима плановая замена сертификата» "
        "(inside --days of notAfter), expired, not yet valid, bad INN/OGRN/SNILS, untrusted "
        "(with --trust), unreadable, fine. Exit code 1 when any is not fine.",
    )
    p.add_argument("paths", nargs="+", metavar="DIR")
    add_common(p, at=True, trust=True)
    p.add_argument("--csv", action="store_true", help="print every certificate as CSV")
    p.add_argument(
        "--days", type=int, default=30, help="the replacement window in days (default 30)"
    )
    p.add_argument("--all", action="store_true", help="list the fine certificates too")
    p.add_argument("--threads", type=int, default=None, help="worker threads (default: every core)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser(
        "check-request",
        help="the bank's verification of an incoming request, with the reason in words",
        description="Verifies FILE as the bank would (a remote request: the CMS signed with "
        "the current key, its certificate against --trust, the subscriber in --registry, the "
        "identity unchanged, the key new; a paper request: the PKCS#10). Nothing is recorded: "
        "the registry is opened read-only. Exit code 1 when the request would be rejected.",
    )
    p.add_argument("file", metavar="FILE")
    add_common(p, at=True, trust=True)
    p.add_argument("--registry", required=True, metavar="DB", help="the bank's registry")
    p.add_argument(
        "--flow", choices=("remote", "paper_acts"), default="remote", help="how it came"
    )
    p.set_defaults(func=cmd_check_request)

    p = sub.add_parser(
        "act",
        help="print the act of recognition of a request's key",
        description="«Акт признания открытого ключа (сертификата)» for FILE (a PKCS#10 "
        "request, a signed request or a certificate), as text, HTML or PDF.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("text", "html", "pdf"), default="text")
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default: stdout)")
    p.add_argument("--bank", default="", help="the bank's name as printed on the act")
    p.add_argument("--date", type=parse_at, default=None, help="the act's date (default today)")
    p.add_argument("--place", default=None, help="the place printed beside the date")
    p.add_argument("--cipf", default=None, help="the CIPF (СКЗИ) to print")
    p.add_argument("--number", default=None, help="the request's number")
    p.add_argument("--copies", type=int, default=None, help="copies (default 2)")
    p.add_argument("--lang", choices=("ru", "en"), default=None, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_act)

    p = sub.add_parser(
        "token",
        help="slots, tokens, PIN state, key sets, with a diagnosis of the usual faults",
        description="Lists the slots and tokens of the PKCS#11 module and diagnoses them: no "
        "token, a wrong PIN, one try left, a locked PIN, a factory PIN, a certificate without "
        "its key, a key without a certificate, several qualified keys on one medium, "
        "certificates expired or due. With --pin (or $BANKKEY_PIN) the token is logged in to "
        "see the private keys (never on the final try). Exit code 1 on a warning or an error.",
    )
    p.add_argument("--module", required=True, metavar="PATH", help="the PKCS#11 library")
    p.add_argument(
        "--import",
        dest="import_path",
        metavar="PFX-OR-FOLDER",
        help="first bring the client's current key onto the token: a PFX file or a CryptoPro "
        "container folder (its key becomes non-extractable, its certificate goes beside it); "
        "needs --pin",
    )
    p.add_argument(
        "--import-password",
        default=None,
        help="the PFX's password or the container's PIN, '-' to be asked for it (default: "
        "$BANKKEY_IMPORT_PASSWORD; a container without a PIN: none); never printed",
    )
    p.add_argument("--label", default=None, help="the imported key set's label")
    p.add_argument("--serial", default=None, help="the token to import onto (default: the only one)")
    p.add_argument(
        "--pin",
        default=None,
        help="the user PIN, '-' to be asked for it (default: $BANKKEY_PIN); never printed",
    )
    add_common(p, at=True)
    p.set_defaults(func=cmd_token)

    p = sub.add_parser(
        "registry",
        help="the bank registry's support queries: due, awaiting-paper, history",
        description="Queries the bank's registry, opened read-only: `due` (current "
        "certificates expiring within --days), `awaiting-paper` (requests waiting for their "
        "paper act), `history WHO` (a subscriber's events by INN, INNLE, OGRN, OGRNIP, SNILS "
        "or key id).",
    )
    p.add_argument("db", metavar="DB")
    p.add_argument("query", choices=("due", "awaiting-paper", "history"))
    p.add_argument("who", nargs="?", metavar="WHO")
    add_common(p, at=True)
    p.add_argument("--csv", action="store_true", help="print the rows as CSV")
    p.add_argument("--days", type=int, default=30, help="due: the window in days (default 30)")
    p.set_defaults(func=cmd_registry)
    return parser


def main(argv: Optional[Sequence[str]] = None, out: Optional[TextIO] = None) -> int:
    """Runs the command line; returns the exit code."""
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = args.lang or default_lang()
    func: Callable[[argparse.Namespace, str, TextIO], int] = args.func
    try:
        return func(args, lang, out)
    except UsageError as e:
        print(f"bankkey {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BankKeyError as e:
        print(f"bankkey {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `bankkey scan ... | head`: not an error worth a traceback.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
