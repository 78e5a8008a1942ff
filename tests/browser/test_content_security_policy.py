"""The pages, htmx and the site's script work under the Content-Security-Policy, and nothing on
them is refused by it (the ``page`` fixture fails a test on any violation on the console; the
role journeys and the accessibility tests go through each role's main pages with it)."""

import datetime as dt

import pytest

from keyclusters.evaluation import services as evaluation
from keyclusters.evaluation.models import Assignment
from tests.browser.conftest import log_in
from tests.browser.test_evaluation_journey import application_at_merit
from tests.evaluation.conftest import make_expert
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Records the violations the page reports as events too (an init script is not subject to it).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_the_policy_is_sent_and_a_violation_would_be_seen(browser, live_server, settings):
    """A positive control: an inline style set on the page is refused and reported, so the
    absence of reports in the other tests means something."""
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(LISTEN)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    response = page.goto(f"{live_server.url}/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert _violations(page) == []
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert any("Content Security Policy" in text for text in messages)
    context.close()


def test_public_pages_htmx_search_and_the_language_switch(page, live_server):
    cluster = ClusterFactory(name="Klaster Przeszukiwany", specialisation="ICT")
    ClusterFactory(name="Klaster Inny", specialisation="Energetyka")
    MembershipFactory(cluster=cluster)
    page.add_init_script(LISTEN)
    base = live_server.url
    for path in ("/", "/clusters/", f"/clusters/{cluster.pk}/", "/statuses/", "/accounts/login/"):
        page.goto(f"{base}{path}")
        assert _violations(page) == [], path

    # htmx: the search updates the list in place
    page.goto(f"{base}/clusters/")
    page.locator("input[name=q]").press_sequentially("Przeszukiwany")
    page.wait_for_function(
        "() => !document.querySelector('#cluster-results').textContent.includes('Klaster Inny')"
    )
    assert "Klaster Przeszukiwany" in page.inner_text("#cluster-results")
    assert _violations(page) == []

    # the language menu (a <details> opened without script; site.js closes it elsewhere)
    page.goto(f"{base}/clusters/")
    page.click("#language-menu > summary")
    with page.expect_navigation():
        page.click("#language-menu button[value=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert _violations(page) == []


def test_password_reset_and_the_api_documentation(page, live_server):
    page.add_init_script(LISTEN)
    base = live_server.url
    page.goto(f"{base}/accounts/password-reset/")
    page.fill("#id_email", "nikt@example.org")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/accounts/password-reset/done/")
    assert _violations(page) == []

    # Swagger UI from the static files (not a CDN), with no inline script
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert _violations(page) == []


def test_admin_pages(page, live_server):
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    cluster = ClusterFactory(name="Klaster w Panelu")
    page.add_init_script(LISTEN)
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    for path in (
        "/admin/",
        "/admin/registry/cluster/",
        f"/admin/registry/cluster/{cluster.pk}/change/",
        "/admin/registry/cluster/add/",
        "/admin/accounts/user/",
    ):
        page.goto(f"{base}{path}")
        assert _violations(page) == [], path


def test_score_sheet_autosave_and_a_refused_save(page, live_server):
    operator = UserFactory(roles=["operator"])
    cluster = ClusterFactory(name="Klaster Oceniany", specialisation="ICT")
    for _ in range(5):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    application = application_at_merit(cluster, operator, "Runda CSP")
    anna = make_expert("anna")
    make_expert("bartek")
    evaluation.auto_assign(application=application, stage="merit", by=operator)
    assignment = Assignment.objects.get(application=application, expert=anna)
    evaluation.declare(assignment=assignment, conflict=False, note="", by=anna.user)
    criterion = "team"  # the merit criterion of tests/evaluation/conftest.py's rulebook
    page.add_init_script(LISTEN)
    base = live_server.url
    log_in(page, base, "anna")
    page.goto(f"{base}/evaluation/assignments/{assignment.pk}/")
    page.fill(f"#points-{criterion}", "5")
    page.locator(f"#points-{criterion}").blur()
    page.wait_for_selector("#autosave-status [data-saved-at]")
    assert _violations(page) == []

    # The sheet is submitted elsewhere meanwhile: the 409 answer is shown, not dropped.
    evaluation.save_sheet(
        assignment=assignment,
        points={criterion: "5"},
        justifications={criterion: "Uzasadnienie."},
        by=anna.user,
    )
    evaluation.submit_sheet(assignment=assignment, by=anna.user)
    page.fill(f"#why-{criterion}", "Jeszcze jedno zdanie.")
    page.locator(f"#why-{criterion}").blur()
    page.wait_for_selector("#autosave-status [data-refused]")
    assert _violations(page) == []
