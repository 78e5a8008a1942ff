"""Pages of the ministry's view beyond one indicator's table: a holder's trajectory across years
against the application that won its status (operators and the decision maker), and the open
data of the published part of the accepted reports (everyone, no login)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from keyclusters.domain.spreadsheet_safety import safe_cell
from keyclusters.registry.models import Cluster

from . import charts, ministry, selectors
from .models import localized


def _require(request: HttpRequest, permission: str, obj: object = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


@dataclass(frozen=True)
class _Line:
    """A line of the chart that is not a cluster: the application's figures."""

    name: str


def _number(value: Decimal) -> str:
    return number_format(value, use_l10n=True)


def _in_words(point: ministry.Point) -> str:
    difference = point.difference
    if difference is None:
        return ""
    if difference > 0:
        return _("%(difference)s above the application") % {"difference": _number(difference)}
    if difference < 0:
        return _("%(difference)s below the application") % {"difference": _number(-difference)}
    return _("the same as in the application")


def _percent(point: ministry.Point) -> str:
    percent = point.percent
    if percent is None:
        return ""
    sign = "+" if percent > 0 else ""
    return f"{sign}{number_format(percent, decimal_pos=1, use_l10n=True)}%"


@login_required
@require_GET
def trajectory(request: HttpRequest, pk: int) -> HttpResponse:
    """One holder's indicators compared with the application, across the years of its
    accepted reports: a table and a small chart each."""
    _require(request, "monitoring.read_indicators")
    cluster = get_object_or_404(Cluster, pk=pk)
    framework = selectors.latest_framework()
    if framework is None:
        context: dict[str, object] = {"cluster": cluster, "definition": None}
        return render(request, "monitoring/trajectory.html", context)
    sections = []
    for found in ministry.trajectories(cluster, framework.parsed):
        title = localized(found.indicator.title)
        years = [point.year for point in found.points]
        table = selectors.IndicatorTable(
            years=years,
            rows=[
                (cluster, [point.value for point in found.points]),
                (
                    cast(Cluster, _Line(_("In the application"))),
                    [point.applied for point in found.points],
                ),
            ],
        )
        sections.append(
            {
                "id": found.indicator.id,
                "title": title,
                "unit": localized(found.indicator.unit) if found.indicator.unit else "",
                "compared": found.compared,
                "chart": charts.indicator_chart(table, title=title, fluid=True)
                if found.points
                else "",
                "points": [
                    {
                        "year": point.year,
                        "value": point.value,
                        "applied": point.applied,
                        "difference": point.difference,
                        "words": _in_words(point),
                        "percent": _percent(point),
                    }
                    for point in found.points
                ],
            }
        )
    return render(
        request,
        "monitoring/trajectory.html",
        {
            "cluster": cluster,
            "definition": framework.parsed,
            "sections": sections,
            "any_report": any(section["points"] for section in sections),
        },
    )


@require_GET
def open_data(request: HttpRequest, format: str) -> HttpResponse:
    """The published part of the accepted reports (docs/monitoring.md, "Open data"), as CSV or
    JSON, to everyone."""
    _require(request, "monitoring.read_open_data")
    data = ministry.open_data()
    filename = f"monitoring-{timezone.localdate().isoformat()}.{format}"
    if format == "json":
        document = {
            "schema": ministry.OPEN_DATA_SCHEMA,
            "generated_on": timezone.localdate().isoformat(),
            "frameworks": [
                {"id": f.framework_id, "version": f.version, "sha256": f.sha256}
                for f in data.frameworks
            ],
            "columns": list(ministry.OPEN_DATA_COLUMNS),
            "rows": data.rows,
        }
        content = json.dumps(document, ensure_ascii=False, indent=1)
        return _download(content, "application/json; charset=utf-8", filename)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ministry.OPEN_DATA_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in data.rows)
    return _download(out.getvalue(), "text/csv; charset=utf-8", filename)


def _download(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
