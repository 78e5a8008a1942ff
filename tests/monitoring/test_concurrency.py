"""Reports changed at the same moment, in real threads on one database (PostgreSQL, or a
SQLite file: see tests/concurrency.py): the locks let one change through at a time."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from keyclusters.monitoring import services
from keyclusters.monitoring.models import YearlyReport
from tests.concurrency import run_together
from tests.factories import UserFactory

from .conftest import AFTER_2024, REPORTED, open_2024

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
]


def test_two_operators_open_the_same_year_at_once(world):
    second = UserFactory(username="operator-2", roles=["operator"])
    outcomes = run_together(
        *[
            lambda by=by: services.open_reports(
                year=2024, framework=world.framework, by=by, today=AFTER_2024
            )
            for by in (world.operator, second)
        ]
    )
    assert [o.error for o in outcomes] == [None, None]
    assert sorted(len(o.value.created) for o in outcomes) == [0, 2]
    assert YearlyReport.objects.filter(year=2024).count() == 2


def test_an_acceptance_and_a_return_at_once_one_wins(world):
    report = open_2024(world)[world.cluster.pk]
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    second = UserFactory(username="operator-2", roles=["operator"])
    outcomes = run_together(
        lambda: services.accept_report(report=report, by=world.operator),
        lambda: services.return_report(report=report, note="Popraw eksport.", by=second),
    )
    errors = [o.error for o in outcomes]
    assert sum(e is None for e in errors) == 1
    assert all(e is None or isinstance(e, ValidationError) for e in errors)
    report.refresh_from_db()
    assert report.state == ("accepted" if errors[0] is None else "returned")
    assert report.history.count() == 4  # opened, saved, submitted, and the one review
