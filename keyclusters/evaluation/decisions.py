"""Writes of the evaluation's end: the recommendation list, the decision maker's approval
(status grants for the recommended, reasons for the others, and the decision record) and the
Expert Panel's sessions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.competitions import services as competitions
from keyclusters.competitions.models import Application, Call, StageResult
from keyclusters.domain.evaluation import Candidate, candidate, decide, status_validity
from keyclusters.domain.lifecycle import (
    PREPARE,
    RECOMMENDATION,
    UNDER_EVALUATION_STATES,
    ApplicationState,
    CallAction,
    CallState,
    RecommendationAction,
    RecommendationState,
    TransitionRefused,
    check,
)
from keyclusters.statuses import types as status_types
from keyclusters.statuses.services import grant_status

from .commission import is_chair, person_name, signature_required
from .minister_document import issue_document  # noqa: F401 (recorded after the approval)
from .models import Assignment, DecisionRecord, Expert, Recommendation
from .selectors import outcome_rows
from .services import EvaluationError, assign_expert, is_operator

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
        criteria: dict[str, Decimal] = {}
        for result in stage_results.values():
            points = result.details.get("criteria") or {}
            if isinstance(points, list):  # parametric details: a list of criterion rows
                criteria.update({r["criterion"]: Decimal(r["points"]) for r in points})
            else:
                criteria.update({k: Decimal(v) for k, v in points.items()})
        candidates.append(candidate(rulebook, str(application_id), stage_totals, criteria))
    return candidates


def _lifecycle(step) -> None:
    try:
        step()
    except TransitionRefused as exc:
        raise EvaluationError(competitions.refusal_message(exc)) from exc


def _current(call: Call) -> Recommendation | None:
    """The call's list that is not superseded, locked (the caller holds the call's lock)."""
    return (
        Recommendation.objects.select_for_update(no_key=True)
        .filter(call=call)
        .exclude(state=RecommendationState.SUPERSEDED)
        .first()
    )


def check_may_prepare(call: Call, by: User) -> None:
    """Raise PermissionDenied for anyone but an operator, EvaluationError when the call's
    recommendation list cannot be prepared now (the call is not closed or in evaluation, or an
    application is still being evaluated)."""
    if not is_operator(by):
        raise PermissionDenied
    _lifecycle(lambda: check("recommendation", PREPARE, call=call.state))
    if call.applications.filter(state__in=UNDER_EVALUATION_STATES).exists():
        raise EvaluationError(_("Some applications are still being evaluated."))


@transaction.atomic
def prepare_recommendation(*, call: Call, by: User) -> Recommendation:
    """Rank the evaluated applications of a closed call into a new list; a list prepared before
    is superseded (kept in the history), an approved one is never replaced. The call then
    awaits the decision."""
    if not is_operator(by):
        raise PermissionDenied
    call = competitions.locked_call(call)
    check_may_prepare(call, by)
    current = _current(call)
    if current is not None:
        _lifecycle(lambda: RECOMMENDATION.next(current.state, RecommendationAction.SUPERSEDE))
        current.state = RecommendationState.SUPERSEDED
        current._history_user = by
        current.save(update_fields=["state"])
    if call.state == CallState.CLOSED:
        call = competitions.change_call_state(call=call, action=CallAction.START_EVALUATION, by=by)
    rulebook = call.rulebook.parsed()
    recommendation = Recommendation(
        call=call,
        state=RecommendationState.PREPARED,
        outcomes=outcome_rows(decide(rulebook, candidates_of(call))),
        rulebook_sha256=rulebook.sha256,
        prepared_by=by,
        prepared_at=timezone.now(),
    )
    recommendation._history_user = by
    recommendation.save()
    return recommendation


def check_may_approve(call: Call, recommendation: Recommendation, by: User) -> None:
    """Raise PermissionDenied for anyone but the decision maker, EvaluationError when the list
    cannot be approved now (approved or replaced already, or the call is not awaiting the
    decision)."""
    if not by.has_role(Role.DECISION_MAKER):
        raise PermissionDenied
    _lifecycle(lambda: RECOMMENDATION.next(recommendation.state, RecommendationAction.APPROVE))
    _lifecycle(lambda: check("recommendation", RecommendationAction.APPROVE, call=call.state))
    rulebook = call.rulebook.parsed()
    if signature_required(rulebook) and recommendation.signed_at is None:
        raise EvaluationError(
            _("The list cannot be approved yet: it awaits the signature of the chair of the "
              "evaluation commission.")
        )  # fmt: skip
    if status_types.find(rulebook.status.type) is None:
        raise EvaluationError(
            _("The list cannot be approved: the rulebook grants a status the registry does not "
              "keep. %(reason)s")
            % {"reason": status_types.unknown_message(rulebook.status.type)}
        )  # fmt: skip


def check_may_sign(call: Call, recommendation: Recommendation | None, by: User) -> None:
    """Raise PermissionDenied for anyone but the chair of the call's commission,
    EvaluationError when the list cannot be signed now (the rulebook asks for no signature,
    there is no list, it is signed or approved already)."""
    if not is_chair(call, by):
        raise PermissionDenied
    if not signature_required(call.rulebook.parsed()):
        raise EvaluationError(_("This call's rulebook does not ask for the chair's signature."))
    if recommendation is None:
        raise EvaluationError(_("No recommendation list has been prepared for this call."))
    if recommendation.signed_at is not None:
        raise EvaluationError(
            _("The list has already been signed by %(name)s on %(date)s.")
            % {
                "name": recommendation.signed_by_name,
                "date": date_format(timezone.localtime(recommendation.signed_at),
                                    "SHORT_DATE_FORMAT"),
            }
        )  # fmt: skip
    if recommendation.state != RecommendationState.PREPARED:
        raise EvaluationError(_("The list has already been approved."))


@transaction.atomic
def sign_recommendation(*, call: Call, by: User) -> Recommendation:
    """The chair of the evaluation commission signs the call's current list, which the
    decision maker may then approve. Cannot be undone; a list prepared again needs a new
    signature."""
    if not is_chair(call, by):
        raise PermissionDenied
    call = competitions.locked_call(call)
    recommendation = _current(call)
    check_may_sign(call, recommendation, by)
    assert recommendation is not None
    recommendation.signed_by = by
    recommendation.signed_by_name = person_name(by)
    recommendation.signed_at = timezone.now()
    recommendation._history_user = by
    recommendation.save(update_fields=["signed_by", "signed_by_name", "signed_at"])
    return recommendation


@transaction.atomic
def approve_recommendation(*, call: Call, approved_on: dt.date, by: User) -> Recommendation:
    """The decision maker approves the list: statuses for the recommended, reasons for others;
    the call is decided."""
    if not by.has_role(Role.DECISION_MAKER):
        raise PermissionDenied
    call = competitions.locked_call(call)
    recommendation = _current(call)
    if recommendation is None:
        raise EvaluationError(_("No recommendation list has been prepared for this call."))
    check_may_approve(call, recommendation, by)
    rulebook = call.rulebook.parsed()
    valid_from, valid_to = status_validity(rulebook.status, approved_on)
    # ``from: document``: the statuses are granted when the minister's document is recorded
    # (:mod:`.minister_document`), valid from its issue date
    from_document = rulebook.status.validity.starts_from == "document"
    applications = {a.pk: a for a in call.applications.select_related("call", "cluster")}
    for row in recommendation.outcomes:
        application = applications[row["application"]]
        if row["recommended"] and from_document:
            _outcome(application, granted=True, note={"from_document": True}, by=by)
        elif row["recommended"]:
            grant_status(
                cluster=application.cluster,
                call=call,
                application=application,
                round_label=call.round_label or call.name[:16],
                decision_on=approved_on,
                valid_from=valid_from,
                valid_to=valid_to,
                status_type=rulebook.status.type,
                by=by,
            )
            note = {"valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat()}
            _outcome(application, granted=True, note=note, by=by)
        else:
            reasons = [_(reason["message_id"]) % reason["params"] for reason in row["reasons"]]
            _outcome(application, granted=False, reasons=reasons, by=by)
    recommendation.state = RecommendationState.APPROVED
    recommendation.approved_on = approved_on
    recommendation.approved_by = by
    recommendation._history_user = by
    recommendation.save()
    competitions.decide_call(call=call, recommendation_state=recommendation.state, by=by)
    _record_decision(call, recommendation, applications, by=by)
    return recommendation


def _record_decision(
    call: Call, recommendation: Recommendation, applications: dict[int, Application], *, by: User
) -> DecisionRecord:
    """The decision as approved, frozen: the list with names and points, the date, who approved
    and the rulebook (id, version, hash)."""
    rows = []
    for row in sorted(
        recommendation.outcomes,
        key=lambda r: (r["rank"] is None, r["rank"] or 0, -Decimal(r["total"])),
    ):
        application = applications[row["application"]]
        rows.append(
            {
                "rank": row["rank"],
                "application": application.pk,
                "number": application.number or "",
                "cluster": application.cluster.name,
                "cluster_id": application.cluster_id,
                "total": row["total"],
                "recommended": bool(row["recommended"]),
            }
        )
    return DecisionRecord.objects.create(
        call=call,
        recommendation=recommendation,
        call_name=call.name,
        approved_on=recommendation.approved_on,
        approved_by=by,
        approved_by_name=by.get_full_name() or by.get_username(),
        signed_by_name=recommendation.signed_by_name,
        signed_at=recommendation.signed_at,
        rulebook_id=call.rulebook.rulebook_id,
        rulebook_version=call.rulebook.version,
        rulebook_sha256=call.rulebook.sha256,
        rows=rows,
    )


def _outcome(application: Application, *, granted: bool, by: User, **details) -> None:
    try:
        competitions.decide_application(application=application, granted=granted, by=by, **details)
    except competitions.CompetitionError as exc:
        raise EvaluationError(exc.messages) from exc


# -- the Expert Panel ------------------------------------------------------------------------


@transaction.atomic
def schedule_panel(*, call: Call, held_on: dt.date, place: str, members: list[Expert], by: User):
    """A panel sitting: every member is assigned to every application now at a panel stage
    (a member with a conflict of interest is left out for that application, and it is
    recorded). Returns the session and the refused pairs with their reasons."""
    from .models import PanelSession

    if not is_operator(by):
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
                state__in=[Assignment.State.ACTIVE, Assignment.State.SUSPENDED],
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
