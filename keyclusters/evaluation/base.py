"""What the evaluation's services share: the error, the operator check, the locks of an
assignment and its sheet, and the sheet's lifecycle step."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.competitions import services as competitions
from keyclusters.domain.lifecycle import (
    ASSIGNMENT,
    SCORE_SHEET,
    AssignmentAction,
    SheetAction,
    TransitionRefused,
    check,
)

from .models import Assignment, ScoreSheet


class EvaluationError(ValidationError):
    pass


def is_operator(user: User | None) -> bool:
    return bool(user and user.has_role(Role.OPERATOR))


def refused(exc: TransitionRefused) -> EvaluationError:
    return EvaluationError(competitions.refusal_message(exc))


def sheet_step(
    sheet_state: str, action: SheetAction, stage_state: str, assignment_state: str | None = None
) -> None:
    """Refuse ``action`` on a sheet in ``sheet_state`` when the lifecycle or its guards (the
    stage must not be complete; a save or a submission needs an assignment that is not
    suspended) do not allow it."""
    states = {"stage": stage_state}
    if assignment_state is not None:
        states["assignment"] = assignment_state
    try:
        SCORE_SHEET.next(sheet_state, action)
        check("sheet", action, **states)
    except TransitionRefused as exc:
        raise refused(exc) from exc


def assignment_step(assignment_state: str, action: AssignmentAction, stage_state: str) -> str:
    """The assignment's next state; refused when the lifecycle or its guard (the stage must not
    be complete) does not allow ``action``."""
    try:
        following = ASSIGNMENT.next(assignment_state, action)
        check("assignment", action, stage=stage_state)
    except TransitionRefused as exc:
        raise refused(exc) from exc
    return str(following)


def locked_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("application__call__rulebook", "expert")
        .get(pk=assignment.pk)
    )


def locked_sheet(assignment: Assignment) -> ScoreSheet:
    sheet, _created = ScoreSheet.objects.select_for_update(no_key=True).get_or_create(
        assignment=assignment
    )
    return sheet
