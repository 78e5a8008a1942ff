"""Dates kept as ISO 8601 text (JSON payloads of certificates and verification answers) shown in
the language's format: ``{{ payload.status.valid_from|iso_date }}`` → 30.11.2026 / 30 Nov 2026."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import date_format

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
