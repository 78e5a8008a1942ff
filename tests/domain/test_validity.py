"""A status's last valid day: day-before (the default) or through the anniversary, leap days
included; the rulebook's ``ends`` reaches the validity the decisions record."""

from __future__ import annotations

import datetime as dt

import pytest

from keyclusters.domain.evaluation import status_validity, validity_start
from keyclusters.domain.rulebook import load_rulebook
from keyclusters.domain.validity import same_day_years_later, status_valid_until

from .test_rulebook_validation import VALID

D = dt.date


@pytest.mark.parametrize(
    ("start", "years", "ends", "last_day"),
    [
        # round I: 23.09.2015 + 3 years, through the day before
        (D(2015, 9, 23), 3, "day-before", D(2018, 9, 22)),
        # round IV: approved 28.08.2019, "valid until 28.08.2022"
        (D(2019, 8, 28), 3, "anniversary", D(2022, 8, 28)),
        (D(2015, 9, 23), 3, "anniversary", D(2018, 9, 23)),
        (D(2019, 8, 28), 3, "day-before", D(2022, 8, 27)),
        # a first day of the year ends on the last day of the year before
        (D(2022, 1, 1), 3, "day-before", D(2024, 12, 31)),
        (D(2022, 1, 1), 3, "anniversary", D(2025, 1, 1)),
        # from 29 February into a common year: 28 February either way
        (D(2020, 2, 29), 3, "day-before", D(2023, 2, 28)),
        (D(2020, 2, 29), 3, "anniversary", D(2023, 2, 28)),
        # from 29 February into a leap year
        (D(2020, 2, 29), 4, "day-before", D(2024, 2, 28)),
        (D(2020, 2, 29), 4, "anniversary", D(2024, 2, 29)),
        # the day before 1 March in a leap year is 29 February
        (D(2021, 3, 1), 3, "day-before", D(2024, 2, 29)),
        (D(2022, 3, 1), 3, "day-before", D(2025, 2, 28)),
        # 28 February is no leap day
        (D(2019, 2, 28), 1, "day-before", D(2020, 2, 27)),
        (D(2019, 2, 28), 1, "anniversary", D(2020, 2, 28)),
        (D(2023, 12, 31), 1, "day-before", D(2024, 12, 30)),
    ],
)
def test_the_last_valid_day(start, years, ends, last_day):
    assert status_valid_until(start, years, ends) == last_day


def test_day_before_is_the_default():
    assert status_valid_until(D(2015, 9, 23), 3) == D(2018, 9, 22)


def test_day_before_lasts_exactly_the_years_the_next_status_starting_the_day_after():
    for start in (D(2015, 9, 23), D(2020, 2, 29), D(2021, 3, 1), D(2016, 12, 31)):
        last = status_valid_until(start, 3, "day-before")
        following = last + dt.timedelta(days=1)
        assert following == (same_day_years_later(start, 3) if start.day != 29 else D(2023, 3, 1))


def test_same_day_years_later_clamps_29_february():
    assert same_day_years_later(D(2020, 2, 29), 1) == D(2021, 2, 28)
    assert same_day_years_later(D(2020, 2, 29), 4) == D(2024, 2, 29)
    assert same_day_years_later(D(2019, 8, 28), 3) == D(2022, 8, 28)


@pytest.mark.parametrize(("years", "ends"), [(0, "day-before"), (3, "anniversry"), (3, None)])
def test_an_impossible_validity_is_an_error(years, ends):
    with pytest.raises(ValueError):
        status_valid_until(D(2019, 8, 28), years, ends)


def _rulebook(validity: str):
    return load_rulebook(VALID.replace("validity: {years: 3, from: decision}", validity))


def test_the_rulebooks_ending_reaches_the_status_validity():
    assert status_validity(_rulebook("validity: {years: 3}").status, D(2015, 9, 23)) == (
        D(2015, 9, 23),
        D(2018, 9, 22),
    )
    anniversary = _rulebook("validity: {years: 3, ends: anniversary}")
    assert status_validity(anniversary.status, D(2019, 8, 28)) == (D(2019, 8, 28), D(2022, 8, 28))
    day_before = _rulebook("validity: {years: 3, from: decision, ends: day-before}")
    assert status_validity(day_before.status, D(2019, 8, 28)) == (D(2019, 8, 28), D(2022, 8, 27))


def test_the_start_is_the_decision_or_the_documents_issue_date():
    decision = _rulebook("validity: {years: 3}").status
    assert validity_start(decision, D(2015, 9, 11), D(2015, 9, 23)) == D(2015, 9, 11)
    document = _rulebook("validity: {years: 3, from: document}").status
    assert validity_start(document, D(2015, 9, 11), D(2015, 9, 23)) == D(2015, 9, 23)
    assert validity_start(document, D(2015, 9, 11)) is None
    start = validity_start(document, D(2015, 9, 11), D(2015, 9, 23))
    assert status_validity(document, start) == (D(2015, 9, 23), D(2018, 9, 22))
