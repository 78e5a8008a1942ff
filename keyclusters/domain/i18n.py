"""Marking of translatable messages in the domain layer.

The domain layer does not import Django. Messages are written in English and marked with
``N_`` so that ``makemessages`` collects them (``N_`` is passed as an extra keyword); the
application layer translates them with ``gettext`` when it shows them.
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message
