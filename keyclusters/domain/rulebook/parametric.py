"""The parametric stage: points computed from the application's figures by brackets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..i18n import N_
from .model import Bracket, Criterion, Rulebook
from .values import ValueInvalid, coerce_value, display

ZERO = Decimal(0)

SENTENCES = {
    "bracket": N_(
        "%(criterion)s: %(value_text)s is in the bracket from %(min)s%(upper)s, "
        "which gives %(points)s of %(max)s points"
    ),
    "below-first-bracket": N_(
        "%(criterion)s: %(value_text)s is below the first bracket (%(min)s), "
        "which gives 0 of %(max)s points"
    ),
    "missing-value": N_("%(criterion)s: no value for %(field)s, which gives 0 of %(max)s points"),
    "invalid-value": N_(
        "%(criterion)s: the value of %(field)s is not a number, which gives 0 of %(max)s points"
    ),
    "missing-denominator": N_(
        "%(criterion)s: no value for %(per)s, so the ratio cannot be computed; 0 of %(max)s points"
    ),
    "zero-denominator": N_(
        "%(criterion)s: %(per)s is zero, so the ratio %(field)s / %(per)s cannot be computed; "
        "0 of %(max)s points"
    ),
}
UPPER = N_(" up to %(next)s")
RATIO = N_("%(field)s / %(per)s = %(numerator)s / %(denominator)s = %(value)s")
PLAIN = N_("%(field)s = %(value)s")


@dataclass(frozen=True)
class Explanation:
    """Why a criterion got its points, as data (``as_dict``) and as an English sentence."""

    criterion: str
    outcome: str  # bracket | below-first-bracket | missing-value | invalid-value |
    #               missing-denominator | zero-denominator
    field: str
    per: str | None
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    bracket_index: int | None
    bracket_min: Decimal | None
    bracket_next_min: Decimal | None
    bracket_points: Decimal | None
    points: Decimal
    max: Decimal

    @property
    def message_id(self) -> str:
        return SENTENCES[self.outcome]

    @property
    def params(self) -> dict[str, object]:
        values: dict[str, object] = {
            "criterion": self.criterion,
            "field": self.field,
            "per": self.per or "",
            "numerator": display(self.numerator),
            "denominator": display(self.denominator),
            "value": display(self.value),
            "min": display(self.bracket_min),
            "next": display(self.bracket_next_min),
            "points": display(self.points),
            "max": display(self.max),
        }
        values["value_text"] = (RATIO if self.per else PLAIN) % values
        values["upper"] = UPPER % values if self.bracket_next_min is not None else ""
        return values

    @property
    def sentence(self) -> str:
        return self.message_id % self.params

    def as_dict(self) -> dict[str, object]:
        def text(number: Decimal | None) -> str | None:
            return None if number is None else display(number)

        bracket = None
        if self.bracket_index is not None:
            bracket = {
                "index": self.bracket_index,
                "min": text(self.bracket_min),
                "next_min": text(self.bracket_next_min),
                "points": text(self.bracket_points),
            }
        return {
            "criterion": self.criterion,
            "outcome": self.outcome,
            "field": self.field,
            "per": self.per,
            "numerator": text(self.numerator),
            "denominator": text(self.denominator),
            "value": text(self.value),
            "bracket": bracket,
            "points": text(self.points),
            "max": text(self.max),
        }


@dataclass(frozen=True)
class CriterionScore:
    criterion_id: str
    area_id: str
    stage_id: str
    value: Decimal | None
    points: Decimal
    max: Decimal
    explanation: Explanation


@dataclass(frozen=True)
class ParametricResult:
    criteria: tuple[CriterionScore, ...]

    @property
    def total(self) -> Decimal:
        return sum((score.points for score in self.criteria), ZERO)

    @property
    def max(self) -> Decimal:
        return sum((score.max for score in self.criteria), ZERO)

    def stage_total(self, stage_id: str) -> Decimal:
        return sum((s.points for s in self.criteria if s.stage_id == stage_id), ZERO)

    def points(self) -> dict[str, Decimal]:
        """Points per criterion id."""
        return {score.criterion_id: score.points for score in self.criteria}

    def score(self, criterion_id: str) -> CriterionScore:
        for score in self.criteria:
            if score.criterion_id == criterion_id:
                return score
        raise KeyError(criterion_id)


def bracket_for(brackets: list[Bracket], value: Decimal) -> int | None:
    """The index of the bracket ``value`` falls in (``min`` inclusive), None below the first."""
    found: int | None = None
    for index, bracket in enumerate(brackets):
        if value >= bracket.min:
            found = index
        else:
            break
    return found


def _number(rulebook: Rulebook, field_id: str, values: Mapping[str, object]) -> Decimal | None:
    spec = next((spec for spec in rulebook.fields if spec.id == field_id), None)
    value = coerce_value(spec, values.get(field_id))
    if value is None:
        return None
    if not isinstance(value, Decimal):
        raise ValueInvalid(N_("is not a number"))
    return value


def score_criterion(
    rulebook: Rulebook, criterion: Criterion, values: Mapping[str, object]
) -> Explanation:
    """The points of one parametric criterion, with the explanation of how they came about."""
    brackets = list(criterion.brackets or [])
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    def explain(
        outcome: str, value: Decimal | None = None, index: int | None = None
    ) -> Explanation:
        bracket = brackets[index] if index is not None else None
        following = index + 1 if index is not None else None
        return Explanation(
            criterion=criterion.id,
            outcome=outcome,
            field=criterion.field or "",
            per=criterion.per,
            numerator=numerator,
            denominator=denominator,
            value=value,
            bracket_index=index,
            bracket_min=bracket.min if bracket else (brackets[0].min if brackets else None),
            bracket_next_min=(
                brackets[following].min
                if following is not None and following < len(brackets)
                else None
            ),
            bracket_points=bracket.points if bracket else None,
            points=max(ZERO, min(bracket.points, criterion.max)) if bracket else ZERO,
            max=criterion.max,
        )

    try:
        numerator = _number(rulebook, criterion.field or "", values)
    except ValueInvalid:
        return explain("invalid-value")
    if numerator is None:
        return explain("missing-value")
    value = numerator
    if criterion.per:
        try:
            denominator = _number(rulebook, criterion.per, values)
        except ValueInvalid:
            denominator = None
        if denominator is None:
            return explain("missing-denominator")
        if denominator == 0:
            return explain("zero-denominator")
        value = numerator / denominator
    index = bracket_for(brackets, value)
    if index is None:
        return explain("below-first-bracket", value)
    return explain("bracket", value, index)


def score_parametric(
    rulebook: Rulebook, values: Mapping[str, object], *, stage: str | None = None
) -> ParametricResult:
    """Score every criterion of the parametric stage(s) (or of ``stage``) from ``values``."""
    stage_ids = (
        [stage] if stage is not None else [s.id for s in rulebook.stages_of_kind("parametric")]
    )
    scores = []
    for area, criterion in rulebook.criteria():
        if criterion.stage not in stage_ids:
            continue
        explanation = score_criterion(rulebook, criterion, values)
        scores.append(
            CriterionScore(
                criterion_id=criterion.id,
                area_id=area.id,
                stage_id=criterion.stage,
                value=explanation.value,
                points=explanation.points,
                max=criterion.max,
                explanation=explanation,
            )
        )
    return ParametricResult(criteria=tuple(scores))
