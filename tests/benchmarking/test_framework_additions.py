"""The framework's additions for issue 16: rating bands, the mapping to other frameworks and the
edition block (number, contractor, financing, publishing the overall position), each error with
its path; the standing, bands and mapped comparison computed in the domain layer; the shipped
2018 and 2022 frameworks."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import translation

from keyclusters.domain.benchmarking import FrameworkError, parse_framework
from keyclusters.domain.benchmarking.framework import mapping_issues
from keyclusters.domain.benchmarking.standing import (
    ComparisonRow,
    band_counts,
    band_for,
    compare_across,
    is_mapped,
    standing,
)
from keyclusters.domain.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[2]


def shipped(year: int) -> dict:
    return yaml.safe_load((ROOT / f"rulebooks/parp-benchmark-{year}.yaml").read_text("utf-8"))


def minimal() -> dict:
    return {
        "rulebook": "test-early",
        "version": 1,
        "kind": "benchmarking-framework",
        "normalisation": "min-max",
        "aggregation": "arithmetic",
        "areas": [
            {
                "id": "potential",
                "subareas": [
                    {
                        "id": "people",
                        "indicators": [
                            {"id": "staff", "direction": "higher", "source": "coordinator"}
                        ],
                    }
                ],
            }
        ],
    }


def errors(data: dict) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(data)
    return [str(e) for e in caught.value.errors]


def with_(**changes) -> dict:
    data = minimal()
    data.update(copy.deepcopy(changes))
    return data


def with_area(**changes) -> dict:
    data = minimal()
    data["areas"][0].update(copy.deepcopy(changes))
    return data


VERY_HIGH = {"pl": "bardzo wysoka", "en": "very high"}
HIGH = {"pl": "wysoka", "en": "high"}
LOW = {"pl": "niska", "en": "low"}


# --- validation with paths -----------------------------------------------------------------


def test_the_new_keys_are_optional_and_default_to_nothing_published():
    framework = parse_framework(minimal())
    assert framework.bands is None
    assert framework.areas[0].maps_to is None
    assert framework.edition.model_dump() == {
        "number": None,
        "contractor": None,
        "financing": None,
        "publish_position": False,
    }


def test_bands_must_fall_from_the_highest():
    bands = [
        {"min": 0.8, "label": VERY_HIGH},
        {"min": 0.8, "label": HIGH},
        {"min": 0.9, "label": LOW},
    ]
    assert errors(with_(bands=bands)) == [
        "bands[1].min: must be lower than the minimum of the band before it (0.8)",
        "bands[2].min: must be lower than the minimum of the band before it (0.8)",
    ]
    assert errors(with_area(bands=[{"min": 1, "label": HIGH}, {"min": 2, "label": LOW}])) == [
        "areas[0].bands[1].min: must be lower than the minimum of the band before it (1)"
    ]


def test_a_band_needs_a_numeric_minimum_and_a_label():
    bands = [{"min": "high", "label": HIGH}, {"min": 0.5}, {"min": 0.2, "label": {}}, []]
    assert errors(with_area(bands=bands)) == [
        "areas[0].bands[0].min: must be a number",
        "areas[0].bands[1].label: is required",
        "areas[0].bands[2].label: must not be empty",
        "areas[0].bands[3]: must be a mapping",
    ]
    assert errors(with_(bands=[])) == ["bands: must not be empty"]
    assert errors(with_(bands=[{"min": 0.5, "label": HIGH, "colour": "red"}])) == [
        "bands[0].colour: unknown key"
    ]


def test_the_mapping_names_other_frameworks_and_ids():
    data = with_area(
        maps_to={"Parp 2020": ["resources"], "parp-benchmark-2020": [], "other": ["Bad Id"]}
    )
    data["areas"][0]["subareas"][0]["maps_to"] = {"parp-benchmark-2020": "human"}
    assert errors(data) == [
        "areas[0].maps_to.Parp 2020: must be a framework id: lowercase letters, digits and dashes",
        "areas[0].maps_to.parp-benchmark-2020: must not be empty",
        "areas[0].maps_to.other[0]: must be a lowercase letter followed by letters, digits, _ or -",
        "areas[0].subareas[0].maps_to.parp-benchmark-2020: must be a list",
    ]
    assert errors(with_area(maps_to={"test-early": ["potential"]})) == [
        "areas[0].maps_to.test-early: a framework cannot be mapped to itself"
    ]


def test_the_mapped_ids_must_exist_in_the_other_framework():
    data = with_area(maps_to={"parp-benchmark-2020": ["resources", "nowhere"]})
    data["areas"][0]["subareas"][0]["maps_to"] = {"parp-benchmark-2020": ["resources", "human"]}
    framework = parse_framework(data)
    target = parse_framework(shipped(2020))
    assert [str(i) for i in mapping_issues(framework, target)] == [
        'areas[0].maps_to.parp-benchmark-2020[1]: parp-benchmark-2020 has no area "nowhere"',
        "areas[0].subareas[0].maps_to.parp-benchmark-2020[0]: "
        'parp-benchmark-2020 has no sub-area "resources"',
    ]


def test_the_edition_block():
    edition = {"number": 0, "publish_position": "yes", "contractor": "", "published": True}
    assert errors(with_(edition=edition)) == [
        "edition.number: must be at least 1",
        "edition.contractor: must not be empty",
        "edition.publish_position: must be true or false",
        "edition.published: unknown key",
    ]
    framework = parse_framework(
        with_(
            edition={
                "number": 4,
                "contractor": "Instytut",
                "financing": {"pl": "Środki UE", "en": "EU funds"},
                "publish_position": True,
            }
        )
    )
    assert (framework.edition.number, framework.edition.publish_position) == (4, True)


# --- the shipped frameworks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "areas", "subareas", "indicators"), [(2018, 5, 14, 42), (2022, 5, 18, 72)]
)
def test_the_shipped_frameworks_map_onto_2020(year, areas, subareas, indicators):
    framework = parse_framework(shipped(year))
    target = parse_framework(shipped(2020))
    assert (len(framework.areas), len(framework.subareas), len(framework.indicators)) == (
        areas,
        subareas,
        indicators,
    )
    assert framework.mapped_frameworks() == {"parp-benchmark-2020"}
    assert mapping_issues(framework, target) == []
    assert is_mapped(framework, target) and is_mapped(target, framework)
    # every area and sub-area says what it corresponds to in 2020
    assert all(a.maps_to for a in framework.areas)
    assert all(s.maps_to for s in framework.subareas)
    assert [b.label["en"] for b in framework.bands] == [
        "very high",
        "high",
        "average",
        "low",
        "very low",
    ]


def test_the_2018_framework_publishes_positions_and_2022_does_not():
    early, late = parse_framework(shipped(2018)), parse_framework(shipped(2022))
    assert (early.edition.number, early.edition.publish_position) == (4, True)
    assert (late.edition.number, late.edition.publish_position) == (6, False)
    internationalisation = early.areas[-1]
    assert [b.min for b in early.bands_of(internationalisation)] == [0.7, 0.5, 0.3, 0.15, 0]
    assert [b.min for b in early.bands_of(early.areas[0])] == [0.8, 0.6, 0.4, 0.2, 0]
    assert early.areas[3].maps_to == {"parp-benchmark-2020": ["impact"]}
    assert early.subareas[5].model_dump(include={"id", "maps_to"}) == {
        "id": "market_cooperation",
        "maps_to": {"parp-benchmark-2020": ["market_activity", "marketing"]},
    }


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2018, 2020, 2022])
def test_rulebook_validate_accepts_the_shipped_framework(year, capsys):
    path = f"rulebooks/parp-benchmark-{year}.yaml"
    sha256 = load_rulebook(ROOT / path).canonical_sha256()
    with translation.override("en"):
        call_command("rulebook", "validate", str(ROOT / path))
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.strip() == (
        f"{ROOT / path}: valid (parp-benchmark-{year} version 1, sha256 {sha256})"
    )


# --- standing, bands, comparison (domain) --------------------------------------------------


def test_standing_gives_the_place_and_the_gap_in_words_and_numbers():
    scores = ["0.9000", "0.8920", "0.7000", "0.5000", "0.1000"]
    second = standing("0.8920", 2, scores)
    assert (second.rank, second.of, second.gap, second.gap_share) == (
        2,
        5,
        Decimal("0.0080"),
        Decimal("0.0100"),
    )
    assert (second.leader_overall, second.words) == (
        Decimal("0.9000"),
        "minimally behind the leader",
    )
    assert standing("0.7000", 3, scores).words == "close behind the leader"  # 0.25 of the spread
    assert standing("0.5000", 4, scores).words == "behind the leader"  # 0.5
    assert standing("0.1000", 5, scores).words == "far behind the leader"
    leader = standing("0.9000", 1, scores)
    assert (leader.is_leader, leader.gap, leader.words) == (
        True,
        Decimal("0.0000"),
        "the leader of the general classification",
    )
    assert standing(None, None, scores) is None
    alone = standing("0.5000", 1, ["0.5000"])
    assert (alone.of, alone.gap_share) == (1, Decimal("0.0000"))


def test_bands_rate_each_area_and_count_them():
    data = with_(
        bands=[
            {"min": 0.75, "label": VERY_HIGH},
            {"min": 0.5, "label": HIGH},
            {"min": 0, "label": LOW},
        ]
    )
    second = copy.deepcopy(data["areas"][0])
    second["id"] = "openness"
    second["bands"] = [{"min": 0.9, "label": VERY_HIGH}, {"min": 0, "label": LOW}]
    second["subareas"][0]["id"] = "abroad"
    second["subareas"][0]["indicators"][0]["id"] = "partners"
    third = copy.deepcopy(second)
    third["id"] = "results"
    third["bands"] = None
    third["subareas"][0]["id"] = "outcome"
    third["subareas"][0]["indicators"][0]["id"] = "outcomes"
    data["areas"] += [second, third]
    framework = parse_framework(data)
    potential, openness, results = framework.areas
    assert band_for(framework.bands_of(potential), "0.7500").label == VERY_HIGH
    assert band_for(framework.bands_of(potential), "0.7499").label == HIGH
    assert band_for(framework.bands_of(openness), "0.8000").label == LOW  # its own bands
    assert band_for(framework.bands_of(results), None) is None
    assert band_for(framework.bands_of(results), "-0.5000") is None  # below every band
    counts = band_counts(framework, {"potential": "0.8", "openness": "0.95", "results": "0.6"})
    assert [(band.label["en"], n) for band, n in counts] == [("very high", 2), ("high", 1)]


def _pair() -> tuple:
    early = minimal()
    early["areas"][0]["maps_to"] = {"test-late": ["resources"]}
    early["areas"][0]["subareas"][0]["maps_to"] = {"test-late": ["human", "money"]}
    late = {**minimal(), "rulebook": "test-late"}
    late["areas"] = [
        {
            "id": "resources",
            "subareas": [
                {
                    "id": sub,
                    "indicators": [{"id": sub, "direction": "higher", "source": "coordinator"}],
                }
                for sub in ("human", "money")
            ],
        }
    ]
    return parse_framework(early), parse_framework(late)


def test_the_mapped_comparison_pairs_scores_across_frameworks():
    early, late = _pair()
    rows = compare_across(
        early,
        {"areas": {"potential": "0.5667"}, "subareas": {"people": "0.8000"}},
        late,
        {"areas": {"resources": "0.3333"}, "subareas": {"human": "0.6667", "money": "0.0000"}},
    )
    assert rows == [
        ComparisonRow(
            "area",
            ("potential",),
            ("resources",),
            Decimal("0.5667"),
            Decimal("0.3333"),
            Decimal("-0.2334"),
        ),
        ComparisonRow(
            "subarea",
            ("people",),
            ("human", "money"),
            Decimal("0.8000"),
            Decimal("0.3334"),  # the mean of 0.6667 and 0, rounded half up
            Decimal("-0.4666"),
        ),
    ]


def test_the_mapping_may_be_declared_by_the_later_framework():
    early, late = _pair()
    # the same correspondence read the other way: the 'late' editions come first
    rows = compare_across(
        late,
        {"areas": {"resources": "0.3333"}, "subareas": {"human": "0.6667"}},
        early,
        {"areas": {"potential": "0.5667"}, "subareas": {"people": None}},
    )
    assert rows == [
        ComparisonRow(
            "area",
            ("resources",),
            ("potential",),
            Decimal("0.3333"),
            Decimal("0.5667"),
            Decimal("0.2334"),
        ),
        ComparisonRow("subarea", ("human", "money"), ("people",), Decimal("0.6667"), None, None),
    ]
