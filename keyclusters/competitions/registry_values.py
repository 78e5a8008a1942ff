"""Values of an application that the registry supplies, computed on the submission date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from keyclusters.domain.rulebook.counting import counts_as_member
from keyclusters.domain.rulebook.model import Counting
from keyclusters.registry.models import Cluster, Membership, MembershipRole


def active_memberships(cluster: Cluster, on: dt.date):
    return (
        Membership.objects.filter(cluster=cluster)
        .active_on(on)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )


def member_list(cluster: Cluster, on: dt.date) -> list[dict[str, object]]:
    """The frozen member list of a revision: every membership active on ``on``."""
    return [
        {
            "organisation_id": m.organisation_id,
            "name": m.organisation.name,
            "nip": m.organisation.nip,
            "kind": m.organisation.kind,
            "size": m.organisation.size,
            "country": m.organisation.country,
            "role": m.role,
            "joined_on": m.joined_on.isoformat(),
            "advanced_cooperation_group": m.advanced_cooperation_group,
        }
        for m in active_memberships(cluster, on)
    ]


def _full_years(start: dt.date, on: dt.date) -> int:
    years = on.year - start.year
    if (on.month, on.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def _share(part: int, whole: int) -> str:
    if whole == 0:
        return "0.00"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP))


Computer = Callable[[Cluster, dt.date, list[dict[str, object]], list[dict[str, object]]], object]

# field id -> how the registry computes it (cluster, date, frozen member list, the members that
# count under the rulebook's ``counting``)
REGISTRY_FIELDS: dict[str, Computer] = {
    "years_active": lambda cluster, on, members, counted: _full_years(cluster.founded_on, on),
    "members_total": lambda cluster, on, members, counted: len(counted),
    "enterprises_total": lambda cluster, on, members, counted: sum(
        1 for m in counted if m["kind"] == "enterprise"
    ),
    "enterprises_share": lambda cluster, on, members, counted: _share(
        sum(1 for m in counted if m["kind"] == "enterprise"), len(counted)
    ),
    "sme_share": lambda cluster, on, members, counted: _share(
        sum(
            1
            for m in counted
            if m["kind"] == "enterprise" and m["size"] in ("micro", "small", "medium")
        ),
        len(counted),
    ),
    "research_members": lambda cluster, on, members, counted: sum(
        1 for m in counted if m["kind"] in ("university", "research")
    ),
    "foreign_members": lambda cluster, on, members, counted: sum(
        1 for m in counted if m["country"] != "PL"
    ),
    "strategic_partners": lambda cluster, on, members, counted: sum(
        1 for m in members if m["role"] == MembershipRole.STRATEGIC_PARTNER
    ),
    "advanced_cooperation_group": lambda cluster, on, members, counted: sum(
        1 for m in counted if m["advanced_cooperation_group"]
    ),
}


def registry_values(
    cluster: Cluster,
    on: dt.date,
    field_ids: list[str],
    members: list[dict[str, object]],
    counting: Counting | None = None,
) -> dict[str, object]:
    """The registry-sourced values the rulebook asks for (unknown ids are left out). Counts and
    shares are made over the members the rulebook's ``counting`` counts (by default the
    coordinator counts and strategic partners do not)."""
    counted = [m for m in members if counts_as_member(str(m["role"]), counting)]
    return {
        field_id: REGISTRY_FIELDS[field_id](cluster, on, members, counted)
        for field_id in field_ids
        if field_id in REGISTRY_FIELDS
    }
