"""The lifecycles of a call and of an application."""

from __future__ import annotations

from enum import StrEnum

from ..i18n import N_
from .machine import Lifecycle


class CallState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    EVALUATING = "evaluating"  # the decision state: the list is prepared and approved here
    DECIDED = "decided"


class CallAction(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    START_EVALUATION = "start-evaluation"
    DECIDE = "decide"


CALL = Lifecycle[CallState, CallAction](
    name="call",
    label=N_("call"),
    initial=CallState.DRAFT,
    transitions={
        (CallState.DRAFT, CallAction.OPEN): CallState.OPEN,
        (CallState.OPEN, CallAction.CLOSE): CallState.CLOSED,
        (CallState.CLOSED, CallAction.START_EVALUATION): CallState.EVALUATING,
        (CallState.EVALUATING, CallAction.DECIDE): CallState.DECIDED,
    },
    state_labels={
        CallState.DRAFT: N_("in preparation"),
        CallState.OPEN: N_("open"),
        CallState.CLOSED: N_("closed"),
        CallState.EVALUATING: N_("awaiting the decision"),
        CallState.DECIDED: N_("decided"),
    },
    action_labels={
        CallAction.OPEN: N_("open the call"),
        CallAction.CLOSE: N_("close the call"),
        CallAction.START_EVALUATION: N_("start the final evaluation"),
        CallAction.DECIDE: N_("record the decision"),
    },
)

# Actions an operator takes on a call directly; the decision comes only with the approval of the
# recommendation list.
OPERATOR_CALL_ACTIONS = (CallAction.OPEN, CallAction.CLOSE, CallAction.START_EVALUATION)


class ApplicationState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    COMPLETION_REQUESTED = "completion-requested"
    IN_EVALUATION = "in-evaluation"
    EVALUATED = "evaluated"
    REJECTED = "rejected"
    GRANTED = "granted"
    NOT_GRANTED = "not-granted"
    WITHDRAWN = "withdrawn"


class ApplicationAction(StrEnum):
    SUBMIT = "submit"
    REQUEST_COMPLETION = "request-completion"
    RESUBMIT = "resubmit"
    COMPLETION_EXPIRED = "completion-expired"
    PASS_FORMAL = "pass-formal"
    FAIL_FORMAL = "fail-formal"
    ADVANCE = "advance"
    COMPLETE = "complete"
    FAIL_GATE = "fail-gate"
    GRANT = "grant"
    NOT_GRANT = "not-grant"
    WITHDRAW = "withdraw"


_S = ApplicationState
_A = ApplicationAction

APPLICATION = Lifecycle[ApplicationState, ApplicationAction](
    name="application",
    label=N_("application"),
    initial=_S.DRAFT,
    transitions={
        (_S.DRAFT, _A.SUBMIT): _S.SUBMITTED,
        (_S.DRAFT, _A.WITHDRAW): _S.WITHDRAWN,
        (_S.SUBMITTED, _A.REQUEST_COMPLETION): _S.COMPLETION_REQUESTED,
        (_S.SUBMITTED, _A.PASS_FORMAL): _S.IN_EVALUATION,
        (_S.SUBMITTED, _A.FAIL_FORMAL): _S.REJECTED,
        (_S.SUBMITTED, _A.WITHDRAW): _S.WITHDRAWN,
        (_S.COMPLETION_REQUESTED, _A.RESUBMIT): _S.SUBMITTED,
        (_S.COMPLETION_REQUESTED, _A.COMPLETION_EXPIRED): _S.REJECTED,
        (_S.COMPLETION_REQUESTED, _A.WITHDRAW): _S.WITHDRAWN,
        (_S.IN_EVALUATION, _A.ADVANCE): _S.IN_EVALUATION,
        (_S.IN_EVALUATION, _A.COMPLETE): _S.EVALUATED,
        (_S.IN_EVALUATION, _A.FAIL_GATE): _S.REJECTED,
        (_S.IN_EVALUATION, _A.WITHDRAW): _S.WITHDRAWN,
        (_S.EVALUATED, _A.GRANT): _S.GRANTED,
        (_S.EVALUATED, _A.NOT_GRANT): _S.NOT_GRANTED,
    },
    state_labels={
        _S.DRAFT: N_("a draft"),
        _S.SUBMITTED: N_("submitted"),
        _S.COMPLETION_REQUESTED: N_("waiting for completion"),
        _S.IN_EVALUATION: N_("in evaluation"),
        _S.EVALUATED: N_("evaluated"),
        _S.REJECTED: N_("rejected"),
        _S.GRANTED: N_("granted the status"),
        _S.NOT_GRANTED: N_("not granted the status"),
        _S.WITHDRAWN: N_("withdrawn"),
    },
    action_labels={
        _A.SUBMIT: N_("submit the application"),
        _A.REQUEST_COMPLETION: N_("request completion"),
        _A.RESUBMIT: N_("submit the completed application"),
        _A.COMPLETION_EXPIRED: N_("close an overdue completion"),
        _A.PASS_FORMAL: N_("pass the formal evaluation"),
        _A.FAIL_FORMAL: N_("fail the formal evaluation"),
        _A.ADVANCE: N_("move to the next stage"),
        _A.COMPLETE: N_("complete the evaluation"),
        _A.FAIL_GATE: N_("reject below the stage threshold"),
        _A.GRANT: N_("grant the status"),
        _A.NOT_GRANT: N_("refuse the status"),
        _A.WITHDRAW: N_("withdraw the application"),
    },
)

# States in which the coordinator may still edit the application (all of it, or the named items).
EDITABLE_STATES = frozenset({_S.DRAFT, _S.COMPLETION_REQUESTED})
# States that end the application's way through the competition.
FINAL_STATES = frozenset({_S.REJECTED, _S.GRANTED, _S.NOT_GRANTED, _S.WITHDRAWN})
# States in which an application still waits for its evaluation to finish.
UNDER_EVALUATION_STATES = frozenset({_S.SUBMITTED, _S.COMPLETION_REQUESTED, _S.IN_EVALUATION})
