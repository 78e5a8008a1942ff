import dataclasses
import datetime as dt
import gc
import io
import threading

import openpyxl
import pytest
from django.utils import translation

from keyclusters.domain import tabular
from keyclusters.registry import importing
from keyclusters.registry.importing import ImportRejected
from keyclusters.registry.models import Cluster, Membership, Organisation
from tests.factories import ClusterFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

HISTORY = (Organisation.history, Cluster.history, Membership.history)


def counts():
    models = (Organisation.objects, Cluster.objects, Membership.objects, *HISTORY)
    return [m.count() for m in models]


def test_windows_1250_semicolon_members_with_polish_names_and_dotted_dates():
    cluster = ClusterFactory(name="Klaster Łódzki")
    source = (
        "name;nip;regon;kind;size;voivodeship;city;joined_on;left_on;role\r\n"
        "Zakład Łódzki Sp. z o.o.;526-104-08-28;012100784;enterprise;small;łódzkie;Łódź;"
        "01.02.2015;;\r\n"
        "Politechnika Łódzka;PL 727-002-18-95;;university;;Łódzkie;Łódź;15.09.2016;"
        "30.06.2020;strategic-partner\r\n"
        ";;;;;;;;;\r\n"
    ).encode("cp1250")
    report = importing.import_members(cluster=cluster, source=source, filename="czlonkowie.csv")
    assert report == importing.ImportReport(rows=2, created=2, updated=0, unchanged=0)
    zaklad = Organisation.objects.get(nip="5261040828")
    assert (zaklad.name, zaklad.city, zaklad.voivodeship) == (
        "Zakład Łódzki Sp. z o.o.", "Łódź", "lodzkie",
    )  # fmt: skip
    assert (zaklad.regon, zaklad.kind, zaklad.size) == ("012100784", "enterprise", "small")
    membership = Membership.objects.get(cluster=cluster, organisation__nip="7270021895")
    assert membership.organisation.name == "Politechnika Łódzka"
    assert (membership.role, membership.joined_on, membership.left_on) == (
        "strategic-partner", dt.date(2016, 9, 15), dt.date(2020, 6, 30),
    )  # fmt: skip
    assert Membership.objects.get(cluster=cluster, organisation=zaklad).joined_on == dt.date(
        2015, 2, 1
    )


def test_utf8_bom_comma_organisations_and_upsert_without_duplicates():
    source = (
        "\ufeffname,nip,kind,size,city,country\n"
        "Alfa Sp. z o.o.,526-104-08-28,enterprise,micro,Kraków,PL\n"
        "Beta SA,7740001454,enterprise,large,Płock,\n"
        "Gamma GmbH,,other,,Berlin,DE\n"
    ).encode()
    first = importing.import_organisations(source=source, filename="o.csv")
    assert first == importing.ImportReport(rows=3, created=3, updated=0, unchanged=0)
    assert Organisation.objects.count() == 3
    again = importing.import_organisations(source=source, filename="o.csv")
    assert again == importing.ImportReport(rows=3, created=0, updated=0, unchanged=3)
    changed = source.replace(b"Krak\xc3\xb3w", b"Tarn\xc3\xb3w")
    third = importing.import_organisations(source=changed, filename="o.csv")
    assert third == importing.ImportReport(rows=3, created=0, updated=1, unchanged=2)
    assert Organisation.objects.count() == 3
    assert Organisation.objects.get(nip="5261040828").city == "Tarnów"
    gamma = Organisation.objects.get(name="Gamma GmbH")
    assert (gamma.nip, gamma.country) == (None, "DE")
    assert Organisation.history.filter(nip="5261040828").count() == 2


def test_nip_written_with_dashes_spaces_and_prefix_is_stored_as_ten_digits():
    source = b"name,nip\nA,526-104-08-28\nB,PL 774 000 14 54\nC,pl5260250274\n"
    importing.import_organisations(source=source, filename="o.csv")
    assert sorted(Organisation.objects.values_list("nip", flat=True)) == [
        "5260250274", "5261040828", "7740001454",
    ]  # fmt: skip


def test_xlsx_members_import():
    cluster = ClusterFactory()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "nip", "kind", "size", "joined_on", "left_on", "role"])
    sheet.append(["Delta", "5270103391", "enterprise", "medium", dt.date(2019, 4, 1), None, None])
    sheet.append(["Epsilon", 1132853869, "research", None, "2020-01-15", "31.12.2022", "member"])
    out = io.BytesIO()
    workbook.save(out)
    report = importing.import_members(cluster=cluster, source=out.getvalue(), filename="m.xlsx")
    assert (report.rows, report.created) == (2, 2)
    epsilon = Membership.objects.get(cluster=cluster, organisation__nip="1132853869")
    assert (epsilon.joined_on, epsilon.left_on) == (dt.date(2020, 1, 15), dt.date(2022, 12, 31))
    assert epsilon.organisation.kind == "research"


def test_a_file_with_two_invalid_rows_writes_nothing():
    cluster = ClusterFactory()
    before = counts()
    source = (
        "name,nip,joined_on,left_on\n"
        "Dobra,5261040828,2015-01-01,\n"
        "Zła,123-456-32-19,2015-01-01,\n"
        "Dobra 2,7740001454,2015-01-01,\n"
        "Też zła,5260250274,2016-01-01,2015-01-01\n"
    ).encode()
    with pytest.raises(ImportRejected) as rejected:
        importing.import_members(cluster=cluster, source=source, filename="m.csv")
    assert [(e.row, e.column) for e in rejected.value.errors] == [(3, "nip"), (5, "left_on")]
    with translation.override("en"):
        text = str(rejected.value)
    assert text == (
        'row 3, column nip: "123-456-32-19" is not a valid NIP (checksum)\n'
        'row 5, column left_on: "2015-01-01" is before joined_on (2016-01-01)'
    )
    assert counts() == before


def test_history_records_name_the_acting_user():
    user = UserFactory()
    cluster = ClusterFactory()
    source = b"name,nip,joined_on\nAlfa,5261040828,2015-01-01\n"
    importing.import_members(cluster=cluster, source=source, filename="m.csv", by=user)
    organisation = Organisation.history.get(nip="5261040828")
    assert (organisation.history_user, organisation.history_type) == (user, "+")
    membership = Membership.history.get(organisation_id=organisation.id)
    assert (membership.history_user, membership.cluster_id) == (user, cluster.pk)
    assert membership.joined_on == dt.date(2015, 1, 1)
    again = b"name,nip,joined_on,left_on\nAlfa,5261040828,2015-01-01,2018-06-30\n"
    report = importing.import_members(cluster=cluster, source=again, filename="m.csv", by=user)
    assert (report.updated, report.created) == (1, 0)
    latest = Membership.history.filter(organisation_id=organisation.id).latest("history_id")
    assert (latest.history_type, latest.left_on, latest.history_user) == (
        "~", dt.date(2018, 6, 30), user,
    )  # fmt: skip


def test_members_upsert_keys_and_outcomes():
    cluster = ClusterFactory()
    existing = OrganisationFactory(nip="5261040828", name="Alfa", kind="enterprise", size="small")
    source = (
        b"name,nip,kind,size,joined_on,role\n"
        b"Alfa,5261040828,enterprise,small,2015-01-01,\n"
        b"Alfa,5261040828,enterprise,small,2019-01-01,strategic-partner\n"
        b"Alfa,5261040828,enterprise,small,2015-01-01,member\n"
    )
    report = importing.import_members(cluster=cluster, source=source, filename="m.csv")
    assert report == importing.ImportReport(rows=3, created=2, updated=0, unchanged=1)
    assert Organisation.objects.filter(nip="5261040828").count() == 1
    roles = set(Membership.objects.filter(organisation=existing).values_list("role", "joined_on"))
    assert roles == {("member", dt.date(2015, 1, 1)), ("strategic-partner", dt.date(2019, 1, 1))}


def test_clusters_import_requires_known_coordinators_and_adds_their_membership():
    OrganisationFactory(nip="5261040828", name="Koordynator")
    source = (
        b"name,coordinator_nip,founded_on,specialisation,voivodeship,website\n"
        b"Klaster Nowy,526-104-08-28,01.03.2012,ICT,mazowieckie,www.klaster.pl\n"
        b"Klaster Obcy,7740001454,2013-01-01,,,\n"
    )
    before = counts()
    with pytest.raises(ImportRejected) as rejected:
        importing.import_clusters(source=source, filename="c.csv")
    assert [str(e) for e in rejected.value.errors] == [  # str() is the English message
        'row 3, column coordinator_nip: "7740001454" is not the NIP of an organisation in the '
        "registry"
    ]
    assert counts() == before
    report = importing.import_clusters(source=source.rsplit(b"\n", 2)[0], filename="c.csv")
    assert report == importing.ImportReport(rows=1, created=1, updated=0, unchanged=0)
    cluster = Cluster.objects.get(name="Klaster Nowy")
    assert (cluster.website, cluster.founded_on) == ("https://www.klaster.pl", dt.date(2012, 3, 1))
    membership = Membership.objects.get(cluster=cluster)
    assert (membership.organisation.nip, membership.role, membership.joined_on) == (
        "5261040828", "coordinator", dt.date(2012, 3, 1),
    )  # fmt: skip
    again = importing.import_clusters(source=source.rsplit(b"\n", 2)[0], filename="c.csv")
    assert (again.unchanged, Cluster.objects.count()) == (1, 1)


def test_preview_writes_nothing_and_counts():
    OrganisationFactory(nip="5261040828", name="Alfa", city="Kraków")
    source = "name,nip,city\nAlfa,5261040828,Tarnów\nBeta,7740001454,Płock\n".encode()
    before = counts()
    preview = importing.preview_organisations(source=source, filename="o.csv")
    assert counts() == before
    assert (preview.rows, preview.created, preview.updated, preview.unchanged) == (2, 1, 1, 0)
    assert preview.columns == ("name", "nip", "city")
    assert [(r.row, r.outcome, r.values) for r in preview.sample] == [
        (2, "updated", ("Alfa", "5261040828", "Tarnów")),
        (3, "created", ("Beta", "7740001454", "Płock")),
    ]
    bad = importing.preview_organisations(source=b"name,nip\nX,1\n", filename="o.csv")
    with translation.override("en"):
        messages = bad.error_messages()
    assert messages == ['row 2, column nip: "1" is not a valid NIP (length)']


def test_progress_is_reported(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    seen = []
    source = b"name,nip\nA,5261040828\nB,7740001454\nC,5260250274\n"
    importing.import_organisations(source=source, filename="o.csv", progress=seen.append)
    assert seen == [2, 3]


def test_rows_written_before_an_error_is_found_are_rolled_back(monkeypatch):
    """The first chunk is written while the rest is validated; a later error undoes it."""
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    cluster = ClusterFactory()
    before = counts()
    first_chunk_written = threading.Event()
    real_stream = tabular.stream_members

    def held_stream(source, filename="", **options):
        stream = real_stream(source, filename, **options)

        def records():
            for record in stream.records:
                if record.row == 4:  # validate the rest only once rows 2 and 3 are written
                    assert first_chunk_written.wait(10)
                yield record

        return dataclasses.replace(stream, records=records())

    monkeypatch.setattr(importing.tabular, "stream_members", held_stream)
    seen = []

    def progress(done):
        seen.append((done, Organisation.objects.filter(nip__in=NIPS[:2]).count()))
        first_chunk_written.set()

    source = (
        "name,nip,joined_on\n"
        f"A,{NIPS[0]},2015-01-01\nB,{NIPS[1]},2015-01-01\nC,{NIPS[2]},2015-01-01\n"
        "D,123-456-32-19,2015-01-01\nE,,2015-01-01\n"
    ).encode()
    with pytest.raises(ImportRejected) as rejected:
        importing.import_members(
            cluster=cluster, source=source, filename="m.csv", progress=progress
        )
    assert seen == [(2, 2)]  # rows 2 and 3 were in the database, inside the transaction
    assert [str(e) for e in rejected.value.errors] == [
        'row 5, column nip: "123-456-32-19" is not a valid NIP (checksum)',
        "row 6, column nip: a NIP is required for an organisation in Poland (country: PL)",
    ]
    assert counts() == before
    assert not Organisation.objects.filter(nip__in=NIPS[:3]).exists()
    assert gc.isenabled()


NIPS = ["5261040828", "7740001454", "5260250274", "1132853869"]


def test_a_failing_write_stops_the_validation_thread(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)

    def fail(self, records, write):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(importing._Members, "plan", fail)
    source = "name,nip,joined_on\n" + "".join(f"N{n},{n},2015-01-01\n" for n in NIPS)
    with pytest.raises(RuntimeError, match="the database went away"):
        importing.import_members(cluster=ClusterFactory(), source=source.encode(), filename="m.csv")
    assert [t for t in threading.enumerate() if t.name == "import-validation"] == []
    assert gc.isenabled()


def test_an_error_in_the_validation_thread_reaches_the_caller(monkeypatch):
    real_stream = tabular.stream_members

    def broken_stream(source, filename="", **options):
        stream = real_stream(source, filename, **options)

        def records():
            yield next(stream.records)
            raise ValueError("broken reader")

        return dataclasses.replace(stream, records=records())

    monkeypatch.setattr(importing.tabular, "stream_members", broken_stream)
    cluster = ClusterFactory()
    before = counts()
    source = "name,nip,joined_on\n" + "".join(f"N{n},{n},2015-01-01\n" for n in NIPS)
    with pytest.raises(ValueError, match="broken reader"):
        importing.import_members(cluster=cluster, source=source.encode(), filename="m.csv")
    assert counts() == before


def test_garbage_collection_is_paused_during_an_import_only():
    states = []
    source = b"name,nip\nA,5261040828\n"
    importing.import_organisations(
        source=source, filename="o.csv", progress=lambda done: states.append(gc.isenabled())
    )
    assert (states, gc.isenabled()) == ([False], True)


def test_created_rows_and_their_history_rows_match(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    user = UserFactory(roles=["operator"])  # an operator's starts need no evidence
    cluster = ClusterFactory()
    source = (
        "name,nip,regon,krs,size,voivodeship,city,joined_on,left_on,role\n"
        f"Alfa,{NIPS[0]},012100784,123,small,Śląskie,Katowice,2015-01-01,2016-01-01,\n"
        f"Beta,{NIPS[1]},,,,,Płock,2015-02-01,,strategic-partner\n"
        f"Gamma,{NIPS[2]},,,,,,2015-03-01,,\n"
    ).encode()
    report = importing.import_members(cluster=cluster, source=source, filename="m.csv", by=user)
    assert report == importing.ImportReport(rows=3, created=3, updated=0, unchanged=0)
    fields = ("id", "name", "nip", "regon", "krs", "kind", "size", "voivodeship", "city", "country")
    organisations = list(
        Organisation.objects.filter(nip__in=NIPS).order_by("id").values_list(*fields)
    )
    assert [o[1:] for o in organisations] == [
        # no kind column: the kind is "other", so the size is dropped
        ("Alfa", NIPS[0], "012100784", "0000000123", "other", "", "slaskie", "Katowice", "PL"),
        ("Beta", NIPS[1], "", "", "other", "", "", "Płock", "PL"),
        ("Gamma", NIPS[2], "", "", "other", "", "", "", "PL"),
    ]
    history = Organisation.history.filter(nip__in=NIPS).order_by("id")
    assert [h[:-1] for h in history.values_list(*fields, "history_type", "history_user",
                                                "history_change_reason", "history_date")] == [
        (*o, "+", user.pk, None) for o in organisations
    ]  # fmt: skip
    memberships = list(
        Membership.objects.filter(cluster=cluster, organisation__nip__in=NIPS)
        .order_by("id")
        .values_list("id", "organisation_id", "role", "joined_on", "left_on",
                     "advanced_cooperation_group")
    )  # fmt: skip
    assert [m[1:] for m in memberships] == [
        (organisations[0][0], "member", dt.date(2015, 1, 1), dt.date(2016, 1, 1), False),
        (organisations[1][0], "strategic-partner", dt.date(2015, 2, 1), None, False),
        (organisations[2][0], "member", dt.date(2015, 3, 1), None, False),
    ]
    membership_history = Membership.history.filter(id__in=[m[0] for m in memberships])
    assert sorted(
        membership_history.values_list("id", "organisation_id", "role", "joined_on", "left_on",
                                        "advanced_cooperation_group", "cluster_id",
                                        "history_type", "history_user")
    ) == [(*m, cluster.pk, "+", user.pk) for m in memberships]  # fmt: skip
    dates = {h.history_date for h in [*history, *membership_history]}
    assert len(dates) == 1  # one timestamp for the whole import
