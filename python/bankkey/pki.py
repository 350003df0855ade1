"""Certificates, requests, names, public keys and CMS: read, inspected and verified.

Every loader takes DER or PEM as ``bytes``, PEM as ``str``, or a ``pathlib.Path`` to read;
the objects are immutable, compare and hash by their DER, and pickle.

>>> cert = load_certificate(pathlib.Path("client.cer"))        # doctest: +SKIP
>>> cert.subject.inn, cert.not_after, cert.days_left()          # doctest: +SKIP
"""

from __future__ import annotations

from typing import List

from bankkey._io import Source, read_source
from bankkey._native import (
    Certificate,
    CertificateRequest,
    Name,
    PublicKey,
    SignedData,
    SignedRequest,
)

__all__ = [
    "Certificate",
    "CertificateRequest",
    "Name",
    "PublicKey",
    "SignedData",
    "SignedRequest",
    "load_certificate",
    "load_certificates",
    "load_request",
    "load_public_key",
    "load_signed_data",
    "load_signed_request",
    "load_pem_x509_certificate",
    "load_der_x509_certificate",
    "load_pem_x509_csr",
    "load_der_x509_csr",
]


def load_certificate(source: Source) -> Certificate:
    """Reads one X.509 certificate (DER or PEM; the first ``CERTIFICATE`` block)."""
    return Certificate.from_bytes(read_source(source))


def load_certificates(source: Source) -> List[Certificate]:
    """Reads every certificate of a PEM bundle (or the one of a DER file), in order."""
    return Certificate.all_from_bytes(read_source(source))


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
