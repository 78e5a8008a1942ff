"""Who may apply to a call: ``applicants.holders`` restricts a call to holders of a status.

``holder_admissible`` is checked at submission and at the formal stage; it says why a cluster is
refused (a :class:`HolderRefusal`, to be translated and its dates formatted by the page) or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..i18n import N_
from .model import Applicants, Holders


@dataclass(frozen=True)
class HolderRefusal:
    """Why a cluster may not apply: an English, translatable message and its parameters
    (dates stay dates, for the page to format in its language)."""

    message_id: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        params = {
            key: value.isoformat() if isinstance(value, dt.date) else value
            for key, value in self.params.items()
        }
        return self.message_id % params if params else self.message_id

    def __str__(self) -> str:
        return self.message


NEVER_HELD = N_("The call is open only to clusters holding the status; this cluster holds none.")
NOT_CURRENT = N_(
    "The call is open only to current holders of the status; this cluster's status ended on "
    "%(ended)s."
)
OUTSIDE_RANGE = N_(
    "The call is open only to clusters whose status ends between %(first)s and %(last)s; this "
    "cluster's status ends on %(ends)s."
)


def holder_admissible(
    last_valid_days: Iterable[dt.date],
    rule: Applicants | Holders | None,
    on: dt.date | None = None,
) -> HolderRefusal | None:
    """None when the cluster may apply, else why not.

    ``last_valid_days``: the last valid day of each of the cluster's statuses of the type the
    rule names (``valid_to``, or the day before a withdrawal). ``rule``: the rulebook's
    ``applicants`` (or its ``holders``); without ``holders`` any cluster may apply. With
    ``ends_between: [first, last]`` a status whose last valid day lies in that range, both days
    included, admits the cluster; without it, a status still valid on ``on`` (the submission or
    the formal check's date) does.
    """
    holders = rule.holders if isinstance(rule, Applicants) else rule
    if holders is None:
        return None
    days = sorted(set(last_valid_days))
    if not days:
        return HolderRefusal(NEVER_HELD)
    latest = days[-1]
    span = holders.ends_range
    if span is None:
        if on is None:
            raise ValueError("a rule of current holders needs the date of the check")
        if latest >= on:
            return None
        return HolderRefusal(NOT_CURRENT, {"ended": latest})
    first, last = span
    if any(first <= day <= last for day in days):
        return None
    return HolderRefusal(OUTSIDE_RANGE, {"first": first, "last": last, "ends": latest})


__all__ = ["HolderRefusal", "holder_admissible"]
