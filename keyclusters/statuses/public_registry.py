"""Reads of the public registry of status holders: one list per status type (the key clusters,
the supra-regional growth clusters, …) on a date, as a page and as open data.

Every function here makes a constant number of queries, whatever the number of clusters.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from keyclusters.registry import identity
from keyclusters.registry.models import Cluster, Membership

from .models import KEY_CLUSTER, StatusGrant, StatusType
from .selectors import MEMBER_ROLES


def holders_on(
    on: dt.date,
    *,
    status_type: str = KEY_CLUSTER,
    voivodeship: str = "",
    specialisation: str = "",
) -> QuerySet[Cluster]:
    """Clusters holding a status of ``status_type`` valid on ``on``, with their grant and member
    count, in one query (a cluster holding statuses of two types is on both types' lists).

    Annotations: ``grant_id``, ``grant_round``, ``grant_valid_from``, ``grant_valid_to``,
    ``grant_decision_on`` (the type's latest grant valid on ``on``), ``member_count``, and the
    cluster's name and coordinator of that date (``name_then``, ``coordinator_then_name``,
    ``coordinator_then_nip``: :func:`keyclusters.registry.identity.with_identity_on`); listed by
    the name of that date.
    """
    valid = StatusGrant.objects.valid_on(on).filter(
        cluster_id=OuterRef("pk"), status_type_id=status_type
    )
    latest = valid.order_by("-valid_from", "-pk")
    clusters = (
        Cluster.objects.filter(Exists(valid))
        .select_related("coordinator")
        .annotate(
            grant_id=Subquery(latest.values("pk")[:1]),
            grant_round=Subquery(latest.values("round_label")[:1]),
            grant_valid_from=Subquery(latest.values("valid_from")[:1]),
            grant_valid_to=Subquery(latest.values("valid_to")[:1]),
            grant_decision_on=Subquery(latest.values("decision_on")[:1]),
            member_count=Subquery(
                Membership.objects.filter(cluster_id=OuterRef("pk"), role__in=MEMBER_ROLES)
                .active_on(on)
                .order_by()
                .values("cluster_id")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
    )
    if voivodeship:
        in_region = Cluster.voivodeships.through.objects.filter(
            cluster_id=OuterRef("pk"), voivodeship_id=voivodeship
        )
        clusters = clusters.filter(Q(voivodeship=voivodeship) | Exists(in_region))
    if specialisation:
        clusters = clusters.filter(specialisation=specialisation)
    return identity.with_identity_on(clusters, on).order_by("name_then", "pk")


def registry_rows(on: dt.date, *, status_type: StatusType, **filters: str) -> list[dict]:
    """The open-data rows of the registry of ``status_type`` on ``on`` (schema in
    docs/verification.md): each names the type by its code and its name in the active
    language."""
    name = status_type.name()
    return [
        {
            "cluster_id": c.pk,
            "cluster_name": c.name_then,
            "coordinator_name": c.coordinator_then_name,
            "coordinator_nip": c.coordinator_then_nip or "",
            "voivodeship": c.voivodeship,
            "specialisation": c.specialisation,
            "status_type": status_type.code,
            "status_name": name,
            "round": c.grant_round,
            "decision_on": c.grant_decision_on.isoformat(),
            "valid_from": c.grant_valid_from.isoformat(),
            "valid_to": c.grant_valid_to.isoformat(),
            "member_count": c.member_count or 0,
        }
        for c in holders_on(on, status_type=status_type.code, **filters)
    ]


REGISTRY_COLUMNS = (
    "cluster_id", "cluster_name", "coordinator_name", "coordinator_nip", "voivodeship",
    "specialisation", "status_type", "status_name", "round", "decision_on", "valid_from",
    "valid_to", "member_count",
)  # fmt: skip


def export_filename(status_type: StatusType, on: dt.date, extension: str) -> str:
    """``key-clusters-2022-06-01.csv`` for the key cluster status (the name it always had),
    ``pkw-clusters-2022-06-01.csv`` for another type."""
    prefix = "key" if status_type.code == KEY_CLUSTER else status_type.code
    return f"{prefix}-clusters-{on.isoformat()}.{extension}"
