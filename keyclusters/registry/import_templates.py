"""Template files of the imports: the header row in the active language and one example row.

``/clusters/import-templates/<kind>.<format>`` (``kind``: ``members``, ``organisations`` or
``clusters``; ``format``: ``xlsx`` or ``csv``) serves a file to fill in: the columns' titles as
the language names them (``Nazwa``, ``NIP``, ``Rodzaj``, …, ``Data przystąpienia``) and a row
of example values written as people write them (``Przedsiębiorstwo``, ``Małe``, a date cell in
XLSX, ``15.01.2024`` in a Polish CSV, separated by ``;``), which the import reads as they are
(:mod:`.vocabulary`). The example row is to be replaced: imported as it is, it would add its
made-up organisation. Nothing in the files depends on the registry: anyone may download them.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from keyclusters.domain.tabular import CLUSTER_COLUMNS, MEMBER_COLUMNS, ORGANISATION_COLUMNS

from . import spreadsheets
from .vocabulary import column_titles, value_label

COLUMNS = {
    "members": MEMBER_COLUMNS,
    "organisations": ORGANISATION_COLUMNS,
    "clusters": CLUSTER_COLUMNS,
}
# A made-up organisation with a valid NIP (a Polish name in every language: the registry's are).
EXAMPLE: dict[str, object] = {
    "name": "Przykładowa Spółka sp. z o.o.",
    "nip": "5261040828",
    "regon": "",
    "krs": "",
    "kind": "enterprise",
    "size": "small",
    "voivodeship": "mazowieckie",
    "city": "Warszawa",
    "country": "PL",
    "joined_on": dt.date(2024, 1, 15),
    "left_on": None,
    "role": "member",
    "coordinator_nip": "5261040828",
    "founded_on": dt.date(2012, 3, 1),
    "specialisation": "Technologie informacyjne",
    "website": "https://klaster.example.pl",
}


def template_rows(kind: str) -> tuple[list[str], list[object]]:
    """The header (titles in the active language) and the example row of a kind of file."""
    columns = COLUMNS[kind]
    return column_titles(columns), [value_label(c, EXAMPLE[c]) for c in columns]


def template_file(kind: str, format: str) -> bytes:
    header, example = template_rows(kind)
    if format == "csv":
        return spreadsheets.csv_file(header, [example])
    return spreadsheets.xlsx_file(kind, header, [example])


@require_safe
def import_template(request: HttpRequest, kind: str, format: str) -> HttpResponse:
    content_type = spreadsheets.CSV_TYPE if format == "csv" else spreadsheets.XLSX_TYPE
    response = HttpResponse(template_file(kind, format), content_type=content_type)
    filename = f"{kind}-import-template.{format}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
