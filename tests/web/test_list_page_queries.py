"""The list pages added with issue #13 and member self-service make as many queries with 2N
rows as with N: the operators' queues (documents to review, proposed changes), invitations,
contested memberships, a membership's answers, the decisions and a decided call's results, the
administrator's dashboard and the bulk verification of a file (bench/pages.py measures the
same on the demo data)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyclusters.accounts.models import ApiKey
from keyclusters.competitions import services as competitions
from keyclusters.competitions.models import Call
from keyclusters.evaluation.models import DecisionRecord, Recommendation
from keyclusters.registry.models import (
    ConfirmationState,
    EvidenceKind,
    EvidenceState,
    MembershipConfirmation,
    MembershipConfirmationEvent,
    MembershipEvidence,
    OrganisationChangeRequest,
    OrganisationInvitation,
)
from tests.competitions.conftest import WARSAW
from tests.evaluation.conftest import RULEBOOK
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

N = 4


def queries(client, url: str, data: dict | None = None) -> tuple[int, object]:
    """The number of queries of one request (after a warm-up request), and its response."""
    send = (lambda: client.post(url, data())) if data else (lambda: client.get(url))
    send()
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code == 200
    return len(captured.captured_queries), response


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", first_name="Ola", last_name="Operator",
                       roles=["operator"], is_staff=True)  # fmt: skip


@pytest.fixture
def cluster(db):
    return ClusterFactory(name="Klaster Alfa")


@pytest.fixture
def coordinator(cluster):
    return UserFactory(username="koordynator", first_name="Karol", last_name="Koordynator",
                       roles=["coordinator"], organisation=cluster.coordinator)  # fmt: skip


def members(cluster, count: int, **fields):
    return [MembershipFactory(cluster=cluster, organisation=OrganisationFactory(), **fields)
            for _ in range(count)]  # fmt: skip


# --- the operators' queues ------------------------------------------------------------------


def add_evidence(cluster, coordinator, operator, count: int) -> None:
    """``count`` documents awaiting review, memberships awaiting a document, and decisions."""
    now = timezone.now()
    for membership in members(cluster, count, evidence_state=EvidenceState.SUBMITTED):
        MembershipEvidence.objects.create(
            membership=membership, kind=EvidenceKind.ACCESSION, uploaded_by=coordinator,
            document=f"membership-evidence/2026/evidence-{membership.pk}.pdf",
        )  # fmt: skip
    members(cluster, count, evidence_state=EvidenceState.AWAITING, recorded_by=coordinator)
    for membership in members(cluster, count, evidence_state=EvidenceState.ACCEPTED):
        MembershipEvidence.objects.create(
            membership=membership, kind=EvidenceKind.RESOLUTION, uploaded_by=coordinator,
            document=f"membership-evidence/2026/evidence-{membership.pk}.pdf",
            state=MembershipEvidence.State.ACCEPTED, decided_at=now, decided_by=operator,
        )  # fmt: skip


def test_the_evidence_queue(client, cluster, coordinator, operator):
    client.force_login(operator)
    url = reverse("registry:evidence-queue")
    add_evidence(cluster, coordinator, operator, N)
    few, response = queries(client, url)
    assert [len(response.context[k]) for k in ("queue", "awaiting", "decided")] == [N, N, N]
    add_evidence(cluster, coordinator, operator, N)
    many, response = queries(client, url)
    assert [len(response.context[k]) for k in ("queue", "awaiting", "decided")] == [2 * N] * 3
    assert many == few


def add_change_requests(cluster, coordinator, operator, count: int) -> None:
    now = timezone.now()
    for index, membership in enumerate(members(cluster, 2 * count)):
        decided = index >= count
        OrganisationChangeRequest.objects.create(
            organisation=membership.organisation, field="city", registry_value="Łódź",
            proposed_value=f"Kraków {index}", cluster=cluster,
            source=OrganisationChangeRequest.Source.FORM, proposed_by=coordinator,
            state=OrganisationChangeRequest.State.APPLIED if decided
            else OrganisationChangeRequest.State.PENDING,
            decided_at=now if decided else None, decided_by=operator if decided else None,
        )  # fmt: skip


def test_the_change_requests(client, cluster, coordinator, operator):
    client.force_login(operator)
    url = reverse("registry:change-requests")
    add_change_requests(cluster, coordinator, operator, N)
    few, response = queries(client, url)
    assert [len(response.context[k]) for k in ("requests", "decided")] == [N, N]
    add_change_requests(cluster, coordinator, operator, N)
    many, response = queries(client, url)
    assert [len(response.context[k]) for k in ("requests", "decided")] == [2 * N, 2 * N]
    assert many == few


# --- invitations and contests ---------------------------------------------------------------


def add_invitations(cluster, coordinator, operator, count: int) -> None:
    """``count`` invitations by each of the two, one in three accepted and one revoked."""
    now = timezone.now()
    invitee = UserFactory(roles=["member-organisation"])
    for index, membership in enumerate(members(cluster, 2 * count)):
        OrganisationInvitation.objects.create(
            organisation=membership.organisation, email=f"osoba{index}@example.org",
            invited_by=coordinator if index % 2 else operator,
            accepted_at=now if index % 3 == 1 else None,
            accepted_by=invitee if index % 3 == 1 else None,
            revoked_at=now if index % 3 == 2 else None,
        )  # fmt: skip


@pytest.mark.parametrize("who", ["operator", "coordinator"])
def test_the_invitations(client, cluster, coordinator, operator, who):
    client.force_login(operator if who == "operator" else coordinator)
    url = reverse("registry:invitations")
    add_invitations(cluster, coordinator, operator, N)
    few, response = queries(client, url)
    shown = 2 * N if who == "operator" else N
    assert len(response.context["invitations"]) == shown
    add_invitations(cluster, coordinator, operator, N)
    many, response = queries(client, url)
    assert len(response.context["invitations"]) == 2 * shown
    assert many == few


def add_contests(cluster, count: int) -> None:
    by = UserFactory(roles=["member-organisation"])
    for membership in members(cluster, count):
        MembershipConfirmation.objects.create(
            membership=membership, state=ConfirmationState.CONTESTED, reason="Nie jesteśmy.",
            changed_by=by, changed_by_name="Anna Alfa",
        )  # fmt: skip


@pytest.mark.parametrize("who", ["operator", "coordinator"])
def test_the_contested_memberships(client, cluster, coordinator, operator, who):
    client.force_login(operator if who == "operator" else coordinator)
    url = reverse("registry:contested")
    add_contests(cluster, N)
    add_contests(ClusterFactory(), N)  # another coordinator's cluster
    few, response = queries(client, url)
    shown = 2 * N if who == "operator" else N
    assert len(response.context["memberships"]) == shown
    add_contests(cluster, N)
    add_contests(ClusterFactory(), N)
    many, response = queries(client, url)
    assert len(response.context["memberships"]) == 2 * shown
    assert many == few


def test_a_memberships_answers(client, cluster):
    firm = OrganisationFactory(name="Alfa")
    membership = MembershipFactory(cluster=cluster, organisation=firm)
    person = UserFactory(first_name="Anna", last_name="Alfa", roles=["member-organisation"],
                         organisation=firm)  # fmt: skip
    client.force_login(person)
    url = reverse("registry:membership-answer", args=[membership.pk])

    def answer(count: int) -> None:
        for index in range(count):
            MembershipConfirmationEvent.objects.create(
                membership=membership, by=person, by_name="Anna Alfa",
                action=MembershipConfirmationEvent.Action.CONTESTED if index % 2
                else MembershipConfirmationEvent.Action.CONFIRMED,
                reason="Nie jesteśmy." if index % 2 else "",
            )  # fmt: skip

    answer(N)
    few, response = queries(client, url)
    assert len(response.context["events"]) == N
    answer(N)
    many, response = queries(client, url)
    assert len(response.context["events"]) == 2 * N
    assert many == few


# --- decisions ------------------------------------------------------------------------------


@pytest.fixture
def decided_calls(operator):
    """Decided calls, each with a decision record of ``rows`` clusters: ``make(count, rows)``."""
    rulebook = competitions.store_rulebook(source=RULEBOOK)
    made = []

    def make(count: int, rows: int) -> list[Call]:
        for _ in range(count):
            call = competitions.create_call(
                name=f"Runda {len(made) + 1}", rulebook=rulebook,
                opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
                closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
            )  # fmt: skip
            Call.objects.filter(pk=call.pk).update(state="decided")
            recommendation = Recommendation.objects.create(
                call=call, state=Recommendation.State.APPROVED, outcomes=[],
                rulebook_sha256=rulebook.sha256, prepared_by=operator,
                approved_on=dt.date(2026, 9, 30), approved_by=operator,
            )  # fmt: skip
            DecisionRecord.objects.create(
                call=call, recommendation=recommendation, call_name=call.name,
                approved_on=dt.date(2026, 9, 30), approved_by=operator,
                approved_by_name="Anna Ministerska", rulebook_id=rulebook.rulebook_id,
                rulebook_version=rulebook.version, rulebook_sha256=rulebook.sha256,
                rows=[
                    {"rank": rank, "application": rank, "number": f"KK/{rank}",
                     "cluster": f"Klaster {rank}", "cluster_id": rank,
                     "total": str(50 - rank), "recommended": rank % 4 != 0}
                    for rank in range(1, rows + 1)
                ],
            )  # fmt: skip
            made.append(call)
        return made

    return make


def test_the_decisions(client, operator, decided_calls):
    client.force_login(operator)
    url = reverse("evaluation:decisions")
    decided_calls(N, rows=3)
    few, response = queries(client, url)
    assert len(response.context["records"]) == N
    decided_calls(N, rows=3)
    many, response = queries(client, url)
    assert len(response.context["records"]) == 2 * N
    assert many == few


def test_a_decided_calls_results(client, operator, decided_calls):
    small, large = decided_calls(2, rows=N)[0], decided_calls(1, rows=8 * N)[-1]
    few, response = queries(client, reverse("evaluation:results", args=[small.pk]))
    assert len(response.context["granted"]) == N - N // 4
    many, response = queries(client, reverse("evaluation:results", args=[large.pk]))
    assert len(response.context["granted"]) == 8 * N - 2 * N
    assert many == few


# --- the administrator's dashboard ----------------------------------------------------------


def test_the_administrators_dashboard(client, operator):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("web:dashboard")

    def add(count: int) -> None:
        for index in range(count):
            UserFactory(roles=["expert"] if index % 2 else [])
            ApiKey.objects.create(
                name=f"Klucz {ApiKey.objects.count()}", organisation="PARP",
                prefix=f"p{ApiKey.objects.count():06d}", hashed_secret="0" * 64,
                created_by=operator,
            )  # fmt: skip
        # a rulebook more (the dashboard lists the recent ones)
        competitions.store_rulebook(source=RULEBOOK.replace("version: 1", f"version: {count}"))

    add(N)
    few, response = queries(client, url)
    add(2 * N)
    many, response = queries(client, url)
    section = response.context["sections"]["administrator"]
    assert (section["active_users"], section["api_keys"]["active"]) == (3 * N + 2, 3 * N)
    assert section["rulebooks"]["count"] == 2
    assert many == few


# --- bulk verification ----------------------------------------------------------------------


def test_the_bulk_verification_of_a_file(client, operator, cluster):
    client.force_login(operator)
    url = reverse("statuses:verify")
    nips = [m.organisation.nip for m in members(cluster, 4 * N)]

    def form(count: int):
        def data() -> dict:
            content = ("nip\n" + "\n".join(nips[:count]) + "\n").encode()
            upload = io.BytesIO(content)
            upload.name = "nip.csv"
            return {"action": "file", "file": upload, "format": "csv"}

        return data

    few, response = queries(client, url, form(N))
    assert response.content.decode().count("\n") == N + 1  # the header and a row a NIP
    many, response = queries(client, url, form(4 * N))
    assert response.content.decode().count("\n") == 4 * N + 1
    assert many == few
