"""Overlapping requests on the evaluation, in real threads on one database (PostgreSQL, or a
SQLite file: see tests/concurrency.py). None loses an update, undoes a transition or answers
500."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from keyclusters.competitions import services as competition_services
from keyclusters.evaluation import decisions, services, services_drafts
from keyclusters.evaluation.models import Recommendation, ScoreSheet
from keyclusters.statuses.models import StatusGrant
from tests.concurrency import run_together
from tests.evaluation.conftest import make_expert, submitted_application
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

REFUSALS = (services.EvaluationError,)


@pytest.fixture
def drafted(call, operator):
    """An expert's assignment with a complete draft, ready to be submitted."""
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    make_expert("anna"), make_expert("bartek")
    first, _second = services.auto_assign(application=application, stage="merit", by=operator)
    expert = first.expert.user
    services.declare(assignment=first, conflict=False, note="", by=expert)
    services.save_sheet(
        assignment=first, points={"team": "8"}, justifications={"team": "Dobrze"}, by=expert
    )
    return first


def test_autosaves_and_saves_overlapping_a_submission_never_undo_it(drafted):
    expert = drafted.expert.user

    def autosave(points):
        return lambda: services_drafts.save_draft(
            assignment=drafted, points={"team": points}, justifications={}, by=expert
        )

    outcomes = run_together(
        autosave("7"),
        lambda: services.submit_sheet(assignment=drafted, by=expert),
        autosave("9"),
        lambda: services.save_sheet(
            assignment=drafted, points={"team": "6"}, justifications={}, by=expert
        ),
    )
    assert outcomes[1].ok, outcomes[1].error
    for outcome in outcomes:
        assert outcome.ok or isinstance(outcome.error, REFUSALS), repr(outcome.error)
    sheet = ScoreSheet.objects.get(assignment=drafted)
    assert sheet.state == "submitted"
    # what was submitted is what is stored: the points of the last write before submission
    assert sheet.points["team"] in {"6", "7", "8", "9"}
    assert sheet.history.filter(state="submitted").first().points == sheet.points


def test_overlapping_requests_to_the_sheet_pages_never_answer_500(drafted):
    expert = drafted.expert.user
    autosave_url = reverse("evaluation:autosave", args=[drafted.pk])
    sheet_url = reverse("evaluation:sheet", args=[drafted.pk])

    def request(url, data, **extra):
        def send():
            client = Client()
            client.force_login(expert)
            return client.post(url, data, **extra).status_code

        return send

    fields = {"points-team": "7", "why-team": "Dobrze"}
    outcomes = run_together(
        request(autosave_url, fields, HTTP_HX_REQUEST="true"),
        request(sheet_url, {**fields, "action": "submit", "confirmed": "yes"}),
        request(autosave_url, {**fields, "points-team": "9"}, HTTP_HX_REQUEST="true"),
        request(sheet_url, {**fields, "action": "save"}),
    )
    statuses = [o.value for o in outcomes]
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert statuses[1] == 302
    assert set(statuses) <= {200, 302, 409}, statuses
    assert ScoreSheet.objects.get(assignment=drafted).state == "submitted"


@pytest.fixture
def prepared(call, operator):
    through_merit(call, operator, ("8", "7"))
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    return call


def test_two_approvals_at_once_grant_once(prepared):
    ministers = [UserFactory(username=f"minister{i}", roles=["decision-maker"]) for i in (1, 2)]
    outcomes = run_together(
        *(
            (lambda who=who: decisions.approve_recommendation(
                call=prepared, approved_on=dt.date(2026, 9, 30), by=who
            ))
            for who in ministers
        )
    )  # fmt: skip
    assert sorted(o.ok for o in outcomes) == [False, True]
    refused = next(o for o in outcomes if not o.ok)
    assert isinstance(refused.error, services.EvaluationError)
    assert refused.error.messages == [
        "Not possible now: approve the recommendation list (the recommendation list is approved)."
    ]
    assert StatusGrant.objects.count() == 1
    assert Recommendation.objects.get().state == "approved"
    prepared.refresh_from_db()
    assert prepared.state == "decided"


def test_preparing_again_while_the_list_is_approved_never_wipes_it(prepared, operator):
    minister = UserFactory(username="minister", roles=["decision-maker"])
    outcomes = run_together(
        lambda: decisions.approve_recommendation(
            call=prepared, approved_on=dt.date(2026, 9, 30), by=minister
        ),
        lambda: decisions.prepare_recommendation(call=prepared, by=operator),
    )
    for outcome in outcomes:
        assert outcome.ok or isinstance(outcome.error, REFUSALS), repr(outcome.error)
    assert outcomes[0].ok  # the approval always finds a list: the old one or its replacement
    approved = Recommendation.objects.get(state="approved")
    assert (approved.approved_on, approved.approved_by) == (dt.date(2026, 9, 30), minister)
    assert len(approved.outcomes) == 1 and approved.outcomes[0]["recommended"]
    assert StatusGrant.objects.count() == 1
    # afterwards, preparing again is refused and changes nothing
    with pytest.raises(services.EvaluationError):
        decisions.prepare_recommendation(call=prepared, by=operator)
    assert Recommendation.objects.filter(state="approved").get() == approved


def test_two_experts_submitting_at_once_complete_the_stage_once(call, operator):
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    make_expert("anna"), make_expert("bartek")
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    for assignment, points in ((first, "8"), (second, "7")):
        expert = assignment.expert.user
        services.declare(assignment=assignment, conflict=False, note="", by=expert)
        services.save_sheet(
            assignment=assignment, points={"team": points}, justifications={"team": "x"}, by=expert
        )
    outcomes = run_together(
        lambda: services.submit_sheet(assignment=first, by=first.expert.user),
        lambda: services.submit_sheet(assignment=second, by=second.expert.user),
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    application.refresh_from_db()
    assert application.stage == "panel"
    merit = application.stage_results.get(stage="merit")
    assert (merit.state, str(merit.points)) == ("complete", "7.500000")
    assert application.events.filter(action="advance").count() == 2  # merit → parametric → panel


def test_two_approvals_through_the_page_answer_no_500(prepared):
    url = reverse("evaluation:recommendation", args=[prepared.pk])
    ministers = [UserFactory(username=f"minister{i}", roles=["decision-maker"]) for i in (1, 2)]

    def approve(who):
        def send():
            client = Client()
            client.force_login(who)
            return client.post(url, {"approved_on": "2026-09-30", "confirmed": "yes"})

        return send

    outcomes = run_together(*(approve(who) for who in ministers))
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    statuses = sorted(o.value.status_code for o in outcomes)
    # the first is redirected to the approved list; the second sees the refusal on the page
    assert statuses == [200, 302], statuses
    refused = next(o.value for o in outcomes if o.value.status_code == 200)
    assert "approve the recommendation list" in refused.content.decode()
    assert StatusGrant.objects.count() == 1
