"""GET /api/v1/clusters?key_on=DATE and GET /api/v1/clusters/{id}: statuses on a date, the
status history, and the name and coordinator of the date."""

import datetime as dt

import pytest

from keyclusters.registry import identity
from keyclusters.statuses.models import StatusGrant
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

D = dt.date


def grant(cluster, valid_from, valid_to, round_label="V", **extra):
    return StatusGrant.objects.create(
        cluster=cluster, round_label=round_label, decision_on=valid_from,
        valid_from=valid_from, valid_to=valid_to, **extra,
    )  # fmt: skip


@pytest.fixture
def world():
    kom = ClusterFactory(name="KOM", founded_on=D(2012, 3, 1))
    first = grant(kom, D(2015, 9, 23), D(2018, 9, 22), "I")
    second = grant(kom, D(2018, 12, 17), D(2021, 12, 31), "III", renewal_of=first)
    identity.rename_cluster(
        cluster=kom, name="Evoluma Klaster Przemysłowy", valid_from=D(2019, 6, 1), by=None
    )
    old_coordinator = kom.coordinator
    new_coordinator = OrganisationFactory(name="Nowy Koordynator")
    identity.change_coordinator(
        cluster=kom, organisation=new_coordinator, valid_from=D(2020, 1, 1), by=None
    )
    MembershipFactory(cluster=kom, joined_on=D(2016, 1, 1), left_on=D(2019, 12, 31))
    MembershipFactory(cluster=kom, joined_on=D(2019, 1, 1))
    growth = ClusterFactory(name="Wzrost")
    grant(growth, D(2023, 1, 1), D(2025, 12, 31), "PKW-1", status_type_id="pkw")
    ClusterFactory(name="Bez statusu")
    return {
        "kom": kom, "first": first, "second": second, "growth": growth,
        "old": old_coordinator, "new": new_coordinator,
    }  # fmt: skip


def test_key_on_before_the_rename_gives_the_name_and_coordinator_then(client, world):
    body = client.get("/api/v1/clusters", {"key_on": "2017-05-01"}).json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == world["kom"].pk
    assert item["name"] == "KOM"
    assert item["coordinator"] == {
        "id": world["old"].pk, "name": world["old"].name, "nip": world["old"].nip,
    }  # fmt: skip
    assert item["member_count"] == 2  # the coordinator and the member of 2016-2019
    assert item["status"] == {
        "id": world["first"].pk, "status_type": "kkk",
        "status_type_name": "status Krajowego Klastra Kluczowego",
        "round": "I", "decision_on": "2015-09-23", "valid_from": "2015-09-23",
        "valid_to": "2018-09-22",
    }  # fmt: skip
    assert item["statuses"] == [item["status"]]


def test_key_on_after_the_rename(client, world):
    body = client.get("/api/v1/clusters", {"key_on": "2020-02-01"}).json()
    (item,) = body["items"]
    assert item["name"] == "Evoluma Klaster Przemysłowy"
    assert item["coordinator"]["name"] == "Nowy Koordynator"
    assert item["status"]["round"] == "III"
    assert item["member_count"] == 2  # the new coordinator and the member since 2019


def test_key_on_lists_key_clusters_only_and_status_type_pkw_the_growth_clusters(client, world):
    assert client.get("/api/v1/clusters", {"key_on": "2018-10-01"}).json()["count"] == 0
    # on 2024-01-01 only the supra-regional growth cluster holds a status: no key cluster then
    assert client.get("/api/v1/clusters", {"key_on": "2024-01-01"}).json() == {
        "items": [], "count": 0,
    }  # fmt: skip
    only_kkk = {"key_on": "2024-01-01", "status_type": "kkk"}
    assert client.get("/api/v1/clusters", only_kkk).json()["count"] == 0
    body = client.get("/api/v1/clusters", {"key_on": "2024-01-01", "status_type": "pkw"}).json()
    assert [(i["id"], i["status"]["status_type"], i["status"]["round"]) for i in body["items"]] == [
        (world["growth"].pk, "pkw", "PKW-1")
    ]
    # on 2020-02-01 the key cluster, not the growth cluster
    body = client.get("/api/v1/clusters", {"key_on": "2020-02-01"}).json()
    assert [(i["id"], i["status"]["id"]) for i in body["items"]] == [
        (world["kom"].pk, world["second"].pk)
    ]


def test_a_cluster_holding_both_types_answers_with_the_asked_one(client, world):
    both = grant(world["growth"], D(2024, 1, 1), D(2026, 12, 31), "VI")
    body = client.get("/api/v1/clusters", {"key_on": "2024-06-01"}).json()
    (item,) = body["items"]
    assert item["id"] == world["growth"].pk
    assert item["status"]["id"] == both.pk
    assert [s["status_type"] for s in item["statuses"]] == ["kkk", "pkw"]
    body = client.get("/api/v1/clusters", {"key_on": "2024-06-01", "status_type": "pkw"}).json()
    (item,) = body["items"]
    assert (item["status"]["status_type"], item["status"]["round"]) == ("pkw", "PKW-1")
    assert [s["status_type"] for s in item["statuses"]] == ["kkk", "pkw"]


def test_an_unknown_status_type_is_422_listing_the_known_ones(client, world):
    response = client.get(
        "/api/v1/clusters", {"key_on": "2024-01-01", "status_type": "xyz"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["query", "status_type"],
                "msg": 'The registry knows no status type "xyz" (the status types are: '
                "kkk (key cluster status), pkw (supra-regional growth cluster status)).",
            }
        ]
    }


def test_a_status_type_without_key_on_is_422_naming_key_on(client, world):
    response = client.get("/api/v1/clusters", {"status_type": "pkw"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "value_error",
            "loc": ["query", "key_on"],
            "msg": "status_type needs key_on: give the date (YYYY-MM-DD) on which the clusters "
            "hold the status.",
        }
    ]


def test_without_key_on_every_cluster_as_today(client, world):
    body = client.get("/api/v1/clusters").json()
    assert [i["name"] for i in body["items"]] == [
        "Bez statusu",
        "Evoluma Klaster Przemysłowy",
        "Wzrost",
    ]
    assert all(i["status"] is None and i["statuses"] == [] for i in body["items"])
    # a former name finds the cluster
    assert [i["name"] for i in client.get("/api/v1/clusters", {"q": "KOM"}).json()["items"]] == [
        "Evoluma Klaster Przemysłowy"
    ]


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", "01.02.2024"])
def test_a_bad_date_is_422_naming_the_parameter(client, value):
    response = client.get("/api/v1/clusters", {"key_on": value})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "key_on"]]


def test_detail_gives_the_history(client, world):
    body = client.get(f"/api/v1/clusters/{world['kom'].pk}").json()
    assert body["name"] == "Evoluma Klaster Przemysłowy"
    history = [
        {k: v for k, v in g.items() if k != "status_type_name"} for g in body["status_history"]
    ]
    assert history == [
        {
            "id": world["first"].pk, "status_type": "kkk", "round": "I",
            "decision_on": "2015-09-23", "valid_from": "2015-09-23", "valid_to": "2018-09-22",
            "withdrawn_on": None, "renewal_of": None,
        },
        {
            "id": world["second"].pk, "status_type": "kkk", "round": "III",
            "decision_on": "2018-12-17", "valid_from": "2018-12-17", "valid_to": "2021-12-31",
            "withdrawn_on": None,
            "renewal_of": {
                "id": world["first"].pk, "valid_from": "2015-09-23", "valid_to": "2018-09-22",
            },
        },
    ]  # fmt: skip
    assert body["names"] == [
        {"name": "KOM", "valid_from": "2012-03-01", "valid_to": "2019-05-31"},
        {"name": "Evoluma Klaster Przemysłowy", "valid_from": "2019-06-01", "valid_to": None},
    ]
    assert [
        (c["organisation"]["name"], c["valid_from"], c["valid_to"]) for c in body["coordinators"]
    ] == [
        (world["old"].name, "2012-03-01", "2019-12-31"),
        ("Nowy Koordynator", "2020-01-01", None),
    ]
    assert body["members"]["total"] == 2


def test_openapi_documents_key_on_and_the_history(client):
    schema = client.get("/api/v1/openapi.json").json()
    parameters = schema["paths"]["/api/v1/clusters"]["get"]["parameters"]
    assert {"key_on", "status_type"} <= {p["name"] for p in parameters}
    assert "422" in schema["paths"]["/api/v1/clusters"]["get"]["responses"]
    detail = schema["components"]["schemas"]["ClusterHistoryOut"]["properties"]
    assert {"status_history", "names", "coordinators"} <= set(detail)


def test_the_list_on_a_date_makes_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    def make(n):
        for _ in range(n):
            cluster = ClusterFactory()
            grant(cluster, D(2015, 1, 1), D(2019, 12, 31))
            identity.rename_cluster(
                cluster=cluster, name=f"Nowa nazwa {cluster.pk}", valid_from=D(2016, 1, 1), by=None
            )
            MembershipFactory(cluster=cluster)

    make(3)
    with django_assert_max_num_queries(4):  # the count, the page, the statuses prefetched
        assert client.get("/api/v1/clusters", {"key_on": "2015-06-01"}).json()["count"] == 3
    make(30)
    with django_assert_max_num_queries(4):
        body = client.get("/api/v1/clusters", {"key_on": "2015-06-01", "limit": 100}).json()
    assert body["count"] == 33
    assert all(not i["name"].startswith("Nowa nazwa") for i in body["items"])
