from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Programme"), {"fields": ("organisation", "preferred_language")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "organisation", "is_staff")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
