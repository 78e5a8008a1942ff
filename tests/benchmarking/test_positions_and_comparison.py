"""The overall position and the gap to the leader where an edition publishes them (hidden where
it does not), the rating bands in the report, the edition's details, and the comparison with an
earlier edition of another framework through the declared mapping."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from keyclusters.benchmarking import reports, services, standings
from keyclusters.benchmarking.models import Edition, EditionResult
from tests.factories import ClusterFactory

from .conftest import make_edition

pytestmark = pytest.mark.django_db

EARLY_FRAMEWORK = """
rulebook: test-bench-early
version: 1
kind: benchmarking-framework
title: {pl: "Benchmarking wczesny", en: "Early benchmarking"}
normalisation: min-max
aggregation: arithmetic
edition:
  number: 4
  financing: {pl: "Środki publiczne", en: "Public funds"}
  publish_position: true
bands:
  - {min: 0.75, label: {pl: "bardzo wysoka", en: "very high"}}
  - {min: 0.5, label: {pl: "wysoka", en: "high"}}
  - {min: 0, label: {pl: "niska", en: "low"}}
areas:
  - id: potential
    title: {pl: "Potencjał", en: "Potential"}
    maps_to: {test-bench: [resources]}
    subareas:
      - id: people
        title: {pl: "Ludzie", en: "People"}
        maps_to: {test-bench: [human, money]}
        indicators:
          - {id: staff, unit: FTE, direction: higher, source: coordinator}
      - id: funds
        title: {pl: "Fundusze", en: "Funds"}
        maps_to: {test-bench: [money]}
        indicators:
          - {id: budget, unit: PLN thousand, direction: higher, source: coordinator}
  - id: openness
    title: {pl: "Otwartość", en: "Openness"}
    maps_to: {test-bench: [impact]}
    bands:
      - {min: 0.9, label: {pl: "bardzo wysoka", en: "very high"}}
      - {min: 0, label: {pl: "niska", en: "low"}}
    subareas:
      - id: abroad
        title: {pl: "Za granicą", en: "Abroad"}
        maps_to: {test-bench: [export]}
        indicators:
          - {id: partners, unit: count, direction: higher, source: coordinator}
"""

EARLY_CSV = (
    "cluster,staff,budget,partners\n"
    "Klaster A,24,100,4\n"
    "Klaster B,20,300,3\n"
    "Klaster C,30,200,0\n"
    "Klaster D,0,0,1\n"
)


@pytest.fixture
def early(framework, clusters):
    """The 2018 edition of the early framework (positions published), four clusters, published.

    potential: A 0.5667, B 0.8333, C 0.8333, D 0; openness: A 1, B 0.75, C 0, D 0.25;
    overall: B 0.7917 (1), A 0.7833 (2), C 0.4167 (3), D 0.1250 (4).
    """
    ClusterFactory(name="Klaster D")
    stored = services.store_framework(source=EARLY_FRAMEWORK)
    edition = services.create_edition(framework=stored, year=2018, name="Edycja 2018")
    services.import_cluster_data(edition=edition, source=EARLY_CSV.encode(), filename="c.csv")
    services.compute_edition(edition=edition)
    services.change_state(edition=edition, action="publish")
    edition.refresh_from_db()
    return edition


def _result(edition: Edition, name: str) -> EditionResult:
    return EditionResult.objects.select_related("edition__framework", "cluster").get(
        edition=edition, cluster__name=name
    )


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def test_the_edition_starts_with_the_framework_s_edition_block(early, framework):
    assert (early.number, early.contractor, early.financing, early.publish_position) == (
        4,
        "",
        "Public funds",  # in the site's language (the tests' is en) when the edition is made
        True,
    )
    other = services.create_edition(
        framework=framework, year=2019, name="Edycja 2019", number=3, contractor="Instytut X"
    )
    assert (other.number, other.contractor, other.financing, other.publish_position) == (
        3,
        "Instytut X",
        "",
        False,
    )


def test_positions_and_gaps_with_exact_values(early):
    overall = {
        r.cluster.name: (r.overall, r.rank) for r in early.results_set.select_related("cluster")
    }
    assert overall == {
        "Klaster A": (Decimal("0.7833"), 2),
        "Klaster B": (Decimal("0.7917"), 1),
        "Klaster C": (Decimal("0.4167"), 3),
        "Klaster D": (Decimal("0.1250"), 4),
    }
    a = standings.position_of(_result(early, "Klaster A"))
    assert (a["rank"], a["of"], a["gap"], a["leader_overall"]) == (
        2,
        4,
        Decimal("0.0084"),
        Decimal("0.7917"),
    )
    assert (a["place"], a["words"], a["numbers"]) == (
        "place 2 of 4",
        "minimally behind the leader",  # 0.0084 of a spread of 0.6667
        "overall score 0.7833, the leader's 0.7917: 0.0084 behind",
    )
    b = standings.position_of(_result(early, "Klaster B"))
    assert (b["place"], b["words"], b["gap"]) == (
        "place 1 of 4",
        "the leader of the general classification",
        Decimal("0.0000"),
    )
    c = standings.position_of(_result(early, "Klaster C"))
    assert (c["place"], c["words"], c["gap"]) == (
        "place 3 of 4",
        "far behind the leader",  # 0.3750 of 0.6667
        Decimal("0.3750"),
    )


def test_the_report_page_and_the_coordinators_list_show_the_position(early, client, coordinator_a):
    client.force_login(coordinator_a)
    clusters = {r.cluster.name: r.cluster for r in early.results_set.select_related("cluster")}
    url = reverse("benchmarking:cluster-report", args=[early.pk, clusters["Klaster A"].pk])
    text = _text(client.get(url).content.decode())
    assert (
        "Position in the general classification place 2 of 4 – minimally behind the leader" in text
    )
    assert "overall score 0.7833, the leader's 0.7917: 0.0084 behind" in text
    assert "Edition No. 4 (2018) Financed by Public funds" in text
    listing = _text(client.get(reverse("benchmarking:edition-list")).content.decode())
    assert "Edycja 2018 – Klaster A ( PDF ): place 2 of 4, minimally behind the leader" in listing


def test_the_position_is_hidden_when_the_edition_does_not_publish_it(early, client, analyst):
    services.update_edition_details(
        edition=early, number=4, contractor="", financing="", publish_position=False
    )
    result = _result(early, "Klaster A")
    assert standings.position_of(result) is None
    client.force_login(analyst)
    html = client.get(
        reverse("benchmarking:cluster-report", args=[early.pk, result.cluster_id])
    ).content.decode()
    assert "general classification" not in html and "place 2" not in html
    assert "data-position" not in html
    assert "place 2 of 4" not in _text(reports.render_pdf_html(result))


def test_an_edition_without_the_setting_shows_no_position(edition, client, analyst):
    result = _result(edition, "Klaster C")  # rank 1 of 3, but the framework publishes nothing
    assert edition.publish_position is False
    assert standings.position_of(result) is None
    client.force_login(analyst)
    html = client.get(
        reverse("benchmarking:cluster-report", args=[edition.pk, result.cluster_id])
    ).content.decode()
    assert "general classification" not in html and "Rating" not in html


def test_the_report_rates_each_area_by_its_bands(early):
    context = reports.cluster_context(_result(early, "Klaster A"))
    assert [(a["id"], a["score"], a["band"]) for a in context["areas"]] == [
        ("potential", Decimal("0.5667"), "high"),
        ("openness", Decimal("1.0000"), "very high"),  # the area's own bands
    ]
    assert context["band_summary"] == ["very high: 1 area", "high: 1 area"]
    b = reports.cluster_context(_result(early, "Klaster B"))
    assert [a["band"] for a in b["areas"]] == ["very high", "low"]  # 0.75 < 0.9 for openness
    text = _text(reports.render_pdf_html(_result(early, "Klaster A")))
    assert "Potential 0.5667 0.7000 0.8333 high" in text
    assert "Ratings of the areas: very high: 1 area; high: 1 area." in text


def test_the_general_report_lists_the_bands_and_the_edition(early, client):
    text = _text(
        client.get(reverse("benchmarking:edition-report", args=[early.pk])).content.decode()
    )
    assert "Potential very high (0.75); high (0.50); low (0)" in text
    assert "Openness very high (0.90); low (0)" in text
    assert "Edition No. 4 (2018)" in text


def test_the_mapped_comparison_across_frameworks_with_exact_values(early, framework):
    later = make_edition(framework, 2020, publish=True)
    result = _result(later, "Klaster A")
    assert standings.earlier_mapped_result(result).edition == early
    comparison = standings.comparison_of(result)
    assert comparison["edition"] == early
    rows = [
        (
            row["level"],
            row["earlier_titles"],
            row["later_titles"],
            row["earlier"],
            row["later"],
            row["change"],
        )
        for row in comparison["rows"]
    ]
    assert rows == [
        (
            "area",
            ["Potential"],
            ["Resources"],
            Decimal("0.5667"),
            Decimal("0.3333"),
            Decimal("-0.2334"),
        ),
        (
            "subarea",
            ["People"],
            ["Human resources", "Money"],
            Decimal("0.8000"),
            Decimal("0.3334"),  # (0.6667 + 0) / 2, half up
            Decimal("-0.4666"),
        ),
        ("subarea", ["Funds"], ["Money"], Decimal("0.3333"), Decimal("0.0000"), Decimal("-0.3333")),
        (
            "area",
            ["Openness"],
            ["Impact"],
            Decimal("1.0000"),
            Decimal("0.5000"),
            Decimal("-0.5000"),
        ),
        (
            "subarea",
            ["Abroad"],
            ["Export"],
            Decimal("1.0000"),
            Decimal("0.5000"),
            Decimal("-0.5000"),
        ),
    ]
    # Klaster D took no part in 2020; C's comparison has its own values
    c = standings.comparison_of(_result(later, "Klaster C"))
    assert [(r["earlier"], r["later"], r["change"]) for r in c["rows"]][0] == (
        Decimal("0.8333"),
        Decimal("0.5000"),
        Decimal("-0.3333"),
    )
    text = _text(reports.render_pdf_html(result))
    assert "Change since Edycja 2018" in text
    assert "People Human resources; Money 0.8000 0.3334 ▼ -0.4666" in text
    # the same-framework trend stays empty: 2018 used another framework
    assert result.previous_year is None


def test_no_comparison_without_a_published_mapped_edition(early, framework):
    services.change_state(edition=early, action="withdraw")
    later = make_edition(framework, 2020, publish=True)
    result = _result(later, "Klaster A")
    assert standings.comparison_of(result) is None
    assert "Change since" not in reports.render_pdf_html(result)


def test_storing_a_framework_checks_the_mapped_ids(framework):
    broken = EARLY_FRAMEWORK.replace("rulebook: test-bench-early", "rulebook: test-bench-broken")
    broken = broken.replace("maps_to: {test-bench: [export]}", "maps_to: {test-bench: [exports]}")
    with pytest.raises(services.BenchmarkingError) as caught:
        services.store_framework(source=broken)
    assert caught.value.messages == [
        'areas[1].subareas[0].maps_to.test-bench[0]: test-bench has no sub-area "exports"'
    ]


def test_the_analyst_saves_the_edition_details(early, client, analyst):
    client.force_login(analyst)
    url = reverse("benchmarking:edition-details", args=[early.pk])
    response = client.post(
        url,
        {
            "number": "4",
            "contractor": "  Instytut Badań  ",
            "financing": "Program Operacyjny",
            "publish_position": "",
        },
    )
    assert response.status_code == 302
    early.refresh_from_db()
    assert (early.number, early.contractor, early.financing, early.publish_position) == (
        4,
        "Instytut Badań",
        "Program Operacyjny",
        False,
    )


def test_bad_edition_details_name_the_field_and_write_nothing(early, client, analyst):
    client.force_login(analyst)
    url = reverse("benchmarking:edition-details", args=[early.pk])
    response = client.post(url, {"number": "0", "contractor": "X", "publish_position": "on"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Edition number: Ensure this value is greater than or equal to 1."
    ]
    with pytest.raises(services.BenchmarkingError) as caught:
        services.update_edition_details(
            edition=early, number=2, contractor="x" * 301, financing="", publish_position=True
        )
    assert caught.value.message_dict == {"contractor": ["At most 300 characters."]}
    early.refresh_from_db()
    assert (early.number, early.contractor, early.publish_position) == (4, "", True)


def test_others_cannot_change_the_edition_details(early, client, coordinator_a):
    client.force_login(coordinator_a)
    url = reverse("benchmarking:edition-details", args=[early.pk])
    response = client.post(url, {"number": "9", "publish_position": ""})
    assert response.status_code == 403
    early.refresh_from_db()
    assert (early.number, early.publish_position) == (4, True)
