"""Every write of the competitions app: rulebooks, calls, applications, the formal stage, the
stages after it and the decision's outcome for each application.

Each state change asks the lifecycle tables of ``keyclusters.domain.lifecycle`` (transitions
and guards) under a row lock, saves, writes the audit trail and notifies the coordinators.
Other apps call the names exported here, never the modules' underscored helpers.
"""

from .applications import (
    editable_fields,
    record_document_access,
    revision_sha256,
    save_application_data,
    start_application,
    submit_application,
)
from .base import CompetitionError, latest_revision, refusal_message
from .calls import (
    call_actions,
    change_call_state,
    create_call,
    decide_call,
    locked_call,
    store_rulebook,
)
from .formal import (
    completion_days,
    completion_deadline,
    expire_completions,
    fail_formal,
    formal_assessment,
    holder_refusal,
    overdue_completions,
    pass_formal,
    request_completion,
)
from .outcomes import decide_application
from .stages import (
    complete_scored_stage,
    locked_application,
    move_scored_stage,
    scored_stage_state,
    stage_after,
)

__all__ = [
    "CompetitionError",
    "call_actions",
    "change_call_state",
    "complete_scored_stage",
    "completion_days",
    "completion_deadline",
    "create_call",
    "decide_application",
    "decide_call",
    "editable_fields",
    "expire_completions",
    "fail_formal",
    "formal_assessment",
    "overdue_completions",
    "latest_revision",
    "locked_application",
    "locked_call",
    "move_scored_stage",
    "holder_refusal",
    "pass_formal",
    "record_document_access",
    "refusal_message",
    "request_completion",
    "revision_sha256",
    "save_application_data",
    "scored_stage_state",
    "stage_after",
    "start_application",
    "store_rulebook",
    "submit_application",
]
