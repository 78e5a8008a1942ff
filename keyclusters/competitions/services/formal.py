"""The formal stage: eligibility, requests to complete, pass and fail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain.lifecycle import (
    APPLICATION,
    ApplicationAction,
    ApplicationState,
)
from keyclusters.domain.rulebook import evaluate_eligibility

from ..models import (
    Application,
    Call,
    StageResult,
)
from .base import (
    WARSAW,
    CompetitionError,
    _locked,
    _record_stage,
    _transition,
    latest_revision,
    refused,
)
from .stages import _enter_stage, stage_after

# -- formal evaluation ------------------------------------------------------------------------


def formal_assessment(application: Application):
    """The automatic eligibility result on the latest frozen revision."""
    revision = latest_revision(application)
    rulebook = application.call.rulebook.parsed()
    return evaluate_eligibility(rulebook, revision.data if revision else application.data)


def completion_days(application: Application) -> int:
    """How many days the coordinator gets to complete (the formal stage's rule, else 7)."""
    stage = application.call.rulebook.parsed().stage(application.stage)
    return stage.completion_days if stage.completion_days is not None else 7


def completion_deadline(application: Application, now=None) -> dt.datetime:
    """The end (23:59:59 Warsaw time) of the last day to complete, asked for ``now``."""
    now = now or timezone.now()
    local_day = timezone.localtime(now, WARSAW).date() + dt.timedelta(
        days=completion_days(application)
    )
    return dt.datetime.combine(local_day, dt.time(23, 59, 59), tzinfo=WARSAW)


@transaction.atomic
def request_completion(
    *, application: Application, items: list[str], note: str, by: User, now=None
) -> Application:
    now = now or timezone.now()
    application = _locked(application)
    rulebook = application.call.rulebook.parsed()
    stage = rulebook.stage(application.stage)
    if stage.kind != "formal":
        raise CompetitionError(_("A request to complete belongs to the formal stage."))
    known = {spec.id for spec in rulebook.fields if spec.source != "registry"}
    unknown = [item for item in items if item not in known]
    if not items or unknown:
        raise CompetitionError({"items": [_("Name the items to complete.")]})
    if application.completion_requests >= 1:
        raise CompetitionError(_("The rules allow one request to complete per application."))
    application.completion_deadline = completion_deadline(application, now)
    application.completion_items = list(items)
    application.completion_requests += 1
    _transition(
        application,
        ApplicationAction.REQUEST_COMPLETION,
        by=by,
        note={
            "items": list(items),
            "note": note,
            "deadline": application.completion_deadline.isoformat(),
        },
        notify="completion_requested",
    )
    return application


def overdue_completions(*, call: Call | None = None, now=None) -> QuerySet[Application]:
    """The applications whose deadline to complete has passed (of one call, or of all)."""
    overdue = Application.objects.filter(
        state=ApplicationState.COMPLETION_REQUESTED,
        completion_deadline__lt=now or timezone.now(),
    )
    return overdue.filter(call=call) if call is not None else overdue


@transaction.atomic
def expire_completions(*, call: Call | None = None, now=None, by: User | None = None) -> int:
    """Fail every application (of ``call``, or of every call) whose deadline to complete has
    passed; returns how many."""
    overdue = overdue_completions(call=call, now=now).select_for_update(no_key=True, of=("self",))
    count = 0
    for application in overdue:
        reasons = [_("The application was not completed by the deadline.")]
        application.outcome_reasons = reasons
        _record_stage(
            application, result=StageResult.Result.FAILED, details={"reasons": reasons}, by=by
        )
        _transition(
            application,
            ApplicationAction.COMPLETION_EXPIRED,
            by=by,
            note={"reasons": reasons},
            notify="formal_failed",
        )
        count += 1
    return count


def holder_refusal(application: Application, on: dt.date) -> str | None:
    """Why the application's cluster may not apply to a call restricted to holders of a status
    (the rulebook's ``applicants.holders``), in the reader's language; None when it may."""
    from django.utils.formats import date_format

    from keyclusters.domain.rulebook.applicants import holder_admissible
    from keyclusters.registry import holdings

    rule = application.call.rulebook.parsed().applicants
    if rule is None or rule.holders is None:
        return None
    days = holdings.last_valid_days(application.cluster_id, rule.holders.status_type)
    refusal = holder_admissible(days, rule, on=on)
    if refusal is None:
        return None
    params = {
        key: date_format(value, "SHORT_DATE_FORMAT") if isinstance(value, dt.date) else value
        for key, value in refusal.params.items()
    }
    return _(refusal.message_id) % params if params else _(refusal.message_id)


# the id stored beside the failed eligibility rules' ids when the applicants restriction refuses
NOT_A_HOLDER = "not-a-holder"


def failed_rule_ids(application: Application) -> list[str]:
    """The ids of the eligibility rules the application fails, then ``not-a-holder`` when the
    rulebook's ``applicants`` restriction refuses its cluster (stored with a negative formal
    outcome, beside the reasons written for the coordinator)."""
    ids = [outcome.rule_id for outcome in formal_assessment(application).failed]
    if holder_refusal(application, timezone.localtime(timezone.now(), WARSAW).date()):
        ids.append(NOT_A_HOLDER)
    return ids


def _require_formal_decision(application: Application, action: ApplicationAction) -> None:
    if application.state != ApplicationState.SUBMITTED:
        raise refused(APPLICATION.refusal(application.state, action))


@transaction.atomic
def pass_formal(
    *, application: Application, checklist: Mapping[str, bool] | None = None, by: User
) -> Application:
    application = _locked(application)
    _require_formal_decision(application, ApplicationAction.PASS_FORMAL)
    refusal = holder_refusal(application, timezone.localtime(timezone.now(), WARSAW).date())
    if refusal:
        raise CompetitionError(
            _("The application cannot pass: %(reason)s Fail it with this reason.")
            % {"reason": refusal}
        )
    assessment = formal_assessment(application)
    if not assessment.passed:
        raise CompetitionError(
            _("The automatic eligibility check fails; the application cannot pass: %(reasons)s")
            % {"reasons": "; ".join(assessment.reasons())}
        )
    application.formal_checklist = dict(checklist or {})
    _record_stage(
        application,
        result=StageResult.Result.PASSED,
        details={"checklist": application.formal_checklist},
        by=by,
    )
    next_stage = stage_after(application, application.stage)
    _transition(
        application,
        ApplicationAction.PASS_FORMAL,
        by=by,
        notify="formal_passed",
        stage=next_stage or application.stage,
    )
    if next_stage is None:
        _transition(application, ApplicationAction.COMPLETE, by=by)
    else:
        _enter_stage(application, next_stage, by=by)
    return application


@transaction.atomic
def fail_formal(*, application: Application, reasons: list[str], by: User) -> Application:
    application = _locked(application)
    _require_formal_decision(application, ApplicationAction.FAIL_FORMAL)
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise CompetitionError({"reasons": [_("Give the reasons of the negative outcome.")]})
    application.outcome_reasons = reasons
    details = {"reasons": reasons, "reason_ids": failed_rule_ids(application)}
    _record_stage(application, result=StageResult.Result.FAILED, details=details, by=by)
    _transition(
        application,
        ApplicationAction.FAIL_FORMAL,
        by=by,
        note={"reasons": reasons},
        notify="formal_failed",
    )
    return application
