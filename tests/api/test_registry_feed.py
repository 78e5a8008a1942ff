"""The open data feed of the registry's changes: JSON (/api/v1/feed.json) and Atom
(/statuses/feed.atom)."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from keyclusters.registry import identity
from keyclusters.statuses.models import StatusGrant
from tests.factories import ClusterFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

D = dt.date
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world():
    kom = ClusterFactory(name="KOM", founded_on=D(2012, 3, 1))
    old = kom.coordinator
    first = StatusGrant.objects.create(
        cluster=kom, round_label="I", decision_on=D(2015, 9, 1),
        valid_from=D(2015, 9, 23), valid_to=D(2018, 9, 22),
    )  # fmt: skip
    identity.rename_cluster(
        cluster=kom, name="Evoluma Klaster Przemysłowy", valid_from=D(2019, 6, 1), by=None
    )
    new = OrganisationFactory(name="Nowy Koordynator", nip="5260250274")
    identity.change_coordinator(cluster=kom, organisation=new, valid_from=D(2020, 1, 1), by=None)
    other = ClusterFactory(name="Beta")
    second = StatusGrant.objects.create(
        cluster=other, round_label="V", decision_on=D(2021, 12, 20),
        valid_from=D(2021, 12, 20), valid_to=D(2024, 12, 31),
        withdrawn_on=D(2022, 6, 30), withdrawal_reason="Wniosek koordynatora",
    )  # fmt: skip
    return {"kom": kom, "old": old, "new": new, "first": first, "second": second, "beta": other}


def test_json_feed_newest_first_with_the_name_of_the_day(client, world):
    body = client.get("/api/v1/feed.json").json()
    assert body["limit"] == 100 and body["offset"] == 0
    items = body["items"]
    assert [(i["kind"], i["on"], i["cluster"]["name"]) for i in items] == [
        ("withdrawal", "2022-06-30", "Beta"),
        ("grant", "2021-12-20", "Beta"),
        ("coordinator", "2020-01-01", "Evoluma Klaster Przemysłowy"),
        ("rename", "2019-06-01", "Evoluma Klaster Przemysłowy"),
        ("grant", "2015-09-01", "KOM"),
    ]
    withdrawal, _grant, coordinator, rename, grant = items
    assert withdrawal["reason"] == "Wniosek koordynatora"
    assert withdrawal["status"]["withdrawn_on"] == "2022-06-30"
    assert coordinator["previous_coordinator"]["name"] == world["old"].name
    assert coordinator["new_coordinator"] == {
        "id": world["new"].pk, "name": "Nowy Koordynator", "nip": "5260250274",
    }  # fmt: skip
    assert (rename["previous_name"], rename["new_name"]) == ("KOM", "Evoluma Klaster Przemysłowy")
    assert grant["status"] == {
        "id": world["first"].pk, "status_type": "kkk",
        "status_type_name": "status Krajowego Klastra Kluczowego", "round": "I",
        "decision_on": "2015-09-01", "valid_from": "2015-09-23", "valid_to": "2018-09-22",
        "withdrawn_on": None, "renewal_of": None,
    }  # fmt: skip
    assert grant["id"] == f"grant-{world['first'].pk}"


def test_json_feed_pages_and_since(client, world):
    page = client.get("/api/v1/feed.json", {"limit": 2, "offset": 1}).json()["items"]
    assert [(i["kind"], i["on"]) for i in page] == [
        ("grant", "2021-12-20"),
        ("coordinator", "2020-01-01"),
    ]
    since = client.get("/api/v1/feed.json", {"since": "2020-01-01"}).json()["items"]
    assert [i["kind"] for i in since] == ["withdrawal", "grant", "coordinator"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"since": "2020-02-30"}, "since"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit")],
)
def test_json_feed_refuses_bad_parameters(client, params, field):
    response = client.get("/api/v1/feed.json", params)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


def test_feed_queries_do_not_grow(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/feed.json").json()["items"]) == 5
    for n in range(20):
        cluster = ClusterFactory()
        StatusGrant.objects.create(
            cluster=cluster, round_label="V", decision_on=D(2021, 1, 1),
            valid_from=D(2021, 1, 1), valid_to=D(2023, 1, 1), withdrawn_on=D(2022, 1, 1),
        )  # fmt: skip
        identity.rename_cluster(
            cluster=cluster, name=f"Nowa {n}", valid_from=D(2020, 1, 1), by=None
        )
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/feed.json").json()["items"]) == 65


def test_atom_feed(client, world):
    response = client.get("/statuses/feed.atom", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}updated").text for e in entries] == [
        "2022-06-30T00:00:00+02:00",
        "2021-12-20T00:00:00+01:00",
        "2020-01-01T00:00:00+01:00",
        "2019-06-01T00:00:00+02:00",
        "2015-09-01T00:00:00+02:00",
    ]
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[3].startswith("KOM ")
    assert "Evoluma Klaster Przemysłowy" in titles[3]
    assert "2019" in titles[3]
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert links == {
        f"http://testserver/statuses/clusters/{world['kom'].pk}/",
        f"http://testserver/statuses/clusters/{world['beta'].pk}/",
    }
    assert all(e.find(f"{ATOM}id").text for e in entries)
