"""Writes of the registry's memberships: validate, save in one transaction, record the actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext

from keyclusters.domain import identifiers

from .models import (
    Cluster,
    Membership,
    MembershipRole,
    Organisation,
    is_overlap_violation,
    overlap_message,
)

# Keys of ``organisation_data`` used when a new organisation is created.
ORGANISATION_FIELDS = ("name", "nip", "regon", "kind", "size", "voivodeship", "city")


def lock_cluster(cluster_id: int) -> None:
    """Lock the cluster's row until the transaction ends: the writers of its memberships (this
    module, the member import, and on PostgreSQL the database's own overlap check) take turns.
    ``FOR NO KEY UPDATE``: rows that merely refer to the cluster are written meanwhile. (SQLite
    has no row locks: its write transactions, which begin IMMEDIATE, run one at a time.)"""
    Cluster.objects.select_for_update(no_key=True).filter(pk=cluster_id).values_list("pk").get()


def _identifier_error(field: str, exc: identifiers.IdentifierError) -> ValidationError:
    if field == "nip":
        message = gettext("%(value)s is not a valid NIP (%(reason)s)")
    else:
        message = gettext("%(value)s is not a valid REGON (%(reason)s)")
    return ValidationError({field: message % {"value": exc.value, "reason": gettext(exc.reason)}})


def _normalised_nip(value: str) -> str:
    if not (value or "").strip():
        raise ValidationError({"nip": gettext("Enter the organisation's NIP.")})
    try:
        return identifiers.normalise_nip(value)
    except identifiers.IdentifierError as exc:
        raise _identifier_error("nip", exc) from exc


def _organisation_for(data: Mapping[str, Any], *, by: Any) -> Organisation:
    """The organisation with the NIP of ``data``; created from ``data`` when there is none.

    Another transaction may create the same NIP meanwhile (an import, another request): the
    insert then waits for it and fails on the unique NIP, the savepoint is rolled back and the
    organisation it created is used.
    """
    nip = _normalised_nip(str(data.get("nip") or ""))
    existing = Organisation.objects.filter(nip=nip).first()
    if existing is not None:
        return existing
    values = {field: data.get(field) or "" for field in ORGANISATION_FIELDS}
    if values["regon"]:
        try:
            values["regon"] = identifiers.normalise_regon(values["regon"])
        except identifiers.IdentifierError as exc:
            raise _identifier_error("regon", exc) from exc
    organisation = Organisation(**{**values, "nip": nip})
    organisation.full_clean()
    organisation._history_user = by
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        existing = Organisation.objects.filter(nip=nip).first()
        if existing is None:
            raise
        return existing
    return organisation


def _save_membership(membership: Membership) -> None:
    """Save; PostgreSQL's refusal of an overlap (a writer that did not lock the cluster) becomes
    the same ``ValidationError`` as the check before it."""
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        if not is_overlap_violation(exc):
            raise
        first = membership.overlapping().first()
        since = first.joined_on if first is not None else membership.joined_on
        raise ValidationError(
            {"organisation": overlap_message(membership.organisation.name, since)}
        ) from exc


def add_membership(
    *,
    cluster: Cluster,
    role: str,
    joined_on: dt.date,
    by: Any,
    organisation: Organisation | None = None,
    organisation_data: Mapping[str, Any] | None = None,
    advanced_cooperation_group: bool = False,
) -> Membership:
    """Add an organisation (given, or found or created by NIP) to ``cluster`` from ``joined_on``.

    Raises ``ValidationError`` (keyed by organisation or membership field names, or
    ``organisation``) and writes nothing when the data is invalid or the organisation already
    has an open or overlapping membership with the same role. The check runs with the cluster's
    row locked, so two writers of one cluster's memberships take turns (on SQLite the write
    transaction serialises them anyway); on PostgreSQL the exclusion constraint backs it up.
    """
    if (organisation is None) == (organisation_data is None):
        raise TypeError("give exactly one of organisation and organisation_data")
    if role not in MembershipRole.values:
        raise ValidationError({"role": gettext("Choose a valid role.")})
    with transaction.atomic():
        lock_cluster(cluster.pk)
        if organisation is None:
            assert organisation_data is not None
            organisation = _organisation_for(organisation_data, by=by)
        membership = Membership(
            cluster=cluster,
            organisation=organisation,
            role=role,
            joined_on=joined_on,
            advanced_cooperation_group=advanced_cooperation_group,
        )
        membership.full_clean()  # with the overlap check (Membership.validate_constraints)
        membership._history_user = by
        _save_membership(membership)
    return membership


def end_membership(*, membership: Membership, left_on: dt.date, by: Any) -> Membership:
    """End ``membership`` on ``left_on`` (inclusive): it must be open and start by then."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.left_on is not None:
            raise ValidationError(
                {
                    "left_on": gettext("This membership already ended on %(date)s.")
                    % {"date": date_format(current.left_on, "SHORT_DATE_FORMAT")}
                }
            )
        if left_on < current.joined_on:
            raise ValidationError({"left_on": gettext("A membership cannot end before it starts.")})
        current.left_on = left_on
        current.full_clean()
        current._history_user = by
        current.save()
    membership.left_on = current.left_on
    return current
