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
