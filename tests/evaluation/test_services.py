import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import Application, StageResult
from keyclusters.evaluation import decisions, services
from keyclusters.evaluation.models import Assignment, ConflictRecord, ScoreSheet
from tests.evaluation.conftest import make_expert, submitted_application
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def score(assignment, by, points, note="uzasadnienie"):
    services.declare(assignment=assignment, conflict=False, note="", by=by)
    services.save_sheet(
        assignment=assignment, points=points, justifications=dict.fromkeys(points, note), by=by
    )
    return services.submit_sheet(assignment=assignment, by=by)


@pytest.fixture
def in_merit(call, operator):
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    return Application.objects.get(pk=application.pk)


def test_a_conflict_found_in_the_registry_blocks_the_assignment_and_is_recorded(in_merit, operator):
    member = make_expert("czlonek")
    MembershipFactory(
        cluster=in_merit.cluster,
        organisation=member.organisation,
        joined_on=dt.date(2016, 1, 1),
        left_on=dt.date(2024, 1, 1),
    )
    with pytest.raises(services.EvaluationError) as info:
        services.assign_expert(
            application=in_merit,
            stage="merit",
            expert=member,
            by=operator,
            today=dt.date(2026, 7, 1),
        )
    assert "since 1 Jul 2023" in info.value.messages[0]
    record = ConflictRecord.objects.get()
    assert (record.expert, record.source) == (member, "detected")
    # a membership that ended more than three years ago is no conflict
    assignment = services.assign_expert(
        application=in_merit, stage="merit", expert=member, by=operator, today=dt.date(2027, 1, 2)
    )
    assert assignment.state == "active"


def test_the_coordinator_organisation_is_a_conflict(in_merit, operator):
    expert = make_expert("koordynator", organisation=in_merit.cluster.coordinator)
    with pytest.raises(services.EvaluationError):
        services.assign_expert(application=in_merit, stage="merit", expert=expert, by=operator)


def test_automatic_assignment_skips_conflicts_and_prefers_the_specialisation(in_merit, operator):
    energy = make_expert("energia", specialisations=["Energetyka"])
    ict_a = make_expert("ict_a")
    ict_b = make_expert("ict_b")
    conflicted = make_expert("konflikt", specialisations=["ICT"])
    MembershipFactory(cluster=in_merit.cluster, organisation=conflicted.organisation)
    made = services.auto_assign(application=in_merit, stage="merit", by=operator)
    assert {a.expert for a in made} == {ict_a, ict_b}
    assert energy not in {a.expert for a in made}


def test_divergence_brings_in_a_third_expert_then_the_stages_go_on(in_merit, operator):
    experts = [make_expert(f"e{i}") for i in range(3)]
    first, second = services.auto_assign(application=in_merit, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "9"})
    score(second, second.expert.user, {"team": "5"})  # gap 4 > 0.30 × 10
    in_merit.refresh_from_db()
    assert (in_merit.state, in_merit.stage) == ("in-evaluation", "merit")
    third = (
        Assignment.objects.filter(application=in_merit, stage="merit")
        .exclude(pk__in=[first.pk, second.pk])
        .get()
    )
    assert third.expert == experts[2]
    score(third, third.expert.user, {"team": "7"})
    in_merit.refresh_from_db()
    merit = StageResult.objects.get(application=in_merit, stage="merit")
    assert merit.points == Decimal("7")  # mean of 9, 5 and 7
    assert merit.details["divergence"] == {"gap": "4", "allowed": "3.0"}
    # the parametric stage was computed on entry: 6 members -> 4 points; now at the panel
    assert StageResult.objects.get(application=in_merit, stage="parametric").points == 4
    assert (in_merit.state, in_merit.stage) == ("in-evaluation", "panel")

    panel = [make_expert(f"p{i}", role="panel-member") for i in range(3)]
    assignments = services.auto_assign(application=in_merit, stage="panel", by=operator)
    assert len(assignments) == 3
    for assignment, points in zip(assignments, ["6", "8", "7"], strict=True):
        score(assignment, assignment.expert.user, {"presentation": points})
    in_merit.refresh_from_db()
    assert in_merit.state == "evaluated"
    assert StageResult.objects.get(application=in_merit, stage="panel").points == 7
    assert {a.expert for a in assignments} <= set(panel) | set(experts)


def test_a_gap_exactly_at_the_limit_needs_no_third_expert(in_merit, operator):
    for i in range(3):
        make_expert(f"e{i}")
    first, second = services.auto_assign(application=in_merit, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "8"})
    score(second, second.expert.user, {"team": "5"})  # gap 3 == 0.30 × 10
    assert StageResult.objects.get(application=in_merit, stage="merit").points == Decimal("6.5")
    assert Assignment.objects.filter(application=in_merit, stage="merit").count() == 2


def test_sheets_are_the_expert_own_checked_and_immutable(in_merit, operator):
    a, b = make_expert("a"), make_expert("b")
    first = services.assign_expert(application=in_merit, stage="merit", expert=a, by=operator)
    with pytest.raises(services.EvaluationError):  # no declaration yet
        services.save_sheet(assignment=first, points={"team": 5}, justifications={}, by=a.user)
    with pytest.raises(PermissionDenied):
        services.declare(assignment=first, conflict=False, note="", by=b.user)
    services.declare(assignment=first, conflict=False, note="", by=a.user)
    with pytest.raises(PermissionDenied):
        services.save_sheet(assignment=first, points={"team": 5}, justifications={}, by=b.user)
    with pytest.raises(services.EvaluationError) as info:
        services.save_sheet(assignment=first, points={"team": "10.5"}, justifications={}, by=a.user)
    assert info.value.message_dict == {"team": ["Points must be between 0 and 10."]}
    services.save_sheet(assignment=first, points={"team": "6"}, justifications={}, by=a.user)
    with pytest.raises(services.EvaluationError) as info:
        services.submit_sheet(assignment=first, by=a.user)
    assert info.value.message_dict == {"team": ["Justify the points."]}
    services.save_sheet(
        assignment=first, points={}, justifications={"team": "Dobry zespół"}, by=a.user
    )
    sheet = services.submit_sheet(assignment=first, by=a.user)
    with pytest.raises(services.EvaluationError):
        services.save_sheet(assignment=first, points={"team": "1"}, justifications={}, by=a.user)
    with pytest.raises(PermissionDenied):
        services.reopen_sheet(sheet=sheet, reason="pomyłka", by=a.user)
    reopened = services.reopen_sheet(sheet=sheet, reason="Pomyłka w punktacji", by=operator)
    assert reopened.state == ScoreSheet.State.DRAFT
    last = reopened.history.first()
    assert (last.history_user, last.history_change_reason) == (operator, "Pomyłka w punktacji")


def test_a_declared_conflict_withdraws_and_the_operator_replaces(in_merit, operator):
    for name in ("a", "b", "c"):
        make_expert(name)
    first, second = services.auto_assign(application=in_merit, stage="merit", by=operator)
    services.declare(
        assignment=first, conflict=True, note="Doradzałem klastrowi", by=first.expert.user
    )
    first.refresh_from_db()
    assert first.state == "withdrawn"
    assert ConflictRecord.objects.get(source="declared").detail == "Doradzałem klastrowi"
    replacement = services.auto_assign(application=in_merit, stage="merit", by=operator)
    assert len(replacement) == 1
    assert replacement[0].expert not in {first.expert, second.expert}
    # the expert who declared a conflict is never assigned again
    with pytest.raises(services.EvaluationError):
        services.assign_expert(
            application=in_merit, stage="merit", expert=first.expert, by=operator
        )


def test_a_consensus_resolves_the_stage(call, operator):
    source = call.rulebook.source.replace("resolution: third-expert", "resolution: consensus")
    source = source.replace("version: 1", "version: 2")
    rulebook = competition_services.store_rulebook(source=source)
    other = competition_services.create_call(
        name="Konsensus", rulebook=rulebook, opens_at=call.opens_at, closes_at=call.closes_at
    )
    competition_services.change_call_state(call=other, action="open")
    application = submitted_application(other, name="Klaster Beta")
    competition_services.pass_formal(application=application, by=operator)
    make_expert("a"), make_expert("b")
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "10"})
    score(second, second.expert.user, {"team": "2"})
    application.refresh_from_db()
    assert application.stage == "merit"
    services.record_consensus(
        application=application,
        stage="merit",
        points={"team": "6"},
        note="Uzgodniono na spotkaniu",
        by=operator,
    )
    application.refresh_from_db()
    result = StageResult.objects.get(application=application, stage="merit")
    assert (result.points, result.details["method"]) == (Decimal("6"), "consensus")
    assert application.stage == "panel"


def test_a_panel_session_assigns_its_members_except_conflicted_ones(call, operator):
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    for name in ("a", "b"):
        make_expert(name)
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "7"})
    score(second, second.expert.user, {"team": "7"})
    members = [make_expert(f"p{i}", role="panel-member") for i in range(3)]
    MembershipFactory(
        cluster=application.cluster,
        organisation=members[2].organisation,
        role="strategic-partner",
        joined_on=dt.date(2020, 1, 1),
    )
    session, refused = decisions.schedule_panel(
        call=call, held_on=dt.date(2026, 9, 10), place="Warszawa", members=members, by=operator
    )
    assert list(session.members.all()) == members
    assert [(r[1], r[0]) for r in refused] == [(members[2], application)]
    assigned = set(
        Assignment.objects.filter(application=application, stage="panel").values_list(
            "expert", flat=True
        )
    )
    assert assigned == {members[0].pk, members[1].pk}
    assert ConflictRecord.objects.filter(expert=members[2]).count() == 1
