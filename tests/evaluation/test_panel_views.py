"""The Expert Panel's pages: the operator's session page (slots, invitations, the minutes asked
first), the coordinator's invitation page (presenters and the presentation) and the download."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keyclusters.evaluation import panel
from keyclusters.evaluation.models import Assignment, PanelSession, PanelSlot
from tests.competitions.conftest import PDF
from tests.evaluation.test_panel_slots import (  # noqa: F401 (fixtures)
    DAY,
    alfa,
    at,
    beta,
    coordinator_of,
    media,
    members,
    panel_call,
    session,
    slot,
)

pytestmark = pytest.mark.django_db
BEFORE = at(9, day=DAY - dt.timedelta(days=1))
AFTER = at(9, day=DAY + dt.timedelta(days=1))


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_session_page_lists_the_slots_with_local_times(session, slot, beta, operator):  # noqa: F811
    panel.set_slot(
        session=session,
        application=beta,
        starts_at=at(11),
        video_link="https://meet.example.org/b",
        by=operator,
    )
    with time_machine.travel(BEFORE):
        response = client_of(operator).get(reverse("evaluation:panel-session", args=[session.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Expert Panel session of 10 September 2026" in page
    assert "10:00–10:15" in page and "11:00–11:15" in page
    assert page.index("Klaster Alfa") < page.index("11:00–11:15")
    assert 'href="https://meet.example.org/b"' in page
    assert page.count("not sent") == 2
    assert "The minutes can be recorded from the day after the session (10 September 2026)." in page


def test_the_operator_sets_a_slot_from_the_page(session, alfa, operator):  # noqa: F811
    url = reverse("evaluation:panel-session", args=[session.pk])
    response = client_of(operator).post(
        url,
        {
            "action": "slot",
            "application": alfa.pk,
            "starts_at": "2026-09-10T10:30",
            "minutes": "15",
            "place": "Sala 2",
            "video_link": "",
        },
    )
    assert response.status_code == 302
    stored = PanelSlot.objects.get()
    assert (stored.starts_at, stored.minutes, stored.place) == (at(10, 30), 15, "Sala 2")


def test_a_refused_slot_shows_its_reason_on_the_field(session, slot, beta, operator):  # noqa: F811
    url = reverse("evaluation:panel-session", args=[session.pk])
    response = client_of(operator).post(
        url,
        {
            "action": "slot",
            "application": beta.pk,
            "starts_at": "2026-09-10T10:05",
            "minutes": "15",
            "place": "",
            "video_link": "http://meet.example.org/b",
        },
    )
    assert response.status_code == 200
    form = response.context["slot_form"]
    assert form.errors == {
        "video_link": ["The video link must be a full address starting with https://."]
    }
    assert PanelSlot.objects.count() == 1


def test_the_operator_invites_from_the_page(
    session,  # noqa: F811
    slot,  # noqa: F811
    operator,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    url = reverse("evaluation:panel-session", args=[session.pk])
    with time_machine.travel(BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client_of(operator).post(url, {"action": "invite", "slot": slot.pk}, follow=True)
    assert response.status_code == 200
    assert PanelSlot.objects.get().invited_at == BEFORE
    assert len(mailoutbox) == 1
    assert [str(m) for m in response.context["messages"]] == [
        "The invitation has been sent to the coordinator of Klaster Alfa."
    ]


def test_the_minutes_are_asked_first_then_recorded(session, operator):  # noqa: F811
    url = reverse("evaluation:panel-session", args=[session.pk])
    client = client_of(operator)
    data = {"action": "minutes", "minutes": "Panel wysłuchał prezentacji."}
    with time_machine.travel(AFTER):
        asked = client.post(url, data)
        assert asked.status_code == 200
        page = asked.content.decode()
        assert "Record the minutes of the session?" in page
        assert "Once recorded, the minutes are final: they cannot be changed or replaced." in page
        assert PanelSession.objects.get().minutes_recorded_at is None
        done = client.post(url, {**data, "confirmed": "yes"})
    assert done.status_code == 302
    stored = PanelSession.objects.get()
    assert (stored.minutes, stored.minutes_recorded_by) == (
        "Panel wysłuchał prezentacji.",
        operator,
    )


def test_minutes_on_the_sessions_day_are_refused_before_any_question(session, operator):  # noqa: F811
    url = reverse("evaluation:panel-session", args=[session.pk])
    with time_machine.travel(at(18)):
        response = client_of(operator).post(
            url, {"action": "minutes", "minutes": "Za wcześnie"}, follow=True
        )
    assert [str(m) for m in response.context["messages"]] == [
        "The minutes can be recorded from the day after the session (10 September 2026)."
    ]
    assert PanelSession.objects.get().minutes == ""


def test_the_coordinator_prepares_the_presentation_on_the_invitation_page(slot, alfa, operator):  # noqa: F811
    panel.send_invitation(slot=slot, by=operator)
    url = reverse("evaluation:panel-invitation", args=[slot.pk])
    client = client_of(coordinator_of(alfa))
    with time_machine.travel(BEFORE):
        page = client.get(url)
        assert page.status_code == 200
        assert "10:00–10:15 (15 minutes)" in page.content.decode()
        response = client.post(
            url,
            {
                "presenters": "Anna Nowak, prezes",
                "presentation": SimpleUploadedFile("Prezentacja.pdf", PDF),
            },
        )
    assert response.status_code == 302
    stored = PanelSlot.objects.get()
    assert (stored.presenters, stored.presentation_name) == (
        "Anna Nowak, prezes",
        "Prezentacja.pdf",
    )
    with time_machine.travel(at(10, 1)):
        closed = client.get(url).content.decode()
        late = client.post(url, {"presenters": "Ktoś inny"}, follow=True)
    assert "The slot started on 10 Sep 2026, 10:00" in closed
    assert 'enctype="multipart/form-data"' not in closed
    assert PanelSlot.objects.get().presenters == "Anna Nowak, prezes"
    assert late.status_code == 200


def test_the_invitation_is_hidden_from_the_coordinator_until_it_is_sent(slot, alfa, beta):  # noqa: F811
    url = reverse("evaluation:panel-invitation", args=[slot.pk])
    assert client_of(coordinator_of(alfa)).get(url).status_code == 404
    assert client_of(coordinator_of(beta)).get(url).status_code == 403


def test_the_presentation_goes_to_the_panel_member_and_not_to_others(
    slot,  # noqa: F811
    alfa,  # noqa: F811
    beta,  # noqa: F811
    operator,
    members,  # noqa: F811
):
    panel.send_invitation(slot=slot, by=operator)
    panel.prepare_presentation(
        slot=slot,
        presenters="Anna Nowak",
        presentation=SimpleUploadedFile("Prezentacja Źródło.pdf", PDF),
        by=coordinator_of(alfa),
        now=BEFORE,
    )
    member, undeclared = members
    Assignment.objects.filter(expert=member, application=alfa).update(
        no_conflict_declared_at=BEFORE
    )
    url = reverse("evaluation:panel-presentation", args=[slot.pk])
    response = client_of(member.user).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Prezentacja Zrodlo.pdf\"; filename*=UTF-8''"
        "Prezentacja%20%C5%B9r%C3%B3d%C5%82o.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    for user in (undeclared.user, coordinator_of(beta)):
        assert client_of(user).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to log in


def test_the_panel_members_sheet_links_the_presentation(slot, alfa, operator, members):  # noqa: F811
    panel.send_invitation(slot=slot, by=operator)
    panel.prepare_presentation(
        slot=slot,
        presenters="Anna Nowak, prezes",
        presentation=SimpleUploadedFile("Prezentacja.pdf", PDF),
        by=coordinator_of(alfa),
        now=BEFORE,
    )
    member = members[0]
    assignment = Assignment.objects.get(expert=member, application=alfa)
    client = client_of(member.user)
    sheet = reverse("evaluation:sheet", args=[assignment.pk])
    assert "panel-slot-presentation" not in client.get(sheet).content.decode()
    client.post(sheet, {"action": "no-conflict", "note": "", "confirmed": "yes"})
    page = client.get(sheet).content.decode()
    assert reverse("evaluation:panel-presentation", args=[slot.pk]) in page
    assert "Download the presentation (Prezentacja.pdf)" in page
    assert "Anna Nowak, prezes" in page
