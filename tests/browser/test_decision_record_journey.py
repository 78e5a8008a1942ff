"""The decision maker approves the list, downloads the decision record and finds it in the
decisions' history; anyone then reads the call's public results (issue #13)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from keyclusters.competitions import services
from keyclusters.evaluation import decisions
from keyclusters.evaluation.models import DecisionRecord
from tests.browser.conftest import log_in, log_out, screenshot
from tests.evaluation.conftest import RULEBOOK
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
WARSAW = ZoneInfo("Europe/Warsaw")


def test_decision_maker_approves_downloads_the_record_and_the_results_are_public(page, live_server):
    operator = UserFactory(username="operatorka", roles=["operator"])
    UserFactory(
        username="minister", first_name="Anna", last_name="Ministerska", roles=["decision-maker"]
    )
    rulebook = services.store_rulebook(source=RULEBOOK)
    call = services.create_call(
        name="Runda decyzyjna",
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    call = services.change_call_state(call=call, action="open")
    alfa = through_merit(call, operator, ("8", "7"), name="Klaster Alfa")
    through_merit(call, operator, ("2", "1"), panel=("1", "1", "1"), name="Klaster Beta")
    services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    base = live_server.url

    # before the decision the call has no results
    response = page.goto(f"{base}/evaluation/calls/{call.pk}/results/")
    assert response.status == 404

    log_in(page, base, "minister")
    page.goto(f"{base}/evaluation/calls/{call.pk}/recommendation/")
    page.fill("input[name=approved_on]", "2026-09-30")
    page.click("form button[type=submit].btn-success")
    page.wait_for_selector(".confirmation-consequences")
    assert DecisionRecord.objects.count() == 0  # nothing before the confirmation
    page.click(".confirm-action")
    page.wait_for_selector(".alert-success")
    record = DecisionRecord.objects.get(call=call)
    links = page.locator(".decision-links a")
    assert links.count() == 4
    screenshot(page, "decision-maker-after-approval")
    with page.expect_download() as download_info:
        page.click(f".decision-links a[href$='/decisions/{record.pk}/record.pdf']")
    download = download_info.value
    assert download.suggested_filename == f"decision-{call.pk}-2026-09-30.pdf"
    with open(download.path(), "rb") as pdf:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "Anna Ministerska" in text
    assert f"1 {alfa.number} Klaster Alfa 18,50" in text  # the Polish locale's decimal comma

    # the way back: the decisions' history lists the record and leads to the list
    page.click(".decision-links a[href$='/evaluation/decisions/']")
    page.wait_for_url("**/evaluation/decisions/")
    page.wait_for_selector("table.decision-records")
    assert page.locator("table.decision-records tbody tr").count() == 1
    page.click(f"table.decision-records a[href$='/evaluation/calls/{call.pk}/recommendation/']")
    page.wait_for_url(f"**/evaluation/calls/{call.pk}/recommendation/")
    log_out(page)

    # the public results, reached from the call's public page, without logging in
    page.goto(f"{base}/competitions/calls/{call.pk}/")
    page.click("a.call-results")
    page.wait_for_url(f"**/evaluation/calls/{call.pk}/results/")
    page.wait_for_selector("table.results")
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t") == ["1", "Klaster Alfa", "18,50"]
    assert "Klaster Beta" not in page.content()
    assert "Ministerska" not in page.content()
    screenshot(page, "public-results")
