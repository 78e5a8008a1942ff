"""`keyclusters rulebook validate` accepts every shipped competition rulebook, and `rulebook
load` stores each with what it lists as not official."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from keyclusters.competitions.models import StoredRulebook
from keyclusters.domain.rulebook import shipped_rulebook_path, source_sha256

pytestmark = pytest.mark.django_db

# file, maximum
SHIPPED = [
    ("kkk-2015", "150"),
    ("kkk-2016", "150"),
    ("kkk-2018", "140"),
    ("kkk-2019", "140"),
    ("kkk-2021", "140"),
    ("kkk-2022", "150"),
]


@pytest.mark.parametrize(("rulebook_id", "maximum"), SHIPPED)
def test_validate_accepts_the_shipped_rulebook(rulebook_id, maximum, capsys):
    path = f"rulebooks/{rulebook_id}.yaml"
    sha256 = source_sha256(shipped_rulebook_path(rulebook_id).read_text(encoding="utf-8"))
    with translation.override("en"):
        call_command("rulebook", "validate", path)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.strip() == (
        f"{path}: valid ({rulebook_id} version 1, sha256 {sha256}), max {maximum}"
    )


def test_load_stores_the_six_shipped_rulebooks(capsys):
    call_command("rulebook", "load", *(rulebook_id for rulebook_id, _max in SHIPPED))
    stored = {r.rulebook_id: r for r in StoredRulebook.objects.all()}
    assert sorted(stored) == [rulebook_id for rulebook_id, _max in SHIPPED]
    for rulebook_id, maximum in SHIPPED:
        rulebook = stored[rulebook_id].parsed()
        assert str(rulebook.maximum) == maximum
        assert rulebook.illustrative[0] == "criteria-points"


def test_validate_accepts_the_shipped_benchmarking_framework(capsys):
    from keyclusters.domain.rulebook import load_rulebook

    path = "rulebooks/parp-benchmark-2020.yaml"
    sha256 = load_rulebook(Path(path)).canonical_sha256()
    with translation.override("en"):
        call_command("rulebook", "validate", path)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.strip() == (
        f"{path}: valid (parp-benchmark-2020 version 1, sha256 {sha256})"
    )
