"""Monitoring in the admin: frameworks, reminders and documents read only; a report's state
and figures read only too (every transition and save goes through
:mod:`keyclusters.monitoring.services`, under the report's lock); only its due date can be
moved here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import ReportDocument, ReportReminder, StoredMonitoringFramework, YearlyReport


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoredMonitoringFramework)
class StoredMonitoringFrameworkAdmin(_ReadOnly):
    list_display = ("framework_id", "version", "display_title", "sha256", "stored_at")
    readonly_fields = ("framework_id", "version", "title", "source", "sha256", "stored_at")

    @admin.display(description=_("title"))
    def display_title(self, obj: StoredMonitoringFramework) -> str:
        return obj.display_title()


@admin.register(YearlyReport)
class YearlyReportAdmin(SimpleHistoryAdmin):
    list_display = ("cluster", "year", "state", "due_on", "submitted_at", "reviewed_at")
    list_filter = ("year", "state")
    search_fields = ("cluster__name",)
    list_select_related = ("cluster",)
    readonly_fields = [f.name for f in YearlyReport._meta.fields if f.name not in ("id", "due_on")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports are opened by keyclusters.monitoring.services.open_reports

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: YearlyReport, form: Any, change: bool) -> None:
        """A moved due date is a change of the report: under its lock, raising its version
        (a coordinator's save prepared before it is refused)."""
        with transaction.atomic():
            locked = YearlyReport.objects.select_for_update().get(pk=obj.pk)
            locked.due_on = obj.due_on
            locked.version += 1
            locked._history_user = request.user
            locked.save(update_fields=["due_on", "version"])
            obj.version = locked.version


@admin.register(ReportReminder)
class ReportReminderAdmin(_ReadOnly):
    list_display = ("report", "kind", "sent_on", "recipients")
    list_filter = ("kind",)
    list_select_related = ("report__cluster",)
    date_hierarchy = "sent_on"


@admin.register(ReportDocument)
class ReportDocumentAdmin(_ReadOnly):
    list_display = ("file_name", "report", "kind", "size", "uploaded_at", "uploaded_by")
    list_select_related = ("report__cluster", "uploaded_by")
    search_fields = ("file_name", "report__cluster__name")
    fields = ("report", "download", "kind", "size", "uploaded_at", "uploaded_by")
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj: ReportDocument) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("monitoring:report-document", args=[obj.pk]),
            obj.file_name,
        )  # fmt: skip
