"""E-mail notifications to the people of a cluster's coordinator, in their language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role

from .models import Application


def coordinator_users(application: Application) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=application.cluster.coordinator_id,
            groups__name=Role.COORDINATOR.value,
            is_active=True,
        )
        .exclude(email="")
        .distinct()
    )


def notify_coordinators(application: Application, *, event: str, context: dict | None = None):
    """Send the message of ``event`` (a template name) to the cluster's coordinators."""
    for user in coordinator_users(application):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            ctx = {"application": application, "user": user, **(context or {})}
            subject = render_to_string(f"competitions/email/{event}_subject.txt", ctx)
            body = render_to_string(f"competitions/email/{event}.txt", ctx)
        send_mail(" ".join(subject.split()), body, None, [user.email])
