"""The operator's pages on experts and suspensions; what an expert sees before the declaration
(the page, the document download and the API refuse the application)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyclusters.competitions import services as competitions
from keyclusters.evaluation import services, suspensions
from keyclusters.evaluation.models import Affiliation, Assignment, Expert
from keyclusters.registry.models import MembershipRole
from tests.evaluation.conftest import make_expert, submitted_application
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def application(call, operator):
    application = submitted_application(call)
    competitions.pass_formal(application=application, by=operator)
    return application


@pytest.fixture
def assigned(application, operator):
    expert = make_expert("anna")
    return services.assign_expert(
        application=application, stage="merit", expert=expert, by=operator
    )


# --- the expert before the declaration -------------------------------------------------------


def test_before_the_declaration_the_expert_sees_the_cluster_not_the_application(
    client, assigned, application
):
    client.force_login(assigned.expert.user)
    page = client.get(reverse("evaluation:sheet", args=[assigned.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    cluster = application.cluster
    assert cluster.name in html and cluster.coordinator.name in html
    for membership in cluster.memberships.select_related("organisation"):
        assert membership.organisation.name in html
    assert "The application as submitted" not in html
    assert "/documents/" not in html
    assert 'name="points-team"' not in html
    # the document download and the application's own page refuse
    document = reverse("competitions:application-document", args=[application.pk, "strategy"])
    assert client.get(document).status_code == 404
    detail = reverse("competitions:application-detail", args=[application.pk])
    assert client.get(detail).status_code in (403, 404)
    # the API: the cluster and its members, the application refused with the reason
    shown = client.get(f"/api/v1/evaluation/assignments/{assigned.pk}").json()
    assert shown["cluster"] == cluster.name
    assert shown["coordinator"] == cluster.coordinator.name
    assert shown["declared_no_conflict"] is False
    assert len(shown["members"]) == cluster.memberships.count()
    refused = client.get(f"/api/v1/evaluation/assignments/{assigned.pk}/application")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Declare that you have no conflict of interest first."}


def test_after_the_declaration_the_expert_reads_the_application(client, assigned, application):
    user = assigned.expert.user
    services.declare(assignment=assigned, conflict=False, note="", by=user)
    client.force_login(user)
    html = client.get(reverse("evaluation:sheet", args=[assigned.pk])).content.decode()
    assert "The application as submitted" in html and 'name="points-team"' in html
    document = reverse("competitions:application-document", args=[application.pk, "strategy"])
    assert client.get(document).status_code == 200
    shown = client.get(f"/api/v1/evaluation/assignments/{assigned.pk}/application").json()
    assert shown["documents"][0]["field"] == "strategy"


def test_a_suspended_expert_reads_nothing_of_the_application(
    client, assigned, application, operator
):
    user = assigned.expert.user
    services.declare(assignment=assigned, conflict=False, note="", by=user)
    suspensions.suspend_assignment(assignment=assigned, reason="Wspólny projekt", by=operator)
    client.force_login(user)
    html = client.get(reverse("evaluation:sheet", args=[assigned.pk])).content.decode()
    assert "The assignment is suspended" in html and "Wspólny projekt" in html
    assert 'name="points-team"' not in html
    document = reverse("competitions:application-document", args=[application.pk, "strategy"])
    assert client.get(document).status_code == 404
    refused = client.get(f"/api/v1/evaluation/assignments/{assigned.pk}/application")
    assert refused.status_code == 403
    saved = client.post(
        reverse("evaluation:sheet", args=[assigned.pk]),
        {"action": "save", "points-team": "7", "why-team": "x"},
        follow=True,
    )
    assert "cannot be saved or submitted" in saved.content.decode()
    assert not hasattr(Assignment.objects.get(pk=assigned.pk), "sheet")


def test_the_api_hides_other_experts_assignments(client, assigned):
    other = make_expert("bartek")
    client.force_login(other.user)
    assert client.get(f"/api/v1/evaluation/assignments/{assigned.pk}").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/evaluation/assignments/{assigned.pk}").status_code == 401


# --- the operator's pages --------------------------------------------------------------------


def test_the_experts_list_makes_a_constant_number_of_queries(client, operator):
    client.force_login(operator)

    def count(n: int) -> int:
        for _ in range(n):
            expert = make_expert(f"e{Expert.objects.count()}")
            Affiliation.objects.create(expert=expert, organisation=OrganisationFactory())
            expert.user.organisation = OrganisationFactory()
            expert.user.save()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("evaluation:experts")).status_code == 200
        return len(queries.captured_queries)

    assert count(2) == count(12)


def test_the_operator_creates_a_profile_and_adds_an_affiliation(client, operator, assigned):
    user = UserFactory(username="nowy", first_name="Nowy", last_name="Ekspert", roles=["expert"])
    client.force_login(operator)
    response = client.post(
        reverse("evaluation:expert-new"), {"user": user.pk, "specialisations": "ICT, energia"}
    )
    expert = Expert.objects.get(user=user)
    assert response.url == reverse("evaluation:expert", args=[expert.pk])
    assert expert.specialisations == ["ICT", "energia"]
    # an affiliation with the coordinator of the cluster Anna evaluates suspends her
    anna = assigned.expert
    coordinator = assigned.application.cluster.coordinator
    url = reverse("evaluation:expert", args=[anna.pk])
    page = client.post(
        url,
        {
            "action": "add-affiliation",
            "nip": coordinator.nip,
            "position": "doradca",
            "started_on": "2024-01-01",
            "ended_on": "",
        },
        follow=True,
    )
    html = page.content.decode()
    assert "1 assignment has been suspended" in html
    assert "coordinates the cluster Klaster Alfa" in html
    assert Assignment.objects.get(pk=assigned.pk).state == "suspended"
    # an unknown NIP writes nothing
    page = client.post(
        url, {"action": "add-affiliation", "nip": "5260250995", "position": ""}, follow=True
    )
    assert "No organisation in the registry has this NIP." in page.content.decode()
    assert anna.affiliations.count() == 1
    # removing needs the confirmation
    affiliation = anna.affiliations.get()
    client.post(url, {"action": "remove-affiliation", "affiliation": affiliation.pk})
    assert anna.affiliations.count() == 1
    client.post(
        url, {"action": "remove-affiliation", "affiliation": affiliation.pk, "confirm": "on"}
    )
    assert anna.affiliations.count() == 0


def test_the_operator_lifts_and_reassigns_on_the_suspension_page(client, operator, application):
    anna, bartek = make_expert("anna"), make_expert("bartek")
    make_expert("cezary")
    first, second = (
        services.assign_expert(application=application, stage="merit", expert=e, by=operator)
        for e in (anna, bartek)
    )
    for assignment in (first, second):
        suspensions.suspend_assignment(assignment=assignment, reason="Powiązanie", by=operator)
    client.force_login(operator)
    dashboard = client.get(reverse("web:dashboard")).content.decode()
    assert "Assignments suspended for a possible conflict of interest" in dashboard
    url = reverse("evaluation:suspension", args=[first.pk])
    assert "Powiązanie" in client.get(url).content.decode()
    client.post(url, {"action": "lift", "note": "Bez znaczenia"})
    first.refresh_from_db()
    assert first.state == "active" and first.lifted_by == operator
    url = reverse("evaluation:suspension", args=[second.pk])
    client.post(url, {"action": "reassign", "reason": "Konflikt"})  # not confirmed
    assert Assignment.objects.get(pk=second.pk).state == "suspended"
    client.post(url, {"action": "reassign", "reason": "Konflikt", "confirm": "on"})
    assert Assignment.objects.get(pk=second.pk).state == "withdrawn"
    assert Assignment.objects.filter(expert__user__username="cezary", state="active").exists()


def test_a_membership_shown_to_the_expert_includes_the_lookback(client, assigned, operator):
    from keyclusters.registry import services as registry

    company = OrganisationFactory(name="Dawny Członek")
    membership = registry.add_membership(
        cluster=assigned.application.cluster,
        organisation=company,
        role=MembershipRole.MEMBER,
        joined_on=dt.date(2020, 1, 1),
        by=operator,
    )
    registry.end_membership(membership=membership, left_on=dt.date(2025, 12, 31), by=operator)
    client.force_login(assigned.expert.user)
    page = client.get(reverse("evaluation:sheet", args=[assigned.pk]))
    assert "Dawny Członek" in page.content.decode()
