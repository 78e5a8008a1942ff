"""Writes of rulebooks and calls."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain.rulebook import load_rulebook
from keyclusters.domain.workflow import (
    CallAction,
    TransitionRefused,
    next_call_state,
)

from ..models import (
    Call,
    StoredRulebook,
)
from ..registry_values import REGISTRY_FIELDS
from .base import CompetitionError

# -- rulebooks --------------------------------------------------------------------------------


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


@transaction.atomic
def change_call_state(*, call: Call, action: str, by: User | None = None) -> Call:
    try:
        call.state = next_call_state(call.state, action).value
    except TransitionRefused as exc:
        raise CompetitionError(
            _("Not allowed: %(action)s in state %(state)s")
            % {"action": exc.action, "state": exc.state}
        ) from exc
    if action == CallAction.OPEN and call.rulebook.frozen_at is None:
        call.rulebook.frozen_at = timezone.now()
        call.rulebook._history_user = by
        call.rulebook.save(update_fields=["frozen_at"])
    call._history_user = by
    call.save(update_fields=["state"])
    return call
