"""Names that a spreadsheet would run as formulas come out of the operator's call export as
text; points stay numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keyclusters.competitions import services
from keyclusters.competitions.models import StageResult

from .conftest import PDF, in_call

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3"]


@pytest.fixture
def exported(call, cluster, coordinator, operator):
    cluster.name = HOSTILE[0]
    cluster.save()
    coordinating = cluster.coordinator
    coordinating.name = HOSTILE[1]
    coordinating.save()
    application = services.start_application(
        call=call, cluster=cluster, by=coordinator, now=in_call()
    )
    services.save_application_data(
        application=application,
        values={"rd_projects": 3},
        files={"strategy": ("s.pdf", PDF)},
        by=coordinator,
        now=in_call(),
    )
    StageResult.objects.create(
        application=application,
        stage="merit",
        result=StageResult.Result.PENDING,
        points=Decimal("-1.5"),
        details={},
        rulebook_sha256="x",
    )
    return application


def test_the_csv_export(client, operator, exported, call):
    client.force_login(operator)
    url = reverse("competitions:call-export", args=[call.pk, "csv"])
    body = client.get(url, headers={"accept-language": "en"}).content
    header, row = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    values = dict(zip(header, row, strict=True))
    assert (values["Cluster"], values["Coordinator"]) == ("'" + HOSTILE[0], "'" + HOSTILE[1])
    assert values["Merit evaluation (points)"] == "-1.50"  # a plain negative number stays
    body = client.get(url, headers={"accept-language": "pl"}).content
    header, row = csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")
    values = dict(zip(header, row, strict=True))
    assert (values["Klaster"], values["Koordynator"]) == ("'" + HOSTILE[0], "'" + HOSTILE[1])
    assert values["Ocena merytoryczna (pkt)"] == "-1,50"


def test_the_xlsx_export(client, operator, exported, call):
    client.force_login(operator)
    url = reverse("competitions:call-export", args=[call.pk, "xlsx"])
    body = client.get(url, headers={"accept-language": "en"}).content
    header, row = load_workbook(io.BytesIO(body)).active.iter_rows()
    cells = {h.value: (c.value, c.data_type) for h, c in zip(header, row, strict=True)}
    assert cells["Application number"] == (None, "n")  # a draft has no number yet
    assert cells["Cluster"] == ("'" + HOSTILE[0], "s")
    assert cells["Coordinator"] == ("'" + HOSTILE[1], "s")
    assert cells["Merit evaluation (points)"] == (-1.5, "n")
