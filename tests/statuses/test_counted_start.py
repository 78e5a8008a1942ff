"""Verification counts a backdated membership from the day it was recorded until an operator
accepts the evidence of its start, then from the start itself (issue #12); the answer says
which, and the "at least N months" tie-break follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from keyclusters.registry import services as registry
from keyclusters.registry.models import MembershipEvidence
from keyclusters.statuses import index, selectors
from keyclusters.statuses import services as statuses
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NIP = "1132853869"


def verify(client, key, **params):
    response = client.get("/api/v1/verification", {"nip": NIP, **params},
                          headers={"X-API-Key": key})  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def backdated():
    today = timezone.localdate()
    cluster = ClusterFactory(name="Klaster Kluczowy")
    statuses.grant_status(
        cluster=cluster, round_label="VII", decision_on=dt.date(2020, 1, 1),
        valid_from=dt.date(2020, 1, 1), valid_to=today + dt.timedelta(days=900), by=None,
    )  # fmt: skip
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    membership = registry.add_membership(
        cluster=cluster, organisation_data={"nip": NIP, "name": "Firma", "kind": "enterprise"},
        role="member", joined_on=dt.date(2021, 3, 1), by=coordinator,
        evidence=("deklaracja.pdf", PDF), evidence_kind="accession-declaration",
    )  # fmt: skip
    return cluster, membership, today


def test_counted_from_the_recording_until_the_evidence_is_accepted(client, api_key, backdated):
    cluster, membership, today = backdated
    answer = verify(client, api_key, on=today.isoformat())
    assert answer["memberships"] == [
        {
            "cluster": {"id": cluster.pk, "name": "Klaster Kluczowy"},
            "role": "member",
            "member_since": today.isoformat(),
            "member_since_basis": "recorded",
            "member_since_basis_on": today.isoformat(),
            "counted_from": today.isoformat(),
            "counted_from_basis": "recorded",
            "joined_on": "2021-03-01",
            "member_until": None,
            "contested": False,
            "contested_on": None,
            "status_type": "kkk",
            "status": {"round": "VII", "valid_from": "2020-01-01",
                       "valid_to": (today + dt.timedelta(days=900)).isoformat()},
        }
    ]  # fmt: skip
    # before the recording the registry does not vouch for it; the 6-month tie-break fails
    day_before = (today - dt.timedelta(days=1)).isoformat()
    assert verify(client, api_key, on=day_before)["key_cluster_member"] is False
    assert verify(client, api_key, on=today.isoformat(), min_months=6)["memberships"] == []

    operator = UserFactory(roles=["operator"])
    registry.decide_evidence(evidence=MembershipEvidence.objects.get(), accept=True, by=operator)

    answer = verify(client, api_key, on=today.isoformat(), min_months=6)
    assert answer["key_cluster_member"] is True
    assert {k: answer["memberships"][0][k] for k in
            ("member_since", "member_since_basis", "member_since_basis_on", "joined_on")} == {
        "member_since": "2021-03-01", "member_since_basis": "evidence",
        "member_since_basis_on": today.isoformat(), "joined_on": "2021-03-01",
    }  # fmt: skip
    assert verify(client, api_key, on="2021-03-01")["key_cluster_member"] is True
    assert verify(client, api_key, on="2021-02-28")["key_cluster_member"] is False


def test_the_index_answers_the_same(backdated):
    cluster, membership, today = backdated
    for on, min_months in ((today, None), (today, 6), (today - dt.timedelta(days=1), None)):
        assert index.VerificationIndex.load().answer(NIP, on=on, min_months=min_months) == (
            selectors.verify_nip_from_database(NIP, on=on, min_months=min_months)
        )
        assert index.VerificationIndex.load().answers([NIP], on=on, min_months=min_months) == (
            selectors.verify_nips_from_database([NIP], on=on, min_months=min_months)
        )


def test_the_basis_as_a_person_reads_it(backdated):
    cluster, membership, today = backdated
    answer = selectors.verify_nip_from_database(NIP, on=today, min_months=None)
    with translation.override("en"):
        day = today.strftime("%-d %b %Y")
        assert selectors.basis_text(answer["memberships"][0]) == (
            f"counted from {day}, the day it was recorded (the evidence of the earlier start is "
            "not accepted)"
        )
        registry.decide_evidence(
            evidence=MembershipEvidence.objects.get(),
            accept=True,
            by=UserFactory(roles=["operator"]),
        )
        answer = selectors.verify_nip_from_database(NIP, on=today, min_months=None)
        assert selectors.basis_text(answer["memberships"][0]) == (
            f"joined on 1 Mar 2021, evidence accepted on {day}"
        )
