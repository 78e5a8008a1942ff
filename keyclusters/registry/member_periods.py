"""The overlap check of a member import: the periods of the file's rows, by organisation and
role, against each other and against the cluster's memberships as the file leaves them.

A row whose organisation, role and ``joined_on`` name an existing membership updates its
``left_on``; any other row adds a membership. After the import, no two memberships of one
organisation in the cluster with the same role may share a day (``domain.registry.overlaps``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext_noop as N_

from keyclusters.domain.registry import overlaps
from keyclusters.domain.tabular import RowError

from .models import Membership

OVERLAPS_ROW = N_("overlaps row %(other)s (the same organisation and role)")
OVERLAPS_EXISTING = N_(
    "overlaps the organisation's membership with the same role from %(since)s in the registry"
)
REACHES_EXISTING = N_(
    "reaches into the organisation's membership with the same role from %(since)s in the registry"
)
OVERLAPS_MEANWHILE = N_(
    "Memberships of the file overlap memberships of the cluster written meanwhile; nothing was "
    "imported. Try again."
)

_Row = tuple[dt.date, "dt.date | None", int]  # joined_on, left_on, row number


class MemberPeriods:
    """The periods of one member file, added row by row; ``errors`` checks them all.

    ``groups`` maps (organisation key, role) to the organisation (an ``Organisation``, or a
    stand-in for one the import creates) and the periods of its rows: a tuple ``(organisation,
    joined_on, left_on, row)`` for the first row, the most common case of a file, which the
    import writes itself (``groups.get``, then this tuple when nothing is found: no call in the
    loop of every row); a list ``[organisation, (joined_on, left_on, row), ...]`` once there is
    more than one, made by :meth:`add`. Only the groups in ``to_check`` can overlap anything:
    those with more than one row, and those of organisations already in the registry (which the
    import adds: a new organisation has no membership yet).
    """

    def __init__(self, existing: Iterable[Membership]) -> None:
        self.existing: dict[tuple, list[Membership]] = {}  # (organisation id, role) -> ...
        for membership in existing:
            group = (membership.organisation_id, membership.role)
            self.existing.setdefault(group, []).append(membership)
        self.groups: dict[tuple, tuple | list] = {}
        self.to_check: set[tuple] = set()

    def has_existing(self, organisation_id: int | None, role: str) -> bool:
        """The organisation has memberships in the cluster with this role already."""
        return (organisation_id, role) in self.existing

    def add(self, group: tuple, found: tuple | list, row: _Row) -> bool:
        """Add a further row of the group ``found`` holds already; False when the row repeats
        an earlier one (the same ``joined_on``: the same membership, see ``tabular``)."""
        if found.__class__ is tuple:
            if found[1] == row[0]:
                return False
            self.groups[group] = [found[0], found[1:], row]
            self.to_check.add(group)
            return True
        if any(period[0] == row[0] for period in found[1:]):
            return False
        found.append(row)
        return True

    def errors(self) -> list[RowError]:
        """One error per row whose membership overlaps another (in row order)."""
        errors = []
        existing, groups = self.existing, self.groups
        for group in self.to_check:
            found, role = groups[group], group[1]
            others = existing.get((found[0].pk, role), ())  # none for a new organisation
            if found.__class__ is tuple:
                if not others:
                    continue  # one row, and no membership with this role in the cluster yet
                rows = [found[1:]]
            else:
                rows = found[1:]
            starts = {joined_on for joined_on, _, _ in rows}  # rows naming a membership update it
            kept = [m for m in others if m.joined_on not in starts]
            periods = [(joined_on, left_on) for joined_on, left_on, _ in rows]
            periods += [(m.joined_on, m.left_on) for m in kept]
            for later, earlier in overlaps(periods):
                error = _error(rows, kept, later, earlier)
                if error is not None:
                    errors.append(error)
        return sorted(errors, key=lambda e: e.row or 0)


def _error(rows: list[_Row], kept: list[Membership], later: int, earlier: int) -> RowError | None:
    """The error of an overlap between periods ``later`` and ``earlier`` (indexes into the
    file's ``rows`` followed by the memberships ``kept`` as they are); None for two memberships
    that the file does not touch."""
    if later < len(rows):
        joined_on, _, row = rows[later]
        if earlier < len(rows):
            message, params = OVERLAPS_ROW, {"other": rows[earlier][2]}
        else:
            message = OVERLAPS_EXISTING
            params = {"since": kept[earlier - len(rows)].joined_on.isoformat()}
        return RowError(row, "joined_on", joined_on.isoformat(), message, params)
    if earlier < len(rows):  # the row reaches into a later membership
        _, left_on, row = rows[earlier]
        since = kept[later - len(rows)].joined_on.isoformat()
        value = left_on.isoformat() if left_on else ""
        return RowError(row, "left_on", value, REACHES_EXISTING, {"since": since})
    return None
