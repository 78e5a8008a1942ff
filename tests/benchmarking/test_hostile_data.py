"""The bad-input corpus (tests/hostile.py) through `keyclusters benchmark compute --data` and an
edition's data import page: every file refused with its exact messages, nothing written, within
2 s and 64 MB (measured)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from keyclusters.benchmarking import services
from tests.hostile import CASES, TEMPLATES, bounded, csv_bytes, table_counts

from .conftest import SMALL_FRAMEWORK

pytestmark = pytest.mark.django_db

ids = {"ids": lambda case: case.name}


@pytest.fixture
def framework_file(tmp_path):
    path = tmp_path / "test-bench.yaml"
    path.write_text(SMALL_FRAMEWORK, encoding="utf-8")
    return path


def compute(framework_file, path, capsys):
    try:
        call_command("benchmark", "compute", "--framework", str(framework_file),
                     "--data", str(path), "--json")  # fmt: skip
    except SystemExit as exit_:
        captured = capsys.readouterr()
        return exit_.code, captured.out, captured.err
    captured = capsys.readouterr()
    return 0, captured.out, captured.err


@pytest.mark.parametrize("case", CASES, **ids)
def test_compute_refuses_the_corpus(case, framework_file, tmp_path, capsys):
    template = TEMPLATES["benchmarking"]
    path = tmp_path / "data.csv"
    path.write_bytes(case.make(template))
    with bounded(2.0, 64):
        code, out, err = compute(framework_file, path, capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"{path}: {message}" for message in case.expected(template)]


@pytest.mark.parametrize(
    ("value", "message"),
    [("inf", '"inf" is not a number'), ("NaN", '"NaN" is not a number'),
     ("1e999", '"1e999" is too large (at most 10^15 in absolute value)')],
)  # fmt: skip
def test_compute_refuses_non_finite_values(value, message, framework_file, tmp_path, capsys):
    path = tmp_path / "data.csv"
    path.write_bytes(csv_bytes(("cluster", "staff"), ("Klaster A", "1"), ("Klaster B", value)))
    code, _, err = compute(framework_file, path, capsys)
    assert (code, err) == (2, f"{path}: row 3, column staff: {message}\n")


def test_compute_refuses_a_file_over_the_limit_before_reading_it(framework_file, tmp_path, capsys):
    path = tmp_path / "data.csv"
    with path.open("wb") as handle:
        handle.truncate(500 * 2**20)
    with bounded(1.0, 4):
        code, _, err = compute(framework_file, path, capsys)
    assert (code, err) == (2, f"{path}: The file has 500.0 MB; at most 20 MB is accepted.\n")


@pytest.fixture
def draft(framework, clusters):
    return services.create_edition(framework=framework, year=2020, name="E")


def _import(client, edition, kind, content):
    upload = SimpleUploadedFile(f"{kind}.csv", content)
    response = client.post(
        reverse("benchmarking:edition-import", args=[edition.pk, kind]), {"file": upload},
        follow=True,
    )  # fmt: skip
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("case", CASES, **ids)
def test_the_import_page_refuses_the_corpus(case, client, analyst, draft):
    client.force_login(analyst)
    template = TEMPLATES["benchmarking"]
    content = case.make(template)
    before = table_counts()
    with bounded(2.0, 64):
        messages = _import(client, draft, "coordinator", content)
    assert messages == ["Nothing was imported: the file has errors.", *case.expected(template)]
    assert table_counts() == before


def test_an_infinite_survey_answer_is_refused(client, analyst, draft):
    client.force_login(analyst)
    content = csv_bytes(("cluster", "rating"), ("Klaster A", "4"), ("Klaster A", "1e999"),
                        ("Klaster B", "inf"))  # fmt: skip
    before = table_counts()
    assert _import(client, draft, "survey", content) == [
        "Nothing was imported: the file has errors.",
        'row 3, column rating: "1e999" is too large (at most 10^15 in absolute value)',
        'row 4, column rating: "inf" is not a number',
    ]
    assert table_counts() == before


def test_the_import_page_refuses_a_file_over_its_limit(client, analyst, draft, settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "benchmarking": 2**20}
    client.force_login(analyst)
    before = table_counts()
    assert _import(client, draft, "coordinator", b"cluster,staff\n" + b"x" * 2**21) == [
        "The file has 2.0 MB; at most 1 MB is accepted."
    ]
    assert table_counts() == before
