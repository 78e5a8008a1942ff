from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Certificate, StatusGrant, StatusType


@admin.register(StatusType)
class StatusTypeAdmin(admin.ModelAdmin):
    """The kinds of status the registry keeps (the key cluster status, the supra-regional growth
    cluster status, and others an administrator adds, e.g. a regional key cluster status). A type
    with grants cannot be deleted (the grants protect it), and its code, which rulebooks and
    imports name, cannot be changed."""

    list_display = ("code", "name_pl", "name_en", "holder_pl", "holder_en", "position")
    list_editable = ("position",)
    search_fields = ("code", "name_pl", "name_en")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()


@admin.register(StatusGrant)
class StatusGrantAdmin(SimpleHistoryAdmin):
    """Grants are read here; they are made by the decision (or an import) and withdrawn on the
    cluster's status page, so that every change goes through a service."""

    list_display = (
        "cluster",
        "status_type",
        "round_label",
        "decision_on",
        "valid_from",
        "valid_to",
        "withdrawn_on",
    )
    list_filter = ("status_type", "round_label")
    search_fields = ("cluster__name",)
    list_select_related = ("cluster", "status_type")
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
