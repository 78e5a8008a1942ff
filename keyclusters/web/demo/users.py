"""One demo login per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.registry.models import Organisation

DEMO_PASSWORD = "demo-keyclusters"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str


def create_users(*, coordinator_organisation: Organisation | None) -> list[DemoLogin]:
    specs = [
        ("admin", None, "Administrator (Django admin)", {"is_staff": True, "is_superuser": True}),
        ("operator", Role.OPERATOR, "Ministry / agency operator", {"is_staff": True}),
        ("expert", Role.EXPERT, "Independent expert", {}),
        ("panel", Role.PANEL_MEMBER, "Expert Panel member", {}),
        ("minister", Role.DECISION_MAKER, "Decision maker", {}),
        ("coordinator", Role.COORDINATOR, "Cluster coordinator", {}),
        ("agency", Role.FUNDING_AGENCY, "Funding agency", {}),
        ("analyst", Role.ANALYST, "Benchmarking analyst", {}),
    ]
    logins = []
    for username, role, description, flags in specs:
        user, _created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.keyclusters.example"}
        )
        for field, value in flags.items():
            setattr(user, field, value)
        if role == Role.COORDINATOR:
            user.organisation = coordinator_organisation
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role is not None:
            user.groups.add(Group.objects.get(name=role.value))
        logins.append(DemoLogin(username, role.value if role else "admin", description))
    return logins
