"""Member self-service: invitations, the member organisation's page, confirmations and contests,
and what the coordinator and the operators see of a contest (docs/self-service.md)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyclusters.registry import selfservice
from keyclusters.registry.models import (
    ConfirmationState,
    MembershipConfirmation,
    MembershipConfirmationEvent,
    OrganisationInvitation,
)
from keyclusters.statuses.models import Certificate
from keyclusters.statuses.services import grant_status
from tests.concurrency import run_together
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
PASSWORD = "correct horse battery staple"


@pytest.fixture
def world():
    """Firm Alfa is a member of clusters A (coordinated by A's coordinator) and B; firm Beta of
    cluster C only; A holds the key-cluster status."""

    class W:
        pass

    w = W()
    w.cluster_a = ClusterFactory(name="Klaster A", founded_on=D(2012, 1, 1))
    w.cluster_b = ClusterFactory(name="Klaster B", founded_on=D(2012, 1, 1))
    w.cluster_c = ClusterFactory(name="Klaster C", founded_on=D(2012, 1, 1))
    w.alfa = OrganisationFactory(name="Alfa", nip="5260250995")
    w.beta = OrganisationFactory(name="Beta", nip="7740001454")
    w.alfa_a = MembershipFactory(cluster=w.cluster_a, organisation=w.alfa, joined_on=D(2016, 1, 1))
    w.alfa_b = MembershipFactory(
        cluster=w.cluster_b, organisation=w.alfa, joined_on=D(2017, 1, 1), left_on=D(2019, 12, 31)
    )
    w.beta_c = MembershipFactory(cluster=w.cluster_c, organisation=w.beta, joined_on=D(2018, 1, 1))
    w.coordinator = UserFactory(
        username="koordynator", roles=["coordinator"], organisation=w.cluster_a.coordinator
    )
    w.operator = UserFactory(username="operator", roles=["operator"], is_staff=True)
    w.firm = UserFactory(
        username="alfa",
        first_name="Anna",
        last_name="Alfa",
        roles=["member-organisation"],
        organisation=w.alfa,
    )
    w.other_firm = UserFactory(username="beta", roles=["member-organisation"], organisation=w.beta)
    grant_status(
        cluster=w.cluster_a,
        round_label="2024",
        decision_on=D(2024, 1, 1),
        valid_from=D(2024, 1, 1),
        valid_to=D(2099, 12, 31),
        by=None,
    )
    return w


def signed_in(client, user):
    client.force_login(user)
    return client


# --- the member organisation's page ---------------------------------------------------------


def test_the_firm_sees_exactly_its_memberships(client, world):
    response = signed_in(client, world.firm).get(reverse("registry:my-organisation"))
    assert response.status_code == 200
    shown = {m.pk for m in response.context["memberships"]}
    assert shown == {world.alfa_a.pk, world.alfa_b.pk}
    html = response.content.decode()
    assert "Klaster A" in html and "Klaster B" in html and "Klaster C" not in html


def test_the_page_makes_a_constant_number_of_queries(client, world):
    signed_in(client, world.firm)
    url = reverse("registry:my-organisation")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        MembershipFactory(organisation=world.alfa, joined_on=D(2015, 1, 1 + n))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["memberships"]) == 10
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("coordinator", 403), ("operator", 403), ("no_organisation", 403)],
)
def test_only_a_member_organisation_user_has_the_page(client, world, who, expected):
    if who == "no_organisation":
        client.force_login(UserFactory(roles=["member-organisation"]))
    elif who != "anonymous":
        client.force_login(getattr(world, who))
    assert client.get(reverse("registry:my-organisation")).status_code == expected


def test_another_organisations_membership_is_not_found(client, world):
    signed_in(client, world.firm)
    url = reverse("registry:membership-answer", args=[world.beta_c.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm"}).status_code == 404
    contest = {"action": "contest", "reason": "x", "confirmed": "yes"}
    assert client.post(url, contest).status_code == 404
    assert not MembershipConfirmation.objects.exists()


def test_the_service_refuses_another_organisations_membership(world):
    with pytest.raises(type(world.beta_c).DoesNotExist):
        selfservice.contest(membership_id=world.beta_c.pk, reason="nie", by=world.firm)
    with pytest.raises(PermissionDenied):
        selfservice.confirm(membership_id=world.alfa_a.pk, by=world.coordinator)


# --- confirm, contest, withdraw --------------------------------------------------------------


def test_confirm_contest_and_withdraw_with_an_audit_trail(client, world):
    signed_in(client, world.firm)
    url = reverse("registry:membership-answer", args=[world.alfa_a.pk])

    assert client.post(url, {"action": "confirm"}).status_code == 302
    assert world.alfa_a.confirmation.state == ConfirmationState.CONFIRMED

    response = client.post(url, {"action": "contest", "reason": "  "})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]

    response = client.post(
        url, {"action": "contest", "reason": "Wystąpiliśmy w 2019 r.", "confirmed": "yes"}
    )
    assert response.status_code == 302
    confirmation = MembershipConfirmation.objects.get(membership=world.alfa_a)
    assert confirmation.state == ConfirmationState.CONTESTED
    assert confirmation.reason == "Wystąpiliśmy w 2019 r."
    assert confirmation.changed_by_name == "Anna Alfa"

    assert client.post(url, {"action": "withdraw"}).status_code == 302
    confirmation.refresh_from_db()
    assert confirmation.state == ConfirmationState.UNANSWERED

    trail = list(
        MembershipConfirmationEvent.objects.filter(membership=world.alfa_a).values_list(
            "action", "reason", "by_name"
        )
    )
    assert trail == [
        ("confirmed", "", "Anna Alfa"),
        ("contested", "Wystąpiliśmy w 2019 r.", "Anna Alfa"),
        ("withdrawn", "", "Anna Alfa"),
    ]
    page = client.get(url).content.decode()
    assert "Wystąpiliśmy w 2019 r." in page  # in the history


def test_withdrawing_what_is_not_contested_is_refused(world):
    with pytest.raises(ValidationError):
        selfservice.withdraw_contest(membership_id=world.alfa_a.pk, by=world.firm)
    assert not MembershipConfirmationEvent.objects.exists()


def test_a_contest_is_shown_to_the_coordinator_and_the_operators_until_withdrawn(client, world):
    selfservice.contest(
        membership_id=world.alfa_a.pk, reason="Nie jesteśmy członkiem", by=world.firm
    )

    signed_in(client, world.coordinator)
    manage = client.get(reverse("registry:cluster-manage", args=[world.cluster_a.pk]))
    assert "data-contested" in manage.content.decode()
    dashboard = client.get(reverse("web:dashboard")).content.decode()
    assert 'data-table="contested"' in dashboard and "Nie jesteśmy członkiem" in dashboard
    listed = client.get(reverse("registry:contested"))
    assert [m.pk for m in listed.context["memberships"]] == [world.alfa_a.pk]

    signed_in(client, world.operator)
    listed = client.get(reverse("registry:contested"))
    assert [m.pk for m in listed.context["memberships"]] == [world.alfa_a.pk]
    dashboard = client.get(reverse("web:dashboard")).content.decode()
    assert 'data-attention="contested"' in dashboard

    selfservice.withdraw_contest(membership_id=world.alfa_a.pk, by=world.firm)
    assert list(client.get(reverse("registry:contested")).context["memberships"]) == []
    assert 'data-attention="contested"' not in client.get(reverse("web:dashboard")).content.decode()
    signed_in(client, world.coordinator)
    manage = client.get(reverse("registry:cluster-manage", args=[world.cluster_a.pk]))
    assert "data-contested" not in manage.content.decode()


def test_another_coordinator_does_not_see_the_contest(client, world):
    selfservice.contest(membership_id=world.alfa_a.pk, reason="Nie", by=world.firm)
    other = UserFactory(roles=["coordinator"], organisation=world.cluster_c.coordinator)
    listed = signed_in(client, other).get(reverse("registry:contested"))
    assert list(listed.context["memberships"]) == []
    assert signed_in(client, world.firm).get(reverse("registry:contested")).status_code == 403


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_confirm_and_contest_at_once_end_in_one_consistent_state(world):
    for _round in range(3):
        outcomes = run_together(
            lambda: selfservice.confirm(membership_id=world.alfa_a.pk, by=world.firm),
            lambda: selfservice.contest(
                membership_id=world.alfa_a.pk, reason="Błąd", by=world.firm
            ),
        )
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        final = MembershipConfirmation.objects.get(membership=world.alfa_a)
        last = MembershipConfirmationEvent.objects.filter(membership=world.alfa_a).last()
        assert final.state == last.action  # the state is the last event's
        assert final.changed_at == last.at
    assert MembershipConfirmation.objects.count() == 1
    assert MembershipConfirmationEvent.objects.count() == 6


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_confirm_and_contest_at_once_through_the_pages_answer_no_500(world):
    from django.test import Client

    url = reverse("registry:membership-answer", args=[world.alfa_a.pk])

    def post(data):
        def call():
            client = Client()
            client.force_login(world.firm)
            return client.post(url, data).status_code

        return call

    outcomes = run_together(
        post({"action": "confirm"}),
        post({"action": "contest", "reason": "Błąd", "confirmed": "yes"}),
    )
    assert [o.value for o in outcomes] == [302, 302], [o.error for o in outcomes]
    final = MembershipConfirmation.objects.get(membership=world.alfa_a)
    last = MembershipConfirmationEvent.objects.filter(membership=world.alfa_a).last()
    assert final.state == last.action


# --- invitations -----------------------------------------------------------------------------


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_a_coordinator_invites_for_a_member_of_their_cluster(
    client, world, django_capture_on_commit_callbacks
):
    newcomer = OrganisationFactory(name="Gamma", nip="5261040828")
    MembershipFactory(cluster=world.cluster_a, organisation=newcomer)
    signed_in(client, world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:invitations"), {"nip": "526-104-08-28", "email": "g@gamma.example"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["g@gamma.example"]
    link = _link(mail.outbox[0])
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    response = client.post(
        link,
        {
            "username": "gamma",
            "first_name": "Gabriela",
            "last_name": "Gamma",
            "password1": "a long enough password 42",
            "password2": "a long enough password 42",
        },
    )
    assert response.status_code == 302, response.content
    user = type(world.firm).objects.get(username="gamma")
    assert user.organisation_id == newcomer.pk and user.has_role("member-organisation")
    assert user.email == "g@gamma.example"
    mine = client.get(reverse("registry:my-organisation"))
    assert [m.organisation_id for m in mine.context["memberships"]] == [newcomer.pk]

    # the link works once
    client.logout()
    assert client.get(link).status_code == 404


def test_a_coordinator_cannot_invite_for_an_organisation_outside_their_clusters(
    client, world, django_capture_on_commit_callbacks
):
    signed_in(client, world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:invitations"), {"nip": world.beta.nip, "email": "x@beta.example"}
        )
    assert response.status_code == 200
    assert "nip" in response.context["form"].errors
    assert not OrganisationInvitation.objects.exists()
    assert mail.outbox == []
    with pytest.raises(PermissionDenied):
        selfservice.invite(nip=world.beta.nip, email="x@beta.example", by=world.coordinator)


def test_an_operator_invites_for_any_organisation_and_an_existing_user_links(client, world):
    invitation = selfservice.invite(nip=world.beta.nip, email="b@beta.example", by=world.operator)
    existing = UserFactory(username="bogdan")
    token = selfservice.invitation_token(invitation)
    signed_in(client, existing)
    response = client.post(reverse("registry:invitation-accept", args=[token]))
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.organisation_id == world.beta.pk


def test_an_account_representing_another_organisation_cannot_accept(client, world):
    invitation = selfservice.invite(nip=world.beta.nip, email="a@alfa.example", by=world.operator)
    token = selfservice.invitation_token(invitation)
    signed_in(client, world.firm)
    client.post(reverse("registry:invitation-accept", args=[token]))
    world.firm.refresh_from_db()
    assert world.firm.organisation_id == world.alfa.pk
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_forged_and_expired_tokens_do_not_work(client, world, settings):
    invitation = selfservice.invite(nip=world.beta.nip, email="b@beta.example", by=world.operator)
    forged = signing.dumps({"invitation": invitation.pk}, salt="something else")
    assert client.get(reverse("registry:invitation-accept", args=[forged])).status_code == 404
    settings.INVITATION_DAYS = -1
    token = selfservice.invitation_token(invitation)
    assert client.get(reverse("registry:invitation-accept", args=[token])).status_code == 404


@pytest.mark.parametrize("who", ["firm", "funding_agency", "anonymous"])
def test_who_may_not_invite(client, world, who):
    if who == "firm":
        client.force_login(world.firm)
    elif who == "funding_agency":
        client.force_login(UserFactory(roles=["funding-agency"]))
    response = client.get(reverse("registry:invitations"))
    assert response.status_code == (302 if who == "anonymous" else 403)


# --- the firm's own certificate --------------------------------------------------------------


def test_the_firm_downloads_its_own_certificate_only(client, world):
    signed_in(client, world.firm)
    response = client.post(reverse("statuses:my-certificate"), {"nip": world.beta.nip})
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.payload["organisation"]["nip"] == world.alfa.nip  # never the one posted
    assert response["Location"] == reverse("statuses:certificate-pdf", args=[certificate.code])


def test_a_firm_that_is_not_a_key_cluster_member_gets_no_certificate(client, world):
    signed_in(client, world.other_firm)
    response = client.post(reverse("statuses:my-certificate"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:my-organisation")
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "operator"])
def test_others_cannot_use_the_firms_certificate_page(client, world, who):
    signed_in(client, getattr(world, who))
    assert client.post(reverse("statuses:my-certificate")).status_code == 403
    assert client.get(reverse("statuses:my-certificate")).status_code == 405
