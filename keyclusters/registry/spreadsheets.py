"""Files for a person's spreadsheet, in the active language (docs/formats.md, "Exports").

The machine exports (the member list's CSV and XLSX, the open data) keep their documented
columns, codes and ISO dates. A spreadsheet file for people is written the way the language
writes it, so that a spreadsheet set to that language opens it as it is:

- CSV: UTF-8 with a byte-order mark (Excel), lines ending in CRLF; numbers with the language's
  decimal separator and no grouping (``18,50`` in Polish, ``18.50`` in English), and then ``;``
  between the cells where the decimal separator is a comma (what a Polish spreadsheet expects),
  else ``,``; dates as the language writes them in figures (``04.05.2026``; ISO ``2026-05-04``
  for a language whose short date is not in figures, as English's ``4 May 2026``), a date and
  time as the date and ``HH:MM`` in the site's time zone;
- XLSX: numbers, dates and dates with times as typed cells (the spreadsheet shows them in its
  own language), text as text;
- in both, the column titles and the coded values translated (by the caller).

Every cell goes through :mod:`keyclusters.domain.spreadsheet_safety`: text that a spreadsheet
would run as a formula gets a quote in front, and XLSX text cells are typed as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext

from keyclusters.domain.spreadsheet_safety import safe_row, xlsx_row

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FIGURES = {"d": "%d", "m": "%m", "Y": "%Y"}


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    date_format: str  # strftime


def active_dialect() -> Dialect:
    """The CSV dialect of the active language (see the module's docstring)."""
    decimal = str(get_format("DECIMAL_SEPARATOR"))
    short = str(get_format("SHORT_DATE_FORMAT"))
    if short and all(c in _FIGURES or not c.isalpha() for c in short):
        date_format = "".join(_FIGURES.get(c, c) for c in short)
    else:
        date_format = "%Y-%m-%d"
    return Dialect(";" if decimal == "," else ",", decimal, date_format)


def text_cell(value: object, dialect: Dialect) -> object:
    """A value of a CSV row as the language writes it (text is left as it is)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local.strftime(dialect.date_format)} {local:%H:%M}"
    if isinstance(value, dt.date):
        return value.strftime(dialect.date_format)
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", dialect.decimal)
    if isinstance(value, float):
        return repr(value).replace(".", dialect.decimal)
    return value


def csv_file(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV for a spreadsheet in the active language."""
    dialect = active_dialect()
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(text_cell(value, dialect) for value in row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_cell(value: object) -> object:
    """A value of an XLSX row: numbers, dates and dates with times stay typed (a date with a
    time in the site's time zone, without it: a spreadsheet has no time zones)."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def xlsx_file(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """An XLSX workbook of one sheet named ``title`` (cut to what a sheet's name may hold)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31].translate(str.maketrans("[]:*?/\\", "_______")))
    sheet.append(xlsx_row(sheet, header))
    for row in rows:
        sheet.append(xlsx_row(sheet, [xlsx_cell(value) for value in row]))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
