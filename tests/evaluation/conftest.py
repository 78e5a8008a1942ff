"""A call whose rulebook has every kind of stage: formal → merit → parametric → panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from keyclusters.competitions import services
from keyclusters.competitions.models import Application
from keyclusters.evaluation.models import Expert
from tests.competitions.conftest import PDF, WARSAW
from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

RULEBOOK = """
rulebook: test-full
version: 1
kind: status-competition
fields:
  - {id: years_active, type: integer, source: registry}
  - {id: members_total, type: integer, source: registry}
  - {id: strategy, type: document, required: true}
eligibility:
  - {id: min_members, field: members_total, op: ">=", value: 5}
stages:
  - {id: formal, kind: formal, completion_days: 7}
  - {id: merit, kind: expert, experts: 2, aggregation: mean,
     divergence: {max_gap: 0.30, resolution: third-expert}}
  - {id: parametric, kind: parametric}
  - {id: panel, kind: panel, experts: 3, aggregation: median}
areas:
  - id: resources
    criteria:
      - {id: team, stage: merit, max: 10}
      - {id: members, stage: parametric, max: 7, field: members_total,
         brackets: [{min: 5, points: 4}, {min: 10, points: 7}]}
  - id: impact
    criteria:
      - {id: presentation, stage: panel, max: 10}
decision:
  pass: {op: ">=", value: 15}
  ranking: [total, panel, merit]
status:
  validity: {years: 3, from: decision}
"""


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def call(db):
    rulebook = services.store_rulebook(source=RULEBOOK)
    call = services.create_call(
        name="Runda pełna",
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    return services.change_call_state(call=call, action="open")


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", roles=["operator"])


def make_expert(name: str, *, organisation=None, specialisations=("ICT",), role="expert"):
    user = UserFactory(username=name, first_name=name.title(), roles=[role])
    return Expert.objects.create(
        user=user,
        organisation=organisation or OrganisationFactory(),
        specialisations=list(specialisations),
    )


def submitted_application(call, *, name="Klaster Alfa", members=5) -> Application:
    cluster = ClusterFactory(name=name, founded_on=dt.date(2015, 1, 1), specialisation="ICT")
    for _ in range(members):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    now = dt.datetime(2026, 6, 10, 12, 0, tzinfo=WARSAW)
    application = services.start_application(call=call, cluster=cluster, by=coordinator, now=now)
    services.save_application_data(
        application=application,
        values={},
        files={"strategy": ("s.pdf", PDF)},
        by=coordinator,
        now=now,
    )
    services.submit_application(application=application, by=coordinator, now=now)
    return Application.objects.get(pk=application.pk)
