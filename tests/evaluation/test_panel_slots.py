"""The Expert Panel's slots, invitations, presentations and minutes (keyclusters.evaluation.panel):
exact values, refusals that write nothing, who may do what, and two overlapping slots set at once
in real threads."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from keyclusters.accounts.models import User
from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import Application
from keyclusters.evaluation import decisions, panel, services
from keyclusters.evaluation.models import Assignment, PanelSession, PanelSlot
from tests.competitions.conftest import PDF, WARSAW
from tests.concurrency import run_together
from tests.evaluation.conftest import RULEBOOK, make_expert, submitted_application
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 9, 10)
PANEL_LINE = "  - {id: panel, kind: panel, experts: 3, aggregation: median}"
PRESENTATION_RULEBOOK = RULEBOOK.replace(
    PANEL_LINE, PANEL_LINE[:-1] + ", presentation: {minutes: 15}}"
).replace("rulebook: test-full", "rulebook: test-presentation")


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WARSAW)


def open_call(source: str, name: str = "Runda III"):
    rulebook = competition_services.store_rulebook(source=source)
    made = competition_services.create_call(
        name=name,
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    return competition_services.change_call_state(call=made, action="open")


def at_panel(call, operator, name: str) -> Application:
    """An application past the formal stage, moved on to the panel stage (the merit stage's
    scoring is what tests/evaluation/test_lifecycle.py covers; here only the stage matters)."""
    application = submitted_application(call, name=name)
    competition_services.pass_formal(application=application, by=operator)
    Application.objects.filter(pk=application.pk).update(stage="panel")
    application = Application.objects.get(pk=application.pk)
    assert (application.state, application.stage) == ("in-evaluation", "panel")
    return application


def coordinator_of(application: Application):
    return User.objects.get(organisation=application.cluster.coordinator)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_FILES_SERVER = "django"


@pytest.fixture
def panel_call(db):
    return open_call(PRESENTATION_RULEBOOK)


@pytest.fixture
def members(db):
    return [make_expert(f"panel{i}", role="panel-member") for i in range(2)]


@pytest.fixture
def alfa(panel_call, operator):
    return at_panel(panel_call, operator, "Klaster Alfa")


@pytest.fixture
def beta(panel_call, operator):
    return at_panel(panel_call, operator, "Klaster Beta")


@pytest.fixture
def session(panel_call, operator, alfa, beta, members):
    made, refused = decisions.schedule_panel(
        call=panel_call, held_on=DAY, place="Warszawa, sala 1", members=members, by=operator
    )
    assert refused == []
    return made


@pytest.fixture
def slot(session, alfa, operator):
    return panel.set_slot(
        session=session, application=alfa, starts_at=at(10), place="Sala 1", by=operator
    )


def invited(slot, operator):
    return panel.send_invitation(slot=slot, by=operator)


# -- slots ------------------------------------------------------------------------------------


def test_a_slot_lasts_the_rulebooks_presentation_minutes(session, alfa, operator):
    slot = panel.set_slot(
        session=session,
        application=alfa,
        starts_at=at(10),
        video_link="https://meet.example.org/panel-alfa",
        by=operator,
    )
    stored = PanelSlot.objects.get()
    assert (stored.session, stored.application, stored.starts_at, stored.minutes) == (
        session,
        alfa,
        at(10),
        15,
    )
    assert (stored.place, stored.video_link) == ("", "https://meet.example.org/panel-alfa")
    assert stored.ends_at == at(10, 15)
    assert (stored.invited_at, stored.presenters, stored.presentation.name) == (None, "", "")
    assert slot.history.count() == 1


def test_without_presentation_minutes_a_slot_lasts_twenty_minutes(operator):
    call = open_call(RULEBOOK, name="Runda bez minut")
    application = at_panel(call, operator, "Klaster Gamma")
    session = PanelSession.objects.create(call=call, held_on=DAY, place="Łódź")
    slot = panel.set_slot(
        session=session, application=application, starts_at=at(9), place="Łódź", by=operator
    )
    assert (slot.minutes, slot.ends_at) == (20, at(9, 20))
    assert panel.presentation_minutes(call.rulebook.parsed()) == 20


def test_the_operator_may_give_another_length(session, alfa, operator):
    slot = panel.set_slot(
        session=session, application=alfa, starts_at=at(11), minutes=30, place="Sala", by=operator
    )
    assert (slot.minutes, slot.ends_at) == (30, at(11, 30))


def test_slots_that_touch_do_not_overlap(session, alfa, beta, operator):
    panel.set_slot(session=session, application=alfa, starts_at=at(10), place="S", by=operator)
    second = panel.set_slot(
        session=session, application=beta, starts_at=at(10, 15), place="S", by=operator
    )
    assert [s.application.cluster.name for s in panel.slots_of(session)] == [
        "Klaster Alfa",
        "Klaster Beta",
    ]
    assert second.starts_at == at(10, 15)


def test_an_overlapping_slot_is_refused_with_the_other_clusters_times(
    session, alfa, beta, operator
):
    panel.set_slot(session=session, application=alfa, starts_at=at(10), place="S", by=operator)
    with pytest.raises(services.EvaluationError) as info:
        panel.set_slot(
            session=session, application=beta, starts_at=at(10, 14), place="S", by=operator
        )
    assert info.value.message_dict == {
        "starts_at": ["The slot would overlap Klaster Alfa's slot (10:00–10:15)."]
    }
    assert PanelSlot.objects.count() == 1


@pytest.mark.parametrize(
    ("starts_at", "minutes"),
    [
        pytest.param(at(10, day=DAY + dt.timedelta(days=1)), None, id="the next day"),
        pytest.param(at(23, 50), None, id="ends after midnight"),
        pytest.param(at(0, 0, day=DAY) - dt.timedelta(minutes=5), None, id="the day before"),
    ],
)
def test_a_slot_outside_the_sessions_day_is_refused(session, alfa, operator, starts_at, minutes):
    with pytest.raises(services.EvaluationError) as info:
        panel.set_slot(
            session=session, application=alfa, starts_at=starts_at, place="S", by=operator
        )
    assert info.value.message_dict == {
        "starts_at": ["The slot must start and end on the day of the session, 10 September 2026."]
    }
    assert not PanelSlot.objects.exists()


def test_a_slot_ending_at_midnight_is_on_the_day(session, alfa, operator):
    slot = panel.set_slot(
        session=session, application=alfa, starts_at=at(23, 45), place="S", by=operator
    )
    assert slot.ends_at == at(0, 0, day=DAY + dt.timedelta(days=1))


def test_a_slot_needs_a_place_or_an_https_video_link(session, alfa, operator):
    with pytest.raises(services.EvaluationError) as info:
        panel.set_slot(session=session, application=alfa, starts_at=at(10), by=operator)
    assert info.value.message_dict == {"place": ["Give the place of the slot or a video link."]}
    with pytest.raises(services.EvaluationError) as info:
        panel.set_slot(
            session=session,
            application=alfa,
            starts_at=at(10),
            video_link="http://meet.example.org/x",
            by=operator,
        )
    assert info.value.message_dict == {
        "video_link": ["The video link must be a full address starting with https://."]
    }
    with pytest.raises(services.EvaluationError) as info:
        panel.set_slot(
            session=session, application=alfa, starts_at=at(10), minutes=0, place="S", by=operator
        )
    assert info.value.message_dict == {
        "minutes": ["The length of the slot must be at least one minute."]
    }
    assert not PanelSlot.objects.exists()


def test_an_application_not_at_the_panel_stage_gets_no_slot(session, panel_call, operator):
    in_merit = submitted_application(panel_call, name="Klaster Delta")
    competition_services.pass_formal(application=in_merit, by=operator)
    with pytest.raises(services.EvaluationError) as info:
        panel.set_slot(
            session=session, application=in_merit, starts_at=at(12), place="S", by=operator
        )
    assert info.value.message_dict == {
        "application": ["Klaster Delta's application is not at the Expert Panel stage."]
    }
    assert not PanelSlot.objects.exists()


def test_an_application_of_another_call_gets_no_slot(session, operator):
    other = at_panel(open_call(RULEBOOK, name="Inna runda"), operator, "Klaster Obcy")
    with pytest.raises(services.EvaluationError) as info:
        panel.set_slot(session=session, application=other, starts_at=at(12), place="S", by=operator)
    assert info.value.message_dict == {
        "application": ["Klaster Obcy's application is not at the Expert Panel stage."]
    }


def test_only_an_operator_sets_slots_sends_invitations_and_records_minutes(
    session, slot, alfa, members
):
    for who in (coordinator_of(alfa), members[0].user, UserFactory(roles=["decision-maker"])):
        with pytest.raises(PermissionDenied):
            panel.set_slot(session=session, application=alfa, starts_at=at(12), place="S", by=who)
        with pytest.raises(PermissionDenied):
            panel.send_invitation(slot=slot, by=who)
        with pytest.raises(PermissionDenied):
            panel.record_minutes(
                session=session, text="Protokół", by=who, today=DAY + dt.timedelta(days=1)
            )
    stored = PanelSlot.objects.get()
    assert (stored.starts_at, stored.invited_at) == (at(10), None)
    assert PanelSession.objects.get().minutes_recorded_at is None


def test_a_changed_slot_must_be_sent_again(session, slot, alfa, operator):
    invited(slot, operator)
    same = panel.set_slot(
        session=session, application=alfa, starts_at=at(10), place="Sala 1", by=operator
    )
    assert same.invited_at is not None  # nothing changed: the invitation stands
    moved = panel.set_slot(
        session=session, application=alfa, starts_at=at(13), place="Sala 1", by=operator
    )
    assert (moved.pk, moved.starts_at, moved.invited_at) == (slot.pk, at(13), None)
    assert PanelSlot.objects.count() == 1


# -- the invitation ---------------------------------------------------------------------------


def test_the_invitation_goes_to_the_clusters_coordinators(
    slot, alfa, operator, mailoutbox, django_capture_on_commit_callbacks
):
    coordinator = coordinator_of(alfa)
    coordinator.preferred_language = "en"
    coordinator.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = panel.send_invitation(slot=slot, by=operator)
    assert sent.invited_by == operator
    assert PanelSlot.objects.get().invited_at == sent.invited_at
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    message = mailoutbox[0]
    assert message.subject == "Invitation to the Expert Panel: Klaster Alfa, 10 September 2026"
    assert "When: 10 September 2026, 10:00–10:15 (15 minutes)" in message.body
    assert "Where: Sala 1" in message.body
    assert message.body.rstrip().endswith(f"/evaluation/panel/slots/{slot.pk}/")


def test_nobody_to_invite_is_said(slot, alfa, operator, mailoutbox):
    coordinator = coordinator_of(alfa)
    coordinator.email = ""
    coordinator.save()
    with pytest.raises(services.EvaluationError) as info:
        panel.send_invitation(slot=slot, by=operator)
    assert info.value.messages == [
        "Klaster Alfa's coordinator has no active account with an e-mail address: nobody can "
        "be invited."
    ]
    assert PanelSlot.objects.get().invited_at is None
    assert mailoutbox == []


# -- the presenters and the presentation ------------------------------------------------------

BEFORE = at(9)  # the coordinator's clock, before the 10:00 slot


def pptx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/ppt/presentation.xml" ContentType="'
            f'{panel.presentations.PPTX_MAIN_TYPE}"/></Types>',
        )
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
    return out.getvalue()


def odp() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", panel.presentations.ODP_MIMETYPE)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def test_the_coordinator_names_the_presenters_and_uploads_a_pdf(slot, alfa, operator):
    invited(slot, operator)
    coordinator = coordinator_of(alfa)
    saved = panel.prepare_presentation(
        slot=slot,
        presenters="  Anna Nowak, prezes\nJan Kowalski, dyrektor  ",
        presentation=SimpleUploadedFile("Prezentacja Alfa.pdf", PDF),
        by=coordinator,
        now=BEFORE,
    )
    stored = PanelSlot.objects.get()
    assert stored.presenters == "Anna Nowak, prezes\nJan Kowalski, dyrektor"
    assert (stored.presentation_name, stored.presentation_kind, stored.presentation_size) == (
        "Prezentacja Alfa.pdf",
        "pdf",
        len(PDF),
    )
    assert (stored.presentation_uploaded_at, stored.presentation_uploaded_by) == (
        BEFORE,
        coordinator,
    )
    assert stored.presentation.name.startswith(f"panel/{slot.session_id}/{alfa.pk}/")
    with stored.presentation.open("rb") as file:
        assert file.read() == PDF
    assert saved.pk == slot.pk


@pytest.mark.parametrize(("content", "kind"), [(pptx, "pptx"), (odp, "odp")])
def test_pptx_and_odp_presentations_are_accepted(slot, alfa, operator, content, kind):
    invited(slot, operator)
    panel.prepare_presentation(
        slot=slot,
        presenters="Anna Nowak, prezes",
        presentation=SimpleUploadedFile(f"p.{kind}", content()),
        by=coordinator_of(alfa),
        now=BEFORE,
    )
    assert PanelSlot.objects.get().presentation_kind == kind


def test_saving_the_presenters_keeps_the_presentation(slot, alfa, operator):
    invited(slot, operator)
    coordinator = coordinator_of(alfa)
    panel.prepare_presentation(
        slot=slot,
        presenters="Anna Nowak",
        presentation=SimpleUploadedFile("a.pdf", PDF),
        by=coordinator,
        now=BEFORE,
    )
    panel.prepare_presentation(slot=slot, presenters="Jan Kowalski", by=coordinator, now=BEFORE)
    stored = PanelSlot.objects.get()
    assert (stored.presenters, stored.presentation_name) == ("Jan Kowalski", "a.pdf")


class Oversized:
    """An upload reporting 21 MB that must not be read."""

    name = "duza.pdf"
    size = 21 * 2**20

    def read(self) -> bytes:
        raise AssertionError("the file was read before its size was checked")


@pytest.mark.parametrize(
    ("presenters", "upload", "errors"),
    [
        pytest.param(
            "   ",
            None,
            {"presenters": ["Name the people who will present, with their functions."]},
            id="no presenters",
        ),
        pytest.param(
            "Anna Nowak",
            Oversized(),
            {"presentation": ["The file has 21.0 MB; at most 20 MB is accepted."]},
            id="too large, not read",
        ),
        pytest.param(
            "Anna Nowak",
            SimpleUploadedFile("p.pdf", b"<html><script>alert(1)</script></html>"),
            {"presentation": ["Only PDF, PPTX and ODP presentations are accepted."]},
            id="html named pdf",
        ),
        pytest.param(
            "Anna Nowak",
            SimpleUploadedFile("p.pdf", b""),
            {"presentation": ["The file is empty."]},
            id="empty",
        ),
    ],
)
def test_a_refused_presentation_writes_nothing(slot, alfa, operator, presenters, upload, errors):
    invited(slot, operator)
    with pytest.raises(services.EvaluationError) as info:
        panel.prepare_presentation(
            slot=slot,
            presenters=presenters,
            presentation=upload,
            by=coordinator_of(alfa),
            now=BEFORE,
        )
    assert info.value.message_dict == errors
    stored = PanelSlot.objects.get()
    assert (stored.presenters, stored.presentation.name) == ("", "")


def test_the_presentation_waits_for_the_invitation_and_closes_at_the_start(slot, alfa, operator):
    coordinator = coordinator_of(alfa)
    with pytest.raises(services.EvaluationError) as info:
        panel.prepare_presentation(slot=slot, presenters="A", by=coordinator, now=BEFORE)
    assert info.value.messages == ["The invitation to this slot has not been sent yet."]
    invited(slot, operator)
    with pytest.raises(services.EvaluationError) as info:
        panel.prepare_presentation(slot=slot, presenters="A", by=coordinator, now=at(10))
    assert info.value.messages == [
        "The slot started on 10 Sep 2026, 10:00: the presenters and the presentation can no "
        "longer be changed."
    ]
    panel.prepare_presentation(slot=slot, presenters="A", by=coordinator, now=at(9, 59))
    assert PanelSlot.objects.get().presenters == "A"


def test_only_the_clusters_coordinator_prepares_the_presentation(slot, beta, operator, members):
    invited(slot, operator)
    for who in (coordinator_of(beta), operator, members[0].user):
        with pytest.raises(PermissionDenied):
            panel.prepare_presentation(slot=slot, presenters="A", by=who, now=BEFORE)
    assert PanelSlot.objects.get().presenters == ""


def test_who_may_download_the_presentation(slot, alfa, beta, operator, members, panel_call):
    member, undeclared = members
    Assignment.objects.filter(application=alfa, expert=member).update(
        no_conflict_declared_at=BEFORE
    )
    merit_expert = make_expert("merit-expert")
    services.assign_expert(application=alfa, stage="merit", expert=merit_expert, by=operator)
    Assignment.objects.filter(expert=merit_expert).update(no_conflict_declared_at=BEFORE)
    other_panel_member = make_expert("other-panel", role="panel-member")
    may = {
        "operator": operator,
        "coordinator": coordinator_of(alfa),
        "panel member (declared)": member.user,
        "panel member (not declared)": undeclared.user,
        "merit expert": merit_expert.user,
        "panel member not assigned": other_panel_member.user,
        "other coordinator": coordinator_of(beta),
        "decision maker": UserFactory(roles=["decision-maker"]),
        "administrator": UserFactory(is_superuser=True),
    }
    assert {who: panel.may_download(user, slot) for who, user in may.items()} == {
        "operator": True,
        "coordinator": True,
        "panel member (declared)": True,
        "panel member (not declared)": False,
        "merit expert": False,
        "panel member not assigned": False,
        "other coordinator": False,
        "decision maker": False,
        "administrator": True,
    }


def test_the_panel_members_sheet_shows_the_slot(slot, alfa, members):
    member, undeclared = members
    assignment = Assignment.objects.get(application=alfa, expert=member)
    assert panel.slot_for_sheet(assignment) is None  # no conflict declared yet
    services.declare(assignment=assignment, conflict=False, note="", by=member.user)
    assignment.refresh_from_db()
    assert panel.slot_for_sheet(assignment) == slot
    merit = Assignment.objects.create(
        expert=make_expert("merit-expert"),
        application=alfa,
        stage="merit",
        no_conflict_declared_at=BEFORE,
    )
    assert panel.slot_for_sheet(merit) is None


# -- the minutes ------------------------------------------------------------------------------


def test_the_minutes_are_recorded_after_the_day_and_are_final(session, operator):
    for day in (DAY - dt.timedelta(days=1), DAY):
        with pytest.raises(services.EvaluationError) as info:
            panel.record_minutes(session=session, text="Protokół", by=operator, today=day)
        assert info.value.messages == [
            "The minutes can be recorded from the day after the session (10 September 2026)."
        ]
    with pytest.raises(services.EvaluationError) as info:
        panel.record_minutes(session=session, text="  ", by=operator, today=DAY + dt.timedelta(1))
    assert info.value.message_dict == {"minutes": ["Write the minutes of the session."]}
    assert PanelSession.objects.get().minutes_recorded_at is None
    recorded = panel.record_minutes(
        session=session,
        text=" Panel wysłuchał prezentacji. ",
        by=operator,
        today=DAY + dt.timedelta(1),
    )
    stored = PanelSession.objects.get()
    assert (stored.minutes, stored.minutes_recorded_by) == (
        "Panel wysłuchał prezentacji.",
        operator,
    )
    assert stored.minutes_recorded_at == recorded.minutes_recorded_at
    operator.first_name, operator.last_name = "Olga", "Operatorka"
    operator.save()
    with pytest.raises(services.EvaluationError) as info:
        panel.record_minutes(session=session, text="Inny", by=operator, today=DAY + dt.timedelta(2))
    assert info.value.messages == [
        f"The minutes were recorded on {panel.when(recorded.minutes_recorded_at)} by Olga "
        "Operatorka; they cannot be changed."
    ]
    assert PanelSession.objects.get().minutes == "Panel wysłuchał prezentacji."


# -- at once ----------------------------------------------------------------------------------


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_slots_set_at_once_one_is_refused(session, alfa, beta, operator):
    outcomes = run_together(
        lambda: panel.set_slot(
            session=session, application=alfa, starts_at=at(10), place="S", by=operator
        ),
        lambda: panel.set_slot(
            session=session, application=beta, starts_at=at(10, 5), place="S", by=operator
        ),
    )
    assert sorted(o.ok for o in outcomes) == [False, True]
    refused = next(o for o in outcomes if not o.ok)
    assert isinstance(refused.error, services.EvaluationError)
    winner = next(o for o in outcomes if o.ok).value
    stored = PanelSlot.objects.get()
    assert stored.pk == winner.pk
    if winner.application == alfa:
        expected = "The slot would overlap Klaster Alfa's slot (10:00–10:15)."
    else:
        expected = "The slot would overlap Klaster Beta's slot (10:05–10:20)."
    assert refused.error.message_dict == {"starts_at": [expected]}
