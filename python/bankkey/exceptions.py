"""The exceptions bankkey raises: one class per error kind of the core.

Every exception is a :class:`BankKeyError` with

- ``code``: the kind's stable number, the same the C ABI returns as ``bk_status``
  (1xxx input, 2xxx trust and signatures, 3xxx lifecycle, 4xxx tokens, 5xxx storage,
  9xxx internal);
- ``kind``: the kind's machine name (``"invalid_input"``, ``"pin_locked"``, ...);
- ``field``: the field, attribute or argument the error is about (``"INN"``, ``"at"``,
  ``"signerInfos[0]"``), or ``None``;
- ``ckr``: the PKCS#11 return value for :class:`Pkcs11Error`, else ``None``;
- ``message``: the message without the kind (``str(e)`` has both).

Between the base and the leaves stand one class per range (:class:`InputError`,
:class:`TrustError`, :class:`LifecycleError`, :class:`TokenError`,
:class:`PersistenceError`), so ``except bankkey.TokenError`` catches every token problem.
A code this version does not know yet maps to its range's class. Messages never hold a
secret (PIN, password, key material). A bank's rejection of a request is a result, not an
exception.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = [
    "BankKeyError",
    "InputError",
    "TrustError",
    "LifecycleError",
    "TokenError",
    "PersistenceError",
    "InvalidInputError",
    "MalformedEncodingError",
    "UnsupportedAlgorithmError",
    "WrongPasswordError",
    "LimitExceededError",
    "BadSignatureError",
    "KeyMismatchError",
    "ExpiredError",
    "NotYetValidError",
    "UntrustedIssuerError",
    "WrongIssuerError",
    "RevokedError",
    "VerificationUnavailableError",
    "ContentAlteredError",
    "SignerCertificateMissingError",
    "KeyUsageNotAllowedError",
    "WrongStateError",
    "PreconditionFailedError",
    "PinIncorrectError",
    "PinLockedError",
    "PinFactoryDefaultError",
    "PinFinalTryError",
    "TokenAbsentError",
    "Pkcs11Error",
    "IoError",
    "StorageError",
    "InternalError",
    "exception_for_code",
]


class BankKeyError(Exception):
    """The base of every bankkey exception."""

    #: The kind's stable code (the C ``bk_status``); 0 on the bases.
    code: int = 0
    #: The kind's machine name.
    kind: str = "unknown"

    def __init__(
        self,
        *args: object,
        code: Optional[int] = None,
        field: Optional[str] = None,
        ckr: Optional[int] = None,
        message: Optional[str] = None,
    ) -> None:
        super().__init__(*args)
        if code is not None:
            self.code = code
        #: The field, attribute or argument the error is about.
        self.field: Optional[str] = field
        #: The PKCS#11 return value (CKR_*), for token errors that have one.
        self.ckr: Optional[int] = ckr
        #: The message without the kind.
        self.message: str = message if message is not None else (str(args[0]) if args else "")

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild, (type(self), self.args, self.code, self.field, self.ckr, self.message))


def _rebuild(
    cls: Type[BankKeyError],
    args: tuple,  # type: ignore[type-arg]
    code: int,
    field: Optional[str],
    ckr: Optional[int],
    message: str,
) -> BankKeyError:
    return cls(*args, code=code, field=field, ckr=ckr, message=message)


class InputError(BankKeyError):
    """1xxx: a value, an encoding or an algorithm given to the library is not acceptable."""


class TrustError(BankKeyError):
    """2xxx: a signature, a key or a certificate path does not hold."""


class LifecycleError(BankKeyError):
    """3xxx: the operation is not allowed in the regeneration's current state."""


class TokenError(BankKeyError):
    """4xxx: a PKCS#11 token, its PIN or its module."""


class PersistenceError(BankKeyError):
    """5xxx: reading or writing files, the container, the journal or the registry."""


class InvalidInputError(InputError, ValueError):
    """A value given is not acceptable (wrong check digit, missing field, naive datetime)."""

    code = 1000
    kind = "invalid_input"


class MalformedEncodingError(InputError, ValueError):
    """Bytes that should be DER, PEM, PKCS#8, PKCS#10, X.509 or CMS are not well-formed."""

    code = 1001
    kind = "malformed_encoding"


class UnsupportedAlgorithmError(InputError):
    """The algorithm, parameter set or mechanism is not supported."""

    code = 1002
    kind = "unsupported_algorithm"


class WrongPasswordError(InputError):
    """A password does not decrypt the key (ask again)."""

    code = 1003
    kind = "wrong_password"


class LimitExceededError(InputError):
    """Input asks for more work than the host allows (a key-derivation iteration count
    above the limit, say): refused before any of it is done; a host that trusts the
    source may raise the limit."""

    code = 1004
    kind = "limit_exceeded"


class BadSignatureError(TrustError):
    """A signature does not verify."""

    code = 2000
    kind = "bad_signature"


class KeyMismatchError(TrustError):
    """A certificate or request does not hold the key it is expected to hold."""

    code = 2001
    kind = "key_mismatch"


class ExpiredError(TrustError):
    """A certificate (or key) is past its validity period."""

    code = 2002
    kind = "expired"


class NotYetValidError(TrustError):
    """A certificate (or key) is not valid yet."""

    code = 2003
    kind = "not_yet_valid"


class UntrustedIssuerError(TrustError):
    """No path leads to a trusted root."""

    code = 2004
    kind = "untrusted_issuer"


class WrongIssuerError(TrustError):
    """The object names an issuer other than the one it was checked against."""

    code = 2005
    kind = "wrong_issuer"


class RevokedError(TrustError):
    """The certificate is revoked."""

    code = 2006
    kind = "revoked"


class VerificationUnavailableError(TrustError):
    """A check that must be made could not be made (no CA list or CRL): retry, never pass."""

    code = 2007
    kind = "verification_unavailable"


class ContentAlteredError(TrustError):
    """Signed content does not match its digest."""

    code = 2008
    kind = "content_altered"


class SignerCertificateMissingError(TrustError):
    """The certificate of a signer was not found."""

    code = 2009
    kind = "signer_certificate_missing"


class KeyUsageNotAllowedError(TrustError):
    """The certificate's keyUsage does not allow this use of its key."""

    code = 2010
    kind = "key_usage_not_allowed"


class WrongStateError(LifecycleError):
    """The operation is not allowed in the current lifecycle state."""

    code = 3000
    kind = "wrong_state"


class PreconditionFailedError(LifecycleError):
    """A precondition of the operation does not hold (``field`` says which)."""

    code = 3001
    kind = "precondition_failed"


class PinIncorrectError(TokenError):
    """The PIN is wrong."""

    code = 4000
    kind = "pin_incorrect"


class PinLockedError(TokenError):
    """The PIN is locked."""

    code = 4001
    kind = "pin_locked"


class PinFactoryDefaultError(TokenError):
    """The token still has its factory PIN, which must be changed first."""

    code = 4002
    kind = "pin_factory_default"


class PinFinalTryError(TokenError):
    """One more wrong PIN locks the token: refused unless the caller insists."""

    code = 4003
    kind = "pin_final_try"


class TokenAbsentError(TokenError):
    """The token is absent (removed, or never inserted)."""

    code = 4004
    kind = "token_absent"


class Pkcs11Error(TokenError):
    """A PKCS#11 function failed; ``ckr`` holds its return value."""

    code = 4005
    kind = "pkcs11"


class IoError(PersistenceError):
    """Reading or writing a file failed."""

    code = 5000
    kind = "io"


class StorageError(PersistenceError):
    """A store (file container, journal, registry) is inconsistent or cannot be used."""

    code = 5001
    kind = "storage"


class InternalError(BankKeyError):
    """A bug or an unexpected condition inside the library."""

    code = 9000
    kind = "internal"


_BY_CODE: Dict[int, Type[BankKeyError]] = {
    cls.code: cls
    for cls in (
        InvalidInputError,
        MalformedEncodingError,
        UnsupportedAlgorithmError,
        WrongPasswordError,
        LimitExceededError,
        BadSignatureError,
        KeyMismatchError,
        ExpiredError,
        NotYetValidError,
        UntrustedIssuerError,
        WrongIssuerError,
        RevokedError,
        VerificationUnavailableError,
        ContentAlteredError,
        SignerCertificateMissingError,
        KeyUsageNotAllowedError,
        WrongStateError,
        PreconditionFailedError,
        PinIncorrectError,
        PinLockedError,
        PinFactoryDefaultError,
        PinFinalTryError,
        TokenAbsentError,
        Pkcs11Error,
        IoError,
        StorageError,
        InternalError,
    )
}

_BY_RANGE: Dict[int, Type[BankKeyError]] = {
    1: InputError,
    2: TrustError,
    3: LifecycleError,
    4: TokenError,
    5: PersistenceError,
}


def exception_for_code(code: int) -> Type[BankKeyError]:
    """The exception class of an error code (a C ``bk_status``).

    A code this version does not know maps to its range's class, then to
    :class:`BankKeyError`.
    """
    cls = _BY_CODE.get(code)
    if cls is not None:
        return cls
    return _BY_RANGE.get(code // 1000, BankKeyError)
