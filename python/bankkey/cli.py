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
}


def word(key: str, lang: str) -> str:
    """The CLI label ``key`` in ``lang``, or ``key`` itself."""
    return _WORDS.get(key, {}).get(lang, key)


def reason_text(reason: Optional[str], lang: str) -> str:
    """A report reason in words; the library's words when it has them."""
    if reason is None:
        return ""
    text = getattr(bankkey._native, "reason_text", None)
    if text is not None:
        return str(text(reason, lang))
    return reason


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
    inputs = [(p, read_file(p)) for p in args.files]
    worst = EXIT_OK
    for path, data in inputs:
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
        description="Reports each FILE (certificate, request, PKCS#8 key, public key, CMS) "
        "as the Rust inspect example does; with --json and one FILE, the same JSON.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    add_common(p, at=True, trust=True)
    p.add_argument("--key", metavar="CERT-OR-PUBKEY", help="the key the object must hold")
    p.add_argument("--content", metavar="FILE", help="the content of a detached signature")
    p.add_argument(
        "--password",
        help="password of an encrypted key (default: $BANKKEY_PASSWORD); never printed",
    )
    p.set_defaults(func=cmd_inspect)
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
