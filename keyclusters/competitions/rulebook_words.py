"""A rulebook's codes in words: field, stage and criterion ids by their titles, the operators
as signs (≥), aggregations and value types in the active language, numbers in its format.

Pages show these instead of the rulebook's ids (``years_active >= 3`` becomes "Okres
działalności klastra (lata) ≥ 3")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keyclusters.domain.rulebook.model import Rulebook, localized

from .labels import STAGE_KINDS

OPERATORS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}

AGGREGATIONS = {
    "mean": _("mean of the experts' scores"),
    "median": _("median of the experts' scores"),
    "trimmed-mean": _("mean of the experts' scores without the extremes"),
    "all-pass": _("passed when every expert finds every criterion met"),
    "majority-pass": _("passed when more than half of the experts find each criterion met"),
}

RESOLUTIONS = {
    "third-expert": _("a third expert"),
    "consensus": _("agreement of the experts"),
}


def language() -> str:
    return (get_language() or "pl")[:2]


def operator(op: str) -> str:
    return OPERATORS.get(op, op)


def aggregation(code: str | None) -> str:
    return str(AGGREGATIONS.get(code or "", code or ""))


def number(value: object) -> str:
    """A number in the active language's format (1 234,5 / 1,234.5); anything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    try:
        decimal = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(decimal, use_l10n=True, force_grouping=True)


def field_title(rulebook: Rulebook, field_id: str | None) -> str:
    if not field_id:
        return ""
    try:
        spec = rulebook.field_spec(field_id)
    except KeyError:
        return field_id
    return localized(spec.title, language()) or field_id


def stage_title(rulebook: Rulebook, stage_id: str) -> str:
    if stage_id == "total":
        return str(_("total score"))
    try:
        stage = rulebook.stage(stage_id)
    except KeyError:
        return stage_id
    # a stage without a title of its own is named by its kind ("Parametric evaluation")
    return localized(stage.title, language()) or str(STAGE_KINDS.get(stage.kind, stage_id))


def value(actual: object) -> str:
    """A field's value as a reader sees it: a document by its file's name, yes/no, numbers in
    the active language's format."""
    if actual is None:
        return ""
    if isinstance(actual, dict):
        return str(actual.get("document") or actual.get("name") or "")
    if isinstance(actual, bool):
        return str(_("yes") if actual else _("no"))
    if isinstance(actual, list | tuple):
        return ", ".join(value(item) for item in actual)
    return number(actual)


def titled_explanation(rulebook: Rulebook, row: dict, criterion_title: str) -> dict:
    """A parametric criterion's stored row with its explanation naming the criterion and the
    fields by their titles (the ``explain`` filter writes the sentence)."""
    inner = row.get("explanation")
    if not isinstance(inner, dict):
        return row
    inner = {**inner, "criterion": criterion_title}
    for key in ("field", "per"):
        if inner.get(key):
            inner[key] = field_title(rulebook, inner[key])
    return {**row, "explanation": inner}


def reason_params(rulebook: Rulebook, params: dict | None) -> dict:
    """A stored reason's parameters for the active language: numbers in its format, the
    operator as a sign, an area by its title."""
    out = {}
    for key, value in (params or {}).items():
        if key == "op":
            out[key] = operator(str(value))
        elif key == "area":
            try:
                out[key] = localized(rulebook.area(str(value)).title, language()) or value
            except KeyError:
                out[key] = value
        else:
            out[key] = number(value)
    return out


def condition(rulebook: Rulebook, field_id: str, op: str, value: object) -> str:
    """A rule in words, written positively: "Years of operation ≥ 3", "Strategy: attached"."""
    title = field_title(rulebook, field_id)
    if op == "present":
        return str(_("%(field)s: provided")) % {"field": title}
    if op == "in":
        values = ", ".join(number(item) for item in value or [])
        return str(_("%(field)s: one of %(values)s")) % {"field": title, "values": values}
    return f"{title} {operator(op)} {number(value)}"
