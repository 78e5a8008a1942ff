from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Application, ApplicationEvent, Call, StageResult, StoredRulebook


@admin.register(StoredRulebook)
class StoredRulebookAdmin(SimpleHistoryAdmin):
    list_display = ("rulebook_id", "version", "kind", "sha256", "frozen_at")
    readonly_fields = ("rulebook_id", "version", "kind", "title", "source", "sha256", "frozen_at")

    def has_add_permission(self, request):
        return False  # rulebooks are stored with `keyclusters rulebook load` (validated)


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ("name", "rulebook", "opens_at", "closes_at", "state")
    list_filter = ("state",)
    readonly_fields = ("state",)


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "action", "from_state", "to_state", "stage", "actor", "note")


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ("cluster", "call", "kind", "state", "stage", "submitted_at")
    list_filter = ("call", "state")
    list_select_related = ("cluster", "call")
    readonly_fields = (
        "state",
        "stage",
        "data",
        "submitted_at",
        "completion_items",
        "completion_deadline",
        "outcome_reasons",
    )
    inlines = [EventInline]
    verbose_name = _("application")


@admin.register(StageResult)
class StageResultAdmin(SimpleHistoryAdmin):
    list_display = ("application", "stage", "result", "points", "max_points", "decided_at")
    list_filter = ("stage", "result")
