"""Writes of the experts' assignments: conflicts of interest, automatic assignment,
declarations and replacements."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.competitions import services as competitions
from keyclusters.competitions.models import Application
from keyclusters.domain.lifecycle import (
    HOLDING_ASSIGNMENT_STATES,
    SheetAction,
    SheetState,
    StageState,
)

from .base import EvaluationError, is_operator, locked_assignment, sheet_step
from .conflicts import detect_conflict
from .models import Assignment, ConflictRecord, Expert, ScoreSheet

# -- assignments -----------------------------------------------------------------------------


def assign_expert(
    *, application: Application, stage: str, expert: Expert, by: User | None, today=None
) -> Assignment:
    """Assign an expert; a conflict of interest refuses it and stays recorded."""
    today = today or timezone.localdate()
    rulebook = application.call.rulebook.parsed()
    if not rulebook.stage(stage).scored_by_experts:
        raise EvaluationError(
            _("Experts are assigned only to the stages they score (not to a computed one).")
        )
    found = detect_conflict(expert, application, today)
    conflict = found.text if found is not None else None
    if (
        conflict is None
        and ConflictRecord.objects.filter(
            expert=expert, application=application, source=ConflictRecord.Source.DECLARED
        ).exists()
    ):
        conflict = _("The expert has declared a conflict of interest with this application.")
    if conflict is not None:
        ConflictRecord.objects.get_or_create(
            expert=expert,
            application=application,
            source=ConflictRecord.Source.DETECTED,
            defaults={"detail": conflict},
        )
        raise EvaluationError(conflict)
    return _create_assignment(application=application, stage=stage, expert=expert, by=by)


@transaction.atomic
def _create_assignment(
    *, application: Application, stage: str, expert: Expert, by: User | None
) -> Assignment:
    if Assignment.objects.filter(
        expert=expert, application=application, stage=stage, state__in=HOLDING_ASSIGNMENT_STATES
    ).exists():
        raise EvaluationError(_("The expert is already assigned to this stage."))
    assignment = Assignment(expert=expert, application=application, stage=stage, assigned_by=by)
    assignment._history_user = by
    assignment.save()
    return assignment


def _candidates(application: Application, stage: str, today: dt.date) -> list[Expert]:
    """Experts who may take the stage, best first: matching specialisation, then lowest load."""
    taken = set(
        Assignment.objects.filter(application=application, stage=stage).values_list(
            "expert_id", flat=True
        )
    )
    declared = set(
        ConflictRecord.objects.filter(
            application=application, source=ConflictRecord.Source.DECLARED
        ).values_list("expert_id", flat=True)
    )
    kind = application.call.rulebook.parsed().stage(stage).kind
    role = Role.PANEL_MEMBER if kind == "panel" else Role.EXPERT
    pool = (
        Expert.objects.filter(active=True, user__groups__name=role.value, user__is_active=True)
        .exclude(pk__in=taken | declared)
        .annotate(load=Count("assignments", filter=Q(assignments__state="active")))
        .select_related("user__organisation", "organisation")
        .order_by("load", "pk")
    )
    specialisation = (application.cluster.specialisation or "").lower()
    free = [e for e in pool if detect_conflict(e, application, today) is None]
    return sorted(
        free,
        key=lambda e: (specialisation not in [s.lower() for s in e.specialisations], e.load),
    )


@transaction.atomic
def auto_assign(
    *, application: Application, stage: str, by: User | None, extra: int = 0, today=None
) -> list[Assignment]:
    """Fill the stage up to the rulebook's number of experts (plus ``extra``)."""
    today = today or timezone.localdate()
    wanted = (application.call.rulebook.parsed().stage(stage).experts or 1) + extra
    # A suspended assignment keeps its place until the operator lifts it or reassigns it.
    active = Assignment.objects.filter(
        application=application, stage=stage, state__in=HOLDING_ASSIGNMENT_STATES
    ).count()
    made = []
    for expert in _candidates(application, stage, today)[: max(wanted - active, 0)]:
        made.append(
            assign_expert(application=application, stage=stage, expert=expert, by=by, today=today)
        )
    return made


@transaction.atomic
def declare(*, assignment: Assignment, conflict: bool, note: str, by: User) -> Assignment:
    """The expert says whether they have a conflict; a conflict withdraws the assignment.

    A conflict can be declared only while the expert's sheet is a draft and the stage is not
    complete: a submitted sheet stays (the operator reopens it first if it must go).
    """
    competitions.locked_application(assignment.application)
    assignment = locked_assignment(assignment)
    if assignment.expert.user_id != by.pk or assignment.state != Assignment.State.ACTIVE:
        raise PermissionDenied
    if not conflict:
        if assignment.no_conflict_declared_at is None:
            assignment.no_conflict_declared_at = timezone.now()
            assignment._history_user = by
            assignment.save(update_fields=["no_conflict_declared_at"])
        return assignment
    sheet = ScoreSheet.objects.filter(assignment=assignment).first()
    sheet_step(
        sheet.state if sheet else SheetState.DRAFT,
        SheetAction.DECLARE_CONFLICT,
        competitions.scored_stage_state(assignment.application, assignment.stage),
    )
    ConflictRecord.objects.create(
        expert=assignment.expert,
        application=assignment.application,
        source=ConflictRecord.Source.DECLARED,
        detail=note or _("Declared by the expert."),
    )
    return _withdraw(assignment, reason=_("conflict of interest declared"), by=by)


def _withdraw(assignment: Assignment, *, reason: str, by: User | None) -> Assignment:
    assignment.state = Assignment.State.WITHDRAWN
    assignment.withdrawn_reason = reason[:300]
    assignment._history_user = by
    assignment.save(update_fields=["state", "withdrawn_reason"])
    return assignment


@transaction.atomic
def replace_expert(*, assignment: Assignment, reason: str, by: User) -> list[Assignment]:
    """Withdraw an expert (who withdrew or cannot go on) and assign another automatically."""
    if not is_operator(by):
        raise PermissionDenied
    application = competitions.locked_application(assignment.application)
    assignment = locked_assignment(assignment)
    check_replaceable(assignment, by, application)
    _withdraw(assignment, reason=reason, by=by)
    return auto_assign(application=application, stage=assignment.stage, by=by)


def check_replaceable(
    assignment: Assignment, by: User, application: Application | None = None
) -> None:
    """Raise PermissionDenied for anyone but an operator, EvaluationError when the expert of
    ``assignment`` can no longer be replaced."""
    if not is_operator(by):
        raise PermissionDenied
    application = application or assignment.application
    if assignment.state != Assignment.State.ACTIVE:
        raise EvaluationError(_("This expert has already been withdrawn."))
    sheet = ScoreSheet.objects.filter(assignment=assignment).first()
    if sheet is not None and sheet.state == ScoreSheet.State.SUBMITTED:
        raise EvaluationError(_("A submitted score sheet cannot be withdrawn."))
    if competitions.scored_stage_state(application, assignment.stage) == StageState.COMPLETE:
        raise EvaluationError(_("The stage is complete; its experts can no longer change."))


def replacements_for(assignment: Assignment, today=None) -> list[Expert]:
    """The experts ``replace_expert`` would assign in place of ``assignment``'s expert, as
    things stand now (nothing is written): what the operator is asked to confirm."""
    today = today or timezone.localdate()
    application = assignment.application
    wanted = application.call.rulebook.parsed().stage(assignment.stage).experts or 1
    holding = (
        Assignment.objects.filter(
            application=application, stage=assignment.stage, state__in=HOLDING_ASSIGNMENT_STATES
        )
        .exclude(pk=assignment.pk)
        .count()
    )
    return _candidates(application, assignment.stage, today)[: max(wanted - holding, 0)]
