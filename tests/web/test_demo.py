import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keyclusters.accounts.models import ApiKey, User
from keyclusters.accounts.roles import Role
from keyclusters.benchmarking.models import ClusterReport, Edition, EditionResult
from keyclusters.competitions.models import Application, Call, StageResult
from keyclusters.domain.identifiers import normalise_nip, normalise_regon
from keyclusters.evaluation.models import Assignment, PanelSession, ScoreSheet
from keyclusters.evaluation.selectors import current_recommendation
from keyclusters.evaluation.services import stage_aggregate
from keyclusters.monitoring.models import YearlyReport
from keyclusters.registry import identity
from keyclusters.registry.models import Cluster, Membership, Organisation
from keyclusters.statuses import public_registry
from keyclusters.statuses.models import Certificate, StatusGrant
from keyclusters.surveys.models import Survey
from keyclusters.surveys.selectors import results as survey_results
from keyclusters.web.demo.names import REGIONS
from keyclusters.web.demo.rounds import ROUND_2015

pytestmark = pytest.mark.django_db(transaction=True)


def states(call: Call) -> dict[str, int]:
    return dict(Counter(call.applications.values_list("state", flat=True)))


def passed(call: Call, stage: str) -> dict[str, int]:
    results = StageResult.objects.filter(application__call=call, stage=stage)
    return dict(Counter(results.values_list("result", flat=True)))


def test_the_demo_tells_the_whole_story(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    today = timezone.localdate()

    # the registry and one login per role
    assert Cluster.objects.count() == 42
    assert Organisation.objects.count() == 3013  # with the renamed cluster's new coordinator
    polish = Organisation.objects.exclude(nip=None)
    assert polish.count() == 3001
    for org in polish.only("nip", "regon"):
        assert normalise_nip(org.nip) == org.nip
        assert normalise_regon(org.regon) == org.regon
    for cluster in Cluster.objects.all():
        coordinating = Membership.objects.filter(cluster=cluster, role="coordinator")
        assert coordinating.filter(left_on=None).count() == 1
    # a holder renamed itself and changed its coordinator on 1 May 2023
    renamed = Cluster.objects.get(name="Metalia Klaster Przemysłowy")
    assert identity.name_on(renamed, dt.date(2023, 4, 30)) == "Śląski Klaster Obróbki Metali"
    assert identity.coordinator_on(renamed, dt.date(2023, 5, 1)).name == (
        "Fundacja Metalia w Gliwicach"
    )
    assert identity.coordinator_on(renamed, dt.date(2023, 4, 30)).name != (
        "Fundacja Metalia w Gliwicach"
    )
    assert StatusGrant.objects.filter(cluster=renamed).exists()
    # plausible: real towns in their own voivodeships, no placeholders, one name per firm
    towns = {(region, town) for region in REGIONS for town, _where in REGIONS[region][1]}
    for org in polish.only("voivodeship", "city"):
        assert (org.voivodeship, org.city) in towns
    names = list(Organisation.objects.values_list("name", flat=True))
    names += list(Cluster.objects.values_list("name", flat=True))
    assert len(set(names)) == len(names)
    placeholder = re.compile(r"\b(test|foo|lorem|demo|cluster|scenario)\b|\d+$", re.IGNORECASE)
    assert not [n for n in names if placeholder.search(n)]
    assert Cluster.objects.get(name="Klaster Lotniczy Aerodolina").coordinator.city == "Rzeszów"
    # the coordinator's member survey of last year, closed two weeks ago by its last day, its
    # results shown (7 answers of 5) but for the suggestions, given 4 times (fewer than 5)
    survey = Survey.objects.get()
    assert (survey.cluster.name, survey.year) == ("Klaster Lotniczy Aerodolina", today.year - 1)
    assert (survey.closes_on, survey.closed_at, survey.is_open(today)) == (
        today - dt.timedelta(days=14), None, False,
    )  # fmt: skip
    assert sorted(survey.answers.values_list("submitted_on", flat=True)) == [
        today - dt.timedelta(days=42 - 3 * n) for n in range(7)
    ]
    outcome = survey_results(survey, today=today)
    assert (outcome.closed, outcome.shown, outcome.answers, outcome.minimum) == (True, True, 7, 5)
    assert [(q.count, q.suppressed) for q in outcome.questions] == [
        (7, False), (7, False), (7, False), (None, True),
    ]  # fmt: skip
    assert [sum(r.count for r in q.rows) for q in outcome.questions] == [7, 7, 7, 0]
    assert outcome.questions[3].texts == []
    # yearly reports of the two years before today: accepted, one overdue draft, one returned;
    # every current holder reported on both years
    reports = Counter(YearlyReport.objects.values_list("state", flat=True))
    assert (reports["draft"], reports["returned"]) == (1, 1)
    assert reports["accepted"] == YearlyReport.objects.count() - 2 >= 30
    current = {c.pk for c in public_registry.holders_on(today)}
    reported = set(YearlyReport.objects.values_list("cluster_id", "year"))
    assert len(current) == 15
    assert {(pk, year) for pk in current for year in (today.year - 2, today.year - 1)} <= reported
    overdue = YearlyReport.objects.get(state="draft")
    assert overdue.year == today.year - 2 and overdue.due_on < today
    returned = YearlyReport.objects.get(state="returned")
    assert (returned.cluster.name, returned.year) == ("Klaster Lotniczy Aerodolina", today.year - 1)
    assert Organisation.history.count() == 3013
    logins = {
        "operator": "operator",
        "expert": "expert",
        "panel-member": "panel",
        "decision-maker": "minister",
        "coordinator": "coordinator",
        "funding-agency": "agency",
        "analyst": "analyst",
        "member-organisation": "member",
    }
    assert set(logins) == {role.value for role in Role}
    for role, username in logins.items():
        user = User.objects.get(username=username)
        assert user.has_role(role)
        assert user.check_password("demo-keyclusters")
        assert f"  {username} " in out
    key = ApiKey.objects.get()
    assert f"(X-API-Key): {key.prefix}." in out
    coordinator = User.objects.get(username="coordinator")
    own = Cluster.objects.order_by("pk").first()
    assert own.coordinator == coordinator.organisation
    member_firm = User.objects.get(username="member").organisation
    assert member_firm.memberships.filter(cluster__coordinator=own.coordinator).exists()
    minister = User.objects.get(username="minister")

    finished, pending, open_call = Call.objects.order_by("pk")
    assert [c.round_label for c in (finished, pending, open_call)] == ["I", "VIII", "IX"]

    # round I (2015): 23 -> 10 -> 8 -> 7, decided on 23 September 2015 by the minister
    assert (finished.name, finished.state) == ("Runda I (2015)", "decided")
    assert finished.rulebook.rulebook_id == "kkk-2015"
    assert states(finished) == {"granted": 7, "not-granted": 1, "rejected": 15}
    assert passed(finished, "formal") == {"passed": 10, "failed": 13}
    assert passed(finished, "merit_first") == {"passed": 8, "failed": 2}
    assert passed(finished, "merit_second") == {"passed": 8}
    applicants = set(finished.applications.values_list("cluster_id", flat=True))
    assert len(applicants) == 23 and own.pk not in applicants
    recommendation = current_recommendation(finished)
    assert recommendation.state == "approved"
    assert (recommendation.approved_on, recommendation.approved_by) == (
        dt.date(2015, 9, 23),
        minister,
    )
    expected = yaml.safe_load(ROUND_2015.read_text(encoding="utf-8"))["expected"]["applications"]
    ranked = sorted((a for a in expected if a["rank"]), key=lambda a: a["rank"])
    rows = sorted(recommendation.outcomes, key=lambda r: r["rank"])
    assert [Decimal(r["total"]) for r in rows] == [Decimal(a["total"]) for a in ranked]
    assert [r["recommended"] for r in rows] == [True] * 7 + [False]
    granted = [Application.objects.get(pk=r["application"]) for r in rows[:7]]
    assert [a.state for a in granted] == ["granted"] * 7
    round_one = StatusGrant.objects.filter(call=finished)
    assert {g.application_id for g in round_one} == {a.pk for a in granted}
    assert {(g.round_label, g.valid_from, g.valid_to) for g in round_one} == {
        ("I", dt.date(2015, 9, 23), dt.date(2018, 9, 22))
    }
    # every score sheet submitted; the diverging application (rank 7) had a third expert
    sheets = ScoreSheet.objects.filter(assignment__application__call=finished)
    assert sheets.filter(state="submitted", assignment__state="active").count() == 45
    # a justification per criterion, in Polish, about the criterion (never the runner's word)
    for sheet in ScoreSheet.objects.all():
        texts = list(sheet.justifications.values())
        assert set(sheet.justifications) == set(sheet.points)
        assert len(set(texts)) == len(texts) and "scenario" not in texts
    assert not sheets.exclude(state="submitted").exists()
    assert not Assignment.objects.filter(
        application__call=finished, state="active", sheet__isnull=True
    ).exists()
    third = rows[6]["application"]
    assert (
        Assignment.objects.filter(application=third, stage="merit_first", state="active").count()
        == 3
    )

    # round VIII: closed and evaluated, its list waits for the minister
    assert pending.state == "evaluating"
    assert states(pending) == {"evaluated": 3, "rejected": 2}
    waiting = current_recommendation(pending)
    assert (waiting.state, waiting.approved_on, pending.state) == ("prepared", None, "evaluating")
    pending_rows = sorted(waiting.outcomes, key=lambda r: r["rank"])
    assert [(r["total"], r["recommended"]) for r in pending_rows] == [
        ("126.17", True),
        ("106.08", True),
        ("94.75", False),
    ]

    # round IX, open, on the 2021 rules: every state an open call can hold
    assert open_call.state == "open" and open_call.accepts_submissions()
    assert open_call.rulebook.rulebook_id == "kkk-2021"
    assert states(open_call) == {
        "draft": 1,
        "submitted": 2,
        "completion-requested": 1,
        "rejected": 2,
        "in-evaluation": 4,
        "evaluated": 1,
    }
    assert sorted(
        open_call.applications.filter(state="rejected").values_list("stage", flat=True)
    ) == [
        "formal",
        "merit",
    ]
    evaluating = open_call.applications.filter(state="in-evaluation")
    assert sorted(evaluating.values_list("stage", flat=True)) == [
        "merit",
        "merit",
        "panel",
        "panel",
    ]
    completion = open_call.applications.get(state="completion-requested")
    assert completion.completion_items == ["action_plan"]
    assert completion.completion_deadline.date() == today + dt.timedelta(days=7)
    # the divergence: two experts more than 30 % of the stage maximum apart, a third assigned
    diverging = [
        a for a in evaluating.filter(stage="merit") if stage_aggregate(a, "merit").divergence
    ]
    assert len(diverging) == 1
    divergence = stage_aggregate(diverging[0], "merit").divergence
    assert divergence.gap > divergence.allowed == Decimal(24)
    active = Assignment.objects.filter(application=diverging[0], stage="merit", state="active")
    assert active.count() == 3
    assert active.filter(sheet__state="submitted").count() == 2
    # the coordinator's draft
    assert open_call.applications.get(cluster=own).state == "draft"

    # the demo expert: one open assignment (no declaration yet), sheets submitted in I and VIII
    mine = Assignment.objects.filter(expert__user__username="expert", state="active")
    waiting = mine.filter(sheet__isnull=True)
    assert [(a.application.call_id, a.stage) for a in waiting] == [(open_call.pk, "merit")]
    assert waiting.get().no_conflict_declared_at is None
    assert Counter(
        mine.filter(sheet__state="submitted").values_list(
            "application__call__round_label", flat=True
        )
    ) == {"I": 3, "VIII": 3}

    # the demo panel member: two applications to score at the panel, one scored
    panel = Assignment.objects.filter(expert__user__username="panel", state="active")
    assert panel.count() == 3 and set(panel.values_list("stage", flat=True)) == {"panel"}
    assert panel.filter(sheet__isnull=True, application__state="in-evaluation").count() == 2
    assert panel.get(sheet__state="submitted").application.state == "evaluated"
    session = PanelSession.objects.get(call=open_call)
    assert session.held_on == today + dt.timedelta(days=7)
    assert sorted(session.members.values_list("user__username", flat=True)) == [
        "panel",
        "panel-jankowska",
        "panel-lewandowski",
        "panel-mazur",
        "panel-zielinska",
    ]

    # statuses on today's date: the coordinator's cluster is also a supra-regional growth cluster
    growth = StatusGrant.objects.get(status_type="pkw")
    assert growth.cluster == own and growth.is_valid_on(today)
    grants = StatusGrant.objects.filter(status_type="kkk")
    assert grants.count() == 30
    assert grants.valid_on(today).count() == 15
    assert grants.filter(valid_to__lt=today).count() == 14
    assert grants.exclude(withdrawn_on=None).count() == 1
    # renewals only within a year of the previous status: V without a break, II after 49 days
    renewals = grants.exclude(renewal_of=None).select_related("renewal_of")
    gaps = sorted((g.valid_from - g.renewal_of.valid_to).days for g in renewals)
    assert gaps == [1, 50]
    # round I: the winner holds a new status now, the runner-up held one in round IV (more
    # than a year after theirs ended: not renewals), the others expired
    best = {g.application_id: g.pk for g in round_one}
    later = {
        g.cluster_id: g.round_label
        for g in grants.filter(cluster__in=[g.cluster_id for g in round_one], call__isnull=True)
    }
    winner, runner_up = (StatusGrant.objects.get(pk=best[g.pk]) for g in granted[:2])
    assert (later[winner.cluster_id], later[runner_up.cluster_id]) == ("VII", "IV")
    assert not grants.filter(renewal_of__in=[winner.pk, runner_up.pk]).exists()
    # the coordinator's cluster: V renewed without a gap, valid today, with a certificate
    current = grants.valid_on(today).get(cluster=own)
    assert current.renewal_of.valid_to + dt.timedelta(days=1) == current.valid_from
    assert Certificate.objects.get(status_grant=current).subject == own.name

    # benchmarking: the published 2020 edition of 40 clusters, the coordinator's report
    edition = Edition.objects.get(year=2020)
    assert edition.state == "published"
    assert edition.clusters.count() == 40
    assert EditionResult.objects.filter(edition=edition).count() == 40
    assert EditionResult.objects.filter(edition=edition, cluster=own).exists()
    assert ClusterReport.objects.get(edition=edition, cluster=own).good_practices

    # what each role opens answers (every application of every round for the operator)
    pages = {"operator": [], "expert": [], "panel": [], "minister": [], "coordinator": []}
    pages["member"] = [reverse("registry:my-organisation"), reverse("web:dashboard")]
    for application in Application.objects.all():
        pages["operator"].append(reverse("competitions:application-detail", args=[application.pk]))
    for call in (finished, pending, open_call):
        pages["operator"].append(reverse("evaluation:call", args=[call.pk]))
    for call in (finished, pending):  # the open call has no list yet
        pages["minister"].append(reverse("evaluation:recommendation", args=[call.pk]))
    for username in ("expert", "panel"):
        pages[username].append(reverse("evaluation:my-assignments"))
        for assignment in Assignment.objects.filter(expert__user__username=username):
            pages[username].append(reverse("evaluation:sheet", args=[assignment.pk]))
    own_draft = open_call.applications.get(cluster=own)
    pages["coordinator"] += [
        reverse("competitions:application-detail", args=[own_draft.pk]),
        reverse("benchmarking:cluster-report", args=[edition.pk, own.pk]),
    ]
    client = Client()
    for username, urls in pages.items():
        client.force_login(User.objects.get(username=username))
        for url in urls:
            assert client.get(url).status_code == 200, (username, url)

    # Running it again keeps the data and still prints the logins.
    call_command("demo")
    assert Cluster.objects.count() == 42
    assert Call.objects.count() == 3
    assert "operator" in capsys.readouterr().out


def test_the_story_needs_40_clusters():
    with pytest.raises(CommandError, match="--clusters: the demo story needs at least 40"):
        call_command("demo", clusters=20)
    assert not Cluster.objects.exists()
