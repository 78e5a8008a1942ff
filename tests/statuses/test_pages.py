"""The public registry of key clusters, its open-data export and the status timelines."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyclusters.registry.models import Voivodeship
from keyclusters.statuses import services
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTRY = reverse("statuses:registry")


def names(response):
    """The names in the page's order (checked sorted: the collation differs between databases)."""
    found = [c.name for c in response.context["clusters"]]
    assert len(set(found)) == len(found)
    return set(found)


def test_the_registry_on_a_date(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    assert names(client.get(REGISTRY, {"on": "2022-01-09"})) == {
        "Klaster Wycofany", "Klaster z Przerwą", "Klaster Łódzki",
    }  # fmt: skip
    assert names(client.get(REGISTRY, {"on": "2022-01-10"})) == {
        "Klaster Wycofany", "Klaster Łódzki",
    }  # fmt: skip
    assert names(client.get(REGISTRY, {"on": "2023-05-10"})) == {"Klaster Łódzki"}
    assert names(client.get(REGISTRY, {"on": "2018-09-22"})) == {
        "Klaster Odnowiony", "Klaster z Przerwą",
    }  # fmt: skip
    response = client.get(REGISTRY, {"on": "2014-01-01"})
    assert names(response) == set()
    assert "No cluster held the key cluster status on this date." in response.content.decode()


def test_the_registry_filters(client, world):
    world.lodz.voivodeship = "lodzkie"
    world.lodz.specialisation = "Tekstylia"
    world.lodz.save()
    world.gap.voivodeships.add(Voivodeship.objects.get(code="lodzkie"))
    on = {"on": "2022-01-05"}
    assert names(client.get(REGISTRY, {**on, "voivodeship": "lodzkie"})) == {
        "Klaster z Przerwą", "Klaster Łódzki",
    }  # fmt: skip
    assert names(client.get(REGISTRY, {**on, "specialisation": "Tekstylia"})) == {"Klaster Łódzki"}
    assert names(client.get(REGISTRY, {**on, "voivodeship": "slaskie"})) == set()


def test_the_registry_makes_a_constant_number_of_queries(client, world):
    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(REGISTRY, {"on": "2022-06-01", "voivodeship": "mazowieckie"})
        assert response.status_code == 200
        return len(captured.captured_queries), len(response.context["clusters"])

    few = count()
    for n in range(30):
        cluster = ClusterFactory(name=f"Klaster Nowy {n:02d}")
        MembershipFactory(cluster=cluster)
        services.grant_status(
            cluster=cluster, round_label="V", decision_on=dt.date(2021, 12, 20),
            valid_from=dt.date(2021, 12, 20), valid_to=dt.date(2024, 12, 31), by=None,
        )  # fmt: skip
    many = count()
    assert (few[1], many[1]) == (2, 32)
    # the status types, the specialisations, the clusters with their grants
    assert few[0] == many[0] == 3


def test_the_open_data_export(client, world):
    MembershipFactory(cluster=world.lodz, joined_on=dt.date(2016, 1, 1))
    response = client.get(reverse("statuses:registry-export", args=["csv"]), {"on": "2022-06-01"})
    assert response["Content-Disposition"] == 'attachment; filename="key-clusters-2022-06-01.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [
        "cluster_id", "cluster_name", "coordinator_name", "coordinator_nip", "voivodeship",
        "specialisation", "status_type", "status_name", "round", "decision_on", "valid_from",
        "valid_to", "member_count",
    ]  # fmt: skip
    assert [r["cluster_name"] for r in rows] == [
        c.name for c in client.get(REGISTRY, {"on": "2022-06-01"}).context["clusters"]
    ]
    (lodz,) = [r for r in rows if r["cluster_name"] == "Klaster Łódzki"]
    assert lodz == {
        "cluster_id": str(world.lodz.pk), "cluster_name": "Klaster Łódzki",
        "coordinator_name": "Fundacja Źródło Innowacji", "coordinator_nip": "7251801126",
        "voivodeship": "mazowieckie", "specialisation": "ICT", "status_type": "kkk",
        "status_name": "status Krajowego Klastra Kluczowego", "round": "V",
        "decision_on": "2021-12-20", "valid_from": "2021-12-20", "valid_to": "2024-12-31",
        "member_count": "4",  # coordinator, the member, the early member, the new one
    }  # fmt: skip
    response = client.get(reverse("statuses:registry-export", args=["json"]), {"on": "2022-06-01"})
    document = json.loads(response.content)
    assert (document["schema"], document["on"]) == ("keyclusters.registry/1", "2022-06-01")
    assert len(document["clusters"]) == 2
    (entry,) = [c for c in document["clusters"] if c["cluster_id"] == world.lodz.pk]
    assert entry == {**lodz, "cluster_id": world.lodz.pk, "member_count": 4}


def test_the_timeline(client, world):
    response = client.get(reverse("statuses:cluster-history", args=[world.gap.pk]))
    grants = response.context["grants"]
    assert [(g.round_label, g.state_today) for g in grants] == [
        ("I", "expired"),
        ("III", "expired"),
    ]
    html = response.content.decode()
    assert html.count('class="badge text-bg-secondary"') >= 2
    response = client.get(reverse("statuses:cluster-history", args=[world.withdrawn.pk]))
    assert [g.state_today for g in response.context["grants"]] == ["withdrawn"]
    assert "Utrata potencjału" in response.content.decode()
    assert response.context["can_download"] is False


def test_operators_withdraw_a_status_with_history(client, world):
    grant = world.grants["lodz"]
    url = reverse("statuses:withdraw", args=[grant.pk])
    client.force_login(UserFactory(roles=["coordinator"]))
    assert client.post(url, {"withdrawn_on": "2024-01-01", "reason": "x"}).status_code == 403
    operator = UserFactory(roles=["operator"])
    client.force_login(operator)
    response = client.post(url, {"withdrawn_on": "2024-01-02", "reason": "Naruszenie zasad"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.withdrawn_on, grant.withdrawal_reason) == (
        dt.date(2024, 1, 2),
        "Naruszenie zasad",
    )
    latest = grant.history.latest()
    assert (latest.history_user, latest.withdrawn_on) == (operator, dt.date(2024, 1, 2))
    response = client.post(url, {"withdrawn_on": "2024-02-01", "reason": "again"})
    assert response.status_code == 200
    assert grant.history.count() == 2


@pytest.mark.django_db
def test_a_date_that_cannot_be_read_gets_no_list_of_another_day(client):
    cluster = ClusterFactory(name="Klaster Dzisiejszy")
    services.grant_status(
        cluster=cluster, round_label="VII", decision_on=dt.date(2020, 1, 1),
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2099, 12, 31), by=None,
    )  # fmt: skip
    page = client.get(REGISTRY, {"on": "bad"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    content = page.content.decode()
    assert "On: Enter a valid date." in content
    assert 'id="registry-refused"' in content and "Klaster Dzisiejszy" not in content
    csv_export = client.get(
        reverse("statuses:registry-export", args=["csv"]), {"on": "bad"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (csv_export.status_code, csv_export.content.decode()) == (
        400,
        "on: Enter a valid date.\n",
    )
    json_export = client.get(
        reverse("statuses:registry-export", args=["json"]),
        {"on": "2024-02-30"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (json_export.status_code, json_export.json()) == (
        400,
        {"errors": {"on": ["Enter a valid date."]}},
    )
    assert client.get(REGISTRY, HTTP_ACCEPT_LANGUAGE="en").status_code == 200  # today
