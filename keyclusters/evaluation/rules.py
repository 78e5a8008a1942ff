"""Permission predicates of the evaluation."""

from __future__ import annotations

import rules

from keyclusters.accounts.roles import Role

from .models import Assignment
from .panel import is_panel_member


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


@rules.predicate
def assigned_without_conflict(user, application) -> bool:
    """The user is an expert (or panel member) with an active assignment to the application
    who has declared no conflict of interest."""
    if not (user and user.is_authenticated and application is not None):
        return False
    return application.assignments.filter(
        expert__user=user,
        state=Assignment.State.ACTIVE,
        no_conflict_declared_at__isnull=False,
    ).exists()


rules.add_perm("evaluation.manage", is_operator)
rules.add_perm("evaluation.decide", is_decision_maker)
rules.add_perm("evaluation.see_scores", is_operator | is_decision_maker | coordinates)
# Read by competitions.downloads next to "competitions.read_application_documents".
rules.add_perm("evaluation.read_application_documents", assigned_without_conflict)


@rules.predicate
def coordinates_slot(user, slot) -> bool:
    return slot is not None and coordinates(user, slot.application)


@rules.predicate
def on_the_panel_of(user, slot) -> bool:
    """A panel member (or expert) assigned to the slot's application at a panel stage, who has
    declared no conflict of interest."""
    return slot is not None and is_panel_member(user, slot)


# The Expert Panel's slots (see .panel): the invitation to the cluster's coordinator (operators
# see it too), the uploaded presentation to them and to the panel's members.
rules.add_perm("evaluation.see_panel_invitation", is_operator | coordinates_slot)
rules.add_perm(
    "evaluation.read_panel_presentation", is_operator | coordinates_slot | on_the_panel_of
)
