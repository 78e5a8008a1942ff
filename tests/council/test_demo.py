"""The demo's Council (keyclusters/web/demo/council.py): two meetings, the past one with its
minutes recorded, who attended and two positions; the planned one with its agenda."""

from __future__ import annotations

import datetime as dt

import pytest

from keyclusters.council.models import CouncilMember, Meeting
from keyclusters.web.demo.council import build_council
from tests.council.conftest import DAY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_council(world):
    UserFactory(username="minister", roles=["decision-maker"])
    UserFactory(username="agency", roles=["funding-agency"])
    held, planned = build_council(operator=world.operator, today=DAY)
    seats = CouncilMember.objects.order_by("pk")
    assert [(s.user.username, s.represents, s.cluster_id) for s in seats] == [
        ("anna", "coordinator", world.alfa.pk),
        ("minister", "ministry", None),
        ("agency", "agency", None),
    ]
    assert {s.member_from for s in seats} == {DAY - dt.timedelta(days=365)}
    assert (held.held_on, planned.held_on) == (dt.date(2026, 1, 11), dt.date(2026, 4, 11))
    held = Meeting.objects.get(pk=held.pk)
    assert held.minutes.title == "Protokół z posiedzenia Rady KKK"
    assert held.minutes.file.read().startswith(b"%PDF-")
    assert (held.attendees.count(), held.positions.count(), held.documents.count()) == (3, 2, 2)
    planned = Meeting.objects.get(pk=planned.pk)
    assert (planned.minutes, planned.attendees.count(), planned.documents.count()) == (None, 0, 1)
    assert planned.agenda.splitlines()[1] == "Nowy katalog Krajowych Klastrów Kluczowych"
