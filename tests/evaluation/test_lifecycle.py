"""Regression tests of the evaluation's lifecycles: each refused step says why and writes
nothing (issue: integrity of the competition)."""

import datetime as dt
from decimal import Decimal

import pytest

from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import Application, StageResult
from keyclusters.evaluation import decisions, services
from keyclusters.evaluation.models import (
    Assignment,
    ConflictRecord,
    ConsensusScore,
    Recommendation,
    ScoreSheet,
)
from keyclusters.evaluation.selectors import ranking_as_of
from keyclusters.statuses.models import StatusGrant
from tests.evaluation.conftest import make_expert, submitted_application
from tests.evaluation.test_services import in_merit, score  # noqa: F401 (fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def consensus_call(call):
    source = call.rulebook.source.replace("resolution: third-expert", "resolution: consensus")
    rulebook = competition_services.store_rulebook(
        source=source.replace("version: 1", "version: 2")
    )
    other = competition_services.create_call(
        name="Konsensus", rulebook=rulebook, opens_at=call.opens_at, closes_at=call.closes_at
    )
    return competition_services.change_call_state(call=other, action="open")


def through_merit(call, operator, merit, panel=("6", "7", "9"), name="Klaster Alfa"):
    """An application scored at merit (two experts) and at the panel (three)."""
    application = submitted_application(call, name=name)
    competition_services.pass_formal(application=application, by=operator)
    experts = [make_expert(f"{name[-4:]}-m{i}") for i in range(2)]
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    assert {first.expert, second.expert} == set(experts)
    score(first, first.expert.user, {"team": merit[0]})
    score(second, second.expert.user, {"team": merit[1]})
    for i in range(3):
        make_expert(f"{name[-4:]}-p{i}", role="panel-member")
    for assignment, points in zip(
        services.auto_assign(application=application, stage="panel", by=operator),
        panel,
        strict=True,
    ):
        score(assignment, assignment.expert.user, {"presentation": points})
    return Application.objects.get(pk=application.pk)


# -- the scored stage -------------------------------------------------------------------------


def test_entering_a_scored_stage_writes_its_pending_result(in_merit):  # noqa: F811
    result = StageResult.objects.get(application=in_merit, stage="merit")
    assert (result.result, result.state, result.points) == ("pending", "collecting", None)
    assert result.max_points == Decimal(10)


def test_a_divergence_makes_the_stage_await_a_third_expert(in_merit, operator):  # noqa: F811
    for name in ("a", "b", "c"):
        make_expert(name)
    first, second = services.auto_assign(application=in_merit, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "10"})
    score(second, second.expert.user, {"team": "2"})
    result = StageResult.objects.get(application=in_merit, stage="merit")
    assert (result.result, result.state) == ("pending", "awaiting-third-expert")
    third = Assignment.objects.filter(application=in_merit, state="active").exclude(
        pk__in=[first.pk, second.pk]
    )
    assert third.count() == 1
    score(third.get(), third.get().expert.user, {"team": "6"})
    result.refresh_from_db()
    assert (result.result, result.state, result.points) == ("passed", "complete", Decimal(6))


def test_a_consensus_needs_a_stage_awaiting_it(call, operator):
    other = consensus_call(call)
    application = submitted_application(other, name="Klaster Beta")
    competition_services.pass_formal(application=application, by=operator)
    # no expert has scored: no consensus
    with pytest.raises(services.EvaluationError) as info:
        services.record_consensus(
            application=application, stage="merit", points={"team": "6"}, note="x", by=operator
        )
    assert "only where the experts' scores diverge" in info.value.messages[0]
    make_expert("a"), make_expert("b")
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "7"})
    score(second, second.expert.user, {"team": "6"})
    # no divergence: the stage completed without a consensus, and none can be added
    with pytest.raises(services.EvaluationError):
        services.record_consensus(
            application=application, stage="merit", points={"team": "6"}, note="x", by=operator
        )
    assert not ConsensusScore.objects.exists()
    result = StageResult.objects.get(application=application, stage="merit")
    assert (result.state, result.points) == ("complete", Decimal("6.50"))


def test_a_second_consensus_is_refused_with_a_message(call, operator):
    other = consensus_call(call)
    application = submitted_application(other, name="Klaster Gamma")
    competition_services.pass_formal(application=application, by=operator)
    make_expert("a"), make_expert("b")
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "10"})
    score(second, second.expert.user, {"team": "2"})
    assert StageResult.objects.get(application=application, stage="merit").state == (
        "awaiting-consensus"
    )
    services.record_consensus(
        application=application, stage="merit", points={"team": "6"}, note="Zgoda", by=operator
    )
    with pytest.raises(services.EvaluationError):
        services.record_consensus(
            application=application, stage="merit", points={"team": "9"}, note="Inna", by=operator
        )
    assert list(ConsensusScore.objects.values_list("points", flat=True)) == [{"team": "6"}]


def test_no_conflict_can_be_declared_after_submitting(in_merit, operator):  # noqa: F811
    make_expert("a"), make_expert("b")
    first, _second = services.auto_assign(application=in_merit, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "8"})
    with pytest.raises(services.EvaluationError) as info:
        services.declare(assignment=first, conflict=True, note="", by=first.expert.user)
    assert info.value.messages == [
        "Not possible now: declare a conflict of interest (the score sheet is already submitted)."
    ]
    first.refresh_from_db()
    assert first.state == "active"
    assert not ConflictRecord.objects.filter(source="declared").exists()


def test_a_sheet_of_a_complete_stage_cannot_be_reopened(in_merit, operator):  # noqa: F811
    make_expert("a"), make_expert("b")
    first, second = services.auto_assign(application=in_merit, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "8"})
    sheet = score(second, second.expert.user, {"team": "7"})
    with pytest.raises(services.EvaluationError) as info:
        services.reopen_sheet(sheet=sheet, reason="Pomyłka", by=operator)
    assert info.value.messages == [
        "Not possible now: reopen the score sheet (the stage is complete)."
    ]
    sheet.refresh_from_db()
    assert sheet.state == "submitted"


def test_a_reopened_sheet_sends_a_diverging_stage_back_to_collecting(call, operator):
    other = consensus_call(call)
    application = submitted_application(other, name="Klaster Delta")
    competition_services.pass_formal(application=application, by=operator)
    make_expert("a"), make_expert("b")
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "10"})
    sheet = score(second, second.expert.user, {"team": "2"})
    services.reopen_sheet(sheet=sheet, reason="Błąd w punktacji", by=operator)
    result = StageResult.objects.get(application=application, stage="merit")
    assert result.state == "collecting"
    services.submit_sheet(assignment=second, by=second.expert.user)  # still diverging
    result.refresh_from_db()
    assert result.state == "awaiting-consensus"


# -- points -----------------------------------------------------------------------------------


def test_points_with_more_decimals_than_the_precision_are_refused(in_merit, operator):  # noqa: F811
    make_expert("a"), make_expert("b")
    first, _second = services.auto_assign(application=in_merit, stage="merit", by=operator)
    services.declare(assignment=first, conflict=False, note="", by=first.expert.user)
    with pytest.raises(services.EvaluationError) as info:
        services.save_sheet(
            assignment=first, points={"team": "7,495"}, justifications={}, by=first.expert.user
        )
    assert info.value.message_dict == {"team": ["Enter at most 2 decimal places."]}
    assert not ScoreSheet.objects.filter(assignment=first).exclude(points={}).exists()
    services.save_sheet(
        assignment=first, points={"team": "7,50"}, justifications={}, by=first.expert.user
    )
    assert ScoreSheet.objects.get(assignment=first).points == {"team": "7.50"}


def test_the_stored_list_and_the_recomputation_agree_at_the_threshold(call, operator):
    # merit (7.49 + 7.50) / 2 = 7.495 → 7.50 once; parametric 4; panel median 3.5: 15.00 >= 15
    application = through_merit(call, operator, ("7.49", "7.5"), panel=("3", "3.5", "4"))
    merit = StageResult.objects.get(application=application, stage="merit")
    assert merit.points == Decimal("7.50")
    competition_services.change_call_state(call=call, action="close", by=operator)
    recommendation = decisions.prepare_recommendation(call=call, by=operator)
    assert recommendation.outcomes == [
        {"application": application.pk, "total": "15.00", "rank": 1, "recommended": True,
         "reasons": []}
    ]  # fmt: skip
    from django.utils import timezone

    assert ranking_as_of(call, timezone.now()) == recommendation.outcomes


# -- the recommendation and the call ------------------------------------------------------------


def test_no_list_and_no_grant_while_the_call_is_open(call, operator):
    application = through_merit(call, operator, ("8", "7"))
    with pytest.raises(services.EvaluationError) as info:
        decisions.prepare_recommendation(call=call, by=operator)
    assert info.value.messages == [
        "Not possible now: prepare the recommendation list (the call is open)."
    ]
    with pytest.raises(competition_services.CompetitionError) as refused:
        competition_services.decide_application(application=application, granted=True, by=None)
    assert refused.value.messages == ["Not possible now: grant the status (the call is open)."]
    with pytest.raises(competition_services.CompetitionError):
        competition_services.change_call_state(call=call, action="decide", by=operator)
    assert not StatusGrant.objects.exists()
    application.refresh_from_db()
    assert application.state == "evaluated"


def test_the_approval_decides_the_call(call, operator):
    application = through_merit(call, operator, ("8", "7"))
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    call.refresh_from_db()
    assert call.state == "evaluating"
    minister = UserFactory(username="minister", roles=["decision-maker"])
    decisions.approve_recommendation(call=call, approved_on=dt.date(2026, 9, 30), by=minister)
    call.refresh_from_db()
    application.refresh_from_db()
    assert (call.state, application.state) == ("decided", "granted")
    assert StatusGrant.objects.get().valid_from == dt.date(2026, 9, 30)


def test_preparing_again_supersedes_a_prepared_list_but_never_an_approved_one(call, operator):
    through_merit(call, operator, ("8", "7"))
    competition_services.change_call_state(call=call, action="close", by=operator)
    first = decisions.prepare_recommendation(call=call, by=operator)
    second = decisions.prepare_recommendation(call=call, by=operator)
    first.refresh_from_db()
    assert (first.state, second.state) == ("superseded", "prepared")
    minister = UserFactory(username="minister", roles=["decision-maker"])
    decisions.approve_recommendation(call=call, approved_on=dt.date(2026, 9, 30), by=minister)
    with pytest.raises(services.EvaluationError) as info:
        decisions.prepare_recommendation(call=call, by=operator)
    assert "prepare the recommendation list" in info.value.messages[0]
    approved = Recommendation.objects.get(state="approved")
    assert (approved.pk, approved.approved_on, approved.approved_by) == (
        second.pk,
        dt.date(2026, 9, 30),
        minister,
    )
    assert approved.outcomes == second.outcomes
    with pytest.raises(services.EvaluationError):
        decisions.approve_recommendation(call=call, approved_on=dt.date(2026, 10, 1), by=minister)
    assert StatusGrant.objects.count() == 1


def test_pages_show_where_a_scored_stage_is(client, in_merit, operator):  # noqa: F811
    from django.urls import reverse

    client.force_login(operator)
    for url in (
        reverse("competitions:application-detail", args=[in_merit.pk]),
        reverse("competitions:call-dashboard", args=[in_merit.call_id]),
    ):
        body = client.get(url).content.decode()
        assert "collecting score sheets" in body
        assert ">failed<" not in body and "✗" not in body
