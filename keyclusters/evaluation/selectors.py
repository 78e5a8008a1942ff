"""Reads of the evaluation, scoped: an expert sees only their own assignments and sheets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from keyclusters.competitions import rulebook_words as words
from keyclusters.competitions.models import Application, Call, StageResult
from keyclusters.domain.rulebook.passfail import numeric_points

from .models import Affiliation, Assignment, Expert, Recommendation, ScoreSheet


def current_recommendation(call: Call) -> Recommendation | None:
    """The call's recommendation list that is not superseded (prepared or approved)."""
    return (
        Recommendation.objects.filter(call=call)
        .exclude(state=Recommendation.State.SUPERSEDED)
        .select_related("approved_by", "prepared_by")
        .first()
    )


def my_assignments(user) -> QuerySet[Assignment]:
    """The expert's assignments that are not withdrawn (a suspended one is shown, waiting)."""
    return (
        Assignment.objects.filter(
            expert__user=user, state__in=[Assignment.State.ACTIVE, Assignment.State.SUSPENDED]
        )
        .select_related("application__call", "application__cluster", "sheet")
        .order_by("application__call__name", "application__cluster__name", "stage")
    )


def may_read_application(assignment: Assignment) -> bool:
    """Whether the expert may see the application itself: the assignment is active and the
    expert has declared no conflict of interest (before that, only the cluster, its
    coordinator and its members)."""
    return (
        assignment.state == Assignment.State.ACTIVE
        and assignment.no_conflict_declared_at is not None
    )


def cluster_for_declaration(cluster, today) -> dict:
    """What an expert sees before declaring: the cluster, its coordinator, and its members,
    coordinator and partners of the lookback period (three queries whatever their number)."""
    from keyclusters.registry.models import Membership

    from .conflicts import lookback_start

    since = lookback_start(today)
    memberships = list(
        Membership.objects.filter(cluster=cluster)
        .overlapping(since, None)
        .select_related("organisation")
        .order_by("organisation__name", "joined_on", "pk")
    )
    return {
        "cluster": cluster,
        "coordinator": cluster.coordinator,
        "memberships": memberships,
        "since": since,
    }


def experts_overview() -> QuerySet[Expert]:
    """Every expert with their account, employer, affiliations and counts of assignments
    (a constant number of queries)."""
    return (
        Expert.objects.select_related("user__organisation", "organisation")
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("organisation").order_by(
                    "organisation__name", "started_on", "pk"
                ),
            )
        )
        .annotate(
            active_count=Count(
                "assignments", filter=Q(assignments__state=Assignment.State.ACTIVE), distinct=True
            ),
            suspended_count=Count(
                "assignments",
                filter=Q(assignments__state=Assignment.State.SUSPENDED),
                distinct=True,
            ),
        )
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def call_evaluation(call: Call) -> list[dict]:
    """Every application of the call at an expert or panel stage, with its assignments."""
    rulebook = call.rulebook.parsed()
    scored = {s.id for s in rulebook.stages if s.scored_by_experts}
    applications = (
        call.applications.filter(state="in-evaluation", stage__in=scored)
        .select_related("cluster")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("expert__user", "sheet").order_by(
                    "assigned_at", "pk"
                ),
            )
        )
        .order_by("cluster__name")
    )
    rows = []
    for application in applications:
        current = [a for a in application.assignments.all() if a.stage == application.stage]
        rows.append(
            {
                "application": application,
                "stage": rulebook.stage(application.stage),
                "assignments": current,
                "needed": rulebook.stage(application.stage).experts or 1,
                # a suspended assignment keeps its place until the operator decides
                "active": sum(
                    1
                    for a in current
                    if a.state in (Assignment.State.ACTIVE, Assignment.State.SUSPENDED)
                ),
            }
        )
    return rows


def score_breakdown(application: Application, *, name_experts: bool) -> list[dict]:
    """Per stage and criterion: each expert's points, the aggregate, and the explanation.

    With ``name_experts`` false the experts are "Expert 1, 2…" in the order they were assigned.
    """
    rulebook = application.call.rulebook.parsed()
    results = {r.stage: r for r in StageResult.objects.filter(application=application)}
    sheets = (
        ScoreSheet.objects.filter(
            assignment__application=application,
            assignment__state=Assignment.State.ACTIVE,
            state=ScoreSheet.State.SUBMITTED,
        )
        .select_related("assignment__expert__user")
        .order_by("assignment__assigned_at", "assignment__pk")
    )
    by_stage: dict[str, list[ScoreSheet]] = {}
    for sheet in sheets:
        by_stage.setdefault(sheet.assignment.stage, []).append(sheet)
    stages = []
    for stage in rulebook.stages:
        result = results.get(stage.id)
        stage_sheets = by_stage.get(stage.id, [])
        experts = [
            str(sheet.assignment.expert) if name_experts else f"#{number}"
            for number, sheet in enumerate(stage_sheets, start=1)
        ]
        criteria = []
        for area, criterion in rulebook.criteria(stage=stage.id):
            aggregate = None
            explanation = None
            if result is not None and isinstance(result.details.get("criteria"), dict):
                aggregate = result.details["criteria"].get(criterion.id)
            elif result is not None and isinstance(result.details.get("criteria"), list):
                row = next(
                    (r for r in result.details["criteria"] if r["criterion"] == criterion.id),
                    None,
                )
                if row is not None:
                    aggregate, explanation = row["points"], row
            criteria.append(
                {
                    "area": area,
                    "criterion": criterion,
                    "points": [
                        {
                            "value": sheet.points.get(criterion.id),
                            "justification": sheet.justifications.get(criterion.id, ""),
                        }
                        for sheet in stage_sheets
                    ],
                    "aggregate": Decimal(aggregate) if aggregate is not None else None,
                    "explanation": explanation,
                }
            )
        stages.append({"stage": stage, "result": result, "experts": experts, "criteria": criteria})
    return stages


def ranking_as_of(call: Call, when) -> list[dict]:
    """The call's ranking recomputed from the score sheets, consensus scores and stage results
    as they were stored at ``when`` (django-simple-history), in the shape of the stored list."""
    from keyclusters.domain.evaluation import ExpertSheet, aggregate_stage, candidate, decide

    from .models import ConsensusScore

    rulebook = call.rulebook.parsed()
    application_ids = list(call.applications.values_list("pk", flat=True))
    states = {h.id: h.state for h in Application.history.as_of(when).filter(id__in=application_ids)}
    evaluated = [
        pk for pk, state in states.items() if state in ("evaluated", "granted", "not-granted")
    ]
    assignments = {
        h.id: h
        for h in Assignment.history.as_of(when).filter(
            application_id__in=evaluated, state=Assignment.State.ACTIVE
        )
    }
    sheets: dict[tuple[int, str], list[ExpertSheet]] = {}
    for sheet in ScoreSheet.history.as_of(when).filter(
        assignment_id__in=list(assignments), state=ScoreSheet.State.SUBMITTED
    ):
        assignment = assignments[sheet.assignment_id]
        sheets.setdefault((assignment.application_id, assignment.stage), []).append(
            ExpertSheet(str(assignment.expert_id), numeric_points(sheet.points))
        )
    consensus = {
        (c.application_id, c.stage): {k: Decimal(v) for k, v in c.points.items()}
        for c in ConsensusScore.history.as_of(when).filter(application_id__in=evaluated)
    }
    parametric = {
        (r.application_id, r.stage): r
        for r in StageResult.history.as_of(when).filter(application_id__in=evaluated)
    }
    candidates = []
    for pk in evaluated:
        stage_totals: dict[str, Decimal] = {}
        criteria: dict[str, Decimal] = {}
        for stage in rulebook.stages:
            if stage.pass_fail:
                if (pk, stage.id) in parametric:  # a decided pass-fail stage adds no points
                    stage_totals[stage.id] = Decimal(0)
                continue
            if stage.scored_by_experts:
                key = (pk, stage.id)
                if key not in sheets and key not in consensus:
                    continue
                aggregate = aggregate_stage(
                    rulebook, stage.id, sheets.get(key, []), consensus=consensus.get(key)
                )
                points = dict(aggregate.criteria)
                stage_totals[stage.id] = aggregate.total
            elif stage.kind == "parametric" and (pk, stage.id) in parametric:
                points = {
                    row["criterion"]: Decimal(row["points"])
                    for row in parametric[(pk, stage.id)].details.get("criteria", [])
                }
                stage_totals[stage.id] = parametric[(pk, stage.id)].points
            else:
                continue
            criteria.update(points)
        candidates.append(candidate(rulebook, str(pk), stage_totals, criteria))
    return outcome_rows(decide(rulebook, candidates))


def outcome_rows(outcomes) -> list[dict]:
    """The decided outcomes as stored in a recommendation list (JSON-ready)."""
    return [
        {
            "application": int(o.key),
            "total": str(o.total),
            "rank": o.rank,
            "recommended": o.recommended,
            "reasons": [
                {"message_id": m, "params": {k: str(v) for k, v in p.items()}} for m, p in o.reasons
            ],
        }
        for o in outcomes
    ]


@dataclass(frozen=True)
class Event:
    """One step in an assignment's history: when, who (a person's name, or "automatically")
    and what, in words."""

    at: dt.datetime
    who: str
    what: str


def person(user) -> str:
    """A person's name as the history shows it (the login when no name is recorded)."""
    if user is None:
        return _("automatically")
    return user.get_full_name() or user.get_username()


def assignment_events(assignments) -> dict[int, list[Event]]:
    """Each assignment's history, oldest first: assigned, no conflict declared, suspended and
    lifted, withdrawn or replaced (with the reason), its sheet submitted (with the total) and
    reopened; each with the person who did it. Two queries whatever the number of
    assignments (the autosaved drafts are left out)."""
    ids = [a.pk for a in assignments]
    events: dict[int, list[Event]] = {pk: [] for pk in ids}
    previous = None
    for record in (
        Assignment.history.filter(id__in=ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    ):
        earlier = previous if previous is not None and previous.id == record.id else None
        previous = record
        what = []
        if earlier is None:
            what.append(_("Assigned"))
        else:
            if earlier.no_conflict_declared_at is None and record.no_conflict_declared_at:
                what.append(_("No conflict of interest declared"))
            if earlier.state != record.state:
                if record.state == Assignment.State.WITHDRAWN:
                    what.append(_("Withdrawn: %(reason)s") % {"reason": record.withdrawn_reason})
                elif record.state == Assignment.State.SUSPENDED:
                    what.append(_("Suspended: %(reason)s") % {"reason": record.suspension_reason})
                elif earlier.state == Assignment.State.SUSPENDED:
                    what.append(_("Suspension lifted"))
        for text in what:
            events[record.id].append(Event(record.history_date, person(record.history_user), text))
    previous = None
    for record in (
        ScoreSheet.history.filter(assignment_id__in=ids)
        .exclude(history_change_reason="autosave")
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    ):
        earlier_state = (
            previous.state
            if previous is not None and previous.id == record.id
            else ScoreSheet.State.DRAFT
        )
        previous = record
        if earlier_state == record.state:
            continue
        if record.state == ScoreSheet.State.SUBMITTED:
            total = sum(numeric_points(record.points).values(), Decimal(0))
            what = _("Score sheet submitted: %(total)s points") % {"total": words.number(total)}
        else:
            what = _("Score sheet reopened")
            if record.history_change_reason:
                what = f"{what}: {record.history_change_reason}"
        events[record.assignment_id].append(
            Event(record.history_date, person(record.history_user), what)
        )
    for rows in events.values():
        rows.sort(key=lambda event: event.at)
    return events
