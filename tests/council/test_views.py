"""The Council's pages: members read meetings and download documents and minutes, others get
403; operators plan meetings, add members (also proposed ones), record attendance, positions
and (asked first) the minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyclusters.council import services
from keyclusters.council.models import CouncilMember, Meeting
from tests.council.conftest import DAY, PDF, FakeUpload

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(world):
    world.member = services.add_member(
        user=world.coordinator,
        represents="coordinator",
        cluster=world.alfa,
        member_from=dt.date(2025, 1, 1),
        by=world.operator,
    )
    world.meeting = services.plan_meeting(
        held_on=DAY, place="Warszawa", agenda="Otwarcie\nAnkieta członków", by=world.operator
    )
    world.minutes = services.add_document(
        meeting=world.meeting,
        title="Protokół z posiedzenia",
        upload=FakeUpload("Protokół 12.03.pdf", PDF),
        by=world.operator,
    )
    return world


def client_of(client, user):
    client.force_login(user)
    return client


def test_a_member_reads_the_meetings_and_downloads_the_minutes(client, council):
    services.record_attendance(
        meeting=council.meeting, attendees=[council.member], by=council.operator
    )
    services.adopt_position(
        meeting=council.meeting, title="Ankieta", text="Rada popiera ankietę.", by=council.operator
    )
    services.record_minutes(meeting=council.meeting, document=council.minutes, by=council.operator)
    member = client_of(client, council.coordinator)
    index = member.get(reverse("council:index")).content.decode()
    assert "12 March 2026" in index and "Protokół z posiedzenia" in index
    assert "Plan a meeting" not in index and reverse("council:members") not in index
    page = member.get(reverse("council:meeting", args=[council.meeting.pk])).content.decode()
    assert "<li>Otwarcie</li>" in page and "<li>Ankieta członków</li>" in page
    assert "Anna Nowak – the coordinator of Klaster Alfa" in page
    assert "Position 1: Ankieta" in page and "Rada popiera ankietę." in page
    assert "Record the minutes" not in page and "Add a document" not in page
    response = member.get(reverse("council:document", args=[council.minutes.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="Protokol 12.03.pdf"; '
        "filename*=UTF-8''Protok%C3%B3%C5%82%2012.03.pdf"
    )


def test_non_members_and_former_members_get_403(client, council):
    services.end_membership(
        member=council.member, member_to=dt.date(2025, 12, 31), by=council.operator
    )
    for user in (council.coordinator, council.outsider, council.official):
        signed = client_of(client, user)
        for url in (
            reverse("council:index"),
            reverse("council:meeting", args=[council.meeting.pk]),
            reverse("council:document", args=[council.minutes.pk]),
            reverse("council:members"),
        ):
            assert signed.get(url).status_code == 403, (user, url)
    client.logout()
    assert client.get(reverse("council:index")).status_code == 302


def test_a_member_cannot_change_anything(client, council):
    member = client_of(client, council.coordinator)
    url = reverse("council:meeting", args=[council.meeting.pk])
    response = member.post(url, {"action": "position", "position-title": "T", "position-text": "T"})
    assert response.status_code == 403
    response = member.post(
        reverse("council:index"), {"held_on": "2026-05-05", "place": "X", "agenda": "Y"}
    )
    assert response.status_code == 403
    assert (Meeting.objects.count(), council.meeting.positions.count()) == (1, 0)


def test_the_operator_plans_a_meeting_and_adds_a_proposed_coordinator(client, council):
    operator = client_of(client, council.operator)
    response = operator.post(
        reverse("council:index"),
        {"held_on": "2026-06-18", "place": "Kraków", "agenda": "Nowy katalog KKK"},
    )
    planned = Meeting.objects.get(held_on=dt.date(2026, 6, 18))
    assert response["Location"] == reverse("council:meeting", args=[planned.pk])
    response = operator.post(
        reverse("council:index"), {"held_on": "2026-06-18", "place": " ", "agenda": "A"}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()

    council.member.delete()
    page = operator.get(reverse("council:members")).content.decode()
    assert "Klaster Alfa" in page and "Add Anna Nowak" in page
    operator.post(
        reverse("council:members"),
        {"action": "propose", "cluster": council.alfa.pk, "user": council.coordinator.pk},
    )
    seat = CouncilMember.objects.get()
    assert (seat.user, seat.represents, seat.cluster, seat.member_to) == (
        council.coordinator,
        "coordinator",
        council.alfa,
        None,
    )
    response = operator.post(
        reverse("council:members"),
        {"action": "add", "user": council.outsider.pk, "represents": "coordinator",
         "cluster": council.alfa.pk, "member_from": "2026-01-01"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Ewa Lis does not work for" in response.content.decode()
    assert CouncilMember.objects.count() == 1


def test_the_operator_uploads_records_attendance_and_the_minutes_asked_first(client, council):
    operator = client_of(client, council.operator)
    url = reverse("council:meeting", args=[council.meeting.pk])
    response = operator.post(
        url,
        {"action": "document", "title": "Prezentacja PARP",
         "file": SimpleUploadedFile("parp.pdf", PDF, content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 302
    assert council.meeting.documents.count() == 2
    response = operator.post(
        url,
        {"action": "details", "details-held_on": "2026-03-12", "details-place": "Łódź",
         "details-agenda": "Otwarcie"},
    )  # fmt: skip
    assert response.status_code == 302
    assert (Meeting.objects.get().place, Meeting.objects.get().agenda) == ("Łódź", "Otwarcie")
    operator.post(url, {"action": "attendance", "attendees": [council.member.pk]})
    assert list(Meeting.objects.get().attendees.all()) == [council.member]
    operator.post(
        url, {"action": "position", "position-title": "Ankieta", "position-text": "Popieramy."}
    )
    assert list(council.meeting.positions.values_list("number", "title", "text")) == [
        (1, "Ankieta", "Popieramy.")
    ]

    asked = operator.post(url, {"action": "minutes", "document": council.minutes.pk})
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "Record the minutes of the meeting?" in text and 'name="confirmed"' in text
    assert Meeting.objects.get().minutes is None
    done = operator.post(
        url, {"action": "minutes", "document": council.minutes.pk, "confirmed": "yes"}
    )
    assert done.status_code == 302
    stored = Meeting.objects.get()
    assert (stored.minutes, stored.minutes_recorded_by) == (council.minutes, council.operator)
    page = operator.get(url).content.decode()
    assert "Add a document" not in page and "Record who attended" not in page
    assert "final" in page
