"""Every write of the competitions app: rulebooks, calls, applications and the formal stage.

Each state change goes through ``base._transition``, which checks the transition table of
``keyclusters.domain.workflow``, saves, writes the audit trail and notifies the coordinators.
"""

from .applications import (
    editable_fields,
    save_application_data,
    start_application,
    submit_application,
)
from .base import CompetitionError, latest_revision
from .calls import change_call_state, create_call, store_rulebook
from .formal import (
    expire_completions,
    fail_formal,
    formal_assessment,
    pass_formal,
    request_completion,
)

__all__ = [
    "CompetitionError",
    "change_call_state",
    "create_call",
    "editable_fields",
    "expire_completions",
    "fail_formal",
    "formal_assessment",
    "latest_revision",
    "pass_formal",
    "request_completion",
    "save_application_data",
    "start_application",
    "store_rulebook",
    "submit_application",
]
