"""Cells of CSV and XLSX exports that a spreadsheet will not run as formulas.

A spreadsheet takes a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or with a tab or a
carriage return before one of them) as a formula: an organisation named
``=HYPERLINK("http://x","y")`` would become a live link, ``+1+1`` a computed 2. Following OWASP's
rule on CSV injection, every text cell that starts with one of these characters is written with a
single quote ``'`` in front; the spreadsheet shows the text and runs nothing.

Two exemptions keep real data usable:

- values that are numbers (``int``, ``float``, ``Decimal``) or dates are not text: they pass
  unchanged, and in XLSX they stay numeric and date cells;
- text that is exactly a plain negative number (``-2``, ``-12.50``, ``-3,5``) is not prefixed:
  a spreadsheet reads it as the number it is and runs nothing (``-2+3`` is not plain and is
  prefixed).

Every export writes its rows through :func:`safe_row` (CSV) or :func:`xlsx_row` (XLSX), which
also types text cells as text so that openpyxl never stores a string as a formula. An importer
that reads an export back may undo the prefix with :func:`restore`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PLAIN_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(?:[.,][0-9]+)?")
# Characters XML 1.0 does not allow; openpyxl refuses them (a 500 instead of a file).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_TEXT = (int, float, Decimal, dt.date, dt.datetime, dt.time)


def is_formula_like(text: str) -> bool:
    """The text would be taken for a formula by a spreadsheet."""
    return text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NEGATIVE_NUMBER.fullmatch(text)


def _needs_quote(text: str) -> bool:
    # Text that already starts with quotes before a formula gets one more, so that restore()
    # tells a prefix from a quote that belongs to the value.
    return is_formula_like(text.lstrip(QUOTE))


def neutralise(text: str) -> str:
    """``text`` with a quote in front when a spreadsheet would run it, else unchanged."""
    return QUOTE + text if _needs_quote(text) else text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`: the value before export."""
    if text.startswith(QUOTE) and _needs_quote(text):
        return text[1:]
    return text


def safe_cell(value: object) -> object:
    """A cell for a CSV writer: text neutralised, None empty, numbers and dates unchanged."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, _NOT_TEXT):  # bool is an int
        return value
    return neutralise(str(value))


def safe_row(values: Iterable[object]) -> list[object]:
    """Every cell of a CSV row through :func:`safe_cell`."""
    return [safe_cell(value) for value in values]


def xlsx_row(sheet: Any, values: Iterable[object]) -> list[object]:
    """Cells for ``sheet.append`` (openpyxl, write-only or not): text neutralised and typed as
    text (never a formula), characters XML cannot hold replaced by U+FFFD, numbers, dates and
    booleans kept as numeric, date and boolean cells, None an empty cell."""
    from openpyxl.cell import WriteOnlyCell

    row: list[object] = []
    for value in values:
        if value is None or isinstance(value, _NOT_TEXT):
            row.append(value)
            continue
        text = neutralise(_XML_ILLEGAL.sub("\ufffd", str(value)))
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        row.append(cell)
    return row
