"""The end of an application's way: the status granted or refused by the decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from keyclusters.accounts.models import User
from keyclusters.domain.lifecycle import ApplicationAction

from ..models import Application
from .base import _locked, _transition


@transaction.atomic
def decide_application(
    *,
    application: Application,
    granted: bool,
    reasons: list[str] | None = None,
    note: Mapping[str, Any] | None = None,
    by: User | None,
) -> Application:
    """Grant or refuse the status to an evaluated application; only while its call awaits the
    decision (the guard is in ``keyclusters.domain.lifecycle.guards``). The caller, the
    approval of the recommendation list, holds the call's lock."""
    application = _locked(application)
    if granted:
        _transition(application, ApplicationAction.GRANT, by=by, notify="granted", note=note)
    else:
        application.outcome_reasons = list(reasons or [])
        _transition(
            application,
            ApplicationAction.NOT_GRANT,
            by=by,
            notify="not_granted",
            note={**(note or {}), "reasons": application.outcome_reasons},
        )
    return application
