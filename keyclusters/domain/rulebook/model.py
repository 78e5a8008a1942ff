"""The rulebook of a status competition: the shape of the YAML file as pydantic models.

The models check types and the closed vocabularies; the cross-references (a criterion's
stage, a rule's field, bracket order…) are checked by :mod:`.validation`, which reports every
problem with its path. Points and thresholds are ``Decimal``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)

from ..i18n import N_
from .comparison import compare

RULEBOOK_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[a-zA-Z]{2,4})?$"

FIELD_TYPES = ("integer", "decimal", "percent", "money", "text", "document", "boolean", "date")
NUMERIC_FIELD_TYPES = frozenset({"integer", "decimal", "percent", "money"})
OPS = (">=", ">", "<=", "<", "==", "present", "in")
NUMERIC_OPS = (">=", ">", "<=", "<", "==")
STAGE_KINDS = ("formal", "expert", "parametric", "panel")
SCORED_BY_EXPERTS = frozenset({"expert", "panel"})
AGGREGATIONS = ("mean", "median", "trimmed-mean", "all-pass", "majority-pass")
POINTS_AGGREGATIONS = ("mean", "median", "trimmed-mean")
PASS_FAIL_AGGREGATIONS = ("all-pass", "majority-pass")
RESOLUTIONS = ("third-expert", "consensus")
CRITERION_TYPES = ("points", "pass-fail")
SCORED_BY = ("computed", "experts")
VALIDITY_FROM = ("decision", "document")
VALIDITY_ENDS = ("day-before", "anniversary")
DEFAULT_STATUS_TYPE = "kkk"
CRITERIA_POINTS = "criteria-points"

# What a rulebook can declare as not official (``illustrative: [...]``): the code and what the
# pages say about it. Anything else is written as a text in the rulebook's languages.
ILLUSTRATIVE_TOPICS: dict[str, str] = {
    CRITERIA_POINTS: N_("The split of points between the criteria"),
    "brackets": N_("The brackets of the parametric criteria"),
    "area-grouping": N_("The grouping of the criteria into areas"),
    "area-titles": N_("The titles of the areas"),
    "criteria-titles": N_("The titles of the criteria"),
    "stage-names": N_("The names of the stages"),
    "stage-semantics": N_("What each stage assesses"),
    "stage-gates": N_("The stage gates"),
    "experts": N_("The number of experts and how their scores are combined"),
    "pass-threshold": N_("The pass threshold"),
    "maximum": N_("The maximum number of points"),
    "min-per-area": N_("The minimum points per area"),
    "eligibility": N_("The eligibility rules"),
    "fields": N_("The figures asked of the applicant"),
    "panel-topics": N_("The topics of the Expert Panel"),
    "guidance": N_("The guidance for applicants and experts"),
}

_STAGE_TOPIC = re.compile(r"^stage-([1-9][0-9]?)-([a-z]+)$")


def illustrative_topic(item: str) -> tuple[str, int | None] | None:
    """A listed code as (topic, stage number or None): ``pass-threshold`` is a topic of the whole
    rulebook; ``stage-2-semantics`` is the topic ``stage-semantics`` of the second stage only.
    None for a code that is neither."""
    if item in ILLUSTRATIVE_TOPICS:
        return item, None
    match = _STAGE_TOPIC.match(item)
    if match and f"stage-{match.group(2)}" in ILLUSTRATIVE_TOPICS:
        return f"stage-{match.group(2)}", int(match.group(1))
    return None


Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
LocalizedText = dict[Language, str]
Op = Literal[">=", ">", "<=", "<", "==", "present", "in"]
NumericOp = Literal[">=", ">", "<=", "<", "=="]
FieldType = Literal["integer", "decimal", "percent", "money", "text", "document", "boolean", "date"]
StageKind = Literal["formal", "expert", "parametric", "panel"]
Aggregation = Literal["mean", "median", "trimmed-mean", "all-pass", "majority-pass"]
Resolution = Literal["third-expert", "consensus"]
CriterionType = Literal["points", "pass-fail"]
ScoredBy = Literal["computed", "experts"]


def normalise_value(value: Any) -> Any:
    """A rule's expected value: numbers become ``Decimal``; booleans, text and dates stay."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list | tuple):
        return [normalise_value(item) for item in value]
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FieldSpec(_Strict):
    """One value an application provides (``applicant``) or the registry computes."""

    id: Identifier
    type: FieldType
    source: Literal["registry", "applicant"] = "applicant"
    required: bool = False
    title: LocalizedText | None = None
    guidance: LocalizedText | None = None


class EligibilityRule(_Strict):
    id: Identifier
    field: str
    op: Op
    value: Any = None
    message: LocalizedText | None = None

    _normalise = field_validator("value", mode="before")(normalise_value)


class Condition(_Strict):
    """A comparison of a number of points: a stage gate or the pass threshold."""

    op: NumericOp
    value: Decimal

    def holds(self, points: object) -> bool:
        """Whether ``points`` satisfy the condition (``>=`` includes the value, ``>`` not)."""
        return compare(self.op, points, self.value)


class Divergence(_Strict):
    max_gap: Annotated[Decimal, Field(gt=0, le=1)]
    resolution: Resolution


class Presentation(_Strict):
    """A Panel stage's presentation: a slot of ``minutes`` per application."""

    minutes: Annotated[int, Field(ge=1)]


class Stage(_Strict):
    id: Identifier
    kind: StageKind
    title: LocalizedText | None = None
    completion_days: Annotated[int, Field(ge=0)] | None = None
    scored_by: ScoredBy | None = None
    experts: Annotated[int, Field(ge=1)] | None = None
    aggregation: Aggregation | None = None
    divergence: Divergence | None = None
    gate: Condition | None = None
    presentation: Presentation | None = None

    @property
    def scored_by_experts(self) -> bool:
        """Expert and panel stages, and a parametric stage with ``scored_by: experts``."""
        return self.kind in SCORED_BY_EXPERTS or (
            self.kind == "parametric" and self.scored_by == "experts"
        )

    @property
    def pass_fail(self) -> bool:
        """A stage of pass-fail criteria (``aggregation: all-pass | majority-pass``)."""
        return self.aggregation in PASS_FAIL_AGGREGATIONS


class Bracket(_Strict):
    min: Decimal
    points: Annotated[Decimal, Field(ge=0)]


class Criterion(_Strict):
    """A criterion scored in points (``max`` required, greater than 0) or, with
    ``type: pass-fail``, met or not (no ``max``: it adds no points, its maximum is 0)."""

    id: Identifier
    title: LocalizedText | None = None
    stage: str
    type: CriterionType = "points"
    max: Decimal = Decimal(0)
    field: str | None = None
    per: str | None = None
    brackets: list[Bracket] | None = None
    guidance: LocalizedText | None = None

    @property
    def pass_fail(self) -> bool:
        return self.type == "pass-fail"


class Area(_Strict):
    id: Identifier
    title: LocalizedText | None = None
    guidance: LocalizedText | None = None
    criteria: Annotated[list[Criterion], Field(min_length=1)]

    @property
    def maximum(self) -> Decimal:
        return sum((criterion.max for criterion in self.criteria), Decimal(0))


class Decision(_Strict):
    pass_: Condition = Field(alias="pass")
    min_per_area: dict[str, Annotated[Decimal, Field(ge=0)]] = Field(default_factory=dict)
    ranking: list[str] = Field(default_factory=lambda: ["total"])
    quota: Annotated[int, Field(ge=1)] | None = None
    signed_by: Literal["chair"] | None = None


class Validity(_Strict):
    """``{years: N, from: decision | document, ends: day-before | anniversary}`` or
    ``{until: D}``; see :func:`keyclusters.domain.validity.status_valid_until`."""

    years: Annotated[int, Field(ge=1)] | None = None
    from_: Literal["decision", "document"] | None = Field(default=None, alias="from")
    ends: Literal["day-before", "anniversary"] | None = None
    until: date | None = None

    @property
    def starts_from(self) -> str:
        """``decision`` (the default) or ``document``."""
        return self.from_ or "decision"

    @property
    def ending(self) -> str:
        """``day-before`` (the default) or ``anniversary``."""
        return self.ends or "day-before"


class StatusRules(_Strict):
    type: Identifier = DEFAULT_STATUS_TYPE
    validity: Validity
    renewal: bool = True


class Holders(_Strict):
    """Only clusters holding a status of ``status_type``; with ``ends_between: [first, last]``,
    only those whose status's last valid day lies in that range (both days included)."""

    status_type: Identifier = DEFAULT_STATUS_TYPE
    ends_between: list[date] | None = None

    @property
    def ends_range(self) -> tuple[date, date] | None:
        if not self.ends_between or len(self.ends_between) != 2:
            return None
        return self.ends_between[0], self.ends_between[1]


class Applicants(_Strict):
    """Who may apply: any cluster (no ``holders``) or only the holders described."""

    holders: Holders | None = None


class MembersTotalRule(_Strict):
    """Whether the coordinator and the strategic partners count as members."""

    coordinator: bool = True
    strategic_partners: bool = False


class Counting(_Strict):
    members_total: MembersTotalRule = Field(default_factory=MembersTotalRule)


class Rulebook(_Strict):
    """A status competition's rulebook (``kind: status-competition``)."""

    id: Annotated[str, StringConstraints(pattern=RULEBOOK_ID_PATTERN)] = Field(alias="rulebook")
    version: Annotated[int, Field(ge=1)]
    kind: Literal["status-competition"]
    title: LocalizedText | None = None
    guidance: LocalizedText | None = None
    illustrative_points: bool = False
    illustrative: list[Any] = Field(default_factory=list)
    precision: Annotated[int, Field(ge=0, le=6)] = 2
    fields: list[FieldSpec] = Field(default_factory=list)
    eligibility: list[EligibilityRule] = Field(default_factory=list)
    stages: Annotated[list[Stage], Field(min_length=1)]
    areas: Annotated[list[Area], Field(min_length=1)]
    decision: Decision
    status: StatusRules
    applicants: Applicants = Field(default_factory=Applicants)
    counting: Counting = Field(default_factory=Counting)

    _source: str = PrivateAttr(default="")
    _sha256: str = PrivateAttr(default="")

    @model_validator(mode="before")
    @classmethod
    def _illustrative_points_in_both_forms(cls, data: Any) -> Any:
        """``illustrative_points: true`` and ``criteria-points`` in ``illustrative`` say the same
        thing: the loaded rulebook has both whichever one the file writes."""
        if not isinstance(data, dict):
            return data
        listed = data.get("illustrative")
        if listed is None:
            listed = []
        if not isinstance(listed, list):
            return data
        flag = data.get("illustrative_points")
        if flag is True and CRITERIA_POINTS not in listed:
            return {**data, "illustrative": [CRITERIA_POINTS, *listed]}
        if CRITERIA_POINTS in listed and flag is None:
            return {**data, "illustrative_points": True}
        return data

    @property
    def illustrative_texts(self) -> list[tuple[str | None, dict[str, str] | None]]:
        """What is not official, in file order: ``(code, None)`` for a code of
        :data:`ILLUSTRATIVE_TOPICS` (the page words it with its translated text), ``(None,
        {language: text})`` for a text the rulebook writes itself."""
        items: list[tuple[str | None, dict[str, str] | None]] = []
        for item in self.illustrative:
            if isinstance(item, str):
                items.append((item, None))
            elif isinstance(item, dict):
                items.append((None, {str(k): str(v) for k, v in item.items()}))
        return items

    # -- provenance -------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """The canonical source text the rulebook was loaded from."""
        return self._source

    @property
    def sha256(self) -> str:
        """SHA-256 (hex) of the canonical source bytes (see :func:`.validation.canonical_bytes`)."""
        return self._sha256

    def _set_source(self, source: str, sha256: str) -> None:
        self._source = source
        self._sha256 = sha256

    # -- look-ups ---------------------------------------------------------------------------

    def field_spec(self, field_id: str) -> FieldSpec:
        for spec in self.fields:
            if spec.id == field_id:
                return spec
        raise KeyError(field_id)

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def criteria(self, *, stage: str | None = None) -> list[tuple[Area, Criterion]]:
        """Every (area, criterion) pair in file order, optionally only those of one stage."""
        return [
            (area, criterion)
            for area in self.areas
            for criterion in area.criteria
            if stage is None or criterion.stage == stage
        ]

    def criterion(self, criterion_id: str) -> Criterion:
        for _area, criterion in self.criteria():
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def stages_of_kind(self, kind: str) -> list[Stage]:
        return [stage for stage in self.stages if stage.kind == kind]

    # -- maxima -----------------------------------------------------------------------------

    def stage_maximum(self, stage_id: str) -> Decimal:
        """The sum of the maxima of the stage's criteria (0 for a formal stage)."""
        self.stage(stage_id)
        return sum((c.max for _a, c in self.criteria(stage=stage_id)), Decimal(0))

    def area_maximum(self, area_id: str) -> Decimal:
        return self.area(area_id).maximum

    @property
    def maximum(self) -> Decimal:
        """The rulebook's maximum: the sum of every criterion's maximum."""
        return sum((area.maximum for area in self.areas), Decimal(0))

    def text(self, mapping: LocalizedText | None, language: str = "en") -> str:
        """The text of ``mapping`` in ``language``, else English, else any, else ''."""
        return localized(mapping, language)


def localized(mapping: dict[str, str] | None, language: str = "en") -> str:
    if not mapping:
        return ""
    for key in (language, language.split("-")[0], "en"):
        if key in mapping:
            return mapping[key]
    return next(iter(mapping.values()))
