"""Permissions of the statuses app (the ``rules`` library).

Funding-agency staff and operators verify memberships and issue membership certificates;
operators manage API keys and withdraw statuses; a cluster's coordinator (or an operator)
downloads the cluster's status certificates.
"""

from __future__ import annotations

from typing import Any

import rules

from keyclusters.accounts.roles import Role
from keyclusters.registry.rules import is_cluster_coordinator, is_operator


def _has_role(user: Any, role: Role) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.has_role(role))


@rules.predicate
def is_funding_agency(user) -> bool:
    return _has_role(user, Role.FUNDING_AGENCY)


rules.add_perm("statuses.verify_membership", is_funding_agency | is_operator)
rules.add_perm("statuses.issue_membership_certificate", is_funding_agency | is_operator)
rules.add_perm("statuses.manage_api_keys", is_operator)
rules.add_perm("statuses.withdraw_status", is_operator)
rules.add_perm("statuses.download_status_certificate", is_cluster_coordinator | is_operator)


@rules.predicate
def is_decision_maker(user) -> bool:
    return _has_role(user, Role.DECISION_MAKER)


# A cluster's applications in every round with their stage results and points: to its
# coordinator and the ministry (operators, the decision maker); others see granted or not.
rules.add_perm(
    "statuses.read_cluster_rounds", is_cluster_coordinator | is_operator | is_decision_maker
)
