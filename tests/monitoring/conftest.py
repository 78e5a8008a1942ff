"""A key cluster holding the status through 2024-2026 with members whose dates sit on both
sides of 31 December 2024, its coordinator, another cluster's coordinator and an operator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from keyclusters.monitoring import services
from keyclusters.registry.models import Membership, MembershipRole
from keyclusters.statuses import services as statuses
from tests.factories import ClusterFactory, OrganisationFactory, UserFactory

D = dt.date
AFTER_2024 = D(2025, 6, 1)  # a day when the reports on 2024 can be opened


@dataclass
class World:
    framework: object
    cluster: object  # "Klaster Północ": the status 2024-01-01..2026-12-31
    other: object  # "Klaster Południe": its own status, another coordinator
    grant: object
    coordinator: object
    other_coordinator: object
    operator: object


@pytest.fixture
def english():
    """Messages in English (the tests' language is Polish)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def join(cluster, joined_on, left_on=None, *, kind="enterprise", group=False):
    return Membership.objects.create(
        cluster=cluster,
        organisation=OrganisationFactory(kind=kind),
        role=MembershipRole.MEMBER,
        joined_on=joined_on,
        left_on=left_on,
        advanced_cooperation_group=group,
    )


@pytest.fixture
def world(db) -> World:
    framework = services.store_shipped_framework()
    cluster = ClusterFactory(name="Klaster Północ", founded_on=D(2012, 3, 1))
    other = ClusterFactory(name="Klaster Południe", founded_on=D(2012, 3, 1))
    join(cluster, D(2020, 1, 1), group=True)  # an enterprise in the advanced group
    join(cluster, D(2020, 1, 1), D(2024, 12, 31), kind="university")  # ends on 31 December
    join(cluster, D(2025, 1, 1))  # starts the next day: not counted for 2024
    grant = statuses.grant_status(
        cluster=cluster, round_label="VI", decision_on=D(2023, 12, 20),
        valid_from=D(2024, 1, 1), valid_to=D(2026, 12, 31), by=None,
    )  # fmt: skip
    statuses.grant_status(
        cluster=other, round_label="VI", decision_on=D(2023, 12, 20),
        valid_from=D(2024, 1, 1), valid_to=D(2026, 12, 31), by=None,
    )  # fmt: skip
    return World(
        framework=framework,
        cluster=cluster,
        other=other,
        grant=grant,
        coordinator=UserFactory(
            username="koordynator", roles=["coordinator"], organisation=cluster.coordinator
        ),
        other_coordinator=UserFactory(
            username="inny", roles=["coordinator"], organisation=other.coordinator
        ),
        operator=UserFactory(username="operator", roles=["operator"], is_staff=True),
    )


def open_2024(world: World):
    """The reports on 2024 (the world's cluster's first)."""
    opened = services.open_reports(year=2024, framework=world.framework, by=world.operator,
                                   today=AFTER_2024)  # fmt: skip
    return {report.cluster_id: report for report in opened.created}


REPORTED = {
    "employees_members": "1 250",
    "revenue_members": "1500000,50",
    "export_share": "32.5",
    "rd_projects": "4",
    "joint_projects": "7",
    "funds_raised": "250000",
    "member_services": "",
}
