"""The report page's autosave (JSON, the report's version: an older one is refused and writes
nothing), the form's save carrying the version, the documents attached by the coordinator
(kinds by content, size and count checked before reading, private download, removal asked
first), the monitoring models in the admin and ``keyclusters rulebook validate`` of a
monitoring framework."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keyclusters.monitoring import services
from keyclusters.monitoring.models import ReportDocument, YearlyReport

from .conftest import REPORTED, open_2024

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STALE = (
    "Someone else saved this report in the meantime; nothing was saved. Reload the page to see "
    "the report as it is now."
)


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


class FakeUpload:
    """An upload whose size is given; reading it fails the test when ``readable`` is False
    (the size and the count must be checked before)."""

    def __init__(self, name: str, content: bytes, *, size: int | None = None, readable=True):
        self.name = name
        self.content = content
        self.size = len(content) if size is None else size
        self.readable = readable

    def read(self, size: int = -1) -> bytes:
        assert self.readable, "the file was read before its size was checked"
        return self.content


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def report(world) -> YearlyReport:
    return open_2024(world)[world.cluster.pk]


def autosave(client: Client, report: YearlyReport, values: dict, version: int | str):
    return client.post(
        reverse("monitoring:report-autosave", args=[report.pk]), {**values, "version": version}
    )


# --- autosave --------------------------------------------------------------------------------


def test_autosave_stores_the_figures_and_answers_the_time(world, report):
    client = client_of(world.coordinator)
    answer = autosave(client, report, REPORTED, 0)
    assert answer.status_code == 200
    body = answer.json()
    saved_at = timezone.localtime(timezone.datetime.fromisoformat(body["saved_at"]))
    assert body["message"] == f"Saved automatically at {saved_at:%H:%M}"
    assert body["version"] == 1
    assert body["errors"] == {}
    report.refresh_from_db()
    assert report.version == 1
    assert report.values == {
        "employees_members": "1250",
        "revenue_members": "1500000.50",
        "export_share": "32.50",
        "rd_projects": "4",
        "joint_projects": "7",
        "funds_raised": "250000.00",
    }
    assert report.history.first().history_change_reason == "autosave"
    page = client.get(reverse("monitoring:report", args=[report.pk]))
    assert "Saved automatically at" in page.text
    assert 'name="version" value="1"' in page.text
    assert "monitoring/autosave.js" in page.text
    assert "<script>" not in page.text  # no inline script: the Content-Security-Policy


def test_an_autosave_from_an_older_version_is_refused_and_writes_nothing(world, report):
    client = client_of(world.coordinator)
    assert autosave(client, report, REPORTED, 0).status_code == 200
    history = report.history.count()
    answer = autosave(client, report, {**REPORTED, "rd_projects": "9"}, 0)
    assert answer.status_code == 409
    assert answer.json() == {"message": STALE, "stale": True, "errors": {}}
    report.refresh_from_db()
    assert report.version == 1
    assert report.values["rd_projects"] == "4"
    assert report.history.count() == history


def test_an_autosave_names_the_bad_figures_and_writes_nothing(world, report):
    client = client_of(world.coordinator)
    answer = autosave(client, report, {**REPORTED, "export_share": "120", "rd_projects": "x"}, 0)
    assert answer.status_code == 400
    assert answer.json() == {
        "message": "Not saved: correct the figures named below.",
        "errors": {"export_share": ["must be at most 100"], "rd_projects": ["must be a number"]},
    }
    report.refresh_from_db()
    assert (report.values, report.version) == ({}, 0)
    missing = autosave(client, report, REPORTED, "")
    assert missing.status_code == 400
    assert missing.json()["message"] == "Not saved: reload the page."


def test_autosave_is_the_coordinators_and_only_while_editable(world, report):
    for user in (world.other_coordinator, world.operator):
        assert autosave(client_of(user), report, REPORTED, 0).status_code == 403
    assert Client().post(reverse("monitoring:report-autosave", args=[report.pk])).status_code == 302
    assert client_of(world.coordinator).get(
        reverse("monitoring:report-autosave", args=[report.pk])
    ).status_code == 405  # fmt: skip
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    answer = autosave(client_of(world.coordinator), report, REPORTED, 2)
    assert answer.status_code == 409
    assert answer.json()["message"] == "This report can no longer be changed."
    report.refresh_from_db()
    assert (report.state, report.version) == ("submitted", 2)


def test_every_change_raises_the_version(world, report):
    services.save_values(report=report, values=REPORTED, by=world.coordinator, version=0)
    services.submit_report(report=report, by=world.coordinator)
    services.return_report(report=report, note="Popraw eksport.", by=world.operator)
    report.refresh_from_db()
    assert report.version == 3
    with pytest.raises(services.StaleReport):
        services.save_values(report=report, values=REPORTED, by=world.coordinator, version=1)
    services.save_values(report=report, values=REPORTED, by=world.coordinator, version=3)
    services.submit_report(report=report, by=world.coordinator)
    services.accept_report(report=report, by=world.operator)
    report.refresh_from_db()
    assert report.version == 6


def test_the_forms_save_from_an_older_version_is_refused(world, report):
    client = client_of(world.coordinator)
    url = reverse("monitoring:report", args=[report.pk])
    assert autosave(client, report, REPORTED, 0).status_code == 200
    page = client.post(url, {**REPORTED, "rd_projects": "9", "version": "0", "action": "save"})
    assert page.status_code == 200
    assert STALE in page.text
    report.refresh_from_db()
    assert (report.values["rd_projects"], report.version) == ("4", 1)
    saved = client.post(url, {**REPORTED, "rd_projects": "9", "version": "1", "action": "save"})
    assert saved.status_code == 302
    report.refresh_from_db()
    assert (report.values["rd_projects"], report.version) == ("9", 2)


def test_the_submission_asked_first_carries_the_version_just_saved(world, report):
    client = client_of(world.coordinator)
    url = reverse("monitoring:report", args=[report.pk])
    asked = client.post(url, {**REPORTED, "version": "0", "action": "submit"})
    assert asked.status_code == 200
    assert "Submit the yearly report?" in asked.text
    assert 'name="version" value="1"' in asked.text
    done = client.post(url, {**REPORTED, "version": "1", "action": "submit", "confirmed": "yes"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.version) == ("submitted", 3)


# --- documents -------------------------------------------------------------------------------


def upload(client: Client, report: YearlyReport, name: str, content: bytes):
    return client.post(
        reverse("monitoring:report-documents", args=[report.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_the_coordinator_attaches_a_document_which_only_they_and_operators_download(world, report):
    client = client_of(world.coordinator)
    assert upload(client, report, "Sprawozdanie roczne.pdf", PDF).status_code == 302
    document = ReportDocument.objects.get()
    assert (document.file_name, document.kind, document.size) == (
        "Sprawozdanie roczne.pdf",
        "pdf",
        len(PDF),
    )
    assert document.file.name.startswith(f"monitoring/{report.pk}/")
    url = reverse("monitoring:report-document", args=[document.pk])
    for user in (world.coordinator, world.operator):
        answer = client_of(user).get(url)
        assert answer.status_code == 200
        assert answer["Content-Type"] == "application/pdf"
        assert answer["Content-Disposition"] == 'attachment; filename="Sprawozdanie roczne.pdf"'
        assert b"".join(answer.streaming_content) == PDF
    assert client_of(world.other_coordinator).get(url).status_code == 403
    page = client.get(reverse("monitoring:report", args=[report.pk]))
    assert "Sprawozdanie roczne.pdf" in page.text
    assert url in page.text


def test_an_odt_is_accepted_and_a_file_of_other_content_is_refused(world, report):
    client = client_of(world.coordinator)
    assert upload(client, report, "tabela.odt", odt()).status_code == 302
    assert ReportDocument.objects.get().kind == "odt"
    refused = upload(client, report, "udaje.pdf", b"<html><script>alert(1)</script></html>")
    assert refused.status_code == 400
    assert "Only PDF, DOCX, XLSX, ODT and ODS documents are accepted." in refused.text
    assert ReportDocument.objects.count() == 1


def test_an_oversize_file_is_refused_before_it_is_read(world, report, settings, english):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "documents": 1024 * 1024}
    with pytest.raises(ValidationError) as info:
        services.add_document(
            report=report,
            upload=FakeUpload("duży.pdf", b"", size=3 * 1024 * 1024, readable=False),
            by=world.coordinator,
        )
    assert info.value.message_dict == {"file": ["The file has 3.0 MB; at most 1 MB is accepted."]}
    page = upload(client_of(world.coordinator), report, "duży.pdf", PDF + b"0" * 2 * 1024 * 1024)
    assert page.status_code == 400
    assert "The file has 2.0 MB; at most 1 MB is accepted." in page.text
    assert ReportDocument.objects.count() == 0


def test_the_eleventh_document_is_refused_before_it_is_read(world, report, english):
    for number in range(services.MAX_DOCUMENTS):
        services.add_document(
            report=report, upload=FakeUpload(f"{number}.pdf", PDF), by=world.coordinator
        )
    with pytest.raises(ValidationError) as info:
        services.add_document(
            report=report, upload=FakeUpload("11.pdf", PDF, readable=False), by=world.coordinator
        )
    assert info.value.message_dict == {
        "file": ["A report can have at most 10 documents; remove one first."]
    }
    assert ReportDocument.objects.count() == 10


def test_others_cannot_attach_and_a_submitted_report_takes_no_document(world, report):
    for user in (world.other_coordinator, world.operator):
        assert upload(client_of(user), report, "a.pdf", PDF).status_code == 403
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    client = client_of(world.coordinator)
    page = client.post(
        reverse("monitoring:report-documents", args=[report.pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF)},
        follow=True,
    )
    assert page.redirect_chain == [(reverse("monitoring:report", args=[report.pk]), 302)]
    assert "This report can no longer be changed." in page.text
    assert ReportDocument.objects.count() == 0


def test_the_coordinator_removes_a_document_after_confirming(
    world, report, django_capture_on_commit_callbacks
):
    document = services.add_document(
        report=report, upload=FakeUpload("a.pdf", PDF), by=world.coordinator
    )
    stored = Path(document.file.path)
    assert stored.read_bytes() == PDF
    url = reverse("monitoring:report-document-remove", args=[document.pk])
    assert client_of(world.other_coordinator).post(url, {"confirmed": "yes"}).status_code == 403
    client = client_of(world.coordinator)
    asked = client.post(url)
    assert asked.status_code == 200
    assert "Remove the document?" in asked.text
    assert "it cannot be restored" in asked.text
    assert ReportDocument.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"confirmed": "yes"})
    assert done.status_code == 302
    assert ReportDocument.objects.count() == 0
    assert not stored.exists()


def test_a_document_of_a_submitted_report_stays(world, report):
    document = services.add_document(
        report=report, upload=FakeUpload("a.pdf", PDF), by=world.coordinator
    )
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    url = reverse("monitoring:report-document-remove", args=[document.pk])
    client_of(world.coordinator).post(url, {"confirmed": "yes"})
    assert ReportDocument.objects.count() == 1
    with pytest.raises(ValidationError):
        services.remove_document(document=document, by=world.coordinator)


# --- the admin -------------------------------------------------------------------------------


def test_the_admin_lists_reports_with_their_state_in_words_and_keeps_the_state(world, report):
    from tests.factories import UserFactory

    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client = client_of(admin)
    listing = client.get(reverse("admin:monitoring_yearlyreport_changelist"))
    assert listing.status_code == 200
    assert "Klaster Północ" in listing.text
    assert "Draft" in listing.text
    change = reverse("admin:monitoring_yearlyreport_change", args=[report.pk])
    answer = client.post(change, {"due_on": "2025-04-30", "state": "accepted"})
    assert answer.status_code == 302
    report.refresh_from_db()
    assert (str(report.due_on), report.state, report.version) == ("2025-04-30", "draft", 1)
    assert client.get(reverse("admin:monitoring_yearlyreport_add")).status_code == 403


# --- keyclusters rulebook validate -----------------------------------------------------------


BROKEN = """\
kind: monitoring-framework
id: monitoring-test
version: 1
title: {pl: "Test", en: "Test"}
due: {month: 2, day: 29}
indicators:
  - id: members_total
    title: {pl: "Członkowie", en: "Members"}
    type: integer
    source: registry
"""


def test_rulebook_validate_names_the_paths_of_a_broken_monitoring_framework(tmp_path, capsys):
    path = tmp_path / "monitoring.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("rulebook", "validate", str(path))
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{path}: indicators[0].registry: jest wymagane dla wskaźnika wypełnianego na "
        "podstawie rejestru",
        f"{path}: due.day: nie jest dniem występującym w każdym roku",
    ]


def test_rulebook_validate_accepts_the_shipped_monitoring_framework(capsys):
    call_command("rulebook", "validate", "monitoring-kkk")
    out = capsys.readouterr().out
    assert out.startswith("monitoring-kkk: poprawny (monitoring-kkk, wersja 2, sha256 ")
