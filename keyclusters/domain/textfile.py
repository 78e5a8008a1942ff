"""CSV files: which encoding a file is in, and its records read as a stream.

The encoding rule: a file that is valid UTF-8 (with or without the byte-order mark) is UTF-8. A
file that is not is Windows-1250 only if it decodes cleanly as Windows-1250 and holds no sign of
UTF-8 in it (a UTF-8 file with one stray byte is refused, not read as Windows-1250 with every
Polish letter garbled) and no sign of ISO-8859-2 (whose ą, ś, Ą, Ś, Ź are other characters in
Windows-1250). Anything else is refused naming the row and the value of the first bad byte.

The whole file is checked before its first record is read, in chunks: memory does not grow with
the file. Records are then read with the ``csv`` module line by line, each within
``Limits.max_line_chars``, each cell within ``Limits.max_cell_chars``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from .i18n import N_
from .tables import Limits, Record, TooLong, refused

CHUNK = 1 << 20
_BOM = codecs.BOM_UTF8
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_CONTROL = re.compile(b"[" + re.escape(_CONTROL_BYTES) + b"]")
# Valid UTF-8 sequences of the characters of Polish (and other European) text: a file that has
# them is UTF-8. In Windows-1250 they read as rare pairs such as "Ä…" or "Ĺ‚" (the mojibake of
# "ą" and "ł"), and as "â€" for the typographic quotes and dashes.
_UTF8_SIGN = re.compile(rb"[\xc2-\xc5\xd0\xd1][\x80-\xbf]|\xe2[\x80-\x82][\x80-\xbf]")
# Bytes of the letters ą, ś, Ą, Ś, Ź in ISO-8859-2, which Windows-1250 reads as ±, ¶, ˇ, ¦, ¬.
_ISO_8859_2_SIGN = re.compile(rb"[\xa1\xa6\xac\xb1\xb6]")


def _chunks(file: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(offset, chunk) of the whole file, from its start."""
    file.seek(0)
    offset = 0
    while chunk := file.read(CHUNK):
        yield offset, chunk
        offset += len(chunk)
    file.seek(0)


def row_at(file: BinaryIO, position: int) -> int:
    """The record (row) number of the byte at ``position``: lines ended outside quotes."""
    row, quotes = 1, 0
    for offset, chunk in _chunks(file):
        pieces = chunk[: max(position - offset, 0)].split(b"\n")
        for piece in pieces[:-1]:
            quotes += piece.count(b'"')
            if not quotes % 2:
                row += 1
        quotes += pieces[-1].count(b'"')
        if offset + len(chunk) >= position:
            break
    file.seek(0)
    return row


def _byte(file: BinaryIO, position: int) -> int:
    file.seek(position)
    value = file.read(1)[0]
    file.seek(0)
    return value


def _first_utf8_error(file: BinaryIO) -> int | None:
    """The position of the first byte that is not UTF-8, or None for a UTF-8 file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    end = 0
    for offset, chunk in _chunks(file):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return offset - pending + exc.start
        end = offset + len(chunk)
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", True)
    except UnicodeDecodeError as exc:
        return end - pending + exc.start
    return None


def _search(file: BinaryIO, pattern: re.Pattern[bytes], overlap: int = 2) -> int | None:
    """The position of the first match of ``pattern`` (at most ``overlap`` + 1 bytes long)."""
    tail = b""
    for offset, chunk in _chunks(file):
        data = tail + chunk
        match = pattern.search(data)
        if match:
            return offset - len(tail) + match.start()
        tail = chunk[-overlap:]
    return None


def _first_control(file: BinaryIO) -> int | None:
    """The position of the first control character (deleting them is the fast test)."""
    for offset, chunk in _chunks(file):
        if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
            match = _CONTROL.search(chunk)
            assert match is not None
            file.seek(0)
            return offset + match.start()
    return None


def _first_cp1250_error(file: BinaryIO) -> int | None:
    for offset, chunk in _chunks(file):
        try:
            chunk.decode("cp1250")
        except UnicodeDecodeError as exc:
            return offset + exc.start
    return None


def encoding(file: BinaryIO) -> str:
    """``utf-8-sig`` or ``cp1250`` for a file by the rule above; :class:`TableError` else."""
    control = _first_control(file)
    if control is not None:
        value = _byte(file, control)
        if value == 0:
            raise refused(N_("the file is not a CSV or XLSX file"))
        raise refused(
            N_("the byte 0x%(byte)s is a control character, which a table does not hold"),
            row_at(file, control), byte=f"{value:02X}",
        )  # fmt: skip
    bad = _first_utf8_error(file)
    if bad is None:
        return "utf-8-sig"
    file.seek(0)
    if file.read(3) == _BOM or _search(file, _UTF8_SIGN) is not None:
        raise refused(
            N_("the byte 0x%(byte)s is not UTF-8, in a file that is otherwise UTF-8: "
               "save the file again as UTF-8"),
            row_at(file, bad), byte=f"{_byte(file, bad):02X}",
        )  # fmt: skip
    bad = _first_cp1250_error(file)
    if bad is None:
        bad = _search(file, _ISO_8859_2_SIGN, 0)
        if bad is None:
            return "cp1250"
        raise refused(
            N_('the byte 0x%(byte)s reads as "%(character)s" in Windows-1250: the file looks '
               "like ISO-8859-2, which is not accepted; save it as UTF-8"),
            row_at(file, bad), byte=f"{_byte(file, bad):02X}",
            character=bytes([_byte(file, bad)]).decode("cp1250"),
        )  # fmt: skip
    raise refused(
        N_("the byte 0x%(byte)s is neither UTF-8 nor Windows-1250: save the file as UTF-8"),
        row_at(file, bad), byte=f"{_byte(file, bad):02X}",
    )  # fmt: skip


def decode(source: bytes) -> str:
    """The text of a whole file by the encoding rule (small files only)."""
    return source.decode(encoding(io.BytesIO(source)))


def separator(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def field_at_limit(text: str, delimiter: str, limit: int) -> tuple[int, bool]:
    """The index of the first field of a record's text longer than ``limit`` and True, else the
    index of its last field and False. (Work in C: a hostile record has a million fields.)"""
    pieces = text.split(delimiter)
    lengths = list(map(len, pieces))
    first = next(filter(limit.__lt__, lengths), None)  # the first length over the limit
    if first is None:
        return len(pieces) - 1, False
    long_at = lengths.index(first)
    if '"' not in text:
        return long_at, True
    # Quoted cells may hold the delimiter: count the fields before the long piece as csv does.
    prefix = delimiter.join(pieces[:long_at])
    try:
        return len(next(csv.reader([prefix + delimiter], delimiter=delimiter))) - 1, True
    except (csv.Error, StopIteration):
        return long_at, True


def records(file: BinaryIO, limits: Limits) -> Iterator[Record]:
    """The records of a CSV file (the header first), after the whole file's encoding check."""
    text = io.TextIOWrapper(file, encoding=encoding(file), newline="")
    line_limit, cell_limit = limits.max_line_chars, limits.max_cell_chars
    readline = text.readline
    first = readline(line_limit + 1)
    delimiter = separator(first)
    current: list[str] = []  # the lines of the record being read
    state = [0, False]  # characters of the record read so far; whether a line is long

    def lines() -> Iterator[str]:
        line = first
        while line:
            current.append(line)
            state[0] += len(line)
            if state[0] > line_limit:
                raise _RecordTooLong
            if len(line) > cell_limit:
                state[1] = True
            yield line
            line = readline(line_limit + 1)

    row = 0
    strip = str.strip
    try:
        for record in csv.reader(lines(), delimiter=delimiter):
            row += 1
            current.clear()
            state[0] = 0
            long_at = None
            if state[1]:
                state[1] = False
                long_at = next((i for i, c in enumerate(record) if len(c) > cell_limit), None)
            yield row, list(map(strip, record)), long_at
    except (csv.Error, _RecordTooLong) as exc:
        if isinstance(exc, csv.Error) and "field larger than field limit" not in str(exc):
            raise refused(N_("the file cannot be read as CSV from here (%(reason)s)"),
                          row + 1, reason=str(exc)) from exc  # fmt: skip
        index, too_long = field_at_limit("".join(current), delimiter, cell_limit)
        raise TooLong(row + 1, index if too_long else None) from exc


class _RecordTooLong(Exception):
    pass
