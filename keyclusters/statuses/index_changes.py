"""The record of changes behind the verification index (:mod:`.index`).

Every change of the data the index is built from raises the ``verification`` row of
:class:`~.models.DataVersion` once its transaction commits, and records with the new version
which organisations it concerned (:class:`~.models.VerificationChange`): the organisation of a
saved or deleted membership, organisation or membership confirmation, the organisations whose
memberships an import of members wrote. A change of a cluster or a status grant, or a bulk
write that does not name its organisations, concerns everything.

A process whose copy is at version *a* and finds *b* in the database reads the records
*a+1 … b* (:func:`organisations_changed_between`): when every one of them is there and none
concerns everything, it re-reads the memberships of those organisations only; otherwise (a
version raised without a record: a restore, a change made outside the application, records
deleted as old) it rebuilds its whole copy.

Why the records are complete up to the version a process reads: the version row is updated
(and so locked) by the transaction that also writes the record, until it commits. Versions
therefore commit in their order, and a transaction that reads version *b* reads every record up
to *b*. The data of a change is committed before its version is raised (``on_commit``), so the
memberships re-read for the records up to *b* hold at least those changes.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from keyclusters.registry.models import Membership, MembershipConfirmation, Organisation

from . import sharedcache
from .models import DataVersion, VerificationChange

NAME = "verification"  # the DataVersion row counting the changes
INSTALLATION = "installation"  # the DataVersion row holding a random stamp a restore replaces
CHANGES_KEY = "verification:changes"  # the shared cache's count of changes
KEEP = 10_000  # records kept (the oldest are deleted every hundredth version)
MAX_RECORDS = 1_000  # a process further behind than this rebuilds its copy
MAX_ORGANISATIONS = 20_000  # a change of more organisations is recorded as one of everything

EVERYTHING = None  # what a change concerns when it cannot say which organisations
Concerned = frozenset[int] | None

# Called in this process after its own change was recorded (the index then re-reads it), and
# after the database was replaced (the index then forgets its copy). Set by the index.
after_change: list[Callable[[Concerned], None]] = []
after_replace: list[Callable[[], None]] = []

_pending = threading.local()  # per thread, i.e. per connection: the open transactions' changes


def changed(sender: Any = None, instance: Any = None, **kwargs: Any) -> None:
    """A signal receiver (``post_save``, ``post_delete``, the registry's ``rows_written``): the
    data of the index changed. The version is raised once per transaction, when it commits,
    with every organisation the transaction's changes concerned."""
    concerned = _concerned(sender, instance, kwargs.get("organisations"))
    _pending.concerned = _merge(getattr(_pending, "concerned", frozenset()), concerned)
    if connection.in_atomic_block and any(
        func is _commit for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_commit, robust=True)


def _concerned(sender: Any, instance: Any, organisations: Iterable[int] | None) -> Concerned:
    if instance is None:  # a bulk write
        return EVERYTHING if organisations is None else frozenset(organisations)
    if sender is Membership:
        return frozenset([instance.organisation_id])
    if sender is Organisation:
        return frozenset([instance.pk])
    if sender is MembershipConfirmation:
        organisation = (
            Membership.objects.filter(pk=instance.membership_id)
            .values_list("organisation_id", flat=True)
            .first()
        )  # none: the membership was deleted, and its deletion recorded its organisation
        return frozenset() if organisation is None else frozenset([organisation])
    return EVERYTHING  # a cluster, its name, a status grant


def _merge(first: Concerned, second: Concerned) -> Concerned:
    if first is EVERYTHING or second is EVERYTHING:
        return EVERYTHING
    return first | second


def _commit() -> None:
    concerned = getattr(_pending, "concerned", frozenset())
    _pending.concerned = frozenset()
    record(concerned)
    for hook in after_change:
        hook(concerned)
    announce()


def record(concerned: Concerned) -> int:
    """Raise the version and record what the change concerned; the new version."""
    with transaction.atomic():
        if not DataVersion.objects.filter(pk=NAME).update(value=F("value") + 1):
            DataVersion.objects.get_or_create(pk=NAME, defaults={"value": 0})
            DataVersion.objects.filter(pk=NAME).update(value=F("value") + 1)
        version = DataVersion.objects.values_list("value", flat=True).get(pk=NAME)
        many = concerned is EVERYTHING or len(concerned) > MAX_ORGANISATIONS
        organisations = None if many else sorted(concerned)
        VerificationChange.objects.update_or_create(
            version=version, defaults={"organisations": organisations}
        )
        if version % 100 == 0:
            VerificationChange.objects.filter(version__lte=version - KEEP).delete()
    return version


def organisations_changed_between(first: int | None, last: int | None) -> Concerned:
    """The organisations the changes after version ``first`` up to ``last`` concerned, or
    :data:`EVERYTHING` when that cannot be told (a record missing, a change of everything, too
    many versions apart)."""
    if first is None or last is None or not 0 < last - first <= MAX_RECORDS:
        return EVERYTHING
    records = list(
        VerificationChange.objects.filter(version__gt=first, version__lte=last).values_list(
            "organisations", flat=True
        )
    )
    if len(records) != last - first or any(r is None for r in records):
        return EVERYTHING
    return frozenset(organisation for r in records for organisation in r)


def announce() -> None:
    """Tell the other processes through the shared cache that the data changed: they check
    the database at their next answer instead of within VERIFICATION_INDEX_RECHECK."""
    if sharedcache.is_shared():
        sharedcache.attempt(lambda: sharedcache.bump(CHANGES_KEY), None)


def mark_replaced() -> None:
    """The whole database was replaced (a restore): a new installation stamp and version (with
    no record: every process rebuilds its whole copy at its next check)."""
    with transaction.atomic():
        DataVersion.objects.update_or_create(
            pk=INSTALLATION, defaults={"value": secrets.randbits(62)}
        )
        if not DataVersion.objects.filter(pk=NAME).update(value=F("value") + 1):
            DataVersion.objects.create(pk=NAME, value=1)
    for hook in after_replace:
        hook()
    announce()
