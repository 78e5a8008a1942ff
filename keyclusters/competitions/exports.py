"""A call's applications with their states and stage results, for the operator's spreadsheet.

Written in the active language through :mod:`keyclusters.registry.spreadsheets` (docs/formats.md,
"The call's applications"): the columns titled as the pages title them (a stage by the
rulebook's title), the application's number, the cluster's and the coordinator's names, the
kind, state and stage in words, the results as the pages word them; points with two decimals
(``18,50`` in a Polish CSV, a number cell in XLSX) and the submission as a date and time (a date
cell in XLSX). Every cell goes through :mod:`keyclusters.domain.spreadsheet_safety`.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext

from keyclusters.domain.points import round_points
from keyclusters.registry import spreadsheets

from .labels import APPLICATION_STATES
from .models import Application, Call, StageResult
from .rulebook_words import stage_title

POINTS_DECIMALS = 2


def _result_word(result: StageResult | None) -> str | None:
    """A stage's result as the call's dashboard words it (a scored stage still under way: where
    it is, e.g. "collecting score sheets")."""
    if result is None:
        return None
    if result.result == StageResult.Result.PENDING:
        return str(result.get_state_display())
    return str(result.get_result_display())


def _points(result: StageResult | None) -> Decimal | None:
    if result is None or result.points is None:
        return None
    return round_points(result.points, POINTS_DECIMALS)


def _rows(call: Call) -> tuple[list[str], list[list[object]]]:
    rulebook = call.rulebook.parsed()
    stages = [(stage.id, stage.kind != "formal") for stage in rulebook.stages]
    header = [
        gettext("Application number"),
        gettext("Cluster"),
        gettext("Coordinator"),
        gettext("Coordinator's NIP"),
        gettext("Kind"),
        gettext("State"),
        gettext("Stage"),
        capfirst(str(Application._meta.get_field("submitted_at").verbose_name)),
    ]
    for stage_id, scored in stages:
        title = stage_title(rulebook, stage_id)
        header.append(title)
        if scored:  # a formal stage has no points
            header.append(f"{title} ({gettext('points')})")
    rows: list[list[object]] = []
    applications = (
        call.applications.select_related("cluster__coordinator")
        .prefetch_related("stage_results")
        .order_by("cluster__name", "pk")
    )
    for application in applications:
        results = {r.stage: r for r in application.stage_results.all()}
        coordinator = application.cluster.coordinator
        row: list[object] = [
            application.number or None,
            application.cluster.name,
            coordinator.name,
            coordinator.nip or None,
            application.get_kind_display(),
            str(APPLICATION_STATES.get(application.state, application.state)),
            stage_title(rulebook, application.stage) if application.stage else None,
            application.submitted_at,
        ]
        for stage_id, scored in stages:
            result = results.get(stage_id)
            row.append(_result_word(result))
            if scored:
                row.append(_points(result))
        rows.append(row)
    return header, rows


def _sheet_title() -> str:
    return gettext("Applications")


def applications_csv(call: Call) -> bytes:
    """The CSV for a spreadsheet in the active language (``;`` and ``18,50`` in Polish)."""
    header, rows = _rows(call)
    return spreadsheets.csv_file(header, rows)


def applications_xlsx(call: Call) -> bytes:
    header, rows = _rows(call)
    return spreadsheets.xlsx_file(_sheet_title(), header, rows)
