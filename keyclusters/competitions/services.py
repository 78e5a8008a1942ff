"""Every write of the competitions app: rulebooks, calls, applications and the formal stage.

Each state change goes through ``_transition``, which checks the transition table of
``keyclusters.domain.workflow``, saves, writes the audit trail and notifies the coordinators.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain import documents as document_rules
from keyclusters.domain.rulebook import evaluate_eligibility, load_rulebook
from keyclusters.domain.rulebook.values import ValueInvalid, coerce_value
from keyclusters.domain.workflow import (
    ApplicationAction,
    ApplicationState,
    CallAction,
    TransitionRefused,
    next_application_state,
    next_call_state,
)
from keyclusters.registry.models import Cluster

from . import stages
from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationRevision,
    Call,
    StageResult,
    StoredRulebook,
)
from .notifications import notify_coordinators
from .registry_values import REGISTRY_FIELDS, member_list, registry_values
from .rules import can_manage_application

WARSAW = ZoneInfo("Europe/Warsaw")


class CompetitionError(ValidationError):
    """A refused action; ``message_dict`` (field -> messages) where it concerns fields."""


# -- rulebooks --------------------------------------------------------------------------------


def store_rulebook(*, source: str, by: User | None = None) -> StoredRulebook:
    """Validate and store a rulebook; once frozen, the same id and version must not change."""
    rulebook = load_rulebook(source)  # raises RulebookInvalid with every error and its path
    if getattr(rulebook, "kind", None) != "status-competition":
        raise CompetitionError(
            _(
                "Only status-competition rulebooks are stored with calls; benchmarking frameworks "
                "belong to benchmarking editions."
            )
        )
    unknown = [
        f"fields[{i}].id: {_('the registry cannot compute %(id)s') % {'id': spec.id}}"
        for i, spec in enumerate(rulebook.fields)
        if spec.source == "registry" and spec.id not in REGISTRY_FIELDS
    ]
    if unknown:
        raise CompetitionError(unknown)
    existing = StoredRulebook.objects.filter(
        rulebook_id=rulebook.id, version=rulebook.version
    ).first()
    if existing is not None:
        if existing.sha256 == rulebook.sha256:
            return existing
        if existing.frozen_at is not None:
            raise CompetitionError(
                _(
                    "Rulebook %(id)s version %(version)s is frozen because a call using it has "
                    "opened; store the change as a new version."
                )
                % {"id": rulebook.id, "version": rulebook.version}
            )
        existing.source, existing.sha256 = rulebook.source, rulebook.sha256
        existing.title = dict(rulebook.title or {})
        existing._history_user = by
        existing.save()
        return existing
    stored = StoredRulebook(
        rulebook_id=rulebook.id,
        version=rulebook.version,
        kind=rulebook.kind,
        title=dict(rulebook.title or {}),
        source=rulebook.source,
        sha256=rulebook.sha256,
    )
    stored._history_user = by
    stored.save()
    return stored


# -- calls ------------------------------------------------------------------------------------


@transaction.atomic
def create_call(
    *,
    name: str,
    rulebook: StoredRulebook,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    decision_on: dt.date | None = None,
    by: User | None = None,
) -> Call:
    if rulebook.kind != "status-competition":
        raise CompetitionError({"rulebook": [_("A call needs a status-competition rulebook.")]})
    if closes_at <= opens_at:
        raise CompetitionError({"closes_at": [_("A call must close after it opens.")]})
    call = Call(
        name=name,
        rulebook=rulebook,
        opens_at=opens_at,
        closes_at=closes_at,
        decision_on=decision_on,
    )
    call._history_user = by
    call.save()
    return call


@transaction.atomic
def change_call_state(*, call: Call, action: str, by: User | None = None) -> Call:
    try:
        call.state = next_call_state(call.state, action).value
    except TransitionRefused as exc:
        raise CompetitionError(
            _("Not allowed: %(action)s in state %(state)s")
            % {"action": exc.action, "state": exc.state}
        ) from exc
    if action == CallAction.OPEN and call.rulebook.frozen_at is None:
        call.rulebook.frozen_at = timezone.now()
        call.rulebook._history_user = by
        call.rulebook.save(update_fields=["frozen_at"])
    call._history_user = by
    call.save(update_fields=["state"])
    return call


# -- transitions ------------------------------------------------------------------------------


def _transition(
    application: Application,
    action: ApplicationAction,
    *,
    by: User | None,
    note: Mapping[str, Any] | None = None,
    notify: str | None = None,
    stage: str | None = None,
) -> None:
    before = application.state
    try:
        application.state = next_application_state(before, action).value
    except TransitionRefused as exc:
        raise CompetitionError(
            _("Not allowed: %(action)s in state %(state)s")
            % {"action": exc.action, "state": exc.state}
        ) from exc
    if stage is not None:
        application.stage = stage
    application._history_user = by
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        action=action.value,
        from_state=before,
        to_state=application.state,
        stage=application.stage,
        actor=by,
        note=dict(note or {}),
    )
    if notify:
        transaction.on_commit(
            lambda: notify_coordinators(application, event=notify, context=dict(note or {}))
        )


def _locked(application: Application) -> Application:
    """The application as stored now, locked until the end of the transaction."""
    return (
        Application.objects.select_for_update()
        .select_related("call__rulebook", "cluster")
        .get(pk=application.pk)
    )


def _require_coordinator(application: Application, by: User) -> None:
    if not can_manage_application(by, application):
        raise PermissionDenied


# -- the coordinator's side -------------------------------------------------------------------


@transaction.atomic
def start_application(
    *, call: Call, cluster: Cluster, by: User, kind: str = Application.Kind.NEW, now=None
) -> Application:
    now = now or timezone.now()
    probe = Application(call=call, cluster=cluster)
    _require_coordinator(probe, by)
    if not call.accepts_submissions(now):
        raise CompetitionError(_("The call is not open for applications."))
    if Application.objects.filter(call=call, cluster=cluster).exists():
        raise CompetitionError(_("This cluster already has an application in this call."))
    application = Application(call=call, cluster=cluster, kind=kind, created_by=by)
    application._history_user = by
    application.save()
    ApplicationEvent.objects.create(
        application=application, action="create", from_state="", to_state="draft", actor=by
    )
    return application


def editable_fields(application: Application) -> list[str]:
    """The applicant fields the coordinator may change now."""
    rulebook = application.call.rulebook.parsed()
    applicant = [spec.id for spec in rulebook.fields if spec.source != "registry"]
    if application.state == ApplicationState.DRAFT:
        return applicant
    if application.state == ApplicationState.COMPLETION_REQUESTED:
        return [f for f in applicant if f in application.completion_items]
    return []


@transaction.atomic
def save_application_data(
    *,
    application: Application,
    values: Mapping[str, object],
    files: Mapping[str, tuple[str, bytes]] | None = None,
    by: User,
    now=None,
) -> Application:
    """Save a draft (or the items named in a request to complete); documents are checked."""
    _require_coordinator(application, by)
    now = now or timezone.now()
    application = _locked(application)
    allowed = set(editable_fields(application))
    if not allowed:
        raise CompetitionError(_("The application cannot be changed in its present state."))
    if application.state == ApplicationState.COMPLETION_REQUESTED and (
        application.completion_deadline and now > application.completion_deadline
    ):
        raise CompetitionError(_("The deadline to complete the application has passed."))
    rulebook = application.call.rulebook.parsed()
    errors: dict[str, list[str]] = {}
    data = dict(application.data)
    for field_id, raw in values.items():
        if field_id not in allowed:
            errors.setdefault(field_id, []).append(_("This item cannot be changed now."))
            continue
        spec = rulebook.field_spec(field_id)
        if spec.type == "document":
            continue
        try:
            value = coerce_value(spec, raw if raw != "" else None)
        except ValueInvalid as exc:
            errors.setdefault(field_id, []).append(_(exc.reason))
            continue
        data[field_id] = _jsonable(value)
    uploads = []
    for field_id, (name, content) in (files or {}).items():
        if field_id not in allowed:
            errors.setdefault(field_id, []).append(_("This item cannot be changed now."))
            continue
        try:
            kind = document_rules.check_document(content)
        except document_rules.DocumentRefused as exc:
            errors.setdefault(field_id, []).append(_(exc.message_id) % exc.params)
            continue
        uploads.append((field_id, name, content, kind))
    if errors:
        raise CompetitionError(errors)
    for field_id, name, content, kind in uploads:
        ApplicationDocument.objects.filter(application=application, field_id=field_id).delete()
        document = ApplicationDocument(
            application=application,
            field_id=field_id,
            original_name=name[:255],
            content_kind=kind,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        document.file.save(name, ContentFile(content), save=False)
        document.save()
        data[field_id] = {"document": name, "sha256": document.sha256, "kind": kind}
    application.data = data
    application._history_user = by
    application.save(update_fields=["data"])
    return application


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


def _freeze(application: Application, *, stage: str, on: dt.date) -> ApplicationRevision:
    """Compute the registry values and freeze the application with its member list."""
    rulebook = application.call.rulebook.parsed()
    members = member_list(application.cluster, on)
    registry_ids = [spec.id for spec in rulebook.fields if spec.source == "registry"]
    data = {**application.data, **registry_values(application.cluster, on, registry_ids, members)}
    number = application.revisions.count() + 1
    return ApplicationRevision.objects.create(
        application=application,
        stage=stage,
        number=number,
        data={key: _jsonable(value) for key, value in data.items()},
        members=members,
        documents=[
            {"field": d.field_id, "name": d.original_name, "sha256": d.sha256, "size": d.size}
            for d in application.documents.order_by("field_id")
        ],
        as_of=on,
    )


def _missing_required(application: Application) -> dict[str, list[str]]:
    rulebook = application.call.rulebook.parsed()
    return {
        spec.id: [_("This item is required.")]
        for spec in rulebook.fields
        if spec.required
        and spec.source != "registry"
        and application.data.get(spec.id) in (None, "")
    }


@transaction.atomic
def submit_application(*, application: Application, by: User, now=None) -> Application:
    _require_coordinator(application, by)
    now = now or timezone.now()
    application = _locked(application)
    if application.state == ApplicationState.COMPLETION_REQUESTED:
        return _resubmit(application, by=by, now=now)
    if not application.call.accepts_submissions(now):
        raise CompetitionError(
            _("The call closed on %(closes)s; the application can no longer be submitted.")
            % {
                "closes": timezone.localtime(application.call.closes_at, WARSAW).strftime(
                    "%Y-%m-%d %H:%M"
                )
            }
        )
    missing = _missing_required(application)
    if missing:
        raise CompetitionError(missing)
    application.submitted_at = now
    first_stage = application.call.rulebook.parsed().stages[0].id
    _freeze(application, stage=first_stage, on=timezone.localtime(now, WARSAW).date())
    _transition(application, ApplicationAction.SUBMIT, by=by, notify="submitted", stage=first_stage)
    return application


def _resubmit(application: Application, *, by: User, now: dt.datetime) -> Application:
    if application.completion_deadline and now > application.completion_deadline:
        raise CompetitionError(_("The deadline to complete the application has passed."))
    missing = _missing_required(application)
    if missing:
        raise CompetitionError(missing)
    _freeze(application, stage=application.stage, on=timezone.localtime(now, WARSAW).date())
    application.completion_items = []
    _transition(application, ApplicationAction.RESUBMIT, by=by, notify="resubmitted")
    return application


# -- formal evaluation ------------------------------------------------------------------------


def latest_revision(application: Application) -> ApplicationRevision | None:
    return application.revisions.order_by("-number").first()


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
    overdue = Application.objects.select_for_update().filter(
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


def _record_stage(
    application: Application,
    *,
    result: str,
    details: dict,
    points=None,
    max_points=None,
    by: User | None = None,
    revision: ApplicationRevision | None = None,
) -> StageResult:
    stage_result, _created = StageResult.objects.update_or_create(
        application=application,
        stage=application.stage,
        defaults={
            "result": result,
            "points": points,
            "max_points": max_points,
            "details": details,
            "rulebook_sha256": application.call.rulebook.sha256,
            "revision": revision or latest_revision(application),
            "decided_by": by,
            "decided_at": timezone.now(),
        },
    )
    return stage_result


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
    next_stage = stages.stage_after(application, application.stage)
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
        stages.enter_stage(application, next_stage, by=by)
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
