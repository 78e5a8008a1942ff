"""The open data feed of the registry's changes, so that agencies can mirror the registry.

Four kinds of change, each dated by the day it took effect: a status granted (its decision
date), a status withdrawn (its withdrawal date), a cluster renamed (the new name's first day)
and a new coordinator (its first day as coordinator). Newest first; each entry names the
cluster by the name it bore on that day. :func:`changes` reads a constant number of queries
whatever the number of entries (each source is limited to the entries the page can show).
Served as JSON by the API (``GET /api/v1/feed.json``, :data:`router`) and as Atom
(``/statuses/feed.atom``, :func:`atom`; django.utils.feedgenerator).
"""

import datetime as dt
from typing import Literal

from django.db.models import F, Min, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET
from ninja import Field, Query, Router, Schema

from keyclusters.registry import identity
from keyclusters.registry.models import ClusterName, Membership, MembershipRole, Organisation

from .models import StatusGrant

router = Router(tags=["open data"])

MAX_LIMIT = 500
MAX_OFFSET = 10_000
ATOM_ENTRIES = 100

Kind = Literal["grant", "withdrawal", "rename", "coordinator"]


def _grants(since: dt.date | None, upto: int) -> list[dict]:
    grants = StatusGrant.objects.select_related("status_type", "cluster")
    if since is not None:
        grants = grants.filter(decision_on__gte=since)
    return [
        {
            "id": f"grant-{g.pk}",
            "kind": "grant",
            "on": g.decision_on,
            "cluster_id": g.cluster_id,
            "current_name": g.cluster.name,
            "status": {
                "id": g.pk,
                "status_type": g.status_type_id,
                "status_type_name": g.status_type.name(),
                "round": g.round_label,
                "decision_on": g.decision_on,
                "valid_from": g.valid_from,
                "valid_to": g.valid_to,
                "withdrawn_on": g.withdrawn_on,
                "renewal_of": g.renewal_of_id,
            },
        }
        for g in grants.order_by("-decision_on", "-pk")[:upto]
    ]


def _withdrawals(since: dt.date | None, upto: int) -> list[dict]:
    grants = StatusGrant.objects.filter(withdrawn_on__isnull=False).select_related(
        "status_type", "cluster"
    )
    if since is not None:
        grants = grants.filter(withdrawn_on__gte=since)
    return [
        {
            "id": f"withdrawal-{g.pk}",
            "kind": "withdrawal",
            "on": g.withdrawn_on,
            "cluster_id": g.cluster_id,
            "current_name": g.cluster.name,
            "status": {
                "id": g.pk,
                "status_type": g.status_type_id,
                "status_type_name": g.status_type.name(),
                "round": g.round_label,
                "decision_on": g.decision_on,
                "valid_from": g.valid_from,
                "valid_to": g.valid_to,
                "withdrawn_on": g.withdrawn_on,
                "renewal_of": g.renewal_of_id,
            },
            "reason": g.withdrawal_reason,
        }
        for g in grants.order_by("-withdrawn_on", "-pk")[:upto]
    ]


def _renames(since: dt.date | None, upto: int) -> list[dict]:
    first = (
        ClusterName.objects.filter(cluster_id=OuterRef("cluster_id"))
        .order_by()
        .values("cluster_id")
        .annotate(first=Min("valid_from"))
        .values("first")
    )
    previous = ClusterName.objects.filter(
        cluster_id=OuterRef("cluster_id"), valid_from__lt=OuterRef("valid_from")
    ).order_by("-valid_from")
    names = (
        ClusterName.objects.annotate(
            first=Subquery(first[:1]), previous=Subquery(previous.values("name")[:1])
        )
        .exclude(valid_from__lte=F("first"))
        .select_related("cluster")
    )
    if since is not None:
        names = names.filter(valid_from__gte=since)
    return [
        {
            "id": f"rename-{n.pk}",
            "kind": "rename",
            "on": n.valid_from,
            "cluster_id": n.cluster_id,
            "current_name": n.cluster.name,
            "previous_name": n.previous or "",
            "new_name": n.name,
        }
        for n in names.order_by("-valid_from", "-pk")[:upto]
    ]


def _organisation(organisation) -> dict | None:
    if organisation is None:
        return None
    return {"id": organisation.pk, "name": organisation.name, "nip": organisation.nip}


def _coordinators(since: dt.date | None, upto: int) -> list[dict]:
    coordinators = Membership.objects.filter(role=MembershipRole.COORDINATOR)
    first = (
        coordinators.filter(cluster_id=OuterRef("cluster_id"))
        .order_by()
        .values("cluster_id")
        .annotate(first=Min("joined_on"))
        .values("first")
    )
    previous = coordinators.filter(
        cluster_id=OuterRef("cluster_id"), joined_on__lt=OuterRef("joined_on")
    ).order_by("-joined_on", "-pk")
    changes = (
        coordinators.annotate(
            first=Subquery(first[:1]),
            previous_id=Subquery(previous.values("organisation_id")[:1]),
        )
        .exclude(joined_on__lte=F("first"))
        .select_related("organisation", "cluster")
    )
    if since is not None:
        changes = changes.filter(joined_on__gte=since)
    rows = list(changes.order_by("-joined_on", "-pk")[:upto])
    before = Organisation.objects.in_bulk({m.previous_id for m in rows if m.previous_id})
    return [
        {
            "id": f"coordinator-{m.pk}",
            "kind": "coordinator",
            "on": m.joined_on,
            "cluster_id": m.cluster_id,
            "current_name": m.cluster.name,
            "previous_coordinator": _organisation(before.get(m.previous_id)),
            "new_coordinator": _organisation(m.organisation),
        }
        for m in rows
    ]


def changes(*, limit: int, offset: int = 0, since: dt.date | None = None) -> list[dict]:
    """The registry's changes (since ``since`` when given), newest first, ``offset`` skipped
    and at most ``limit``; each with ``cluster`` (id, name on the day). Seven queries."""
    upto = offset + limit
    entries = [
        *_grants(since, upto),
        *_withdrawals(since, upto),
        *_renames(since, upto),
        *_coordinators(since, upto),
    ]
    entries.sort(key=lambda e: (e["on"], e["id"]), reverse=True)
    page = entries[offset:upto]
    book = identity.names_over_time(e["cluster_id"] for e in page)
    for entry in page:
        cluster_id = entry.pop("cluster_id")
        current = entry.pop("current_name")
        entry["cluster"] = {"id": cluster_id, "name": book.on(cluster_id, entry["on"], current)}
    return page


# --- JSON (the API) --------------------------------------------------------------------------


class FeedCluster(Schema):
    id: int
    name: str = Field(description="The name the cluster bore on the day of the change")


class FeedStatus(Schema):
    id: int
    status_type: str
    status_type_name: str
    round: str
    decision_on: dt.date
    valid_from: dt.date
    valid_to: dt.date
    withdrawn_on: dt.date | None
    renewal_of: int | None = Field(description="The id of the grant this one renews")


class FeedOrganisation(Schema):
    id: int
    name: str
    nip: str | None


class FeedEntry(Schema):
    id: str = Field(description="Stable identifier of the entry")
    kind: Kind
    on: dt.date = Field(description="The day the change took effect")
    cluster: FeedCluster
    status: FeedStatus | None = Field(None, description="grant, withdrawal")
    reason: str | None = Field(None, description="withdrawal: its reason")
    previous_name: str | None = Field(None, description="rename")
    new_name: str | None = Field(None, description="rename")
    previous_coordinator: FeedOrganisation | None = Field(None, description="coordinator")
    new_coordinator: FeedOrganisation | None = Field(None, description="coordinator")


class FeedOut(Schema):
    items: list[FeedEntry]
    limit: int
    offset: int


class FeedQuery(Schema):
    since: dt.date | None = Field(None, description="Only changes on or after this date")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get(
    "/feed.json",
    response=FeedOut,
    url_name="registry_feed",
    summary="The registry's changes (grants, withdrawals, renames, coordinators), newest first",
)
def registry_feed(request, query: Query[FeedQuery]):
    items = changes(limit=query.limit, offset=query.offset, since=query.since)
    return {"items": items, "limit": query.limit, "offset": query.offset}


# --- Atom ------------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    return {
        "grant": gettext("Status granted"),
        "withdrawal": gettext("Status withdrawn"),
        "rename": gettext("New name"),
        "coordinator": gettext("New coordinator"),
    }[kind]


def _title(entry: dict) -> str:
    day = date_format(entry["on"], "j E Y")
    name = entry["cluster"]["name"]
    if entry["kind"] == "grant":
        return gettext("%(cluster)s: %(status)s granted (%(date)s)") % {
            "cluster": name, "status": entry["status"]["status_type_name"], "date": day,
        }  # fmt: skip
    if entry["kind"] == "withdrawal":
        return gettext("%(cluster)s: %(status)s withdrawn (%(date)s)") % {
            "cluster": name, "status": entry["status"]["status_type_name"], "date": day,
        }  # fmt: skip
    if entry["kind"] == "rename":
        return gettext("%(previous)s is named %(name)s from %(date)s") % {
            "previous": entry["previous_name"], "name": entry["new_name"], "date": day,
        }  # fmt: skip
    return gettext("%(cluster)s: %(organisation)s coordinates from %(date)s") % {
        "cluster": name, "organisation": entry["new_coordinator"]["name"], "date": day,
    }  # fmt: skip


def _description(entry: dict) -> str:
    if entry["kind"] in ("grant", "withdrawal"):
        status = entry["status"]
        text = gettext("Round %(round)s, valid from %(from)s to %(to)s.") % {
            "round": status["round"],
            "from": date_format(status["valid_from"], "j E Y"),
            "to": date_format(status["valid_to"], "j E Y"),
        }
        if entry["kind"] == "withdrawal" and entry.get("reason"):
            text += " " + gettext("Reason: %(reason)s") % {"reason": entry["reason"]}
        return text
    if entry["kind"] == "coordinator" and entry["previous_coordinator"]:
        return gettext("Before: %(organisation)s.") % {
            "organisation": entry["previous_coordinator"]["name"]
        }
    return ""


@require_GET
def atom(request: HttpRequest) -> HttpResponse:
    """The newest :data:`ATOM_ENTRIES` changes as an Atom feed (public)."""
    feed = feedgenerator.Atom1Feed(
        title=gettext("Changes in the registry of key clusters"),
        link=request.build_absolute_uri(reverse("statuses:registry")),
        description=gettext("Statuses granted and withdrawn, clusters renamed, new coordinators"),
        feed_url=request.build_absolute_uri(request.path),
        language=getattr(request, "LANGUAGE_CODE", None),
    )
    zone = timezone.get_default_timezone()
    for entry in changes(limit=ATOM_ENTRIES):
        link = request.build_absolute_uri(
            reverse("statuses:cluster-history", args=[entry["cluster"]["id"]])
        )
        moment = dt.datetime.combine(entry["on"], dt.time(), tzinfo=zone)
        feed.add_item(
            title=_title(entry),
            link=link,
            description=_description(entry),
            unique_id=f"{link}#{entry['id']}",
            pubdate=moment,
            updateddate=moment,
            categories=[_kind_label(entry["kind"])],
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response
