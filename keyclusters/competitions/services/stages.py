"""The stages of an application after the formal one, and the lifecycle of a scored stage.

The competitions app owns applications and their stage results. The evaluation app decides
when a scored (expert or panel) stage moves, from its score sheets, and asks these services
to write it: :func:`move_scored_stage` (a divergence, a reopened sheet) and
:func:`complete_scored_stage` (the stage's points, then the application passes or fails).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain.lifecycle import (
    SCORED_STAGE,
    ApplicationAction,
    ApplicationState,
    StageAction,
    StageState,
    TransitionRefused,
)
from keyclusters.domain.rulebook import score_parametric
from keyclusters.domain.rulebook.comparison import compare

from ..models import Application, ApplicationRevision, StageResult
from .base import CompetitionError, _locked, _record_stage, _transition, refused


def stage_after(application: Application, stage_id: str) -> str | None:
    ids = [stage.id for stage in application.call.rulebook.parsed().stages]
    position = ids.index(stage_id)
    return ids[position + 1] if position + 1 < len(ids) else None


def _stage_revision(application: Application, stage_id: str) -> ApplicationRevision:
    """A copy of the submitted revision labelled with the stage it enters: the data a stage
    works from never changes afterwards, whatever happens to the registry."""
    latest = application.revisions.order_by("-number").first()
    return ApplicationRevision.objects.create(
        application=application,
        stage=stage_id,
        number=latest.number + 1,
        data=latest.data,
        members=latest.members,
        documents=latest.documents,
        as_of=latest.as_of,
    )


def _enter_stage(application: Application, stage_id: str, *, by: User | None) -> None:
    """The application (locked by the caller) enters ``stage_id``: a parametric stage is
    scored at once; a stage scored by experts (expert and panel stages, a parametric stage with
    ``scored_by: experts``) starts collecting score sheets (its result is pending)."""
    rulebook = application.call.rulebook.parsed()
    stage = rulebook.stage(stage_id)
    revision = _stage_revision(application, stage_id)
    if stage.kind != "parametric" or stage.scored_by_experts:
        _record_stage(
            application,
            result=StageResult.Result.PENDING,
            state=StageState.COLLECTING,
            details={},
            max_points=rulebook.stage_maximum(stage_id),
            by=by,
            revision=revision,
        )
        return
    result = score_parametric(rulebook, revision.data, stage=stage_id)
    details = {
        "criteria": [
            {
                "criterion": score.criterion_id,
                "area": score.area_id,
                "points": str(score.points),
                "max": str(score.max),
                "explanation": score.explanation.as_dict(),
                "sentence": score.explanation.sentence,
                "message_id": score.explanation.message_id,
                "params": {k: str(v) for k, v in score.explanation.params.items()},
            }
            for score in result.criteria
        ],
        "rulebook": {"id": rulebook.id, "version": rulebook.version, "sha256": rulebook.sha256},
    }
    passed = stage.gate is None or compare(stage.gate.op, result.total, stage.gate.value)
    if stage.gate is not None:
        details["gate"] = {"op": stage.gate.op, "value": str(stage.gate.value)}
    _record_stage(
        application,
        result=StageResult.Result.PASSED if passed else StageResult.Result.FAILED,
        details=details,
        points=result.total,
        max_points=result.max,
        by=by,
        revision=revision,
    )
    _leave_stage(application, stage_id, passed=passed, by=by)


def _leave_stage(application: Application, stage_id: str, *, passed: bool, by) -> None:
    if not passed:
        _transition(application, ApplicationAction.FAIL_GATE, by=by, notify="gate_failed")
        return
    following = stage_after(application, stage_id)
    if following is None:
        _transition(application, ApplicationAction.COMPLETE, by=by)
        return
    _transition(application, ApplicationAction.ADVANCE, by=by, stage=following)
    _enter_stage(application, following, by=by)


# -- the scored stage's lifecycle --------------------------------------------------------------


def scored_stage_state(application: Application, stage: str) -> StageState:
    """Where the scored stage is (a stage entered before results were written is collecting)."""
    state = (
        StageResult.objects.filter(application=application, stage=stage)
        .values_list("state", flat=True)
        .first()
    )
    return StageState(state) if state else StageState.COLLECTING


def locked_application(application: Application) -> Application:
    """The application as stored now, locked until the end of the transaction: every service
    that changes an application's stage or the sheets of its stage takes this lock first."""
    return _locked(application)


def _current_stage(application: Application, stage: str) -> None:
    if application.state != ApplicationState.IN_EVALUATION or application.stage != stage:
        raise CompetitionError(
            _("The application is no longer at this stage; nothing was changed.")
        )


@transaction.atomic
def move_scored_stage(
    *, application: Application, stage: str, action: StageAction, by: User | None
) -> StageState:
    """Move the application's scored ``stage`` by ``action`` (await a third expert or a
    consensus, collect again after a reopened sheet). Returns the new state."""
    application = _locked(application)
    _current_stage(application, stage)
    before = scored_stage_state(application, stage)
    try:
        after = SCORED_STAGE.next(before, action)
    except TransitionRefused as exc:
        raise refused(exc) from exc
    if after != before:
        _record_stage(
            application,
            result=StageResult.Result.PENDING,
            state=after,
            details={"awaiting": after.value},
            max_points=application.call.rulebook.parsed().stage_maximum(stage),
            by=by,
        )
    return after


@transaction.atomic
def complete_scored_stage(
    *,
    application: Application,
    stage: str,
    action: StageAction,
    points: Decimal,
    details: Mapping[str, Any],
    passed: bool,
    by: User | None,
) -> StageResult:
    """The scored ``stage`` is complete with ``points`` (``action`` is ``complete``, or
    ``record-consensus`` for an agreed score); the application then fails the stage's gate,
    moves to the next stage, or completes its evaluation."""
    application = _locked(application)
    _current_stage(application, stage)
    before = scored_stage_state(application, stage)
    try:
        SCORED_STAGE.next(before, action)
    except TransitionRefused as exc:
        raise refused(exc) from exc
    result = _record_stage(
        application,
        result=StageResult.Result.PASSED if passed else StageResult.Result.FAILED,
        state=StageState.COMPLETE,
        details=dict(details),
        points=points,
        max_points=application.call.rulebook.parsed().stage_maximum(stage),
        by=by,
    )
    _leave_stage(application, stage, passed=passed, by=by)
    return result
