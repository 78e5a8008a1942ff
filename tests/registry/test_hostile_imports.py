"""The bad-input corpus (tests/hostile.py) through `keyclusters import organisations|clusters|
members`, a coordinator's member import page and the admin's import: every file refused with its
exact messages, nothing written, within 2 s and 64 MB (measured)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from keyclusters.registry import uploads
from tests.factories import ClusterFactory, OrganisationFactory, UserFactory
from tests.hostile import CASES, TEMPLATES, bounded, csv_bytes, outside, table_counts

pytestmark = pytest.mark.django_db

ids = {"ids": lambda case: case.name}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        try:
            call_command("import", *map(str, args), stdout=out, stderr=err)
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def cluster():
    return ClusterFactory(name="Klaster A", coordinator=OrganisationFactory(nip="5261040828"))


def _summary(path, count: int) -> str:
    noun = "error" if count == 1 else "errors"
    return f"{path}: {count} {noun}, nothing was imported."


@pytest.mark.parametrize("kind", ["organisations", "clusters", "members"])
@pytest.mark.parametrize("case", CASES, **ids)
def test_the_command_refuses_the_corpus(case, kind, cluster, tmp_path):
    template = TEMPLATES[kind]
    path = tmp_path / f"{case.name}.csv"
    path.write_bytes(case.make(template))
    extra = ["--cluster", cluster.pk] if kind == "members" else []
    before = table_counts()
    with bounded(2.0, 64):
        code, out, err = run(kind, *extra, path)
    expected = case.expected(template)
    assert (code, out) == (2, "")
    assert err.splitlines() == [*expected, _summary(path, len(expected))]
    assert table_counts() == before


def test_the_command_refuses_implausible_members(cluster, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes(
        ("name", "nip", "krs", "joined_on", "left_on"),
        ("Alfa", "0000000000", "", "2015-01-01", ""),
        ("Beta", "7740001454", "١٢٣٤٥", "2015-01-01", ""),
        ("Gamma", "5260250274", "", "0001-01-01", "9999-12-31"),
    ))  # fmt: skip
    before = table_counts()
    code, _, err = run("members", "--cluster", cluster.pk, path)
    assert code == 2
    assert err.splitlines() == [
        'row 2, column nip: "0000000000" is not a valid NIP (only zeros)',
        'row 3, column krs: "١٢٣٤٥" is not a valid KRS (format)',
        f"row 4, column joined_on: {outside('0001-01-01')}",
        f"row 4, column left_on: {outside('9999-12-31')}",
        _summary(path, 4),
    ]
    assert table_counts() == before


def test_the_command_refuses_a_cluster_founded_before_1989(cluster, tmp_path):
    path = tmp_path / "clusters.csv"
    path.write_bytes(csv_bytes(TEMPLATES["clusters"].header, ("Klaster Z", "5261040828",
                                                              "31.12.1988")))  # fmt: skip
    code, _, err = run("clusters", path)
    assert (code, err.splitlines()) == (2, [
        f"row 2, column founded_on: {outside('31.12.1988')}", _summary(path, 1),
    ])  # fmt: skip


@pytest.mark.parametrize("kind", ["organisations", "clusters", "members"])
def test_a_file_over_the_limit_is_refused_before_it_is_read(kind, cluster, tmp_path):
    """A 500 MB file (sparse on disk) with a bad last row: refused from its size alone."""
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(b"name,nip,joined_on\n")
        handle.truncate(500 * 2**20 - 40)
        handle.seek(0, io.SEEK_END)
        handle.write(b"Z,123-456-32-19,2015-01-01\n")
    extra = ["--cluster", cluster.pk] if kind == "members" else []
    before = table_counts()
    with bounded(1.0, 2):
        code, _, err = run(kind, *extra, path)
    limit = "5" if kind == "clusters" else "50"
    assert (code, err) == (2, f"{path}: The file has 500.0 MB; at most {limit} MB is accepted.\n")
    assert table_counts() == before


# --- the web ---------------------------------------------------------------------------------


@pytest.fixture
def coordinator(cluster):
    return UserFactory(roles=["coordinator"], organisation=cluster.coordinator)


@pytest.mark.parametrize("case", CASES, **ids)
def test_the_member_import_page_refuses_the_corpus(case, client, cluster, coordinator, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(coordinator)
    template = TEMPLATES["members"]
    upload = SimpleUploadedFile("members.csv", case.make(template))
    before = table_counts()
    with bounded(2.0, 64):
        response = client.post(reverse("registry:members-import", args=[cluster.pk]),
                               {"file": upload}, headers={"accept-language": "en"})  # fmt: skip
    assert response.status_code == 200
    assert response.context["import_errors"] == case.expected(template)
    assert table_counts() == before


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("kind", ["organisations", "clusters"])
@pytest.mark.parametrize("case", CASES, **ids)
def test_the_admin_import_refuses_the_corpus(case, kind, client, staff, cluster):
    template = TEMPLATES[kind]
    upload = SimpleUploadedFile(f"{kind}.csv", case.make(template))
    before = table_counts()
    with bounded(2.0, 64):
        response = client.post(f"/admin/registry/{kind[:-1]}/import/", {"file": upload},
                               headers={"accept-language": "en"})  # fmt: skip
    assert response.status_code == 200
    assert response.context["preview"].error_messages() == case.expected(template)
    assert "token" not in response.context
    assert table_counts() == before


def test_an_upload_over_its_limit_is_refused_with_its_size(client, cluster, coordinator, settings):
    settings.LANGUAGE_CODE = "en"
    settings.UPLOAD_LIMITS = dict.fromkeys(settings.UPLOAD_LIMITS, 2**20)
    client.force_login(coordinator)
    upload = SimpleUploadedFile("members.csv", b"name,nip,joined_on\n" + b"x" * (3 * 2**20))
    before = table_counts()
    response = client.post(reverse("registry:members-import", args=[cluster.pk]),
                           {"file": upload}, headers={"accept-language": "en"})  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["The file has 3.0 MB; at most 1 MB is accepted."]
    }
    assert table_counts() == before


def test_the_upload_handler_keeps_nothing_past_the_largest_limit(settings):
    """Past the largest limit the chunks go to no handler; the file left has its size only."""
    settings.UPLOAD_LIMITS = dict.fromkeys(settings.UPLOAD_LIMITS, 2**20)
    handler = uploads.LimitedUploadHandler(RequestFactory().post("/"))
    handler.new_file("file", "big.csv", "text/csv", None)
    chunk = b"x" * 64 * 1024
    passed = [handler.receive_data_chunk(chunk, n * len(chunk)) for n in range(48)]
    assert passed[:16] == [chunk] * 16 and passed[16:] == [None] * 32
    oversized = handler.file_complete(48 * len(chunk))
    assert (oversized.name, oversized.size, oversized.read()) == ("big.csv", 3 * 2**20, b"")
    handler.new_file("file", "small.csv", "text/csv", None)
    assert handler.receive_data_chunk(chunk, 0) == chunk
    assert handler.file_complete(len(chunk)) is None  # the next handler keeps it


def test_an_upload_kept_on_disk_is_imported_from_there(client, cluster, coordinator, settings):
    """Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE wait in a temporary file; the import reads it
    from there as a stream."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    client.force_login(coordinator)
    upload = SimpleUploadedFile("members.csv", csv_bytes(
        ("name", "nip", "joined_on"), ("Zakład Łódzki", "7740001454", "2015-01-01"),
    ))  # fmt: skip
    response = client.post(reverse("registry:members-import", args=[cluster.pk]),
                           {"file": upload})  # fmt: skip
    assert response.status_code == 302
    assert cluster.memberships.filter(organisation__name="Zakład Łódzki").exists()
