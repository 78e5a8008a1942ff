"""Writes of rulebooks and calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain.lifecycle import (
    CALL,
    OPERATOR_CALL_ACTIONS,
    CallAction,
    TransitionRefused,
    check,
)
from keyclusters.domain.rulebook import load_rulebook

from ..models import (
    Call,
    StoredRulebook,
)
from ..registry_values import REGISTRY_FIELDS
from .base import CompetitionError, refused

# -- rulebooks --------------------------------------------------------------------------------


# Checks of a rulebook against what other parts of the application know (each returns its
# problems, each with its path), registered by the apps above this one: the status types, which
# the statuses app keeps, are checked this way (see ``keyclusters.web.apps``).
rulebook_checks: list[Callable[[Any], list[str]]] = []


def store_rulebook(*, source: str, by: User | None = None) -> StoredRulebook:
    """Validate and store a rulebook; once frozen, the same id and version must not change."""
    rulebook = load_rulebook(source)  # raises RulebookInvalid with every error and its path
    if getattr(rulebook, "kind", None) != "status-competition":
        raise CompetitionError(
            _(
                "Only status-competition rulebooks are stored with calls; benchmarking frameworks "
                "belong to benchmarking editions."
            )
        )
    unknown = [
        f"fields[{i}].id: {_('the registry cannot compute %(id)s') % {'id': spec.id}}"
        for i, spec in enumerate(rulebook.fields)
        if spec.source == "registry" and spec.id not in REGISTRY_FIELDS
    ]
    for rulebook_check in rulebook_checks:
        unknown += rulebook_check(rulebook)
    if unknown:
        raise CompetitionError(unknown)
    existing = StoredRulebook.objects.filter(
        rulebook_id=rulebook.id, version=rulebook.version
    ).first()
    if existing is not None:
        if existing.sha256 == rulebook.sha256:
            return existing
        if existing.frozen_at is not None:
            raise CompetitionError(
                _(
                    "Rulebook %(id)s version %(version)s is frozen because a call using it has "
                    "opened; store the change as a new version."
                )
                % {"id": rulebook.id, "version": rulebook.version}
            )
        existing.source, existing.sha256 = rulebook.source, rulebook.sha256
        existing.title = dict(rulebook.title or {})
        existing._history_user = by
        existing.save()
        return existing
    stored = StoredRulebook(
        rulebook_id=rulebook.id,
        version=rulebook.version,
        kind=rulebook.kind,
        title=dict(rulebook.title or {}),
        source=rulebook.source,
        sha256=rulebook.sha256,
    )
    stored._history_user = by
    stored.save()
    return stored


# -- calls ------------------------------------------------------------------------------------


@transaction.atomic
def create_call(
    *,
    name: str,
    rulebook: StoredRulebook,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    decision_on: dt.date | None = None,
    round_label: str = "",
    by: User | None = None,
) -> Call:
    if rulebook.kind != "status-competition":
        raise CompetitionError({"rulebook": [_("A call needs a status-competition rulebook.")]})
    if closes_at <= opens_at:
        raise CompetitionError({"closes_at": [_("A call must close after it opens.")]})
    call = Call(
        name=name,
        round_label=round_label,
        rulebook=rulebook,
        opens_at=opens_at,
        closes_at=closes_at,
        decision_on=decision_on,
    )
    call._history_user = by
    call.save()
    return call


def locked_call(call: Call) -> Call:
    """The call as stored now, locked until the end of the transaction (the first lock any
    service of a call's aggregates takes, so that they always lock in the same order)."""
    return (
        Call.objects.select_for_update(no_key=True, of=("self",))
        .select_related("rulebook")
        .get(pk=call.pk)
    )


@transaction.atomic
def change_call_state(*, call: Call, action: str, by: User | None = None) -> Call:
    """An operator's action on a call: open, close, start the final evaluation. The decision
    comes only with the approval of the recommendation list (:func:`decide_call`)."""
    if action not in OPERATOR_CALL_ACTIONS:
        raise refused(CALL.refusal(call.state, action))
    current = locked_call(call)
    try:
        current.state = CALL.next(current.state, action).value
    except TransitionRefused as exc:
        raise refused(exc) from exc
    if action == CallAction.OPEN and current.rulebook.frozen_at is None:
        current.rulebook.frozen_at = timezone.now()
        current.rulebook._history_user = by
        current.rulebook.save(update_fields=["frozen_at"])
    current._history_user = by
    current.save(update_fields=["state"])
    call.state = current.state
    return current


@transaction.atomic
def decide_call(*, call: Call, recommendation_state: str, by: User | None) -> Call:
    """The call is decided: called by the approval of its recommendation list (the caller
    holds the call's lock and says the state of the list)."""
    current = locked_call(call)
    try:
        current.state = CALL.next(current.state, CallAction.DECIDE).value
        check("call", CallAction.DECIDE, recommendation=recommendation_state)
    except TransitionRefused as exc:
        raise refused(exc) from exc
    current._history_user = by
    current.save(update_fields=["state"])
    call.state = current.state
    return current


def call_actions(call: Call) -> list[str]:
    """The operator's actions the call's state allows now."""
    return [a.value for a in OPERATOR_CALL_ACTIONS if CALL.allows(call.state, a)]
