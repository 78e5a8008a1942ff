"""How stable is the overall ordering? A Monte Carlo over area weights and normalisations.

Each draw takes area weights from a Dirichlet distribution centred on the framework's weights
(``alpha = concentration × weights / Σ weights``: the larger the concentration, the closer the
draws stay to the configured weights) and a normalisation method drawn uniformly from those
defined for the framework's aggregation. For each cluster the result gives the 5th–95th
percentile interval of its rank over the draws, its median rank and the share of draws in which
it is among the top three.

Area scores do not depend on the weights, so each method's area scores are computed once and
every draw of that method is one column of a single matrix product.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..i18n import N_
from .composite import (
    BenchmarkInputError,
    FloatArray,
    InputIssue,
    competition_ranks,
    compute,
    group_means,
    normalise,
    structure_of,
)
from .framework import Framework, valid_normalisations

DEFAULT_DRAWS = 1000
DEFAULT_CONCENTRATION = 50.0
# Percentiles by the inverted empirical distribution: the bounds are ranks that were observed.
PERCENTILE_METHOD: Final = "inverted_cdf"


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    clusters: tuple[str, ...]
    methods: tuple[str, ...]  # the methods drawn from
    concentration: float
    drawn_methods: NDArray[np.intp]  # draws: index into ``methods``
    drawn_weights: FloatArray  # draws x areas, each row sums to 1
    ranks: NDArray[np.int64]  # clusters x draws; 0 where a cluster has no overall score
    baseline_ranks: NDArray[np.int64]  # with the framework's own weights and normalisation
    rank_low: FloatArray  # 5th percentile of the rank over the draws
    rank_high: FloatArray  # 95th percentile
    median_rank: FloatArray
    top_three_share: FloatArray

    @property
    def draws(self) -> int:
        return int(self.ranks.shape[1])

    def to_dict(self) -> dict[str, Any]:
        def number(value: float) -> float | int | None:
            if np.isnan(value):
                return None
            return int(value) if float(value).is_integer() else float(value)

        return {
            "draws": self.draws,
            "concentration": self.concentration,
            "methods": list(self.methods),
            "clusters": [
                {
                    "cluster": name,
                    "rank": int(self.baseline_ranks[i]) or None,
                    "rank_interval": [number(self.rank_low[i]), number(self.rank_high[i])],
                    "median_rank": number(self.median_rank[i]),
                    "top_three_share": round(float(self.top_three_share[i]), 4),
                }
                for i, name in enumerate(self.clusters)
            ],
        }


def _overall_per_draw(areas: FloatArray, weights: FloatArray, aggregation: str) -> FloatArray:
    """Overall scores (clusters x draws) of one method's area scores under each row of weights."""
    present = ~np.isnan(areas)
    wt = weights.T  # areas x draws
    total = present.astype(float) @ wt
    with np.errstate(invalid="ignore", divide="ignore"):
        if aggregation == "arithmetic":
            out = (np.where(present, areas, 0.0) @ wt) / total
        else:
            positive = present & (areas > 0)
            logs = np.log(np.where(positive, areas, 1.0))
            out = np.exp((logs @ wt) / total)
            zero = ((present & ~positive).astype(float) @ (wt > 0).astype(float)) > 0
            out = np.where(zero, 0.0, out)
    return np.where(total > 0, out, np.nan)


def _methods_for(
    framework: Framework, x: FloatArray, methods: Sequence[str] | None
) -> tuple[str, ...]:
    allowed = valid_normalisations(framework.aggregation)
    if methods is None:
        chosen = list(allowed)
        if np.any(x <= 0):  # distance-to-leader is undefined on these data
            chosen.remove("distance-to-leader")
        return tuple(chosen)
    errors = [
        InputIssue(
            N_("normalisation %(method)s is not defined for %(aggregation)s aggregation"),
            {"method": m, "aggregation": framework.aggregation},
        )
        for m in methods
        if m not in allowed
    ]
    if not methods:
        errors.append(InputIssue(N_("at least one normalisation method is needed")))
    if errors:
        raise BenchmarkInputError(errors)
    return tuple(dict.fromkeys(methods))


def run_sensitivity(
    framework: Framework,
    clusters: Sequence[str],
    values: ArrayLike,
    *,
    draws: int = DEFAULT_DRAWS,
    concentration: float = DEFAULT_CONCENTRATION,
    methods: Sequence[str] | None = None,
    seed: int | np.random.Generator | None = None,
    percentiles: tuple[float, float] = (5.0, 95.0),
) -> SensitivityResult:
    """Rank intervals of the clusters under random weights and normalisations.

    ``methods`` defaults to every normalisation valid for the aggregation (without
    distance-to-leader when a value is not positive). The same ``seed`` gives the same draws.
    """
    if draws < 1:
        raise BenchmarkInputError([InputIssue(N_("the number of draws must be at least 1"))])
    if not concentration > 0:
        raise BenchmarkInputError([InputIssue(N_("the concentration must be greater than 0"))])
    x = np.array(values, dtype=float, ndmin=2)
    baseline = compute(framework, clusters, x)  # also validates the data set
    chosen = _methods_for(framework, x, methods)
    if "distance-to-leader" in chosen:
        compute(framework, clusters, x, normalisation="distance-to-leader")  # validates x > 0
    structure = structure_of(framework)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    drawn_methods = rng.integers(len(chosen), size=draws)
    alpha = concentration * structure.weights / structure.weights.sum()
    drawn_weights = rng.dirichlet(alpha, size=draws)

    overall = np.full((len(clusters), draws), np.nan)
    for m, method in enumerate(chosen):  # a loop over at most four methods
        columns = np.flatnonzero(drawn_methods == m)
        if columns.size == 0:
            continue
        normalised = normalise(x, structure.lower, method)
        areas = group_means(
            group_means(normalised, structure.subarea_starts), structure.area_starts
        )
        overall[:, columns] = _overall_per_draw(
            areas, drawn_weights[columns], framework.aggregation
        )
    ranks = competition_ranks(overall)
    ranked = np.where(ranks > 0, ranks, np.nan).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a cluster never ranked: NaN
        low, high = (
            np.nanpercentile(ranked, p, axis=1, method=PERCENTILE_METHOD) for p in percentiles
        )
        median = np.nanmedian(ranked, axis=1)
    return SensitivityResult(
        clusters=tuple(clusters),
        methods=chosen,
        concentration=float(concentration),
        drawn_methods=drawn_methods,
        drawn_weights=drawn_weights,
        ranks=ranks,
        baseline_ranks=baseline.ranks,
        rank_low=np.asarray(low, dtype=float),
        rank_high=np.asarray(high, dtype=float),
        median_rank=np.asarray(median, dtype=float),
        top_three_share=((ranks >= 1) & (ranks <= 3)).mean(axis=1),
    )
