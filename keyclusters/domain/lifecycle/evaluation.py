"""The lifecycles of a scored stage, a score sheet and a recommendation list."""

from __future__ import annotations

from enum import StrEnum

from ..i18n import N_
from .machine import Lifecycle


class StageState(StrEnum):
    """A scored stage (expert or panel) of one application."""

    COLLECTING = "collecting"  # score sheets are being filled in
    AWAITING_THIRD_EXPERT = "awaiting-third-expert"  # the experts diverge: a third one scores
    AWAITING_CONSENSUS = "awaiting-consensus"  # the experts diverge: they agree on points
    COMPLETE = "complete"  # the stage has its points (passed or failed)


class StageAction(StrEnum):
    AWAIT_THIRD_EXPERT = "await-third-expert"
    AWAIT_CONSENSUS = "await-consensus"
    REOPEN = "reopen"  # a sheet was reopened: collect again
    COMPLETE = "complete"
    RECORD_CONSENSUS = "record-consensus"


_T = StageState
_X = StageAction

SCORED_STAGE = Lifecycle[StageState, StageAction](
    name="stage",
    label=N_("stage"),
    initial=_T.COLLECTING,
    transitions={
        (_T.COLLECTING, _X.AWAIT_THIRD_EXPERT): _T.AWAITING_THIRD_EXPERT,
        (_T.COLLECTING, _X.AWAIT_CONSENSUS): _T.AWAITING_CONSENSUS,
        (_T.COLLECTING, _X.COMPLETE): _T.COMPLETE,
        (_T.COLLECTING, _X.REOPEN): _T.COLLECTING,
        (_T.AWAITING_THIRD_EXPERT, _X.COMPLETE): _T.COMPLETE,
        (_T.AWAITING_THIRD_EXPERT, _X.REOPEN): _T.COLLECTING,
        (_T.AWAITING_CONSENSUS, _X.RECORD_CONSENSUS): _T.COMPLETE,
        (_T.AWAITING_CONSENSUS, _X.REOPEN): _T.COLLECTING,
    },
    state_labels={
        _T.COLLECTING: N_("collecting score sheets"),
        _T.AWAITING_THIRD_EXPERT: N_("waiting for a third expert"),
        _T.AWAITING_CONSENSUS: N_("waiting for a consensus"),
        _T.COMPLETE: N_("complete"),
    },
    action_labels={
        _X.AWAIT_THIRD_EXPERT: N_("ask a third expert"),
        _X.AWAIT_CONSENSUS: N_("ask for a consensus"),
        _X.REOPEN: N_("reopen a score sheet"),
        _X.COMPLETE: N_("complete the stage"),
        _X.RECORD_CONSENSUS: N_("record a consensus"),
    },
)

# Stage states in which sheets may still be written, submitted or reopened.
OPEN_STAGE_STATES = frozenset({_T.COLLECTING, _T.AWAITING_THIRD_EXPERT, _T.AWAITING_CONSENSUS})


class SheetState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class SheetAction(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    REOPEN = "reopen"
    DECLARE_CONFLICT = "declare-conflict"


SCORE_SHEET = Lifecycle[SheetState, SheetAction](
    name="sheet",
    label=N_("score sheet"),
    initial=SheetState.DRAFT,
    transitions={
        (SheetState.DRAFT, SheetAction.SAVE): SheetState.DRAFT,
        (SheetState.DRAFT, SheetAction.SUBMIT): SheetState.SUBMITTED,
        # A conflict declared withdraws the assignment with its draft; never a submitted sheet.
        (SheetState.DRAFT, SheetAction.DECLARE_CONFLICT): SheetState.DRAFT,
        (SheetState.SUBMITTED, SheetAction.REOPEN): SheetState.DRAFT,
    },
    state_labels={
        SheetState.DRAFT: N_("being filled in"),
        SheetState.SUBMITTED: N_("already submitted"),
    },
    action_labels={
        SheetAction.SAVE: N_("save the score sheet"),
        SheetAction.SUBMIT: N_("submit the score sheet"),
        SheetAction.REOPEN: N_("reopen the score sheet"),
        SheetAction.DECLARE_CONFLICT: N_("declare a conflict of interest"),
    },
)


class AssignmentState(StrEnum):
    """An expert's assignment to one stage of one application."""

    ACTIVE = "active"
    SUSPENDED = "suspended"  # a possible conflict of interest found after the assignment
    WITHDRAWN = "withdrawn"


class AssignmentAction(StrEnum):
    SUSPEND = "suspend"  # a conflict found in the registry, or the operator's doubt
    LIFT = "lift"  # the operator judged the tie harmless: the expert goes on
    WITHDRAW = "withdraw"  # replaced, reassigned, or a conflict declared by the expert


ASSIGNMENT = Lifecycle[AssignmentState, AssignmentAction](
    name="assignment",
    label=N_("assignment"),
    initial=AssignmentState.ACTIVE,
    transitions={
        (AssignmentState.ACTIVE, AssignmentAction.SUSPEND): AssignmentState.SUSPENDED,
        (AssignmentState.SUSPENDED, AssignmentAction.LIFT): AssignmentState.ACTIVE,
        (AssignmentState.ACTIVE, AssignmentAction.WITHDRAW): AssignmentState.WITHDRAWN,
        (AssignmentState.SUSPENDED, AssignmentAction.WITHDRAW): AssignmentState.WITHDRAWN,
    },
    state_labels={
        AssignmentState.ACTIVE: N_("active"),
        AssignmentState.SUSPENDED: N_("suspended for a possible conflict of interest"),
        AssignmentState.WITHDRAWN: N_("withdrawn"),
    },
    action_labels={
        AssignmentAction.SUSPEND: N_("suspend the assignment"),
        AssignmentAction.LIFT: N_("lift the suspension"),
        AssignmentAction.WITHDRAW: N_("withdraw the expert"),
    },
)

# Assignment states that hold their place in a stage (a suspended one waits for the operator).
HOLDING_ASSIGNMENT_STATES = frozenset({AssignmentState.ACTIVE, AssignmentState.SUSPENDED})


class RecommendationState(StrEnum):
    PREPARED = "prepared"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class RecommendationAction(StrEnum):
    APPROVE = "approve"
    SUPERSEDE = "supersede"  # prepared again: a new list replaces this one


RECOMMENDATION = Lifecycle[RecommendationState, RecommendationAction](
    name="recommendation",
    label=N_("recommendation list"),
    initial=RecommendationState.PREPARED,
    transitions={
        (RecommendationState.PREPARED, RecommendationAction.APPROVE): RecommendationState.APPROVED,
        (
            RecommendationState.PREPARED,
            RecommendationAction.SUPERSEDE,
        ): RecommendationState.SUPERSEDED,
    },
    state_labels={
        RecommendationState.PREPARED: N_("awaiting approval"),
        RecommendationState.APPROVED: N_("approved"),
        RecommendationState.SUPERSEDED: N_("replaced by a newer list"),
    },
    action_labels={
        RecommendationAction.APPROVE: N_("approve the recommendation list"),
        RecommendationAction.SUPERSEDE: N_("prepare the recommendation list again"),
    },
)
