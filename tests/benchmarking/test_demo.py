from __future__ import annotations

import pytest

from keyclusters.benchmarking import standings
from keyclusters.benchmarking.models import Edition, EditionResult, EditionState
from keyclusters.web.demo.benchmarking import build_benchmarking
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_builds_the_2020_edition_and_the_2018_edition_with_positions():
    clusters = [ClusterFactory() for _ in range(42)]
    analyst = UserFactory(username="analyst", roles=["analyst"])
    edition = build_benchmarking(clusters=clusters, analyst=analyst)
    assert (edition.year, edition.state, edition.number) == (2020, EditionState.PUBLISHED, 5)
    assert edition.publish_position is False
    results = EditionResult.objects.filter(edition=edition).select_related(
        "edition__framework", "cluster"
    )
    assert results.count() == 40
    assert sorted(r.rank for r in results) == list(range(1, 41))
    assert not edition.reports.exclude(pdf="").exists()  # PDFs are made on demand

    # 2018: the 2018 framework, 35 clusters, each told its place
    early = Edition.objects.get(year=2018)
    assert (early.framework.rulebook_id, early.state, early.number) == (
        "parp-benchmark-2018",
        EditionState.PUBLISHED,
        4,
    )
    assert early.publish_position is True
    assert early.contractor and early.financing
    early_results = EditionResult.objects.filter(edition=early).select_related(
        "edition__framework", "cluster"
    )
    assert sorted(r.rank for r in early_results) == list(range(1, 36))
    second = standings.position_of(early_results.get(rank=2))
    assert (second["rank"], second["of"], second["place"]) == (2, 35, "place 2 of 35")
    assert all(standings.position_of(r) is None for r in results[:3])  # hidden in 2020

    # the 2020 reports compare with 2018 through the mapping (5 areas, 14 sub-areas)
    with_comparison = [r for r in results if standings.comparison_of(r) is not None]
    assert len(with_comparison) == 35
    rows = standings.comparison_of(with_comparison[0])["rows"]
    assert [r["level"] for r in rows].count("area") == 5
    assert [r["level"] for r in rows].count("subarea") == 14
    assert all(r["change"] is not None for r in rows if r["level"] == "area")
