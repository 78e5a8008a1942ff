from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "keyclusters.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from .roles import sync_role_groups

        # After every app, so that the permissions of apps migrated later exist too.
        post_migrate.connect(sync_role_groups, dispatch_uid="keyclusters-role-groups")
