"""Aggregating the experts' score sheets of a stage, and the divergence between them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from ..points import round_points
from ..rulebook.model import Rulebook

ZERO = Decimal(0)


@dataclass(frozen=True)
class ExpertSheet:
    """One expert's points per criterion for one stage of one application."""

    expert: str
    points: Mapping[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.points.values(), ZERO)


def aggregate(method: str, values: Sequence[Decimal]) -> Decimal:
    """``mean``, ``median`` or ``trimmed-mean`` of the values, unrounded.

    The trimmed mean leaves out the single highest and the single lowest value when there are at
    least three values (with fewer it is the mean).
    """
    if not values:
        raise ValueError("no values to aggregate")
    ordered = sorted(Decimal(v) for v in values)
    if method == "mean":
        return sum(ordered, ZERO) / len(ordered)
    if method == "median":
        return Decimal(median(ordered))
    if method == "trimmed-mean":
        kept = ordered[1:-1] if len(ordered) >= 3 else ordered
        return sum(kept, ZERO) / len(kept)
    raise ValueError(f"unknown aggregation {method!r}")


@dataclass(frozen=True)
class Divergence:
    """Two experts whose stage totals differ by more than the allowed gap."""

    experts: tuple[str, str]
    gap: Decimal
    allowed: Decimal


@dataclass(frozen=True)
class StageAggregate:
    stage: str
    method: str
    criteria: Mapping[str, Decimal]  # unrounded aggregate per criterion
    per_expert: Mapping[str, Mapping[str, Decimal]]
    maximum: Decimal
    divergence: Divergence | None = None
    consensus: bool = False
    notes: tuple[str, ...] = field(default=())

    precision: int = 2

    @property
    def exact_total(self) -> Decimal:
        return sum(self.criteria.values(), ZERO)

    @property
    def total(self) -> Decimal:
        """The stage's points as stored and shown: the exact sum rounded once."""
        return round_points(self.exact_total, self.precision)

    def area_totals(self, rulebook: Rulebook) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for area, criterion in rulebook.criteria(stage=self.stage):
            totals[area.id] = totals.get(area.id, ZERO) + self.criteria.get(criterion.id, ZERO)
        return totals


def find_divergence(
    rulebook: Rulebook, stage_id: str, sheets: Sequence[ExpertSheet]
) -> Divergence | None:
    """The largest gap between two experts' totals when it exceeds ``max_gap`` × stage maximum.

    A gap exactly at the limit is allowed. Without a ``divergence`` rule nothing diverges.
    """
    stage = rulebook.stage(stage_id)
    if stage.divergence is None or len(sheets) < 2:
        return None
    allowed = stage.divergence.max_gap * rulebook.stage_maximum(stage_id)
    worst: tuple[Decimal, ExpertSheet, ExpertSheet] | None = None
    for i, first in enumerate(sheets):
        for second in sheets[i + 1 :]:
            gap = abs(first.total - second.total)
            if worst is None or gap > worst[0]:
                worst = (gap, first, second)
    if worst is None or worst[0] <= allowed:
        return None
    return Divergence(experts=(worst[1].expert, worst[2].expert), gap=worst[0], allowed=allowed)


def aggregate_stage(
    rulebook: Rulebook,
    stage_id: str,
    sheets: Sequence[ExpertSheet],
    *,
    consensus: Mapping[str, Decimal] | None = None,
) -> StageAggregate:
    """The stage's points per criterion: the rulebook's aggregation of the experts' points, or a
    recorded consensus score (which replaces the aggregation and resolves a divergence)."""
    stage = rulebook.stage(stage_id)
    criteria = [criterion.id for _area, criterion in rulebook.criteria(stage=stage_id)]
    per_expert = {sheet.expert: dict(sheet.points) for sheet in sheets}
    if consensus is not None:
        values = {cid: Decimal(consensus.get(cid, ZERO)) for cid in criteria}
        return StageAggregate(
            stage=stage_id,
            method="consensus",
            criteria=values,
            per_expert=per_expert,
            maximum=rulebook.stage_maximum(stage_id),
            consensus=True,
            precision=rulebook.precision,
        )
    method = stage.aggregation or "mean"
    values = {
        cid: aggregate(method, [Decimal(sheet.points.get(cid, ZERO)) for sheet in sheets])
        for cid in criteria
    }
    return StageAggregate(
        stage=stage_id,
        method=method,
        criteria=values,
        per_expert=per_expert,
        maximum=rulebook.stage_maximum(stage_id),
        divergence=find_divergence(rulebook, stage_id, sheets),
        precision=rulebook.precision,
    )
