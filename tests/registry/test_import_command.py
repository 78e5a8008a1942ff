import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from keyclusters.registry.models import Cluster, Membership, Organisation
from tests.factories import ClusterFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        try:
            call_command("import", *map(str, args), stdout=out, stderr=err)
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def counts():
    return [
        m.count()
        for m in (
            Organisation.objects,
            Membership.objects,
            Organisation.history,
            Membership.history,
        )
    ]


def test_members_by_cluster_name_from_a_windows_1250_file():
    cluster = ClusterFactory(name="Klaster Łódzki")
    code, out, err = run("members", "--cluster", "Klaster Łódzki", FIXTURES / "members-cp1250.csv")
    assert (code, err) == (0, "")
    assert out == "members: 3 rows, 3 created, 0 updated, 0 unchanged\n"
    names = set(
        Membership.objects.filter(cluster=cluster).values_list("organisation__name", flat=True)
    )
    assert names == {"Zakład Łódzki Sp. z o.o.", "Politechnika Łódzka", "Sächsische Werke GmbH",
                     cluster.coordinator.name}  # fmt: skip
    foreign = Organisation.objects.get(name="Sächsische Werke GmbH")
    assert (foreign.nip, foreign.country, foreign.size) == (None, "DE", "medium")
    assert Membership.objects.get(organisation__nip="5261040828").joined_on == dt.date(2015, 2, 1)


def test_members_by_cluster_id_twice_is_unchanged():
    cluster = ClusterFactory()
    assert run("members", "--cluster", cluster.pk, FIXTURES / "members-cp1250.csv")[0] == 0
    code, out, _ = run("members", "--cluster", cluster.pk, FIXTURES / "members-cp1250.csv")
    assert (code, out) == (0, "members: 3 rows, 0 created, 0 updated, 3 unchanged\n")
    assert Organisation.objects.count() == 4  # three members and the coordinator


def test_organisations_utf8_bom():
    code, out, _ = run("organisations", FIXTURES / "organisations-utf8-bom.csv")
    assert (code, out) == (0, "organisations: 2 rows, 2 created, 0 updated, 0 unchanged\n")
    assert Organisation.objects.get(nip="5261040828").city == "Kraków"


def test_invalid_rows_exit_2_with_every_error_and_write_nothing():
    cluster = ClusterFactory()
    before = counts()
    path = FIXTURES / "members-two-invalid.csv"
    code, out, err = run("members", "--cluster", cluster.name, path)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        'row 3, column nip: "123-456-32-19" is not a valid NIP (checksum)',
        "row 5, column joined_on: a value is required",
        f"{path}: 2 errors, nothing was imported.",
    ]
    assert counts() == before


def test_missing_file_and_unknown_cluster_exit_2(tmp_path):
    code, _, err = run("organisations", tmp_path / "missing.csv")
    assert code == 2
    assert err == f"{tmp_path / 'missing.csv'}: cannot be read (No such file or directory)\n"
    code, _, err = run("members", "--cluster", "Nie ma takiego", FIXTURES / "members-cp1250.csv")
    assert (code, err) == (2, "No cluster has the id or the name Nie ma takiego.\n")


def test_clusters_subcommand(tmp_path):
    OrganisationFactory(nip="5261040828")
    path = tmp_path / "clusters.csv"
    path.write_text("name;coordinator_nip;founded_on\nKlaster Z;5261040828;01.03.2012\n")
    assert run("clusters", path)[:2] == (0, "clusters: 1 row, 1 created, 0 updated, 0 unchanged\n")
    assert Cluster.objects.get(name="Klaster Z").founded_on == dt.date(2012, 3, 1)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal():
    cluster = ClusterFactory()
    path = FIXTURES / "members-cp1250.csv"
    terminal = Terminal()
    call_command("import", "members", "--cluster", cluster.name, str(path), stderr=terminal,
                 stdout=io.StringIO())  # fmt: skip
    assert "| 0/3 [" in terminal.getvalue()  # the bar, with the number of data lines as total
    plain = io.StringIO()
    call_command("import", "members", "--cluster", cluster.name, str(path), stderr=plain,
                 stdout=io.StringIO())  # fmt: skip
    assert plain.getvalue() == ""
