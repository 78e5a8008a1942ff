"""The scan of a cooperation declaration: to the cluster's coordinator and operators only,
checked as a PDF when it is uploaded in the admin, never by a media URL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyclusters.registry.models import CooperationDeclaration
from tests.factories import ClusterFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_FILES_SERVER = "django"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def declaration():
    cluster = ClusterFactory(name="Klaster Śląski")
    declaration = CooperationDeclaration.objects.create(
        cluster=cluster, signed_on=dt.date(2020, 5, 4), place="Katowice"
    )
    declaration.document.save("skan.pdf", ContentFile(PDF))
    return declaration


def _url(declaration):
    return reverse("registry:declaration-document", args=[declaration.cluster_id, declaration.pk])


def _user(declaration, who):
    if who == "coordinator":
        return UserFactory(roles=["coordinator"], organisation=declaration.cluster.coordinator)
    if who == "other coordinator":
        return UserFactory(roles=["coordinator"], organisation=ClusterFactory().coordinator)
    if who == "public user":
        return UserFactory(roles=[])
    return UserFactory(roles=[who])


EXPECTED = {
    "public user": 403,
    "coordinator": 200,
    "other coordinator": 403,
    "expert": 403,
    "panel-member": 403,
    "operator": 200,
    "decision-maker": 403,
    "analyst": 403,
    "funding-agency": 403,
}


def test_anonymous_is_sent_to_log_in(client, declaration):
    response = client.get(_url(declaration))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("who", "status"), EXPECTED.items())
def test_who_may_download(client, declaration, who, status):
    client.force_login(_user(declaration, who))
    response = client.get(_url(declaration))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            'attachment; filename="declaration-klaster-slaski-2020-05-04.pdf"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"


def test_a_declaration_of_another_cluster_or_without_a_document_is_a_404(client, declaration):
    client.force_login(_user(declaration, "operator"))
    other = ClusterFactory()
    assert (
        client.get(
            reverse("registry:declaration-document", args=[other.pk, declaration.pk])
        ).status_code
        == 404
    )
    bare = CooperationDeclaration.objects.create(
        cluster=declaration.cluster, signed_on=dt.date(2021, 1, 1), place="Gliwice"
    )
    assert client.get(_url(bare)).status_code == 404


def test_a_stored_file_that_is_not_a_document_is_not_served(client, declaration):
    declaration.document.save("stare.pdf", ContentFile(HTML))
    client.force_login(_user(declaration, "operator"))
    assert client.get(_url(declaration)).status_code == 404


@pytest.mark.parametrize(
    ("who", "link"),
    [(None, False), ("public user", False), ("coordinator", True), ("operator", True)],
)
def test_the_cluster_page_links_the_view_for_those_who_may(client, declaration, who, link):
    if who:
        client.force_login(_user(declaration, who))
    page = client.get(reverse("registry:cluster-detail", args=[declaration.cluster_id]))
    html = page.content.decode()
    assert (_url(declaration) in html) is link
    assert ("not public" in html) is not link
    assert declaration.document.url not in html


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _admin_post(client, declaration, content):
    url = reverse("admin:registry_cooperationdeclaration_change", args=[declaration.pk])
    data = {
        "cluster": declaration.cluster_id,
        "signatories": [OrganisationFactory().pk],
        "signed_on": "2020-05-04",
        "place": "Katowice",
        "subject": "",
        "document": SimpleUploadedFile("deklaracja.pdf", content, "application/pdf"),
    }
    return client.post(url, data)


def test_the_admin_refuses_a_page_renamed_pdf(admin_client, declaration):
    response = _admin_post(admin_client, declaration, HTML)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "document": ["Only PDF documents are accepted."]
    }
    declaration.refresh_from_db()
    assert declaration.document.read() == PDF


def test_the_admin_accepts_a_pdf_and_links_the_view(admin_client, declaration):
    response = _admin_post(admin_client, declaration, PDF + b"% new\n")
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.document.read() == PDF + b"% new\n"
    url = reverse("admin:registry_cooperationdeclaration_change", args=[declaration.pk])
    html = admin_client.get(url).content.decode()
    assert f'href="{_url(declaration)}"' in html
    assert declaration.document.url not in html
