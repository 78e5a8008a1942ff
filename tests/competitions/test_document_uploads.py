"""Documents are checked by their content when they are uploaded, and the pages link them
through the download view, never a media URL."""

from __future__ import annotations

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
