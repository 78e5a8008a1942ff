"""Who may manage a cluster's members: its coordinator and operators, nobody else."""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keyclusters.registry.models import Membership, Organisation
from keyclusters.registry.rules import is_cluster_coordinator, is_operator
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PERM = "registry.manage_cluster_members"


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def cluster_a():
    return ClusterFactory(name="Klaster A")


@pytest.fixture
def cluster_b():
    return ClusterFactory(name="Klaster B")


@pytest.fixture
def coordinator_a(cluster_a):
    return UserFactory(roles=["coordinator"], organisation=cluster_a.coordinator)


@pytest.fixture
def importer_calls(monkeypatch):
    """Stand-in for keyclusters.registry.importing (import_members, ImportRejected)."""
    calls = []
    module = types.ModuleType("keyclusters.registry.importing")

    class ImportRejected(Exception):
        errors: list = []

    def import_members(**kwargs):
        calls.append(kwargs)
        raise AssertionError("must not be called")

    module.ImportRejected = ImportRejected
    module.import_members = import_members
    monkeypatch.setitem(sys.modules, "keyclusters.registry.importing", module)
    return calls


def test_predicates(cluster_a, cluster_b, coordinator_a):
    operator = UserFactory(roles=["operator"])
    no_role = UserFactory(organisation=cluster_a.coordinator)
    other_role = UserFactory(roles=["expert"], organisation=cluster_a.coordinator)
    unlinked = UserFactory(roles=["coordinator"])
    inactive = UserFactory(roles=["coordinator"], organisation=cluster_a.coordinator)
    inactive.is_active = False

    assert is_cluster_coordinator(coordinator_a, cluster_a) is True
    assert is_cluster_coordinator(coordinator_a, cluster_b) is False
    assert is_cluster_coordinator(coordinator_a, None) is False
    assert is_cluster_coordinator(no_role, cluster_a) is False
    assert is_cluster_coordinator(other_role, cluster_a) is False
    assert is_cluster_coordinator(unlinked, cluster_a) is False
    assert is_cluster_coordinator(inactive, cluster_a) is False
    assert is_cluster_coordinator(AnonymousUser(), cluster_a) is False
    assert is_operator(operator) is True
    assert is_operator(coordinator_a) is False


def test_permission_combines_coordinator_and_operator(cluster_a, cluster_b, coordinator_a):
    operator = UserFactory(roles=["operator"])
    analyst = UserFactory(roles=["analyst"])

    assert coordinator_a.has_perm(PERM, cluster_a) is True
    assert coordinator_a.has_perm(PERM, cluster_b) is False
    assert operator.has_perm(PERM, cluster_a) is True
    assert operator.has_perm(PERM, cluster_b) is True
    assert analyst.has_perm(PERM, cluster_a) is False
    assert AnonymousUser().has_perm(PERM, cluster_a) is False


def _snapshot():
    return (
        sorted(Membership.objects.values_list("pk", "cluster_id", "organisation_id", "left_on")),
        Organisation.objects.count(),
    )


def test_coordinator_of_a_gets_403_on_every_page_of_b(
    client, cluster_a, cluster_b, coordinator_a, importer_calls
):
    member_b = MembershipFactory(cluster=cluster_b, joined_on=dt.date(2015, 1, 1))
    before = _snapshot()
    client.force_login(coordinator_a)
    pk = cluster_b.pk

    responses = {
        "manage": client.get(reverse("registry:cluster-manage", args=[pk])),
        "add form": client.get(reverse("registry:member-add", args=[pk])),
        "add": client.post(
            reverse("registry:member-add", args=[pk]),
            {"nip": "1132853869", "name": "Intruz", "kind": "enterprise"}
            | {"role": "member", "joined_on": "2024-01-01"},
        ),
        "end": client.post(
            reverse("registry:membership-end", args=[pk, member_b.pk]),
            {"left_on": "2024-01-01", "confirmed": "yes"},
        ),
        "import form": client.get(reverse("registry:members-import", args=[pk])),
        "import": client.post(
            reverse("registry:members-import", args=[pk]),
            {"file": SimpleUploadedFile("m.csv", b"name,nip\nIntruz,1132853869\n")},
        ),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    assert _snapshot() == before
    assert importer_calls == []
    member_b.refresh_from_db()
    assert member_b.left_on is None
    # …while their own cluster is open to them.
    assert client.get(reverse("registry:cluster-manage", args=[cluster_a.pk])).status_code == 200


def test_anonymous_is_sent_to_login(client, cluster_a, importer_calls):
    membership = MembershipFactory(cluster=cluster_a)
    before = _snapshot()
    urls = [
        reverse("registry:my-clusters"),
        reverse("registry:cluster-manage", args=[cluster_a.pk]),
        reverse("registry:member-add", args=[cluster_a.pk]),
        reverse("registry:members-import", args=[cluster_a.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    end_url = reverse("registry:membership-end", args=[cluster_a.pk, membership.pk])
    response = client.post(end_url, {"left_on": "2024-01-01", "confirmed": "yes"})
    assert response["Location"] == f"/accounts/login/?next={end_url}"
    assert _snapshot() == before


def test_other_roles_get_403(client, cluster_a):
    for roles in (["expert"], ["analyst"], []):
        user = UserFactory(roles=roles, organisation=cluster_a.coordinator)
        client.force_login(user)
        assert (
            client.get(reverse("registry:cluster-manage", args=[cluster_a.pk])).status_code == 403
        )
        assert client.get(reverse("registry:my-clusters")).status_code == 403


def test_operator_manages_any_cluster(client, cluster_a, cluster_b):
    operator = UserFactory(roles=["operator"])
    membership = MembershipFactory(cluster=cluster_b, joined_on=dt.date(2015, 1, 1))
    OrganisationFactory(nip="5260250274", name="Dodana")
    client.force_login(operator)

    assert client.get(reverse("registry:cluster-manage", args=[cluster_a.pk])).status_code == 200
    added = client.post(
        reverse("registry:member-add", args=[cluster_a.pk]),
        {"nip": "5260250274", "kind": "enterprise", "role": "member", "joined_on": "2020-02-02"},
    )
    ended = client.post(
        reverse("registry:membership-end", args=[cluster_b.pk, membership.pk]),
        {"left_on": "2021-03-31", "confirmed": "yes"},
    )

    assert (added.status_code, ended.status_code) == (302, 302)
    added_membership = cluster_a.memberships.get(organisation__nip="5260250274")
    assert added_membership.joined_on == dt.date(2020, 2, 2)
    assert added_membership.history.get().history_user == operator
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2021, 3, 31)
    assert membership.history.latest().history_user == operator


def test_detail_page_shows_manage_link_only_to_those_allowed(
    client, cluster_a, cluster_b, coordinator_a
):
    client.force_login(coordinator_a)
    own = client.get(reverse("registry:cluster-detail", args=[cluster_a.pk])).content.decode()
    other = client.get(reverse("registry:cluster-detail", args=[cluster_b.pk])).content.decode()
    assert reverse("registry:cluster-manage", args=[cluster_a.pk]) in own
    assert reverse("registry:cluster-manage", args=[cluster_b.pk]) not in other
