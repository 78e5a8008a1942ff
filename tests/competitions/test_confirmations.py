"""The operator's irreversible actions on a call and on an application ask first, stating the
consequence; confirmed, they act, say so and are recorded with the person's name."""

from __future__ import annotations

import datetime as dt
import html as html_lib

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyclusters.competitions import services
from keyclusters.competitions.models import Application, ApplicationEvent, Call
from tests.competitions.conftest import PDF, WARSAW, in_call
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}


@pytest.fixture
def anna(db):
    return UserFactory(username="anowak", first_name="Anna", last_name="Nowak", roles=["operator"])


def _application(call, name: str, *, submit: bool = True, now=None) -> Application:
    cluster = ClusterFactory(name=name, founded_on=dt.date(2018, 3, 1))
    for _ in range(5):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    now = now or in_call(10, 5)
    application = services.start_application(call=call, cluster=cluster, by=coordinator, now=now)
    if submit:
        services.save_application_data(
            application=application,
            values={"rd_projects": 3},
            files={"strategy": ("strategia.pdf", PDF)},
            by=coordinator,
            now=now,
        )
        services.submit_application(application=application, by=coordinator, now=now)
    return Application.objects.get(pk=application.pk)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


# --- the call's state -------------------------------------------------------------------------


def test_closing_before_the_deadline_warns_and_changes_nothing_until_confirmed(client, call, anna):
    _application(call, "Klaster Alfa")
    _application(call, "Klaster Beta", submit=False)
    _application(call, "Klaster Gamma", submit=False)
    dashboard = reverse("competitions:call-dashboard", args=[call.pk])
    records = call.history.count()
    client.force_login(anna)
    with time_machine.travel(in_call(16, 5, 16), tick=False):
        asked = client.post(dashboard, {"action": "close"})
    assert asked.status_code == 200
    assert Call.objects.get(pk=call.pk).state == "open"
    assert call.history.count() == records
    text = _text(asked)
    assert asked.context["title"] == "Close the call?"
    assert asked.context["warnings"] == [
        "The deadline for applications is 30 Jun 2026, 16:00, 1\xa0month, 2\xa0weeks from now: "
        "closing the call now ends it early.",
        "2 applications are still drafts: they will never be submitted.",
    ]
    assert asked.context["consequences"] == [
        "The call stops accepting applications: no application can be submitted.",
        "1 submitted application goes on being evaluated.",
        "A closed call cannot be opened again. This cannot be undone.",
    ]
    for sentence in asked.context["warnings"] + asked.context["consequences"]:
        assert sentence in text
    assert '<input type="hidden" name="action" value="close">' in text
    assert '<input type="hidden" name="confirmed" value="yes">' in text
    assert f'href="{dashboard}"' in text  # cancel: back to the dashboard

    with time_machine.travel(in_call(16, 5, 16), tick=False):
        done = client.post(dashboard, {"action": "close", **CONFIRMED})
    assert done.status_code == 302 and done["Location"] == dashboard
    assert _messages(done) == ["The call is closed."]
    assert Call.objects.get(pk=call.pk).state == "closed"
    assert call.history.get(state="closed").history_user == anna
    page = client.get(dashboard)
    assert (in_call(16, 5, 16), anna, "closed the call") in [
        (entry["at"], entry["by"], str(entry["action"])) for entry in page.context["history"]
    ]
    assert "16 May 2026, 16:00 · Anna Nowak · closed the call" in page.content.decode()


def test_the_deadline_is_written_in_the_polish_format(client, call, anna):
    client.force_login(anna)
    with time_machine.travel(in_call(16, 5, 16), tick=False):
        asked = client.post(
            reverse("competitions:call-dashboard", args=[call.pk]),
            {"action": "close"},
            headers={"accept-language": "pl"},
        )
    assert "30.06.2026 16:00" in asked.context["warnings"][0]
    assert "1\xa0miesiąc, 2\xa0tygodnie" in asked.context["warnings"][0]


def test_closing_after_the_deadline_warns_of_nothing(client, call, anna):
    _application(call, "Klaster Alfa")
    client.force_login(anna)
    with time_machine.travel(in_call(1, 7), tick=False):
        asked = client.post(
            reverse("competitions:call-dashboard", args=[call.pk]), {"action": "close"}
        )
    assert asked.context["warnings"] == []
    assert Call.objects.get(pk=call.pk).state == "open"


def test_opening_a_call_states_that_its_rulebook_freezes(client, rulebook, anna):
    client.force_login(anna)
    with time_machine.travel(dt.datetime(2026, 5, 1, 10, 0, tzinfo=WARSAW), tick=True):
        call = services.create_call(
            name="Runda nowa",
            rulebook=rulebook,
            opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
            closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
            by=anna,
        )
        dashboard = reverse("competitions:call-dashboard", args=[call.pk])
        asked = client.post(dashboard, {"action": "open"})
        assert asked.context["warnings"] == [
            "The call is planned to open on 4 May 2026, 09:00: it accepts applications only "
            "from then."
        ]
        assert asked.context["consequences"] == [
            "The call is published: coordinators can start applications and submit them until "
            "30 Jun 2026, 16:00.",
            "Its rulebook is frozen: a change to the rules needs a new version of the rulebook.",
            "An open call cannot go back into preparation. This cannot be undone.",
        ]
        assert Call.objects.get(pk=call.pk).state == "draft"
        done = client.post(dashboard, {"action": "open", **CONFIRMED})
    assert _messages(done) == ["The call is open."]
    assert Call.objects.get(pk=call.pk).state == "open"
    history = client.get(dashboard).context["history"]
    assert [(entry["by"], str(entry["action"])) for entry in history] == [
        (anna, "created the call"),
        (anna, "opened the call"),
    ]


def test_starting_the_final_evaluation_counts_the_applications_still_evaluated(client, call, anna):
    _application(call, "Klaster Alfa")
    services.change_call_state(call=call, action="close")
    client.force_login(anna)
    dashboard = reverse("competitions:call-dashboard", args=[call.pk])
    asked = client.post(dashboard, {"action": "start-evaluation"})
    assert asked.context["warnings"] == ["1 application is still being evaluated."]
    assert Call.objects.get(pk=call.pk).state == "closed"
    done = client.post(dashboard, {"action": "start-evaluation", **CONFIRMED})
    assert _messages(done) == ["The final evaluation of the call has started."]
    assert Call.objects.get(pk=call.pk).state == "evaluating"


def test_an_action_the_state_no_longer_allows_is_refused_without_asking(client, call, anna):
    services.change_call_state(call=call, action="close")
    client.force_login(anna)
    response = client.post(
        reverse("competitions:call-dashboard", args=[call.pk]), {"action": "close"}
    )
    assert response.status_code == 302
    assert _messages(response) == ["Not possible now: close the call (the call is closed)."]


def test_the_history_lists_state_changes_only_in_a_constant_number_of_queries(client, call, anna):
    client.force_login(anna)
    dashboard = reverse("competitions:call-dashboard", args=[call.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(dashboard).status_code == 200
        return len(queries.captured_queries)

    # submissions number the applications (the call is saved, its state unchanged)
    _application(call, "Klaster Alfa")
    few = count()
    _application(call, "Klaster Beta")
    services.change_call_state(call=call, action="close", by=anna)
    services.change_call_state(call=call, action="start-evaluation", by=anna)
    assert count() == few
    history = client.get(dashboard).context["history"]
    assert [(entry["by"], str(entry["action"])) for entry in history] == [
        (None, "created the call"),
        (None, "opened the call"),
        (anna, "closed the call"),
        (anna, "started the final evaluation"),
    ]
    assert "the system · opened the call" in client.get(dashboard).content.decode()


# --- overdue completions ----------------------------------------------------------------------


def test_failing_overdue_completions_names_them_then_says_how_many_failed(client, call, anna):
    overdue = _application(call, "Klaster Alfa")
    services.request_completion(
        application=overdue, items=["strategy"], note="Podpis", by=anna, now=in_call(1, 6)
    )
    waiting = _application(call, "Klaster Beta")
    services.request_completion(
        application=waiting, items=["strategy"], note="Podpis", by=anna, now=in_call(12, 6)
    )
    dashboard = reverse("competitions:call-dashboard", args=[call.pk])
    client.force_login(anna)
    with time_machine.travel(in_call(10, 6), tick=False):
        asked = client.post(dashboard, {"action": "expire"})
        assert asked.context["consequences"] == [
            "1 application was not completed by its deadline: it fails the formal evaluation "
            "and leaves the competition.",
            "The coordinators are notified.",
            "This cannot be undone.",
        ]
        assert asked.context["facts"] == [("Klaster Alfa", "deadline 8 Jun 2026, 23:59")]
        assert Application.objects.get(pk=overdue.pk).state == "completion-requested"
        done = client.post(dashboard, {"action": "expire", **CONFIRMED})
    assert _messages(done) == ["1 overdue application failed the formal evaluation."]
    assert Application.objects.get(pk=overdue.pk).state == "rejected"
    assert Application.objects.get(pk=waiting.pk).state == "completion-requested"
    event = ApplicationEvent.objects.get(application=overdue, action="completion-expired")
    assert event.actor == anna
    detail = client.get(reverse("competitions:application-detail", args=[overdue.pk]))
    assert 'not completed in time · <span class="event-actor">Anna Nowak</span>' in (
        detail.content.decode()
    )


def test_with_nothing_overdue_nothing_is_asked(client, call, anna):
    client.force_login(anna)
    response = client.post(
        reverse("competitions:call-dashboard", args=[call.pk]), {"action": "expire"}
    )
    assert response.status_code == 302
    assert _messages(response) == ["No application of this call is overdue."]


def test_expiry_leaves_the_other_calls_applications(client, call, rulebook, anna):
    other = services.create_call(
        name="Runda inna",
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    services.change_call_state(call=other, action="open")
    elsewhere = _application(other, "Klaster Obcy")
    services.request_completion(
        application=elsewhere, items=["strategy"], note="Podpis", by=anna, now=in_call(1, 6)
    )
    client.force_login(anna)
    with time_machine.travel(in_call(10, 6), tick=False):
        response = client.post(
            reverse("competitions:call-dashboard", args=[call.pk]),
            {"action": "expire", **CONFIRMED},
        )
    assert _messages(response) == ["No application of this call is overdue."]
    assert Application.objects.get(pk=elsewhere.pk).state == "completion-requested"


# --- formal decisions -------------------------------------------------------------------------


@pytest.fixture
def submitted(call):
    return _application(call, "Klaster Alfa")


def _formal(application) -> str:
    return reverse("competitions:formal-evaluation", args=[application.pk])


def test_failing_asks_first_then_fails_and_records_who(client, submitted, anna):
    client.force_login(anna)
    data = {"action": "fail", "fail-reasons": "Brak strategii\nBrak podpisów"}
    asked = client.post(_formal(submitted), data)
    assert asked.status_code == 200
    assert asked.context["title"] == "Fail the formal evaluation?"
    assert asked.context["consequences"] == [
        "The application fails the formal evaluation and leaves the competition.",
        "The coordinator is notified with the reasons.",
        "This cannot be undone.",
    ]
    assert asked.context["facts"] == [
        ("Cluster", "Klaster Alfa"),
        ("Call", "Runda testowa"),
        ("Application number", submitted.number),
        ("Reasons", "Brak strategii; Brak podpisów"),
    ]
    assert (
        '<input type="hidden" name="fail-reasons" value="Brak strategii\nBrak podpisów">'
        in asked.content.decode()
    )
    assert Application.objects.get(pk=submitted.pk).state == "submitted"
    assert not ApplicationEvent.objects.filter(application=submitted, action="fail-formal")

    done = client.post(_formal(submitted), {**data, **CONFIRMED})
    assert done["Location"] == reverse("competitions:application-detail", args=[submitted.pk])
    assert _messages(done) == ["The application failed the formal evaluation."]
    submitted.refresh_from_db()
    assert (submitted.state, submitted.outcome_reasons) == (
        "rejected",
        ["Brak strategii", "Brak podpisów"],
    )
    event = ApplicationEvent.objects.get(application=submitted, action="fail-formal")
    assert event.actor == anna
    page = client.get(reverse("competitions:application-detail", args=[submitted.pk]))
    assert (
        'failed the formal evaluation · <span class="event-actor">Anna Nowak</span>'
        in page.content.decode()
    )


def test_a_request_to_complete_states_the_days_and_keeps_the_note(client, submitted, anna):
    client.force_login(anna)
    data = {
        "action": "complete",
        "complete-items": ["strategy", "rd_projects"],
        "complete-note": "Brak podpisu\nna stronie 2",
    }
    with time_machine.travel(in_call(12), tick=False):
        asked = client.post(_formal(submitted), data)
    assert asked.context["consequences"] == [
        "The coordinator gets 7 days to complete the items, until 19 Jun 2026, 23:59; the "
        "application waits until then.",
        "The coordinator is notified with the items and your note.",
        "An application not completed by the deadline fails the formal evaluation.",
        "The rules allow one request to complete per application: no other can follow. This "
        "cannot be undone.",
    ]
    assert asked.context["facts"][-2:] == [
        ("Items to complete", "R&D projects, Strategy"),
        ("Note", "Brak podpisu\nna stronie 2"),
    ]
    html = asked.content.decode()
    assert '<input type="hidden" name="complete-note" value="Brak podpisu\nna stronie 2">' in html
    assert html.count('name="complete-items"') == 2
    assert Application.objects.get(pk=submitted.pk).state == "submitted"

    with time_machine.travel(in_call(12), tick=False):
        done = client.post(_formal(submitted), {**data, **CONFIRMED})
    assert _messages(done) == ["The coordinator was asked to complete the items."]
    submitted.refresh_from_db()
    assert submitted.state == "completion-requested"
    assert submitted.completion_deadline == dt.datetime(2026, 6, 19, 23, 59, 59, tzinfo=WARSAW)
    event = ApplicationEvent.objects.get(application=submitted, action="request-completion")
    assert (event.actor, event.note["note"]) == (anna, "Brak podpisu\nna stronie 2")


def test_passing_names_the_next_stage(client, submitted, anna):
    client.force_login(anna)
    checklist = {
        f"check-{key}": "on"
        for key in (
            "history",
            "strategy",
            "action_plan",
            "critical_mass",
            "concentration",
            "signatures",
        )
    }
    asked = client.post(_formal(submitted), {"action": "pass", **checklist})
    assert asked.context["consequences"] == [
        "The application passes the formal evaluation and goes on to: Parametric evaluation.",
        "The coordinator is notified.",
        "This cannot be undone.",
    ]
    assert Application.objects.get(pk=submitted.pk).state == "submitted"
    done = client.post(_formal(submitted), {"action": "pass", **checklist, **CONFIRMED})
    assert _messages(done) == ["The application passed the formal evaluation."]
    assert Application.objects.get(pk=submitted.pk).state == "in-evaluation"
    assert ApplicationEvent.objects.get(application=submitted, action="pass-formal").actor == anna


def test_an_invalid_form_shows_its_errors_without_asking(client, submitted, anna):
    client.force_login(anna)
    response = client.post(_formal(submitted), {"action": "fail", "fail-reasons": ""})
    assert response.status_code == 200
    assert "title" not in response.context  # the evaluation page, not the confirmation
    assert response.context["fail"].errors == {"reasons": ["This field is required."]}


def test_a_decided_application_is_refused_without_asking(client, submitted, anna):
    services.fail_formal(application=submitted, reasons=["Brak"], by=anna)
    client.force_login(anna)
    response = client.post(_formal(submitted), {"action": "fail", "fail-reasons": "Znowu"})
    assert response.status_code == 200
    assert "consequences" not in response.context
    assert _messages(response) == ["The application is not awaiting a formal decision."]
    assert ApplicationEvent.objects.filter(application=submitted, action="fail-formal").count() == 1
