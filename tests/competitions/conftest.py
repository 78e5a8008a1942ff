"""A small rulebook (formal → parametric → merit) and a call with a coordinator's cluster."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from keyclusters.competitions import services
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

WARSAW = ZoneInfo("Europe/Warsaw")

SMALL_RULEBOOK = """
rulebook: test-small
version: 1
kind: status-competition
title: {pl: "Konkurs testowy", en: "Test competition"}
illustrative_points: true
fields:
  - {id: years_active, type: integer, source: registry}
  - {id: members_total, type: integer, source: registry}
  - {id: rd_projects, type: integer, title: {pl: "Projekty B+R", en: "R&D projects"}}
  - {id: strategy, type: document, required: true, title: {pl: "Strategia", en: "Strategy"}}
eligibility:
  - {id: min_years, field: years_active, op: ">=", value: 3,
     message: {pl: "Klaster działa krócej niż 3 lata",
               en: "The cluster operates for less than 3 years"}}
  - {id: min_members, field: members_total, op: ">=", value: 5}
  - {id: strategy_attached, field: strategy, op: present}
stages:
  - {id: formal, kind: formal, completion_days: 7}
  - {id: parametric, kind: parametric, gate: {op: ">=", value: 4}}
  - {id: merit, kind: expert, experts: 2, aggregation: mean}
areas:
  - id: resources
    title: {pl: "Zasoby", en: "Resources"}
    criteria:
      - {id: members, stage: parametric, max: 7, field: members_total,
         brackets: [{min: 5, points: 4}, {min: 10, points: 7}]}
      - {id: rd_intensity, stage: parametric, max: 6, field: rd_projects, per: members_total,
         brackets: [{min: 0.1, points: 2}, {min: 0.5, points: 6}]}
      - {id: team, stage: merit, max: 8}
decision:
  pass: {op: ">=", value: 10}
  ranking: [total]
status:
  validity: {years: 3, from: decision}
"""

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the English messages; Polish is checked where a test says so."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def rulebook(db):
    return services.store_rulebook(source=SMALL_RULEBOOK)


@pytest.fixture
def call(rulebook):
    call = services.create_call(
        name="Runda testowa",
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
        decision_on=dt.date(2026, 9, 30),
    )
    return services.change_call_state(call=call, action="open")


@pytest.fixture
def cluster(db):
    cluster = ClusterFactory(name="Klaster Alfa", founded_on=dt.date(2018, 3, 1))
    for _ in range(5):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    return cluster


@pytest.fixture
def coordinator(cluster):
    return UserFactory(
        username="koordynator", roles=["coordinator"], organisation=cluster.coordinator
    )


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", roles=["operator"])


@pytest.fixture
def other_coordinator(db):
    other = ClusterFactory(name="Klaster Beta", founded_on=dt.date(2015, 1, 1))
    return UserFactory(username="inny", roles=["coordinator"], organisation=other.coordinator)


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory()


def in_call(day: int = 10, month: int = 6, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=WARSAW)
