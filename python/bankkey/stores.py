"""Key stores: PKCS#11 tokens and the file container.

>>> with Pkcs11Module("/usr/lib/softhsm/libsofthsm2.so") as module:   # doctest: +SKIP
...     with module.open_token(serial="0123456789") as token:
...         token.login(getpass.getpass("PIN: "))
...         for key_set in token.key_sets():
...             print(key_set.kind, key_set.certificate)

Tokens, containers and modules are context managers (a token logs out on exit). PINs and
passwords are ``str`` or ``bytes``; they go straight into a buffer the core wipes and are never
kept by these objects. :func:`diagnose` tells what is wrong with a module's tokens in the
words support staff use.

Generation on a token reads the new pair's flags back and refuses (``Pkcs11Error``, ``.field``
naming the attribute) a pair the token gave more than the template asked — a signing key that
can decrypt, unwrap or derive, or a key that can leave the token; ``module.open_token(...,
accept_extra_key_usages=True)`` keeps the extra usages (never a weaker protection) for a token
known to force them.

The client's current key comes in from elsewhere (issue 16): ``store.import_pfx(data,
password, label)`` brings a PFX's key and certificate into a token (non-extractable) or a
file container, ``FileContainer.export_pfx`` writes one back out in the standard profile
(Р 50.1.112-2016, which CryptoPro CSP imports), and :class:`CryptoProContainer` reads a
CryptoPro CSP container folder — without its PIN what it holds, with it a read-only
:class:`CryptoProStore` that signs (a ``Client`` over it starts the remote regeneration) or
``store.import_cryptopro(container, pin, label)``. The container reader works from public,
reverse-engineered descriptions of a proprietary format: see the project's README before
taking a key out of CryptoPro.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Optional, Union

from bankkey._native import (
    CryptoProContainer,
    CryptoProStore,
    FileContainer,
    KeySet,
    Pkcs11Module,
    StoreSigner,
    Token,
)

__all__ = [
    "Pkcs11Module",
    "Token",
    "FileContainer",
    "CryptoProContainer",
    "CryptoProStore",
    "KeySet",
    "StoreSigner",
    "diagnose",
]


def diagnose(
    module: Union[str, Pkcs11Module],
    *,
    pin: Union[str, bytes, None] = None,
    at: Optional[datetime] = None,
    window_days: int = 30,
) -> Dict[str, Any]:
    """What is wrong with the tokens of ``module`` (a path or a loaded module).

    Without ``pin`` the PIN state, the certificates and the public keys are looked at; with
    it the token is logged in (never on the final try, never when locked) to see the private
    keys too. Returns ``{"slots", "findings", "tokens", "worst"}``: each token with its
    ``pin_state``, ``key_sets`` and ``findings``, each finding a dict with ``finding`` (a
    stable name such as ``"pin_final_try"``, ``"certificate_without_key"``,
    ``"several_qualified_keys"``), ``severity``, ``ru``, ``en``, ``key_id`` and ``detail``;
    ``worst`` is ``"error"``, ``"warning"``, ``"info"`` or ``None``.
    """
    if isinstance(module, Pkcs11Module):
        return module.diagnose(pin=pin, at=at, window_days=window_days)
    with Pkcs11Module(module) as m:
        return m.diagnose(pin=pin, at=at, window_days=window_days)
