"""Conflicts of interest found in the registry."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from keyclusters.competitions.models import Application
from keyclusters.domain.evaluation import anniversary
from keyclusters.registry.models import Membership

LOOKBACK_YEARS = 3


def detect_conflict(expert, application: Application, today: dt.date) -> str | None:
    """Why the expert may not evaluate the application, or None.

    A conflict: the expert's organisation coordinates the cluster, or is (or was within the last
    three years) its member, coordinator or strategic partner.
    """
    organisation_id = expert.organisation_id
    if organisation_id is None:
        return None
    cluster = application.cluster
    if cluster.coordinator_id == organisation_id:
        return _("The expert's organisation coordinates the cluster.")
    since = (
        today.replace(year=today.year - LOOKBACK_YEARS)
        if not (today.month == 2 and today.day == 29)
        else anniversary(today, -LOOKBACK_YEARS)
    )
    membership = (
        Membership.objects.filter(cluster=cluster, organisation_id=organisation_id)
        .overlapping(since, None)
        .order_by("-joined_on")
        .first()
    )
    if membership is None:
        return None
    return _("The expert's organisation is or was (since %(since)s) the cluster's %(role)s.") % {
        "since": date_format(since, "SHORT_DATE_FORMAT"),
        "role": membership.get_role_display(),
    }
