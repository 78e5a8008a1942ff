"""Round III as it ran: the cluster presents before the Expert Panel (issue #14). The operator
schedules a session and the cluster's slot and invites its coordinator; the coordinator names the
presenters and uploads the presentation; a panel member opens the score sheet and downloads it;
the day after, the operator records the minutes (asked first). The pages are checked with
axe-core."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from keyclusters.accounts.models import User
from keyclusters.evaluation.models import Assignment, PanelSession, PanelSlot
from tests.browser.conftest import log_in, log_out, screenshot
from tests.browser.test_accessibility import axe  # noqa: F401 (the axe-core fixture)
from tests.competitions.conftest import PDF, WARSAW
from tests.evaluation.conftest import make_expert
from tests.evaluation.test_panel_slots import PRESENTATION_RULEBOOK, at_panel, open_call
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

THE_DAY_BEFORE = dt.datetime(2026, 9, 9, 12, 0, tzinfo=WARSAW)
THE_DAY_AFTER = dt.datetime(2026, 9, 11, 9, 0, tzinfo=WARSAW)


def test_a_slot_with_a_presentation_from_scheduling_to_the_minutes(
    page,
    live_server,
    axe,  # noqa: F811
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_FILES_SERVER = "django"
    traveller = time_machine.travel(THE_DAY_BEFORE, tick=True)
    clock = traveller.start()
    try:
        _journey(page, live_server.url, axe, clock)
    finally:
        traveller.stop()


def _journey(page, base, axe, clock):  # noqa: F811
    operator = UserFactory(username="operatorka", roles=["operator"])
    call = open_call(PRESENTATION_RULEBOOK, name="Runda III")
    application = at_panel(call, operator, "Klaster Alfa")
    coordinator = User.objects.get(organisation=application.cluster.coordinator)
    coordinator.preferred_language = "pl"
    coordinator.save()
    member = make_expert("panelistka", role="panel-member")
    member.user.first_name, member.user.last_name = "Ewa", "Panelistka"
    member.user.save()
    mail.outbox.clear()  # the submission's and the formal stage's notifications

    # the operator schedules the session from the call's evaluation, then the slot
    log_in(page, base, "operatorka")
    page.goto(f"{base}/evaluation/calls/{call.pk}/")
    page.fill("#id_held_on", "2026-09-10")
    page.fill("#id_place", "Warszawa, ul. Piękna 1")
    page.check(f"input[name=members][value='{member.pk}']")
    page.click("button[value=panel]")
    page.wait_for_selector(".alert-success")
    session = PanelSession.objects.get()
    page.click(f"a[href='/evaluation/panel/sessions/{session.pk}/']")
    page.wait_for_url(f"{base}/evaluation/panel/sessions/{session.pk}/")
    axe()
    assert page.input_value("#id_minutes") == "15"  # the rulebook's presentation minutes
    page.select_option("#id_application", label="Klaster Alfa")
    page.fill("#id_starts_at", "2026-09-10T10:00")
    page.fill("#id_video_link", "https://meet.example.org/panel-alfa")
    page.click("button[value=slot]")
    page.wait_for_selector(".alert-success")
    row = page.locator(".panel-slots tbody tr").first
    assert "10:00–10:15" in row.inner_text()
    page.click("button[value=invite]")
    page.wait_for_selector(".alert-success")
    assert page.locator(".panel-invited").count() == 1
    axe()
    screenshot(page, "operator-sets-a-panel-slot")
    slot = PanelSlot.objects.get()
    assert (slot.starts_at, slot.minutes, slot.place) == (
        dt.datetime(2026, 9, 10, 10, 0, tzinfo=WARSAW),
        15,
        "Warszawa, ul. Piękna 1",
    )
    assert slot.invited_by == operator
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert f"/evaluation/panel/slots/{slot.pk}/" in mail.outbox[0].body
    log_out(page)

    # the coordinator opens the invitation from the application's page, names the presenters
    # and uploads the presentation
    log_in(page, base, coordinator.username)
    page.goto(f"{base}/competitions/applications/{application.pk}/")
    page.click(".panel-invitation-link")
    page.wait_for_url(f"{base}/evaluation/panel/slots/{slot.pk}/")
    axe()
    assert "10 września 2026" in page.locator(".panel-invitation-facts").inner_text()
    page.fill("#id_presenters", "Anna Nowak, prezes zarządu\nJan Kowalski, dyrektor klastra")
    page.set_input_files(
        "#id_presentation",
        files=[{"name": "Prezentacja Alfa.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click(".panel-presentation-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "Prezentacja Alfa.pdf" in page.locator(".panel-presentation").inner_text()
    axe()
    screenshot(page, "coordinator-uploads-the-presentation")
    slot.refresh_from_db()
    assert slot.presenters == "Anna Nowak, prezes zarządu\nJan Kowalski, dyrektor klastra"
    assert (slot.presentation_name, slot.presentation_kind) == ("Prezentacja Alfa.pdf", "pdf")
    log_out(page)

    # the panel member opens the score sheet, declares no conflict and downloads it
    assignment = Assignment.objects.get(expert=member, application=application)
    log_in(page, base, "panelistka")
    page.goto(f"{base}/evaluation/assignments/{assignment.pk}/")
    page.click("button[value=no-conflict]")
    page.wait_for_selector(".panel-slot")
    axe()
    assert "Anna Nowak, prezes zarządu" in page.locator(".panel-slot").inner_text()
    with page.expect_download() as download:
        page.click(".panel-slot-presentation")
    assert download.value.suggested_filename == "Prezentacja Alfa.pdf"
    with open(download.value.path(), "rb") as file:
        assert file.read() == PDF
    screenshot(page, "panel-member-sees-the-presentation")
    log_out(page)

    # the day after the session, the operator records the minutes, asked first
    clock.move_to(THE_DAY_AFTER)
    log_in(page, base, "operatorka")
    page.goto(f"{base}/evaluation/panel/sessions/{session.pk}/")
    page.fill("#session_minutes", "Panel wysłuchał prezentacji Klastra Alfa.")
    page.click("button[value=minutes]")
    page.wait_for_selector(".confirmation-consequences")
    assert PanelSession.objects.get().minutes_recorded_at is None  # nothing before the confirmation
    axe()
    page.click(".confirm-action")
    page.wait_for_selector(".alert-success")
    assert (
        "Panel wysłuchał prezentacji Klastra Alfa." in page.locator(".panel-minutes").inner_text()
    )
    axe()
    screenshot(page, "operator-records-the-panel-minutes")
    session.refresh_from_db()
    assert (session.minutes, session.minutes_recorded_by) == (
        "Panel wysłuchał prezentacji Klastra Alfa.",
        operator,
    )
    assert session.minutes_recorded_at.date() == THE_DAY_AFTER.date()
