from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest

from keyclusters.benchmarking import services
from keyclusters.benchmarking.models import (
    AreaSummary,
    EditionResult,
    EditionState,
    IndicatorValue,
    SurveyAggregate,
)
from keyclusters.domain.benchmarking import compute, to_dict

from .conftest import COORDINATOR_CSV, SURVEY_CSV, make_edition

pytestmark = pytest.mark.django_db


def _areas(edition):
    return {
        r.cluster.name: (r.areas, r.overall, r.rank)
        for r in EditionResult.objects.filter(edition=edition).select_related("cluster")
    }


def test_survey_answers_are_aggregated_to_mean_and_count(edition, clusters):
    rows = {
        (a.cluster.name, a.indicator): (a.mean, a.answers)
        for a in SurveyAggregate.objects.filter(edition=edition).select_related("cluster")
    }
    assert rows == {
        ("Klaster A", "rating"): (4.5, 2),
        ("Klaster A", "export_share"): (10.0, 1),
        ("Klaster B", "rating"): (3.0, 1),
        ("Klaster B", "export_share"): (20.0, 1),
        ("Klaster C", "rating"): (3.0, 3),
        ("Klaster C", "export_share"): (40.0, 1),
    }


def test_compute_stores_area_scores_and_ranks(edition):
    assert edition.state == EditionState.COMPUTED
    assert _areas(edition) == {
        "Klaster A": ({"resources": "0.3333", "impact": "0.5000"}, Decimal("0.4167"), 3),
        "Klaster B": ({"resources": "0.5833", "impact": "0.6667"}, Decimal("0.6250"), 2),
        "Klaster C": ({"resources": "0.5000", "impact": "1.0000"}, Decimal("0.7500"), 1),
    }
    c = EditionResult.objects.get(edition=edition, cluster__name="Klaster C")
    assert c.missing == ["turnover"]
    assert c.subareas == {"human": "0.5000", "money": "0.5000", "export": "1.0000"}
    # staff: C has the highest of 3; turnover: C has no value, B is the worse of 2
    assert c.indicators["staff"] == {"value": 30.0, "position": 1, "of": 3}
    assert c.indicators["turnover"] == {"value": None, "position": None, "of": 2}
    b = EditionResult.objects.get(edition=edition, cluster__name="Klaster B")
    assert b.indicators["turnover"] == {"value": 10.0, "position": 2, "of": 2}
    summaries = {
        s.area: (s.median, s.benchmark) for s in AreaSummary.objects.filter(edition=edition)
    }
    assert summaries == {
        "resources": (Decimal("0.5000"), Decimal("0.5833")),
        "impact": (Decimal("0.6667"), Decimal("1.0000")),
    }


def test_stored_results_equal_the_domain_layer(edition, framework):
    parsed = framework.parsed
    clusters = list(edition.clusters.order_by("name"))
    x = services.value_matrix(edition, clusters)
    expected = to_dict(
        compute(parsed, [c.name for c in clusters], x), parsed, sha256=framework.sha256
    )
    assert edition.document == json.dumps(expected, ensure_ascii=False)
    for entry in expected["clusters"]:
        stored = EditionResult.objects.get(edition=edition, cluster__name=entry["cluster"])
        assert stored.areas == entry["areas"]
        assert stored.rank == entry["rank"]
        assert str(stored.overall) == entry["overall"]
    assert np.isnan(x[2, parsed.indicator_ids.index("turnover")])


def test_change_against_the_previous_published_edition(framework, clusters):
    earlier_csv = COORDINATOR_CSV.replace("Klaster A,10,5,100,2", "Klaster A,30,5,400,2")
    earlier = make_edition(framework, 2018, coordinator=earlier_csv, publish=True)
    a_before = EditionResult.objects.get(edition=earlier, cluster__name="Klaster A")
    assert a_before.areas == {"resources": "1.0000", "impact": "0.5000"}
    current = make_edition(framework, 2020)
    a_now = EditionResult.objects.get(edition=current, cluster__name="Klaster A")
    assert a_now.previous_year == 2018
    assert a_now.previous_areas == {"resources": "1.0000", "impact": "0.5000"}
    assert a_now.change == {"resources": "-0.6667", "impact": "0.0000"}


def test_an_unpublished_earlier_edition_is_no_trend(framework, clusters):
    make_edition(framework, 2018)
    current = make_edition(framework, 2020)
    a_now = EditionResult.objects.get(edition=current, cluster__name="Klaster A")
    assert (a_now.previous_year, a_now.change) == (None, {"resources": None, "impact": None})


def test_import_errors_name_row_and_column_and_write_nothing(framework, clusters):
    edition = services.create_edition(framework=framework, year=2020, name="E")
    bad = "cluster,staff,budget,foo\nKlaster A,10,100,1\n"
    with pytest.raises(services.BenchmarkingError) as caught:
        services.import_cluster_data(edition=edition, source=bad.encode())
    assert caught.value.messages == ["row 1, column foo: is not an indicator of the framework"]
    bad = "cluster,staff,budget\nKlaster A,10,100\nKlaster B,1 200,abc\nKlaster A,12,\n"
    with pytest.raises(services.BenchmarkingError) as caught:
        services.import_cluster_data(edition=edition, source=bad.encode())
    assert caught.value.messages == [
        'row 3, column budget: "abc" is not a number',
        'row 4, column cluster: "Klaster A" the cluster appears also in row 2',
    ]
    bad = "cluster,staff\nKlaster A,10\nKlaster X,3\n"
    with pytest.raises(services.BenchmarkingError) as caught:
        services.import_cluster_data(edition=edition, source=bad.encode())
    assert caught.value.messages == [
        'row 3, column cluster: "Klaster X" no cluster has this exact name'
    ]
    survey = "cluster,rating,staff\nKlaster A,3,1\n"
    with pytest.raises(services.BenchmarkingError) as caught:
        services.import_survey_answers(edition=edition, source=survey.encode())
    assert caught.value.messages == ["row 1, column staff: is not an indicator of the framework"]
    assert IndicatorValue.objects.count() == 0
    assert edition.clusters.count() == 0


def test_decimal_comma_and_thousands_are_numbers(framework, clusters):
    edition = services.create_edition(framework=framework, year=2020, name="E")
    source = "cluster;staff;budget\nKlaster A;12,5;1 200\n".encode("cp1250")
    assert services.import_cluster_data(edition=edition, source=source) == (1, 2)
    values = dict(IndicatorValue.objects.values_list("indicator", "value"))
    assert values == {"staff": 12.5, "budget": 1200.0}


def test_reimport_invalidates_results_and_publish_locks(edition):
    services.import_cluster_data(edition=edition, source=COORDINATOR_CSV.encode())
    edition.refresh_from_db()
    assert edition.state == EditionState.DRAFT
    assert not EditionResult.objects.filter(edition=edition).exists()
    with pytest.raises(services.BenchmarkingError):
        services.change_state(edition=edition, action="publish")
    services.compute_edition(edition=edition)
    services.change_state(edition=edition, action="publish")
    with pytest.raises(services.BenchmarkingError) as caught:
        services.import_survey_answers(edition=edition, source=SURVEY_CSV.encode())
    assert caught.value.messages == ["A published edition cannot be changed; withdraw it first."]
