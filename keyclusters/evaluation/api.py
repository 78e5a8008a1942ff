"""The expert's API (signed in, with the session): an assignment shows the cluster, its
coordinator and members; the application itself only after the declaration of no conflict of
interest, and never while the assignment is suspended (403 with the reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from keyclusters.competitions import services as competitions
from keyclusters.domain.rulebook import localized

from . import selectors
from .models import Assignment

router = Router(tags=["evaluation"])


class MemberOut(Schema):
    organisation: str
    role: str
    joined_on: dt.date
    left_on: dt.date | None


class AssignmentOut(Schema):
    id: int
    cluster: str
    coordinator: str
    call: str
    stage: str
    suspended: bool
    declared_no_conflict: bool
    members: list[MemberOut]


class DocumentOut(Schema):
    field: str
    name: str
    url: str


class ApplicationOut(Schema):
    cluster: str
    call: str
    revision: int | None
    values: dict[str, Any]
    documents: list[DocumentOut]


def _own(request: HttpRequest, assignment_id: int) -> Assignment:
    try:
        return get_object_or_404(selectors.my_assignments(request.user), pk=assignment_id)
    except Http404:
        raise HttpError(404, gettext("Not Found")) from None


def _stage(assignment: Assignment) -> str:
    stage = assignment.application.call.rulebook.parsed().stage(assignment.stage)
    return localized(stage.title, (get_language() or "pl")[:2]) or gettext("expert stage")


@router.get(
    "/assignments/{assignment_id}",
    response=AssignmentOut,
    auth=django_auth,
    url_name="evaluation_assignment",
)
def assignment(request: HttpRequest, assignment_id: int):
    """The expert's assignment: the cluster, its coordinator and its members of the lookback."""
    own = _own(request, assignment_id)
    cluster = own.application.cluster
    shown = selectors.cluster_for_declaration(cluster, timezone.localdate())
    return {
        "id": own.pk,
        "cluster": cluster.name,
        "coordinator": shown["coordinator"].name,
        "call": own.application.call.name,
        "stage": _stage(own),
        "suspended": own.state == Assignment.State.SUSPENDED,
        "declared_no_conflict": own.no_conflict_declared_at is not None,
        "members": [
            {
                "organisation": m.organisation.name,
                "role": m.get_role_display(),
                "joined_on": m.joined_on,
                "left_on": m.left_on,
            }
            for m in shown["memberships"]
        ],
    }


@router.get(
    "/assignments/{assignment_id}/application",
    response=ApplicationOut,
    auth=django_auth,
    url_name="evaluation_assignment_application",
)
def assignment_application(request: HttpRequest, assignment_id: int):
    """The application as submitted: refused (403) before the declaration of no conflict of
    interest and while the assignment is suspended."""
    own = _own(request, assignment_id)
    if own.state == Assignment.State.SUSPENDED:
        raise HttpError(
            403, gettext("The assignment is suspended for a possible conflict of interest.")
        )
    if not selectors.may_read_application(own):
        raise HttpError(403, gettext("Declare that you have no conflict of interest first."))
    application = own.application
    revision = competitions.latest_revision(application)
    data = revision.data if revision is not None else {}
    values, documents = {}, []
    for key, value in data.items():
        if isinstance(value, dict) and value.get("document"):
            documents.append(
                {
                    "field": key,
                    "name": value["document"],
                    "url": reverse("competitions:application-document", args=[application.pk, key]),
                }
            )
        else:
            values[key] = value
    return {
        "cluster": application.cluster.name,
        "call": application.call.name,
        "revision": revision.number if revision is not None else None,
        "values": values,
        "documents": documents,
    }
