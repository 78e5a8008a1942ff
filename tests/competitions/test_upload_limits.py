"""An application's document over the documents' size limit is refused before it is read."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyclusters.competitions import services
from keyclusters.competitions.models import ApplicationDocument

from .conftest import PDF, in_call


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_document_over_the_limit_is_refused_with_its_size(client, call, cluster, coordinator,
                                                            settings):  # fmt: skip
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "documents": 2**20}
    draft = services.start_application(call=call, cluster=cluster, by=coordinator, now=in_call())
    client.force_login(coordinator)
    url = reverse("competitions:application-detail", args=[draft.pk])
    upload = SimpleUploadedFile("strategia.pdf", PDF + b" " * (3 * 2**20), "application/pdf")
    with time_machine.travel(in_call(), tick=False):
        response = client.post(url, {"rd_projects": "4", "save": "1", "strategy": upload})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "strategy": ["The file has 3.0 MB; at most 1 MB is accepted."]
    }
    assert not ApplicationDocument.objects.exists()
