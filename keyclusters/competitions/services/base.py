"""What every service of the competitions app shares: the error, the transition, the audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain.lifecycle import (
    APPLICATION,
    ApplicationAction,
    StageState,
    TransitionRefused,
    check,
)

from ..models import (
    Application,
    ApplicationEvent,
    ApplicationRevision,
    StageResult,
)
from ..notifications import notify_coordinators
from ..rules import can_manage_application

WARSAW = ZoneInfo("Europe/Warsaw")


class CompetitionError(ValidationError):
    """A refused action; ``message_dict`` (field -> messages) where it concerns fields."""


def refusal_message(exc: TransitionRefused) -> str:
    """A refused transition in people's words, in the active language."""
    return _(TransitionRefused.MESSAGE) % {
        "action": _(exc.action_label or exc.action),
        "subject": _(exc.subject_label or exc.subject),
        "state": _(exc.state_label or exc.state),
    }


def refused(exc: TransitionRefused) -> CompetitionError:
    return CompetitionError(refusal_message(exc))


def require(lifecycle: str, action: str, **states: str | None) -> None:
    """Check the guards of ``action`` (see ``keyclusters.domain.lifecycle.guards``)."""
    try:
        check(lifecycle, action, **states)
    except TransitionRefused as exc:
        raise refused(exc) from exc


# -- transitions ------------------------------------------------------------------------------


def _transition(
    application: Application,
    action: ApplicationAction,
    *,
    by: User | None,
    note: Mapping[str, Any] | None = None,
    notify: str | None = None,
    stage: str | None = None,
) -> None:
    before = application.state
    try:
        application.state = APPLICATION.next(before, action).value
        check("application", action, call=application.call.state)
    except TransitionRefused as exc:
        raise refused(exc) from exc
    if stage is not None:
        application.stage = stage
    application._history_user = by
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        action=action.value,
        from_state=before,
        to_state=application.state,
        stage=application.stage,
        actor=by,
        note=dict(note or {}),
    )
    if notify:
        transaction.on_commit(
            lambda: notify_coordinators(application, event=notify, context=dict(note or {}))
        )


def _locked(application: Application) -> Application:
    """The application as stored now, locked until the end of the transaction."""
    return (
        Application.objects.select_for_update(no_key=True, of=("self",))
        .select_related("call__rulebook", "cluster")
        .get(pk=application.pk)
    )


def _require_coordinator(application: Application, by: User) -> None:
    if not can_manage_application(by, application):
        raise PermissionDenied


def latest_revision(application: Application) -> ApplicationRevision | None:
    return application.revisions.order_by("-number").first()


def _record_stage(
    application: Application,
    *,
    result: str,
    details: dict,
    points=None,
    max_points=None,
    by: User | None = None,
    revision: ApplicationRevision | None = None,
    state: str = StageState.COMPLETE,
) -> StageResult:
    stage_result, _created = StageResult.objects.update_or_create(
        application=application,
        stage=application.stage,
        defaults={
            "result": result,
            "state": state,
            "points": points,
            "max_points": max_points,
            "details": details,
            "rulebook_sha256": application.call.rulebook.sha256,
            "revision": revision or latest_revision(application),
            "decided_by": by,
            "decided_at": timezone.now(),
        },
    )
    return stage_result


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value
