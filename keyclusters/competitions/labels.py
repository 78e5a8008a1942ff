"""People's words for the workflow's codes (states, actions, stage kinds)."""

from django.utils.translation import gettext_lazy as _

APPLICATION_STATES = {
    "draft": _("draft"),
    "submitted": _("submitted"),
    "completion-requested": _("completion requested"),
    "in-evaluation": _("in evaluation"),
    "evaluated": _("evaluated"),
    "rejected": _("rejected"),
    "granted": _("granted"),
    "not-granted": _("not granted"),
    "withdrawn": _("withdrawn"),
}

ACTIONS = {
    "create": _("started"),
    "submit": _("submitted"),
    "request-completion": _("asked to complete"),
    "resubmit": _("submitted after completion"),
    "completion-expired": _("not completed in time"),
    "pass-formal": _("passed the formal evaluation"),
    "fail-formal": _("failed the formal evaluation"),
    "advance": _("moved to the next stage"),
    "complete": _("completed every stage"),
    "fail-gate": _("below the stage threshold"),
    "grant": _("status granted"),
    "not-grant": _("status not granted"),
    "withdraw": _("withdrawn"),
}

# A call's history: what a person did, keyed by the state the call entered ("created" for the
# first record).
CALL_EVENTS = {
    "created": _("created the call"),
    "draft": _("put the call back in preparation"),
    "open": _("opened the call"),
    "closed": _("closed the call"),
    "evaluating": _("started the final evaluation"),
    "decided": _("recorded the decision"),
}

STAGE_KINDS = {
    "formal": _("Formal evaluation"),
    "expert": _("Merit evaluation"),
    "parametric": _("Parametric evaluation"),
    "panel": _("Expert Panel"),
}
