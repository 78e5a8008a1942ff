"""Reads of the Council: the proposed coordinators' seats, from the status registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.registry.models import Cluster
from keyclusters.statuses.public_registry import holders_on

from .models import CouncilMember, Meeting, Represents


@dataclass(frozen=True)
class Proposal:
    """A key cluster valid on the day without a coordinator's seat on the Council, and the
    accounts of its coordinating organisation that could take it (maybe none)."""

    cluster: Cluster
    users: tuple[User, ...]


def proposed_members(on: dt.date) -> list[Proposal]:
    """The coordinators of the clusters holding a valid key cluster status on ``on`` (not
    another type: the Council is of Key Clusters) whose cluster has no
    coordinator's representative in force that day, each with the active coordinator accounts
    of its coordinating organisation. Three queries, whatever the number of clusters."""
    clusters = list(holders_on(on))
    seated = set(
        CouncilMember.objects.on(on)
        .filter(represents=Represents.COORDINATOR, cluster__in=[c.pk for c in clusters])
        .values_list("cluster_id", flat=True)
    )
    open_seats = [c for c in clusters if c.pk not in seated]
    accounts: dict[int, list[User]] = {}
    candidates = User.objects.filter(
        is_active=True,
        organisation_id__in={c.coordinator_id for c in open_seats},
        groups__name=Role.COORDINATOR.value,
    ).order_by("last_name", "first_name", "pk")
    for user in candidates:
        accounts.setdefault(user.organisation_id, []).append(user)
    return [Proposal(c, tuple(accounts.get(c.coordinator_id, ()))) for c in open_seats]


def meetings():
    return Meeting.objects.select_related("minutes").order_by("-held_on", "-pk")


def members():
    return CouncilMember.objects.select_related("user", "cluster").order_by(
        "-member_from", "user__last_name", "pk"
    )
