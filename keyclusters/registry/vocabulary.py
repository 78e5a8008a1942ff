"""The registry's file columns and coded values as people write them, in every language.

A person's spreadsheet names the columns by their titles (``Nazwa``, ``Rodzaj``, ``Data
przystąpienia``) and writes the values of the coded columns as words (``przedsiębiorstwo``,
``mała``, ``członek``); the import files' contract names them by codes (``kind``,
``enterprise``; docs/formats.md). This module gives both sides:

- :func:`column_title` and :func:`value_label`: what the templates and the spreadsheet exports
  write, in the active language (the models' verbose names and choice labels);
- :func:`import_words`: what the imports accept besides the codes, the titles and labels of
  every language of the site (``settings.LANGUAGES``) with the documented Polish spellings of
  :data:`keyclusters.domain.tabular.DEFAULT_WORDS`, and the accepted values that an error lists,
  in the active language.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from keyclusters.domain.registry import (
    ENTERPRISE_SIZES,
    MEMBERSHIP_ROLES,
    ORGANISATION_KINDS,
    VOIVODESHIPS,
)
from keyclusters.domain.tabular import (
    CLUSTER_COLUMNS,
    DEFAULT_WORDS,
    MEMBER_COLUMNS,
    Words,
)

from .models import Cluster, Membership, Organisation

ALL_COLUMNS = tuple(dict.fromkeys((*MEMBER_COLUMNS, *CLUSTER_COLUMNS)))
_FIELDS = {
    **{name: (Organisation, name) for name in MEMBER_COLUMNS[:9]},
    "joined_on": (Membership, "joined_on"),
    "left_on": (Membership, "left_on"),
    "role": (Membership, "role"),
    "founded_on": (Cluster, "founded_on"),
    "specialisation": (Cluster, "specialisation"),
    "website": (Cluster, "website"),
}
# code -> English label (a message id), per coded column
CODED: dict[str, dict[str, str]] = {
    "kind": ORGANISATION_KINDS,
    "size": ENTERPRISE_SIZES,
    "role": MEMBERSHIP_ROLES,
    "voivodeship": VOIVODESHIPS,
}


def column_title(column: str) -> str:
    """The title of a file column in the active language (``Data przystąpienia``)."""
    if column == "coordinator_nip":
        return gettext("Coordinator's NIP")
    model, name = _FIELDS[column]
    return capfirst(str(model._meta.get_field(name).verbose_name))


def column_titles(columns: tuple[str, ...] | list[str]) -> list[str]:
    return [column_title(column) for column in columns]


def value_label(column: str, value: object) -> object:
    """A coded value as a person reads it in the active language (``Przedsiębiorstwo``); any
    other value as it is."""
    labels = CODED.get(column)
    if labels is None or not isinstance(value, str) or value not in labels:
        return value
    return gettext(labels[value])


def import_words() -> Words:
    """What an import accepts besides the codes (see the module's docstring)."""
    columns: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {column: {} for column in CODED}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for column in ALL_COLUMNS:
                columns[column_title(column)] = column
            for column, labels in CODED.items():
                for code, label in labels.items():
                    values[column][gettext(label)] = code
    accepted = {
        column: ", ".join(gettext(label) for label in labels.values())
        for column, labels in CODED.items()
        if column != "voivodeship"
    }
    return DEFAULT_WORDS.merged(Words(columns, values, accepted))
