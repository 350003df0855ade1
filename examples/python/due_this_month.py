"""Who must regenerate this month: scan a folder of certificates, write a CSV.

    python examples/python/due_this_month.py ARCHIVE OUT.csv [--at 2027-03-01] [--trust CA.pem]

Every certificate under ARCHIVE (DER, PEM, bundles, CMS with certificates) is judged by
`bankkey.scan` as it will stand at the last second of the month: a certificate is due this
month when its replacement window (30 days before notAfter, «Необходима плановая замена
сертификата») has opened by then, or when it has expired by then. The CSV has one row per
such certificate, soonest first: the subject's name, organisation, INN/INNLE, OGRN/OGRNIP,
SNILS, serial, notAfter, days left from today, the status at the month's end, file.
Exit code: 0 when nobody is due, 1 when the CSV lists someone, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import List

import bankkey

WINDOW_DAYS = 30


def parse_day(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)


def main(argv: List[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("archive", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--at", type=parse_day, default=None, help="today (YYYY-MM-DD, UTC)")
    p.add_argument("--trust", type=Path, action="append", default=[])
    args = p.parse_args(argv)
    if not args.archive.is_dir():
        p.error(f"{args.archive} is not a folder")
    at = args.at or datetime.now(timezone.utc)
    last_day = calendar.monthrange(at.year, at.month)[1]
    month_end = at.replace(day=last_day, hour=23, minute=59, second=59, microsecond=0)
    trust = [c for path in args.trust for c in bankkey.load_certificates(path)]
    files = sorted(f for f in args.archive.rglob("*") if f.is_file() and not f.name.startswith("."))
    # Judged as they will stand when the month ends: the core's own window, no arithmetic here.
    entries = bankkey.scan(files, at=month_end, window_days=WINDOW_DAYS, trust=trust or None)
    due = [
        e
        for e in entries
        if e.certificate is not None
        and (e.status in ("expired", "scheduled_replacement_required"))
    ]
    due.sort(key=lambda e: e.certificate.not_after if e.certificate is not None else at)
    with args.out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name", "organization", "inn", "ogrn", "snils", "serial", "not_after",
                    "days_left", "status", "file"])
        for e in due:
            c = e.certificate
            assert c is not None
            s = c.subject
            w.writerow([
                s.common_name or "", s.organization or "", s.innle or s.inn or "",
                s.ogrn or s.ogrnip or "", s.snils or "", c.serial,
                c.not_after.strftime("%Y-%m-%d"), c.days_left(at=at), e.status, files[e.input],
            ])
    print(f"{len(due)} of {len(entries)} certificates due by {month_end:%Y-%m-%d}: {args.out}")
    return 1 if due else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
