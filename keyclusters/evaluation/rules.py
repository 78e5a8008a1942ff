"""Permission predicates of the evaluation."""

from __future__ import annotations

import rules

from keyclusters.accounts.roles import Role


@rules.predicate
def is_operator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.OPERATOR))


@rules.predicate
def is_decision_maker(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.DECISION_MAKER))


@rules.predicate
def coordinates(user, application) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.has_role(Role.COORDINATOR)
        and application is not None
        and user.organisation_id == application.cluster.coordinator_id
    )


rules.add_perm("evaluation.manage", is_operator)
rules.add_perm("evaluation.decide", is_decision_maker)
rules.add_perm("evaluation.see_scores", is_operator | is_decision_maker | coordinates)
