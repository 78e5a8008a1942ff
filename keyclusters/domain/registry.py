"""Registry vocabulary shared by the apps, the importers and the demo data."""

from __future__ import annotations

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
