"""A call's applications with their states and stage results, as CSV and XLSX."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from .models import Call


def _rows(call: Call) -> tuple[list[str], list[list[object]]]:
    stage_ids = [stage.id for stage in call.rulebook.parsed().stages]
    header = [
        "application",
        "cluster",
        "coordinator",
        "coordinator_nip",
        "kind",
        "state",
        "stage",
        "submitted_at",
    ]
    for stage_id in stage_ids:
        header += [f"{stage_id}_result", f"{stage_id}_points"]
    rows = []
    applications = (
        call.applications.select_related("cluster__coordinator")
        .prefetch_related("stage_results")
        .order_by("cluster__name")
    )
    for application in applications:
        results = {r.stage: r for r in application.stage_results.all()}
        row: list[object] = [
            application.pk,
            application.cluster.name,
            application.cluster.coordinator.name,
            application.cluster.coordinator.nip or "",
            application.kind,
            application.state,
            application.stage,
            application.submitted_at.isoformat() if application.submitted_at else "",
        ]
        for stage_id in stage_ids:
            result = results.get(stage_id)
            row += [
                result.result if result else "",
                "" if result is None or result.points is None else f"{result.points:.2f}",
            ]
        rows.append(row)
    return header, rows


def applications_csv(call: Call) -> bytes:
    header, rows = _rows(call)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def applications_xlsx(call: Call) -> bytes:
    header, rows = _rows(call)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("applications")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
