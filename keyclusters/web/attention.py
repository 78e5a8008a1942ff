"""What needs the operator's attention today, each item with the page where it is dealt with.

A constant number of queries whatever the number of items. An expert's score sheet is due
``ASSIGNMENT_DAYS`` days after the assignment (neither the rulebooks nor the assignments store
a deadline of their own); from the day after, it is overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, Max, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from keyclusters.competitions.models import Application, Call, StageResult
from keyclusters.domain.lifecycle import ApplicationState, StageState
from keyclusters.evaluation.models import Assignment, ScoreSheet
from keyclusters.monitoring import selectors as monitoring
from keyclusters.registry import selectors as registry_selectors
from keyclusters.registry import selfservice
from keyclusters.statuses.models import StatusGrant

COMPLETION_WARNING_DAYS = 3  # completion deadlines shown from this many days ahead
EXPIRY_WARNING_DAYS = 90  # statuses shown when they end within this many days
ASSIGNMENT_DAYS = 14  # a score sheet is due this many days after the assignment


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the current time zone (Europe/Warsaw)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def due_on(assignment: Assignment) -> dt.date:
    return timezone.localdate(assignment.assigned_at) + dt.timedelta(days=ASSIGNMENT_DAYS)


def needs_attention(calls: list[Call], *, now: dt.datetime) -> list[dict[str, Any]]:
    """The groups of items that are not empty, in a fixed order; ``calls`` are the calls
    whose applications may diverge (with their rulebooks)."""
    today = timezone.localdate(now)
    groups = (
        _awaiting_formal(),
        _completion_deadlines(now, today),
        _divergences(calls),
        _suspended_assignments(),
        _overdue_assignments(today),
        _expiring_statuses(today),
        _contested_memberships(),
        _evidence_to_review(),
        _change_requests(),
        *_monitoring(today),
    )
    return [group for group in groups if group["items"]]


@dataclass(frozen=True)
class Item:
    """One thing that needs the operator's attention, and the page where it is dealt with."""

    subject: str  # what the link says: a cluster, or an expert and a cluster
    context: str  # the call, or the round of a status
    date: dt.date | dt.datetime
    url: str
    late: bool = False
    note: str = ""


def _group(kind: str, title: Any, date_label: Any, items: list[Item]) -> dict[str, Any]:
    return {"kind": kind, "title": title, "date_label": date_label, "items": items}


def _awaiting_formal() -> dict[str, Any]:
    applications = (
        Application.objects.filter(state=ApplicationState.SUBMITTED)
        .select_related("call", "cluster")
        .order_by("submitted_at", "pk")
    )
    items = [
        Item(
            subject=a.cluster.name,
            context=a.call.name,
            date=a.submitted_at,
            url=reverse("competitions:formal-evaluation", args=[a.pk]),
        )
        for a in applications
    ]
    return _group("formal", _("Awaiting formal evaluation"), _("submitted on"), items)


def _completion_deadlines(now: dt.datetime, today: dt.date) -> dict[str, Any]:
    """Deadlines to complete that passed (the call dashboard fails them) or end within
    ``COMPLETION_WARNING_DAYS`` days (the application shows what is missing)."""
    until = start_of(today + dt.timedelta(days=COMPLETION_WARNING_DAYS + 1))
    applications = (
        Application.objects.filter(
            state=ApplicationState.COMPLETION_REQUESTED, completion_deadline__lt=until
        )
        .select_related("call", "cluster")
        .order_by("completion_deadline", "pk")
    )
    items = []
    for a in applications:
        late = a.completion_deadline < now
        url = (
            reverse("competitions:call-dashboard", args=[a.call_id])
            if late
            else reverse("competitions:application-detail", args=[a.pk])
        )
        items.append(Item(a.cluster.name, a.call.name, a.completion_deadline, url, late))
    return _group("completion", _("Deadlines to complete"), _("deadline"), items)


def _divergences(calls: list[Call]) -> dict[str, Any]:
    """Applications whose scored stage waits for a third expert's sheet or for a consensus
    score (the stage's state, as the evaluation recorded it)."""
    waiting = [
        r
        for r in StageResult.objects.filter(
            application__call__in=calls,
            application__state=ApplicationState.IN_EVALUATION,
            state__in=[StageState.AWAITING_THIRD_EXPERT, StageState.AWAITING_CONSENSUS],
        )
        .select_related("application__cluster", "application__call")
        .order_by("application__call__name", "application__cluster__name", "application_id")
        if r.stage == r.application.stage
    ]
    latest = {
        (application_id, stage): last
        for application_id, stage, last in ScoreSheet.objects.filter(
            state=ScoreSheet.State.SUBMITTED,
            assignment__state=Assignment.State.ACTIVE,
            assignment__application_id__in=[r.application_id for r in waiting],
        )
        .order_by()
        .values("assignment__application_id", "assignment__stage")
        .annotate(last=Max("submitted_at"))
        .values_list("assignment__application_id", "assignment__stage", "last")
    }
    items = []
    for result in waiting:
        a = result.application
        if result.state == StageState.AWAITING_CONSENSUS:
            note, url = _("awaiting a consensus"), reverse("evaluation:consensus", args=[a.pk])
        else:
            note, url = _("awaiting a third expert"), reverse("evaluation:call", args=[a.call_id])
        when = latest.get((a.pk, result.stage), result.decided_at)
        items.append(Item(a.cluster.name, a.call.name, when, url, False, str(note)))
    return _group("divergence", _("Divergent scores"), _("last sheet submitted on"), items)


def _suspended_assignments() -> dict[str, Any]:
    """Assignments suspended for a possible conflict of interest (found in the registry after
    the assignment, or by an operator), with the reason; the operator lifts the suspension or
    gives the stage to another expert on the assignment's page."""
    assignments = (
        Assignment.objects.filter(
            state=Assignment.State.SUSPENDED,
            application__state=ApplicationState.IN_EVALUATION,
        )
        .select_related("expert__user", "application__call", "application__cluster")
        .order_by("suspended_at", "pk")
    )
    items = [
        Item(
            subject=f"{a.expert} – {a.application.cluster.name}",
            context=a.application.call.name,
            date=a.suspended_at or a.assigned_at,
            url=reverse("evaluation:suspension", args=[a.pk]),
            note=a.suspension_reason,
        )
        for a in assignments
    ]
    return _group(
        "suspended",
        _("Assignments suspended for a possible conflict of interest"),
        _("suspended on"),
        items,
    )


def _overdue_assignments(today: dt.date) -> dict[str, Any]:
    """Active assignments of the application's current stage without a submitted sheet, past
    their due date; the evaluation overview of the call replaces experts."""
    cutoff = start_of(today - dt.timedelta(days=ASSIGNMENT_DAYS))
    assignments = (
        Assignment.objects.filter(
            state=Assignment.State.ACTIVE,
            application__state=ApplicationState.IN_EVALUATION,
            application__stage=F("stage"),
            assigned_at__lt=cutoff,
        )
        .exclude(sheet__state=ScoreSheet.State.SUBMITTED)
        .select_related("expert__user", "application__call", "application__cluster")
        .order_by("assigned_at", "pk")
    )
    items = [
        Item(
            subject=a.application.cluster.name,
            context=a.application.call.name,
            date=due_on(a),
            url=reverse("evaluation:call", args=[a.application.call_id]),
            late=True,
            note=str(a.expert),
        )
        for a in assignments
    ]
    return _group("assignments", _("Overdue score sheets"), _("due on"), items)


def _expiring_statuses(today: dt.date) -> dict[str, Any]:
    """Statuses valid today that end within ``EXPIRY_WARNING_DAYS`` days and that no later
    grant of the same cluster (a renewal) follows."""
    later = StatusGrant.objects.filter(
        cluster_id=OuterRef("cluster_id"),
        valid_from__gt=OuterRef("valid_from"),
        withdrawn_on__isnull=True,
    )
    grants = (
        StatusGrant.objects.valid_on(today)
        .filter(valid_to__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
        .exclude(Exists(later))
        .select_related("cluster")
        .order_by("valid_to", "cluster__name", "pk")
    )
    items = [
        Item(
            subject=g.cluster.name,
            context=g.round_label,
            date=g.valid_to,
            url=reverse("statuses:cluster-history", args=[g.cluster_id]),
        )
        for g in grants
    ]
    return _group("statuses", _("Statuses expiring within 90 days"), _("valid until"), items)


def _contested_memberships() -> dict[str, Any]:
    """Memberships that the member organisation contests (docs/self-service.md), oldest
    contest first; the list of contested memberships shows the reasons."""
    items = [
        Item(
            subject=f"{m.organisation.name} – {m.cluster.name}",
            context=str(m.get_role_display()),
            date=timezone.localtime(m.confirmation.changed_at),
            url=reverse("registry:contested"),
            note=m.confirmation.changed_by_name,
        )
        for m in selfservice.contested()
    ]
    return _group("contested", _("Contested memberships"), _("contested on"), items)


def _evidence_to_review() -> dict[str, Any]:
    """Documents proving a backdated start, awaiting review (docs/registry.md): until one is
    accepted, verification counts the membership from its recording."""
    url = reverse("registry:evidence-queue")
    items = [
        Item(
            subject=f"{e.membership.organisation.name} – {e.membership.cluster.name}",
            context=str(e.get_kind_display()),
            date=timezone.localtime(e.uploaded_at),
            url=url,
            note=e.uploaded_by.get_full_name() or e.uploaded_by.username if e.uploaded_by else "",
        )
        for e in registry_selectors.evidence_queue()
    ]
    return _group("evidence", _("Evidence of backdated memberships"), _("sent on"), items)


def _change_requests() -> dict[str, Any]:
    """Values of shared organisations that coordinators proposed (docs/registry.md)."""
    url = reverse("registry:change-requests")
    items = [
        Item(
            subject=f"{r.organisation.name}: {r.field_label}",
            context=r.cluster.name if r.cluster else "",
            date=timezone.localtime(r.proposed_at),
            url=url,
            note=r.proposed_value_label,
        )
        for r in registry_selectors.pending_change_requests()
    ]
    return _group("changes", _("Proposed changes of organisations"), _("proposed on"), items)


def _monitoring(today: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """Yearly reports past their due date, and the monitoring alerts: members below the
    round's minimum on 31 December, a report overdue by more than 30 days."""
    overdue = [
        Item(
            subject=r.cluster.name,
            context=str(r.year),
            date=r.due_on,
            url=reverse("monitoring:report", args=[r.pk]),
            late=True,
        )
        for r in monitoring.overdue_reports(today)
    ]
    alerts = [
        Item(
            subject=a.report.cluster.name,
            context=str(a.report.year),
            date=a.report.due_on,
            url=reverse("monitoring:report", args=[a.report.pk]),
            late=a.kind == "overdue",
            note=(
                ngettext(
                    "%(count)s member on 31 December, the minimum is %(minimum)s",
                    "%(count)s members on 31 December, the minimum is %(minimum)s",
                    a.members or 0,
                )
                % {"count": a.members, "minimum": a.report.members_minimum}
                if a.kind == "members"
                else ngettext(
                    "overdue by %(count)s day", "overdue by %(count)s days", a.days_overdue or 0
                )
                % {"count": a.days_overdue}
            ),
        )
        for a in monitoring.alerts(today)
    ]
    return (
        _group("monitoring-overdue", _("Overdue yearly reports"), _("due on"), overdue),
        _group("monitoring-alerts", _("Monitoring alerts"), _("due on"), alerts),
    )
