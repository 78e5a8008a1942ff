"""``keyclusters import statuses FILE``: historical status grants from CSV or XLSX.

Columns ``cluster, coordinator, coordinator_nip, round, valid_from, valid_to, type``;
``coordinator``, ``coordinator_nip`` and ``type`` are optional. ``type`` is the code of a status
type the registry knows (``kkk``, the key cluster status, when the column or the cell is empty;
``pkw``, the supra-regional growth cluster status; others an operator added). The cluster is
matched by its exact name; a given NIP must be its coordinator's. A grant is keyed by (cluster,
type, round): a new one is created, one with other dates is updated. The decision date of a
historical grant is its ``valid_from``; a grant is recorded as the renewal of the cluster's
previous grant of the same type. All-or-nothing, like the other imports.
Dates are accepted from 1989-01-01; ``valid_from`` at most a year from today, ``valid_to`` at
most ten years from today.

A grant made by a decision (linked to a call or an application) is never changed: a row that
would give it other dates is an error naming the cluster, the call and the decision's date (a
row with the same dates leaves it unchanged).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from keyclusters.domain import identifiers, tabular
from keyclusters.domain.tabular import CellError, RowError, Text
from keyclusters.registry.importing import ImportRejected, ImportReport
from keyclusters.registry.models import Cluster

from .models import KEY_CLUSTER, StatusGrant, StatusType

COLUMNS = ("cluster", "coordinator", "coordinator_nip", "round", "valid_from", "valid_to", "type")
REQUIRED = ("cluster", "round", "valid_from", "valid_to")


def _header_errors(header: tuple[str, ...]) -> list[RowError]:
    errors, seen = [], set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, "", N_("the column appears twice")))
        elif name and name not in COLUMNS:
            message = N_("is not a known column (the columns are: %(columns)s)")
            errors.append(RowError(1, name, "", message, {"columns": ", ".join(COLUMNS)}))
        seen.add(name)
    if "" in header:
        errors.append(RowError(1, None, "", N_("a column has no name")))
    errors += [
        RowError(1, name, "", N_("the required column is missing"))
        for name in REQUIRED
        if name not in seen
    ]
    return errors


def _nip(value: str) -> str:
    try:
        return identifiers.normalise_nip(value)
    except identifiers.IdentifierError as exc:
        raise CellError(
            N_("is not a valid %(kind)s (%(reason)s)"), kind=exc.kind, reason=Text(exc.reason)
        ) from exc


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _status_type(types: list[str]) -> Callable[[str], str]:
    """A parser of the ``type`` column: the code of a status type the registry knows."""

    def parse(value: str) -> str:
        code = value.strip().lower()
        if code not in types:
            raise CellError(
                N_("is not a status type of the registry (the status types are: %(types)s)"),
                types=", ".join(types),
            )
        return code

    return parse


# Dates of a grant: from 1989-01-01; a start at most a year from today, an end at most ten.
VALID_FROM_YEARS, VALID_TO_YEARS = 1, 10


def _parse(source: tabular.Source, filename: str) -> tuple[list[dict], list[RowError]]:
    try:
        table = tabular.open_table(source, filename)
    except tabular.TableError as exc:
        return [], exc.errors
    errors = table.errors  # problems found while reading are added as they are found
    errors += _header_errors(table.header)
    if errors:
        return [], errors
    position = {name: i for i, name in enumerate(table.header)}
    types = list(StatusType.objects.values_list("code", flat=True))
    today = timezone.localdate()
    earliest = tabular.EARLIEST_DATE
    parsers: dict[str, Callable] = {
        "cluster": str, "coordinator": str, "coordinator_nip": _nip, "round": str,
        "valid_from": tabular.plausible_dates(
            earliest, tabular.years_after(today, VALID_FROM_YEARS)
        ),
        "valid_to": tabular.plausible_dates(earliest, tabular.years_after(today, VALID_TO_YEARS)),
        "type": _status_type(types),
    }  # fmt: skip
    records = []
    for row, cells in table:
        values: dict[str, object] = {"row": row}
        ok = True
        for column, parse in parsers.items():
            index = position.get(column)
            raw = cells[index] if index is not None and index < len(cells) else ""
            if raw == "":
                if column in REQUIRED:
                    errors.append(RowError(row, column, "", N_("a value is required")))
                    ok = False
                values[column] = None
                continue
            try:
                values[column] = parse(raw if isinstance(raw, dt.date) else _text(raw))
            except CellError as exc:
                errors.append(RowError(row, column, _text(raw), exc.message, exc.params))
                ok = False
        values["type"] = values.get("type") or KEY_CLUSTER
        if ok and len(str(values["round"])) > 16:
            message = N_("is longer than %(limit)s characters")
            errors.append(RowError(row, "round", str(values["round"]), message, {"limit": 16}))
            ok = False
        if ok and values["valid_to"] < values["valid_from"]:  # type: ignore[operator]
            message = N_("is before valid_from (%(valid_from)s)")
            params = {"valid_from": _text(values["valid_from"])}
            errors.append(RowError(row, "valid_to", _text(values["valid_to"]), message, params))
            ok = False
        if ok:
            records.append(values)
    return records, errors


def import_statuses(
    *, source: tabular.Source, filename: str, by=None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:  # fmt: skip
    records, errors = _parse(source, filename)
    names = {r["cluster"] for r in records}
    clusters = {
        c.name: c for c in Cluster.objects.filter(name__in=names).select_related("coordinator")
    }
    existing = _existing(clusters)
    seen: dict[tuple, int] = {}
    for record in records:
        row, cluster = record["row"], clusters.get(record["cluster"])
        if cluster is None:
            message = N_("is not the exact name of a cluster in the registry")
            errors.append(RowError(row, "cluster", record["cluster"], message))
            continue
        nip = record["coordinator_nip"]
        if nip and cluster.coordinator.nip != nip:
            message = N_("is not the NIP of the cluster's coordinator (%(nip)s)")
            params = {"nip": cluster.coordinator.nip or "-"}
            errors.append(RowError(row, "coordinator_nip", nip, message, params))
        key = (record["cluster"], record["type"], record["round"])
        if key in seen:
            message = N_("appears also in row %(other)s")
            errors.append(RowError(row, "round", record["round"], message, {"other": seen[key]}))
        seen.setdefault(key, row)
    errors += _decided_grants_changed(records, clusters, existing)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row or 0))
    return _write(records, clusters, by=by, progress=progress)


def _existing(clusters: dict[str, Cluster], *, lock: bool = False) -> dict[tuple, StatusGrant]:
    """The grants of ``clusters`` keyed by (cluster id, type, round), with their call if any."""
    grants = StatusGrant.objects.filter(cluster__in=list(clusters.values()))
    if lock:
        grants = grants.select_for_update(of=("self",))
    grants = grants.select_related("call", "application__call")
    return {(g.cluster_id, g.status_type_id, g.round_label): g for g in grants}


def _decided_grants_changed(
    records: list[dict], clusters: dict[str, Cluster], existing: dict[tuple, StatusGrant]
) -> list[RowError]:
    """An error for each row that would change the dates of a grant made by a decision."""
    errors = []
    for record in records:
        cluster = clusters.get(record["cluster"])
        key = (cluster.pk, record["type"], record["round"]) if cluster else None
        grant = existing.get(key) if key else None
        if grant is None or (grant.call_id is None and grant.application_id is None):
            continue
        if (grant.valid_from, grant.valid_to) == (record["valid_from"], record["valid_to"]):
            continue
        call = grant.call or grant.application.call
        message = N_(
            'is the round of the status of %(cluster)s granted in the call "%(call)s" by the '
            "decision of %(decision_on)s (valid %(valid_from)s to %(valid_to)s); the import "
            "does not change a grant made by a decision"
        )
        params = {
            "cluster": cluster.name,
            "call": call.name,
            "decision_on": grant.decision_on.isoformat(),
            "valid_from": grant.valid_from.isoformat(),
            "valid_to": grant.valid_to.isoformat(),
        }
        errors.append(RowError(record["row"], "round", record["round"], message, params))
    return errors


def _write(records: list[dict], clusters: dict[str, Cluster], *, by, progress) -> ImportReport:
    created = updated = unchanged = 0
    with transaction.atomic():
        # Checked again under lock: a decision made since the check is not overwritten either.
        existing = _existing(clusters, lock=True)
        errors = _decided_grants_changed(records, clusters, existing)
        if errors:
            raise ImportRejected(errors)
        for number, record in enumerate(
            sorted(records, key=lambda r: (r["cluster"], r["valid_from"])), start=1
        ):
            cluster = clusters[record["cluster"]]
            grant = existing.get((cluster.pk, record["type"], record["round"]))
            dates = (record["valid_from"], record["valid_to"])
            if grant is None:
                grant = StatusGrant(
                    cluster=cluster, status_type_id=record["type"], round_label=record["round"]
                )
                created += 1
            elif (grant.valid_from, grant.valid_to) != dates:
                updated += 1
            else:
                unchanged += 1
                continue
            grant.valid_from, grant.valid_to = dates
            grant.decision_on = record["valid_from"]
            previous = [
                g
                for g in existing.values()
                if g.cluster_id == cluster.pk
                and g.status_type_id == grant.status_type_id
                and g.pk != grant.pk
                and g.valid_from < dates[0]
            ]
            grant.renewal_of = max(previous, key=lambda g: g.valid_from, default=None)
            grant._history_user = by
            grant.save()
            existing[(cluster.pk, grant.status_type_id, grant.round_label)] = grant
            if progress is not None:
                progress(number)
    return ImportReport(rows=len(records), created=created, updated=updated, unchanged=unchanged)
