import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyclusters.registry.models import Voivodeship
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_openapi_lists_the_cluster_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/clusters" in paths
    assert "/api/v1/clusters/{cluster_id}" in paths


def test_list_filters_and_counts_current_members(client):
    a = ClusterFactory(name="Alfa", voivodeship="pomorskie", specialisation="ICT")
    b = ClusterFactory(name="Beta", voivodeship="slaskie", specialisation="Energetyka")
    b.voivodeships.add(Voivodeship.objects.get(pk="pomorskie"))
    MembershipFactory(cluster=a, joined_on=dt.date(2020, 1, 1))
    MembershipFactory(cluster=a, joined_on=dt.date(2020, 1, 1), left_on=dt.date(2021, 1, 1))
    MembershipFactory(cluster=a, role="strategic-partner", joined_on=dt.date(2020, 1, 1))

    body = client.get("/api/v1/clusters").json()
    assert body["count"] == 2
    assert [c["name"] for c in body["items"]] == ["Alfa", "Beta"]
    # the coordinator and one current member; the former member and the partner do not count
    assert body["items"][0]["member_count"] == 2

    by_region = client.get("/api/v1/clusters", {"voivodeship": "pomorskie"}).json()
    assert [c["name"] for c in by_region["items"]] == ["Alfa", "Beta"]
    by_seat = client.get("/api/v1/clusters", {"voivodeship": "slaskie"}).json()
    assert [c["name"] for c in by_seat["items"]] == ["Beta"]
    by_text = client.get("/api/v1/clusters", {"q": "energ"}).json()
    assert [c["name"] for c in by_text["items"]] == ["Beta"]
    page = client.get("/api/v1/clusters", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2
    assert [c["name"] for c in page["items"]] == ["Beta"]


def test_detail_gives_member_counts_by_kind_and_size(client):
    cluster = ClusterFactory(name="Alfa")
    for size in ["micro", "micro", "large"]:
        MembershipFactory(cluster=cluster, organisation=OrganisationFactory(size=size))
    MembershipFactory(
        cluster=cluster,
        organisation=OrganisationFactory(kind="university", size=""),
        advanced_cooperation_group=True,
    )
    MembershipFactory(cluster=cluster, role="strategic-partner")
    body = client.get(f"/api/v1/clusters/{cluster.pk}").json()
    assert body["name"] == "Alfa"
    assert body["coordinator"]["nip"] == cluster.coordinator.nip
    assert body["members"] == {
        "total": 5,
        "by_kind": {"business-support": 1, "enterprise": 3, "university": 1},
        "by_size": {"large": 1, "micro": 2},
        "strategic_partners": 1,
        "advanced_cooperation_group": 1,
    }


def test_unknown_cluster_is_404(client):
    assert client.get("/api/v1/clusters/999999").status_code == 404


def test_list_query_count_does_not_grow(client):
    def count_for(n: int) -> int:
        for _ in range(n):
            ClusterFactory()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/clusters", {"limit": 100}).status_code == 200
        return len(ctx.captured_queries)

    assert count_for(5) == count_for(45)
