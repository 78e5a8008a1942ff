"""How long a status is valid."""

from __future__ import annotations

import datetime as dt

from ..rulebook.model import StatusRules


def anniversary(start: dt.date, years: int) -> dt.date:
    """The same date ``years`` later; 29 February falls on 1 March in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February -> a year without it
        return dt.date(start.year + years, 3, 1)


def status_validity(rules: StatusRules, decision_on: dt.date) -> tuple[dt.date, dt.date]:
    """(valid_from, valid_to), both inclusive.

    ``{years: N, from: decision}``: from the decision date through the day before its N-th
    anniversary (3 years from 2020-02-29 is through 2023-02-28). ``{until: D}``: from the decision
    date through D.
    """
    validity = rules.validity
    if validity.until is not None:
        return decision_on, validity.until
    assert validity.years is not None
    return decision_on, anniversary(decision_on, validity.years) - dt.timedelta(days=1)
