from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyclusters.benchmarking import services
from keyclusters.benchmarking.models import ClusterReport, EditionState
from tests.factories import UserFactory

from .conftest import COORDINATOR_CSV, SURVEY_CSV, make_edition

pytestmark = pytest.mark.django_db


def _report_url(edition, cluster, name="benchmarking:cluster-report"):
    return reverse(name, args=[edition.pk, cluster.pk])


def test_analyst_creates_imports_computes_and_publishes(client, analyst, framework, clusters):
    client.force_login(analyst)
    response = client.post(
        reverse("benchmarking:edition-create"),
        {"framework": framework.pk, "year": 2020, "name": "Edycja 2020", "normalisation": ""},
    )
    edition = framework.editions.get()
    assert response.status_code == 302
    assert response.url == reverse("benchmarking:edition-detail", args=[edition.pk])
    for kind, text in (("coordinator", COORDINATOR_CSV), ("survey", SURVEY_CSV)):
        upload = SimpleUploadedFile(f"{kind}.csv", text.encode(), content_type="text/csv")
        client.post(
            reverse("benchmarking:edition-import", args=[edition.pk, kind]), {"file": upload}
        )
    assert edition.clusters.count() == 3
    client.post(reverse("benchmarking:edition-action", args=[edition.pk, "compute"]))
    client.post(reverse("benchmarking:edition-action", args=[edition.pk, "publish"]))
    edition.refresh_from_db()
    assert edition.state == EditionState.PUBLISHED
    page = client.get(reverse("benchmarking:edition-detail", args=[edition.pk]))
    assert page.status_code == 200
    assert "0.5833" in page.content.decode()
    response = client.post(
        _report_url(edition, clusters["A"], "benchmarking:cluster-report-texts"),
        {"good_practices": "Dobre praktyki", "recommendations": "Zalecenia"},
    )
    assert response.status_code == 302
    report = ClusterReport.objects.get(edition=edition, cluster=clusters["A"])
    assert (report.good_practices, report.recommendations) == ("Dobre praktyki", "Zalecenia")


def test_import_errors_are_shown_with_row_and_column(client, analyst, framework, clusters):
    client.force_login(analyst)
    edition = services.create_edition(framework=framework, year=2020, name="E")
    upload = SimpleUploadedFile("c.csv", b"cluster,staff\nKlaster A,dziesi\xc4\x99\xc4\x87\n")
    response = client.post(
        reverse("benchmarking:edition-import", args=[edition.pk, "coordinator"]),
        {"file": upload},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Nothing was imported: the file has errors.",
        'row 2, column staff: "dziesięć" is not a number',
    ]


def test_coordinator_sees_only_their_published_report(client, framework, clusters, coordinator_a):
    draft = make_edition(framework, 2018)
    published = make_edition(framework, 2020, publish=True)
    client.force_login(coordinator_a)
    assert client.get(_report_url(published, clusters["A"])).status_code == 200
    pdf = client.get(_report_url(published, clusters["A"], "benchmarking:cluster-report-pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    for url in (
        _report_url(published, clusters["B"]),
        _report_url(published, clusters["B"], "benchmarking:cluster-report-pdf"),
        _report_url(draft, clusters["A"]),
        _report_url(draft, clusters["A"], "benchmarking:cluster-report-pdf"),
        reverse("benchmarking:edition-report", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("benchmarking:edition-export", args=[published.pk]),
        _report_url(published, clusters["A"], "benchmarking:cluster-report-texts"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("benchmarking:edition-action", args=[draft.pk, "publish"]))
    assert response.status_code == 403
    listing = client.get(reverse("benchmarking:edition-list")).content.decode()
    assert _report_url(published, clusters["A"]) in listing
    assert _report_url(published, clusters["B"]) not in listing
    assert "Edycja 2018" not in listing


def test_the_public_sees_the_published_general_report_only(client, framework, clusters):
    draft = make_edition(framework, 2018)
    published = make_edition(framework, 2020, publish=True)
    page = client.get(reverse("benchmarking:edition-report", args=[published.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Klaster A" in body and "0.6667" in body  # impact median
    assert client.get(reverse("benchmarking:edition-report", args=[draft.pk])).status_code == 404
    assert client.get(_report_url(published, clusters["A"])).status_code == 404
    export = reverse("benchmarking:edition-export", args=[published.pk])
    assert client.get(export).status_code == 302  # to the login page
    other = UserFactory(username="someone")
    client.force_login(other)
    assert client.get(export).status_code == 403


def test_analyst_exports_the_results_document(client, analyst, edition):
    client.force_login(analyst)
    document = client.get(reverse("benchmarking:edition-export", args=[edition.pk])).json()
    assert list(document) == ["framework", "normalisation", "aggregation", "areas", "clusters"]
    assert [c["cluster"] for c in document["clusters"]] == ["Klaster C", "Klaster B", "Klaster A"]


def test_api_lists_published_editions_with_areas_only(client, framework, clusters):
    make_edition(framework, 2018)
    published = make_edition(framework, 2020, publish=True)
    listing = client.get("/api/v1/benchmarking/editions").json()
    assert [e["year"] for e in listing] == [2020]
    detail = client.get(f"/api/v1/benchmarking/editions/{published.pk}").json()
    assert detail["areas"] == [
        {"id": "resources", "title": "Resources", "median": "0.5000", "benchmark": "0.5833"},
        {"id": "impact", "title": "Impact", "median": "0.6667", "benchmark": "1.0000"},
    ]
    assert detail["cluster_names"] == ["Klaster A", "Klaster B", "Klaster C"]
    assert "rank" not in str(detail)
