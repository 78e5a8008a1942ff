"""XLSX workbooks: the zip checked before it is opened, then the first sheet read as a stream.

Before anything is unpacked, the zip's directory is checked: the number of parts, the sizes they
declare unpacked (together, and for the shared strings and every other part that is not a
worksheet) and how much each part is compressed (a zip bomb is refused at once; ``zipfile``
never unpacks more than a part declares). The first sheet is then read element by element: the
``<dimension>`` a sheet declares is not trusted, and missing rows and cells are not filled in,
so a sparse sheet costs what its XML costs. A cell beyond ``max_columns`` or a row beyond
``max_rows`` ends the reading with an error at once.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO
from xml.etree.ElementTree import iterparse

from .i18n import N_
from .tables import Cell, Limits, Record, TableError, column_letter, refused

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SHEET_DATA, _ROW, _CELL = f"{_MAIN}sheetData", f"{_MAIN}row", f"{_MAIN}c"
_RATIO_FROM = 1 << 20  # parts that unpack to less are not checked for their ratio


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}"


def check_archive(file: BinaryIO, limits: Limits) -> None:
    """Refuse a workbook whose zip directory promises too much (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refused(N_("the XLSX workbook cannot be read (%(reason)s)"), reason=str(exc)) from exc
    finally:
        file.seek(0)
    if len(parts) > limits.xlsx_max_parts:
        raise refused(
            N_("the XLSX workbook has %(count)s parts; at most %(limit)s are accepted"),
            count=len(parts), limit=limits.xlsx_max_parts,
        )  # fmt: skip
    total = sum(part.file_size for part in parts)
    if total > limits.xlsx_max_unpacked:
        raise refused(
            N_("the XLSX workbook unpacks to %(size)s MB; at most %(limit)s MB is accepted"),
            size=_mb(total), limit=_mb(limits.xlsx_max_unpacked),
        )  # fmt: skip
    for part in parts:
        name = part.filename
        if name.startswith("xl/worksheets/"):
            limit = limits.xlsx_max_unpacked
        elif name == "xl/sharedStrings.xml":
            limit = limits.xlsx_max_strings
        else:
            limit = limits.xlsx_max_other_part
        if part.file_size > limit:
            raise refused(
                N_("the part %(part)s of the XLSX workbook unpacks to %(size)s MB; at most "
                   "%(limit)s MB is accepted"),
                part=name, size=_mb(part.file_size), limit=_mb(limit),
            )  # fmt: skip
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM and ratio > limits.xlsx_max_ratio:
            raise refused(
                N_("the part %(part)s of the XLSX workbook is compressed %(ratio)s times; at "
                   "most %(limit)s times is accepted (a zip bomb?)"),
                part=name, ratio=f"{ratio:.0f}", limit=limits.xlsx_max_ratio,
            )  # fmt: skip


def _cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _unreadable(exc: BaseException) -> TableError:
    reason = str(exc) or exc.__class__.__name__
    return refused(N_("the XLSX workbook cannot be read (%(reason)s)"), reason=reason)


def _column_index(coordinate: str) -> int:
    """0-based column of a cell reference such as ``AB12``."""
    index = 0
    for character in coordinate:
        if "A" <= character <= "Z":
            index = index * 26 + ord(character) - 64
        elif not character.isdigit():
            raise ValueError(f"{coordinate} is not a cell reference")
        else:
            break
    return index - 1


def records(file: BinaryIO, limits: Limits) -> Iterator[Record]:
    """The rows of the first sheet (the header first), after :func:`check_archive`."""
    check_archive(file, limits)
    import openpyxl  # a reader library, imported only when a workbook comes in
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever its parts raise
        raise _unreadable(exc) from exc
    try:
        if not workbook.worksheets:
            raise refused(N_("the XLSX workbook has no sheet"))
        sheet: Any = workbook.worksheets[0]
        source = workbook._archive.open(sheet._worksheet_path)
        parser = WorkSheetParser(
            source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
            date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats,
        )  # fmt: skip
        yield from _rows(source, parser, limits)
    finally:
        workbook.close()


def _rows(source: BinaryIO, parser: Any, limits: Limits) -> Iterator[Record]:
    max_columns, max_row = limits.max_columns, limits.max_rows + 1
    cell_limit = limits.max_cell_chars
    parents: list[Any] = []  # the open elements, outermost first
    number = cells_in_row = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of dates out of range, and goes on
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start":
                    parents.append(element)
                    if element.tag == _ROW:
                        number = int(element.get("r") or number + 1)
                        if number > max_row:
                            raise refused(
                                N_("the file has more than %(limit)s data rows"), number,
                                limit=limits.max_rows,
                            )  # fmt: skip
                        cells_in_row = 0
                    continue
                parents.pop()
                tag = element.tag
                if tag == _CELL:
                    cells_in_row += 1
                    reference = element.get("r")
                    column = _column_index(reference) if reference else cells_in_row - 1
                    if column >= max_columns or cells_in_row > max_columns:
                        raise refused(
                            N_("the cell %(cell)s is beyond the last column accepted "
                               "(%(last)s)"), number,
                            cell=reference or f"{column_letter(column)}{number}",
                            last=column_letter(max_columns - 1),
                        )  # fmt: skip
                elif tag == _ROW:
                    yield _row(parser, element, number, cell_limit)
                    element.clear()
                    if parents:
                        parents[-1].remove(element)
                elif len(parents) == 1 and tag != _SHEET_DATA:
                    element.clear()  # a part of the sheet that is not its data
                    parents[0].remove(element)
    except TableError:
        raise
    except Exception as exc:  # a broken part: bad XML, a string index out of range, ...
        raise _unreadable(exc) from exc
    finally:
        source.close()


def _row(parser: Any, element: Any, number: int, cell_limit: int) -> Record:
    parser.row_counter, parser.col_counter = number, 0
    values: dict[int, Cell] = {}
    for child in element:
        cell = parser.parse_cell(child)
        values[cell["column"] - 1] = _cell(cell["value"])
    cells: list[Cell] = [""] * (max(values) + 1 if values else 0)
    long_at = None
    for index, value in values.items():
        cells[index] = value
        if long_at is None and isinstance(value, str) and len(value) > cell_limit:
            long_at = index
    return number, cells, long_at
