"""The member list for a person's spreadsheet (``members-spreadsheet.csv``/``.xlsx``): public, as
the machine export (``members.csv``/``.xlsx``) on the cluster's page; titles, values, numbers
and dates in the active language (:mod:`.exports`, :mod:`.spreadsheets`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from . import exports, spreadsheets
from .models import Cluster


@require_safe
def members_spreadsheet(request: HttpRequest, pk: int, format: str) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    if format == "csv":
        content = exports.members_spreadsheet_csv(cluster)
        content_type = spreadsheets.CSV_TYPE
    else:
        content = exports.members_spreadsheet_xlsx(cluster)
        content_type = spreadsheets.XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    filename = f"{slugify(cluster.name) or cluster.pk}-members-spreadsheet.{format}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
