"""A cluster's identity over time: its names and its coordinators, each with dates.

Reads: :func:`name_on` / :func:`names_on` (one query for a whole list) give the name a cluster
bore on a date, :func:`coordinator_on` / :func:`coordinators_on` its coordinating organisation
then; :func:`name_history` and :func:`coordinator_history` list them for the cluster's page and
the API. Every page, export, certificate and API answer about a past date asks these instead of
``Cluster.name`` and ``Cluster.coordinator`` (which are today's).

Writes (operators and the command line): :func:`rename_cluster` closes the current name the day
before the new one starts and updates ``Cluster.name``; :func:`change_coordinator` ends the
coordinator's membership with role ``coordinator`` the day before and gives the new
organisation one from that day, updating ``Cluster.coordinator``. Both validate, lock the
cluster's row, write in one transaction and record the person in the history; bad input raises
a ``ValidationError`` naming the field and writes nothing.

A cluster with no recorded name (created after migration 0007 without a rename) bears
``Cluster.name`` throughout; a date before its first recorded name gets that first name. A date
with no coordinator membership gets today's coordinator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from .models import Cluster, ClusterName, Membership, MembershipRole, Organisation
from .services import lock_cluster

# --- reads -----------------------------------------------------------------------------------


def _valid_on_q(on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def name_on(cluster: Cluster, on: dt.date) -> str:
    """The name ``cluster`` bore on ``on`` (one query)."""
    return names_on([cluster], on)[cluster.pk]


def names_on(clusters: Iterable[Cluster], on: dt.date) -> dict[int, str]:
    """The name each of ``clusters`` bore on ``on``, by the cluster's id, in one query
    (none for an empty list)."""
    clusters = list(clusters)
    if not clusters:
        return {}
    found: dict[int, str] = {c.pk: c.name for c in clusters}
    first: dict[int, tuple[dt.date, str]] = {}
    dated: set[int] = set()
    rows = ClusterName.objects.filter(cluster_id__in=list(found)).values_list(
        "cluster_id", "name", "valid_from", "valid_to"
    )
    for cluster_id, name, valid_from, valid_to in rows:
        if valid_from <= on and (valid_to is None or valid_to >= on):
            found[cluster_id] = name
            dated.add(cluster_id)
        elif cluster_id not in first or valid_from < first[cluster_id][0]:
            first[cluster_id] = (valid_from, name)
    for cluster_id, (valid_from, name) in first.items():
        if cluster_id not in dated and on < valid_from:
            found[cluster_id] = name
    return found


def names_over_time(cluster_ids: Iterable[int]) -> NameBook:
    """The recorded names of the clusters ``cluster_ids`` in one query, to look up the name of
    each on any date (:meth:`NameBook.on`)."""
    book = NameBook()
    ids = list(set(cluster_ids))
    if ids:
        rows = ClusterName.objects.filter(cluster_id__in=ids).order_by("valid_from")
        for cluster_id, name, valid_from in rows.values_list("cluster_id", "name", "valid_from"):
            book.names.setdefault(cluster_id, []).append((valid_from, name))
    return book


@dataclass
class NameBook:
    names: dict[int, list[tuple[dt.date, str]]] = field(default_factory=dict)

    def on(self, cluster_id: int, on: dt.date, default: str) -> str:
        """The name of the cluster on ``on`` (``default``, its current name, when none is
        recorded)."""
        recorded = self.names.get(cluster_id)
        if not recorded:
            return default
        found = recorded[0][1]
        for valid_from, name in recorded:
            if valid_from <= on:
                found = name
        return found


def coordinator_on(cluster: Cluster, on: dt.date) -> Organisation:
    """The organisation coordinating ``cluster`` on ``on``."""
    return coordinators_on([cluster], on)[cluster.pk]


def coordinators_on(clusters: Iterable[Cluster], on: dt.date) -> dict[int, Organisation]:
    """The coordinating organisation of each of ``clusters`` on ``on``, by the cluster's id:
    one query for the coordinator memberships, and one more only for today's coordinators of
    clusters without one then that were not loaded with ``select_related("coordinator")``."""
    clusters = list(clusters)
    if not clusters:
        return {}
    found: dict[int, Organisation] = {}
    memberships = (
        Membership.objects.filter(
            cluster_id__in=[c.pk for c in clusters], role=MembershipRole.COORDINATOR
        )
        .active_on(on)
        .select_related("organisation")
        .order_by("cluster_id", "-joined_on", "-pk")
    )
    for membership in memberships:
        found.setdefault(membership.cluster_id, membership.organisation)
    missing = [c for c in clusters if c.pk not in found]
    unloaded = [c.coordinator_id for c in missing if not Cluster.coordinator.is_cached(c)]
    loaded = Organisation.objects.in_bulk(unloaded) if unloaded else {}
    for cluster in missing:
        if Cluster.coordinator.is_cached(cluster):
            found[cluster.pk] = cluster.coordinator
        else:
            found[cluster.pk] = loaded[cluster.coordinator_id]
    return found


def name_then(cluster: str, on: dt.date) -> Coalesce:
    """An expression for the name the cluster referred to by the field ``cluster`` of the
    query (``"pk"`` on clusters, ``"cluster_id"`` elsewhere) bore on ``on``, by the rules of
    :func:`names_on`: to annotate a query with it, in the same query."""
    names = ClusterName.objects.filter(cluster_id=OuterRef(cluster))
    started = names.filter(valid_from__lte=on).order_by("-valid_from")
    first = names.order_by("valid_from")
    current = F("name") if cluster == "pk" else F(cluster.removesuffix("_id") + "__name")
    return Coalesce(
        Subquery(started.values("name")[:1]), Subquery(first.values("name")[:1]), current
    )


def name_then_sql(cluster: str, on: str) -> str:
    """The same in SQL, for a raw query: ``cluster`` is the alias of the cluster table and
    ``on`` the date's parameter (a prepared statement's ``$2``)."""
    table = connection.ops.quote_name(ClusterName._meta.db_table)
    names = f"SELECT n.name FROM {table} n WHERE n.cluster_id = {cluster}.id"
    return (
        f"COALESCE(({names} AND n.valid_from <= {on} ORDER BY n.valid_from DESC LIMIT 1), "
        f"({names} ORDER BY n.valid_from LIMIT 1), {cluster}.name)"
    )


def with_identity_on(clusters: QuerySet[Cluster], on: dt.date) -> QuerySet[Cluster]:
    """``clusters`` annotated, in the same query, with ``name_then`` (the name borne on
    ``on``) and ``coordinator_then_id`` / ``_name`` / ``_nip`` (the coordinating organisation
    then), by the rules of :func:`names_on` and :func:`coordinators_on`."""
    coordinators = (
        Membership.objects.filter(cluster_id=OuterRef("pk"), role=MembershipRole.COORDINATOR)
        .active_on(on)
        .order_by("-joined_on", "-pk")
    )

    organisation = Organisation.objects.filter(pk=OuterRef("coordinator_then_id"))
    return clusters.annotate(
        name_then=name_then("pk", on),
        coordinator_then_id=Coalesce(
            Subquery(coordinators.values("organisation_id")[:1]),
            F("coordinator_id"),
            output_field=BigIntegerField(),
        ),
    ).annotate(
        coordinator_then_name=Subquery(organisation.values("name")[:1]),
        coordinator_then_nip=Subquery(organisation.values("nip")[:1]),
    )


@dataclass(frozen=True)
class Period:
    """A name or a coordinator of a cluster from ``valid_from`` to ``valid_to`` (inclusive;
    ``None``: until today)."""

    valid_from: dt.date
    valid_to: dt.date | None
    name: str = ""
    organisation: Organisation | None = None


def name_history(cluster: Cluster) -> list[Period]:
    """The cluster's names, oldest first (its current name alone when none is recorded)."""
    rows = list(cluster.names.order_by("valid_from", "pk"))
    if not rows:
        return [Period(valid_from=cluster.founded_on, valid_to=None, name=cluster.name)]
    return [Period(valid_from=r.valid_from, valid_to=r.valid_to, name=r.name) for r in rows]


def coordinator_history(cluster: Cluster) -> list[Period]:
    """The cluster's coordinating organisations with their dates, oldest first (today's
    coordinator from the founding when no coordinator membership is recorded)."""
    memberships = (
        cluster.memberships.filter(role=MembershipRole.COORDINATOR)
        .select_related("organisation")
        .order_by("joined_on", "pk")
    )
    periods = [
        Period(valid_from=m.joined_on, valid_to=m.left_on, organisation=m.organisation)
        for m in memberships
    ]
    if not periods:
        coordinator = cluster.coordinator
        return [Period(valid_from=cluster.founded_on, valid_to=None, organisation=coordinator)]
    return periods


# --- writes ----------------------------------------------------------------------------------


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _current_name(cluster: Cluster) -> ClusterName | None:
    return cluster.names.filter(valid_to__isnull=True).order_by("-valid_from").first()


def check_rename(*, cluster: Cluster, name: str, valid_from: dt.date, today: dt.date) -> str:
    """Refuse a rename (a ``ValidationError`` on ``name`` or ``valid_from``) that
    :func:`rename_cluster` would refuse; the new name, stripped. The view reads it before
    asking to confirm; the service checks again with the cluster locked."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("Enter the cluster's new name.")})
    if name == cluster.name:
        raise ValidationError({"name": gettext("This is the cluster's name already.")})
    if Cluster.objects.filter(name=name).exclude(pk=cluster.pk).exists():
        raise ValidationError({"name": gettext("Another cluster bears this name.")})
    if valid_from > today:
        raise ValidationError(
            {
                "valid_from": gettext(
                    "The date %(date)s is in the future: a new name is recorded once it is borne."
                )
                % {"date": _day(valid_from)}
            }
        )
    current = _current_name(cluster)
    since = current.valid_from if current is not None else cluster.founded_on
    if valid_from <= since:
        raise ValidationError(
            {
                "valid_from": gettext(
                    "The new name must start after %(date)s, when the current name started."
                )
                % {"date": _day(since)}
            }
        )
    return name


def rename_cluster(*, cluster: Cluster, name: str, valid_from: dt.date, by: Any) -> ClusterName:
    """Rename ``cluster`` to ``name`` from ``valid_from``: the current name ends the day
    before (recorded first from the founding when the cluster has none recorded) and
    ``Cluster.name`` becomes ``name``."""
    today = timezone.localdate()
    with transaction.atomic():
        lock_cluster(cluster.pk)
        current_cluster = Cluster.objects.get(pk=cluster.pk)
        name = check_rename(cluster=current_cluster, name=name, valid_from=valid_from, today=today)
        current = _current_name(current_cluster)
        if current is None:
            current = ClusterName(
                cluster=current_cluster,
                name=current_cluster.name,
                valid_from=current_cluster.founded_on,
            )
        current.valid_to = valid_from - dt.timedelta(days=1)
        current._history_user = by
        current.save()
        new = ClusterName(cluster=current_cluster, name=name, valid_from=valid_from, recorded_by=by)
        new.full_clean()
        new._history_user = by
        new.save()
        current_cluster.name = name
        current_cluster._history_user = by
        current_cluster._change_reason = "rename"
        current_cluster.save(update_fields=["name"])
    cluster.name = name
    return new


def check_coordinator_change(
    *, cluster: Cluster, organisation: Organisation | None, valid_from: dt.date, today: dt.date
) -> Membership | None:
    """Refuse a change of coordinator (a ``ValidationError`` on ``organisation`` or
    ``valid_from``) that :func:`change_coordinator` would refuse; the coordinator membership
    it ends (None when there is none open)."""
    if organisation is None:
        raise ValidationError({"organisation": gettext("Choose the new coordinator.")})
    if organisation.pk == cluster.coordinator_id:
        raise ValidationError(
            {"organisation": gettext("This organisation coordinates the cluster already.")}
        )
    if valid_from > today:
        raise ValidationError(
            {
                "valid_from": gettext(
                    "The date %(date)s is in the future: a new coordinator is recorded once it "
                    "has taken over."
                )
                % {"date": _day(valid_from)}
            }
        )
    current = (
        cluster.memberships.filter(role=MembershipRole.COORDINATOR, left_on__isnull=True)
        .order_by("-joined_on")
        .first()
    )
    since = current.joined_on if current is not None else cluster.founded_on
    if valid_from <= since:
        raise ValidationError(
            {
                "valid_from": gettext(
                    "The new coordinator must take over after %(date)s, when the current one "
                    "started."
                )
                % {"date": _day(since)}
            }
        )
    return current


def change_coordinator(
    *, cluster: Cluster, organisation: Organisation, valid_from: dt.date, by: Any
) -> Membership:
    """``organisation`` coordinates ``cluster`` from ``valid_from``: the current coordinator's
    membership with role ``coordinator`` ends the day before (its other memberships stay), the
    new one gets a membership with role ``coordinator`` from ``valid_from`` and
    ``Cluster.coordinator`` becomes it."""
    today = timezone.localdate()
    with transaction.atomic():
        lock_cluster(cluster.pk)
        current_cluster = Cluster.objects.get(pk=cluster.pk)
        current = check_coordinator_change(
            cluster=current_cluster, organisation=organisation, valid_from=valid_from, today=today
        )
        if current is not None:
            current = Membership.objects.select_for_update().get(pk=current.pk)
            current.left_on = valid_from - dt.timedelta(days=1)
            current._history_user = by
            current.save(update_fields=["left_on"])
        membership = Membership(
            cluster=current_cluster,
            organisation=organisation,
            role=MembershipRole.COORDINATOR,
            joined_on=valid_from,
            recorded_at=timezone.now(),
            recorded_by=by,
        )
        membership.full_clean()  # with the overlap check
        membership._history_user = by
        membership.save()
        current_cluster.coordinator = organisation
        current_cluster._history_user = by
        current_cluster._change_reason = "coordinator"
        current_cluster.save(update_fields=["coordinator"])
    cluster.coordinator = organisation
    return membership
