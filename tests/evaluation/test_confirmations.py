"""The evaluation's irreversible actions ask first (stating the consequence from the server's
data), act only once confirmed, say what they did and leave the person's name in the history
(issue #13, part 4)."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import Application
from keyclusters.evaluation import decisions, services
from keyclusters.evaluation.models import (
    Assignment,
    ConflictRecord,
    DecisionRecord,
    Recommendation,
    ScoreSheet,
)
from keyclusters.statuses.models import StatusGrant
from tests.evaluation.conftest import RULEBOOK, make_expert, submitted_application
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TWO_CRITERIA = RULEBOOK.replace(
    "      - {id: team, stage: merit, max: 10}\n",
    "      - {id: team, stage: merit, max: 10, title: {pl: Zespół, en: Team}}\n"
    "      - {id: plan, stage: merit, max: 5, title: {pl: Plan, en: Plan of work}}\n",
).replace("rulebook: test-full", "rulebook: test-two-criteria")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _confirmation(response) -> bool:
    return response.status_code == 200 and "accounts/confirm.html" in [
        t.name for t in response.templates
    ]


@pytest.fixture
def two_criteria(call, operator):
    rulebook = competition_services.store_rulebook(source=TWO_CRITERIA)
    other = competition_services.create_call(
        name="Runda dwóch kryteriów",
        rulebook=rulebook,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
    )
    competition_services.change_call_state(call=other, action="open")
    application = submitted_application(other)
    competition_services.pass_formal(application=application, by=operator)
    anna = make_expert("anna")
    anna.user.last_name = "Nowak"
    anna.user.save()
    return services.assign_expert(application=application, stage="merit", expert=anna, by=operator)


# -- the expert's score sheet -----------------------------------------------------------------


def test_submitting_asks_with_the_total_then_submits_and_records_who(client, two_criteria):
    assignment = two_criteria
    expert = assignment.expert.user
    client.force_login(expert)
    url = reverse("evaluation:sheet", args=[assignment.pk])
    declared = client.post(url, {"action": "no-conflict"})
    assert _messages(declared) == [
        "You have declared that you have no conflict of interest: the application is open to you."
    ]
    fields = {
        "action": "submit",
        "points-team": "7,25",
        "why-team": "Zespół z doświadczeniem",
        "points-plan": "4.5",
        "why-plan": "Plan realny",
    }
    asked = client.post(url, fields)
    assert _confirmation(asked)
    assert asked.context["facts"] == [
        ("Cluster", "Klaster Alfa"),
        ("Team", "7.25 of 10"),
        ("Plan of work", "4.5 of 5"),
        ("Total", "11.75 of 15"),
    ]
    assert asked.context["consequences"][0] == (
        "After submission the points and justifications cannot be changed; only an operator "
        "can reopen the sheet."
    )
    body = asked.content.decode()
    assert '<input type="hidden" name="points-team" value="7,25">' in body
    assert '<input type="hidden" name="action" value="submit">' in body
    assert f'href="{url}"' in body  # going back to the sheet
    # nothing is submitted, but the draft is saved: going back loses nothing
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert (sheet.state, sheet.points) == ("draft", {"team": "7.25", "plan": "4.5"})

    done = client.post(url, {**fields, "confirmed": "yes"})
    assert done.status_code == 302
    assert _messages(done) == ["The score sheet has been submitted with 11.75 points out of 15."]
    sheet.refresh_from_db()
    assert sheet.state == "submitted" and sheet.submitted_at is not None
    last = sheet.history.order_by("-history_date", "-history_id").first()
    assert (last.state, last.history_user) == ("submitted", expert)


def test_an_invalid_value_shows_the_sheet_again_and_asks_nothing(client, two_criteria):
    assignment = two_criteria
    client.force_login(assignment.expert.user)
    url = reverse("evaluation:sheet", args=[assignment.pk])
    client.post(url, {"action": "no-conflict"})
    response = client.post(
        url,
        {
            "action": "submit",
            "points-team": "12",
            "why-team": "Za dużo",
            "points-plan": "3",
            "why-plan": "Plan",
        },
    )
    assert response.status_code == 200 and not _confirmation(response)
    errors = {c["criterion"].id: c["errors"] for c in response.context["criteria"]}
    assert errors["plan"] == [] and len(errors["team"]) == 1
    assert [c["points"] for c in response.context["criteria"]] == ["12", "3"]  # as typed
    assert _messages(response)[-1] == f"Team: {errors['team'][0]}"
    assert 'value="12"' in response.content.decode()
    assert not ScoreSheet.objects.filter(assignment=assignment, points__has_key="plan").exists()


def test_declaring_a_conflict_asks_first(client, two_criteria):
    assignment = two_criteria
    expert = assignment.expert.user
    client.force_login(expert)
    url = reverse("evaluation:sheet", args=[assignment.pk])
    fields = {"action": "conflict", "note": "Pracowałam dla koordynatora"}
    asked = client.post(url, fields)
    assert _confirmation(asked)
    assert ("Cluster", "Klaster Alfa") in asked.context["facts"]
    assert ("Note", "Pracowałam dla koordynatora") in asked.context["facts"]
    assert asked.context["consequences"][0].startswith("You withdraw from this evaluation")
    assignment.refresh_from_db()
    assert assignment.state == "active" and not ConflictRecord.objects.exists()

    done = client.post(url, {**fields, "confirmed": "yes"})
    assert done["Location"] == reverse("evaluation:my-assignments")
    assert _messages(done) == ["The conflict of interest has been recorded."]
    assignment.refresh_from_db()
    assert assignment.state == "withdrawn"
    assert ConflictRecord.objects.get().detail == "Pracowałam dla koordynatora"
    assert assignment.history.first().history_user == expert


# -- the operator: replacing an expert, the recommendation list -------------------------------


def test_replacing_an_expert_names_both_and_records_the_operator(client, call, operator):
    operator.first_name, operator.last_name = "Olga", "Operatorska"
    operator.save()
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    anna, _bartek, celina = make_expert("anna"), make_expert("bartek"), make_expert("celina")
    first, _second = services.auto_assign(application=application, stage="merit", by=operator)
    assert first.expert == anna
    services.declare(assignment=first, conflict=False, note="", by=anna.user)
    services.save_sheet(assignment=first, points={"team": "5"}, justifications={}, by=anna.user)
    client.force_login(operator)
    url = reverse("evaluation:call", args=[call.pk])
    fields = {"action": "replace", "assignment": first.pk}
    asked = client.post(url, fields)
    assert _confirmation(asked)
    facts = dict(asked.context["facts"])
    assert (facts["Application"], facts["Expert withdrawn"], facts["Replacement"]) == (
        "Klaster Alfa",
        "Anna",
        "Celina",
    )
    assert asked.context["consequences"][:2] == [
        "Anna is withdrawn from the evaluation of Klaster Alfa; this cannot be undone.",
        "Anna's draft score sheet (1 criterion scored) is kept in the history but does not "
        "count; Anna can no longer open it.",
    ]
    first.refresh_from_db()
    assert first.state == "active"
    assert application.assignments.count() == 2

    done = client.post(url, {**fields, "confirmed": "yes"})
    assert done.status_code == 302
    assert _messages(done) == ["Anna has been replaced by Celina in Klaster Alfa."]
    first.refresh_from_db()
    assert first.state == "withdrawn"
    assert application.assignments.filter(state="active", expert=celina).exists()
    assert first.history.first().history_user == operator

    # the overview shows each assignment's history with the people's names
    page = client.get(url)
    row = page.context["rows"][0]
    withdrawn = next(a for a in row["assignments"] if a.pk == first.pk)
    assert [(e.who, e.what) for e in withdrawn.events] == [
        ("Olga Operatorska", "Assigned"),
        ("Anna", "No conflict of interest declared"),
        ("Olga Operatorska", "Withdrawn: replaced by the operator"),
    ]
    body = page.content.decode()
    assert "Withdrawn: replaced by the operator" in body and "Olga Operatorska" in body


def test_a_submitted_expert_cannot_be_replaced_and_nothing_is_asked(client, call, operator):
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    make_expert("anna"), make_expert("bartek")
    first, _second = services.auto_assign(application=application, stage="merit", by=operator)
    expert = first.expert.user
    services.declare(assignment=first, conflict=False, note="", by=expert)
    services.save_sheet(
        assignment=first, points={"team": "5"}, justifications={"team": "x"}, by=expert
    )
    services.submit_sheet(assignment=first, by=expert)
    client.force_login(operator)
    response = client.post(
        reverse("evaluation:call", args=[call.pk]), {"action": "replace", "assignment": first.pk}
    )
    assert response.status_code == 302
    assert _messages(response) == ["A submitted score sheet cannot be withdrawn."]


def test_sending_the_recommendation_list_asks_first(client, call, operator):
    through_merit(call, operator, ("8", "7"))
    competition_services.change_call_state(call=call, action="close", by=operator)
    client.force_login(operator)
    url = reverse("evaluation:call", args=[call.pk])
    asked = client.post(url, {"action": "recommend"})
    assert _confirmation(asked)
    assert asked.context["consequences"][:2] == [
        "The 1 evaluated application is ranked by the rulebook.",
        "The list is sent to the decision maker, whose approval is binding.",
    ]
    assert not Recommendation.objects.exists()
    done = client.post(url, {"action": "recommend", "confirmed": "yes"})
    assert done["Location"] == reverse("evaluation:recommendation", args=[call.pk])
    assert _messages(done) == [
        "The recommendation list has been prepared and sent to the decision maker for approval."
    ]
    recommendation = Recommendation.objects.get()
    assert recommendation.prepared_by == operator
    assert recommendation.history.first().history_user == operator


# -- the decision maker ------------------------------------------------------------------------


def test_the_approval_states_what_it_binds_then_approves(client, call, operator):
    through_merit(call, operator, ("8", "7"), name="Klaster Alfa")
    through_merit(call, operator, ("2", "1"), panel=("1", "1", "1"), name="Klaster Beta")
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    minister = UserFactory(
        username="minister", first_name="Maria", last_name="Ministerska", roles=["decision-maker"]
    )
    client.force_login(minister)
    url = reverse("evaluation:recommendation", args=[call.pk])
    asked = client.post(url, {"approved_on": "2026-09-30"})
    assert _confirmation(asked)
    assert asked.context["facts"] == [
        ("Call", "Runda pełna"),
        ("Date of the decision", "30 Sep 2026"),
        ("Clusters granted the status", "1"),
        ("Applications on the list", "2"),
    ]
    assert asked.context["consequences"] == [
        "The approval is binding and cannot be undone.",
        "1 cluster is granted the key cluster status, valid from 30 Sep 2026 to 29 Sep 2029.",
        "1 application is not granted the status; its coordinator is given the reasons.",
        "A decision record (PDF) is produced with the list, the date of the decision and your "
        "name as the one who approved it.",
        "The results of the call are published on its public page.",
    ]
    assert asked.context["warnings"] == [
        "The date of the decision (30 Sep 2026) is not today; the statuses run from it."
    ]
    assert '<input type="hidden" name="approved_on" value="2026-09-30">' in asked.content.decode()
    assert not StatusGrant.objects.exists()
    assert Recommendation.objects.get().state == "prepared"

    done = client.post(url, {"approved_on": "2026-09-30", "confirmed": "yes"})
    assert done.status_code == 302
    assert _messages(done) == [
        "The recommendation list has been approved on 30 Sep 2026: 1 cluster has been granted "
        "the status. The decision record has been produced and the results are published."
    ]
    assert StatusGrant.objects.count() == 1
    recommendation = Recommendation.objects.get()
    assert recommendation.history.first().history_user == minister
    assert DecisionRecord.objects.get().approved_by_name == "Maria Ministerska"
    body = client.get(url).content.decode()
    assert "Approved on 30 Sep 2026 by Maria Ministerska." in body
    assert "by operator." in body  # who prepared the list


def test_an_invalid_date_is_not_confirmed(client, call, operator):
    through_merit(call, operator, ("8", "7"))
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    client.force_login(UserFactory(roles=["decision-maker"]))
    url = reverse("evaluation:recommendation", args=[call.pk])
    response = client.post(url, {"approved_on": "jutro"})
    assert response.status_code == 200 and not _confirmation(response)
    assert response.context["form"].errors


# -- the history on the overview ---------------------------------------------------------------


def test_the_overview_with_histories_makes_the_same_number_of_queries(client, call, operator):
    for name in ("a", "b"):
        make_expert(name)
    client.force_login(operator)
    url = reverse("evaluation:call", args=[call.pk])

    def add_application(i: int) -> None:
        application = submitted_application(call, name=f"Klaster {i}")
        competition_services.pass_formal(application=application, by=operator)
        first, second = services.auto_assign(application=application, stage="merit", by=operator)
        services.declare(assignment=first, conflict=False, note="", by=first.expert.user)
        services.save_sheet(
            assignment=first, points={"team": "4"}, justifications={"team": "x"},
            by=first.expert.user,
        )  # fmt: skip
        services.submit_sheet(assignment=first, by=first.expert.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    add_application(1)
    one = count()
    add_application(2)
    add_application(3)
    assert count() == one
    page = client.get(url)
    events = [
        [(e.who, e.what) for e in a.events]
        for row in page.context["rows"]
        for a in row["assignments"]
    ]
    assert ("A", "Score sheet submitted: 4 points") in events[0]
    assert Assignment.objects.count() == 6
    assert Application.objects.count() == 3
