"""Pure date rules of status validity and membership verification (no Django, no I/O).

- A status is valid on a date D when ``valid_from <= D <= valid_to`` and it was not withdrawn
  on or before D (``withdrawn_on`` empty or after D).
- A membership is active on D as ``keyclusters.domain.registry.membership_active_on`` says
  (joined by D, not left before D).
- "At least N calendar months before D": the membership began on or before
  :func:`months_before` ``(D, N)``, the same day of the month N months earlier, clamped to the
  last day of that month when it is shorter (31 August minus 6 months is 29 February in a
  leap year, 28 February otherwise).
"""

from __future__ import annotations

import calendar
import datetime as dt

ACTIVE, EXPIRED, WITHDRAWN, FUTURE = "active", "expired", "withdrawn", "future"


def is_valid_on(
    *, valid_from: dt.date, valid_to: dt.date, withdrawn_on: dt.date | None, on: dt.date
) -> bool:
    if withdrawn_on is not None and withdrawn_on <= on:
        return False
    return valid_from <= on <= valid_to


def state_on(
    *, valid_from: dt.date, valid_to: dt.date, withdrawn_on: dt.date | None, on: dt.date
) -> str:
    """``active``, ``future``, ``expired`` or ``withdrawn`` on ``on``."""
    if withdrawn_on is not None and withdrawn_on <= on:
        return WITHDRAWN
    if on < valid_from:
        return FUTURE
    if on > valid_to:
        return EXPIRED
    return ACTIVE


def months_before(on: dt.date, months: int) -> dt.date | None:
    """The date ``months`` calendar months before ``on`` (end-of-month clamped).

    ``None`` when it would fall before 1 January of year 1 (no membership began that early).
    """
    if months < 0:
        raise ValueError("months must not be negative")
    index = on.year * 12 + (on.month - 1) - months
    year, month = divmod(index, 12)
    if year < 1:
        return None
    day = min(on.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def began_early_enough(*, joined_on: dt.date, on: dt.date, min_months: int | None) -> bool:
    """With ``min_months`` N: the membership began at least N calendar months before ``on``."""
    if not min_months:
        return True
    latest_start = months_before(on, min_months)
    return latest_start is not None and joined_on <= latest_start
