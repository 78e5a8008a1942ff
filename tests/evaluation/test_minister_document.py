"""The minister's document (issue #14, part 3): recorded once after the approval, with its number,
issue date and signatory; where the rulebook counts the status from the document (round I of
2015) the statuses are granted then, valid from its issue date; otherwise it is written on the
call's grants. The certificate names it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import Application
from keyclusters.evaluation import decisions
from keyclusters.evaluation.base import EvaluationError
from keyclusters.evaluation.models import MinisterDocument
from keyclusters.statuses.models import StatusGrant
from keyclusters.statuses.services import status_certificate
from tests.competitions.conftest import WARSAW
from tests.evaluation.conftest import RULEBOOK
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DECIDED_ON = dt.date(2026, 11, 2)
TODAY = dt.date(2026, 11, 30)


def decided_call(
    operator, minister, *, from_document: bool, name="Runda I", clusters=("Alfa", "Beta")
):
    source = RULEBOOK
    if from_document:
        source = source.replace("rulebook: test-full", "rulebook: test-document").replace(
            "{years: 3, from: decision}", "{years: 3, from: document}"
        )
    call = competition_services.create_call(
        name=name,
        rulebook=competition_services.store_rulebook(source=source),
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    competition_services.change_call_state(call=call, action="open")
    through_merit(call, operator, ("8", "7"), name=f"Klaster {clusters[0]}")
    through_merit(call, operator, ("2", "1"), panel=("1", "1", "1"), name=f"Klaster {clusters[1]}")
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    decisions.approve_recommendation(call=call, approved_on=DECIDED_ON, by=minister)
    call.refresh_from_db()
    return call


@pytest.fixture
def minister(db):
    return UserFactory(
        username="minister", first_name="Maria", last_name="Ministerska", roles=["decision-maker"]
    )


def issue(call, by, **changes):
    values = {
        "number": "DI-III.7211.1.2026",
        "issued_on": dt.date(2026, 11, 9),
        "signatory": "Minister Rozwoju i Technologii",
        "today": TODAY,
        **changes,
    }
    return decisions.issue_document(call=call, by=by, **values)


def test_from_document_the_approval_grants_nothing_until_the_document_then_from_its_date(
    operator, minister
):
    call = decided_call(operator, minister, from_document=True)
    granted = Application.objects.get(cluster__name="Klaster Alfa")
    assert granted.state == "granted"
    assert not StatusGrant.objects.exists()

    document = issue(call, operator)

    grant = StatusGrant.objects.get()
    assert grant.cluster == granted.cluster
    assert (grant.decision_on, grant.valid_from, grant.valid_to) == (
        DECIDED_ON,
        dt.date(2026, 11, 9),
        dt.date(2029, 11, 8),
    )
    assert (grant.document_number, grant.document_issued_on) == (
        "DI-III.7211.1.2026",
        dt.date(2026, 11, 9),
    )
    assert (document.signatory, document.recorded_by_name) == (
        "Minister Rozwoju i Technologii",
        operator.get_full_name() or operator.get_username(),
    )
    payload = status_certificate(grant=grant, by=operator).payload
    assert payload["status"]["document"] == {
        "number": "DI-III.7211.1.2026",
        "issued_on": "2026-11-09",
    }
    assert payload["status"]["valid_from"] == "2026-11-09"


def test_from_decision_the_document_is_written_on_the_grants_the_approval_made(operator, minister):
    call = decided_call(operator, minister, from_document=False)
    grant = StatusGrant.objects.get()
    assert (grant.valid_from, grant.valid_to, grant.document_number) == (
        DECIDED_ON,
        dt.date(2029, 11, 1),
        "",
    )
    issue(call, minister, issued_on=DECIDED_ON)
    grant.refresh_from_db()
    assert (grant.valid_from, grant.document_number, grant.document_issued_on) == (
        DECIDED_ON,
        "DI-III.7211.1.2026",
        DECIDED_ON,
    )
    assert grant.history.first().history_user == minister


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"number": "  "}, {"number": ["Give the document's number."]}),
        (
            {"signatory": ""},
            {"signatory": ["Give who signed the document (name and function)."]},
        ),
        (
            {"issued_on": dt.date(2026, 11, 1)},
            {"issued_on": ["The document cannot be issued before the decision (2 November 2026)."]},
        ),
        (
            {"issued_on": dt.date(2026, 12, 1)},
            {"issued_on": ["The issue date cannot be in the future."]},
        ),
        ({"issued_on": None}, {"issued_on": ["Give the issue date."]}),
    ],
)
def test_a_document_with_a_missing_or_wrong_field_is_refused_and_nothing_is_written(
    operator, minister, changes, errors
):
    call = decided_call(operator, minister, from_document=True)
    with pytest.raises(EvaluationError) as info:
        issue(call, operator, **changes)
    assert info.value.message_dict == errors
    assert not MinisterDocument.objects.exists()
    assert not StatusGrant.objects.exists()


def test_the_document_is_recorded_once_and_its_number_only_once(operator, minister):
    call = decided_call(operator, minister, from_document=True)
    issue(call, operator)
    with pytest.raises(EvaluationError) as info:
        issue(call, minister, number="Inny numer")
    assert info.value.messages == [
        "The document No. DI-III.7211.1.2026 of 9 November 2026 has already been recorded for "
        "this call."
    ]
    other = decided_call(
        operator, minister, from_document=True, name="Runda II", clusters=("Gamma", "Delta")
    )
    with pytest.raises(EvaluationError) as info:
        issue(other, operator)
    assert info.value.message_dict == {"number": ["Another call's document has this number."]}
    assert StatusGrant.objects.count() == 1


def test_a_call_not_decided_yet_has_no_document_and_only_staff_record_one(operator, minister):
    call = decided_call(operator, minister, from_document=True)
    expert = UserFactory(roles=["expert"])
    with pytest.raises(PermissionDenied):
        issue(call, expert)
    undecided = competition_services.create_call(
        name="Runda otwarta",
        rulebook=call.rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    with pytest.raises(EvaluationError) as info:
        issue(undecided, operator)
    assert info.value.messages == [
        "The minister's document is recorded after the list is approved."
    ]
    assert not MinisterDocument.objects.exists()


def test_the_page_asks_first_stating_the_statuses_then_records_with_the_name(
    client, operator, minister
):
    call = decided_call(operator, minister, from_document=True)
    url = reverse("evaluation:document", args=[call.pk])
    client.force_login(operator)
    page = client.get(url)
    assert page.status_code == 200
    assert "The decision of 2 November 2026 granted the status to 1 cluster." in page.text
    form = {"number": "DI/1/2026", "issued_on": "2026-11-09", "signatory": "Minister"}
    asked = client.post(url, form)
    assert "accounts/confirm.html" in [t.name for t in asked.templates]
    assert (
        "1 cluster is granted the key cluster status, valid from 9 November 2026 through "
        "8 November 2029 (the rulebook counts the status from the document&#x27;s issue date)."
    ) in asked.text
    assert not MinisterDocument.objects.exists()
    done = client.post(url, {**form, "confirmed": "yes"}, follow=True)
    assert "The minister&#x27;s document has been recorded." in done.text
    assert MinisterDocument.objects.get().recorded_by == operator
    assert StatusGrant.objects.get().valid_from == dt.date(2026, 11, 9)
    refused = client.post(url, {**form, "issued_on": "2026-10-01"})
    assert refused.status_code == 200 and MinisterDocument.objects.count() == 1


def test_a_wrong_date_is_shown_at_its_field_and_a_coordinator_is_refused(
    client, operator, minister
):
    call = decided_call(operator, minister, from_document=True)
    url = reverse("evaluation:document", args=[call.pk])
    client.force_login(minister)
    page = client.post(url, {"number": "1", "issued_on": "2026-10-01", "signatory": "M"})
    assert page.context["form"].errors == {
        "issued_on": ["The document cannot be issued before the decision (2 November 2026)."]
    }
    client.force_login(UserFactory(roles=["coordinator"]))
    assert client.get(url).status_code == 403
    assert client.post(url, {"number": "1", "confirmed": "yes"}).status_code == 403
