"""The shared pieces of reading import tables: cells, errors, limits.

Pure: no Django. :mod:`.tablefile` opens a file as rows with the readers of :mod:`.textfile`
(CSV) and :mod:`.xlsxfile` (XLSX); :mod:`.tabular` turns rows into records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from .i18n import N_

Cell = str | dt.date
Source = bytes | BinaryIO


class Text(str):
    """A message parameter that is itself a translatable message id."""


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class RowError:
    """One problem in an import file; ``message`` is an English message id with ``params``."""

    row: int | None
    column: str | None
    value: str
    message: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def format(self, translate: Callable[[str], str] = _identity) -> str:
        params = {k: translate(v) if isinstance(v, Text) else v for k, v in self.params.items()}
        message = translate(self.message) % params if params else translate(self.message)
        if self.row is None:
            return message
        if self.column is None:
            return translate(N_("row %(row)s: %(message)s")) % {"row": self.row, "message": message}
        values = {"row": self.row, "column": self.column, "value": self.value, "message": message}
        if self.value:
            return translate(N_('row %(row)s, column %(column)s: "%(value)s" %(message)s')) % values
        return translate(N_("row %(row)s, column %(column)s: %(message)s")) % values

    def __str__(self) -> str:
        return self.format()


class TableError(ValueError):
    """The file cannot be read as a table, or its header is wrong."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = list(errors)


def refused(message: str, row: int | None = None, **params: str | int) -> TableError:
    return TableError([RowError(row, None, "", message, params)])


@dataclass(frozen=True)
class Limits:
    """What a table file may hold. The defaults suit every import; callers may lower them."""

    max_bytes: int | None = None  # the file's size; None: the caller checked it before reading
    max_rows: int = 1_000_000  # data rows
    max_columns: int = 256
    max_cell_chars: int = 32_767  # what a spreadsheet cell can hold
    max_line_chars: int = 1 << 20  # one record of a CSV file (a line, or lines in quotes)
    max_errors: int = 1_000  # reading stops after this many errors (they are all listed)
    xlsx_max_unpacked: int = 256 << 20  # every part of a workbook together, unpacked (bytes)
    xlsx_max_strings: int = 64 << 20  # the shared strings part, unpacked
    xlsx_max_other_part: int = 16 << 20  # any part other than a worksheet or the shared strings
    xlsx_max_ratio: int = 100  # unpacked / packed size of a part that unpacks to over 1 MB
    xlsx_max_parts: int = 1_000


DEFAULT_LIMITS = Limits()


def column_letter(index: int) -> str:
    """The spreadsheet name of the column at ``index`` (0 is A, 26 is AA)."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# A record as the readers give it: row number, cells, and the index of a cell longer than the
# limit (the row is then reported and skipped), or None.
Record = tuple[int, list[Cell], int | None]


class TooLong(Exception):
    """A record too long to be read on (the rest of the file is not read)."""

    def __init__(self, row: int, index: int | None) -> None:
        super().__init__(row, index)
        self.row, self.index = row, index
