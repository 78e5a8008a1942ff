"""The open data feed of the registry's changes, so that agencies can mirror the registry.

Four kinds of change: a status granted (effective on its decision date), a status withdrawn (on
its withdrawal date), a cluster renamed (on the new name's first day) and a new coordinator (on
its first day as coordinator). Each entry carries both the day it took effect (``on``) and the
moment it was recorded in the registry (``recorded_at``: from the history tables, the first
record holding the entry's current values, so that a change recorded today but effective in
the past, or a grant re-dated after it was recorded, is new to a mirror); entries are ordered
newest recorded first and ``since`` filters by the recorded moment. Each entry names the
cluster by the name it bore on the day it took effect. :func:`changes` reads a constant number
of queries whatever the number of entries (each source is limited to the entries the page can
show). Served as JSON by the API (``GET /api/v1/feed.json``, :data:`router`) and as Atom
(``/statuses/feed.atom``, :func:`atom`; django.utils.feedgenerator).
"""

import datetime as dt
from typing import Literal

from django.db import models
from django.db.models import F, Min, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET
from ninja import Field, Query, Router, Schema

from keyclusters.registry import identity
from keyclusters.registry.models import ClusterName, Membership, MembershipRole, Organisation

from .api import ValidationErrorOut
from .cluster_api import status_out
from .models import StatusGrant

router = Router(tags=["open data"])

MAX_LIMIT = 500
MAX_OFFSET = 10_000
ATOM_ENTRIES = 100

Kind = Literal["grant", "withdrawal", "rename", "coordinator"]

_BEFORE_ANY = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)

# The fields whose change makes an entry new again (it reappears with the moment of the change).
GRANT_FIELDS = ("cluster", "status_type", "round_label", "decision_on", "valid_from", "valid_to")
WITHDRAWAL_FIELDS = ("cluster", "withdrawn_on", "withdrawal_reason")
RENAME_FIELDS = ("cluster", "name", "valid_from")
COORDINATOR_FIELDS = ("cluster", "organisation", "role", "joined_on")


def with_recorded_at(queryset, fields: tuple[str, ...], fallback) -> models.QuerySet:
    """``queryset`` annotated with ``feed_recorded_at``: the moment its rows got their current
    ``fields`` (the first history record after the last one holding other values of them; a
    row without history: ``fallback``, an expression). In the same query."""
    history = queryset.model.history.model.objects.filter(id=OuterRef("pk"))
    other = history.exclude(**{f: OuterRef(f) for f in fields})
    current = history.filter(history_date__gt=OuterRef("_other_until"))
    return queryset.annotate(
        _other_until=Coalesce(
            Subquery(other.order_by("-history_date").values("history_date")[:1]),
            Value(_BEFORE_ANY),
            output_field=models.DateTimeField(),
        )
    ).annotate(
        feed_recorded_at=Coalesce(
            Subquery(current.order_by("history_date").values("history_date")[:1]),
            fallback,
            output_field=models.DateTimeField(),
        )
    )


def _midnight(field: str):
    return Cast(field, models.DateTimeField())


def _since(queryset, since: dt.datetime | None):
    return queryset if since is None else queryset.filter(feed_recorded_at__gte=since)


def _status(g: StatusGrant) -> dict:
    """The grant as the clusters API writes a status, with its withdrawal and renewal."""
    return {**status_out(g), "withdrawn_on": g.withdrawn_on, "renewal_of": g.renewal_of_id}


def _grants(since: dt.datetime | None, upto: int) -> list[dict]:
    grants = with_recorded_at(
        StatusGrant.objects.select_related("status_type", "cluster"),
        GRANT_FIELDS,
        _midnight("decision_on"),
    )
    return [
        {
            "id": f"grant-{g.pk}",
            "kind": "grant",
            "on": g.decision_on,
            "recorded_at": g.feed_recorded_at,
            "cluster_id": g.cluster_id,
            "current_name": g.cluster.name,
            "status": _status(g),
        }
        for g in _since(grants, since).order_by("-feed_recorded_at", "-pk")[:upto]
    ]


def _withdrawals(since: dt.datetime | None, upto: int) -> list[dict]:
    grants = with_recorded_at(
        StatusGrant.objects.filter(withdrawn_on__isnull=False).select_related(
            "status_type", "cluster"
        ),
        WITHDRAWAL_FIELDS,
        _midnight("withdrawn_on"),
    )
    return [
        {
            "id": f"withdrawal-{g.pk}",
            "kind": "withdrawal",
            "on": g.withdrawn_on,
            "recorded_at": g.feed_recorded_at,
            "cluster_id": g.cluster_id,
            "current_name": g.cluster.name,
            "status": _status(g),
            "reason": g.withdrawal_reason,
        }
        for g in _since(grants, since).order_by("-feed_recorded_at", "-pk")[:upto]
    ]


def _renames(since: dt.datetime | None, upto: int) -> list[dict]:
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
    names = with_recorded_at(
        ClusterName.objects.annotate(
            first=Subquery(first[:1]), previous=Subquery(previous.values("name")[:1])
        )
        .exclude(valid_from__lte=F("first"))
        .select_related("cluster"),
        RENAME_FIELDS,
        _midnight("valid_from"),
    )
    return [
        {
            "id": f"rename-{n.pk}",
            "kind": "rename",
            "on": n.valid_from,
            "recorded_at": n.feed_recorded_at,
            "cluster_id": n.cluster_id,
            "current_name": n.cluster.name,
            "previous_name": n.previous or "",
            "new_name": n.name,
        }
        for n in _since(names, since).order_by("-feed_recorded_at", "-pk")[:upto]
    ]


def _organisation(organisation) -> dict | None:
    if organisation is None:
        return None
    return {"id": organisation.pk, "name": organisation.name, "nip": organisation.nip}


def _coordinators(since: dt.datetime | None, upto: int) -> list[dict]:
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
    changes = with_recorded_at(
        coordinators.annotate(
            first=Subquery(first[:1]),
            previous_id=Subquery(previous.values("organisation_id")[:1]),
        )
        .exclude(joined_on__lte=F("first"))
        .select_related("organisation", "cluster"),
        COORDINATOR_FIELDS,
        F("recorded_at"),
    )
    rows = list(_since(changes, since).order_by("-feed_recorded_at", "-pk")[:upto])
    before = Organisation.objects.in_bulk({m.previous_id for m in rows if m.previous_id})
    return [
        {
            "id": f"coordinator-{m.pk}",
            "kind": "coordinator",
            "on": m.joined_on,
            "recorded_at": m.feed_recorded_at,
            "cluster_id": m.cluster_id,
            "current_name": m.cluster.name,
            "previous_coordinator": _organisation(before.get(m.previous_id)),
            "new_coordinator": _organisation(m.organisation),
        }
        for m in rows
    ]


def changes(*, limit: int, offset: int = 0, since: dt.datetime | None = None) -> list[dict]:
    """The registry's changes (recorded at or after ``since`` when given), the newest recorded
    first, ``offset`` skipped and at most ``limit``; each with ``on`` (the day it took effect),
    ``recorded_at`` and ``cluster`` (id, name on the day it took effect). Six queries."""
    upto = offset + limit
    entries = [
        *_grants(since, upto),
        *_withdrawals(since, upto),
        *_renames(since, upto),
        *_coordinators(since, upto),
    ]
    entries.sort(key=lambda e: (e["recorded_at"], e["on"], e["id"]), reverse=True)
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
    id: str = Field(
        description="Stable identifier of the entry (a re-dated grant keeps it, with a newer "
        "recorded_at)"
    )
    kind: Kind
    on: dt.date = Field(description="The day the change took effect")
    recorded_at: dt.datetime = Field(
        description="The moment the change (as it stands) was recorded in the registry; the "
        "feed is ordered by it and since filters by it"
    )
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
    since: dt.datetime | None = Field(
        None,
        description="Only changes recorded at or after this moment (ISO 8601; a date alone: "
        "from its midnight, a time without an offset: the registry's time zone, Europe/Warsaw)",
    )
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def since_in_utc(since: dt.datetime | None) -> dt.datetime | None:
    """``since`` in UTC (without an offset: in the registry's time zone); a moment the
    calendar cannot hold in UTC (the first hours of year 1, the last of 9999) becomes the
    earliest or the latest moment there is."""
    if since is None:
        return None
    if timezone.is_naive(since):
        since = since.replace(tzinfo=timezone.get_default_timezone())
    try:
        return since.astimezone(dt.UTC)
    except OverflowError:
        edge = dt.datetime.min if since.year == dt.MINYEAR else dt.datetime.max
        return edge.replace(tzinfo=dt.UTC)


@router.get(
    "/feed.json",
    response={200: FeedOut, 422: ValidationErrorOut},
    url_name="registry_feed",
    summary="The registry's changes (grants, withdrawals, renames, coordinators), the newest "
    "recorded first",
)
def registry_feed(request, query: Query[FeedQuery]):
    since = since_in_utc(query.since)
    items = changes(limit=query.limit, offset=query.offset, since=since)
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


def _sentence(text: str) -> str:
    """``text`` ending with one full stop (a name such as "… sp. z o.o." brings its own)."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _description(entry: dict) -> str:
    if entry["kind"] in ("grant", "withdrawal"):
        status = entry["status"]
        text = gettext("Round %(round)s, valid from %(from)s to %(to)s.") % {
            "round": status["round"],
            "from": date_format(status["valid_from"], "j E Y"),
            "to": date_format(status["valid_to"], "j E Y"),
        }
        if entry["kind"] == "withdrawal" and entry.get("reason"):
            text += " " + _sentence(gettext("Reason: %(reason)s") % {"reason": entry["reason"]})
        return text
    if entry["kind"] == "coordinator" and entry["previous_coordinator"]:
        return _sentence(
            gettext("Before: %(organisation)s")
            % {"organisation": entry["previous_coordinator"]["name"]}
        )
    return ""


@require_GET
def atom(request: HttpRequest) -> HttpResponse:
    """The newest recorded :data:`ATOM_ENTRIES` changes as an Atom feed (public): each entry's
    ``published`` and ``updated`` are the moment it was recorded (its title says the day it
    took effect), so the feed's ``updated`` is the newest recorded moment."""
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
        moment = timezone.localtime(entry["recorded_at"], zone)
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
