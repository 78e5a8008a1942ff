"""Monte Carlo sensitivity of the overall ranking to the area weights and the normalisation."""

from __future__ import annotations

import numpy as np
import pytest

from keyclusters.domain.benchmarking import BenchmarkInputError, parse_framework, run_sensitivity


def framework(aggregation="arithmetic", weights=(1, 1, 2)):
    areas = []
    for a, weight in enumerate(weights):
        areas.append(
            {
                "id": f"area{a}",
                "weight": weight,
                "subareas": [
                    {
                        "id": f"sub{a}",
                        "indicators": [
                            {"id": f"i{a}a", "direction": "higher", "source": "coordinator"},
                            {"id": f"i{a}b", "direction": "lower", "source": "member-survey"},
                        ],
                    }
                ],
            }
        )
    return parse_framework(
        {
            "rulebook": "sensitivity",
            "version": 1,
            "kind": "benchmarking-framework",
            "normalisation": "min-max",
            "aggregation": aggregation,
            "areas": areas,
        }
    )


def data(n=12, seed=5):
    rng = np.random.default_rng(seed)
    return [f"Klaster {i:02d}" for i in range(n)], rng.uniform(1.0, 100.0, size=(n, 6))


def test_the_same_seed_gives_the_same_result():
    clusters, values = data()
    first = run_sensitivity(framework(), clusters, values, draws=300, seed=42)
    second = run_sensitivity(framework(), clusters, values, draws=300, seed=42)
    other = run_sensitivity(framework(), clusters, values, draws=300, seed=43)
    assert np.array_equal(first.ranks, second.ranks)
    assert np.array_equal(first.drawn_weights, second.drawn_weights)
    assert first.to_dict() == second.to_dict()
    assert not np.array_equal(first.ranks, other.ranks)
    generator = run_sensitivity(
        framework(), clusters, values, draws=300, seed=np.random.default_rng(42)
    )
    assert np.array_equal(first.ranks, generator.ranks)


def test_draws_shape_weights_and_methods():
    clusters, values = data()
    result = run_sensitivity(framework(), clusters, values, draws=400, seed=1)
    assert result.draws == 400
    assert result.ranks.shape == (12, 400)
    np.testing.assert_allclose(result.drawn_weights.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # concentration 50 around (1, 1, 2)/4: the draws stay near the configured weights
    np.testing.assert_allclose(result.drawn_weights.mean(axis=0), [0.25, 0.25, 0.5], atol=0.01)
    assert result.methods == ("min-max", "z-score", "distance-to-leader", "rank")
    assert set(np.unique(result.drawn_methods)) == {0, 1, 2, 3}
    # every draw is a permutation of 1..12 (no ties in continuous data)
    assert (np.sort(result.ranks, axis=0) == np.arange(1, 13)[:, None]).all()
    assert np.all(result.rank_low <= result.median_rank)
    assert np.all(result.median_rank <= result.rank_high)
    assert result.top_three_share.sum() == pytest.approx(3.0)


def test_a_dominant_cluster_is_always_first():
    clusters, values = data()
    values[4, [0, 2, 4]] = 1000.0  # best on every higher-is-better indicator
    values[4, [1, 3, 5]] = 0.5  # and on every lower-is-better one
    for aggregation in ("arithmetic", "geometric"):
        result = run_sensitivity(
            framework(aggregation), clusters, values, draws=1000, seed=7, concentration=5.0
        )
        assert (result.rank_low[4], result.rank_high[4]) == (1.0, 1.0)
        assert result.median_rank[4] == 1.0
        assert result.top_three_share[4] == 1.0
        assert result.to_dict()["clusters"][4] == {
            "cluster": "Klaster 04",
            "rank": 1,
            "rank_interval": [1, 1],
            "median_rank": 1,
            "top_three_share": 1.0,
        }


def test_a_stable_ordering_gives_narrow_intervals():
    # cluster i is better than cluster i + 1 on every indicator: no weight or method changes that
    clusters = [f"K{i}" for i in range(5)]
    good = np.array([50.0, 40.0, 30.0, 20.0, 10.0])
    values = np.column_stack([good, 60 - good] * 3)
    result = run_sensitivity(framework(), clusters, values, draws=200, seed=3)
    assert result.rank_low.tolist() == [1, 2, 3, 4, 5]
    assert result.rank_high.tolist() == [1, 2, 3, 4, 5]
    assert result.top_three_share.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_methods_follow_the_aggregation_and_the_data():
    clusters, values = data()
    geometric = run_sensitivity(framework("geometric"), clusters, values, draws=50, seed=1)
    assert geometric.methods == ("min-max", "distance-to-leader", "rank")
    values[0, 0] = 0.0  # distance to leader is undefined with a zero
    with_zero = run_sensitivity(framework(), clusters, values, draws=50, seed=1)
    assert with_zero.methods == ("min-max", "z-score", "rank")
    with pytest.raises(BenchmarkInputError, match="distance-to-leader needs values greater than 0"):
        run_sensitivity(framework(), clusters, values, draws=50, methods=["distance-to-leader"])
    with pytest.raises(BenchmarkInputError, match="z-score is not defined for geometric"):
        run_sensitivity(framework("geometric"), clusters, values, draws=50, methods=["z-score"])
    only = run_sensitivity(framework(), clusters, values, draws=20, seed=1, methods=["rank"])
    assert only.methods == ("rank",) and set(only.drawn_methods) == {0}


def test_invalid_parameters():
    clusters, values = data()
    with pytest.raises(BenchmarkInputError, match="at least 1"):
        run_sensitivity(framework(), clusters, values, draws=0)
    with pytest.raises(BenchmarkInputError, match="concentration must be greater than 0"):
        run_sensitivity(framework(), clusters, values, concentration=0)
