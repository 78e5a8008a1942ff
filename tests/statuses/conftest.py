"""A small registry with status grants whose dates exercise every boundary of verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from keyclusters.registry.models import Membership, MembershipRole, Organisation
from keyclusters.statuses import services
from keyclusters.statuses.models import StatusGrant
from tests.factories import ClusterFactory, OrganisationFactory

D = dt.date


@dataclass
class World:
    lodz: object  # "Klaster Łódzki", round V 2021-12-20..2024-12-31
    renewed: object  # round I 2015-09-23..2018-09-22, round II from 2018-09-23 (no gap)
    gap: object  # round I 2015-09-23..2018-09-22, round III from 2019-01-10 (a gap)
    withdrawn: object  # round V 2021-12-20..2024-12-31, withdrawn on 2023-05-10
    member: Organisation  # of lodz 2022-03-15..2023-06-30
    early: Organisation  # of lodz since 2015-01-01 (before the status)
    partner: Organisation  # strategic partner of lodz since 2015-01-01
    everywhere: Organisation  # member of renewed, gap and withdrawn since 2015-01-01
    grants: dict


def _grant(cluster, round_label, start, end, renewal_of=None):
    return services.grant_status(
        cluster=cluster, round_label=round_label, decision_on=start, valid_from=start,
        valid_to=end, renewal_of=renewal_of, by=None,
    )  # fmt: skip


def _join(cluster, organisation, joined_on, left_on=None, role=MembershipRole.MEMBER):
    return Membership.objects.create(
        cluster=cluster, organisation=organisation, joined_on=joined_on, left_on=left_on, role=role
    )


@pytest.fixture
def world(db) -> World:
    coordinator = OrganisationFactory(name="Fundacja Źródło Innowacji", nip="7251801126")
    lodz = ClusterFactory(name="Klaster Łódzki", coordinator=coordinator, founded_on=D(2012, 3, 1))
    renewed = ClusterFactory(name="Klaster Odnowiony")
    gap = ClusterFactory(name="Klaster z Przerwą")
    withdrawn = ClusterFactory(name="Klaster Wycofany")
    grants = {
        "lodz": _grant(lodz, "V", D(2021, 12, 20), D(2024, 12, 31)),
        "renewed-I": _grant(renewed, "I", D(2015, 9, 23), D(2018, 9, 22)),
        "gap-I": _grant(gap, "I", D(2015, 9, 23), D(2018, 9, 22)),
        "withdrawn": _grant(withdrawn, "V", D(2021, 12, 20), D(2024, 12, 31)),
    }
    grants["renewed-II"] = _grant(
        renewed, "II", D(2018, 9, 23), D(2021, 9, 22), renewal_of=grants["renewed-I"]
    )
    grants["gap-III"] = _grant(
        gap, "III", D(2019, 1, 10), D(2022, 1, 9), renewal_of=grants["gap-I"]
    )
    services.withdraw_status(
        grant=grants["withdrawn"], withdrawn_on=D(2023, 5, 10), reason="Utrata potencjału", by=None
    )
    member = OrganisationFactory(name="Zakład Świętokrzyski", nip="5261040828")
    early = OrganisationFactory(name="Politechnika Łódzka", nip="6260181591")
    partner = OrganisationFactory(name="Urząd Marszałkowski", nip="1830166138")
    everywhere = OrganisationFactory(name="Żagiel Sp. z o.o.", nip="1132853869")
    _join(lodz, member, D(2022, 3, 15), D(2023, 6, 30))
    _join(lodz, early, D(2015, 1, 1))
    _join(lodz, partner, D(2015, 1, 1), role=MembershipRole.STRATEGIC_PARTNER)
    for cluster in (renewed, gap, withdrawn):
        _join(cluster, everywhere, D(2015, 1, 1))
    for grant in grants.values():
        grant.refresh_from_db()
    assert StatusGrant.objects.count() == 6
    return World(lodz, renewed, gap, withdrawn, member, early, partner, everywhere, grants)


@pytest.fixture
def api_key(db) -> str:
    return services.issue_api_key(name="Test", organisation="PARP", by=None).key
