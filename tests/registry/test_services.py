"""Membership services: validation, one transaction, the actor in the history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from keyclusters.registry import services
from keyclusters.registry.models import Membership, Organisation
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_evidence_needed(settings):
    """Backdated starts need no evidence here (the ledger's rule: tests/registry/test_ledger.py)."""
    settings.MEMBERSHIP_BACKDATING_DAYS = 100_000


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cluster():
    return ClusterFactory(name="Klaster Serwisowy")


@pytest.fixture
def actor():
    return UserFactory(roles=["coordinator"])


def _state():
    return (
        Organisation.objects.count(),
        Membership.objects.count(),
        Organisation.history.count(),
        Membership.history.count(),
    )


def test_add_membership_creates_the_organisation_from_the_data(cluster, actor):
    membership = services.add_membership(
        cluster=cluster,
        organisation_data={
            "nip": "113 285 38 69",
            "name": "Nowa Firma",
            "regon": "",
            "kind": "university",
            "size": "large",  # not an enterprise: dropped
            "voivodeship": "lubelskie",
            "city": "Lublin",
        },
        role="member",
        joined_on=dt.date(2024, 5, 1),
        advanced_cooperation_group=False,
        by=actor,
    )

    organisation = Organisation.objects.get(nip="1132853869")
    assert membership.organisation == organisation
    assert (organisation.name, organisation.kind, organisation.size, organisation.city) == (
        "Nowa Firma",
        "university",
        "",
        "Lublin",
    )
    assert organisation.history.get().history_user == actor
    record = membership.history.get()
    assert (record.history_type, record.history_user, record.joined_on) == (
        "+",
        actor,
        dt.date(2024, 5, 1),
    )


def test_add_membership_reuses_the_organisation_with_that_nip(cluster, actor):
    existing = OrganisationFactory(nip="5260250274", name="Stara Nazwa")
    organisations = Organisation.objects.count()

    membership = services.add_membership(
        cluster=cluster,
        organisation_data={"nip": "PL5260250274", "name": "Nowa Nazwa", "kind": "other"},
        role="strategic-partner",
        joined_on=dt.date(2020, 1, 1),
        by=actor,
    )

    assert membership.organisation_id == existing.pk
    assert Organisation.objects.count() == organisations
    existing.refresh_from_db()
    assert (existing.name, existing.kind) == ("Stara Nazwa", "enterprise")
    assert membership.role == "strategic-partner"


def test_add_membership_with_an_organisation_instance(cluster, actor):
    organisation = OrganisationFactory()
    membership = services.add_membership(
        cluster=cluster,
        organisation=organisation,
        role="member",
        joined_on=dt.date(2019, 9, 9),
        advanced_cooperation_group=True,
        by=actor,
    )
    assert (membership.organisation, membership.advanced_cooperation_group) == (organisation, True)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"nip": "", "name": "X"}, {"nip": ["Enter the organisation's NIP."]}),
        (
            {"nip": "1132853860", "name": "X"},
            {"nip": ["1132853860 is not a valid NIP (checksum)"]},
        ),
        ({"nip": "11328538", "name": "X"}, {"nip": ["11328538 is not a valid NIP (length)"]}),
        ({"nip": "1132853869", "name": ""}, {"name": ["This field cannot be blank."]}),
        (
            {"nip": "1132853869", "name": "X", "regon": "123456789"},
            {"regon": ["123456789 is not a valid REGON (checksum)"]},
        ),
    ],
)
def test_invalid_organisation_data_writes_nothing(cluster, actor, data, errors):
    before = _state()
    with pytest.raises(ValidationError) as caught:
        services.add_membership(
            cluster=cluster,
            organisation_data={"kind": "enterprise", **data},
            role="member",
            joined_on=dt.date(2024, 1, 1),
            by=actor,
        )
    assert caught.value.message_dict == errors
    assert _state() == before


def test_overlapping_membership_with_the_same_role_is_refused(cluster, actor):
    current = MembershipFactory(cluster=cluster, organisation__name="Członek", left_on=None)
    ended = MembershipFactory(
        organisation__name="Były", cluster=cluster, left_on=dt.date(2018, 12, 31)
    )
    before = _state()

    with pytest.raises(ValidationError) as caught:
        services.add_membership(
            cluster=cluster,
            organisation=current.organisation,
            role="member",
            joined_on=dt.date(2024, 1, 1),
            by=actor,
        )
    assert caught.value.message_dict == {
        "organisation": ["Członek already has this role in the cluster since 1 Jan 2015."]
    }
    with pytest.raises(ValidationError) as caught:
        services.add_membership(
            cluster=cluster,
            organisation=ended.organisation,
            role="member",
            joined_on=dt.date(2018, 12, 31),  # the last day of the old membership
            by=actor,
        )
    assert list(caught.value.message_dict) == ["organisation"]
    assert _state() == before

    # The day after the old membership ended, it may join again; another role is fine too.
    services.add_membership(
        cluster=cluster,
        organisation=ended.organisation,
        role="member",
        joined_on=dt.date(2019, 1, 1),
        by=actor,
    )
    services.add_membership(
        cluster=cluster,
        organisation=current.organisation,
        role="strategic-partner",
        joined_on=dt.date(2024, 1, 1),
        by=actor,
    )
    assert Membership.objects.count() == before[1] + 2


def test_a_failed_membership_does_not_leave_a_new_organisation_behind(cluster, actor):
    before = _state()
    with pytest.raises(ValidationError) as caught:
        services.add_membership(
            cluster=cluster,
            organisation_data={"nip": "1132853869", "name": "Firma", "kind": "enterprise"},
            role="president",
            joined_on=dt.date(2024, 1, 1),
            by=actor,
        )
    assert caught.value.message_dict == {"role": ["Choose a valid role."]}
    assert _state() == before


def test_add_membership_needs_exactly_one_organisation_source(cluster, actor):
    with pytest.raises(TypeError):
        services.add_membership(
            cluster=cluster, role="member", joined_on=dt.date(2024, 1, 1), by=actor
        )


def test_end_membership_records_the_date_and_the_actor(cluster, actor):
    membership = MembershipFactory(cluster=cluster, joined_on=dt.date(2015, 1, 1))

    result = services.end_membership(membership=membership, left_on=dt.date(2015, 1, 1), by=actor)

    assert result.left_on == dt.date(2015, 1, 1)  # the same day is allowed
    assert membership.left_on == dt.date(2015, 1, 1)
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2015, 1, 1)
    record = membership.history.latest()
    assert (record.history_type, record.left_on, record.history_user) == (
        "~",
        dt.date(2015, 1, 1),
        actor,
    )


def test_end_before_joining_is_refused_and_writes_nothing(cluster, actor):
    membership = MembershipFactory(cluster=cluster, joined_on=dt.date(2015, 1, 1))
    before = _state()

    with pytest.raises(ValidationError) as caught:
        services.end_membership(membership=membership, left_on=dt.date(2014, 12, 31), by=actor)

    assert caught.value.message_dict == {"left_on": ["A membership cannot end before it starts."]}
    membership.refresh_from_db()
    assert membership.left_on is None
    assert _state() == before


def test_an_ended_membership_cannot_be_ended_again(cluster, actor):
    membership = MembershipFactory(
        cluster=cluster, joined_on=dt.date(2015, 1, 1), left_on=dt.date(2016, 6, 30)
    )
    before = _state()

    with pytest.raises(ValidationError) as caught:
        services.end_membership(membership=membership, left_on=dt.date(2020, 1, 1), by=actor)

    assert caught.value.message_dict == {
        "left_on": ["This membership already ended on 30 Jun 2016."]
    }
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2016, 6, 30)
    assert _state() == before
