"""The member import reads the words people write: Polish (or English) column titles and values,
in any case and with spaces around them, dates 2026-05-04 and 04.05.2026; an unknown value is an
error naming the row, the column as the file names it, and the accepted values in the language."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from keyclusters.registry import importing
from keyclusters.registry.models import Membership, Organisation
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db

POLISH = (
    "NIP;nazwa;Rodzaj;WIELKOŚĆ;województwo;data przystąpienia;Data wystąpienia;rola\n"
    "5261040828; Zakład Łódzki ; przedsiębiorstwo ; Mała ;Łódzkie;04.05.2025;;członek\n"
    "7740001454;Politechnika;Uczelnia;;mazowieckie;2024-01-15;31.12.2025;Partner strategiczny\n"
    "5260250274;Instytut;jednostka naukowa;;śląskie;01.02.2020;;koordynator\n"
    "1132853869;Mikrofirma;Przedsiębiorstwo;mikro;;01.02.2020;;\n"
    "9542742903;Duża firma;PRZEDSIĘBIORSTWO;duża;;01.02.2020;;Członek\n"
    "5213017228;Średnia;przedsiębiorstwo;średnia;;01.02.2020;;\n"
    "6462933516;IOB;instytucja otoczenia biznesu;;;01.02.2020;;\n"
).encode()


def stored(cluster):
    return sorted(
        (m.organisation.nip, m.organisation.name, m.organisation.kind, m.organisation.size,
         m.organisation.voivodeship, m.joined_on, m.left_on, m.role)
        for m in Membership.objects.filter(cluster=cluster).select_related("organisation")
    )  # fmt: skip


@pytest.mark.parametrize("language", ["pl", "en"])
def test_polish_titles_and_values_are_imported(language):
    cluster = ClusterFactory()
    coordinator = cluster.coordinator.nip
    with translation.override(language):
        report = importing.import_members(cluster=cluster, source=POLISH, filename="m.csv")
    assert (report.rows, report.created) == (7, 7)
    assert [row for row in stored(cluster) if row[0] != coordinator] == [
        ("1132853869", "Mikrofirma", "enterprise", "micro", "", dt.date(2020, 2, 1), None,
         "member"),
        ("5213017228", "Średnia", "enterprise", "medium", "", dt.date(2020, 2, 1), None,
         "member"),
        ("5260250274", "Instytut", "research", "", "slaskie", dt.date(2020, 2, 1), None,
         "coordinator"),
        ("5261040828", "Zakład Łódzki", "enterprise", "small", "lodzkie", dt.date(2025, 5, 4),
         None, "member"),
        ("6462933516", "IOB", "business-support", "", "", dt.date(2020, 2, 1), None, "member"),
        ("7740001454", "Politechnika", "university", "", "mazowieckie", dt.date(2024, 1, 15),
         dt.date(2025, 12, 31), "strategic-partner"),
        ("9542742903", "Duża firma", "enterprise", "large", "", dt.date(2020, 2, 1), None,
         "member"),
    ]  # fmt: skip


def test_english_titles_and_labels_and_codes_are_imported():
    cluster = ClusterFactory()
    source = (
        b"Name,NIP,Kind,Size,Joined on,role\n"
        b"A,5261040828,Research institute,,2020-02-01,Strategic partner\n"
        b"B,7740001454,enterprise,LARGE,01.02.2020,member\n"
    )
    importing.import_members(cluster=cluster, source=source, filename="m.csv")
    assert Organisation.objects.get(nip="5261040828").kind == "research"
    assert Organisation.objects.get(nip="7740001454").size == "large"
    roles = {m.organisation.nip: m.role for m in Membership.objects.filter(cluster=cluster)}
    assert roles["5261040828"] == "strategic-partner"


BAD = (
    "NIP;Nazwa;Rodzaj;Wielkość;Data przystąpienia;Rola\n"
    "5261040828;A;firma;mała;04.05.2025;członek\n"
    "7740001454;B;przedsiębiorstwo;ogromna;04.05.2025;prezes\n"
    "5260250274;C;uczelnia;mała;31.02.2025;\n"
).encode()


def test_errors_name_the_row_the_files_column_and_the_accepted_values_in_polish():
    cluster = ClusterFactory()
    with translation.override("pl"), pytest.raises(importing.ImportRejected) as rejected:
        importing.import_members(cluster=cluster, source=BAD, filename="m.csv")
    assert rejected.value.messages() == [  # (the active language is Polish, the default)
        "wiersz 2, kolumna rodzaj: „firma” nie jest jedną z wartości: Przedsiębiorstwo, "
        "Uczelnia, Instytut badawczy, Instytucja otoczenia biznesu (IOB), Administracja "
        "publiczna, Inne",
        "wiersz 3, kolumna wielkość: „ogromna” nie jest jedną z wartości: Mikro, Małe, Średnie, "
        "Duże",
        "wiersz 3, kolumna rola: „prezes” nie jest jedną z wartości: Członek, Koordynator, "
        "Partner strategiczny",
        "wiersz 4, kolumna data przystąpienia: „31.02.2025” nie jest datą (RRRR-MM-DD lub "
        "DD.MM.RRRR)",
    ]
    assert Membership.objects.filter(cluster=cluster).count() == 1  # the coordinator's


def test_errors_in_english_list_the_english_words():
    cluster = ClusterFactory()
    with translation.override("en"):
        with pytest.raises(importing.ImportRejected) as rejected:
            importing.import_members(cluster=cluster, source=BAD, filename="m.csv")
        assert rejected.value.messages()[1] == (
            'row 3, column wielkość: "ogromna" is not one of: Micro, Small, Medium, Large'
        )


def test_a_size_of_an_organisation_that_is_not_an_enterprise_names_the_files_column():
    cluster = ClusterFactory()
    source = "NIP;Nazwa;Rodzaj;Wielkość;Data przystąpienia\n5261040828;A;uczelnia;mała;04.05.2025\n"
    with translation.override("en"):
        with pytest.raises(importing.ImportRejected) as rejected:
            importing.import_members(cluster=cluster, source=source.encode(), filename="m.csv")
        assert rejected.value.messages() == [
            'row 2, column wielkość: "mała" is allowed only for enterprises (rodzaj: Enterprise)'
        ]


def test_an_end_before_the_start_names_the_files_columns_and_dates():
    cluster = ClusterFactory()
    source = "NIP;Nazwa;Data przystąpienia;Data wystąpienia\n5261040828;A;04.05.2025;31.12.2024\n"
    with translation.override("en"):
        with pytest.raises(importing.ImportRejected) as rejected:
            importing.import_members(cluster=cluster, source=source.encode(), filename="m.csv")
        assert rejected.value.messages() == [
            'row 2, column data wystąpienia: "31.12.2024" is before data przystąpienia (04.05.2025)'
        ]


def test_the_import_page_takes_a_polish_file(client):
    cluster = ClusterFactory()
    client.force_login(UserFactory(roles=["coordinator"], organisation=cluster.coordinator))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("członkowie.csv", BAD)
    response = client.post(
        reverse("registry:members-import", args=[cluster.pk]), {"file": upload},
        headers={"accept-language": "pl"},
    )  # fmt: skip
    assert response.context["import_errors"][0].startswith(
        "wiersz 2, kolumna rodzaj: „firma” nie jest jedną z wartości: Przedsiębiorstwo, "
    )
