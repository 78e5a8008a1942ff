"""The administrator's section of the dashboard (a superuser, with or without a role): who holds
which role, the API keys, the rulebooks, the background worker and the data's version.

Like the other sections it makes a constant number of queries, whatever the number of rows
(the rulebooks are the last few stored; the full list is a link away).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from keyclusters.accounts.models import ApiKey
from keyclusters.accounts.roles import Role
from keyclusters.competitions.models import StoredRulebook
from keyclusters.statuses import index
from keyclusters.statuses.models import DataVersion
from keyclusters.worker import heartbeat

RECENT_RULEBOOKS = 8


def _roles() -> dict[str, Any]:
    users = get_user_model().objects.filter(is_active=True)
    groups = {
        g.name: g
        for g in Group.objects.filter(name__in=[role.value for role in Role]).annotate(
            holders=Count("user", filter=Q(user__is_active=True))
        )
    }
    changelist = reverse("admin:accounts_user_changelist")
    rows = []
    for role in Role:
        group = groups.get(role.value)
        rows.append(
            {
                "label": role.label,
                "users": group.holders if group else 0,
                "url": f"{changelist}?groups__id__exact={group.pk}" if group else changelist,
            }
        )
    return {
        "roles": rows,
        "active_users": users.count(),
        "without_role": users.filter(groups__isnull=True, is_superuser=False).count(),
        "administrators": list(
            users.filter(is_superuser=True).order_by("username").values_list("username", flat=True)
        ),
        "users_url": changelist,
    }


def _api_keys() -> dict[str, Any]:
    keys = ApiKey.objects.aggregate(
        active=Count("pk", filter=Q(revoked_at__isnull=True)),
        revoked=Count("pk", filter=Q(revoked_at__isnull=False)),
        last_used=Max("last_used_at"),
    )
    return {**keys, "url": reverse("statuses:api-keys")}


def _rulebooks() -> dict[str, Any]:
    recent = StoredRulebook.objects.order_by("-created_at", "-pk")[:RECENT_RULEBOOKS]
    return {
        "count": StoredRulebook.objects.count(),
        "recent": [
            {
                "title": r.localized_title,
                "ident": f"v{r.version}",  # the title beside it names the rulebook
                "frozen_at": r.frozen_at,
                "created_at": r.created_at,
                "url": reverse("competitions:rulebook-detail", args=[r.pk]),
            }
            for r in recent
        ],
        "url": reverse("competitions:rulebook-list"),
    }


def _unapplied_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _data() -> dict[str, Any]:
    """The verification data's version in the database and this server process's copy."""
    state = index.state()
    as_of = state.get("as_of")
    try:
        unapplied = _unapplied_migrations()
    except DatabaseError:
        unapplied = None
    stored = DataVersion.objects.filter(pk=index.NAME).values_list("value", flat=True).first()
    return {
        "version": stored or 0,
        "enabled": state.get("enabled", True),
        "ok": state.get("ok", False),
        "copy_version": state.get("version"),  # None: no copy checked in this request
        "current": state.get("current"),
        "as_of": dt.datetime.fromisoformat(as_of) if as_of else None,
        "unapplied_migrations": unapplied,
    }


def administrator_section(*, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        **_roles(),
        "api_keys": _api_keys(),
        "rulebooks": _rulebooks(),
        "worker": heartbeat.status(now),
        "data": _data(),
        "admin_url": reverse("admin:index"),
    }
