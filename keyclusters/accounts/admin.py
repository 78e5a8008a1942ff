from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Programme"), {"fields": ("organisation", "preferred_language")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "organisation", "is_staff")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued on the operators' page (the secret is shown once); here they are read."""

    list_display = ("name", "organisation", "prefix", "created_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "organisation", "prefix")
    readonly_fields = (
        "prefix", "hashed_secret", "created_by", "created_at", "last_used_at",
    )  # fmt: skip
    fields = ("name", "organisation", *readonly_fields, "revoked_at")

    def has_add_permission(self, request) -> bool:
        return False
