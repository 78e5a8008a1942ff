"""Deciding a pass-fail stage (``aggregation: all-pass | majority-pass``) from the experts' marks.

``all-pass``: the stage passes when every expert marks every criterion as met.
``majority-pass``: a criterion is met when more than half of the experts mark it so (one of two
is a tie: not met), and the stage passes when every criterion is met. A pass-fail stage adds no
points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .model import PASS_FAIL_AGGREGATIONS, Rulebook

ALL_PASS, MAJORITY_PASS = PASS_FAIL_AGGREGATIONS

# how a score sheet stores an expert's mark on a pass-fail criterion
MET, NOT_MET = "met", "not-met"
MARKS = (MET, NOT_MET)
_MARK_WORDS = {
    "met": MET,
    "true": MET,
    "yes": MET,
    "not-met": NOT_MET,
    "false": NOT_MET,
    "no": NOT_MET,
}


def parse_mark(raw: object) -> str | None:
    """An expert's mark on a pass-fail criterion as stored (``met`` or ``not-met``), None when
    left empty; ``True``/``False`` and ``true``/``false``/``yes``/``no`` (any case) are accepted.
    ``ValueError`` for anything else."""
    if raw is True or raw is False:
        return MET if raw else NOT_MET
    text = "" if raw is None else str(raw).strip().lower()
    if not text:
        return None
    if text not in _MARK_WORDS:
        raise ValueError(f"not a pass-fail mark: {raw!r}")
    return _MARK_WORDS[text]


def marks_of(points: Mapping[str, str]) -> dict[str, bool]:
    """A sheet's pass-fail marks as booleans (its criteria scored in points left out)."""
    return {criterion: value == MET for criterion, value in points.items() if value in MARKS}


def numeric_points(points: Mapping[str, str]) -> dict[str, Decimal]:
    """A sheet's points as numbers (its pass-fail marks left out)."""
    return {criterion: Decimal(v) for criterion, v in points.items() if v not in MARKS}


@dataclass(frozen=True)
class CriterionVerdict:
    criterion: str
    met_by: int  # how many experts marked it met
    experts: int
    met: bool


@dataclass(frozen=True)
class PassFailResult:
    aggregation: str
    criteria: tuple[CriterionVerdict, ...]

    @property
    def passed(self) -> bool:
        return all(verdict.met for verdict in self.criteria)

    @property
    def failed_criteria(self) -> list[str]:
        return [verdict.criterion for verdict in self.criteria if not verdict.met]


def decide_pass_fail(
    marks: Mapping[str, Mapping[str, bool]], criteria: Sequence[str], aggregation: str
) -> PassFailResult:
    """The verdict of each criterion and of the stage from ``marks`` (expert → criterion → met).

    Every expert must have marked every criterion: a stage is decided on complete marks only
    (``ValueError`` otherwise, as for no expert, no criterion or an unknown aggregation).
    """
    if aggregation not in PASS_FAIL_AGGREGATIONS:
        raise ValueError(f"not a pass-fail aggregation: {aggregation!r}")
    if not marks:
        raise ValueError("no expert has marked the criteria")
    if not criteria:
        raise ValueError("the stage has no pass-fail criterion")
    experts = len(marks)
    verdicts = []
    for criterion in criteria:
        missing = [expert for expert, sheet in marks.items() if criterion not in sheet]
        if missing:
            raise ValueError(f"{', '.join(missing)} did not mark {criterion}")
        met_by = sum(1 for sheet in marks.values() if sheet[criterion] is True)
        met = met_by == experts if aggregation == ALL_PASS else 2 * met_by > experts
        verdicts.append(CriterionVerdict(criterion, met_by, experts, met))
    return PassFailResult(aggregation, tuple(verdicts))


def decide_pass_fail_stage(
    rulebook: Rulebook, stage_id: str, marks: Mapping[str, Mapping[str, bool]]
) -> PassFailResult:
    """:func:`decide_pass_fail` over the stage's pass-fail criteria, in file order."""
    stage = rulebook.stage(stage_id)
    if not stage.pass_fail or stage.aggregation is None:
        raise ValueError(f"stage {stage_id} is not a pass-fail stage")
    criteria = [c.id for _area, c in rulebook.criteria(stage=stage_id) if c.pass_fail]
    return decide_pass_fail(marks, criteria, stage.aggregation)


__all__ = [
    "ALL_PASS",
    "MAJORITY_PASS",
    "MARKS",
    "MET",
    "NOT_MET",
    "marks_of",
    "numeric_points",
    "parse_mark",
    "CriterionVerdict",
    "PassFailResult",
    "decide_pass_fail",
    "decide_pass_fail_stage",
]
