"""The decision maker's approval writes a decision record (a PDF), listed on the decisions page;
a decided call publishes its results (issue #13)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from keyclusters.competitions import services as competition_services
from keyclusters.evaluation import decision_views, decisions
from keyclusters.evaluation.models import DecisionRecord
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory


@pytest.fixture
def prepared(call, operator):
    alfa = through_merit(call, operator, ("8", "7"), name="Klaster Alfa")
    beta = through_merit(call, operator, ("2", "1"), panel=("1", "1", "1"), name="Klaster Beta")
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    return call, alfa, beta


@pytest.fixture
def minister(db):
    return UserFactory(
        username="minister", first_name="Anna", last_name="Ministerska", roles=["decision-maker"]
    )


def _approved(prepared, minister):
    call, alfa, beta = prepared
    decisions.approve_recommendation(call=call, approved_on=dt.date(2026, 9, 30), by=minister)
    return DecisionRecord.objects.get(call=call)


def test_the_approval_writes_the_decision_record(prepared, minister):
    call, alfa, beta = prepared
    record = _approved(prepared, minister)
    assert (record.approved_on, record.approved_by, record.approved_by_name) == (
        dt.date(2026, 9, 30),
        minister,
        "Anna Ministerska",
    )
    assert (record.rulebook_id, record.rulebook_version) == (
        call.rulebook.rulebook_id,
        call.rulebook.version,
    )
    assert record.rulebook_sha256 == call.rulebook.sha256
    assert [(r["rank"], r["cluster"], r["recommended"]) for r in record.rows] == [
        (1, "Klaster Alfa", True),
        (2, "Klaster Beta", False),
    ]
    assert [r["number"] for r in record.rows] == [alfa.number, beta.number]


def test_a_refused_approval_writes_no_record(prepared):
    call, _alfa, _beta = prepared
    operator = UserFactory(roles=["operator"])
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied)
        decisions.approve_recommendation(call=call, approved_on=dt.date(2026, 9, 30), by=operator)
    assert not DecisionRecord.objects.exists()


def test_the_decision_record_pdf_names_the_list_the_date_the_approver_and_the_rulebook(
    client, prepared, minister
):
    call, alfa, beta = prepared
    record = _approved(prepared, minister)
    html = decision_views.decision_html(record)
    assert call.rulebook.sha256 in html
    client.force_login(minister)
    response = client.get(reverse("evaluation:decision-record", args=[record.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Decision record" in text
    assert "Date of the decision30 September 2026" in text
    assert "Anna Ministerska" in text
    assert f"{call.rulebook.rulebook_id} v{call.rulebook.version}" in text
    assert call.rulebook.sha256[:20] in text.replace("\n", "")
    assert "Klaster Alfa" in text and "Klaster Beta" in text
    assert f"1 {alfa.number} Klaster Alfa 18.50 yes" in text
    assert f"2 {beta.number} Klaster Beta 6.50 no" in text


def test_the_decisions_page_lists_records_with_a_way_back_to_the_list(client, prepared, minister):
    call, _alfa, _beta = prepared
    record = _approved(prepared, minister)
    client.force_login(minister)
    page = client.get(reverse("evaluation:recommendation", args=[call.pk])).content.decode()
    assert reverse("evaluation:decision-record", args=[record.pk]) in page
    assert reverse("evaluation:decisions") in page
    decisions_page = client.get(reverse("evaluation:decisions")).content.decode()
    assert reverse("evaluation:decision-record", args=[record.pk]) in decisions_page
    assert reverse("evaluation:recommendation", args=[call.pk]) in decisions_page
    assert "Anna Ministerska" in decisions_page
    client.force_login(UserFactory(roles=["coordinator"]))
    assert client.get(reverse("evaluation:decisions")).status_code == 403


def test_the_public_results_show_the_granted_clusters_only_after_the_decision(
    client, prepared, minister
):
    call, alfa, _beta = prepared
    results = reverse("evaluation:results", args=[call.pk])
    assert client.get(results).status_code == 404
    _approved(prepared, minister)
    response = client.get(results)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Clusters granted the key cluster status" in html
    cluster_url = reverse("registry:cluster-detail", args=[alfa.cluster_id])
    assert f'<td>1</td><td><a href="{cluster_url}">Klaster Alfa</a></td><td>18.50</td>' in html
    assert "Klaster Beta" not in html
    assert "Anna Ministerska" not in html and "minister" not in html  # no personal data
    call_page = client.get(reverse("competitions:call-detail", args=[call.pk])).content.decode()
    assert results in call_page
