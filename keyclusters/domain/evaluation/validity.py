"""How long a status is valid."""

from __future__ import annotations

import datetime as dt

from ..rulebook.model import StatusRules
from ..validity import status_valid_until


def anniversary(start: dt.date, years: int) -> dt.date:
    """The same date ``years`` later; 29 February falls on 1 March in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February -> a year without it
        return dt.date(start.year + years, 3, 1)


def validity_start(
    rules: StatusRules, decided_on: dt.date, document_issued_on: dt.date | None = None
) -> dt.date | None:
    """The first valid day: the approval date (``from: decision``, the default) or the issue date
    of the minister's document confirming the status (``from: document``; None while no document
    has been issued)."""
    if rules.validity.starts_from == "document":
        return document_issued_on
    return decided_on


def status_validity(rules: StatusRules, start: dt.date) -> tuple[dt.date, dt.date]:
    """(valid_from, valid_to), both inclusive, for a status starting on ``start`` (see
    :func:`validity_start`: the approval date, or the document's issue date for
    ``from: document``).

    ``{years: N}``: from ``start`` through the last day that
    :func:`keyclusters.domain.validity.status_valid_until` gives for the rulebook's ``ends``
    (``day-before`` by default: 3 years from 2015-09-23 is through 2018-09-22, from 2020-02-29
    through 2023-02-28; ``anniversary``: from 2019-08-28 through 2022-08-28). ``{until: D}``: from
    ``start`` through D.
    """
    validity = rules.validity
    if validity.until is not None:
        return start, validity.until
    assert validity.years is not None
    return start, status_valid_until(start, validity.years, validity.ending)
