"""Reading an application's values according to the rulebook's field types."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ..i18n import N_
from .comparison import is_present, to_decimal
from .model import NUMERIC_FIELD_TYPES, FieldSpec

_TRUE = {"true", "yes", "1", "tak", "y", "t"}
_FALSE = {"false", "no", "0", "nie", "n", "f"}


class ValueInvalid(ValueError):
    """A value that does not fit its field's type; ``reason`` is a translatable message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def coerce_value(spec: FieldSpec | None, value: object) -> object:
    """``value`` as the field's type: a ``Decimal``, a ``bool``, a ``date`` or text.

    Missing values (see :func:`.comparison.is_present`) become None, except for documents and
    text, which keep what was given. Raises :class:`ValueInvalid` for a value of the wrong type.
    """
    if not is_present(value):
        return None
    kind = spec.type if spec is not None else None
    if kind in NUMERIC_FIELD_TYPES:
        number = to_decimal(value)
        if number is None:
            raise ValueInvalid(N_("is not a number"))
        if kind == "integer" and number != number.to_integral_value():
            raise ValueInvalid(N_("is not a whole number"))
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueInvalid(N_("is not yes or no"))
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueInvalid(N_("is not a date (YYYY-MM-DD)")) from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return to_decimal(value)
    return value


def display(value: object) -> str:
    """A value as it is shown in explanations: numbers without a trailing exponent."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(display(item) for item in value)
    return str(value)
