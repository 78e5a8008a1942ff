"""The date rules of membership periods: active on a day, two periods overlapping."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyclusters.domain.registry import membership_active_on, overlaps, periods_overlap

D = dt.date


@pytest.mark.parametrize(
    ("joined_on", "left_on", "on", "expected"),
    [
        (D(2020, 1, 1), None, D(2019, 12, 31), False),  # not yet
        (D(2020, 1, 1), None, D(2020, 1, 1), True),  # the first day counts
        (D(2020, 1, 1), None, D(2030, 6, 1), True),  # open: active ever after
        (D(2020, 1, 1), D(2020, 6, 30), D(2020, 6, 30), True),  # the last day counts
        (D(2020, 1, 1), D(2020, 6, 30), D(2020, 7, 1), False),  # the day after
        (D(2020, 1, 1), D(2020, 1, 1), D(2020, 1, 1), True),  # a one-day membership
    ],
)
def test_membership_active_on(joined_on, left_on, on, expected):
    assert membership_active_on(joined_on, left_on, on) is expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ((D(2015, 1, 1), D(2018, 12, 31)), (D(2019, 1, 1), None), False),  # the next day
        ((D(2015, 1, 1), D(2018, 12, 31)), (D(2018, 12, 31), None), True),  # the last day
        ((D(2015, 1, 1), None), (D(2024, 1, 1), None), True),  # open
        ((D(2024, 1, 1), None), (D(2015, 1, 1), D(2023, 12, 31)), False),
        ((D(2024, 1, 1), None), (D(2015, 1, 1), D(2024, 1, 1)), True),
        ((D(2016, 1, 1), D(2016, 2, 1)), (D(2015, 1, 1), D(2017, 1, 1)), True),  # inside
    ],
)
def test_periods_overlap_either_way_round(first, second, expected):
    assert periods_overlap(*first, *second) is expected
    assert periods_overlap(*second, *first) is expected


def test_overlaps_pairs_each_later_period_with_the_one_reaching_furthest():
    periods = [
        (D(2020, 1, 1), D(2020, 12, 31)),  # 0
        (D(2015, 1, 1), D(2016, 12, 31)),  # 1
        (D(2016, 6, 1), None),  # 2: overlaps 1, then reaches for ever
        (D(2021, 1, 1), D(2021, 1, 31)),  # 3: inside 2
    ]
    assert overlaps(periods) == [(2, 1), (0, 2), (3, 2)]
    assert overlaps(periods[:2]) == []
    assert overlaps([]) == []
    assert overlaps([(D(2020, 1, 1), None)]) == []


def test_overlaps_of_the_same_start_name_the_one_given_first():
    assert overlaps([(D(2020, 1, 1), D(2020, 1, 1)), (D(2020, 1, 1), None)]) == [(1, 0)]


day = st.integers(0, 40).map(lambda n: D(2020, 1, 1) + dt.timedelta(days=n))
period = st.tuples(day, st.one_of(st.none(), st.integers(0, 15))).map(
    lambda p: (p[0], None if p[1] is None else p[0] + dt.timedelta(days=p[1]))
)


@given(st.lists(period, max_size=8))
def test_overlaps_finds_an_overlap_exactly_when_two_periods_share_a_day(periods):
    found = overlaps(periods)
    any_pair = any(
        periods_overlap(*periods[i], *periods[j])
        for i in range(len(periods))
        for j in range(i + 1, len(periods))
    )
    assert bool(found) == any_pair
    for later, earlier in found:
        assert periods_overlap(*periods[later], *periods[earlier])
        assert (periods[earlier][0], earlier) < (periods[later][0], later)


@given(period, period)
def test_periods_overlap_means_a_day_active_in_both(first, second):
    days = [D(2020, 1, 1) + dt.timedelta(days=n) for n in range(0, 60)]
    shared = any(membership_active_on(*first, d) and membership_active_on(*second, d) for d in days)
    assert periods_overlap(*first, *second) is shared
