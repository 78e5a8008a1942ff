"""Import tables: the rows of a CSV/XLSX file into validated, typed records.

Pure: no Django. The file (its bytes, or a binary file read as a stream) is read by
:mod:`.tablefile` within :class:`Limits`. Every problem is collected as a :class:`RowError`; row
numbers are the spreadsheet's (the header is row 1, the first data row is row 2).

Plausibility: membership dates and ``founded_on`` lie between 1989-01-01 and a year from today
(``today`` may be given); NIP, REGON and KRS are ASCII digits and not all zeros
(:mod:`.identifiers`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from . import textfile
from .i18n import N_
from .identifiers import IdentifierError, normalise_krs, normalise_nip, normalise_regon
from .registry import ENTERPRISE_SIZES, MEMBERSHIP_ROLES, ORGANISATION_KINDS, voivodeship_code
from .repeats import MemberRepeats, Repeats
from .tablefile import Rows, open_table
from .tablefile import Table as Table  # re-exported, with read_table: the reading of a file
from .tablefile import read_table as read_table
from .tables import DEFAULT_LIMITS, Cell, Limits, RowError, Source, TableError, Text


def decode_text(source: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1250, by the rule of :mod:`.textfile`."""
    return textfile.decode(source)


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


# --- other words for columns and values ------------------------------------------------------


class ColumnName(str):
    """A message parameter naming a column by its code; :func:`relabel` puts the file's own
    name of the column in its place (``data przystąpienia`` for ``joined_on``)."""


def word_key(text: str) -> str:
    """How a header or a value is compared with the words: lower case, spaces collapsed."""
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Words:
    """What a file may write besides the codes: other names of the columns (a Polish header row)
    and other words for the values of the coded columns (``przedsiębiorstwo`` for
    ``enterprise``), both compared by :func:`word_key`; and, per coded column, the accepted
    values as an error lists them (by default the codes).

    The application layer adds the labels of its translations (:meth:`merged`); these words are
    the documented spellings that hold whatever the translations say (docs/formats.md).
    """

    columns: Mapping[str, str] = field(default_factory=dict)  # header -> column
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # column -> word -> code
    accepted: Mapping[str, str] = field(default_factory=dict)  # column -> "a, b, c"

    def merged(self, other: Words) -> Words:
        """These words and ``other``'s (``other`` wins where both name a word)."""
        values = {column: dict(words) for column, words in self.values.items()}
        for column, words in other.values.items():
            values.setdefault(column, {}).update(
                (word_key(word), code) for word, code in words.items()
            )
        columns = {**self.columns, **{word_key(k): v for k, v in other.columns.items()}}
        return Words(columns, values, {**self.accepted, **other.accepted})


_SIZES_PL = {
    "micro": ("mikro", "mikroprzedsiębiorstwo", "mikro przedsiębiorstwo"),
    "small": ("mała", "małe", "mały", "małe przedsiębiorstwo"),
    "medium": ("średnia", "średnie", "średni", "średnie przedsiębiorstwo"),
    "large": ("duża", "duże", "duży", "duże przedsiębiorstwo"),
}
_KINDS_PL = {
    "enterprise": ("przedsiębiorstwo", "przedsiębiorca"),
    "university": ("uczelnia", "szkoła wyższa"),
    "research": ("instytut badawczy", "jednostka naukowa"),
    "business-support": (
        "instytucja otoczenia biznesu", "instytucja otoczenia biznesu (iob)", "iob",
    ),
    "public-administration": ("administracja publiczna",),
    "other": ("inne", "inna", "inny"),
}  # fmt: skip
_ROLES_PL = {
    "member": ("członek",),
    "coordinator": ("koordynator",),
    "strategic-partner": ("partner strategiczny",),
}
_COLUMNS_PL = {
    "nazwa": "name", "rodzaj": "kind", "wielkość": "size", "województwo": "voivodeship",
    "miejscowość": "city", "miasto": "city", "kraj": "country",
    "data przystąpienia": "joined_on", "data wystąpienia": "left_on", "rola": "role",
    "nip koordynatora": "coordinator_nip", "data założenia": "founded_on",
    "specjalizacja": "specialisation", "strona internetowa": "website",
}  # fmt: skip


def _value_words(*tables: Mapping[str, Sequence[str]]) -> dict[str, str]:
    return {word: code for table in tables for code, words in table.items() for word in words}


def _english(labels: Mapping[str, str]) -> dict[str, tuple[str]]:
    return {code: (label.lower(),) for code, label in labels.items()}


# The documented Polish spellings and the English labels of the vocabulary (docs/formats.md).
DEFAULT_WORDS = Words(
    columns=_COLUMNS_PL,
    values={
        "kind": _value_words(_KINDS_PL, _english(ORGANISATION_KINDS)),
        "size": _value_words(_SIZES_PL, _english(ENTERPRISE_SIZES)),
        "role": _value_words(_ROLES_PL, _english(MEMBERSHIP_ROLES)),
    },
)


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
    labels: Mapping[str, str] = field(default_factory=dict)  # column -> the file's header


@dataclass(frozen=True)
class Stream(Generic[R]):
    """The records of a file as they are validated: iterating ``records`` (once) validates the
    rows in order and appends each problem to ``errors`` as soon as it is found."""

    columns: tuple[str, ...]
    records: Iterator[R]
    errors: list[RowError]
    table: Rows | None = None  # the rows being read
    labels: Mapping[str, str] = field(default_factory=dict)  # column -> the file's header

    @property
    def rows(self) -> int:
        """The data rows read so far: all of them once ``records`` is exhausted."""
        return self.table.count if self.table is not None else 0

    def collect(self) -> Parsed[R]:
        """Validate the whole file."""
        records = list(self.records)
        return Parsed(self.columns, records, self.errors, self.rows, self.labels)


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


EARLIEST_DATE = dt.date(1989, 1, 1)  # no membership, cluster or status is older


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plausible_dates(
    earliest: dt.date, latest: dt.date, *, optional: bool = False
) -> Callable[[Cell], dt.date | None]:
    """A parser of a date column that refuses dates outside ``earliest`` … ``latest``."""

    def parse(value: Cell) -> dt.date | None:
        if optional and value == "":
            return None
        day = parse_date(value)
        if not earliest <= day <= latest:
            raise CellError(
                N_("is outside the dates accepted (%(earliest)s to %(latest)s)"),
                earliest=earliest.isoformat(), latest=latest.isoformat(),
            )  # fmt: skip
        return day

    return parse


def _optional_date(value: Cell) -> dt.date | None:
    return parse_date(value) if value != "" else None


def _text(value: Cell) -> str:
    return value.isoformat() if isinstance(value, dt.date) else value


def _choice(
    choices: Mapping[str, str], default: str = "", words: Mapping[str, str] | None = None,
    accepted: str | None = None,
) -> Callable[[str], str]:  # fmt: skip
    """A coded value: the code (any case), or one of ``words`` (compared by ``word_key``)."""
    words = words or {}

    def parse(value: str) -> str:
        if not value:
            return default
        code = value.lower()
        if code in choices:
            return code
        code = words.get(word_key(value), "")
        if not code:
            raise CellError(N_("is not one of: %(choices)s"),
                            choices=accepted or ", ".join(choices))  # fmt: skip
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


def _voivodeship(value: str, words: Mapping[str, str] | None = None) -> str:
    if not value:
        return ""
    code = voivodeship_code(value) or (words or {}).get(word_key(value))
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


def _parsers(
    today: dt.date | None, words: Words = DEFAULT_WORDS
) -> dict[str, Callable[..., object]]:
    """PARSERS with the date columns limited to 1989-01-01 … a year from ``today``, and the
    coded columns taking ``words`` too."""
    latest = years_after(today or dt.date.today(), 1)
    dates = plausible_dates(EARLIEST_DATE, latest)
    values, accepted = words.values, words.accepted
    return {
        **PARSERS,
        "kind": _choice(ORGANISATION_KINDS, "other", values.get("kind"), accepted.get("kind")),
        "size": _choice(ENTERPRISE_SIZES, "", values.get("size"), accepted.get("size")),
        "role": _choice(MEMBERSHIP_ROLES, "member", values.get("role"), accepted.get("role")),
        "voivodeship": lambda value: _voivodeship(value, values.get("voivodeship")),
        "joined_on": dates,
        "left_on": plausible_dates(EARLIEST_DATE, latest, optional=True),
        "founded_on": dates,
    }


def _plan(
    header: Sequence[str], columns: Sequence[str], today: dt.date | None = None,
    words: Words = DEFAULT_WORDS,
) -> list[_PlanEntry]:  # fmt: skip
    """Per column (in ``columns`` order): name, position, parser, required, is a date, cache."""
    positions = {name: i for i, name in enumerate(header)}
    parsers = _parsers(today, words)
    return [
        (c, positions.get(c, _ABSENT), parsers[c], c in _REQUIRED_VALUES, c in _DATE_COLUMNS,
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


def _organisation_rules(
    row: int, v: list[Any], has_kind: bool, errors: list[RowError], cells: list[Cell],
    plan: list[_PlanEntry],
) -> bool:  # fmt: skip
    ok = True
    if v[_NIP] is None and v[_COUNTRY_AT] == "PL":
        message = N_("a NIP is required for an organisation in Poland (%(country)s: PL)")
        errors.append(RowError(row, "nip", "", message, {"country": ColumnName("country")}))
        ok = False
    if v[_SIZE] and has_kind and v[_KIND] != "enterprise":
        message = N_("is allowed only for enterprises (%(kind)s: %(enterprise)s)")
        params = {"kind": ColumnName("kind"), "enterprise": Text(ORGANISATION_KINDS["enterprise"])}
        errors.append(RowError(row, "size", _written(cells, plan, _SIZE), message, params))
        ok = False
    return ok


def _written(cells: list[Cell], plan: list[_PlanEntry], position: int) -> str:
    """The cell of a plan's column as the file wrote it (a date cell in ISO)."""
    index = plan[position][1]
    raw = cells[index] if index < len(cells) else ""
    return raw.strip() if isinstance(raw, str) else _text(raw)


def _organisation(row: int, v: list[Any]) -> OrganisationRecord:
    return OrganisationRecord(row, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8])


def _organisation_key(record: OrganisationRecord) -> tuple[object, str, str]:
    """The key of an organisation in a file, and the column and value that name it."""
    if record.nip:
        return record.nip, "nip", record.nip
    return (record.name, record.country), "name", record.name


@dataclass
class _Opened:
    """A file being read: its rows (None when its header is wrong), its errors, its header
    with every column named by its code, and the file's own names of the renamed columns."""

    rows: Rows | None
    errors: list[RowError]
    header: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)


def _start(
    source: Source, filename: str, columns: Sequence[str], limits: Limits, words: Words
) -> _Opened:
    """The rows of a file whose header is right (else None), and the list of its errors."""
    try:
        rows = open_table(source, filename, limits=limits)
    except TableError as exc:
        return _Opened(None, exc.errors)
    header: list[str] = []
    labels: dict[str, str] = {}
    for name in rows.header:
        code = name if name in columns else words.columns.get(word_key(name), name)
        if code != name:
            labels.setdefault(code, name)
        header.append(code)
    errors = rows.errors  # problems found while reading are added as they are found
    errors += check_header(header, columns)
    return _Opened(None if errors else rows, errors, tuple(header), labels)


def relabel(errors: Sequence[RowError], labels: Mapping[str, str]) -> list[RowError]:
    """The errors with each column named as the file's header names it."""
    return [_relabelled(error, labels) for error in errors] if labels else list(errors)


def _relabelled(error: RowError, labels: Mapping[str, str]) -> RowError:
    label = labels.get(error.column) if error.column is not None else None
    if any(isinstance(value, ColumnName) for value in error.params.values()):
        params = {
            key: labels.get(value, value) if isinstance(value, ColumnName) else value
            for key, value in error.params.items()
        }
        error = replace(error, params=params)
    return replace(error, column=label) if label else error


def _present(header: Sequence[str], columns: Sequence[str]) -> tuple[str, ...]:
    return tuple(c for c in columns if c in header)


def parse_organisations(
    source: Source, filename: str = "", *, limits: Limits = DEFAULT_LIMITS,
    today: dt.date | None = None, words: Words = DEFAULT_WORDS,
) -> Parsed[OrganisationRecord]:  # fmt: skip
    opened = _start(source, filename, ORGANISATION_COLUMNS, limits, words)
    rows, errors, header = opened.rows, opened.errors, opened.header
    if rows is None:
        return Parsed((), [], errors, labels=opened.labels)
    plan, has_kind = _plan(header, ORGANISATION_COLUMNS, today, words), "kind" in header
    repeats = Repeats(errors)
    records: list[OrganisationRecord] = []
    for row, cells in rows:
        v = _cells(row, cells, plan, errors)
        if v is not None and _organisation_rules(row, v, has_kind, errors, cells, plan):
            record = _organisation(row, v)
            key, column, value = _organisation_key(record)
            repeats.check(key, record.data(), row, column, value)
            records.append(record)
    columns = _present(header, ORGANISATION_COLUMNS)
    return Parsed(columns, records, errors, rows.count, opened.labels)


def parse_members(
    source: Source, filename: str = "", *, limits: Limits = DEFAULT_LIMITS,
    today: dt.date | None = None, words: Words = DEFAULT_WORDS,
) -> Parsed[MemberRecord]:  # fmt: skip
    return stream_members(source, filename, limits=limits, today=today, words=words).collect()


def stream_members(
    source: Source, filename: str = "", *, limits: Limits = DEFAULT_LIMITS,
    today: dt.date | None = None, words: Words = DEFAULT_WORDS,
) -> Stream[MemberRecord]:  # fmt: skip
    """Like ``parse_members``, reading and validating the rows as the records are taken (the
    file is checked and its header read at once)."""
    opened = _start(source, filename, MEMBER_COLUMNS, limits, words)
    rows, errors = opened.rows, opened.errors
    if rows is None:
        return Stream((), iter(()), errors, labels=opened.labels)
    plan = _plan(opened.header, MEMBER_COLUMNS, today, words)
    records = _members(rows, errors, plan, "kind" in opened.header)
    return Stream(_present(opened.header, MEMBER_COLUMNS), records, errors, rows, opened.labels)


def _members(
    rows: Rows, errors: list[RowError], plan: list[_PlanEntry], has_kind: bool
) -> Iterator[MemberRecord]:
    repeats = MemberRepeats(errors)
    for row, cells in rows:
        v = _cells(row, cells, plan, errors)
        if v is None or not _organisation_rules(row, v, has_kind, errors, cells, plan):
            continue
        joined_on, left_on, role = v[_JOINED_ON], v[_LEFT_ON], v[_ROLE]
        if left_on is not None and left_on < joined_on:
            message = N_("is before %(column)s (%(date)s)")
            params = {"column": ColumnName("joined_on"), "date": _written(cells, plan, _JOINED_ON)}
            errors.append(
                RowError(row, "left_on", _written(cells, plan, _LEFT_ON), message, params)
            )
            continue
        organisation = _organisation(row, v)
        key, column, value = _organisation_key(organisation)
        repeats.check(key, organisation.data(), (role, joined_on), left_on, row, column, value,
                      _text(left_on or ""))  # fmt: skip
        yield MemberRecord(row, organisation, role, joined_on, left_on)


def parse_clusters(
    source: Source, filename: str = "", *, limits: Limits = DEFAULT_LIMITS,
    today: dt.date | None = None, words: Words = DEFAULT_WORDS,
) -> Parsed[ClusterRecord]:  # fmt: skip
    opened = _start(source, filename, CLUSTER_COLUMNS, limits, words)
    rows, errors = opened.rows, opened.errors
    if rows is None:
        return Parsed((), [], errors, labels=opened.labels)
    plan = _plan(opened.header, CLUSTER_COLUMNS, today, words)
    repeats = Repeats(errors)
    records: list[ClusterRecord] = []
    for row, cells in rows:
        v = _cells(row, cells, plan, errors)
        if v is None:
            continue
        record = ClusterRecord(row, *v)  # in CLUSTER_COLUMNS order
        repeats.check(record.name, record.data(), row, "name", record.name)
        records.append(record)
    columns = _present(opened.header, CLUSTER_COLUMNS)
    return Parsed(columns, records, errors, rows.count, opened.labels)
