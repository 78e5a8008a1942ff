from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "keyclusters.council"
    verbose_name = _("Council of Key Clusters")
