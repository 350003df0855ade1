"""bankkey: the signing-key lifecycle of Russian remote banking («Банк-Клиент», ДБО).

GOST R 34.10-2012 keys and signatures, PKCS#10 requests, X.509 certificates, CMS, key
stores (PKCS#11 tokens and the file container), the regeneration flows and the bank's side,
from a Rust core shared with the C library. The modules:

- :mod:`bankkey.pki` — certificates, requests, names, public keys, CMS; the loaders;
- :mod:`bankkey.exceptions` — :class:`BankKeyError` and one class per error kind;
- :mod:`bankkey.cli` — the ``bankkey`` command (``python -m bankkey``).

The most used names are also here: ``bankkey.load_certificate``, ``bankkey.inspect``, ...
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional, Sequence, Union

from bankkey import exceptions
from bankkey._io import Source, read_source
from bankkey._native import Report, __version__
from bankkey._native import inspect as _inspect
from bankkey.exceptions import *  # noqa: F401,F403  (the exception classes)
from bankkey.exceptions import __all__ as _exceptions_all
from bankkey.pki import (
    Certificate,
    CertificateRequest,
    Name,
    PublicKey,
    SignedData,
    SignedRequest,
    load_certificate,
    load_certificates,
    load_public_key,
    load_request,
    load_signed_data,
    load_signed_request,
)

__all__ = [
    "__version__",
    "exceptions",
    "Report",
    "inspect",
    "Certificate",
    "CertificateRequest",
    "Name",
    "PublicKey",
    "SignedData",
    "SignedRequest",
    "load_certificate",
    "load_certificates",
    "load_public_key",
    "load_request",
    "load_signed_data",
    "load_signed_request",
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
    PKCS#8 key, public key or CMS SignedData. ``at`` (aware datetime; default now) is when
    validity is judged, ``trust`` the anchors, ``key`` the key the object must hold,
    ``content`` the content of a detached signature, ``password`` the password of an
    encrypted key (str or bytes, not kept). Unreadable bytes give a report with verdict
    ``invalid`` and reason ``malformed``, not an exception; without ``trust`` a certificate
    or a signature is ``untrusted`` (its path was not checked).
    """
    return _inspect(
        read_source(source),
        at=at,
        trust=trust,
        key=key,
        content=content,
        password=password,
    )
