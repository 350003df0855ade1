"""Keys and signers.

- :class:`SoftwareKey` — a private key in memory (GOST R 34.10-2012, RSA, ECDSA P-256):
  generated, or read from PKCS#8 (plain or encrypted), wiped when dropped;
- :class:`CallableSigner` — a Python callable as a signer, for keys the library cannot reach
  itself (a CSP, an HSM service); every signature it returns is verified before use;
- token keys come from :mod:`bankkey.stores`.

Anything that signs (a request, a CMS, a certificate) takes any of them.
"""

from __future__ import annotations

from typing import List, Union

from bankkey._io import Source, read_source
from bankkey._native import CallableSigner, SoftwareKey, key_algorithms

__all__ = [
    "SoftwareKey",
    "CallableSigner",
    "Signer",
    "KEY_ALGORITHMS",
    "generate_key",
    "load_private_key",
]

#: Every key algorithm id: ``"gost2012-256-tc26-a"`` … ``"-d"``,
#: ``"gost2012-256-cryptopro-a"``/``-b``/``-c``/``-xcha``/``-xchb``,
#: ``"gost2012-512-tc26-a"`` … ``"-c"``, ``"rsa-2048"``/``-3072``/``-4096``, ``"ecdsa-p256"``.
KEY_ALGORITHMS: List[str] = key_algorithms()

#: What every signing call accepts.
Signer = Union[SoftwareKey, CallableSigner]


def generate_key(algorithm: str) -> SoftwareKey:
    """A new random key of ``algorithm`` (an id of :data:`KEY_ALGORITHMS`)."""
    return SoftwareKey.generate(algorithm)


def load_private_key(source: Source, password: Union[str, bytes, None] = None) -> SoftwareKey:
    """Reads a PKCS#8 private key (DER or PEM, plain or encrypted with ``password``)."""
    return SoftwareKey.from_pkcs8(read_source(source), password)


