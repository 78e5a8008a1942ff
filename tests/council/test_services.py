"""The Council's services (keyclusters.council.services and .selectors): exact values, refusals
naming the field that write nothing, and who may act."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from keyclusters.council import selectors, services
from keyclusters.council.models import CouncilMember, Meeting, MeetingDocument, Position
from keyclusters.council.services import CouncilError
from keyclusters.statuses import services as statuses
from tests.council.conftest import DAY, PDF, FakeUpload, holder
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db


def seat(world, **overrides):
    values = {
        "user": world.coordinator,
        "represents": "coordinator",
        "cluster": world.alfa,
        "member_from": dt.date(2025, 1, 1),
        "by": world.operator,
    }
    return services.add_member(**{**values, **overrides})


def meeting(world, held_on=DAY):
    return services.plan_meeting(
        held_on=held_on,
        place="Warszawa, ul. Twarda 18",
        agenda="Otwarcie\r\nMonitorowanie rozwoju KKK\r\n\r\n",
        by=world.operator,
    )


# -- members ----------------------------------------------------------------------------------


def test_a_coordinators_seat_and_a_ministrys(world):
    member = seat(world)
    official = services.add_member(
        user=world.official,
        represents="ministry",
        institution="  Ministerstwo   Rozwoju i Technologii ",
        member_from=dt.date(2025, 2, 1),
        member_to=dt.date(2026, 12, 31),
        cluster=world.alfa,  # ignored: a ministry's seat names no cluster
        by=world.operator,
    )
    assert (member.cluster, member.institution, member.member_to) == (world.alfa, "", None)
    assert (official.cluster, official.institution, official.member_to) == (
        None,
        "Ministerstwo Rozwoju i Technologii",
        dt.date(2026, 12, 31),
    )
    assert list(CouncilMember.objects.on(dt.date(2025, 1, 31))) == [member]
    assert list(CouncilMember.objects.on(dt.date(2026, 12, 31))) == [member, official]
    assert list(CouncilMember.objects.on(dt.date(2027, 1, 1))) == [member]
    assert member.history.get().history_user == world.operator


def test_refusals_of_a_seat_name_the_field_and_write_nothing(world):
    with pytest.raises(CouncilError) as info:
        seat(world, user=world.outsider)
    coordinator = world.alfa.coordinator.name
    assert info.value.message_dict == {
        "user": [f"Ewa Lis does not work for {coordinator}, the coordinator of Klaster Alfa."]
    }
    with pytest.raises(CouncilError) as info:
        seat(world, cluster=None, member_to=dt.date(2024, 12, 31))
    assert info.value.message_dict == {
        "cluster": ["Choose the key cluster whose coordinator the member represents."],
        "member_to": ["The end of the membership cannot come before its start (1 January 2025)."],
    }
    with pytest.raises(CouncilError) as info:
        services.add_member(
            user=world.official, represents="agency", member_from=DAY, by=world.operator
        )
    assert info.value.message_dict == {
        "institution": ["Name the institution the member represents."]
    }
    assert CouncilMember.objects.count() == 0


def test_one_person_holds_one_seat_at_a_time(world):
    seat(world, member_to=dt.date(2025, 12, 31))
    with pytest.raises(CouncilError) as info:
        seat(world, member_from=dt.date(2025, 6, 1))
    assert info.value.message_dict == {
        "member_from": [
            "Anna Nowak is already a member from 1 January 2025 until 31 December 2025."
        ]
    }
    later = seat(world, member_from=dt.date(2026, 1, 1))
    assert CouncilMember.objects.filter(user=world.coordinator).count() == 2
    assert later.member_from == dt.date(2026, 1, 1)


def test_only_an_operator_adds_and_ends(world):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    for by in (world.coordinator, admin):
        with pytest.raises(PermissionDenied):
            seat(world, by=by)
    member = seat(world)
    with pytest.raises(PermissionDenied):
        services.end_membership(member=member, member_to=DAY, by=world.coordinator)
    assert CouncilMember.objects.get().member_to is None


def test_a_membership_ends_not_before_a_meeting_it_attended(world):
    member = seat(world)
    held = meeting(world)
    services.record_attendance(meeting=held, attendees=[member], by=world.operator)
    with pytest.raises(CouncilError) as info:
        services.end_membership(
            member=member, member_to=DAY - dt.timedelta(days=1), by=world.operator
        )
    assert info.value.message_dict == {
        "member_to": [
            "Anna Nowak attended the meeting of 12 March 2026: the membership cannot end before it."
        ]
    }
    with pytest.raises(CouncilError) as info:
        services.end_membership(member=member, member_to=dt.date(2024, 1, 1), by=world.operator)
    assert info.value.message_dict == {
        "member_to": ["The end of the membership cannot come before its start (1 January 2025)."]
    }
    assert CouncilMember.objects.get().member_to is None
    services.end_membership(member=member, member_to=DAY, by=world.operator)
    assert CouncilMember.objects.get().member_to == DAY


# -- proposals from the status registry ---------------------------------------------------------


def test_proposed_members_are_the_coordinators_of_holders_without_a_seat(
    world, django_assert_num_queries
):
    beta = holder("Klaster Beta")
    holder("Klaster Gamma", valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2023, 12, 31))
    # a supra-regional growth cluster, not a key cluster: no seat on the Council of Key Clusters
    growth = ClusterFactory(name="Klaster Delta")
    statuses.grant_status(
        cluster=growth, round_label="PKW 2024", decision_on=dt.date(2024, 1, 1),
        valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2027, 12, 31), status_type="pkw",
        by=None,
    )  # fmt: skip
    UserFactory(username="delta", roles=["coordinator"], organisation=growth.coordinator)
    beta_user = UserFactory(
        username="piotr",
        last_name="Zieliński",
        roles=["coordinator"],
        organisation=beta.coordinator,
    )
    UserFactory(
        username="inactive", roles=["coordinator"], organisation=beta.coordinator, is_active=False
    )
    UserFactory(username="no-role", organisation=beta.coordinator)
    with django_assert_num_queries(3):
        proposals = selectors.proposed_members(DAY)
    assert [(p.cluster.name, list(p.users)) for p in proposals] == [
        ("Klaster Alfa", [world.coordinator]),
        ("Klaster Beta", [beta_user]),
    ]
    seat(world)
    assert [p.cluster.name for p in selectors.proposed_members(DAY)] == ["Klaster Beta"]
    # on a day before Alfa's representative took the seat, Alfa is proposed again
    assert [p.cluster.name for p in selectors.proposed_members(dt.date(2024, 6, 1))] == [
        "Klaster Alfa",
        "Klaster Beta",
    ]
    # Gamma's status was valid in 2022
    assert [p.cluster.name for p in selectors.proposed_members(dt.date(2022, 6, 1))] == [
        "Klaster Gamma"
    ]


# -- meetings ---------------------------------------------------------------------------------


def test_a_meeting_is_planned_with_its_agenda(world):
    held = meeting(world)
    assert (held.held_on, held.place, held.agenda) == (
        DAY,
        "Warszawa, ul. Twarda 18",
        "Otwarcie\nMonitorowanie rozwoju KKK",
    )
    with pytest.raises(CouncilError) as info:
        services.plan_meeting(held_on=DAY, place=" ", agenda="\r\n", by=world.operator)
    assert info.value.message_dict == {
        "place": ["Give the place of the meeting."],
        "agenda": ["Write the agenda of the meeting."],
    }
    assert Meeting.objects.count() == 1


def test_a_document_is_checked_for_size_before_it_is_read_and_for_its_kind(world, settings):
    held = meeting(world)
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "documents": 1024 * 1024}
    too_large = FakeUpload("duży.pdf", b"", size=3 * 1024 * 1024, readable=False)
    with pytest.raises(CouncilError) as info:
        services.add_document(meeting=held, title="Porządek", upload=too_large, by=world.operator)
    assert info.value.message_dict == {"file": ["The file has 3.0 MB; at most 1 MB is accepted."]}
    with pytest.raises(CouncilError) as info:
        services.add_document(
            meeting=held, title=" ", upload=FakeUpload("a.pdf", b"<html>"), by=world.operator
        )
    assert info.value.message_dict == {
        "title": ["Give the document a title."],
        "file": ["Only PDF, DOCX and XLSX documents are accepted."],
    }
    assert MeetingDocument.objects.count() == 0
    document = services.add_document(
        meeting=held, title="Materiały", upload=FakeUpload("Materiały.pdf", PDF), by=world.operator
    )
    stored = MeetingDocument.objects.get()
    assert (stored.title, stored.file_name, stored.kind, stored.size, stored.uploaded_by) == (
        "Materiały",
        "Materiały.pdf",
        "pdf",
        len(PDF),
        world.operator,
    )
    assert stored.file.name.startswith(f"council/{held.pk}/") and stored.file.read() == PDF
    assert document.pk == stored.pk


def test_attendance_and_positions_from_the_meetings_day(world):
    member = seat(world)
    official = services.add_member(
        user=world.official,
        represents="agency",
        institution="PARP",
        member_from=DAY,
        by=world.operator,
    )
    former = services.add_member(
        user=UserFactory(username="old", first_name="Olga", last_name="Dawna"),
        represents="ministry",
        institution="MRiT",
        member_from=dt.date(2020, 1, 1),
        member_to=DAY - dt.timedelta(days=1),
        by=world.operator,
    )
    held = meeting(world)
    with pytest.raises(CouncilError) as info:
        services.record_attendance(
            meeting=held, attendees=[member], by=world.operator, today=DAY - dt.timedelta(days=1)
        )
    assert info.value.messages == [
        "The meeting is held on 12 March 2026: who attended, the positions and the minutes are "
        "recorded from that day on."
    ]
    with pytest.raises(CouncilError) as info:
        services.record_attendance(
            meeting=held, attendees=[member, former], by=world.operator, today=DAY
        )
    assert info.value.message_dict == {
        "attendees": ["Olga Dawna was not a member on 12 March 2026."]
    }
    assert Meeting.objects.get().attendance_recorded_at is None
    services.record_attendance(
        meeting=held, attendees=[member, official], by=world.operator, today=DAY
    )
    services.record_attendance(meeting=held, attendees=[official], by=world.operator, today=DAY)
    stored = Meeting.objects.get()
    assert (list(stored.attendees.all()), stored.attendance_recorded_by) == (
        [official],
        world.operator,
    )

    first = services.adopt_position(
        meeting=held, title="Ankieta", text="Rada popiera ankietę.", by=world.operator
    )
    second = services.adopt_position(
        meeting=held, title=" Monitorowanie ", text="Tekst\r\n", by=world.operator
    )
    assert [(p.number, p.title, p.text) for p in Position.objects.all()] == [
        (1, "Ankieta", "Rada popiera ankietę."),
        (2, "Monitorowanie", "Tekst"),
    ]
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(CouncilError) as info:
        services.adopt_position(meeting=held, title="", text=" ", by=world.operator)
    assert info.value.message_dict == {
        "title": ["Give the position a title."],
        "text": ["Write the text of the position as adopted."],
    }
    assert Position.objects.count() == 2


def test_the_minutes_are_recorded_once_and_close_the_meeting(world):
    member = seat(world)
    held = meeting(world)
    other = meeting(world, held_on=DAY + dt.timedelta(days=30))
    minutes = services.add_document(
        meeting=held, title="Protokół", upload=FakeUpload("protokol.pdf", PDF), by=world.operator
    )
    foreign = services.add_document(
        meeting=other, title="Inny", upload=FakeUpload("inny.pdf", PDF), by=world.operator
    )
    with pytest.raises(CouncilError) as info:
        services.record_minutes(
            meeting=held, document=minutes, by=world.operator, today=DAY - dt.timedelta(days=1)
        )
    assert info.value.messages[0].startswith("The meeting is held on 12 March 2026")
    with pytest.raises(CouncilError) as info:
        services.record_minutes(meeting=held, document=foreign, by=world.operator, today=DAY)
    assert info.value.message_dict == {
        "document": ["Choose the document of this meeting that is its minutes."]
    }
    with pytest.raises(PermissionDenied):
        services.record_minutes(meeting=held, document=minutes, by=world.coordinator, today=DAY)
    assert Meeting.objects.get(pk=held.pk).minutes is None

    services.record_minutes(meeting=held, document=minutes, by=world.operator, today=DAY)
    stored = Meeting.objects.get(pk=held.pk)
    assert (stored.minutes, stored.minutes_recorded_by) == (minutes, world.operator)
    recorded = stored.minutes_recorded_at
    closed = f"The minutes of this meeting were recorded on {recorded:%-d} "
    for attempt in (
        lambda: services.record_minutes(
            meeting=held, document=minutes, by=world.operator, today=DAY
        ),
        lambda: services.record_attendance(
            meeting=held, attendees=[member], by=world.operator, today=DAY
        ),
        lambda: services.adopt_position(
            meeting=held, title="T", text="T", by=world.operator, today=DAY
        ),
        lambda: services.add_document(
            meeting=held, title="Późny", upload=FakeUpload("p.pdf", PDF), by=world.operator
        ),
        lambda: services.change_meeting(
            meeting=held, held_on=DAY, place="Inne", agenda="Inny", by=world.operator
        ),
    ):
        with pytest.raises(CouncilError) as info:
            attempt()
        assert info.value.messages[0].startswith(closed), info.value.messages
        assert info.value.messages[0].endswith(": its record is closed.")
    stored = Meeting.objects.get(pk=held.pk)
    assert (stored.minutes, stored.minutes_recorded_at, stored.attendees.count()) == (
        minutes,
        recorded,
        0,
    )
    assert (stored.positions.count(), stored.documents.count()) == (0, 1)


def test_a_meeting_changes_until_its_minutes_and_its_day_until_attendance(world):
    held = meeting(world)
    services.change_meeting(
        meeting=held, held_on=DAY + dt.timedelta(days=1), place=" Kraków ", agenda="A\r\nB",
        by=world.operator,
    )  # fmt: skip
    stored = Meeting.objects.get()
    assert (stored.held_on, stored.place, stored.agenda) == (dt.date(2026, 3, 13), "Kraków", "A\nB")
    with pytest.raises(PermissionDenied):
        services.change_meeting(
            meeting=held, held_on=DAY, place="X", agenda="Y", by=world.coordinator
        )
    services.adopt_position(meeting=held, title="T", text="T", by=world.operator)
    with pytest.raises(CouncilError) as info:
        services.change_meeting(
            meeting=held, held_on=DAY, place="Kraków", agenda="C", by=world.operator
        )
    assert info.value.message_dict == {
        "held_on": [
            "Who attended or a position of the meeting of 13 March 2026 is recorded: the day "
            "cannot change."
        ]
    }
    services.change_meeting(
        meeting=held, held_on=dt.date(2026, 3, 13), place="Kraków", agenda="C", by=world.operator
    )
    assert Meeting.objects.get().agenda == "C"
