"""Rounds as they ran: a renewal-only call's holders, member counting rules and pass-fail stages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keyclusters.domain.rulebook import (
    Applicants,
    Counting,
    Holders,
    MembersTotalRule,
    counts_as_member,
    decide_pass_fail,
    decide_pass_fail_stage,
    holder_admissible,
    load_rulebook,
    member_counts,
)

from .test_rulebook_additions import ROUNDS

D = dt.date
RENEWAL_2018 = Holders(status_type="kkk", ends_between=[D(2018, 1, 1), D(2018, 12, 31)])
CURRENT = Holders(status_type="kkk")

# -- applicants.holders -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "last_day", [D(2018, 1, 1), D(2018, 9, 22), D(2018, 12, 31)], ids=["first", "inside", "last"]
)
def test_a_holder_whose_status_ends_in_the_range_is_admitted(last_day):
    assert holder_admissible([last_day], RENEWAL_2018) is None


@pytest.mark.parametrize("last_day", [D(2017, 12, 31), D(2019, 1, 1), D(2019, 10, 31)])
def test_a_holder_whose_status_ends_outside_the_range_is_refused(last_day):
    refusal = holder_admissible([last_day], RENEWAL_2018)
    assert refusal is not None
    assert refusal.params == {"first": D(2018, 1, 1), "last": D(2018, 12, 31), "ends": last_day}
    assert refusal.message == (
        "The call is open only to clusters whose status ends between 2018-01-01 and 2018-12-31; "
        f"this cluster's status ends on {last_day.isoformat()}."
    )


def test_a_non_holder_is_refused_in_a_renewal_only_call():
    for rule in (RENEWAL_2018, CURRENT):
        refusal = holder_admissible([], rule, on=D(2018, 9, 1))
        assert str(refusal) == (
            "The call is open only to clusters holding the status; this cluster holds none."
        )


def test_one_of_several_statuses_in_the_range_admits_the_holder():
    assert holder_admissible([D(2015, 6, 30), D(2018, 9, 22)], RENEWAL_2018) is None
    refusal = holder_admissible([D(2015, 6, 30), D(2021, 9, 22)], RENEWAL_2018)
    assert refusal.params["ends"] == D(2021, 9, 22)


def test_a_current_holder_is_admitted_through_the_last_valid_day():
    assert holder_admissible([D(2018, 9, 22)], CURRENT, on=D(2018, 9, 22)) is None
    refusal = holder_admissible([D(2018, 9, 22)], CURRENT, on=D(2018, 9, 23))
    assert refusal.message == (
        "The call is open only to current holders of the status; this cluster's status ended on "
        "2018-09-22."
    )
    with pytest.raises(ValueError):
        holder_admissible([D(2018, 9, 22)], CURRENT)


def test_any_cluster_may_apply_without_holders():
    assert holder_admissible([], None) is None
    assert holder_admissible([], Applicants()) is None
    assert holder_admissible([], Applicants(holders=RENEWAL_2018)) is not None
    rulebook = load_rulebook(ROUNDS)
    assert holder_admissible([D(2018, 12, 31)], rulebook.applicants) is None
    assert holder_admissible([D(2019, 1, 1)], rulebook.applicants) is not None


# -- counting.members_total ---------------------------------------------------------------------

ROWS = [
    ("coordinator", "business-support"),
    ("member", "enterprise"),
    ("member", "enterprise"),
    ("member", "enterprise"),
    ("member", "university"),
    ("member", "research"),
    ("strategic-partner", "enterprise"),
    ("strategic-partner", "public-administration"),
]


def test_by_default_the_coordinator_counts_and_strategic_partners_do_not():
    counts = member_counts(ROWS)
    assert counts.members_total == 6
    assert counts.by_kind == {
        "business-support": 1,
        "enterprise": 3,
        "university": 1,
        "research": 1,
    }
    assert counts.share_of("enterprise") == Decimal("50.00")
    assert counts.share_of("university", "research") == Decimal("33.33")
    assert member_counts(ROWS, Counting()) == counts
    assert member_counts(ROWS, MembersTotalRule()) == counts


def test_without_the_coordinator():
    counts = member_counts(ROWS, MembersTotalRule(coordinator=False))
    assert counts.members_total == 5
    assert counts.share_of("enterprise") == Decimal("60.00")


def test_with_strategic_partners():
    counts = member_counts(ROWS, MembersTotalRule(strategic_partners=True))
    assert counts.members_total == 8
    assert counts.total_of("enterprise") == 4
    assert counts.share_of("enterprise") == Decimal("50.00")
    assert counts.share_of("public-administration") == Decimal("12.50")


def test_both_rules_from_a_rulebook():
    counting = load_rulebook(ROUNDS).counting  # coordinator: false, strategic_partners: true
    counts = member_counts(ROWS, counting)
    assert counts.members_total == 7
    assert counts.share_of("enterprise") == Decimal("57.14")
    assert counts_as_member("coordinator", counting) is False
    assert counts_as_member("strategic-partner", counting) is True
    assert counts_as_member("member", counting) is True


def test_no_member_is_a_share_of_zero():
    counts = member_counts([("coordinator", "enterprise")], MembersTotalRule(coordinator=False))
    assert counts.members_total == 0
    assert counts.share_of("enterprise") == Decimal("0.00")


# -- pass-fail stages ---------------------------------------------------------------------------

CRITERIA = ["management", "strategy"]


def test_all_pass_needs_every_expert_to_mark_every_criterion_met():
    marks = {
        "a": {"management": True, "strategy": True},
        "b": {"management": True, "strategy": True},
    }
    result = decide_pass_fail(marks, CRITERIA, "all-pass")
    assert result.passed is True
    assert result.failed_criteria == []
    assert [(v.criterion, v.met_by, v.experts, v.met) for v in result.criteria] == [
        ("management", 2, 2, True),
        ("strategy", 2, 2, True),
    ]
    marks["b"]["strategy"] = False
    result = decide_pass_fail(marks, CRITERIA, "all-pass")
    assert result.passed is False
    assert result.failed_criteria == ["strategy"]


def test_majority_pass_needs_more_than_half_for_each_criterion():
    three = {
        "a": {"management": True, "strategy": True},
        "b": {"management": True, "strategy": False},
        "c": {"management": False, "strategy": False},
    }
    result = decide_pass_fail(three, CRITERIA, "majority-pass")
    assert [(v.met_by, v.met) for v in result.criteria] == [(2, True), (1, False)]
    assert result.passed is False
    assert result.failed_criteria == ["strategy"]
    three["c"]["strategy"] = True
    assert decide_pass_fail(three, CRITERIA, "majority-pass").passed is True
    assert decide_pass_fail(three, CRITERIA, "all-pass").passed is False


def test_a_tie_is_not_a_majority():
    two = {
        "a": {"management": True, "strategy": True},
        "b": {"management": False, "strategy": True},
    }
    result = decide_pass_fail(two, CRITERIA, "majority-pass")
    assert result.passed is False
    assert result.failed_criteria == ["management"]
    four = {e: {"management": e in "ab", "strategy": e in "abc"} for e in ("a", "b", "c", "d")}
    result = decide_pass_fail(four, CRITERIA, "majority-pass")
    assert [(v.met_by, v.met) for v in result.criteria] == [(2, False), (3, True)]


def test_a_single_expert_decides_alone():
    one = {"a": {"management": True, "strategy": False}}
    assert decide_pass_fail(one, CRITERIA, "majority-pass").failed_criteria == ["strategy"]
    assert decide_pass_fail(one, CRITERIA, "all-pass").failed_criteria == ["strategy"]


@pytest.mark.parametrize(
    ("marks", "criteria", "aggregation"),
    [
        ({"a": {"management": True}}, CRITERIA, "all-pass"),  # a criterion not marked
        ({}, CRITERIA, "all-pass"),
        ({"a": {"management": True}}, [], "all-pass"),
        ({"a": {"management": True}}, ["management"], "mean"),
    ],
)
def test_incomplete_marks_decide_nothing(marks, criteria, aggregation):
    with pytest.raises(ValueError):
        decide_pass_fail(marks, criteria, aggregation)


def test_a_rulebooks_pass_fail_stage():
    rulebook = load_rulebook(ROUNDS)
    marks = {"a": {"all_criteria_met": True}, "b": {"all_criteria_met": False}}
    result = decide_pass_fail_stage(rulebook, "merit", marks)
    assert result.aggregation == "all-pass"
    assert result.failed_criteria == ["all_criteria_met"]
    with pytest.raises(ValueError):
        decide_pass_fail_stage(rulebook, "panel", marks)
