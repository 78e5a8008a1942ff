"""A cluster's applications in every round (issue #14, part 7): every application with its
stage results, decision and status to the cluster's coordinator and the ministry; to everyone
else, for each decided call, only whether the status was granted."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import Application, Call
from keyclusters.evaluation import decisions
from keyclusters.statuses import services as status_services
from tests.competitions.conftest import PDF, WARSAW
from tests.evaluation.conftest import call, english, operator  # noqa: F401 (fixtures)
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _call(rulebook, name, year):
    later = competition_services.create_call(
        name=name,
        rulebook=rulebook,
        opens_at=dt.datetime(year, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(year, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    return competition_services.change_call_state(call=later, action="open")


def _apply(in_call, cluster, year):
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    now = dt.datetime(year, 6, 10, 12, 0, tzinfo=WARSAW)
    application = competition_services.start_application(
        call=in_call, cluster=cluster, by=coordinator, now=now
    )
    competition_services.save_application_data(
        application=application, values={}, files={"strategy": ("s.pdf", PDF)},
        by=coordinator, now=now,
    )  # fmt: skip
    competition_services.submit_application(application=application, by=coordinator, now=now)
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def rounds(call, operator):  # noqa: F811
    """Round one (decided 30.09.2026): Alfa granted (a renewal of its round I status), Beta not.
    Round two (open in 2027, undecided): Alfa in the merit evaluation, Beta rejected at the
    formal stage."""
    alfa = through_merit(call, operator, ("8", "7"), name="Klaster Alfa")
    beta = through_merit(call, operator, ("2", "1"), panel=("1", "1", "1"), name="Klaster Beta")
    earlier = status_services.grant_status(
        cluster=alfa.cluster, round_label="I", decision_on=dt.date(2023, 10, 1),
        valid_from=dt.date(2023, 10, 1), valid_to=dt.date(2026, 9, 29), by=None,
    )  # fmt: skip
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    minister = UserFactory(roles=["decision-maker"])
    decisions.approve_recommendation(call=call, approved_on=dt.date(2026, 9, 30), by=minister)
    second = _call(call.rulebook, "Runda druga", 2027)
    alfa_2 = _apply(second, alfa.cluster, 2027)
    competition_services.pass_formal(application=alfa_2, by=operator)
    beta_2 = _apply(second, beta.cluster, 2027)
    competition_services.fail_formal(application=beta_2, reasons=["Brak strategii"], by=operator)
    return SimpleNamespace(
        call=call, second=second, alfa=alfa, beta=beta, alfa_2=alfa_2, beta_2=beta_2,
        earlier=earlier, minister=minister,
        coordinator=UserFactory(roles=["coordinator"], organisation=alfa.cluster.coordinator),
    )  # fmt: skip


def _page(client, application, user=None):
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("web:cluster-rounds", args=[application.cluster_id]))
    assert response.status_code == 200
    return response


def _plain(row):
    """A row without the status object (its dates and kind instead)."""
    status = row.pop("status")
    row["status"] = status and (status.valid_from, status.valid_to, status.renewal_of_id)
    return row


def test_the_coordinator_sees_every_application_with_its_stages_and_decision(client, rounds):
    response = _page(client, rounds.alfa, rounds.coordinator)
    assert response.context["full"] is True
    rows = [_plain(row) for row in response.context["rows"]]
    stage = lambda title, result, word, points=None, maximum=None: {  # noqa: E731
        "title": title, "result": result, "word": word, "points": points, "max_points": maximum,
    }  # fmt: skip
    assert rows == [
        {
            "call": "Runda pełna", "round": "", "decided": True, "granted": True,
            "number": rounds.alfa.number, "submitted_at": rounds.alfa.submitted_at,
            "id": rounds.alfa.pk, "linked": True,
            "stages": [
                stage("Formal evaluation", "passed", "passed"),
                stage("Merit evaluation", "passed", "passed", pytest.approx(7.5), 10),
                stage("Parametric evaluation", "passed", "passed", 4, 7),
                stage("Expert Panel", "passed", "passed", 7, 10),
            ],
            "decision": "granted the status",
            "status": (dt.date(2026, 9, 30), dt.date(2029, 9, 29), rounds.earlier.pk),
        },
        {
            "call": "Runda druga", "round": "", "decided": False, "granted": False,
            "number": rounds.alfa_2.number, "submitted_at": rounds.alfa_2.submitted_at,
            "id": rounds.alfa_2.pk, "linked": True,
            "stages": [
                stage("Formal evaluation", "passed", "passed"),
                stage("Merit evaluation", "pending", "collecting score sheets", None, 10),
            ],
            "decision": "in evaluation",
            "status": None,
        },
    ]  # fmt: skip
    html = " ".join(response.content.decode().split())
    assert 'Merit evaluation: <span class="text-success">passed</span>, 7.50 of 10 points' in html
    assert "a renewal, without a break" in html
    assert reverse("competitions:application-detail", args=[rounds.alfa.pk]) in html


def test_the_ministry_sees_rejections_and_refusals_in_words(client, rounds):
    response = _page(client, rounds.beta, rounds.minister)
    rows = response.context["rows"]
    assert [(r["call"], r["decision"], r["linked"]) for r in rows] == [
        ("Runda pełna", "not granted the status", False),  # the decision maker: no link
        ("Runda druga", "rejected at the formal stage", False),
    ]
    assert [(s["title"], s["word"]) for s in rows[1]["stages"]] == [("Formal evaluation", "failed")]
    staff = UserFactory(roles=["operator"])
    rows = _page(client, rounds.beta, staff).context["rows"]
    assert [(r["decision"], r["linked"]) for r in rows] == [
        ("not granted the status", True),
        ("rejected at the formal stage", True),
    ]


@pytest.mark.parametrize("who", ["anonymous", "other coordinator", "expert"])
def test_the_public_sees_only_granted_or_not_in_decided_calls(client, rounds, who):
    user = {
        "anonymous": None,
        "other coordinator": UserFactory(
            roles=["coordinator"], organisation=rounds.beta.cluster.coordinator
        ),
        "expert": UserFactory(roles=["expert"]),
    }[who]  # fmt: skip
    response = _page(client, rounds.alfa, user)
    assert response.context["full"] is False
    assert [(r["call"], r["granted"]) for r in response.context["rows"]] == [("Runda pełna", True)]
    html = response.content.decode()
    for hidden in ("Runda druga", rounds.alfa.number, "points", "Merit evaluation", "passed"):
        assert hidden not in html
    assert "granted the status" in html
    if who == "other coordinator":  # their own cluster's: everything
        assert _page(client, rounds.beta).context["full"] is True
    client.logout()
    response = _page(client, rounds.beta)
    assert [(r["call"], r["granted"]) for r in response.context["rows"]] == [("Runda pełna", False)]
    assert "not granted the status" in response.content.decode()


def test_the_timeline_links_to_the_rounds(client, rounds):
    html = client.get(reverse("statuses:cluster-history", args=[rounds.alfa.cluster_id]))
    assert reverse("web:cluster-rounds", args=[rounds.alfa.cluster_id]) in html.content.decode()


def test_a_constant_number_of_queries(client, rounds, operator):  # noqa: F811
    cluster = rounds.alfa.cluster

    def count(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("web:cluster-rounds", args=[cluster.pk]))
        assert response.status_code == 200
        return len(captured.captured_queries), len(response.context["rows"])

    def add_rounds(years):
        for year in years:
            later = _call(rounds.call.rulebook, f"Runda {year}", year)
            competition_services.pass_formal(application=_apply(later, cluster, year), by=operator)
            # decided (a shortcut: only the page's reads are measured), so the public sees it
            Call.objects.filter(pk=later.pk).update(state="decided")
            status_services.grant_status(
                cluster=cluster, round_label=str(year), decision_on=dt.date(year, 9, 30),
                valid_from=dt.date(year + 3, 1, 1), valid_to=dt.date(year + 3, 12, 31), by=None,
            )  # fmt: skip

    public = UserFactory(roles=["expert"])
    add_rounds(range(2028, 2030))
    few = count(rounds.coordinator), count(public)
    add_rounds(range(2030, 2034))
    many = count(rounds.coordinator), count(public)
    assert (few[0][1], many[0][1], few[1][1], many[1][1]) == (4, 8, 3, 7)
    assert few[0][0] == many[0][0]
    assert few[1][0] == many[1][0]
