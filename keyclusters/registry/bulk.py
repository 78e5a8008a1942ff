"""Bulk work for the importers: new rows as plain tuples, COPY on PostgreSQL, validation in a
thread alongside the writes, the garbage collector paused.

A large import spends most of its time validating rows, building objects and sending rows;
these helpers keep the history records that ``simple_history`` would write while cutting that
time.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from queue import SimpleQueue

from django.db import IntegrityError, connection, models, transaction
from simple_history.utils import bulk_create_with_history

from .models import Organisation

BATCH_SIZE = 1000  # objects per INSERT/UPDATE statement
# The key of the transaction-level advisory lock that imports hold from their first write of
# organisations until they end (PostgreSQL): see ``lock_organisation_writes``.
ORGANISATION_WRITES_LOCK = 0x6B6300000001
LOOKUP_CHUNK = 2000  # values per IN (...) lookup
VALIDATION_SLICE = 100  # records taken between two chances for the writing thread to run

_DEFAULTS: dict[type, dict[str, object]] = {}
_SEQUENCES: dict[str, str] = {}  # table -> the sequence of its primary key (PostgreSQL)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees memory).

    An import keeps hundreds of thousands of records alive, and each automatic collection walks
    all of them: with the collector running, a 200,000-row import spends a third of its time in
    it. Whatever cycles the import leaves are collected when the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def validated_ahead(records: Iterator, size: int) -> Iterator[Iterator[list]]:
    """Chunks of ``size`` records, taken from ``records`` by a thread ahead of the caller.

    Taking a record validates its row (pure Python), while the caller mostly waits for the
    database writing the chunk before; the two overlap. The thread lets the caller run each time
    it has taken a few records, so the caller's database calls are not kept waiting. An
    exception in the thread is raised in the caller; leaving the block stops the thread.
    """
    chunks: SimpleQueue = SimpleQueue()
    stop = threading.Event()
    failure: list[BaseException] = []

    def take() -> None:
        chunk: list = []
        try:
            while not stop.is_set():
                part = list(islice(records, min(VALIDATION_SLICE, size - len(chunk))))
                if not part:
                    break
                chunk += part
                if len(chunk) == size:
                    chunks.put(chunk)
                    chunk = []
                time.sleep(0)  # hand the interpreter over if the caller's I/O is done
            chunks.put(chunk)
        except BaseException as exc:  # raised in the caller
            failure.append(exc)
        finally:
            chunks.put([])  # the end

    def chunks_taken() -> Iterator[list]:
        while chunk := chunks.get():
            yield chunk
        if failure:
            raise failure[0]

    thread = threading.Thread(target=take, name="import-validation", daemon=True)
    thread.start()
    try:
        yield chunks_taken()
    finally:
        stop.set()
        thread.join()


def _new(model: type[models.Model], **values: object) -> models.Model:
    """A new, unsaved instance, built without ``Model.__init__``; fields not given get their
    (constant) defaults."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        fields = model._meta.concrete_fields
        defaults = _DEFAULTS[model] = {f.attname: f.get_default() for f in fields}
    obj = model.__new__(model)
    obj._state = models.base.ModelState()
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    return obj


def lock_organisation_writes() -> None:
    """Wait for, then hold until the transaction ends, the right to write organisations in bulk
    (PostgreSQL; on SQLite write transactions run one at a time anyway).

    Two imports that create or update the same organisations in different orders would each
    wait for a row the other wrote (a deadlock, one of them failing): with this lock the second
    import's organisation writes wait until the first import has ended. Nothing else takes it:
    the memberships of other clusters, and single organisations created by the services, are
    written meanwhile.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ORGANISATION_WRITES_LOCK])


def insert_with_history(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple], *, by,
    when: dt.datetime, unique: str | None = None,
) -> list[int]:  # fmt: skip
    """Insert new rows and their "created" history records; return their primary keys in order.

    ``rows`` hold the values of ``fields`` (attribute names); the model's other fields get their
    defaults. On PostgreSQL the rows go in with COPY (primary keys drawn from the table's
    sequence with ``nextval``, so other writers of the table go on meanwhile), the same rows
    ``bulk_create_with_history`` would write, several times faster; elsewhere it is
    ``bulk_create_with_history``.

    ``unique`` names a field with a unique constraint that another transaction may fill while
    this one runs (an organisation's NIP). On PostgreSQL the COPY then fails in a savepoint,
    which is rolled back, and the rows go in with ``INSERT ... ON CONFLICT DO NOTHING`` (which
    waits for the other transaction to end): a row whose value exists by then is not inserted,
    gets no history record, and its key is that of the existing row. (On SQLite the write
    transaction keeps every other writer out, so the case does not arise.)
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [_new(model, **dict(zip(fields, row, strict=True))) for row in rows]
        bulk_create_with_history(
            objs, model, batch_size=BATCH_SIZE, default_user=by, default_date=when
        )
        return [obj.pk for obj in objs]
    meta, history = model._meta, model.history.model._meta  # type: ignore[attr-defined]
    others = [f for f in meta.concrete_fields if f is not meta.pk and f.attname not in fields]
    names = [meta.pk.attname, *fields, *(f.attname for f in others)]
    defaults = tuple(f.get_default() for f in others)
    stamp = {"history_date": when, "history_user_id": by.pk if by else None,
             "history_type": "+", "history_change_reason": None}  # fmt: skip
    tracked = {f.attname for f in history.concrete_fields} - {*stamp, "history_id"}
    if tracked != set(names):  # the history table must record exactly the model's fields
        raise ValueError(f"{history.label} does not track the fields of {meta.label}")
    history_columns = [*(history.get_field(n).column for n in names), *stamp]
    columns = [meta.get_field(n).column for n in names]  # attribute names work too
    with connection.cursor() as cursor:
        sequence = _SEQUENCES.get(meta.db_table)
        if sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
            sequence = _SEQUENCES[meta.db_table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)]
        )
        keys = [key for (key,) in cursor.fetchall()]
        full = [(pk, *row, *defaults) for pk, row in zip(keys, rows, strict=True)]
        inserted = full
        if unique is None:
            _copy(cursor, meta.db_table, columns, full)
        else:
            try:
                with transaction.atomic():
                    _copy(cursor, meta.db_table, columns, full)
            except IntegrityError:  # written meanwhile by another transaction
                position = names.index(unique)
                inserted, keys = _insert_missing(cursor, meta, columns, full, position)
        constant = tuple(stamp.values())
        _copy(cursor, history.db_table, history_columns, (row + constant for row in inserted))
    return keys


def _insert_missing(
    cursor, meta, columns: list[str], full: list[tuple], position: int
) -> tuple[list[tuple], list[int]]:
    """Insert the rows whose value in column ``position`` is not in the table (waiting for
    transactions that are writing it); return the rows inserted and every row's key (that of
    the existing row where it was not inserted)."""
    quote = connection.ops.quote_name
    table, pending = quote(meta.db_table), f"{meta.db_table}_pending"
    names = ", ".join(quote(c) for c in columns)
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(pending)} (LIKE {table}) "
                   "ON COMMIT DROP")  # fmt: skip
    cursor.execute(f"TRUNCATE {quote(pending)}")
    _copy(cursor, pending, columns, full)
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {quote(pending)} "
        f"ON CONFLICT ({quote(columns[position])}) DO NOTHING RETURNING {quote(columns[0])}"
    )
    new = {key for (key,) in cursor.fetchall()}
    inserted = [row for row in full if row[0] in new]
    values = [row[position] for row in full if row[0] not in new]
    cursor.execute(
        f"SELECT {quote(columns[position])}, {quote(columns[0])} FROM {table} "
        f"WHERE {quote(columns[position])} = ANY(%s)",
        [values],
    )
    existing = dict(cursor.fetchall())
    return inserted, [row[0] if row[0] in new else existing[row[position]] for row in full]


def _copy(cursor, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY the rows in, in PostgreSQL's binary format (the columns' types read from the
    catalogue): cheaper to write and to read than text. A refusal of the database is raised as
    Django's exception (``IntegrityError``…), as from its cursors."""
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [connection.ops.quote_name(table)],
    )
    types = dict(cursor.fetchall())
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    sql = f"COPY {quote(table)} ({names}) FROM STDIN (FORMAT BINARY)"
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        copy.set_types([types[c] for c in columns])
        write = copy.write_row
        for row in rows:
            write(row)


def _organisations_by_nip(nips: list[str]) -> Iterable[Organisation]:
    """The organisations with these NIPs (on PostgreSQL one ``= ANY(array)`` per 20,000)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Organisation._meta.db_table)
        for part in _chunks(nips, 20_000):
            yield from Organisation.objects.raw(
                f"SELECT * FROM {table} WHERE nip = ANY(%s)", [list(part)]
            )
    else:
        for part in _chunks(nips, LOOKUP_CHUNK):
            yield from Organisation.objects.filter(nip__in=part).order_by()


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
