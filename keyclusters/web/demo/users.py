"""One demo login per role. Accounts that exist already are never changed."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.registry.models import Membership, MembershipRole, Organisation

DEMO_PASSWORD = "demo-keyclusters"
# The demo's logins have e-mail addresses in a domain reserved for examples (RFC 2606), which
# no real account can have: keyclusters/web/demo/guard.py tells the demo's accounts by it.
DEMO_EMAIL_DOMAIN = "demo.keyclusters.example"

# (username, role, description, flags)
LOGINS = [
    ("admin", None, _("Administrator (Django admin)"), {"is_staff": True, "is_superuser": True}),
    ("operator", Role.OPERATOR, _("Ministry / agency operator"), {"is_staff": True}),
    ("expert", Role.EXPERT, _("Independent expert"), {}),
    ("panel", Role.PANEL_MEMBER, _("Expert Panel member"), {}),
    ("minister", Role.DECISION_MAKER, _("Decision maker"), {}),
    ("coordinator", Role.COORDINATOR, _("Cluster coordinator"), {}),
    ("agency", Role.FUNDING_AGENCY, _("Funding agency"), {}),
    ("analyst", Role.ANALYST, _("Benchmarking analyst"), {}),
    ("member", Role.MEMBER_ORGANISATION, _("Member firm (self-service)"), {}),
]

# the people behind the logins (the administrator is an account, not a person)
PEOPLE = {
    "operator": ("Joanna", "Krawczyk"),
    "expert": ("Barbara", "Olszewska"),
    "panel": ("Grzegorz", "Pawlak"),
    "minister": ("Tadeusz", "Sikora"),
    "coordinator": ("Michał", "Baran"),
    "agency": ("Karolina", "Wróbel"),
    "analyst": ("Dorota", "Kubiak"),
    "member": ("Łukasz", "Zając"),
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str
    created: bool = True


def demo_email(username: str) -> str:
    return f"{username}@{DEMO_EMAIL_DOMAIN}"


def create_users(*, coordinator_organisation: Organisation | None) -> list[DemoLogin]:
    """Create the demo logins that are missing; an existing account of the same name keeps its
    password, flags, roles and organisation (``created`` is False for it)."""
    logins = []
    member_organisation = _member_firm(coordinator_organisation)
    for username, role, description, flags in LOGINS:
        label = role.value if role else "admin"
        if User.objects.filter(username=username).exists():
            logins.append(DemoLogin(username, label, description, created=False))
            continue
        first_name, last_name = PEOPLE.get(username, ("", ""))
        user = User(
            username=username,
            email=demo_email(username),
            first_name=first_name,
            last_name=last_name,
            **flags,
        )
        if role == Role.COORDINATOR:
            user.organisation = coordinator_organisation
        if role == Role.MEMBER_ORGANISATION:
            user.organisation = member_organisation
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role is not None:
            user.groups.add(Group.objects.get(name=role.value))
        logins.append(DemoLogin(username, label, description))
    return logins


def _member_firm(coordinator_organisation: Organisation | None) -> Organisation | None:
    """The organisation the member firm's login represents: an enterprise that is a member of
    the demo coordinator's clusters (the first by name), so that the coordinator can see its
    answers."""
    if coordinator_organisation is None:
        return None
    membership = (
        Membership.objects.filter(
            cluster__coordinator=coordinator_organisation,
            role=MembershipRole.MEMBER,
            organisation__kind="enterprise",
            left_on__isnull=True,
        )
        .select_related("organisation")
        .order_by("organisation__name", "pk")
        .first()
    )
    return membership.organisation if membership is not None else None
