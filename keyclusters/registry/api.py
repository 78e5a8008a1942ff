"""Schemas and reads of the public cluster API (/api/v1/clusters).

The endpoints themselves are in :mod:`keyclusters.statuses.cluster_api`: they answer with the
clusters' statuses, which the registry may not import.
"""

import datetime as dt
from typing import Annotated

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from .models import Cluster, ClusterName, Membership, MembershipRole

# Paging and search bounds: beyond them a request is answered 422 with the reason, not 500
# (a database refuses offsets past 64 bits and text with a NUL character).
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
MAX_SEARCH = 200


def _without_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", gettext("must not contain a NUL character"))
    return value


SearchText = Annotated[str, StringConstraints(max_length=MAX_SEARCH), AfterValidator(_without_nul)]


class Paging(LimitOffsetPagination):
    """``limit`` 1 to 1000 and ``offset`` 0 to 10,000,000; others are refused with 422."""

    class Input(Schema):
        limit: int = Field(min(ninja_settings.PAGINATION_PER_PAGE, MAX_LIMIT), ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class OrganisationRef(Schema):
    id: int
    name: str
    nip: str | None


class ClusterOut(Schema):
    id: int
    name: str
    specialisation: str
    founded_on: dt.date
    website: str
    voivodeship: str = Field(description="Code of the seat voivodeship")
    coordinator: OrganisationRef
    member_count: int = Field(description="Members and the coordinator on the day of the request")


class ClusterFilters(Schema):
    q: SearchText | None = Field(
        None, description="Text in the name, specialisation or coordinator"
    )
    voivodeship: SearchText | None = Field(
        None, description="Voivodeship code, seat or area of activity"
    )
    specialisation: SearchText | None = None


class MemberCounts(Schema):
    total: int
    by_kind: dict[str, int]
    by_size: dict[str, int]
    strategic_partners: int
    advanced_cooperation_group: int


class SmartSpecialisationOut(Schema):
    code: str
    name: str
    kind: str


class ClusterDetailOut(ClusterOut):
    description: str
    voivodeships: list[str]
    smart_specialisations: list[SmartSpecialisationOut]
    members: MemberCounts


def filtered_clusters(filters: ClusterFilters, on: dt.date | None = None):
    """The clusters matching ``filters``, with their member counts on ``on`` (today by
    default), by name; ``q`` also finds a cluster by a name it bore before."""
    qs = Cluster.objects.with_member_counts(on).select_related("coordinator").order_by("name", "id")
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Exists(
                ClusterName.objects.filter(cluster_id=OuterRef("pk"), name__icontains=filters.q)
            )
            | Q(specialisation__icontains=filters.q)
            | Q(coordinator__name__icontains=filters.q)
        )
    if filters.voivodeship:
        in_area = Cluster.voivodeships.through.objects.filter(
            cluster_id=OuterRef("pk"), voivodeship_id=filters.voivodeship
        )
        qs = qs.filter(Q(voivodeship=filters.voivodeship) | Exists(in_area))
    if filters.specialisation:
        qs = qs.filter(specialisation__iexact=filters.specialisation)
    return qs


def member_counts(cluster: Cluster, on: dt.date) -> dict:
    """The cluster's members on ``on`` by kind and size, its strategic partners and the members
    of its advanced cooperation group (``total``: ``cluster.member_count``, annotated)."""
    active = Membership.objects.filter(cluster=cluster).active_on(on)
    members = active.exclude(role=MembershipRole.STRATEGIC_PARTNER)
    by_kind = dict(members.values_list("organisation__kind").annotate(n=Count("id")).order_by())
    by_size = dict(
        members.filter(organisation__kind="enterprise")
        .exclude(organisation__size="")
        .values_list("organisation__size")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "total": cluster.member_count,
        "by_kind": by_kind,
        "by_size": by_size,
        "strategic_partners": active.filter(role=MembershipRole.STRATEGIC_PARTNER).count(),
        "advanced_cooperation_group": members.filter(advanced_cooperation_group=True).count(),
    }
