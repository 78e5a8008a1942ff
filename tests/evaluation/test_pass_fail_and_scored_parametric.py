"""Stages of the rounds as they ran (issue #14): a pass-fail stage decided from the experts'
marks (all-pass, majority-pass) and a parametric stage scored by experts instead of computed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import Application, StageResult
from keyclusters.evaluation import decisions, services
from keyclusters.evaluation.models import Assignment, ScoreSheet
from tests.competitions.conftest import WARSAW
from tests.evaluation.conftest import make_expert, submitted_application
from tests.evaluation.test_services import score

pytestmark = pytest.mark.django_db

RULEBOOK = """
rulebook: test-rounds
version: 1
kind: status-competition
fields:
  - {id: years_active, type: integer, source: registry}
  - {id: members_total, type: integer, source: registry}
  - {id: strategy, type: document, required: true}
stages:
  - {id: formal, kind: formal, completion_days: 7}
  - {id: gate, kind: expert, experts: EXPERTS, aggregation: AGGREGATION}
  - {id: parametric, kind: parametric, scored_by: experts, experts: 2, aggregation: mean,
     divergence: {max_gap: 0.30, resolution: third-expert}}
areas:
  - id: resources
    criteria:
      - {id: organisation_met, stage: gate, type: pass-fail}
      - {id: strategy_met, stage: gate, type: pass-fail}
      - {id: members, stage: parametric, max: 7, field: members_total,
         brackets: [{min: 5, points: 4}, {min: 10, points: 7}]}
decision:
  pass: {op: ">=", value: 5}
  ranking: [total]
status:
  validity: {years: 3}
"""


def _call(experts: int = 2, aggregation: str = "all-pass"):
    source = RULEBOOK.replace("EXPERTS", str(experts)).replace("AGGREGATION", aggregation)
    rulebook = competition_services.store_rulebook(source=source)
    call = competition_services.create_call(
        name="Runda III",
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    return competition_services.change_call_state(call=call, action="open")


def _at_gate(call, operator, name="Klaster Alfa", experts=2):
    application = submitted_application(call, name=name)
    competition_services.pass_formal(application=application, by=operator)
    for i in range(experts):
        make_expert(f"{name[-4:]}-g{i}")
    return Application.objects.get(pk=application.pk)


def _mark(application, operator, marks):
    assignments = services.auto_assign(application=application, stage="gate", by=operator)
    assert len(assignments) == len(marks)
    for assignment, (organisation, strategy) in zip(assignments, marks, strict=True):
        score(
            assignment,
            assignment.expert.user,
            {"organisation_met": organisation, "strategy_met": strategy},
        )
    return Application.objects.get(pk=application.pk)


def test_every_expert_marking_every_criterion_met_passes_the_gate_with_no_points(operator):
    call = _call()
    application = _mark(_at_gate(call, operator), operator, [(True, "met"), ("true", "Met")])
    result = StageResult.objects.get(application=application, stage="gate")
    assert (result.result, result.points, result.max_points) == ("passed", Decimal(0), Decimal(0))
    assert result.details["method"] == "all-pass"
    assert result.details["pass_fail"] == [
        {"criterion": "organisation_met", "met_by": 2, "experts": 2, "met": True},
        {"criterion": "strategy_met", "met_by": 2, "experts": 2, "met": True},
    ]
    assert (
        sorted(result.details["experts"].values(), key=str)
        == [{"organisation_met": "met", "strategy_met": "met"}] * 2
    )
    # the next stage is scored by experts: it collects sheets and is not computed
    assert (application.state, application.stage) == ("in-evaluation", "parametric")
    parametric = StageResult.objects.get(application=application, stage="parametric")
    assert (parametric.result, parametric.points, parametric.state) == (
        "pending",
        None,
        "collecting",
    )


def test_one_expert_marking_a_criterion_not_met_fails_an_all_pass_gate(operator):
    call = _call()
    application = _mark(_at_gate(call, operator), operator, [(True, True), (True, False)])
    result = StageResult.objects.get(application=application, stage="gate")
    assert result.result == "failed"
    assert result.details["pass_fail"][1] == {
        "criterion": "strategy_met",
        "met_by": 1,
        "experts": 2,
        "met": False,
    }
    assert application.state == "rejected"
    assert not StageResult.objects.filter(application=application, stage="parametric").exists()


def test_two_of_three_experts_meet_a_majority_pass_gate_and_one_of_three_does_not(operator):
    call = _call(experts=3, aggregation="majority-pass")
    passing = _mark(
        _at_gate(call, operator, experts=3),
        operator,
        [(True, True), (True, False), (False, True)],
    )
    assert StageResult.objects.get(application=passing, stage="gate").result == "passed"
    failing = _mark(
        _at_gate(call, operator, name="Klaster Beta", experts=0),
        operator,
        [(True, False), (True, False), (True, True)],
    )
    verdicts = StageResult.objects.get(application=failing, stage="gate").details["pass_fail"]
    assert [(v["met_by"], v["met"]) for v in verdicts] == [(3, True), (1, False)]
    assert failing.state == "rejected"


def test_a_mark_that_is_neither_met_nor_not_met_is_refused_and_nothing_is_saved(operator):
    call = _call()
    application = _at_gate(call, operator)
    assignment = services.auto_assign(application=application, stage="gate", by=operator)[0]
    user = assignment.expert.user
    services.declare(assignment=assignment, conflict=False, note="", by=user)
    with pytest.raises(services.EvaluationError) as info:
        services.save_sheet(
            assignment=assignment,
            points={"organisation_met": "maybe", "strategy_met": True},
            justifications={},
            by=user,
        )
    assert info.value.message_dict == {
        "organisation_met": ["Say whether the criterion is met or not met."]
    }
    sheet = ScoreSheet.objects.filter(assignment=assignment).first()
    assert sheet is None or sheet.points == {}
    services.save_sheet(
        assignment=assignment,
        points={"strategy_met": True},
        justifications={"strategy_met": "strategia spełnia wymogi"},
        by=user,
    )
    with pytest.raises(services.EvaluationError) as info:
        services.submit_sheet(assignment=assignment, by=user)
    assert info.value.message_dict == {
        "organisation_met": [
            "Say whether the criterion is met or not met.",
            "Justify your assessment.",
        ]
    }


def _at_parametric(call, operator, name="Klaster Alfa"):
    application = _mark(_at_gate(call, operator, name=name), operator, [(True, True)] * 2)
    for i in range(2):
        make_expert(f"{name[-4:]}-p{i}")
    return application


def test_two_experts_score_the_parametric_stage_and_their_mean_counts(operator):
    call = _call()
    application = _at_parametric(call, operator)
    first, second = services.auto_assign(application=application, stage="parametric", by=operator)
    score(first, first.expert.user, {"members": "6"})
    score(second, second.expert.user, {"members": "5"})
    application.refresh_from_db()
    result = StageResult.objects.get(application=application, stage="parametric")
    assert (result.result, result.points, result.max_points) == (
        "passed",
        Decimal("5.50"),
        Decimal(7),
    )
    assert result.details["criteria"] == {"members": "5.5"}
    assert application.state == "evaluated"
    competition_services.change_call_state(call=call, action="close", by=operator)
    listed = decisions.prepare_recommendation(call=call, by=operator)
    (row,) = listed.outcomes
    assert (row["total"], row["rank"], row["recommended"]) == ("5.50", 1, True)


def test_two_experts_diverging_on_the_parametric_stage_wait_for_a_third(operator):
    call = _call()
    application = _at_parametric(call, operator)
    make_expert("trzeci")
    first, second = services.auto_assign(application=application, stage="parametric", by=operator)
    score(first, first.expert.user, {"members": "7"})
    score(second, second.expert.user, {"members": "4"})  # 3 apart; 30 % of 7 is 2.1
    result = StageResult.objects.get(application=application, stage="parametric")
    assert (result.result, result.state) == ("pending", "awaiting-third-expert")
    third = Assignment.objects.get(application=application, stage="parametric", state="active",
                                   sheet__isnull=True)  # fmt: skip
    score(third, third.expert.user, {"members": "6"})
    result.refresh_from_db()
    # the stage's aggregation (mean) of the three experts: (7 + 4 + 6) / 3, rounded once
    assert (result.result, result.points) == ("passed", Decimal("5.67"))
