"""The verification results for a person's spreadsheet, in the page's language (issue #13):
titles and answers in words, dates as the language writes them, ';' in Polish; the documented
CSV and XLSX beside it do not change."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from keyclusters.registry import selfservice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VERIFY = reverse("statuses:verify")
NIPS = b"nip\n5261040828\n2860913907\n123\n6260181591\n"


@pytest.fixture
def contested(world, settings):
    """Politechnika Łódzka contests its membership of Klaster Łódzki on 4 May 2026."""
    settings.TIME_ZONE = "Europe/Warsaw"
    firm = UserFactory(roles=["member-organisation"], organisation=world.early)
    membership = world.early.memberships.get(cluster=world.lodz)
    with time_machine.travel(dt.datetime(2026, 5, 4, 12, 0, tzinfo=ZoneInfo("Europe/Warsaw"))):
        selfservice.contest(membership_id=membership.pk, reason="Błąd", by=firm)
    return world


def post(client, format, language):
    client.force_login(UserFactory(roles=["funding-agency"]))
    upload = SimpleUploadedFile("nips.csv", NIPS, content_type="text/csv")
    data = {"action": "file", "file": upload, "on": "2022-06-01", "format": format}
    return client.post(VERIFY, data, headers={"accept-language": language})


def lines(body: bytes) -> list[str]:
    assert body.startswith(b"\xef\xbb\xbf")
    return body.decode("utf-8-sig").split("\r\n")[:-1]


def pending(*messages: str) -> list[str]:
    """Titles added with this file, in Polish once the catalogue has them."""
    with translation.override("pl"):
        return [gettext(message) for message in messages]


def test_the_spreadsheet_csv_in_polish(client, contested):
    response = post(client, "spreadsheet-csv", "pl")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="verification-2022-06-01-spreadsheet.csv"'
    )
    member, coordinator, basis, valid = pending(
        "Key-cluster member", "Coordinator of a key cluster", "Basis of the start", "Valid NIP"
    )
    assert lines(response.content) == [
        f"NIP;Na dzień;{member};{coordinator};Klastry;Członek od;{basis};Zakwestionowane;"
        f"Organizacja;{valid};Przyczyna",
        "5261040828;01.06.2022;tak;nie;Klaster Łódzki;15.03.2022;przystąpienie 15.03.2022;nie;"
        "Zakład Świętokrzyski;tak;",
        "2860913907;01.06.2022;nie;nie;;;;;;tak;",
        "123;;;;;;;;;nie;„123” nie jest poprawnym numerem NIP (długość)",
        "6260181591;01.06.2022;tak;nie;Klaster Łódzki;01.01.2015;przystąpienie 01.01.2015;"
        "tak (04.05.2026);Politechnika Łódzka;tak;",
    ]


def test_the_spreadsheet_csv_in_english(client, contested):
    assert lines(post(client, "spreadsheet-csv", "en").content) == [
        "NIP,On,Key-cluster member,Coordinator of a key cluster,Clusters,Member since,"
        "Basis of the start,Contested,Organisation,Valid NIP,Reason",
        "5261040828,2022-06-01,yes,no,Klaster Łódzki,2022-03-15,joined on 15 Mar 2022,no,"
        "Zakład Świętokrzyski,yes,",
        "2860913907,2022-06-01,no,no,,,,,,yes,",
        '123,,,,,,,,,no,"""123"" is not a valid NIP (length)"',
        "6260181591,2022-06-01,yes,no,Klaster Łódzki,2015-01-01,joined on 1 Jan 2015,"
        "yes (2026-05-04),Politechnika Łódzka,yes,",
    ]


def test_the_spreadsheet_xlsx_has_words_and_date_cells(client, contested):
    response = post(client, "spreadsheet-xlsx", "pl")
    assert response["Content-Disposition"] == (
        'attachment; filename="verification-2022-06-01-spreadsheet.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("NIP", "Na dzień")
    assert rows[1] == (
        "5261040828", dt.datetime(2022, 6, 1), "tak", "nie", "Klaster Łódzki",
        dt.datetime(2022, 3, 15), "przystąpienie 15.03.2022", "nie", "Zakład Świętokrzyski",
        "tak", None,
    )  # fmt: skip
    assert rows[3][0] == "123" and rows[3][9:] == (
        "nie",
        "„123” nie jest poprawnym numerem NIP (długość)",
    )
    assert sheet.cell(2, 2).is_date and sheet.cell(2, 6).is_date
    assert sheet.cell(2, 1).data_type == "s"  # the NIP stays text


def test_the_documented_files_do_not_change_with_the_language(client, world):
    body = post(client, "csv", "pl").content.decode()
    assert body.splitlines()[:2] == [
        "nip,on,key_cluster_member,key_cluster_coordinator,clusters,member_since,"
        "member_since_basis,contested,organisation,valid,error",
        "5261040828,2022-06-01,yes,no,Klaster Łódzki,2022-03-15,przystąpienie 15.03.2022,no,"
        "Zakład Świętokrzyski,yes,",
    ]


def test_the_page_offers_the_spreadsheet_formats(client, world):
    client.force_login(UserFactory(roles=["funding-agency"]))
    page = client.get(VERIFY).content.decode()
    for value in ("csv", "xlsx", "spreadsheet-xlsx", "spreadsheet-csv"):
        assert f'value="{value}"' in page
