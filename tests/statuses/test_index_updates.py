"""The verification index re-reads only the organisations a change concerned (the record of
changes, statuses.index_changes), and rebuilds its whole copy when that cannot be told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.signals import request_finished, request_started
from django.db.models import F

from keyclusters.registry import importing
from keyclusters.registry import services as registry_services
from keyclusters.registry.models import Membership, MembershipRole, Organisation
from keyclusters.statuses import index, index_changes, selectors
from keyclusters.statuses import services as status_services
from keyclusters.statuses.models import DataVersion, VerificationChange
from tests.concurrency import run_together
from tests.factories import ClusterFactory, OrganisationFactory, valid_nip

D = dt.date
ON = D(2024, 6, 1)


@pytest.fixture
def world(transactional_db, settings, monkeypatch):
    settings.VERIFICATION_INDEX = True
    settings.VERIFICATION_INDEX_RECHECK = 0.0  # every answer checks the database
    settings.VERIFICATION_INDEX_MAX_AGE = 3600.0
    settings.VERIFICATION_INDEX_REBUILD_INTERVAL = 3600.0  # no full rebuild for a new version
    DataVersion.objects.get_or_create(pk=index.NAME)
    cluster = ClusterFactory(name="Klaster Przyrostowy")
    status_services.grant_status(
        cluster=cluster, round_label="VI", decision_on=D(2022, 12, 20),
        valid_from=D(2022, 12, 20), valid_to=D(2025, 12, 19), by=None,
    )  # fmt: skip
    index.drop()
    loads = []
    load = index.VerificationIndex.load

    def counted(*args, **kwargs):
        loads.append(args)
        return load(*args, **kwargs)

    monkeypatch.setattr(index.VerificationIndex, "load", counted)
    yield cluster, loads
    index.drop()


@pytest.fixture
def elsewhere(monkeypatch):
    """The changes of the test are made as by another process: this one is not told."""
    monkeypatch.setattr(index_changes, "after_change", [])


def member(nip: str) -> bool:
    return selectors.verify_nip(nip, on=ON)["key_cluster_member"]


def members_file(companies: list[Organisation]) -> bytes:
    rows = "".join(f"{c.nip};{c.name};2023-01-01\n" for c in companies)
    return f"nip;name;joined_on\n{rows}".encode()


def test_an_import_elsewhere_is_read_for_its_organisations_only(world, elsewhere):
    cluster, loads = world
    companies = [OrganisationFactory(nip=valid_nip()) for _ in range(3)]
    assert [member(c.nip) for c in companies] == [False, False, False]
    assert len(loads) == 1
    first = index.current()
    importing.import_members(
        cluster=cluster, source=members_file(companies[:2]), filename="members.csv", by=None
    )
    change = VerificationChange.objects.get(version=DataVersion.objects.get(pk=index.NAME).value)
    assert change.organisations == sorted(c.pk for c in companies[:2])
    assert [member(c.nip) for c in companies] == [True, True, False]
    assert len(loads) == 1  # updated, not rebuilt
    updated = index.current()
    assert updated is not first and updated.version == change.version
    assert updated.grants is first.grants  # shared with the previous copy
    assert updated.loaded_at == first.loaded_at  # its age still counts from the last load
    assert first.memberships.get(companies[0].nip) is None  # the previous copy is not changed


def test_the_updated_copy_answers_as_the_database_and_a_new_load(world, elsewhere):
    cluster, loads = world
    companies = [OrganisationFactory(nip=valid_nip()) for _ in range(4)]
    index.current()
    importing.import_members(
        cluster=cluster, source=members_file(companies), filename="members.csv", by=None
    )
    registry_services.end_membership(
        membership=Membership.objects.get(organisation=companies[1]), left_on=D(2024, 3, 31),
        by=None,
    )  # fmt: skip
    Membership.objects.get(organisation=companies[2]).delete()
    updated = index.current()
    assert len(loads) == 1
    nips = [c.nip for c in companies]
    assert updated.answers(nips, on=ON) == index.VerificationIndex.load().answers(nips, on=ON)
    assert [a["key_cluster_member"] for a in updated.answers(nips, on=ON)] == [
        True, False, False, True,
    ]  # fmt: skip


def test_a_new_nip_moves_the_organisations_memberships(world, elsewhere):
    cluster, loads = world
    company = OrganisationFactory(nip=valid_nip())
    registry_services.add_membership(
        cluster=cluster, organisation=company, role=MembershipRole.MEMBER,
        joined_on=D(2023, 1, 1), by=None,
    )  # fmt: skip
    old = company.nip
    assert member(old) is True
    company.nip = valid_nip()
    company.save()
    assert (member(old), member(company.nip)) == (False, True)
    assert len(loads) == 1


def test_a_change_of_everything_or_a_missing_record_rebuilds(world, elsewhere, settings):
    cluster, loads = world
    company = OrganisationFactory(nip=valid_nip())
    index.current()
    cluster.name = "Klaster Przemianowany"
    cluster.save()  # a cluster: recorded as a change of everything
    assert VerificationChange.objects.order_by("-version").first().organisations is None
    assert index.current().names[cluster.pk] == "Klaster Przemianowany"
    assert len(loads) == 2  # a lone change: rebuilt at once
    cluster.name = "Klaster Po Raz Drugi"
    cluster.save()
    assert index.current().names[cluster.pk] == "Klaster Przemianowany"
    assert len(loads) == 2  # the next rebuild waits for its interval
    settings.VERIFICATION_INDEX_REBUILD_INTERVAL = 0.0
    settings.VERIFICATION_INDEX_REBUILD_BUDGET = 0.0
    assert index.current().names[cluster.pk] == "Klaster Po Raz Drugi"
    assert len(loads) == 3
    # a version raised without a record (by hand, a restore): the whole copy again
    Membership.objects.bulk_create(
        [Membership(cluster=cluster, organisation=company, joined_on=D(2023, 1, 1))]
    )
    DataVersion.objects.filter(pk=index.NAME).update(value=F("value") + 1)
    assert member(company.nip) is True
    assert len(loads) == 4


def test_inside_a_request_the_update_waits_for_the_response(world, elsewhere):
    cluster, loads = world
    company = OrganisationFactory(nip=valid_nip())
    first = index.current()
    registry_services.add_membership(
        cluster=cluster, organisation=company, role=MembershipRole.MEMBER,
        joined_on=D(2023, 1, 1), by=None,
    )  # fmt: skip
    request_started.send(sender=None)
    try:
        assert index.current() is first  # answered from the previous copy
        assert member(company.nip) is False
    finally:
        request_finished.send(sender=None)
    assert member(company.nip) is True
    assert len(loads) == 1


def test_a_change_made_in_this_process_is_in_its_next_answer_even_in_a_request(world):
    cluster, loads = world
    company = OrganisationFactory(nip=valid_nip())
    assert member(company.nip) is False
    request_started.send(sender=None)
    try:
        registry_services.add_membership(
            cluster=cluster, organisation=company, role=MembershipRole.MEMBER,
            joined_on=D(2023, 1, 1), by=None,
        )  # fmt: skip
        assert member(company.nip) is True
    finally:
        request_finished.send(sender=None)
    assert len(loads) == 1


def test_changes_in_one_transaction_are_one_record_of_their_organisations(world):
    cluster, _loads = world
    companies = [OrganisationFactory(nip=valid_nip()) for _ in range(2)]
    before = DataVersion.objects.get(pk=index.NAME).value
    with index_changes.transaction.atomic():
        for company in companies:
            registry_services.add_membership(
                cluster=cluster, organisation=company, role=MembershipRole.MEMBER,
                joined_on=D(2023, 1, 1), by=None,
            )  # fmt: skip
    assert DataVersion.objects.get(pk=index.NAME).value == before + 1
    assert VerificationChange.objects.get(version=before + 1).organisations == sorted(
        c.pk for c in companies
    )
    assert index_changes.organisations_changed_between(before, before + 1) == {
        c.pk for c in companies
    }
    DataVersion.objects.filter(pk=index.NAME).update(value=F("value") + 1)  # no record
    assert index_changes.organisations_changed_between(before, before + 2) is None


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_changes_committed_at_once_get_consecutive_versions_and_every_record():
    cluster = ClusterFactory(name="Klaster Współbieżny")
    companies = [OrganisationFactory(nip=valid_nip()) for _ in range(6)]
    DataVersion.objects.get_or_create(pk=index.NAME)
    before = DataVersion.objects.get(pk=index.NAME).value

    def add(company):
        return lambda: registry_services.add_membership(
            cluster=cluster, organisation=company, role=MembershipRole.MEMBER,
            joined_on=D(2023, 1, 1), by=None,
        )  # fmt: skip

    outcomes = run_together(*(add(company) for company in companies))
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    after = DataVersion.objects.get(pk=index.NAME).value
    assert after == before + 6
    records = VerificationChange.objects.filter(version__gt=before).order_by("version")
    assert [r.version for r in records] == list(range(before + 1, after + 1))
    assert sorted(r.organisations[0] for r in records) == sorted(c.pk for c in companies)
    assert index_changes.organisations_changed_between(before, after) == {c.pk for c in companies}
