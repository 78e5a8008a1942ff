"""The member list for a person's spreadsheet, and the import templates: titles, values, numbers
and dates in the active language; both read back by the member import."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from keyclusters.registry import exports, importing, spreadsheets
from keyclusters.registry.import_templates import template_file
from keyclusters.registry.models import Membership

from .test_exports import cluster  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def lines(data: bytes) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return text.split("\r\n")[:-1]


def test_members_spreadsheet_csv_in_polish(cluster):  # noqa: F811
    with translation.override("pl"):
        data = exports.members_spreadsheet_csv(cluster)
    assert lines(data) == [
        "Nazwa;NIP;REGON;KRS;Rodzaj;Wielkość;Województwo;Miejscowość;Kraj;Data przystąpienia;"
        "Data wystąpienia;Rola",
        "Fundacja Koordynator;5260250274;012100784;;Instytucja otoczenia biznesu (IOB);;śląskie;"
        "Katowice;PL;01.03.2012;;Koordynator",
        "Werke GmbH;;;;Instytut badawczy;;;Dresden;DE;01.01.2019;;Partner strategiczny",
        "Zakład Łódzki Sp. z o.o.;5261040828;123456785;0000012345;Przedsiębiorstwo;Małe;łódzkie;"
        "Łódź;PL;01.02.2015;31.12.2020;Członek",
    ]


def test_members_spreadsheet_csv_in_english(cluster):  # noqa: F811
    with translation.override("en"):
        data = exports.members_spreadsheet_csv(cluster)
    assert lines(data)[0] == (
        "Name,NIP,REGON,KRS,Kind,Size,Voivodeship,City,Country,Joined on,Left on,Role"
    )
    assert lines(data)[3] == (
        "Zakład Łódzki Sp. z o.o.,5261040828,123456785,0000012345,Enterprise,Small,Łódź,Łódź,PL,"
        "2015-02-01,2020-12-31,Member"
    )


def test_members_spreadsheet_xlsx_has_titles_words_and_date_cells(cluster):  # noqa: F811
    with translation.override("pl"):
        data = exports.members_spreadsheet_xlsx(cluster)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Nazwa", "NIP", "REGON", "KRS", "Rodzaj")
    assert rows[3] == (
        "Zakład Łódzki Sp. z o.o.", "5261040828", "123456785", "0000012345", "Przedsiębiorstwo",
        "Małe", "łódzkie", "Łódź", "PL", dt.datetime(2015, 2, 1), dt.datetime(2020, 12, 31),
        "Członek",
    )  # fmt: skip
    assert sheet.cell(4, 10).is_date and sheet.cell(4, 2).data_type == "s"


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_spreadsheet_export_imports_back_unchanged(cluster, language, format):  # noqa: F811
    export = {"csv": exports.members_spreadsheet_csv, "xlsx": exports.members_spreadsheet_xlsx}
    before = exports.members_csv(cluster)
    with translation.override(language):
        data = export[format](cluster)
        report = importing.import_members(cluster=cluster, source=data, filename=f"m.{format}")
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 0, 0, 3)
    assert exports.members_csv(cluster) == before


def test_the_pages_link_and_serve_the_spreadsheet_files(client, cluster):  # noqa: F811
    page = client.get(reverse("registry:cluster-detail", args=[cluster.pk]))
    csv_url = reverse("registry:members-spreadsheet", args=[cluster.pk, "csv"])
    xlsx_url = reverse("registry:members-spreadsheet", args=[cluster.pk, "xlsx"])
    assert csv_url in page.content.decode() and xlsx_url in page.content.decode()
    response = client.get(csv_url, headers={"accept-language": "pl"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="klaster-slaski-members-spreadsheet.csv"'
    )
    assert lines(response.content)[1].startswith("Fundacja Koordynator;5260250274;")
    response = client.get(xlsx_url)
    assert openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]["A1"].value


def test_numbers_and_dates_in_the_languages_format():
    moment = timezone.make_aware(dt.datetime(2026, 5, 4, 14, 5))
    row = [1, "Klaster Alfa", Decimal("18.50"), dt.date(2026, 5, 4), moment, None, "-2+3"]
    with translation.override("pl"):
        data = spreadsheets.csv_file(
            ["Nr", "Klaster", "Punkty", "Dzień", "Chwila", "Nic", "T"], [row]
        )
    assert lines(data) == [
        "Nr;Klaster;Punkty;Dzień;Chwila;Nic;T",
        "1;Klaster Alfa;18,50;04.05.2026;04.05.2026 14:05;;'-2+3",
    ]
    with translation.override("en"):
        data = spreadsheets.csv_file(["No", "Cluster", "Points"], [row[:3]])
    assert lines(data) == ["No,Cluster,Points", "1,Klaster Alfa,18.50"]


# --- import templates ------------------------------------------------------------------------


def test_the_member_template_in_polish():
    with translation.override("pl"):
        data = template_file("members", "csv")
    assert lines(data) == [
        "Nazwa;NIP;REGON;KRS;Rodzaj;Wielkość;Województwo;Miejscowość;Kraj;Data przystąpienia;"
        "Data wystąpienia;Rola",
        "Przykładowa Spółka sp. z o.o.;5261040828;;;Przedsiębiorstwo;Małe;mazowieckie;Warszawa;PL;"
        "15.01.2024;;Członek",
    ]


def test_the_member_template_in_english_as_xlsx():
    with translation.override("en"):
        data = template_file("members", "xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert rows == [
        ("Name", "NIP", "REGON", "KRS", "Kind", "Size", "Voivodeship", "City", "Country",
         "Joined on", "Left on", "Role"),
        ("Przykładowa Spółka sp. z o.o.", "5261040828", None, None, "Enterprise", "Small",
         "Masovian", "Warszawa", "PL", dt.datetime(2024, 1, 15), None, "Member"),
    ]  # fmt: skip


def test_the_cluster_and_organisation_templates_headers():
    with translation.override("pl"):
        organisations = lines(template_file("organisations", "csv"))[0]
        clusters = lines(template_file("clusters", "csv"))[0]
    assert organisations == "Nazwa;NIP;REGON;KRS;Rodzaj;Wielkość;Województwo;Miejscowość;Kraj"
    assert clusters.split(";")[2:] == [
        "Data założenia",
        "Specjalizacja",
        "Województwo",
        "Strona internetowa",
    ]


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_filled_template_imports(language, format):
    from tests.factories import ClusterFactory

    other = ClusterFactory()
    with translation.override(language):
        data = template_file("members", format)
        importing.import_members(cluster=other, source=data, filename=f"t.{format}")
    membership = Membership.objects.select_related("organisation").get(
        cluster=other, organisation__nip="5261040828"
    )
    o = membership.organisation
    assert (o.name, o.kind, o.size, o.voivodeship, o.city, o.country) == (
        "Przykładowa Spółka sp. z o.o.",
        "enterprise",
        "small",
        "mazowieckie",
        "Warszawa",
        "PL",
    )
    assert (membership.role, membership.joined_on, membership.left_on) == (
        "member",
        dt.date(2024, 1, 15),
        None,
    )


def test_the_import_pages_offer_the_templates(client):
    from tests.factories import ClusterFactory, UserFactory

    other = ClusterFactory()
    client.force_login(UserFactory(roles=["coordinator"], organisation=other.coordinator))
    page = client.get(reverse("registry:members-import", args=[other.pk])).content.decode()
    for format in ("xlsx", "csv"):
        assert reverse("registry:import-template", args=["members", format]) in page
    response = client.get(
        reverse("registry:import-template", args=["members", "csv"]),
        headers={"accept-language": "en"},
    )
    assert response["Content-Disposition"] == 'attachment; filename="members-import-template.csv"'
    assert lines(response.content)[0].startswith("Name,NIP,REGON,")
