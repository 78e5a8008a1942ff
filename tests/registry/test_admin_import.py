"""The admin import with preview, on an admin site of its own."""

import pytest
from django.contrib import admin
from django.urls import path

from keyclusters.registry.admin import ClusterAdmin, OrganisationAdmin
from keyclusters.registry.models import Cluster, Membership, Organisation
from tests.factories import ClusterFactory, UserFactory

site = admin.AdminSite(name="admin")


@admin.register(Organisation, site=site)
class OrganisationImportAdmin(OrganisationAdmin):
    pass


@admin.register(Cluster, site=site)
class ClusterImportAdmin(ClusterAdmin):
    pass


urlpatterns = [path("admin/", site.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

SOURCE = "name;nip;city\nAlfa;526-104-08-28;Kraków\nBeta;7740001454;Płock\n".encode("cp1250")


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def upload(client, url, content, name="organisations.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        url, {"file": SimpleUploadedFile(name, content)}, headers={"accept-language": "en"}
    )


def test_changelist_links_to_the_import(client, staff):
    page = client.get("/admin/registry/organisation/").content.decode()
    assert 'href="/admin/registry/organisation/import/"' in page


def test_preview_then_confirm(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = "/admin/registry/organisation/import/"
    preview = upload(client, url, SOURCE)
    assert preview.status_code == 200
    assert preview.context["preview"].created == 2
    page = preview.content.decode()
    assert "<td>Kraków</td>" in page and "<td>5261040828</td>" in page
    assert Organisation.objects.count() == 0
    assert len(list((tmp_path / "imports").iterdir())) == 1

    done = client.post(url, {"token": preview.context["token"]})
    assert done.status_code == 302 and done["Location"] == "/admin/registry/organisation/"
    assert Organisation.objects.get(nip="5261040828").city == "Kraków"
    assert Organisation.history.get(nip="7740001454").history_user == staff
    assert list((tmp_path / "imports").iterdir()) == []


def test_errors_are_listed_and_nothing_can_be_confirmed(client, staff):
    bad = b"name,nip\nAlfa,123-456-32-19\n,5261040828\n"
    response = upload(client, "/admin/registry/organisation/import/", bad)
    page = response.content.decode()
    assert "row 2, column nip: &quot;123-456-32-19&quot; is not a valid NIP (checksum)" in page
    assert "row 3, column name: a value is required" in page
    assert 'name="token"' not in page
    assert Organisation.objects.count() == 0


def test_token_of_another_user_is_refused(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = "/admin/registry/organisation/import/"
    token = upload(client, url, SOURCE).context["token"]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.post(url, {"token": token}).status_code == 403
    assert Organisation.objects.count() == 0


def test_members_import_from_the_cluster_page(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cluster = ClusterFactory()
    change = client.get(f"/admin/registry/cluster/{cluster.pk}/change/").content.decode()
    url = f"/admin/registry/cluster/{cluster.pk}/import-members/"
    assert f'href="{url}"' in change
    source = b"name,nip,joined_on\nAlfa,5261040828,2015-01-01\n"
    token = upload(client, url, source, "members.csv").context["token"]
    client.post(url, {"token": token})
    assert Membership.objects.filter(cluster=cluster, organisation__nip="5261040828").exists()


def test_staff_only(client):
    client.force_login(UserFactory(is_staff=False))
    response = client.get("/admin/registry/organisation/import/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
