"""The registry's queues on the operator's "needs attention" list: evidence of backdated
memberships awaiting review and proposed changes of organisations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from keyclusters.registry.models import (
    EvidenceKind,
    EvidenceState,
    MembershipEvidence,
    OrganisationChangeRequest,
)
from keyclusters.web.attention import Item, needs_attention
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)


def evidence(cluster, name, when):
    membership = MembershipFactory(
        cluster=cluster,
        organisation=OrganisationFactory(name=name),
        evidence_state=EvidenceState.SUBMITTED,
    )
    return MembershipEvidence.objects.create(
        membership=membership,
        kind=EvidenceKind.ACCESSION,
        document="membership-evidence/2026/deklaracja.pdf",
        uploaded_at=when,
        uploaded_by=UserFactory(first_name="Ewa", last_name="Nowak"),
    )


def proposal(cluster, name, when):
    return OrganisationChangeRequest.objects.create(
        organisation=OrganisationFactory(name=name, city="Łódź"),
        field="city",
        registry_value="Łódź",
        proposed_value="Kraków",
        cluster=cluster,
        source=OrganisationChangeRequest.Source.IMPORT,
        row=4,
        proposed_at=when,
    )


def groups():
    with translation.override("en"):
        return {group["kind"]: group for group in needs_attention([], now=NOW)}


def test_evidence_and_proposed_changes_need_the_operators_attention():
    cluster = ClusterFactory(name="Klaster Dowodowy")
    sent = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)
    evidence(cluster, "Firma Wsteczna", sent)
    proposal(cluster, "Firma Wspólna", sent)
    found = groups()
    assert found["evidence"]["items"] == [
        Item(
            "Firma Wsteczna – Klaster Dowodowy",
            "Accession declaration",
            timezone.localtime(sent),
            reverse("registry:evidence-queue"),
            note="Ewa Nowak",
        )
    ]
    with translation.override("en"):
        assert str(found["evidence"]["title"]) == "Evidence of backdated memberships"
    assert found["changes"]["items"] == [
        Item(
            "Firma Wspólna: city",
            "Klaster Dowodowy",
            timezone.localtime(sent),
            reverse("registry:change-requests"),
            note="Kraków",
        )
    ]


def test_decided_ones_are_not_listed():
    cluster = ClusterFactory()
    decided = evidence(cluster, "Firma", NOW)
    MembershipEvidence.objects.filter(pk=decided.pk).update(state=MembershipEvidence.State.ACCEPTED)
    request = proposal(cluster, "Inna", NOW)
    OrganisationChangeRequest.objects.filter(pk=request.pk).update(
        state=OrganisationChangeRequest.State.DISMISSED
    )
    assert "evidence" not in groups() and "changes" not in groups()


def test_as_many_queries_whatever_the_number_of_items():
    cluster = ClusterFactory()
    evidence(cluster, "Firma 0", NOW)
    proposal(cluster, "Inna 0", NOW)
    with CaptureQueriesContext(connection) as few:
        needs_attention([], now=NOW)
    for i in range(1, 6):
        evidence(cluster, f"Firma {i}", NOW)
        proposal(cluster, f"Inna {i}", NOW)
    with CaptureQueriesContext(connection) as many:
        assert len(groups()["evidence"]["items"]) == 6
    assert len(many.captured_queries) == len(few.captured_queries)
