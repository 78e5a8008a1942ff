"""Pure date rules of status validity and membership verification (no Django, no I/O).

- A status is valid on a date D when ``valid_from <= D <= valid_to`` and it was not withdrawn
  on or before D (``withdrawn_on`` empty or after D).
- A membership is active on D as ``keyclusters.domain.registry.membership_active_on`` says
  (joined by D, not left before D).
- "At least N calendar months before D": the membership began on or before
  :func:`months_before` ``(D, N)``, the same day of the month N months earlier, clamped to the
  last day of that month when it is shorter (31 August minus 6 months is 29 February in a
  leap year, 28 February otherwise).
- Renewals: a grant continues the cluster's previous grant (:func:`previous_grant`) when the
  cluster held the status on the day before the new one starts (continuity, no gap) or when
  the previous one ended at most :data:`RENEWAL_WINDOW_DAYS` days without a status before it
  (a renewal after a gap, the gap kept in days); a status after a longer break is a new one.
  A grant "ends" on its last valid day: ``valid_to``, or the day before its withdrawal.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

G = TypeVar("G", bound=Any)

ACTIVE, EXPIRED, WITHDRAWN, FUTURE = "active", "expired", "withdrawn", "future"

# The most days without a status between a cluster's grants for the later one to count as a
# renewal of the earlier: one year, a round a year. Round III (2018) renewed statuses that had
# expired earlier in 2018 with a decision in December; its renewals had gaps of months.
RENEWAL_WINDOW_DAYS = 365


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


def last_valid_day(
    *, valid_from: dt.date, valid_to: dt.date, withdrawn_on: dt.date | None
) -> dt.date | None:
    """The last day the grant was (or will be) valid; ``None`` when it never was (withdrawn
    on or before its first day)."""
    if withdrawn_on is not None:
        if withdrawn_on <= valid_from:
            return None
        return min(valid_to, withdrawn_on - dt.timedelta(days=1))
    return valid_to


def gap_days(previous_end: dt.date, valid_from: dt.date) -> int:
    """Days without a status between a grant ending on ``previous_end`` and one starting on
    ``valid_from``: 0 when the new one starts the next day or earlier (continuity)."""
    return max(0, (valid_from - previous_end).days - 1)


def previous_grant(grants: Iterable[G], valid_from: dt.date) -> tuple[G, int] | None:
    """The grant a status starting on ``valid_from`` follows, and the days without a status
    between them: of ``grants`` (one cluster's; objects with ``valid_from``, ``valid_to``,
    ``withdrawn_on`` and ``pk``) those that started earlier and were valid at least a day,
    the one valid the latest (then the one that started the latest). ``None`` when there is
    none."""
    best: tuple[dt.date, dt.date, int, G] | None = None
    for grant in grants:
        start = grant.valid_from
        if start >= valid_from:
            continue
        end = last_valid_day(
            valid_from=start,
            valid_to=grant.valid_to,
            withdrawn_on=grant.withdrawn_on,
        )
        if end is None:
            continue
        key = (end, start, grant.pk or 0)
        if best is None or key > best[:3]:
            best = (*key, grant)
    if best is None:
        return None
    return best[3], gap_days(best[0], valid_from)


def is_renewal(gap: int, window_days: int = RENEWAL_WINDOW_DAYS) -> bool:
    """A grant following another after ``gap`` days without a status renews it."""
    return gap <= window_days
