"""A monitoring framework (``kind: monitoring-framework``): what a status holder reports each year.

Each indicator is either filled from the registry on 31 December of the reported year
(``source: registry`` with the registry's figure in ``registry``) or reported by the cluster's
coordinator (``source: reported``); ``compare_with`` names the application field the ministry
compares it with. The report is due on ``due`` (a day of the year after the reported year).

:func:`parse_monitoring_framework` validates a mapping and either returns a
:class:`MonitoringFramework` or raises :class:`MonitoringFrameworkError` listing every problem
with its path, e.g. ``indicators[2].registry: is required for an indicator filled from the
registry``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ..i18n import N_
from ..rulebook.errors import errors_from_validation
from ..rulebook.model import ID_PATTERN, RULEBOOK_ID_PATTERN, LocalizedText
from .survey import Survey, duplicate_ids, survey_issues

MONITORING_FRAMEWORK = "monitoring-framework"

# The figures the registry gives on a day (the same names as the application's registry fields).
REGISTRY_SOURCES: tuple[str, ...] = (
    "members_total",
    "enterprises_total",
    "enterprises_share",
    "sme_share",
    "research_members",
    "foreign_members",
    "strategic_partners",
    "advanced_cooperation_group",
)

Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
IndicatorType = Literal["integer", "decimal", "percent", "money"]
RegistrySource = Literal[
    "members_total",
    "enterprises_total",
    "enterprises_share",
    "sme_share",
    "research_members",
    "foreign_members",
    "strategic_partners",
    "advanced_cooperation_group",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Indicator(_Strict):
    id: Identifier
    title: LocalizedText
    unit: LocalizedText | None = None
    type: IndicatorType
    source: Literal["registry", "reported"]
    registry: RegistrySource | None = None
    compare_with: Identifier | None = None
    required: bool = True
    # published in the open data (a reported figure; the registry's figures always are)
    public: bool = False

    @property
    def from_registry(self) -> bool:
        return self.source == "registry"

    @property
    def published(self) -> bool:
        """In the open data: every figure of the registry (its member lists are public) and
        the reported figures the framework marks ``public: true``."""
        return self.from_registry or self.public


class DueDay(_Strict):
    """The day of the year after the reported year on which the report is due."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)


class Reminders(_Strict):
    """E-mails to the coordinator: ``before_days`` before the due date, ``after_days`` after."""

    before_days: int = Field(default=14, ge=1)
    after_days: int = Field(default=7, ge=1)


class Alerts(_Strict):
    """When a report is overdue enough to alert the operator, and the minimum of members used
    when the round of the holder's status states none."""

    overdue_days: int = Field(default=30, ge=1)
    members_minimum: int | None = Field(default=None, ge=1)


class MonitoringFramework(_Strict):
    kind: Literal["monitoring-framework"]
    id: Annotated[str, StringConstraints(pattern=RULEBOOK_ID_PATTERN)]
    version: int = Field(ge=1)
    title: LocalizedText
    status_type: Identifier = "kkk"
    due: DueDay
    reminders: Reminders = Field(default_factory=Reminders)
    alerts: Alerts = Field(default_factory=Alerts)
    illustrative: list[str] = Field(default_factory=list)
    indicators: list[Indicator] = Field(min_length=1)
    # the anonymous member survey's questions (optional: keyclusters/domain/monitoring/survey.py)
    survey: Survey | None = None

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    @property
    def registry_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.from_registry]

    @property
    def reported_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if not i.from_registry]


@dataclass(frozen=True)
class MonitoringIssue:
    """One problem of a framework: where (``path``) and what (an English, translatable message:
    ``gettext(issue.msgid) % issue.params``)."""

    path: str
    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.msgid % dict(self.params) if self.params else self.msgid

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class MonitoringFrameworkError(ValueError):
    """The framework is not valid; ``errors`` lists every problem found."""

    def __init__(self, errors: list[MonitoringIssue]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _semantic_issues(data: Mapping[str, Any]) -> list[MonitoringIssue]:
    """Duplicate ids, the registry's figure of registry indicators, a due day of every year;
    on the raw mapping, so that they are reported together with the shape errors."""
    indicators = data.get("indicators")
    duplicates = duplicate_ids(
        indicators, "indicators", N_('duplicate indicator id "%(id)s" (first at %(first)s)')
    )
    duplicate_at = {where.removesuffix(".id"): (text, params) for where, text, params in duplicates}
    issues: list[MonitoringIssue] = []
    for index, item in enumerate(indicators if isinstance(indicators, list) else []):
        if not isinstance(item, Mapping):
            continue
        path = f"indicators[{index}]"
        if path in duplicate_at:
            msgid, params = duplicate_at[path]
            issues.append(MonitoringIssue(f"{path}.id", msgid, params))
        source, registry = item.get("source"), item.get("registry")
        if source == "registry" and registry is None:
            issues.append(
                MonitoringIssue(
                    f"{path}.registry", N_("is required for an indicator filled from the registry")
                )
            )
        if source == "reported" and registry is not None:
            issues.append(
                MonitoringIssue(
                    f"{path}.registry",
                    N_("is allowed only for an indicator filled from the registry"),
                )
            )
    due = data.get("due")
    if isinstance(due, Mapping):
        month, day = due.get("month"), due.get("day")
        # 2023 is not a leap year: 29 February is not a day of every year.
        if (
            isinstance(month, int)
            and isinstance(day, int)
            and 1 <= month <= 12
            and day > calendar.monthrange(2023, month)[1]
        ):
            issues.append(MonitoringIssue("due.day", N_("is not a day of every year")))
    issues.extend(
        MonitoringIssue(path, msgid, params)
        for path, msgid, params in survey_issues(data.get("survey"))
    )
    return issues


def parse_monitoring_framework(data: Any) -> MonitoringFramework:
    """Validate ``data`` (a mapping, as loaded from YAML) and return the framework.

    Raises :class:`MonitoringFrameworkError` with every problem found, each with its path.
    """
    if not isinstance(data, Mapping):
        raise MonitoringFrameworkError(
            [MonitoringIssue("(root)", N_("a monitoring framework must be a mapping"))]
        )
    issues: list[MonitoringIssue] = []
    framework: MonitoringFramework | None = None
    try:
        framework = MonitoringFramework.model_validate(dict(data))
    except ValidationError as exc:
        issues.extend(
            MonitoringIssue(e.path, e.message_id, dict(e.params))
            for e in errors_from_validation(exc)
        )
    issues.extend(_semantic_issues(data))
    if issues or framework is None:
        raise MonitoringFrameworkError(issues)
    return framework


def due_date(framework: MonitoringFramework, year: int) -> dt.date:
    """The day the report on ``year`` is due: ``due`` in the year after."""
    return dt.date(year + 1, framework.due.month, framework.due.day)


class ValueProblem(ValueError):
    """A reported value that the indicator does not accept (an English, translatable message)."""

    def __init__(self, msgid: str) -> None:
        super().__init__(msgid)
        self.msgid = msgid


_PLACES = {"integer": 0, "money": 2, "percent": 2, "decimal": 4}


# the other separator followed by exactly three digits reads as a thousands separator ("1.500"
# in Polish, "1,500" in English): refused rather than guessed (1500 or 1.5?)
_GROUPED = {",": re.compile(r"\.\d{3}(?!\d)"), ".": re.compile(r",\d{3}(?!\d)")}
_GROUPED_MESSAGE = {
    ",": N_("use a comma for decimals and no dots: 1500 or 1500,50"),
    ".": N_("use a point for decimals and no commas: 1500 or 1500.50"),
}


def check_value(
    indicator: Indicator, text: str, *, decimal_separator: str | None = None
) -> Decimal | None:
    """The value typed for ``indicator`` as a Decimal (``None`` when empty); raises
    :class:`ValueProblem` when it is not a number of the indicator's kind.

    Spaces (also no-break ones) may group the thousands. ``decimal_separator`` is that of the
    language the figure was typed in ("," Polish, "." English): the other separator followed
    by exactly three digits (a thousands separator there) is refused, not guessed; either one
    is otherwise taken as the decimal point. ``None``: either is the decimal point."""
    text = (text or "").strip()
    for space in (" ", "\u00a0", "\u202f"):
        text = text.replace(space, "")
    if not text:
        return None
    grouped = _GROUPED.get(decimal_separator or "")
    if grouped is not None and grouped.search(text):
        raise ValueProblem(_GROUPED_MESSAGE[decimal_separator or ""])
    text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(N_("must be a number")) from None
    if not value.is_finite():
        raise ValueProblem(N_("must be a number"))
    if value < 0:
        raise ValueProblem(N_("must not be negative"))
    if indicator.type == "integer" and value != value.to_integral_value():
        raise ValueProblem(N_("must be a whole number"))
    if indicator.type == "percent" and value > 100:
        raise ValueProblem(N_("must be at most 100"))
    places = _PLACES[indicator.type]
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValueProblem(N_("has too many decimal places"))
    return value.quantize(Decimal(1).scaleb(-places)) if places else value.to_integral_value()


def comparison_issues(
    framework: MonitoringFramework, fields: Collection[str]
) -> list[MonitoringIssue]:
    """Each ``compare_with`` that names no field of the applications (``fields``: the field ids
    of the competition rulebooks of the framework's status type): a misspelt field would drop
    the comparison silently."""
    known = sorted(set(fields))
    return [
        MonitoringIssue(
            f"indicators[{index}].compare_with",
            N_('names no field of the applications: "%(name)s" (the fields are: %(known)s)'),
            {"name": indicator.compare_with, "known": ", ".join(known)},
        )
        for index, indicator in enumerate(framework.indicators)
        if indicator.compare_with and indicator.compare_with not in known
    ]


def shipped_application_fields(status_type: str) -> set[str]:
    """The field ids of the shipped competition rulebooks of ``status_type``."""
    from ..rulebook.errors import RulebookInvalid
    from ..rulebook.loading import load_rulebook, shipped_rulebook_ids, shipped_rulebook_path
    from ..rulebook.model import Rulebook

    fields: set[str] = set()
    for rulebook_id in shipped_rulebook_ids():
        try:
            loaded = load_rulebook(shipped_rulebook_path(rulebook_id))
        except (RulebookInvalid, ValueError):  # a file of another kind: not a rulebook
            continue
        if isinstance(loaded, Rulebook) and loaded.status.type == status_type:
            fields.update(spec.id for spec in loaded.fields)
    return fields
