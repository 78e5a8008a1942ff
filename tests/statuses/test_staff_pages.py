"""The verification page of funding agencies and the operators' API keys page."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyclusters.accounts.models import ApiKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VERIFY = reverse("statuses:verify")
KEYS = reverse("statuses:api-keys")


@pytest.mark.parametrize(
    ("roles", "status"),
    [([], 403), (["coordinator"], 403), (["funding-agency"], 200), (["operator"], 200)],
)
def test_who_may_verify(client, roles, status):
    client.force_login(UserFactory(roles=roles))
    assert client.get(VERIFY).status_code == status


def test_verify_one_nip(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(UserFactory(roles=["funding-agency"]))
    response = client.post(VERIFY, {"action": "one", "nip": "526 104 08 28", "on": "2022-06-01"})
    answer = response.context["answer"]
    assert (answer["nip"], answer["key_cluster_member"]) == ("5261040828", True)
    assert "5261040828 is a key-cluster member on 1 Jun 2022." in response.content.decode()
    response = client.post(VERIFY, {"action": "one", "nip": "123"})
    assert response.context["one"].errors == {"nip": ['"123" is not a valid NIP (length)']}


def test_verify_a_csv_upload_into_csv_and_xlsx(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(UserFactory(roles=["operator"]))
    source = b"nip\n5261040828\n2860913907\n"
    JOINED = "joined on 15 Mar 2022"  # the basis of the counted start

    def post(format):
        upload = SimpleUploadedFile("nips.csv", source, content_type="text/csv")
        data = {"action": "file", "file": upload, "on": "2022-06-01", "format": format}
        return client.post(VERIFY, data)

    response = post("csv")
    assert response["Content-Disposition"] == 'attachment; filename="verification-2022-06-01.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "nip",
            "on",
            "key_cluster_member",
            "key_cluster_coordinator",
            "clusters",
            "member_since",
            "member_since_basis",
            "contested",
            "organisation",
            "valid",
            "error",
        ],
        ["5261040828", "2022-06-01", "yes", "no", "Klaster Łódzki", "2022-03-15", JOINED, "no",
         "Zakład Świętokrzyski", "yes", ""],
        ["2860913907", "2022-06-01", "no", "no", "", "", "", "", "", "yes", ""],
    ]  # fmt: skip
    response = post("xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1] == [
        "5261040828", "2022-06-01", "yes", "no", "Klaster Łódzki", "2022-03-15", JOINED, "no",
        "Zakład Świętokrzyski", "yes", None,
    ]  # fmt: skip


def test_an_upload_with_an_invalid_nip_answers_every_other_row(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(UserFactory(roles=["funding-agency"]))
    upload = SimpleUploadedFile("nips.csv", b"nip\n5261040828\n5261040829\n7251801126\n")
    data = {"action": "file", "file": upload, "on": "2022-06-01", "format": "csv"}
    response = client.post(VERIFY, data)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[:5] + row[8:] for row in rows[1:]] == [
        ["5261040828", "2022-06-01", "yes", "no", "Klaster Łódzki", "Zakład Świętokrzyski",
         "yes", ""],
        ["5261040829", "", "", "", "", "", "no",
         '"5261040829" is not a valid NIP (checksum)'],
        ["7251801126", "2022-06-01", "yes", "yes", "Klaster Łódzki",
         "Fundacja Źródło Innowacji", "yes", ""],
    ]  # fmt: skip


def test_an_upload_that_cannot_be_read_is_refused_whole(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(UserFactory(roles=["funding-agency"]))
    upload = SimpleUploadedFile("nips.csv", b"name\nZak\n")
    response = client.post(VERIFY, {"action": "file", "file": upload, "format": "csv"})
    assert response.context["file_errors"] == ["nips.csv: the column nip is missing"]


def test_operators_issue_and_revoke_keys_the_secret_shown_once(client, world):
    client.force_login(UserFactory(roles=["funding-agency"]))
    assert client.get(KEYS).status_code == 403
    operator = UserFactory(roles=["operator"])
    client.force_login(operator)
    response = client.post(KEYS, {"name": "Nabór 2.1", "organisation": "PARP"})
    key = response.context["issued"].key
    assert key in response.content.decode()
    stored = ApiKey.objects.get()
    assert (stored.name, stored.organisation, stored.created_by) == ("Nabór 2.1", "PARP", operator)
    assert key.split(".")[0] == stored.prefix and key.split(".")[1] not in stored.hashed_secret
    assert key not in client.get(KEYS).content.decode()  # never shown again
    api = "/api/v1/verification"
    assert client.get(api, {"nip": "5261040828"}, headers={"X-API-Key": key}).status_code == 200
    client.post(reverse("statuses:api-key-revoke", args=[stored.pk]))
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    assert client.get(api, {"nip": "5261040828"}, headers={"X-API-Key": key}).status_code == 401
