from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusesConfig(AppConfig):
    name = "keyclusters.statuses"
    label = "statuses"
    verbose_name = _("Key cluster statuses")

    def ready(self) -> None:
        from . import api_keys, index

        index.connect_signals()
        api_keys.connect_signals()
        from keyclusters.registry import holdings

        holdings.register(_last_valid_days)
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_shipped_types, sender=self)
        # ``keyclusters import statuses FILE``: a subcommand of the registry's import command,
        # registered from here so that the registry does not depend on this app.
        from importlib import import_module

        command = import_module("keyclusters.registry.management.commands.import")

        def run(*, options, **kwargs):
            from .importing import import_statuses

            return import_statuses(**kwargs)

        command.register(
            command.Subcommand("statuses", _("CSV or XLSX of historical status grants"), run)
        )


def _ensure_shipped_types(*, apps=None, using="default", **kwargs) -> None:
    """After migrate, and after a flush (which Django follows with ``post_migrate``), the
    shipped status types exist: every grant's type defaults to the key cluster status."""
    from django.apps import apps as installed

    from .types import ensure_shipped

    try:
        model = (apps or installed).get_model("statuses", "StatusType")
    except LookupError:  # migrated to a state before status types
        return
    ensure_shipped(model, using=using)


def _last_valid_days(cluster_id: int, status_type: str) -> list:
    """The last valid day of each status of ``status_type`` the cluster was granted (a holder of
    another type's status holds none of this one). A grant withdrawn on or before its first day
    was never valid and is left out."""
    from .models import StatusGrant
    from .validity import last_valid_day

    grants = StatusGrant.objects.filter(
        cluster_id=cluster_id, status_type_id=status_type
    ).values_list("valid_from", "valid_to", "withdrawn_on")
    days = (
        last_valid_day(valid_from=start, valid_to=end, withdrawn_on=withdrawn)
        for start, end, withdrawn in grants
    )
    return [day for day in days if day is not None]
