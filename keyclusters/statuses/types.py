"""Status types as people read them: the key cluster status (``kkk``, the default), the
supra-regional growth cluster status (``pkw``) and any other the operators add (data, in
:class:`~keyclusters.statuses.models.StatusType`).

Pages, open data, certificates and refusals name a type by its name in the reader's language;
the code is what rulebooks (``status.type``, ``applicants.holders.status_type``), import files
(the ``type`` column) and the registry's addresses (``?type=pkw``) write.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext

from .models import KEY_CLUSTER, StatusType

__all__ = [
    "KEY_CLUSTER", "SHIPPED", "all_types", "ensure_shipped", "find", "name_in_payload",
    "payload_of", "rulebook_problems", "unknown_message",
]  # fmt: skip

# The types the registry ships with (as migration 0005 created them): code, the status's name
# (Polish, English), a holder's title (Polish, English).
SHIPPED = [
    ("kkk", "status Krajowego Klastra Kluczowego", "key cluster status",
     "Krajowy Klaster Kluczowy", "National Key Cluster"),
    ("pkw", "status Ponadregionalnego Klastra Wzrostowego", "supra-regional growth cluster status",
     "Ponadregionalny Klaster Wzrostowy", "Supra-regional Growth Cluster"),
]  # fmt: skip


def ensure_shipped(model: type[StatusType] = StatusType, using: str = "default") -> None:
    """Create the shipped types that are missing (after a database is flushed, as Django
    re-creates content types); a type that exists keeps what the operators made of it."""
    for position, (code, name_pl, name_en, holder_pl, holder_en) in enumerate(SHIPPED):
        model.objects.using(using).get_or_create(
            code=code,
            defaults={"name_pl": name_pl, "name_en": name_en, "holder_pl": holder_pl,
                      "holder_en": holder_en, "position": position},
        )  # fmt: skip


def all_types() -> list[StatusType]:
    """Every status type, in the registry's order (position, then code)."""
    return list(StatusType.objects.all())


def find(code: str | None) -> StatusType | None:
    """The status type with ``code`` (None when the registry knows none)."""
    if not code:
        return None
    return StatusType.objects.filter(code=code).first()


def unknown_message(code: str) -> str:
    """The refusal of a status type the registry does not know, naming the known ones."""
    known = ", ".join(f"{t.code} ({t.name()})" for t in all_types())
    return gettext(
        'The registry knows no status type "%(code)s" (the status types are: %(known)s).'
    ) % {"code": code, "known": known}


def payload_of(status_type: StatusType) -> dict[str, str]:
    """The type as a certificate stores it: its code and its names in both languages (so that
    a certificate keeps the words it was issued with)."""
    return {
        "code": status_type.code,
        "name_pl": status_type.name_pl,
        "name_en": status_type.name_en,
        "holder_pl": status_type.holder_pl,
        "holder_en": status_type.holder_en,
    }


def name_in_payload(stored: object, *, holder: bool = False) -> str:
    """The name (or a holder's title, ``holder``) of a type stored by :func:`payload_of`, in the
    active language; empty for a certificate issued before status types (a key cluster's)."""
    if not isinstance(stored, dict):
        return ""
    english = (get_language() or "pl").startswith("en")
    key = ("holder" if holder else "name") + ("_en" if english else "_pl")
    return str(stored.get(key) or "")


def rulebook_problems(rulebook: Any) -> list[str]:
    """The status types a competition rulebook names that the registry does not know, each
    with its path (``status.type``, ``applicants.holders.status_type``): checked when the
    rulebook is stored, so that a call cannot be decided into a status nobody can hold."""
    named = [("status.type", rulebook.status.type)]
    holders = rulebook.applicants.holders
    if holders is not None:
        named.append(("applicants.holders.status_type", holders.status_type))
    known = {t.code for t in all_types()}
    return [f"{path}: {unknown_message(code)}" for path, code in named if code not in known]
