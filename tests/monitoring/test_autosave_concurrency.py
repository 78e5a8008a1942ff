"""Autosaves of one report at the same moment, in real threads through the pages (PostgreSQL,
or a SQLite file: see tests/concurrency.py): under the report's lock, the saves carrying the
same version let exactly one through; the others are refused (409) and nothing is lost or
answered with a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from keyclusters.monitoring.models import YearlyReport
from tests.concurrency import run_together

from .conftest import REPORTED, open_2024

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
]


def clients(user, count: int) -> list[Client]:
    made = []
    for _ in range(count):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        made.append(client)
    return made


def test_autosaves_from_the_same_version_at_once_one_wins_the_others_are_refused(world):
    report = open_2024(world)[world.cluster.pk]
    url = reverse("monitoring:report-autosave", args=[report.pk])
    tabs = clients(world.coordinator, 4)
    outcomes = run_together(
        *[
            lambda client=client, n=n: client.post(
                url, {**REPORTED, "rd_projects": str(n), "version": "0"}
            )
            for n, client in enumerate(tabs, start=1)
        ]
    )
    assert [o.error for o in outcomes] == [None] * 4
    statuses = [o.value.status_code for o in outcomes]
    assert sorted(statuses) == [200, 409, 409, 409]
    winner = statuses.index(200) + 1
    report.refresh_from_db()
    assert report.version == 1
    assert report.values["rd_projects"] == str(winner)
    assert report.history.count() == 2  # opened, and the one save


def test_a_chain_of_autosaves_each_from_the_answered_version_loses_nothing(world):
    """Two tabs, each going on from the version its last answer gave: every save answered 200
    is in the report when it was the last, and none answers a 500."""
    report = open_2024(world)[world.cluster.pk]
    url = reverse("monitoring:report-autosave", args=[report.pk])
    first, second = clients(world.coordinator, 2)

    def typing(client: Client, field: str) -> list[tuple[int, str]]:
        answers = []
        version = 0
        for n in range(1, 6):
            answer = client.post(url, {**REPORTED, field: str(n), "version": str(version)})
            answers.append((answer.status_code, str(n)))
            if answer.status_code == 200:
                version = answer.json()["version"]
            else:
                version = YearlyReport.objects.get(pk=report.pk).version  # the page reloaded
        return answers

    outcomes = run_together(
        lambda: typing(first, "rd_projects"), lambda: typing(second, "joint_projects")
    )
    assert [o.error for o in outcomes] == [None, None]
    answers = outcomes[0].value + outcomes[1].value
    assert {status for status, _n in answers} <= {200, 409}
    saved = sum(status == 200 for status, _n in answers)
    report.refresh_from_db()
    assert report.version == saved
    assert report.history.count() == 1 + saved
