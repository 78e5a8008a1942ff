from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Certificate, StatusGrant


@admin.register(StatusGrant)
class StatusGrantAdmin(SimpleHistoryAdmin):
    """Grants are read here; they are made by the decision (or an import) and withdrawn on the
    cluster's status page, so that every change goes through a service."""

    list_display = (
        "cluster",
        "round_label",
        "decision_on",
        "valid_from",
        "valid_to",
        "withdrawn_on",
    )
    list_filter = ("round_label",)
    search_fields = ("cluster__name",)
    list_select_related = ("cluster",)
    readonly_fields = [f.name for f in StatusGrant._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "subject", "issued_on", "issued_by")
    list_filter = ("kind",)
    search_fields = ("code", "subject")
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
