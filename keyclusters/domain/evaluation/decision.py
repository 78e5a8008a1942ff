"""From stage results to the recommendation: thresholds, per-area minima, ranking and quota."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..i18n import N_
from ..points import fixed, round_points
from ..rulebook.model import Rulebook

ZERO = Decimal(0)


@dataclass(frozen=True)
class Candidate:
    """An application that completed every stage, with its points as stored (already rounded
    to the rulebook's precision where experts' points were aggregated)."""

    key: str
    stage_totals: Mapping[str, Decimal]
    area_totals: Mapping[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.stage_totals.values(), ZERO)


@dataclass(frozen=True)
class Outcome:
    key: str
    total: Decimal  # the exact sum of the stage totals
    rank: int
    recommended: bool
    reasons: tuple[tuple[str, Mapping[str, object]], ...] = field(default=())


def candidate(
    rulebook: Rulebook,
    key: str,
    stage_totals: Mapping[str, Decimal],
    criteria: Mapping[str, Decimal],
) -> Candidate:
    """A candidate from its stored stage totals (each already rounded once) and the exact
    points of its criteria, whose sums per area are rounded here, once, the same way."""
    areas: dict[str, Decimal] = {}
    for area, criterion in rulebook.criteria():
        if criterion.stage in stage_totals:
            areas[area.id] = areas.get(area.id, ZERO) + criteria.get(criterion.id, ZERO)
    rounded = {area: round_points(points, rulebook.precision) for area, points in areas.items()}
    return Candidate(key, dict(stage_totals), rounded)


def _sort_key(rulebook: Rulebook, candidate: Candidate) -> tuple[Decimal, ...]:
    keys = []
    for item in rulebook.decision.ranking:
        value = candidate.total if item == "total" else candidate.stage_totals.get(item, ZERO)
        keys.append(value)
    return tuple(keys)


def decide(rulebook: Rulebook, candidates: Sequence[Candidate]) -> list[Outcome]:
    """Rank the candidates and say who is recommended, with the reasons of the others.

    The points come as stored: each stage's aggregate was rounded once to the rulebook's
    precision (:func:`keyclusters.domain.points.round_points`), so every total here is an exact
    sum and the threshold and the per-area minima compare the figures that are shown; nothing
    is rounded here. Ranking: by the rulebook's ``ranking`` keys, all descending; candidates
    equal on every key share a rank (1, 1, 3). The quota takes the best; a tie that the quota
    would cut is not resolved here: every candidate of that tie is left for the decision maker.
    """
    ordered = sorted(candidates, key=lambda c: _sort_key(rulebook, c), reverse=True)
    ranks: dict[str, int] = {}
    previous = None
    for position, candidate in enumerate(ordered, start=1):
        key = _sort_key(rulebook, candidate)
        if key != previous:
            rank = position
            previous = key
        ranks[candidate.key] = rank

    reasons: dict[str, list[tuple[str, Mapping[str, object]]]] = {c.key: [] for c in ordered}
    passing = []
    for candidate in ordered:
        total = fixed(candidate.total, rulebook.precision)
        condition = rulebook.decision.pass_
        if not condition.holds(total):
            reasons[candidate.key].append(
                (
                    N_("%(total)s points do not meet the threshold %(op)s %(value)s"),
                    {"total": str(total), "op": condition.op, "value": str(condition.value)},
                )
            )
        for area_id, minimum in rulebook.decision.min_per_area.items():
            points = fixed(candidate.area_totals.get(area_id, ZERO), rulebook.precision)
            if points < minimum:
                reasons[candidate.key].append(
                    (
                        N_("%(points)s points in the area %(area)s, below its minimum %(min)s"),
                        {"points": str(points), "area": area_id, "min": str(minimum)},
                    )
                )
        if not reasons[candidate.key]:
            passing.append(candidate)

    recommended = {c.key for c in passing}
    quota = rulebook.decision.quota
    if quota is not None and len(passing) > quota:
        boundary_rank = ranks[passing[quota - 1].key]
        next_rank = ranks[passing[quota].key]
        for candidate in passing:
            rank = ranks[candidate.key]
            beyond = rank > boundary_rank
            cut_tie = rank == boundary_rank and boundary_rank == next_rank
            if beyond:
                recommended.discard(candidate.key)
                reasons[candidate.key].append(
                    (N_("outside the quota of %(quota)s statuses"), {"quota": quota})
                )
            elif cut_tie:
                recommended.discard(candidate.key)
                reasons[candidate.key].append(
                    (
                        N_("tied at the quota limit of %(quota)s: for the decision maker"),
                        {"quota": quota},
                    )
                )
    return [
        Outcome(
            key=c.key,
            total=fixed(c.total, rulebook.precision),
            rank=ranks[c.key],
            recommended=c.key in recommended,
            reasons=tuple(reasons[c.key]),
        )
        for c in ordered
    ]
