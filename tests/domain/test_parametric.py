"""Parametric scoring by brackets, and the comparison shared by rules, gates and thresholds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyclusters.domain.rulebook import (
    Bracket,
    ComparisonError,
    Condition,
    Criterion,
    Rulebook,
    compare,
    load_rulebook,
    score_criterion,
    score_parametric,
)

RULEBOOK = """\
rulebook: parametric-test
version: 1
kind: status-competition
fields:
  - {id: members_total, type: integer, source: registry}
  - {id: rd_projects, type: integer}
  - {id: export_share, type: percent}
stages:
  - {id: formal, kind: formal}
  - {id: merit, kind: expert, experts: 2, aggregation: mean}
  - {id: parametric, kind: parametric}
areas:
  - id: resources
    criteria:
      - {id: members, stage: parametric, max: 10, field: members_total,
         brackets: [{min: 51, points: 4}, {min: 100, points: 7}, {min: 200, points: 10}]}
      - {id: rd_intensity, stage: parametric, max: 6, field: rd_projects, per: members_total,
         brackets: [{min: 0.05, points: 2}, {min: 0.15, points: 6}]}
  - id: markets
    criteria:
      - {id: export, stage: parametric, max: 5, field: export_share,
         brackets: [{min: 10, points: 2.5}, {min: 25, points: 5}]}
      - {id: strategy_quality, stage: merit, max: 8}
decision:
  pass: {op: ">=", value: 10}
status:
  validity: {until: 2024-12-31}
"""


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return load_rulebook(RULEBOOK)


@pytest.mark.parametrize(
    ("members", "points"),
    [(0, "0"), (50, "0"), (51, "4"), (52, "4"), (99, "4"), (100, "7"), (199, "7"),
     (200, "10"), (100_000, "10")],
)  # fmt: skip
def test_a_value_at_a_bracket_minimum_gets_that_bracket(rulebook, members, points):
    result = score_parametric(rulebook, {"members_total": members, "rd_projects": 0})
    assert result.score("members").points == Decimal(points)


@pytest.mark.parametrize(
    ("share", "points"),
    [("9.99", "0"), ("10", "2.5"), ("10.00", "2.5"), ("24.99", "2.5"), ("25", "5"), ("100", "5")],
)
def test_just_below_a_minimum_gets_the_previous_bracket(rulebook, share, points):
    result = score_parametric(rulebook, {"export_share": Decimal(share)})
    assert result.score("export").points == Decimal(points)


def test_every_parametric_criterion_is_scored_with_an_explanation(rulebook):
    result = score_parametric(
        rulebook, {"members_total": 120, "rd_projects": 6, "export_share": "30"}
    )
    assert [s.criterion_id for s in result.criteria] == ["members", "rd_intensity", "export"]
    assert result.points() == {
        "members": Decimal("7"),
        "rd_intensity": Decimal("2"),
        "export": Decimal("5"),
    }
    assert result.total == Decimal("14")
    assert isinstance(result.total, Decimal)
    assert result.max == Decimal("21")
    assert result.stage_total("parametric") == Decimal("14")
    members = result.score("members")
    assert members.area_id == "resources"
    assert members.explanation.as_dict() == {
        "criterion": "members",
        "outcome": "bracket",
        "field": "members_total",
        "per": None,
        "numerator": "120",
        "denominator": None,
        "value": "120",
        "bracket": {"index": 1, "min": "100", "next_min": "200", "points": "7"},
        "points": "7",
        "max": "10",
    }
    assert members.explanation.sentence == (
        "members: members_total = 120 is in the bracket from 100 up to 200, "
        "which gives 7 of 10 points"
    )
    rd = result.score("rd_intensity")
    assert rd.value == Decimal("0.05")
    assert rd.explanation.sentence == (
        "rd_intensity: rd_projects / members_total = 6 / 120 = 0.05 is in the bracket "
        "from 0.05 up to 0.15, which gives 2 of 6 points"
    )
    assert result.score("export").explanation.sentence == (
        "export: export_share = 30 is in the bracket from 25, which gives 5 of 5 points"
    )


@pytest.mark.parametrize(
    ("projects", "members", "points"),
    [(5, 100, "2"), (14, 100, "2"), (15, 100, "6"), (4, 100, "0"), (1, 21, "0"), (3, 20, "6")],
)
def test_a_ratio_uses_the_bracket_of_the_quotient(rulebook, projects, members, points):
    result = score_parametric(rulebook, {"members_total": members, "rd_projects": projects})
    assert result.score("rd_intensity").points == Decimal(points)


def test_a_zero_denominator_scores_zero_and_says_so(rulebook):
    score = score_parametric(rulebook, {"members_total": 0, "rd_projects": 4}).score("rd_intensity")
    assert score.points == Decimal("0")
    assert score.value is None
    assert score.explanation.outcome == "zero-denominator"
    assert score.explanation.as_dict()["denominator"] == "0"
    assert score.explanation.as_dict()["bracket"] is None
    assert score.explanation.sentence == (
        "rd_intensity: members_total is zero, so the ratio rd_projects / members_total "
        "cannot be computed; 0 of 6 points"
    )


def test_a_missing_denominator_scores_zero_and_says_so(rulebook):
    score = score_parametric(rulebook, {"rd_projects": 4}).score("rd_intensity")
    assert score.points == Decimal("0")
    assert score.explanation.outcome == "missing-denominator"
    assert score.explanation.sentence == (
        "rd_intensity: no value for members_total, so the ratio cannot be computed; 0 of 6 points"
    )


def test_a_missing_or_invalid_value_scores_zero_and_says_so(rulebook):
    result = score_parametric(rulebook, {"members_total": "many", "export_share": None})
    assert result.score("members").points == Decimal("0")
    assert result.score("members").explanation.outcome == "invalid-value"
    assert result.score("members").explanation.sentence == (
        "members: the value of members_total is not a number, which gives 0 of 10 points"
    )
    assert result.score("export").explanation.outcome == "missing-value"
    assert result.score("export").explanation.sentence == (
        "export: no value for export_share, which gives 0 of 5 points"
    )
    assert result.total == Decimal("0")


def test_below_the_first_bracket_scores_zero_and_says_so(rulebook):
    score = score_parametric(rulebook, {"members_total": 50}).score("members")
    assert score.points == Decimal("0")
    assert score.explanation.outcome == "below-first-bracket"
    assert score.explanation.sentence == (
        "members: members_total = 50 is below the first bracket (51), which gives 0 of 10 points"
    )


def test_values_given_as_text_are_read_as_numbers(rulebook):
    result = score_parametric(rulebook, {"members_total": "100", "rd_projects": "15"})
    assert result.points()["members"] == Decimal("7")
    assert result.points()["rd_intensity"] == Decimal("6")


def test_a_rulebook_without_a_parametric_stage_scores_nothing():
    text = """\
rulebook: experts-only
version: 1
kind: status-competition
fields: [{id: members_total, type: integer}]
stages:
  - {id: formal, kind: formal}
  - {id: merit, kind: expert, experts: 1, aggregation: mean}
areas: [{id: a, criteria: [{id: c, stage: merit, max: 8}]}]
decision: {pass: {op: ">", value: 4}}
status: {validity: {years: 3}}
"""
    result = score_parametric(load_rulebook(text), {"members_total": 300})
    assert result.criteria == ()
    assert result.total == Decimal("0")


def test_points_are_capped_at_the_maximum_even_when_validation_is_bypassed(rulebook):
    criterion = Criterion.model_construct(
        id="members",
        stage="parametric",
        max=Decimal("3"),
        field="members_total",
        per=None,
        brackets=[Bracket.model_construct(min=Decimal("1"), points=Decimal("9"))],
    )
    explanation = score_criterion(rulebook, criterion, {"members_total": 5})
    assert explanation.points == Decimal("3")
    assert explanation.bracket_points == Decimal("9")


decimals = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    maximum=st.integers(min_value=1, max_value=40),
    mins=st.lists(decimals, min_size=1, max_size=5, unique=True),
    data=st.data(),
    value=decimals,
)
def test_points_follow_the_bracket_and_never_exceed_the_maximum(maximum, mins, data, value):
    mins = sorted(mins)
    points = data.draw(
        st.lists(
            st.integers(min_value=0, max_value=maximum), min_size=len(mins), max_size=len(mins)
        )
    )
    brackets = [{"min": low, "points": p} for low, p in zip(mins, points, strict=True)]
    text = RULEBOOK.replace(
        "brackets: [{min: 51, points: 4}, {min: 100, points: 7}, {min: 200, points: 10}]",
        "brackets: " + str([{"min": str(b["min"]), "points": b["points"]} for b in brackets]),
    ).replace("max: 10, field: members_total", f"max: {maximum}, field: members_total")
    text = text.replace("members_total, type: integer", "members_total, type: decimal")
    rulebook = load_rulebook(text)
    result = score_parametric(rulebook, {"members_total": value, "rd_projects": 0})
    score = result.score("members")
    expected = Decimal(0)
    for low, p in zip(mins, points, strict=True):
        if value >= low:
            expected = Decimal(p)
    assert score.points == expected
    assert Decimal(0) <= score.points <= Decimal(maximum)
    assert result.total <= rulebook.stage_maximum("parametric")


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        (">=", Decimal("101"), 101, True),
        (">", Decimal("101"), 101, False),
        (">", Decimal("101.01"), 101, True),
        (">=", Decimal("100.99"), 101, False),
        (">", 100, Decimal("100"), False),
        (">", "100.5", 100, True),
        ("<=", 3, 3, True),
        ("<", 3, 3, False),
        ("<", 2.5, 3, True),
        ("==", "3", Decimal("3.00"), True),
        ("==", "abc", "abc", True),
        ("==", "abc", "abd", False),
        ("in", "mazowieckie", ["mazowieckie", "slaskie"], True),
        ("in", 3, [Decimal("1"), Decimal("3")], True),
        ("in", "lubuskie", ["mazowieckie"], False),
        ("present", "file.pdf", None, True),
        ("present", 0, None, True),
        ("present", "  ", None, False),
        ("present", None, None, False),
        ("present", [], None, False),
        (">=", None, 3, False),
        (">=", date(2021, 1, 1), date(2020, 12, 31), True),
        ("<", date(2021, 1, 1), "2021-01-01", False),
    ],
)
def test_compare(op, left, right, expected):
    assert compare(op, left, right) is expected


@pytest.mark.parametrize(
    ("op", "left", "right"),
    [(">=", "abc", 3), ("<", True, 1), ("in", 3, 3), ("~", 1, 1)],
)
def test_compare_refuses_what_cannot_be_compared(op, left, right):
    with pytest.raises(ComparisonError):
        compare(op, left, right)


def test_a_threshold_condition_holds_inclusively_or_strictly():
    at_least = Condition(op=">=", value=Decimal("101"))
    more_than = Condition(op=">", value=Decimal("100"))
    assert at_least.holds(Decimal("101")) is True
    assert at_least.holds(Decimal("100.99")) is False
    assert more_than.holds(Decimal("100")) is False
    assert more_than.holds(Decimal("100.01")) is True
    assert more_than.holds(None) is False
