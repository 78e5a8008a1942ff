"""What a cluster is told about its results: its overall position and the gap to the leader,
the rating band of each area, and its change across editions of different frameworks.

Pure Python on the stored scores (4-decimal strings or ``Decimal``); the application layer
translates the ``msgid`` texts and formats the numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..i18n import N_
from .framework import Band, Framework

SCORE_QUANTUM = Decimal("0.0001")

# The gap to the leader in words, by the gap's share of the group's spread (the leader's overall
# score minus the lowest one): up to 5 % "minimally behind", up to 25 % "close behind", up to
# 50 % "behind", beyond that "far behind". A share of the spread reads the same whatever the
# normalisation (min-max, z-score, ...) makes the scale of the scores.
GAP_WORDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("0.05"), N_("minimally behind the leader")),
    (Decimal("0.25"), N_("close behind the leader")),
    (Decimal("0.50"), N_("behind the leader")),
)
FAR_BEHIND = N_("far behind the leader")
LEADER = N_("the leader of the general classification")


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class Standing:
    """A cluster's place in the general classification of an edition."""

    rank: int
    of: int
    overall: Decimal
    leader_overall: Decimal
    gap: Decimal  # the leader's overall score minus the cluster's, >= 0
    gap_share: Decimal  # the gap as a share of the group's spread, 0..1, 4 decimals
    words: str  # msgid

    @property
    def is_leader(self) -> bool:
        return self.rank == 1


def standing(
    overall: object, rank: int | None, overall_scores: Iterable[object]
) -> Standing | None:
    """The standing of a cluster with ``overall`` score and ``rank`` among ``overall_scores``
    (every ranked cluster's overall score, the cluster's own included); None when unranked."""
    score = _decimal(overall)
    scores = [d for d in (_decimal(v) for v in overall_scores) if d is not None]
    if score is None or rank is None or not scores:
        return None
    leader, lowest = max(scores), min(scores)
    gap = leader - score
    spread = leader - lowest
    share = (gap / spread).quantize(SCORE_QUANTUM, ROUND_HALF_UP) if spread else Decimal("0.0000")
    if rank == 1:
        words = LEADER
    else:
        words = next((text for limit, text in GAP_WORDS if share <= limit), FAR_BEHIND)
    return Standing(rank, len(scores), score, leader, gap, share, words)


def band_for(bands: Sequence[Band], score: object) -> Band | None:
    """The first band (they run from the highest) whose minimum the score reaches."""
    value = _decimal(score)
    if value is None:
        return None
    return next((b for b in bands if value >= Decimal(repr(b.min))), None)


def band_counts(framework: Framework, areas: Mapping[str, object]) -> list[tuple[Band, int]]:
    """How many areas fall in each band ("very high" in 3 areas), in the bands' order.

    Bands are told apart by their labels, so areas with their own bands of the same label
    count together; bands with no area are left out.
    """
    counts: dict[tuple[tuple[str, str], ...], list[Any]] = {}
    for area in framework.areas:
        bands = framework.bands_of(area)
        band = band_for(bands, areas.get(area.id))
        if band is None:
            continue
        key = tuple(sorted(band.label.items()))
        # ordered by the band's place in its list (0 is the highest), then by first appearance
        counts.setdefault(key, [band, 0, (bands.index(band), len(counts))])[1] += 1
    ordered = sorted(counts.values(), key=lambda entry: entry[2])
    return [(band, n) for band, n, _order in ordered]


# --- across frameworks ----------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    """One declared correspondence: ids in the earlier edition's framework and in the later's."""

    level: str  # "area" or "subarea"
    earlier_ids: tuple[str, ...]
    later_ids: tuple[str, ...]
    earlier: Decimal | None  # the score, or the mean of the mapped scores
    later: Decimal | None
    change: Decimal | None


def _mean(scores: Mapping[str, object], ids: Sequence[str]) -> Decimal | None:
    values = [d for d in (_decimal(scores.get(i)) for i in ids) if d is not None]
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(SCORE_QUANTUM, ROUND_HALF_UP)


def is_mapped(first: Framework, second: Framework) -> bool:
    """Either framework declares a mapping to the other."""
    return second.rulebook in first.mapped_frameworks() or (
        first.rulebook in second.mapped_frameworks()
    )


def compare_across(
    earlier: Framework,
    earlier_scores: Mapping[str, Mapping[str, object]],
    later: Framework,
    later_scores: Mapping[str, Mapping[str, object]],
) -> list[ComparisonRow]:
    """The change of one cluster between editions of two mapped frameworks.

    ``*_scores`` are ``{"areas": {id: score}, "subareas": {id: score}}``. The mapping is read
    from the framework that declares it (the later one when both do): each of its areas and
    sub-areas with a mapping is a row, its own score against the mean of the scores it maps to.
    Change is later minus earlier, None when either side has no score.
    """
    later_declares = earlier.rulebook in later.mapped_frameworks()
    source, target = (later, earlier) if later_declares else (earlier, later)
    source_scores, target_scores = (
        (later_scores, earlier_scores) if later_declares else (earlier_scores, later_scores)
    )
    rows: list[ComparisonRow] = []

    def add(level: str, own_id: str, mapping: Mapping[str, list[str]] | None) -> None:
        mapped = (mapping or {}).get(target.rulebook)
        if not mapped:
            return
        plural = "areas" if level == "area" else "subareas"
        own = _decimal(source_scores.get(plural, {}).get(own_id))
        other = _mean(target_scores.get(plural, {}), mapped)
        if own is not None:
            own = own.quantize(SCORE_QUANTUM, ROUND_HALF_UP)
        before, after = (other, own) if later_declares else (own, other)
        before_ids, after_ids = (
            (tuple(mapped), (own_id,)) if later_declares else ((own_id,), tuple(mapped))
        )
        change = after - before if before is not None and after is not None else None
        rows.append(ComparisonRow(level, before_ids, after_ids, before, after, change))

    for area in source.areas:
        add("area", area.id, area.maps_to)
        for sub in area.subareas:
            add("subarea", sub.id, sub.maps_to)
    return rows
