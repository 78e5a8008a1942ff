"""Points: the one place where they are read from people and rounded.

Points are ``Decimal`` with the rulebook's precision (decimal places). An expert's or a
consensus's points are taken only with at most that many decimals; an aggregate of several
experts (a mean, a median) is rounded once, half up, by :func:`round_points`, and every total
after that is an exact sum of rounded values, so a list, a recomputation and an explanation
always show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .i18n import N_


def quantum(precision: int) -> Decimal:
    """The smallest step of points with ``precision`` decimals (``0.01`` for 2)."""
    return Decimal(1).scaleb(-precision)


def round_points(value: Decimal, precision: int) -> Decimal:
    """``value`` with ``precision`` decimals, half up (2.345 → 2.35; -0 is 0)."""
    rounded = Decimal(value).quantize(quantum(precision), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def fixed(value: Decimal, precision: int) -> Decimal:
    """``value`` written with ``precision`` decimals (11 → 11.00) for showing and storing; it
    never rounds: a value with more decimals is returned as it is."""
    value = Decimal(value)
    if decimals(value) > precision:
        return value
    return value.quantize(quantum(precision))


def decimals(value: Decimal) -> int:
    """How many decimals ``value`` is written with, trailing zeros not counted (7.50 → 1)."""
    exponent = value.normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


@dataclass(frozen=True)
class PointsRefused(Exception):
    """Points that cannot be taken; ``message_id`` (English, marked) with ``params``."""

    message_id: str
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message_id % self.params


def parse_points(raw: object, *, maximum: Decimal, precision: int) -> Decimal | None:
    """The points typed for a criterion, None when left empty.

    A decimal comma is accepted. Refused (PointsRefused): anything that is not a finite
    number, a number outside 0 … ``maximum``, or one with more decimals than ``precision``.
    The value keeps the digits typed (7.50 stays 7.50); zero is never negative.
    """
    if raw is None:
        return None
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if text == "":
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise PointsRefused(N_("Enter a number.")) from None
    if not value.is_finite():
        raise PointsRefused(N_("Enter a number."))
    if not Decimal(0) <= value <= maximum:
        raise PointsRefused(N_("Points must be between 0 and %(max)s."), {"max": maximum})
    if decimals(value) > precision:
        if precision == 0:
            raise PointsRefused(N_("Enter whole points."))
        raise PointsRefused(N_("Enter at most %(places)s decimal places."), {"places": precision})
    return value.copy_abs() if value.is_zero() else value
