"""Conflicts of interest that appear after the assignment: suspending an assignment, lifting
the suspension, giving the stage to another expert, and the re-check that suspends.

The re-check runs whenever a tie may have changed: the registry's memberships (the
``memberships_changed`` signal of :mod:`keyclusters.registry.signals`, after the registry's
transaction commits), an expert's affiliations (:mod:`.experts`, in its transaction) and the
organisation of an expert's account (after it is saved). A suspended assignment's sheet can be
neither saved nor submitted, and its stage does not complete (the lifecycle's guards in
``keyclusters.domain.lifecycle``) until an operator lifts the suspension or reassigns the stage.

Lock order, as everywhere: the application, then the assignment (then the sheet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.competitions import services as competitions
from keyclusters.domain.lifecycle import ApplicationState, AssignmentAction

from .assignments import _withdraw, auto_assign
from .base import EvaluationError, assignment_step, is_operator, locked_assignment
from .conflicts import detect_conflict
from .models import Assignment, ConflictRecord
from .services import settle_stage


def _stage_state(application, stage: str) -> str:
    return competitions.scored_stage_state(application, stage)


def _require_operator(by: User | None) -> None:
    if not is_operator(by):
        raise PermissionDenied


def _reason(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise EvaluationError({field: [message]})
    return text


@transaction.atomic
def suspend_assignment(
    *, assignment: Assignment, reason: str, by: User | None, conflict_key: str = ""
) -> Assignment:
    """Suspend an active assignment: by an operator (``by``), or by the re-check (``by`` None,
    with the detected conflict's key)."""
    if by is not None:
        _require_operator(by)
    reason = _reason(reason, "reason", _("Give the reason for the suspension."))
    application = competitions.locked_application(assignment.application)
    assignment = locked_assignment(assignment)
    state = assignment_step(
        assignment.state, AssignmentAction.SUSPEND, _stage_state(application, assignment.stage)
    )
    assignment.state = state
    assignment.suspension_reason = reason[:500]
    assignment.suspended_at = timezone.now()
    assignment.suspended_by = by
    assignment.conflict_key = conflict_key[:200]
    assignment._history_user = by
    assignment._change_reason = "suspended"
    assignment.save(
        update_fields=[
            "state",
            "suspension_reason",
            "suspended_at",
            "suspended_by",
            "conflict_key",
        ]
    )
    ConflictRecord.objects.create(
        expert=assignment.expert,
        application=application,
        source=ConflictRecord.Source.DETECTED,
        detail=reason[:500],
    )
    return assignment


@transaction.atomic
def lift_suspension(*, assignment: Assignment, note: str, by: User) -> Assignment:
    """The operator judges the tie harmless: the expert goes on, the conflict that suspended
    the assignment is waived (a re-check does not suspend it again for the same one), and the
    stage settles (a submitted sheet counts again)."""
    _require_operator(by)
    note = _reason(note, "note", _("Say why the expert may go on."))
    application = competitions.locked_application(assignment.application)
    assignment = locked_assignment(assignment)
    state = assignment_step(
        assignment.state, AssignmentAction.LIFT, _stage_state(application, assignment.stage)
    )
    assignment.state = state
    assignment.lifted_at = timezone.now()
    assignment.lifted_by = by
    assignment.lift_note = note[:500]
    assignment.waived_conflict = assignment.conflict_key
    assignment._history_user = by
    assignment._change_reason = "suspension lifted"
    assignment.save(
        update_fields=["state", "lifted_at", "lifted_by", "lift_note", "waived_conflict"]
    )
    settle_stage(application, assignment.stage, by=by)
    return assignment


@transaction.atomic
def reassign(*, assignment: Assignment, reason: str, by: User) -> list[Assignment]:
    """Withdraw a suspended expert (with their sheet, submitted or not) and assign another one
    automatically; the stage then settles."""
    _require_operator(by)
    reason = _reason(reason, "reason", _("Give the reason for the reassignment."))
    application = competitions.locked_application(assignment.application)
    assignment = locked_assignment(assignment)
    if assignment.state != Assignment.State.SUSPENDED:
        raise EvaluationError(_("Only a suspended assignment can be reassigned here."))
    assignment_step(
        assignment.state, AssignmentAction.WITHDRAW, _stage_state(application, assignment.stage)
    )
    _withdraw(assignment, reason=reason, by=by)
    made = auto_assign(application=application, stage=assignment.stage, by=by)
    settle_stage(application, assignment.stage, by=by)
    return made


def affected_assignments(
    *,
    clusters: Iterable[int] = (),
    organisations: Iterable[int] = (),
    experts: Iterable[int] = (),
) -> list[Assignment]:
    """The active assignments, on applications in evaluation, that a change of the memberships
    of ``clusters``, of ties with ``organisations`` or of the ``experts``' ties may touch."""
    clusters, organisations, experts = set(clusters), set(organisations), set(experts)
    if not (clusters or organisations or experts):
        return []
    touched = Q(pk__in=[])
    if clusters:
        touched |= Q(application__cluster_id__in=clusters)
    if experts:
        touched |= Q(expert_id__in=experts)
    if organisations:
        touched |= (
            Q(expert__organisation_id__in=organisations)
            | Q(expert__user__organisation_id__in=organisations)
            | Q(expert__affiliations__organisation_id__in=organisations)
        )
    ids = (
        Assignment.objects.filter(
            touched,
            state=Assignment.State.ACTIVE,
            application__state=ApplicationState.IN_EVALUATION,
        )
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )
    return list(
        Assignment.objects.filter(pk__in=list(ids))
        .select_related(
            "application__cluster", "expert__user__organisation", "expert__organisation"
        )
        .order_by("pk")
    )


def recheck_conflicts(
    *,
    clusters: Iterable[int] = (),
    organisations: Iterable[int] = (),
    experts: Iterable[int] = (),
    today: dt.date | None = None,
) -> list[Assignment]:
    """Suspend the affected active assignments whose expert is now in conflict (unless an
    operator waived that very conflict); returns the suspended ones. Each suspension is its
    own transaction under the locks; an assignment that changed meanwhile is left as it is."""
    today = today or timezone.localdate()
    suspended = []
    for assignment in affected_assignments(
        clusters=clusters, organisations=organisations, experts=experts
    ):
        conflict = detect_conflict(assignment.expert, assignment.application, today)
        if conflict is None or conflict.key == assignment.waived_conflict:
            continue
        try:
            suspended.append(
                suspend_assignment(
                    assignment=assignment, reason=conflict.text, by=None, conflict_key=conflict.key
                )
            )
        except EvaluationError:
            continue  # withdrawn, suspended or its stage completed meanwhile
    return suspended


def on_memberships_changed(sender, *, clusters=(), organisations=(), **kwargs) -> None:
    """Receiver of the registry's ``memberships_changed`` (sent after the commit)."""
    recheck_conflicts(clusters=clusters, organisations=organisations)


def on_user_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """The organisation of an expert's account may have changed: re-check after the commit."""
    if created or (update_fields is not None and "organisation" not in update_fields):
        return
    expert_id = (
        Assignment.objects.filter(expert__user=instance, state=Assignment.State.ACTIVE)
        .values_list("expert_id", flat=True)
        .first()
    )
    if expert_id is not None:
        transaction.on_commit(lambda: recheck_conflicts(experts=[expert_id]), robust=True)
