"""Eligibility: the automatic part of the formal stage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keyclusters.domain.rulebook import Rulebook, evaluate_eligibility, load_rulebook

RULEBOOK = """\
rulebook: eligibility-test
version: 1
kind: status-competition
fields:
  - {id: years_active, type: integer, source: registry}
  - {id: members_total, type: integer, source: registry}
  - {id: voivodeship, type: text}
  - {id: enterprises_share, type: percent}
  - {id: strategy, type: document, required: true}
  - {id: action_plan, type: document, required: true}
eligibility:
  - {id: min_years, field: years_active, op: ">=", value: 3,
     message: {pl: "Klaster działa krócej niż 3 lata",
               en: "The cluster operates for less than 3 years"}}
  - {id: min_members, field: members_total, op: ">=", value: 51}
  - {id: strategy_attached, field: strategy, op: present}
  - {id: region, field: voivodeship, op: in, value: [mazowieckie, slaskie]}
  - {id: enterprises, field: enterprises_share, op: ">", value: 50}
stages:
  - {id: formal, kind: formal}
  - {id: merit, kind: expert, experts: 2, aggregation: mean}
areas: [{id: a, criteria: [{id: c, stage: merit, max: 8}]}]
decision: {pass: {op: ">=", value: 4}}
status: {validity: {years: 3, from: decision}}
"""

ELIGIBLE = {
    "years_active": 3,
    "members_total": 51,
    "voivodeship": "slaskie",
    "enterprises_share": Decimal("50.01"),
    "strategy": "strategy.pdf",
    "action_plan": "plan.pdf",
}


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return load_rulebook(RULEBOOK)


def test_an_application_at_the_limits_is_eligible(rulebook):
    result = evaluate_eligibility(rulebook, ELIGIBLE)
    assert result.passed is True
    assert result.reasons() == []
    assert [(o.rule_id, o.passed) for o in result.outcomes] == [
        ("min_years", True),
        ("min_members", True),
        ("strategy_attached", True),
        ("region", True),
        ("enterprises", True),
    ]
    first = result.outcomes[0]
    assert (first.field, first.op, first.expected, first.actual) == (
        "years_active",
        ">=",
        Decimal("3"),
        Decimal("3"),
    )


def test_a_rule_with_its_own_message_reports_it_in_both_languages(rulebook):
    result = evaluate_eligibility(rulebook, {**ELIGIBLE, "years_active": 2})
    assert result.passed is False
    [failed] = result.failed
    assert failed.rule_id == "min_years"
    assert failed.actual == Decimal("2")
    assert failed.message("pl") == "Klaster działa krócej niż 3 lata"
    assert failed.message("en") == "The cluster operates for less than 3 years"
    assert result.reasons() == ["The cluster operates for less than 3 years"]
    assert result.reasons("pl") == ["Klaster działa krócej niż 3 lata"]


def test_a_rule_without_a_message_gets_a_default_english_one(rulebook):
    result = evaluate_eligibility(rulebook, {**ELIGIBLE, "members_total": 50})
    [failed] = result.failed
    assert failed.rule_id == "min_members"
    assert failed.message_id == "%(field)s must be at least %(expected)s"
    assert failed.params == {"field": "members_total", "expected": "51", "actual": "50"}
    assert failed.message("en") == "members_total must be at least 51"
    assert failed.message("pl") == "members_total must be at least 51"
    assert result.reasons() == ["members_total must be at least 51"]


def test_strict_more_than_fails_at_equality(rulebook):
    result = evaluate_eligibility(rulebook, {**ELIGIBLE, "enterprises_share": 50})
    assert [o.rule_id for o in result.failed] == ["enterprises"]
    assert result.reasons() == ["enterprises_share must be more than 50"]


def test_in_needs_one_of_the_listed_values(rulebook):
    result = evaluate_eligibility(rulebook, {**ELIGIBLE, "voivodeship": "lubuskie"})
    assert result.reasons() == ["voivodeship must be one of: mazowieckie, slaskie"]


def test_missing_values_fail_with_a_reason(rulebook):
    values = {"years_active": 5, "voivodeship": "mazowieckie", "enterprises_share": 70}
    result = evaluate_eligibility(rulebook, values)
    assert result.passed is False
    assert [o.rule_id for o in result.failed] == ["min_members", "strategy_attached"]
    members = result.failed[0]
    assert members.actual is None
    assert members.reason == "no value was given"
    assert [m.field for m in result.missing] == ["strategy", "action_plan"]
    assert result.reasons() == [
        "strategy is required but no value was given",
        "action_plan is required but no value was given",
        "members_total must be at least 51 (no value was given)",
        "strategy must be provided",
    ]


def test_a_blank_document_is_not_present(rulebook):
    result = evaluate_eligibility(rulebook, {**ELIGIBLE, "strategy": "  "})
    assert [o.rule_id for o in result.failed] == ["strategy_attached"]
    assert [m.field for m in result.missing] == ["strategy"]


def test_a_value_of_the_wrong_type_fails_with_a_reason(rulebook):
    result = evaluate_eligibility(rulebook, {**ELIGIBLE, "members_total": "many"})
    [failed] = result.failed
    assert failed.reason == "is not a number"
    assert result.reasons() == ["members_total must be at least 51 (is not a number)"]


def test_numbers_given_as_text_are_compared_as_numbers(rulebook):
    result = evaluate_eligibility(rulebook, {**ELIGIBLE, "members_total": "120"})
    assert result.passed is True
    assert result.outcomes[1].actual == Decimal("120")
