"""The pages: the coordinator saves and submits (asked first), an operator returns a report
with a note (asked first) and accepts the resubmitted one, others are refused; the operator's
list; the ministry's table of one indicator with its chart and CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from keyclusters.monitoring import services
from keyclusters.monitoring.models import YearlyReport

from .conftest import REPORTED, open_2024

D = dt.date


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def report(world) -> YearlyReport:
    return open_2024(world)[world.cluster.pk]


def test_the_coordinator_saves_then_submits_after_confirming(world, report):
    client = client_of(world.coordinator)
    url = reverse("monitoring:report", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Jobs in the member firms" in page.text
    assert "31 March 2025" in page.text
    bad = client.post(url, {**REPORTED, "export_share": "120", "action": "save"})
    assert bad.status_code == 200
    assert "must be at most 100" in bad.text
    report.refresh_from_db()
    assert report.values == {}
    asked = client.post(url, {**REPORTED, "action": "submit"})
    assert asked.status_code == 200
    assert "Submit the yearly report?" in asked.text
    report.refresh_from_db()
    assert report.state == "draft"  # saved, not yet submitted
    assert report.values["employees_members"] == "1250"
    done = client.post(url, {**REPORTED, "action": "submit", "confirmed": "yes"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.state == "submitted"
    # a submitted report shows its figures; the form is gone
    page = client.get(url)
    assert 'name="action" value="submit"' not in page.text
    assert "1,250" in page.text or "1250" in page.text


def test_an_operator_returns_with_a_note_and_accepts_the_resubmission(world, report):
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    operator = client_of(world.operator)
    review = reverse("monitoring:report-review", args=[report.pk])
    asked = operator.post(review, {"action": "return", "note": "Brak usług dla członków."})
    assert asked.status_code == 200
    assert "Return the yearly report to the coordinator?" in asked.text
    report.refresh_from_db()
    assert report.state == "submitted"
    operator.post(review, {"action": "return", "note": "Brak usług dla członków.",
                           "confirmed": "yes"})  # fmt: skip
    report.refresh_from_db()
    assert (report.state, report.return_note) == ("returned", "Brak usług dla członków.")
    coordinator = client_of(world.coordinator)
    page = coordinator.get(reverse("monitoring:report", args=[report.pk]))
    assert "Brak usług dla członków." in page.text
    coordinator.post(
        reverse("monitoring:report", args=[report.pk]),
        {**REPORTED, "member_services": "12", "action": "submit", "confirmed": "yes"},
    )
    operator.post(review, {"action": "accept", "confirmed": "yes"})
    report.refresh_from_db()
    assert (report.state, report.values["member_services"]) == ("accepted", "12")


def test_others_are_refused(world, report):
    url = reverse("monitoring:report", args=[report.pk])
    other = client_of(world.other_coordinator)
    assert other.get(url).status_code == 403
    assert other.post(url, {**REPORTED, "action": "save"}).status_code == 403
    assert other.post(reverse("monitoring:report-review", args=[report.pk]),
                      {"action": "accept", "confirmed": "yes"}).status_code == 403  # fmt: skip
    assert other.get(reverse("monitoring:reports")).status_code == 403
    assert other.get(reverse("monitoring:indicators")).status_code == 403
    # the operator reads but does not edit
    operator = client_of(world.operator)
    assert operator.get(url).status_code == 200
    assert operator.post(url, {**REPORTED, "action": "save"}).status_code == 403
    assert Client().get(url).status_code == 302
    assert client_of(world.coordinator).get(reverse("monitoring:reports")).status_code == 403
    report.refresh_from_db()
    assert (report.state, report.values) == ("draft", {})
    missing = reverse("monitoring:report", args=[report.pk + 1000])
    assert operator.get(missing).status_code == 404


def test_the_operators_list_opens_a_year_and_shows_the_alerts(world):
    operator = client_of(world.operator)
    url = reverse("monitoring:reports")
    assert "No reports have been opened yet." in operator.get(url).text
    done = operator.post(url, {"year": "2024"})
    assert done.status_code == 302
    assert YearlyReport.objects.filter(year=2024).count() == 2
    page = operator.get(done["Location"])
    assert "Klaster Północ" in page.text
    # members on 31 December 2024 below the framework's 51
    assert "3 members on 31 December, fewer than the minimum of 51 of the status's round" in (
        page.text
    )
    assert "1 member on 31 December, fewer than the minimum of 51" in page.text
    refused = operator.post(url, {"year": "2999"})
    assert refused.status_code == 200


def test_the_ministrys_table_chart_and_csv(world, report):
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    services.accept_report(report=report, by=world.operator)
    client = client_of(world.operator)
    url = reverse("monitoring:indicators")
    page = client.get(url, {"indicator": "employees_members"})
    assert page.status_code == 200
    assert "<svg" in page.text and "Klaster Północ" in page.text
    csv = client.get(url, {"indicator": "employees_members", "format": "csv"})
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    # compared with the application, which this holder's status did not come from
    assert csv.content.decode("utf-8-sig").splitlines() == [
        "Cluster,2024,In the application",
        "Klaster Północ,1250,",
    ]
    members = client.get(url, {"indicator": "members_total", "format": "csv"})
    assert members.content.decode("utf-8-sig").splitlines() == [
        "Cluster,2024,In the application",
        "Klaster Północ,3,",
    ]
    joint = client.get(url, {"indicator": "joint_projects", "format": "csv"})
    assert joint.content.decode("utf-8-sig").splitlines() == [
        "Cluster,2024",  # not compared with the application: no such column
        "Klaster Północ,7",
    ]


def test_the_report_shows_the_figures_of_the_application_that_won_the_status(world, report):
    from django.utils import timezone

    from keyclusters.competitions import services as competitions
    from keyclusters.competitions.models import Application, ApplicationRevision
    from keyclusters.statuses.models import StatusGrant
    from tests.evaluation.conftest import RULEBOOK

    now = timezone.now()
    call = competitions.create_call(
        name="Runda VI", rulebook=competitions.store_rulebook(source=RULEBOOK),
        opens_at=now - dt.timedelta(days=400), closes_at=now - dt.timedelta(days=300),
    )  # fmt: skip
    application = Application.objects.create(call=call, cluster=world.cluster)
    ApplicationRevision.objects.create(
        application=application, stage="formal", number=1, members=[], as_of=D(2023, 6, 1),
        data={"members_total": 55, "employees_members": "1100", "revenue_members": "900000.00"},
    )  # fmt: skip
    StatusGrant.objects.filter(pk=world.grant.pk).update(application=application, call=call)
    page = client_of(world.coordinator).get(reverse("monitoring:report", args=[report.pk]))
    assert page.status_code == 200
    assert "In the application" in page.text
    assert 'data-applied="employees_members">In the application: 1,100<' in page.text
    assert 'data-applied="revenue_members">In the application: 900,000.00<' in page.text
    operator = client_of(world.operator).get(reverse("monitoring:report", args=[report.pk]))
    row = operator.text.split('data-indicator="members_total">', 1)[1].split("</tr>", 1)[0]
    assert ">3<" in row and ">55<" in row
    # the ministry's exports carry the application's figure, in the page's language
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    services.accept_report(report=report, by=world.operator)
    polish = Client(HTTP_ACCEPT_LANGUAGE="pl")
    polish.force_login(world.operator)
    url = reverse("monitoring:indicators")
    revenue = polish.get(url, {"indicator": "revenue_members", "format": "csv"})
    assert revenue.content.decode("utf-8").splitlines() == [
        "\ufeffKlaster;2024;We wniosku",
        "Klaster Północ;1500000,50;900000,00",
    ]
    english = client_of(world.operator).get(url, {"indicator": "revenue_members", "format": "csv"})
    assert english.content.decode("utf-8-sig").splitlines() == [
        "Cluster,2024,In the application",
        "Klaster Północ,1500000.50,900000.00",
    ]


def test_the_ministrys_table_as_a_workbook(world, report):
    import io

    from openpyxl import load_workbook

    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    services.accept_report(report=report, by=world.operator)
    client = client_of(world.operator)
    response = client.get(reverse("monitoring:indicators"),
                          {"indicator": "revenue_members", "format": "xlsx"})  # fmt: skip
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Revenue of the members"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Cluster", 2024, "In the application"],
        ["Klaster Północ", 1500000.5, None],
    ]
