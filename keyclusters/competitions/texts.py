"""Translating the domain layer's messages (message id + parameters) for people."""

from __future__ import annotations

from django.utils.translation import gettext


def translated(message_id: str, params: dict | None = None) -> str:
    message = gettext(message_id)
    return message % dict(params) if params else message


def rulebook_error_text(error) -> str:
    """A rulebook error as ``path: message``, the message in the active language."""
    return f"{error.path}: {translated(error.message_id, dict(error.params or {}))}"
