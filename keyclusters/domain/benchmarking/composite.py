"""Composite indicators of a benchmarking data set.

The rules are those of the shared rulebook notes ("Benchmarking frameworks"):

- every indicator is normalised over the clusters that have a value for it (``min-max``,
  ``z-score``, ``distance-to-leader`` or ``rank``; ``direction: lower`` mirrors the method);
- a sub-area is the mean of its available normalised indicators, an area the mean of its
  available sub-areas, the overall score the weighted (arithmetic or geometric) mean of the
  available areas; what has no value stays missing (NaN), never zero;
- per area the group's median and benchmark (the best score); the overall rank is 1 for the
  highest score and ties share the lower rank number ("1, 1, 3").

Everything is vectorised over the clusters: the only Python loops run over areas or over the
output rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..i18n import N_
from .framework import Framework, valid_normalisations

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Overall scores equal to this many decimals are ties (absorbs floating-point noise only).
TIE_DECIMALS = 12
SCORE_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class InputIssue:
    """One problem of a data set; ``cluster`` and ``indicator`` say where, when it is a cell."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    cluster: str | None = None
    indicator: str | None = None

    @property
    def message(self) -> str:
        return self.msgid % self.params if self.params else self.msgid

    def __str__(self) -> str:
        where = []
        if self.cluster is not None:
            where.append(f'cluster "{self.cluster}"')
        if self.indicator is not None:
            where.append(f"indicator {self.indicator}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class BenchmarkInputError(ValueError):
    """The data set cannot be computed; ``errors`` lists every problem found."""

    def __init__(self, errors: list[InputIssue]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True, eq=False)
class Structure:
    """The framework as index arrays: indicators are grouped by sub-area, sub-areas by area."""

    indicator_ids: tuple[str, ...]
    lower: BoolArray  # per indicator: direction lower
    subarea_ids: tuple[str, ...]
    subarea_starts: NDArray[np.intp]  # first indicator of each sub-area
    area_ids: tuple[str, ...]
    area_starts: NDArray[np.intp]  # first sub-area of each area
    weights: FloatArray


def structure_of(framework: Framework) -> Structure:
    starts: list[int] = []
    area_starts: list[int] = []
    lower: list[bool] = []
    position = 0
    for area in framework.areas:
        area_starts.append(len(starts))
        for subarea in area.subareas:
            starts.append(position)
            position += len(subarea.indicators)
            lower.extend(i.direction == "lower" for i in subarea.indicators)
    return Structure(
        indicator_ids=tuple(framework.indicator_ids),
        lower=np.array(lower, dtype=bool),
        subarea_ids=tuple(s.id for s in framework.subareas),
        subarea_starts=np.array(starts, dtype=np.intp),
        area_ids=tuple(framework.area_ids),
        area_starts=np.array(area_starts, dtype=np.intp),
        weights=np.array([a.weight for a in framework.areas], dtype=float),
    )


# --- normalisation -------------------------------------------------------------------------


def _column_min_max(x: FloatArray, present: BoolArray) -> tuple[FloatArray, FloatArray]:
    lo = np.min(np.where(present, x, np.inf), axis=0)
    hi = np.max(np.where(present, x, -np.inf), axis=0)
    return lo, hi


def average_ranks(x: FloatArray, present: BoolArray) -> FloatArray:
    """Ascending ranks per column (1 = smallest) among present values; ties share the average."""
    n = x.shape[0]
    filled = np.where(present, x, np.inf)  # missing values sort last and are dropped below
    order = np.argsort(filled, axis=0, kind="stable")
    ordered = np.take_along_axis(filled, order, axis=0)
    index = np.broadcast_to(np.arange(n)[:, None], x.shape)
    starts = np.ones(x.shape, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    ends = np.ones(x.shape, dtype=bool)
    ends[:-1] = starts[1:]
    first = np.maximum.accumulate(np.where(starts, index, 0), axis=0)
    last = np.minimum.accumulate(np.where(ends, index, n - 1)[::-1], axis=0)[::-1]
    ranks = np.empty(x.shape, dtype=float)
    np.put_along_axis(ranks, order, (first + last) / 2.0 + 1.0, axis=0)
    return np.where(present, ranks, np.nan)


def normalise(values: ArrayLike, lower: ArrayLike, method: str) -> FloatArray:
    """Normalise each column of ``values`` (NaN = missing) over the rows that have a value."""
    x = np.asarray(values, dtype=float)
    mirrored = np.asarray(lower, dtype=bool)
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "distance-to-leader":
            lo, hi = _column_min_max(x, present)
            out = np.where(mirrored, lo / x, x / hi)
        else:
            xd = np.where(mirrored, -x, x)  # lower is better: the mirror of -x
            lo, hi = _column_min_max(xd, present)
            if method == "min-max":
                out = np.where(hi == lo, 1.0, (xd - lo) / (hi - lo))
            elif method == "z-score":
                count = present.sum(axis=0)
                mean = np.where(present, xd, 0.0).sum(axis=0) / count
                deviation = np.where(present, xd - mean, 0.0)
                std = np.sqrt((deviation * deviation).sum(axis=0) / count)
                out = np.where((hi == lo) | (std == 0), 0.0, deviation / std)
            elif method == "rank":
                count = present.sum(axis=0)
                ranks = average_ranks(xd, present)
                out = np.where(count > 1, (ranks - 1.0) / (count - 1), 1.0)
            else:
                raise ValueError(f"unknown normalisation {method!r}")
    return np.where(present, out, np.nan)


# --- aggregation ---------------------------------------------------------------------------


def group_means(scores: FloatArray, starts: NDArray[np.intp]) -> FloatArray:
    """Mean of the available columns of each contiguous group; NaN when none is available."""
    present = ~np.isnan(scores)
    sums = np.add.reduceat(np.where(present, scores, 0.0), starts, axis=1)
    counts = np.add.reduceat(present.astype(float), starts, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def weighted_overall(areas: FloatArray, weights: FloatArray, aggregation: str) -> FloatArray:
    """Weighted arithmetic or geometric mean of the available area scores of each row."""
    present = ~np.isnan(areas)
    w = np.where(present, weights, 0.0)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if aggregation == "arithmetic":
            out = (np.where(present, areas, 0.0) * w).sum(axis=-1) / total
        elif aggregation == "geometric":
            positive = present & (areas > 0)
            logs = np.log(np.where(positive, areas, 1.0))
            out = np.exp((logs * w).sum(axis=-1) / total)
            out = np.where((present & ~positive).any(axis=-1), 0.0, out)
        else:
            raise ValueError(f"unknown aggregation {aggregation!r}")
    return np.where(total > 0, out, np.nan)


def competition_ranks(scores: ArrayLike) -> NDArray[np.int64]:
    """Ranks along axis 0, 1 for the highest; ties share the lower number; 0 for NaN scores."""
    s = np.asarray(scores, dtype=float)
    present = ~np.isnan(s)
    key = np.where(present, -np.round(s, TIE_DECIMALS), np.inf)
    order = np.argsort(key, axis=0, kind="stable")
    ordered = np.take_along_axis(key, order, axis=0)
    starts = np.ones(s.shape, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    index = np.arange(s.shape[0]).reshape((-1,) + (1,) * (s.ndim - 1))
    first = np.maximum.accumulate(np.where(starts, index, 0), axis=0)
    ranks = np.empty(s.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, first + 1, axis=0)
    return np.where(present, ranks, 0)


# --- the computation -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CompositeResult:
    """Arrays are indexed by cluster (rows) in the input order; NaN is a missing score."""

    clusters: tuple[str, ...]
    indicator_ids: tuple[str, ...]
    subarea_ids: tuple[str, ...]
    area_ids: tuple[str, ...]
    normalisation: str
    aggregation: str
    normalised: FloatArray  # clusters x indicators
    subareas: FloatArray  # clusters x sub-areas
    areas: FloatArray  # clusters x areas
    overall: FloatArray  # clusters
    area_medians: FloatArray  # areas
    area_benchmarks: FloatArray  # areas
    ranks: NDArray[np.int64]  # clusters; 0 for a cluster without an overall score
    missing_mask: BoolArray  # clusters x indicators

    def missing(self, index: int) -> list[str]:
        """The indicator ids that cluster ``index`` has no value for, in framework order."""
        return [self.indicator_ids[j] for j in np.flatnonzero(self.missing_mask[index])]

    def rank(self, index: int) -> int | None:
        value = int(self.ranks[index])
        return value or None

    def order(self) -> list[int]:
        """Cluster indices by rank, then by name; clusters without a rank last, by name."""
        big = len(self.clusters) + 1
        return sorted(
            range(len(self.clusters)),
            key=lambda i: (
                int(self.ranks[i]) or big,
                self.clusters[i].casefold(),
                self.clusters[i],
            ),
        )


def _check_input(
    framework: Framework, clusters: Sequence[str], x: FloatArray, normalisation: str
) -> None:
    errors: list[InputIssue] = []
    ids = framework.indicator_ids
    if not clusters:
        raise BenchmarkInputError([InputIssue(N_("the data set has no cluster"))])
    if normalisation not in valid_normalisations(framework.aggregation):
        raise BenchmarkInputError(
            [
                InputIssue(
                    N_("normalisation %(method)s is not defined for %(aggregation)s aggregation"),
                    {"method": normalisation, "aggregation": framework.aggregation},
                )
            ]
        )
    if x.ndim != 2 or x.shape != (len(clusters), len(ids)):
        raise BenchmarkInputError(
            [
                InputIssue(
                    N_("expected %(rows)s rows of %(columns)s indicator values, got %(shape)s"),
                    {
                        "rows": len(clusters),
                        "columns": len(ids),
                        "shape": "x".join(map(str, x.shape)),
                    },
                )
            ]
        )
    seen: set[str] = set()
    for name in clusters:
        if not isinstance(name, str) or not name.strip():
            errors.append(InputIssue(N_("a cluster name is empty")))
        elif name in seen:
            errors.append(InputIssue(N_("the cluster is listed twice"), cluster=name))
        seen.add(name)
    bad = np.isinf(x)
    if normalisation == "distance-to-leader":
        bad |= x <= 0
    for row, col in zip(*np.nonzero(bad), strict=True):
        msgid = (
            N_("must be a finite number")
            if np.isinf(x[row, col])
            else N_("distance-to-leader needs values greater than 0, got %(value)s")
        )
        errors.append(
            InputIssue(msgid, {"value": repr(float(x[row, col]))}, clusters[row], ids[col])
        )
    if errors:
        raise BenchmarkInputError(errors)


def compute(
    framework: Framework,
    clusters: Sequence[str],
    values: ArrayLike,
    *,
    normalisation: str | None = None,
) -> CompositeResult:
    """Composite results of a data set: ``values[i, j]`` is cluster i's value of the framework's
    j-th indicator (``framework.indicator_ids`` order), NaN when missing.

    ``normalisation`` overrides the framework's method. Raises :class:`BenchmarkInputError`.
    """
    method = normalisation or framework.normalisation
    x = np.array(values, dtype=float, ndmin=2)
    _check_input(framework, clusters, x, method)
    structure = structure_of(framework)
    normalised = normalise(x, structure.lower, method)
    subareas = group_means(normalised, structure.subarea_starts)
    areas = group_means(subareas, structure.area_starts)
    overall = weighted_overall(areas, structure.weights, framework.aggregation)
    medians = np.full(len(structure.area_ids), np.nan)
    benchmarks = np.full(len(structure.area_ids), np.nan)
    for k in range(len(structure.area_ids)):  # a loop over areas, not clusters
        column = areas[:, k][~np.isnan(areas[:, k])]
        if column.size:
            medians[k] = np.median(column)
            benchmarks[k] = column.max()
    return CompositeResult(
        clusters=tuple(clusters),
        indicator_ids=structure.indicator_ids,
        subarea_ids=structure.subarea_ids,
        area_ids=structure.area_ids,
        normalisation=method,
        aggregation=framework.aggregation,
        normalised=normalised,
        subareas=subareas,
        areas=areas,
        overall=overall,
        area_medians=medians,
        area_benchmarks=benchmarks,
        ranks=competition_ranks(overall),
        missing_mask=np.isnan(x),
    )


# --- output --------------------------------------------------------------------------------


def format_score(value: float) -> str | None:
    """A score as a decimal string with 4 decimals, None when missing.

    The float's shortest repr (``repr(0.12345) == "0.12345"``) is rounded half-up, so a score is
    rounded as it reads, not by the binary expansion of the float (0.12345 -> "0.1235").
    """
    number = float(value)
    if np.isnan(number):
        return None
    rounded = Decimal(repr(number)).quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = rounded.copy_abs()  # never "-0.0000"
    return str(rounded)


def to_dict(
    result: CompositeResult, framework: Framework, *, sha256: str | None = None
) -> dict[str, Any]:
    """The document printed by ``keyclusters benchmark compute --json``.

    ``sha256`` is the stored rulebook's hash; without it, the framework's canonical hash.
    """
    area_ids = result.area_ids
    clusters = []
    for i in result.order():
        clusters.append(
            {
                "cluster": result.clusters[i],
                "areas": {a: format_score(result.areas[i, k]) for k, a in enumerate(area_ids)},
                "overall": format_score(result.overall[i]),
                "rank": result.rank(i),
                "missing": result.missing(i),
            }
        )
    return {
        "framework": {
            "id": framework.rulebook,
            "version": framework.version,
            "sha256": sha256 or framework.canonical_sha256(),
        },
        "normalisation": result.normalisation,
        "aggregation": result.aggregation,
        "areas": {
            a: {
                "median": format_score(result.area_medians[k]),
                "benchmark": format_score(result.area_benchmarks[k]),
            }
            for k, a in enumerate(area_ids)
        },
        "clusters": clusters,
    }


def to_json(result: CompositeResult, framework: Framework, *, sha256: str | None = None) -> str:
    """:func:`to_dict` as one JSON document (UTF-8 text, Polish letters kept)."""
    return json.dumps(to_dict(result, framework, sha256=sha256), ensure_ascii=False)
