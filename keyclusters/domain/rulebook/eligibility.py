"""The automatic part of the formal stage: the rulebook's eligibility rules on the values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..i18n import N_
from .comparison import ComparisonError, compare
from .model import EligibilityRule, Rulebook, localized
from .values import ValueInvalid, coerce_value, display

DEFAULT_MESSAGES = {
    ">=": N_("%(field)s must be at least %(expected)s"),
    ">": N_("%(field)s must be more than %(expected)s"),
    "<=": N_("%(field)s must be at most %(expected)s"),
    "<": N_("%(field)s must be less than %(expected)s"),
    "==": N_("%(field)s must be %(expected)s"),
    "present": N_("%(field)s must be provided"),
    "in": N_("%(field)s must be one of: %(expected)s"),
}
MISSING_VALUE = N_("no value was given")
MISSING_REQUIRED = N_("%(field)s is required but no value was given")
NOT_COMPARABLE = N_("the value cannot be compared with %(expected)s")
INVALID_REQUIRED = N_("%(field)s has a value that is not valid")


@dataclass(frozen=True)
class RuleOutcome:
    """The outcome of one eligibility rule.

    ``messages`` holds the rule's own message per language when the rulebook gives one, else
    the default English message (``message_id`` with ``params``, translatable). ``reason`` says
    why the rule could not hold (a missing or invalid value), else it is None.
    """

    rule_id: str
    field: str
    op: str
    expected: object
    actual: object
    passed: bool
    message_id: str
    params: Mapping[str, object]
    messages: Mapping[str, str]
    reason: str | None = None

    def message(self, language: str = "en") -> str:
        return localized(dict(self.messages), language)


@dataclass(frozen=True)
class MissingField:
    """A required field with no value (or with a value that does not fit its type)."""

    field: str
    message_id: str = MISSING_REQUIRED

    @property
    def params(self) -> dict[str, object]:
        return {"field": self.field}

    def message(self, language: str = "en") -> str:
        return self.message_id % self.params


@dataclass(frozen=True)
class EligibilityResult:
    outcomes: tuple[RuleOutcome, ...]
    missing: tuple[MissingField, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.missing and all(outcome.passed for outcome in self.outcomes)

    @property
    def failed(self) -> tuple[RuleOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.passed)

    def reasons(self, language: str = "en") -> list[str]:
        """One sentence per failure: the missing required fields first, then the failed rules."""
        texts = [missing.message(language) for missing in self.missing]
        for outcome in self.failed:
            text = outcome.message(language)
            if outcome.reason and language.split("-")[0] == "en":
                text = f"{text} ({outcome.reason})"
            texts.append(text)
        return texts


def _evaluate(
    rulebook: Rulebook, rule: EligibilityRule, values: Mapping[str, object]
) -> RuleOutcome:
    spec = next((spec for spec in rulebook.fields if spec.id == rule.field), None)
    raw = values.get(rule.field)
    params = {"field": rule.field, "expected": display(rule.value), "actual": display(raw)}
    message_id = DEFAULT_MESSAGES[rule.op]
    messages = dict(rule.message) if rule.message else {"en": message_id % params}
    reason: str | None = None
    actual: object = raw
    try:
        actual = coerce_value(spec, raw)
    except ValueInvalid as exc:
        reason = exc.reason
        passed = False
    else:
        if actual is None and rule.op != "present":
            reason, passed = MISSING_VALUE, False
        else:
            try:
                passed = compare(rule.op, actual, rule.value)
            except ComparisonError:
                reason, passed = NOT_COMPARABLE % params, False
    return RuleOutcome(
        rule_id=rule.id,
        field=rule.field,
        op=rule.op,
        expected=rule.value,
        actual=actual,
        passed=passed,
        message_id=message_id,
        params=params,
        messages=messages,
        reason=reason,
    )


def evaluate_eligibility(rulebook: Rulebook, values: Mapping[str, object]) -> EligibilityResult:
    """Check every eligibility rule and every required field; all must hold to pass."""
    outcomes = tuple(_evaluate(rulebook, rule, values) for rule in rulebook.eligibility)
    missing = []
    for spec in rulebook.fields:
        if not spec.required:
            continue
        try:
            value = coerce_value(spec, values.get(spec.id))
        except ValueInvalid:
            missing.append(MissingField(spec.id, INVALID_REQUIRED))
            continue
        if value is None:
            missing.append(MissingField(spec.id))
    return EligibilityResult(outcomes=outcomes, missing=tuple(missing))
