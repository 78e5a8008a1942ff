"""Comparisons shared by eligibility rules, stage gates and the pass threshold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from ..i18n import N_


class ComparisonError(ValueError):
    """The values cannot be compared with the operator (e.g. a text with ``>=``)."""


def is_present(value: object) -> bool:
    """A value is present unless it is None, blank text or an empty collection."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping | Sequence | set | frozenset):
        return len(value) > 0
    return True


def to_decimal(value: object) -> Decimal | None:
    """The number ``value`` stands for, or None when it is not a number (booleans are not)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(str(value))
        return number if number.is_finite() else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _comparable(left: object, right: object) -> tuple[object, object]:
    left_number, right_number = to_decimal(left), to_decimal(right)
    if left_number is not None and right_number is not None:
        return left_number, right_number
    if isinstance(left, date) and isinstance(right, date):
        return left, right
    if isinstance(left, date) and isinstance(right, str):
        try:
            return left, date.fromisoformat(right)
        except ValueError:
            pass
    raise ComparisonError(
        N_("cannot compare %(left)r with %(right)r") % {"left": left, "right": right}
    )


def _equal(left: object, right: object) -> bool:
    try:
        a, b = _comparable(left, right)
    except ComparisonError:
        return left == right
    return a == b


def compare(op: str, left: object, right: object = None) -> bool:
    """``left op right``: ``>=``, ``>``, ``<=``, ``<``, ``==``, ``present`` or ``in``.

    Numbers (int, Decimal, float, numeric text) are compared as ``Decimal``, dates as dates.
    ``present`` ignores ``right``; ``in`` needs a list as ``right``. A missing ``left``
    (None) satisfies only ``present``-less checks that never hold: every comparison with None
    is False. Raises :class:`ComparisonError` for values that cannot be ordered.
    """
    if op == "present":
        return is_present(left)
    if left is None:
        return False
    if op == "in":
        if not isinstance(right, list | tuple | set | frozenset):
            raise ComparisonError(N_("'in' needs a list of values"))
        return any(_equal(left, item) for item in right)
    if op == "==":
        return _equal(left, right)
    a, b = _comparable(left, right)
    if op == ">=":
        return a >= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == "<":
        return a < b  # type: ignore[operator]
    raise ComparisonError(N_("unknown operator %(op)s") % {"op": op})
