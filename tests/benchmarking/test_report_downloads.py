"""Who may download a cluster's dedicated report PDF: analysts always, the cluster's coordinator
once the edition is published, nobody else; served from the stored file as an attachment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyclusters.benchmarking.models import ClusterReport
from tests.factories import ClusterFactory, UserFactory

from .conftest import make_edition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_FILES_SERVER = "django"


def _user(clusters, who):
    if who is None:
        return None
    if who == "coordinator":
        return UserFactory(roles=["coordinator"], organisation=clusters["A"].coordinator)
    if who == "other coordinator":
        return UserFactory(roles=["coordinator"], organisation=clusters["B"].coordinator)
    if who == "coordinator of no participant":
        return UserFactory(roles=["coordinator"], organisation=ClusterFactory().coordinator)
    if who == "public user":
        return UserFactory(roles=[])
    return UserFactory(roles=[who])


# (who, published edition, unpublished edition)
EXPECTED = [
    (None, 404, 404),
    ("public user", 404, 404),
    ("coordinator", 200, 404),
    ("other coordinator", 404, 404),
    ("coordinator of no participant", 404, 404),
    ("expert", 404, 404),
    ("operator", 404, 404),
    ("decision-maker", 404, 404),
    ("funding-agency", 404, 404),
    ("analyst", 200, 200),
]


@pytest.mark.parametrize(("who", "published", "unpublished"), EXPECTED)
def test_who_may_download(client, framework, clusters, who, published, unpublished):
    editions = {
        "published": make_edition(framework, 2020, publish=True),
        "unpublished": make_edition(framework, 2021),
    }
    user = _user(clusters, who)
    if user:
        client.force_login(user)
    for state, expected in (("published", published), ("unpublished", unpublished)):
        url = reverse(
            "benchmarking:cluster-report-pdf", args=[editions[state].pk, clusters["A"].pk]
        )
        response = client.get(url)
        assert response.status_code == expected, (who, state)
        if expected == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"] == (
                f'attachment; filename="benchmarking-{editions[state].year}-klaster-a.pdf"'
            )
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Cache-Control"] == "private, no-store"


def test_the_stored_pdf_is_not_under_a_media_url(client, framework, clusters, settings):
    edition = make_edition(framework, 2020, publish=True)
    client.force_login(_user(clusters, "analyst"))
    url = reverse("benchmarking:cluster-report-pdf", args=[edition.pk, clusters["A"].pk])
    assert client.get(url).status_code == 200
    report = ClusterReport.objects.get(edition=edition, cluster=clusters["A"])
    settings.DEBUG = True
    client.logout()
    assert client.get(report.pdf.url).status_code == 404


def test_the_admin_links_the_view(client, framework, clusters):
    edition = make_edition(framework, 2020, publish=True)
    client.force_login(_user(clusters, "analyst"))
    url = reverse("benchmarking:cluster-report-pdf", args=[edition.pk, clusters["A"].pk])
    client.get(url)
    report = ClusterReport.objects.get(edition=edition, cluster=clusters["A"])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(
        reverse("admin:benchmarking_clusterreport_change", args=[report.pk])
    ).content.decode()
    assert f'href="{url}"' in html
    assert report.pdf.url not in html
