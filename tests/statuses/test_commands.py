"""``keyclusters verify`` and ``keyclusters import statuses``."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from keyclusters.statuses.models import StatusGrant
from tests.factories import ClusterFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def run(command, *args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        try:
            call_command(command, *map(str, args), stdout=out, stderr=err)
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_verify_a_member_exits_0_with_one_json_document(world):
    code, out, err = run("verify", "526-104-08-28", "--on", "2022-06-01", "--json")
    assert (code, err) == (0, "")
    answer = json.loads(out)
    assert (answer["nip"], answer["on"], answer["key_cluster_member"]) == (
        "5261040828", "2022-06-01", True,
    )  # fmt: skip
    assert [m["cluster"]["name"] for m in answer["memberships"]] == ["Klaster Łódzki"]


def test_verify_not_a_member_exits_1(world):
    assert run("verify", "5261040828", "--on", "2023-07-01")[:2] == (
        1, "5261040828: not a key-cluster member on 1 Jul 2023\n",
    )  # fmt: skip
    assert run("verify", "5261040828", "--on", "2022-09-14", "--min-months", "6")[0] == 1
    assert run("verify", "5261040828", "--on", "2022-09-15", "--min-months", "6")[0] == 0
    assert run("verify", "1830166138", "--on", "2022-06-01")[0] == 1  # strategic partner


def test_verify_an_invalid_nip_exits_2_with_a_message(world):
    assert run("verify", "526-104-08-29") == (
        2, "", '"526-104-08-29" is not a valid NIP (checksum)\n',
    )  # fmt: skip
    assert run("verify", "5261040828", "--on", "2022-13-01")[0] == 2


def test_verify_a_file(world, tmp_path):
    path = tmp_path / "nips.csv"
    path.write_text("nip\n526-104-08-28\n2860913907\n7251801126\n", encoding="utf-8")
    code, out, err = run("verify", "--file", path, "--on", "2022-06-01", "--json")
    assert (code, err) == (1, "")  # one of them is not a member
    results = json.loads(out)["results"]
    assert [(r["nip"], r["key_cluster_member"], r["key_cluster_coordinator"]) for r in results] == [
        ("5261040828", True, False), ("2860913907", False, False), ("7251801126", True, True),
    ]  # fmt: skip
    path.write_text("5261040828\n7251801126\n", encoding="utf-8")  # a TXT without a header
    code, out, _ = run("verify", "--file", path, "--on", "2022-06-01")
    assert code == 0
    assert out.splitlines()[1].startswith(
        "7251801126 (Fundacja Źródło Innowacji): key-cluster member on 1 Jun 2022: Klaster"
    )


def test_verify_a_file_with_an_invalid_nip_answers_every_other_row_and_exits_2(world, tmp_path):
    path = tmp_path / "nips.csv"
    path.write_text("nip\n5261040828\n123\n2860913907\n5261040829\n", encoding="utf-8")
    code, out, err = run("verify", "--file", path, "--on", "2022-06-01", "--json")
    assert code == 2
    results = json.loads(out)["results"]
    assert results == [
        {"nip": "5261040828", "on": "2022-06-01", "key_cluster_member": True,
         "key_cluster_coordinator": False, "memberships": results[0]["memberships"],
         "valid": True, "organisation": {"name": "Zakład Świętokrzyski"}},
        {"nip": "123", "valid": False, "error": '"123" is not a valid NIP (length)'},
        {"nip": "2860913907", "on": "2022-06-01", "key_cluster_member": False,
         "key_cluster_coordinator": False, "memberships": [], "valid": True, "organisation": None},
        {"nip": "5261040829", "valid": False,
         "error": '"5261040829" is not a valid NIP (checksum)'},
    ]  # fmt: skip
    assert [m["cluster"]["name"] for m in results[0]["memberships"]] == ["Klaster Łódzki"]
    assert err == (
        f'{path}: row 3, column nip: "123" is not a valid NIP (length)\n'
        f'{path}: row 5, column nip: "5261040829" is not a valid NIP (checksum)\n'
    )
    code, out, err = run("verify", "--file", path, "--on", "2022-06-01")
    assert code == 2
    lines = out.splitlines()
    assert lines[0].startswith(
        "5261040828 (Zakład Świętokrzyski): key-cluster member on 1 Jun 2022: Klaster Łódzki"
    )
    assert lines[1:] == [
        'row 3: "123" is not a valid NIP (length)',
        "2860913907: not a key-cluster member on 1 Jun 2022",
        'row 5: "5261040829" is not a valid NIP (checksum)',
    ]


def test_verify_a_file_that_cannot_be_read_is_refused_whole(world, tmp_path):
    path = tmp_path / "nips.csv"
    path.write_text("name\nZakład\n", encoding="utf-8")
    assert run("verify", "--file", path) == (2, "", f"{path}: the column nip is missing\n")


# --- import statuses -------------------------------------------------------------------------


@pytest.fixture
def clusters(db):
    coordinator = OrganisationFactory(name="Fundacja Źródło", nip="7251801126")
    first = ClusterFactory(name="Klaster Łódzki", coordinator=coordinator)
    second = ClusterFactory(name="Dolina Lotnicza")
    return first, second


def test_import_statuses(clusters, tmp_path):
    first, second = clusters
    path = tmp_path / "statuses.csv"
    path.write_text(
        "cluster;coordinator;coordinator_nip;round;valid_from;valid_to\n"
        "Klaster Łódzki;Fundacja Źródło;725-180-11-26;I;2015-09-23;2018-09-22\n"
        "Klaster Łódzki;Fundacja Źródło;;II;23.09.2018;22.09.2021\n"
        "Dolina Lotnicza;;;IV;2019-12-20;2022-12-19\n",
        encoding="cp1250",
    )
    code, out, err = run("import", "statuses", path)
    assert (code, err) == (0, "")
    assert out == "statuses: 3 rows, 3 created, 0 updated, 0 unchanged\n"
    grants = list(StatusGrant.objects.order_by("cluster__name", "valid_from"))
    assert [(g.cluster.name, g.round_label, g.valid_from, g.valid_to) for g in grants] == [
        ("Dolina Lotnicza", "IV", dt.date(2019, 12, 20), dt.date(2022, 12, 19)),
        ("Klaster Łódzki", "I", dt.date(2015, 9, 23), dt.date(2018, 9, 22)),
        ("Klaster Łódzki", "II", dt.date(2018, 9, 23), dt.date(2021, 9, 22)),
    ]
    assert grants[2].renewal_of == grants[1]
    assert grants[1].renewal_of is None
    assert StatusGrant.history.count() == 3
    assert run("import", "statuses", path)[1] == (
        "statuses: 3 rows, 0 created, 0 updated, 3 unchanged\n"
    )


def test_import_statuses_is_all_or_nothing_with_row_and_column_errors(clusters, tmp_path):
    path = tmp_path / "statuses.csv"
    path.write_text(
        "cluster,coordinator,coordinator_nip,round,valid_from,valid_to\n"
        "Klaster Łódzki,,725-180-11-26,I,2015-09-23,2018-09-22\n"
        "Klaster Lodzki,,,II,2018-09-23,2021-09-22\n"
        "Dolina Lotnicza,,7251801126,IV,2019-12-20,2022-12-19\n"
        "Dolina Lotnicza,,,V,2022-12-20,2021-12-19\n"
        "Dolina Lotnicza,,,VI,2022-13-01,2025-12-19\n"
        "Klaster Łódzki,,123,VII,2023-01-01,2025-12-31\n",
        encoding="utf-8",
    )
    code, out, err = run("import", "statuses", path)
    assert (code, out) == (2, "")
    nip = clusters[1].coordinator.nip
    assert err.splitlines() == [
        'row 3, column cluster: "Klaster Lodzki" is not the exact name of a cluster in the '
        "registry",
        f'row 4, column coordinator_nip: "7251801126" is not the NIP of the cluster\'s '
        f"coordinator ({nip})",
        'row 5, column valid_to: "2021-12-19" is before valid_from (2022-12-20)',
        'row 6, column valid_from: "2022-13-01" is not a date (YYYY-MM-DD or DD.MM.YYYY)',
        'row 7, column coordinator_nip: "123" is not a valid NIP (length)',
        f"{path}: 5 errors, nothing was imported.",
    ]
    assert StatusGrant.objects.count() == 0


def test_import_statuses_needs_its_columns(clusters, tmp_path):
    path = tmp_path / "statuses.csv"
    path.write_text("cluster,round,valid_from,colour\nKlaster Łódzki,I,2015-09-23,red\n")
    code, _, err = run("import", "statuses", path)
    assert code == 2
    assert err.splitlines()[:2] == [
        "row 1, column colour: is not a known column (the columns are: cluster, coordinator, "
        "coordinator_nip, round, valid_from, valid_to, type)",
        "row 1, column valid_to: the required column is missing",
    ]


@pytest.fixture
def decided(clusters):
    """Round V of Klaster Łódzki granted by the decision of 2021-12-20 in a call."""
    from keyclusters.competitions.models import Call, StoredRulebook
    from keyclusters.statuses import services

    rulebook = StoredRulebook.objects.create(
        rulebook_id="test", version=1, kind="status-competition", source="", sha256="0" * 64
    )
    call = Call.objects.create(
        name="Nabór V",
        round_label="V",
        rulebook=rulebook,
        opens_at=dt.datetime(2021, 5, 4, 9, tzinfo=dt.UTC),
        closes_at=dt.datetime(2021, 6, 30, 16, tzinfo=dt.UTC),
    )
    return services.grant_status(
        cluster=clusters[0], round_label="V", decision_on=dt.date(2021, 12, 20),
        valid_from=dt.date(2022, 1, 1), valid_to=dt.date(2024, 12, 31), call=call, by=None,
    )  # fmt: skip


def test_import_statuses_never_changes_a_grant_made_by_a_decision(decided, tmp_path):
    path = tmp_path / "statuses.csv"
    path.write_text(
        "cluster,round,valid_from,valid_to\n"
        "Klaster Łódzki,IV,2018-12-20,2021-12-19\n"
        "Klaster Łódzki,V,2021-12-20,2024-12-19\n"
        "Dolina Lotnicza,V,2021-12-20,2024-12-19\n",
        encoding="utf-8",
    )
    history = decided.history.count()
    code, out, err = run("import", "statuses", path)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        'row 3, column round: "V" is the round of the status of Klaster Łódzki granted in the '
        'call "Nabór V" by the decision of 2021-12-20 (valid 2022-01-01 to 2024-12-31); the '
        "import does not change a grant made by a decision",
        f"{path}: 1 error, nothing was imported.",
    ]
    decided.refresh_from_db()
    assert (decided.valid_from, decided.valid_to, decided.decision_on, decided.renewal_of) == (
        dt.date(2022, 1, 1), dt.date(2024, 12, 31), dt.date(2021, 12, 20), None,
    )  # fmt: skip
    assert decided.history.count() == history
    assert StatusGrant.objects.count() == 1  # all or nothing: rows 2 and 4 were not written


def test_import_statuses_reports_a_decided_grant_with_the_other_errors_in_polish(decided, tmp_path):
    decided.call = None
    decided.application = _application(decided)
    decided.save()
    path = tmp_path / "statuses.csv"
    path.write_text(
        "cluster,round,valid_from,valid_to\n"
        "Klaster Lodzki,IV,2018-12-20,2021-12-19\n"
        "Klaster Łódzki,V,2022-01-01,2025-12-31\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    with translation.override("pl"), pytest.raises(SystemExit):
        call_command("import", "statuses", str(path), stdout=out, stderr=err)
    assert err.getvalue().splitlines()[:2] == [
        "wiersz 2, kolumna cluster: „Klaster Lodzki” nie jest dokładną nazwą żadnego klastra w "
        "rejestrze",
        "wiersz 3, kolumna round: „V” jest rundą statusu klastra Klaster Łódzki przyznanego w "
        "naborze „Nabór V” rozstrzygnięciem z 2021-12-20 (ważnego od 2022-01-01 do 2024-12-31); "
        "import nie zmienia statusu przyznanego rozstrzygnięciem",
    ]
    decided.refresh_from_db()
    assert (decided.valid_from, decided.valid_to) == (dt.date(2022, 1, 1), dt.date(2024, 12, 31))


def _application(grant):
    from keyclusters.competitions.models import Application, Call

    return Application.objects.create(call=Call.objects.get(), cluster=grant.cluster)


def test_import_statuses_leaves_a_decided_grant_with_the_same_dates_unchanged(decided, tmp_path):
    path = tmp_path / "statuses.csv"
    path.write_text(
        "cluster,round,valid_from,valid_to\n"
        "Klaster Łódzki,IV,2018-12-20,2021-12-31\n"
        "Klaster Łódzki,V,2022-01-01,2024-12-31\n",
        encoding="utf-8",
    )
    assert run("import", "statuses", path) == (
        0, "statuses: 2 rows, 1 created, 0 updated, 1 unchanged\n", "",
    )  # fmt: skip
    decided.refresh_from_db()
    assert (decided.decision_on, decided.call.name) == (dt.date(2021, 12, 20), "Nabór V")
    assert StatusGrant.objects.get(round_label="IV").valid_to == dt.date(2021, 12, 31)
