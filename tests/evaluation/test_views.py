import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import Application
from keyclusters.evaluation import decisions, services
from keyclusters.evaluation.models import Assignment, Recommendation
from keyclusters.statuses.models import StatusGrant
from tests.evaluation.conftest import make_expert, submitted_application
from tests.evaluation.test_services import score
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(call, operator):
    """One application through merit (two experts), parametric and the panel."""
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    make_expert("anna"), make_expert("bartek")
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "8"}, note="Doświadczony zespół")
    score(second, second.expert.user, {"team": "7"}, note="Stabilny zespół")
    for name in ("p1", "p2", "p3"):
        make_expert(name, role="panel-member")
    for assignment, points in zip(
        services.auto_assign(application=application, stage="panel", by=operator),
        ["6", "7", "9"],
        strict=True,
    ):
        score(assignment, assignment.expert.user, {"presentation": points})
    return Application.objects.get(pk=application.pk)


def test_an_expert_opens_only_their_own_sheets(client, call, operator):
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    anna = make_expert("anna")
    make_expert("bartek")
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    mine = first if first.expert == anna else second
    theirs = second if mine is first else first
    client.force_login(anna.user)
    assert client.get(reverse("evaluation:sheet", args=[mine.pk])).status_code == 200
    assert client.get(reverse("evaluation:sheet", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("evaluation:sheet", args=[theirs.pk]), {"action": "no-conflict"}
        ).status_code
        == 404
    )
    page = client.get(reverse("evaluation:my-assignments"))
    assert list(page.context["assignments"]) == [mine]
    # the scores pages are not for experts
    assert client.get(reverse("evaluation:why", args=[application.pk])).status_code == 404
    assert client.get(reverse("evaluation:call", args=[call.pk])).status_code == 403


def test_the_sheet_page_declares_scores_and_submits(client, call, operator):
    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    anna = make_expert("anna")
    assignment = services.assign_expert(
        application=application, stage="merit", expert=anna, by=operator
    )
    client.force_login(anna.user)
    url = reverse("evaluation:sheet", args=[assignment.pk])
    assert "I have no conflict of interest" in client.get(url).content.decode()
    client.post(url, {"action": "no-conflict"})
    client.post(url, {"action": "save", "points-team": "7,5", "why-team": ""})
    assignment.refresh_from_db()
    assert assignment.sheet.points == {"team": "7.5"}
    response = client.post(url, {"action": "submit", "points-team": "7.5", "why-team": ""})
    # an incomplete sheet is shown again with the error beside the field, never confirmed
    assert response.status_code == 200
    assert "team: Justify the points." in [str(m) for m in response.context["messages"]]
    assert "accounts/confirm.html" not in [t.name for t in response.templates]
    assert [c["errors"] for c in response.context["criteria"]] == [["Justify the points."]]
    fields = {"action": "submit", "points-team": "7.5", "why-team": "Silny zespół"}
    client.post(url, {**fields, "confirmed": "yes"})
    assignment.sheet.refresh_from_db()
    assert assignment.sheet.state == "submitted"


def test_why_this_score_names_experts_for_the_operator_only(client, scored, operator):
    client.force_login(operator)
    body = client.get(reverse("evaluation:why", args=[scored.pk])).content.decode()
    assert "Expert Anna" in body and "Expert Bartek" in body
    assert scored.call.rulebook.sha256 in body
    coordinator = UserFactory(roles=["coordinator"], organisation=scored.cluster.coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("evaluation:why", args=[scored.pk]))
    body = page.content.decode()
    assert "Expert #1" in body and "Expert #2" in body
    assert "Anna" not in body and "Bartek" not in body
    merit = next(s for s in page.context["stages"] if s["stage"].id == "merit")
    assert [p["value"] for p in merit["criteria"][0]["points"]] == ["8", "7"]
    other = UserFactory(roles=["coordinator"])
    client.force_login(other)
    assert client.get(reverse("evaluation:why", args=[scored.pk])).status_code == 404


def test_recommendation_then_the_decision_grants_the_status(client, scored, operator):
    # merit 7.5 + parametric 4 + panel 7 = 18.5 >= 15
    client.force_login(operator)
    # while the call is open the list cannot be prepared
    response = client.post(
        reverse("evaluation:call", args=[scored.call.pk]), {"action": "recommend"}, follow=True
    )
    assert not Recommendation.objects.exists()
    assert "the call is open" in response.content.decode()
    competition_services.change_call_state(call=scored.call, action="close", by=operator)
    response = client.post(
        reverse("evaluation:call", args=[scored.call.pk]),
        {"action": "recommend", "confirmed": "yes"},
    )
    assert response["Location"] == reverse("evaluation:recommendation", args=[scored.call.pk])
    recommendation = Recommendation.objects.get()
    assert recommendation.outcomes == [
        {"application": scored.pk, "total": "18.50", "rank": 1, "recommended": True, "reasons": []}
    ]
    # the operator cannot approve
    assert (
        client.post(
            reverse("evaluation:recommendation", args=[scored.call.pk]),
            {"approved_on": "2026-09-30"},
        ).status_code
        == 403
    )
    minister = UserFactory(username="minister", roles=["decision-maker"])
    client.force_login(minister)
    response = client.post(
        reverse("evaluation:recommendation", args=[scored.call.pk]),
        {"approved_on": "2026-09-30", "confirmed": "yes"},
    )
    assert response.status_code == 302
    grant = StatusGrant.objects.get()
    assert (grant.cluster, grant.valid_from, grant.valid_to) == (
        scored.cluster,
        dt.date(2026, 9, 30),
        dt.date(2029, 9, 29),
    )
    scored.refresh_from_db()
    assert scored.state == "granted"
    assert Assignment.objects.filter(application=scored).count() == 5


def test_the_ranking_recomputed_as_of_an_earlier_time_equals_what_was_shown(scored, operator):
    import time_machine
    from django.utils import timezone

    from keyclusters.evaluation.models import ScoreSheet
    from keyclusters.evaluation.selectors import ranking_as_of

    competition_services.change_call_state(call=scored.call, action="close", by=operator)
    shown_at = timezone.now()
    recommendation = decisions.prepare_recommendation(call=scored.call, by=operator)
    shown = recommendation.outcomes
    assert ranking_as_of(scored.call, timezone.now()) == shown
    # later an operator corrects a panel sheet (reopen, rescore); the list is prepared again
    with time_machine.travel(shown_at + dt.timedelta(hours=1), tick=False):
        sheet = ScoreSheet.objects.filter(assignment__stage="panel").order_by("pk").first()
        ScoreSheet.objects.filter(pk=sheet.pk).update(points={"presentation": "10"})
        sheet.refresh_from_db()
        sheet.save()  # a history row with the new points
    changed = ranking_as_of(scored.call, shown_at + dt.timedelta(hours=2))
    assert changed[0]["total"] == "20.50"  # the panel's median went from 7 to 9
    assert ranking_as_of(scored.call, shown_at + dt.timedelta(seconds=1)) == shown


def test_the_recommendation_page_makes_the_same_number_of_queries(client, call, operator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ClusterFactory

    recommendation = Recommendation.objects.create(call=call, outcomes=[], rulebook_sha256="x")
    client.force_login(operator)

    def count(n: int) -> int:
        rows = []
        for _ in range(n):
            application = Application.objects.create(call=call, cluster=ClusterFactory())
            rows.append(
                {
                    "application": application.pk,
                    "total": "1.00",
                    "rank": 1,
                    "recommended": False,
                    "reasons": [{"message_id": "x", "params": {}}],
                }
            )
        recommendation.outcomes = rows
        recommendation.save()
        with CaptureQueriesContext(connection) as queries:
            url = reverse("evaluation:recommendation", args=[call.pk])
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    assert count(5) == count(20)


def test_the_operator_records_a_consensus_through_the_page(client, call, operator):
    from keyclusters.competitions.models import StageResult

    source = call.rulebook.source.replace("resolution: third-expert", "resolution: consensus")
    rulebook = competition_services.store_rulebook(
        source=source.replace("version: 1", "version: 2")
    )
    other = competition_services.create_call(
        name="Konsensus", rulebook=rulebook, opens_at=call.opens_at, closes_at=call.closes_at
    )
    competition_services.change_call_state(call=other, action="open")
    application = submitted_application(other, name="Klaster Gamma")
    competition_services.pass_formal(application=application, by=operator)
    make_expert("a"), make_expert("b")
    first, second = services.auto_assign(application=application, stage="merit", by=operator)
    score(first, first.expert.user, {"team": "10"})
    score(second, second.expert.user, {"team": "2"})
    client.force_login(operator)
    url = reverse("evaluation:consensus", args=[application.pk])
    page = client.get(url)
    assert page.context["aggregate"].divergence.gap == 8
    fields = {"points-team": "6.5", "note": "Uzgodniono"}
    asked = client.post(url, fields)
    assert asked.templates[0].name == "accounts/confirm.html"
    assert ("Total", "6.5 of 10") in asked.context["facts"]
    assert StageResult.objects.get(application=application, stage="merit").points is None
    response = client.post(url, {**fields, "confirmed": "yes"})
    assert response.status_code == 302
    result = StageResult.objects.get(application=application, stage="merit")
    assert (result.points, result.details["method"]) == (Decimal("6.5"), "consensus")
    expert = UserFactory(roles=["expert"])
    client.force_login(expert)
    assert client.get(url).status_code == 403


def test_the_operator_assigns_an_expert_by_hand_and_a_conflict_is_refused(client, call, operator):
    from keyclusters.evaluation.models import ConflictRecord
    from tests.factories import MembershipFactory

    application = submitted_application(call)
    competition_services.pass_formal(application=application, by=operator)
    free, member = make_expert("wolny"), make_expert("czlonek")
    MembershipFactory(cluster=application.cluster, organisation=member.organisation)
    client.force_login(operator)
    url = reverse("evaluation:call", args=[call.pk])
    client.post(url, {"action": "assign", "application": application.pk, "expert": free.pk})
    response = client.post(
        url,
        {"action": "assign", "application": application.pk, "expert": member.pk},
        follow=True,
    )
    assert [a.expert for a in application.assignments.all()] == [free]
    assert ConflictRecord.objects.get().expert == member
    assert any("member" in str(m).lower() for m in response.context["messages"])


def test_the_evaluation_overview_page_renders_once_with_a_plain_title(client, call, operator):
    client.force_login(operator)
    body = client.get(
        reverse("evaluation:call", args=[call.pk]), headers={"accept-language": "en"}
    ).content.decode()
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip() == "Evaluation – Runda pełna · keyclusters"
    assert body.count("Schedule a panel session") == 1
