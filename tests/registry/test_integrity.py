"""Integrity of memberships: no overlap of one organisation's memberships of one cluster with the
same role, whatever writes them (the service, the member import, a model form, the database on
PostgreSQL), also when writers run at the same time; a NIP created meanwhile is no failure."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from keyclusters.registry import importing, services
from keyclusters.registry.bulk import insert_with_history
from keyclusters.registry.importing import ImportRejected
from keyclusters.registry.models import Cluster, Membership, Organisation
from tests.concurrency import run_together
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, valid_nip

D = dt.date
HEADER = "name,nip,kind,joined_on,left_on,role\n"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the database refuses overlaps itself only on PostgreSQL (SQLite: the services do)",
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def english(call):
    """``call`` in English (a thread starts in the default language, Polish)."""

    def run():
        with translation.override("en"):
            return call()

    return run


def state():
    return (
        Organisation.objects.count(),
        Membership.objects.count(),
        Organisation.history.count(),
        Membership.history.count(),
    )


def members_file(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def import_members(cluster, *rows: str, **options):
    return importing.import_members(
        cluster=cluster, source=members_file(*rows), filename="members.csv", **options
    )


def rejection(cluster, *rows: str) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        import_members(cluster, *rows)
    return caught.value.messages()


# --- the member import ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_import_refuses_overlapping_rows_of_the_file_and_writes_nothing():
    cluster = ClusterFactory()
    nip = valid_nip()
    before = state()

    messages = rejection(
        cluster,
        f"Alfa,{nip},enterprise,2015-01-01,2016-12-31,member",
        f"Alfa,{nip},enterprise,2016-12-31,,member",  # the last day of the row before
        f"Alfa,{nip},enterprise,2014-01-01,,strategic-partner",  # another role: allowed
    )

    assert messages == [
        'row 3, column joined_on: "2016-12-31" overlaps row 2 (the same organisation and role)'
    ]
    assert state() == before


@pytest.mark.django_db
def test_the_import_refuses_a_row_overlapping_a_membership_in_the_registry():
    cluster = ClusterFactory()
    current = MembershipFactory(cluster=cluster, joined_on=D(2015, 1, 1))
    nip = current.organisation.nip
    before = state()

    messages = rejection(
        cluster,
        f"Beta,{valid_nip()},enterprise,2019-01-01,,member",  # fine on its own
        f"Alfa,{nip},enterprise,2020-06-01,,member",
    )

    assert messages == [
        'row 3, column joined_on: "2020-06-01" overlaps the organisation\'s membership with the '
        "same role from 2015-01-01 in the registry"
    ]
    assert state() == before


@pytest.mark.django_db
def test_a_left_on_changed_by_the_import_may_not_reach_into_a_later_membership():
    cluster = ClusterFactory()
    first = MembershipFactory(cluster=cluster, joined_on=D(2015, 1, 1), left_on=D(2016, 6, 30))
    MembershipFactory(
        cluster=cluster, organisation=first.organisation, joined_on=D(2018, 1, 1), left_on=None
    )
    nip = first.organisation.nip
    before = state()

    messages = rejection(cluster, f"Alfa,{nip},enterprise,2015-01-01,2018-01-01,member")
    assert messages == [
        'row 2, column left_on: "2018-01-01" reaches into the organisation\'s membership with '
        "the same role from 2018-01-01 in the registry"
    ]
    reopened = rejection(cluster, f"Alfa,{nip},enterprise,2015-01-01,,member")
    assert reopened == [
        "row 2, column left_on: reaches into the organisation's membership with the same role "
        "from 2018-01-01 in the registry"
    ]
    assert state() == before


@pytest.mark.django_db
def test_a_file_ending_a_membership_may_add_the_next_one_in_any_order_of_rows():
    cluster = ClusterFactory()
    current = MembershipFactory(cluster=cluster, joined_on=D(2015, 1, 1), left_on=None)
    nip = current.organisation.nip

    report = import_members(
        cluster,
        f"Alfa,{nip},enterprise,2020-01-01,,member",  # the next membership first…
        *(f"Firma {i},{valid_nip()},enterprise,2016-01-01,,member" for i in range(3)),
        f"Alfa,{nip},enterprise,2015-01-01,2019-12-31,member",  # …then the end of the current
    )

    assert (report.created, report.updated) == (4, 1)
    periods = Membership.objects.filter(cluster=cluster, organisation=current.organisation)
    assert sorted(periods.values_list("joined_on", "left_on")) == [
        (D(2015, 1, 1), D(2019, 12, 31)),
        (D(2020, 1, 1), None),
    ]


@pytest.mark.django_db
def test_consecutive_memberships_and_a_repeated_row_are_no_overlap():
    cluster = ClusterFactory()
    nip = valid_nip()
    rows = (
        f"Alfa,{nip},enterprise,2015-01-01,2016-12-31,member",
        f"Alfa,{nip},enterprise,2017-01-01,,member",  # the day after
        f"Alfa,{nip},enterprise,2015-01-01,2016-12-31,member",  # the first row again
    )

    report = import_members(cluster, *rows)

    assert (report.rows, report.created, report.unchanged) == (3, 2, 1)
    again = import_members(cluster, *rows)  # the same file: every row names its membership
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


@pytest.mark.django_db
def test_the_preview_reports_the_overlaps():
    cluster = ClusterFactory()
    nip = valid_nip()
    source = members_file(
        f"Alfa,{nip},enterprise,2015-01-01,,member", f"Alfa,{nip},enterprise,2017-01-01,,member"
    )
    preview = importing.preview_members(cluster=cluster, source=source, filename="m.csv")
    assert not preview.ok
    assert preview.error_messages() == [
        'row 3, column joined_on: "2017-01-01" overlaps row 2 (the same organisation and role)'
    ]


# --- the services and model forms -------------------------------------------------------------


@pytest.mark.django_db
def test_full_clean_refuses_an_overlapping_membership():
    existing = MembershipFactory(organisation__name="Alfa", joined_on=D(2015, 1, 1))
    overlapping = Membership(
        cluster=existing.cluster,
        organisation=existing.organisation,
        role="member",
        joined_on=D(2014, 1, 1),
        left_on=D(2015, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        overlapping.full_clean()
    assert caught.value.message_dict == {
        "organisation": ["Alfa already has this role in the cluster since 1 Jan 2015."]
    }
    overlapping.left_on = D(2014, 12, 31)
    overlapping.full_clean()  # the day before is fine
    existing.left_on = D(2016, 1, 1)
    existing.full_clean()  # a membership does not overlap itself


# --- the database (PostgreSQL) ----------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db
def test_the_database_refuses_an_overlapping_membership_written_directly():
    existing = MembershipFactory(joined_on=D(2015, 1, 1), left_on=D(2018, 12, 31))
    same = {"cluster": existing.cluster, "organisation": existing.organisation, "role": "member"}

    with pytest.raises(IntegrityError, match="overlaps"), transaction.atomic():
        Membership.objects.create(**same, joined_on=D(2018, 12, 31))
    with pytest.raises(IntegrityError, match="overlaps"), transaction.atomic():
        Membership.objects.create(**same, joined_on=D(2010, 1, 1), left_on=D(2015, 1, 1))
    later = Membership.objects.create(**same, joined_on=D(2019, 1, 1))
    Membership.objects.create(**{**same, "role": "strategic-partner"}, joined_on=D(2016, 1, 1))
    existing.left_on = None  # reopened: reaches into the later one
    with pytest.raises(IntegrityError, match="overlaps"), transaction.atomic():
        existing.save()
    assert Membership.objects.filter(pk__in=[existing.pk, later.pk]).count() == 2


@on_postgresql
@pytest.mark.django_db
def test_the_service_answers_the_database_refusal_with_the_same_message(monkeypatch):
    existing = MembershipFactory(organisation__name="Alfa", joined_on=D(2015, 1, 1))
    monkeypatch.setattr(Membership, "validate_constraints", lambda self, exclude=None: None)
    before = state()

    with pytest.raises(ValidationError) as caught:
        services.add_membership(
            cluster=existing.cluster,
            organisation=existing.organisation,
            role="member",
            joined_on=D(2020, 1, 1),
            by=None,
        )

    assert caught.value.message_dict == {
        "organisation": ["Alfa already has this role in the cluster since 1 Jan 2015."]
    }
    assert state() == before


@on_postgresql
@pytest.mark.django_db
def test_insert_with_history_takes_a_nip_written_meanwhile_as_it_is():
    existing = OrganisationFactory(name="Już jest")
    new_nip = valid_nip()
    history = Organisation.history.count()

    keys = insert_with_history(
        Organisation,
        ("name", "nip", "country"),
        [("Nowa", new_nip, "PL"), ("Inna nazwa", existing.nip, "PL")],
        by=None,
        when=timezone.now(),
        unique="nip",
    )

    created = Organisation.objects.get(nip=new_nip)
    assert keys == [created.pk, existing.pk]
    assert Organisation.objects.get(pk=existing.pk).name == "Już jest"
    assert Organisation.history.count() == history + 1  # only the row inserted


# --- at the same time (real threads) ---------------------------------------------------------


def add(cluster, organisation, joined_on):
    return english(
        lambda: services.add_membership(
            cluster=cluster, organisation=organisation, role="member", joined_on=joined_on, by=None
        )
    )


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_memberships_added_at_once_one_is_refused():
    cluster = ClusterFactory()
    organisation = OrganisationFactory(name="Alfa")

    outcomes = run_together(
        add(cluster, organisation, D(2020, 1, 1)), add(cluster, organisation, D(2021, 6, 1))
    )

    assert sorted(o.ok for o in outcomes) == [False, True], [o.error for o in outcomes]
    won = next(o.value for o in outcomes if o.ok)
    error = next(o.error for o in outcomes if not o.ok)
    assert isinstance(error, ValidationError), repr(error)
    since = {D(2020, 1, 1): "1 Jan 2020", D(2021, 6, 1): "1 Jun 2021"}[won.joined_on]
    assert error.message_dict == {
        "organisation": [f"Alfa already has this role in the cluster since {since}."]
    }
    assert Membership.objects.filter(cluster=cluster, organisation=organisation).count() == 1


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_memberships_of_the_same_new_nip_added_at_once_share_the_organisation():
    first, second = ClusterFactory(), ClusterFactory()
    nip = valid_nip()

    def add_new(cluster):
        return english(
            lambda: services.add_membership(
                cluster=cluster,
                organisation_data={"nip": nip, "name": "Nowa", "kind": "enterprise"},
                role="member",
                joined_on=D(2024, 1, 1),
                by=None,
            )
        )

    outcomes = run_together(add_new(first), add_new(second))

    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    organisation = Organisation.objects.get(nip=nip)
    clusters = Membership.objects.filter(organisation=organisation).values_list("cluster_id")
    assert sorted(c for (c,) in clusters) == sorted([first.pk, second.pk])


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_new_nip_into_two_clusters_both_succeed():
    first, second = ClusterFactory(), ClusterFactory()
    shared = valid_nip()
    others = [valid_nip() for _ in range(40)]

    def run(cluster, own):
        rows = [f"Firma {nip},{nip},enterprise,2020-01-01,,member" for nip in own]
        rows.insert(len(rows) // 2, f"Wspólna,{shared},enterprise,2021-03-01,,member")
        return english(lambda: import_members(cluster, *rows))

    outcomes = run_together(run(first, others[:20]), run(second, list(reversed(others[20:]))))

    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert [o.value.rows for o in outcomes] == [21, 21]
    organisation = Organisation.objects.get(nip=shared)
    assert Organisation.history.filter(nip=shared).count() == 1
    clusters = Membership.objects.filter(organisation=organisation).values_list("cluster_id")
    assert sorted(c for (c,) in clusters) == sorted([first.pk, second.pk])
    assert Membership.objects.filter(cluster__in=[first, second], role="member").count() == 42


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one write transaction at a time: there any write waits for the import",
)
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_an_import_into_one_cluster_does_not_hold_up_membership_writes_of_another():
    importing_into, other = ClusterFactory(), ClusterFactory()
    known = OrganisationFactory()
    started, released, imported = threading.Event(), threading.Event(), threading.Event()

    def held_import():
        def progress(rows):  # inside the import's transaction, after its first chunk
            started.set()
            released.wait(20)

        rows = [f"Firma {i},{valid_nip()},enterprise,2020-01-01,,member" for i in range(30)]
        report = import_members(importing_into, *rows, progress=progress)
        imported.set()
        return report

    def writes_meanwhile():
        assert started.wait(20)
        try:
            with translation.override("en"):
                services.add_membership(
                    cluster=other, organisation=known, role="member",
                    joined_on=D(2024, 1, 1), by=None,
                )  # fmt: skip
                services.add_membership(
                    cluster=other,
                    organisation_data={"nip": valid_nip(), "name": "Nowa", "kind": "other"},
                    role="member",
                    joined_on=D(2024, 1, 1),
                    by=None,
                )
            return not imported.is_set()  # done while the import still ran
        finally:
            released.set()

    outcomes = run_together(held_import, writes_meanwhile)

    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert outcomes[1].value is True
    assert outcomes[0].value.created == 30
    assert Membership.objects.filter(cluster=other, role="member").count() == 2


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_an_import_and_a_membership_added_at_once_never_overlap():
    cluster = ClusterFactory()
    organisation = OrganisationFactory(name="Alfa")
    rows = [f"Alfa,{organisation.nip},enterprise,2020-01-01,,member"]

    outcomes = run_together(
        english(lambda: import_members(cluster, *rows)),
        add(cluster, organisation, D(2022, 1, 1)),
    )

    assert sorted(o.ok for o in outcomes) == [False, True], [o.error for o in outcomes]
    error = next(o.error for o in outcomes if not o.ok)
    assert isinstance(error, (ImportRejected, ValidationError)), repr(error)
    assert Membership.objects.filter(cluster=cluster, organisation=organisation).count() == 1
    assert Cluster.objects.filter(pk=cluster.pk).exists()
