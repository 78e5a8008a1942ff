"""Issue #13: the registry's consequential actions ask first, saying what they will do; then they
act, say so, and the object's history names the person (keyclusters/accounts/confirmation.py).

An unconfirmed POST changes nothing and answers with the confirmation page (names, dates in the
page's language: Polish by default); the same POST with ``confirmed=yes`` acts.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keyclusters.registry import services
from keyclusters.registry.models import (
    MembershipConfirmation,
    MembershipConfirmationEvent,
    MembershipEvidence,
    Organisation,
    OrganisationChangeRequest,
)
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CONFIRM_PAGE = "accounts/confirm.html"


def polish(user) -> Client:
    client = Client()  # the default language: Polish
    client.force_login(user)
    return client


def english(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def pl(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def asked(response) -> bool:
    return response.status_code == 200 and CONFIRM_PAGE in [t.name for t in response.templates]


@pytest.fixture
def cluster():
    return ClusterFactory(name="Klaster Odlewniczy", coordinator__name="Fundacja Koordynująca")


@pytest.fixture
def coordinator(cluster):
    return UserFactory(
        username="koordynator",
        first_name="Kamil",
        last_name="Koordynator",
        roles=["coordinator"],
        organisation=cluster.coordinator,
    )


@pytest.fixture
def operator():
    return UserFactory(
        username="operatorka", first_name="Olga", last_name="Nowak", roles=["operator"]
    )


@pytest.fixture
def membership(cluster):
    return MembershipFactory(
        cluster=cluster, organisation__name="Odlewnia Dawna", joined_on=dt.date(2015, 1, 1)
    )


# --- ending a membership ---------------------------------------------------------------------


def end_url(membership) -> str:
    return reverse("registry:membership-end", args=[membership.cluster_id, membership.pk])


def test_ending_asks_first_stating_the_organisation_the_cluster_and_the_dates(
    coordinator, membership
):
    rows = membership.history.count()

    response = polish(coordinator).post(end_url(membership), {"left_on": "2024-06-30"})

    assert asked(response)
    membership.refresh_from_db()
    assert membership.left_on is None and membership.history.count() == rows
    first, verification, ledger = response.context["consequences"]
    for name in ("Odlewnia Dawna", "Klaster Odlewniczy", "30.06.2024"):
        assert name in first
    assert "01.07.2024" in verification and "30.06.2024" in verification
    assert response.context["facts"][-1][1] == "30.06.2024"
    # the past end is said above the consequences
    assert any("30.06.2024" in w for w in response.context["warnings"])
    html = response.content.decode()
    assert '<input type="hidden" name="left_on" value="2024-06-30">' in html
    assert 'class="btn btn-danger confirm-action"' in html
    assert f'href="{reverse("registry:cluster-manage", args=[membership.cluster_id])}"' in html


def test_the_consequences_of_ending_word_for_word(coordinator, membership):
    response = english(coordinator).post(end_url(membership), {"left_on": "2024-06-30"})

    assert (
        response.context["title"] == "End the membership of Odlewnia Dawna in Klaster Odlewniczy?"
    )
    assert response.context["consequences"] == [
        "The membership of Odlewnia Dawna in Klaster Odlewniczy ends on 30 Jun 2024, its last day.",
        "From 1 Jul 2024 verification no longer confirms the membership: funding agencies' "
        "checks and membership certificates will say that it ended on 30 Jun 2024.",
        "The membership stays in the registry's ledger as a former one, and its history records "
        "the end with your name. The end cannot be undone here.",
    ]
    assert response.context["warnings"] == [
        "The last day, 30 Jun 2024, is in the past: from now on verification says that the "
        "membership ended then, also about the days since."
    ]


def test_an_end_before_the_start_is_refused_before_asking(coordinator, membership):
    response = english(coordinator).post(end_url(membership), {"left_on": "2014-12-31"})

    assert not asked(response)
    assert response.context["form"].errors == {
        "left_on": ["A membership cannot end before it starts."]
    }


def test_a_confirmed_end_acts_says_so_and_names_the_person(coordinator, membership):
    last_day = timezone.localdate() + dt.timedelta(days=10)
    client = english(coordinator)

    response = client.post(
        end_url(membership), {"left_on": last_day.isoformat(), "confirmed": "yes"}, follow=True
    )

    membership.refresh_from_db()
    assert membership.left_on == last_day
    assert shown_messages(response) == [
        f"The membership of Odlewnia Dawna ends on {last_day.day} {last_day:%b %Y}."
    ]
    latest = membership.history.latest()
    assert (latest.left_on, latest.history_user) == (last_day, coordinator)
    # the manage page (still a current member until its last day) says who recorded the end
    row = re.search(
        rf'<tr data-membership="{membership.pk}">.*?</tr>', response.content.decode(), re.S
    ).group(0)
    assert f"Ends on {last_day.day} {last_day:%b %Y}" in row
    assert "recorded by Kamil Koordynator on " in row
    # the membership's history names the person
    detail = client.get(
        reverse("registry:membership-detail", args=[membership.cluster_id, membership.pk])
    )
    trail = detail.context["trail"]
    assert trail[-1].by == coordinator
    assert trail[-1].changes == [("left on", "—", f"{last_day.day} {last_day:%b %Y}")]
    assert "Kamil Koordynator" in detail.content.decode()


def test_an_operator_ends_a_strategic_partnership_through_the_same_step(operator, cluster):
    partner = MembershipFactory(
        cluster=cluster,
        organisation__name="Uczelnia Partnerska",
        role="strategic-partner",
        joined_on=dt.date(2020, 3, 1),
    )
    client = english(operator)

    asked_first = client.post(end_url(partner), {"left_on": "2025-02-28"})
    done = client.post(end_url(partner), {"left_on": "2025-02-28", "confirmed": "yes"})

    assert asked(asked_first)
    assert ("Role", "Strategic partner") in asked_first.context["facts"]
    assert done.status_code == 302
    partner.refresh_from_db()
    assert partner.left_on == dt.date(2025, 2, 28)
    assert partner.history.latest().history_user == operator


# --- evidence of a backdated start ------------------------------------------------------------


@pytest.fixture
def evidence(cluster, coordinator):
    services.add_membership(
        cluster=cluster,
        organisation_data={"nip": "1132853869", "name": "Stara Huta", "kind": "enterprise"},
        role="member",
        joined_on=dt.date(2001, 5, 1),
        by=coordinator,
        evidence=("deklaracja.pdf", PDF),
        evidence_kind="accession-declaration",
    )
    return MembershipEvidence.objects.select_related("membership").get()


def decide_url(evidence) -> str:
    return reverse("registry:evidence-decide", args=[evidence.pk])


def test_rejecting_evidence_asks_first_with_the_reason_and_the_counted_start(operator, evidence):
    response = polish(operator).post(
        decide_url(evidence), {"decision": "reject", "reason": "Brak podpisu"}
    )

    assert asked(response)
    evidence.refresh_from_db()
    assert (evidence.state, evidence.membership.evidence_state) == ("submitted", "submitted")
    document, counting, _recorded = response.context["consequences"]
    for part in ("Stara Huta", "Klaster Odlewniczy", "01.05.2001", "Brak podpisu"):
        assert part in document
    assert pl(timezone.localdate()) in counting and "01.05.2001" in counting
    html = response.content.decode()
    assert '<input type="hidden" name="decision" value="reject">' in html
    assert '<input type="hidden" name="reason" value="Brak podpisu">' in html


def test_the_consequences_of_rejecting_and_accepting_word_for_word(operator, evidence):
    client = english(operator)
    today = timezone.localdate()
    today_en = f"{today.day} {today:%b %Y}"

    rejecting = client.post(decide_url(evidence), {"decision": "reject", "reason": "Brak podpisu"})
    accepting = client.post(decide_url(evidence), {"decision": "accept"})

    assert rejecting.context["title"] == "Reject the Accession declaration of Stara Huta?"
    assert rejecting.context["consequences"] == [
        "The Accession declaration does not prove the start of the membership of Stara Huta in "
        "Klaster Odlewniczy on 1 May 2001; the coordinator sees your reason: Brak podpisu",
        f"Verification goes on counting the membership from {today_en}, not from 1 May 2001, "
        "until the coordinator sends another document and an operator accepts it.",
        "The decision cannot be undone; the membership's history records it with your name.",
    ]
    assert accepting.context["consequences"] == [
        "The Accession declaration proves the start of the membership of Stara Huta in Klaster "
        "Odlewniczy on 1 May 2001.",
        f"Verification counts the membership from 1 May 2001 instead of {today_en}: funding "
        "agencies' checks and membership certificates say so at once.",
        "The decision cannot be undone; the membership's history records it with your name.",
    ]
    assert 'class="btn btn-primary confirm-action"' in accepting.content.decode()
    evidence.refresh_from_db()
    assert evidence.state == "submitted"


def test_a_rejection_without_a_reason_is_refused_before_asking(operator, evidence):
    response = english(operator).post(
        decide_url(evidence), {"decision": "reject", "reason": " "}, follow=True
    )

    assert not asked(response)
    assert shown_messages(response) == ["Give the reason for rejecting the document."]


def test_a_confirmed_rejection_acts_says_so_and_names_the_operator(operator, evidence):
    client = english(operator)

    response = client.post(
        decide_url(evidence),
        {"decision": "reject", "reason": "Brak podpisu", "confirmed": "yes"},
        follow=True,
    )

    evidence.refresh_from_db()
    assert (evidence.state, evidence.decided_by, evidence.reason) == (
        "rejected",
        operator,
        "Brak podpisu",
    )
    assert shown_messages(response) == ["The evidence of Stara Huta's start was rejected."]
    decided = re.search(
        r'<table class="table table-sm" id="evidence-decided">.*?</table>',
        response.content.decode(),
        re.S,
    ).group(0)
    assert "Olga Nowak" in decided and "Stara Huta" in decided and "Brak podpisu" in decided
    membership = evidence.membership
    detail = english(operator).get(
        reverse("registry:membership-detail", args=[membership.cluster_id, membership.pk])
    )
    last = detail.context["trail"][-1]
    assert (last.by, last.reason) == (operator, "Brak podpisu")
    assert last.changes == [("evidence of the start", "Awaiting review", "Rejected")]


def test_a_decided_document_is_not_asked_about_again(operator, evidence):
    client = english(operator)
    client.post(decide_url(evidence), {"decision": "accept", "confirmed": "yes"}, follow=True)

    response = client.post(
        decide_url(evidence), {"decision": "reject", "reason": "Brak podpisu"}, follow=True
    )

    assert not asked(response)
    (message,) = shown_messages(response)
    assert message.startswith("This was already decided (Accepted) by Olga Nowak on ")


# --- organisation change requests -------------------------------------------------------------


@pytest.fixture
def change_request(cluster, coordinator):
    organisation = OrganisationFactory(name="Zakład Rywala", kind="enterprise", size="medium")
    return OrganisationChangeRequest.objects.create(
        organisation=organisation,
        field="name",
        registry_value="Zakład Rywala",
        proposed_value="Zakład Rywala S.A.",
        cluster=cluster,
        source="form",
        proposed_by=coordinator,
    )


def change_url(change_request) -> str:
    return reverse("registry:change-request-decide", args=[change_request.pk])


def test_applying_a_change_asks_first_with_both_values(operator, change_request):
    response = english(operator).post(change_url(change_request), {"decision": "apply"})

    assert asked(response)
    assert Organisation.objects.get(pk=change_request.organisation_id).name == "Zakład Rywala"
    change_request.refresh_from_db()
    assert change_request.state == "pending"
    assert response.context["title"] == "Change the name of Zakład Rywala?"
    assert response.context["consequences"] == [
        "The name of Zakład Rywala changes from Zakład Rywala to Zakład Rywala S.A. in the "
        "registry.",
        "An organisation's record is shared: every cluster it belongs to, verification answers "
        "and membership certificates show the new value.",
        "The change cannot be undone here; the organisation's history and the list of decided "
        "requests record it with your name.",
    ]


def test_a_proposed_kind_is_stated_by_its_label(operator, change_request):
    change_request.field, change_request.registry_value = "kind", "enterprise"
    change_request.proposed_value = "university"
    change_request.save()

    response = english(operator).post(change_url(change_request), {"decision": "dismiss"})

    assert response.context["consequences"][0] == (
        "The registry keeps Enterprise as the kind of Zakład Rywala; the proposed University "
        "is dismissed."
    )


def test_a_confirmed_change_is_applied_said_and_listed_with_the_operator(operator, change_request):
    response = english(operator).post(
        change_url(change_request), {"decision": "apply", "confirmed": "yes"}, follow=True
    )

    organisation = Organisation.objects.get(pk=change_request.organisation_id)
    assert organisation.name == "Zakład Rywala S.A."
    assert organisation.history.latest().history_user == operator
    assert shown_messages(response) == ["The name of Zakład Rywala was changed."]
    decided = re.search(
        r'<table class="table table-sm" id="change-requests-decided">.*?</table>',
        response.content.decode(),
        re.S,
    ).group(0)
    assert "Olga Nowak" in decided
    assert "Applied: Zakład Rywala → Zakład Rywala S.A." in decided


def test_a_confirmed_dismissal_is_said_and_listed_with_the_operator(operator, change_request):
    response = english(operator).post(
        change_url(change_request), {"decision": "dismiss", "confirmed": "yes"}, follow=True
    )

    change_request.refresh_from_db()
    assert (change_request.state, change_request.decided_by) == ("dismissed", operator)
    assert Organisation.objects.get(pk=change_request.organisation_id).name == "Zakład Rywala"
    assert shown_messages(response) == ["The proposed name of Zakład Rywala was dismissed."]
    decided = response.context["decided"]
    assert [(r.pk, r.decided_by) for r in decided] == [(change_request.pk, operator)]


def test_an_invalid_value_is_refused_before_asking(operator, change_request):
    change_request.field, change_request.proposed_value = "regon", "123"
    change_request.save()

    response = english(operator).post(
        change_url(change_request), {"decision": "apply"}, follow=True
    )

    assert not asked(response)
    (message,) = shown_messages(response)  # once, though both the field and the record say it
    assert message.startswith("123 is not a valid REGON")
    change_request.refresh_from_db()
    assert change_request.state == "pending"


# --- a member contests a membership -----------------------------------------------------------


@pytest.fixture
def firm(membership):
    return UserFactory(
        username="firma",
        first_name="Anna",
        last_name="Alfa",
        roles=["member-organisation"],
        organisation=membership.organisation,
    )


def answer_url(membership) -> str:
    return reverse("registry:membership-answer", args=[membership.pk])


def test_contesting_asks_first_naming_the_cluster_and_its_coordinator(firm, membership):
    response = polish(firm).post(answer_url(membership), {"action": "contest", "reason": "Błąd"})

    assert asked(response)
    assert not MembershipConfirmation.objects.exists()
    assert not MembershipConfirmationEvent.objects.exists()
    assert "Klaster Odlewniczy" in response.context["title"]
    marked, seen, _stays = response.context["consequences"]
    assert "Odlewnia Dawna" in marked and "Klaster Odlewniczy" in marked
    assert "Fundacja Koordynująca" in seen
    assert "01.01.2015" in dict(response.context["facts"]).values()
    html = response.content.decode()
    assert '<input type="hidden" name="action" value="contest">' in html
    assert '<input type="hidden" name="reason" value="Błąd">' in html


def test_the_consequences_of_contesting_word_for_word(firm, membership):
    response = english(firm).post(answer_url(membership), {"action": "contest", "reason": "Błąd"})

    assert response.context["title"] == "Contest the membership of Klaster Odlewniczy?"
    assert response.context["consequences"] == [
        "The membership of Odlewnia Dawna in Klaster Odlewniczy is marked as contested, with "
        "your reason, and the contest is recorded with your name.",
        "The cluster's coordinator (Fundacja Koordynująca) and the operators see it on their "
        "lists, and funding agencies' checks and your organisation's membership certificates "
        "say that the membership is contested.",
        "The membership itself does not change. The flag stays until you withdraw the contest "
        "on this page.",
    ]


def test_a_confirmed_contest_is_recorded_with_the_name_and_said(firm, membership):
    client = english(firm)

    response = client.post(
        answer_url(membership),
        {"action": "contest", "reason": "Błąd", "confirmed": "yes"},
        follow=True,
    )

    assert shown_messages(response) == [
        "You contested the membership of Klaster Odlewniczy: its coordinator and the operators "
        "see it, and verification answers say it is contested."
    ]
    event = MembershipConfirmationEvent.objects.get()
    assert (event.action, event.by, event.by_name, event.reason) == (
        "contested",
        firm,
        "Anna Alfa",
        "Błąd",
    )
    history = client.get(answer_url(membership)).content.decode()
    assert "Contested (Anna Alfa): Błąd" in history


def test_an_empty_reason_or_a_new_reason_asks_nothing(firm, membership):
    client = english(firm)

    empty = client.post(answer_url(membership), {"action": "contest", "reason": " "})
    assert not asked(empty) and list(empty.context["form"].errors) == ["reason"]

    client.post(answer_url(membership), {"action": "contest", "reason": "Błąd", "confirmed": "yes"})
    # changing the reason of a contest already made is a plain save
    again = client.post(answer_url(membership), {"action": "contest", "reason": "Inny błąd"})
    assert again.status_code == 302
    assert MembershipConfirmation.objects.get().reason == "Inny błąd"
