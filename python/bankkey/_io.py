"""How every loader reads its argument: bytes and str are the object itself, a path is a file."""

from __future__ import annotations

import os
from typing import Union

#: What the loaders accept: DER or PEM as ``bytes``, PEM as ``str``, or a file as a
#: ``pathlib.Path`` (any ``os.PathLike``). A ``str`` is never taken for a file name: PEM text
#: and file names would be ambiguous.
Source = Union[bytes, bytearray, str, "os.PathLike[str]"]


def read_source(source: Source) -> Union[bytes, bytearray, str]:
    """The bytes or text of ``source``; a path-like is read as a file."""
    if isinstance(source, os.PathLike):
        with open(source, "rb") as f:
            return f.read()
    return source
