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

from django.db import connection, models
from simple_history.utils import bulk_create_with_history

from .models import Organisation

BATCH_SIZE = 1000  # objects per INSERT/UPDATE statement
LOOKUP_CHUNK = 2000  # values per IN (...) lookup
VALIDATION_SLICE = 100  # records taken between two chances for the writing thread to run

_DEFAULTS: dict[type, dict[str, object]] = {}


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


def insert_with_history(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple], *, by,
    when: dt.datetime,
) -> Sequence[int]:  # fmt: skip
    """Insert new rows and their "created" history records; return their primary keys in order.

    ``rows`` hold the values of ``fields`` (attribute names); the model's other fields get their
    defaults. On PostgreSQL the rows go in with COPY (primary keys drawn from the table's
    sequence), the same rows ``bulk_create_with_history`` would write, several times faster;
    elsewhere it is ``bulk_create_with_history``.
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
    with connection.cursor() as cursor:
        # A block of primary keys: the lock keeps other writers of the table (who would draw
        # from the same sequence) waiting until this transaction ends.
        table = connection.ops.quote_name(meta.db_table)
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            "SELECT setval(seq, nextval(seq) + %s - 1) FROM pg_get_serial_sequence(%s, %s) seq",
            [len(rows), meta.db_table, meta.pk.column],
        )
        last = cursor.fetchone()[0]
        keys = range(last - len(rows) + 1, last + 1)
        full = [(pk, *row, *defaults) for pk, row in zip(keys, rows, strict=True)]
        columns = [meta.get_field(n).column for n in names]  # attribute names work too
        _copy(cursor, meta.db_table, columns, full)
        constant = tuple(stamp.values())
        _copy(cursor, history.db_table, history_columns, (row + constant for row in full))
    return keys


def _copy(cursor, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY the rows in, in PostgreSQL's binary format (the columns' types read from the
    catalogue): cheaper to write and to read than text."""
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [connection.ops.quote_name(table)],
    )
    types = dict(cursor.fetchall())
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
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
