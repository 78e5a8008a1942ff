"""How registry-sourced member counts are made: the rulebook's ``counting.members_total``.

By default (a rulebook without ``counting``) the coordinator counts as a member and strategic
partners do not, as the registry has always counted. The shares (of enterprises, …) are
computed over the same members.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .model import Counting, MembersTotalRule

COORDINATOR = "coordinator"
STRATEGIC_PARTNER = "strategic-partner"
HUNDREDTH = Decimal("0.01")


def _rule(rule: Counting | MembersTotalRule | None) -> MembersTotalRule:
    if isinstance(rule, Counting):
        return rule.members_total
    return rule if rule is not None else MembersTotalRule()


def counts_as_member(role: str, rule: Counting | MembersTotalRule | None = None) -> bool:
    """Whether a membership of ``role`` (member, coordinator, strategic-partner) counts."""
    members_total = _rule(rule)
    if role == COORDINATOR:
        return members_total.coordinator
    if role == STRATEGIC_PARTNER:
        return members_total.strategic_partners
    return True


def share(part: int, whole: int) -> Decimal:
    """``part`` as a percentage of ``whole``, rounded half up to hundredths (0.00 for none)."""
    if whole == 0:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class MemberCounts:
    """``members_total`` and the counted members per organisation kind."""

    members_total: int
    by_kind: dict[str, int]

    def total_of(self, *kinds: str) -> int:
        return sum(self.by_kind.get(kind, 0) for kind in kinds)

    def share_of(self, *kinds: str) -> Decimal:
        """The percentage of the counted members that are of one of ``kinds``."""
        return share(self.total_of(*kinds), self.members_total)


def member_counts(
    rows: Iterable[tuple[str, str]], rule: Counting | MembersTotalRule | None = None
) -> MemberCounts:
    """The counts over ``(role, kind)`` rows (one per membership active on the date)."""
    kinds: Counter[str] = Counter()
    for role, kind in rows:
        if counts_as_member(role, rule):
            kinds[kind] += 1
    return MemberCounts(members_total=sum(kinds.values()), by_kind=dict(kinds))


__all__ = ["MemberCounts", "counts_as_member", "member_counts", "share"]
