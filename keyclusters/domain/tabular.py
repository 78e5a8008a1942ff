"""Import tables: CSV/XLSX bytes into rows, and rows into validated, typed records.

Pure: no Django, no files. Every problem is collected as a :class:`RowError`; row numbers are the
spreadsheet's line numbers (the header is row 1, the first data row is row 2).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .i18n import N_
from .identifiers import IdentifierError, normalise_krs, normalise_nip, normalise_regon
from .registry import ENTERPRISE_SIZES, MEMBERSHIP_ROLES, ORGANISATION_KINDS, voivodeship_code

Cell = str | dt.date


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


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[int, list[Cell]]]  # (spreadsheet row number, cells)


# --- reading ---------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"


def decode_text(source: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1250."""
    if source.startswith(b"\xef\xbb\xbf"):
        return source[3:].decode("utf-8")
    try:
        return source.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return source.decode("cp1250")
        except UnicodeDecodeError as exc:
            raise TableError([RowError(None, None, "", N_("the file is not a text file"))]) from exc


def _separator(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _csv_rows(source: bytes) -> Iterable[list[Cell]]:
    text = decode_text(source)
    if "\x00" in text:
        raise TableError([RowError(None, None, "", N_("the file is not a CSV or XLSX file"))])
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(first_line))
    strip = str.strip
    for record in reader:
        yield list(map(strip, record))


def _xlsx_cell(value: object) -> Cell:
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


def _xlsx_rows(source: bytes) -> Iterable[list[Cell]]:
    import openpyxl  # a reader library, imported only when a workbook comes in

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(source), read_only=True, data_only=True)
    except Exception as exc:
        message = N_("the XLSX workbook cannot be read (%(reason)s)")
        raise TableError([RowError(None, None, "", message, {"reason": str(exc)})]) from exc
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_xlsx_cell(v) for v in values]
    finally:
        workbook.close()


def read_table(source: bytes, filename: str = "") -> Table:
    """Header (lower case, trimmed) and the non-empty data rows with their row numbers.

    XLSX is recognised by its content (a zip archive), anything else is read as CSV.
    """
    rows = _xlsx_rows(source) if source[:4] == _ZIP_MAGIC else _csv_rows(source)
    header: tuple[str, ...] | None = None
    data: list[tuple[int, list[Cell]]] = []
    for number, cells in enumerate(rows, start=1):
        if header is None:
            header = tuple(str(c).strip().lower() for c in cells)
            while header and not header[-1]:
                header = header[:-1]
            continue
        if any(cells):  # "" is the only false cell
            data.append((number, cells))
    if not header:
        raise TableError([RowError(None, None, "", N_("the file has no header row"))])
    return Table(header=header, rows=data)


# --- schemas ---------------------------------------------------------------------------------

ORGANISATION_COLUMNS = (
    "name", "nip", "regon", "krs", "kind", "size", "voivodeship", "city", "country",
)  # fmt: skip
MEMBER_COLUMNS = (*ORGANISATION_COLUMNS, "joined_on", "left_on", "role")
CLUSTER_COLUMNS = (
    "name", "coordinator_nip", "founded_on", "specialisation", "voivodeship", "website",
)  # fmt: skip
REQUIRED_COLUMNS: dict[tuple[str, ...], tuple[str, ...]] = {
    ORGANISATION_COLUMNS: ("name", "nip"),
    MEMBER_COLUMNS: ("name", "nip", "joined_on"),
    CLUSTER_COLUMNS: ("name", "coordinator_nip", "founded_on"),
}


def check_header(header: Sequence[str], columns: Sequence[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, "", N_("the column appears twice")))
        elif name and name not in columns:
            message = N_("is not a known column (the columns are: %(columns)s)")
            errors.append(RowError(1, name, "", message, {"columns": ", ".join(columns)}))
        seen.add(name)
    if "" in header:
        errors.append(RowError(1, None, "", N_("a column has no name")))
    for name in REQUIRED_COLUMNS[tuple(columns)]:
        if name not in seen:
            errors.append(RowError(1, name, "", N_("the required column is missing")))
    return errors


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    row: int
    name: str
    nip: str | None
    regon: str
    krs: str
    kind: str
    size: str
    voivodeship: str
    city: str
    country: str

    @property
    def key(self) -> tuple[str, ...]:
        """NIP, or for a foreign organisation without one its name and country."""
        return (self.nip,) if self.nip else (self.name, self.country)

    def data(self) -> tuple[object, ...]:
        return (self.name, self.nip, self.regon, self.krs, self.kind, self.size,
                self.voivodeship, self.city, self.country)  # fmt: skip


@dataclass(frozen=True, slots=True)
class MemberRecord:
    row: int
    organisation: OrganisationRecord
    role: str
    joined_on: dt.date
    left_on: dt.date | None


@dataclass(frozen=True, slots=True)
class ClusterRecord:
    row: int
    name: str
    coordinator_nip: str
    founded_on: dt.date
    specialisation: str
    voivodeship: str
    website: str

    def data(self) -> tuple[object, ...]:
        return (self.coordinator_nip, self.founded_on, self.specialisation, self.voivodeship,
                self.website)  # fmt: skip


R = TypeVar("R")


@dataclass(frozen=True)
class Parsed(Generic[R]):
    """The records of a file, the columns it has, and every error found in it."""

    columns: tuple[str, ...]
    records: list[R]
    errors: list[RowError]
    rows: int = 0


@dataclass(frozen=True)
class Stream(Generic[R]):
    """The records of a file as they are validated: iterating ``records`` (once) validates the
    rows in order and appends each problem to ``errors`` as soon as it is found."""

    columns: tuple[str, ...]
    records: Iterator[R]
    errors: list[RowError]
    rows: int = 0

    def collect(self) -> Parsed[R]:
        """Validate the whole file."""
        records = list(self.records)
        return Parsed(self.columns, records, self.errors, self.rows)


# --- cell parsers ----------------------------------------------------------------------------


class CellError(ValueError):
    def __init__(self, message: str, **params: str | int) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_WEBSITE = re.compile(r"^https?://[^\s/.]+\.\S+$", re.IGNORECASE)


def parse_date(value: Cell) -> dt.date:
    """A date cell, or text written ``YYYY-MM-DD`` or ``DD.MM.YYYY``."""
    if isinstance(value, dt.date):
        return value
    try:
        match = _DOTTED.match(value)
        if match:
            day, month, year = match.groups()
            return dt.date(int(year), int(month), int(day))
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise CellError(N_("is not a date (YYYY-MM-DD or DD.MM.YYYY)"))


def _optional_date(value: Cell) -> dt.date | None:
    return parse_date(value) if value != "" else None


def _text(value: Cell) -> str:
    return value.isoformat() if isinstance(value, dt.date) else value


def _choice(choices: Mapping[str, str], default: str = "") -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value:
            return default
        code = value.lower()
        if code not in choices:
            raise CellError(N_("is not one of: %(choices)s"), choices=", ".join(choices))
        return code

    return parse


def _identifier(
    normalise: Callable[[str], str], *, optional: str | None = ""
) -> Callable[[str], str | None]:
    def parse(value: str) -> str | None:
        if not value:
            return optional
        try:
            return normalise(value)
        except IdentifierError as exc:
            raise CellError(
                N_("is not a valid %(kind)s (%(reason)s)"), kind=exc.kind, reason=Text(exc.reason)
            ) from exc

    return parse


# ``normalise_nip``/``normalise_regon`` check plain digits directly (python-stdnum's checksums)
_nip = normalise_nip
_regon = normalise_regon


def _bounded(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise CellError(N_("is longer than %(limit)s characters"), limit=limit)
        return value

    return parse


def _voivodeship(value: str) -> str:
    if not value:
        return ""
    code = voivodeship_code(value)
    if code is None:
        raise CellError(N_("is not a Polish voivodeship"))
    return code


def _country(value: str) -> str:
    code = value.upper() or "PL"
    if not _COUNTRY.match(code):
        raise CellError(N_("is not a two-letter country code"))
    return code


def _website(value: str) -> str:
    if not value:
        return ""
    url = value if "://" in value else f"https://{value}"
    if not _WEBSITE.match(url):
        raise CellError(N_("is not a web address"))
    return _bounded(200)(url)


# The parser of a date column takes a Cell (a date or text), the others take text.
PARSERS: dict[str, Callable[..., object]] = {
    "name": _bounded(300),
    "nip": _identifier(_nip, optional=None),
    "regon": _identifier(_regon),
    "krs": _identifier(normalise_krs),
    "kind": _choice(ORGANISATION_KINDS, "other"),
    "size": _choice(ENTERPRISE_SIZES),
    "voivodeship": _voivodeship,
    "city": _bounded(120),
    "country": _country,
    "joined_on": parse_date,
    "left_on": _optional_date,
    "role": _choice(MEMBERSHIP_ROLES, "member"),
    "coordinator_nip": _identifier(_nip),
    "founded_on": parse_date,
    "specialisation": _bounded(200),
    "website": _website,
}
_DATE_COLUMNS = frozenset({"joined_on", "left_on", "founded_on"})
_REQUIRED_VALUES = frozenset({"name", "joined_on", "coordinator_nip", "founded_on"})
# Columns with few distinct values: each distinct text is parsed once per file.
_REPEATING = frozenset({"kind", "size", "voivodeship", "country", "role", *_DATE_COLUMNS})
_ABSENT = 1 << 62  # the position of a column the file does not have (always past the row's end)


# name, position, parser, required, is a date, cache of parsed values (or None)
_PlanEntry = tuple[str, int, Callable[..., object], bool, bool, dict[Any, Any] | None]


def _plan(header: Sequence[str], columns: Sequence[str]) -> list[_PlanEntry]:
    """Per column (in ``columns`` order): name, position, parser, required, is a date, cache."""
    positions = {name: i for i, name in enumerate(header)}
    return [
        (c, positions.get(c, _ABSENT), PARSERS[c], c in _REQUIRED_VALUES, c in _DATE_COLUMNS,
         {} if c in _REPEATING else None)
        for c in columns
    ]  # fmt: skip


def _cells(
    row: int, cells: list[Cell], plan: list[_PlanEntry], errors: list[RowError]
) -> list[Any] | None:
    """The parsed values of one row in the plan's column order, or None (errors recorded)."""
    values: list[Any] = []
    append = values.append
    count = len(cells)
    ok = True
    for column, index, parse, required, is_date, cache in plan:
        raw = cells[index] if index < count else ""
        if raw.__class__ is not str:
            if not is_date:
                raw = raw.isoformat()  # type: ignore[union-attr]  # not a str: a date
        elif not raw and required:
            errors.append(RowError(row, column, "", N_("a value is required")))
            ok = False
            continue
        elif cache is not None:
            value = cache.get(raw, cache)  # the cache itself marks "not seen yet"
            if value is cache:
                try:
                    value = parse(raw)
                except CellError as exc:
                    value = exc.with_traceback(None)  # kept: no frames held with it
                cache[raw] = value
            if value.__class__ is CellError:
                # raw is text here (a date was turned into text above)
                errors.append(RowError(row, column, raw, value.message, value.params))  # type: ignore[arg-type]
                ok = False
            else:
                append(value)
            continue
        try:
            append(parse(raw))
        except CellError as exc:
            errors.append(RowError(row, column, _text(raw), exc.message, exc.params))
            ok = False
    return values if ok else None


# positions of the values of ``_cells`` for ORGANISATION_COLUMNS and MEMBER_COLUMNS
_NIP, _KIND, _SIZE, _COUNTRY_AT = 1, 4, 5, 8
_JOINED_ON, _LEFT_ON, _ROLE = 9, 10, 11


def _organisation_rules(row: int, v: list[Any], has_kind: bool, errors: list[RowError]) -> bool:
    ok = True
    if v[_NIP] is None and v[_COUNTRY_AT] == "PL":
        message = N_("a NIP is required for an organisation in Poland (country PL)")
        errors.append(RowError(row, "nip", "", message))
        ok = False
    if v[_SIZE] and has_kind and v[_KIND] != "enterprise":
        message = N_("is allowed only for enterprises (kind enterprise)")
        errors.append(RowError(row, "size", v[_SIZE], message))
        ok = False
    return ok


def _organisation(row: int, v: list[Any]) -> OrganisationRecord:
    return OrganisationRecord(row, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8])


class _Conflicts:
    """Keys seen earlier in the file with their data; a key with other data is an error."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        self.seen: dict[object, tuple[int, object]] = {}

    def check(self, key: object, data: object, row: int, column: str, value: str) -> None:
        first = self.seen.setdefault(key, (row, data))
        if first[1] != data:
            message = N_("appears also in row %(other)s with different data")
            self.errors.append(RowError(row, column, value, message, {"other": first[0]}))

    def organisation(self, record: OrganisationRecord) -> None:
        column, value = ("nip", record.nip) if record.nip else ("name", record.name)
        self.check(record.key, record.data(), record.row, column, value)


def _start(
    source: bytes, filename: str, columns: Sequence[str]
) -> tuple[Table | None, list[RowError]]:
    try:
        table = read_table(source, filename)
    except TableError as exc:
        return None, exc.errors
    errors = check_header(table.header, columns)
    return (None if errors else table), errors


def _present(header: Sequence[str], columns: Sequence[str]) -> tuple[str, ...]:
    return tuple(c for c in columns if c in header)


def parse_organisations(source: bytes, filename: str = "") -> Parsed[OrganisationRecord]:
    table, errors = _start(source, filename, ORGANISATION_COLUMNS)
    if table is None:
        return Parsed((), [], errors)
    plan, has_kind = _plan(table.header, ORGANISATION_COLUMNS), "kind" in table.header
    conflicts = _Conflicts(errors)
    records: list[OrganisationRecord] = []
    for row, cells in table.rows:
        v = _cells(row, cells, plan, errors)
        if v is not None and _organisation_rules(row, v, has_kind, errors):
            record = _organisation(row, v)
            conflicts.organisation(record)
            records.append(record)
    return Parsed(_present(table.header, ORGANISATION_COLUMNS), records, errors, len(table.rows))


def parse_members(source: bytes, filename: str = "") -> Parsed[MemberRecord]:
    return stream_members(source, filename).collect()


def stream_members(source: bytes, filename: str = "") -> Stream[MemberRecord]:
    """Like ``parse_members``, validating the rows as the records are taken (the file is read
    and its header checked at once)."""
    table, errors = _start(source, filename, MEMBER_COLUMNS)
    if table is None:
        return Stream((), iter(()), errors)
    columns = _present(table.header, MEMBER_COLUMNS)
    return Stream(columns, _members(table, errors), errors, len(table.rows))


def _members(table: Table, errors: list[RowError]) -> Iterator[MemberRecord]:
    plan, has_kind = _plan(table.header, MEMBER_COLUMNS), "kind" in table.header
    organisations, starts = _Conflicts(errors), _Conflicts(errors)
    for row, cells in table.rows:
        v = _cells(row, cells, plan, errors)
        if v is None or not _organisation_rules(row, v, has_kind, errors):
            continue
        joined_on, left_on, role = v[_JOINED_ON], v[_LEFT_ON], v[_ROLE]
        if left_on is not None and left_on < joined_on:
            message = N_("is before joined_on (%(joined_on)s)")
            errors.append(
                RowError(row, "left_on", _text(left_on), message, {"joined_on": _text(joined_on)})
            )
            continue
        organisation = _organisation(row, v)
        organisations.organisation(organisation)
        start = (organisation.key, role, joined_on)
        starts.check(start, left_on, row, "left_on", _text(left_on or ""))
        yield MemberRecord(row, organisation, role, joined_on, left_on)


def parse_clusters(source: bytes, filename: str = "") -> Parsed[ClusterRecord]:
    table, errors = _start(source, filename, CLUSTER_COLUMNS)
    if table is None:
        return Parsed((), [], errors)
    plan = _plan(table.header, CLUSTER_COLUMNS)
    conflicts = _Conflicts(errors)
    records: list[ClusterRecord] = []
    for row, cells in table.rows:
        v = _cells(row, cells, plan, errors)
        if v is None:
            continue
        record = ClusterRecord(row, *v)  # in CLUSTER_COLUMNS order
        conflicts.check(record.name, record.data(), row, "name", record.name)
        records.append(record)
    return Parsed(_present(table.header, CLUSTER_COLUMNS), records, errors, len(table.rows))
