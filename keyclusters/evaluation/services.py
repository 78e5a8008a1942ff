"""Writes of the evaluation: assignments, conflicts, score sheets and stage completion (the
recommendation list, the decision and the Expert Panel's sessions are in :mod:`.decisions`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.competitions import stages as competition_stages
from keyclusters.competitions.models import Application, StageResult
from keyclusters.competitions.services.base import _record_stage, _transition
from keyclusters.domain.evaluation import (
    ExpertSheet,
    aggregate_stage,
    round_points,
)
from keyclusters.domain.workflow import ApplicationAction, ApplicationState

from .conflicts import detect_conflict
from .models import Assignment, ConflictRecord, ConsensusScore, Expert, ScoreSheet


class EvaluationError(ValidationError):
    pass


def _is_operator(user: User | None) -> bool:
    return bool(user and user.has_role(Role.OPERATOR))


# -- assignments -----------------------------------------------------------------------------


def assign_expert(
    *, application: Application, stage: str, expert: Expert, by: User | None, today=None
) -> Assignment:
    """Assign an expert; a conflict of interest refuses it and stays recorded."""
    today = today or timezone.localdate()
    rulebook = application.call.rulebook.parsed()
    if rulebook.stage(stage).kind not in ("expert", "panel"):
        raise EvaluationError(_("Experts are assigned to expert and panel stages only."))
    conflict = detect_conflict(expert, application, today)
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
        expert=expert, application=application, stage=stage, state=Assignment.State.ACTIVE
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
        .select_related("user")
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
    active = Assignment.objects.filter(
        application=application, stage=stage, state=Assignment.State.ACTIVE
    ).count()
    made = []
    for expert in _candidates(application, stage, today)[: max(wanted - active, 0)]:
        made.append(
            assign_expert(application=application, stage=stage, expert=expert, by=by, today=today)
        )
    return made


@transaction.atomic
def declare(*, assignment: Assignment, conflict: bool, note: str, by: User) -> Assignment:
    """The expert says whether they have a conflict; a conflict withdraws the assignment."""
    if assignment.expert.user_id != by.pk:
        raise PermissionDenied
    if conflict:
        ConflictRecord.objects.create(
            expert=assignment.expert,
            application=assignment.application,
            source=ConflictRecord.Source.DECLARED,
            detail=note or _("Declared by the expert."),
        )
        return _withdraw(assignment, reason=_("conflict of interest declared"), by=by)
    assignment.no_conflict_declared_at = timezone.now()
    assignment._history_user = by
    assignment.save(update_fields=["no_conflict_declared_at"])
    return assignment


def _withdraw(assignment: Assignment, *, reason: str, by: User | None) -> Assignment:
    assignment.state = Assignment.State.WITHDRAWN
    assignment.withdrawn_reason = reason[:300]
    assignment._history_user = by
    assignment.save(update_fields=["state", "withdrawn_reason"])
    return assignment


@transaction.atomic
def replace_expert(*, assignment: Assignment, reason: str, by: User) -> list[Assignment]:
    """Withdraw an expert (who withdrew or cannot go on) and assign another automatically."""
    if not _is_operator(by):
        raise PermissionDenied
    if hasattr(assignment, "sheet") and assignment.sheet.state == ScoreSheet.State.SUBMITTED:
        raise EvaluationError(_("A submitted score sheet cannot be withdrawn."))
    _withdraw(assignment, reason=reason, by=by)
    return auto_assign(application=assignment.application, stage=assignment.stage, by=by)


# -- score sheets ----------------------------------------------------------------------------


def _criteria(assignment: Assignment):
    rulebook = assignment.application.call.rulebook.parsed()
    return [criterion for _area, criterion in rulebook.criteria(stage=assignment.stage)]


def _require_own(assignment: Assignment, by: User) -> None:
    if assignment.expert.user_id != by.pk or assignment.state != Assignment.State.ACTIVE:
        raise PermissionDenied
    if assignment.no_conflict_declared_at is None:
        raise EvaluationError(_("Declare that you have no conflict of interest first."))


def clean_points(criterion, raw: object) -> str | None:
    """The points typed for a criterion as stored (``"7.5"``), None when left empty.

    A decimal comma is accepted; anything that is not a finite number between 0 and the
    criterion's maximum is refused with an EvaluationError.
    """
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise EvaluationError(_("Enter a number."))
    if not Decimal(0) <= value <= criterion.max:
        raise EvaluationError(
            _("Points must be between 0 and %(max)s.") % {"max": formats.localize(criterion.max)}
        )
    return format(value.copy_abs() if value.is_zero() else value, "f")


@transaction.atomic
def save_sheet(
    *,
    assignment: Assignment,
    points: Mapping[str, object],
    justifications: Mapping[str, str],
    by: User,
) -> ScoreSheet:
    _require_own(assignment, by)
    sheet, _created = ScoreSheet.objects.get_or_create(assignment=assignment)
    if sheet.state == ScoreSheet.State.SUBMITTED:
        raise EvaluationError(_("The score sheet has been submitted and cannot change."))
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = dict(sheet.points)
    for criterion in _criteria(assignment):
        if criterion.id not in points:
            continue
        try:
            value = clean_points(criterion, points[criterion.id])
        except EvaluationError as exc:
            errors.setdefault(criterion.id, []).extend(exc.messages)
            continue
        if value is None:
            clean.pop(criterion.id, None)
        else:
            clean[criterion.id] = value
    if errors:
        raise EvaluationError(errors)
    sheet.points = clean
    sheet.justifications = {
        **sheet.justifications,
        **{k: str(v).strip() for k, v in justifications.items()},
    }
    sheet._history_user = by
    sheet.save()
    return sheet


@transaction.atomic
def submit_sheet(*, assignment: Assignment, by: User) -> ScoreSheet:
    _require_own(assignment, by)
    sheet = ScoreSheet.objects.select_for_update().get(assignment=assignment)
    if sheet.state == ScoreSheet.State.SUBMITTED:
        raise EvaluationError(_("The score sheet has already been submitted."))
    errors: dict[str, list[str]] = {}
    for criterion in _criteria(assignment):
        if criterion.id not in sheet.points:
            errors.setdefault(criterion.id, []).append(_("Give the points."))
        if not sheet.justifications.get(criterion.id):
            errors.setdefault(criterion.id, []).append(_("Justify the points."))
    if errors:
        raise EvaluationError(errors)
    sheet.state = ScoreSheet.State.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet._history_user = by
    sheet.save()
    complete_stage_if_ready(assignment.application, assignment.stage, by=by)
    return sheet


@transaction.atomic
def reopen_sheet(*, sheet: ScoreSheet, reason: str, by: User) -> ScoreSheet:
    if not _is_operator(by):
        raise PermissionDenied
    if not reason.strip():
        raise EvaluationError({"reason": [_("Give the reason for reopening.")]})
    result = StageResult.objects.filter(
        application=sheet.assignment.application, stage=sheet.assignment.stage
    ).first()
    if result is not None and result.result != StageResult.Result.PENDING:
        raise EvaluationError(_("The stage is complete; its sheets can no longer be reopened."))
    sheet.state = ScoreSheet.State.DRAFT
    sheet.submitted_at = None
    sheet._history_user = by
    sheet._change_reason = reason.strip()[:100]
    sheet.save()
    return sheet


@transaction.atomic
def record_consensus(
    *, application: Application, stage: str, points: Mapping[str, object], note: str, by: User
) -> ConsensusScore:
    if not _is_operator(by):
        raise PermissionDenied
    rulebook = application.call.rulebook.parsed()
    clean = {}
    for _area, criterion in rulebook.criteria(stage=stage):
        try:
            value = clean_points(criterion, points.get(criterion.id, "0"))
        except EvaluationError as exc:
            raise EvaluationError({criterion.id: exc.messages}) from None
        if value is None:
            raise EvaluationError({criterion.id: [_("Give the points.")]})
        clean[criterion.id] = value
    consensus = ConsensusScore(
        application=application, stage=stage, points=clean, note=note, recorded_by=by
    )
    consensus._history_user = by
    consensus.save()
    complete_stage_if_ready(application, stage, by=by)
    return consensus


# -- completing a stage ----------------------------------------------------------------------


def submitted_sheets(application: Application, stage: str) -> list[ScoreSheet]:
    return list(
        ScoreSheet.objects.filter(
            assignment__application=application,
            assignment__stage=stage,
            assignment__state=Assignment.State.ACTIVE,
            state=ScoreSheet.State.SUBMITTED,
        )
        .select_related("assignment__expert__user")
        .order_by("submitted_at", "pk")
    )


def stage_aggregate(application: Application, stage: str):
    rulebook = application.call.rulebook.parsed()
    sheets = [
        ExpertSheet(
            expert=str(sheet.assignment.expert_id),
            points={k: Decimal(v) for k, v in sheet.points.items()},
        )
        for sheet in submitted_sheets(application, stage)
    ]
    consensus = ConsensusScore.objects.filter(application=application, stage=stage).first()
    if not sheets and consensus is None:
        return None
    return aggregate_stage(
        rulebook,
        stage,
        sheets,
        consensus={k: Decimal(v) for k, v in consensus.points.items()} if consensus else None,
    )


def complete_stage_if_ready(application: Application, stage: str, *, by: User | None) -> bool:
    """Aggregate the stage once enough experts have submitted and no divergence is open."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.state != ApplicationState.IN_EVALUATION or application.stage != stage:
        return False
    rulebook = application.call.rulebook.parsed()
    definition = rulebook.stage(stage)
    needed = definition.experts or 1
    sheets = submitted_sheets(application, stage)
    aggregate = stage_aggregate(application, stage)
    if aggregate is None:
        return False
    if not aggregate.consensus:
        if len(sheets) < needed:
            return False
        if aggregate.divergence is not None:
            resolution = definition.divergence.resolution if definition.divergence else None
            if resolution == "third-expert" and len(sheets) < needed + 1:
                if (
                    not Assignment.objects.filter(
                        application=application, stage=stage, state=Assignment.State.ACTIVE
                    )
                    .exclude(sheet__state=ScoreSheet.State.SUBMITTED)
                    .exists()
                ):
                    auto_assign(application=application, stage=stage, by=by, extra=1)
                return False
            if resolution == "consensus":
                return False
    total = aggregate.total
    passed = definition.gate is None or definition.gate.holds(
        round_points(total, rulebook.precision)
    )
    details = {
        "method": aggregate.method,
        "criteria": {k: str(v) for k, v in aggregate.criteria.items()},
        "experts": {k: {c: str(p) for c, p in v.items()} for k, v in aggregate.per_expert.items()},
        "divergence": (
            {"gap": str(aggregate.divergence.gap), "allowed": str(aggregate.divergence.allowed)}
            if aggregate.divergence
            else None
        ),
        "rulebook": {"id": rulebook.id, "version": rulebook.version, "sha256": rulebook.sha256},
    }
    if definition.gate is not None:
        details["gate"] = {"op": definition.gate.op, "value": str(definition.gate.value)}
    _record_stage(
        application,
        result=StageResult.Result.PASSED if passed else StageResult.Result.FAILED,
        details=details,
        points=total,
        max_points=rulebook.stage_maximum(stage),
        by=by,
    )
    if not passed:
        _transition(application, ApplicationAction.FAIL_GATE, by=by, notify="gate_failed")
        return True
    following = competition_stages.stage_after(application, stage)
    if following is None:
        _transition(application, ApplicationAction.COMPLETE, by=by)
    else:
        _transition(application, ApplicationAction.ADVANCE, by=by, stage=following)
        competition_stages.enter_stage(application, following, by=by)
    return True
