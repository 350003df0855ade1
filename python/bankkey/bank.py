"""The bank's side: the registry and its support queries, the verification of incoming
requests, and the bank that accepts requests and issues certificates.

Support scripts open the registry read-only:

>>> with Registry.open_read_only("bank.db") as registry:           # doctest: +SKIP
...     for row in registry.expiring_within(30):
...         print(row["name"], row["serial"], row["days_left"])

A rejected request is a result (a dict with the reason in words), never an exception.

Qualified signatures (seed 004): :class:`TrustedList` is the Ministry's list of accredited CAs,
:func:`check_qualified` the check a QES passes before the bank registers it
(:meth:`Bank.register_qes`, then :meth:`Bank.confirm_qes` with the signed statement):

>>> tsl = TrustedList.from_signed_xml(open("TSLExt.xml", "rb").read(), ministry)  # doctest: +SKIP
>>> check_qualified(cert, list=tsl, crls=[load_crl("ca.crl")])                   # doctest: +SKIP

Who signed the list, and whether that certificate is still good by the Ministry's CRLs (the
QES check does not look: the host does, on its own schedule):

>>> tsl.signer.subject.common_name, [c.issuer for c in tsl.signing_path]        # doctest: +SKIP
>>> tsl.check_revocation([load_crl("ministry.crl")])                              # doctest: +SKIP
"""

from __future__ import annotations

from bankkey._native import Bank, Registry, TrustedList, check_qualified, verify_request
from bankkey.pki import load_crl

__all__ = ["Bank", "Registry", "TrustedList", "check_qualified", "verify_request", "load_crl"]
