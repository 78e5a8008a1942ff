"""The shell around the pages: the navigation bar on one line at 1366 px for every role, no page
of a role scrolling sideways on a 390 px phone, the API documentation without the internet, and
the report generation's progress or its warning that no background worker runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from keyclusters.benchmarking import services as benchmarking
from keyclusters.competitions import services
from keyclusters.evaluation import services as evaluation
from keyclusters.evaluation.models import Assignment, Recommendation
from keyclusters.statuses.services import grant_status
from tests.benchmarking.conftest import SMALL_FRAMEWORK, make_edition
from tests.browser.conftest import log_in, screenshot
from tests.competitions.conftest import SMALL_RULEBOOK
from tests.evaluation.conftest import make_expert
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ONE_LINE = 64  # px: the bar's height with its links on one line (56 px in Bootstrap 5.3)
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


def _cluster(name: str, members: int = 6):
    cluster = ClusterFactory(name=name, founded_on=dt.date(2015, 1, 1), specialisation="ICT")
    for _ in range(members):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    return cluster


def _application(call, cluster):
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    application = services.start_application(call=call, cluster=cluster, by=coordinator)
    services.save_application_data(
        application=application,
        values={"rd_projects": 3},
        files={"strategy": ("strategia.pdf", PDF)},
        by=coordinator,
    )
    services.submit_application(application=application, by=coordinator)
    return application


@pytest.fixture
def world(db):
    """A user of every role (and an administrator) with something on each one's pages."""
    now = timezone.now()
    call = services.create_call(
        name="Runda IX – nabór demonstracyjny (regulamin 2021)",
        rulebook=services.store_rulebook(source=SMALL_RULEBOOK),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    call = services.change_call_state(call=call, action="open")
    waiting = _application(call, _cluster("Klaster Żywności Wysokiej Jakości Mazowsza"))
    assessed = _application(call, _cluster("Klaster Metalowy Opolszczyzny"))
    operator = UserFactory(username="operatorka", roles=["operator"], is_staff=True)
    services.pass_formal(application=assessed, by=operator)
    anna = make_expert("anna")
    make_expert("bartek")
    make_expert("pola", role="panel-member")
    evaluation.auto_assign(application=assessed, stage="merit", by=operator)
    assignment = Assignment.objects.get(application=assessed, expert=anna)
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
    for name in "ABC":
        ClusterFactory(name=f"Klaster {name}")
    edition = make_edition(benchmarking.store_framework(source=SMALL_FRAMEWORK), 2020)
    for username, roles in {
        "koordynator": ["coordinator"],
        "minister": ["decision-maker"],
        "agencja": ["funding-agency"],
        "analityk": ["analyst"],
    }.items():
        UserFactory(username=username, roles=roles, organisation=waiting.cluster.coordinator)
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    return {
        "call": call,
        "application": waiting,
        "assessed": assessed,
        "assignment": assignment,
        "cluster": waiting.cluster,
        "edition": edition,
    }


def _main_pages(world) -> dict[str, list[str]]:
    call, application = world["call"].pk, world["application"].pk
    cluster, edition = world["cluster"].pk, world["edition"].pk
    assignment = world["assignment"].pk
    public = ["/", "/clusters/", f"/clusters/{cluster}/", "/statuses/", "/competitions/"]
    return {
        "operatorka": [
            "/dashboard/",
            f"/competitions/calls/{call}/dashboard/",
            f"/competitions/applications/{world['assessed'].pk}/",
            "/competitions/applications/",
            "/competitions/rulebooks/",
            "/statuses/api-keys/",
            "/evaluation/experts/",
            *public,
        ],
        "anna": [
            "/dashboard/",
            "/evaluation/",
            f"/evaluation/assignments/{assignment}/",
        ],
        "pola": ["/dashboard/", "/evaluation/"],
        "minister": ["/dashboard/"],  # (the world's recommendation is a bare row)
        "koordynator": [
            "/dashboard/",
            "/clusters/mine/",
            f"/clusters/{cluster}/manage/",
            f"/competitions/applications/{application}/",
            "/competitions/applications/",
        ],
        "agencja": ["/dashboard/", "/statuses/verify/"],
        "analityk": [
            "/dashboard/",
            "/benchmarking/",
            f"/benchmarking/{edition}/",
            f"/benchmarking/{edition}/report/",
        ],
        "admin": ["/dashboard/"],
    }


def test_the_navigation_bar_fits_one_line_at_1366_px(page, live_server, world):
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    found = []
    for language in ("pl", "en"):
        page.context.clear_cookies()
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        page.goto(f"{base}/")
        for username in [None, *_main_pages(world)]:
            if username is not None:
                page.context.clear_cookies()
                page.context.add_cookies(
                    [{"name": "django_language", "value": language, "url": base}]
                )
                log_in(page, base, username)
                page.goto(f"{base}/dashboard/")
                if username == "admin" and language == "pl":
                    screenshot(page, "dashboard-administrator")
            height = page.evaluate("document.querySelector('nav.navbar').offsetHeight")
            width, inner = page.evaluate(OVERFLOW)
            if height > ONE_LINE or width > inner:
                found.append(
                    f"{language} {username or 'anonymous'}: {height} px high, {width} wide"
                )
    assert not found, "the navigation bar does not fit one line:\n" + "\n".join(found)


def test_the_user_menu_holds_the_account_the_language_and_logging_out(page, live_server, world):
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, base, "operatorka")
    page.goto(f"{base}/dashboard/")
    assert not page.is_visible("#user-menu .dropdown-menu")
    page.click("#user-menu > summary")
    assert page.is_visible("#user-menu button[value=en]")
    page.click("#user-menu button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == f"{base}/dashboard/"
    page.click("#operator-menu > summary")
    page.click("#operator-menu >> text=API keys")
    page.wait_for_load_state()
    assert page.url == f"{base}/statuses/api-keys/"
    page.click("#user-menu > summary")
    page.keyboard.press("Escape")
    assert page.locator("#user-menu").get_attribute("open") is None
    page.click("#user-menu > summary")
    page.click("#user-menu form[action$='/accounts/logout/'] button")
    page.wait_for_load_state()
    assert page.is_visible("nav.navbar a[href='/accounts/login/']")


def test_no_page_of_a_role_scrolls_sideways_on_a_phone(page, live_server, world):
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    found = []
    for username, paths in _main_pages(world).items():
        page.context.clear_cookies()
        log_in(page, base, username)
        for path in paths:
            response = page.goto(f"{base}{path}")
            assert response.status == 200, f"{username} {path}: {response.status}"
            width, inner = page.evaluate(OVERFLOW)
            if width > inner:
                found.append(f"{username} {path}: {width} px wide in {inner}")
            if username == "operatorka" and path.endswith("/dashboard/") and "calls" in path:
                screenshot(page, "phone-operator-call-dashboard")
    assert not found, "pages wider than the phone:\n" + "\n".join(found)


def test_the_api_documentation_works_without_the_internet(page, live_server, world):
    base = live_server.url
    outside: list[str] = []

    def only_the_site(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_site)
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/verification" in [p.replace("\u200b", "") for p in paths]
    assert len(paths) >= 10
    assert outside == []


def test_the_analyst_sees_the_warning_then_the_progress(page, live_server, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    edition = world["edition"]
    base = live_server.url
    log_in(page, base, "analityk")
    page.goto(f"{base}/benchmarking/{edition.pk}/")
    assert page.is_visible("#worker-missing")
    page.click("form[action$='/generate-reports/'] button")
    page.wait_for_load_state()
    assert page.is_visible("#worker-missing")  # queued, and nothing runs it
    progress = page.locator("#report-progress-text")
    assert progress.inner_text().startswith("Wygenerowane raporty: 0/3 · ")  # waiting
    # the page asks for its progress every 2 s; away from it, a worker runs the queue
    page.goto("about:blank")
    call_command("worker", "--batch", "--interval", "0", verbosity=0)
    page.goto(f"{base}/benchmarking/{edition.pk}/")
    assert (
        page.locator("#report-progress-text").inner_text().startswith("Wygenerowane raporty: 3/3")
    )
    assert page.locator("progress.report-progress").get_attribute("value") == "3"
