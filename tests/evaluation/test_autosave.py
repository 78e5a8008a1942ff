"""Autosave of the expert's score sheet (htmx): drafts kept exactly, bad values refused per
field, only the assigned expert and only before submission."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from keyclusters.competitions import services as competition_services
from keyclusters.evaluation import services
from keyclusters.evaluation.models import ScoreSheet
from keyclusters.evaluation.services_drafts import SheetSubmitted, save_draft
from tests.competitions.conftest import WARSAW
from tests.evaluation.conftest import RULEBOOK, make_expert, submitted_application

pytestmark = pytest.mark.django_db

# The test rulebook with a second merit criterion whose maximum is not a whole number.
TWO_CRITERIA = RULEBOOK.replace("rulebook: test-full", "rulebook: test-autosave").replace(
    "      - {id: team, stage: merit, max: 10}\n",
    "      - {id: team, stage: merit, max: 10, title: {en: Team, pl: Zespół}}\n"
    "      - {id: budget, stage: merit, max: 7.5, title: {en: Budget, pl: Budżet}}\n",
)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def assignment(operator):
    rulebook = competition_services.store_rulebook(source=TWO_CRITERIA)
    call = competition_services.create_call(
        name="Runda z autozapisem",
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    call = competition_services.change_call_state(call=call, action="open")
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    anna = make_expert("anna")
    made = services.assign_expert(application=application, stage="merit", expert=anna, by=operator)
    services.declare(assignment=made, conflict=False, note="", by=anna.user)
    return made


def url(assignment):
    return reverse("evaluation:autosave", args=[assignment.pk])


def post(client, assignment, data, **extra):
    return client.post(url(assignment), data, **HTMX, **extra)


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        (dt.datetime(2026, 11, 30, 13, 5, tzinfo=dt.UTC), "14:05"),  # CET, UTC+1
        (dt.datetime(2026, 6, 10, 10, 0, tzinfo=dt.UTC), "12:00"),  # CEST, UTC+2
    ],
)
def test_the_draft_is_saved_exactly_and_the_time_shown_is_warsaw_time(
    client, assignment, instant, shown
):
    client.force_login(assignment.expert.user)
    with time_machine.travel(instant, tick=False):
        response = post(
            client,
            assignment,
            {
                "points-team": "7,5",
                "why-team": "  Silny zespół z doświadczeniem.  ",
                "points-budget": "6.25",
                "why-budget": "Budżet realistyczny.",
            },
        )
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Saved at {shown}</span>" in text
    assert f'data-saved-at="{instant.astimezone(WARSAW).isoformat()}"' in text
    assert 'role="alert"' not in text
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert sheet.points == {"team": "7.5", "budget": "6.25"}
    assert sheet.justifications == {
        "team": "Silny zespół z doświadczeniem.",
        "budget": "Budżet realistyczny.",
    }
    assert (sheet.state, sheet.submitted_at) == ("draft", None)
    # a draft is not a submission: the stage is still waiting for the experts
    assignment.application.refresh_from_db()
    assert (assignment.application.state, assignment.application.stage) == (
        "in-evaluation",
        "merit",
    )


def test_a_bad_value_is_reported_next_to_its_field_and_nothing_of_it_is_stored(client, assignment):
    user = assignment.expert.user
    save_draft(
        assignment=assignment,
        points={"team": "5", "budget": "3"},
        justifications={"team": "Pierwsza wersja."},
        by=user,
    )
    client.force_login(user)
    response = post(
        client,
        assignment,
        {"points-team": "12", "why-team": "Druga wersja.", "points-budget": "4"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Saved at" in text and "except the values listed below:" in text
    # the status line names the field; the message also stands next to the field itself
    assert (
        '<li><a href="#points-team">Points: Team</a> – Points must be between 0 and 10.</li>'
        in text
    )
    assert (
        '<div id="points-team-error" class="invalid-feedback d-block" hx-swap-oob="true">'
        "Points must be between 0 and 10.</div>" in text
    )
    assert (
        '<div id="points-budget-error" class="invalid-feedback d-block" hx-swap-oob="true">'
        "</div>" in text
    )
    sheet = ScoreSheet.objects.get(assignment=assignment)
    # the refused value left the stored one; the valid fields were kept
    assert sheet.points == {"team": "5", "budget": "4"}
    assert sheet.justifications == {"team": "Druga wersja."}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Enter a number."),
        ("NaN", "Enter a number."),
        ("Infinity", "Enter a number."),
        ("-1", "Points must be between 0 and 7.5."),
        ("7.51", "Points must be between 0 and 7.5."),
    ],
)
def test_values_that_are_no_points_are_refused(assignment, typed, message):
    user = assignment.expert.user
    draft = save_draft(
        assignment=assignment, points={"team": "8", "budget": typed}, justifications={}, by=user
    )
    assert draft.errors == {"budget": [message]}
    assert ScoreSheet.objects.get(assignment=assignment).points == {"team": "8"}


def test_limits_and_clearing_a_value(assignment):
    user = assignment.expert.user
    draft = save_draft(
        assignment=assignment, points={"team": "0", "budget": "7.5"}, justifications={}, by=user
    )
    assert (draft.errors, draft.sheet.points) == ({}, {"team": "0", "budget": "7.5"})
    draft = save_draft(assignment=assignment, points={"budget": ""}, justifications={}, by=user)
    assert ScoreSheet.objects.get(assignment=assignment).points == {"team": "0"}
    # nothing new: no write, hence no new history record
    before = ScoreSheet.history.count()
    draft = save_draft(assignment=assignment, points={"team": "0"}, justifications={}, by=user)
    assert (draft.changed, ScoreSheet.history.count()) == (False, before)


def test_another_expert_can_neither_save_nor_see_the_sheet(client, assignment, operator):
    anna = assignment.expert.user
    save_draft(
        assignment=assignment, points={"team": "6"}, justifications={"team": "Anna."}, by=anna
    )
    bartek = make_expert("bartek")
    theirs = services.assign_expert(
        application=assignment.application, stage="merit", expert=bartek, by=operator
    )
    client.force_login(bartek.user)
    response = post(client, assignment, {"points-team": "1", "why-team": "Bartek."})
    assert response.status_code == 404
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert (sheet.points, sheet.justifications) == ({"team": "6"}, {"team": "Anna."})
    # nor through the service
    with pytest.raises(PermissionDenied):
        save_draft(assignment=assignment, points={"team": "1"}, justifications={}, by=bartek.user)
    # Bartek's own autosave answers nothing of Anna's sheet
    services.declare(assignment=theirs, conflict=False, note="", by=bartek.user)
    response = post(client, theirs, {"points-team": "2", "why-team": "Bartek."})
    assert response.status_code == 200
    assert "Anna." not in response.content.decode()
    assert ScoreSheet.objects.get(assignment=theirs).points == {"team": "2"}
    assert ScoreSheet.objects.get(assignment=assignment).points == {"team": "6"}


def test_an_operator_cannot_use_the_expert_autosave(client, assignment, operator):
    client.force_login(operator)
    assert post(client, assignment, {"points-team": "1"}).status_code == 404
    assert not ScoreSheet.objects.filter(assignment=assignment).exists()


def test_a_submitted_sheet_is_refused(client, assignment):
    user = assignment.expert.user
    save_draft(
        assignment=assignment,
        points={"team": "6", "budget": "5"},
        justifications={"team": "Dobrze.", "budget": "Dobrze."},
        by=user,
    )
    services.submit_sheet(assignment=assignment, by=user)
    client.force_login(user)
    response = post(client, assignment, {"points-team": "1", "why-team": "Zmiana."})
    assert response.status_code == 409
    assert (
        '<span class="text-danger" data-refused>'
        "The score sheet has been submitted and cannot change.</span>"
    ) in response.content.decode()
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert sheet.points == {"team": "6", "budget": "5"}
    assert sheet.justifications == {"team": "Dobrze.", "budget": "Dobrze."}
    with pytest.raises(SheetSubmitted):
        save_draft(assignment=assignment, points={"team": "1"}, justifications={}, by=user)
    # the submitted sheet's page has no autosave
    page = client.get(reverse("evaluation:sheet", args=[assignment.pk])).content.decode()
    assert "hx-post" not in page


def test_no_draft_before_the_declaration_of_no_conflict(client, operator, assignment):
    celina = make_expert("celina")
    undeclared = services.assign_expert(
        application=assignment.application, stage="merit", expert=celina, by=operator
    )
    client.force_login(celina.user)
    response = post(client, undeclared, {"points-team": "3"})
    assert response.status_code == 409
    assert "Declare that you have no conflict of interest first." in response.content.decode()
    assert not ScoreSheet.objects.filter(assignment=undeclared).exists()


def test_anonymous_is_sent_to_log_in(client, assignment):
    sheet_url = reverse("evaluation:sheet", args=[assignment.pk])
    response = client.post(url(assignment), {"points-team": "3"})
    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next={sheet_url}",
    )
    response = post(client, assignment, {"points-team": "3"})
    assert response["HX-Redirect"] == f"/accounts/login/?next={sheet_url}"
    assert not ScoreSheet.objects.filter(assignment=assignment).exists()


def test_autosave_is_csrf_protected_and_htmx_sends_the_token(assignment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(assignment.expert.user)
    page = client.get(reverse("evaluation:sheet", args=[assignment.pk])).content.decode()
    token = client.cookies["csrftoken"].value
    assert """<body hx-headers='{"X-CSRFToken": \"""" in page
    assert f'hx-post="{url(assignment)}"' in page
    assert 'hx-trigger="change, keyup changed delay:1500ms"' in page
    assert '<div id="autosave-status" class="small text-body-secondary mb-2" role="status"' in page
    assert post(client, assignment, {"points-team": "3"}).status_code == 403
    assert not ScoreSheet.objects.filter(assignment=assignment).exists()
    response = post(client, assignment, {"points-team": "3"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert ScoreSheet.objects.get(assignment=assignment).points == {"team": "3"}


def test_only_post(client, assignment):
    client.force_login(assignment.expert.user)
    assert client.get(url(assignment)).status_code == 405


def test_the_save_button_still_works_without_javascript(client, assignment):
    client.force_login(assignment.expert.user)
    sheet_url = reverse("evaluation:sheet", args=[assignment.pk])
    response = client.post(
        sheet_url,
        {"action": "save", "points-team": "4", "why-team": "Bez JS.", "points-budget": "2,5"},
    )
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert (sheet.points, sheet.justifications["team"]) == (
        {"team": "4", "budget": "2.5"},
        "Bez JS.",
    )
    # the page shows the draft back, the maximum as a machine number in the input
    page = client.get(sheet_url).content.decode()
    assert 'max="7.5" id="points-budget" name="points-budget" value="2.5"' in page
