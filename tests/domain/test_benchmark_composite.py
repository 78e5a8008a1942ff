"""Composite indicators on small data sets computed by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from keyclusters.domain.benchmarking import (
    BenchmarkInputError,
    compute,
    format_score,
    parse_framework,
    to_dict,
    to_json,
)
from keyclusters.domain.benchmarking.composite import competition_ranks, normalise

NAN = math.nan


def make_framework(areas, normalisation="min-max", aggregation="arithmetic"):
    """``areas``: [(area id, weight, [(sub-area id, [(indicator id, direction), ...]), ...])]."""
    return parse_framework(
        {
            "rulebook": "hand-made",
            "version": 2,
            "kind": "benchmarking-framework",
            "normalisation": normalisation,
            "aggregation": aggregation,
            "areas": [
                {
                    "id": area,
                    "weight": weight,
                    "subareas": [
                        {
                            "id": sub,
                            "indicators": [
                                {"id": i, "direction": d, "source": "coordinator"}
                                for i, d in indicators
                            ],
                        }
                        for sub, indicators in subareas
                    ],
                }
                for area, weight, subareas in areas
            ],
        }
    )


# resources (weight 1): human = a (higher), b (lower); financial = c.  results (weight 3): d.
SHAPE = [
    (
        "resources",
        1,
        [("human", [("a", "higher"), ("b", "lower")]), ("financial", [("c", "higher")])],
    ),
    ("results", 3, [("innovation", [("d", "higher")])]),
]
CLUSTERS = ["Klaster A", "Klaster B", "Klaster C"]
#                  a   b  c    d
VALUES = np.array([[10, 5, 7, 0], [20, 1, 7, 50], [40, 3, 7, 100]], dtype=float)


def column(method, values, direction="higher"):
    return normalise(np.array(values, dtype=float)[:, None], [direction == "lower"], method)[:, 0]


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-15)


# --- normalisations ------------------------------------------------------------------------


def test_min_max_higher_lower_and_constant():
    assert column("min-max", [10, 20, 40]).tolist() == [0.0, 1 / 3, 1.0]
    assert column("min-max", [5, 1, 3], "lower").tolist() == [0.0, 1.0, 0.5]
    assert column("min-max", [7, 7, 7]).tolist() == [1.0, 1.0, 1.0]
    assert column("min-max", [7, 7, 7], "lower").tolist() == [1.0, 1.0, 1.0]


def test_z_score_uses_the_population_deviation():
    std = math.sqrt(3.5)  # deviations -2, -1, 0, 3 from the mean 3
    assert column("z-score", [1, 2, 3, 6]).tolist() == pytest.approx(
        [-2 / std, -1 / std, 0.0, 3 / std], abs=1e-15
    )
    assert column("z-score", [1, 2, 3, 6], "lower").tolist() == pytest.approx(
        [2 / std, 1 / std, 0.0, -3 / std], abs=1e-15
    )


def test_z_score_is_zero_when_the_deviation_is_zero():
    # 0.1 + 0.1 + 0.1 is not 0.3: a naive mean leaves a tiny deviation; it must still be 0.
    assert column("z-score", [0.1, 0.1, 0.1]).tolist() == [0.0, 0.0, 0.0]
    assert column("z-score", [4, 4]).tolist() == [0.0, 0.0]


def test_distance_to_leader():
    assert column("distance-to-leader", [10, 20, 40]).tolist() == [0.25, 0.5, 1.0]
    assert column("distance-to-leader", [5, 1, 4], "lower").tolist() == [0.2, 1.0, 0.25]


def test_rank_with_ties_sharing_the_average_rank():
    assert column("rank", [10, 20, 20, 40]).tolist() == [0.0, 0.5, 0.5, 1.0]
    assert column("rank", [10, 20, 20, 40], "lower").tolist() == [1.0, 0.5, 0.5, 0.0]
    assert column("rank", [3, 3, 3]).tolist() == [0.5, 0.5, 0.5]
    assert column("rank", [NAN, 8, NAN]).tolist()[1] == 1.0  # a single value: n = 1


def test_missing_values_are_left_out_of_the_statistics():
    assert np.isnan(column("min-max", [10, NAN, 40])).tolist() == [False, True, False]
    assert column("min-max", [10, NAN, 40, 20]).tolist()[::2] == [0.0, 1.0]
    assert column("distance-to-leader", [NAN, 20, 40]).tolist()[1:] == [0.5, 1.0]
    assert column("rank", [NAN, 20, 40]).tolist()[1:] == [0.0, 1.0]
    z = column("z-score", [1, NAN, 3])
    assert z[0] == -1.0 and z[2] == 1.0


# --- the whole computation -----------------------------------------------------------------


def test_min_max_arithmetic_by_hand():
    result = compute(make_framework(SHAPE), CLUSTERS, VALUES)
    # human: A (0 + 0)/2, B (1/3 + 1)/2, C (1 + 0.5)/2; financial: constant -> 1
    close(result.subareas, [[0.0, 1.0, 0.0], [2 / 3, 1.0, 0.5], [0.75, 1.0, 1.0]])
    close(result.areas, [[0.5, 0.0], [5 / 6, 0.5], [0.875, 1.0]])
    # (1 × resources + 3 × results) / 4
    assert result.overall.tolist() == pytest.approx([0.125, 7 / 12, 0.96875], abs=1e-15)
    assert result.ranks.tolist() == [3, 2, 1]
    assert result.area_medians.tolist() == pytest.approx([5 / 6, 0.5], abs=1e-15)
    assert result.area_benchmarks.tolist() == [0.875, 1.0]
    assert [result.missing(i) for i in range(3)] == [[], [], []]


def test_geometric_against_arithmetic():
    shape = [("x", 1, [("sx", [("p", "higher")])]), ("y", 3, [("sy", [("q", "higher")])])]
    values = [[10, 40], [40, 10], [20, 20], [30, 30]]  # p normalised 0, 1, 1/3, 2/3
    arithmetic = compute(make_framework(shape, "distance-to-leader"), list("ABCD"), values)
    geometric = compute(
        make_framework(shape, "distance-to-leader", "geometric"), list("ABCD"), values
    )
    # distance to leader: A (0.25, 1), B (1, 0.25), C (0.5, 0.5), D (0.75, 0.75)
    assert arithmetic.overall.tolist() == [0.8125, 0.4375, 0.5, 0.75]
    assert geometric.overall.tolist() == pytest.approx(
        [0.25**0.25, 0.25**0.75, 0.5, 0.75], abs=1e-15
    )
    assert arithmetic.ranks.tolist() == [1, 4, 3, 2]
    assert geometric.ranks.tolist() == [2, 4, 3, 1]  # the geometric mean penalises imbalance
    # min-max gives A a 0 in area x: its geometric mean is 0 whatever area y says
    zero = compute(make_framework(shape, aggregation="geometric"), list("ABCD"), values)
    assert zero.overall[0] == 0.0
    assert zero.overall[1] == 0.0  # B is 0 in area y


def test_overall_ties_share_the_lower_rank():
    result = compute(
        make_framework(SHAPE), ["C", "B", "A"], [[20, 1, 7, 50], [20, 1, 7, 50], [10, 5, 7, 0]]
    )
    assert result.ranks.tolist() == [1, 1, 3]
    assert [result.clusters[i] for i in result.order()] == ["B", "C", "A"]


def test_competition_ranks():
    assert competition_ranks([0.2, 0.9, 0.9, 0.9, 0.1]).tolist() == [4, 1, 1, 1, 5]
    assert competition_ranks([0.1 + 0.2, 0.3, 0.1]).tolist() == [1, 1, 3]  # float noise ties
    assert competition_ranks([NAN, 0.5, -0.5]).tolist() == [0, 1, 2]


def test_a_missing_value_is_left_out_and_reported():
    values = VALUES.copy()
    values[1, 0] = NAN  # B has no a: a is normalised over A and C only
    result = compute(make_framework(SHAPE), CLUSTERS, values)
    assert result.normalised[:, 0].tolist()[::2] == [0.0, 1.0]
    assert result.subareas[1, 0] == 1.0  # B's human sub-area is its b alone
    assert result.missing(1) == ["a"]
    assert result.missing(0) == []


def test_a_sub_area_with_no_value_stays_missing():
    values = VALUES.copy()
    values[1, 0:2] = NAN  # B has neither a nor b: human is missing, not zero
    values[2, 3] = NAN  # C has no d: the area results is missing
    result = compute(make_framework(SHAPE), CLUSTERS, values)
    assert np.isnan(result.subareas[1, 0])
    assert result.areas[1, 0] == 1.0  # financial alone
    assert np.isnan(result.areas[2, 1])
    # C: overall is resources alone (weights of available areas only)
    assert result.areas[2, 0] == 1.0  # human: a = 1, b = (5 - 3)/(5 - 3) = 1; financial 1
    assert result.overall[2] == result.areas[2, 0]
    # results: d over A and B only -> A 0, B 1
    assert result.overall[1] == (1.0 + 3 * 1.0) / 4
    assert result.missing(1) == ["a", "b"]
    assert result.missing(2) == ["d"]


def test_a_cluster_with_no_value_at_all_has_no_rank_and_comes_last():
    values = np.vstack([VALUES, [NAN, NAN, NAN, NAN]])
    result = compute(make_framework(SHAPE), [*CLUSTERS, "Aaa"], values)
    assert result.ranks.tolist() == [3, 2, 1, 0]
    assert result.rank(3) is None
    data = to_dict(result, make_framework(SHAPE))
    assert data["clusters"][-1] == {
        "cluster": "Aaa",
        "areas": {"resources": None, "results": None},
        "overall": None,
        "rank": None,
        "missing": ["a", "b", "c", "d"],
    }


# --- input errors --------------------------------------------------------------------------


def test_distance_to_leader_rejects_values_not_greater_than_zero():
    values = VALUES.copy()
    values[1, 0] = 0.0
    with pytest.raises(BenchmarkInputError) as info:
        compute(make_framework(SHAPE), CLUSTERS, values, normalisation="distance-to-leader")
    # d of Klaster A is 0 too
    assert [str(e) for e in info.value.errors] == [
        'cluster "Klaster A", indicator d: distance-to-leader needs values greater than 0, got 0.0',
        'cluster "Klaster B", indicator a: distance-to-leader needs values greater than 0, got 0.0',
    ]
    assert info.value.errors[1].cluster == "Klaster B"
    assert info.value.errors[1].indicator == "a"


def test_other_input_errors():
    framework = make_framework(SHAPE)
    with pytest.raises(
        BenchmarkInputError, match=r"expected 3 rows of 4 indicator values, got 3x3"
    ):
        compute(framework, CLUSTERS, VALUES[:, :3])
    with pytest.raises(BenchmarkInputError) as info:
        compute(framework, ["A", "A", "B"], [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, math.inf, 3]])
    assert [str(e) for e in info.value.errors] == [
        'cluster "A": the cluster is listed twice',
        'cluster "B", indicator c: must be a finite number',
    ]
    with pytest.raises(BenchmarkInputError, match="not defined for geometric aggregation"):
        compute(
            make_framework(SHAPE, aggregation="geometric"),
            CLUSTERS,
            VALUES,
            normalisation="z-score",
        )
    with pytest.raises(BenchmarkInputError, match="the data set has no cluster"):
        compute(framework, [], np.empty((0, 4)))


# --- output --------------------------------------------------------------------------------


def test_format_score_rounds_half_up_as_the_number_reads():
    assert format_score(0.12345) == "0.1235"  # the float is 0.1234499…; it reads 0.12345
    assert format_score(0.03125) == "0.0313"
    assert format_score(0.96875) == "0.9688"
    assert format_score(1.0) == "1.0000"
    assert format_score(1 / 3) == "0.3333"
    assert format_score(-0.00004) == "0.0000"
    assert format_score(-0.00005) == "-0.0001"
    assert format_score(-1.23456) == "-1.2346"
    assert format_score(np.float64(0.5)) == "0.5000"
    assert format_score(NAN) is None


def test_json_document():
    framework = make_framework(SHAPE)
    result = compute(framework, CLUSTERS, VALUES)
    text = to_json(result, framework, sha256="ab" * 32)
    assert json.loads(text) == {
        "framework": {"id": "hand-made", "version": 2, "sha256": "ab" * 32},
        "normalisation": "min-max",
        "aggregation": "arithmetic",
        "areas": {
            "resources": {"median": "0.8333", "benchmark": "0.8750"},
            "results": {"median": "0.5000", "benchmark": "1.0000"},
        },
        "clusters": [
            {
                "cluster": "Klaster C",
                "areas": {"resources": "0.8750", "results": "1.0000"},
                "overall": "0.9688",
                "rank": 1,
                "missing": [],
            },
            {
                "cluster": "Klaster B",
                "areas": {"resources": "0.8333", "results": "0.5000"},
                "overall": "0.5833",
                "rank": 2,
                "missing": [],
            },
            {
                "cluster": "Klaster A",
                "areas": {"resources": "0.5000", "results": "0.0000"},
                "overall": "0.1250",
                "rank": 3,
                "missing": [],
            },
        ],
    }
    assert to_dict(result, framework)["framework"]["sha256"] == framework.canonical_sha256()


def test_json_with_another_normalisation_and_polish_names():
    framework = make_framework(SHAPE)
    result = compute(framework, ["Łódzki", "Śląski", "Żywiec"], VALUES, normalisation="rank")
    text = to_json(result, framework)
    assert '"Łódzki"' in text
    data = json.loads(text)
    assert data["normalisation"] == "rank"
    # rank: a 0, .5, 1; b (lower) 0, 1, .5; c ties 0.5; d 0, .5, 1
    # Żywiec (0.625 + 3)/4 = 0.90625, Śląski (0.625 + 1.5)/4 = 0.53125, Łódzki 0.25/4: half-up
    assert [c["overall"] for c in data["clusters"]] == ["0.9063", "0.5313", "0.0625"]
    assert [c["cluster"] for c in data["clusters"]] == ["Żywiec", "Śląski", "Łódzki"]
