"""A cluster's history across rounds: each of its applications in every call, with the stage
results, the decision and the status it led to (renewal or new, and the gap).

The cluster's coordinator and the ministry (operators, the decision maker) see every
application, its number, submission date, each stage's result and points
(``statuses.read_cluster_rounds``). Everyone else sees, for each decided call the cluster
applied in, only whether the status was granted: no numbers, points or stage results, and
nothing of calls not yet decided. Four queries whatever the number of applications (the
cluster, its applications with their calls and rulebooks, their stage results, its grants).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET

from keyclusters.competitions import rulebook_words
from keyclusters.competitions.models import Application, StageResult
from keyclusters.domain.lifecycle.competition import APPLICATION, ApplicationState, CallState
from keyclusters.domain.points import round_points
from keyclusters.registry.models import Cluster
from keyclusters.statuses import selectors as status_selectors

POINTS_DECIMALS = 2

REJECTED_FORMAL = gettext_lazy("rejected at the formal stage")
REJECTED_GATE = gettext_lazy("rejected below a stage's threshold")


def _maximum(value: Decimal) -> Decimal:
    """A stage's maximum as the rulebook writes it: 10, or 7.5 (never 10.000000 or 1E+1)."""
    rounded = round_points(value, POINTS_DECIMALS)
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded


def _stage_rows(application: Application, rulebook: Any) -> list[dict[str, Any]]:
    """The stages the application reached, in the rulebook's order, each with its result in
    words and its points (two decimals) where the stage scores."""
    results = {r.stage: r for r in application.stage_results.all()}
    rows = []
    for stage in rulebook.stages:
        result = results.get(stage.id)
        if result is None:
            continue
        if result.result == StageResult.Result.PENDING:
            word = result.get_state_display()
        else:
            word = result.get_result_display()
        rows.append(
            {
                "title": rulebook_words.stage_title(rulebook, stage.id),
                "result": result.result,
                "word": str(word),
                "points": None
                if result.points is None
                else round_points(result.points, POINTS_DECIMALS),
                "max_points": None if result.max_points is None else _maximum(result.max_points),
            }
        )
    return rows


def _decision(application: Application, rulebook: Any) -> str:
    """The application's outcome in words: the lifecycle's label of its state, a rejection
    named by where it happened (the formal stage, or a stage's threshold)."""
    if application.state == ApplicationState.REJECTED:
        formal = {s.id for s in rulebook.stages if s.kind == "formal"}
        failed_formal = any(
            r.stage in formal and r.result == StageResult.Result.FAILED
            for r in application.stage_results.all()
        )
        if failed_formal or not application.stage or application.stage in formal:
            return str(REJECTED_FORMAL)
        return str(REJECTED_GATE)
    return gettext(APPLICATION.state_labels[ApplicationState(application.state)])


@require_GET
def cluster_rounds(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster.objects.select_related("coordinator"), pk=pk)
    full = request.user.has_perm("statuses.read_cluster_rounds", cluster)
    applications = (
        Application.objects.filter(cluster=cluster)
        .select_related("call__rulebook")
        .order_by("call__opens_at", "call_id", "pk")
    )
    if full:
        applications = applications.prefetch_related(
            Prefetch("stage_results", queryset=StageResult.objects.order_by("pk"))
        )
    else:
        applications = applications.filter(
            call__state=CallState.DECIDED, submitted_at__isnull=False
        )
    grants = status_selectors.with_continuity(list(status_selectors.grants_of(cluster)))
    by_application = {g.application_id: g for g in grants if g.application_id is not None}
    rows = []
    for application in applications:
        application.cluster = cluster  # the permission reads the coordinator: no query
        call = application.call
        status = by_application.get(application.pk)
        granted = application.state == ApplicationState.GRANTED
        row: dict[str, Any] = {
            "call": call.name,
            "round": call.round_label,
            "decided": call.state == CallState.DECIDED,
            "granted": granted,
            "status": status,
        }
        if full:
            rulebook = call.rulebook.parsed()
            row.update(
                number=application.number or "",
                submitted_at=application.submitted_at,
                stages=_stage_rows(application, rulebook),
                decision=_decision(application, rulebook),
                id=application.pk,
                # the application's own page: to its coordinator and operators
                linked=request.user.has_perm("competitions.read_application", application),
            )
        rows.append(row)
    return render(
        request,
        "web/cluster_rounds.html",
        {"cluster": cluster, "rows": rows, "full": full},
    )
