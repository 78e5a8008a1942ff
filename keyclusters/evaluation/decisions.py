"""Writes of the evaluation's end: the recommendation list, the decision maker's approval
(status grants for the recommended, reasons for the others) and the Expert Panel's sessions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.competitions.models import Application, Call, StageResult
from keyclusters.competitions.services.base import _transition
from keyclusters.domain.evaluation import Candidate, decide, status_validity
from keyclusters.domain.workflow import ApplicationAction, ApplicationState, CallAction

from .models import Assignment, Expert, Recommendation
from .selectors import outcome_rows
from .services import EvaluationError, _is_operator, assign_expert

# -- recommendation and decision --------------------------------------------------------------


def candidates_of(call: Call) -> list[Candidate]:
    rulebook = call.rulebook.parsed()
    results = StageResult.objects.filter(
        application__call=call, application__state=ApplicationState.EVALUATED
    ).select_related("application")
    by_application: dict[int, dict[str, StageResult]] = {}
    for result in results:
        by_application.setdefault(result.application_id, {})[result.stage] = result
    candidates = []
    for application_id, stage_results in by_application.items():
        stage_totals = {s: r.points for s, r in stage_results.items() if r.points is not None}
        area_totals: dict[str, Decimal] = {}
        for area, criterion in rulebook.criteria():
            result = stage_results.get(criterion.stage)
            if result is None:
                continue
            points = result.details.get("criteria") or {}
            if isinstance(points, list):  # parametric details: a list of criterion rows
                value = next(
                    (Decimal(r["points"]) for r in points if r["criterion"] == criterion.id),
                    Decimal(0),
                )
            else:
                value = Decimal(points.get(criterion.id, "0"))
            area_totals[area.id] = area_totals.get(area.id, Decimal(0)) + value
        candidates.append(Candidate(str(application_id), stage_totals, area_totals))
    return candidates


@transaction.atomic
def prepare_recommendation(*, call: Call, by: User) -> Recommendation:
    if not _is_operator(by):
        raise PermissionDenied
    if call.applications.filter(state=ApplicationState.IN_EVALUATION).exists():
        raise EvaluationError(_("Some applications are still being evaluated."))
    rulebook = call.rulebook.parsed()
    data = outcome_rows(decide(rulebook, candidates_of(call)))
    recommendation, _created = Recommendation.objects.update_or_create(
        call=call,
        defaults={
            "outcomes": data,
            "rulebook_sha256": rulebook.sha256,
            "prepared_by": by,
            "prepared_at": timezone.now(),
            "approved_on": None,
            "approved_by": None,
        },
    )
    return recommendation


@transaction.atomic
def approve_recommendation(*, call: Call, approved_on: dt.date, by: User) -> Recommendation:
    """The decision maker approves the list: statuses for the recommended, reasons for others."""
    if not by.has_role(Role.DECISION_MAKER):
        raise PermissionDenied
    recommendation = Recommendation.objects.select_for_update().get(call=call)
    if recommendation.approved_on is not None:
        raise EvaluationError(_("The recommendation list has already been approved."))
    from keyclusters.competitions.services import change_call_state
    from keyclusters.statuses.services import grant_status

    rulebook = call.rulebook.parsed()
    valid_from, valid_to = status_validity(rulebook.status, approved_on)
    applications = {a.pk: a for a in call.applications.select_related("cluster")}
    for row in recommendation.outcomes:
        application = applications[row["application"]]
        if row["recommended"]:
            grant_status(
                cluster=application.cluster,
                call=call,
                application=application,
                round_label=call.round_label or call.name[:16],
                decision_on=approved_on,
                valid_from=valid_from,
                valid_to=valid_to,
                by=by,
            )
            _transition(
                application,
                ApplicationAction.GRANT,
                by=by,
                notify="granted",
                note={"valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat()},
            )
        else:
            application.outcome_reasons = [
                _(reason["message_id"]) % reason["params"] for reason in row["reasons"]
            ]
            _transition(
                application,
                ApplicationAction.NOT_GRANT,
                by=by,
                notify="not_granted",
                note={"reasons": application.outcome_reasons},
            )
    recommendation.approved_on = approved_on
    recommendation.approved_by = by
    recommendation._history_user = by
    recommendation.save()
    if call.state == "evaluating":
        change_call_state(call=call, action=CallAction.DECIDE, by=by)
    return recommendation


# -- the Expert Panel ------------------------------------------------------------------------


@transaction.atomic
def schedule_panel(*, call: Call, held_on: dt.date, place: str, members: list[Expert], by: User):
    """A panel sitting: every member is assigned to every application now at a panel stage
    (a member with a conflict of interest is left out for that application, and it is
    recorded). Returns the session and the refused pairs with their reasons."""
    from .models import PanelSession

    if not _is_operator(by):
        raise PermissionDenied
    if not members:
        raise EvaluationError({"members": [_("Choose the members of the panel.")]})
    session = PanelSession.objects.create(call=call, held_on=held_on, place=place)
    session.members.set(members)
    rulebook = call.rulebook.parsed()
    panel_stages = [s.id for s in rulebook.stages if s.kind == "panel"]
    refused: list[tuple[Application, Expert, str]] = []
    for application in call.applications.filter(
        state=ApplicationState.IN_EVALUATION, stage__in=panel_stages
    ).select_related("cluster"):
        for member in members:
            if Assignment.objects.filter(
                application=application,
                stage=application.stage,
                expert=member,
                state=Assignment.State.ACTIVE,
            ).exists():
                continue
            try:
                assign_expert(
                    application=application,
                    stage=application.stage,
                    expert=member,
                    by=by,
                    today=held_on,
                )
            except EvaluationError as exc:
                refused.append((application, member, "; ".join(exc.messages)))
    return session, refused
