"""The open data feed of the registry's changes: JSON (/api/v1/feed.json) and Atom
(/statuses/feed.atom). Entries are ordered by the moment they were recorded, and ``since``
filters by it, so that a mirror sees changes recorded after its last poll even when they took
effect long before (a back-dated rename or grant, a grant re-dated after it was recorded)."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine

from keyclusters.registry import identity
from keyclusters.statuses import services
from keyclusters.statuses.models import StatusGrant
from tests.factories import ClusterFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

D = dt.date
ATOM = "{http://www.w3.org/2005/Atom}"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment in UTC on ``day``."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def recorded(day: dt.date, hour: int = 10):
    """Travel to ``day`` at ``hour`` UTC (what is saved inside is recorded then)."""
    return time_machine.travel(at(day, hour), tick=False)


@pytest.fixture
def world():
    with recorded(D(2012, 3, 1)):
        kom = ClusterFactory(name="KOM", founded_on=D(2012, 3, 1))
        beta = ClusterFactory(name="Beta", founded_on=D(2012, 3, 1))
    old = kom.coordinator
    with recorded(D(2015, 9, 1)):
        first = StatusGrant.objects.create(
            cluster=kom, round_label="I", decision_on=D(2015, 9, 1),
            valid_from=D(2015, 9, 23), valid_to=D(2018, 9, 22),
        )  # fmt: skip
    with recorded(D(2019, 6, 1)):
        identity.rename_cluster(
            cluster=kom, name="Evoluma Klaster Przemysłowy", valid_from=D(2019, 6, 1), by=None
        )
    with recorded(D(2020, 1, 1)):
        new = OrganisationFactory(name="Nowy Koordynator", nip="5260250274")
        identity.change_coordinator(
            cluster=kom, organisation=new, valid_from=D(2020, 1, 1), by=None
        )
    with recorded(D(2021, 12, 20)):
        second = StatusGrant.objects.create(
            cluster=beta, round_label="V", decision_on=D(2021, 12, 20),
            valid_from=D(2021, 12, 20), valid_to=D(2024, 12, 31),
        )  # fmt: skip
    with recorded(D(2022, 6, 30)):
        services.withdraw_status(
            grant=second, withdrawn_on=D(2022, 6, 30), reason="Wniosek koordynatora", by=None
        )
    return {"kom": kom, "old": old, "new": new, "first": first, "second": second, "beta": beta}


def feed(client, **params):
    return client.get("/api/v1/feed.json", params).json()["items"]


def test_json_feed_newest_recorded_first_with_the_name_of_the_day(client, world):
    body = client.get("/api/v1/feed.json").json()
    assert body["limit"] == 100 and body["offset"] == 0
    items = body["items"]
    assert [(i["kind"], i["on"], i["recorded_at"], i["cluster"]["name"]) for i in items] == [
        ("withdrawal", "2022-06-30", "2022-06-30T10:00:00Z", "Beta"),
        ("grant", "2021-12-20", "2021-12-20T10:00:00Z", "Beta"),
        ("coordinator", "2020-01-01", "2020-01-01T10:00:00Z", "Evoluma Klaster Przemysłowy"),
        ("rename", "2019-06-01", "2019-06-01T10:00:00Z", "Evoluma Klaster Przemysłowy"),
        ("grant", "2015-09-01", "2015-09-01T10:00:00Z", "KOM"),
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
    page = feed(client, limit=2, offset=1)
    assert [(i["kind"], i["on"]) for i in page] == [
        ("grant", "2021-12-20"),
        ("coordinator", "2020-01-01"),
    ]
    # a date: recorded from its midnight (Europe/Warsaw) on
    assert [i["kind"] for i in feed(client, since="2020-01-01")] == [
        "withdrawal", "grant", "coordinator",
    ]  # fmt: skip
    # a moment: recorded at or after it
    assert [i["kind"] for i in feed(client, since="2021-12-20T10:00:00Z")] == [
        "withdrawal", "grant",
    ]  # fmt: skip
    assert [i["kind"] for i in feed(client, since="2021-12-20T10:00:01Z")] == ["withdrawal"]
    # without an offset: the registry's time zone (10:00 UTC is 11:00 in Warsaw in winter)
    assert [i["kind"] for i in feed(client, since="2021-12-20T11:00:00")] == [
        "withdrawal", "grant",
    ]  # fmt: skip
    assert feed(client, since="2022-06-30T10:00:00.001Z") == []


def test_a_back_dated_rename_recorded_after_the_last_poll_reaches_the_mirror(client, world):
    last_poll = feed(client)[0]["recorded_at"]
    assert last_poll == "2022-06-30T10:00:00Z"
    with recorded(D(2026, 3, 2), hour=9):
        identity.rename_cluster(
            cluster=world["beta"], name="Beta sp. z o.o.", valid_from=D(2025, 6, 1), by=None
        )
    items = feed(client, since=last_poll)
    assert [(i["kind"], i["on"], i["recorded_at"], i["cluster"]["name"]) for i in items] == [
        ("rename", "2025-06-01", "2026-03-02T09:00:00Z", "Beta sp. z o.o."),
        ("withdrawal", "2022-06-30", "2022-06-30T10:00:00Z", "Beta"),  # at the moment polled
    ]
    assert (items[0]["previous_name"], items[0]["new_name"]) == ("Beta", "Beta sp. z o.o.")
    # newest recorded first, though it took effect after the others
    assert feed(client)[0]["id"] == items[0]["id"]


def test_a_back_dated_grant_and_coordinator_reach_the_mirror(client, world):
    last_poll = "2022-06-30T10:00:00.001Z"
    with recorded(D(2026, 3, 2)):
        late = StatusGrant.objects.create(
            cluster=world["kom"], round_label="IV", decision_on=D(2020, 12, 1),
            valid_from=D(2021, 1, 1), valid_to=D(2023, 12, 31),
        )  # fmt: skip
    with recorded(D(2026, 3, 3)):
        third = OrganisationFactory(name="Trzeci Koordynator sp. z o.o.")
        identity.change_coordinator(
            cluster=world["kom"], organisation=third, valid_from=D(2024, 1, 1), by=None
        )
    items = feed(client, since=last_poll)
    assert [(i["id"], i["on"], i["recorded_at"]) for i in items] == [
        (items[0]["id"], "2024-01-01", "2026-03-03T10:00:00Z"),
        (f"grant-{late.pk}", "2020-12-01", "2026-03-02T10:00:00Z"),
    ]
    assert items[0]["kind"] == "coordinator"
    assert items[0]["new_coordinator"]["name"] == "Trzeci Koordynator sp. z o.o."


def test_a_re_dated_grant_appears_again_with_the_moment_of_the_change(client, world):
    grant = world["first"]
    with recorded(D(2026, 3, 2)):
        grant.valid_to = D(2018, 9, 30)
        grant.save()
    items = feed(client, since="2026-03-01")
    assert [(i["id"], i["on"], i["recorded_at"], i["status"]["valid_to"]) for i in items] == [
        (f"grant-{grant.pk}", "2015-09-01", "2026-03-02T10:00:00Z", "2018-09-30"),
    ]
    # once: the page of everything has it at its new moment only
    everything = [i["id"] for i in feed(client)]
    assert everything.count(f"grant-{grant.pk}") == 1
    assert everything[0] == f"grant-{grant.pk}"


def test_a_withdrawal_does_not_publish_the_grant_again(client, world):
    with recorded(D(2026, 3, 2)):
        services.withdraw_status(
            grant=world["first"], withdrawn_on=D(2017, 1, 1), reason="Błąd", by=None
        )
    items = feed(client, since="2026-03-01")
    assert [(i["id"], i["on"], i["recorded_at"], i["reason"]) for i in items] == [
        (f"withdrawal-{world['first'].pk}", "2017-01-01", "2026-03-02T10:00:00Z", "Błąd"),
    ]


def test_a_change_without_history_is_recorded_on_the_day_it_took_effect(client, world):
    (bulk,) = StatusGrant.objects.bulk_create(
        [
            StatusGrant(
                cluster=world["beta"], round_label="VI", decision_on=D(2025, 1, 2),
                valid_from=D(2025, 1, 2), valid_to=D(2027, 12, 31),
            )
        ]
    )  # fmt: skip
    items = feed(client, since="2023-01-01")
    assert [(i["id"], i["recorded_at"]) for i in items] == [
        (f"grant-{bulk.pk}", "2025-01-02T00:00:00Z")
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2020-02-30"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
    ],
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


def _atom(client):
    response = client.get("/statuses/feed.atom", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def test_atom_feed(client, world):
    root = _atom(client)
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}updated").text for e in entries] == [
        "2022-06-30T12:00:00+02:00",
        "2021-12-20T11:00:00+01:00",
        "2020-01-01T11:00:00+01:00",
        "2019-06-01T12:00:00+02:00",
        "2015-09-01T12:00:00+02:00",
    ]
    assert [e.find(f"{ATOM}published").text for e in entries] == [
        e.find(f"{ATOM}updated").text for e in entries
    ]
    assert root.find(f"{ATOM}updated").text == "2022-06-30T12:00:00+02:00"
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[3] == "KOM is named Evoluma Klaster Przemysłowy from 1 June 2019"
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert links == {
        f"http://testserver/statuses/clusters/{world['kom'].pk}/",
        f"http://testserver/statuses/clusters/{world['beta'].pk}/",
    }
    assert all(e.find(f"{ATOM}id").text for e in entries)
    summaries = [e.find(f"{ATOM}summary").text for e in entries]
    assert summaries[0] == (
        "Round V, valid from 20 December 2021 to 31 December 2024. Reason: Wniosek koordynatora."
    )


def test_atom_updated_moves_with_a_back_dated_change(client, world):
    with recorded(D(2026, 3, 2), hour=9):
        identity.rename_cluster(
            cluster=world["beta"], name="Beta Nowa", valid_from=D(2025, 6, 1), by=None
        )
    root = _atom(client)
    assert root.find(f"{ATOM}updated").text == "2026-03-02T10:00:00+01:00"
    first = root.find(f"{ATOM}entry")
    assert first.find(f"{ATOM}updated").text == "2026-03-02T10:00:00+01:00"
    assert first.find(f"{ATOM}title").text == "Beta is named Beta Nowa from 1 June 2025"


def test_atom_summary_has_one_full_stop_after_a_name_ending_with_one(client, world):
    kom = world["kom"]
    with recorded(D(2026, 3, 2)):
        world["new"].name = "Nowy Koordynator sp. z o.o."
        world["new"].save()
        third = OrganisationFactory(name="Trzeci")
        identity.change_coordinator(
            cluster=kom, organisation=third, valid_from=D(2026, 3, 1), by=None
        )
    first = _atom(client).find(f"{ATOM}entry")
    assert first.find(f"{ATOM}summary").text == "Before: Nowy Koordynator sp. z o.o."


@pytest.mark.parametrize(
    ("since", "count"),
    [
        ("0001-01-01", 5),
        ("0001-01-01T00:00:00+05:00", 5),
        ("9999-12-31", 0),
        ("9999-12-31T23:59:59-05:00", 0),
    ],
)
def test_since_at_the_ends_of_the_calendar(client, world, since, count):
    response = client.get("/api/v1/feed.json", {"since": since})
    assert response.status_code == 200
    assert len(response.json()["items"]) == count
