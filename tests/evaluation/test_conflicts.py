"""Experts' ties and conflicts of interest: at the assignment, and after it (a membership, an
affiliation, an account's organisation), with the suspension, its lifting and the reassignment."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from keyclusters.competitions import services as competitions
from keyclusters.evaluation import experts, services, services_drafts, suspensions
from keyclusters.evaluation.models import Assignment, ConflictRecord, Expert
from keyclusters.registry import importing
from keyclusters.registry import services as registry
from keyclusters.registry.models import MembershipRole, Organisation
from keyclusters.registry.signals import memberships_changed
from keyclusters.web.attention import needs_attention
from tests.competitions.conftest import WARSAW
from tests.evaluation.conftest import make_expert, submitted_application
from tests.factories import OrganisationFactory, UserFactory

NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=WARSAW)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def application(call, operator):
    application = submitted_application(call)
    competitions.pass_formal(application=application, by=operator)
    Organisation.objects.filter(pk=application.cluster.coordinator_id).update(name="Fundacja Alfa")
    application.cluster.coordinator.refresh_from_db()
    return application


@pytest.fixture
def company():
    return OrganisationFactory(name="Beta sp. z o.o.")


@pytest.fixture
def scoring(application, operator, company):
    """Two experts assigned and declared; Anna is affiliated with Beta (not in the cluster)."""
    anna, bartek = make_expert("anna"), make_expert("bartek")
    experts.add_affiliation(
        expert=anna,
        organisation=company,
        position="członek zarządu",
        started_on=dt.date(2020, 2, 1),
        ended_on=None,
        by=operator,
    )
    first = services.assign_expert(application=application, stage="merit", expert=anna, by=operator)
    second = services.assign_expert(
        application=application, stage="merit", expert=bartek, by=operator
    )
    for assignment in (first, second):
        services.declare(assignment=assignment, conflict=False, note="", by=assignment.expert.user)
    return first, second


def _save(assignment, points="8"):
    return services.save_sheet(
        assignment=assignment,
        points={"team": points},
        justifications={"team": "Uzasadnienie"},
        by=assignment.expert.user,
    )


def attention_items(kind):
    groups = needs_attention([], now=NOW)
    return next((g["items"] for g in groups if g["kind"] == kind), [])


def test_the_users_own_organisation_is_a_conflict(application, operator):
    """One account holds the coordinator and the expert roles: it is refused its own cluster."""
    coordinator = application.cluster.coordinator
    user = UserFactory(username="dual", roles=["coordinator", "expert"], organisation=coordinator)
    expert = Expert.objects.create(user=user, specialisations=["ICT"])
    with pytest.raises(services.EvaluationError) as info:
        services.assign_expert(application=application, stage="merit", expert=expert, by=operator)
    reason = (
        "Fundacja Alfa (the organisation of the expert's account) coordinates the cluster "
        "Klaster Alfa."
    )
    assert info.value.messages == [reason]
    assert not Assignment.objects.filter(expert=expert).exists()
    assert ConflictRecord.objects.get(expert=expert).detail == reason
    # nor is it offered by the automatic assignment
    assert services.auto_assign(application=application, stage="merit", by=operator) == []


def test_an_affiliation_with_a_member_within_three_years_is_a_conflict(application, operator):
    member = application.cluster.memberships.filter(role=MembershipRole.MEMBER).first()
    Organisation.objects.filter(pk=member.organisation_id).update(name="Gamma SA")
    expert = make_expert("celina")
    experts.add_affiliation(
        expert=expert,
        organisation=member.organisation,
        position="",
        started_on=dt.date(2018, 1, 1),
        ended_on=dt.date(2023, 8, 31),
        by=operator,
    )
    with pytest.raises(services.EvaluationError) as info:
        services.assign_expert(application=application, stage="merit", expert=expert, by=operator)
    assert info.value.messages == [
        "Gamma SA (affiliation from 1 Jan 2018 to 31 Aug 2023) belongs or belonged, since "
        "1 Jul 2023, to the cluster Klaster Alfa (role: Member)."
    ]


def test_an_affiliation_that_ended_more_than_three_years_ago_is_no_conflict(application, operator):
    member = application.cluster.memberships.filter(role=MembershipRole.MEMBER).first()
    expert = make_expert("celina")
    experts.add_affiliation(
        expert=expert,
        organisation=member.organisation,
        position="",
        started_on=None,
        ended_on=dt.date(2023, 6, 30),
        by=operator,
    )
    assert services.assign_expert(
        application=application, stage="merit", expert=expert, by=operator
    ).state == ("active")


def test_a_membership_added_after_the_assignment_suspends_it(
    scoring, application, company, operator, django_capture_on_commit_callbacks
):
    anna, bartek = scoring
    _save(anna)
    with django_capture_on_commit_callbacks(execute=True):
        registry.add_membership(
            cluster=application.cluster,
            organisation=company,
            role=MembershipRole.MEMBER,
            joined_on=dt.date(2026, 6, 1),
            by=operator,
        )
    anna.refresh_from_db()
    reason = (
        "Beta sp. z o.o. (affiliation since 1 Feb 2020) belongs or belonged, since 1 Jul 2023, "
        "to the cluster Klaster Alfa (role: Member)."
    )
    assert anna.state == "suspended"
    assert anna.suspension_reason == reason
    assert anna.suspended_by is None
    assert Assignment.objects.get(pk=bartek.pk).state == "active"
    # on the operator's "needs attention" list, with the reason
    [item] = attention_items("suspended")
    assert item.subject == "Anna – Klaster Alfa"
    assert item.note == reason
    assert item.url == f"/evaluation/assignments/{anna.pk}/suspension/"
    # the sheet can be neither saved, autosaved nor submitted
    for write in (
        lambda: _save(anna, "9"),
        lambda: services.submit_sheet(assignment=anna, by=anna.expert.user),
        lambda: services_drafts.save_draft(
            assignment=anna, points={"team": "9"}, justifications={}, by=anna.expert.user
        ),
    ):
        with pytest.raises(services.EvaluationError) as info:
            write()
        assert "suspended for a possible conflict of interest" in info.value.messages[0]
    assert anna.sheet.points == {"team": "8"}
    assert anna.sheet.state == "draft"


def test_an_affiliation_added_after_the_assignment_suspends_it(scoring, application, operator):
    anna, bartek = scoring
    member = application.cluster.memberships.filter(role=MembershipRole.MEMBER).first()
    Organisation.objects.filter(pk=member.organisation_id).update(name="Gamma SA")
    _affiliation, suspended = experts.add_affiliation(
        expert=bartek.expert,
        organisation=member.organisation,
        position="ekspert",
        started_on=None,
        ended_on=None,
        by=operator,
    )
    assert [a.pk for a in suspended] == [bartek.pk]
    bartek.refresh_from_db()
    assert bartek.state == "suspended"
    assert bartek.suspension_reason == (
        "Gamma SA (affiliation) belongs or belonged, since 1 Jul 2023, to the cluster Klaster "
        "Alfa (role: Member)."
    )
    assert [i.subject for i in attention_items("suspended")] == ["Bartek – Klaster Alfa"]
    with pytest.raises(services.EvaluationError):
        services.submit_sheet(assignment=bartek, by=bartek.expert.user)


def test_a_new_organisation_of_the_experts_account_suspends_it(
    scoring, application, django_capture_on_commit_callbacks
):
    anna, _bartek = scoring
    user = anna.expert.user
    with django_capture_on_commit_callbacks(execute=True):
        user.organisation = application.cluster.coordinator
        user.save()
    anna.refresh_from_db()
    assert anna.state == "suspended"
    assert anna.suspension_reason.startswith(
        "Fundacja Alfa (the organisation of the expert's account) coordinates"
    )


def test_a_member_import_sends_one_signal_and_suspends(
    scoring, application, company, django_capture_on_commit_callbacks
):
    anna, _bartek = scoring
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    memberships_changed.connect(listener)
    try:
        other = OrganisationFactory()
        source = (
            f"nip;name;joined_on\n{company.nip};Beta;2026-06-01\n{other.nip};Inna;2026-06-01\n"
        ).encode()
        with django_capture_on_commit_callbacks(execute=True):
            importing.import_members(
                cluster=application.cluster, source=source, filename="m.csv", by=None
            )
    finally:
        memberships_changed.disconnect(listener)
    assert len(received) == 1
    assert received[0]["clusters"] == {application.cluster.pk}
    anna.refresh_from_db()
    assert anna.state == "suspended"


def test_a_suspended_stage_waits_and_lifting_settles_it(scoring, application, operator):
    """Bartek submits, then is suspended; Anna's submission does not complete the stage; the
    operator lifts the suspension (name recorded), and the stage completes with both sheets."""
    anna, bartek = scoring
    _save(bartek, "8")
    services.submit_sheet(assignment=bartek, by=bartek.expert.user)
    suspensions.suspend_assignment(assignment=bartek, reason="Wspólny projekt", by=operator)
    _save(anna, "7")
    services.submit_sheet(assignment=anna, by=anna.expert.user)
    assert competitions.scored_stage_state(application, "merit") == "collecting"
    with pytest.raises(services.EvaluationError) as info:
        suspensions.lift_suspension(assignment=bartek, note="  ", by=operator)
    assert info.value.message_dict == {"note": ["Say why the expert may go on."]}
    operator.first_name, operator.last_name = "Olga", "Operatorska"
    operator.save()
    lifted = suspensions.lift_suspension(assignment=bartek, note="Projekt zakończony", by=operator)
    assert lifted.state == "active"
    assert lifted.lifted_by.get_full_name() == "Olga Operatorska"
    assert lifted.history.first().history_user == operator
    assert competitions.scored_stage_state(application, "merit") == "complete"
    assert attention_items("suspended") == []


def test_a_lifted_conflict_does_not_suspend_again(scoring, application, company, operator):
    anna, _bartek = scoring
    registry.add_membership(
        cluster=application.cluster,
        organisation=company,
        role=MembershipRole.MEMBER,
        joined_on=dt.date(2026, 6, 1),
        by=operator,
    )
    assert [a.pk for a in suspensions.recheck_conflicts(clusters=[application.cluster_id])] == [
        anna.pk
    ]
    suspensions.lift_suspension(assignment=anna, note="Znikomy udział", by=operator)
    assert suspensions.recheck_conflicts(clusters=[application.cluster_id]) == []
    _save(anna, "9")  # the expert goes on


def test_reassigning_withdraws_the_expert_and_assigns_another(scoring, application, operator):
    anna, bartek = scoring
    make_expert("cezary")
    suspensions.suspend_assignment(assignment=anna, reason="Wspólny projekt", by=operator)
    with pytest.raises(services.EvaluationError):
        suspensions.reassign(assignment=bartek, reason="x", by=operator)  # not suspended
    made = suspensions.reassign(assignment=anna, reason="Konflikt interesów", by=operator)
    anna.refresh_from_db()
    assert anna.state == "withdrawn" and anna.withdrawn_reason == "Konflikt interesów"
    assert [a.expert.user.username for a in made] == ["cezary"]
    with pytest.raises(services.EvaluationError):
        suspensions.lift_suspension(assignment=anna, note="za późno", by=operator)


def test_only_operators_suspend_lift_and_reassign(scoring):
    anna, bartek = scoring
    expert = anna.expert.user
    for call in (
        lambda: suspensions.suspend_assignment(assignment=bartek, reason="x", by=expert),
        lambda: suspensions.lift_suspension(assignment=anna, note="x", by=expert),
        lambda: suspensions.reassign(assignment=anna, reason="x", by=expert),
    ):
        with pytest.raises(services.PermissionDenied):
            call()
    assert set(Assignment.objects.values_list("state", flat=True)) == {"active"}


def test_bad_input_writes_nothing(scoring, operator, company):
    anna, _bartek = scoring
    with pytest.raises(services.EvaluationError):
        experts.add_affiliation(
            expert=anna.expert,
            organisation=company,
            position="",
            started_on=dt.date(2024, 1, 1),
            ended_on=dt.date(2023, 1, 1),
            by=operator,
        )
    assert anna.expert.affiliations.count() == 1
    with pytest.raises(services.EvaluationError):
        suspensions.suspend_assignment(assignment=anna, reason=" ", by=operator)
    anna.refresh_from_db()
    assert anna.state == "active"
