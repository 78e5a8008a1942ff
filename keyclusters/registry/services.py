"""Writes of the registry: memberships and their ledger, the evidence of backdated starts and
the changes of organisations that coordinators propose. Each validates, then writes in one
transaction with the rows concerned locked, and records the actor; bad input writes nothing.

Who may write what (docs/registry.md): an organisation is a shared record. Operators (and the
command line, ``by=None``) write organisations and record memberships as they are; anyone else
(a cluster's coordinator) adds organisations, but where one exists its values stay and the
differing ones become change requests (:func:`propose_organisation_changes`) for an operator,
and a start more than ``MEMBERSHIP_BACKDATING_DAYS`` back needs evidence, which an operator
accepts (:func:`decide_evidence`). A start in the future is refused to everyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from keyclusters.accounts.roles import Role
from keyclusters.domain import identifiers

from .models import (
    PROPOSABLE_FIELDS,
    Cluster,
    EvidenceKind,
    EvidenceState,
    Membership,
    MembershipEvidence,
    MembershipRole,
    Organisation,
    OrganisationChangeRequest,
    is_overlap_violation,
    overlap_message,
)

DEFAULT_BACKDATING_DAYS = 30


def backdating_days() -> int:
    """How many days before its recording a membership may start without evidence."""
    return int(getattr(settings, "MEMBERSHIP_BACKDATING_DAYS", DEFAULT_BACKDATING_DAYS))


def is_trusted(by: Any) -> bool:
    """Operators and the command line (``by`` None) write organisations and record starts as
    they are; everyone else proposes changes and gives evidence (the module's docstring)."""
    if by is None or getattr(by, "is_superuser", False):
        return True
    has_role = getattr(by, "has_role", None)
    return bool(has_role is not None and by.is_active and has_role(Role.OPERATOR))


def future_start_message(joined_on: dt.date) -> str:
    return gettext(
        "The start date %(date)s is in the future: a membership is recorded once it has begun."
    ) % {"date": date_format(joined_on, "SHORT_DATE_FORMAT")}


def check_start(joined_on: dt.date, *, today: dt.date, field: str = "joined_on") -> bool:
    """Refuse a start in the future (a ``ValidationError`` on ``field``); True when the start
    is so far back that it needs evidence (more than :func:`backdating_days` days)."""
    if joined_on > today:
        raise ValidationError({field: future_start_message(joined_on)})
    return (today - joined_on).days > backdating_days()


def evidence_needed_message(joined_on: dt.date) -> str:
    return gettext(
        "The start date %(date)s is more than %(days)s days before today: attach the "
        "accession declaration, resolution or agreement annex that proves it (PDF)."
    ) % {"date": date_format(joined_on, "SHORT_DATE_FORMAT"), "days": backdating_days()}


def _decided_message(state_label: str, by: Any, when: dt.datetime | None) -> str:
    return gettext("This was already decided (%(state)s) by %(person)s on %(date)s.") % {
        "state": state_label,
        "person": _person(by),
        "date": date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT") if when else "—",
    }


def _person(user: Any) -> str:
    if user is None:
        return gettext("the system")
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


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


def _organisation_for(data: Mapping[str, Any], *, by: Any) -> tuple[Organisation, bool]:
    """The organisation with the NIP of ``data`` (and False); created from ``data`` when there
    is none (and True).

    Another transaction may create the same NIP meanwhile (an import, another request): the
    insert then waits for it and fails on the unique NIP, the savepoint is rolled back and the
    organisation it created is used.
    """
    nip = _normalised_nip(str(data.get("nip") or ""))
    existing = Organisation.objects.filter(nip=nip).first()
    if existing is not None:
        return existing, False
    values = {field: data.get(field) or "" for field in ORGANISATION_FIELDS}
    if not values["kind"]:
        raise ValidationError({"kind": gettext("Choose the kind of the new organisation.")})
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
        return existing, False
    return organisation, True


def _comparable(field: str, value: Any) -> str:
    """A proposed value as the registry would store it (identifiers normalised)."""
    text = str(value or "").strip()
    normalise = {"regon": identifiers.normalise_regon, "krs": identifiers.normalise_krs}.get(field)
    if normalise is not None and text:
        try:
            return normalise(text)
        except identifiers.IdentifierError:
            return text
    return text.upper() if field == "country" else text


def organisation_differences(
    organisation: Organisation, values: Mapping[str, Any]
) -> list[tuple[str, str, str]]:
    """``(field, registry value, given value)`` for each field of ``values`` (among
    ``PROPOSABLE_FIELDS``) given non-empty and different from the registry's."""
    differences = []
    for field in PROPOSABLE_FIELDS:
        if field not in values:
            continue
        given = _comparable(field, values[field])
        current = str(getattr(organisation, field) or "")
        if given and given != current:
            differences.append((field, current, given))
    return differences


def propose_organisation_changes(
    *,
    organisation: Organisation,
    differences: list[tuple[str, str, str]],
    by: Any,
    cluster: Cluster | None,
    source: str,
    row: int | None = None,
) -> list[OrganisationChangeRequest]:
    """Record each difference as a pending change request (one already pending with the same
    value is not repeated). Called inside the caller's transaction."""
    pending = set(
        OrganisationChangeRequest.objects.filter(
            organisation=organisation, state=OrganisationChangeRequest.State.PENDING
        ).values_list("field", "proposed_value")
    )
    made = []
    for field, current, given in differences:
        if (field, given) in pending:
            continue
        made.append(
            OrganisationChangeRequest(
                organisation=organisation,
                field=field,
                registry_value=current,
                proposed_value=given[:300],
                cluster=cluster,
                source=source,
                row=row,
                proposed_by=by,
            )  # fmt: skip
        )
    return OrganisationChangeRequest.objects.bulk_create(made)


def check_change_request(*, change_request: OrganisationChangeRequest, apply: bool) -> None:
    """Refuse now (``ValidationError``) what :func:`decide_change_request` would refuse: a
    request already decided, or a value the organisation's record cannot take. Read before an
    operator is asked to confirm; the decision checks again with the rows locked."""
    current = OrganisationChangeRequest.objects.select_related("decided_by").get(
        pk=change_request.pk
    )
    if current.state != OrganisationChangeRequest.State.PENDING:
        raise ValidationError(
            _decided_message(current.get_state_display(), current.decided_by, current.decided_at)
        )
    if apply:
        organisation = Organisation.objects.get(pk=current.organisation_id)
        setattr(organisation, current.field, current.proposed_value)
        organisation.full_clean()


def decide_change_request(
    *, change_request: OrganisationChangeRequest, apply: bool, by: Any
) -> OrganisationChangeRequest:
    """Apply the proposed value to the organisation, or dismiss it; the request must still be
    pending (two operators at once: the second is told who decided). Applying validates the
    organisation as a whole: an invalid value writes nothing."""
    with transaction.atomic():
        current = OrganisationChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if current.state != OrganisationChangeRequest.State.PENDING:
            raise ValidationError(
                _decided_message(
                    current.get_state_display(), current.decided_by, current.decided_at
                )
            )
        if apply:
            organisation = Organisation.objects.select_for_update().get(pk=current.organisation_id)
            setattr(organisation, current.field, current.proposed_value)
            organisation.full_clean()
            organisation._history_user = by
            organisation._change_reason = gettext("Change request %(number)s") % {
                "number": current.pk
            }
            organisation.save()
            current.state = OrganisationChangeRequest.State.APPLIED
        else:
            current.state = OrganisationChangeRequest.State.DISMISSED
        current.decided_by, current.decided_at = by, timezone.now()
        current.save(update_fields=["state", "decided_by", "decided_at"])
    return current


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
    evidence: tuple[str, bytes] | None = None,
    evidence_kind: str = "",
) -> Membership:
    """Add an organisation (given, or found or created by NIP) to ``cluster`` from ``joined_on``.

    A start in the future is refused. A start more than :func:`backdating_days` days back
    needs ``evidence`` (file name and the bytes of a checked PDF) of ``evidence_kind`` from
    anyone but an operator: it waits for an operator's review and meanwhile verification counts
    the membership from today. Where the organisation exists, ``organisation_data``'s differing
    values become change requests (listed on ``membership.proposals``), never written.

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
    now = timezone.now()
    today = timezone.localdate(now)
    trusted = is_trusted(by)
    backdated = check_start(joined_on, today=today)
    if backdated and evidence is None and not trusted:
        raise ValidationError({"evidence": evidence_needed_message(joined_on)})
    if evidence is not None and evidence_kind not in EvidenceKind.values:
        raise ValidationError({"evidence_kind": gettext("Choose the kind of the document.")})
    proposals: list[OrganisationChangeRequest] = []
    with transaction.atomic():
        lock_cluster(cluster.pk)
        if organisation is None:
            assert organisation_data is not None
            organisation, created = _organisation_for(organisation_data, by=by)
            if not created:
                differences = organisation_differences(organisation, organisation_data)
                proposals = propose_organisation_changes(
                    organisation=organisation, differences=differences, by=by, cluster=cluster,
                    source=OrganisationChangeRequest.Source.FORM,
                )  # fmt: skip
        membership = Membership(
            cluster=cluster,
            organisation=organisation,
            role=role,
            joined_on=joined_on,
            advanced_cooperation_group=advanced_cooperation_group,
            recorded_at=now,
            recorded_by=by,
        )
        if backdated and not trusted:
            membership.evidence_state = EvidenceState.SUBMITTED
            membership.counted_from = today
        elif backdated and evidence is not None:  # an operator's own document: accepted
            membership.evidence_state = EvidenceState.ACCEPTED
            membership.evidence_accepted_on = today
        membership.full_clean()  # with the overlap check (Membership.validate_constraints)
        membership._history_user = by
        _save_membership(membership)
        if evidence is not None and backdated:
            accepted = trusted
            _store_evidence(membership, evidence, evidence_kind, by=by, accepted=accepted, now=now)
    membership.proposals = proposals
    return membership


def _store_evidence(
    membership: Membership,
    evidence: tuple[str, bytes],
    kind: str,
    *,
    by: Any,
    accepted: bool,
    now: dt.datetime,
) -> MembershipEvidence:
    name, content = evidence
    record = MembershipEvidence(membership=membership, kind=kind, uploaded_at=now, uploaded_by=by)
    if accepted:
        record.state = MembershipEvidence.State.ACCEPTED
        record.decided_at, record.decided_by = now, by
    record.document.save(f"evidence-{membership.pk}.pdf", ContentFile(content), save=False)
    record.save()
    return record


def submit_evidence(
    *, membership: Membership, evidence: tuple[str, bytes], kind: str, by: Any
) -> MembershipEvidence:
    """A (new) document for a backdated start awaiting one, or whose last one was rejected; it
    waits for an operator's review."""
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": gettext("Choose the kind of the document.")})
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.evidence_state not in (EvidenceState.AWAITING, EvidenceState.REJECTED):
            raise ValidationError(
                gettext("This membership does not await a document (%(state)s).")
                % {"state": current.get_evidence_state_display()}
            )
        current.evidence_state = EvidenceState.SUBMITTED
        current._history_user = by
        current.save(update_fields=["evidence_state"])
        record = _store_evidence(current, evidence, kind, by=by, accepted=False, now=timezone.now())
    membership.evidence_state = current.evidence_state
    return record


def check_evidence_decision(*, evidence: MembershipEvidence, accept: bool, reason: str) -> None:
    """Refuse now (``ValidationError``) what :func:`decide_evidence` would refuse: a rejection
    without a reason, a document already decided. Read before an operator is asked to confirm;
    the decision checks again with the rows locked."""
    if not accept and not reason.strip():
        raise ValidationError({"reason": gettext("Give the reason for rejecting the document.")})
    current = MembershipEvidence.objects.select_related("decided_by").get(pk=evidence.pk)
    if current.state != MembershipEvidence.State.SUBMITTED:
        raise ValidationError(
            _decided_message(current.get_state_display(), current.decided_by, current.decided_at)
        )


def decide_evidence(
    *, evidence: MembershipEvidence, accept: bool, by: Any, reason: str = ""
) -> MembershipEvidence:
    """Accept the document (verification counts the membership from its ``joined_on`` again)
    or reject it with a reason (it goes on counting from the recording day). The document must
    still await review: of two operators at once, the second is told who decided."""
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError({"reason": gettext("Give the reason for rejecting the document.")})
    with transaction.atomic():
        current = MembershipEvidence.objects.select_for_update().get(pk=evidence.pk)
        membership = Membership.objects.select_for_update().get(pk=current.membership_id)
        if current.state != MembershipEvidence.State.SUBMITTED:
            raise ValidationError(
                _decided_message(
                    current.get_state_display(), current.decided_by, current.decided_at
                )
            )
        now = timezone.now()
        current.decided_at, current.decided_by, current.reason = now, by, reason
        if accept:
            current.state = MembershipEvidence.State.ACCEPTED
            membership.evidence_state = EvidenceState.ACCEPTED
            membership.counted_from = None
            membership.evidence_accepted_on = timezone.localdate(now)
        else:
            current.state = MembershipEvidence.State.REJECTED
            membership.evidence_state = EvidenceState.REJECTED
        current.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        membership._history_user = by
        membership._change_reason = reason or None
        membership.save(update_fields=["evidence_state", "counted_from", "evidence_accepted_on"])
    return current


def check_end(*, membership: Membership, left_on: dt.date) -> None:
    """Refuse (a ``ValidationError`` on ``left_on``) an end of a membership that has one
    already, or that falls before its start. The view reads it before asking to confirm;
    :func:`end_membership` checks again with the row locked."""
    if membership.left_on is not None:
        raise ValidationError(
            {
                "left_on": gettext("This membership already ended on %(date)s.")
                % {"date": date_format(membership.left_on, "SHORT_DATE_FORMAT")}
            }
        )
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": gettext("A membership cannot end before it starts.")})


def end_membership(*, membership: Membership, left_on: dt.date, by: Any) -> Membership:
    """End ``membership`` on ``left_on`` (inclusive): it must be open and start by then. The
    history records the end with ``by`` (the membership's trail names the person)."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        check_end(membership=current, left_on=left_on)
        current.left_on = left_on
        current.full_clean()
        current._history_user = by
        current.save()
    membership.left_on = current.left_on
    return current
