from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusesConfig(AppConfig):
    name = "keyclusters.statuses"
    label = "statuses"
    verbose_name = _("Key cluster statuses")
