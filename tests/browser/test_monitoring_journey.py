"""Yearly monitoring in the browser (issue #16): a coordinator fills in the report on last year
and submits it, asked first; an operator returns it with a note, asked first, and the coordinator
reads the note; the ministry's table of one indicator across holders and years with its SVG chart
(a line per holder). Every page is checked with axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from keyclusters.monitoring import services
from keyclusters.monitoring.models import YearlyReport
from keyclusters.statuses import services as statuses
from tests.browser.conftest import log_in, log_out, screenshot
from tests.browser.test_accessibility import axe  # noqa: F401 (the axe-core fixture)
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

FIGURES = {
    "employees_members": "1 250",
    "revenue_members": "412000000",
    "export_share": "31,5",
    "rd_projects": "6",
    "joint_projects": "11",
    "funds_raised": "1850000",
    "member_services": "42",
}
NOTE = "Proszę podać przychody wszystkich członków, nie tylko przedsiębiorstw z regionu."


def _holder(name: str, username: str, members: int, today: dt.date):
    """A cluster holding the key cluster status through the two years before ``today``, with
    an account of its coordinator."""
    cluster = ClusterFactory(name=name, founded_on=dt.date(2012, 3, 1))
    for _number in range(members):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    start = dt.date(today.year - 2, 1, 1)
    statuses.grant_status(
        cluster=cluster, round_label="VI", decision_on=start, valid_from=start,
        valid_to=today + dt.timedelta(days=700), by=None,
    )  # fmt: skip
    coordinator = UserFactory(
        username=username, first_name=username.capitalize(), last_name="Nowak",
        roles=["coordinator"], organisation=cluster.coordinator,
    )  # fmt: skip
    return cluster, coordinator


def _open(today: dt.date, operator) -> dict[tuple[int, int], YearlyReport]:
    """The reports on the two years before ``today``, by (cluster, year)."""
    framework = services.store_shipped_framework()
    opened = {}
    for year in (today.year - 2, today.year - 1):
        created = services.open_reports(year=year, framework=framework, by=operator, today=today)
        opened.update({(r.cluster_id, year): r for r in created.created})
    return opened


def _accept(report: YearlyReport, coordinator, operator, employees: int) -> None:
    figures = {**FIGURES, "employees_members": str(employees)}
    services.save_values(report=report, values=figures, by=coordinator)
    services.submit_report(report=report, by=coordinator)
    services.accept_report(report=report, by=operator)


def _state_label(state: str) -> str:
    with translation.override("pl"):
        return str(YearlyReport.State(state).label)


def test_a_coordinator_submits_and_an_operator_returns_with_a_note(page, live_server, axe):  # noqa: F811
    today = timezone.localdate()
    operator = UserFactory(username="operatorka", roles=["operator"], is_staff=True)
    alfa, anna = _holder("Klaster Alfa", "anna", 12, today)
    reports = _open(today, operator)
    report = reports[(alfa.pk, today.year - 1)]
    _accept(reports[(alfa.pk, today.year - 2)], anna, operator, employees=1180)
    base = live_server.url
    report_url = f"{base}/monitoring/reports/{report.pk}/"

    # the coordinator finds the report on last year, fills in the figures and submits it
    log_in(page, base, "anna")
    axe(f"{base}/monitoring/mine/")
    assert page.locator("main tbody tr").count() == 2
    page.click(f"main a[href='/monitoring/reports/{report.pk}/']")
    page.wait_for_url(report_url)
    axe()
    assert page.locator("[data-state]").inner_text() == _state_label("draft")
    for field, value in FIGURES.items():
        page.fill(f"#id_{field}", value)
    screenshot(page, "coordinator-yearly-report")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector(".confirm-action")
    axe()  # the confirmation, stating what submitting does
    report.refresh_from_db()
    assert report.state == "draft"
    assert report.values["employees_members"] == "1250"  # saved before asking
    page.click(".confirm-action")
    page.wait_for_url(report_url)
    page.wait_for_selector(".alert-success")
    axe()
    assert page.locator("[data-state]").inner_text() == _state_label("submitted")
    assert page.locator("button[name=action][value=submit]").count() == 0
    report.refresh_from_db()
    assert (report.state, report.submitted_by) == ("submitted", anna)
    assert report.values == {
        "employees_members": "1250",
        "revenue_members": "412000000.00",
        "export_share": "31.50",
        "rd_projects": "6",
        "joint_projects": "11",
        "funds_raised": "1850000.00",
        "member_services": "42",
    }
    log_out(page)

    # the operator opens it from the list of the year and returns it with a note, asked first
    log_in(page, base, "operatorka")
    axe(f"{base}/monitoring/?year={today.year - 1}")
    page.click(f"main a[href='/monitoring/reports/{report.pk}/']")
    page.wait_for_url(report_url)
    axe()
    page.fill("#id_note", NOTE)
    screenshot(page, "operator-reviews-yearly-report")
    page.click("button[name=action][value=return]")
    page.wait_for_selector(".confirm-action")
    axe()  # the confirmation with the note
    assert page.locator("main").inner_text().count(NOTE) == 1
    report.refresh_from_db()
    assert report.state == "submitted"
    page.click(".confirm-action")
    page.wait_for_url(report_url)
    page.wait_for_selector(".alert-success")
    report.refresh_from_db()
    assert (report.state, report.return_note, report.reviewed_by) == ("returned", NOTE, operator)
    log_out(page)

    # the coordinator reads the note on the report, which can be corrected again
    log_in(page, base, "anna")
    axe(report_url)
    assert page.locator("[data-state]").inner_text() == _state_label("returned")
    assert NOTE in page.locator(".alert-warning").inner_text()
    assert page.locator("#id_employees_members").input_value() == "1250"


def test_the_ministry_sees_an_indicator_across_holders_and_years(page, live_server, axe):  # noqa: F811
    today = timezone.localdate()
    operator = UserFactory(username="operatorka", roles=["operator"], is_staff=True)
    UserFactory(username="minister", roles=["decision-maker"])
    holders = [
        _holder("Klaster Alfa", "anna", 12, today),
        _holder("Klaster Beta", "bogdan", 9, today),
        _holder("Klaster Gamma", "celina", 15, today),
    ]
    reports = _open(today, operator)
    for number, (cluster, coordinator) in enumerate(holders):
        for offset, year in enumerate((today.year - 2, today.year - 1)):
            employees = 800 + 400 * number + 60 * offset
            _accept(reports[(cluster.pk, year)], coordinator, operator, employees)
    base = live_server.url

    log_in(page, base, "minister")
    axe(f"{base}/monitoring/indicators/")
    page.select_option("#indicator", "employees_members")
    page.click("main form[method=get] button[type=submit]")
    page.wait_for_url(f"{base}/monitoring/indicators/?indicator=employees_members")
    axe()
    chart = page.locator("main svg.indicator-chart")
    assert chart.count() == 1
    assert chart.locator("polyline").count() == 3  # a line per holder, through its two years
    assert chart.locator("circle").count() == 6
    legend = chart.locator("text").all_text_contents()
    assert {"Klaster Alfa", "Klaster Beta", "Klaster Gamma"} <= set(legend)
    assert {str(today.year - 2), str(today.year - 1)} <= set(legend)
    rows = page.locator("main tbody tr")
    assert rows.count() == 3
    assert rows.nth(1).locator("td").nth(0).inner_text().replace("\u00a0", " ") == "1 200"
    screenshot(page, "ministry-indicator-chart")
