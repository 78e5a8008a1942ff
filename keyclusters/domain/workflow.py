"""Allowed state changes of calls and applications, written as data.

Services look up ``(state, action)`` here and refuse anything the table does not list, so the
workflow can be read (and changed) in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .i18n import N_


class CallState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    EVALUATING = "evaluating"
    DECIDED = "decided"


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


class CallAction(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    START_EVALUATION = "start-evaluation"
    DECIDE = "decide"


S = ApplicationState
A = ApplicationAction

APPLICATION_TRANSITIONS: dict[tuple[ApplicationState, ApplicationAction], ApplicationState] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.REQUEST_COMPLETION): S.COMPLETION_REQUESTED,
    (S.SUBMITTED, A.PASS_FORMAL): S.IN_EVALUATION,
    (S.SUBMITTED, A.FAIL_FORMAL): S.REJECTED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.COMPLETION_REQUESTED, A.RESUBMIT): S.SUBMITTED,
    (S.COMPLETION_REQUESTED, A.COMPLETION_EXPIRED): S.REJECTED,
    (S.COMPLETION_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_EVALUATION, A.ADVANCE): S.IN_EVALUATION,
    (S.IN_EVALUATION, A.COMPLETE): S.EVALUATED,
    (S.IN_EVALUATION, A.FAIL_GATE): S.REJECTED,
    (S.IN_EVALUATION, A.WITHDRAW): S.WITHDRAWN,
    (S.EVALUATED, A.GRANT): S.GRANTED,
    (S.EVALUATED, A.NOT_GRANT): S.NOT_GRANTED,
}

CALL_TRANSITIONS: dict[tuple[CallState, CallAction], CallState] = {
    (CallState.DRAFT, CallAction.OPEN): CallState.OPEN,
    (CallState.OPEN, CallAction.CLOSE): CallState.CLOSED,
    (CallState.CLOSED, CallAction.START_EVALUATION): CallState.EVALUATING,
    (CallState.EVALUATING, CallAction.DECIDE): CallState.DECIDED,
}

# States in which the coordinator may still edit the application (all of it, or the named items).
EDITABLE_STATES = frozenset({S.DRAFT, S.COMPLETION_REQUESTED})
# States that end the application's way through the competition.
FINAL_STATES = frozenset({S.REJECTED, S.GRANTED, S.NOT_GRANTED, S.WITHDRAWN})


@dataclass(frozen=True)
class TransitionRefused(Exception):
    state: str
    action: str

    def __str__(self) -> str:
        return N_("Not allowed: %(action)s in state %(state)s") % {
            "action": self.action,
            "state": self.state,
        }


def next_application_state(state: str, action: str) -> ApplicationState:
    try:
        return APPLICATION_TRANSITIONS[(ApplicationState(state), ApplicationAction(action))]
    except (KeyError, ValueError):
        raise TransitionRefused(state, action) from None


def next_call_state(state: str, action: str) -> CallState:
    try:
        return CALL_TRANSITIONS[(CallState(state), CallAction(action))]
    except (KeyError, ValueError):
        raise TransitionRefused(state, action) from None
