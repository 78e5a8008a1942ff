"""Reading an import table (CSV or XLSX) as rows, within limits that hold against hostile files.

Pure: no Django. The source is the file's bytes or a binary file object (read in chunks and never
whole, so a large file is not held in memory twice). A file is refused with a :class:`TableError`
before any row is read when it cannot be a table: too large, a zip bomb, an encoding that is
not UTF-8 or Windows-1250 (see :mod:`.textfile`). A problem found while the rows are read (a cell
too long, cells beyond the header, too many rows) is appended to :attr:`Rows.errors` as it is
found; a problem that makes the rest unreadable ends the rows.

Row numbers are the spreadsheet's (the header is row 1, the first data row is row 2).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from . import textfile, xlsxfile
from .i18n import N_
from .tables import (
    DEFAULT_LIMITS,
    Cell,
    Limits,
    Record,
    RowError,
    Source,
    TableError,
    TooLong,
    column_letter,
    refused,
)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary formats (.xls, .doc)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class _Unclosing(io.RawIOBase):
    """A caller's binary file seen through ``io``: reading it does not close it."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def binary(source: Source) -> BinaryIO:
    """A seekable binary file over ``source``; a caller's file is not closed with it."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source)
    source.seek(0)
    return io.BufferedReader(_Unclosing(source), buffer_size=1 << 16)


def file_size(file: BinaryIO) -> int:
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    return size


def size_refusal(size: int, limit: int) -> TableError:
    return refused(
        N_("The file has %(size)s MB; at most %(limit)s MB is accepted."),
        size=f"{size / 2**20:.1f}",
        limit=f"{limit / 2**20:g}",
    )


class Rows:
    """A table being read: the header at once, the non-empty data rows as they are taken.

    Iterating (once) gives ``(row number, cells)``; :attr:`errors` collects every problem found
    while reading; :attr:`count` is the number of data rows read so far.
    """

    def __init__(
        self,
        header: tuple[str, ...],
        records: Iterator[Record],
        limits: Limits,
        header_row: int = 1,
    ) -> None:
        self.header = header
        self.header_row = header_row  # the row number of the header
        self.errors: list[RowError] = []
        self.count = 0
        self._records = records
        self._limits = limits

    def column(self, index: int) -> str:
        """The name of a column: the header's, else its letter."""
        if index < len(self.header) and self.header[index]:
            return self.header[index]
        return column_letter(index)

    def too_long(self, row: int, index: int | None) -> RowError:
        limit = self._limits.max_line_chars if index is None else self._limits.max_cell_chars
        if index is None:
            return RowError(row, None, "", N_("the row is longer than %(limit)s characters"),
                            {"limit": limit})  # fmt: skip
        message = N_("the cell is longer than %(limit)s characters")
        return RowError(row, self.column(index), "", message, {"limit": limit})

    def __iter__(self) -> Iterator[tuple[int, list[Cell]]]:
        width, errors, limits = len(self.header), self.errors, self._limits
        last = f"{column_letter(width - 1)}: {self.header[-1]}" if width else ""
        try:
            for row, cells, long_at in self._records:
                if long_at is not None:
                    errors.append(self.too_long(row, long_at))
                    continue
                if not any(cells):  # "" is the only false cell
                    continue
                if len(cells) > width:
                    for index in range(width, len(cells)):
                        value = cells[index]
                        if value != "":
                            text = value if isinstance(value, str) else value.isoformat()
                            message = N_("is beyond the last column of the header (%(last)s)")
                            errors.append(RowError(row, column_letter(index), text, message,
                                                   {"last": last}))  # fmt: skip
                            break
                self.count += 1
                if self.count > limits.max_rows:
                    message = N_("the file has more than %(limit)s data rows")
                    errors.append(RowError(row, None, "", message, {"limit": limits.max_rows}))
                    return
                if len(errors) >= limits.max_errors:
                    message = N_("the file was read up to here: it has more than %(limit)s errors")
                    errors.append(RowError(row, None, "", message, {"limit": limits.max_errors}))
                    return
                yield row, cells
        except TooLong as exc:
            errors.append(self.too_long(exc.row, exc.index))
        except TableError as exc:
            errors.extend(exc.errors)


def open_table(source: Source, filename: str = "", *, limits: Limits = DEFAULT_LIMITS) -> Rows:
    """The header of a CSV or XLSX file (recognised by its content), with its rows to read.

    Raises :class:`TableError` when the file is refused as a whole or has no header row.
    """
    file = binary(source)
    size = file_size(file)
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise size_refusal(size, limits.max_bytes)
    head = file.read(8)
    file.seek(0)
    if head.startswith(_ZIP_MAGIC):
        records = xlsxfile.records(file, limits)
    elif head.startswith(_OLE2_MAGIC):
        raise refused(N_("the file is an old Excel workbook (XLS): save it as XLSX or CSV"))
    elif head.startswith(_UTF16_BOMS):
        raise refused(N_("the file is UTF-16 text: save it as CSV in UTF-8"))
    else:
        records = textfile.records(file, limits)
    header: tuple[str, ...] = ()
    row = 0
    try:
        while not header:  # the first row with a value is the header
            first = next(records, None)
            if first is None:
                raise refused(N_("the file has no header row"))
            row, cells, long_at = first
            if long_at is not None:
                raise TableError([RowError(row, column_letter(long_at), "",
                                           N_("the cell is longer than %(limit)s characters"),
                                           {"limit": limits.max_cell_chars})])  # fmt: skip
            header = tuple(str(c).strip().lower() for c in cells)
            while header and not header[-1]:
                header = header[:-1]
    except TooLong as exc:
        if exc.index is not None:
            raise TableError([RowError(exc.row, column_letter(exc.index), "",
                                       N_("the cell is longer than %(limit)s characters"),
                                       {"limit": limits.max_cell_chars})]) from exc  # fmt: skip
        raise refused(N_("the row is longer than %(limit)s characters"), exc.row,
                      limit=limits.max_line_chars) from exc  # fmt: skip
    if len(header) > limits.max_columns:
        raise refused(N_("the header has %(count)s columns; at most %(limit)s are accepted"),
                      row, count=len(header), limit=limits.max_columns)  # fmt: skip
    return Rows(header, records, limits, row)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[int, list[Cell]]]  # (spreadsheet row number, cells)


def read_table(source: Source, filename: str = "", *, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Header (lower case, trimmed) and the non-empty data rows with their row numbers.

    XLSX is recognised by its content (a zip archive), anything else is read as CSV. Any
    problem found while reading raises :class:`TableError` with every one of them.
    """
    rows = open_table(source, filename, limits=limits)
    data = list(rows)
    if rows.errors:
        raise TableError(rows.errors)
    return Table(header=rows.header, rows=data)
