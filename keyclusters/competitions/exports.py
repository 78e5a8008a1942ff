"""A call's applications with their states and stage results, as CSV and XLSX.

Text that a spreadsheet would run as a formula gets a quote in front, and XLSX cells of text are
typed as text (keyclusters.domain.spreadsheet_safety); points are numbers with two decimals (text
``12.50`` in CSV, a number cell in XLSX).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

from keyclusters.domain.spreadsheet_safety import safe_row, xlsx_row

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
                None if result is None or result.points is None else result.points,
            ]
        rows.append(row)
    return header, rows


def _csv_value(value: object) -> object:
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def _xlsx_value(value: object) -> object:
    return value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else value


def applications_csv(call: Call) -> bytes:
    header, rows = _rows(call)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(_csv_value(value) for value in row) for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def applications_xlsx(call: Call) -> bytes:
    header, rows = _rows(call)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("applications")
    sheet.append(xlsx_row(sheet, header))
    for row in rows:
        sheet.append(xlsx_row(sheet, [_xlsx_value(value) for value in row]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
