"""Exports of a cluster's members, in the columns of the member import (they re-import as is).

CSV is UTF-8 with a byte-order mark (so that spreadsheets detect the encoding), separated by
commas, dates ``YYYY-MM-DD``. XLSX has real date cells and identifiers as text. Text that a
spreadsheet would run as a formula gets a quote in front (keyclusters.domain.spreadsheet_safety).

These two are the documented machine format (codes, ISO dates; docs/formats.md). The spreadsheet
variants (:func:`members_spreadsheet_csv`, :func:`members_spreadsheet_xlsx`) are for people: the
column titles and the values in the active language, a CSV in the language's format
(:mod:`.spreadsheets`); the member import reads them back as well.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db.models import QuerySet

from keyclusters.domain.spreadsheet_safety import safe_row, xlsx_row
from keyclusters.domain.tabular import MEMBER_COLUMNS

from . import spreadsheets
from .models import Cluster, Membership
from .vocabulary import column_titles, value_label


def member_memberships(cluster: Cluster, on: dt.date | None = None) -> QuerySet[Membership]:
    """Every membership of the cluster (every role), or those active on ``on``."""
    memberships = Membership.objects.filter(cluster=cluster).select_related("organisation")
    if on is not None:
        memberships = memberships.active_on(on)
    return memberships.order_by("organisation__name", "organisation__nip", "role", "joined_on")


def _values(membership: Membership) -> list[object]:
    o = membership.organisation
    return [
        o.name, o.nip or "", o.regon, o.krs, o.kind, o.size, o.voivodeship, o.city, o.country,
        membership.joined_on, membership.left_on, membership.role,
    ]  # fmt: skip


def member_rows(cluster: Cluster, on: dt.date | None = None) -> list[list[object]]:
    return [_values(m) for m in member_memberships(cluster, on).iterator(chunk_size=2000)]


def members_csv(cluster: Cluster, on: dt.date | None = None) -> bytes:
    """The members as CSV (UTF-8 with BOM, comma-separated, ISO dates)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=",", lineterminator="\r\n")
    writer.writerow(safe_row(MEMBER_COLUMNS))
    for values in member_rows(cluster, on):
        writer.writerow(safe_row(v.isoformat() if isinstance(v, dt.date) else v for v in values))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def members_xlsx(cluster: Cluster, on: dt.date | None = None) -> bytes:
    """The members as an XLSX workbook with one sheet."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(
        title=cluster.name[:31].translate(str.maketrans("[]:*?/\\", "_______"))
    )
    sheet.append(xlsx_row(sheet, MEMBER_COLUMNS))
    date_columns = {MEMBER_COLUMNS.index("joined_on"), MEMBER_COLUMNS.index("left_on")}
    for values in member_rows(cluster, on):
        row = []
        for index, value in enumerate(values):
            if index in date_columns and value is not None:
                row.append(value)
            else:
                row.append("" if value is None else str(value))
        sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _spreadsheet_rows(cluster: Cluster, on: dt.date | None) -> list[list[object]]:
    return [
        [value_label(column, value) for column, value in zip(MEMBER_COLUMNS, values, strict=True)]
        for values in member_rows(cluster, on)
    ]


def members_spreadsheet_csv(cluster: Cluster, on: dt.date | None = None) -> bytes:
    """The members for a spreadsheet in the active language: titles and values translated,
    ``;`` and dates ``DD.MM.YYYY`` in Polish (:mod:`.spreadsheets`)."""
    header = column_titles(MEMBER_COLUMNS)
    return spreadsheets.csv_file(header, _spreadsheet_rows(cluster, on))


def members_spreadsheet_xlsx(cluster: Cluster, on: dt.date | None = None) -> bytes:
    """The members for a spreadsheet: titles and values translated, dates as date cells."""
    header = column_titles(MEMBER_COLUMNS)
    return spreadsheets.xlsx_file(cluster.name, header, _spreadsheet_rows(cluster, on))
