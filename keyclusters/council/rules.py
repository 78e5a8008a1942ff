"""Permission predicates of the Council: operators manage it; its members in force today (and
operators) read its meetings, documents, minutes and positions."""

from __future__ import annotations

import rules
from django.utils import timezone

from keyclusters.accounts.roles import Role

from .models import CouncilMember


@rules.predicate
def is_operator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.OPERATOR))


@rules.predicate
def is_council_member(user) -> bool:
    """The user sits on the Council today."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return CouncilMember.objects.on(timezone.localdate()).filter(user=user).exists()


rules.add_perm("council.manage", is_operator)
rules.add_perm("council.read", is_operator | is_council_member)
