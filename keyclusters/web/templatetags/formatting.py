"""Dates kept as ISO 8601 text (JSON payloads of certificates and verification answers) shown in
the language's format: ``{{ payload.status.valid_from|iso_date }}`` → 30.11.2026 / 30 Nov 2026."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import date_format, number_format

register = template.Library()


@register.filter
def iso_date(value: object, format_name: str = "SHORT_DATE_FORMAT") -> object:
    """An ISO date (``2026-11-30``, a date or a datetime) in the active language's format;
    anything else is returned as it is."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.date):
        return date_format(value, format_name)
    return value


@register.filter
def number(value: object) -> object:
    """A number kept as text (a JSON payload's ``"0.0314"``) or a Decimal/float in the active
    language's format, grouped: ``0,0314``, ``1 234,5`` / ``1,234.5``. Anything else (a dash,
    a word, None) is returned as it is."""
    if value is None or value == "" or isinstance(value, bool):
        return value
    try:
        decimal = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if not decimal.is_finite():
        return value
    return number_format(decimal, use_l10n=True, force_grouping=True)
