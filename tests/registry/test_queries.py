"""The registry pages make a constant number of queries, however much data there is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyclusters.registry.models import CooperationDeclaration, Membership, Voivodeship
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("registry:cluster-list")


def _queries(client, url, params=None, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {}, **extra)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _make_clusters(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        cluster = ClusterFactory(name=f"Klaster {n:03d}", specialisation=f"spec {n % 4}")
        cluster.voivodeships.set(Voivodeship.objects.filter(code__in=["slaskie", "opolskie"]))
        MembershipFactory(cluster=cluster)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "klaster", "sort": "-members"},
        {"voivodeship": "slaskie", "size": "small", "specialisation": "spec 1"},
        {"page": "2"},
    ],
)
def test_cluster_list_queries_do_not_grow_with_the_number_of_clusters(client, params):
    _make_clusters(5)
    with_5 = _queries(client, LIST_URL, params)
    with_5_htmx = _queries(client, LIST_URL, params, headers={"hx-request": "true"})

    _make_clusters(45, start=5)
    with_50 = _queries(client, LIST_URL, params)
    with_50_htmx = _queries(client, LIST_URL, params, headers={"hx-request": "true"})

    assert with_5 == with_50
    assert with_5_htmx == with_50_htmx
    # specialisation choices, the paginator's count, the page of clusters
    assert with_50 <= 3


def test_cluster_list_rows_show_the_annotated_counts(client):
    _make_clusters(30)
    response = client.get(LIST_URL)
    assert response.context["page"].paginator.count == 30
    assert {c.member_count for c in response.context["clusters"]} == {2}


def _populate_cluster(cluster, members: int, former: int, partners: int, declarations: int):
    organisations = [OrganisationFactory() for _ in range(members + former + partners)]
    rows = []
    for i, organisation in enumerate(organisations):
        if i < members:
            rows.append(
                Membership(
                    cluster=cluster, organisation=organisation, joined_on=dt.date(2015, 1, 1)
                )
            )
        elif i < members + former:
            rows.append(
                Membership(
                    cluster=cluster,
                    organisation=organisation,
                    joined_on=dt.date(2015, 1, 1),
                    left_on=dt.date(2017, 1, 1),
                )
            )
        else:
            rows.append(
                Membership(
                    cluster=cluster,
                    organisation=organisation,
                    role="strategic-partner",
                    joined_on=dt.date(2016, 1, 1),
                )
            )
    Membership.objects.bulk_create(rows)
    for n in range(declarations):
        declaration = CooperationDeclaration.objects.create(
            cluster=cluster, signed_on=dt.date(2018, 1, 1 + n), place="Katowice"
        )
        declaration.signatories.set(organisations[members + former :] + [cluster.coordinator])
    cluster.voivodeships.set(Voivodeship.objects.all()[: 1 + declarations])


@pytest.mark.parametrize("logged_in", [False, True])
def test_cluster_page_queries_do_not_grow_with_members(client, logged_in):
    small = ClusterFactory(name="Mały")
    _populate_cluster(small, members=3, former=1, partners=1, declarations=1)
    large = ClusterFactory(name="Duży")
    _populate_cluster(large, members=70, former=60, partners=6, declarations=4)
    if logged_in:
        client.force_login(UserFactory(roles=["coordinator"], organisation=large.coordinator))

    small_queries = _queries(client, reverse("registry:cluster-detail", args=[small.pk]))
    large_queries = _queries(client, reverse("registry:cluster-detail", args=[large.pk]))
    large_page_2 = _queries(
        client, reverse("registry:cluster-detail", args=[large.pk]), {"page": 2, "former_page": 2}
    )

    assert small_queries == large_queries == large_page_2


def test_manage_page_and_my_clusters_queries_do_not_grow(client):
    small = ClusterFactory(name="Mały")
    _populate_cluster(small, members=2, former=1, partners=1, declarations=0)
    large = ClusterFactory(name="Duży")
    _populate_cluster(large, members=60, former=5, partners=5, declarations=0)
    operator = UserFactory(roles=["operator"])
    client.force_login(operator)

    assert _queries(client, reverse("registry:cluster-manage", args=[small.pk])) == _queries(
        client, reverse("registry:cluster-manage", args=[large.pk])
    )

    coordinator = UserFactory(roles=["coordinator"], organisation=small.coordinator)
    client.force_login(coordinator)
    one = _queries(client, reverse("registry:my-clusters"))
    for n in range(5):
        ClusterFactory(name=f"Też mój {n}", coordinator=small.coordinator)
    assert _queries(client, reverse("registry:my-clusters")) == one
