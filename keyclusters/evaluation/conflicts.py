"""Conflicts of interest found in the registry.

An expert is tied to organisations: the organisation of their user account, their employer
(``Expert.organisation``) and their affiliations (with dates, ``Affiliation``). A tie counts while
it lasts and for ``LOOKBACK_YEARS`` after it ends. The expert may not evaluate a cluster's
application when one of these organisations coordinates the cluster, or is (or was within the
last ``LOOKBACK_YEARS`` years) its member, coordinator or strategic partner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from keyclusters.competitions.models import Application
from keyclusters.domain.evaluation import anniversary
from keyclusters.registry.models import Membership

LOOKBACK_YEARS = 3


@dataclass(frozen=True)
class Tie:
    """An organisation the expert is tied to, and how (words for people)."""

    organisation_id: int
    organisation: str
    how: str


@dataclass(frozen=True)
class Conflict:
    """Why the expert may not evaluate an application: ``key`` names the conflict the same way
    in every language (an operator who lifts a suspension waives that key), ``text`` says it."""

    key: str
    text: str

    def __str__(self) -> str:
        return self.text


def lookback_start(today: dt.date) -> dt.date:
    if today.month == 2 and today.day == 29:
        return anniversary(today, -LOOKBACK_YEARS)
    return today.replace(year=today.year - LOOKBACK_YEARS)


def _short(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def describe_affiliation(affiliation) -> str:
    """How an affiliation ties the expert, with its dates in the locale's format."""
    start, end = affiliation.started_on, affiliation.ended_on
    if start and end:
        return _("affiliation from %(start)s to %(end)s") % {
            "start": _short(start),
            "end": _short(end),
        }
    if start:
        return _("affiliation since %(start)s") % {"start": _short(start)}
    if end:
        return _("affiliation until %(end)s") % {"end": _short(end)}
    return _("affiliation")


def ties_of(expert, today: dt.date) -> list[Tie]:
    """The organisations the expert is tied to on ``today`` or was within the lookback."""
    since = lookback_start(today)
    ties = []
    user = expert.user
    if user.organisation_id is not None:
        ties.append(
            Tie(
                user.organisation_id,
                user.organisation.name,
                _("the organisation of the expert's account"),
            )
        )
    if expert.organisation_id is not None:
        ties.append(
            Tie(expert.organisation_id, expert.organisation.name, _("the expert's employer"))
        )
    affiliations = (
        expert.affiliations.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=since))
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=today))
        .select_related("organisation")
        .order_by("started_on", "pk")
    )
    for affiliation in affiliations:
        ties.append(
            Tie(
                affiliation.organisation_id,
                affiliation.organisation.name,
                describe_affiliation(affiliation),
            )
        )
    return ties


def detect_conflict(expert, application: Application, today: dt.date) -> Conflict | None:
    """Why the expert may not evaluate the application, or None."""
    ties = ties_of(expert, today)
    if not ties:
        return None
    cluster = application.cluster
    for tie in ties:
        if tie.organisation_id == cluster.coordinator_id:
            return Conflict(
                key=f"coordinator:{tie.organisation_id}",
                text=_("%(organisation)s (%(how)s) coordinates the cluster %(cluster)s.")
                % {"organisation": tie.organisation, "how": tie.how, "cluster": cluster.name},
            )
    since = lookback_start(today)
    membership = (
        Membership.objects.filter(
            cluster=cluster, organisation_id__in={tie.organisation_id for tie in ties}
        )
        .overlapping(since, None)
        .order_by("-joined_on", "pk")
        .first()
    )
    if membership is None:
        return None
    tie = next(t for t in ties if t.organisation_id == membership.organisation_id)
    return Conflict(
        key=f"member:{membership.organisation_id}:{membership.role}",
        text=_(
            "%(organisation)s (%(how)s) belongs or belonged, since %(since)s, to the cluster "
            "%(cluster)s (role: %(role)s)."
        )
        % {
            "organisation": tie.organisation,
            "how": tie.how,
            "since": _short(since),
            "role": membership.get_role_display(),
            "cluster": cluster.name,
        },
    )
