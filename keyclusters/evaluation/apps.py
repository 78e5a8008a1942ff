from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "keyclusters.evaluation"
    label = "evaluation"
    verbose_name = _("Expert evaluation")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save

        from keyclusters.registry.signals import memberships_changed

        from . import suspensions

        # A change of who belongs to which cluster, or of an expert account's organisation,
        # re-checks the experts' conflicts of interest (see .suspensions).
        memberships_changed.connect(
            suspensions.on_memberships_changed, dispatch_uid="evaluation-recheck-conflicts"
        )
        post_save.connect(
            suspensions.on_user_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="evaluation-recheck-user-organisation",
        )
