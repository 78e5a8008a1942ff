"""Permission predicates of the competitions app (the ``rules`` library)."""

from __future__ import annotations

import rules

from keyclusters.accounts.roles import Role


@rules.predicate
def is_operator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.OPERATOR))


@rules.predicate
def coordinates_application_cluster(user, application) -> bool:
    if not (user and user.is_authenticated and user.has_role(Role.COORDINATOR)):
        return False
    return (
        application is not None
        and user.organisation_id is not None
        and user.organisation_id == application.cluster.coordinator_id
    )


can_manage_application = coordinates_application_cluster

rules.add_perm("competitions.edit_application", coordinates_application_cluster)
rules.add_perm("competitions.view_application", coordinates_application_cluster | is_operator)
rules.add_perm("competitions.evaluate_formally", is_operator)
rules.add_perm("competitions.manage_calls", is_operator)
