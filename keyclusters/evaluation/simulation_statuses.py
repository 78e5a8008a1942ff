"""Scenario additions for rounds as they ran (docs/simulate.md): the status grants that exist
before the call (``statuses:``) and the minister's document (``call.document_on``).

The grants are made through the statuses app's service, as a historical import makes them (no
call, no application); a renewal-only call then checks its applicants against them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from keyclusters.accounts.models import User
from keyclusters.competitions.models import Call
from keyclusters.domain.rulebook.model import DEFAULT_STATUS_TYPE
from keyclusters.registry.models import Cluster
from keyclusters.statuses import services as statuses
from keyclusters.statuses import types as status_types
from keyclusters.statuses.models import StatusGrant

from . import decisions

STATUS_KEYS = ("cluster", "type", "valid_from", "valid_to", "round", "withdrawn_on", "reason")
DOCUMENT_REQUIRED = (
    "call.document_on: required by the rulebook (the status runs from the document's issue date)"
)


class ScenarioError(ValueError):
    """A scenario that cannot run; the message names the place in the file."""


@dataclass(frozen=True)
class ExistingStatus:
    """One ``statuses:`` entry: a grant made before the call (``round`` defaults to the year it
    starts). ``withdrawn_on``, when given, is recorded after the applications are submitted and
    before the formal stage, as a correction of the registry would be."""

    where: str
    cluster: str
    valid_from: dt.date
    valid_to: dt.date
    round_label: str
    withdrawn_on: dt.date | None = None
    reason: str = ""
    status_type: str = DEFAULT_STATUS_TYPE


def _day(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ScenarioError(f"{where}: a date (YYYY-MM-DD), not a time")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_statuses(entries: Any) -> list[ExistingStatus]:
    """The scenario's ``statuses:`` checked; a bad entry is a ScenarioError naming its place."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ScenarioError("statuses: a list of {cluster, type, valid_from, valid_to}")
    parsed = []
    for index, entry in enumerate(entries):
        where = f"statuses[{index}]"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{where}: a mapping {{cluster, type, valid_from, valid_to}}")
        unknown = sorted(str(key) for key in entry if key not in STATUS_KEYS)
        if unknown:
            raise ScenarioError(
                f"{where}.{unknown[0]}: not a key of a status (the keys are: "
                f"{', '.join(STATUS_KEYS)})"
            )
        for key in ("cluster", "type", "valid_from", "valid_to"):
            if entry.get(key) in (None, ""):
                raise ScenarioError(f"{where}.{key}: is required")
        known = [t.code for t in status_types.all_types()]
        if entry["type"] not in known:
            raise ScenarioError(
                f"{where}.type: {entry['type']!r} is not a status type the registry records "
                f"(the types are: {', '.join(repr(code) for code in known)})"
            )
        valid_from = _day(entry["valid_from"], f"{where}.valid_from")
        valid_to = _day(entry["valid_to"], f"{where}.valid_to")
        if valid_to < valid_from:
            raise ScenarioError(
                f"{where}.valid_to: {valid_to.isoformat()} is before valid_from "
                f"({valid_from.isoformat()})"
            )
        withdrawn_on = entry.get("withdrawn_on")
        round_label = str(entry.get("round") or valid_from.year)
        if len(round_label) > statuses.ROUND_LABEL_MAX:
            raise ScenarioError(f"{where}.round: at most {statuses.ROUND_LABEL_MAX} characters")
        parsed.append(
            ExistingStatus(
                where=where,
                cluster=str(entry["cluster"]),
                valid_from=valid_from,
                valid_to=valid_to,
                round_label=round_label,
                withdrawn_on=(
                    None if withdrawn_on is None else _day(withdrawn_on, f"{where}.withdrawn_on")
                ),
                reason=str(entry.get("reason") or "Corrected in the registry (scenario)."),
                status_type=str(entry["type"]),
            )
        )
    return parsed


def grant_existing(status: ExistingStatus, cluster: Cluster, *, by: User) -> StatusGrant:
    """The grant through the statuses service, as a historical import records it (decided
    on its first day, no call, no application)."""
    try:
        return statuses.grant_status(
            cluster=cluster,
            round_label=status.round_label,
            decision_on=status.valid_from,
            valid_from=status.valid_from,
            valid_to=status.valid_to,
            status_type=status.status_type,
            by=by,
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ScenarioError(f"{status.where}.{field}: {'; '.join(messages)}") from exc


def withdraw(status: ExistingStatus, grant: StatusGrant, *, by: User) -> None:
    """The entry's withdrawal, through the statuses service."""
    if status.withdrawn_on is None:
        return
    try:
        statuses.withdraw_status(
            grant=grant, withdrawn_on=status.withdrawn_on, reason=status.reason, by=by
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ScenarioError(f"{status.where}.{field}: {'; '.join(messages)}") from exc


def document_day(spec: dict[str, Any], rulebook, *, decided: bool = True) -> dt.date | None:
    """``call.document_on``; a ScenarioError when the round is run to its decision
    (``decided``), the rulebook counts the status from the document and the scenario gives
    none."""
    value = spec.get("document_on")
    if value in (None, ""):
        if decided and rulebook.status.validity.starts_from == "document":
            raise ScenarioError(DOCUMENT_REQUIRED)
        return None
    return _day(value, "call.document_on")


def issue_document(call: Call, spec: dict[str, Any], issued_on: dt.date, *, by: User) -> None:
    """The minister's document after the approval (its number and signatory from
    ``call.document_number`` and ``call.document_signatory``, else made up)."""
    number = str(spec.get("document_number") or f"DOC/{issued_on.year}/{call.pk}")
    signatory = str(spec.get("document_signatory") or by.get_full_name() or by.get_username())
    try:
        decisions.issue_document(
            call=call, number=number, issued_on=issued_on, signatory=signatory, by=by
        )
    except decisions.EvaluationError as exc:
        raise ScenarioError(f"call.document_on: {'; '.join(exc.messages)}") from exc
