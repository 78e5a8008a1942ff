"""Writes of the statuses app: grants, withdrawals, API keys and certificates.

Each one validates, saves in one transaction and records the actor (``simple_history`` for
grants; ``created_by``/``issued_by`` for keys and certificates).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from keyclusters.accounts.models import ApiKey
from keyclusters.registry.models import Cluster, Organisation

from . import api_keys, selectors, types, validity
from .models import KEY_CLUSTER, Certificate, StatusGrant, StatusType

ROUND_LABEL_MAX = 16


def grant_status(
    *,
    cluster: Cluster,
    round_label: str,
    decision_on: dt.date,
    valid_from: dt.date,
    valid_to: dt.date,
    by: Any,
    call: Any = None,
    application: Any = None,
    renewal_of: StatusGrant | None = None,
    document_number: str = "",
    document_issued_on: dt.date | None = None,
    status_type: str = KEY_CLUSTER,
) -> StatusGrant:
    """Grant a status of ``status_type`` (the code of a :class:`StatusType`, by default the key
    cluster status) to ``cluster`` (the decision maker approved it; where the status runs from
    the minister's document, ``document_number`` and ``document_issued_on`` name it).

    ``valid_to`` is inclusive. Raises ``ValidationError`` (keyed by field) and writes nothing
    when the dates are inverted, the round label is empty, the status type is unknown to the
    registry, or ``renewal_of`` is another cluster's grant or a status of another type.

    A grant decided through a call (``application`` given, ``renewal_of`` not) is linked to the
    grant it renews by the rule of :mod:`.validity`: the cluster's grant valid the latest before
    ``valid_from``, when at most ``RENEWAL_WINDOW_DAYS`` days without a status lie between them.
    The cluster's earlier grants are read under a row lock in the transaction that saves the
    new one (a withdrawal of the renewed grant waits for it, and the other way round).
    """
    errors: dict[str, str] = {}
    round_label = (round_label or "").strip()
    if not round_label or len(round_label) > ROUND_LABEL_MAX:
        errors["round_label"] = gettext("Give the round (at most 16 characters).")
    if valid_to < valid_from:
        errors["valid_to"] = gettext("The status cannot end before it starts.")
    if renewal_of is not None and renewal_of.cluster_id != cluster.pk:
        errors["renewal_of"] = gettext("A renewal continues a status of the same cluster.")
    elif renewal_of is not None and renewal_of.status_type_id != status_type:
        errors["renewal_of"] = gettext("A renewal continues a status of the same type.")
    if not StatusType.objects.filter(code=status_type).exists():
        errors["status_type"] = types.unknown_message(status_type)
    if application is not None and application.cluster_id != cluster.pk:
        errors["application"] = gettext("The application is another cluster's.")
    if errors:
        raise ValidationError(errors)
    grant = StatusGrant(
        cluster=cluster,
        status_type_id=status_type,
        round_label=round_label,
        call=call,
        application=application,
        decision_on=decision_on,
        valid_from=valid_from,
        valid_to=valid_to,
        renewal_of=renewal_of,
        document_number=document_number,
        document_issued_on=document_issued_on,
    )
    with transaction.atomic():
        if renewal_of is None and application is not None:
            grant.renewal_of = _renewed(cluster, status_type, valid_from)
        grant.full_clean()
        grant._history_user = by
        grant.save()
    return grant


@transaction.atomic
def record_document(*, call: Any, number: str, issued_on: dt.date, by: Any) -> int:
    """The minister's document confirming the statuses granted by ``call``'s decision: its number
    and issue date on each of the call's grants (locked). Returns how many grants it names."""
    grants = list(StatusGrant.objects.select_for_update().filter(call=call).order_by("pk"))
    for grant in grants:
        grant.document_number = number
        grant.document_issued_on = issued_on
        grant._history_user = by
        grant.save(update_fields=["document_number", "document_issued_on"])
    return len(grants)


def _renewed(cluster: Cluster, status_type: str, valid_from: dt.date) -> StatusGrant | None:
    """The grant a status of ``cluster`` of ``status_type`` starting on ``valid_from`` renews,
    if any (locked)."""
    earlier = list(
        StatusGrant.objects.select_for_update()
        .filter(cluster=cluster, status_type_id=status_type, valid_from__lt=valid_from)
        .order_by("pk")
    )
    found = validity.previous_grant(earlier, valid_from)
    if found is None or not validity.is_renewal(found[1]):
        return None
    return found[0]


def withdraw_status(
    *, grant: StatusGrant, withdrawn_on: dt.date, reason: str, by: Any
) -> StatusGrant:
    """Withdraw ``grant``: from ``withdrawn_on`` on it is not valid. The reason is required."""
    reason = (reason or "").strip()
    with transaction.atomic():
        current = StatusGrant.objects.select_for_update().get(pk=grant.pk)
        if current.withdrawn_on is not None:
            raise ValidationError(
                {
                    "withdrawn_on": gettext("This status was already withdrawn on %(date)s.")
                    % {"date": date_format(current.withdrawn_on, "SHORT_DATE_FORMAT")}
                }
            )
        if not reason:
            raise ValidationError({"reason": gettext("Give the reason for the withdrawal.")})
        current.withdrawn_on = withdrawn_on
        current.withdrawal_reason = reason
        current._history_user = by
        current._change_reason = reason[:100]
        current.save()
    grant.withdrawn_on, grant.withdrawal_reason = current.withdrawn_on, current.withdrawal_reason
    return current


# --- API keys --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    key: str  # "<prefix>.<secret>": shown once, never stored


def issue_api_key(*, name: str, organisation: str, by: Any) -> IssuedKey:
    name, organisation = (name or "").strip(), (organisation or "").strip()
    errors = {}
    if not name:
        errors["name"] = gettext("Give the key a name.")
    if not organisation:
        errors["organisation"] = gettext("Give the agency that uses the key.")
    if errors:
        raise ValidationError(errors)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        prefix = secrets.token_hex(6)
        while ApiKey.objects.filter(prefix=prefix).exists():
            prefix = secrets.token_hex(6)
        api_key = ApiKey.objects.create(
            name=name[:200],
            organisation=organisation[:300],
            prefix=prefix,
            hashed_secret=api_keys.hash_secret(secret),
            created_by=by,
        )
    return IssuedKey(api_key, f"{prefix}.{secret}")


def revoke_api_key(*, api_key: ApiKey, by: Any) -> ApiKey:
    """Revoke the key: refused at once in this process and, with a shared cache, everywhere
    (:mod:`~keyclusters.statuses.api_keys`)."""
    api_keys.forget(api_key.prefix)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


# Checking a key: keyclusters/statuses/api_keys.py.
authenticate_api_key = api_keys.authenticate


# --- certificates ----------------------------------------------------------------------------


def _new_code() -> str:
    return secrets.token_urlsafe(18)  # 144 random bits, 24 URL-safe characters


def status_certificate(*, grant: StatusGrant, by: Any) -> Certificate:
    """The certificate of ``grant`` (issued once; later downloads reuse it)."""
    existing = grant.certificates.filter(kind=Certificate.Kind.STATUS).first()
    if existing is not None:
        return existing
    cluster = grant.cluster
    payload = {
        "cluster": {"id": cluster.pk, "name": cluster.name},
        "coordinator": {"name": cluster.coordinator.name, "nip": cluster.coordinator.nip},
        "status": {
            # the type's code and names, so that the certificate keeps its words
            "type": types.payload_of(grant.status_type),
            "round": grant.round_label,
            "decision_on": grant.decision_on.isoformat(),
            "valid_from": grant.valid_from.isoformat(),
            "valid_to": grant.valid_to.isoformat(),
        },
    }
    if grant.document_number and grant.document_issued_on:
        # the minister's document confirming the status (a certificate issued earlier keeps
        # what it said then)
        payload["status"]["document"] = {
            "number": grant.document_number,
            "issued_on": grant.document_issued_on.isoformat(),
        }
    return Certificate.objects.create(
        kind=Certificate.Kind.STATUS,
        code=_new_code(),
        subject=cluster.name,
        issued_on=selectors.today(),
        payload=payload,
        status_grant=grant,
        issued_by=by,
    )


def membership_certificate(
    *, nip: str, on: dt.date, by: Any, instrument: str | None = None
) -> Certificate:
    """A certificate of the memberships of the organisation ``nip`` that count on ``on``; with
    ``instrument`` (an id of the current catalogue of funding instruments) a certificate that
    the organisation meets that instrument's terms on ``on``, stating the instrument, the
    catalogue's version and hash, and the membership it rests on.

    Raises ``ValidationError`` when the NIP is invalid, the organisation is not a member of a
    key cluster on that date, the instrument is unknown, or its terms are not met (with the
    reason in words).
    """
    from . import instruments

    try:
        nip = selectors.normalise_nip(nip)
    except selectors.InvalidNip as exc:
        raise ValidationError({"nip": exc.message}) from exc
    chosen = None
    if instrument:
        try:
            chosen = instruments.choose(instrument)
        except instruments.UnknownInstrument as exc:
            raise ValidationError({"instrument": exc.message}) from exc
    organisation = Organisation.objects.filter(nip=nip).first()
    answer = selectors.verify_nip(nip, on=on, instrument=chosen)
    # with an instrument, its terms decide (a growth cluster's coordinator may meet them);
    # without one, the certificate states a key cluster membership
    if chosen is not None:
        counted = bool(answer["eligible"] or answer["memberships"])
    else:
        counted = answer["key_cluster_member"]
    if organisation is None or not counted:
        raise ValidationError(
            {
                "nip": gettext(
                    "The organisation with NIP %(nip)s is not a key-cluster member on %(date)s."
                )
                % {"nip": nip, "date": date_format(on, "SHORT_DATE_FORMAT")}
            }
        )
    payload = {"organisation": {"name": organisation.name, "nip": nip}, **answer}
    if chosen is not None:
        if not answer["eligible"]:
            raise ValidationError(
                {
                    "instrument": gettext(
                        "The organisation does not meet the terms of %(instrument)s on "
                        "%(date)s: %(reason)s."
                    )
                    % {
                        "instrument": chosen.instrument.title.get(_language()),
                        "date": date_format(on, "SHORT_DATE_FORMAT"),
                        "reason": instruments.reason_text(answer),
                    }
                }
            )
        payload["instrument_title"] = chosen.instrument.title.model_dump()
        payload["instrument_terms"] = instruments.stored_terms(chosen.instrument)
    return Certificate.objects.create(
        kind=Certificate.Kind.MEMBERSHIP,
        code=_new_code(),
        subject=f"{organisation.name} (NIP {nip})",
        issued_on=selectors.today(),
        payload=payload,
        issued_by=by,
    )


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or "pl"


def certificate_check(certificate: Certificate | None, *, today: dt.date) -> dict:
    """What the public check of a code says: genuine or not, and what it certifies."""
    if certificate is None:
        return {"genuine": False, "state": CHECK_UNKNOWN}
    answer: dict[str, Any] = {
        "genuine": True,
        "code": certificate.code,
        "kind": certificate.kind,
        "subject": certificate.subject,
        "issued_on": certificate.issued_on.isoformat(),
        "issuer": certificate_issuer(),
        "certifies": certificate.payload,
        "state": CHECK_VALID,
    }
    if certificate.status_grant_id is not None:
        grant = certificate.status_grant
        state = grant.state_on(today)
        answer["status_valid_today"] = grant.is_valid_on(today)
        answer["status_state_today"] = state
        answer["withdrawn_on"] = grant.withdrawn_on.isoformat() if grant.withdrawn_on else None
        answer["state"] = CHECK_STATES.get(state, CHECK_VALID)
        if state == validity.EXPIRED:
            answer["expired_on"] = grant.valid_to.isoformat()
    return answer


# What the public check of a certificate says (``state``): valid (a membership certificate is a
# record of a date, valid once genuine), revoked (its status was withdrawn), expired (its status
# ended), not-yet-valid (its status begins later), unknown (no certificate has the code).
CHECK_VALID, CHECK_REVOKED, CHECK_EXPIRED = "valid", "revoked", "expired"
CHECK_NOT_YET_VALID, CHECK_UNKNOWN = "not-yet-valid", "unknown"
CHECK_STATES = {
    validity.ACTIVE: CHECK_VALID,
    validity.WITHDRAWN: CHECK_REVOKED,
    validity.EXPIRED: CHECK_EXPIRED,
    validity.FUTURE: CHECK_NOT_YET_VALID,
}


def certificate_issuer() -> str:
    """The authority named on certificates as their issuer (``CERTIFICATE_ISSUER``)."""
    return str(getattr(settings, "CERTIFICATE_ISSUER", "") or DEFAULT_ISSUER)


DEFAULT_ISSUER = "Ministerstwo Rozwoju i Technologii / Ministry of Development and Technology"
