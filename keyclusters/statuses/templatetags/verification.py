"""Verification answers as a person reads them: the basis of the counted start and the role by
their labels (the answers hold codes and ISO dates): ``{{ m|member_since_basis }}``."""

from __future__ import annotations

from django import template

from keyclusters.statuses.selectors import basis_text, contest_text, role_label

register = template.Library()


@register.filter
def member_since_basis(membership: object) -> str:
    """ "recorded on 1 Dec 2026", "evidence accepted on …" or "joined on …" (empty for an
    answer from before the ledger, kept in an old certificate)."""
    return basis_text(membership) if isinstance(membership, dict) else ""


@register.filter
def contest_note(membership: object) -> str:
    """ "contested by the member organisation on …" (empty when it is not contested)."""
    return contest_text(membership) if isinstance(membership, dict) else ""


@register.filter
def membership_role(code: object) -> str:
    return role_label(str(code))


@register.filter
def status_type_name(stored: object) -> str:
    """The name of the status type a certificate stores (``payload.status.type``) in the
    active language; the key cluster status's for a certificate issued before status types."""
    from django.utils.translation import gettext

    from keyclusters.statuses.types import name_in_payload

    return name_in_payload(stored) or gettext("key cluster status")


@register.filter
def status_type_label(code: object) -> str:
    """The name of a status type (an answer's ``status_type`` code) in the active language."""
    from django.utils.translation import gettext

    from keyclusters.statuses.types import find

    found = find(str(code)) if code else None
    return found.name() if found is not None else gettext("a status")


@register.filter
def is_key_cluster_status(stored: object) -> bool:
    """Whether a certificate's stored type (``payload.status.type``) is the key cluster status
    (so is a certificate issued before status types)."""
    from keyclusters.statuses.types import KEY_CLUSTER

    return not isinstance(stored, dict) or stored.get("code", KEY_CLUSTER) == KEY_CLUSTER


@register.filter
def instrument_reason(answer: object) -> str:
    """Why an answer with a funding instrument is eligible or not, in words ("member since
    12.03.2024, 5 of 6 months"); empty for an answer without an instrument."""
    from keyclusters.statuses.instruments import reason_text

    return reason_text(answer) if isinstance(answer, dict) else ""


@register.filter
def instrument_notes(answer: object) -> list[str]:
    """The date an answer's funding instrument refers to and its illustrative terms, in words
    (as a certificate stored them, else as the current catalogue writes them)."""
    from keyclusters.statuses.instruments import notes

    return notes(answer) if isinstance(answer, dict) else []


@register.filter
def instrument_title(answer: object) -> str:
    """The title of an answer's funding instrument in the active language: as a certificate
    stored it, else as the current catalogue writes it, else its id."""
    from django.utils.translation import get_language

    if not isinstance(answer, dict) or not isinstance(answer.get("instrument"), dict):
        return ""
    english = (get_language() or "pl").startswith("en")
    stored = answer.get("instrument_title")
    if isinstance(stored, dict):
        return str(stored.get("en" if english else "pl") or "")
    from keyclusters.statuses import instruments

    ident = str(answer["instrument"].get("id", ""))
    try:
        return instruments.choose(ident).instrument.title.get(get_language())
    except instruments.UnknownInstrument:
        return ident
