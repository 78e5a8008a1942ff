from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .admin_import import ImportAdminMixin
from .models import (
    Cluster,
    CooperationDeclaration,
    Membership,
    Organisation,
    SmartSpecialisation,
)


@admin.register(Organisation)
class OrganisationAdmin(ImportAdminMixin, SimpleHistoryAdmin):
    import_kind = "organisations"
    list_display = ("name", "nip", "regon", "kind", "size", "voivodeship", "city", "country")
    list_filter = ("kind", "size", "voivodeship", "country")
    search_fields = ("name", "nip", "regon", "krs")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organisation",)
    show_change_link = True


@admin.register(Cluster)
class ClusterAdmin(ImportAdminMixin, SimpleHistoryAdmin):
    import_kind = "clusters"
    list_display = ("name", "coordinator", "specialisation", "voivodeship", "founded_on")
    list_filter = ("voivodeship",)
    list_select_related = ("coordinator",)
    search_fields = ("name", "specialisation", "coordinator__name")
    autocomplete_fields = ("coordinator",)
    filter_horizontal = ("voivodeships", "smart_specialisations")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "cluster", "role", "joined_on", "left_on")
    list_filter = ("role", "advanced_cooperation_group", "cluster")
    list_select_related = ("organisation", "cluster")
    search_fields = ("organisation__name", "organisation__nip", "cluster__name")
    autocomplete_fields = ("organisation", "cluster")


@admin.register(CooperationDeclaration)
class CooperationDeclarationAdmin(SimpleHistoryAdmin):
    list_display = ("cluster", "signed_on", "place")
    autocomplete_fields = ("cluster", "signatories")


@admin.register(SmartSpecialisation)
class SmartSpecialisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    search_fields = ("code", "name")
