"""Imports of organisations, clusters and a cluster's members from CSV or XLSX.

All-or-nothing: any error raises :class:`ImportRejected` with every error of the file, and
nothing of the file is kept. The writes happen in one transaction, in bulk (chunks of rows),
each with its history records (``simple_history``) made by ``by``. Organisation and cluster
files are validated whole before the first write; a member file is written chunk by chunk while
a thread validates the rows after the chunk, and an error anywhere rolls the transaction back.

A row's outcome is ``created``, ``updated`` or ``unchanged``: for organisations and clusters
that of the upserted object; for members that of the membership, counted as ``updated`` also
when only the member organisation's data changed. A row repeating an earlier row is unchanged.

Locks: a member import locks the row of its cluster (as the membership services do), so the
writers of one cluster's memberships take turns and those of other clusters go on. Imports that
write organisations take turns from their first such write (``bulk.lock_organisation_writes``);
a NIP that another transaction creates meanwhile is taken as it is (``insert_with_history``
with ``unique="nip"``). On SQLite a write transaction keeps out every other writer anyway.

Shared organisations (docs/registry.md): an import by an operator or the command line
(``by`` None) updates the organisations it finds by NIP; anyone else's (a coordinator's) leaves
them as they are, reports each differing value as a warning (:class:`ImportWarning`: row,
column, the registry's value, the file's) and records it as a change request for operators.

The ledger: the memberships a file adds are recorded at the import's time by ``by``. A start in
the future rejects the file; a start more than ``MEMBERSHIP_BACKDATING_DAYS`` back, in a
coordinator's file, awaits evidence (uploaded afterwards on the membership's page) and counts
from the import's day until an operator accepts it.

Overlaps: the memberships of one organisation in the cluster with the same role must not share
a day. The member import checks the file's rows against each other and against the cluster's
memberships as they will be after the import (a row may change the ``left_on`` of an existing
one) once the whole file is planned (:mod:`.member_periods`), and an overlap rejects the file.
On PostgreSQL the database checks every statement as well (migration 0003); the import orders
its writes so that a valid file never leaves an overlap on the way (``_Members.flush``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from keyclusters.domain import tabular
from keyclusters.domain.tabular import (
    ClusterRecord,
    MemberRecord,
    OrganisationRecord,
    Parsed,
    RowError,
    relabel,
)

from .bulk import (
    BATCH_SIZE,
    LOOKUP_CHUNK,
    _chunks,
    _organisations_by_nip,
    insert_with_history,
    lock_organisation_writes,
    paused_gc,
    validated_ahead,
)
from .member_periods import OVERLAPS_MEANWHILE, MemberPeriods
from .models import (
    Cluster,
    EvidenceState,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationChangeRequest,
    is_overlap_violation,
)
from .services import (
    backdating_days,
    is_trusted,
    lock_cluster,
    organisation_differences,
    propose_organisation_changes,
)
from .signals import announce_memberships_changed, rows_written
from .vocabulary import import_words

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
CHUNK_ROWS = 10_000  # rows planned and written together (one progress step)
ORGANISATION_FIELDS = tabular.ORGANISATION_COLUMNS
_SIZE = ORGANISATION_FIELDS.index("size")
_MEMBERSHIP_FIELDS = (
    "cluster_id", "organisation_id", "role", "joined_on", "left_on", "recorded_at",
    "recorded_by_id", "evidence_state", "counted_from",
)  # fmt: skip
FUTURE_START = N_("is in the future: a membership is recorded once it has begun")
PREVIEW_ROWS = 20

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportWarning:
    """A value of the file that differs from the registry's and was not written (a change
    request for operators records it)."""

    row: int
    column: str
    registry_value: str
    file_value: str


@dataclass(frozen=True)
class ImportReport:
    rows: int
    created: int
    updated: int
    unchanged: int
    warnings: tuple[ImportWarning, ...] = ()
    awaiting_evidence: int = 0  # memberships added with a backdated start, awaiting evidence


class ImportRejected(Exception):
    """The file has errors; nothing was written. ``errors`` holds every one of them."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(self.errors)

    def messages(self) -> list[str]:
        return [format_error(e) for e in self.errors]

    def __str__(self) -> str:
        return "\n".join(self.messages())


def format_error(error: RowError) -> str:
    """The error in the active language."""
    return error.format(gettext)


@dataclass(frozen=True)
class PreviewRow:
    row: int
    outcome: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do, computed without writing anything."""

    columns: tuple[str, ...]
    rows: int
    created: int
    updated: int
    unchanged: int
    sample: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_messages(self) -> list[str]:
        return [format_error(e) for e in self.errors]


# --- organisations ---------------------------------------------------------------------------


class _Pending:
    """An organisation to be created; ``pk`` is set once it is written."""

    __slots__ = ("pk",)

    def __init__(self) -> None:
        self.pk: int | None = None


class _Organisations:
    """Upserts organisations by NIP (foreign ones without a NIP by name and country)."""

    def __init__(
        self, columns: Sequence[str], *, by, when: dt.datetime, overwrite: bool = True,
        cluster: Cluster | None = None,
    ) -> None:  # fmt: skip
        self.overwrite, self.cluster = overwrite, cluster
        self.warnings: list[ImportWarning] = []
        self.proposals: list[tuple[Organisation, list[tuple[str, str, str]], int]] = []
        self.fields = [f for f in ORGANISATION_FIELDS if f in columns]
        self.update_fields = [*self.fields, *(["size"] if "kind" in self.fields else [])]
        self.update_fields = list(dict.fromkeys(self.update_fields))
        self.known: dict[tuple, Organisation] = {}
        self.seen: set[tuple] = set()
        self.by, self.when = by, when
        self.new: list[tuple[_Pending, tuple]] = []
        self.changed: list[Organisation] = []
        self.locked = False

    def _fetch(self, records: Sequence[OrganisationRecord]) -> None:
        nips = list({r.nip for r in records if r.nip and (r.nip,) not in self.known})
        for organisation in _organisations_by_nip(nips):
            self.known[(organisation.nip,)] = organisation
        names = list({r.name for r in records if not r.nip and r.key not in self.known})
        for part in _chunks(names, LOOKUP_CHUNK):
            found = Organisation.objects.filter(nip__isnull=True, name__in=part).order_by("pk")
            for organisation in found:
                self.known.setdefault((organisation.name, organisation.country), organisation)

    def plan(self, records: Sequence[OrganisationRecord]) -> list[tuple[object, str]]:
        """The organisation of each record (an ``Organisation``, or a ``_Pending`` for a new
        one) and what happens to it; remembers the writes."""
        self._fetch(records)
        planned = []
        append, known, seen, new = planned.append, self.known, self.seen, self.new.append
        for record in records:
            key = record.key
            organisation = known.get(key)
            if key in seen:
                append((organisation, UNCHANGED))
                continue
            seen.add(key)
            if organisation is None:
                known[key] = organisation = _Pending()
                row = record.data()  # in ORGANISATION_FIELDS order; size is kept for enterprises
                if row[_SIZE] and record.kind != "enterprise":
                    row = (*row[:_SIZE], "", *row[_SIZE + 1 :])
                new((organisation, row))
                append((organisation, CREATED))
            elif not self.overwrite:
                self._propose(organisation, record)
                append((organisation, UNCHANGED))
            elif self._update(organisation, record):
                self.changed.append(organisation)
                planned.append((organisation, UPDATED))
            else:
                planned.append((organisation, UNCHANGED))
        return planned

    def _propose(self, organisation: Organisation, record: OrganisationRecord) -> None:
        """The file's differing values, as warnings and change requests (nothing written)."""
        if isinstance(organisation, _Pending):
            return
        values = {name: getattr(record, name) for name in self.fields if name != "nip"}
        differences = organisation_differences(organisation, values)
        if differences:
            for field_name, current, given in differences:
                self.warnings.append(ImportWarning(record.row, field_name, current, given))
            self.proposals.append((organisation, differences, record.row))

    def _update(self, organisation: Organisation, record: OrganisationRecord) -> bool:
        changed = False
        for name in self.fields:
            value = getattr(record, name)
            if getattr(organisation, name) != value:
                setattr(organisation, name, value)
                changed = True
        if organisation.kind != "enterprise" and organisation.size:
            organisation.size = ""
            changed = True
        return changed

    def flush(self) -> None:
        if (self.new or self.changed) and not self.locked:
            lock_organisation_writes()
            self.locked = True
        if self.new:
            rows = [row for _, row in self.new]
            keys = insert_with_history(
                Organisation, ORGANISATION_FIELDS, rows, by=self.by, when=self.when, unique="nip"
            )
            for (pending, _), pk in zip(self.new, keys, strict=True):
                pending.pk = pk
        if self.changed:
            bulk_update_with_history(
                self.changed, Organisation, self.update_fields, batch_size=BATCH_SIZE,
                default_user=self.by, default_date=self.when,
            )  # fmt: skip
        for organisation, differences, row in self.proposals:
            propose_organisation_changes(
                organisation=organisation, differences=differences, by=self.by,
                cluster=self.cluster, source=OrganisationChangeRequest.Source.IMPORT, row=row,
            )  # fmt: skip
        self.new, self.changed, self.proposals = [], [], []


# --- members ---------------------------------------------------------------------------------


class _Members:
    """Upserts the memberships of one cluster keyed by (organisation, role, joined_on)."""

    def __init__(self, cluster: Cluster, columns: Sequence[str], *, by, when) -> None:
        self.cluster = cluster
        trusted = is_trusted(by)
        self.organisations = _Organisations(
            columns, by=by, when=when, overwrite=trusted, cluster=cluster
        )
        self.by, self.when = by, when
        self.by_id = by.pk if by is not None else None
        self.today = timezone.localdate(when)
        # A coordinator's backdated starts (before this day) await evidence.
        self.evidence_before = (
            None if trusted else self.today - dt.timedelta(days=backdating_days())
        )
        self.awaiting_evidence = 0
        self.errors: list[RowError] = []  # starts in the future
        self.existing: dict[tuple, Membership] | None = None
        self.periods = MemberPeriods(())
        self.new: list[tuple] = []
        self.changed: list[Membership] = []
        # New memberships of an organisation that has some with the same role in the cluster,
        # written after every update of the file (see ``flush``).
        self.postponed: list[tuple] = []
        self.refused = False  # the database refused an overlap: nothing more is written
        self.written: set[int] = set()  # the organisations whose memberships were written

    def plan(self, records: Sequence[MemberRecord], write: bool) -> list[str]:
        if self.existing is None:
            memberships = list(Membership.objects.filter(cluster=self.cluster).order_by())
            self.existing = {(m.organisation_id, m.role, m.joined_on): m for m in memberships}
            self.periods = MemberPeriods(memberships)
        organisations = self.organisations.plan([r.organisation for r in records])
        if write:
            self.organisations.flush()
        outcomes = []
        existing, cluster = self.existing, self.cluster.pk
        periods = self.periods
        groups = periods.groups
        for record, (organisation, organisation_outcome) in zip(
            records, organisations, strict=True
        ):
            role, joined_on, left_on = record.role, record.joined_on, record.left_on
            if joined_on > self.today:
                self.errors.append(
                    RowError(record.row, "joined_on", joined_on.isoformat(), FUTURE_START)
                )
                outcomes.append(UNCHANGED)
                continue
            group = (record.organisation.key, role)
            found = groups.get(group)
            if found is None:
                groups[group] = (organisation, joined_on, left_on, record.row)
                if organisation_outcome != CREATED:
                    periods.to_check.add(group)
            elif not periods.add(group, found, (joined_on, left_on, record.row)):
                outcomes.append(UNCHANGED)
                continue  # the same membership as an earlier row (same data: see tabular)
            membership = None
            if organisation_outcome != CREATED and organisation.pk is not None:
                membership = existing.get((organisation.pk, role, joined_on))
            if membership is None:
                row = (cluster, organisation.pk, role, joined_on, left_on, *self._ledger(joined_on))
                if organisation_outcome != CREATED and periods.has_existing(organisation.pk, role):
                    self.postponed.append(row)
                else:
                    self.new.append(row)
                outcomes.append(CREATED)
            elif membership.left_on != record.left_on:
                membership.left_on = record.left_on
                self.changed.append(membership)
                outcomes.append(UPDATED)
            else:
                outcomes.append(UPDATED if organisation_outcome == UPDATED else UNCHANGED)
        if write and not self.errors:
            self.flush()
        return outcomes

    def _ledger(self, joined_on: dt.date) -> tuple:
        """recorded_at, recorded_by_id, evidence_state, counted_from of a new membership."""
        if self.evidence_before is not None and joined_on < self.evidence_before:
            self.awaiting_evidence += 1
            return (self.when, self.by_id, EvidenceState.AWAITING.value, self.today)
        return (self.when, self.by_id, EvidenceState.NOT_REQUIRED.value, None)

    def flush(self) -> None:
        """Write the planned updates, then the new memberships.

        The database (PostgreSQL) refuses each statement that leaves an overlap, so the order
        matters: a row may end a membership that a new one follows. Updates only move the end
        of a membership whose start stays, so updates alone never overlap unless the file does;
        new memberships of organisations without one with the same role in the cluster can only
        overlap other rows of the file; the others are postponed until every update is written
        (``finish``). A refusal is then an overlap of the file (or one written meanwhile): the
        writes stop, and ``finish`` names the rows.
        """
        changed, new = self.changed, self.new
        self.new, self.changed = [], []
        if self.refused or not (changed or new):
            return
        try:
            with transaction.atomic():
                if changed:
                    bulk_update_with_history(
                        changed, Membership, ["left_on"], batch_size=BATCH_SIZE,
                        default_user=self.by, default_date=self.when,
                    )  # fmt: skip
                if new:
                    insert_with_history(
                        Membership, _MEMBERSHIP_FIELDS, new, by=self.by, when=self.when
                    )
        except IntegrityError as exc:
            if not is_overlap_violation(exc):
                raise
            self.refused = True
            return
        self.written.update(m.organisation_id for m in changed)
        self.written.update(row[1] for row in new)

    def finish(self) -> list[RowError]:
        """After the last chunk: the overlaps of the file, else write the postponed memberships
        (an error if the database still finds an overlap: one written meanwhile)."""
        errors = sorted(self.errors + self.periods.errors(), key=lambda e: e.row or 0)
        if errors:
            return errors
        self.new, self.postponed = self.postponed, []
        self.flush()
        return [RowError(None, None, "", OVERLAPS_MEANWHILE)] if self.refused else []


# --- clusters --------------------------------------------------------------------------------

_CLUSTER_FIELDS = {
    "coordinator_nip": "coordinator_id",
    "founded_on": "founded_on",
    "specialisation": "specialisation",
    "voivodeship": "voivodeship",
    "website": "website",
}


class _Clusters:
    """Upserts clusters by name; a new cluster's coordinator becomes its first member."""

    def __init__(self, columns: Sequence[str], *, by, when) -> None:
        self.fields = [_CLUSTER_FIELDS[c] for c in columns if c in _CLUSTER_FIELDS]
        self.by, self.when = by, when
        self.coordinators: dict[str, int] = {}
        self.known: dict[str, Cluster] = {}
        self.seen: set[str] = set()

    def check(self, records: Sequence[ClusterRecord]) -> list[RowError]:
        nips = list({r.coordinator_nip for r in records})
        for part in _chunks(nips, LOOKUP_CHUNK):
            self.coordinators.update(
                Organisation.objects.filter(nip__in=part).values_list("nip", "pk")
            )
        message = N_("is not the NIP of an organisation in the registry")
        return [
            RowError(r.row, "coordinator_nip", r.coordinator_nip, message)
            for r in records
            if r.coordinator_nip not in self.coordinators
        ]

    def plan(self, records: Sequence[ClusterRecord], write: bool) -> list[str]:
        names = list({r.name for r in records} - set(self.known))
        for part in _chunks(names, LOOKUP_CHUNK):
            self.known.update((c.name, c) for c in Cluster.objects.filter(name__in=part))
        new, changed, outcomes = [], [], []
        for record in records:
            values = {
                "coordinator_id": self.coordinators[record.coordinator_nip],
                "founded_on": record.founded_on,
                "specialisation": record.specialisation,
                "voivodeship": record.voivodeship,
                "website": record.website,
            }
            cluster = self.known.get(record.name)
            if record.name in self.seen:
                outcomes.append(UNCHANGED)
            elif cluster is None:
                self.known[record.name] = cluster = Cluster(name=record.name, **values)
                new.append(cluster)
                outcomes.append(CREATED)
            elif any(getattr(cluster, f) != values[f] for f in self.fields):
                for name in self.fields:
                    setattr(cluster, name, values[name])
                changed.append(cluster)
                outcomes.append(UPDATED)
            else:
                outcomes.append(UNCHANGED)
            self.seen.add(record.name)
        if write:
            self._write(new, changed)
        return outcomes

    def _write(self, new: list[Cluster], changed: list[Cluster]) -> None:
        options = {"batch_size": BATCH_SIZE, "default_user": self.by, "default_date": self.when}
        if new:
            bulk_create_with_history(new, Cluster, **options)
            coordinators = [
                Membership(
                    cluster=c,
                    organisation_id=c.coordinator_id,
                    role=MembershipRole.COORDINATOR,
                    joined_on=c.founded_on,
                    recorded_at=self.when,
                    recorded_by=self.by,
                )  # fmt: skip
                for c in new
            ]
            bulk_create_with_history(coordinators, Membership, **options)
        if changed:
            bulk_update_with_history(changed, Cluster, self.fields, **options)


# --- the services ----------------------------------------------------------------------------


def _run(
    parsed: Parsed, plan: Callable[[Sequence, bool], list[str]], *, write: bool,
    progress: Progress | None = None,
) -> list[str]:  # fmt: skip
    outcomes: list[str] = []
    for part in _chunks(parsed.records, CHUNK_ROWS):
        outcomes.extend(plan(part, write))
        if progress is not None:
            progress(len(outcomes))
    return outcomes


def _report(outcomes: list[str]) -> ImportReport:
    return ImportReport(
        rows=len(outcomes), created=outcomes.count(CREATED), updated=outcomes.count(UPDATED),
        unchanged=outcomes.count(UNCHANGED),
    )  # fmt: skip


def _organisations_step(organisations: _Organisations) -> Callable[[Sequence, bool], list[str]]:
    def step(records: Sequence[OrganisationRecord], write: bool) -> list[str]:
        planned = organisations.plan(records)
        if write:
            organisations.flush()
        return [outcome for _, outcome in planned]

    return step


@paused_gc()
def import_organisations(
    *, source: tabular.Source, filename: str, by=None, progress: Progress | None = None
) -> ImportReport:
    """Upsert the organisations of a CSV/XLSX file by NIP."""
    parsed = tabular.parse_organisations(source, filename, words=import_words())
    if parsed.errors:
        raise ImportRejected(relabel(parsed.errors, parsed.labels))
    organisations = _Organisations(parsed.columns, by=by, when=timezone.now())
    with transaction.atomic():
        outcomes = _run(parsed, _organisations_step(organisations), write=True, progress=progress)
        rows_written.send(sender=Organisation)
    return _report(outcomes)


@paused_gc()
def import_clusters(
    *, source: tabular.Source, filename: str, by=None, progress: Progress | None = None
) -> ImportReport:
    """Upsert the clusters of a file by name; their coordinators must already be imported."""
    parsed = tabular.parse_clusters(source, filename, words=import_words())
    clusters = _Clusters(parsed.columns, by=by, when=timezone.now())
    errors = parsed.errors or clusters.check(parsed.records)
    if errors:
        raise ImportRejected(relabel(errors, parsed.labels))
    with transaction.atomic():
        outcomes = _run(parsed, clusters.plan, write=True, progress=progress)
        rows_written.send(sender=Cluster)
        # the coordinators' memberships, and coordinators that changed (evaluation re-checks)
        announce_memberships_changed(clusters=[c.pk for c in clusters.known.values() if c.pk])
    return _report(outcomes)


@paused_gc()
def import_members(
    *,
    cluster: Cluster,
    source: tabular.Source,
    filename: str,
    by=None,
    progress: Progress | None = None,
) -> ImportReport:
    """Upsert a cluster's members: their organisations by NIP, then their memberships."""
    stream = tabular.stream_members(source, filename, words=import_words())
    if stream.errors:
        raise ImportRejected(relabel(stream.errors, stream.labels))
    members = _Members(cluster, stream.columns, by=by, when=timezone.now())
    outcomes: list[str] = []
    # The chunks are written while a thread validates the rest of the file; after an error
    # nothing more is written and the transaction is rolled back.
    with transaction.atomic(), validated_ahead(stream.records, CHUNK_ROWS) as chunks:
        lock_cluster(cluster.pk)
        for chunk in chunks:
            if stream.errors:
                continue  # the file is rejected: validate the rest, write nothing more
            outcomes.extend(members.plan(chunk, not (members.refused or members.errors)))
            if progress is not None:
                progress(len(outcomes))
        if stream.errors:
            raise ImportRejected(relabel(stream.errors, stream.labels))
        if errors := members.finish():
            raise ImportRejected(relabel(errors, stream.labels))
        rows_written.send(sender=Membership, organisations=frozenset(members.written))
        announce_memberships_changed(clusters=[cluster.pk])  # once, after the commit
    report = _report(outcomes)
    return ImportReport(
        report.rows, report.created, report.updated, report.unchanged,
        tuple(members.organisations.warnings), members.awaiting_evidence,
    )  # fmt: skip


def _cell(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _preview(
    parsed: Parsed, plan, values: Callable[[object], dict], limit: int,
    check: Callable[[], list[RowError]] | None = None,
) -> ImportPreview:  # fmt: skip
    if parsed.errors:
        errors = relabel(parsed.errors, parsed.labels)
        return ImportPreview(parsed.columns, parsed.rows, 0, 0, 0, errors=errors)
    with transaction.atomic():  # a consistent snapshot; nothing is written
        outcomes = _run(parsed, plan, write=False)
    errors = relabel(check(), parsed.labels) if check is not None else []
    if errors:
        return ImportPreview(parsed.columns, parsed.rows, 0, 0, 0, errors=errors)
    report = _report(outcomes)
    sample = [
        PreviewRow(r.row, outcome, tuple(_cell(values(r).get(c)) for c in parsed.columns))
        for r, outcome in zip(parsed.records[:limit], outcomes, strict=False)
    ]
    return ImportPreview(
        parsed.columns, report.rows, report.created, report.updated, report.unchanged, sample
    )


def _organisation_values(record: OrganisationRecord) -> dict:
    return {name: getattr(record, name) for name in ORGANISATION_FIELDS}


@paused_gc()
def preview_organisations(
    *, source: tabular.Source, filename: str, limit: int = PREVIEW_ROWS
) -> ImportPreview:
    parsed = tabular.parse_organisations(source, filename, words=import_words())
    step = _organisations_step(_Organisations(parsed.columns, by=None, when=timezone.now()))
    return _preview(parsed, step, _organisation_values, limit)


@paused_gc()
def preview_clusters(
    *, source: tabular.Source, filename: str, limit: int = PREVIEW_ROWS
) -> ImportPreview:
    parsed = tabular.parse_clusters(source, filename, words=import_words())
    clusters = _Clusters(parsed.columns, by=None, when=timezone.now())
    errors = parsed.errors or clusters.check(parsed.records)
    if errors:
        errors = relabel(errors, parsed.labels)
        return ImportPreview(parsed.columns, parsed.rows, 0, 0, 0, errors=errors)
    return _preview(parsed, clusters.plan, _fields, limit)


def _fields(record: object) -> dict:
    return {name: getattr(record, name) for name in record.__slots__}  # type: ignore[attr-defined]


def _member_values(record: MemberRecord) -> dict:
    return {**_organisation_values(record.organisation), **_fields(record)}


@paused_gc()
def preview_members(
    *, cluster: Cluster, source: tabular.Source, filename: str, limit: int = PREVIEW_ROWS, by=None
) -> ImportPreview:
    parsed = tabular.parse_members(source, filename, words=import_words())
    members = _Members(cluster, parsed.columns, by=by, when=timezone.now())
    check = lambda: sorted(members.errors + members.periods.errors(), key=lambda e: e.row or 0)  # noqa: E731
    return _preview(parsed, members.plan, _member_values, limit, check)
