"""axe-core finds no serious or critical accessibility violation on the main page of each role.

axe-core comes from the npm registry into tests/browser/axe (tests/browser/install-browser.sh
runs ``npm install --prefix tests/browser/axe`` when it is missing).
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from keyclusters.benchmarking import services as benchmarking
from keyclusters.competitions import services
from keyclusters.evaluation import decisions as evaluation_decisions
from keyclusters.evaluation import services as evaluation
from keyclusters.evaluation.models import Assignment
from keyclusters.statuses.services import grant_status
from tests.benchmarking.conftest import SMALL_FRAMEWORK, make_edition
from tests.browser.conftest import log_in
from tests.competitions.conftest import SMALL_RULEBOOK
from tests.evaluation.conftest import make_expert
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# The main navigation of the base layout is checked on its own (test_layout_navigation).
RUN_WITHOUT_NAVIGATION = "axe.run({exclude: [['nav.navbar']]})"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _blocking(result: dict, url: str) -> list[str]:
    """The serious and critical violations of an axe result, one line each."""
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        lines.append(
            f"{url}: {violation['impact']} {violation['id']} at {targets} ({violation['helpUrl']})"
        )
    return lines


def _settled_evaluate(page, script: str, attempts: int = 3):
    """Run axe on a loaded document: a click may have started a navigation the page is still in.

    A document replaced while axe reads it ("Execution context was destroyed", a null
    ``documentElement``) is checked again once the new one has loaded; the last failure is raised.
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(attempts):
        page.wait_for_load_state()
        try:
            return page.evaluate(script)
        except PlaywrightError as error:
            navigating = "context was destroyed" in str(error) or "documentElement" in str(error)
            if not navigating or attempt == attempts - 1:
                raise
            page.wait_for_timeout(100)
    raise AssertionError("unreachable")


@pytest.fixture
def axe(page):
    """Check pages with axe-core; collect the serious and critical violations of every page.

    ``axe(url)`` opens the page first; ``axe()`` checks the page as it is (after a form).
    """
    if not AXE.exists():
        reason = "axe-core is not installed (npm install --prefix tests/browser/axe)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI needs it (tests/browser/install-browser.sh)")
        pytest.skip(reason)
    found: list[str] = []
    # Loaded into every page the test opens from now on: a script tag added to the page would be
    # refused by the Content-Security-Policy, which is under test too.
    page.add_init_script(path=str(AXE))

    def check(url: str | None = None, *, script: str = RUN_WITHOUT_NAVIGATION) -> None:
        if url is not None:
            page.goto(url)
            page.wait_for_load_state()
            assert page.url.split("?")[0] == url.split("?")[0], f"{url} redirected to {page.url}"
        found.extend(_blocking(_settled_evaluate(page, script), page.url))

    yield check
    assert not found, "accessibility violations:\n" + "\n".join(found)


def _cluster(name, members=6):
    cluster = ClusterFactory(name=name, founded_on=dt.date(2015, 1, 1), specialisation="ICT")
    for _ in range(members):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    return cluster


def _open_call():
    now = timezone.now()
    call = services.create_call(
        name="Runda dostępna",
        rulebook=services.store_rulebook(source=SMALL_RULEBOOK),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    return services.change_call_state(call=call, action="open")


def _application(call, cluster, *, submit=True):
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    application = services.start_application(call=call, cluster=cluster, by=coordinator)
    services.save_application_data(
        application=application,
        values={"rd_projects": 3},
        files={"strategy": ("strategia.pdf", PDF)},
        by=coordinator,
    )
    if submit:
        services.submit_application(application=application, by=coordinator)
    return application


def test_public_pages(page, live_server, axe):
    cluster = _cluster("Klaster Publiczny")
    grant_status(
        cluster=cluster,
        round_label="2025",
        decision_on=dt.date(2025, 1, 10),
        valid_from=dt.date(2025, 1, 10),
        valid_to=dt.date(2028, 1, 9),
        by=None,
    )
    base = live_server.url
    axe(f"{base}/")
    axe(f"{base}/clusters/")
    axe(f"{base}/clusters/{cluster.pk}/")
    axe(f"{base}/statuses/")
    axe(f"{base}/statuses/?on=2026-01-01")
    axe(f"{base}/statuses/clusters/{cluster.pk}/")


def test_coordinator_pages(page, live_server, axe):
    cluster = _cluster("Klaster Koordynowany")
    call = _open_call()
    application = _application(call, cluster, submit=False)
    UserFactory(username="koordynator", roles=["coordinator"], organisation=cluster.coordinator)
    base = live_server.url
    log_in(page, base, "koordynator")
    axe(f"{base}/clusters/mine/")
    axe(f"{base}/clusters/{cluster.pk}/manage/")
    axe(f"{base}/clusters/{cluster.pk}/manage/members/add/")
    axe(f"{base}/competitions/calls/{call.pk}/")
    axe(f"{base}/competitions/applications/{application.pk}/")


def test_operator_pages(page, live_server, axe):
    call = _open_call()
    application = _application(call, _cluster("Klaster Formalny"))
    UserFactory(username="operatorka", roles=["operator"])
    base = live_server.url
    log_in(page, base, "operatorka")
    axe(f"{base}/competitions/calls/{call.pk}/dashboard/")
    axe(f"{base}/competitions/applications/{application.pk}/formal/")
    axe(f"{base}/statuses/api-keys/")


def test_expert_and_decision_maker_pages(page, live_server, axe):
    call = _open_call()
    application = _application(call, _cluster("Klaster Oceniany"))
    operator = UserFactory(username="operatorka", roles=["operator"])
    services.pass_formal(application=application, by=operator)
    experts = [make_expert("anna"), make_expert("bartek")]
    assignments = evaluation.auto_assign(application=application, stage="merit", by=operator)
    assert sorted(a.expert.user.username for a in assignments) == ["anna", "bartek"]
    base = live_server.url

    first = Assignment.objects.get(application=application, expert=experts[0])
    evaluation.declare(assignment=first, conflict=False, note="", by=experts[0].user)
    log_in(page, base, "anna")
    axe(f"{base}/evaluation/")
    axe(f"{base}/evaluation/assignments/{first.pk}/")
    page.context.clear_cookies()

    for expert, points in zip(experts, ("6", "7"), strict=True):
        assignment = Assignment.objects.get(application=application, expert=expert)
        if assignment.pk != first.pk:
            evaluation.declare(assignment=assignment, conflict=False, note="", by=expert.user)
        evaluation.save_sheet(
            assignment=assignment,
            points={"team": points},
            justifications={"team": "Uzasadnienie oceny."},
            by=expert.user,
        )
        evaluation.submit_sheet(assignment=assignment, by=expert.user)
    application.refresh_from_db()
    assert application.state == "evaluated"
    services.change_call_state(call=call, action="close", by=operator)
    evaluation_decisions.prepare_recommendation(call=call, by=operator)
    UserFactory(username="minister", roles=["decision-maker"])
    log_in(page, base, "minister")
    axe(f"{base}/evaluation/calls/{call.pk}/recommendation/")


def test_funding_agency_pages(page, live_server, axe):
    cluster = _cluster("Klaster Sprawdzany")
    grant_status(
        cluster=cluster,
        round_label="2025",
        decision_on=dt.date(2025, 1, 10),
        valid_from=dt.date(2025, 1, 10),
        valid_to=dt.date(2028, 1, 9),
        by=None,
    )
    UserFactory(username="agencja", roles=["funding-agency"])
    base = live_server.url
    log_in(page, base, "agencja")
    axe(f"{base}/statuses/verify/")
    page.locator("form:has(input[name=action][value=one]) input[name=nip]").fill(
        cluster.coordinator.nip
    )
    page.click("form:has(input[name=action][value=one]) button[type=submit]")
    page.wait_for_selector("#verification-answer .alert-success")
    axe()


def test_analyst_pages(page, live_server, axe):
    clusters = {name: ClusterFactory(name=f"Klaster {name}") for name in "ABC"}
    edition = make_edition(benchmarking.store_framework(source=SMALL_FRAMEWORK), 2020)
    UserFactory(username="analityk", roles=["analyst"])
    base = live_server.url
    log_in(page, base, "analityk")
    axe(f"{base}/benchmarking/")
    axe(f"{base}/benchmarking/{edition.pk}/")
    axe(f"{base}/benchmarking/{edition.pk}/report/")
    axe(f"{base}/benchmarking/{edition.pk}/clusters/{clusters['A'].pk}/")
    axe(f"{base}/benchmarking/{edition.pk}/clusters/{clusters['A'].pk}/texts/")


def test_layout_navigation(page, live_server):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install --prefix tests/browser/axe)")
    UserFactory(username="agencja", roles=["funding-agency"])
    base = live_server.url
    found = []
    page.add_init_script(path=str(AXE))
    for login in (False, True):
        if login:
            log_in(page, base, "agencja")
        page.goto(f"{base}/statuses/verify/" if login else f"{base}/")
        found += _blocking(page.evaluate("axe.run('nav.navbar')"), page.url)
    assert not found, "accessibility violations:\n" + "\n".join(found)


def test_dashboard_of_each_role(page, live_server, axe):
    from keyclusters.evaluation.models import Recommendation

    call = _open_call()
    waiting = _application(call, _cluster("Klaster Czekający"))
    assessed = _application(call, _cluster("Klaster Oceniany"))
    operator = UserFactory(username="operatorka", roles=["operator"])
    services.pass_formal(application=assessed, by=operator)
    make_expert("anna")
    make_expert("bartek")
    make_expert("pola", role="panel-member")
    evaluation.auto_assign(application=assessed, stage="merit", by=operator)
    Recommendation.objects.create(
        call=call, outcomes=[{"application": assessed.pk, "recommended": True}], rulebook_sha256=""
    )
    grant_status(
        cluster=waiting.cluster,
        round_label="2025",
        decision_on=dt.date(2025, 1, 10),
        valid_from=dt.date(2025, 1, 10),
        valid_to=dt.date(2028, 1, 9),
        by=None,
    )
    benchmarking.create_edition(
        framework=benchmarking.store_framework(source=SMALL_FRAMEWORK), year=2024, name="Edycja"
    )
    users = {
        "koordynator": ["coordinator"],
        "minister": ["decision-maker"],
        "agencja": ["funding-agency"],
        "analityk": ["analyst"],
        "bez-roli": [],
    }
    for username, roles in users.items():
        UserFactory(username=username, roles=roles, organisation=waiting.cluster.coordinator)
    base = live_server.url
    for username in ["operatorka", "anna", "pola", *users]:
        page.context.clear_cookies()
        log_in(page, base, username)
        axe(f"{base}/dashboard/")
