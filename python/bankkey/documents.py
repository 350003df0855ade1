"""The documents of the flows, rendered by the core as text, HTML (print CSS, copies on their
own pages) or PDF (fonts embedded):

- :func:`act` — «Акт признания открытого ключа (сертификата)», for a request or certificate;
- :func:`application` — «Заявление на изготовление сертификата ключа подписи»;
- :func:`qes_statement` — «Заявление о подтверждении использования ЭП» (seed 004);
- :func:`check_act_key` — the bank's check of a key typed in from a paper act.

>>> doc = act(request, bank="АО «Банк»", date=datetime.date.today())   # doctest: +SKIP
>>> open("act.pdf", "wb").write(doc.pdf())                              # doctest: +SKIP
"""

from __future__ import annotations

from bankkey._native import Document, act, application, check_act_key, qes_statement

__all__ = ["Document", "act", "application", "qes_statement", "check_act_key"]
