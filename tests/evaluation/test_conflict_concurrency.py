"""Suspensions at the same time as other writes, in real threads on one database (PostgreSQL,
or a SQLite file: see tests/concurrency.py): two operators deciding on one assignment, and a
membership added while the expert submits. None loses an update or answers 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from keyclusters.competitions import services as competitions
from keyclusters.evaluation import experts, services, suspensions
from keyclusters.evaluation.models import Assignment, ScoreSheet
from keyclusters.registry import services as registry
from keyclusters.registry.models import MembershipRole
from tests.concurrency import run_together
from tests.evaluation.conftest import make_expert, submitted_application
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

REFUSALS = (services.EvaluationError,)


@pytest.fixture
def scoring(call, operator):
    application = submitted_application(call)
    competitions.pass_formal(application=application, by=operator)
    anna, bartek = make_expert("anna"), make_expert("bartek")
    make_expert("cezary")
    made = [
        services.assign_expert(application=application, stage="merit", expert=e, by=operator)
        for e in (anna, bartek)
    ]
    for assignment in made:
        services.declare(assignment=assignment, conflict=False, note="", by=assignment.expert.user)
    return made


@pytest.fixture
def second_operator(db):
    return UserFactory(username="operator2", roles=["operator"])


def test_two_operators_lifting_and_reassigning_at_once(scoring, operator, second_operator):
    first, _second = scoring
    suspensions.suspend_assignment(assignment=first, reason="Powiązanie", by=operator)
    outcomes = run_together(
        lambda: suspensions.lift_suspension(assignment=first, note="Bez znaczenia", by=operator),
        lambda: suspensions.reassign(assignment=first, reason="Konflikt", by=second_operator),
    )
    assert sum(o.ok for o in outcomes) == 1, [o.error for o in outcomes]
    for outcome in outcomes:
        assert outcome.ok or isinstance(outcome.error, REFUSALS), repr(outcome.error)
    first.refresh_from_db()
    cezary = Assignment.objects.filter(expert__user__username="cezary")
    if outcomes[0].ok:  # lifted: the expert goes on, nobody else was assigned
        assert first.state == "active" and first.lifted_by == operator
        assert not cezary.exists()
    else:  # reassigned: withdrawn, and Cezary took the stage
        assert first.state == "withdrawn" and first.lifted_by is None
        assert cezary.get().state == "active"
    states = list(first.history.order_by("history_date").values_list("state", flat=True))
    assert states[-2:] == ["suspended", first.state]


def test_two_operators_suspending_at_once(scoring, operator, second_operator):
    first, _second = scoring
    outcomes = run_together(
        lambda: suspensions.suspend_assignment(assignment=first, reason="Jedno", by=operator),
        lambda: suspensions.suspend_assignment(
            assignment=first, reason="Drugie", by=second_operator
        ),
    )
    assert sum(o.ok for o in outcomes) == 1, [o.error for o in outcomes]
    for outcome in outcomes:
        assert outcome.ok or isinstance(outcome.error, REFUSALS), repr(outcome.error)
    first.refresh_from_db()
    winner = next(o.value for o in outcomes if o.ok)
    assert first.state == "suspended"
    assert first.suspension_reason == winner.suspension_reason


def test_a_membership_added_while_the_expert_submits(scoring, operator):
    """The registry's write commits, its signal re-checks and suspends; the submission either
    went first (the submitted sheet stays, the assignment is suspended after it) or is refused.
    """
    first, _second = scoring
    company = OrganisationFactory()
    experts.add_affiliation(
        expert=first.expert,
        organisation=company,
        position="",
        started_on=None,
        ended_on=None,
        by=operator,
    )
    expert = first.expert.user
    services.save_sheet(
        assignment=first, points={"team": "8"}, justifications={"team": "Dobrze"}, by=expert
    )
    cluster = first.application.cluster
    outcomes = run_together(
        lambda: services.submit_sheet(assignment=first, by=expert),
        lambda: registry.add_membership(
            cluster=cluster,
            organisation=company,
            role=MembershipRole.MEMBER,
            joined_on=dt.date(2025, 1, 1),
            by=operator,
        ),
    )
    assert outcomes[1].ok, outcomes[1].error
    assert outcomes[0].ok or isinstance(outcomes[0].error, REFUSALS), repr(outcomes[0].error)
    first.refresh_from_db()
    assert first.state == "suspended"
    sheet = ScoreSheet.objects.get(assignment=first)
    assert sheet.points == {"team": "8"}
    assert sheet.state == ("submitted" if outcomes[0].ok else "draft")
    # the stage does not complete on a suspended expert's sheet
    assert competitions.scored_stage_state(first.application, "merit") == "collecting"


def test_overlapping_decisions_on_the_suspension_page_never_answer_500(
    scoring, operator, second_operator
):
    first, _second = scoring
    suspensions.suspend_assignment(assignment=first, reason="Powiązanie", by=operator)
    url = reverse("evaluation:suspension", args=[first.pk])

    def post(user, data):
        def send():
            client = Client()
            client.force_login(user)
            return client.post(url, data).status_code

        return send

    outcomes = run_together(
        post(operator, {"action": "lift", "note": "Bez znaczenia"}),
        post(second_operator, {"action": "reassign", "reason": "Konflikt", "confirm": "on"}),
        post(operator, {"action": "suspend", "reason": "Jeszcze raz"}),
    )
    for outcome in outcomes:
        assert outcome.ok, outcome.error
        assert outcome.value in (200, 302), outcome.value
    first.refresh_from_db()
    assert first.state in ("active", "suspended", "withdrawn")
