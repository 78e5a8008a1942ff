"""A small framework with known results, three clusters and the users of the benchmarking app."""

from __future__ import annotations

import pytest
from django.utils import translation

from keyclusters.benchmarking import services
from tests.factories import ClusterFactory, UserFactory

SMALL_FRAMEWORK = """
rulebook: test-bench
version: 1
kind: benchmarking-framework
title: {pl: "Benchmarking testowy", en: "Test benchmarking"}
normalisation: min-max
aggregation: arithmetic
areas:
  - id: resources
    title: {pl: "Zasoby", en: "Resources"}
    subareas:
      - id: human
        title: {pl: "Zasoby ludzkie", en: "Human resources"}
        indicators:
          - {id: staff, title: {pl: "Etaty", en: "Staff"}, unit: FTE, direction: higher,
             source: coordinator}
          - {id: turnover, unit: "%", direction: lower, source: coordinator}
          - {id: rating, unit: "1-5", direction: higher, source: member-survey}
      - id: money
        title: {pl: "Finanse", en: "Money"}
        indicators:
          - {id: budget, unit: PLN thousand, direction: higher, source: coordinator}
  - id: impact
    title: {pl: "Oddziaływanie", en: "Impact"}
    subareas:
      - id: export
        title: {pl: "Eksport", en: "Export"}
        indicators:
          - {id: export_share, unit: "%", direction: higher, source: member-survey}
          - {id: partners, unit: count, direction: higher, source: coordinator}
"""

COORDINATOR_CSV = (
    "cluster,staff,turnover,budget,partners\n"
    "Klaster A,10,5,100,2\n"
    "Klaster B,20,10,300,2\n"
    "Klaster C,30,,200,2\n"
)
SURVEY_CSV = (
    "cluster;rating;export_share\n"
    "Klaster A;4;10\n"
    "Klaster A;5;\n"
    "Klaster B;3;20\n"
    "Klaster C;2;40\n"
    "Klaster C;3;\n"
    "Klaster C;4,0;\n"
)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def framework(db):
    return services.store_framework(source=SMALL_FRAMEWORK)


@pytest.fixture
def clusters(db):
    return {name: ClusterFactory(name=f"Klaster {name}") for name in "ABC"}


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", roles=["analyst"])


@pytest.fixture
def coordinator_a(db, clusters):
    return UserFactory(
        username="coord-a", roles=["coordinator"], organisation=clusters["A"].coordinator
    )


def make_edition(
    framework,
    year: int,
    *,
    coordinator: str = COORDINATOR_CSV,
    survey: str = SURVEY_CSV,
    publish: bool = False,
):
    edition = services.create_edition(framework=framework, year=year, name=f"Edycja {year}")
    services.import_cluster_data(edition=edition, source=coordinator.encode(), filename="c.csv")
    services.import_survey_answers(edition=edition, source=survey.encode(), filename="s.csv")
    services.compute_edition(edition=edition)
    if publish:
        services.change_state(edition=edition, action="publish")
    edition.refresh_from_db()
    return edition


@pytest.fixture
def edition(framework, clusters):
    return make_edition(framework, 2020)
