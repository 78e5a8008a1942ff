"""The coordinator's side: starting, editing and submitting an application."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain import documents as document_rules
from keyclusters.domain.lifecycle import (
    ApplicationAction,
    ApplicationState,
)
from keyclusters.domain.rulebook.values import ValueInvalid, coerce_value
from keyclusters.registry import uploads
from keyclusters.registry.models import Cluster

from ..models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationRevision,
    Call,
    DocumentAccess,
)
from ..registry_values import member_list, registry_values
from .base import (
    WARSAW,
    CompetitionError,
    _jsonable,
    _locked,
    _require_coordinator,
    _transition,
)
from .formal import holder_refusal

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
    accepted_files = []
    for field_id, (name, content) in (files or {}).items():
        if field_id not in allowed:
            errors.setdefault(field_id, []).append(_("This item cannot be changed now."))
            continue
        try:
            kind = document_rules.check_document(content, max_bytes=uploads.limit("documents"))
        except document_rules.DocumentRefused as exc:
            errors.setdefault(field_id, []).append(_(exc.message_id) % exc.params)
            continue
        accepted_files.append((field_id, name, content, kind))
    if errors:
        raise CompetitionError(errors)
    for field_id, name, content, kind in accepted_files:
        _set_aside(application, field_id)
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


def _set_aside(application: Application, field_id: str) -> None:
    """The field's current document gives way to a new one. It is kept (marked replaced) while a
    revision names its hash, since that is the file the evaluators judged; otherwise the row goes
    now and its file once the transaction commits."""
    current = ApplicationDocument.objects.filter(
        application=application, field_id=field_id, replaced_at__isnull=True
    ).first()
    if current is None:
        return
    judged = any(
        entry.get("sha256") == current.sha256
        for documents in application.revisions.values_list("documents", flat=True)
        for entry in documents
        if entry.get("field") == field_id
    )
    if judged:
        current.replaced_at = timezone.now()
        current.save(update_fields=["replaced_at"])
        return
    storage, name = current.file.storage, current.file.name
    current.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _freeze(application: Application, *, stage: str, on: dt.date) -> ApplicationRevision:
    """Compute the registry values and freeze the application with its member list."""
    rulebook = application.call.rulebook.parsed()
    members = member_list(application.cluster, on)
    registry_ids = [spec.id for spec in rulebook.fields if spec.source == "registry"]
    values = registry_values(
        application.cluster, on, registry_ids, members, counting=rulebook.counting
    )
    data = {**application.data, **values}
    number = application.revisions.count() + 1
    return ApplicationRevision.objects.create(
        application=application,
        stage=stage,
        number=number,
        data={key: _jsonable(value) for key, value in data.items()},
        members=members,
        documents=[
            {"field": d.field_id, "name": d.original_name, "sha256": d.sha256, "size": d.size}
            for d in application.documents.filter(replaced_at__isnull=True).order_by("field_id")
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
    # The call's lock first (the order every service of a call keeps): it guards the call's
    # sequence of application numbers.
    call = Call.objects.select_for_update(no_key=True, of=("self",)).get(pk=application.call_id)
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
    refusal = holder_refusal(application, timezone.localtime(now, WARSAW).date())
    if refusal:
        raise CompetitionError(refusal)
    application.submitted_at = now
    if not application.number:
        application.number = _next_number(call)
    first_stage = application.call.rulebook.parsed().stages[0].id
    _freeze(application, stage=first_stage, on=timezone.localtime(now, WARSAW).date())
    _transition(application, ApplicationAction.SUBMIT, by=by, notify="submitted", stage=first_stage)
    return application


def _next_number(call: Call) -> str:
    """The call's next application number (the caller holds the call's lock): KKK, the year
    the call opens (Warsaw time), the call and the sequence within the call."""
    call.numbers_issued += 1
    call.save(update_fields=["numbers_issued"])
    year = timezone.localtime(call.opens_at, WARSAW).year
    return f"KKK/{year}/{call.pk}/{call.numbers_issued:04d}"


def revision_sha256(revision: ApplicationRevision) -> str:
    """The hash of a frozen revision: SHA-256 of its canonical JSON (stage, number, the date of
    the member list, data, members and documents, keys sorted, UTF-8)."""
    canonical = json.dumps(
        {
            "application": revision.application_id,
            "stage": revision.stage,
            "number": revision.number,
            "as_of": revision.as_of.isoformat()
            if hasattr(revision.as_of, "isoformat")
            else str(revision.as_of),
            "data": revision.data,
            "members": revision.members,
            "documents": revision.documents,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def record_document_access(*, document: ApplicationDocument, by: User | None) -> DocumentAccess:
    """Write down that ``by`` opened ``document`` (every download of an application's file)."""
    return DocumentAccess.objects.create(
        application_id=document.application_id,
        field_id=document.field_id,
        original_name=document.original_name,
        sha256=document.sha256,
        user=by if by is not None and by.is_authenticated else None,
    )


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
