"""The member survey in the browser: a cluster's coordinator opens the survey of last year from
the surveys page and reads the link to distribute; anonymous visitors (each a new browser, no
account) answer through the link; while the survey is open the results page shows the number of
answers only (at four answers and at five), and once the coordinator has closed it (asked first)
the exact counts, the averages and the suggestions. The survey list, the public answer page, the
confirmation and the results page are checked with axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from keyclusters.monitoring import services as monitoring
from keyclusters.statuses import services as statuses
from keyclusters.surveys import services as surveys
from keyclusters.surveys.models import Survey, SurveyAnswer
from tests.browser.conftest import _record_csp_violation, log_in, screenshot
from tests.browser.test_accessibility import (  # noqa: F401 (axe: the axe-core fixture)
    AXE,
    RUN_WITHOUT_NAVIGATION,
    _blocking,
    axe,
)
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Five members' answers: coordinator_services (1–5), joint_projects_useful (a choice),
# would_recommend (0–10) and suggestions (optional text).
ANSWERS = [
    {"coordinator_services": "4", "joint_projects_useful": "very", "would_recommend": "9",
     "suggestions": "Więcej szkoleń dla firm."},
    {"coordinator_services": "5", "joint_projects_useful": "very", "would_recommend": "10",
     "suggestions": "Wspólne stoisko na targach."},
    {"coordinator_services": "3", "joint_projects_useful": "somewhat", "would_recommend": "7",
     "suggestions": "Częstsze spotkania członków."},
    {"coordinator_services": "4", "joint_projects_useful": "none", "would_recommend": "8",
     "suggestions": "Mniej formalności."},
    {"coordinator_services": "5", "joint_projects_useful": "very", "would_recommend": "9",
     "suggestions": "Newsletter raz w miesiącu."},
]  # fmt: skip


@pytest.fixture
def _fresh_throttle():
    """The answers are limited per address in the cache: start and end with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visit(browser, live_server, settings):
    """``visit(url)``: a page in a new browser context (no cookies, no login), with axe-core
    loaded; ``check(page)`` collects axe's serious and critical violations, and the
    Content-Security-Policy violations are collected like the ``page`` fixture's."""
    settings.ALLOWED_HOSTS = ["*"]
    contexts = []
    found: list[str] = []
    violations: list[str] = []

    def open_(url: str):
        context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _record_csp_violation(message, page, violations))
        page.add_init_script(path=str(AXE))
        page.goto(url)
        page.wait_for_load_state()
        return page

    def check(page, script: str = RUN_WITHOUT_NAVIGATION) -> None:
        found.extend(_blocking(page.evaluate(script), page.url))

    open_.check = check  # type: ignore[attr-defined]
    yield open_
    for context in contexts:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
    assert not found, "accessibility violations:\n" + "\n".join(found)


# The answer page is checked whole (the text question's textarea has its own label).
ANSWER_PAGE_AXE = "axe.run({exclude: [['nav.navbar']]})"


def _answer(visit, link: str, values: dict[str, str], *, check: bool = False) -> None:
    """An anonymous member opens the link in a new browser, answers and sends."""
    page = visit(link)
    assert page.url == link  # no login asked
    assert page.locator("#user-menu").count() == 0
    if check:
        visit.check(page, ANSWER_PAGE_AXE)
    for question in ("coordinator_services", "joint_projects_useful", "would_recommend"):
        page.check(f"main input[name={question}][value='{values[question]}']")
    page.fill("#id_suggestions", values["suggestions"])
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-survey=thanks]")
    if check:
        visit.check(page)


def _world(today: dt.date):
    """The shipped monitoring framework (with its survey questions); two clusters holding the
    status last year; the coordinator of the first, anna."""
    monitoring.store_shipped_framework()
    north = ClusterFactory(name="Klaster Północ", founded_on=dt.date(2012, 3, 1))
    south = ClusterFactory(name="Klaster Południe", founded_on=dt.date(2012, 3, 1))
    for holder in (north, south):
        statuses.grant_status(
            cluster=holder, round_label="VI", decision_on=dt.date(today.year - 3, 12, 20),
            valid_from=dt.date(today.year - 2, 1, 1), valid_to=dt.date(today.year + 1, 12, 31),
            by=None,
        )  # fmt: skip
    anna = UserFactory(
        username="anna", first_name="Anna", last_name="Nowak", roles=["coordinator"],
        organisation=north.coordinator,
    )  # fmt: skip
    return north, anna


def _counts(section) -> list[int]:
    return [int(text) for text in section.locator("[data-survey=count]").all_inner_texts()]


def _set_language(page, base: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])


def test_members_answer_anonymously_and_the_coordinator_reads_the_results(
    page,
    live_server,
    axe,  # noqa: F811
    visit,
    _fresh_throttle,
):
    today = timezone.localdate()
    north, _anna = _world(today)
    base = live_server.url
    year = today.year - 1
    closes_on = today + dt.timedelta(days=30)

    # the coordinator opens last year's survey of their cluster from the surveys page
    log_in(page, base, "anna")
    axe(f"{base}/surveys/")
    assert page.locator("[data-surveys=list]").count() == 0  # none opened yet
    options = page.locator("#id_cluster option[value]:not([value=''])")
    assert options.all_inner_texts() == ["Klaster Północ"]  # only their own cluster
    assert page.locator("#id_year").input_value() == str(year)  # last year by default
    page.select_option("#id_cluster", str(north.pk))
    page.fill("#id_closes_on", closes_on.isoformat())
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector(".alert-success")
    survey = Survey.objects.get()
    assert (survey.cluster, survey.year, survey.closes_on) == (north, year, closes_on)
    assert page.url == f"{base}/surveys/{survey.pk}/"
    axe()
    assert page.locator("[data-survey=answers]").inner_text() == "0"
    link = page.locator("[data-survey=link]").input_value()
    assert link == f"{base}/surveys/a/{survey.token}/"
    axe(f"{base}/surveys/")  # the list with the survey
    rows = page.locator("[data-surveys=list] tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").nth(1).inner_text() == str(year)

    # an anonymous visitor sends without answering a required question: nothing is recorded
    stranger = visit(link)
    visit.check(stranger, ANSWER_PAGE_AXE)
    stranger.click("main form button[type=submit]")
    stranger.wait_for_selector("[data-survey=errors]")
    visit.check(stranger, ANSWER_PAGE_AXE)
    assert stranger.locator("[data-survey=errors] li").count() == 3  # the three required ones
    assert SurveyAnswer.objects.count() == 0

    # four members answer, each in a new browser, without an account
    for number, values in enumerate(ANSWERS[:4]):
        _answer(visit, link, values, check=number == 0)
    assert SurveyAnswer.objects.filter(survey=survey).count() == 4
    stored = SurveyAnswer.objects.filter(survey=survey).first()
    assert set(stored.answers) <= set(ANSWERS[0])  # the answers and the day, nothing else
    assert stored.submitted_on == today

    # while the survey is open the results page shows the number of answers only, not even
    # per-question counts: comparing it before and after one answer would show that answer
    results_url = f"{base}/surveys/{survey.pk}/results/"
    hidden = "Results are shown after the survey closes, so that no single answer can be traced."
    axe(f"{base}/surveys/{survey.pk}/")
    assert page.locator("[data-survey=answers]").inner_text() == "4"
    page.click(f"main a[href='/surveys/{survey.pk}/results/']")
    page.wait_for_url(results_url)
    axe()
    assert page.locator("[data-survey=suppressed]").count() == 1
    assert page.locator("[data-survey=question]").count() == 0
    assert page.locator("[data-survey=count], [data-survey=mean]").count() == 0
    _set_language(page, base, "en")
    axe(results_url)
    assert page.locator("[data-survey=answers]").inner_text() == "4 answers."
    last_day = f"{closes_on.day} {closes_on:%B} {closes_on.year}"
    assert page.locator("[data-survey=suppressed]").inner_text() == (
        f"{hidden} Its last day of answers is {last_day}."
    )

    # the fifth answer: above the minimum, still nothing but the number while it is open
    _answer(visit, link, ANSWERS[4])
    assert SurveyAnswer.objects.filter(survey=survey).count() == 5
    axe(results_url)
    assert page.locator("[data-survey=answers]").inner_text() == "5 answers."
    assert page.locator("[data-survey=suppressed]").inner_text().startswith(hidden)
    assert page.locator("[data-survey=question], [data-survey=texts]").count() == 0
    assert "Więcej szkoleń dla firm." not in page.content()

    # the coordinator closes the survey from its page, asked first
    axe(f"{base}/surveys/{survey.pk}/")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector(".confirmation-consequences")
    axe()  # the confirmation page
    assert page.locator(".confirmation-consequences li").all_inner_texts() == [
        "The link stops accepting answers at once; the survey cannot be opened again for this "
        "year.",
        "Its results are shown from then on, if enough members have answered.",
    ]
    survey.refresh_from_db()
    assert survey.closed_at is None  # nothing before the confirmation
    page.click(".confirm-action")
    page.wait_for_selector(".alert-success")
    assert page.url == f"{base}/surveys/{survey.pk}/"
    survey.refresh_from_db()
    assert survey.closed_by.username == "anna"
    assert page.locator("[data-survey=state]").inner_text() == "Closed"
    assert page.locator("[data-survey=link]").count() == 0

    # closed with five answers: the exact counts, the averages and the suggestions are shown
    axe(results_url)
    assert page.locator("[data-survey=suppressed]").count() == 0
    assert page.locator("[data-survey=answers]").inner_text() == "5 answers."
    questions = page.locator("[data-survey=question]")
    assert questions.count() == 4
    services, projects, recommend, suggestions = (questions.nth(n) for n in range(4))
    assert services.locator("h2").inner_text() == (
        "How satisfied are you with the services the cluster's coordinator provides to the members?"
    )
    assert services.locator("[data-survey=mean]").inner_text() == "4.2"  # 21 / 5
    assert _counts(services) == [0, 0, 1, 2, 2]  # values 1 to 5
    assert services.locator("tbody tr").first.locator("td").first.inner_text() == (
        "1 (very dissatisfied)"
    )
    assert projects.locator("[data-survey=mean]").count() == 0
    assert projects.locator("tbody td:first-child").all_inner_texts() == [
        "Very useful", "Somewhat useful", "Not useful", "We took part in none",
    ]  # fmt: skip
    assert _counts(projects) == [3, 1, 0, 1]
    assert recommend.locator("[data-survey=mean]").inner_text() == "8.6"  # 43 / 5
    assert _counts(recommend) == [0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 1]  # values 0 to 10
    assert suggestions.locator("p").first.inner_text() == "5 answers"
    assert page.locator("[data-survey=question-suppressed]").count() == 0
    assert sorted(suggestions.locator("[data-survey=texts] li").all_inner_texts()) == [
        "Częstsze spotkania członków.",
        "Mniej formalności.",
        "Newsletter raz w miesiącu.",
        "Więcej szkoleń dla firm.",
        "Wspólne stoisko na targach.",
    ]
    # a closed survey's link refuses answers
    closed = visit(link)
    assert closed.locator("[data-survey=closed]").count() == 1

    # in Polish, the page's default, the averages are written with a decimal comma
    _set_language(page, base, "pl")
    axe(results_url)
    means = page.locator("[data-survey=mean]").all_inner_texts()
    assert means == ["4,2", "8,6"]
    screenshot(page, "member-survey-results")


def test_the_text_answer_has_a_label(page, live_server):
    today = timezone.localdate()
    north, anna = _world(today)
    survey = surveys.open_survey(
        cluster=north, year=today.year - 1, closes_on=today + dt.timedelta(days=30), by=anna,
        today=today,
    )  # fmt: skip
    page.add_init_script(path=str(AXE))
    page.goto(f"{live_server.url}/surveys/a/{survey.token}/")
    page.wait_for_load_state()
    assert _blocking(page.evaluate(RUN_WITHOUT_NAVIGATION), page.url) == []
