"""The regeneration flows on the client's side, and the statuses they show.

:class:`Client` runs the state machine of DESIGN §2 over a token or a file container, each
step journalled in SQLite before it counts (a crash at any point recovers on the next open).
The statuses are :class:`enum.Enum` members whose values are the core's machine names (the
same in journals, JSON and C), with ``.ru`` and ``.en``:

>>> RequestStatus("accepted_by_bank").ru
'Принят банком'
"""

from __future__ import annotations

from enum import Enum
from typing import Dict, Tuple

from bankkey._native import Client, Regeneration, vocabulary

__all__ = [
    "Client",
    "Regeneration",
    "Flow",
    "RequestStatus",
    "KeySetStatus",
    "QesStatus",
]


class _Vocabulary(str, Enum):
    """A member's value is its machine name; ``code`` is the stable number (the C value)."""

    @property
    def code(self) -> int:
        """The stable number, as the C ABI shows it."""
        return _WORDS[type(self).__name__][self.value][0]

    @property
    def ru(self) -> str:
        """The status in Russian, as the bank instructions word it."""
        return _WORDS[type(self).__name__][self.value][1]

    @property
    def en(self) -> str:
        """The status in English."""
        return _WORDS[type(self).__name__][self.value][2]

    def __str__(self) -> str:
        return str(self.value)


class Flow(_Vocabulary):
    """Which flow a request follows."""

    PAPER_ACTS = "paper_acts"
    REMOTE = "remote"


class RequestStatus(_Vocabulary):
    """The status of a regeneration request."""

    NEW = "new"
    SIGNED = "signed"
    SENT = "sent"
    ACCEPTED_BY_BANK = "accepted_by_bank"
    AWAITING_PAPER_DOCUMENTS = "awaiting_paper_documents"
    CERTIFICATE_ISSUED = "certificate_issued"
    ACTIVATED = "activated"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class KeySetStatus(_Vocabulary):
    """The status of the key set on a medium."""

    ACTIVE = "active"
    INITIAL_GENERATION_REQUIRED = "initial_generation_required"
    SCHEDULED_REPLACEMENT_REQUIRED = "scheduled_replacement_required"
    EXPIRED = "expired"


class QesStatus(_Vocabulary):
    """The status of a qualified signature's registration with the bank (seed 004)."""

    NOT_CONFIRMED = "not_confirmed"
    CONFIRMED = "confirmed"


_WORDS: Dict[str, Dict[str, Tuple[int, str, str]]] = {
    cls.__name__: {name: (code, ru, en) for name, code, ru, en in vocabulary(kind)}
    for cls, kind in (
        (Flow, "flow"),
        (RequestStatus, "request_status"),
        (KeySetStatus, "key_set_status"),
        (QesStatus, "qes_status"),
    )
}
