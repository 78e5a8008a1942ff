"""Reads of the statuses app: membership verification and the registry of key clusters.

Verification answers, for NIPs and a date D, which memberships count: a member or the
coordinator (not a strategic partner) active on D in a cluster whose status is valid on D, and,
with ``min_months`` N, that began at least N calendar months before D (see :mod:`.validity`).
"Began" is the *counted* start (the registry's ledger, docs/registry.md): the day the
membership was recorded while the evidence of a backdated start is not accepted, else its
``joined_on``; each membership of an answer states it (``member_since``) and its basis.
Every function here makes a constant number of queries, whatever the number of NIPs or clusters.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import DatabaseError, OperationalError, connection
from django.db.models import Case, F, QuerySet, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from stdnum.pl import nip as stdnum_nip

from keyclusters.domain import identifiers
from keyclusters.domain import instruments as terms
from keyclusters.registry import identity
from keyclusters.registry.models import (
    BASIS_EVIDENCE,
    BASIS_JOINED,
    BASIS_RECORDED,
    Cluster,
    ConfirmationState,
    Membership,
    MembershipConfirmation,
    MembershipRole,
    Organisation,
    counted_active_on_q,
    counted_active_on_sql,
    counted_basis,
)

from . import validity
from .models import KEY_CLUSTER, StatusGrant, validity_q

MEMBER_ROLES = (MembershipRole.MEMBER.value, MembershipRole.COORDINATOR.value)
BASES = (BASIS_JOINED, BASIS_RECORDED, BASIS_EVIDENCE)  # member_since_basis of an answer
NIP_CHUNK = 20_000 if connection.vendor == "postgresql" else 900
_TEN_DIGITS = re.compile(r"[0-9]{10}")


def today() -> dt.date:
    return timezone.localdate()


class InvalidNip(ValueError):
    """A NIP that is not valid; ``message`` names it (in the active language)."""

    def __init__(self, value: str, reason: str, index: int | None = None) -> None:
        self.value, self.reason, self.index = value, reason, index
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return gettext('"%(nip)s" is not a valid NIP (%(reason)s)') % {
            "nip": self.value,
            "reason": gettext(self.reason),
        }


def normalise_nip(value: str, index: int | None = None) -> str:
    """The 10 digits of a NIP (dashes, spaces, ``PL`` prefix allowed), else :class:`InvalidNip`."""
    if _TEN_DIGITS.fullmatch(value) and stdnum_nip.checksum(value) == 0 and value != "0000000000":
        return value
    try:
        return identifiers.normalise_nip(value)
    except identifiers.IdentifierError as exc:
        raise InvalidNip(value, exc.reason, index) from exc


def normalise_nips(values: Sequence[str]) -> tuple[list[str], list[InvalidNip]]:
    """The normalised NIPs (in order) and every invalid one (with its index)."""
    normalised, errors = [], []
    for index, value in enumerate(values):
        try:
            normalised.append(normalise_nip(value, index))
        except InvalidNip as exc:
            errors.append(exc)
    return normalised, errors


@dataclass(frozen=True, slots=True)
class Status:
    round_label: str
    valid_from: dt.date
    valid_to: dt.date
    status_type: str = KEY_CLUSTER


def keep_status(statuses: dict[int, Status], cluster_id: int, status: Status) -> None:
    """Record ``status`` as the cluster's, given in the order of the grants' start: the
    latest grant wins, except that a key cluster status is never replaced by a grant of
    another type valid the same day (a cluster holding both is a key cluster: the answer's
    flags and its listed status say so; an instrument looks at every type's periods)."""
    held = statuses.get(cluster_id)
    if held is None or held.status_type != KEY_CLUSTER or status.status_type == KEY_CLUSTER:
        statuses[cluster_id] = status


def _statuses_on(on: dt.date) -> tuple[dict[int, Status], dict[int, str]]:
    """The grant valid on ``on`` of each cluster (:func:`keep_status`), with names."""
    rows = (
        StatusGrant.objects.valid_on(on)
        .annotate(name_then=identity.name_then("cluster_id", on))
        .order_by("cluster_id", "valid_from", "pk")
        .values_list(
            "cluster_id",
            "name_then",
            "round_label",
            "valid_from",
            "valid_to",
            "status_type_id",
        )  # fmt: skip
    )
    statuses, names = {}, {}
    for cluster_id, name, round_label, valid_from, valid_to, status_type in rows:
        keep_status(statuses, cluster_id, Status(round_label, valid_from, valid_to, status_type))
        names[cluster_id] = name
    return statuses, names


Periods = dict[int, tuple[terms.Period, ...]]


def periods_of(cluster_ids: Iterable[int]) -> Periods:
    """The days each of these clusters held a status, of every type, in one query (what an
    instrument's ``held_throughout`` looks at)."""
    found: dict[int, list[terms.Period]] = {}
    rows = (
        StatusGrant.objects.filter(cluster_id__in=list(cluster_ids))
        .order_by("valid_from", "pk")
        .values_list("cluster_id", "status_type_id", "valid_from", "valid_to", "withdrawn_on")
    )
    for cluster_id, status_type, valid_from, valid_to, withdrawn_on in rows:
        held = terms.period(status_type, valid_from, valid_to, withdrawn_on)
        if held is not None:
            found.setdefault(cluster_id, []).append(held)
    return {cluster_id: tuple(rows) for cluster_id, rows in found.items()}


def membership_row(
    cluster_id: int,
    role: str,
    joined_on: dt.date,
    left_on: dt.date | None,
    counted_from: dt.date | None,
    evidence_accepted_on: dt.date | None,
    contested_at: dt.datetime | None = None,
) -> tuple:
    """The row verification works with: ``(cluster id, role, counted start, left on, basis,
    date of the basis, joined on, contested on)``; the index keeps these, computed once when it
    is built. ``contested_at``: when the member organisation contested the membership (it
    still does; docs/self-service.md), None when it does not."""
    basis, basis_on = counted_basis(joined_on, counted_from, evidence_accepted_on)
    contested_on = timezone.localdate(contested_at) if contested_at is not None else None
    return (
        cluster_id, role, counted_from or joined_on, left_on, basis, basis_on, joined_on,
        contested_on,
    )  # fmt: skip


def contested_at_sql(alias: str) -> str:
    """A subquery for raw SQL: when the membership ``alias`` was contested, NULL when it is not
    (the member organisation's contest, docs/self-service.md)."""
    table = connection.ops.quote_name(MembershipConfirmation._meta.db_table)
    return (
        f"(SELECT k.changed_at FROM {table} k WHERE k.membership_id = {alias}.id "
        f"AND k.state = '{ConfirmationState.CONTESTED.value}')"
    )


def _contested_at() -> Case:
    """:func:`contested_at_sql` for the ORM (one outer join)."""
    return Case(
        When(
            confirmation__state=ConfirmationState.CONTESTED,
            then=F("confirmation__changed_at"),
        ),
        default=None,
    )


def basis_text(membership: dict) -> str:
    """The basis of a membership's counted start (an answer's membership), in the active
    language with the date in its format; empty for an answer without one (older payloads)."""
    basis, on = membership.get("member_since_basis"), membership.get("member_since_basis_on")
    if basis not in BASES or not on:
        return ""
    day = date_format(dt.date.fromisoformat(on), "SHORT_DATE_FORMAT")
    if basis == BASIS_RECORDED:
        return gettext(
            "counted from %(date)s, the day it was recorded (the evidence of the earlier start "
            "is not accepted)"
        ) % {"date": day}
    if basis == BASIS_EVIDENCE:
        return gettext("joined on %(joined)s, evidence accepted on %(date)s") % {
            "joined": date_format(
                dt.date.fromisoformat(membership["joined_on"]), "SHORT_DATE_FORMAT"
            ),
            "date": day,
        }
    return gettext("joined on %(date)s") % {"date": day}


def contest_text(membership: dict) -> str:
    """ "contested by the member organisation on <date>" for a contested membership of an
    answer, in the active language; empty otherwise (and for older payloads)."""
    on = membership.get("contested_on")
    if not membership.get("contested") or not on:
        return ""
    return gettext("contested by the member organisation on %(date)s") % {
        "date": date_format(dt.date.fromisoformat(on), "SHORT_DATE_FORMAT")
    }


def role_label(code: str) -> str:
    """A role's label (``member`` → "Member")."""
    try:
        return str(MembershipRole(code).label)
    except ValueError:
        return code


def build_answer(
    nip: str,
    on: dt.date,
    rows: Iterable[tuple],
    statuses: dict[int, Status],
    names: dict[int, str],
    min_months: int | None,
    instrument: terms.Chosen | None = None,
    periods: Periods | None = None,
    judge: terms.Judge | None = None,
) -> dict:
    """The answer for one NIP from its active ``rows`` (:func:`membership_row`) in clusters
    with a status on ``on``; with an ``instrument``, its terms are tested on every such row
    (before ``min_months`` filters them), with the clusters' ``periods`` of status (by
    ``judge``, the instrument's test on ``on`` shared by the answers of a bulk request)."""
    memberships = []
    coordinator = key_member = False
    rows = list(rows)
    for cluster_id, role, start, left_on, basis, basis_on, joined_on, contested_on in rows:
        status = statuses.get(cluster_id)
        if status is None:
            continue
        if not validity.began_early_enough(joined_on=start, on=on, min_months=min_months):
            continue
        # the flags answer for the key cluster status; a membership of a cluster holding
        # another type of status is listed (with its type) but makes no key cluster member
        key = status.status_type == KEY_CLUSTER
        key_member = key_member or key
        coordinator = coordinator or (key and role == MembershipRole.COORDINATOR)
        memberships.append(
            {
                "cluster": {"id": cluster_id, "name": names[cluster_id]},
                "role": role,
                "member_since": start.isoformat(),
                "member_since_basis": basis,
                "member_since_basis_on": basis_on.isoformat(),
                "counted_from": start.isoformat(),
                "counted_from_basis": basis,
                "joined_on": joined_on.isoformat(),
                "member_until": left_on.isoformat() if left_on else None,
                "contested": contested_on is not None,
                "contested_on": contested_on.isoformat() if contested_on else None,
                "status_type": status.status_type,
                "status": {
                    "round": status.round_label,
                    "valid_from": status.valid_from.isoformat(),
                    "valid_to": status.valid_to.isoformat(),
                },
            }
        )
    memberships.sort(
        key=lambda m: (m["cluster"]["name"], m["cluster"]["id"], m["member_since"], m["role"])
    )
    answer = {
        "nip": nip,
        "on": on.isoformat(),
        "key_cluster_member": key_member,
        "key_cluster_coordinator": coordinator,
        "memberships": memberships,
    }
    if instrument is not None:
        candidates = [
            terms.Candidate(row[0], row[1], row[2], (periods or {}).get(row[0], ()))
            for row in rows
            if row[0] in statuses
        ]
        if judge is None:
            judge = terms.Judge(instrument.instrument, on)
        verdict = judge.evaluate(candidates)
        answer.update(instrument_answer(instrument, verdict, names))
    return answer


def instrument_answer(
    instrument: terms.Chosen, verdict: terms.Verdict, names: dict[int, str]
) -> dict:
    """What an instrument adds to an answer: the instrument as the catalogue's version writes
    it, ``eligible``, the ``reason`` (an id, null when eligible) and what was ``evaluated``:
    the membership the verdict is about (null without one), in figures."""
    evaluated = None
    if verdict.cluster_id is not None:
        evaluated = {
            "cluster": {"id": verdict.cluster_id, "name": names.get(verdict.cluster_id, "")},
            "role": verdict.role,
            "counted_from": verdict.counted_from.isoformat() if verdict.counted_from else None,
            "months": verdict.months,
            "min_months": verdict.min_months,
            "status_type": verdict.status_type,
            "status_held_since": (
                verdict.status_held_since.isoformat() if verdict.status_held_since else None
            ),
        }
    return {
        "instrument": instrument.stamp(),
        "eligible": verdict.eligible,
        "reason": verdict.reason,
        "evaluated": evaluated,
    }


def not_a_member(instrument: terms.Chosen) -> dict:
    return instrument_answer(
        instrument,
        terms.Verdict(False, terms.NOT_A_MEMBER, min_months=instrument.instrument.min_months),
        {},
    )


def _active_memberships(on: dt.date) -> QuerySet[Membership]:
    """The memberships that count on ``on`` by their counted start (with a status aside)."""
    return Membership.objects.filter(counted_active_on_q(on), role__in=MEMBER_ROLES).order_by()


def verify_nip(
    nip: str,
    *,
    on: dt.date,
    min_months: int | None = None,
    instrument: terms.Chosen | None = None,
) -> dict:
    """The answer for one normalised NIP: from the process's verification index (no query,
    see :mod:`.index`), or from the database inside a transaction or with the index off. With
    an ``instrument`` (:func:`.instruments.choose`), the answer says whether its terms are met
    on ``on`` and why not."""
    from . import index

    current = index.current()
    if current is not None:
        return current.answer(nip, on=on, min_months=min_months, instrument=instrument)
    return verify_nip_from_database(nip, on=on, min_months=min_months, instrument=instrument)


def verify_nip_from_database(
    nip: str,
    *,
    on: dt.date,
    min_months: int | None = None,
    instrument: terms.Chosen | None = None,
) -> dict:
    """The answer for one normalised NIP, in one query (memberships joined with the grants),
    and with an ``instrument`` one more for the periods of status of the clusters found.

    On PostgreSQL the query is a server-side prepared statement (planned once per connection):
    this is the hot path of the verification API.
    """
    prepared = connection.vendor == "postgresql"
    rows = _prepared_rows(nip, on) if prepared else _orm_rows(nip, on)
    statuses, names, memberships = {}, {}, {}
    for (
        cluster_id,
        role,
        joined_on,
        left_on,
        counted,
        accepted,
        contested_at,
        name,
        label,
        start,
        end,
        _pk,
        status_type,
    ) in rows:
        keep_status(statuses, cluster_id, Status(label, start, end, status_type))
        names[cluster_id] = name
        memberships[(cluster_id, role, joined_on)] = membership_row(
            cluster_id, role, joined_on, left_on, counted, accepted, contested_at
        )
    periods = periods_of(statuses) if instrument is not None and statuses else None
    return build_answer(
        nip, on, memberships.values(), statuses, names, min_months, instrument, periods
    )


def _orm_rows(nip: str, on: dt.date) -> Iterable[tuple]:
    prefix = "cluster__status_grants__"
    return (
        _active_memberships(on)
        .filter(validity_q(on, prefix), organisation__nip=nip)
        .annotate(contested_at=_contested_at(), name_then=identity.name_then("cluster_id", on))
        .values_list(
            "cluster_id",
            "role",
            "joined_on",
            "left_on",
            "counted_from",
            "evidence_accepted_on",
            "contested_at",
            "name_then",
            f"{prefix}round_label",
            f"{prefix}valid_from",
            f"{prefix}valid_to",
            f"{prefix}pk",
            f"{prefix}status_type_id",
        )  # fmt: skip
        .order_by(f"{prefix}valid_from", f"{prefix}pk")
    )


STATEMENT = "keyclusters_verify_nip_3"  # renamed when its columns change


def _prepare_statement() -> str:
    tables = {
        "organisation": Organisation._meta.db_table,
        "membership": Membership._meta.db_table,
        "cluster": Cluster._meta.db_table,
        "grant": StatusGrant._meta.db_table,
    }
    q = {key: connection.ops.quote_name(name) for key, name in tables.items()}
    return (
        f"PREPARE {STATEMENT} (text, date) AS "
        "SELECT m.cluster_id, m.role, m.joined_on, m.left_on, m.counted_from, "
        f"m.evidence_accepted_on, {contested_at_sql('m')}, {identity.name_then_sql('c', '$2')}, "
        "g.round_label, "
        "g.valid_from, g.valid_to, g.id, g.status_type_id "
        f"FROM {q['organisation']} o JOIN {q['membership']} m ON m.organisation_id = o.id "
        f"JOIN {q['cluster']} c ON c.id = m.cluster_id "
        f"JOIN {q['grant']} g ON g.cluster_id = m.cluster_id "
        "WHERE o.nip = $1 AND m.role IN ('member', 'coordinator') "
        f"AND {counted_active_on_sql('m', '$2')} "
        "AND g.valid_from <= $2 AND g.valid_to >= $2 "
        "AND (g.withdrawn_on IS NULL OR g.withdrawn_on > $2) "
        "ORDER BY g.valid_from, g.id"
    )


# The database connections (psycopg's) on which the statement is prepared. Django turns off
# psycopg's automatic prepared statements, so the statement is prepared with SQL, once per
# connection; a prepared statement outlives transactions and rollbacks.
_prepared_on: weakref.WeakSet = weakref.WeakSet()


def _prepared_rows(nip: str, on: dt.date) -> list[tuple]:
    """Run the prepared query on Django's connection (one round trip, planned once).

    Django's per-request health check (``SELECT 1``) is not needed first: the query proves
    the connection usable, and a reused connection that turns out broken is replaced and the
    query retried once (outside transactions).
    """
    start = time.monotonic()
    for attempt in (1, 2):
        reused = connection.connection is not None
        connection.ensure_connection()
        raw = connection.connection
        try:
            with connection.wrap_database_errors, raw.cursor() as cursor:
                if raw not in _prepared_on:
                    cursor.execute(_prepare_statement())
                    _prepared_on.add(raw)
                cursor.execute(f"EXECUTE {STATEMENT} (%s, %s)", [nip, on])
                rows = cursor.fetchall()
        except OperationalError:
            if attempt == 2 or not reused or connection.in_atomic_block:
                raise
            connection.close()
            continue
        break
    connection.health_check_done = True
    if connection.queries_logged:  # as Django's cursors do (DEBUG, query-count tests)
        sql = f"EXECUTE {STATEMENT} ({nip!r}, {on.isoformat()!r})"
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})
    return rows


def _membership_rows(nips: list[str], on: dt.date, cluster_ids: list[int]) -> Iterable[tuple]:
    """(nip, cluster_id, role, joined_on, left_on, counted_from, evidence_accepted_on,
    contested_at) of the memberships of ``nips`` that count on ``on``."""
    if connection.vendor == "postgresql":
        yield from _membership_rows_postgresql(nips, on, cluster_ids)
        return
    base = _active_memberships(on).filter(cluster_id__in=cluster_ids)
    for start in range(0, len(nips), NIP_CHUNK):
        part = nips[start : start + NIP_CHUNK]
        yield from base.filter(organisation__nip__in=part).annotate(
            contested_at=_contested_at()
        ).values_list(
            "organisation__nip", "cluster_id", "role", "joined_on", "left_on", "counted_from",
            "evidence_accepted_on", "contested_at",
        )  # fmt: skip


def _membership_rows_postgresql(
    nips: list[str], on: dt.date, cluster_ids: list[int]
) -> Iterable[tuple]:
    """The same with one ``= ANY(array)`` query per chunk, the NIPs sent as one bound array."""
    import psycopg

    quote = connection.ops.quote_name
    sql = (
        "SELECT o.nip, m.cluster_id, m.role, m.joined_on, m.left_on, m.counted_from, "
        f"m.evidence_accepted_on, {contested_at_sql('m')} "
        f"FROM {quote(Membership._meta.db_table)} m "
        f"JOIN {quote(Organisation._meta.db_table)} o ON o.id = m.organisation_id "
        "WHERE o.nip = ANY(%(nips)s) AND m.cluster_id = ANY(%(clusters)s) "
        "AND m.role IN ('member', 'coordinator') "
        f"AND {counted_active_on_sql('m', '%(on)s')}"
    )
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        for start in range(0, len(nips), NIP_CHUNK):
            params = {"nips": nips[start : start + NIP_CHUNK], "clusters": cluster_ids, "on": on}
            cursor.execute(sql, params)
            if connection.queries_logged:
                connection.queries_log.append({"sql": f"{sql} -- {len(params['nips'])} NIPs",
                                               "time": "0"})  # fmt: skip
            yield from cursor.fetchall()


def verify_nips(
    nips: Sequence[str],
    *,
    on: dt.date,
    min_months: int | None = None,
    instrument: terms.Chosen | None = None,
) -> list[dict]:
    """The answers for normalised NIPs, in their order (a NIP may repeat): from the index or,
    inside a transaction or with the index off, from the database."""
    from . import index

    current = index.current()
    if current is not None:
        return current.answers(nips, on=on, min_months=min_months, instrument=instrument)
    return verify_nips_from_database(nips, on=on, min_months=min_months, instrument=instrument)


def verify_nips_from_database(
    nips: Sequence[str],
    *,
    on: dt.date,
    min_months: int | None = None,
    instrument: terms.Chosen | None = None,
) -> list[dict]:
    """The same from the database: one query for the grants valid on ``on``, then the
    memberships of the distinct NIPs in chunks of ``NIP_CHUNK`` (one query per chunk), and
    with an ``instrument`` one for the periods of status of the clusters."""
    statuses, names = _statuses_on(on)
    found: dict[str, list[tuple]] = {}
    distinct = list(dict.fromkeys(nips))
    if statuses and distinct:
        for nip, *row in _membership_rows(distinct, on, list(statuses)):
            found.setdefault(nip, []).append(membership_row(*row))
    periods = periods_of(statuses) if instrument is not None and found else None
    return assemble_answers(nips, on, found, statuses, names, min_months, instrument, periods)


def assemble_answers(
    nips: Sequence[str],
    on: dt.date,
    found: dict[str, list[tuple]],
    statuses: dict[int, Status],
    names: dict[int, str],
    min_months: int | None,
    instrument: terms.Chosen | None = None,
    periods: Periods | None = None,
) -> list[dict]:
    """The answers in the order of ``nips``, from the active memberships ``found`` by NIP in
    clusters with a status on ``on`` (one answer object per distinct NIP)."""
    answers: dict[str, dict] = {}
    results = []
    day = on.isoformat()
    outside = not_a_member(instrument) if instrument is not None else {}
    judge = terms.Judge(instrument.instrument, on) if instrument is not None else None
    for nip in nips:
        answer = answers.get(nip)
        if answer is None:
            rows = found.get(nip)
            if rows is None:  # most NIPs: no membership that could count
                answer = {"nip": nip, "on": day, "key_cluster_member": False,
                          "key_cluster_coordinator": False, "memberships": [],
                          **outside}  # fmt: skip
            else:
                answer = build_answer(
                    nip, on, rows, statuses, names, min_months, instrument, periods, judge
                )
            answers[nip] = answer
        results.append(answer)
    return results


def invalid_result(exc: InvalidNip) -> dict:
    """The result of a bulk verification for a value that is not a valid NIP: in its place,
    marked ``"valid": false`` with the reason in words (the active language)."""
    return {"nip": exc.value, "valid": False, "error": exc.message}


def organisation_names(nips: Sequence[str]) -> dict[str, str]:
    """The registry's name of the organisation of each of ``nips`` that it knows: those with a
    membership from the verification index, the others (all of them without the index) in one
    query on PostgreSQL (the NIPs as one bound array), one per ``NIP_CHUNK`` NIPs elsewhere.
    While the database does not answer, only the index's."""
    from . import index

    distinct = list(dict.fromkeys(nips))
    names: dict[str, str] = {}
    current = index.current()
    if current is not None:  # the members' names are in the index: only the others are asked
        known = current.organisation_names
        names = {nip: known[nip] for nip in distinct if nip in known}
        distinct = [nip for nip in distinct if nip not in names]
    if not distinct or index.stale_as_of() is not None:
        return names  # none to ask, or the database does not answer (the copy answers)
    try:
        return {**names, **_organisation_names(distinct)}
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        return names  # the others go out without the names (the database stopped meanwhile)


def _organisation_names(distinct: list[str]) -> dict[str, str]:
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Organisation._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nip, name FROM {table} WHERE nip = ANY(%s)", [distinct])
            return dict(cursor.fetchall())
    names: dict[str, str] = {}
    for start in range(0, len(distinct), NIP_CHUNK):
        chunk = distinct[start : start + NIP_CHUNK]
        names.update(Organisation.objects.filter(nip__in=chunk).values_list("nip", "name"))
    return names


def verify_values(
    values: Sequence[str],
    *,
    on: dt.date,
    min_months: int | None = None,
    instrument: terms.Chosen | None = None,
) -> list[dict]:
    """Bulk verification answered row by row: for each of ``values`` (NIPs as written) in
    order, the answer (``"valid": true``, with ``"organisation": {"name"}`` when the registry
    knows it, else null) or, for a value that is not a valid NIP, :func:`invalid_result`.
    The queries are those of :func:`verify_nips` and one for the names
    (:func:`organisation_names`)."""
    nips, errors = normalise_nips(values)
    answers = verify_nips(nips, on=on, min_months=min_months, instrument=instrument)
    names = organisation_names(nips)
    for answer in answers:
        if "valid" not in answer:  # one object per distinct NIP: completed once
            name = names.get(answer["nip"])
            answer["valid"] = True
            answer["organisation"] = {"name": name} if name is not None else None
    if not errors:
        return answers
    invalid = {error.index: error for error in errors}
    valid = iter(answers)
    return [
        invalid_result(invalid[index]) if index in invalid else next(valid)
        for index in range(len(values))
    ]


# --- the public registry ---------------------------------------------------------------------


def grants_of(cluster: Cluster) -> QuerySet[StatusGrant]:
    return cluster.status_grants.select_related("renewal_of", "call").order_by("valid_from", "pk")


def with_continuity(grants: list[StatusGrant]) -> list[StatusGrant]:
    """One cluster's grants, each with what came before it: ``previous`` (the grant it renews,
    or else the one valid the latest before it started, or None) and ``gap_days`` (days without
    the status between them: 0 for continuity; None without a previous grant). No queries
    beyond the list's own (``renewal_of`` selected with it)."""
    for grant in grants:
        grant.previous, grant.gap_days = None, None
        if grant.renewal_of is not None:
            end = validity.last_valid_day(
                valid_from=grant.renewal_of.valid_from,
                valid_to=grant.renewal_of.valid_to,
                withdrawn_on=grant.renewal_of.withdrawn_on,
            )
            grant.previous = grant.renewal_of
            if end is not None:
                grant.gap_days = validity.gap_days(end, grant.valid_from)
            continue
        found = validity.previous_grant(grants, grant.valid_from)
        if found is not None:
            grant.previous, grant.gap_days = found
    return grants
