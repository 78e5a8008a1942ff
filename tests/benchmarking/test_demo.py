from __future__ import annotations

import pytest

from keyclusters.benchmarking.models import EditionResult, EditionState
from keyclusters.web.demo.benchmarking import build_benchmarking
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_builds_a_published_edition_of_40_clusters_with_a_trend():
    clusters = [ClusterFactory() for _ in range(42)]
    analyst = UserFactory(username="analyst", roles=["analyst"])
    edition = build_benchmarking(clusters=clusters, analyst=analyst)
    assert (edition.year, edition.state) == (2020, EditionState.PUBLISHED)
    results = EditionResult.objects.filter(edition=edition)
    assert results.count() == 40
    assert sorted(r.rank for r in results) == list(range(1, 41))
    with_trend = results.exclude(previous_year=None)
    assert with_trend.count() == 35
    assert {r.previous_year for r in with_trend} == {2018}
    assert not edition.reports.exclude(pdf="").exists()  # PDFs are made on demand
