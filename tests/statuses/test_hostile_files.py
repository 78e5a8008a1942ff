"""The bad-input corpus (tests/hostile.py) through `keyclusters import statuses`, `keyclusters
verify --file` and the verification page: every file refused with its exact messages, nothing
written, within 2 s and 64 MB (measured)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests.factories import ClusterFactory, UserFactory
from tests.hostile import CASES, TEMPLATES, bounded, csv_bytes, outside, table_counts

pytestmark = pytest.mark.django_db

ids = {"ids": lambda case: case.name}
VERIFY = reverse("statuses:verify")


def run(command, *args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        try:
            call_command(command, *map(str, args), stdout=out, stderr=err)
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def cluster(db):
    return ClusterFactory(name="Klaster A")


@pytest.mark.parametrize("case", CASES, **ids)
def test_import_statuses_refuses_the_corpus(case, cluster, tmp_path):
    template = TEMPLATES["statuses"]
    path = tmp_path / "statuses.csv"
    path.write_bytes(case.make(template))
    before = table_counts()
    with bounded(2.0, 64):
        code, out, err = run("import", "statuses", path)
    assert (code, out) == (2, "")
    assert err.splitlines() == [*case.expected(template), f"{path}: 1 error, nothing was imported."]
    assert table_counts() == before


def test_import_statuses_refuses_implausible_dates(cluster, tmp_path):
    path = tmp_path / "statuses.csv"
    path.write_bytes(csv_bytes(
        TEMPLATES["statuses"].header,
        ("Klaster A", "I", "0001-01-01", "2018-09-22"),
        ("Klaster A", "II", "2018-12-10", "9999-12-31"),
    ))  # fmt: skip
    code, _, err = run("import", "statuses", path)
    assert (code, err.splitlines()) == (2, [
        f"row 2, column valid_from: {outside('0001-01-01')}",
        f"row 3, column valid_to: {outside('9999-12-31', years=10)}",
        f"{path}: 2 errors, nothing was imported.",
    ])  # fmt: skip


@pytest.mark.parametrize("case", CASES, **ids)
def test_verify_file_refuses_the_corpus(case, tmp_path):
    template = TEMPLATES["verification"]
    path = tmp_path / "nips.csv"
    path.write_bytes(case.make(template))
    with bounded(2.0, 64):
        code, out, err = run("verify", "--file", path)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"{path}: {message}" for message in case.expected(template)]


def test_verify_file_refuses_implausible_nips_and_too_many_rows(tmp_path):
    path = tmp_path / "nips.csv"
    path.write_bytes(csv_bytes(("nip",), ("0000000000",), ("５２６１０４０８２８",)))
    code, _, err = run("verify", "--file", path)
    assert (code, err.splitlines()) == (2, [
        f'{path}: row 2, column nip: "0000000000" is not a valid NIP (only zeros)',
        f'{path}: row 3, column nip: "５２６１０４０８２８" is not a valid NIP (format)',
    ])  # fmt: skip
    path.write_bytes(csv_bytes(("nip",), *[("5261040828",)] * 100_001))
    with bounded(2.0, None):  # the time, then the memory (measuring it slows the reading)
        code, _, err = run("verify", "--file", path)
    assert (code, err) == (2, f"{path}: row 100002: the file has more than 100000 data rows\n")
    with bounded(30.0, 32):
        assert run("verify", "--file", path)[0] == 2


def test_verify_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "nips.csv"
    with path.open("wb") as handle:
        handle.truncate(500 * 2**20)
    with bounded(1.0, 2):
        code, _, err = run("verify", "--file", path)
    assert (code, err) == (2, f"{path}: The file has 500.0 MB; at most 10 MB is accepted.\n")


@pytest.fixture
def agency(client, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(UserFactory(roles=["funding-agency"]))


@pytest.mark.parametrize("case", CASES, **ids)
def test_the_verification_page_refuses_the_corpus(case, client, agency):
    template = TEMPLATES["verification"]
    upload = SimpleUploadedFile("nips.csv", case.make(template))
    with bounded(2.0, 64):
        response = client.post(VERIFY, {"action": "file", "file": upload, "format": "csv"})
    assert response.status_code == 200
    assert response.context["file_errors"] == [
        f"nips.csv: {message}" for message in case.expected(template)
    ]


def test_the_verification_page_refuses_a_file_over_its_limit(client, agency, settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "verification": 2**20}
    upload = SimpleUploadedFile("nips.csv", b"nip\n" + b"5261040828\n" * 200_000)
    response = client.post(VERIFY, {"action": "file", "file": upload, "format": "csv"})
    assert response.context["upload"].errors == {
        "file": ["The file has 2.1 MB; at most 1 MB is accepted."]
    }
