"""Guards between lifecycles, as data: an action of one aggregate needs another in given states.

A service about to take ``action`` on a ``lifecycle`` calls :func:`check` with the current
states of the other aggregates involved (``call="open"``, ``stage="complete"`` …); a guard that
does not hold raises :class:`TransitionRefused` naming the other aggregate and its state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import N_
from .competition import APPLICATION, CALL, ApplicationAction, CallAction, CallState
from .evaluation import (
    ASSIGNMENT,
    OPEN_STAGE_STATES,
    RECOMMENDATION,
    SCORE_SHEET,
    SCORED_STAGE,
    AssignmentAction,
    AssignmentState,
    RecommendationAction,
    RecommendationState,
    SheetAction,
    StageAction,
)
from .machine import Lifecycle, TransitionRefused

LIFECYCLES: dict[str, Lifecycle[Any, Any]] = {
    lifecycle.name: lifecycle
    for lifecycle in (CALL, APPLICATION, SCORED_STAGE, SCORE_SHEET, RECOMMENDATION, ASSIGNMENT)
}

# Preparing a recommendation list is not a transition of an existing list (it creates one, and
# supersedes the previous one): its guard is keyed by this action of the "recommendation".
PREPARE = "prepare"
_EXTRA_ACTION_LABELS = {PREPARE: N_("prepare the recommendation list")}


@dataclass(frozen=True)
class Guard:
    lifecycle: str  # whose action
    action: str
    requires: str  # the other lifecycle
    states: frozenset[str]  # in which the other aggregate must be


GUARDS: tuple[Guard, ...] = (
    # Applications enter only an open call; statuses are granted or refused only by the
    # decision, on a call awaiting it.
    Guard("application", ApplicationAction.SUBMIT, "call", frozenset({CallState.OPEN})),
    Guard("application", ApplicationAction.GRANT, "call", frozenset({CallState.EVALUATING})),
    Guard("application", ApplicationAction.NOT_GRANT, "call", frozenset({CallState.EVALUATING})),
    # The list is prepared on a closed call only, and approved while the call awaits it.
    Guard("recommendation", PREPARE, "call", frozenset({CallState.CLOSED, CallState.EVALUATING})),
    Guard(
        "recommendation", RecommendationAction.APPROVE, "call", frozenset({CallState.EVALUATING})
    ),
    # The approval closes the call's evaluation: the call is decided by an approved list only.
    Guard("call", CallAction.DECIDE, "recommendation", frozenset({RecommendationState.APPROVED})),
    # Score sheets change only while their stage is not complete.
    Guard("sheet", SheetAction.SAVE, "stage", OPEN_STAGE_STATES),
    Guard("sheet", SheetAction.SUBMIT, "stage", OPEN_STAGE_STATES),
    Guard("sheet", SheetAction.REOPEN, "stage", OPEN_STAGE_STATES),
    Guard("sheet", SheetAction.DECLARE_CONFLICT, "stage", OPEN_STAGE_STATES),
    # A suspended assignment's sheet waits: neither saved nor submitted until the operator
    # lifts the suspension (or reassigns the stage to another expert).
    Guard("sheet", SheetAction.SAVE, "assignment", frozenset({AssignmentState.ACTIVE})),
    Guard("sheet", SheetAction.SUBMIT, "assignment", frozenset({AssignmentState.ACTIVE})),
    # Assignments are suspended, lifted or withdrawn only while their stage is not complete.
    Guard("assignment", AssignmentAction.SUSPEND, "stage", OPEN_STAGE_STATES),
    Guard("assignment", AssignmentAction.LIFT, "stage", OPEN_STAGE_STATES),
    Guard("assignment", AssignmentAction.WITHDRAW, "stage", OPEN_STAGE_STATES),
    # A stage with a suspended assignment waits for the operator: checked once per assignment
    # of the stage, it completes (or takes a consensus) only when none is suspended.
    Guard(
        "stage",
        StageAction.COMPLETE,
        "assignment",
        frozenset({AssignmentState.ACTIVE, AssignmentState.WITHDRAWN}),
    ),
    Guard(
        "stage",
        StageAction.RECORD_CONSENSUS,
        "assignment",
        frozenset({AssignmentState.ACTIVE, AssignmentState.WITHDRAWN}),
    ),
)


def guards_of(lifecycle: str, action: str) -> list[Guard]:
    return [g for g in GUARDS if g.lifecycle == lifecycle and g.action == action]


def check(lifecycle: str, action: str, **states: str | None) -> None:
    """Raise TransitionRefused when a guard of ``action`` does not hold for the given states.

    A guard whose other aggregate is not given is not checked here; ``None`` means the other
    aggregate does not exist (which never satisfies a guard).
    """
    own = LIFECYCLES[lifecycle]
    for guard in guards_of(lifecycle, action):
        if guard.requires not in states:
            continue
        state = states[guard.requires]
        if state is None or state not in guard.states:
            other = LIFECYCLES[guard.requires]
            refusal = other.refusal(state or "", action)
            raise TransitionRefused(
                subject=guard.requires,
                state=state or "",
                action=str(action),
                subject_label=other.label,
                state_label=refusal.state_label if state else _ABSENT,
                action_label=_EXTRA_ACTION_LABELS.get(action)
                or own.refusal("", action).action_label,
            )


_ABSENT = N_("not there yet")
