"""Benchmarking data files (CSV or XLSX): a ``cluster`` column and one column per indicator id.

Two kinds of file share the reader:

- a cluster data set (``benchmark compute`` and the coordinator data of an edition): one row per
  cluster; every cell is the cluster's value;
- member-survey answers: one row per respondent; the answers of a cluster's members are
  aggregated to their mean and the number of answers.

Row numbers are the spreadsheet's (the header is row 1). Empty cells are missing values. Every
problem is collected; a file with any problem is rejected whole.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from keyclusters.domain.i18n import N_
from keyclusters.domain.tabular import (
    DEFAULT_LIMITS,
    Cell,
    Limits,
    RowError,
    Source,
    TableError,
    open_table,
)

CLUSTER_COLUMN = "cluster"
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
# The largest magnitude of a value: more is no indicator or answer, and sums of values stay finite.
MAX_MAGNITUDE = 1e15


class NumberTooLarge(ValueError):
    """A finite number beyond ``MAX_MAGNITUDE``."""


@dataclass(frozen=True)
class DataRow:
    row: int
    cluster: str
    values: dict[str, float]  # indicator id -> value; missing cells are absent


@dataclass
class DataFile:
    columns: tuple[str, ...] = ()  # the indicator columns, in the file's order
    rows: list[DataRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class Aggregate:
    cluster: str
    indicator: str
    mean: float
    answers: int


def parse_number(value: Cell) -> float | None:
    """A number cell: ``12``, ``12.5``, ``12,5`` (decimal comma), spaces as thousands separators.

    ``None`` for an empty cell; :class:`NumberTooLarge` for a number beyond ``MAX_MAGNITUDE``
    (also one written too large to be finite), :class:`ValueError` for anything else (``inf``
    and ``nan`` too).
    """
    if isinstance(value, dt.date):
        raise ValueError(value)
    text = value.replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise ValueError(value)
    number = float(text.replace(",", "."))
    if not math.isfinite(number):  # 1e999 overflows to infinity
        raise NumberTooLarge(value)
    if abs(number) > MAX_MAGNITUDE:
        raise NumberTooLarge(value)
    return number


def read_data(
    source: Source,
    filename: str = "",
    *,
    indicators: Collection[str],
    unique_clusters: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> DataFile:
    """Read a data file whose columns may be ``cluster`` and the ids in ``indicators``."""
    result = DataFile()
    try:
        table = open_table(source, filename, limits=limits)
    except TableError as exc:
        result.errors.extend(exc.errors)
        return result
    result.errors = table.errors  # problems found while reading are added as they are found
    allowed = set(indicators)
    seen: set[str] = set()
    plan: list[tuple[int, str]] = []
    cluster_index: int | None = None
    for index, name in enumerate(table.header):
        if not name:
            result.errors.append(RowError(1, None, "", N_("a column has no name")))
        elif name in seen:
            result.errors.append(RowError(1, name, "", N_("the column appears twice")))
        elif name == CLUSTER_COLUMN:
            cluster_index = index
        elif name not in allowed:
            result.errors.append(RowError(1, name, "", N_("is not an indicator of the framework")))
        else:
            plan.append((index, name))
        seen.add(name)
    if cluster_index is None:
        result.errors.append(RowError(1, CLUSTER_COLUMN, "", N_("the required column is missing")))
    if result.errors:
        return result
    assert cluster_index is not None
    result.columns = tuple(name for _index, name in plan)
    first_row: dict[str, int] = {}
    for row, cells in table:
        count = len(cells)
        raw_name = cells[cluster_index] if cluster_index < count else ""
        name = raw_name.isoformat() if isinstance(raw_name, dt.date) else raw_name.strip()
        ok = True
        if not name:
            result.errors.append(RowError(row, CLUSTER_COLUMN, "", N_("a value is required")))
            ok = False
        elif unique_clusters and name in first_row:
            message = N_("the cluster appears also in row %(other)s")
            result.errors.append(
                RowError(row, CLUSTER_COLUMN, name, message, {"other": first_row[name]})
            )
            ok = False
        else:
            first_row.setdefault(name, row)
        values: dict[str, float] = {}
        for index, indicator in plan:
            raw = cells[index] if index < count else ""
            try:
                number = parse_number(raw)
            except NumberTooLarge:
                message = N_("is too large (at most 10^15 in absolute value)")
                result.errors.append(RowError(row, indicator, str(raw), message))
                ok = False
                continue
            except ValueError:
                text = raw.isoformat() if isinstance(raw, dt.date) else raw
                result.errors.append(RowError(row, indicator, text, N_("is not a number")))
                ok = False
                continue
            if number is not None:
                values[indicator] = number
        if ok:
            result.rows.append(DataRow(row, name, values))
    return result


def aggregate_answers(rows: list[DataRow], indicators: Collection[str]) -> list[Aggregate]:
    """Per cluster and indicator: the mean of the answers given and their number.

    An indicator nobody of a cluster answered has no aggregate (a missing value).
    """
    sums: dict[tuple[str, str], tuple[float, int]] = {}
    for data in rows:
        for indicator, value in data.values.items():
            total, count = sums.get((data.cluster, indicator), (0.0, 0))
            sums[(data.cluster, indicator)] = (total + value, count + 1)
    order = {indicator: position for position, indicator in enumerate(indicators)}
    # Values are within MAX_MAGNITUDE, so the sums and the means are finite.
    return [
        Aggregate(cluster, indicator, total / count, count)
        for (cluster, indicator), (total, count) in sorted(
            sums.items(), key=lambda item: (item[0][0], order.get(item[0][1], 0))
        )
    ]
