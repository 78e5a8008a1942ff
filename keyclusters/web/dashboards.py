"""What the dashboard shows to each role: one function per section, returning plain data.

Every section makes a constant number of queries, whatever the number of rows, and is scoped
like the pages it links to: an operator sees every call, a coordinator only the clusters their
organisation coordinates, an expert only their own assignments. What needs the operator's
attention is in :mod:`.attention`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keyclusters.accounts.roles import Role
from keyclusters.benchmarking import selectors as benchmarking_selectors
from keyclusters.benchmarking.models import EditionState
from keyclusters.competitions.labels import APPLICATION_STATES, STAGE_KINDS
from keyclusters.competitions.models import Application, Call, StageResult, StoredRulebook
from keyclusters.competitions.selectors import funnel_rows
from keyclusters.domain.lifecycle import ApplicationState, CallState
from keyclusters.domain.rulebook import localized
from keyclusters.evaluation import selectors as evaluation_selectors
from keyclusters.evaluation.models import PanelSession, Recommendation, ScoreSheet
from keyclusters.registry import selfservice
from keyclusters.registry.selectors import clusters_coordinated_by
from keyclusters.statuses.models import Certificate, StatusGrant
from keyclusters.surveys.selectors import surveys_to_open

from .admin_dashboard import administrator_section
from .attention import due_on, needs_attention


def _language() -> str:
    return (get_language() or "pl")[:2]


def _stage_title(rulebook: Any, stage_id: str) -> str:
    try:
        stage = rulebook.stage(stage_id)
    except KeyError:
        return stage_id
    return localized(stage.title, _language()) or str(STAGE_KINDS.get(stage.kind, stage_id))


def _rulebooks(ids: set[int]) -> dict[int, Any]:
    """The parsed rulebooks by id, in one query."""
    if not ids:
        return {}
    return {pk: stored.parsed() for pk, stored in StoredRulebook.objects.in_bulk(ids).items()}


# --- operator --------------------------------------------------------------------------------


def operator_section(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The calls not yet decided with their funnels, and what needs attention today."""
    now = now or timezone.now()
    calls = list(
        Call.objects.exclude(state=CallState.DECIDED)
        .select_related("rulebook")
        .order_by("-opens_at", "pk")
    )
    return {"calls": _call_funnels(calls), "attention": needs_attention(calls, now=now)}


def _call_funnels(calls: list[Call]) -> list[dict[str, Any]]:
    """Each call's applications per state and its funnel: two grouped queries for all calls."""
    ids = [call.pk for call in calls]
    states: dict[int, Counter[str]] = defaultdict(Counter)
    for call_id, state, count in (
        Application.objects.filter(call_id__in=ids)
        .order_by()
        .values("call_id", "state")
        .annotate(n=Count("pk"))
        .values_list("call_id", "state", "n")
    ):
        states[call_id][state] = count
    results: dict[int, Counter[tuple[str, str]]] = defaultdict(Counter)
    for call_id, stage, result, count in (
        StageResult.objects.filter(application__call_id__in=ids)
        .order_by()
        .values("application__call_id", "stage", "result")
        .annotate(n=Count("pk"))
        .values_list("application__call_id", "stage", "result", "n")
    ):
        results[call_id][(stage, result)] = count
    rows = []
    for call in calls:
        counts = states[call.pk]
        rulebook = call.rulebook.parsed()
        submitted = sum(n for state, n in counts.items() if state != ApplicationState.DRAFT)
        funnel = [
            {
                "stage": row["stage"],
                "title": _("Submitted")
                if row["stage"] == "submitted"
                else _stage_title(rulebook, str(row["stage"])),
                "entered": row["entered"],
                "passed": row["passed"],
            }
            for row in funnel_rows(rulebook, submitted, results[call.pk])
        ]
        rows.append(
            {
                "id": call.pk,
                "name": call.name,
                "state": call.state,
                "url": reverse("competitions:call-dashboard", args=[call.pk]),
                "total": sum(counts.values()),
                "states": [
                    (state.value, APPLICATION_STATES[state.value], counts[state.value])
                    for state in ApplicationState
                    if counts[state.value]
                ],
                "funnel": funnel,
            }
        )
    return rows


# --- experts and panel members ---------------------------------------------------------------


def _assignment_rows(user: Any, today: dt.date) -> list[dict[str, Any]]:
    """The user's open assignments (the application is at that stage) and submitted sheets."""
    assignments = list(evaluation_selectors.my_assignments(user))
    rulebooks = _rulebooks({a.application.call.rulebook_id for a in assignments})
    rows = []
    for a in assignments:
        application, sheet = a.application, getattr(a, "sheet", None)
        submitted = sheet is not None and sheet.state == ScoreSheet.State.SUBMITTED
        current = (
            application.state == ApplicationState.IN_EVALUATION and application.stage == a.stage
        )
        if not (submitted or current):
            continue
        rulebook = rulebooks[application.call.rulebook_id]
        try:
            kind = rulebook.stage(a.stage).kind
        except KeyError:
            kind = ""
        if submitted:
            state = "submitted"
        elif a.no_conflict_declared_at is None:
            state = "declare"
        else:
            state = "draft" if sheet is not None else "to-score"
        due = None if submitted else due_on(a)
        rows.append(
            {
                "id": a.pk,
                "url": reverse("evaluation:sheet", args=[a.pk]),
                "cluster": application.cluster.name,
                "call": application.call.name,
                "stage": _stage_title(rulebook, a.stage),
                "kind": kind,
                "state": state,
                "due": due,
                "overdue": due is not None and due < today,
            }
        )
    return rows


def _assignment_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "assignments": rows,
        "open": sum(1 for row in rows if row["state"] != "submitted"),
        "overdue": sum(1 for row in rows if row["overdue"]),
        "list_url": reverse("evaluation:my-assignments"),
    }


def expert_section(user: Any, *, today: dt.date, with_panel: bool = True) -> dict[str, Any]:
    """The expert's assignments; those of panel stages only ``with_panel`` (a panel member
    sees them in the panel section)."""
    rows = [r for r in _assignment_rows(user, today) if with_panel or r["kind"] != "panel"]
    return _assignment_summary(rows)


def panel_section(user: Any, *, today: dt.date) -> dict[str, Any]:
    sessions = (
        PanelSession.objects.filter(members__user=user, held_on__gte=today)
        .select_related("call")
        .order_by("held_on", "pk")
    )
    rows = [r for r in _assignment_rows(user, today) if r["kind"] == "panel"]
    return {
        **_assignment_summary(rows),
        "sessions": [
            {"call": s.call.name, "held_on": s.held_on, "place": s.place} for s in sessions
        ],
    }


# --- decision maker --------------------------------------------------------------------------


def decision_maker_section() -> dict[str, Any]:
    pending = (
        Recommendation.objects.filter(state=Recommendation.State.PREPARED)
        .select_related("call__rulebook")
        .order_by("prepared_at", "pk")
    )
    return {
        "pending": [
            {
                "call": r.call.name,
                "prepared_at": r.prepared_at,
                "candidates": len(r.outcomes),
                "recommended": sum(1 for o in r.outcomes if o.get("recommended")),
                "url": reverse("evaluation:recommendation", args=[r.call_id]),
                # a list the rulebook has the commission's chair sign first is not yet to approve
                "awaiting_signature": r.signed_at is None
                and r.call.rulebook.parsed().decision.signed_by == "chair",
            }
            for r in pending
        ]
    }


# --- coordinator -----------------------------------------------------------------------------


def coordinator_section(user: Any, *, today: dt.date) -> dict[str, Any]:
    """Only what the user's organisation coordinates (nothing without an organisation)."""
    organisation = user.organisation_id
    if organisation is None:
        return {
            "organisation": False,
            "clusters": [],
            "applications": [],
            "grants": [],
            "reports": [],
            "contested": [],
            "surveys_to_open": [],
        }
    clusters = [
        {
            "name": c.name,
            "members": c.member_count,
            "url": reverse("registry:cluster-manage", args=[c.pk]),
            "history_url": reverse("statuses:cluster-history", args=[c.pk]),
        }
        for c in clusters_coordinated_by(organisation)
    ]
    applications = (
        Application.objects.filter(cluster__coordinator_id=organisation)
        .select_related("call", "cluster")
        .order_by("-call__opens_at", "cluster__name", "pk")
    )
    grants = list(
        StatusGrant.objects.filter(cluster__coordinator_id=organisation)
        .select_related("cluster")
        .order_by("cluster__name", "-valid_from", "pk")
    )
    certificates: dict[int, Certificate] = {}
    for certificate in Certificate.objects.filter(
        kind=Certificate.Kind.STATUS, status_grant__in=[g.pk for g in grants]
    ).order_by("-issued_at", "-pk"):
        certificates.setdefault(certificate.status_grant_id, certificate)
    reports = benchmarking_selectors.coordinator_results(user)
    survey_year, unasked = surveys_to_open(organisation, today)
    return {
        "organisation": True,
        "clusters": clusters,
        "survey_year": str(survey_year),  # a year, never "2\u00a0025"
        "surveys_to_open": [
            {"cluster": c.name, "url": f"{reverse('surveys:surveys')}?cluster={c.pk}#open-survey"}
            for c in unasked
        ],
        "applications": [
            {
                "cluster": a.cluster.name,
                "call": a.call.name,
                "state": a.state,
                "deadline": a.completion_deadline
                if a.state == ApplicationState.COMPLETION_REQUESTED
                else None,
                "url": reverse("competitions:application-detail", args=[a.pk]),
            }
            for a in applications
        ],
        "grants": [_grant_row(g, certificates.get(g.pk), today) for g in grants],
        "contested": [
            {
                "organisation": m.organisation.name,
                "cluster": m.cluster.name,
                "on": m.confirmation.changed_at,
                "reason": m.confirmation.reason,
                "url": reverse("registry:cluster-manage", args=[m.cluster_id]),
            }
            for m in selfservice.contested(coordinator_organisation_id=organisation)
        ],
        "list_url": reverse("registry:contested"),
        "reports": [
            {
                "edition": r.edition.name,
                "cluster": r.cluster.name,
                "url": reverse("benchmarking:cluster-report", args=[r.edition_id, r.cluster_id]),
                "pdf_url": reverse(
                    "benchmarking:cluster-report-pdf", args=[r.edition_id, r.cluster_id]
                ),
            }
            for r in reports
        ],
    }


def _grant_row(grant: StatusGrant, certificate: Certificate | None, today: dt.date) -> dict:
    return {
        "cluster": grant.cluster.name,
        "round": grant.round_label,
        "valid_from": grant.valid_from,
        "valid_to": grant.valid_to,
        "state": grant.state_on(today),
        "issue_url": reverse("statuses:status-certificate", args=[grant.pk]),
        "certificate_url": reverse("statuses:certificate-pdf", args=[certificate.code])
        if certificate
        else None,
    }


# --- member organisation --------------------------------------------------------------------


def member_organisation_section(user: Any) -> dict[str, Any]:
    """The organisation the user represents: its memberships' answers at a glance."""
    memberships = list(selfservice.memberships_of(user.organisation_id))
    return {
        "organisation": user.organisation.name if user.organisation_id else "",
        "memberships": len(memberships),
        "unanswered": sum(1 for m in memberships if not m.confirmation_state),
        "contested": sum(1 for m in memberships if m.contested_at),
        "url": reverse("registry:my-organisation"),
    }


# --- funding agency and analyst --------------------------------------------------------------


def funding_agency_section() -> dict[str, Any]:
    verify = reverse("statuses:verify")
    return {
        "verify_url": verify,
        "bulk_url": verify,
        "api_docs_url": reverse("api:openapi-view"),
    }


def analyst_section(user: Any) -> dict[str, Any]:
    editions = benchmarking_selectors.visible_editions(user).annotate(
        participants=Count("clusters", distinct=True)
    )
    return {
        "editions": [
            {
                "name": e.name,
                "year": e.year,
                "framework": e.framework.display_title(),
                "state": e.state,
                "state_label": e.get_state_display(),
                "participants": e.participants,
                "url": reverse("benchmarking:edition-detail", args=[e.pk]),
                "report_url": reverse("benchmarking:edition-report", args=[e.pk])
                if e.state != EditionState.DRAFT
                else None,
            }
            for e in editions.order_by("-year", "name", "pk")
        ],
        "create_url": reverse("benchmarking:edition-create"),
    }


# --- the page --------------------------------------------------------------------------------


def sections_for(user: Any, *, now: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
    """The sections the user's roles entitle them to, keyed by a template-friendly name."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sections: dict[str, dict[str, Any]] = {}
    if user.has_role(Role.OPERATOR):
        sections["operator"] = operator_section(now=now)
    panel = user.has_role(Role.PANEL_MEMBER)
    if user.has_role(Role.EXPERT):
        sections["expert"] = expert_section(user, today=today, with_panel=not panel)
    if panel:
        sections["panel"] = panel_section(user, today=today)
    if user.has_role(Role.DECISION_MAKER):
        sections["decision"] = decision_maker_section()
    if user.has_role(Role.COORDINATOR):
        sections["coordinator"] = coordinator_section(user, today=today)
    if user.has_role(Role.MEMBER_ORGANISATION) and user.organisation_id is not None:
        sections["member"] = member_organisation_section(user)
    if user.has_role(Role.FUNDING_AGENCY):
        sections["agency"] = funding_agency_section()
    if user.has_role(Role.ANALYST):
        sections["analyst"] = analyst_section(user)
    if user.is_superuser:
        sections["administrator"] = administrator_section(now=now)
    return sections
