"""Properties of the composite computation that hold for every data set."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from keyclusters.domain.benchmarking import compute, parse_framework

# 3 areas, 5 sub-areas, 9 indicators; directions are drawn per example.
LAYOUT = [("resources", 1.0, [2, 1]), ("processes", 2.0, [3]), ("results", 0.5, [1, 2])]
N_INDICATORS = 9


def framework_of(lower, *, normalisation="min-max", aggregation="arithmetic"):
    position = 0
    areas = []
    for area, weight, sizes in LAYOUT:
        subareas = []
        for s, size in enumerate(sizes):
            indicators = []
            for _ in range(size):
                direction = "lower" if lower[position] else "higher"
                indicators.append(
                    {"id": f"i{position}", "direction": direction, "source": "coordinator"}
                )
                position += 1
            subareas.append({"id": f"{area}-{s}", "indicators": indicators})
        areas.append({"id": area, "weight": weight, "subareas": subareas})
    return parse_framework(
        {
            "rulebook": "properties",
            "version": 1,
            "kind": "benchmarking-framework",
            "normalisation": normalisation,
            "aggregation": aggregation,
            "areas": areas,
        }
    )


values = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.0, 1.0, 2.5]),  # repeated values: ties and constant columns
    st.just(float("nan")),
)


@st.composite
def data_sets(draw, min_clusters=1):
    n = draw(st.integers(min_clusters, 12))
    matrix = np.array(
        draw(
            st.lists(
                st.lists(values, min_size=N_INDICATORS, max_size=N_INDICATORS),
                min_size=n,
                max_size=n,
            )
        ),
        dtype=float,
    )
    lower = draw(st.lists(st.booleans(), min_size=N_INDICATORS, max_size=N_INDICATORS))
    return matrix, lower


def names(n):
    return [f"Klaster {i}" for i in range(n)]


@settings(max_examples=200, deadline=None)
@given(data_sets(), st.sampled_from(["arithmetic", "geometric"]))
def test_min_max_values_and_scores_lie_in_the_unit_interval(data, aggregation):
    matrix, lower = data
    result = compute(framework_of(lower, aggregation=aggregation), names(len(matrix)), matrix)
    for scores in (result.normalised, result.subareas, result.areas, result.overall):
        present = scores[~np.isnan(scores)]
        assert np.all((present >= 0.0) & (present <= 1.0))
    # missing exactly where the input is missing; a cluster is unranked iff it has no value
    assert np.array_equal(np.isnan(result.normalised), np.isnan(matrix))
    assert np.array_equal(result.ranks == 0, np.isnan(matrix).all(axis=1))


@settings(max_examples=150, deadline=None)
@given(
    data_sets(),
    st.sampled_from(["min-max", "z-score", "rank"]),
    st.randoms(use_true_random=False),
)
def test_results_do_not_depend_on_the_order_of_the_rows(data, normalisation, random):
    matrix, lower = data
    framework = framework_of(lower, normalisation=normalisation)
    clusters = names(len(matrix))
    permutation = list(range(len(matrix)))
    random.shuffle(permutation)
    first = compute(framework, clusters, matrix)
    second = compute(framework, [clusters[i] for i in permutation], matrix[permutation])
    # z-score means are sums whose rounding depends on the order: equal to 1e-12
    np.testing.assert_allclose(second.areas, first.areas[permutation], rtol=0, atol=1e-12)
    np.testing.assert_allclose(second.overall, first.overall[permutation], rtol=0, atol=1e-12)
    if normalisation != "z-score":
        np.testing.assert_array_equal(second.normalised, first.normalised[permutation])
        np.testing.assert_array_equal(second.overall, first.overall[permutation])
        assert second.ranks.tolist() == first.ranks[permutation].tolist()
    np.testing.assert_allclose(second.area_medians, first.area_medians, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.isnan(second.area_benchmarks), np.isnan(first.area_benchmarks))


@settings(max_examples=300, deadline=None)
@given(data_sets(), st.data())
def test_raising_a_higher_is_better_value_never_lowers_the_overall_score(data, draw):
    matrix, lower = data
    lower = [False] * N_INDICATORS  # every indicator: higher is better
    framework = framework_of(lower)
    row = draw.draw(st.integers(0, len(matrix) - 1))
    col = draw.draw(st.integers(0, N_INDICATORS - 1))
    if np.isnan(matrix[row, col]):
        matrix[row, col] = 0.0  # the raised value must exist before
    raised = matrix.copy()
    raised[row, col] = matrix[row, col] + draw.draw(st.floats(0.0, 2e6))
    clusters = names(len(matrix))
    old = compute(framework, clusters, matrix).overall[row]
    new = compute(framework, clusters, raised).overall[row]
    assert new >= old


def test_raising_a_value_can_lower_the_others_but_not_the_cluster():
    framework = framework_of([False] * N_INDICATORS)
    matrix = np.tile(np.arange(3.0)[:, None], (1, N_INDICATORS))  # clusters 0 < 1 < 2
    raised = matrix.copy()
    raised[1, 0] = 10.0  # cluster 1 now leads indicator i0; cluster 2 falls to 0.2 on it
    old, new = (compute(framework, names(3), m) for m in (matrix, raised))
    assert new.normalised[:, 0].tolist() == [0.0, 1.0, 0.2]
    assert new.overall[1] > old.overall[1]
    assert new.overall[2] < old.overall[2]
