"""Registry vocabulary shared by the apps, the importers and the demo data, and the date rules
of membership periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .i18n import N_

# code -> English label (translated in the UI). Codes are the voivodeships' Polish names.
VOIVODESHIPS: dict[str, str] = {
    "dolnoslaskie": N_("Lower Silesian"),
    "kujawsko-pomorskie": N_("Kuyavian-Pomeranian"),
    "lubelskie": N_("Lublin"),
    "lubuskie": N_("Lubusz"),
    "lodzkie": N_("Łódź"),
    "malopolskie": N_("Lesser Poland"),
    "mazowieckie": N_("Masovian"),
    "opolskie": N_("Opole"),
    "podkarpackie": N_("Subcarpathian"),
    "podlaskie": N_("Podlaskie"),
    "pomorskie": N_("Pomeranian"),
    "slaskie": N_("Silesian"),
    "swietokrzyskie": N_("Holy Cross"),
    "warminsko-mazurskie": N_("Warmian-Masurian"),
    "wielkopolskie": N_("Greater Poland"),
    "zachodniopomorskie": N_("West Pomeranian"),
}

# Accepted spellings in import files (Polish with diacritics, upper case…) -> code.
_VOIVODESHIP_ALIASES = {
    "dolnośląskie": "dolnoslaskie",
    "łódzkie": "lodzkie",
    "małopolskie": "malopolskie",
    "śląskie": "slaskie",
    "świętokrzyskie": "swietokrzyskie",
    "warmińsko-mazurskie": "warminsko-mazurskie",
}


def voivodeship_code(value: str) -> str | None:
    """Return the code of a voivodeship written as its code or its Polish name, else None."""
    key = value.strip().lower()
    if key.startswith("woj."):
        key = key[4:].strip()
    elif key.startswith("województwo "):
        key = key[len("województwo ") :].strip()
    if key in VOIVODESHIPS:
        return key
    return _VOIVODESHIP_ALIASES.get(key)


ORGANISATION_KINDS: dict[str, str] = {
    "enterprise": N_("Enterprise"),
    "university": N_("University"),
    "research": N_("Research institute"),
    "business-support": N_("Business-support institution"),
    "public-administration": N_("Public administration"),
    "other": N_("Other"),
}

ENTERPRISE_SIZES: dict[str, str] = {
    "micro": N_("Micro"),
    "small": N_("Small"),
    "medium": N_("Medium"),
    "large": N_("Large"),
}

MEMBERSHIP_ROLES: dict[str, str] = {
    "member": N_("Member"),
    "coordinator": N_("Coordinator"),
    "strategic-partner": N_("Strategic partner"),
}

# Cluster size classes by the number of current members, for the public list's filter.
CLUSTER_SIZE_CLASSES: dict[str, tuple[int, int | None]] = {
    "small": (0, 49),
    "medium": (50, 99),
    "large": (100, None),
}


# --- membership periods ----------------------------------------------------------------------
# A membership runs from ``joined_on`` to ``left_on``, both days included; no ``left_on``: it has
# not ended. These two functions are the only definition of the rule in Python; the database
# side (``Membership.objects.active_on``, ``active_on_q``, ``active_on_sql`` in the registry app)
# states the same conditions.


def membership_active_on(joined_on: dt.date, left_on: dt.date | None, on: dt.date) -> bool:
    """The membership is active on ``on``: it began by then and had not ended before it."""
    return joined_on <= on and (left_on is None or left_on >= on)


def periods_overlap(
    start: dt.date, end: dt.date | None, other_start: dt.date, other_end: dt.date | None
) -> bool:
    """Two membership periods (ends included, ``None``: open) share at least one day."""
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)


Period = tuple[dt.date, dt.date | None]


def overlaps(periods: Sequence[Period]) -> list[tuple[int, int]]:
    """The overlaps among ``periods`` as pairs ``(later, earlier)`` of their indexes.

    Each period that shares a day with a period starting before it (or on the same day, the one
    given first) is paired with the one of those reaching furthest; a period overlapping nothing
    earlier appears in no first position. Sorting, then one pass: O(n log n).
    """
    if len(periods) < 2:
        return []
    order = sorted(range(len(periods)), key=lambda i: periods[i][0])
    found = []
    holder = order[0]
    reach = periods[holder][1]
    for index in order[1:]:
        start, end = periods[index]
        if reach is None or start <= reach:
            found.append((index, holder))
        if reach is not None and (end is None or end > reach):
            holder, reach = index, end
    return found
