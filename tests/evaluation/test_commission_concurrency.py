"""The chair's signature overlapping another signature, the approval or a change of chair, in
real threads on one database (PostgreSQL, or a SQLite file: see tests/concurrency.py): one
wins, the other is refused in words, nothing is approved unsigned and nothing answers 500."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from keyclusters.competitions import services as competition_services
from keyclusters.evaluation import commission, decisions, services
from keyclusters.evaluation.models import CommissionMember, Recommendation
from keyclusters.statuses.models import StatusGrant
from tests.competitions.conftest import WARSAW
from tests.concurrency import run_together
from tests.evaluation.test_commission import AWAITING, SIGNED_RULEBOOK, _prepared
from tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def prepared(db, operator):
    rulebook = competition_services.store_rulebook(source=SIGNED_RULEBOOK)
    call = competition_services.create_call(
        name="Runda IV",
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    call = competition_services.change_call_state(call=call, action="open")
    chair = UserFactory(username="chair", first_name="Zofia", last_name="Przewodnicząca")
    return _prepared(call, operator, chair), chair


def test_two_signatures_at_once_sign_once(prepared):
    call, chair = prepared
    outcomes = run_together(
        lambda: decisions.sign_recommendation(call=call, by=chair),
        lambda: decisions.sign_recommendation(call=call, by=chair),
    )
    assert sorted(o.ok for o in outcomes) == [False, True]
    refused = next(o for o in outcomes if not o.ok)
    assert isinstance(refused.error, services.EvaluationError)
    assert refused.error.messages[0].startswith(
        "The list has already been signed by Zofia Przewodnicząca on "
    )
    signed = next(o for o in outcomes if o.ok).value
    recommendation = Recommendation.objects.get()
    assert recommendation.signed_at == signed.signed_at
    assert recommendation.history.filter(signed_at__isnull=False).count() == 1


def test_a_signature_and_an_approval_at_once_never_approve_unsigned(prepared):
    call, chair = prepared
    minister = UserFactory(username="minister", roles=["decision-maker"])
    outcomes = run_together(
        lambda: decisions.sign_recommendation(call=call, by=chair),
        lambda: decisions.approve_recommendation(
            call=call, approved_on=dt.date(2019, 8, 28), by=minister
        ),
    )
    assert outcomes[0].ok, outcomes[0].error
    recommendation = Recommendation.objects.get()
    assert recommendation.signed_by == chair
    if outcomes[1].ok:  # the approval waited for the signature
        assert recommendation.state == "approved"
        assert StatusGrant.objects.count() == 1
    else:
        assert isinstance(outcomes[1].error, services.EvaluationError)
        assert outcomes[1].error.messages == [AWAITING]
        assert recommendation.state == "prepared"
        assert not StatusGrant.objects.exists()


def test_a_change_of_chair_and_the_signature_at_once(prepared, operator):
    call, chair = prepared
    other = UserFactory(username="other")
    seat = commission.add_member(call=call, user=other, kind="agency", body="PARP", by=operator)
    outcomes = run_together(
        lambda: decisions.sign_recommendation(call=call, by=chair),
        lambda: commission.make_chair(member=seat, by=operator),
    )
    recommendation = Recommendation.objects.get()
    chair_now = CommissionMember.objects.get(call=call, is_chair=True).user
    if outcomes[0].ok:  # signed first: the commission is frozen
        assert isinstance(outcomes[1].error, services.EvaluationError), outcomes[1].error
        assert (recommendation.signed_by, chair_now) == (chair, chair)
    else:  # the chair moved first: the former chair may no longer sign
        assert outcomes[1].ok, outcomes[1].error
        assert isinstance(outcomes[0].error, PermissionDenied)
        assert (recommendation.signed_by, chair_now) == (None, other)


def test_signatures_and_approvals_through_the_pages_answer_no_500(prepared):
    call, chair = prepared
    minister = UserFactory(username="minister", roles=["decision-maker"])
    sign_url = reverse("evaluation:sign", args=[call.pk])
    approve_url = reverse("evaluation:recommendation", args=[call.pk])

    def send(who, url, data):
        def go():
            client = Client()
            client.force_login(who)
            return client.post(url, data).status_code

        return go

    outcomes = run_together(
        send(chair, sign_url, {"confirmed": "yes"}),
        send(chair, sign_url, {"confirmed": "yes"}),
        send(minister, approve_url, {"approved_on": "2019-08-28", "confirmed": "yes"}),
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    statuses = [o.value for o in outcomes]
    # a signature (or its refusal) goes back to the list; a refused approval shows the page
    assert statuses[:2] == [302, 302]
    assert statuses[2] in (200, 302)
    recommendation = Recommendation.objects.get()
    assert recommendation.signed_by == chair
    assert recommendation.state == ("approved" if statuses[2] == 302 else "prepared")
