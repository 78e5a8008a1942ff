"""Reads of the competitions app, scoped to what the user may see."""

from __future__ import annotations

from collections import Counter

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import Lag

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.domain.lifecycle import ApplicationState

from .labels import CALL_EVENTS
from .models import Application, Call, StageResult


def visible_applications(user: User) -> QuerySet[Application]:
    """Operators see every application; a coordinator only their clusters'; others none."""
    base = Application.objects.select_related("call", "cluster", "cluster__coordinator")
    if not user.is_authenticated:
        return base.none()
    if user.has_role(Role.OPERATOR):
        return base
    if user.has_role(Role.COORDINATOR) and user.organisation_id:
        return base.filter(cluster__coordinator_id=user.organisation_id)
    return base.none()


def call_funnel(call: Call) -> list[dict[str, object]]:
    """Per stage: how many applications entered it and how many went on from it."""
    submitted = call.applications.exclude(state=ApplicationState.DRAFT).count()
    results = Counter(
        (stage, result)
        for stage, result in StageResult.objects.filter(application__call=call).values_list(
            "stage", "result"
        )
    )
    return funnel_rows(call.rulebook.parsed(), submitted, results)


def funnel_rows(
    rulebook, submitted: int, results: Counter[tuple[str, str]]
) -> list[dict[str, object]]:
    """The funnel from the number of submitted applications and the count of stage results
    by (stage, result): the shape of :func:`call_funnel`, for callers that count in bulk."""
    rows: list[dict[str, object]] = [{"stage": "submitted", "entered": submitted, "passed": None}]
    entered = rows[0]["entered"]
    for stage in rulebook.stages:
        passed = results[(stage.id, StageResult.Result.PASSED)]
        rows.append({"stage": stage.id, "kind": stage.kind, "entered": entered, "passed": passed})
        entered = passed
    return rows


def state_counts(call: Call) -> dict[str, int]:
    return dict(Counter(call.applications.values_list("state", flat=True)))


def call_history(call: Call) -> list[dict[str, object]]:
    """Who created the call and who changed its state, when (oldest first), in one query.

    The call's other saves (the application numbers it issues) are left out: only its creation
    and the records whose state differs from the one before.
    """
    records = (
        call.history.annotate(
            previous=Window(Lag("state"), order_by=[F("history_date").asc(), F("history_id").asc()])
        )
        .filter(Q(history_type="+") | Q(previous__isnull=True) | ~Q(state=F("previous")))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return [
        {
            "at": record.history_date,
            "by": record.history_user,
            "action": CALL_EVENTS["created" if record.history_type == "+" else record.state],
        }
        for record in records
    ]
