"""bankkey: the signing-key lifecycle of Russian remote banking («Банк-Клиент», ДБО).

GOST R 34.10-2012 keys and signatures, PKCS#10 requests, X.509 certificates, CMS, key
stores (PKCS#11 tokens and the file container), the regeneration flows and the bank's side,
from a Rust core shared with the C library. The modules:

- :mod:`bankkey.pki` — certificates, requests, names, public keys, CMS; the loaders; building
  requests, certificates and signatures;
- :mod:`bankkey.keys` — software keys and a Python callable as a signer;
- :mod:`bankkey.stores` — PKCS#11 modules and tokens, the file container, the token diagnosis;
- :mod:`bankkey.lifecycle` — the client's regeneration flows and their statuses;
- :mod:`bankkey.documents` — the act, the application and the QES statement (text/HTML/PDF);
- :mod:`bankkey.bank` — the registry and its queries, request verification, the bank;
- :mod:`bankkey.exceptions` — :class:`BankKeyError` and one class per error kind;
- :mod:`bankkey.cli` — the ``bankkey`` command (``python -m bankkey``).

The most used names are also here: ``bankkey.load_certificate``, ``bankkey.inspect``, ...
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Iterable, List, Optional, Sequence, Union

from bankkey import bank, documents, exceptions, lifecycle, stores
from bankkey._io import Source, read_source
from bankkey._native import Report, ScanEntry, __version__, verify_many
from bankkey._native import inspect as _inspect
from bankkey._native import inspect_path as _inspect_path
from bankkey._native import scan as _scan
from bankkey._native import scan_group_text, scan_groups
from bankkey.exceptions import *  # noqa: F401,F403  (the exception classes)
from bankkey.exceptions import __all__ as _exceptions_all
from bankkey.keys import (
    KEY_ALGORITHMS,
    CallableSigner,
    SoftwareKey,
    generate_key,
    load_private_key,
)
from bankkey.pki import (
    Certificate,
    CertificateRequest,
    Crl,
    Name,
    PublicKey,
    SignedData,
    SignedRequest,
    load_certificate,
    load_certificates,
    load_crl,
    load_public_key,
    load_request,
    load_signed_data,
    load_signed_request,
    make_name,
    build_request,
    issue_certificate,
    cms_sign,
    sign_request,
)

__all__ = [
    "__version__",
    "bank",
    "documents",
    "exceptions",
    "lifecycle",
    "stores",
    "Report",
    "inspect",
    "ScanEntry",
    "scan",
    "SCAN_GROUPS",
    "scan_group_text",
    "verify_many",
    "Certificate",
    "CertificateRequest",
    "Crl",
    "Name",
    "PublicKey",
    "SignedData",
    "SignedRequest",
    "load_certificate",
    "load_certificates",
    "load_crl",
    "load_public_key",
    "load_request",
    "load_signed_data",
    "load_signed_request",
    "make_name",
    "build_request",
    "issue_certificate",
    "cms_sign",
    "sign_request",
    "KEY_ALGORITHMS",
    "SoftwareKey",
    "CallableSigner",
    "generate_key",
    "load_private_key",
    *_exceptions_all,
]


def inspect(
    source: Source,
    *,
    at: Optional[datetime] = None,
    trust: Union[Certificate, Sequence[Certificate], None] = None,
    key: Union[PublicKey, Certificate, CertificateRequest, None] = None,
    content: Union[bytes, str, None] = None,
    password: Union[str, bytes, None] = None,
) -> Report:
    """Reports whatever ``source`` holds, as the Rust ``inspect`` does.

    ``source`` is DER or PEM bytes, PEM text or a ``pathlib.Path``: a certificate, request,
    PKCS#8 key, public key, CMS message or PFX (``password`` opens it), or the folder of a
    CryptoPro container (``password`` is its PIN: the report says whether it opens the key,
    never the key). ``at`` (aware datetime; default now) is when
    validity is judged, ``trust`` the anchors, ``key`` the key the object must hold,
    ``content`` the content of a detached signature, ``password`` the password of an
    encrypted key (str or bytes, not kept). Unreadable bytes give a report with verdict
    ``invalid`` and reason ``malformed``, not an exception; without ``trust`` a certificate
    or a signature is ``untrusted`` (its path was not checked).
    """
    if isinstance(source, os.PathLike) and os.path.isdir(source):
        return _inspect_path(
            source, at=at, trust=trust, key=key, content=content, password=password
        )
    return _inspect(
        read_source(source),
        at=at,
        trust=trust,
        key=key,
        content=content,
        password=password,
    )


#: The groups of :func:`scan`, worst first: ``"unreadable"``, ``"untrusted"``, ``"expired"``,
#: ``"not-yet-valid"``, ``"bad-identifiers"``, ``"replacement-due"``, ``"fine"``.
SCAN_GROUPS: List[str] = scan_groups()


def scan(
    inputs: Iterable[Source],
    *,
    at: Optional[datetime] = None,
    window_days: int = 30,
    trust: Union[Certificate, Sequence[Certificate], None] = None,
    threads: Optional[int] = None,
) -> List[ScanEntry]:
    """Reads and judges every certificate of every input, on every core, without the GIL.

    Each input is DER or PEM ``bytes``, PEM ``str`` or a ``pathlib.Path``, holding a
    certificate, a PEM bundle or a CMS with certificates inside. Each certificate is judged at
    ``at`` (aware datetime; default now): validity, the replacement window of ``window_days``
    days («Необходима плановая замена сертификата»), the INN/INNLE/OGRN/OGRNIP/SNILS check
    digits, and, with ``trust``, the path to those anchors. Returns one :class:`ScanEntry`
    per certificate in input order (``entry.input`` is the input's index; an unreadable input
    gives one entry in the group ``"unreadable"``). ``threads=1`` runs on the calling thread
    only.
    """
    data = [read_source(i) for i in inputs]
    return _scan(data, at=at, window_days=window_days, trust=trust, threads=threads)
