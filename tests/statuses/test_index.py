"""The verification index: the same answers as the database, and fresh after every change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyclusters.domain.registry import periods_overlap
from keyclusters.registry import importing
from keyclusters.registry import services as registry_services
from keyclusters.registry.models import (
    Membership,
    MembershipConfirmation,
    MembershipRole,
    Organisation,
)
from keyclusters.statuses import index, selectors
from keyclusters.statuses import services as status_services
from keyclusters.statuses.models import DataVersion, StatusGrant
from tests.factories import ClusterFactory, OrganisationFactory, valid_nip

D = dt.date
START = D(2020, 1, 1)
ROLES = [MembershipRole.MEMBER, MembershipRole.COORDINATOR, MembershipRole.STRATEGIC_PARTNER]

# Days on a coarse grid (with the odd day beside it), so that the date asked often falls on a
# boundary: a joining, leaving, start, end or withdrawal day.
days = st.builds(
    lambda step, shift: step * 61 + shift, st.integers(0, 15), st.sampled_from([0, 0, 1])
)
membership = st.tuples(
    st.integers(0, 4),  # organisation
    st.integers(0, 2),  # cluster
    st.sampled_from(ROLES),
    days,  # joined
    st.one_of(st.none(), days),  # left, days after joining
    # the evidence of the start: none needed, awaited (counted from the recording, days after
    # joining) or accepted (days after joining)
    st.tuples(st.sampled_from([None, "recorded", "accepted"]), days),
    # the member organisation's word on it (docs/self-service.md): none, confirmed, contested
    # or a contest withdrawn, given some days after joining (answers carry the contest's day)
    st.tuples(st.sampled_from(["", "confirmed", "contested"]), days),
)
grant = st.tuples(
    st.integers(0, 2),  # cluster
    days,  # from
    days,  # length
    st.one_of(st.none(), days.map(lambda d: d - 61)),  # withdrawn, days after the start
)


@pytest.mark.django_db
@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    memberships=st.lists(membership, max_size=12),
    grants=st.lists(grant, max_size=6),
    on=days,
    min_months=st.sampled_from([None, 0, 1, 6, 13]),
)
def test_the_index_answers_as_the_database(memberships, grants, on, min_months):
    """Also on the counted start and its basis (answers state both), and on the contests."""
    with transaction.atomic():
        nips = [valid_nip() for _ in range(5)]
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"Firma {i}", nip=nip) for i, nip in enumerate(nips)
        )
        clusters = [ClusterFactory(name=f"Klaster {i}") for i in range(3)]
        kept: dict[tuple, list] = {}  # the registry holds no overlapping memberships
        for o, c, role, joined, left, (evidence, after), (word, word_after) in memberships:
            period = (
                START + dt.timedelta(joined),
                None if left is None else START + dt.timedelta(joined + left),
            )
            others = kept.setdefault((o, c, role), [])
            if any(periods_overlap(*period, *other) for other in others):
                continue
            others.append(period)
            later = period[0] + dt.timedelta(after)
            created = Membership.objects.create(
                organisation=organisations[o], cluster=clusters[c], role=role,
                joined_on=period[0], left_on=period[1],
                counted_from=later if evidence == "recorded" else None,
                evidence_accepted_on=later if evidence == "accepted" else None,
            )  # fmt: skip
            if word or word_after % 2:  # "" with an odd day: a contest withdrawn
                at = dt.datetime.combine(
                    period[0] + dt.timedelta(word_after), dt.time(23, 30), tzinfo=dt.UTC
                )  # late in the evening UTC: the next day in Warsaw
                MembershipConfirmation.objects.create(membership=created, state=word, changed_at=at)
        for number, (c, start, length, withdrawn) in enumerate(grants):
            valid_from = START + dt.timedelta(start)
            StatusGrant.objects.create(
                cluster=clusters[c], round_label=f"R{number}", decision_on=valid_from,
                valid_from=valid_from, valid_to=valid_from + dt.timedelta(length),
                withdrawn_on=None if withdrawn is None else valid_from + dt.timedelta(withdrawn),
            )  # fmt: skip
        day = START + dt.timedelta(on)
        built = index.VerificationIndex.load()
        asked = [*nips, valid_nip(), nips[0]]
        for nip in asked:
            assert built.answer(nip, on=day, min_months=min_months) == (
                selectors.verify_nip_from_database(nip, on=day, min_months=min_months)
            )
        assert built.answers(asked, on=day, min_months=min_months) == (
            selectors.verify_nips_from_database(asked, on=day, min_months=min_months)
        )
        transaction.set_rollback(True)


# --- freshness (real commits, so these tests run outside a test transaction) -------------------

ON = D(2024, 6, 1)


@pytest.fixture
def registry(transactional_db, settings):
    settings.VERIFICATION_INDEX = True
    settings.VERIFICATION_INDEX_RECHECK = 3600.0  # other processes: only when the test says so
    settings.VERIFICATION_INDEX_MAX_AGE = 3600.0
    DataVersion.objects.get_or_create(pk=index.NAME)
    index.drop()
    cluster = ClusterFactory(name="Klaster Świeży")
    status_services.grant_status(
        cluster=cluster, round_label="VI", decision_on=D(2022, 12, 20),
        valid_from=D(2022, 12, 20), valid_to=D(2025, 12, 19), by=None,
    )  # fmt: skip
    company = OrganisationFactory(name="Nowa Firma", nip=valid_nip())
    yield cluster, company
    index.drop()


def member(nip: str) -> bool:
    return selectors.verify_nip(nip, on=ON)["key_cluster_member"]


def version() -> int:
    return DataVersion.objects.get(pk=index.NAME).value


def test_a_fresh_index_answers_without_a_query(registry):
    cluster, company = registry
    assert member(company.nip) is False  # loads the index
    with CaptureQueriesContext(connection) as captured:
        assert member(company.nip) is False
        assert selectors.verify_nips([company.nip] * 3, on=ON)[2]["key_cluster_member"] is False
    assert captured.captured_queries == []


def test_a_change_in_this_process_is_answered_at_once(registry):
    cluster, company = registry
    assert member(company.nip) is False
    before = version()
    membership = registry_services.add_membership(
        cluster=cluster, organisation=company, role=MembershipRole.MEMBER,
        joined_on=D(2023, 1, 1), by=None,
    )  # fmt: skip
    assert version() == before + 1  # once for the transaction
    assert member(company.nip) is True
    registry_services.end_membership(membership=membership, left_on=D(2024, 5, 31), by=None)
    assert member(company.nip) is False
    assert version() == before + 2


def test_another_process_change_is_seen_at_the_next_check(registry, settings):
    cluster, company = registry
    assert member(company.nip) is False
    # another process adds the membership and raises the version: this process still has its
    # copy until it checks the version again
    Membership.objects.bulk_create(
        [Membership(cluster=cluster, organisation=company, joined_on=D(2023, 1, 1))]
    )
    DataVersion.objects.filter(pk=index.NAME).update(value=version() + 1)
    assert member(company.nip) is False
    settings.VERIFICATION_INDEX_RECHECK = 0.0
    assert member(company.nip) is True


def test_a_change_outside_the_application_is_seen_after_the_maximum_age(registry, settings):
    cluster, company = registry
    assert member(company.nip) is False
    Membership.objects.bulk_create(  # no signal, no version: as an SQL statement by hand
        [Membership(cluster=cluster, organisation=company, joined_on=D(2023, 1, 1))]
    )
    settings.VERIFICATION_INDEX_RECHECK = 0.0
    assert member(company.nip) is False  # the version did not change
    settings.VERIFICATION_INDEX_MAX_AGE = 0.0
    assert member(company.nip) is True


def test_a_rolled_back_change_raises_nothing_and_leaves_the_answer(registry):
    cluster, company = registry
    assert member(company.nip) is False
    before = version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Membership.objects.create(cluster=cluster, organisation=company, joined_on=D(2023, 1, 1))
        assert selectors.verify_nip(company.nip, on=ON)["key_cluster_member"] is True  # its own
        raise RuntimeError
    assert version() == before
    assert member(company.nip) is False


def test_an_import_and_a_withdrawal_are_answered(registry):
    cluster, company = registry
    assert member(company.nip) is False
    source = f"nip;name;joined_on\n{company.nip};Nowa Firma;2023-01-01\n".encode()
    importing.import_members(cluster=cluster, source=source, filename="members.csv", by=None)
    assert member(company.nip) is True
    grant = StatusGrant.objects.get(cluster=cluster)
    status_services.withdraw_status(
        grant=grant, withdrawn_on=D(2024, 6, 1), reason="Utrata potencjału", by=None
    )
    assert member(company.nip) is False


def test_inside_a_transaction_or_turned_off_the_database_answers(registry, settings):
    cluster, company = registry
    with transaction.atomic():
        assert index.current() is None
    settings.VERIFICATION_INDEX = False
    assert index.current() is None
    settings.VERIFICATION_INDEX = True
    assert index.current() is not None


def test_a_rename_in_this_process_is_answered_at_once_under_the_new_name_only_after_it(registry):
    from keyclusters.registry import identity

    cluster, company = registry
    registry_services.add_membership(
        cluster=cluster, organisation=company, role=MembershipRole.MEMBER,
        joined_on=D(2023, 1, 1), by=None,
    )  # fmt: skip
    assert member(company.nip) is True  # the index is loaded
    identity.rename_cluster(
        cluster=cluster, name="Klaster Odnowiony", valid_from=D(2024, 3, 1), by=None
    )

    def named(on: dt.date) -> list[str]:
        answer = selectors.verify_nip(company.nip, on=on)
        return [m["cluster"]["name"] for m in answer["memberships"]]

    assert index.current() is not None
    assert named(D(2024, 2, 29)) == ["Klaster Świeży"]
    assert named(ON) == ["Klaster Odnowiony"]
