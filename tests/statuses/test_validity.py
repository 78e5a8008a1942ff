"""The pure date rules: calendar months with end-of-month clamping, validity, states."""

import datetime as dt

import pytest

from keyclusters.statuses.validity import (
    began_early_enough,
    is_valid_on,
    months_before,
    state_on,
)

D = dt.date


@pytest.mark.parametrize(
    ("on", "months", "expected"),
    [
        (D(2022, 9, 15), 6, D(2022, 3, 15)),
        (D(2024, 8, 31), 6, D(2024, 2, 29)),  # leap year: clamped to 29 February
        (D(2023, 8, 31), 6, D(2023, 2, 28)),
        (D(2023, 3, 31), 1, D(2023, 2, 28)),
        (D(2023, 5, 31), 1, D(2023, 4, 30)),
        (D(2023, 1, 31), 2, D(2022, 11, 30)),  # across a year
        (D(2023, 6, 30), 12, D(2022, 6, 30)),
        (D(2023, 6, 30), 0, D(2023, 6, 30)),
        (D(1, 5, 1), 4, D(1, 1, 1)),
        (D(1, 5, 1), 5, None),  # before year 1
    ],
)
def test_months_before(on, months, expected):
    assert months_before(on, months) == expected


def test_negative_months_are_refused():
    with pytest.raises(ValueError):
        months_before(D(2023, 1, 1), -1)


@pytest.mark.parametrize(
    ("joined_on", "on", "expected"),
    [
        (D(2022, 3, 15), D(2022, 9, 15), True),  # exactly six months
        (D(2022, 3, 15), D(2022, 9, 14), False),  # a day short
        (D(2024, 2, 29), D(2024, 8, 31), True),
        (D(2024, 3, 1), D(2024, 8, 31), False),
        (D(2023, 2, 28), D(2023, 8, 30), True),  # 30 August - 6 months = 28 February
        (D(2023, 2, 28), D(2023, 8, 27), False),
    ],
)
def test_six_months_of_membership(joined_on, on, expected):
    assert began_early_enough(joined_on=joined_on, on=on, min_months=6) is expected


def test_validity_is_inclusive_and_withdrawal_ends_it_on_its_date():
    start, end = D(2021, 12, 20), D(2024, 12, 31)
    days = (D(2021, 12, 19), start, end, D(2025, 1, 1))
    valid = [is_valid_on(valid_from=start, valid_to=end, withdrawn_on=None, on=d) for d in days]
    assert valid == [False, True, True, False]
    withdrawn = D(2023, 5, 10)
    assert is_valid_on(valid_from=start, valid_to=end, withdrawn_on=withdrawn, on=D(2023, 5, 9))
    assert not is_valid_on(valid_from=start, valid_to=end, withdrawn_on=withdrawn, on=withdrawn)
    states = [state_on(valid_from=start, valid_to=end, withdrawn_on=withdrawn, on=d)
              for d in (D(2021, 1, 1), D(2022, 1, 1), withdrawn, D(2026, 1, 1))]  # fmt: skip
    assert states == ["future", "active", "withdrawn", "withdrawn"]
    assert (
        state_on(valid_from=start, valid_to=end, withdrawn_on=None, on=D(2025, 1, 1)) == "expired"
    )
