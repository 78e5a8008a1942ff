"""The fixes of the review: figures shown and read in the page's language (a thousands
separator refused, not guessed), submitting checked before it is confirmed, reminders (an
absolute link, sent only to someone, the return mailed), a removed document in the report's
history, the chart's lines told apart beyond its colours and the history's actions."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from keyclusters.domain.monitoring import ValueProblem, check_value, parse_monitoring_framework
from keyclusters.domain.rulebook import load_document, shipped_rulebook_path
from keyclusters.monitoring import charts, services
from keyclusters.monitoring.models import ReportReminder, YearlyReport
from keyclusters.monitoring.selectors import IndicatorTable

from .conftest import REPORTED, open_2024

D = dt.date
POLISH_GROUPING = "use a comma for decimals and no dots: 1500 or 1500,50"
ENGLISH_GROUPING = "use a point for decimals and no commas: 1500 or 1500.50"


def client_of(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def report(world) -> YearlyReport:
    return open_2024(world)[world.cluster.pk]


# --- 1. figures in the page's language ---------------------------------------------------------


def indicators():
    _text, data = load_document(shipped_rulebook_path("monitoring-kkk"))
    framework = parse_monitoring_framework(data)
    return framework.indicator("revenue_members"), framework.indicator("export_share")


def test_a_thousands_separator_of_the_language_is_refused_not_guessed():
    revenue, export = indicators()
    # Polish: a comma is the decimal separator; a dot before three digits reads as grouping
    assert check_value(revenue, "1500,50", decimal_separator=",") == Decimal("1500.50")
    assert check_value(revenue, "1 500,5", decimal_separator=",") == Decimal("1500.50")
    assert check_value(revenue, "1\u00a0500", decimal_separator=",") == Decimal("1500.00")
    assert check_value(export, "34.3", decimal_separator=",") == Decimal("34.30")
    for text in ("1.500", "1.500,50", "2.000.000"):
        with pytest.raises(ValueProblem) as caught:
            check_value(revenue, text, decimal_separator=",")
        assert caught.value.msgid == POLISH_GROUPING, text
    # English: the point is the decimal separator; a comma before three digits is grouping
    assert check_value(revenue, "1500.50", decimal_separator=".") == Decimal("1500.50")
    assert check_value(export, "34,3", decimal_separator=".") == Decimal("34.30")
    for text in ("1,500", "1,500.50"):
        with pytest.raises(ValueProblem) as caught:
            check_value(revenue, text, decimal_separator=".")
        assert caught.value.msgid == ENGLISH_GROUPING, text
    # without a language (machine-made text) either separator is the decimal point
    assert check_value(revenue, "1.5") == Decimal("1.50")


def test_the_service_reads_the_figures_in_the_active_language(world, report):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.save_values(
            report=report, values={**REPORTED, "revenue_members": "1,500"},
            by=world.coordinator,
        )  # fmt: skip
    assert caught.value.message_dict == {"revenue_members": [ENGLISH_GROUPING]}
    with translation.override("pl"):
        with pytest.raises(ValidationError) as caught:
            services.save_values(
                report=report, values={**REPORTED, "revenue_members": "1.500"},
                by=world.coordinator,
            )  # fmt: skip
        assert list(caught.value.message_dict) == ["revenue_members"]
    report.refresh_from_db()
    assert (report.values, report.version) == ({}, 0)
    with translation.override("pl"):
        services.save_values(
            report=report, values={**REPORTED, "revenue_members": "1 500,5"},
            by=world.coordinator,
        )  # fmt: skip
    report.refresh_from_db()
    assert report.values["revenue_members"] == "1500.50"


def test_the_form_shows_the_figures_in_the_pages_language(world, report):
    services.save_values(
        report=report,
        values={**REPORTED, "revenue_members": "899212000", "export_share": "34,3"},
        by=world.coordinator,
    )
    url = reverse("monitoring:report", args=[report.pk])
    polish = client_of(world.coordinator, "pl").get(url).text
    assert 'name="revenue_members" value="899212000,00"' in polish
    assert 'name="export_share" value="34,30"' in polish
    english = client_of(world.coordinator, "en").get(url).text
    assert 'name="revenue_members" value="899212000.00"' in english
    assert 'name="export_share" value="34.30"' in english


def test_polish_grouping_is_refused_by_the_form_and_by_the_autosave(world, report):
    client = client_of(world.coordinator, "pl")
    url = reverse("monitoring:report", args=[report.pk])
    page = client.post(url, {**REPORTED, "revenue_members": "1.500", "version": 0,
                             "action": "save"})  # fmt: skip
    assert page.status_code == 200
    assert 'id="id_revenue_members_error"' in page.text
    assert 'id="id_export_share_error"' not in page.text
    answer = client.post(
        reverse("monitoring:report-autosave", args=[report.pk]),
        {**REPORTED, "revenue_members": "1.500", "version": 0},
    )
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["revenue_members"]
    report.refresh_from_db()
    assert (report.values, report.version) == ({}, 0)
    # the same figure with a comma is 1.5; with a space, 1500
    client.post(url, {**REPORTED, "revenue_members": "1 500", "version": 0, "action": "save"})
    report.refresh_from_db()
    assert report.values["revenue_members"] == "1500.00"


# --- 2. submitting checked before it is confirmed ---------------------------------------------


def test_a_submission_lacking_a_figure_shows_the_form_not_the_confirmation(world, report):
    client = client_of(world.coordinator)
    url = reverse("monitoring:report", args=[report.pk])
    page = client.post(url, {**REPORTED, "rd_projects": "", "version": 0, "action": "submit"})
    assert page.status_code == 200
    assert "Submit the yearly report?" not in page.text
    assert "This figure is required." in page.text
    assert (
        "The figures were saved as a draft, but the report was not submitted: give the figures "
        "named below first." in page.text
    )
    report.refresh_from_db()
    assert (report.state, report.version) == ("draft", 1)  # the draft saved, not submitted
    assert "rd_projects" not in report.values
    assert 'name="version" value="1"' in page.text  # the form goes on from the saved version
    # completed, it is asked first, then submitted
    asked = client.post(url, {**REPORTED, "version": 1, "action": "submit"})
    assert "Submit the yearly report?" in asked.text
    done = client.post(url, {**REPORTED, "version": 2, "action": "submit", "confirmed": "yes"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.state == "submitted"


# --- 3. reminders and the return's e-mail -------------------------------------------------------


def test_a_reminder_links_the_report_by_its_absolute_address(world, report, settings, english):
    settings.KEYCLUSTERS_PUBLIC_URL = "https://klastry.example.gov.pl/"
    sent = services.send_reminders(today=D(2025, 3, 17))
    assert len(sent) == 2
    north = next(m for m in mail.outbox if m.to == ["koordynator@example.org"])
    assert f"https://klastry.example.gov.pl/monitoring/reports/{report.pk}/\n" in north.body
    assert services.send_reminders(today=D(2025, 3, 18)) == []  # still once
    assert len(mail.outbox) == 2


def test_a_reminder_nobody_got_is_not_recorded_and_is_sent_later(world, report):
    world.coordinator.is_active = False
    world.coordinator.save(update_fields=["is_active"])
    sent = services.send_reminders(today=D(2025, 3, 17))
    assert [r.report.cluster.name for r in sent] == ["Klaster Południe"]
    assert not ReportReminder.objects.filter(report=report).exists()
    assert [m.to for m in mail.outbox] == [["inny@example.org"]]
    # the cluster gets a coordinator's account: the reminder goes the next day, once
    world.coordinator.is_active = True
    world.coordinator.save(update_fields=["is_active"])
    mail.outbox.clear()
    sent = services.send_reminders(today=D(2025, 3, 18))
    assert [(r.report.pk, r.kind, r.sent_on) for r in sent] == [
        (report.pk, "before", D(2025, 3, 18))
    ]
    assert ReportReminder.objects.get(report=report).recipients == "koordynator@example.org"
    assert [m.to for m in mail.outbox] == [["koordynator@example.org"]]
    assert services.send_reminders(today=D(2025, 3, 19)) == []


def test_a_failed_delivery_is_not_recorded(world, report, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(services, "send_mail", refuse)
    assert services.send_reminders(today=D(2025, 3, 17)) == []
    assert not ReportReminder.objects.exists()


def test_returning_a_report_mails_the_coordinator_the_note_and_the_link(
    world, report, settings, english, django_capture_on_commit_callbacks
):
    settings.KEYCLUSTERS_PUBLIC_URL = "https://klastry.example.gov.pl"
    world.coordinator.preferred_language = "en"
    world.coordinator.save(update_fields=["preferred_language"])
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(report=report, note="Popraw eksport.", by=world.operator)
    assert [m.to for m in mail.outbox] == [["koordynator@example.org"]]
    message = mail.outbox[0]
    assert message.subject == (
        "The yearly report on 2024 of Klaster Północ was returned for corrections"
    )
    assert "What should be corrected:\nPopraw eksport.\n" in message.body
    assert f"https://klastry.example.gov.pl/monitoring/reports/{report.pk}/" in message.body
    # the other cluster's coordinator is not told
    assert all(m.to != ["inny@example.org"] for m in mail.outbox)


# --- 4. and 6. the report's history ----------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Upload:
    def __init__(self, name: str, content: bytes):
        self.name, self.content, self.size = name, content, len(content)

    def read(self, size: int = -1) -> bytes:
        return self.content


def history_lines(page) -> list[str]:
    part = page.text.split("History</h2>", 1)[1].split("</ul>", 1)[0]
    return [" ".join(line.split()) for line in re.findall(r"<li>(.*?)</li>", part, re.S)]


def test_the_history_names_each_action_and_the_documents_removed(world, report, settings,
                                                                  tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world.coordinator.first_name, world.coordinator.last_name = "Anna", "Nowak"
    world.coordinator.save(update_fields=["first_name", "last_name"])
    world.operator.first_name, world.operator.last_name = "Jan", "Kos"
    world.operator.save(update_fields=["first_name", "last_name"])
    document = services.add_document(report=report, upload=Upload("plan.pdf", PDF),
                                     by=world.coordinator)  # fmt: skip
    services.save_values(report=report, values=REPORTED, by=world.coordinator, reason="autosave")
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    services.return_report(report=report, note="Popraw.", by=world.operator)
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    client = client_of(world.coordinator)
    url = reverse("monitoring:report", args=[report.pk])
    client.post(reverse("monitoring:report-document-remove", args=[document.pk]),
                {"confirmed": "yes"})  # fmt: skip
    removed = document.history.get(history_type="-")
    assert (removed.history_user, removed.file_name) == (world.coordinator, "plan.pdf")
    services.submit_report(report=report, by=world.coordinator)
    services.accept_report(report=report, by=world.operator)
    lines = history_lines(client.get(url))
    actions = [line.split(" — ", 1)[1] for line in lines]
    assert actions == [
        "Accepted by Jan Kos",
        "Submitted by Anna Nowak",
        "Document “plan.pdf” removed by Anna Nowak",
        "Saved by Anna Nowak",
        "Returned for corrections by Jan Kos",
        "Submitted by Anna Nowak",
        "Saved by Anna Nowak",
        "Saved automatically by Anna Nowak",
        "Document “plan.pdf” attached by Anna Nowak",
        "Opened by Jan Kos",
    ]
    with translation.override("en"):
        when = date_format(timezone.localtime(removed.history_date), "j F Y H:i")
    assert lines[2] == f"{when} — Document “plan.pdf” removed by Anna Nowak"


# --- 5. the chart's lines beyond its colours -------------------------------------------------


class Holder:
    def __init__(self, name: str):
        self.name = name


def test_seventeen_holders_have_lines_no_two_alike_and_a_matching_legend():
    holders = [Holder(f"Klaster {number:02d}") for number in range(17)]
    table = IndicatorTable(
        years=[2023, 2024],
        rows=[(holder, [Decimal(10 + n), Decimal(20 + n)]) for n, holder in enumerate(holders)],
    )
    svg = charts.indicator_chart(table, title="Jobs")
    lines = re.findall(r'<polyline points="[^"]*" fill="none" stroke="([^"]+)" stroke-width="2"'
                       r'(?: stroke-dasharray="([^"]+)")?/>', svg)  # fmt: skip
    assert len(lines) == 17
    assert len(set(lines)) == 17  # colour and dash: no two the same
    # holders 1, 9 and 17 share the first colour: solid, dashed, dotted
    assert lines[0] == ("#1d4ed8", "")
    assert lines[8] == ("#1d4ed8", "8 4")
    assert lines[16] == ("#1d4ed8", "2 3")
    legend = re.findall(r'<line x1="80" y1="[^"]+" x2="104" y2="[^"]+" stroke="([^"]+)" '
                        r'stroke-width="2"(?: stroke-dasharray="([^"]+)")?/>', svg)  # fmt: skip
    assert legend == lines
    # and the markers: dots, then squares, then triangles (in the legend from the second round)
    assert svg.count('data-marker="circle"') == 8 * 2
    assert svg.count('data-marker="square"') == 8 * 2 + 8
    assert svg.count('data-marker="triangle"') == 1 * 2 + 1
    names = re.findall(r'<text x="110" y="[^"]+">([^<]+)</text>', svg)
    assert names == [holder.name for holder in holders]
