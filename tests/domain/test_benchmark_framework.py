"""The benchmarking framework: shape, errors with their paths, the shipped 2020 framework."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from keyclusters.domain.benchmarking import (
    FrameworkError,
    parse_framework,
    with_normalisation,
)
from keyclusters.domain.benchmarking.framework import FrameworkIssue

RULEBOOK = Path(__file__).resolve().parents[2] / "rulebooks" / "parp-benchmark-2020.yaml"


def minimal() -> dict:
    return {
        "rulebook": "test-benchmark",
        "version": 1,
        "kind": "benchmarking-framework",
        "title": {"pl": "Test", "en": "Test"},
        "normalisation": "min-max",
        "aggregation": "arithmetic",
        "areas": [
            {
                "id": "resources",
                "weight": 1,
                "subareas": [
                    {
                        "id": "human",
                        "indicators": [
                            {
                                "id": "staff",
                                "unit": "FTE",
                                "direction": "higher",
                                "source": "coordinator",
                            },
                            {
                                "id": "satisfaction",
                                "direction": "higher",
                                "source": "member-survey",
                            },
                        ],
                    },
                    {
                        "id": "financial",
                        "indicators": [
                            {"id": "grants_share", "direction": "lower", "source": "coordinator"},
                        ],
                    },
                ],
            },
            {
                "id": "results",
                "weight": 2.5,
                "subareas": [
                    {
                        "id": "innovation",
                        "indicators": [
                            {"id": "patents", "direction": "higher", "source": "coordinator"}
                        ],
                    },
                ],
            },
        ],
    }


def errors_of(data) -> list[str]:
    with pytest.raises(FrameworkError) as info:
        parse_framework(data)
    return [str(e) for e in info.value.errors]


def test_a_valid_framework_parses_in_file_order():
    framework = parse_framework(minimal())
    assert framework.rulebook == "test-benchmark"
    assert framework.indicator_ids == ["staff", "satisfaction", "grants_share", "patents"]
    assert [s.id for s in framework.subareas] == ["human", "financial", "innovation"]
    assert framework.area_ids == ["resources", "results"]
    assert [a.weight for a in framework.areas] == [1.0, 2.5]
    assert framework.indicators[2].direction == "lower"
    assert framework.indicators[1].unit is None


def test_unknown_keys_and_bad_values_are_reported_with_their_paths():
    data = minimal()
    data["areas"][0]["subareas"][1]["indicators"][0]["direction"] = "down"
    data["areas"][0]["subareas"][0]["indicators"][1]["sorce"] = "coordinator"
    data["areas"][1]["wieght"] = 1
    data["normalisation"] = "minmax"
    assert errors_of(data) == [
        "normalisation: must be one of: min-max, z-score, distance-to-leader, rank",
        "areas[0].subareas[0].indicators[1].sorce: unknown key",
        "areas[0].subareas[1].indicators[0].direction: must be one of: higher, lower",
        "areas[1].wieght: unknown key",
    ]


def test_missing_fields_types_weights_and_empty_lists():
    data = minimal()
    del data["areas"][0]["subareas"][0]["indicators"][0]["source"]
    data["areas"][0]["weight"] = 0
    data["areas"][1]["subareas"] = []
    data["version"] = "1"
    data["rulebook"] = "Test_Benchmark"
    data["areas"][0]["title"] = {"PL": "Zasoby"}
    assert errors_of(data) == [
        "rulebook: must consist of lowercase letters, digits and dashes",
        "version: must be an integer",
        "areas[0].title.PL: must be a language code such as pl or en",
        "areas[0].weight: must be greater than 0",
        "areas[0].subareas[0].indicators[0].source: is required",
        "areas[1].subareas: must not be empty",
    ]


def test_duplicate_ids_are_errors_with_the_first_occurrence():
    data = minimal()
    data["areas"][1]["id"] = "resources"
    data["areas"][1]["subareas"][0]["id"] = "human"
    data["areas"][1]["subareas"][0]["indicators"][0]["id"] = "staff"
    assert errors_of(data) == [
        'areas[1].id: duplicate area id "resources" (first at areas[0].id)',
        'areas[1].subareas[0].id: duplicate sub-area id "human" (first at areas[0].subareas[0].id)',
        'areas[1].subareas[0].indicators[0].id: duplicate indicator id "staff" '
        "(first at areas[0].subareas[0].indicators[0].id)",
    ]


def test_geometric_aggregation_with_z_score_is_an_error():
    data = minimal()
    data["aggregation"] = "geometric"
    data["normalisation"] = "z-score"
    assert errors_of(data) == [
        "aggregation: geometric aggregation is not defined for z-score normalisation"
    ]
    data["normalisation"] = "rank"
    assert parse_framework(data).aggregation == "geometric"


def test_the_cluster_column_name_is_reserved():
    data = minimal()
    data["areas"][1]["subareas"][0]["indicators"][0]["id"] = "cluster"
    assert errors_of(data) == [
        'areas[1].subareas[0].indicators[0].id: "cluster" is reserved for the column that '
        "names the cluster"
    ]


def test_the_error_objects_carry_path_message_and_translatable_parts():
    data = minimal()
    data["kind"] = "status-competition"
    with pytest.raises(FrameworkError) as info:
        parse_framework(data)
    (issue,) = info.value.errors
    assert isinstance(issue, FrameworkIssue)
    assert issue.path == "kind"
    assert issue.message == "must be one of: benchmarking-framework"
    assert issue.msgid == "must be one of: %(choices)s"
    assert str(info.value) == "kind: must be one of: benchmarking-framework"
    assert isinstance(info.value, ValueError)


def test_a_framework_must_be_a_mapping():
    assert errors_of(["rulebook"]) == ["a framework must be a mapping"]


def test_with_normalisation_revalidates():
    framework = parse_framework(minimal())
    assert with_normalisation(framework, "rank").normalisation == "rank"
    geometric = parse_framework({**minimal(), "aggregation": "geometric"})
    with pytest.raises(FrameworkError, match="not defined for z-score"):
        with_normalisation(geometric, "z-score")


def test_canonical_hash_changes_with_the_content():
    first = parse_framework(minimal()).canonical_sha256()
    changed = copy.deepcopy(minimal())
    changed["areas"][1]["weight"] = 3
    assert first == parse_framework(minimal()).canonical_sha256()
    assert len(first) == 64
    assert first != parse_framework(changed).canonical_sha256()


def test_the_shipped_2020_framework():
    framework = parse_framework(yaml.safe_load(RULEBOOK.read_text(encoding="utf-8")))
    assert framework.rulebook == "parp-benchmark-2020"
    assert (framework.normalisation, framework.aggregation) == ("min-max", "arithmetic")
    assert framework.area_ids == [
        "resources",
        "processes",
        "results",
        "impact",
        "internationalisation",
    ]
    assert [len(a.subareas) for a in framework.areas] == [3, 6, 3, 4, 3]
    assert len(framework.indicators) == 114
    assert all(len(s.indicators) >= 2 for s in framework.subareas)
    assert {a.weight for a in framework.areas} == {1.0}
    assert {i.source for i in framework.indicators} == {"coordinator", "member-survey"}
    assert sum(i.direction == "lower" for i in framework.indicators) == 13
    assert all(set(i.title) == {"pl", "en"} for i in framework.indicators)
    assert all(set(s.title) == {"pl", "en"} for s in framework.subareas)
    assert framework.areas[3].title["pl"] == "Oddziaływanie na otoczenie"


yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=True)
    | st.text(max_size=5)
    | st.sampled_from(["higher", "z-score", "geometric", "cluster", "human"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=4) | st.integers(0, 3), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


ALL_PATHS = list(_paths(minimal()))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL_PATHS), yaml_values)
def test_any_value_anywhere_gives_errors_never_another_exception(path, value):
    data = minimal()
    if not path:
        data = value
    else:
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    try:
        parse_framework(data)
    except FrameworkError as exc:
        assert exc.errors
        assert all(isinstance(e.path, str) and e.message for e in exc.errors)
