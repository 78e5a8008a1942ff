"""The Council of Key Clusters (issue #16): the operator records who attended a meeting and its
minutes (asked first); a Council member downloads the minutes from the meeting's page; someone
who is not a member is refused. The pages are checked with axe-core."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from keyclusters.council import services
from keyclusters.council.models import Meeting
from keyclusters.statuses import services as statuses
from tests.browser.conftest import log_in, log_out, screenshot
from tests.browser.test_accessibility import axe  # noqa: F401 (the axe-core fixture)
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_council_member_downloads_the_minutes(page, live_server, axe):  # noqa: F811
    today = timezone.localdate()
    operator = UserFactory(username="operatorka", roles=["operator"])
    alfa = ClusterFactory(name="Klaster Alfa")
    statuses.grant_status(
        cluster=alfa, round_label="VII", decision_on=today - dt.timedelta(days=400),
        valid_from=today - dt.timedelta(days=400), valid_to=today + dt.timedelta(days=700), by=None,
    )  # fmt: skip
    anna = UserFactory(
        username="anna", first_name="Anna", last_name="Nowak", roles=["coordinator"],
        organisation=alfa.coordinator,
    )  # fmt: skip
    UserFactory(username="ewa", first_name="Ewa", last_name="Lis", roles=["coordinator"])
    services.add_member(
        user=anna, represents="coordinator", cluster=alfa,
        member_from=today - dt.timedelta(days=100), by=operator,
    )  # fmt: skip
    meeting = services.plan_meeting(
        held_on=today - dt.timedelta(days=3), place="Warszawa",
        agenda="Ocena działalności KKK\nAnkieta członków", by=operator,
    )  # fmt: skip
    services.add_document(
        meeting=meeting, title="Protokół z posiedzenia",
        upload=SimpleUploadedFile("Protokół Rady.pdf", PDF), by=operator,
    )  # fmt: skip
    base = live_server.url
    meeting_url = f"{base}/council/meetings/{meeting.pk}/"

    # the operator records who attended and the minutes, asked first
    log_in(page, base, "operatorka")
    axe(f"{base}/council/members/")  # the members, none proposed (Alfa has its seat)
    assert page.locator(".council-members tbody tr").count() == 1
    axe(f"{base}/council/")  # the meetings and the form planning one
    page.click(f"a[href='/council/meetings/{meeting.pk}/']")
    page.wait_for_url(meeting_url)
    axe()
    page.check(".council-attendance-form input[type=checkbox]")
    page.click("button[value=attendance]")
    page.wait_for_selector(".alert-success")
    assert page.locator("ul.council-attendees li").count() == 1
    page.select_option("#id_document", label="Protokół z posiedzenia")
    page.click("button[value=minutes]")
    page.wait_for_selector(".confirm-action")
    axe()  # the confirmation page
    assert Meeting.objects.get().minutes is None
    page.click(".confirm-action")
    page.wait_for_url(meeting_url)
    page.wait_for_selector(".alert-success")
    assert Meeting.objects.get().minutes.title == "Protokół z posiedzenia"
    assert page.locator(".council-minutes-form").count() == 0
    log_out(page)

    # a member of the Council finds the meeting and downloads its minutes
    log_in(page, base, "anna")
    page.goto(f"{base}/council/")
    axe()
    page.click(f"a[href='/council/meetings/{meeting.pk}/']")
    page.wait_for_url(meeting_url)
    axe()
    assert page.locator("ul.council-attendees li").inner_text().startswith("Anna Nowak")
    with page.expect_download() as download:
        page.click(".council-minutes a")
    assert download.value.suggested_filename == "Protokół Rady.pdf"
    with open(download.value.path(), "rb") as file:
        assert file.read() == PDF
    screenshot(page, "council-member-downloads-the-minutes")
    log_out(page)

    # a coordinator who does not sit on the Council is refused
    log_in(page, base, "ewa")
    response = page.goto(meeting_url)
    assert response.status == 403
