"""Every moving part of the competition as a lifecycle table, with the guards between them.

- :data:`CALL`: draft → open → closed → evaluating (awaiting the decision) → decided;
- :data:`APPLICATION`: draft → submitted ⇄ completion requested → in evaluation → evaluated →
  granted / not granted (or rejected, withdrawn);
- :data:`SCORED_STAGE`: collecting → awaiting a third expert / awaiting a consensus → complete;
- :data:`SCORE_SHEET`: draft ⇄ submitted (reopened only while the stage is not complete);
- :data:`ASSIGNMENT`: active ⇄ suspended (a possible conflict of interest) → withdrawn;
- :data:`RECOMMENDATION`: prepared → approved, or superseded by a list prepared again;
- :data:`GUARDS`: what an action of one needs of another (a grant needs a call awaiting the
  decision, a list is prepared only on a closed call, a decided call needs an approved list…).

Only the owning service of an aggregate writes its state, under a lock, after asking these
tables (``Lifecycle.next`` and :func:`check`).
"""

from .competition import (
    APPLICATION,
    CALL,
    EDITABLE_STATES,
    FINAL_STATES,
    OPERATOR_CALL_ACTIONS,
    UNDER_EVALUATION_STATES,
    ApplicationAction,
    ApplicationState,
    CallAction,
    CallState,
)
from .evaluation import (
    ASSIGNMENT,
    HOLDING_ASSIGNMENT_STATES,
    OPEN_STAGE_STATES,
    RECOMMENDATION,
    SCORE_SHEET,
    SCORED_STAGE,
    AssignmentAction,
    AssignmentState,
    RecommendationAction,
    RecommendationState,
    SheetAction,
    SheetState,
    StageAction,
    StageState,
)
from .guards import GUARDS, LIFECYCLES, PREPARE, Guard, check, guards_of
from .machine import Lifecycle, TransitionRefused

__all__ = [
    "APPLICATION",
    "ASSIGNMENT",
    "CALL",
    "EDITABLE_STATES",
    "FINAL_STATES",
    "GUARDS",
    "HOLDING_ASSIGNMENT_STATES",
    "LIFECYCLES",
    "OPEN_STAGE_STATES",
    "OPERATOR_CALL_ACTIONS",
    "PREPARE",
    "RECOMMENDATION",
    "SCORED_STAGE",
    "SCORE_SHEET",
    "UNDER_EVALUATION_STATES",
    "ApplicationAction",
    "ApplicationState",
    "AssignmentAction",
    "AssignmentState",
    "CallAction",
    "CallState",
    "Guard",
    "Lifecycle",
    "RecommendationAction",
    "RecommendationState",
    "SheetAction",
    "SheetState",
    "StageAction",
    "StageState",
    "TransitionRefused",
    "check",
    "guards_of",
]
