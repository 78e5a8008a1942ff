"""Roles are Django groups; their model permissions are declared here as data."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    EXPERT = "expert", _("Expert")
    PANEL_MEMBER = "panel-member", _("Panel member")
    DECISION_MAKER = "decision-maker", _("Decision maker")
    COORDINATOR = "coordinator", _("Cluster coordinator")
    FUNDING_AGENCY = "funding-agency", _("Funding agency")
    ANALYST = "analyst", _("Benchmarking analyst")
    # A person representing one member organisation (``User.organisation``), invited by the
    # coordinator of one of its clusters or by an operator (docs/self-service.md).
    MEMBER_ORGANISATION = "member-organisation", _("Member organisation")


# Model permissions ("app_label.codename") each role's group holds. Object-level rules
# (a coordinator and *their* clusters) live in the apps' rules.py.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OPERATOR: [
        "registry.view_organisation",
        "registry.add_organisation",
        "registry.change_organisation",
        "registry.view_cluster",
        "registry.add_cluster",
        "registry.change_cluster",
        "registry.view_membership",
        "registry.add_membership",
        "registry.change_membership",
        "registry.view_cooperationdeclaration",
        "registry.add_cooperationdeclaration",
        "registry.change_cooperationdeclaration",
    ],
    Role.EXPERT: [],
    Role.PANEL_MEMBER: [],
    Role.DECISION_MAKER: ["registry.view_cluster"],
    Role.COORDINATOR: [],
    Role.FUNDING_AGENCY: [],
    Role.ANALYST: ["registry.view_cluster", "registry.view_organisation"],
    Role.MEMBER_ORGANISATION: [],
}


def sync_role_groups(**kwargs: Any) -> None:
    """Create one group per role and give it exactly the permissions declared above."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=str(role.value))
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
