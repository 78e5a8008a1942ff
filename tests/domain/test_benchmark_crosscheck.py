"""Cross-check of the composite computation against two independent MCDA libraries.

With one indicator per sub-area and one sub-area per area, the overall score is the weighted mean
of the normalised indicators, which is the weighted-sum model with weights scaled to sum to 1.
The libraries' default normalisations differ from ours, so each is set explicitly:

- pymcdm: ``minmax_normalization`` with cost columns for ``direction: lower`` is our min-max;
  ``max_normalization`` of a profit column is our distance-to-leader (its cost variant,
  1 − x / max, is not ours, so it is only used on all-higher data);
- scikit-criteria: ``MinMaxInverter`` is our min-max; ``NegateMinimize`` + ``StandarScaler`` is
  our z-score (population deviation); ``InvertMinimize`` + ``MaxAbsScaler`` is our
  distance-to-leader (min / x for lower); ``SumScaler`` on the weights + ``WeightedSumModel``.
"""

from __future__ import annotations

import numpy as np
import pytest

from keyclusters.domain.benchmarking import compute, parse_framework

pymcdm = pytest.importorskip("pymcdm")
skc = pytest.importorskip("skcriteria")

from pymcdm import normalizations  # noqa: E402
from pymcdm.helpers import normalize_matrix, rrankdata  # noqa: E402
from pymcdm.methods import WSM  # noqa: E402
from skcriteria.agg.simple import WeightedSumModel  # noqa: E402
from skcriteria.preprocessing.invert_objectives import (  # noqa: E402
    InvertMinimize,
    MinMaxInverter,
    NegateMinimize,
)
from skcriteria.preprocessing.scalers import MaxAbsScaler, StandarScaler, SumScaler  # noqa: E402

SEEDS = [11, 2020, 31337, 4]


def single_level(weights, lower, normalisation="min-max"):
    return parse_framework(
        {
            "rulebook": "single-level",
            "version": 1,
            "kind": "benchmarking-framework",
            "normalisation": normalisation,
            "aggregation": "arithmetic",
            "areas": [
                {
                    "id": f"area{j}",
                    "weight": float(w),
                    "subareas": [
                        {
                            "id": f"sub{j}",
                            "indicators": [
                                {
                                    "id": f"ind{j}",
                                    "direction": "lower" if low else "higher",
                                    "source": "coordinator",
                                }
                            ],
                        }
                    ],
                }
                for j, (w, low) in enumerate(zip(weights, lower, strict=True))
            ],
        }
    )


def data_set(seed, *, all_higher=False):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 41))
    m = int(rng.integers(4, 12))
    matrix = rng.uniform(0.5, 500.0, size=(n, m)) * rng.uniform(0.01, 100.0, size=m)
    weights = rng.uniform(0.2, 5.0, size=m)
    lower = np.zeros(m, dtype=bool) if all_higher else rng.random(m) < 0.4
    if not all_higher:
        lower[0], lower[-1] = True, False  # both kinds of column in every data set
    clusters = [f"Klaster {i:02d}" for i in range(n)]
    return matrix, weights, lower, clusters


@pytest.mark.parametrize("seed", SEEDS)
def test_min_max_weighted_sum_matches_pymcdm(seed):
    matrix, weights, lower, clusters = data_set(seed)
    types = np.where(lower, -1, 1)
    result = compute(single_level(weights, lower), clusters, matrix)

    expected_matrix = normalize_matrix(matrix, normalizations.minmax_normalization, types)
    np.testing.assert_allclose(result.normalised, expected_matrix, rtol=0, atol=1e-12)
    expected = WSM(normalizations.minmax_normalization)(matrix, weights / weights.sum(), types)
    np.testing.assert_allclose(result.overall, expected, rtol=0, atol=1e-9)
    assert result.ranks.tolist() == rrankdata(expected).astype(int).tolist()


@pytest.mark.parametrize("seed", SEEDS)
def test_distance_to_leader_matches_pymcdm_max_normalisation(seed):
    matrix, weights, lower, clusters = data_set(seed, all_higher=True)
    types = np.ones(len(weights), dtype=int)
    framework = single_level(weights, lower, "distance-to-leader")
    result = compute(framework, clusters, matrix)

    expected_matrix = normalize_matrix(matrix, normalizations.max_normalization, types)
    np.testing.assert_allclose(result.normalised, expected_matrix, rtol=0, atol=1e-12)
    expected = WSM(normalizations.max_normalization)(matrix, weights / weights.sum(), types)
    np.testing.assert_allclose(result.overall, expected, rtol=0, atol=1e-9)


def decision_matrix(matrix, weights, lower):
    objectives = [min if low else max for low in lower]
    return skc.mkdm(matrix, objectives, weights=weights)


@pytest.mark.parametrize("seed", SEEDS)
def test_min_max_weighted_sum_matches_scikit_criteria(seed):
    matrix, weights, lower, clusters = data_set(seed)
    result = compute(single_level(weights, lower), clusters, matrix)

    scaled = MinMaxInverter().transform(decision_matrix(matrix, weights, lower))
    np.testing.assert_allclose(result.normalised, scaled.matrix.to_numpy(), rtol=0, atol=1e-12)
    ranking = WeightedSumModel().evaluate(SumScaler(target="weights").transform(scaled))
    np.testing.assert_allclose(result.overall, ranking.e_.score, rtol=0, atol=1e-9)
    assert result.ranks.tolist() == list(ranking.values)


@pytest.mark.parametrize("seed", SEEDS)
def test_z_score_matches_scikit_criteria_standard_scaler(seed):
    matrix, weights, lower, clusters = data_set(seed)
    result = compute(single_level(weights, lower, "z-score"), clusters, matrix)

    negated = NegateMinimize().transform(decision_matrix(matrix, weights, lower))
    scaled = StandarScaler(target="matrix").transform(negated)
    np.testing.assert_allclose(result.normalised, scaled.matrix.to_numpy(), rtol=0, atol=1e-9)
    expected = scaled.matrix.to_numpy() @ (weights / weights.sum())
    np.testing.assert_allclose(result.overall, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_distance_to_leader_matches_scikit_criteria(seed):
    matrix, weights, lower, clusters = data_set(seed)
    result = compute(single_level(weights, lower, "distance-to-leader"), clusters, matrix)

    inverted = InvertMinimize().transform(decision_matrix(matrix, weights, lower))
    scaled = MaxAbsScaler(target="matrix").transform(inverted)
    np.testing.assert_allclose(result.normalised, scaled.matrix.to_numpy(), rtol=0, atol=1e-12)
    ranking = WeightedSumModel().evaluate(SumScaler(target="weights").transform(scaled))
    np.testing.assert_allclose(result.overall, ranking.e_.score, rtol=0, atol=1e-9)
    assert result.ranks.tolist() == list(ranking.values)


def test_the_data_sets_differ_and_mix_directions():
    shapes = {data_set(seed)[0].shape for seed in SEEDS}
    assert len(shapes) >= 3
    assert all(data_set(seed)[2].any() and not data_set(seed)[2].all() for seed in SEEDS)
