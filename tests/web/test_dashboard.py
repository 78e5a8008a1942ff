"""The dashboard: one page, a section per role the user holds, each scoped and with its links."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, translation

from keyclusters.benchmarking import services as benchmarking
from keyclusters.benchmarking.models import Edition
from keyclusters.competitions import services as competitions
from keyclusters.competitions.models import Call
from keyclusters.evaluation import decisions as evaluation_decisions
from keyclusters.evaluation import services as evaluation
from keyclusters.evaluation.models import Assignment, PanelSession, Recommendation
from keyclusters.statuses.models import Certificate
from keyclusters.statuses.services import grant_status, status_certificate
from keyclusters.web.attention import Item
from tests.benchmarking.conftest import SMALL_FRAMEWORK, make_edition
from tests.competitions.conftest import PDF, WARSAW
from tests.evaluation.conftest import RULEBOOK, make_expert, submitted_application
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 20, 12, 0, tzinfo=WARSAW)
DASHBOARD = "/dashboard/"


def at(day: int, hour: int = 12, month: int = 6) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=WARSAW)


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def operator(db):
    return UserFactory(username="operatorka", roles=["operator"])


@pytest.fixture
def call(db):
    call = competitions.create_call(
        name="Runda pełna",
        rulebook=competitions.store_rulebook(source=RULEBOOK),
        opens_at=at(4, 9, month=5),
        closes_at=at(30, 16),
    )
    return competitions.change_call_state(call=call, action="open")


@pytest.fixture
def experts(db):
    return make_expert("anna"), make_expert("bartek")


def page(client, user, language="en"):
    client.force_login(user)
    response = client.get(DASHBOARD, headers={"accept-language": language})
    assert response.status_code == 200
    return response


def sections(client, user):
    return page(client, user).context["sections"]


def score(assignment, points, when):
    user = assignment.expert.user
    with time_machine.travel(when, tick=False):
        evaluation.declare(assignment=assignment, conflict=False, note="", by=user)
        evaluation.save_sheet(
            assignment=assignment, points=points, justifications={"team": "ok"}, by=user
        )
        evaluation.submit_sheet(assignment=assignment, by=user)


def in_merit(call, operator, name, experts, assigned):
    application = submitted_application(call, name=name)
    competitions.pass_formal(application=application, by=operator)
    with time_machine.travel(assigned, tick=False):
        made = [
            evaluation.assign_expert(
                application=application, stage="merit", expert=expert, by=operator
            )
            for expert in experts
        ]
    return application, made


def asking_completion(call, operator, name, when):
    application = submitted_application(call, name=name)
    competitions.request_completion(
        application=application, items=["strategy"], note="", by=operator, now=when
    )
    return application


def grant(cluster, valid_from, valid_to, round_label="V"):
    return grant_status(
        cluster=cluster,
        round_label=round_label,
        decision_on=valid_from,
        valid_from=valid_from,
        valid_to=valid_to,
        by=None,
    )


def operator_story(call, operator, experts, suffix=""):
    """Applications in every state that needs attention, and some that does not."""
    anna, bartek = experts
    formal = submitted_application(call, name=f"Klaster Formalny{suffix}")
    late = asking_completion(call, operator, f"Klaster Spóźniony{suffix}", at(10, 13))
    soon = asking_completion(call, operator, f"Klaster Uzupełniany{suffix}", at(15, 10))
    asking_completion(call, operator, f"Klaster Daleki{suffix}", at(19))  # due 26 June: later
    diverging, pair = in_merit(call, operator, f"Klaster Rozbieżny{suffix}", experts, at(16))
    score(pair[0], {"team": "2"}, at(17, 10))
    score(pair[1], {"team": "9"}, at(18, 9))
    overdue, (done, waiting) = in_merit(call, operator, f"Klaster Zaległy{suffix}", experts, at(1))
    score(done, {"team": "5"}, at(3))
    draft = ClusterFactory(name=f"Klaster Szkic{suffix}", founded_on=dt.date(2015, 1, 1))
    competitions.start_application(
        call=call,
        cluster=draft,
        by=UserFactory(roles=["coordinator"], organisation=draft.coordinator),
    )
    expiring = ClusterFactory(name=f"Klaster Wygasający{suffix}")
    grant(expiring, dt.date(2023, 9, 1), dt.date(2026, 8, 31))
    renewed = ClusterFactory(name=f"Klaster Odnowiony{suffix}")
    grant(renewed, dt.date(2023, 8, 1), dt.date(2026, 7, 31))
    grant(renewed, dt.date(2026, 8, 1), dt.date(2029, 7, 31), round_label="VI")
    grant(ClusterFactory(), dt.date(2025, 1, 1), dt.date(2027, 12, 31))
    return {
        "formal": formal,
        "late": late,
        "soon": soon,
        "diverging": diverging,
        "overdue": overdue,
        "waiting": waiting,
        "expiring": expiring,
        "bartek_sheet_at": at(18, 9),
    }


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={DASHBOARD}"


def test_logging_in_lands_on_the_dashboard(client):
    UserFactory(username="ola", roles=["expert"])
    response = client.post(
        reverse("login"), {"username": "ola", "password": "correct horse battery staple"}
    )
    assert response["Location"] == reverse("web:dashboard") == DASHBOARD
    home = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert f'href="{DASHBOARD}">My dashboard</a>' in home
    assert f'href="{DASHBOARD}">Dashboard</a>' in home  # the navigation


def test_a_user_without_a_role_reads_why_the_dashboard_is_empty(client):
    response = page(client, UserFactory())
    assert response.context["sections"] == {}
    body = response.content.decode()
    assert 'id="dashboard-no-role"' in body
    assert "Your account has no role yet" in body


def test_the_operator_sees_the_funnels_and_exactly_what_needs_attention(
    client, call, operator, experts
):
    story = operator_story(call, operator, experts)
    competitions.create_call(
        name="Runda w przygotowaniu",
        rulebook=call.rulebook,
        opens_at=at(1, 9, month=9),
        closes_at=at(30, 16, month=9),
    )
    decided = competitions.create_call(
        name="Runda rozstrzygnięta", rulebook=call.rulebook, opens_at=at(1), closes_at=at(2)
    )
    Call.objects.filter(pk=decided.pk).update(state="decided")

    response = page(client, operator)
    data = response.context["sections"]["operator"]
    assert list(response.context["sections"]) == ["operator"]
    assert [(c["name"], c["state"], c["total"]) for c in data["calls"]] == [
        ("Runda w przygotowaniu", "draft", 0),
        ("Runda pełna", "open", 7),
    ]
    full = data["calls"][1]
    assert full["url"] == reverse("competitions:call-dashboard", args=[call.pk])
    assert [(code, str(label), n) for code, label, n in full["states"]] == [
        ("draft", "draft", 1),
        ("submitted", "submitted", 1),
        ("completion-requested", "completion requested", 3),
        ("in-evaluation", "in evaluation", 2),
    ]
    assert [(str(r["title"]), r["entered"], r["passed"]) for r in full["funnel"]] == [
        ("Submitted", 6, None),
        ("Formal evaluation", 6, 2),
        ("Merit evaluation", 2, 0),
        ("Parametric evaluation", 0, 0),
        ("Expert Panel", 0, 0),
    ]
    attention = {group["kind"]: group["items"] for group in data["attention"]}
    assert list(attention) == ["formal", "completion", "divergence", "assignments", "statuses"]
    assert attention["formal"] == [
        Item(
            "Klaster Formalny",
            "Runda pełna",
            story["formal"].submitted_at,
            reverse("competitions:formal-evaluation", args=[story["formal"].pk]),
        )
    ]
    assert attention["completion"] == [
        Item(
            "Klaster Spóźniony",
            "Runda pełna",
            dt.datetime(2026, 6, 17, 23, 59, 59, tzinfo=WARSAW),
            reverse("competitions:call-dashboard", args=[call.pk]),
            late=True,
        ),
        Item(
            "Klaster Uzupełniany",
            "Runda pełna",
            dt.datetime(2026, 6, 22, 23, 59, 59, tzinfo=WARSAW),
            reverse("competitions:application-detail", args=[story["soon"].pk]),
        ),
    ]
    assert attention["divergence"] == [
        Item(
            "Klaster Rozbieżny",
            "Runda pełna",
            story["bartek_sheet_at"],
            reverse("evaluation:call", args=[call.pk]),
            note="awaiting a third expert",
        )
    ]
    assert attention["assignments"] == [
        Item(
            "Klaster Zaległy",
            "Runda pełna",
            dt.date(2026, 6, 15),
            reverse("evaluation:call", args=[call.pk]),
            late=True,
            note="Bartek",
        )
    ]
    assert attention["statuses"] == [
        Item(
            "Klaster Wygasający",
            "V",
            dt.date(2026, 8, 31),
            reverse("statuses:cluster-history", args=[story["expiring"].pk]),
        )
    ]
    body = response.content.decode()
    for items in attention.values():
        for item in items:
            assert f'<a href="{item.url}">{item.subject}</a>' in body
    assert "Needs attention today" in body
    with translation.override("en"):
        assert f"deadline {formats.date_format(dt.date(2026, 6, 17), 'SHORT_DATE_FORMAT')}" in body


def test_a_consensus_stage_links_to_the_consensus_page(client, operator, experts):
    source = RULEBOOK.replace("resolution: third-expert", "resolution: consensus")
    call = competitions.create_call(
        name="Runda konsensusu",
        rulebook=competitions.store_rulebook(source=source.replace("test-full", "test-cons")),
        opens_at=at(4, 9, month=5),
        closes_at=at(30, 16),
    )
    call = competitions.change_call_state(call=call, action="open")
    application, pair = in_merit(call, operator, "Klaster Sporny", experts, at(16))
    score(pair[0], {"team": "1"}, at(17))
    score(pair[1], {"team": "10"}, at(18))
    attention = sections(client, operator)["operator"]["attention"]
    assert [(g["kind"], g["items"]) for g in attention] == [
        (
            "divergence",
            [
                Item(
                    "Klaster Sporny",
                    "Runda konsensusu",
                    at(18),
                    reverse("evaluation:consensus", args=[application.pk]),
                    note="awaiting a consensus",
                )
            ],
        )
    ]
    evaluation.record_consensus(
        application=application, stage="merit", points={"team": "6"}, note="ok", by=operator
    )
    assert sections(client, operator)["operator"]["attention"] == []
    assert "Nothing needs your attention today." in page(client, operator).content.decode()


def count_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


def test_the_operator_dashboard_makes_as_many_queries_whatever_the_rows(
    client, call, operator, experts
):
    operator_story(call, operator, experts)
    before = count_queries(client, operator)
    more = competitions.create_call(
        name="Runda druga",
        rulebook=call.rulebook,
        opens_at=at(5, 9, month=5),
        closes_at=at(30, 16),
    )
    operator_story(competitions.change_call_state(call=more, action="open"), operator, experts, "2")
    attention = sections(client, operator)["operator"]["attention"]
    assert [len(group["items"]) for group in attention] == [2, 4, 2, 2, 2]
    assert count_queries(client, operator) == before


def assignment_row(assignment, state, due, overdue=False, stage="Merit evaluation", kind="expert"):
    application = assignment.application
    return {
        "id": assignment.pk,
        "url": reverse("evaluation:sheet", args=[assignment.pk]),
        "cluster": application.cluster.name,
        "call": application.call.name,
        "stage": stage,
        "kind": kind,
        "state": state,
        "due": due,
        "overdue": overdue,
    }


def test_an_expert_sees_only_their_assignments_with_due_dates(client, call, operator, experts):
    anna, bartek = experts
    _a, (undeclared, _other) = in_merit(call, operator, "Klaster A1", experts, at(1))
    _b, (to_score,) = in_merit(call, operator, "Klaster A2", [anna], at(16))
    evaluation.declare(assignment=to_score, conflict=False, note="", by=anna.user)
    _c, (draft,) = in_merit(call, operator, "Klaster A3", [anna], at(16))
    evaluation.declare(assignment=draft, conflict=False, note="", by=anna.user)
    evaluation.save_sheet(
        assignment=draft, points={"team": "4"}, justifications={"team": ""}, by=anna.user
    )
    _d, (submitted,) = in_merit(call, operator, "Klaster A4", [anna], at(2))
    score(submitted, {"team": "8"}, at(3))
    _e, (declined,) = in_merit(call, operator, "Klaster A5", [anna], at(16))
    evaluation.declare(assignment=declined, conflict=True, note="rodzina", by=anna.user)
    in_merit(call, operator, "Klaster B1", [bartek], at(1))

    response = page(client, anna.user)
    assert list(response.context["sections"]) == ["expert"]
    data = response.context["sections"]["expert"]
    assert data["assignments"] == [
        assignment_row(undeclared, "declare", dt.date(2026, 6, 15), overdue=True),
        assignment_row(to_score, "to-score", dt.date(2026, 6, 30)),
        assignment_row(draft, "draft", dt.date(2026, 6, 30)),
        assignment_row(submitted, "submitted", None),
    ]
    assert (data["open"], data["overdue"]) == (3, 1)
    body = response.content.decode()
    assert "Klaster B1" not in body and "Klaster A5" not in body
    assert (
        f'<a class="badge text-bg-warning" href="/evaluation/assignments/{undeclared.pk}/">'
        "Declare conflicts of interest" in body
    )
    assert body.count('class="table-danger"') == 1
    assert "Open assignments: 3; overdue: 1." in body


@pytest.fixture
def at_the_panel(call, operator, experts):
    application, pair = in_merit(call, operator, "Klaster Panelowy", experts, at(10))
    score(pair[0], {"team": "6"}, at(11))
    score(pair[1], {"team": "7"}, at(12))
    application.refresh_from_db()
    assert (application.state, application.stage) == ("in-evaluation", "panel")
    return application


def test_a_panel_member_sees_the_coming_sessions_and_the_panel_applications(
    client, call, operator, at_the_panel
):
    members = [make_expert(name, role="panel-member") for name in ("paweł", "piotr", "pola")]
    member = members[0]
    member.user.groups.add(Group.objects.get(name="expert"))  # also an expert
    evaluation_decisions.schedule_panel(
        call=call, held_on=dt.date(2026, 7, 1), place="Warszawa", members=members, by=operator
    )
    PanelSession.objects.create(call=call, held_on=dt.date(2026, 6, 1)).members.add(member)
    assignment = Assignment.objects.get(expert=member, application=at_the_panel)

    found = sections(client, member.user)
    assert list(found) == ["expert", "panel"]
    assert found["expert"]["assignments"] == []  # the panel's are in the panel section
    assert found["panel"]["sessions"] == [
        {"call": "Runda pełna", "held_on": dt.date(2026, 7, 1), "place": "Warszawa"}
    ]
    assert found["panel"]["assignments"] == [
        assignment_row(
            assignment, "declare", dt.date(2026, 7, 4), stage="Expert Panel", kind="panel"
        )
    ]


def test_the_decision_maker_sees_the_lists_awaiting_approval(client, call, operator):
    outcomes = [
        {"application": 1, "rank": 1, "recommended": True},
        {"application": 2, "rank": 2, "recommended": False},
        {"application": 3, "rank": 3, "recommended": True},
    ]
    Recommendation.objects.create(call=call, outcomes=outcomes, rulebook_sha256="x")
    approved = competitions.create_call(
        name="Runda zatwierdzona", rulebook=call.rulebook, opens_at=at(1), closes_at=at(2)
    )
    Recommendation.objects.create(
        call=approved,
        outcomes=outcomes,
        rulebook_sha256="x",
        state=Recommendation.State.APPROVED,
        approved_on=dt.date(2026, 6, 5),
    )
    minister = UserFactory(roles=["decision-maker"])
    response = page(client, minister)
    assert response.context["sections"] == {
        "decision": {
            "pending": [
                {
                    "call": "Runda pełna",
                    "prepared_at": NOW,
                    "candidates": 3,
                    "recommended": 2,
                    "url": reverse("evaluation:recommendation", args=[call.pk]),
                    "awaiting_signature": False,
                }
            ]
        }
    }
    assert f'<a href="/evaluation/calls/{call.pk}/recommendation/">' in response.content.decode()
    assert "awaiting-signature" not in response.content.decode()


def test_the_decision_maker_sees_a_list_awaiting_the_chairs_signature(client):
    from tests.evaluation.conftest import RULEBOOK

    signed = RULEBOOK.replace("decision:\n", "decision:\n  signed_by: chair\n", 1)
    assert signed != RULEBOOK
    rulebook = competitions.store_rulebook(source=signed)
    call = competitions.create_call(
        name="Runda z komisją", rulebook=rulebook, opens_at=at(1), closes_at=at(2)
    )
    Recommendation.objects.create(call=call, outcomes=[], rulebook_sha256="x")
    response = page(client, UserFactory(roles=["decision-maker"]))
    (row,) = response.context["sections"]["decision"]["pending"]
    assert row["awaiting_signature"] is True
    assert "awaiting the chair's signature" in response.content.decode()


def apply(call, cluster, *, submit=True):
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    application = competitions.start_application(call=call, cluster=cluster, by=coordinator)
    competitions.save_application_data(
        application=application, values={}, files={"strategy": ("s.pdf", PDF)}, by=coordinator
    )
    if submit:
        competitions.submit_application(application=application, by=coordinator)
    return application


@pytest.fixture
def clusters(db):
    mine = ClusterFactory(name="Klaster A")
    return {
        "A": mine,
        "A-bis": ClusterFactory(name="Klaster A-bis", coordinator=mine.coordinator),
        "B": ClusterFactory(name="Klaster B"),
        "C": ClusterFactory(name="Klaster C"),
    }


def coordinator_story(call, operator, clusters):
    own = apply(call, clusters["A"], submit=False)
    asking = apply(call, clusters["A-bis"])
    competitions.request_completion(
        application=asking, items=["strategy"], note="", by=operator, now=at(19)
    )
    apply(call, clusters["B"])
    active = grant(clusters["A"], dt.date(2025, 1, 1), dt.date(2027, 12, 31))
    certificate = status_certificate(grant=active, by=None)
    expired = grant(clusters["A-bis"], dt.date(2019, 1, 1), dt.date(2021, 12, 31), "III")
    status_certificate(
        grant=grant(clusters["B"], dt.date(2025, 1, 1), dt.date(2027, 1, 1)), by=None
    )
    framework = benchmarking.store_framework(source=SMALL_FRAMEWORK)
    edition = make_edition(framework, 2020, publish=True)
    make_edition(framework, 2022)  # not published
    return own, asking, active, certificate, expired, edition


def test_a_coordinator_sees_only_their_clusters_applications_grants_and_reports(
    client, call, operator, clusters
):
    own, asking, active, certificate, expired, edition = coordinator_story(call, operator, clusters)
    user = UserFactory(roles=["coordinator"], organisation=clusters["A"].coordinator)
    response = page(client, user)
    data = response.context["sections"]["coordinator"]
    a, a_bis = clusters["A"], clusters["A-bis"]
    assert data["clusters"] == [
        {
            "name": "Klaster A",
            "members": 1,
            "url": reverse("registry:cluster-manage", args=[a.pk]),
            "history_url": reverse("statuses:cluster-history", args=[a.pk]),
        },
        {
            "name": "Klaster A-bis",
            "members": 1,
            "url": reverse("registry:cluster-manage", args=[a_bis.pk]),
            "history_url": reverse("statuses:cluster-history", args=[a_bis.pk]),
        },
    ]
    assert data["applications"] == [
        {
            "cluster": "Klaster A",
            "call": "Runda pełna",
            "state": "draft",
            "deadline": None,
            "url": reverse("competitions:application-detail", args=[own.pk]),
        },
        {
            "cluster": "Klaster A-bis",
            "call": "Runda pełna",
            "state": "completion-requested",
            "deadline": dt.datetime(2026, 6, 26, 23, 59, 59, tzinfo=WARSAW),
            "url": reverse("competitions:application-detail", args=[asking.pk]),
        },
    ]
    assert data["grants"] == [
        {
            "cluster": "Klaster A",
            "round": "V",
            "valid_from": dt.date(2025, 1, 1),
            "valid_to": dt.date(2027, 12, 31),
            "state": "active",
            "issue_url": reverse("statuses:status-certificate", args=[active.pk]),
            "certificate_url": f"/statuses/certificates/{certificate.code}/pdf/",
        },
        {
            "cluster": "Klaster A-bis",
            "round": "III",
            "valid_from": dt.date(2019, 1, 1),
            "valid_to": dt.date(2021, 12, 31),
            "state": "expired",
            "issue_url": reverse("statuses:status-certificate", args=[expired.pk]),
            "certificate_url": None,
        },
    ]
    assert data["reports"] == [
        {
            "edition": "Edycja 2020",
            "cluster": "Klaster A",
            "url": f"/benchmarking/{edition.pk}/clusters/{a.pk}/",
            "pdf_url": f"/benchmarking/{edition.pk}/clusters/{a.pk}/pdf/",
        }
    ]
    body = response.content.decode()
    assert "Klaster B" not in body and "Klaster C" not in body
    assert f'<a href="/statuses/certificates/{certificate.code}/pdf/">' in body
    assert f'<form method="post" action="/statuses/grants/{expired.pk}/certificate/">' in body
    # the button issues the certificate of the coordinator's own grant
    client.post(f"/statuses/grants/{expired.pk}/certificate/")
    assert Certificate.objects.filter(status_grant=expired).count() == 1


def test_a_coordinator_without_an_organisation_is_told_so(client):
    response = page(client, UserFactory(roles=["coordinator"]))
    assert response.context["sections"]["coordinator"]["organisation"] is False
    assert "Your account is not linked to an organisation yet" in response.content.decode()


def test_the_coordinator_dashboard_makes_as_many_queries_whatever_the_rows(
    client, call, operator, clusters
):
    coordinator_story(call, operator, clusters)
    user = UserFactory(roles=["coordinator"], organisation=clusters["A"].coordinator)
    before = count_queries(client, user)
    for number in range(3):
        cluster = ClusterFactory(name=f"Klaster A{number}", coordinator=clusters["A"].coordinator)
        apply(call, cluster)
        status_certificate(
            grant=grant(cluster, dt.date(2024, 1, 1), dt.date(2026, 12, 31)), by=None
        )
    benchmarking.change_state(edition=Edition.objects.get(year=2022), action="publish")
    data = sections(client, user)["coordinator"]
    assert [len(data[key]) for key in ("clusters", "applications", "grants", "reports")] == [
        5,
        5,
        5,
        2,
    ]
    assert count_queries(client, user) == before


def test_a_funding_agency_gets_a_verification_form_and_the_links(client):
    cluster = ClusterFactory(name="Klaster Sprawdzany")
    grant(cluster, dt.date(2025, 1, 1), dt.date(2027, 12, 31))
    agency = UserFactory(roles=["funding-agency"])
    response = page(client, agency)
    assert response.context["sections"] == {
        "agency": {
            "verify_url": "/statuses/verify/",
            "bulk_url": "/statuses/verify/",
            "api_docs_url": "/api/v1/docs",
        }
    }
    body = response.content.decode()
    assert '<form method="post" action="/statuses/verify/"' in body
    assert '<input type="hidden" name="action" value="one">' in body
    for name in ("nip", "on", "min_months"):
        assert f'name="{name}"' in body and f'id="agency-{name}"' in body
    assert '<a href="/api/v1/docs">Verification API documentation</a>' in body
    answer = client.post(
        "/statuses/verify/", {"action": "one", "nip": cluster.coordinator.nip, "on": "2026-06-20"}
    )
    assert answer.context["answer"]["key_cluster_coordinator"] is True


def test_an_analyst_sees_every_edition_with_its_state_and_links(client):
    for name in "ABC":
        ClusterFactory(name=f"Klaster {name}")
    framework = benchmarking.store_framework(source=SMALL_FRAMEWORK)
    computed = make_edition(framework, 2020)
    published = make_edition(framework, 2018, publish=True)
    draft = benchmarking.create_edition(framework=framework, year=2022, name="Edycja 2022")
    response = page(client, UserFactory(roles=["analyst"]))
    data = response.context["sections"]["analyst"]
    assert [
        (e["name"], e["year"], e["framework"], e["state"], e["participants"], e["report_url"])
        for e in data["editions"]
    ] == [
        ("Edycja 2022", 2022, "Test benchmarking", "draft", 0, None),
        (
            "Edycja 2020",
            2020,
            "Test benchmarking",
            "computed",
            3,
            f"/benchmarking/{computed.pk}/report/",
        ),
        (
            "Edycja 2018",
            2018,
            "Test benchmarking",
            "published",
            3,
            f"/benchmarking/{published.pk}/report/",
        ),
    ]
    assert [e["url"] for e in data["editions"]] == [
        f"/benchmarking/{edition.pk}/" for edition in (draft, computed, published)
    ]
    body = response.content.decode()
    assert "<td>2022</td>" in body  # a year, never "2 022"
    assert "<td>Test benchmarking</td>" in body and "test-bench" not in body
    polish = page(client, UserFactory(roles=["analyst"]), language="pl").content.decode()
    assert "<td>Benchmarking testowy</td>" in polish and "test-bench" not in polish


def test_a_user_with_several_roles_sees_each_section_in_polish(client, call, operator, experts):
    anna = experts[0]
    cluster = ClusterFactory(name="Klaster Anny")
    anna.user.organisation = cluster.coordinator
    anna.user.save()
    for role in ("coordinator", "funding-agency"):
        anna.user.groups.add(Group.objects.get(name=role))
    application = apply(call, cluster)
    response = page(client, anna.user, language="pl")
    assert list(response.context["sections"]) == ["expert", "coordinator", "agency"]
    body = response.content.decode()
    assert '<html lang="pl">' in body
    for polish in (
        "Ekspert",
        "Koordynator klastra",
        "Instytucja finansująca",
        "Nie masz żadnych przydziałów.",
    ):
        assert polish in body
    assert f'<a href="/competitions/applications/{application.pk}/">Klaster Anny</a>' in body
    assert '<span class="badge text-bg-info">złożony</span>' in body


@pytest.mark.parametrize(
    "roles, links",
    [
        (["coordinator"], {"/monitoring/mine/", "/surveys/"}),
        (["decision-maker"], {"/monitoring/indicators/", "/surveys/"}),
        (["operator"], {"/monitoring/", "/monitoring/indicators/", "/surveys/"}),
        (["expert"], set()),
        (["funding-agency"], set()),
    ],
)
def test_the_menus_lead_to_monitoring_and_the_surveys_of_whom_they_concern(client, roles, links):
    from tests.factories import OrganisationFactory

    user = UserFactory(roles=roles, organisation=OrganisationFactory())
    client.force_login(user)
    page = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    nav = page.split('<nav class="navbar', 1)[1].split("</nav>", 1)[0]
    shown = {
        href
        for href in ("/monitoring/", "/monitoring/mine/", "/monitoring/indicators/", "/surveys/")
        if f'href="{href}"' in nav
    }
    assert shown == links
    for href in links:  # each link opens for this user
        assert client.get(href).status_code == 200, href
    if links:
        assert "Ankiety wśród członków" in nav


def test_a_member_firm_alone_sees_its_section_and_a_council_member_the_council(client):
    """A user whose only role is the member firm's sees the firm's section (it was drawn only
    into the section tabs of several roles); a member of the Council finds the Council."""
    from keyclusters.council import services as council
    from keyclusters.registry.models import Membership
    from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory

    firm = OrganisationFactory(name="Firma Członkowska")
    MembershipFactory(cluster=ClusterFactory(), organisation=firm, joined_on=dt.date(2020, 1, 1))
    assert Membership.objects.filter(organisation=firm).count() == 1
    member = UserFactory(roles=["member-organisation"], organisation=firm)
    client.force_login(member)
    page = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('id="dashboard-member"') == 1
    assert "Firma Członkowska: 1 membership in the registry." in " ".join(page.split())
    assert 'id="dashboard-council"' not in page

    operator = UserFactory(roles=["operator"])
    official = UserFactory(roles=["decision-maker"])
    council.add_member(
        user=official, represents="ministry", institution="Ministerstwo Rozwoju",
        member_from=dt.date(2020, 1, 1), by=operator,
    )  # fmt: skip
    client.force_login(official)
    page = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="dashboard-council"' in page and 'href="/council/"' in page
    client.force_login(operator)  # the operator has it in the menu, not twice
    assert 'id="dashboard-council"' not in client.get(DASHBOARD).content.decode()
