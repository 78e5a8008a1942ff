"""Permissions of the statuses app (the ``rules`` library).

Funding-agency staff and operators verify memberships and issue membership certificates;
operators manage API keys and withdraw statuses; a cluster's coordinator (or an operator)
downloads the cluster's status certificates.
"""

from __future__ import annotations

import rules

from keyclusters.accounts.roles import Role
from keyclusters.registry.rules import _has_role, is_cluster_coordinator, is_operator


@rules.predicate
def is_funding_agency(user) -> bool:
    return _has_role(user, Role.FUNDING_AGENCY)


rules.add_perm("statuses.verify_membership", is_funding_agency | is_operator)
rules.add_perm("statuses.issue_membership_certificate", is_funding_agency | is_operator)
rules.add_perm("statuses.manage_api_keys", is_operator)
rules.add_perm("statuses.withdraw_status", is_operator)
rules.add_perm("statuses.download_status_certificate", is_cluster_coordinator | is_operator)
