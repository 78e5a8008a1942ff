"""Documents are checked by their content when they are uploaded, and the pages link them
through the download view, never a media URL."""

from __future__ import annotations

import hashlib
import os

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyclusters.competitions import services
from keyclusters.competitions.models import ApplicationDocument

from .conftest import PDF, in_call

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(call, cluster, coordinator):
    return services.start_application(call=call, cluster=cluster, by=coordinator, now=in_call())


@pytest.mark.parametrize("content", [HTML, SVG], ids=["html", "svg"])
def test_a_page_renamed_pdf_is_refused_with_a_message(client, draft, coordinator, content):
    client.force_login(coordinator)
    url = reverse("competitions:application-detail", args=[draft.pk])
    upload = SimpleUploadedFile("strategia.pdf", content, "application/pdf")
    with time_machine.travel(in_call(), tick=False):
        response = client.post(url, {"rd_projects": "4", "save": "1", "strategy": upload})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "strategy": ["Only PDF, DOCX and XLSX documents are accepted."]
    }
    assert "Only PDF, DOCX and XLSX documents are accepted." in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_the_refusal_reads_in_polish(client, draft, coordinator, settings):
    settings.LANGUAGE_CODE = "pl"
    client.force_login(coordinator)
    url = reverse("competitions:application-detail", args=[draft.pk])
    upload = SimpleUploadedFile("strategia.pdf", HTML, "application/pdf")
    with time_machine.travel(in_call(), tick=False):
        response = client.post(
            url, {"rd_projects": "4", "save": "1", "strategy": upload}, HTTP_ACCEPT_LANGUAGE="pl"
        )
    assert response.context["form"].errors["strategy"] == [
        "Przyjmowane są tylko dokumenty PDF, DOCX i XLSX."
    ]


def test_the_application_page_links_the_download_view(client, draft, coordinator):
    services.save_application_data(
        application=draft,
        values={},
        files={"strategy": ("strategia.pdf", PDF)},
        by=coordinator,
        now=in_call(),
    )
    client.force_login(coordinator)
    page = client.get(reverse("competitions:application-detail", args=[draft.pk])).content
    document = ApplicationDocument.objects.get(application=draft)
    assert reverse("competitions:application-document", args=[draft.pk, "strategy"]) in (
        page.decode()
    )
    assert document.file.url not in page.decode()


def _save(application, coordinator, name, content, day=10):
    services.save_application_data(
        application=application,
        values={"rd_projects": 4},
        files={"strategy": (name, content)},
        by=coordinator,
        now=in_call(day),
    )


def test_a_draft_document_replaced_leaves_no_file_behind(
    draft, coordinator, django_capture_on_commit_callbacks
):
    _save(draft, coordinator, "pierwsza.pdf", PDF + b"%first")
    first = ApplicationDocument.objects.get(application=draft)
    path = first.file.path
    with django_capture_on_commit_callbacks(execute=True):
        _save(draft, coordinator, "druga.pdf", PDF + b"%second")
    current = ApplicationDocument.objects.get(application=draft)
    assert current.original_name == "druga.pdf"
    assert current.replaced_at is None
    assert not ApplicationDocument.objects.filter(pk=first.pk).exists()
    assert not os.path.exists(path)
    assert os.path.exists(current.file.path)


def test_a_judged_document_replaced_during_completion_stays_readable(
    client, draft, coordinator, operator, django_capture_on_commit_callbacks
):
    judged = PDF + b"%unsigned"
    _save(draft, coordinator, "strategia.pdf", judged)
    services.submit_application(application=draft, by=coordinator, now=in_call(10))
    services.request_completion(
        application=draft, items=["strategy"], note="Brak podpisu", by=operator, now=in_call(12)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.save_application_data(
            application=draft,
            values={},
            files={"strategy": ("podpisana.pdf", PDF + b"%signed")},
            by=coordinator,
            now=in_call(13),
        )
    old, new = ApplicationDocument.objects.filter(application=draft).order_by("uploaded_at", "pk")
    assert (old.original_name, new.original_name) == ("strategia.pdf", "podpisana.pdf")
    assert old.replaced_at is not None and new.replaced_at is None
    assert os.path.exists(old.file.path)
    first_revision = draft.revisions.order_by("number").first()
    assert first_revision.documents[0]["sha256"] == hashlib.sha256(judged).hexdigest()

    client.force_login(operator)
    url = reverse("competitions:application-document", args=[draft.pk, "strategy"])
    current = client.get(url)
    assert b"".join(current.streaming_content) == PDF + b"%signed"
    as_judged = client.get(url, {"sha256": first_revision.documents[0]["sha256"]})
    assert b"".join(as_judged.streaming_content) == judged
    assert client.get(url, {"sha256": "0" * 64}).status_code == 404
    # the page lists the current document only
    page = client.get(reverse("competitions:application-detail", args=[draft.pk]))
    assert page.context["documents"] == {"strategy": new}
