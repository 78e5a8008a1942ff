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

OPERATORS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}

AGGREGATIONS = {
    "mean": _("mean of the experts' scores"),
    "median": _("median of the experts' scores"),
    "trimmed-mean": _("mean of the experts' scores without the extremes"),
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
    if decimal == decimal.to_integral_value():
        decimal = decimal.quantize(Decimal(1))
    else:
        decimal = decimal.normalize()
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
    return localized(stage.title, language()) or stage_id


def condition(rulebook: Rulebook, field_id: str, op: str, value: object) -> str:
    """A rule in words, written positively: "Years of operation ≥ 3", "Strategy: attached"."""
    title = field_title(rulebook, field_id)
    if op == "present":
        return str(_("%(field)s: provided")) % {"field": title}
    if op == "in":
        values = ", ".join(number(item) for item in value or [])
        return str(_("%(field)s: one of %(values)s")) % {"field": title, "values": values}
    return f"{title} {operator(op)} {number(value)}"
