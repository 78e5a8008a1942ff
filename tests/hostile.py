"""A corpus of hostile and broken import files, generated, with the errors each must produce.

Every case is built for a kind of import from its template (the header and one valid row), so
the same file reaches each import path: the domain parsers, the commands and the web uploads.
``expected`` is the list of messages (in English, as ``RowError.format`` gives them) that the
file must produce, and nothing else.

``bounded`` measures a call: wall time (time.perf_counter) and peak memory (tracemalloc).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import openpyxl

from keyclusters.domain.tables import column_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class Template:
    kind: str
    header: tuple[str, ...]
    row: tuple[str, ...]  # a valid row
    other: tuple[str, ...]  # another valid row, with another key

    @property
    def first(self) -> str:
        return self.header[0]

    @property
    def last(self) -> str:
        return self.header[-1]


TEMPLATES = {
    "organisations": Template(
        "organisations", ("name", "nip"), ("Alfa", "5261040828"), ("Beta", "7740001454")
    ),
    "clusters": Template(
        "clusters", ("name", "coordinator_nip", "founded_on"),
        ("Klaster A", "5261040828", "2012-03-01"), ("Klaster B", "5261040828", "2013-03-01"),
    ),
    "members": Template(
        "members", ("name", "nip", "joined_on"), ("Alfa", "5261040828", "2015-01-01"),
        ("Beta", "7740001454", "2016-01-01"),
    ),
    "statuses": Template(
        "statuses", ("cluster", "round", "valid_from", "valid_to"),
        ("Klaster A", "I", "2015-09-23", "2018-09-22"),
        ("Klaster A", "II", "2018-12-10", "2021-12-31"),
    ),
    "benchmarking": Template(
        "benchmarking", ("cluster", "staff"), ("Klaster A", "10"), ("Klaster B", "20")
    ),
    "verification": Template("verification", ("nip",), ("5261040828",), ("7740001454",)),
}  # fmt: skip


def csv_bytes(*lines: tuple[str, ...] | list[str], encoding: str = "utf-8") -> bytes:
    return "".join(",".join(line) + "\n" for line in lines).encode(encoding)


def _with_first(t: Template, value: str) -> tuple[str, ...]:
    return (value, *t.row[1:])


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replace_part(source: bytes, name: str, content: bytes) -> bytes:
    """A copy of a zip with one part's content replaced."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            new.writestr(info.filename, content if info.filename == name else old.read(info))
    return out.getvalue()


def _inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(t: Template, rows: str, dimension: str = "A1:XFD1048576") -> bytes:
    """A worksheet of the template's header (row 1) and ``rows`` (XML)."""
    header = "".join(_inline(f"{column_letter(i)}1", name) for i, name in enumerate(t.header))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
        f'<dimension ref="{dimension}"/><sheetData><row r="1">{header}</row>{rows}'
        "</sheetData></worksheet>"
    ).encode()


def xlsx_with_sheet(t: Template, rows: str, dimension: str = "A1:XFD1048576") -> bytes:
    base = workbook([list(t.header)])
    return replace_part(base, "xl/worksheets/sheet1.xml", sheet(t, rows, dimension))


def with_declared_size(source: bytes, name: str, size: int) -> bytes:
    """The zip with the unpacked size of one part declared as ``size`` in its directory."""
    data = bytearray(source)
    encoded = name.encode()
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, position + 24, size)
            return bytes(data)
        position = data.find(b"PK\x01\x02", position + 4)
    raise ValueError(name)


@functools.lru_cache(maxsize=8)
def zip_bomb(t: Template, megabytes: int = 16) -> bytes:
    """A workbook whose sheet is the same row repeated: ``megabytes`` unpacked, a few KB packed."""
    row = '<row r="2"><c r="A2"><v>1</v></c></row>'
    rows = row * (megabytes * 2**20 // len(row))
    return xlsx_with_sheet(t, rows)


def ratio_message(source: bytes, part: str = "xl/worksheets/sheet1.xml") -> str:
    info = zipfile.ZipFile(io.BytesIO(source)).getinfo(part)
    ratio = info.file_size / info.compress_size
    return (
        f"the part {part} of the XLSX workbook is compressed {ratio:.0f} times; at most 100 "
        "times is accepted (a zip bomb?)"
    )


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Template], bytes]
    expected: Callable[[Template], list[str]]
    max_rows: int = 1_000_000  # of the path: verification files hold at most 100,000


def _letter_after(t: Template, extra: int) -> str:
    return column_letter(len(t.header) - 1 + extra)


def _beyond(t: Template, row: int, value: str, extra: int = 2) -> str:
    last = f"{column_letter(len(t.header) - 1)}: {t.last}"
    return (
        f'row {row}, column {_letter_after(t, extra)}: "{value}" is beyond the last column of '
        f"the header ({last})"
    )


def _rows_limit(t: Template) -> int:
    return 100_000 if t.kind == "verification" else 1_000_000


# Files refused for what they are, whatever their kind (the encoding, the structure, the size of
# what they hold): the same message on every path.
CASES = [
    Case(
        "utf8-with-a-stray-windows-1250-byte",
        lambda t: (
            csv_bytes(t.header, _with_first(t, "Łódź"))
            + b"Zak\xb3ad,"
            + ",".join(t.row[1:]).encode()
            + b"\n"
        ),
        lambda t: [
            "row 3: the byte 0xB3 is not UTF-8, in a file that is otherwise UTF-8: save "
            "the file again as UTF-8"
        ],
    ),
    Case(
        "iso-8859-2",
        lambda t: csv_bytes(t.header, _with_first(t, "Gąska"), encoding="iso-8859-2"),
        lambda t: [
            'row 2: the byte 0xB1 reads as "±" in Windows-1250: the file looks like '
            "ISO-8859-2, which is not accepted; save it as UTF-8"
        ],
    ),
    Case(
        "neither-utf8-nor-windows-1250",
        lambda t: csv_bytes(t.header, t.row) + b"X\x98," + ",".join(t.row[1:]).encode() + b"\n",
        lambda t: [
            "row 3: the byte 0x98 is neither UTF-8 nor Windows-1250: save the file as UTF-8"
        ],
    ),
    Case(
        "control-character",
        lambda t: csv_bytes(t.header, _with_first(t, "Al\x1bfa")),
        lambda t: ["row 2: the byte 0x1B is a control character, which a table does not hold"],
    ),
    Case(
        "nul-bytes",
        lambda t: csv_bytes(t.header) + b"\x00\x01\x02binary",
        lambda t: ["the file is not a CSV or XLSX file"],
    ),
    Case(
        "utf-16",
        lambda t: ("\ufeff" + ",".join(t.header) + "\n").encode("utf-16-le"),
        lambda t: ["the file is UTF-16 text: save it as CSV in UTF-8"],
    ),
    Case(
        "old-excel",
        lambda t: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        lambda t: ["the file is an old Excel workbook (XLS): save it as XLSX or CSV"],
    ),
    Case(
        "cell-over-131072-characters",
        lambda t: csv_bytes(t.header, t.row, _with_first(t, "A" * 140_000), t.other),
        lambda t: [f"row 3, column {t.first}: the cell is longer than 32767 characters"],
    ),
    Case(
        "cell-over-32767-characters",
        lambda t: csv_bytes(t.header, (*t.row[:-1], "7" * 40_000), t.other),
        lambda t: [f"row 2, column {t.last}: the cell is longer than 32767 characters"],
    ),
    Case(
        "row-over-a-million-characters",
        lambda t: csv_bytes(t.header, t.row, (*t.row, "," * 1_100_000)),
        lambda t: ["row 3: the row is longer than 1048576 characters"],
    ),
    Case(
        "cells-beyond-the-header",
        lambda t: csv_bytes(t.header, t.row, (*t.other, "", "surplus")),
        lambda t: [_beyond(t, 3, "surplus")],
    ),
    Case(
        "header-of-300-columns",
        lambda t: csv_bytes([f"c{i}" for i in range(300)], t.row),
        lambda t: ["row 1: the header has 300 columns; at most 256 are accepted"],
    ),
    Case(
        "broken-zip",
        lambda t: b"PK\x03\x04broken",
        lambda t: ["the XLSX workbook cannot be read (File is not a zip file)"],
    ),
    Case(
        "zip-bomb",
        lambda t: zip_bomb(t),
        lambda t: [ratio_message(zip_bomb(t))],
    ),
    Case(
        "zip-declaring-4-gb",
        lambda t: with_declared_size(
            workbook([list(t.header)]), "xl/worksheets/sheet1.xml", 0xFFFF0000
        ),  # fmt: skip
        lambda t: [
            f"the XLSX workbook unpacks to "
            f"{(0xFFFF0000 + _other_parts(workbook([list(t.header)]))) / 2**20:.1f} MB; "
            "at most 256.0 MB is accepted"
        ],
    ),
    Case(
        "sparse-xlsx-with-a-cell-at-XFD1048576",
        lambda t: xlsx_with_sheet(t, f'<row r="1048576">{_inline("XFD1048576", "x")}</row>'),
        lambda t: [f"row 1048576: the file has more than {_rows_limit(t)} data rows"],
    ),
    Case(
        "xlsx-cell-in-column-XFD",
        lambda t: xlsx_with_sheet(t, f'<row r="3">{_inline("XFD3", "x")}</row>'),
        lambda t: ["row 3: the cell XFD3 is beyond the last column accepted (IV)"],
    ),
    Case(
        "xlsx-cell-over-32767-characters",
        lambda t: xlsx_with_sheet(
            t,
            '<row r="2">'
            + _inline("A2", "A" * 40_000)
            + "</row>"
            + '<row r="3">'
            + "".join(_inline(f"{column_letter(i)}3", v) for i, v in enumerate(t.other))
            + "</row>",
            dimension="A1:C3",
        ),
        lambda t: [f"row 2, column {t.first}: the cell is longer than 32767 characters"],
    ),
    Case(
        "xlsx-cells-beyond-the-header",
        lambda t: workbook([list(t.header), list(t.row), [*t.other, None, "surplus"]]),
        lambda t: [_beyond(t, 3, "surplus")],
    ),
]


def _other_parts(source: bytes) -> int:
    """The unpacked size of every part but the first sheet."""
    return sum(
        info.file_size
        for info in zipfile.ZipFile(io.BytesIO(source)).infolist()
        if info.filename != "xl/worksheets/sheet1.xml"
    )


NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def valid_nips(start: int = 200_000_000) -> Iterator[str]:
    """Distinct valid NIPs: nine digits and their check digit (a check of 10 is skipped)."""
    number = start
    while True:
        digits = str(number)
        check = sum(w * int(d) for w, d in zip(NIP_WEIGHTS, digits, strict=True)) % 11
        if check != 10:
            yield digits + str(check)
        number += 1


def member_file(rows: int, bad_last_row: bool = True) -> bytes:
    """A member file of ``rows`` distinct organisations, like the benchmark's, whose last row
    has an invalid NIP."""
    lines = ["name,nip,regon,krs,kind,size,voivodeship,city,country,joined_on,left_on,role"]
    start = dt.date(2012, 1, 1)
    for i, nip in zip(range(rows), valid_nips(), strict=False):
        joined = (start + dt.timedelta(days=i % 3000)).isoformat()
        lines.append(f"Firma {i} Sp. z o.o.,{nip},,,enterprise,small,mazowieckie,Miasto {i % 500},"
                     f"PL,{joined},,member")  # fmt: skip
    if bad_last_row:
        lines.append("Zła,123-456-32-19,,,,,,,PL,2015-01-01,,member")
    return ("\n".join(lines) + "\n").encode()


def latest(years: int = 1, today: dt.date | None = None) -> str:
    day = today or dt.date.today()
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:
        return day.replace(year=day.year + years, day=28).isoformat()


def outside(value: str, years: int = 1) -> str:
    return f'"{value}" is outside the dates accepted (1989-01-01 to {latest(years)})'


@contextmanager
def bounded(seconds: float = 2.0, megabytes: float | None = 64) -> Iterator[dict[str, float]]:
    """Measure the block: it must end within ``seconds`` with a memory peak under
    ``megabytes`` (tracemalloc: Python's allocations; it slows allocation-heavy code several
    times, so ``megabytes=None`` measures the time alone). The figures are put in the dict."""
    figures: dict[str, float] = {}
    if megabytes is not None:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        yield figures
    finally:
        figures["seconds"] = time.perf_counter() - started
        if megabytes is not None:
            figures["megabytes"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    assert figures["seconds"] < seconds, figures
    if megabytes is not None:
        assert figures["megabytes"] < megabytes, figures


def table_counts() -> dict[str, int]:
    """The rows of every table an import writes (with their history), to compare before and
    after a refused file."""
    from keyclusters.benchmarking.models import IndicatorValue, SurveyAggregate
    from keyclusters.registry.models import Cluster, Membership, Organisation
    from keyclusters.statuses.models import StatusGrant

    counts = {}
    for model in (Organisation, Cluster, Membership, StatusGrant, IndicatorValue, SurveyAggregate):
        counts[model.__name__] = model.objects.count()
        if hasattr(model, "history"):
            counts[f"{model.__name__} history"] = model.history.count()
    return counts
