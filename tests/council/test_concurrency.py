"""Council writes at the same moment, in real threads: the meeting's lock numbers positions one
after the other, and one person's lock gives them one seat at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from keyclusters.council import services
from keyclusters.council.models import CouncilMember, Position
from tests.concurrency import run_together
from tests.council.conftest import DAY

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
]


def test_two_positions_recorded_at_once_get_two_numbers(world):
    meeting = services.plan_meeting(held_on=DAY, place="Warszawa", agenda="A", by=world.operator)
    outcomes = run_together(
        *(
            lambda title=title: services.adopt_position(
                meeting=meeting, title=title, text="T", by=world.operator
            )
            for title in ("Pierwsze", "Drugie")
        )
    )
    assert [o.ok for o in outcomes] == [True, True], [o.error for o in outcomes]
    assert sorted(Position.objects.values_list("number", flat=True)) == [1, 2]


def test_two_overlapping_seats_of_one_person_at_once_one_is_refused(world):
    outcomes = run_together(
        *(
            lambda start=start: services.add_member(
                user=world.coordinator,
                represents="coordinator",
                cluster=world.alfa,
                member_from=start,
                by=world.operator,
            )  # fmt: skip
            for start in (dt.date(2025, 1, 1), dt.date(2025, 6, 1))
        )
    )
    assert sorted(o.ok for o in outcomes) == [False, True]
    refused = next(o for o in outcomes if not o.ok)
    assert isinstance(refused.error, services.CouncilError)
    assert list(refused.error.message_dict) == ["member_from"]
    assert CouncilMember.objects.count() == 1
