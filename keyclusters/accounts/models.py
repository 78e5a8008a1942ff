from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """A person using keyclusters. Roles are groups; a coordinator belongs to an organisation."""

    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
        help_text=_("For coordinators: the organisation that coordinates their clusters."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, default=""
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def has_role(self, role: Role | str) -> bool:
        value = role.value if isinstance(role, Role) else role
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            self._role_cache = cache
        return value in cache

    @property
    def roles(self) -> list[str]:
        return [role.value for role in Role if self.has_role(role)]


class ApiKey(models.Model):
    """A key of a funding agency for the verification API; only its SHA-256 hash is stored.

    The key given to the agency is ``<prefix>.<secret>``: the prefix finds the row, the secret
    is compared with the stored hash. Secrets are 256 random bits, so a plain SHA-256 suffices.
    """

    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("agency"), max_length=300)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    hashed_secret = models.CharField(_("hashed secret"), max_length=64)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_keys",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
