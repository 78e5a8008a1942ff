"""The yearly report's states and the transitions allowed between them, as a table.

A report is opened as a ``draft`` (pre-filled from the registry), edited by the cluster's
coordinator and ``submitted``; an operator ``accept``\\ s it or ``return``\\ s it with a note,
after which the coordinator edits it again and resubmits. An accepted report is final.
"""

from __future__ import annotations

from enum import StrEnum


class ReportState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class ReportAction(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"


TRANSITIONS: dict[tuple[ReportState, ReportAction], ReportState] = {
    (ReportState.DRAFT, ReportAction.SUBMIT): ReportState.SUBMITTED,
    (ReportState.RETURNED, ReportAction.SUBMIT): ReportState.SUBMITTED,
    (ReportState.SUBMITTED, ReportAction.ACCEPT): ReportState.ACCEPTED,
    (ReportState.SUBMITTED, ReportAction.RETURN): ReportState.RETURNED,
}

# The coordinator edits the values in these states only.
EDITABLE = frozenset({ReportState.DRAFT, ReportState.RETURNED})
# Reminders and the overdue alert concern reports still waiting for the coordinator.
AWAITING_COORDINATOR = EDITABLE


def next_state(state: str, action: str) -> ReportState | None:
    """The state after ``action`` in ``state``, or ``None`` when the action is not allowed."""
    try:
        return TRANSITIONS.get((ReportState(state), ReportAction(action)))
    except ValueError:
        return None
