"""Every write of the monitoring app: frameworks, the opening of yearly reports, the
coordinator's figures, submission, review and the reminders.

Each state change locks the report (``select_for_update``) inside one transaction, checks the
transition in the domain's table (:mod:`keyclusters.domain.monitoring.lifecycle`) and records
the person in the report's history. Bad input raises ``ValidationError`` naming the field and
writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.competitions.registry_values import member_list, registry_values
from keyclusters.domain.documents import ACCEPTED_KINDS, DocumentRefused, check_document
from keyclusters.domain.monitoring import (
    MonitoringFramework,
    MonitoringFrameworkError,
    ReportAction,
    ValueProblem,
    check_value,
    due_date,
    next_state,
    parse_monitoring_framework,
)
from keyclusters.domain.monitoring.framework import comparison_issues, shipped_application_fields
from keyclusters.domain.monitoring.lifecycle import AWAITING_COORDINATOR
from keyclusters.domain.rulebook import (
    RulebookInvalid,
    load_document,
    shipped_rulebook_path,
    source_sha256,
)
from keyclusters.private_files import save_checked
from keyclusters.registry import uploads
from keyclusters.registry.models import Cluster
from keyclusters.statuses.models import StatusGrant

from .models import ReportDocument, ReportReminder, StoredMonitoringFramework, YearlyReport

logger = logging.getLogger(__name__)

SHIPPED_FRAMEWORK = "monitoring-kkk"
# A report's documents: the kinds accepted (recognised by content), the size limit (that of an
# application's documents, settings.UPLOAD_LIMITS) and how many a report may have.
DOCUMENT_KINDS = (*ACCEPTED_KINDS, "odt", "ods")
UPLOAD_KIND = "documents"
MAX_DOCUMENTS = 10


class StaleReport(ValidationError):
    """A save prepared from an older version of the report: someone else saved meanwhile."""


class Upload(Protocol):
    """What the service needs of an uploaded file (Django's UploadedFile has it)."""

    name: str
    size: int

    def read(self, size: int = -1) -> bytes: ...


# --- frameworks --------------------------------------------------------------------------------


def store_framework(*, source: str | Path) -> StoredMonitoringFramework:
    """Store a framework file (a path or YAML text) with its hash; the same id and version
    must not differ. Raises ``ValidationError`` listing every problem with its path."""
    try:
        text, data = load_document(source)
        framework = parse_monitoring_framework(data)
    except RulebookInvalid as exc:
        raise ValidationError([str(e) for e in exc.errors]) from exc
    except MonitoringFrameworkError as exc:
        raise ValidationError(
            [f"{e.path}: {_(e.msgid) % dict(e.params) if e.params else _(e.msgid)}"
             for e in exc.errors]
        ) from exc  # fmt: skip
    fields = application_fields(framework.status_type)
    if fields:  # compared with fields the applications have (none known: nothing to check)
        problems = comparison_issues(framework, fields)
        if problems:
            raise ValidationError([f"{e.path}: {_(e.msgid) % dict(e.params)}" for e in problems])
    digest = source_sha256(text)
    stored, created = StoredMonitoringFramework.objects.get_or_create(
        framework_id=framework.id,
        version=framework.version,
        defaults={"source": text, "sha256": digest, "title": framework.title},
    )
    if not created and stored.sha256 != digest:
        raise ValidationError(
            _("Framework %(id)s version %(version)s is already stored with other content.")
            % {"id": framework.id, "version": framework.version}
        )
    return stored


def application_fields(status_type: str) -> set[str]:
    """The fields of the applications for ``status_type``: those of the shipped competition
    rulebooks and of the rulebooks stored here."""
    from keyclusters.competitions.models import StoredRulebook
    from keyclusters.domain.rulebook.model import Rulebook

    fields = shipped_application_fields(status_type)
    for stored in StoredRulebook.objects.only("sha256", "source"):
        parsed = stored.parsed
        if isinstance(parsed, Rulebook) and parsed.status.type == status_type:
            fields.update(spec.id for spec in parsed.fields)
    return fields


def store_shipped_framework() -> StoredMonitoringFramework:
    return store_framework(source=shipped_rulebook_path(SHIPPED_FRAMEWORK))


# --- opening the reports of a year ---------------------------------------------------------


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def holders_in(year: int, status_type: str) -> dict[int, StatusGrant]:
    """Each cluster holding a status of ``status_type`` valid on at least one day of ``year``,
    with the latest such grant."""
    first, last = dt.date(year, 1, 1), year_end(year)
    grants = (
        StatusGrant.objects.filter(
            status_type_id=status_type, valid_from__lte=last, valid_to__gte=first
        )
        .exclude(withdrawn_on__lte=first)
        .exclude(withdrawn_on__lte=F("valid_from"))
        .select_related("cluster", "call__rulebook")
        .order_by("cluster_id", "valid_from", "pk")
    )
    return {grant.cluster_id: grant for grant in grants}


def members_minimum(grant: StatusGrant, framework: MonitoringFramework) -> int | None:
    """The least number of members the round of the grant asked (its rulebook's eligibility
    rule on ``members_total``), else the framework's ``alerts.members_minimum``."""
    call = grant.call
    if call is not None and call.rulebook_id is not None:
        for rule in call.rulebook.parsed().eligibility:
            if rule.field == "members_total" and rule.op in (">=", ">"):
                value = int(Decimal(str(rule.value)))
                return value if rule.op == ">=" else value + 1
    return framework.alerts.members_minimum


def registry_figures(cluster: Cluster, year: int, framework: MonitoringFramework) -> dict[str, str]:
    """The registry's figures on 31 December of ``year``, by indicator id: a membership
    ending that day counts, one starting the next day does not."""
    on = year_end(year)
    members = member_list(cluster, on)
    wanted = [i.registry for i in framework.registry_indicators if i.registry]
    computed = registry_values(cluster, on, wanted, members)
    return {
        i.id: str(computed[i.registry])
        for i in framework.registry_indicators
        if i.registry in computed
    }


@dataclass(frozen=True)
class Opened:
    created: list[YearlyReport]
    existing: int


@transaction.atomic
def open_reports(
    *,
    year: int,
    framework: StoredMonitoringFramework,
    by: User | None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Opened:
    """A report on ``year`` for every holder of the framework's status that has none yet,
    pre-filled from the registry on 31 December. Only for a year that has ended. ``now``: the
    moment the history records (the demo's story opens them on its own days)."""
    today = today or timezone.localdate()
    if year >= today.year:
        raise ValidationError({"year": _("Reports can be opened only for a year that has ended.")})
    definition = framework.parsed
    holders = holders_in(year, definition.status_type)
    # Lock the holders' clusters: two operators opening the same year create each report once.
    list(Cluster.objects.select_for_update().filter(pk__in=list(holders)).order_by("pk"))
    existing = set(
        YearlyReport.objects.filter(year=year, cluster_id__in=list(holders)).values_list(
            "cluster_id", flat=True
        )
    )
    created = []
    for cluster_id, grant in holders.items():
        if cluster_id in existing:
            continue
        report = YearlyReport(
            cluster=grant.cluster,
            year=year,
            framework=framework,
            status_grant=grant,
            due_on=due_date(definition, year),
            registry_values=registry_figures(grant.cluster, year, definition),
            members_minimum=members_minimum(grant, definition),
        )
        report._history_user = by
        report._history_date = now or timezone.now()
        report._change_reason = "opened"
        report.save()
        created.append(report)
    return Opened(created=created, existing=len(existing))


# --- the coordinator -----------------------------------------------------------------------


def _locked(report: YearlyReport) -> YearlyReport:
    return (
        YearlyReport.objects.select_for_update()
        .select_related("cluster", "framework")
        .get(pk=report.pk)
    )


def _check_coordinator(report: YearlyReport, by: User) -> None:
    if not by.has_perm("monitoring.edit_report", report):
        raise PermissionDenied


def _message(problem: ValueProblem) -> str:
    return _(problem.msgid)


def _check_version(report: YearlyReport, version: int | None) -> None:
    if version is not None and version != report.version:
        raise StaleReport(
            _(
                "Someone else saved this report in the meantime; nothing was saved. Reload the "
                "page to see the report as it is now."
            ),
            code="stale",
        )


@transaction.atomic
def save_values(
    *,
    report: YearlyReport,
    values: dict[str, str],
    by: User,
    version: int | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> YearlyReport:
    """Store the coordinator's figures (every reported indicator; an empty value clears it).
    Refused unless the report is a draft or returned; every bad value is named and nothing is
    written. ``version``, when given, is the report's version the figures were edited from: an
    older one (someone saved since) raises :class:`StaleReport` and writes nothing. Each save
    raises the version."""
    report = _locked(report)
    _check_coordinator(report, by)
    if not report.editable:
        raise ValidationError(_("This report can no longer be changed."))
    _check_version(report, version)
    definition = report.framework.parsed
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    # typed in the active language: its decimal separator tells a thousands separator apart
    separator = get_format("DECIMAL_SEPARATOR")
    for indicator in definition.reported_indicators:
        try:
            value = check_value(
                indicator, str(values.get(indicator.id, "") or ""), decimal_separator=separator
            )
        except ValueProblem as problem:
            errors[indicator.id] = [_message(problem)]
            continue
        if value is not None:
            cleaned[indicator.id] = str(value)
    if errors:
        raise ValidationError(errors)
    report.values = cleaned
    report.version += 1
    report._history_user = by
    report._history_date = now or timezone.now()
    report._change_reason = reason or "saved"
    report.save(update_fields=["values", "version"])
    return report


def _transition(report: YearlyReport, action: ReportAction) -> str:
    state = next_state(report.state, action)
    if state is None:
        raise ValidationError(
            _("This cannot be done with a report that is %(state)s.")
            % {"state": report.get_state_display().lower()}
        )
    return state.value


def check_complete(report: YearlyReport) -> None:
    """Raise ``ValidationError`` naming each required figure the report lacks (what submitting
    asks; the pages check it before asking to confirm)."""
    missing = {
        indicator.id: [_("This figure is required.")]
        for indicator in report.framework.parsed.reported_indicators
        if indicator.required and indicator.id not in report.values
    }
    if missing:
        raise ValidationError(missing)


@transaction.atomic
def submit_report(
    *, report: YearlyReport, by: User, now: dt.datetime | None = None
) -> YearlyReport:
    """The coordinator submits the report to the operators; every required figure must be
    given (each missing one is named)."""
    report = _locked(report)
    _check_coordinator(report, by)
    state = _transition(report, ReportAction.SUBMIT)
    check_complete(report)
    report.state = state
    report.submitted_at = now or timezone.now()
    report.submitted_by = by
    report.version += 1
    report._history_user = by
    report._history_date = report.submitted_at  # the history tells the moment submitted
    report._change_reason = "submitted"
    report.save(update_fields=["state", "submitted_at", "submitted_by", "version"])
    return report


# --- the report's documents -----------------------------------------------------------------


def _document_refusal(exc: DocumentRefused) -> str:
    return _(exc.message_id) % exc.params if exc.params else _(exc.message_id)


@transaction.atomic
def add_document(*, report: YearlyReport, upload: Upload, by: User) -> ReportDocument:
    """Attach a document (PDF, DOCX, XLSX, ODT or ODS, recognised by its content) to a draft
    or returned report. The size and the number of documents are checked before the file is
    read; a refusal names the field ``file`` and stores nothing."""
    report = _locked(report)
    _check_coordinator(report, by)
    if not report.editable:
        raise ValidationError(_("This report can no longer be changed."))
    limit = uploads.limit(UPLOAD_KIND)
    if report.documents.count() >= MAX_DOCUMENTS:
        raise ValidationError(
            {"file": [_("A report can have at most %(count)s documents; remove one first.")
                      % {"count": MAX_DOCUMENTS}]}
        )  # fmt: skip
    if upload.size > limit:
        raise ValidationError({"file": [uploads.too_large_message(upload.size, limit)]})
    content = upload.read(limit + 1)
    try:
        kind = check_document(content, accepted=DOCUMENT_KINDS, max_bytes=limit)
    except DocumentRefused as exc:
        raise ValidationError({"file": [_document_refusal(exc)]}) from exc
    document = ReportDocument(
        report=report,
        file_name=(upload.name or "")[:255],
        kind=kind,
        size=len(content),
        uploaded_by=by,
    )
    save_checked(document.file, content, kind)
    document._history_user = by
    document.save()
    return document


@transaction.atomic
def remove_document(*, document: ReportDocument, by: User) -> None:
    """Remove a document of a draft or returned report (the stored file too, once the
    transaction is committed); its history records who removed it."""
    report = _locked(document.report)
    _check_coordinator(report, by)
    if not report.editable:
        raise ValidationError(_("This report can no longer be changed."))
    found = ReportDocument.objects.filter(pk=document.pk, report=report).first()
    if found is None:
        return
    file = found.file
    found._history_user = by  # the report's history shows who removed it, and when
    found.delete()
    if file:
        storage, name = file.storage, file.name
        transaction.on_commit(lambda: storage.delete(name))


# --- the operator --------------------------------------------------------------------------


def _check_reviewer(by: User) -> None:
    if not by.has_perm("monitoring.review_report"):
        raise PermissionDenied


@transaction.atomic
def accept_report(
    *, report: YearlyReport, by: User, now: dt.datetime | None = None
) -> YearlyReport:
    _check_reviewer(by)
    report = _locked(report)
    report.state = _transition(report, ReportAction.ACCEPT)
    report.reviewed_at = now or timezone.now()
    report.reviewed_by = by
    report.return_note = ""
    report.version += 1
    report._history_user = by
    report._history_date = report.reviewed_at
    report._change_reason = "accepted"
    report.save(update_fields=["state", "reviewed_at", "reviewed_by", "return_note", "version"])
    return report


@transaction.atomic
def return_report(
    *, report: YearlyReport, note: str, by: User, now: dt.datetime | None = None
) -> YearlyReport:
    """Return the report to the coordinator with a note saying what to correct; the
    coordinator's accounts are e-mailed the note and the report's address once it is stored."""
    _check_reviewer(by)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what the coordinator should correct.")})
    report = _locked(report)
    report.state = _transition(report, ReportAction.RETURN)
    report.reviewed_at = now or timezone.now()
    report.reviewed_by = by
    report.return_note = note
    report.version += 1
    report._history_user = by
    report._history_date = report.reviewed_at
    report._change_reason = "returned"
    report.save(update_fields=["state", "reviewed_at", "reviewed_by", "return_note", "version"])
    recipients = coordinator_users(report.cluster)
    transaction.on_commit(lambda: mail_coordinators(report, recipients, "returned", {}))
    return report


# --- reminders -----------------------------------------------------------------------------


def coordinator_users(cluster: Cluster) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=cluster.coordinator_id,
            groups__name=Role.COORDINATOR.value,
            is_active=True,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def reminder_due(report: YearlyReport, today: dt.date) -> str | None:
    """Which reminder the report is due on ``today``: ``before`` from ``before_days`` before
    the due date to the due date, ``after`` from ``after_days`` after it; ``None`` otherwise."""
    reminders = report.framework.parsed.reminders
    if report.due_on - dt.timedelta(days=reminders.before_days) <= today <= report.due_on:
        return ReportReminder.Kind.BEFORE
    if today >= report.due_on + dt.timedelta(days=reminders.after_days):
        return ReportReminder.Kind.AFTER
    return None


def send_reminders(*, today: dt.date | None = None) -> list[ReportReminder]:
    """E-mail the coordinators of the reports still waiting for them, once before and once
    after the due date; what was sent is recorded (``ReportReminder``), and a reminder already
    recorded is never sent again. The worker or ``keyclusters monitoring remind`` runs it
    daily."""
    today = today or timezone.localdate()
    sent = []
    waiting = (
        YearlyReport.objects.filter(state__in=[s.value for s in AWAITING_COORDINATOR])
        .select_related("cluster", "framework")
        .order_by("due_on", "pk")
    )
    for report in waiting:
        kind = reminder_due(report, today)
        if kind is None:
            continue
        reminder = _remind(report, kind, today)
        if reminder is not None:
            sent.append(reminder)
    return sent


def report_url(report: YearlyReport) -> str:
    """The report's page as an absolute address (``settings.KEYCLUSTERS_PUBLIC_URL``), for
    e-mails."""
    base = getattr(settings, "KEYCLUSTERS_PUBLIC_URL", "http://localhost:8000")
    return base.rstrip("/") + reverse("monitoring:report", args=[report.pk])


def mail_coordinators(
    report: YearlyReport, recipients: list[User], template: str, context: dict
) -> list[str]:
    """E-mail each recipient (in the language they prefer) ``monitoring/email/<template>.txt``
    with its ``_subject.txt``; the addresses it was delivered to (a failed one is logged)."""
    delivered = []
    for user in recipients:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            full = {**context, "report": report, "user": user, "url": report_url(report)}
            subject = render_to_string(f"monitoring/email/{template}_subject.txt", full)
            body = render_to_string(f"monitoring/email/{template}.txt", full)
        try:
            send_mail(" ".join(subject.split()), body, None, [user.email])
        except (OSError, smtplib.SMTPException):
            logger.exception("The e-mail %s on report %s to %s failed", template, report.pk,
                             user.email)  # fmt: skip
            continue
        delivered.append(user.email)
    return delivered


@transaction.atomic
def _remind(report: YearlyReport, kind: str, today: dt.date) -> ReportReminder | None:
    """Send the reminder under the report's lock and record it only when at least one
    coordinator got it: a cluster without a coordinator's account (or a failed delivery) is
    tried again the next day."""
    report = _locked(report)
    if report.state not in AWAITING_COORDINATOR or report.reminders.filter(kind=kind).exists():
        return None
    recipients = coordinator_users(report.cluster)
    if not recipients:
        return None
    delivered = mail_coordinators(report, recipients, "reminder", {"kind": kind, "today": today})
    if not delivered:
        return None
    return ReportReminder.objects.create(
        report=report, kind=kind, sent_on=today, recipients=", ".join(delivered)
    )
