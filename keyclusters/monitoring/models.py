"""Monitoring of status holders: stored frameworks, yearly reports and the reminders sent.

A framework is stored whole with its hash, one row per id and version, like rulebooks. A yearly
report belongs to one cluster and one year; its ``registry_values`` are the registry's figures on
31 December of the year (computed when it is opened), its ``values`` what the coordinator
reports. Its state changes only through :mod:`keyclusters.monitoring.services` under a lock.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyclusters.domain.monitoring import MonitoringFramework as FrameworkDefinition
from keyclusters.domain.monitoring import ReportState, parse_monitoring_framework
from keyclusters.domain.rulebook import load_document


def localized(text: dict | None, language: str | None = None) -> str:
    """A text of a framework in the active language (Polish, then any, as the fallback)."""
    text = text or {}
    language = (language or get_language() or "pl")[:2]
    return text.get(language) or text.get("pl") or next(iter(text.values()), "")


class StoredMonitoringFramework(models.Model):
    """A monitoring framework as it was stored: its YAML source and the source's hash."""

    framework_id = models.CharField(_("framework id"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    title = models.JSONField(_("title"), default=dict, blank=True)
    source = models.TextField(_("source (YAML)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monitoring framework")
        verbose_name_plural = _("monitoring frameworks")
        ordering = ["framework_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_id", "version"], name="monitoring_framework_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_title()} (v{self.version})"

    def display_title(self) -> str:
        return localized(self.title) or self.framework_id

    @property
    def parsed(self) -> FrameworkDefinition:
        return _parse(self.sha256, self.source)


@lru_cache(maxsize=16)
def _parse(sha256: str, source: str) -> FrameworkDefinition:
    """Stored frameworks never change: parse each text once per process."""
    _text, data = load_document(source)
    return parse_monitoring_framework(data)


class YearlyReport(models.Model):
    """A status holder's report on one year."""

    class State(models.TextChoices):
        # in the context of a report: Polish says them in the neuter ("sprawozdanie")
        DRAFT = ReportState.DRAFT.value, pgettext_lazy("yearly report", "Draft")
        SUBMITTED = ReportState.SUBMITTED.value, pgettext_lazy("yearly report", "Submitted")
        RETURNED = ReportState.RETURNED.value, _("Returned for corrections")
        ACCEPTED = ReportState.ACCEPTED.value, pgettext_lazy("yearly report", "Accepted")

    cluster = models.ForeignKey(
        "registry.Cluster",
        verbose_name=_("cluster"),
        on_delete=models.PROTECT,
        related_name="yearly_reports",
    )
    year = models.PositiveIntegerField(_("year"))
    framework = models.ForeignKey(
        StoredMonitoringFramework,
        verbose_name=_("monitoring framework"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    status_grant = models.ForeignKey(
        "statuses.StatusGrant",
        verbose_name=_("status"),
        on_delete=models.PROTECT,
        related_name="yearly_reports",
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    due_on = models.DateField(_("due on"))
    # the registry's figures on 31 December of the year, by indicator id (text of a Decimal)
    registry_values = models.JSONField(_("figures from the registry"), default=dict)
    # the coordinator's figures, by indicator id (text of a Decimal)
    values = models.JSONField(_("reported figures"), default=dict, blank=True)
    # the least number of members the round of the status asks (for the operator's alert)
    members_minimum = models.PositiveIntegerField(_("minimum of members"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    return_note = models.TextField(_("note of the return"), blank=True)
    # raised by every change (keyclusters.monitoring.services): a save carrying an older
    # version was prepared before someone else's change and is refused
    version = models.PositiveIntegerField(_("version"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        ordering = ["-year", "cluster__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year"], name="yearly_report_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.cluster} – {self.year}"

    @property
    def editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


def _document_path(instance: ReportDocument, filename: str) -> str:
    return f"monitoring/{instance.report_id}/{filename}"


class ReportDocument(models.Model):
    """A document the coordinator attached to a yearly report (PDF, DOCX, XLSX, ODT or ODS,
    recognised by its content), stored with the private files."""

    report = models.ForeignKey(
        YearlyReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(_("file"), upload_to=_document_path)
    file_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # who attached and who removed a document, and when: shown in the report's history
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document of a yearly report")
        verbose_name_plural = _("documents of yearly reports")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file_name


class ReportReminder(models.Model):
    """A reminder e-mailed about a report: at most one of each kind per report."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        AFTER = "after", _("After the due date")

    report = models.ForeignKey(
        YearlyReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["report", "sent_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="report_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.get_kind_display()} ({self.sent_on})"
