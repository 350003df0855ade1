"""Check a day's incoming signed requests against the bank's registry.

    python examples/python/incoming_requests.py INBOX --registry bank.db --trust ca.pem [--at ...]

Each file in INBOX is a remote regeneration request (CMS around a PKCS#10 request, signed with
the subscriber's current key). Each is verified as the bank would — the CMS signature and the
signer's certificate against the trust anchors at the time of receipt, the subscriber known to
the registry and the signer their current certificate, the identity unchanged, the new key new
— without recording anything (the registry is opened read-only). Prints one line per file:
accepted, or rejected with the reason in Russian and English. Exit code 1 when any is rejected.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

import bankkey
from bankkey import bank


def parse_time(text: str) -> datetime:
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone (Z or +03:00)")
    return t


def main(argv: List[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("inbox", type=Path)
    p.add_argument("--registry", type=Path, required=True)
    p.add_argument("--trust", type=Path, action="append", required=True)
    p.add_argument("--at", type=parse_time, default=None)
    args = p.parse_args(argv)
    trust = [c for path in args.trust for c in bankkey.load_certificates(path)]
    at: Optional[datetime] = args.at or datetime.now(timezone.utc)
    rejected = 0
    with bank.Registry.open_read_only(args.registry) as registry:
        for f in sorted(args.inbox.iterdir()):
            if not f.is_file():
                continue
            r = bank.verify_request(f.read_bytes(), registry=registry, trust=trust, at=at)
            if r["accepted"]:
                s = r["subscriber"]
                print(f"{f.name}: accepted — subscriber #{s['id']} {s['name'] or ''}")
            else:
                rejected += 1
                rej = r["rejection"]
                print(f"{f.name}: rejected — {rej['ru']} / {rej['en']} ({rej['detail']})")
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
