"""The public registry on a past date, its exports and membership certificates use the
cluster's name and coordinator of that date (keyclusters.registry.identity)."""

import datetime as dt
import json

import pytest

from keyclusters.registry import identity
from keyclusters.statuses import services
from keyclusters.statuses.models import StatusGrant
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def kom():
    cluster = ClusterFactory(name="KOM", founded_on=D(2012, 3, 1))
    StatusGrant.objects.create(
        cluster=cluster, round_label="I", decision_on=D(2015, 9, 23),
        valid_from=D(2015, 9, 23), valid_to=D(2030, 12, 31),
    )  # fmt: skip
    cluster.old_coordinator = cluster.coordinator
    identity.rename_cluster(
        cluster=cluster, name="Evoluma Klaster Przemysłowy", valid_from=D(2023, 5, 1), by=None
    )
    identity.change_coordinator(
        cluster=cluster,
        organisation=OrganisationFactory(name="Nowy Koordynator"),
        valid_from=D(2023, 5, 1),
        by=None,
    )
    return cluster


def test_the_registry_page_on_a_date_before_the_rename(client, kom):
    before = client.get("/statuses/", {"on": "2020-01-01"}).content.decode()
    assert ">KOM</a>" in before
    assert kom.old_coordinator.name in before
    assert "Evoluma" not in before
    after = client.get("/statuses/", {"on": "2024-01-01"}).content.decode()
    assert ">Evoluma Klaster Przemysłowy</a>" in after
    assert "Nowy Koordynator" in after


def test_the_exports_on_a_date_use_the_names_of_that_date(client, kom):
    document = json.loads(client.get("/statuses/registry.json", {"on": "2020-01-01"}).content)
    (row,) = document["clusters"]
    assert (row["cluster_name"], row["coordinator_name"], row["coordinator_nip"]) == (
        "KOM",
        kom.old_coordinator.name,
        kom.old_coordinator.nip,
    )
    csv = client.get("/statuses/registry.csv", {"on": "2024-01-01"}).content.decode()
    assert ",Evoluma Klaster Przemysłowy,Nowy Koordynator," in csv


def test_a_membership_certificate_names_the_cluster_of_its_date(kom):
    member = MembershipFactory(cluster=kom, joined_on=D(2016, 1, 1))
    nip = member.organisation.nip
    old = services.membership_certificate(nip=nip, on=D(2020, 1, 1), by=None)
    assert [m["cluster"]["name"] for m in old.payload["memberships"]] == ["KOM"]
    new = services.membership_certificate(nip=nip, on=D(2024, 1, 1), by=None)
    assert [m["cluster"]["name"] for m in new.payload["memberships"]] == [
        "Evoluma Klaster Przemysłowy"
    ]


def test_the_status_timeline_names_the_cluster_of_the_grant(client, kom):
    page = client.get(f"/statuses/clusters/{kom.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Granted to the cluster under its former name KOM." in page


def test_verification_on_a_date_names_the_cluster_as_it_was_named_then_on_both_paths(kom):
    from keyclusters.statuses import index, selectors

    member = OrganisationFactory(name="Członek KOM")
    MembershipFactory(cluster=kom, organisation=member, joined_on=D(2014, 1, 1))
    built = index.VerificationIndex.load()
    for on, name in ((D(2020, 1, 1), "KOM"), (D(2024, 1, 1), "Evoluma Klaster Przemysłowy")):
        from_database = selectors.verify_nip_from_database(member.nip, on=on)
        assert [m["cluster"]["name"] for m in from_database["memberships"]] == [name]
        assert built.answer(member.nip, on=on) == from_database
        (bulk,) = selectors.verify_nips_from_database([member.nip], on=on)
        assert bulk == from_database
        assert built.answers([member.nip], on=on) == [from_database]


def test_the_database_path_names_the_cluster_of_the_date_in_its_one_query(kom):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keyclusters.statuses import selectors

    member = OrganisationFactory(name="Członek KOM")
    MembershipFactory(cluster=kom, organisation=member, joined_on=D(2014, 1, 1))
    with CaptureQueriesContext(connection) as queries:
        answer = selectors.verify_nip_from_database(member.nip, on=D(2016, 6, 1))
    assert [m["cluster"]["name"] for m in answer["memberships"]] == ["KOM"]
    assert len(queries) == 1
