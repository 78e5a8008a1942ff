"""The verification index: the memberships that can count and the status grants, in memory.

Verification asks, for a NIP and a date, which memberships count. The data it needs (every
member or coordinator membership of an organisation with a NIP, the grants and the clusters'
names) is small beside the memory of a server process (about 25 MB for 100,000
organisations), so each process keeps a copy and answers without a database round trip.

Freshness (docs/verification.md, "Where the answers come from"):

- Every change of memberships, organisations, clusters or grants made through the application
  (``save``/``delete`` of the models, the bulk imports' ``rows_written`` signal, the statuses
  import) raises the ``verification`` row of :class:`~.models.DataVersion` once its transaction
  commits, with a record of the organisations it concerned (:mod:`.index_changes`), and, with a
  shared cache (``CACHE_URL``), adds one to a count of changes there.
- A copy behind by changes that name their organisations is updated: their memberships are read
  again (:meth:`VerificationIndex.updated`), the rest is shared with the previous copy; inside a
  request after its response is sent, except in the process that made the change (its next
  answer includes it). Otherwise (a change of everything, a missing record) it is rebuilt.
- Other processes compare their copy's :class:`Stamp` with the database's at most every
  ``VERIFICATION_INDEX_RECHECK`` seconds (default 1), and at their next answer when the shared
  count of changes moved. A newer version is updated (above) or rebuilt at once, a rebuild at
  most once per interval
  (:func:`_may_rebuild`: at least ``VERIFICATION_INDEX_REBUILD_INTERVAL``, 5 s, and 25 times
  the last rebuild's duration) and by one process of a host at a time, inside a request after
  its response is sent: a burst of commits costs few rebuilds, no client waits for one, and
  meanwhile the previous copy answers. A copy older than
  ``VERIFICATION_INDEX_MAX_AGE`` seconds (default 300) is rebuilt whatever the stamp says
  (changes made outside the application).
- A restore is a new database: ``keyclusters restore`` writes a new installation stamp
  (:func:`mark_replaced`), and on PostgreSQL a restore that recreates the tables changes the
  version table's identity. Either way the copy is rebuilt at the next check, not debounced.
- The database does not answer: the copy goes on answering, marked stale with the time it was
  last confirmed (:func:`stale_as_of`), for up to ``VERIFICATION_STALE_LIMIT`` seconds (default
  3600); after that, or with no copy, the database's error is raised (the API answers 503).
- Inside a transaction (``atomic``) the index is not used: the database is asked directly,
  so the answer sees the transaction's own, uncommitted writes.

``VERIFICATION_INDEX = False`` turns the index off (every answer from the database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet

from keyclusters.domain import instruments as terms
from keyclusters.domain.registry import membership_active_on
from keyclusters.registry import identity
from keyclusters.registry.models import (
    Cluster,
    ConfirmationState,
    Membership,
    MembershipConfirmation,
)

from . import index_changes, selectors, sharedcache
from .models import DataVersion, StatusGrant

log = logging.getLogger(__name__)

NAME, INSTALLATION = index_changes.NAME, index_changes.INSTALLATION
CHANGES_KEY = index_changes.CHANGES_KEY


# cluster id, role, counted start, left on, basis, date of the basis, joined on, contested on
# (selectors.membership_row: the counted start is computed once, when the index is built)
_Row = tuple[int, str, dt.date, "dt.date | None", str, dt.date, dt.date, "dt.date | None"]
# from, to, withdrawn on, round, status type
_GrantRow = tuple[dt.date, dt.date, "dt.date | None", str, str]


@dataclass(frozen=True)
class Stamp:
    """What identifies the data in the database: the version raised by every change committed
    through the application, the installation stamp that a restore replaces
    (:func:`mark_replaced`) and, on PostgreSQL, the identity of the version table, which a
    restore that recreates the tables (``pg_restore --clean``) changes too."""

    version: int | None = None
    installation: int | None = None
    table: int | None = None

    def same_database(self, other: Stamp) -> bool:
        return (self.installation, self.table) == (other.installation, other.table)


class VerificationIndex:
    """A read-only copy of what verification needs, built by :meth:`load` in four queries."""

    __slots__ = (
        "memberships", "nips", "grants", "names", "stamp", "signal", "loaded_at", "checked_at",
        "confirmed", "confirmed_at", "current", "organisation_names", "book",
    )  # fmt: skip

    def __init__(
        self,
        memberships: dict[str, tuple[_Row, ...]],
        grants: dict[int, tuple[_GrantRow, ...]],
        names: dict[int, str],
        stamp: Stamp,
        signal: Any = None,
        nips: dict[int, str] | None = None,
        organisation_names: dict[str, str] | None = None,
        book: identity.NameBook | None = None,
    ) -> None:
        self.memberships = memberships  # by NIP
        # the clusters' recorded names, for the name each bore on the date asked about
        self.book = book if book is not None else identity.NameBook()
        self.nips = nips if nips is not None else {}  # the NIP of each organisation in it
        # the name of each organisation in it, by NIP (bulk answers name the organisation)
        self.organisation_names = organisation_names if organisation_names is not None else {}
        self.grants = grants  # by cluster id, ordered by (valid_from, pk)
        self.names = names
        self.stamp = stamp  # of the database when the copy was read
        self.signal = signal  # the shared cache's count of changes at the last check
        self.loaded_at = self.checked_at = time.monotonic()
        self.confirmed = True  # the last check reached the database
        self.confirmed_at = time.time()  # when it last did (wall clock, for "as_of")
        self.current = True  # the database's version was the copy's at the last check

    @property
    def version(self) -> int | None:
        return self.stamp.version

    def confirm(self, now: float, signal: Any, *, current: bool = True) -> None:
        self.checked_at, self.signal, self.current = now, signal, current
        self.confirmed, self.confirmed_at = True, time.time()

    @classmethod
    def load(cls, stamp: Stamp | None = None, signal: Any = None) -> VerificationIndex:
        found: dict[str, list[_Row]] = {}
        nips: dict[int, str] = {}
        organisation_names: dict[str, str] = {}
        for organisation_id, nip, name, row in _membership_rows(None):
            found.setdefault(nip, []).append(row)
            nips[organisation_id] = nip
            organisation_names[nip] = name
        grants: dict[int, list[_GrantRow]] = {}
        for cluster_id, *grant in StatusGrant.objects.order_by("valid_from", "pk").values_list(
            "cluster_id", "valid_from", "valid_to", "withdrawn_on", "round_label", "status_type_id"
        ):
            grants.setdefault(cluster_id, []).append(tuple(grant))  # type: ignore[arg-type]
        names = dict(Cluster.objects.filter(pk__in=grants).values_list("pk", "name"))
        book = identity.names_over_time(names)
        return cls(
            {nip: tuple(found_rows) for nip, found_rows in found.items()},
            {cluster_id: tuple(rows) for cluster_id, rows in grants.items()},
            names,
            stamp or Stamp(),
            signal,
            nips,
            organisation_names,
            book,
        )

    def updated(
        self, organisations: frozenset[int], stamp: Stamp, signal: Any = None
    ) -> VerificationIndex:
        """A copy at ``stamp`` where the memberships of ``organisations`` are read again (the
        changes since this copy concerned only them: :mod:`.index_changes`); the rest is
        shared with this copy, which is not changed."""
        memberships = dict(self.memberships)
        nips = dict(self.nips)
        organisation_names = dict(self.organisation_names)
        for organisation_id in organisations:
            nip = nips.pop(organisation_id, None)
            if nip is not None:
                memberships.pop(nip, None)
                organisation_names.pop(nip, None)
        found: dict[str, list[_Row]] = {}
        ids = sorted(organisations)
        for start in range(0, len(ids), 10_000):
            for organisation_id, nip, name, row in _membership_rows(ids[start : start + 10_000]):
                found.setdefault(nip, []).append(row)
                nips[organisation_id] = nip
                organisation_names[nip] = name
        memberships.update((nip, tuple(rows)) for nip, rows in found.items())
        return type(self)(
            memberships,
            self.grants,
            self.names,
            stamp,
            signal,
            nips,
            organisation_names,
            self.book,
        )

    def names_on(self, cluster_ids: Iterable[int], on: dt.date) -> dict[int, str]:
        """The name each of these clusters bore on ``on`` (its current one where no name is
        recorded)."""
        return {
            cid: self.book.on(cid, on, self.names[cid]) for cid in cluster_ids if cid in self.names
        }

    def statuses_on(self, on: dt.date) -> dict[int, selectors.Status]:
        """The grant valid on ``on`` of each cluster (:func:`.selectors.keep_status`)."""
        statuses = {}
        for cluster_id in self.grants:
            status = self._status(cluster_id, on)
            if status is not None:
                statuses[cluster_id] = status
        return statuses

    def _active(self, nip: str, on: dt.date, statuses: dict) -> list[_Row]:
        return [
            row
            for row in self.memberships.get(nip, ())
            if row[0] in statuses and membership_active_on(row[2], row[3], on)
        ]

    def answer(
        self,
        nip: str,
        *,
        on: dt.date,
        min_months: int | None = None,
        instrument: terms.Chosen | None = None,
    ) -> dict:
        statuses: dict[int, selectors.Status] = {}
        for cluster_id, *_ in self.memberships.get(nip, ()):
            if cluster_id not in statuses:
                status = self._status(cluster_id, on)
                if status is not None:
                    statuses[cluster_id] = status
        rows = self._active(nip, on, statuses)
        periods = self.periods(statuses) if instrument is not None else None
        return selectors.build_answer(
            nip, on, rows, statuses, self.names_on(statuses, on), min_months, instrument, periods
        )

    def periods(self, cluster_ids: Iterable[int]) -> selectors.Periods:
        """The days each of these clusters held a status, of every type (for instruments)."""
        found = {}
        for cluster_id in cluster_ids:
            held = (
                terms.period(status_type, valid_from, valid_to, withdrawn_on)
                for valid_from, valid_to, withdrawn_on, _round, status_type in self.grants.get(
                    cluster_id, ()
                )
            )
            found[cluster_id] = tuple(p for p in held if p is not None)
        return found

    def _status(self, cluster_id: int, on: dt.date) -> selectors.Status | None:
        found: dict[int, selectors.Status] = {}
        grants = self.grants.get(cluster_id, ())
        for valid_from, valid_to, withdrawn_on, round_label, status_type in grants:
            if valid_from <= on <= valid_to and (withdrawn_on is None or withdrawn_on > on):
                status = selectors.Status(round_label, valid_from, valid_to, status_type)
                selectors.keep_status(found, cluster_id, status)
        return found.get(cluster_id)

    def answers(
        self,
        nips: Sequence[str],
        *,
        on: dt.date,
        min_months: int | None = None,
        instrument: terms.Chosen | None = None,
    ) -> list[dict]:
        statuses = self.statuses_on(on)
        found = {}
        for nip in dict.fromkeys(nips):
            rows = self._active(nip, on, statuses)
            if rows:
                found[nip] = rows
        periods = self.periods(statuses) if instrument is not None and found else None
        names = self.names_on(statuses, on)
        return selectors.assemble_answers(
            nips, on, found, statuses, names, min_months, instrument, periods
        )


def _of_organisations(memberships: QuerySet[Membership], ids: Sequence[int]) -> QuerySet:
    """The memberships of these organisations. On PostgreSQL one array parameter
    (``= ANY(%s)``): thousands of ids in ``IN (…)`` take PostgreSQL four times as long to
    parse and plan (6,000 ids: 110 ms against 30 ms)."""
    if connection.vendor != "postgresql":
        return memberships.filter(organisation_id__in=ids)
    column = f"{connection.ops.quote_name(Membership._meta.db_table)}.organisation_id"
    return memberships.extra(where=[f"{column} = ANY(%s)"], params=[list(ids)])


def _membership_rows(
    organisations: Sequence[int] | None,
) -> Iterator[tuple[int, str, str, _Row]]:
    """(organisation id, NIP, organisation name, row) of every membership that can count, or
    of those of some organisations. The counted start is computed here, once
    (selectors.membership_row)."""
    dates: dict[dt.date, dt.date] = {}  # one object per distinct date: less memory
    roles = {role: role for role in selectors.MEMBER_ROLES}
    memberships = Membership.objects.filter(
        role__in=selectors.MEMBER_ROLES, organisation__nip__gt=""
    )
    if organisations is not None:
        memberships = _of_organisations(memberships, organisations)
    # the memberships their organisation contests (few, all of them): by membership
    contests = dict(
        MembershipConfirmation.objects.filter(state=ConfirmationState.CONTESTED).values_list(
            "membership_id", "changed_at"
        )
    )
    rows = memberships.order_by().values_list(
        "organisation_id", "organisation__nip", "organisation__name", "cluster_id", "role",
        "joined_on", "left_on", "counted_from", "evidence_accepted_on", "pk",
    )  # fmt: skip
    joined = selectors.BASIS_JOINED
    for (
        organisation_id,
        nip,
        name,
        cluster_id,
        role,
        joined_on,
        left_on,
        counted,
        accepted,
        pk,
    ) in rows.iterator(chunk_size=20_000):
        joined_on = dates.setdefault(joined_on, joined_on)
        if left_on is not None:
            left_on = dates.setdefault(left_on, left_on)
        contest = contests.get(pk)
        if counted is None and accepted is None and contest is None:  # most of them
            row = (
                cluster_id, roles[role], joined_on, left_on, joined, joined_on, joined_on, None,
            )  # fmt: skip
        else:
            row = selectors.membership_row(
                cluster_id, roles[role], joined_on, left_on, counted, accepted, contest
            )
        yield organisation_id, nip, name, row


# --- the process's copy and its freshness -------------------------------------------------------

_current: VerificationIndex | None = None
_lock = threading.Lock()
_last_change_rebuild = -float("inf")  # monotonic time of the last rebuild for a new version
_last_build_seconds = 0.0  # how long the last load or rebuild took
_generation = 0  # raised by drop(): a rebuild begun before is not installed


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _read_stamp() -> Stamp:
    """The stamp of the data in the database (one query). On PostgreSQL with a lock timeout,
    so that a restore holding the tables (``pg_restore --single-transaction``) makes the check
    fail at once (the copy is answered, stale) instead of making requests wait for its end."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    value = f"(SELECT value FROM {table} WHERE name = %s)"
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
            cursor.execute(
                f"SELECT {value}, {value}, %s::regclass::oid",
                [NAME, INSTALLATION, DataVersion._meta.db_table],
            )
            version, installation, table_id = cursor.fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {value}, {value}", [NAME, INSTALLATION])
            version, installation = cursor.fetchone()
            table_id = None
    return Stamp(version, installation, table_id)


def _signal() -> Any:
    """The shared cache's count of changes (None without a shared cache, or when it fails)."""
    if not sharedcache.available():
        return None
    return sharedcache.attempt(lambda: cache.get(CHANGES_KEY), None)


def current() -> VerificationIndex | None:
    """This process's copy, loaded, checked or rebuilt as the module's docstring says; ``None``
    where it must not be used (turned off, inside a transaction, or the database unreachable for
    longer than ``VERIFICATION_STALE_LIMIT``). Raises the database's error when there is no copy
    and the database does not answer."""
    global _current
    if not _setting("VERIFICATION_INDEX", True) or connection.in_atomic_block:
        return None
    now = time.monotonic()
    index = _current
    if index is not None and not _due(index, now):
        return index
    # One thread checks; while it does (or rebuilds), the others answer from the copy.
    if not _lock.acquire(blocking=index is None):
        return index
    try:
        return _check(now)
    finally:
        _lock.release()


def _due(index: VerificationIndex, now: float) -> bool:
    if now - index.checked_at >= _setting("VERIFICATION_INDEX_RECHECK", 1.0):
        return True
    if now - index.loaded_at >= _setting("VERIFICATION_INDEX_MAX_AGE", 300):
        return True
    signal = _signal()
    return signal is not None and signal != index.signal


def _check(now: float) -> VerificationIndex | None:
    global _current, _last_build_seconds
    index = _current
    signal = _signal()
    try:
        stamp = _read_stamp()
    except DatabaseError:
        if index is None:
            raise
        # The database does not answer: the copy is answered, marked stale (stale_as_of).
        index.checked_at = now
        index.confirmed = False
        if time.time() - index.confirmed_at > _setting("VERIFICATION_STALE_LIMIT", 3600):
            _current = None
            return None  # the database is asked (and its error answered)
        return index
    too_old = index is None or now - index.loaded_at >= _setting("VERIFICATION_INDEX_MAX_AGE", 300)
    if index is not None and not too_old and index.stamp == stamp:
        index.confirm(now, signal)
        return index
    if index is not None and not too_old and index.stamp.same_database(stamp):
        # A newer version: the memberships of the organisations the changes concerned are
        # read again, else the copy is rebuilt (at most once per interval); both beside the
        # answers (after the response, inside a request).
        if _pending is not None or _pending_update is not None:
            index.confirm(now, signal, current=False)
            return index
        try:
            concerned = index_changes.organisations_changed_between(index.version, stamp.version)
        except DatabaseError:
            concerned = index_changes.EVERYTHING
        if concerned is not None and len(concerned) <= _update_limit(index):
            return _update_beside(index, concerned, stamp, signal, now)
        if not _may_rebuild(now):
            index.confirm(now, signal, current=False)
            return index
        return _rebuild_beside(index, stamp, signal, now)
    # The stamp is read before the data: a change committed in between makes the copy newer
    # than its stamp says, and the next check rebuilds it again (never older).
    started = time.monotonic()
    try:
        _current = VerificationIndex.load(stamp, signal)
    except DatabaseError:
        if index is None:
            raise
        index.checked_at = now
        index.confirmed = False
        return index
    _last_build_seconds = time.monotonic() - started
    return _current


def _rebuild_beside(
    index: VerificationIndex, stamp: Stamp, signal: Any, now: float
) -> VerificationIndex:
    """Rebuild for a newer version, the host's lock held (:func:`_may_rebuild`). Inside a
    request the rebuild waits until the response has been sent (``request_finished``), so no
    client waits for it: the asking request is answered from the previous copy and the
    process's next requests from the new one. Elsewhere (commands) it is rebuilt at once."""
    global _last_change_rebuild, _pending
    _last_change_rebuild = now
    index.confirm(now, signal, current=False)
    if _request.active:
        _pending = (stamp, signal, _generation)
        return index
    _rebuild(stamp, signal, _generation)
    return _current if _current is not None else index


def _update_limit(index: VerificationIndex) -> int:
    """Up to how many organisations a copy is updated rather than rebuilt."""
    return max(_setting("VERIFICATION_INDEX_UPDATE_LIMIT", 5_000), len(index.nips) // 4)


def _update_beside(
    index: VerificationIndex, concerned: frozenset[int], stamp: Stamp, signal: Any, now: float
) -> VerificationIndex:
    """Read again the memberships of the organisations ``concerned``: inside a request after
    its response has been sent, unless the change was made in this process (its next answer
    includes it); elsewhere at once. One process of a host updates at a time (the host's lock,
    never waited for: the others answer from their copy and try at their next check), so that
    a commit does not take every process of the host away from the answers at once."""
    global _pending_update
    if not _changed_here and not _host_lock.acquire():
        index.confirm(now, signal, current=False)
        return index
    index.confirm(now, signal, current=False)
    locked = not _changed_here
    if _request.active and not _changed_here:
        _pending_update = (index, concerned, stamp, signal, locked)
        return index
    _update(index, concerned, stamp, signal, locked)
    return _current if _current is not None else index


def _update(
    index: VerificationIndex,
    concerned: frozenset[int],
    stamp: Stamp,
    signal: Any,
    locked: bool = False,
) -> None:
    global _current, _changed_here
    try:
        updated = index.updated(concerned, stamp, signal)
    except DatabaseError as exc:  # the next check tries again (or answers stale)
        log.warning("The verification index was not updated: %s", exc)
        return
    finally:
        if locked:
            _host_lock.release()
    updated.loaded_at = index.loaded_at  # its age: changes made outside the application
    if _current is index:  # not replaced meanwhile (dropped, or rebuilt)
        _current = updated
    _changed_here = False


def _rebuild(stamp: Stamp, signal: Any, generation: int) -> None:
    global _current, _last_change_rebuild, _last_build_seconds
    started = time.monotonic()
    try:
        rebuilt = VerificationIndex.load(stamp, signal)
        if generation == _generation:  # not dropped meanwhile (a change made here is newer)
            _current = rebuilt
        _last_change_rebuild = time.monotonic()
        _last_build_seconds = _last_change_rebuild - started
    except DatabaseError as exc:  # the next check tries again (or answers stale)
        log.warning("The verification index was not rebuilt: %s", exc)
    finally:
        _host_lock.release()


_request = threading.local()
_request.active = False
_pending: tuple | None = None  # a rebuild waiting for the end of the request
_pending_update: tuple | None = None  # an update waiting for the end of the request
_changed_here = False  # this process committed a change its copy does not include yet


def _request_started(**kwargs: Any) -> None:
    _request.active = True


def _request_finished(**kwargs: Any) -> None:
    global _pending, _pending_update
    _request.active = False
    pending, _pending = _pending, None
    update, _pending_update = _pending_update, None
    if pending is not None:
        with _lock:
            _rebuild(*pending)
    elif update is not None:
        with _lock:
            _update(*update)


def _may_rebuild(now: float) -> bool:
    """Whether a copy behind a newer version (a change committed elsewhere) is rebuilt now.

    A burst of commits (an import in chunks) would otherwise cost every process a rebuild per
    commit. So a process rebuilds for a new version at most once per interval: the longer of
    ``VERIFICATION_INDEX_REBUILD_INTERVAL`` (default 5 s) and ``VERIFICATION_INDEX_REBUILD_BUDGET``
    (default 25) times its last rebuild's duration (at most a 25th of its time goes to
    rebuilding), and only one process of a host rebuilds at a time (the others keep answering
    from their copy and try again at their next check). A lone change is rebuilt at once. When
    True, the host's lock is held (released after the rebuild)."""
    interval = max(
        _setting("VERIFICATION_INDEX_REBUILD_INTERVAL", 5.0),
        _setting("VERIFICATION_INDEX_REBUILD_BUDGET", 25.0) * _last_build_seconds,
    )
    return now - _last_change_rebuild >= interval and _host_lock.acquire()


class _HostLock:
    """A lock that one process of this host holds at a time (``flock`` on a file in the
    temporary folder, named after the database), never waited for."""

    def __init__(self) -> None:
        self._handle: Any = None

    def acquire(self) -> bool:
        try:
            import fcntl
        except ImportError:  # not on POSIX: no host-wide lock
            return True
        if self._handle is None:
            database = str(connection.settings_dict.get("NAME"))
            digest = hashlib.sha256(database.encode()).hexdigest()[:16]
            path = Path(tempfile.gettempdir()) / f"keyclusters-index-{digest}.lock"
            self._handle = path.open("a")
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def release(self) -> None:
        if self._handle is not None:
            import fcntl

            fcntl.flock(self._handle, fcntl.LOCK_UN)


_host_lock = _HostLock()


def stale_as_of() -> dt.datetime | None:
    """When this process's copy was last confirmed against the database, if the last check
    failed (the database does not answer); None when the copy is confirmed (or absent)."""
    index = _current
    if index is None or index.confirmed:
        return None
    return dt.datetime.fromtimestamp(index.confirmed_at, tz=dt.UTC)


def state() -> dict:
    """The readiness check's view of the copy, checked against the database now (and loaded
    or rebuilt if needed): ``ok`` when the database confirmed it. A copy behind a newer version
    (at most ``VERIFICATION_INDEX_REBUILD_INTERVAL`` seconds, during a burst of changes) is
    ok: a process is not taken out of service while an import runs."""
    if not _setting("VERIFICATION_INDEX", True):
        return {"ok": True, "enabled": False}
    if connection.in_atomic_block:
        return {"ok": True, "enabled": True, "loaded": _current is not None}
    with _lock:
        try:
            index = _check(time.monotonic())
        except DatabaseError as exc:
            return {"ok": False, "enabled": True, "loaded": False, "error": _first_line(exc)}
    if index is None:
        return {"ok": False, "enabled": True, "loaded": False, "error": "stale limit passed"}
    return {
        "ok": index.confirmed,
        "enabled": True,
        "loaded": True,
        "version": index.stamp.version,
        "current": index.current,
        "age_seconds": round(time.monotonic() - index.loaded_at, 1),
        "as_of": dt.datetime.fromtimestamp(index.confirmed_at, tz=dt.UTC).isoformat(),
    }


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def drop() -> None:
    """Forget this process's copy (the next answer rebuilds it)."""
    global _current, _last_change_rebuild, _last_build_seconds, _generation, _pending
    global _pending_update, _changed_here
    _generation += 1
    _current = None
    if _pending_update is not None and _pending_update[-1]:
        _host_lock.release()
    _pending_update, _changed_here = None, False
    if _pending is not None:
        _pending = None
        _host_lock.release()
    _last_change_rebuild, _last_build_seconds = -float("inf"), 0.0


def _after_change_here(concerned: index_changes.Concerned) -> None:
    """This process committed a change: its next answer includes it (the copy is checked
    then, and updated at once, or rebuilt when the change concerned everything)."""
    global _changed_here
    if concerned is None:
        drop()
        return
    _changed_here = True
    index = _current
    if index is not None:
        index.checked_at = -float("inf")


# The recording side (kept here under these names too: the signals, a restore's stamp).
changed = index_changes.changed
mark_replaced = index_changes.mark_replaced


def connect_signals() -> None:
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import post_delete, post_save

    from keyclusters.registry.models import ClusterName, Organisation
    from keyclusters.registry.signals import rows_written

    index_changes.after_change[:] = [_after_change_here]
    index_changes.after_replace[:] = [drop]
    request_started.connect(_request_started, dispatch_uid="index-request-started")
    request_finished.connect(_request_finished, dispatch_uid="index-request-finished")
    models = (Membership, Organisation, Cluster, ClusterName, StatusGrant, MembershipConfirmation)
    for model in models:
        post_save.connect(changed, sender=model, dispatch_uid=f"index-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"index-delete-{model.__name__}")
    rows_written.connect(changed, dispatch_uid="index-rows-written")
