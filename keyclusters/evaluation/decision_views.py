"""The decisions' records: the history of approved lists with their PDFs (operators and the
decision maker), and each decided call's public results."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from keyclusters.competitions.models import Call
from keyclusters.domain.lifecycle import CallState

from .models import DecisionRecord


def _may_see_decisions(user) -> bool:
    return user.has_perm("evaluation.manage") or user.has_perm("evaluation.decide")


@login_required
@require_safe
def decision_list(request: HttpRequest) -> HttpResponse:
    if not _may_see_decisions(request.user):
        raise PermissionDenied
    records = DecisionRecord.objects.select_related(
        "call__rulebook", "call__minister_document"
    ).order_by("-created_at", "-pk")
    return render(request, "evaluation/decisions.html", {"records": records})


def decision_html(record: DecisionRecord) -> str:
    rows = [{**row, "total": Decimal(row["total"])} for row in record.rows]
    return render_to_string("evaluation/decision_record_pdf.html", {"record": record, "rows": rows})


@login_required
@require_safe
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    if not _may_see_decisions(request.user):
        raise PermissionDenied
    record = get_object_or_404(DecisionRecord, pk=pk)
    from weasyprint import HTML  # heavy; imported only when a PDF is made

    pdf = HTML(string=decision_html(record), base_url=str(settings.BASE_DIR)).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="decision-{record.call_id}-{record.approved_on:%Y-%m-%d}.pdf"'
    )
    return response


@require_safe
def call_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The clusters granted the status in a decided call, with points and rank (no people)."""
    call = get_object_or_404(Call, pk=pk, state=CallState.DECIDED)
    record = DecisionRecord.objects.filter(call=call).order_by("-created_at", "-pk").first()
    if record is None:
        raise Http404
    granted = [{**row, "total": Decimal(row["total"])} for row in record.rows if row["recommended"]]
    return render(
        request, "evaluation/results.html", {"call": call, "record": record, "granted": granted}
    )
