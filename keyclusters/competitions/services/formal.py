"""The formal stage: eligibility, requests to complete, pass and fail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain.lifecycle import (
    ApplicationAction,
    ApplicationState,
)
from keyclusters.domain.rulebook import evaluate_eligibility

from ..models import (
    Application,
    StageResult,
)
from .base import WARSAW, CompetitionError, _locked, _record_stage, _transition, latest_revision
from .stages import _enter_stage, stage_after

# -- formal evaluation ------------------------------------------------------------------------


def formal_assessment(application: Application):
    """The automatic eligibility result on the latest frozen revision."""
    revision = latest_revision(application)
    rulebook = application.call.rulebook.parsed()
    return evaluate_eligibility(rulebook, revision.data if revision else application.data)


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
    days = stage.completion_days if stage.completion_days is not None else 7
    local_day = timezone.localtime(now, WARSAW).date() + dt.timedelta(days=days)
    application.completion_deadline = dt.datetime.combine(
        local_day, dt.time(23, 59, 59), tzinfo=WARSAW
    )
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


@transaction.atomic
def expire_completions(*, now=None, by: User | None = None) -> int:
    """Fail every application whose deadline to complete has passed; returns how many."""
    now = now or timezone.now()
    overdue = Application.objects.select_for_update(no_key=True, of=("self",)).filter(
        state=ApplicationState.COMPLETION_REQUESTED, completion_deadline__lt=now
    )
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


def _require_formal_decision(application: Application) -> None:
    if application.state != ApplicationState.SUBMITTED:
        raise CompetitionError(
            _("Not allowed: %(action)s in state %(state)s")
            % {"action": "formal decision", "state": application.state}
        )


@transaction.atomic
def pass_formal(
    *, application: Application, checklist: Mapping[str, bool] | None = None, by: User
) -> Application:
    application = _locked(application)
    _require_formal_decision(application)
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
    _require_formal_decision(application)
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise CompetitionError({"reasons": [_("Give the reasons of the negative outcome.")]})
    application.outcome_reasons = reasons
    _record_stage(
        application, result=StageResult.Result.FAILED, details={"reasons": reasons}, by=by
    )
    _transition(
        application,
        ApplicationAction.FAIL_FORMAL,
        by=by,
        note={"reasons": reasons},
        notify="formal_failed",
    )
    return application
