"""Validation of a rulebook document: every problem, each with its path.

``validate_rulebook(data)`` never raises for bad input: it returns the list of
:class:`RulebookError` (empty when the rulebook is valid). Type errors come from the pydantic
models and are rewritten into the same path style as the semantic checks
(``areas[1].criteria[0].brackets[1].min``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ..i18n import N_
from .comparison import to_decimal
from .errors import ROOT, RulebookError, RulebookInvalid, errors_from_validation
from .model import (
    CRITERIA_POINTS,
    FIELD_TYPES,
    ILLUSTRATIVE_TOPICS,
    LANGUAGE_PATTERN,
    NUMERIC_FIELD_TYPES,
    NUMERIC_OPS,
    PASS_FAIL_AGGREGATIONS,
    POINTS_AGGREGATIONS,
    SCORED_BY,
    SCORED_BY_EXPERTS,
    STAGE_KINDS,
    Rulebook,
    illustrative_topic,
)

STATUS_COMPETITION = "status-competition"
BENCHMARKING_FRAMEWORK = "benchmarking-framework"
NON_NUMERIC_TYPES = frozenset(FIELD_TYPES) - NUMERIC_FIELD_TYPES
_LANGUAGE = re.compile(LANGUAGE_PATTERN)


def _choices(values: Iterable[str]) -> str:
    return ", ".join(values)


def _scored_by_experts(stage: dict[str, Any]) -> bool:
    kind = stage.get("kind")
    return kind in SCORED_BY_EXPERTS or (
        kind == "parametric" and stage.get("scored_by") == "experts"
    )


# -- semantic checks on the raw document -----------------------------------------------------


def _text(value: object) -> str | None:
    """``value`` when it is text, else None (the type error is pydantic's to report)."""
    return value if isinstance(value, str) else None


def _entries(data: object, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    items = data.get(key) if isinstance(data, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _duplicate_ids(entries: Iterable[tuple[str, dict[str, Any]]]) -> list[RulebookError]:
    """An error for each entry whose id an earlier entry already uses."""
    seen: dict[str, str] = {}
    errors: list[RulebookError] = []
    for path, entry in entries:
        ident = entry.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            errors.append(
                RulebookError(
                    f"{path}.id",
                    N_("duplicate id '%(id)s' (already used at %(first)s)"),
                    {"id": ident, "first": seen[ident]},
                )
            )
        else:
            seen[ident] = path
    return errors


class _Checker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: list[RulebookError] = []
        self.field_types: dict[str, str | None] = {}
        self.stage_kinds: dict[str, str | None] = {}
        self.criterion_max: dict[str, list[Decimal | None]] = {}
        self.area_ids: set[str] = set()
        self.stages_by_id: dict[str, dict[str, Any]] = {}
        self.criterion_types: dict[str, list[tuple[str, str]]] = {}

    def add(self, path: str, message: str, **params: object) -> None:
        self.errors.append(RulebookError(path, message, params))

    def run(self) -> list[RulebookError]:
        fields = [(f"fields[{i}]", f) for i, f in _entries(self.data, "fields")]
        stages = [(f"stages[{i}]", s) for i, s in _entries(self.data, "stages")]
        areas = [(f"areas[{i}]", a) for i, a in _entries(self.data, "areas")]
        rules = [(f"eligibility[{i}]", r) for i, r in _entries(self.data, "eligibility")]
        criteria = [
            (f"{area_path}.criteria[{j}]", area, criterion)
            for area_path, area in areas
            for j, criterion in _entries(area, "criteria")
        ]
        for entries in (fields, stages, areas, rules, [(p, c) for p, _a, c in criteria]):
            self.errors.extend(_duplicate_ids(entries))
        self.field_types = {
            f["id"]: _text(f.get("type")) for _p, f in fields if isinstance(f.get("id"), str)
        }
        self.stage_kinds = {
            s["id"]: _text(s.get("kind")) for _p, s in stages if isinstance(s.get("id"), str)
        }
        self.stages_by_id = {s["id"]: s for _p, s in stages if isinstance(s.get("id"), str)}
        self.area_ids = {a["id"] for _p, a in areas if isinstance(a.get("id"), str)}
        self.check_illustrative()
        self.check_applicants()
        for path, rule in rules:
            self.check_rule(path, rule)
        for path, area, criterion in criteria:
            self.check_criterion(path, area, criterion)
        staged = {_text(c.get("stage")) for _p, _a, c in criteria} - {None}
        for index, (path, stage) in enumerate(stages):
            self.check_stage(index, path, stage, staged)
        self.check_decision()
        self.check_status()
        return self.errors

    def check_field_ref(self, path: str, name: object) -> bool:
        if name is None:
            return False
        if not isinstance(name, str) or name not in self.field_types:
            self.add(path, N_("unknown field '%(name)s'"), name=name)
            return False
        return True

    def check_rule(self, path: str, rule: dict[str, Any]) -> None:
        self.check_field_ref(f"{path}.field", rule.get("field"))
        op, value = rule.get("op"), rule.get("value")
        if op == "present" and value is not None:
            self.add(f"{path}.value", N_("must be left out for 'present'"))
        elif op == "in" and not isinstance(value, list):
            self.add(f"{path}.value", N_("must be a list for 'in'"))
        elif op in NUMERIC_OPS:
            if value is None:
                self.add(f"{path}.value", N_("is required for '%(op)s'"), op=op)
            elif isinstance(value, list | dict):
                self.add(f"{path}.value", N_("must be a single value for '%(op)s'"), op=op)
            elif op != "==" and to_decimal(value) is None and not hasattr(value, "isoformat"):
                self.add(f"{path}.value", N_("must be a number or a date for '%(op)s'"), op=op)

    def check_illustrative(self) -> None:
        items = self.data.get("illustrative")
        if items is None:
            return
        if not isinstance(items, list):
            self.add("illustrative", N_("must be a list"))
            return
        for index, item in enumerate(items):
            path = f"illustrative[{index}]"
            if isinstance(item, str):
                topic = illustrative_topic(item)
                stages = self.data.get("stages")
                count = len(stages) if isinstance(stages, list) else 0
                if topic is not None and topic[1] is not None and topic[1] > count:
                    self.add(
                        path,
                        N_("names stage %(number)s, which the rulebook does not have"),
                        number=topic[1],
                    )
                elif topic is None:
                    self.add(
                        path,
                        N_(
                            "must be one of: %(expected)s, or a text in the rulebook's languages "
                            "(such as {pl: ..., en: ...})"
                        ),
                        expected=_choices(ILLUSTRATIVE_TOPICS),
                    )
            elif isinstance(item, dict) and item:
                for language, text in item.items():
                    if not isinstance(language, str) or not _LANGUAGE.match(language):
                        self.add(
                            f"{path}.{language}", N_("is not a language code (such as pl or en)")
                        )
                    elif not isinstance(text, str) or not text.strip():
                        self.add(f"{path}.{language}", N_("must be text"))
            else:
                self.add(
                    path,
                    N_(
                        "must be one of: %(expected)s, or a text in the rulebook's languages "
                        "(such as {pl: ..., en: ...})"
                    ),
                    expected=_choices(ILLUSTRATIVE_TOPICS),
                )
        if self.data.get("illustrative_points") is False and CRITERIA_POINTS in items:
            self.add(
                "illustrative_points",
                N_("contradicts '%(code)s' in 'illustrative'"),
                code=CRITERIA_POINTS,
            )

    def check_applicants(self) -> None:
        applicants = self.data.get("applicants")
        holders = applicants.get("holders") if isinstance(applicants, dict) else None
        between = holders.get("ends_between") if isinstance(holders, dict) else None
        if not isinstance(between, list):
            return
        path = "applicants.holders.ends_between"
        if len(between) != 2:
            self.add(path, N_("must be two dates: the first and the last day of the range"))
            return
        first, last = between
        if isinstance(first, date) and isinstance(last, date) and last < first:
            self.add(f"{path}[1]", N_("must not be before the first date (%(first)s)"), first=first)

    def check_criterion(self, path: str, area: dict[str, Any], criterion: dict[str, Any]) -> None:
        stage = criterion.get("stage")
        kind = self.stage_kinds.get(stage) if isinstance(stage, str) else None
        if stage is not None and (not isinstance(stage, str) or stage not in self.stage_kinds):
            self.add(f"{path}.stage", N_("unknown stage '%(name)s'"), name=stage)
        elif kind == "formal":
            self.add(f"{path}.stage", N_("a formal stage has no criteria"))
        if criterion.get("type") == "pass-fail":
            self.check_pass_fail_criterion(path, criterion, stage, kind)
            return
        known_type = criterion.get("type", "points") == "points"  # else reported by the model
        if isinstance(stage, str) and known_type:
            self.criterion_types.setdefault(stage, []).append(
                (path, _text(criterion.get("id")) or "")
            )
        if "max" not in criterion:
            if known_type:
                self.add(f"{path}.max", N_("is required"))
        else:
            number = to_decimal(criterion.get("max"))
            if number is not None and number <= 0:
                self.add(f"{path}.max", N_("must be greater than %(limit)s"), limit=0)
        maximum = to_decimal(criterion.get("max"))
        area_id = area.get("id")
        if isinstance(area_id, str):
            self.criterion_max.setdefault(area_id, []).append(maximum)
        if isinstance(stage, str):
            self.criterion_max.setdefault(f"stage:{stage}", []).append(maximum)
        self.criterion_max.setdefault("total", []).append(maximum)
        field_ok = self.check_field_ref(f"{path}.field", criterion.get("field"))
        self.check_field_ref(f"{path}.per", criterion.get("per"))
        brackets = criterion.get("brackets")
        if kind == "parametric":
            if criterion.get("field") is None:
                self.add(f"{path}.field", N_("is required for a parametric criterion"))
            elif field_ok and self.field_types.get(criterion["field"]) in NON_NUMERIC_TYPES:
                self.add(f"{path}.field", N_("must name a number field for a parametric criterion"))
            if not brackets:
                self.add(f"{path}.brackets", N_("is required for a parametric criterion"))
        elif kind in SCORED_BY_EXPERTS:
            if brackets is not None:
                self.add(f"{path}.brackets", N_("only parametric criteria have brackets"))
            if criterion.get("per") is not None:
                self.add(f"{path}.per", N_("only parametric criteria have a ratio"))
        if isinstance(brackets, list):
            self.check_brackets(f"{path}.brackets", brackets, maximum)

    def check_pass_fail_criterion(
        self, path: str, criterion: dict[str, Any], stage: object, kind: str | None
    ) -> None:
        """A pass-fail criterion: no points, no figure; an expert or panel stage that decides
        by all-pass or majority-pass."""
        for key, message in (
            ("max", N_("a pass-fail criterion has no maximum")),
            ("brackets", N_("a pass-fail criterion has no brackets")),
            ("field", N_("a pass-fail criterion has no figure")),
            ("per", N_("a pass-fail criterion has no ratio")),
        ):
            if criterion.get(key) is not None:
                self.add(f"{path}.{key}", message)
        if kind not in SCORED_BY_EXPERTS:
            if kind == "parametric":
                self.add(
                    f"{path}.type", N_("a pass-fail criterion belongs to an expert or panel stage")
                )
            return
        aggregation = self.stages_by_id.get(str(stage), {}).get("aggregation")
        if aggregation in POINTS_AGGREGATIONS:
            self.add(
                f"{path}.type",
                N_(
                    "a pass-fail criterion needs a stage with aggregation %(expected)s "
                    "(stage '%(stage)s' has %(aggregation)s)"
                ),
                expected=_choices(PASS_FAIL_AGGREGATIONS),
                stage=stage,
                aggregation=aggregation,
            )

    def check_brackets(self, path: str, brackets: list[Any], maximum: Decimal | None) -> None:
        previous: Decimal | None = None
        for index, bracket in enumerate(brackets):
            if not isinstance(bracket, dict):
                continue
            low = to_decimal(bracket.get("min"))
            if low is not None:
                if previous is not None and low <= previous:
                    self.add(
                        f"{path}[{index}].min", N_("must be greater than the previous bracket")
                    )
                previous = low
            points = to_decimal(bracket.get("points"))
            if points is not None and maximum is not None and points > maximum:
                self.add(f"{path}[{index}].points", N_("exceeds the criterion's maximum"))

    def maximum_of(self, key: str) -> Decimal | None:
        values = self.criterion_max.get(key, [])
        if any(value is None for value in values):
            return None
        return sum((value for value in values if value is not None), Decimal(0))

    def check_stage(
        self, index: int, path: str, stage: dict[str, Any], staged: set[str | None]
    ) -> None:
        kind = stage.get("kind")
        if kind not in STAGE_KINDS:
            return
        if index == 0 and kind != "formal":
            self.add(f"{path}.kind", N_("the first stage must be formal"))
        if index > 0 and kind == "formal":
            self.add(f"{path}.kind", N_("only the first stage can be formal"))
        experts_score = _scored_by_experts(stage)
        if stage.get("scored_by") not in (None, *SCORED_BY):
            return  # reported by the model; which keys it needs is unknown
        if stage.get("scored_by") is not None and kind != "parametric":
            self.add(f"{path}.scored_by", N_("only parametric stages have this"))
        if stage.get("presentation") is not None and kind != "panel":
            self.add(f"{path}.presentation", N_("only panel stages have a presentation"))
        for key in ("experts", "aggregation"):
            if kind in SCORED_BY_EXPERTS and stage.get(key) is None:
                self.add(f"{path}.{key}", N_("is required for an expert or panel stage"))
            elif experts_score and stage.get(key) is None:
                self.add(
                    f"{path}.{key}", N_("is required for a parametric stage scored by experts")
                )
        for key in ("experts", "aggregation", "divergence"):
            if not experts_score and stage.get(key) is not None:
                if kind == "parametric":
                    self.add(
                        f"{path}.{key}",
                        N_("only stages scored by experts have this (scored_by: experts)"),
                    )
                else:
                    self.add(f"{path}.{key}", N_("only expert and panel stages have this"))
        gate = stage.get("gate")
        if experts_score:
            self.check_stage_aggregation(path, stage)
        if kind == "formal":
            if gate is not None:
                self.add(f"{path}.gate", N_("only expert, panel and parametric stages have a gate"))
            return
        if not self.criterion_max.get("total"):
            return  # no criteria at all: reported on `areas`
        if _text(stage.get("id")) not in staged:
            self.add(path, N_("no criterion is scored in this stage"))
            return
        maximum = self.maximum_of(f"stage:{stage.get('id')}")
        if isinstance(gate, dict):
            value = to_decimal(gate.get("value"))
            if value is not None and maximum is not None and value > maximum:
                self.add(
                    f"{path}.gate.value",
                    N_("exceeds the stage's maximum (%(max)s)"),
                    max=maximum,
                )

    def check_stage_aggregation(self, path: str, stage: dict[str, Any]) -> None:
        """all-pass and majority-pass: only on an expert or panel stage whose criteria are all
        pass-fail; such a stage has no gate and no divergence."""
        aggregation = stage.get("aggregation")
        if aggregation not in PASS_FAIL_AGGREGATIONS:
            return
        if stage.get("kind") not in SCORED_BY_EXPERTS:
            self.add(
                f"{path}.aggregation",
                N_("must be one of: %(expected)s for a parametric stage"),
                expected=_choices(POINTS_AGGREGATIONS),
            )
            return
        scored = self.criterion_types.get(str(stage.get("id")), [])
        if scored:
            self.add(
                f"{path}.aggregation",
                N_(
                    "%(aggregation)s is for pass-fail criteria only; criterion '%(criterion)s' "
                    "of this stage is scored in points"
                ),
                aggregation=aggregation,
                criterion=scored[0][1],
            )
        if stage.get("gate") is not None:
            self.add(
                f"{path}.gate", N_("a pass-fail stage has no gate: it passes when its criteria do")
            )
        if stage.get("divergence") is not None:
            self.add(f"{path}.divergence", N_("a pass-fail stage has no divergence"))

    def check_decision(self) -> None:
        decision = self.data.get("decision")
        if not isinstance(decision, dict):
            return
        condition = decision.get("pass")
        total = self.maximum_of("total") if self.criterion_max.get("total") else None
        if isinstance(condition, dict):
            value = to_decimal(condition.get("value"))
            if value is not None and total is not None and value > total:
                self.add(
                    "decision.pass.value", N_("exceeds the rulebook's maximum (%(max)s)"), max=total
                )
        minima = decision.get("min_per_area")
        if isinstance(minima, dict):
            for area_id, value in minima.items():
                path = f"decision.min_per_area.{area_id}"
                if area_id not in self.area_ids:
                    self.add(path, N_("unknown area '%(name)s'"), name=area_id)
                    continue
                area_max, number = self.maximum_of(str(area_id)), to_decimal(value)
                if area_max is not None and number is not None and number > area_max:
                    self.add(path, N_("exceeds the area's maximum (%(max)s)"), max=area_max)
        ranking = decision.get("ranking")
        if isinstance(ranking, list):
            for index, item in enumerate(ranking):
                path = f"decision.ranking[{index}]"
                if item != "total" and _text(item) not in self.stage_kinds:
                    self.add(path, N_("must be 'total' or a stage id, not '%(name)s'"), name=item)
                elif self.stage_kinds.get(str(item)) == "formal":
                    self.add(path, N_("a formal stage has no points to rank by"))

    def check_status(self) -> None:
        status = self.data.get("status")
        validity = status.get("validity") if isinstance(status, dict) else None
        if not isinstance(validity, dict):
            return
        has_years, has_until = validity.get("years") is not None, validity.get("until") is not None
        if has_years == has_until:
            self.add("status.validity", N_("needs exactly one of 'years' and 'until'"))
        elif has_until:
            for key in ("from", "ends"):
                if validity.get(key) is not None:
                    self.add(f"status.validity.{key}", N_("goes only with 'years'"))


def _framework_errors(data: dict[str, Any]) -> list[RulebookError]:
    try:
        from keyclusters.domain.benchmarking.framework import parse_framework
    except ImportError:
        return [RulebookError("kind", N_("benchmarking frameworks are not available"))]
    try:
        parse_framework(data)
    except RulebookInvalid as exc:
        return exc.errors
    except ValidationError as exc:
        return errors_from_validation(exc)
    except (ValueError, TypeError, KeyError) as exc:
        found = getattr(exc, "errors", None)
        if isinstance(found, list) and found:
            return [
                RulebookError(
                    str(getattr(issue, "path", "") or ROOT),
                    str(getattr(issue, "msgid", None) or getattr(issue, "message", issue)),
                    dict(getattr(issue, "params", None) or {}) if hasattr(issue, "msgid") else {},
                )
                for issue in found
            ]
        return [RulebookError(ROOT, str(exc))]
    return []


def validate_rulebook(data: object) -> list[RulebookError]:
    """Every problem of a rulebook document (a parsed YAML mapping); [] when it is valid."""
    if not isinstance(data, dict):
        return [RulebookError(ROOT, N_("the rulebook must be a mapping of keys to values"))]
    if data.get("kind") == BENCHMARKING_FRAMEWORK:
        return _framework_errors(data)
    errors: list[RulebookError] = []
    try:
        Rulebook.model_validate(data)
    except ValidationError as exc:
        for error in errors_from_validation(exc):
            if error.path == "kind" and "expected" in error.params:
                kinds = f"{STATUS_COMPETITION}, {BENCHMARKING_FRAMEWORK}"
                error = RulebookError("kind", error.message_id, {"expected": kinds})
            errors.append(error)
    for error in _Checker(data).run():
        if error not in errors:
            errors.append(error)
    return errors


__all__ = [
    "BENCHMARKING_FRAMEWORK",
    "ROOT",
    "STATUS_COMPETITION",
    "RulebookError",
    "RulebookInvalid",
    "errors_from_validation",
    "validate_rulebook",
]
