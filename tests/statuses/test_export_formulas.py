"""Names that a spreadsheet would run as formulas come out of the open-data registry and of
the verification results as text; numbers stay numbers."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3"]


@pytest.fixture
def hostile(world):
    world.lodz.name = HOSTILE[0]
    world.lodz.specialisation = HOSTILE[2]
    world.lodz.save()
    world.lodz.coordinator.name = HOSTILE[1]
    world.lodz.coordinator.save()
    world.withdrawn.name = HOSTILE[3]
    world.withdrawn.save()
    return world


def test_the_open_data_csv(client, hostile):
    response = client.get(reverse("statuses:registry-export", args=["csv"]), {"on": "2022-06-01"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    (lodz,) = [r for r in rows if r["cluster_id"] == str(hostile.lodz.pk)]
    assert (lodz["cluster_name"], lodz["coordinator_name"], lodz["specialisation"]) == (
        "'" + HOSTILE[0],
        "'" + HOSTILE[1],
        "'" + HOSTILE[2],
    )
    assert lodz["member_count"] == "3"


def _verify(client, format):
    client.force_login(UserFactory(roles=["funding-agency"]))
    upload = SimpleUploadedFile("nips.csv", b"nip\n5261040828\n1132853869\n")
    data = {"action": "file", "file": upload, "on": "2022-06-01", "format": format}
    return client.post(reverse("statuses:verify"), data)


def test_the_verification_csv(client, hostile):
    rows = list(csv.reader(io.StringIO(_verify(client, "csv").content.decode())))
    assert [row[4] for row in rows[1:]] == ["'" + HOSTILE[0], "'" + HOSTILE[3]]


def test_the_verification_xlsx(client, hostile):
    sheet = openpyxl.load_workbook(io.BytesIO(_verify(client, "xlsx").content)).active
    cells = [(row[4].value, row[4].data_type) for row in sheet.iter_rows(min_row=2)]
    assert cells == [("'" + HOSTILE[0], "s"), ("'" + HOSTILE[3], "s")]
