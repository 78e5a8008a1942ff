from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "keyclusters.web"
    label = "web"
    verbose_name = _("Web interface")

    def ready(self) -> None:
        from keyclusters.competitions.services import calls
        from keyclusters.statuses import types

        if types.rulebook_problems not in calls.rulebook_checks:
            calls.rulebook_checks.append(types.rulebook_problems)
