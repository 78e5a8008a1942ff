"""The call's evaluation commission and its chair's signature on the recommendation list
(issue #14, part 2): where the rulebook says ``decision.signed_by: chair``, the chair signs the
list (asked first) before the decision maker may approve it; a list prepared again needs a new
signature."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from keyclusters.competitions import services as competition_services
from keyclusters.evaluation import commission, decisions
from keyclusters.evaluation.decision_views import decision_html
from keyclusters.evaluation.models import CommissionMember, DecisionRecord, Recommendation
from keyclusters.evaluation.services import EvaluationError
from keyclusters.statuses.models import StatusGrant
from tests.competitions.conftest import WARSAW
from tests.evaluation.conftest import RULEBOOK
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNED_RULEBOOK = RULEBOOK.replace("rulebook: test-full", "rulebook: test-signed").replace(
    "  ranking: [total, panel, merit]\n", "  ranking: [total, panel, merit]\n  signed_by: chair\n"
)
SIGNED_ON = dt.datetime(2019, 8, 27, 11, 30, tzinfo=WARSAW)
AWAITING = (
    "The list cannot be approved yet: it awaits the signature of the chair of the evaluation "
    "commission."
)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _confirmation(response) -> bool:
    return response.status_code == 200 and "accounts/confirm.html" in [
        t.name for t in response.templates
    ]


@pytest.fixture
def signed_call(db):
    rulebook = competition_services.store_rulebook(source=SIGNED_RULEBOOK)
    assert rulebook.parsed().decision.signed_by == "chair"
    call = competition_services.create_call(
        name="Runda IV",
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    return competition_services.change_call_state(call=call, action="open")


@pytest.fixture
def chair(db):
    return UserFactory(username="chair", first_name="Zofia", last_name="Przewodnicząca", roles=[])


@pytest.fixture
def minister(db):
    return UserFactory(
        username="minister", first_name="Maria", last_name="Ministerska", roles=["decision-maker"]
    )


def _prepared(call, operator, chair=None):
    through_merit(call, operator, ("8", "7"), name="Klaster Alfa")
    through_merit(call, operator, ("2", "1"), panel=("1", "1", "1"), name="Klaster Beta")
    competition_services.change_call_state(call=call, action="close", by=operator)
    if chair is not None:
        commission.add_member(
            call=call, user=chair, kind="ministry", body="Ministerstwo Rozwoju", chair=True,
            by=operator,
        )  # fmt: skip
    decisions.prepare_recommendation(call=call, by=operator)
    return call


@pytest.fixture
def prepared(signed_call, operator, chair):
    return _prepared(signed_call, operator, chair)


# -- the commission -----------------------------------------------------------------------------


def test_the_operator_builds_the_commission_with_one_chair(client, signed_call, operator):
    ministry = UserFactory(username="m", first_name="Jan", last_name="Ministerialny")
    agency = UserFactory(username="a", first_name="Ewa", last_name="Agencyjna")
    expert = UserFactory(username="e", first_name="Piotr", last_name="Niezależny")
    client.force_login(operator)
    url = reverse("evaluation:commission", args=[signed_call.pk])
    page = client.get(url).content.decode()
    assert "The commission has no members yet." in page
    assert "The commission has no chair yet: nobody can sign the list." in page
    assert (
        "The call's rulebook asks the chair of the commission to sign the recommendation "
        "list before the decision maker approves it." in page
    )
    added = [
        client.post(url, {"action": "add", "user": ministry.pk, "kind": "ministry",
                          "body": "Ministerstwo Rozwoju", "chair": "on"}),
        client.post(url, {"action": "add", "user": agency.pk, "kind": "agency", "body": "PARP"}),
        client.post(url, {"action": "add", "user": expert.pk, "kind": "independent",
                          "body": "ignored"}),
    ]  # fmt: skip
    assert [r.status_code for r in added] == [302, 302, 302]
    assert _messages(added[-1]) == [  # not shown yet: they pile up until a page is rendered
        "Jan Ministerialny has joined the commission as its chair.",
        "Ewa Agencyjna has joined the commission.",
        "Piotr Niezależny has joined the commission.",
    ]
    members = list(commission.members_of(signed_call))
    assert [(str(m), m.kind, m.body, m.is_chair) for m in members] == [
        ("Jan Ministerialny", "ministry", "Ministerstwo Rozwoju", True),
        ("Ewa Agencyjna", "agency", "PARP", False),
        ("Piotr Niezależny", "independent", "", False),
    ]
    page = client.get(url).content.decode()
    for label in (
        "ministry representative",
        "government agency representative",
        "independent expert",
    ):
        assert f"<td>{label}</td>" in page
    assert "ministry</td>" not in page and "independent</td>" not in page
    # the chair moves: still exactly one
    agency_seat = CommissionMember.objects.get(user=agency)
    moved = client.post(url, {"action": "chair", "member": agency_seat.pk})
    assert _messages(moved) == ["Ewa Agencyjna chairs the commission now."]
    assert list(CommissionMember.objects.filter(is_chair=True).values_list("user", flat=True)) == [
        agency.pk
    ]
    client.get(url)  # the message is shown
    removed = client.post(url, {"action": "remove", "member": agency_seat.pk})
    assert _messages(removed) == ["Ewa Agencyjna has left the commission."]
    assert commission.chair_of(signed_call) is None
    assert CommissionMember.history.filter(history_type="-").get().history_user == operator


def test_a_person_sits_once_and_a_kind_is_required(client, signed_call, operator, chair):
    commission.add_member(call=signed_call, user=chair, kind="agency", body="NCBR", by=operator)
    with pytest.raises(EvaluationError) as refused:
        commission.add_member(call=signed_call, user=chair, kind="ministry", by=operator)
    assert refused.value.messages == ["Zofia Przewodnicząca is already a member of the commission."]
    with pytest.raises(EvaluationError) as refused:
        commission.add_member(call=signed_call, user=UserFactory(), kind="minister", by=operator)
    assert refused.value.messages == ["Choose whom the member represents."]
    client.force_login(operator)
    url = reverse("evaluation:commission", args=[signed_call.pk])
    response = client.post(url, {"action": "add", "user": chair.pk, "kind": "ministry"})
    assert response.status_code == 200  # the person is no longer offered
    assert response.context["form"].errors["user"]
    assert CommissionMember.objects.count() == 1


def test_only_an_operator_changes_the_commission(signed_call, chair, minister):
    from django.core.exceptions import PermissionDenied

    for who in (chair, minister):
        with pytest.raises(PermissionDenied):
            commission.add_member(call=signed_call, user=chair, kind="ministry", chair=True, by=who)
    assert not CommissionMember.objects.exists()


# -- the signature ------------------------------------------------------------------------------


def test_the_chair_is_asked_then_signs(client, prepared, chair, operator):
    url = reverse("evaluation:recommendation", args=[prepared.pk])
    sign_url = reverse("evaluation:sign", args=[prepared.pk])
    client.force_login(chair)  # an account with no role: the chair of this call's commission
    page = client.get(url).content.decode()
    assert (
        "Awaiting the signature of the chair of the evaluation commission (Zofia "
        "Przewodnicząca); the decision maker can approve the list once it is signed." in page
    )
    assert f'action="{sign_url}"' in page and "Sign the list" in page
    assert "Approve the list" not in page
    # the lists awaiting the chair's signature are on the chair's own page
    mine = client.get(reverse("evaluation:my-assignments")).content.decode()
    assert f'<a href="{url}">Runda IV</a>' in mine

    asked = client.post(sign_url)
    assert _confirmation(asked)
    assert asked.context["title"] == "Sign the recommendation list?"
    assert asked.context["facts"][2:] == [
        ("Clusters recommended for the status", "1"),
        ("Applications on the list", "2"),
    ]
    assert asked.context["consequences"] == [
        "You sign, as the chair of the evaluation commission, the list recommending 1 cluster "
        "for the key cluster status.",
        "The signature cannot be undone; the commission can no longer be changed.",
        "The decision maker can then approve the list.",
        "The signature is recorded with your name and shown on the list and in the decision "
        "record.",
    ]
    recommendation = Recommendation.objects.get()
    assert (recommendation.signed_by, recommendation.signed_at) == (None, None)

    with time_machine.travel(SIGNED_ON, tick=False):
        done = client.post(sign_url, {"confirmed": "yes"})
    assert done["Location"] == url
    assert _messages(done) == [
        "You have signed the recommendation list on 27 Aug 2019; the decision maker can now "
        "approve it."
    ]
    recommendation.refresh_from_db()
    assert recommendation.signed_by == chair
    assert recommendation.signed_by_name == "Zofia Przewodnicząca"
    assert recommendation.signed_at == SIGNED_ON
    assert recommendation.state == "prepared"
    assert recommendation.history.filter(signed_at__isnull=False).get().history_user == chair
    page = client.get(url).content.decode()
    assert (
        "Signed by Zofia Przewodnicząca, the chair of the evaluation commission, on 27 Aug 2019."
        in page
    )
    assert "Sign the list" not in page
    assert commission.lists_to_sign(chair) == []
    # a second signature is refused and changes nothing
    again = client.post(sign_url, {"confirmed": "yes"}, follow=True)
    assert _messages(again) == [
        "The list has already been signed by Zofia Przewodnicząca on 27 Aug 2019."
    ]
    recommendation.refresh_from_db()
    assert recommendation.signed_at == SIGNED_ON


def test_only_the_chair_signs(client, prepared, operator, minister):
    member = UserFactory(username="member")
    commission.add_member(call=prepared, user=member, kind="independent", by=operator)
    sign_url = reverse("evaluation:sign", args=[prepared.pk])
    for who in (member, minister, operator):
        client.force_login(who)
        assert client.post(sign_url, {"confirmed": "yes"}).status_code == 403
    client.force_login(member)  # a member who is not the chair does not see the list
    assert client.get(reverse("evaluation:recommendation", args=[prepared.pk])).status_code == 403
    assert Recommendation.objects.get().signed_at is None


def test_the_approval_is_refused_before_the_signature_and_allowed_after(
    client, prepared, chair, minister
):
    with pytest.raises(EvaluationError) as refused:
        decisions.approve_recommendation(
            call=prepared, approved_on=dt.date(2019, 8, 28), by=minister
        )
    assert refused.value.messages == [AWAITING]
    client.force_login(minister)
    url = reverse("evaluation:recommendation", args=[prepared.pk])
    page = client.get(url).content.decode()
    assert "Awaiting the signature of the chair of the evaluation commission" in page
    assert "Approve the list" not in page
    response = client.post(url, {"approved_on": "2019-08-28", "confirmed": "yes"})
    assert response.status_code == 200 and not _confirmation(response)
    assert _messages(response) == [AWAITING]
    unconfirmed = client.post(url, {"approved_on": "2019-08-28"})
    assert not _confirmation(unconfirmed) and _messages(unconfirmed) == [AWAITING]
    assert not StatusGrant.objects.exists()
    assert Recommendation.objects.get().state == "prepared"

    with time_machine.travel(SIGNED_ON, tick=False):
        decisions.sign_recommendation(call=prepared, by=chair)
    assert "Approve the list" in client.get(url).content.decode()
    done = client.post(url, {"approved_on": "2019-08-28", "confirmed": "yes"})
    assert done.status_code == 302
    assert StatusGrant.objects.count() == 1
    record = DecisionRecord.objects.get()
    assert (record.signed_by_name, record.signed_at) == ("Zofia Przewodnicząca", SIGNED_ON)
    html = decision_html(record)
    assert "Signed by the chair of the evaluation commission" in html
    assert "<td>Zofia Przewodnicząca, 27 August 2019</td>" in html


def test_a_list_prepared_again_needs_a_new_signature(prepared, chair, minister, operator):
    first = decisions.sign_recommendation(call=prepared, by=chair)
    with pytest.raises(EvaluationError) as refused:
        commission.add_member(call=prepared, user=UserFactory(), kind="agency", by=operator)
    assert refused.value.messages[0].startswith(
        "The commission can no longer be changed: the recommendation list was signed by Zofia "
        "Przewodnicząca on "
    )
    decisions.prepare_recommendation(call=prepared, by=operator)
    first.refresh_from_db()
    assert first.state == "superseded" and first.signed_by == chair
    current = Recommendation.objects.exclude(state="superseded").get()
    assert (current.signed_by, current.signed_at, current.signed_by_name) == (None, None, "")
    with pytest.raises(EvaluationError) as refused:
        decisions.approve_recommendation(
            call=prepared, approved_on=dt.date(2019, 8, 28), by=minister
        )
    assert refused.value.messages == [AWAITING]
    # the commission may change again until the new list is signed
    commission.add_member(call=prepared, user=UserFactory(), kind="agency", by=operator)
    decisions.sign_recommendation(call=prepared, by=chair)
    decisions.approve_recommendation(call=prepared, approved_on=dt.date(2019, 8, 28), by=minister)
    assert Recommendation.objects.get(state="approved").signed_by == chair


def test_the_commission_page_is_frozen_once_signed(client, prepared, chair, operator):
    decisions.sign_recommendation(call=prepared, by=chair)
    seat = CommissionMember.objects.get(user=chair)
    client.force_login(operator)
    url = reverse("evaluation:commission", args=[prepared.pk])
    page = client.get(url).content.decode()
    assert "Add a member" not in page and "Remove Zofia" not in page
    removed = client.post(url, {"action": "remove", "member": seat.pk}, follow=True)
    assert len(_messages(removed)) == 1
    assert _messages(removed)[0].startswith("The commission can no longer be changed")
    assert CommissionMember.objects.filter(pk=seat.pk, is_chair=True).exists()


def test_a_call_whose_rulebook_asks_no_signature(client, call, operator, chair, minister):
    prepared = _prepared(call, operator, chair)
    with pytest.raises(EvaluationError) as refused:
        decisions.sign_recommendation(call=prepared, by=chair)
    assert refused.value.messages == [
        "This call's rulebook does not ask for the chair's signature."
    ]
    client.force_login(chair)
    page = client.get(reverse("evaluation:recommendation", args=[prepared.pk])).content.decode()
    assert "Sign the list" not in page and "Awaiting the signature" not in page
    decisions.approve_recommendation(call=prepared, approved_on=dt.date(2026, 9, 30), by=minister)
    record = DecisionRecord.objects.get()
    assert (record.signed_by_name, record.signed_at) == ("", None)
    assert "Signed by the chair" not in decision_html(record)


def test_no_chair_named_says_so(client, signed_call, operator, minister):
    prepared = _prepared(signed_call, operator)
    client.force_login(minister)
    page = client.get(reverse("evaluation:recommendation", args=[prepared.pk])).content.decode()
    assert (
        "Awaiting the signature of the chair of the evaluation commission; no chair has been "
        "named yet. The decision maker can approve the list once it is signed." in page
    )
