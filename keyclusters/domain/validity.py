"""How long a status lasts: its last valid day from its first day, its years and how it ends.

A status of ``years`` years starting on ``start`` (the approval of the list, ``from: decision``,
or the issue date of the minister's document confirming it, ``from: document``) ends

- ``day-before`` (the default): through the day before the date ``years`` later, so that it lasts
  exactly that many years: 2015-09-23 + 3 years is valid through 2018-09-22;
- ``anniversary``: through the date ``years`` later itself: 2019-08-28 + 3 years is valid
  through 2022-08-28 (round IV's "valid until 28.08.2022").

A status starting on 29 February ends in a year without one as the civil code counts a period in
years (the last day of February stands for the missing day): with ``anniversary`` it is valid
through 28 February; with ``day-before`` it lasts the full years, which end with 28 February too
(not 27 February: the day after 28 February is 1 March, the first day of the next period). From 29
February 2020, 3 years is valid through 28 February 2023 either way; 4 years is valid through 28
February 2024 (``day-before``) or 29 February 2024 (``anniversary``).
"""

from __future__ import annotations

import calendar
import datetime as dt

DAY_BEFORE = "day-before"
ANNIVERSARY = "anniversary"
ENDINGS = (DAY_BEFORE, ANNIVERSARY)


def same_day_years_later(start: dt.date, years: int) -> dt.date:
    """The same day and month ``years`` later; 29 February becomes 28 February in a year
    without it (the last day of the month)."""
    year = start.year + years
    day = min(start.day, calendar.monthrange(year, start.month)[1])
    return dt.date(year, start.month, day)


def status_valid_until(start: dt.date, years: int, ends: str = DAY_BEFORE) -> dt.date:
    """The last valid day (inclusive) of a status of ``years`` years starting on ``start``.

    ``ends`` is ``day-before`` (N full years: through the day before the date N years later,
    where a missing 29 February is followed by 1 March) or ``anniversary`` (through the date N
    years later, 28 February for a missing 29 February). Raises ``ValueError`` for an unknown
    ``ends`` or fewer than one year.
    """
    if years < 1:
        raise ValueError(f"a status lasts at least one year, not {years}")
    if ends == ANNIVERSARY:
        return same_day_years_later(start, years)
    if ends == DAY_BEFORE:
        year = start.year + years
        if start.month == 2 and start.day == 29 and not calendar.isleap(year):
            return dt.date(year, 2, 28)  # the next period would begin on 1 March
        return same_day_years_later(start, years) - dt.timedelta(days=1)
    raise ValueError(f"unknown ending {ends!r}: expected one of {', '.join(ENDINGS)}")


__all__ = [
    "ANNIVERSARY",
    "DAY_BEFORE",
    "ENDINGS",
    "same_day_years_later",
    "status_valid_until",
]
