"""Writes of the experts' profiles: specialisations and affiliations, by operators.

Every change of an affiliation re-checks the expert's active assignments in the same
transaction (the expert's row locked first, so two operators editing one expert take turns): a
tie that now conflicts suspends the assignment (:mod:`.suspensions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.registry.models import Organisation

from .base import EvaluationError, is_operator
from .models import Affiliation, Assignment, Expert
from .suspensions import recheck_conflicts

EXPERT_ROLES = (Role.EXPERT, Role.PANEL_MEMBER)


def _require_operator(by: User) -> None:
    if not is_operator(by):
        raise PermissionDenied


def _locked_expert(expert: Expert) -> Expert:
    return (
        Expert.objects.select_for_update(no_key=True, of=("self",))
        .select_related("user")
        .get(pk=expert.pk)
    )


def clean_specialisations(values: Iterable[str]) -> list[str]:
    """Trimmed, without empty and repeated ones (the first spelling kept), in the given order."""
    seen: set[str] = set()
    clean = []
    for value in values:
        text = " ".join(str(value).split())[:100]
        if text and text.lower() not in seen:
            seen.add(text.lower())
            clean.append(text)
    return clean


@transaction.atomic
def create_expert(*, user: User, specialisations: Iterable[str], by: User) -> Expert:
    """A profile for a user who holds the expert or the panel member role."""
    _require_operator(by)
    user = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    if not any(user.has_role(role) for role in EXPERT_ROLES):
        raise EvaluationError({"user": [_("The user is neither an expert nor a panel member.")]})
    if Expert.objects.filter(user=user).exists():
        raise EvaluationError({"user": [_("The user already has an expert profile.")]})
    expert = Expert(user=user, specialisations=clean_specialisations(specialisations))
    expert._history_user = by
    expert.save()
    return expert


@transaction.atomic
def update_expert(
    *, expert: Expert, specialisations: Iterable[str], active: bool, by: User
) -> Expert:
    _require_operator(by)
    expert = _locked_expert(expert)
    expert.specialisations = clean_specialisations(specialisations)
    expert.active = active
    expert._history_user = by
    expert.save(update_fields=["specialisations", "active"])
    return expert


def _check_dates(started_on: dt.date | None, ended_on: dt.date | None) -> None:
    if started_on and ended_on and ended_on < started_on:
        raise EvaluationError({"ended_on": [_("An affiliation cannot end before it starts.")]})


@transaction.atomic
def add_affiliation(
    *,
    expert: Expert,
    organisation: Organisation,
    position: str,
    started_on: dt.date | None,
    ended_on: dt.date | None,
    by: User,
) -> tuple[Affiliation, list[Assignment]]:
    """Record a tie; returns it and the assignments it suspended."""
    _require_operator(by)
    _check_dates(started_on, ended_on)
    expert = _locked_expert(expert)
    affiliation = Affiliation(
        expert=expert,
        organisation=organisation,
        position=" ".join(position.split())[:200],
        started_on=started_on,
        ended_on=ended_on,
    )
    affiliation._history_user = by
    affiliation.save()
    return affiliation, recheck_conflicts(experts=[expert.pk])


@transaction.atomic
def change_affiliation(
    *,
    affiliation: Affiliation,
    position: str,
    started_on: dt.date | None,
    ended_on: dt.date | None,
    by: User,
) -> tuple[Affiliation, list[Assignment]]:
    """Change a tie's description or dates; returns it and the assignments it suspended."""
    _require_operator(by)
    _check_dates(started_on, ended_on)
    _locked_expert(affiliation.expert)
    affiliation = Affiliation.objects.select_for_update(no_key=True).get(pk=affiliation.pk)
    affiliation.position = " ".join(position.split())[:200]
    affiliation.started_on = started_on
    affiliation.ended_on = ended_on
    affiliation._history_user = by
    affiliation.save(update_fields=["position", "started_on", "ended_on"])
    return affiliation, recheck_conflicts(experts=[affiliation.expert_id])


@transaction.atomic
def remove_affiliation(*, affiliation: Affiliation, by: User) -> None:
    """Delete a tie recorded by mistake (its history stays). A removal never lifts a
    suspension: the operator does that on the assignment."""
    _require_operator(by)
    _locked_expert(affiliation.expert)
    affiliation = Affiliation.objects.select_for_update(no_key=True).get(pk=affiliation.pk)
    affiliation._history_user = by
    affiliation.delete()
