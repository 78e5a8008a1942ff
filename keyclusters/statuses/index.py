"""The verification index: the memberships that can count and the status grants, in memory.

Verification asks, for a NIP and a date, which memberships count. The data it needs (every
member or coordinator membership of an organisation with a NIP, the grants and the clusters'
names) is small beside the memory of a server process (about 25 MB for 100,000
organisations), so each process keeps a copy and answers without a database round trip.

Freshness:

- Every change of memberships, organisations, clusters or grants made through the application
  (``save``/``delete`` of the models, the bulk imports' ``rows_written`` signal, the statuses
  import) raises the ``verification`` row of :class:`~.models.DataVersion` once its transaction
  commits, and drops the copy of the process that made it.
- Other processes compare their copy's version with the row at most every
  ``VERIFICATION_INDEX_RECHECK`` seconds (default 1): a change is answered everywhere within
  that time of its commit. A copy older than ``VERIFICATION_INDEX_MAX_AGE`` seconds (default
  300) is rebuilt whatever the version says (changes made outside the application).
- Inside a transaction (``atomic``) the index is not used: the database is asked directly,
  so the answer sees the transaction's own, uncommitted writes.

``VERIFICATION_INDEX = False`` turns the index off (every answer from the database).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from keyclusters.domain.registry import membership_active_on
from keyclusters.registry.models import Cluster, Membership

from . import selectors
from .models import DataVersion, StatusGrant

NAME = "verification"

_Row = tuple[int, str, dt.date, "dt.date | None"]  # cluster id, role, joined on, left on
_GrantRow = tuple[dt.date, dt.date, "dt.date | None", str]  # from, to, withdrawn on, round


class VerificationIndex:
    """A read-only copy of what verification needs, built by :meth:`load` in three queries."""

    __slots__ = ("memberships", "grants", "names", "version", "loaded_at", "checked_at")

    def __init__(
        self,
        memberships: dict[str, tuple[_Row, ...]],
        grants: dict[int, tuple[_GrantRow, ...]],
        names: dict[int, str],
        version: int | None,
    ) -> None:
        self.memberships = memberships  # by NIP
        self.grants = grants  # by cluster id, ordered by (valid_from, pk)
        self.names = names
        self.version = version
        self.loaded_at = self.checked_at = time.monotonic()

    @classmethod
    def load(cls, version: int | None = None) -> VerificationIndex:
        dates: dict[dt.date, dt.date] = {}  # one object per distinct date: less memory
        roles = {role: role for role in selectors.MEMBER_ROLES}
        found: dict[str, list[_Row]] = {}
        rows = (
            Membership.objects.filter(role__in=selectors.MEMBER_ROLES, organisation__nip__gt="")
            .order_by()
            .values_list("organisation__nip", "cluster_id", "role", "joined_on", "left_on")
        )
        for nip, cluster_id, role, joined_on, left_on in rows.iterator(chunk_size=20_000):
            joined_on = dates.setdefault(joined_on, joined_on)
            if left_on is not None:
                left_on = dates.setdefault(left_on, left_on)
            found.setdefault(nip, []).append((cluster_id, roles[role], joined_on, left_on))
        grants: dict[int, list[_GrantRow]] = {}
        for cluster_id, *grant in StatusGrant.objects.order_by("valid_from", "pk").values_list(
            "cluster_id", "valid_from", "valid_to", "withdrawn_on", "round_label"
        ):
            grants.setdefault(cluster_id, []).append(tuple(grant))  # type: ignore[arg-type]
        names = dict(Cluster.objects.filter(pk__in=grants).values_list("pk", "name"))
        return cls(
            {nip: tuple(found_rows) for nip, found_rows in found.items()},
            {cluster_id: tuple(rows) for cluster_id, rows in grants.items()},
            names,
            version,
        )

    def statuses_on(self, on: dt.date) -> dict[int, selectors.Status]:
        """The grant valid on ``on`` of each cluster (the latest one if two overlap)."""
        statuses = {}
        for cluster_id, grants in self.grants.items():
            for valid_from, valid_to, withdrawn_on, round_label in reversed(grants):
                if valid_from <= on <= valid_to and (withdrawn_on is None or withdrawn_on > on):
                    statuses[cluster_id] = selectors.Status(round_label, valid_from, valid_to)
                    break
        return statuses

    def _active(self, nip: str, on: dt.date, statuses: dict) -> list[_Row]:
        return [
            row
            for row in self.memberships.get(nip, ())
            if row[0] in statuses and membership_active_on(row[2], row[3], on)
        ]

    def answer(self, nip: str, *, on: dt.date, min_months: int | None = None) -> dict:
        statuses: dict[int, selectors.Status] = {}
        for cluster_id, *_ in self.memberships.get(nip, ()):
            if cluster_id not in statuses:
                status = self._status(cluster_id, on)
                if status is not None:
                    statuses[cluster_id] = status
        rows = self._active(nip, on, statuses)
        return selectors.build_answer(nip, on, rows, statuses, self.names, min_months)

    def _status(self, cluster_id: int, on: dt.date) -> selectors.Status | None:
        for valid_from, valid_to, withdrawn_on, round_label in reversed(
            self.grants.get(cluster_id, ())
        ):
            if valid_from <= on <= valid_to and (withdrawn_on is None or withdrawn_on > on):
                return selectors.Status(round_label, valid_from, valid_to)
        return None

    def answers(
        self, nips: Sequence[str], *, on: dt.date, min_months: int | None = None
    ) -> list[dict]:
        statuses = self.statuses_on(on)
        found = {}
        for nip in dict.fromkeys(nips):
            rows = self._active(nip, on, statuses)
            if rows:
                found[nip] = rows
        return selectors.assemble_answers(nips, on, found, statuses, self.names, min_months)


# --- the process's copy and its freshness -------------------------------------------------------

_current: VerificationIndex | None = None
_lock = threading.Lock()


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _stored_version() -> int | None:
    return DataVersion.objects.filter(pk=NAME).values_list("value", flat=True).first()


def current() -> VerificationIndex | None:
    """This process's fresh copy, loaded or rebuilt when needed; ``None`` where it must not be
    used (turned off, or inside a transaction)."""
    global _current
    if not _setting("VERIFICATION_INDEX", True) or connection.in_atomic_block:
        return None
    now = time.monotonic()
    index = _current
    too_old = index is None or now - index.loaded_at >= _setting("VERIFICATION_INDEX_MAX_AGE", 300)
    if not too_old and now - index.checked_at < _setting("VERIFICATION_INDEX_RECHECK", 1.0):
        return index
    with _lock:
        index = _current
        version = _stored_version()
        if index is not None and not too_old and index.version == version:
            index.checked_at = now
            return index
        # The version is read before the data: a change committed in between makes the copy
        # newer than its version says, and the next check rebuilds it again (never older).
        _current = index = VerificationIndex.load(version)
        return index


def drop() -> None:
    """Forget this process's copy (the next answer rebuilds it)."""
    global _current
    _current = None


def _raise_version() -> None:
    updated = DataVersion.objects.filter(pk=NAME).update(value=F("value") + 1)
    if not updated:
        DataVersion.objects.get_or_create(pk=NAME, defaults={"value": 1})
    drop()


def changed(**kwargs: Any) -> None:
    """The data of the index changed: raise the version when the transaction commits (once per
    transaction). A signal receiver (it takes and ignores the signal's arguments)."""
    if connection.in_atomic_block and any(
        func is _raise_version for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_raise_version, robust=True)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from keyclusters.registry.models import Organisation
    from keyclusters.registry.signals import rows_written

    for model in (Membership, Organisation, Cluster, StatusGrant):
        post_save.connect(changed, sender=model, dispatch_uid=f"index-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"index-delete-{model.__name__}")
    rows_written.connect(changed, dispatch_uid="index-rows-written")
