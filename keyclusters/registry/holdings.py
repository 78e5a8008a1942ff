"""Which statuses a cluster holds, for the apps below the statuses app.

A call restricted to holders (the rulebook's ``applicants.holders``) is checked by the
competitions app, which may not import the statuses app (they sit side by side in the layers).
The statuses app registers the answer here when it starts (``StatusesConfig.ready``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

LastValidDays = Callable[[int, str], list[dt.date]]
_provider: LastValidDays | None = None


def register(provider: LastValidDays) -> None:
    global _provider
    _provider = provider


def last_valid_days(cluster_id: int, status_type: str) -> list[dt.date]:
    """The last valid day of each status of ``status_type`` the cluster was granted (the day
    before a withdrawal for a withdrawn one)."""
    if _provider is None:
        raise ImproperlyConfigured("the statuses app has not registered the status holdings")
    return _provider(cluster_id, status_type)
