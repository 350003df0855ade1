"""The bank's side: the registry and its support queries, the verification of incoming
requests, and the bank that accepts requests and issues certificates.

Support scripts open the registry read-only:

>>> with Registry.open_read_only("bank.db") as registry:           # doctest: +SKIP
...     for row in registry.expiring_within(30):
...         print(row["name"], row["serial"], row["days_left"])

A rejected request is a result (a dict with the reason in words), never an exception.
"""

from __future__ import annotations

from bankkey._native import Bank, Registry, verify_request

__all__ = ["Bank", "Registry", "verify_request"]
