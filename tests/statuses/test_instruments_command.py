"""``keyclusters instruments``: validate a catalogue (problems with their paths), store a new
version (refused when not newer), show the one answering."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from keyclusters.domain import instruments as terms
from keyclusters.statuses import instruments
from keyclusters.statuses.models import InstrumentCatalogue

pytestmark = pytest.mark.django_db

SHIPPED = terms.shipped_catalogue_path()


def run(*args) -> str:
    out = io.StringIO()
    call_command("instruments", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fresh():
    instruments.forget()
    yield
    instruments.forget()


def test_validate_names_the_problem_with_its_path(tmp_path):
    loaded = terms.load_catalogue(SHIPPED)
    assert run("validate", str(SHIPPED)) == f"valid: v{loaded.version} {loaded.sha256}\n"
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        SHIPPED.read_text(encoding="utf-8").replace("min_months: 6", "min_months: six", 1),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as info:
        run("validate", str(broken))
    assert "min_months" in str(info.value) and "instruments[" in str(info.value)
    assert not InstrumentCatalogue.objects.exists()


def test_store_makes_the_newest_version_answer_and_refuses_an_older_one(tmp_path):
    shipped = terms.load_catalogue(SHIPPED)
    newer = tmp_path / "newer.yaml"
    newer.write_text(
        SHIPPED.read_text(encoding="utf-8").replace(
            f"version: {shipped.version}\n", f"version: {shipped.version + 1}\n", 1
        ),
        encoding="utf-8",
    )
    out = run("store", str(newer))
    stored = InstrumentCatalogue.objects.get()
    assert out == f"stored: v{shipped.version + 1} {stored.sha256}\n"
    assert run("current").splitlines()[0].endswith(f"v{shipped.version + 1} {stored.sha256}")
    with pytest.raises(CommandError) as info:
        run("store", str(SHIPPED))
    assert str(info.value) == (
        f"version: musi być wyższa niż {shipped.version + 1} (najnowsza zapisana wersja)"
    )
    assert InstrumentCatalogue.objects.count() == 1


def test_a_missing_file_is_named():
    with pytest.raises(CommandError) as info:
        run("store", "/no/such/catalogue.yaml")
    assert str(info.value) == "/no/such/catalogue.yaml: No such file or directory"
