"""Moving an application through the stages of its rulebook after the formal one."""

from __future__ import annotations

from django.db import transaction

from keyclusters.accounts.models import User
from keyclusters.domain.rulebook import score_parametric
from keyclusters.domain.rulebook.comparison import compare
from keyclusters.domain.workflow import ApplicationAction

from .models import Application, ApplicationRevision, StageResult


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


@transaction.atomic
def enter_stage(application: Application, stage_id: str, *, by: User | None) -> None:
    from .services.base import _record_stage, _transition

    rulebook = application.call.rulebook.parsed()
    stage = rulebook.stage(stage_id)
    revision = _stage_revision(application, stage_id)
    if stage.kind != "parametric":
        return  # expert and panel stages wait for their score sheets
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
    if not passed:
        _transition(application, ApplicationAction.FAIL_GATE, by=by, notify="gate_failed")
        return
    following = stage_after(application, stage_id)
    if following is None:
        _transition(application, ApplicationAction.COMPLETE, by=by)
        return
    _transition(application, ApplicationAction.ADVANCE, by=by, stage=following)
    enter_stage(application, following, by=by)
