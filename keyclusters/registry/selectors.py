"""Reads of the registry shared by the pages (each one a constant number of queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from keyclusters.domain.registry import CLUSTER_SIZE_CLASSES

from .models import (
    Cluster,
    ClusterQuerySet,
    CooperationDeclaration,
    EnterpriseSize,
    EvidenceState,
    Membership,
    MembershipEvidence,
    MembershipRole,
    OrganisationChangeRequest,
    OrganisationKind,
)

CLUSTER_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "-members": ("-member_count", "name", "pk"),
    "members": ("member_count", "name", "pk"),
}

# Roles counted as members of a cluster (a strategic partner is not a member).
MEMBER_ROLES = (MembershipRole.MEMBER, MembershipRole.COORDINATOR)


def today() -> dt.date:
    return timezone.localdate()


def specialisations() -> list[str]:
    """The distinct non-empty specialisations of the clusters, sorted."""
    return list(
        Cluster.objects.exclude(specialisation="")
        .order_by("specialisation")
        .values_list("specialisation", flat=True)
        .distinct()
    )


def search_clusters(
    *,
    query: str = "",
    voivodeship: str = "",
    specialisation: str = "",
    size: str = "",
    sort: str = "name",
    on: dt.date | None = None,
) -> ClusterQuerySet:
    """Clusters with ``member_count`` on ``on`` (default today), filtered and sorted.

    The voivodeship matches the seat or one of the cluster's voivodeships (an ``EXISTS``
    subquery, so a cluster never appears twice and counts stay right).
    """
    clusters = Cluster.objects.with_member_counts(on or today()).select_related("coordinator")
    if query := query.strip():
        clusters = clusters.filter(
            Q(name__icontains=query)
            | Q(specialisation__icontains=query)
            | Q(coordinator__name__icontains=query)
        )
    if voivodeship:
        in_region = Cluster.voivodeships.through.objects.filter(
            cluster_id=OuterRef("pk"), voivodeship_id=voivodeship
        )
        clusters = clusters.filter(Q(voivodeship=voivodeship) | Exists(in_region))
    if specialisation:
        clusters = clusters.filter(specialisation=specialisation)
    if size in CLUSTER_SIZE_CLASSES:
        low, high = CLUSTER_SIZE_CLASSES[size]
        clusters = clusters.filter(member_count__gte=low)
        if high is not None:
            clusters = clusters.filter(member_count__lte=high)
    return clusters.order_by(*CLUSTER_SORTS.get(sort, CLUSTER_SORTS["name"]))


def cluster_for_page(pk: int) -> QuerySet[Cluster]:
    return (
        Cluster.objects.filter(pk=pk)
        .select_related("coordinator")
        .prefetch_related("voivodeships", "smart_specialisations")
    )


def current_members(cluster: Cluster, *, on: dt.date | None = None) -> QuerySet[Membership]:
    """Memberships of members and the coordinator active on ``on``, by organisation name."""
    return (
        cluster.memberships.active_on(on or today())
        .filter(role__in=MEMBER_ROLES)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )


def former_members(cluster: Cluster, *, on: dt.date | None = None) -> QuerySet[Membership]:
    """Memberships of members that ended before ``on``, most recently ended first."""
    return (
        cluster.memberships.filter(role__in=MEMBER_ROLES, left_on__lt=on or today())
        .select_related("organisation")
        .order_by("-left_on", "organisation__name", "pk")
    )


def strategic_partners(cluster: Cluster) -> QuerySet[Membership]:
    """Every strategic-partner membership (current first, then by name)."""
    return (
        cluster.memberships.filter(role=MembershipRole.STRATEGIC_PARTNER)
        .select_related("organisation")
        .order_by("left_on", "organisation__name", "pk")
    )


def declarations(cluster: Cluster) -> QuerySet[CooperationDeclaration]:
    return cluster.declarations.prefetch_related("signatories").order_by("-signed_on", "pk")


@dataclass(frozen=True)
class MemberSummary:
    """Counts of a cluster's current members by organisation kind and by enterprise size."""

    total: int
    by_kind: list[tuple[str, str, int]]  # (code, label, count) for every kind
    by_size: list[tuple[str, str, int]]  # (code, label, count) for every enterprise size
    size_not_given: int  # enterprises whose size is not recorded


def member_summary(cluster: Cluster, *, on: dt.date | None = None) -> MemberSummary:
    """One grouped query; every kind and size is listed, with 0 where there is none."""
    rows = (
        cluster.memberships.active_on(on or today())
        .filter(role__in=MEMBER_ROLES)
        .order_by()
        .values("organisation__kind", "organisation__size")
        .annotate(n=Count("pk"))
    )
    kinds: dict[str, int] = {}
    sizes: dict[str, int] = {}
    total = 0
    for row in rows:
        kind, size, n = row["organisation__kind"], row["organisation__size"], row["n"]
        total += n
        kinds[kind] = kinds.get(kind, 0) + n
        if kind == OrganisationKind.ENTERPRISE:
            sizes[size] = sizes.get(size, 0) + n
    return MemberSummary(
        total=total,
        by_kind=[(c.value, str(c.label), kinds.get(c.value, 0)) for c in OrganisationKind],
        by_size=[(c.value, str(c.label), sizes.get(c.value, 0)) for c in EnterpriseSize],
        size_not_given=sizes.get("", 0),
    )


def clusters_coordinated_by(organisation_id: int | None) -> ClusterQuerySet:
    if organisation_id is None:
        return Cluster.objects.none()
    return (
        Cluster.objects.with_member_counts(today())
        .filter(coordinator_id=organisation_id)
        .select_related("coordinator")
        .order_by("name", "pk")
    )


# --- the membership ledger and the operators' queues -----------------------------------------

TRAIL_FIELDS = (
    "role", "joined_on", "left_on", "advanced_cooperation_group", "evidence_state",
    "counted_from", "evidence_accepted_on",
)  # fmt: skip


@dataclass(frozen=True)
class TrailEntry:
    """One change of a membership: when, by whom, and each field's old and new value (as a
    person reads them); ``created`` for the recording itself."""

    at: dt.datetime
    by: object
    created: bool
    changes: list[tuple[str, str, str]]
    reason: str


def _shown(membership_model: type, field: str, value: object) -> str:
    if value is None or value == "" and field != "evidence_state":
        return "—"
    model_field = membership_model._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def membership_trail(membership: Membership) -> list[TrailEntry]:
    """The history of ``membership`` (oldest first): who recorded it, and every change of its
    start, end, role and evidence, old → new (from its history table: two queries)."""
    records = list(
        membership.history.select_related("history_user").order_by("history_date", "history_id")
    )
    entries, previous = [], None
    for record in records:
        if previous is None:
            changes = [
                (str(Membership._meta.get_field(f).verbose_name), "",
                 _shown(Membership, f, getattr(record, f)))
                for f in ("role", "joined_on", "left_on", "evidence_state")
            ]  # fmt: skip
        else:
            changes = [
                (
                    str(Membership._meta.get_field(f).verbose_name),
                    _shown(Membership, f, getattr(previous, f)),
                    _shown(Membership, f, getattr(record, f)),
                )
                for f in TRAIL_FIELDS
                if getattr(previous, f) != getattr(record, f)
            ]
        if previous is None or changes:
            entries.append(
                TrailEntry(
                    record.history_date,
                    record.history_user,
                    previous is None,
                    changes,
                    record.history_change_reason or "",
                )  # fmt: skip
            )
        previous = record
    return entries


def evidence_queue() -> QuerySet[MembershipEvidence]:
    """Documents awaiting an operator's review, oldest first."""
    return (
        MembershipEvidence.objects.filter(state=MembershipEvidence.State.SUBMITTED)
        .select_related("membership__organisation", "membership__cluster", "uploaded_by")
        .order_by("uploaded_at", "pk")
    )


def memberships_awaiting_a_document() -> QuerySet[Membership]:
    """Backdated memberships with no document under review (none given, or the last one
    rejected), oldest recording first."""
    return (
        Membership.objects.filter(
            evidence_state__in=[EvidenceState.AWAITING, EvidenceState.REJECTED]
        )
        .select_related("organisation", "cluster", "recorded_by")
        .order_by("recorded_at", "pk")
    )


def pending_change_requests() -> QuerySet[OrganisationChangeRequest]:
    return (
        OrganisationChangeRequest.objects.filter(state=OrganisationChangeRequest.State.PENDING)
        .select_related("organisation", "cluster", "proposed_by")
        .order_by("proposed_at", "pk")
    )


RECENT_DECISIONS = 20


def recent_evidence_decisions(limit: int = RECENT_DECISIONS) -> QuerySet[MembershipEvidence]:
    """The documents operators decided on last (latest first), with who decided."""
    return (
        MembershipEvidence.objects.exclude(state=MembershipEvidence.State.SUBMITTED)
        .filter(decided_at__isnull=False)
        .select_related("membership__organisation", "membership__cluster", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def recent_change_request_decisions(
    limit: int = RECENT_DECISIONS,
) -> QuerySet[OrganisationChangeRequest]:
    """The change requests operators applied or dismissed last (latest first), with who."""
    return (
        OrganisationChangeRequest.objects.exclude(state=OrganisationChangeRequest.State.PENDING)
        .select_related("organisation", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class EndRecord:
    """Who recorded a membership's end, and when."""

    by: object
    at: dt.datetime


def end_records(memberships: list[Membership]) -> dict[int, EndRecord]:
    """For each of ``memberships`` with an end: the history record that set it (the first one
    with that end date), by membership id; one query for them all."""
    ended = {m.pk: m.left_on for m in memberships if m.left_on is not None}
    if not ended:
        return {}
    found: dict[int, EndRecord] = {}
    records = (
        Membership.history.filter(id__in=list(ended), left_on__isnull=False)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for record in records:
        if record.id not in found and record.left_on == ended[record.id]:
            found[record.id] = EndRecord(record.history_user, record.history_date)
    return found
