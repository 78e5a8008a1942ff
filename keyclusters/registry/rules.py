"""Object-level permissions of the registry (the ``rules`` library).

A coordinator manages the members of the clusters their organisation coordinates; an operator
manages the members of every cluster. The scanned documents of cooperation declarations (which
carry signatures) go to the coordinator of the cluster and to operators; the declarations'
facts (date, place, subject, signatories) are public on the cluster's page.
"""

from __future__ import annotations

from typing import Any

import rules

from keyclusters.accounts.roles import Role


def _has_role(user: Any, role: Role) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.has_role(role))


@rules.predicate
def is_operator(user: Any) -> bool:
    return _has_role(user, Role.OPERATOR)


@rules.predicate
def is_coordinator(user: Any) -> bool:
    return _has_role(user, Role.COORDINATOR)


@rules.predicate
def is_cluster_coordinator(user: Any, cluster: Any) -> bool:
    """The user has the coordinator role and belongs to the cluster's coordinating organisation."""
    if cluster is None or not _has_role(user, Role.COORDINATOR):
        return False
    return user.organisation_id is not None and user.organisation_id == cluster.coordinator_id


rules.add_perm("registry.manage_cluster_members", is_cluster_coordinator | is_operator)
rules.add_perm("registry.read_declaration_documents", is_cluster_coordinator | is_operator)
# The operators' queues: backdated starts' evidence and organisations' change requests.
rules.add_perm("registry.review_registry_changes", is_operator)
# A cluster's names and coordinators over time (keyclusters.registry.identity).
rules.add_perm("registry.record_cluster_identity", is_operator)
