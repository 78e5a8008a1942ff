"""The Council in the admin: read only (every write goes through .services and its pages)."""

from __future__ import annotations

from django.contrib import admin

from .models import CouncilMember, Meeting


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CouncilMember)
class CouncilMemberAdmin(_ReadOnly):
    list_display = ("user", "represents", "cluster", "institution", "member_from", "member_to")
    list_filter = ("represents",)
    list_select_related = ("user", "cluster")


@admin.register(Meeting)
class MeetingAdmin(_ReadOnly):
    list_display = ("held_on", "place", "minutes_recorded_at")
    date_hierarchy = "held_on"
