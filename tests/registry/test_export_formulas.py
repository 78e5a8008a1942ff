"""Names that a spreadsheet would run as formulas come out of the member exports as text."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3"]


@pytest.fixture
def cluster():
    cluster = ClusterFactory(
        name="Klaster", coordinator=OrganisationFactory(name="Aaa Koordynator")
    )
    for name in HOSTILE:
        MembershipFactory(
            cluster=cluster,
            organisation=OrganisationFactory(name=name, city="-1"),
            joined_on=dt.date(2020, 1, 1),
        )
    return cluster


def test_members_csv(client, cluster):
    response = client.get(reverse("registry:members-export", args=[cluster.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = {row["name"] for row in rows}
    assert names == {"Aaa Koordynator", *("'" + name for name in HOSTILE)}
    assert {row["city"] for row in rows if row["name"] != "Aaa Koordynator"} == {"-1"}


def test_members_xlsx(client, cluster):
    response = client.get(reverse("registry:members-export", args=[cluster.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    cells = {(row[0].value, row[0].data_type) for row in rows}
    assert cells == {("Aaa Koordynator", "s"), *(("'" + name, "s") for name in HOSTILE)}
    joined = {(row[9].value, row[9].data_type) for row in rows if row[0].value != "Aaa Koordynator"}
    assert joined == {(dt.datetime(2020, 1, 1), "d")}
