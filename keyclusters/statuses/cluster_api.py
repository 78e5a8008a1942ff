"""The public cluster API: ``GET /api/v1/clusters`` (with ``key_on``: the key clusters of that
date, i.e. the clusters holding the key cluster status (``kkk``) then, or with ``status_type``
the holders of that type, each with the status and the name and coordinator of that date) and
``GET /api/v1/clusters/{id}`` (the cluster, its status history, member counts, its names and
coordinators with dates). Schemas of the registry's part are in :mod:`keyclusters.registry.api`;
the endpoints live here because they answer with statuses (docs/registry.md, "The API").
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import paginate

from keyclusters.registry import identity
from keyclusters.registry.api import (
    ClusterDetailOut,
    ClusterFilters,
    ClusterOut,
    OrganisationRef,
    Paging,
    SearchText,
    filtered_clusters,
    member_counts,
)
from keyclusters.registry.models import Cluster

from . import types
from .api import ValidationErrorOut
from .models import KEY_CLUSTER, StatusGrant

router = Router(tags=["clusters"])

KEY_ON = (
    "A date (YYYY-MM-DD): only the key clusters of that date (the clusters holding the key "
    "cluster status, kkk, valid then; with status_type, the holders of that type), each with "
    "that status, the name and coordinator of that date and the member count then"
)
STATUS_TYPE = (
    "With key_on: the status type the clusters hold on that date (default kkk, the key cluster "
    "status; pkw: the supra-regional growth cluster status). An unknown type, or a type "
    "without key_on, is a 422 naming the parameter"
)


class ClusterListFilters(ClusterFilters):
    key_on: dt.date | None = Field(None, description=KEY_ON)
    status_type: SearchText | None = Field(None, description=STATUS_TYPE)


class StatusOut(Schema):
    id: int
    status_type: str = Field(description="Code of the status type (kkk: key cluster)")
    status_type_name: str
    round: str
    decision_on: dt.date
    valid_from: dt.date
    valid_to: dt.date = Field(description="Last day of validity (inclusive)")


class ClusterOnDateOut(ClusterOut):
    status: StatusOut | None = Field(
        None,
        description="With key_on: the status of the asked type (status_type, default kkk) "
        "valid on that date (the latest started)",
    )
    statuses: list[StatusOut] = Field(
        [], description="With key_on: every status valid on that date, of any type"
    )


class RenewedGrant(Schema):
    id: int
    valid_from: dt.date
    valid_to: dt.date


class GrantOut(StatusOut):
    withdrawn_on: dt.date | None
    renewal_of: RenewedGrant | None


class NameOut(Schema):
    name: str
    valid_from: dt.date
    valid_to: dt.date | None = Field(description="Last day (inclusive); empty: the current name")


class CoordinatorOut(Schema):
    organisation: OrganisationRef
    valid_from: dt.date
    valid_to: dt.date | None = Field(description="Last day (inclusive); empty: the current one")


class ClusterHistoryOut(ClusterDetailOut):
    status_history: list[GrantOut] = Field(description="Every grant, oldest first")
    names: list[NameOut] = Field(description="The cluster's names with dates, oldest first")
    coordinators: list[CoordinatorOut] = Field(
        description="The coordinating organisations with dates, oldest first"
    )


def status_out(grant: StatusGrant) -> dict:
    return {
        "id": grant.pk,
        "status_type": grant.status_type_id,
        "status_type_name": grant.status_type.name(),
        "round": grant.round_label,
        "decision_on": grant.decision_on,
        "valid_from": grant.valid_from,
        "valid_to": grant.valid_to,
    }


def _on_date(cluster: Cluster, status_type: str) -> dict:
    statuses = [status_out(g) for g in cluster.statuses_then]
    held = [s for s in statuses if s["status_type"] == status_type]
    return {
        "id": cluster.pk,
        "name": cluster.name_then,
        "specialisation": cluster.specialisation,
        "founded_on": cluster.founded_on,
        "website": cluster.website,
        "voivodeship": cluster.voivodeship,
        "coordinator": {
            "id": cluster.coordinator_then_id,
            "name": cluster.coordinator_then_name,
            "nip": cluster.coordinator_then_nip,
        },
        "member_count": cluster.member_count,
        "status": held[0] if held else None,
        "statuses": statuses,
    }


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError([{"type": "value_error", "loc": ["query", field], "msg": message}])


def checked_status_type(filters: ClusterListFilters) -> str:
    """The status type the list asks for (``kkk`` by default); an unknown type, or a type
    without ``key_on`` (there is no date to hold it on), is refused naming the parameter."""
    if filters.status_type is None:
        return KEY_CLUSTER
    if filters.key_on is None:
        raise _refuse(
            "key_on",
            gettext(
                "status_type needs key_on: give the date (YYYY-MM-DD) on which the clusters "
                "hold the status."
            ),
        )
    if types.find(filters.status_type) is None:
        raise _refuse("status_type", types.unknown_message(filters.status_type))
    return filters.status_type


def clusters_on(filters: ClusterListFilters):
    """The list's queryset: all clusters as today, or with ``key_on`` those holding the status
    of the asked type (default ``kkk``) then, annotated with the name and coordinator of the
    date and every status valid then prefetched (a constant number of queries per page)."""
    status_type = checked_status_type(filters)
    if filters.key_on is None:
        return filtered_clusters(filters)
    on = filters.key_on
    valid = StatusGrant.objects.valid_on(on)
    clusters = filtered_clusters(filters, on).filter(
        Exists(valid.filter(cluster_id=OuterRef("pk"), status_type_id=status_type))
    )
    clusters = identity.with_identity_on(clusters, on).prefetch_related(
        Prefetch(
            "status_grants",
            queryset=valid.select_related("status_type").order_by(
                "status_type__position", "-valid_from", "-pk"
            ),
            to_attr="statuses_then",
        )
    )
    return _Answers(clusters, status_type)


class _Answers:
    """Wraps a queryset so that pagination slices it and each sliced row becomes an answer."""

    def __init__(self, queryset, status_type: str) -> None:
        self.queryset = queryset
        self.status_type = status_type

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        rows = self.queryset[index]
        if isinstance(index, slice):
            return [_on_date(c, self.status_type) for c in rows]
        return _on_date(rows, self.status_type)


@router.get(
    "",
    response={200: list[ClusterOnDateOut], 422: ValidationErrorOut},
    summary="List clusters (with key_on: the key clusters of that date)",
)
@paginate(Paging)
def list_clusters(request, filters: Query[ClusterListFilters]):
    return clusters_on(filters)


def _history(cluster: Cluster) -> list[dict]:
    grants = (
        cluster.status_grants.select_related("status_type", "renewal_of")
        .order_by("valid_from", "pk")
    )  # fmt: skip
    return [
        {
            **status_out(g),
            "withdrawn_on": g.withdrawn_on,
            "renewal_of": (
                None
                if g.renewal_of is None
                else {
                    "id": g.renewal_of.pk,
                    "valid_from": g.renewal_of.valid_from,
                    "valid_to": g.renewal_of.valid_to,
                }
            ),
        }
        for g in grants
    ]


@router.get(
    "/{int:cluster_id}",
    response={200: ClusterHistoryOut, 404: dict},
    summary="One cluster: status history, member counts, names and coordinators with dates",
)
def get_cluster(request, cluster_id: int):
    cluster = get_object_or_404(
        Cluster.objects.with_member_counts()
        .select_related("coordinator")
        .prefetch_related("voivodeships", "smart_specialisations"),
        pk=cluster_id,
    )
    today = dt.date.today()
    return {
        "id": cluster.pk,
        "name": cluster.name,
        "specialisation": cluster.specialisation,
        "founded_on": cluster.founded_on,
        "website": cluster.website,
        "voivodeship": cluster.voivodeship,
        "coordinator": cluster.coordinator,
        "member_count": cluster.member_count,
        "description": cluster.description,
        "voivodeships": [v.code for v in cluster.voivodeships.all()],
        "smart_specialisations": list(cluster.smart_specialisations.all()),
        "members": member_counts(cluster, today),
        "status_history": _history(cluster),
        "names": [
            {"name": p.name, "valid_from": p.valid_from, "valid_to": p.valid_to}
            for p in identity.name_history(cluster)
        ],
        "coordinators": [
            {"organisation": p.organisation, "valid_from": p.valid_from, "valid_to": p.valid_to}
            for p in identity.coordinator_history(cluster)
        ],
    }
