"""The yearly report's autosave (monitoring/autosave.js) in the browser: a coordinator's figure
is saved a few seconds after the change without pressing a button; a bad figure is named by the
server beside its field and nothing is written; a save from a page opened before someone else's
save is refused (409) and the other save is kept."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe  # noqa: F401 (the axe-core fixture)
from tests.browser.test_monitoring_journey import _holder, _open
from tests.factories import UserFactory

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 15_000  # ms: the script's 3 s delay after the last change, and the request
STATUS = "#autosave-status"
SAVED = "Zapisano automatycznie o {}"
NOT_SAVED = "Nie zapisano: popraw wartości wskazane poniżej."
NOT_A_NUMBER = "musi być liczbą"
STALE = (
    "W międzyczasie ktoś inny zapisał to sprawozdanie; nic nie zostało zapisane. "
    "Odśwież stronę, aby zobaczyć aktualną wersję sprawozdania."
)


@pytest.fixture
def report(page, live_server):
    """Anna's draft report on last year, Anna logged in."""
    today = timezone.localdate()
    operator = UserFactory(username="operatorka", roles=["operator"], is_staff=True)
    alfa, _anna = _holder("Klaster Alfa", "anna", 12, today)
    report = _open(today, operator)[(alfa.pk, today.year - 1)]
    log_in(page, live_server.url, "anna")
    return report


def _url(live_server, report) -> str:
    return f"{live_server.url}/monitoring/reports/{report.pk}/"


def _saved_messages(before, after) -> list[str]:
    return [SAVED.format(moment.strftime("%H:%M")) for moment in (before, after)]


def test_a_changed_figure_is_saved_without_a_button(page, live_server, report, axe):  # noqa: F811
    version = report.version
    page.goto(_url(live_server, report))
    status = page.locator(STATUS)
    expect(status).to_have_text("")
    before = timezone.localtime()
    page.fill("#id_employees_members", "1 250")
    expect(status).to_have_text(re.compile(r"^Zapisano automatycznie o \d\d:\d\d$"), timeout=WAIT)
    after = timezone.localtime()
    assert status.inner_text() in _saved_messages(before, after)
    assert "text-danger" not in (status.get_attribute("class") or "")
    report.refresh_from_db()
    assert report.values == {"employees_members": "1250"}
    assert report.version == version + 1
    assert page.locator("input[name=version]").input_value() == str(version + 1)
    axe()

    page.reload()
    expect(page.locator("#id_employees_members")).to_have_value("1250")
    assert page.locator("input[name=version]").input_value() == str(version + 1)


def test_a_bad_figure_is_named_and_not_saved(page, live_server, report):
    version = report.version
    page.goto(_url(live_server, report))
    page.fill("#id_employees_members", "dużo")
    error = page.locator("[data-autosave-error=employees_members]")
    expect(error).to_have_text(NOT_A_NUMBER, timeout=WAIT)
    expect(page.locator(STATUS)).to_have_text(NOT_SAVED)
    expect(page.locator(STATUS)).to_have_class(re.compile(r"\btext-danger\b"))
    assert page.locator("[data-autosave-error]").count() == 1
    report.refresh_from_db()
    assert (report.values, report.version) == ({}, version)


def test_a_save_from_an_older_page_is_refused(page, live_server, report):
    version = report.version
    url = _url(live_server, report)
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)

    other.fill("#id_rd_projects", "7")
    expect(other.locator(STATUS)).to_have_text(
        re.compile(r"^Zapisano automatycznie o \d\d:\d\d$"), timeout=WAIT
    )
    report.refresh_from_db()
    assert (report.values, report.version) == ({"rd_projects": "7"}, version + 1)

    page.fill("#id_rd_projects", "3")
    expect(page.locator(STATUS)).to_have_text(STALE, timeout=WAIT)
    expect(page.locator(STATUS)).to_have_class(re.compile(r"\btext-danger\b"))
    report.refresh_from_db()
    assert (report.values, report.version) == ({"rd_projects": "7"}, version + 1)
    other.close()
