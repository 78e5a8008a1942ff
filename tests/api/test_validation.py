"""Paging, search text and certificate codes that no database could take are answered 422
with the reason, never 500."""

import pytest
from django.test import Client

from keyclusters.statuses.models import Certificate
from tests.factories import ClusterFactory

pytestmark = pytest.mark.django_db

HUGE = "1" + "0" * 30


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def _reason(response, field: str) -> str:
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    return " ".join(item["msg"] for item in detail if item["loc"][-1] == field)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": HUGE}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"offset": HUGE}, "offset"),
        ({"offset": "10000001"}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "x"}, "limit"),
    ],
)
def test_paging_out_of_bounds_is_422(client, params, field):
    ClusterFactory()
    response = client.get("/api/v1/clusters", params)
    assert _reason(response, field)


def test_paging_within_bounds(client):
    ClusterFactory.create_batch(3)
    body = client.get("/api/v1/clusters", {"limit": "1000", "offset": "10000000"}).json()
    assert body == {"items": [], "count": 3}
    assert len(client.get("/api/v1/clusters", {"limit": "2"}).json()["items"]) == 2
    assert len(client.get("/api/v1/clusters").json()["items"]) == 3


@pytest.mark.parametrize("field", ["q", "voivodeship", "specialisation"])
def test_search_text_with_a_nul_or_too_long_is_422(client, field):
    ClusterFactory()
    assert _reason(client.get("/api/v1/clusters", {field: "ab\x00c"}), field)
    assert _reason(client.get("/api/v1/clusters", {field: "x" * 201}), field)
    assert client.get("/api/v1/clusters", {field: "x" * 200}).status_code == 200


def test_the_nul_reason_is_said_in_the_users_language(client):
    response = client.get("/api/v1/clusters", {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert _reason(response, "q") == "must not contain a NUL character"


@pytest.mark.parametrize("code", ["%00", "KC%00-1", "x" * 41])
def test_a_certificate_code_that_cannot_exist_is_422(client, code):
    response = client.get(f"/api/v1/certificates/{code}")
    assert _reason(response, "code")


def test_an_unknown_certificate_code_is_still_not_genuine(client):
    longest = "x" * Certificate._meta.get_field("code").max_length
    response = client.get(f"/api/v1/certificates/{longest}")
    assert response.status_code == 200
    assert response.json()["genuine"] is False


def test_the_bounds_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    parameters = {
        p["name"]: p["schema"] for p in document["paths"]["/api/v1/clusters"]["get"]["parameters"]
    }
    assert parameters["limit"]["maximum"] == 1000
    assert parameters["offset"]["maximum"] == 10_000_000
    assert parameters["q"]["anyOf"][0]["maxLength"] == 200
    certificate = document["paths"]["/api/v1/certificates/{code}"]["get"]
    assert certificate["parameters"][0]["schema"]["maxLength"] == 40
    assert "422" in certificate["responses"]
