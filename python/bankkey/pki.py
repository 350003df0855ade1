"""Certificates, requests, names, public keys and CMS: read, inspected and verified.

Every loader takes DER or PEM as ``bytes``, PEM as ``str``, or a ``pathlib.Path`` to read;
the objects are immutable, compare and hash by their DER, and pickle.

>>> cert = load_certificate(pathlib.Path("client.cer"))        # doctest: +SKIP
>>> cert.subject.inn, cert.not_after, cert.days_left()          # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from bankkey import _native
from bankkey._io import Source, read_source
from bankkey._native import (
    Certificate,
    CertificateRequest,
    Crl,
    Name,
    PublicKey,
    SignedData,
    SignedRequest,
)
from bankkey.keys import Signer

__all__ = [
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
    "load_request",
    "load_public_key",
    "load_signed_data",
    "load_signed_request",
    "load_pem_x509_certificate",
    "load_der_x509_certificate",
    "load_pem_x509_csr",
    "load_der_x509_csr",
    "make_name",
    "build_request",
    "issue_certificate",
    "cms_sign",
    "sign_request",
]


def load_certificate(source: Source) -> Certificate:
    """Reads one X.509 certificate (DER or PEM; the first ``CERTIFICATE`` block)."""
    return Certificate.from_bytes(read_source(source))


def load_certificates(source: Source) -> List[Certificate]:
    """Reads every certificate of a PEM bundle (or the one of a DER file), in order."""
    return Certificate.all_from_bytes(read_source(source))


def load_crl(source: Source) -> Crl:
    """Reads a certificate revocation list (DER or PEM ``X509 CRL``)."""
    return Crl.from_bytes(read_source(source))


def load_request(source: Source) -> CertificateRequest:
    """Reads a PKCS#10 certificate request (DER or PEM)."""
    return CertificateRequest.from_bytes(read_source(source))


def load_public_key(source: Source) -> PublicKey:
    """Reads a public key (SubjectPublicKeyInfo DER, or PEM ``PUBLIC KEY``)."""
    return PublicKey.from_bytes(read_source(source))


def load_signed_data(source: Source) -> SignedData:
    """Reads a CMS SignedData (DER, BER or PEM ``CMS``/``PKCS7``)."""
    return SignedData.from_bytes(read_source(source))


def load_signed_request(source: Source) -> SignedRequest:
    """Reads a signed regeneration request (CMS around a PKCS#10 request)."""
    return SignedRequest.from_bytes(read_source(source))


# The names pyca/cryptography users reach for; both accept DER and PEM.
load_pem_x509_certificate = load_certificate
load_der_x509_certificate = load_certificate
load_pem_x509_csr = load_request
load_der_x509_csr = load_request


#: The keyword names of :func:`make_name` and :func:`build_request`, with their labels, in
#: the order the attributes are written (as Russian CAs write them).
_ATTRIBUTES: Tuple[Tuple[str, str], ...] = (
    ("common_name", "CN"),
    ("surname", "SN"),
    ("given_name", "G"),
    ("title", "T"),
    ("organization", "O"),
    ("organizational_unit", "OU"),
    ("locality", "L"),
    ("state", "ST"),
    ("country", "C"),
    ("street", "STREET"),
    ("email", "E"),
    ("inn", "INN"),
    ("innle", "INNLE"),
    ("ogrn", "OGRN"),
    ("ogrnip", "OGRNIP"),
    ("snils", "SNILS"),
)

_Pairs = Union[Name, Iterable[Tuple[str, str]]]


def make_name(
    *,
    common_name: Optional[str] = None,
    surname: Optional[str] = None,
    given_name: Optional[str] = None,
    title: Optional[str] = None,
    organization: Optional[str] = None,
    organizational_unit: Optional[str] = None,
    locality: Optional[str] = None,
    state: Optional[str] = None,
    country: Optional[str] = None,
    street: Optional[str] = None,
    email: Optional[str] = None,
    inn: Optional[str] = None,
    innle: Optional[str] = None,
    ogrn: Optional[str] = None,
    ogrnip: Optional[str] = None,
    snils: Optional[str] = None,
) -> Name:
    """A subject name from keyword arguments (``None`` leaves an attribute out).

    ``given_name`` is the given name and patronymic, as Russian certificates write it;
    ``state`` the region ("77 г. Москва"); ``inn`` a person's 12-digit INN, ``innle`` an
    organisation's 10 digits. Nothing is checked here: :func:`build_request` checks the
    values (check digits, lengths, mandatory attributes for the kind of subject) and its
    errors name the attribute by its label (``e.field == "INN"``).
    """
    values = locals()
    return _native.name_from_attributes(
        [(label, values[key]) for key, label in _ATTRIBUTES if values[key] is not None]
    )


def build_request(
    signer: Signer,
    subject: _Pairs,
    *,
    kind: Optional[str] = None,
    key_usage: Optional[Sequence[str]] = None,
    extended_key_usage: Optional[Sequence[str]] = None,
    sign_tool_class: Optional[str] = None,
    policies: Optional[Sequence[str]] = None,
    sign_tool: Optional[str] = None,
    identification_kind: Optional[int] = None,
) -> CertificateRequest:
    """Builds, signs and verifies a PKCS#10 certificate request.

    ``subject`` is a :class:`Name` (:func:`make_name`) or ``(label, value)`` pairs. The
    subject is validated for ``kind`` (``"legal-entity"``, ``"individual-entrepreneur"``,
    ``"natural-person"``; default: from its identifiers) and an error names the attribute
    (``InvalidInputError`` with ``field == "SNILS"``). Extensions: ``key_usage`` bit names
    (``"digitalSignature"``, ``"nonRepudiation"``, ...), ``extended_key_usage`` and
    ``policies`` dotted OIDs, ``sign_tool_class`` (``"КС1"`` … ``"КА1"``), ``sign_tool`` (the
    subjectSignTool text), ``identification_kind`` (0 in person … 3).
    """
    return _native.build_request(
        subject,
        signer,
        kind=kind,
        key_usage=list(key_usage) if key_usage is not None else None,
        extended_key_usage=list(extended_key_usage) if extended_key_usage is not None else None,
        sign_tool_class=sign_tool_class,
        policies=list(policies) if policies is not None else None,
        sign_tool=sign_tool,
        identification_kind=identification_kind,
    )


def issue_certificate(
    subject: Union[CertificateRequest, _Pairs],
    signer: Signer,
    *,
    issuer: Optional[Certificate] = None,
    public_key: Union[PublicKey, Certificate, CertificateRequest, None] = None,
    serial: Union[int, bytes, None] = None,
    not_before: Optional[datetime] = None,
    not_after: Optional[datetime] = None,
    ca: bool = False,
    path_len: Optional[int] = None,
    key_usage: Optional[Sequence[str]] = None,
    issuer_sign_tool: Optional[Tuple[str, str, str, str]] = None,
) -> Certificate:
    """Issues an X.509 v3 certificate, signed by ``signer`` as ``issuer`` (``None``:
    self-signed by the subject's own key).

    ``subject`` is a verified request (its subject, key and requested extensions are
    copied) or a name with ``public_key``. ``serial`` (default random), ``not_before`` and
    ``not_after`` (aware datetimes; default now and a year), ``ca`` and ``path_len``,
    ``key_usage``, ``issuer_sign_tool`` (sign tool, CA tool, and their two conformity
    certificates). The certificate is verified against its issuer before it is returned.
    """
    return _native.issue_certificate(
        subject,
        signer,
        issuer=issuer,
        public_key=public_key,
        serial=serial,
        not_before=not_before,
        not_after=not_after,
        ca=ca,
        path_len=path_len,
        key_usage=list(key_usage) if key_usage is not None else None,
        issuer_sign_tool=issuer_sign_tool,
    )


def cms_sign(
    content: Union[bytes, str],
    signers: Sequence[Tuple[Signer, Certificate]],
    *,
    detached: bool = False,
    signing_time: Optional[datetime] = None,
    certificates: Optional[Sequence[Certificate]] = None,
) -> SignedData:
    """Signs ``content`` as CMS SignedData by every ``(signer, certificate)`` pair (the
    certificates are included, with ``certificates``); ``detached`` leaves the content out."""
    der = _native.cms_sign(
        content,
        list(signers),
        detached=detached,
        signing_time=signing_time,
        certificates=list(certificates) if certificates is not None else None,
    )
    return SignedData.from_bytes(der)


def sign_request(
    request: CertificateRequest, signer: Signer, certificate: Certificate
) -> SignedRequest:
    """The remote regeneration request (seed 002): ``request`` signed as CMS by the current
    key ``signer``, whose certificate is ``certificate``."""
    return _native.sign_request(request, signer, certificate)
