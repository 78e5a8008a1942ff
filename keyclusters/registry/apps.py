from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "keyclusters.registry"
    label = "registry"
    verbose_name = _("Cluster registry")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers that send its signals)
