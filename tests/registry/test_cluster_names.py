"""A cluster's identity over time: renames and changes of coordinator from a date, and the name
and coordinator of a date (keyclusters.registry.identity)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from keyclusters.registry import identity
from keyclusters.registry.models import Cluster, ClusterName, Membership
from tests.factories import ClusterFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

D = dt.date


def renamed(name="KOM", new="Evoluma Klaster Przemysłowy", on=None):
    cluster = ClusterFactory(name=name, founded_on=D(2012, 3, 1))
    identity.rename_cluster(cluster=cluster, name=new, valid_from=on or D(2023, 5, 1), by=None)
    return cluster


def test_rename_closes_the_current_name_the_day_before():
    cluster = renamed()
    cluster.refresh_from_db()
    assert cluster.name == "Evoluma Klaster Przemysłowy"
    assert list(cluster.names.values_list("name", "valid_from", "valid_to")) == [
        ("KOM", D(2012, 3, 1), D(2023, 4, 30)),
        ("Evoluma Klaster Przemysłowy", D(2023, 5, 1), None),
    ]


def test_name_on_a_date():
    cluster = renamed()
    assert identity.name_on(cluster, D(2023, 4, 30)) == "KOM"
    assert identity.name_on(cluster, D(2023, 5, 1)) == "Evoluma Klaster Przemysłowy"
    assert identity.name_on(cluster, D(2030, 1, 1)) == "Evoluma Klaster Przemysłowy"
    # before the founding: the first name
    assert identity.name_on(cluster, D(2000, 1, 1)) == "KOM"


def test_a_cluster_without_recorded_names_bears_its_name():
    cluster = ClusterFactory(name="Bez historii")
    assert identity.name_on(cluster, D(2013, 1, 1)) == "Bez historii"
    assert [p.name for p in identity.name_history(cluster)] == ["Bez historii"]


def test_names_on_is_one_query_for_a_list(django_assert_num_queries):
    clusters = [renamed(name=f"K{n}", new=f"N{n}") for n in range(5)] + [ClusterFactory(name="X")]
    with django_assert_num_queries(1):
        names = identity.names_on(clusters, D(2020, 1, 1))
    assert names == {
        c.pk: n for c, n in zip(clusters, ["K0", "K1", "K2", "K3", "K4", "X"], strict=True)
    }


def test_with_identity_on_annotates_in_one_query(django_assert_num_queries):
    renamed()
    ClusterFactory(name="Alfa")
    queryset = identity.with_identity_on(Cluster.objects.order_by("pk"), D(2020, 1, 1))
    with django_assert_num_queries(1):
        assert [c.name_then for c in queryset] == ["KOM", "Alfa"]


@pytest.mark.parametrize(
    ("valid_from", "message"),
    [
        (D(2012, 3, 1), "Nowa nazwa musi zacząć obowiązywać po 01.03.2012"),
        (D(2011, 1, 1), "Nowa nazwa musi zacząć obowiązywać po 01.03.2012"),
    ],
)
def test_a_rename_before_the_current_name_is_refused(valid_from, message):
    cluster = ClusterFactory(name="KOM", founded_on=D(2012, 3, 1))
    with pytest.raises(ValidationError) as raised:
        identity.rename_cluster(cluster=cluster, name="Nowa", valid_from=valid_from, by=None)
    assert list(raised.value.message_dict) == ["valid_from"]
    assert raised.value.message_dict["valid_from"][0].startswith(message)
    assert ClusterName.objects.count() == 0
    cluster.refresh_from_db()
    assert cluster.name == "KOM"


def test_a_second_rename_before_the_first_is_refused():
    cluster = renamed()
    with pytest.raises(ValidationError) as raised:
        identity.rename_cluster(cluster=cluster, name="Trzecia", valid_from=D(2023, 4, 1), by=None)
    assert list(raised.value.message_dict) == ["valid_from"]
    assert cluster.names.count() == 2


@pytest.mark.parametrize(("name", "field"), [("", "name"), ("KOM", "name"), ("Inny", "name")])
def test_bad_names_are_refused(name, field):
    ClusterFactory(name="Inny")
    cluster = ClusterFactory(name="KOM")
    with pytest.raises(ValidationError) as raised:
        identity.rename_cluster(cluster=cluster, name=name, valid_from=D(2020, 1, 1), by=None)
    assert list(raised.value.message_dict) == [field]


def test_a_rename_in_the_future_is_refused():
    cluster = ClusterFactory(name="KOM")
    with pytest.raises(ValidationError) as raised:
        identity.rename_cluster(
            cluster=cluster, name="Nowa", valid_from=dt.date.today() + dt.timedelta(1), by=None
        )
    assert list(raised.value.message_dict) == ["valid_from"]


def test_change_of_coordinator_from_a_date():
    cluster = ClusterFactory(founded_on=D(2012, 3, 1))
    old = cluster.coordinator
    new = OrganisationFactory(name="Centrum Promocji Innowacji i Rozwoju")
    identity.change_coordinator(
        cluster=cluster, organisation=new, valid_from=D(2020, 7, 1), by=None
    )
    cluster.refresh_from_db()
    assert cluster.coordinator == new
    assert list(
        Membership.objects.filter(cluster=cluster, role="coordinator")
        .order_by("joined_on")
        .values_list("organisation_id", "joined_on", "left_on")
    ) == [(old.pk, D(2012, 3, 1), D(2020, 6, 30)), (new.pk, D(2020, 7, 1), None)]
    assert identity.coordinator_on(cluster, D(2020, 6, 30)) == old
    assert identity.coordinator_on(cluster, D(2020, 7, 1)) == new
    history = identity.coordinator_history(cluster)
    assert [(p.organisation, p.valid_from, p.valid_to) for p in history] == [
        (old, D(2012, 3, 1), D(2020, 6, 30)),
        (new, D(2020, 7, 1), None),
    ]


def test_coordinators_on_is_one_query_for_loaded_clusters(django_assert_num_queries):
    for _ in range(4):
        ClusterFactory()
    clusters = list(Cluster.objects.select_related("coordinator"))
    with django_assert_num_queries(1):
        found = identity.coordinators_on(clusters, D(2020, 1, 1))
    assert found == {c.pk: c.coordinator for c in clusters}


def test_a_change_of_coordinator_before_the_current_one_is_refused():
    cluster = ClusterFactory(founded_on=D(2012, 3, 1))
    before = cluster.coordinator
    with pytest.raises(ValidationError) as raised:
        identity.change_coordinator(
            cluster=cluster, organisation=OrganisationFactory(), valid_from=D(2012, 3, 1), by=None
        )
    assert list(raised.value.message_dict) == ["valid_from"]
    cluster.refresh_from_db()
    assert cluster.coordinator == before
    assert Membership.objects.filter(cluster=cluster).count() == 1


def test_the_same_coordinator_is_refused():
    cluster = ClusterFactory()
    with pytest.raises(ValidationError) as raised:
        identity.change_coordinator(
            cluster=cluster, organisation=cluster.coordinator, valid_from=D(2020, 1, 1), by=None
        )
    assert list(raised.value.message_dict) == ["organisation"]


# --- the operator's page and the cluster's page ------------------------------------------------


@pytest.fixture
def operator_client(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(roles=["operator"]))
    return client


def test_the_page_asks_first_then_renames(operator_client):
    cluster = ClusterFactory(name="KOM", founded_on=D(2012, 3, 1))
    url = f"/clusters/{cluster.pk}/identity/"
    data = {"action": "rename", "rename-name": "Evoluma", "rename-valid_from": "2023-05-01"}
    asked = operator_client.post(url, data)
    assert asked.status_code == 200
    assert "Zmienić nazwę klastra KOM na Evoluma od 01.05.2023?" in asked.content.decode()
    assert ClusterName.objects.count() == 0
    done = operator_client.post(url, {**data, "confirmed": "yes"})
    assert done.status_code == 302
    cluster.refresh_from_db()
    assert cluster.name == "Evoluma"
    page = operator_client.get(f"/clusters/{cluster.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert "<tr><td>KOM</td><td>1 Mar 2012</td><td>30 Apr 2023</td></tr>" in page.decode()


def test_the_page_refuses_a_date_before_the_current_name_on_the_field(operator_client):
    cluster = ClusterFactory(name="KOM", founded_on=D(2012, 3, 1))
    data = {
        "action": "rename", "rename-name": "Evoluma", "rename-valid_from": "2011-05-01",
        "confirmed": "yes",
    }  # fmt: skip
    response = operator_client.post(f"/clusters/{cluster.pk}/identity/", data)
    assert response.status_code == 200
    assert response.context["rename_form"].errors == {
        "valid_from": [
            "Nowa nazwa musi zacząć obowiązywać po 01.03.2012, tj. po dniu, od którego obowiązuje "
            "obecna nazwa."
        ]
    }
    assert ClusterName.objects.count() == 0


def test_the_page_changes_the_coordinator(operator_client):
    cluster = ClusterFactory(founded_on=D(2012, 3, 1))
    new = OrganisationFactory()
    data = {
        "action": "coordinator", "coordinator-nip": new.nip,
        "coordinator-valid_from": "2020-07-01", "confirmed": "yes",
    }  # fmt: skip
    assert operator_client.post(f"/clusters/{cluster.pk}/identity/", data).status_code == 302
    cluster.refresh_from_db()
    assert cluster.coordinator == new


def test_a_coordinator_may_not_rename(client):
    from tests.factories import UserFactory

    cluster = ClusterFactory()
    client.force_login(UserFactory(roles=["coordinator"], organisation=cluster.coordinator))
    data = {"action": "rename", "rename-name": "X", "rename-valid_from": "2020-01-01"}
    assert (
        client.post(f"/clusters/{cluster.pk}/identity/", {**data, "confirmed": "yes"}).status_code
        == 403
    )
    cluster.refresh_from_db()
    assert cluster.name != "X"
