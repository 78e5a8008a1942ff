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
