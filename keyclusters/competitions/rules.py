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


@rules.predicate
def is_decision_maker(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.DECISION_MAKER))


can_manage_application = coordinates_application_cluster

rules.add_perm("competitions.edit_application", coordinates_application_cluster)
rules.add_perm("competitions.read_application", coordinates_application_cluster | is_operator)
rules.add_perm("competitions.evaluate_formally", is_operator)
rules.add_perm("competitions.manage_calls", is_operator)
# An application's documents: the coordinator of its cluster, operators and the decision maker.
# The evaluation adds the experts and panel members assigned to the application
# ("evaluation.read_application_documents"); competitions.downloads asks both.
rules.add_perm(
    "competitions.read_application_documents",
    coordinates_application_cluster | is_operator | is_decision_maker,
)
