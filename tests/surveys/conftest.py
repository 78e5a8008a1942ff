"""Two key clusters holding the status (last year, this year and the next), their coordinators,
an operator, a decision maker and a member firm's user; the shipped monitoring framework (with
its survey questions) stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone

from keyclusters.monitoring import services as monitoring
from keyclusters.statuses import services as statuses
from keyclusters.surveys import services
from tests.factories import ClusterFactory, UserFactory

D = dt.date


@dataclass
class World:
    framework: object
    cluster: object
    other: object
    coordinator: object
    other_coordinator: object
    operator: object
    decision_maker: object
    member: object
    today: dt.date
    year: int  # last year: both clusters held the status


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    today = timezone.localdate()
    framework = monitoring.store_shipped_framework()
    cluster = ClusterFactory(name="Klaster Północ", founded_on=D(2012, 3, 1))
    other = ClusterFactory(name="Klaster Południe", founded_on=D(2012, 3, 1))
    for holder in (cluster, other):
        statuses.grant_status(
            cluster=holder, round_label="VI", decision_on=D(today.year - 3, 12, 20),
            valid_from=D(today.year - 2, 1, 1), valid_to=D(today.year + 1, 12, 31), by=None,
        )  # fmt: skip
    return World(
        framework=framework,
        cluster=cluster,
        other=other,
        coordinator=UserFactory(
            username="koordynator", roles=["coordinator"], organisation=cluster.coordinator
        ),
        other_coordinator=UserFactory(
            username="inny", roles=["coordinator"], organisation=other.coordinator
        ),
        operator=UserFactory(username="operator", roles=["operator"], is_staff=True),
        decision_maker=UserFactory(username="minister", roles=["decision-maker"]),
        member=UserFactory(username="czlonek", roles=["member-organisation"]),
        today=today,
        year=today.year - 1,
    )


def open_survey(world: World, **overrides):
    values = {
        "cluster": world.cluster,
        "year": world.year,
        "closes_on": world.today + dt.timedelta(days=30),
        "by": world.coordinator,
        **overrides,
    }
    return services.open_survey(**values)


GOOD = {
    "coordinator_services": "4",
    "joint_projects_useful": "very",
    "would_recommend": "9",
    "suggestions": "Więcej szkoleń.",
}


@pytest.fixture
def english():
    """Messages in English (the tests' language is Polish)."""
    from django.utils import translation

    with translation.override("en"):
        yield
