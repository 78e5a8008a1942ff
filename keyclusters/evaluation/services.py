"""Writes of the evaluation's score sheets, consensus scores and stage completion (the
assignments are in :mod:`.assignments`, the recommendation list, the decision and the Expert
Panel's sessions in :mod:`.decisions`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.competitions import services as competitions
from keyclusters.competitions.models import Application
from keyclusters.domain.evaluation import ExpertSheet, aggregate_stage
from keyclusters.domain.lifecycle import (
    HOLDING_ASSIGNMENT_STATES,
    SheetAction,
    StageAction,
    StageState,
    TransitionRefused,
    check,
)
from keyclusters.domain.points import PointsRefused, parse_points
from keyclusters.domain.rulebook.passfail import (
    decide_pass_fail_stage,
    marks_of,
    numeric_points,
    parse_mark,
)

from .assignments import (
    assign_expert,
    auto_assign,
    check_replaceable,
    declare,
    replace_expert,
    replacements_for,
)
from .base import (
    EvaluationError,
    is_operator,
    locked_assignment,
    locked_sheet,
    refused,
    sheet_step,
)
from .models import Assignment, ConsensusScore, ScoreSheet

__all__ = [
    "EvaluationError",
    "assign_expert",
    "auto_assign",
    "check_consensus",
    "check_replaceable",
    "declare",
    "is_operator",
    "record_consensus",
    "reopen_sheet",
    "replace_expert",
    "replacements_for",
    "save_sheet",
    "sheet_total",
    "submission_errors",
    "submit_sheet",
]

# -- score sheets ----------------------------------------------------------------------------


def sheet_criteria(assignment: Assignment):
    rulebook = assignment.application.call.rulebook.parsed()
    return [criterion for _area, criterion in rulebook.criteria(stage=assignment.stage)]


def require_own(assignment: Assignment, by: User) -> None:
    """The expert's own assignment, not withdrawn (else PermissionDenied), not suspended and
    declared free of conflicts (else EvaluationError)."""
    if assignment.expert.user_id != by.pk or assignment.state == Assignment.State.WITHDRAWN:
        raise PermissionDenied
    if assignment.state == Assignment.State.SUSPENDED:
        raise EvaluationError(
            _("The assignment is suspended for a possible conflict of interest (%(reason)s); the "
              "score sheet cannot be saved or submitted until the operator decides.")
            % {"reason": assignment.suspension_reason}
        )  # fmt: skip
    if assignment.no_conflict_declared_at is None:
        raise EvaluationError(_("Declare that you have no conflict of interest first."))


def clean_points(criterion, raw: object, *, precision: int) -> str | None:
    """The points typed for a criterion as stored (``"7.5"``), None when left empty.

    A decimal comma is accepted; anything that is not a finite number between 0 and the
    criterion's maximum, or that has more decimals than the rulebook's ``precision``, is
    refused with an EvaluationError. On a pass-fail criterion: the mark (``"met"`` or
    ``"not-met"``), from a boolean or ``met``/``not-met``/``true``/``false``.
    """
    if criterion.pass_fail:
        try:
            return parse_mark(raw)
        except ValueError:
            raise EvaluationError(_("Say whether the criterion is met or not met.")) from None
    try:
        value = parse_points(raw, maximum=criterion.max, precision=precision)
    except PointsRefused as exc:
        params = {
            k: formats.localize(v) if isinstance(v, Decimal) else v for k, v in exc.params.items()
        }
        raise EvaluationError(_(exc.message_id) % params) from None
    return None if value is None else format(value, "f")


def clean_sheet_points(
    assignment: Assignment, stored: Mapping[str, str], points: Mapping[str, object]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The sheet's points with ``points`` applied (criteria absent keep their stored value, an
    empty value clears it), and each refused criterion's messages."""
    precision = assignment.application.call.rulebook.parsed().precision
    clean = dict(stored)
    errors: dict[str, list[str]] = {}
    for criterion in sheet_criteria(assignment):
        if criterion.id not in points:
            continue
        try:
            value = clean_points(criterion, points[criterion.id], precision=precision)
        except EvaluationError as exc:
            errors[criterion.id] = list(exc.messages)
            continue
        if value is None:
            clean.pop(criterion.id, None)
        else:
            clean[criterion.id] = value
    return clean, errors


def lock_sheet_for(action: SheetAction, *, assignment: Assignment, by: User) -> ScoreSheet:
    """The expert's own sheet, locked, after checking that ``action`` is allowed now (an
    autosave, a save, a submission: the assignment's lock first, then the sheet's)."""
    assignment = locked_assignment(assignment)
    require_own(assignment, by)
    sheet = locked_sheet(assignment)
    sheet_step(
        sheet.state,
        action,
        competitions.scored_stage_state(assignment.application, assignment.stage),
        assignment.state,
    )
    return sheet


@transaction.atomic
def save_sheet(
    *,
    assignment: Assignment,
    points: Mapping[str, object],
    justifications: Mapping[str, str],
    by: User,
) -> ScoreSheet:
    sheet = lock_sheet_for(SheetAction.SAVE, assignment=assignment, by=by)
    clean, errors = clean_sheet_points(sheet.assignment, sheet.points, points)
    if errors:
        raise EvaluationError(errors)
    sheet.points = clean
    sheet.justifications = {
        **sheet.justifications,
        **{k: str(v).strip() for k, v in justifications.items()},
    }
    sheet._history_user = by
    sheet.save(update_fields=["points", "justifications"])
    return sheet


def submission_errors(sheet: ScoreSheet) -> dict[str, list[str]]:
    """What keeps a sheet from being submitted: per criterion, missing points or a missing
    justification (empty when it is complete)."""
    errors: dict[str, list[str]] = {}
    for criterion in sheet_criteria(sheet.assignment):
        if criterion.id not in sheet.points:
            errors.setdefault(criterion.id, []).append(
                _("Say whether the criterion is met or not met.")
                if criterion.pass_fail
                else _("Give the points.")
            )
        if not sheet.justifications.get(criterion.id):
            errors.setdefault(criterion.id, []).append(
                _("Justify your assessment.") if criterion.pass_fail else _("Justify the points.")
            )
    return errors


def sheet_total(sheet: ScoreSheet) -> Decimal:
    """The sheet's total as the rulebook counts an expert's points: the sum of its criteria."""
    return ExpertSheet(
        expert=str(sheet.assignment.expert_id), points=numeric_points(sheet.points)
    ).total


@transaction.atomic
def submit_sheet(*, assignment: Assignment, by: User) -> ScoreSheet:
    application = competitions.locked_application(assignment.application)
    sheet = lock_sheet_for(SheetAction.SUBMIT, assignment=assignment, by=by)
    errors = submission_errors(sheet)
    if errors:
        raise EvaluationError(errors)
    sheet.state = ScoreSheet.State.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet._history_user = by
    sheet.save(update_fields=["state", "submitted_at"])
    settle_stage(application, sheet.assignment.stage, by=by)
    return sheet


@transaction.atomic
def reopen_sheet(*, sheet: ScoreSheet, reason: str, by: User) -> ScoreSheet:
    """The operator gives a submitted sheet back to its expert; only while the stage is not
    complete (the stage collects sheets again)."""
    if not is_operator(by):
        raise PermissionDenied
    if not reason.strip():
        raise EvaluationError({"reason": [_("Give the reason for reopening.")]})
    application = competitions.locked_application(sheet.assignment.application)
    assignment = locked_assignment(sheet.assignment)
    sheet = locked_sheet(assignment)
    sheet_step(
        sheet.state,
        SheetAction.REOPEN,
        competitions.scored_stage_state(application, assignment.stage),
    )
    sheet.state = ScoreSheet.State.DRAFT
    sheet.submitted_at = None
    sheet._history_user = by
    sheet._change_reason = reason.strip()[:100]
    sheet.save(update_fields=["state", "submitted_at"])
    competitions.move_scored_stage(
        application=application, stage=assignment.stage, action=StageAction.REOPEN, by=by
    )
    return sheet


def check_consensus(
    application: Application, stage: str, points: Mapping[str, object], note: str, *, by: User
) -> dict[str, str]:
    """The consensus points as stored (per criterion), or EvaluationError: the stage must wait
    for a consensus, every criterion needs valid points, and the note is required (and
    PermissionDenied for anyone but an operator)."""
    if not is_operator(by):
        raise PermissionDenied
    state = competitions.scored_stage_state(application, stage)
    if state != StageState.AWAITING_CONSENSUS or application.stage != stage:
        raise EvaluationError(
            _("A consensus can be recorded only where the experts' scores diverge and the stage "
              "waits for it.")
        )  # fmt: skip
    try:
        stage_may_complete(application, stage, StageAction.RECORD_CONSENSUS)
    except TransitionRefused as exc:
        raise refused(exc) from exc
    rulebook = application.call.rulebook.parsed()
    clean = {}
    for _area, criterion in rulebook.criteria(stage=stage):
        try:
            value = clean_points(
                criterion, points.get(criterion.id, ""), precision=rulebook.precision
            )
        except EvaluationError as exc:
            raise EvaluationError({criterion.id: exc.messages}) from None
        if value is None:
            raise EvaluationError({criterion.id: [_("Give the points.")]})
        clean[criterion.id] = value
    if not note.strip():
        raise EvaluationError({"note": [_("Say how the experts reached the consensus.")]})
    return clean


@transaction.atomic
def record_consensus(
    *, application: Application, stage: str, points: Mapping[str, object], note: str, by: User
) -> ConsensusScore:
    """The points the diverging experts agreed on; only where the stage awaits a consensus."""
    application = competitions.locked_application(application)
    clean = check_consensus(application, stage, points, note, by=by)
    consensus = ConsensusScore(
        application=application, stage=stage, points=clean, note=note.strip(), recorded_by=by
    )
    consensus._history_user = by
    consensus.save()
    aggregate = stage_aggregate(application, stage)
    _complete(application, stage, aggregate, action=StageAction.RECORD_CONSENSUS, by=by)
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
        ExpertSheet(expert=str(sheet.assignment.expert_id), points=numeric_points(sheet.points))
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


def _has_pending_expert(application: Application, stage: str) -> bool:
    """An active expert has not submitted yet, or an assignment is suspended (it waits)."""
    return (
        Assignment.objects.filter(
            application=application, stage=stage, state__in=HOLDING_ASSIGNMENT_STATES
        )
        .exclude(state=Assignment.State.ACTIVE, sheet__state=ScoreSheet.State.SUBMITTED)
        .exists()
    )


def stage_may_complete(application: Application, stage: str, action: StageAction) -> None:
    """Raise TransitionRefused while an assignment of the stage is suspended: the lifecycle's
    guard, checked once per assignment of the stage."""
    states = set(
        Assignment.objects.filter(application=application, stage=stage)
        .order_by()
        .values_list("state", flat=True)
        .distinct()
    )
    for state in sorted(states):
        check("stage", action, assignment=state)


def settle_stage(application: Application, stage: str, *, by: User | None) -> StageState:
    """Move the scored stage after a submitted sheet (the caller holds the application's lock):
    wait for more sheets, ask a third expert or a consensus when the experts diverge, or
    complete the stage with its points. Returns the stage's state."""
    if application.state != "in-evaluation" or application.stage != stage:
        return competitions.scored_stage_state(application, stage)
    state = competitions.scored_stage_state(application, stage)
    if state == StageState.COMPLETE:
        return state
    try:
        stage_may_complete(application, stage, StageAction.COMPLETE)
    except TransitionRefused:
        return state  # a suspended assignment: the stage waits for the operator's decision
    definition = application.call.rulebook.parsed().stage(stage)
    needed = definition.experts or 1
    sheets = submitted_sheets(application, stage)
    if definition.pass_fail:
        if len(sheets) < needed:
            return state
        _complete_pass_fail(application, stage, sheets, by=by)
        return StageState.COMPLETE
    aggregate = stage_aggregate(application, stage)
    if aggregate is None or len(sheets) < needed:
        return state
    resolution = definition.divergence.resolution if definition.divergence else None
    if aggregate.divergence is not None and resolution == "third-expert":
        if len(sheets) < needed + 1:
            if state == StageState.COLLECTING:
                state = competitions.move_scored_stage(
                    application=application,
                    stage=stage,
                    action=StageAction.AWAIT_THIRD_EXPERT,
                    by=by,
                )
            if not _has_pending_expert(application, stage):
                auto_assign(application=application, stage=stage, by=by, extra=1)
            return state
    elif aggregate.divergence is not None and resolution == "consensus":
        if state == StageState.COLLECTING:
            state = competitions.move_scored_stage(
                application=application, stage=stage, action=StageAction.AWAIT_CONSENSUS, by=by
            )
        return state
    _complete(application, stage, aggregate, action=StageAction.COMPLETE, by=by)
    return StageState.COMPLETE


def _complete_pass_fail(
    application: Application, stage: str, sheets: list[ScoreSheet], *, by
) -> None:
    """A pass-fail stage is decided once its experts have submitted: each criterion met or not
    by the stage's rule (all-pass, majority-pass); it passes when every criterion is met and adds
    no points."""
    rulebook = application.call.rulebook.parsed()
    marks = {str(sheet.assignment.expert_id): marks_of(sheet.points) for sheet in sheets}
    verdict = decide_pass_fail_stage(rulebook, stage, marks)
    details = {
        "method": verdict.aggregation,
        "pass_fail": [
            {"criterion": v.criterion, "met_by": v.met_by, "experts": v.experts, "met": v.met}
            for v in verdict.criteria
        ],
        "experts": {str(sheet.assignment.expert_id): dict(sheet.points) for sheet in sheets},
        "rulebook": {"id": rulebook.id, "version": rulebook.version, "sha256": rulebook.sha256},
    }
    try:
        competitions.complete_scored_stage(
            application=application,
            stage=stage,
            action=StageAction.COMPLETE,
            points=Decimal(0),
            details=details,
            passed=verdict.passed,
            by=by,
        )
    except competitions.CompetitionError as exc:
        raise EvaluationError(exc.messages) from exc


def _complete(application: Application, stage: str, aggregate, *, action, by) -> None:
    rulebook = application.call.rulebook.parsed()
    definition = rulebook.stage(stage)
    total = aggregate.total  # an exact sum of the criteria, each rounded once
    passed = definition.gate is None or definition.gate.holds(total)
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
    try:
        competitions.complete_scored_stage(
            application=application,
            stage=stage,
            action=action,
            points=total,
            details=details,
            passed=passed,
            by=by,
        )
    except competitions.CompetitionError as exc:
        raise EvaluationError(exc.messages) from exc
