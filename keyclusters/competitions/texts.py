"""Translating the domain layer's messages (message id + parameters) for people."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


def translated(message_id: str, params: dict | None = None) -> str:
    message = gettext(message_id)
    return message % dict(params) if params else message


def rulebook_error_text(error) -> str:
    """A rulebook error as ``path: message``, the message in the active language."""
    return f"{error.path}: {translated(error.message_id, dict(error.params or {}))}"


def report_errors(request, exc: ValidationError, form=None) -> None:
    """A refused action's messages: on the form's fields where they belong, else as messages."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                if form is not None and field in form.fields:
                    form.add_error(field, error)
                else:
                    messages.error(request, f"{field}: {error}")
    else:
        for error in exc.messages:
            messages.error(request, error)
